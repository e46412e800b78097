"""skgen.metrics against known answers, and quiet by default."""

import warnings

import numpy as np
import pytest

from skgen.metrics import c2st, clustering_accuracy, median_heuristic_bandwidth, mmd2, mode_coverage


def test_c2st_default_classifier_warns_nothing_and_tells_samples_apart():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. a ConvergenceWarning would fail here
        same = c2st(X, rng.normal(size=(150, 4)), random_state=0)
        shifted = c2st(X, rng.normal(loc=2.0, size=(150, 4)), random_state=0)
    assert abs(same - 0.5) < 0.1 and shifted > 0.9
    assert c2st(X, X + 5.0, random_state=0) == c2st(X, X + 5.0, random_state=0)


def test_mmd2_against_its_closed_form_on_tiny_samples():
    X, Y = np.array([[0.0], [1.0]]), np.array([[0.0], [3.0]])
    k = lambda a, b: np.exp(-((a - b) ** 2) / 2.0)
    expected = k(0, 1) + k(0, 3) - (k(0, 0) + k(0, 3) + k(1, 0) + k(1, 3)) / 2
    assert mmd2(X, Y, bandwidth=1.0) == pytest.approx(expected)
    assert median_heuristic_bandwidth([[0.0], [1.0], [3.0]]) == 2.0


def test_mode_coverage_counts_modes_and_quality():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    samples = np.vstack([np.repeat(centers[:2], 25, axis=0), [[5.0, 5.0]] * 10])
    modes, quality = mode_coverage(samples, centers, std=0.1)
    assert modes == 2 and quality == pytest.approx(50 / 60)
    with pytest.raises(ValueError, match="std"):
        mode_coverage(samples, centers, std=0.0)


def test_clustering_accuracy_by_hand():
    # categories 2 -> class 0 (2 rows) and 0 -> class 1 (2 of 3 rows): 4 of 5 rows matched
    assert clustering_accuracy([0, 0, 1, 1, 2], [2, 2, 0, 0, 0]) == 0.8
    # a renumbered identical partition is perfect; one category for everything matches one class
    assert clustering_accuracy([0, 1, 2, 1], [5, 3, 0, 3]) == 1.0
    assert clustering_accuracy([0, 1, 2, 1], [0, 0, 0, 0]) == 0.5
    with pytest.raises(ValueError, match="non-negative integers"):
        clustering_accuracy([0, 1], [0.5, 1.0])
    with pytest.raises(ValueError, match="non-negative integers"):
        clustering_accuracy([0, -1], [0, 1])
    with pytest.raises(ValueError, match="inconsistent"):
        clustering_accuracy([0, 1, 1], [0, 1])
