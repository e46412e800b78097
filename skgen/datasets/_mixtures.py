"""Synthetic Gaussian mixtures used to measure mode coverage."""

import numpy as np
from sklearn.utils import check_random_state


def make_gaussian_mixture(kind, n_samples, *, random_state=None):
    """Sample from the 2-D Gaussian mixtures of the GAN mode-collapse literature.

    Parameters
    ----------
    kind : {"ring", "grid"}
        "ring": 8 Gaussians evenly spaced on a circle of radius 2, std 0.02;
        "grid": 25 Gaussians centred at {-4, -2, 0, 2, 4}^2, std 0.05.
        Every mode has the same weight.
    n_samples : int
        Number of points.
    random_state : int, RandomState instance or None, default=None
        Seeds the modes' choice and the noise; pass an int for reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The points, float64.
    centers : ndarray of shape (n_modes, 2)
        The centre of every mode.
    std : float
        Standard deviation of every mode.

    Examples
    --------
    >>> from skgen.datasets import make_gaussian_mixture
    >>> X, centers, std = make_gaussian_mixture("grid", 100, random_state=0)
    >>> X.shape, centers.shape, std
    ((100, 2), (25, 2), 0.05)
    """
    if kind == "ring":
        angles = 2 * np.pi * np.arange(8) / 8
        centers, std = 2.0 * np.c_[np.cos(angles), np.sin(angles)], 0.02
    elif kind == "grid":
        ticks = np.arange(-4.0, 5.0, 2.0)
        centers, std = np.array([(a, b) for a in ticks for b in ticks]), 0.05
    else:
        raise ValueError(f'kind must be "ring" or "grid", got {kind!r}.')
    if n_samples < 0:
        raise ValueError(f"n_samples must be non-negative, got {n_samples}.")
    rng = check_random_state(random_state)
    modes = rng.randint(len(centers), size=n_samples)
    return centers[modes] + std * rng.standard_normal((n_samples, 2)), centers, std
