"""Torch versions of the metrics, for use on device tensors during training."""

import torch


def unbiased_mmd2(X, Y, bandwidth):
    """Unbiased MMD^2 between the rows of X and Y with an RBF kernel of the given bandwidth(s).

    A sequence of bandwidths gives the sum of the MMD^2 of each kernel (the
    pairwise distances are computed once).
    """
    bandwidths = [float(b) for b in bandwidth] if isinstance(bandwidth, (list, tuple)) else [float(bandwidth)]
    m, n = X.shape[0], Y.shape[0]
    squared = [torch.cdist(A, B).pow(2) for A, B in ((X, X), (Y, Y), (X, Y))]
    total = 0.0
    for b in bandwidths:
        xx, yy, xy = (torch.exp(-d / (2.0 * b**2)).sum() for d in squared)
        total = total + (xx - m) / (m * (m - 1)) + (yy - n) / (n * (n - 1)) - 2.0 * xy / (m * n)
    return total


def median_distance(X):
    """Median Euclidean distance between distinct rows of X (1.0 when they all coincide)."""
    n = X.shape[0]
    if n < 2:
        return 1.0
    distances = torch.cdist(X, X)[torch.triu_indices(n, n, offset=1, device=X.device).unbind()]
    median = float(distances.median())
    return median if median > 0 else 1.0
