"""Agreement of unsupervised categories with known classes."""

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics.cluster import contingency_matrix
from sklearn.utils.validation import check_consistent_length, column_or_1d


def clustering_accuracy(y_true, labels):
    """Share of rows whose category is matched to their class, under the best one-to-one matching.

    Categories are matched to classes by the Hungarian algorithm on their
    contingency table (``scipy.optimize.linear_sum_assignment``), as
    unsupervised clustering is scored against labels (e.g. InfoGAN's
    categories against MNIST's digits). With more categories than classes,
    or fewer, the unmatched ones count as errors.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Classes, non-negative integers.
    labels : array-like of shape (n_samples,)
        Categories, non-negative integers (their numbering is arbitrary).

    Returns
    -------
    accuracy : float
        In [0, 1]; 1 when categories and classes partition the rows alike.

    Examples
    --------
    >>> from skgen.metrics import clustering_accuracy
    >>> clustering_accuracy([0, 0, 1, 1, 2], [2, 2, 0, 0, 0])
    0.8
    """
    y_true, labels = column_or_1d(y_true), column_or_1d(labels)
    check_consistent_length(y_true, labels)
    for name, values in (("y_true", y_true), ("labels", labels)):
        if not (np.issubdtype(values.dtype, np.integer) and (len(values) == 0 or values.min() >= 0)):
            raise ValueError(f"{name} must hold non-negative integers.")
    if len(y_true) == 0:
        raise ValueError("clustering_accuracy needs at least one row.")
    counts = contingency_matrix(labels, y_true)
    rows, cols = linear_sum_assignment(-counts)
    return float(counts[rows, cols].sum() / len(y_true))
