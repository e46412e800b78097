"""Small built-in data sets for examples, tests and benchmarks."""

from ._digits import load_nudged_digits
from ._ising import ising_observables, make_ising
from ._mixtures import make_gaussian_mixture

__all__ = ["ising_observables", "load_nudged_digits", "make_gaussian_mixture", "make_ising"]
