"""Torch versions of the metrics, for use on device tensors during training."""

import torch


def unbiased_mmd2(X, Y, bandwidth):
    """Unbiased MMD^2 between the rows of X and Y with an RBF kernel of the given bandwidth."""
    gamma = 1.0 / (2.0 * float(bandwidth) ** 2)
    m, n = X.shape[0], Y.shape[0]

    def kernel_sum(A, B):
        return torch.exp(-gamma * torch.cdist(A, B).pow(2)).sum()

    within_x = (kernel_sum(X, X) - m) / (m * (m - 1))
    within_y = (kernel_sum(Y, Y) - n) / (n * (n - 1))
    return within_x + within_y - 2.0 * kernel_sum(X, Y) / (m * n)
