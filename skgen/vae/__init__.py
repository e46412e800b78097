"""Variational autoencoders."""

from ._estimator import VAE

__all__ = ["VAE"]
