"""skgen: deep generative models as scikit-learn estimators."""

from .ebm import EBM
from .exceptions import DivergenceError
from .gan import CGAN, EBGAN, GAN, WGAN, InfoGAN, Pix2Pix
from .rbm import DBN, BernoulliRBM, GaussianBinaryRBM
from .vae import VAE

__version__ = "0.1.0"

__all__ = ["CGAN", "EBM", "EBGAN", "InfoGAN", "Pix2Pix", "DBN", "GAN", "VAE", "WGAN", "BernoulliRBM", "DivergenceError", "GaussianBinaryRBM"]
