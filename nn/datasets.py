"""Small toy data sets, generated with numpy (nothing is downloaded)."""

import numpy as np

from .data import finite_number
from .init import generator


def xor():
    """The four XOR examples: X (4, 2) and y (4,) with y = x_1 XOR x_2 in {0, 1}."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0.0, 1.0, 1.0, 0.0])


def two_moons(n=100, noise=0.1, seed=None):
    """Two interleaving half circles: X (n, 2) and labels y (n,) in {0, 1}.

    The upper moon is (cos t, sin t), the lower (1 - cos t, 1/2 - sin t) for t in [0, π],
    each point moved by Gaussian noise of standard deviation `noise`.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"two_moons: n must be an int >= 2, got {n!r}")
    if finite_number(noise, "two_moons noise") < 0:
        raise ValueError(f"two_moons: noise must be a finite number >= 0, got {noise!r}")
    rng = generator(seed)
    upper, lower = (n + 1) // 2, n // 2
    t_upper, t_lower = np.linspace(0, np.pi, upper), np.linspace(0, np.pi, lower)
    X = np.concatenate([np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
                        np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])])
    X += rng.normal(0.0, noise, size=X.shape)
    y = np.concatenate([np.zeros(upper), np.ones(lower)])
    return X, y
