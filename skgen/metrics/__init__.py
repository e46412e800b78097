"""Sample-quality metrics, in the style of ``sklearn.metrics``."""

from ._sample_quality import c2st, median_heuristic_bandwidth, mmd2, mode_coverage

__all__ = ["c2st", "median_heuristic_bandwidth", "mmd2", "mode_coverage"]
