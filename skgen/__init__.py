"""skgen: deep generative models as scikit-learn estimators."""

from .exceptions import DivergenceError
from .rbm import BernoulliRBM, GaussianBinaryRBM
from .vae import VAE

__version__ = "0.1.0"

__all__ = ["BernoulliRBM", "DivergenceError", "GaussianBinaryRBM", "VAE"]
