"""Two-sample statistics and mode coverage for judging generated samples."""

import numpy as np
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import pairwise_distances
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.utils import check_array, check_random_state

from ._torch import unbiased_mmd2

# Rows used to estimate the median pairwise distance: enough for a stable
# median, few enough that the distance matrix stays small.
_MEDIAN_ROWS = 1000


def median_heuristic_bandwidth(X, *, random_state=0):
    """Median Euclidean distance between distinct rows of ``X`` (a deterministic subsample of 1000 rows).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows whose pairwise distances set the bandwidth.
    random_state : int, RandomState instance or None, default=0
        Picks the subsample when ``X`` has more than 1000 rows.

    Returns
    -------
    bandwidth : float
        Falls back to 1.0 when every row is the same.

    Examples
    --------
    >>> from skgen.metrics import median_heuristic_bandwidth
    >>> median_heuristic_bandwidth([[0.0], [1.0], [3.0]])
    2.0
    """
    X = check_array(X, dtype=np.float64)
    if X.shape[0] > _MEDIAN_ROWS:
        X = X[check_random_state(random_state).choice(X.shape[0], _MEDIAN_ROWS, replace=False)]
    distances = pairwise_distances(X)[np.triu_indices(X.shape[0], k=1)]
    median = float(np.median(distances)) if distances.size else 0.0
    return median if median > 0 else 1.0


def mmd2(X, Y, *, bandwidth="median"):
    """Unbiased squared maximum mean discrepancy with an RBF kernel (Gretton et al. 2012).

    MMD^2 = E k(x, x') + E k(y, y') - 2 E k(x, y), with
    k(a, b) = exp(-||a - b||^2 / (2 bandwidth^2)); the within-sample terms
    leave out i = j, so the estimate is unbiased and can be slightly negative
    when the two samples come from the same distribution.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample.
    Y : array-like of shape (n_samples_Y, n_features)
        Each needs at least 2 rows.
    bandwidth : float or "median", default="median"
        Kernel bandwidth; "median" uses the median heuristic on the pooled rows.

    Returns
    -------
    mmd2 : float
        About 0 when the samples come from one distribution; larger the more they differ.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import mmd2
    >>> rng = np.random.RandomState(0)
    >>> X, Y = rng.normal(size=(300, 2)), rng.normal(loc=3.0, size=(300, 2))
    >>> abs(mmd2(X, rng.normal(size=(300, 2)))) < 0.02, mmd2(X, Y) > 0.5
    (True, True)
    """
    X = check_array(X, dtype=np.float64)
    Y = check_array(Y, dtype=np.float64)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} features but Y has {Y.shape[1]}.")
    m, n = X.shape[0], Y.shape[0]
    if m < 2 or n < 2:
        raise ValueError(f"mmd2 needs at least 2 samples in each of X and Y, got {m} and {n}.")
    if isinstance(bandwidth, str):
        if bandwidth != "median":
            raise ValueError(f'bandwidth must be a positive float or "median", got {bandwidth!r}.')
        bandwidth = median_heuristic_bandwidth(np.vstack([X, Y]))
    if not bandwidth > 0:
        raise ValueError(f"bandwidth must be positive, got {bandwidth!r}.")
    return float(unbiased_mmd2(torch.from_numpy(X), torch.from_numpy(Y), bandwidth))


def c2st(X, Y, *, classifier=None, cv=5, random_state=None):
    """Classifier two-sample test accuracy (Lopez-Paz & Oquab 2017).

    A classifier learns to tell rows of ``X`` from rows of ``Y``; its
    cross-validated accuracy is about 0.5 when the samples come from the same
    distribution and 1.0 when they are fully separable.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample.
    Y : array-like of shape (n_samples_Y, n_features)
        Second sample.
    classifier : scikit-learn classifier or None, default=None
        None uses ``HistGradientBoostingClassifier``: it needs no scaling,
        copes with any feature distribution and never warns that it did not
        converge.
    cv : int, default=5
        Stratified folds.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the default classifier.

    Returns
    -------
    accuracy : float
        Mean held-out accuracy over the folds.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import c2st
    >>> rng = np.random.RandomState(0)
    >>> c2st(rng.normal(size=(200, 2)), rng.normal(loc=5.0, size=(200, 2)), random_state=0) > 0.95
    True
    >>> abs(c2st(rng.normal(size=(200, 2)), rng.normal(size=(200, 2)), random_state=0) - 0.5) < 0.1
    True
    """
    X = check_array(X, dtype=np.float64)
    Y = check_array(Y, dtype=np.float64)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} features but Y has {Y.shape[1]}.")
    rng = check_random_state(random_state)
    seed = int(rng.randint(0, 2**31 - 1))
    if classifier is None:
        classifier = HistGradientBoostingClassifier(random_state=seed)
    data = np.vstack([X, Y])
    labels = np.r_[np.zeros(len(X), dtype=int), np.ones(len(Y), dtype=int)]
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    return float(np.mean(cross_val_score(classifier, data, labels, cv=folds, scoring="accuracy")))


def mode_coverage(samples, centers, std, *, n_sigma=3, min_count=20):
    """Count the modes captured and the share of high-quality samples (as in VEEGAN and PacGAN).

    A sample is high quality when its Euclidean distance to the nearest
    centre is below ``n_sigma * std``; a mode is captured when at least
    ``min_count`` high-quality samples are nearest to it.

    Parameters
    ----------
    samples : array-like of shape (n_samples, n_features)
        Generated points.
    centers : array-like of shape (n_modes, n_features)
        The centre of every mode.
    std : float
        Standard deviation of each mode.
    n_sigma : float, default=3
        A sample is high quality within ``n_sigma * std`` of its nearest centre.
    min_count : int, default=20
        High-quality samples a mode needs to count as captured.

    Returns
    -------
    modes_captured : int
        Number of modes with at least ``min_count`` high-quality samples.
    high_quality_share : float
        In [0, 1]; 0.0 for no samples.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import mode_coverage
    >>> centers = np.array([[0.0, 0.0], [5.0, 5.0]])
    >>> samples = np.repeat(centers[:1], 30, axis=0)
    >>> mode_coverage(samples, centers, 0.1)
    (1, 1.0)
    """
    samples = check_array(samples, dtype=np.float64, ensure_min_samples=0)
    centers = check_array(centers, dtype=np.float64)
    if samples.shape[1] != centers.shape[1]:
        raise ValueError(f"samples have {samples.shape[1]} features but centers have {centers.shape[1]}.")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std!r}.")
    if samples.shape[0] == 0:
        return 0, 0.0
    distances = pairwise_distances(samples, centers)
    nearest = distances.argmin(axis=1)
    high_quality = distances[np.arange(len(samples)), nearest] < n_sigma * std
    counts = np.bincount(nearest[high_quality], minlength=len(centers))
    return int(np.sum(counts >= min_count)), float(high_quality.mean())
