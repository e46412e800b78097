"""Small built-in data sets for examples, tests and benchmarks."""

from ._digits import load_nudged_digits
from ._mixtures import make_gaussian_mixture

__all__ = ["load_nudged_digits", "make_gaussian_mixture"]
