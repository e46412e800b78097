"""Every public estimator passes scikit-learn's estimator checks, with no expected failures."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from conftest import DEVICE
from skgen import CGAN, GAN, VAE, WGAN, BernoulliRBM, GaussianBinaryRBM
from skgen import DBN
from skgen import EBGAN, InfoGAN, Pix2Pix
from skgen import EBM

# Tiny settings keep the checks fast; n_components <= 20 gives an exact log Z,
# and the AIS variant exercises the Monte Carlo path with a fixed seed.
ESTIMATORS = [
    BernoulliRBM(n_components=8, n_iter=3, n_gibbs_steps=20, device=DEVICE),
    BernoulliRBM(n_components=24, n_iter=2, n_gibbs_steps=5, n_ais_chains=8, n_ais_betas=50, device=DEVICE),
    BernoulliRBM(n_components=8, n_iter=3, n_gibbs_steps=20, average=True, device=DEVICE),
    GaussianBinaryRBM(n_components=8, n_iter=3, n_gibbs_steps=20, device=DEVICE),
    GaussianBinaryRBM(n_components=24, n_iter=2, n_gibbs_steps=5, n_ais_chains=8, n_ais_betas=50, learn_sigma=True, device=DEVICE),
    VAE(n_components=2, hidden_layer_sizes=(8,), max_iter=2, n_importance=5, device=DEVICE),
    VAE(n_components=2, hidden_layer_sizes=(8,), max_iter=2, n_importance=5, beta=0.5, early_stopping=True, device=DEVICE),
    GAN(n_components=2, hidden_layer_sizes=(8,), max_iter=2, device=DEVICE),
    GAN(n_components=2, hidden_layer_sizes=(8,), max_iter=2, pack=2, minibatch_discrimination=True, device=DEVICE),
    GAN(n_components=2, hidden_layer_sizes=(8,), max_iter=2, scale="mode-specific", device=DEVICE),
    WGAN(n_components=2, hidden_layer_sizes=(8,), max_iter=2, device=DEVICE),
    WGAN(n_components=2, hidden_layer_sizes=(8,), max_iter=2, penalty="clip", early_stopping=True, device=DEVICE),
    CGAN(n_components=2, hidden_layer_sizes=(8,), max_iter=2, device=DEVICE),
    DBN(hidden_layer_sizes=(8, 4), n_iter=2, n_gibbs_steps=5, n_posterior_samples=10, device=DEVICE),
    DBN(hidden_layer_sizes=(24, 24), n_iter=1, n_gibbs_steps=5, n_posterior_samples=5, n_ais_chains=8, n_ais_betas=50, device=DEVICE),
    DBN(hidden_layer_sizes=(6, 4, 3), visible="gaussian", learning_rate=(0.01, 0.1, 0.1), n_iter=(2, 1, 1), n_gibbs_steps=5, n_posterior_samples=10, average=True, device=DEVICE),
    InfoGAN(n_components=2, n_categories=3, n_continuous=1, hidden_layer_sizes=(8,), max_iter=2, neighbour_weight=1.0, init_params="tsne", device=DEVICE),
    InfoGAN(n_components=2, n_categories=2, n_continuous=0, hidden_layer_sizes=(8,), max_iter=2, minibatch_discrimination=True, early_stopping=True, n_init=2, device=DEVICE),
    EBGAN(n_components=2, hidden_layer_sizes=(8,), code_size=3, max_iter=2, device=DEVICE),
    EBGAN(n_components=2, hidden_layer_sizes=(8,), code_size=3, max_iter=2, pack=2, scale="mode-specific", early_stopping=True, device=DEVICE),
    Pix2Pix(hidden_layer_sizes=(8, 4), max_iter=2, device=DEVICE),
    Pix2Pix(hidden_layer_sizes=(8,), max_iter=2, adversarial_weight=0.0, early_stopping=True, device=DEVICE),
    EBM(hidden_layer_sizes=(8,), max_iter=2, n_langevin_steps=3, buffer_size=64, n_sample_steps=5, n_ais_chains=8, n_ais_betas=20, device=DEVICE),
    EBM(hidden_layer_sizes=(8,), max_iter=2, n_langevin_steps=3, buffer_size=64, n_sample_steps=5, n_ais_chains=8, n_ais_betas=20, noise_scale=0.05, grad_clip=1.0, scale=None, early_stopping=True, device=DEVICE),
    EBM(hidden_layer_sizes=(8,), max_iter=2, learning_rate_schedule="cosine", jump_bandwidth=0.3, n_langevin_steps=3, buffer_size=64, n_sample_steps=5, n_ais_chains=8, n_ais_betas=20, device=DEVICE),
]


# The checks feed BernoulliRBM standard-normal data; its warning about values outside [0, 1] is expected.
@pytest.mark.filterwarnings("ignore:BernoulliRBM got values:UserWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
