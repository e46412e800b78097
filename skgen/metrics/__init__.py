"""Sample-quality metrics, and the clustering accuracy of unsupervised categories, in the style of ``sklearn.metrics``."""

from ._clustering import clustering_accuracy
from ._sample_quality import c2st, median_heuristic_bandwidth, mmd2, mode_coverage

__all__ = ["c2st", "clustering_accuracy", "median_heuristic_bandwidth", "mmd2", "mode_coverage"]
