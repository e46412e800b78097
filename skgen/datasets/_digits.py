"""scikit-learn's 8x8 digits, enlarged by one-pixel shifts as in its RBM example."""

import numpy as np
from scipy.ndimage import convolve
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import minmax_scale

# 3x3 kernels whose convolution moves an image by one pixel (up, left, right, down),
# in the order of scikit-learn's example.
_SHIFT_KERNELS = [
    [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
    [[0, 0, 0], [0, 0, 0], [0, 1, 0]],
]


def _nudge(X, y):
    """The rows of ``X`` followed by their four one-pixel shifts; ``y`` repeated to match."""
    images = X.reshape(-1, 8, 8)
    shifted = [
        convolve(images, np.asarray(kernel, dtype=X.dtype)[np.newaxis], mode="constant").reshape(X.shape)
        for kernel in _SHIFT_KERNELS
    ]
    return np.concatenate([X, *shifted]), np.concatenate([y] * (1 + len(_SHIFT_KERNELS)))


def load_nudged_digits(*, test_size=0.2, random_state=0):
    """Load the digits of scikit-learn's "RBM features for digit classification" example.

    The 1797 8x8 images of :func:`sklearn.datasets.load_digits` are joined by
    copies shifted by one pixel in each of four directions (8985 images), each
    pixel is scaled to [0, 1] with :func:`sklearn.preprocessing.minmax_scale`,
    and the rows are split with :func:`sklearn.model_selection.train_test_split`:
    exactly the preprocessing of the scikit-learn example.

    Parameters
    ----------
    test_size : float or int, default=0.2
        Share (float) or number (int) of rows in the test split.
    random_state : int, RandomState instance or None, default=0
        Seed of the shuffling split.

    Returns
    -------
    X_train, X_test : ndarray of shape (n_train, 64) and (n_test, 64), float32
        Grey levels in [0, 1] (0 is the background), rows of 8x8 images.
    y_train, y_test : ndarray of shape (n_train,) and (n_test,)
        The digit (0-9) each image shows.

    Examples
    --------
    >>> from skgen.datasets import load_nudged_digits
    >>> X_train, X_test, y_train, y_test = load_nudged_digits()
    >>> X_train.shape, X_test.shape, X_train.dtype
    ((7188, 64), (1797, 64), dtype('float32'))
    >>> float(X_train.min()), float(X_train.max())
    (0.0, 1.0)
    """
    X, y = load_digits(return_X_y=True)
    X, y = _nudge(np.asarray(X, dtype=np.float32), y)
    X = minmax_scale(X, feature_range=(0, 1))
    return train_test_split(X, y, test_size=test_size, random_state=random_state)
