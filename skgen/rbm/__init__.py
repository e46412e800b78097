"""Restricted Boltzmann machines."""

from ._dbn import DBN
from ._estimator import BernoulliRBM, GaussianBinaryRBM

__all__ = ["DBN", "BernoulliRBM", "GaussianBinaryRBM"]
