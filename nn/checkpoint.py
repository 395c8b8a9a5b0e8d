"""An optimizer's checkpoint: `state_dict()` and `load_state_dict()`, in torch.optim's shape.

A run resumed from a checkpoint takes the uninterrupted run's steps bit for bit: the settings,
every parameter's state (SGD's velocity, Adam's m and v, the step counts t) and the update
count are saved as plain numbers and restored only after all of them are checked. A class
declares what it saves: STATE (the attributes `update` changes, with t and steps) and
SETTINGS (its hyper-parameters, in the order they are set back).
"""

from collections.abc import Mapping

import numpy as np

from autograd.checks import as_flag, as_index, as_int

from .data import finite_number
from .module import listing


class Checkpointed:
    """state_dict / load_state_dict for an optimizer that declares STATE and SETTINGS."""

    STATE = ()
    SETTINGS = ()

    def state_dict(self):
        """The settings and the state of every parameter as plain numbers, for a checkpoint, in
        torch.optim's shape (positions k in the optimizer's order; `state` is {} before the
        first step):

            {"optimizer": "Adam", "steps": 14, "t_per_parameter": False,
             "state": {0: {"m": m_0, "v": v_0, "t": t_0}, 1: {...}, ...},
             "param_groups": [{"lr": η, "betas": (β1, β2), "eps": ε, "weight_decay": λ,
                               "params": [0, 1, ...]}]}

        SGD's entries are {"velocity": v_k, "t": t_k}. t_per_parameter says whether t is
        counted per parameter (once one was frozen) or is one count for all: the two round
        off Adam's bias corrections differently. Floats, ints, bools and tuples only, copies:
        pickle keeps it as it is; JSON turns the positions into strings, which
        load_state_dict takes back."""
        arrays = self._saved_arrays("state_dict")
        n, t = len(self.params), self.t
        state = {}
        if getattr(self, arrays[0]) is not None:
            columns = [getattr(self, name).tolist() for name in arrays]
            counts = t.tolist() if type(t) is np.ndarray else [t] * n
            state = {k: dict(zip(arrays + ("t",), entry)) for k, entry in enumerate(zip(*columns, counts))}
        group = {name: getattr(self, name) for name in self.SETTINGS}
        group["params"] = list(range(n))
        return {"optimizer": type(self).__name__, "steps": self.steps, "t_per_parameter": type(t) is np.ndarray,
                "state": state, "param_groups": [group]}

    def load_state_dict(self, state_dict):
        """Restore what `state_dict()` saved into this optimizer, over its own parameters (the
        reloaded model's, as many as the saved one had, in the same order).

        Everything is checked before anything is written, so on any error the optimizer is
        unchanged: a TypeError for a wrong type, a ValueError for a wrong value (a missing or
        unknown key, another optimizer's dict, another number of parameters, a number that is
        not finite, a setting out of range), naming the key."""
        who = f"{type(self).__name__}.load_state_dict"
        arrays = self._saved_arrays("load_state_dict")
        try:
            loaded = self._checked(state_dict, arrays)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{who}: {error}; nothing was loaded") from None
        vars(self).update(loaded)

    def _saved_arrays(self, method):
        """The names of the per-parameter arrays state_dict saves (SGD's velocity, Adam's m and
        v), besides t and steps; a TypeError for an optimizer keeping state it would not save."""
        who = type(self).__name__
        if "t" not in self.STATE or "steps" not in self.STATE:
            raise TypeError(f"{who}.{method}: {who} does not declare its state (STATE with t and steps), "
                            f"so a checkpoint of it would not be exact; give it its own {method}")
        known = {"params", *("_" + name for name in self.SETTINGS), *self.STATE}
        unknown = sorted(set(vars(self)) - known)
        if unknown:
            raise TypeError(f"{who}.{method}: {who} keeps state that {type(self).__mro__[1].__name__}'s "
                            f"{method} does not know ({', '.join(unknown)}); give {who} its own {method}")
        return tuple(name for name in self.STATE if name not in ("t", "steps"))

    def _checked(self, saved, arrays):
        """The attributes a valid state dict gives (settings, per-parameter arrays, t, steps),
        or the TypeError / ValueError of the first thing wrong in it."""
        if isinstance(saved, Mapping) and set(saved) == {"state", "param_groups"}:
            raise ValueError("the state dict is torch.optim's (keys 'state' and 'param_groups' only, its state "
                             "one tensor per parameter tensor), not an nn optimizer's state_dict(), which keeps "
                             "one number per scalar parameter; torch's does not load here")
        _keys(saved, ("optimizer", "steps", "t_per_parameter", "state", "param_groups"), "the state dict")
        name = saved["optimizer"]
        if not isinstance(name, str):
            raise TypeError(f"'optimizer': expected the optimizer's name (a str), got {type(name).__name__}")
        if name != type(self).__name__:
            raise ValueError(f"'optimizer': the state dict is {name}'s and this optimizer is "
                             f"{type(self).__name__} (load it into an nn.{name})")
        groups = saved["param_groups"]
        if not isinstance(groups, (list, tuple)):
            raise TypeError(f"'param_groups': expected a list of one group, got {type(groups).__name__}")
        if len(groups) != 1:
            raise ValueError(f"'param_groups': nn's optimizers have one parameter group, got {len(groups)}")
        loaded = self._checked_group(groups[0])
        per_parameter = as_flag(saved["t_per_parameter"], "'t_per_parameter'")
        loaded.update(self._checked_state(saved["state"], arrays, per_parameter))
        loaded["steps"] = as_index(saved["steps"], "'steps'")
        return loaded

    def _checked_group(self, group):
        """The settings' slots, each checked by its own setter on a blank optimizer of this
        class (so in the order of SETTINGS, and not against this one's current settings)."""
        where = "param_groups[0]"
        _keys(group, self.SETTINGS + ("params",), where)
        positions, n = group["params"], len(self.params)
        if not isinstance(positions, (list, tuple)):
            raise TypeError(f"{where}['params']: expected a list of positions, got {type(positions).__name__}")
        if len(positions) != n:
            raise ValueError(f"{where}['params']: the state dict is of {len(positions)} parameters, this "
                             f"optimizer has {n} (build it over the same model's parameters())")
        if list(positions) != list(range(n)):
            raise ValueError(f"{where}['params']: expected the positions 0 to {n - 1} in order, "
                             f"got {positions!r:.60}")
        blank = object.__new__(type(self))
        for name in self.SETTINGS:
            try:
                setattr(blank, name, group[name])
            except (TypeError, ValueError) as error:
                raise type(error)(f"{where}[{name!r}]: {error}") from None
        return {"_" + name: getattr(blank, "_" + name) for name in self.SETTINGS}

    def _checked_state(self, state, arrays, per_parameter):
        """The per-parameter arrays and t: None and 0 from an empty state (no step yet), else
        one entry per position, each with exactly the keys `arrays` and t."""
        n = len(self.params)
        if not isinstance(state, Mapping):
            raise TypeError(f"'state': expected a dict of position -> state, got {type(state).__name__}")
        if not state:
            return {**dict.fromkeys(arrays), "t": np.zeros(n, dtype=int) if per_parameter else 0}
        rows, counts = [], []
        for k, entry in enumerate(_by_position(state, n)):
            where = f"state[{k}]"
            _keys(entry, arrays + ("t",), where)
            rows.append([finite_number(entry[name], f"{where}[{name!r}]") for name in arrays])
            counts.append(as_index(entry["t"], f"{where}['t']"))
            if counts[-1] == 0 and any(rows[-1]):
                raise ValueError(f"{where}: t is 0 (the parameter has not stepped), yet its {', '.join(arrays)} "
                                 f"are {rows[-1]}, not 0")
            self._check_entry(dict(zip(arrays, rows[-1])), where)
        if not per_parameter and len(set(counts)) > 1:
            raise ValueError(f"'t_per_parameter' is False (one t for all), yet the parameters' t differ "
                             f"({min(counts)} to {max(counts)})")
        columns = np.array(rows, dtype=float).T
        loaded = {name: column.copy() for name, column in zip(arrays, columns)}
        loaded["t"] = np.array(counts, dtype=int) if per_parameter else counts[0]
        return loaded

    def _check_entry(self, entry, where):
        """Hook: refuse a saved parameter's state that no run gives (Adam's v below 0)."""


