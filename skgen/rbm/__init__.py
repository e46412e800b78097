"""Restricted Boltzmann machines."""

from ._estimator import BernoulliRBM, GaussianBinaryRBM

__all__ = ["BernoulliRBM", "GaussianBinaryRBM"]
