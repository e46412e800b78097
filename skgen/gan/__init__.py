"""Generative adversarial networks: GAN, WGAN, CGAN, InfoGAN, EBGAN and Pix2Pix."""

from ._estimator import CGAN, GAN, WGAN
from ._ebgan import EBGAN
from ._infogan import InfoGAN
from ._pix2pix import Pix2Pix

__all__ = ["CGAN", "EBGAN", "GAN", "InfoGAN", "Pix2Pix", "WGAN"]