def _keys(mapping, expected, where):
    """A TypeError unless `mapping` is a dict, a ValueError naming any key missing or unknown."""
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{where}: expected a dict, got {type(mapping).__name__} {mapping!r:.40}")
    missing = [key for key in expected if key not in mapping]
    unknown = [key for key in mapping if key not in expected]
    if missing or unknown:
        raise ValueError(f"{where}: " + "; ".join(
            f"{what} key{'s' if len(keys) > 1 else ''} {listing(keys)}"
            for what, keys in (("missing", missing), ("unknown", unknown)) if keys)
            + f" (expected {', '.join(map(repr, expected))})")


def _by_position(state, n):
    """The entries of a saved state in the parameters' order, one for each of the n positions."""
    entries = {}
    for key, entry in state.items():
        k = _position(key, n)
        if k in entries:
            raise ValueError(f"'state': position {k} is given twice")
        entries[k] = entry
    missing = [k for k in range(n) if k not in entries]
    if missing:
        raise ValueError(f"'state': no entry for the parameters at {listing(missing)} (every parameter has one "
                         f"once the optimizer has stepped)")
    return [entries[k] for k in range(n)]


def _position(key, n):
    """A state key as a parameter's position: an int, or its digits as JSON gives it back."""
    if isinstance(key, str) and key.isascii() and key.isdigit() and key == str(int(key)):
        key = int(key)
    return as_int(key, f"'state' key {key!r:.40} (a parameter's position)", 0, n - 1)
