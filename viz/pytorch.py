"""Step through PyTorch's backward: a torch model's loss on one example (or a small batch), as a
scalar graph, with PyTorch's own gradient beside each parameter's.

    page = viz.pytorch_stepper(torch_model, x, y, torch.nn.MSELoss(), "backward.html")

The torch model (a Sequential of Linear layers and activations, see nn.from_torch) becomes
the same network of Values, in float64, labelled as the notes label it (w(l)_j,k, z(l)_j,
a(l)_j); the loss is built with nn's loss of the same name and reduction. PyTorch's autograd
runs on a float64 copy of the model on the same example, and its ∂C/∂w for every weight and
bias goes to the stepper as the reference: each parameter's step shows both numbers, and the
page says whether all of them agree to within tolerance + rtol · |gradient| (1e-12 each by default).

This module is the one place where viz builds a graph rather than reads one: it uses nn's
bridge to PyTorch (and torch, imported only when called).
"""

import copy

import numpy as np

from .stepper import stepper

LOSSES = ("MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "CrossEntropyLoss", "BCEWithLogitsLoss", "BCELoss")


def pytorch_stepper(module, x, target, loss, path=None, **options):
    """viz.stepper over loss(module(x), target), with PyTorch's parameter gradients beside ours.

    module  a torch.nn.Sequential of Linear and activation layers (or one Linear)
    x       one example (nin numbers) or a batch (N rows); numbers, an array or a tensor
    target  the loss's target for it (a class index for CrossEntropyLoss, ...), as PyTorch takes it
    loss    torch.nn.MSELoss(), L1Loss(), HuberLoss(delta), SmoothL1Loss(beta), CrossEntropyLoss(),
            BCEWithLogitsLoss() or BCELoss(), any reduction but "none"
    path    write the page there (returns the path); None returns the page (inline in Jupyter)
    options passed to viz.stepper (digits, collapse, tolerance, ...)
    """
    taken = sorted({"parameters", "reference", "reference_name"} & set(options))
    if taken:  # else a bare "got multiple values for keyword argument"
        raise TypeError(f"pytorch_stepper: {', '.join(taken)}= cannot be given: the model's parameters and "
                        f"PyTorch's gradients are what pytorch_stepper passes to viz.stepper")
    root, parameters, reference = pytorch_graph(module, x, target, loss)
    return stepper(root, path, parameters=parameters, reference=reference, reference_name="PyTorch",
                   **options)


def pytorch_graph(module, x, target, loss):
    """(C, parameters, reference): the loss as a graph of Values (backward not yet run), the
    model's parameter Values, and {parameter: ∂C/∂parameter from PyTorch's autograd}."""
    import torch

    import nn

    model = nn.from_torch(module)
    our_loss, torch_loss = _losses(loss, torch, nn)
    rows, batched = _examples(x)
    outputs = [model(row) for row in rows]
    root = our_loss(outputs if batched else outputs[0], _as_list(target))
    root.label = root.label or "C"
    reference = _torch_gradients(module, model, torch_loss, rows, batched, target, torch, nn)
    return root, model.parameters(), reference


def _losses(loss, torch, nn):
    """(nn's loss, torch's) of the same name and reduction."""
    name = type(loss).__name__
    if not isinstance(loss, torch.nn.Module) or type(loss) is not getattr(torch.nn, name, None) or name not in LOSSES:
        raise TypeError(f"pytorch_stepper loss: expected one of torch.nn.{', torch.nn.'.join(LOSSES)}, "
                        f"got {name}")
    extra = [arg for arg in ("weight", "pos_weight") if getattr(loss, arg, None) is not None]
    if extra or getattr(loss, "label_smoothing", 0.0) or getattr(loss, "ignore_index", -100) != -100:
        raise ValueError(f"pytorch_stepper loss: {name} with {', '.join(extra) or 'label_smoothing/ignore_index'} "
                         f"has no counterpart in nn.{name}; use its default arguments")
    if loss.reduction == "none":
        raise ValueError(f"pytorch_stepper loss: {name}(reduction='none') gives many losses; backward "
                         f"steps from one: use 'mean' or 'sum'")
    ours = getattr(nn, name)
    options = {option: getattr(loss, option) for option in ours.taken}  # HuberLoss's delta, SmoothL1Loss's beta
    return ours(reduction=loss.reduction, **options), copy.deepcopy(loss)


def _examples(x):
    """(rows of plain floats, whether x is a batch)."""
    given, x = x, _as_list(x)
    if not isinstance(x, list):  # torch's Linear refuses a 0-d input too
        raise TypeError(f"pytorch_stepper x: expected one example (a sequence of the model's nin numbers) or a "
                        f"batch (one row per example), got {type(given).__name__} {given!r:.60}")
    if x and isinstance(x[0], list):
        return x, True
    return [x], False


def _as_list(x):
    if isinstance(x, (list, tuple)):  # a batch given as a list of rows, each a tensor or an array
        return [_as_list(row) for row in x]
    if hasattr(x, "detach"):
        x = x.detach().cpu().double().numpy() if x.is_floating_point() else x.detach().cpu().numpy()
    return x.tolist() if hasattr(x, "tolist") else x


def _torch_target(target, torch_loss, torch):
    """The target as PyTorch takes it, its numbers exactly those nn's loss is given: a float64
    tensor made from the numbers themselves (torch.tensor of Python floats would round them to
    float32 first, which no .double() afterwards can undo), or for CrossEntropyLoss a long
    tensor of class indices when the target is whole numbers of an integer type."""
    if hasattr(target, "detach"):  # a tensor: as given, a floating one in float64 as _as_list reads it
        target = target.detach().clone()
        return target.double() if target.is_floating_point() else target
    numbers = np.asarray(target)
    if isinstance(torch_loss, torch.nn.CrossEntropyLoss) and numbers.dtype.kind in "iu":
        return torch.from_numpy(numbers.astype(np.int64))  # class indices
    return torch.from_numpy(np.array(numbers, dtype=np.float64))  # MSE, BCE: float targets, even 0/1


def _paired_target(outputs, target, torch_loss, torch):
    """The target in the outputs' shape, for an elementwise loss whose target pairs its numbers
    with the outputs one for one (a number for one output: torch would warn, or BCE refuse).
    Any other shape is refused: torch's MSELoss would broadcast a (3,) target against (3, 1)
    outputs into a (3, 3) loss, another loss than the graph's. A shape torch cannot broadcast
    at all is left to torch's own error."""
    if isinstance(torch_loss, torch.nn.CrossEntropyLoss) or target.shape == outputs.shape:
        return target
    try:
        paired = torch.Size(torch.broadcast_shapes(target.shape, outputs.shape))
    except RuntimeError:
        return target
    if paired.numel() == outputs.numel() == target.numel():
        return target.reshape(outputs.shape)
    wanted = "one row per example" if outputs.dim() > 1 else "one number per output"
    torch_does = (f"would broadcast them to {tuple(paired)}, another loss than this graph's"
                  if isinstance(torch_loss, torch.nn.MSELoss) else "refuses them")
    raise ValueError(f"pytorch_stepper target: shape {tuple(target.shape)}, but the model's outputs have shape "
                     f"{tuple(outputs.shape)}; PyTorch's {type(torch_loss).__name__} {torch_does}: give the "
                     f"target as {wanted}, shape {tuple(outputs.shape)}")


def _torch_gradients(module, model, torch_loss, rows, batched, target, torch, nn):
    """{parameter Value: ∂C/∂parameter as PyTorch's autograd computes it}, on a float64 copy."""
    twin = copy.deepcopy(module).double()
    twin.zero_grad()
    inputs = torch.tensor(rows if batched else rows[0], dtype=torch.float64)  # rows: Python floats
    outputs = twin(inputs)
    torch_target = _paired_target(outputs, _torch_target(target, torch_loss, torch), torch_loss, torch)
    try:
        cost = torch_loss(outputs, torch_target)
    except (RuntimeError, ValueError) as refused:  # torch's words, and which argument they are about
        raise type(refused)(f"pytorch_stepper target: PyTorch's {type(torch_loss).__name__} refused the target "
                            f"{target!r:.60} (as a tensor: shape {tuple(torch_target.shape)}, {torch_target.dtype}) "
                            f"for outputs of shape {tuple(outputs.shape)}: {refused}") from refused
    if not cost.requires_grad:  # torch's backward would say "element 0 of tensors does not require grad"
        raise RuntimeError("pytorch_stepper: every parameter of the model is frozen (requires_grad False): "
                           "PyTorch computes no gradient to compare; unfreeze the ones to step through")
    cost.backward()
    grads = {key: p.grad for key, p in twin.named_parameters(remove_duplicate=False)}
    frozen = {key for key, p in twin.named_parameters(remove_duplicate=False) if not p.requires_grad}
    reference = {}
    for key, value in nn.torch_state_dict(model).items():  # the keys of module's own state_dict()
        if key in frozen:  # no gradient in PyTorch, none here (a constant): nothing to compare
            continue
        layer = model.get_submodule(key.rpartition(".")[0])  # "" for a lone Linear: the model itself
        grad = grads[key]
        if grad is None:  # a layer PyTorch's graph never reached: its gradient is 0
            grad = torch.zeros_like(torch.from_numpy(value))
        values = layer.weight if key.endswith("weight") else [layer.bias]
        for row, grad_row in zip(values, grad.reshape(len(values), -1).tolist()):
            for p, g in zip(row, grad_row):
                reference[p] = g
    return reference
