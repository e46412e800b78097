"""skgen: deep generative models as scikit-learn estimators."""

from .exceptions import DivergenceError
from .gan import CGAN, GAN, WGAN
from .rbm import BernoulliRBM, GaussianBinaryRBM
from .vae import VAE

__version__ = "0.1.0"

__all__ = ["CGAN", "GAN", "VAE", "WGAN", "BernoulliRBM", "DivergenceError", "GaussianBinaryRBM"]
