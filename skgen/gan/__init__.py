"""Generative adversarial networks: GAN, WGAN and the conditional CGAN."""

from ._estimator import CGAN, GAN, WGAN

__all__ = ["CGAN", "GAN", "WGAN"]
