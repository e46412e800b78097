"""skgen.EBM: exact log-partition checks, a normalised 2-D density, and scikit-learn behaviour."""

import math
import pickle
import warnings

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.datasets import make_moons
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from conftest import DEVICE, assert_reproducible
from skgen import EBM
from skgen.sampling import langevin_chain


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Small networks: one intra-op thread is fastest (and fair on a shared machine)."""
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


def _small(**params):
    """An EBM small enough for behaviour tests."""
    settings = dict(
        hidden_layer_sizes=(16,),
        max_iter=3,
        batch_size=64,
        n_langevin_steps=5,
        buffer_size=256,
        n_sample_steps=10,
        n_ais_chains=32,
        n_ais_betas=50,
        random_state=0,
        device=DEVICE,
    )
    return EBM(**{**settings, **params})


def _gaussian_data(n=400):
    """Correlated 2-D Gaussian rows far from unit scale: mean (10, -5), standard deviations 3 and 0.5."""
    rng = np.random.RandomState(0)
    z = rng.normal(size=(n, 2))
    return np.c_[10 + 3 * z[:, 0], -5 + 0.5 * (0.6 * z[:, 0] + 0.8 * z[:, 1])]


class QuadraticEnergy(nn.Module):
    """E(x) = ||L^T (x - m)||^2 / 2 with L lower triangular, positive diagonal: a Gaussian, Z in closed form.

    Starts at the given mean and covariance; records the range of the rows
    it receives, to show that a user's network sees the data's units.
    """

    def __init__(self, mean=(0.0, 0.0), covariance=((1.0, 0.0), (0.0, 1.0))):
        super().__init__()
        precision_cholesky = np.linalg.cholesky(np.linalg.inv(np.asarray(covariance)))
        self.m = nn.Parameter(torch.as_tensor(mean, dtype=torch.float64))
        self.log_diagonal = nn.Parameter(torch.as_tensor(np.log(np.diag(precision_cholesky))))
        self.lower = nn.Parameter(torch.as_tensor(precision_cholesky[np.tril_indices(2, -1)]))
        self.register_buffer("seen_max", torch.tensor(-math.inf, dtype=torch.float64))

    def cholesky(self):
        diagonal, zero = torch.exp(self.log_diagonal), torch.zeros_like(self.lower[0])
        return torch.stack([torch.stack([diagonal[0], zero]), torch.stack([self.lower[0], diagonal[1]])])

    def forward(self, x):
        self.seen_max = torch.maximum(self.seen_max, x.detach().max().to(self.seen_max.dtype))
        return 0.5 * (((x - self.m) @ self.cholesky()) ** 2).sum(dim=1)

    def features(self, x):
        return (x - self.m) @ self.cholesky()

    def log_partition(self):
        """log int exp(-E) = d/2 log(2 pi) - log det L."""
        return float(math.log(2 * math.pi) - self.log_diagonal.detach().sum())


# --------------------------------------------------------------------------- exact answers
def test_log_z_of_a_quadratic_energy_matches_its_closed_form():
    X = _gaussian_data()
    start = QuadraticEnergy(X.mean(axis=0), np.cov(X.T) * 1.5)
    ebm = EBM(energy=start, max_iter=3, learning_rate=1e-2, batch_size=50, step_size=0.05, n_ais_chains=400,
              n_ais_betas=400, random_state=0, device=DEVICE).fit(X)
    energy = ebm.net_.module_.energy
    exact = energy.log_partition()
    assert exact != pytest.approx(start.log_partition(), abs=1e-3)  # training moved the parameters
    # the AIS estimate agrees with the closed form within its (small) standard error
    assert 0 < ebm.log_z_std_ < 0.02
    assert abs(ebm.log_z_ - exact) < 3 * ebm.log_z_std_
    # the module saw rows in the data's units (the first feature lies around 10), and
    # score_samples is its own normalised density, a Gaussian, up to log Z's error
    assert float(energy.seen_max) > 15
    L = energy.cholesky().detach().cpu().numpy()
    covariance = np.linalg.inv(L @ L.T)
    exact_log_pdf = stats.multivariate_normal(energy.m.detach().cpu().numpy(), covariance).logpdf(X[:20])
    np.testing.assert_allclose(ebm.score_samples(X[:20]), exact_log_pdf, atol=3 * ebm.log_z_std_)
    np.testing.assert_allclose(ebm.energy_samples(X[:20]), -exact_log_pdf - exact, rtol=1e-10, atol=1e-10)


def _grid_integral(ebm, X, widen, n_points=400):
    """Riemann sum of exp(score_samples) over the data's bounding box widened by ``widen`` on every side."""
    low, high = X.min(axis=0) - widen, X.max(axis=0) + widen
    ticks = [np.linspace(a, b, n_points) for a, b in zip(low, high)]
    grid = np.stack(np.meshgrid(*ticks, indexing="ij"), axis=-1).reshape(-1, 2)
    cell = np.prod([t[1] - t[0] for t in ticks])
    return float(np.exp(ebm.score_samples(grid)).sum() * cell)


def test_a_fitted_2d_density_integrates_to_one():
    X = make_moons(600, noise=0.1, random_state=0)[0] * [2.0, 5.0]  # not unit scale
    ebm = EBM(hidden_layer_sizes=(32, 32), learning_rate=3e-3, max_iter=40, batch_size=64, n_langevin_steps=20,
              n_ais_chains=400, n_ais_betas=400, random_state=0, device=DEVICE).fit(X)
    assert ebm.log_z_std_ < 0.02
    # a short fit leaves some mass beyond the data: the grid reaches 4 standard deviations past the data
    assert _grid_integral(ebm, X, widen=10.0) == pytest.approx(1.0, abs=0.03)
    # and the model learned something: the data are more likely than the Gaussian fitted to them
    gaussian = stats.multivariate_normal(X.mean(axis=0), np.cov(X.T))
    assert ebm.score(X) > gaussian.logpdf(X).mean() + 0.1


def test_temperature_follows_the_decoupled_noise():
    X = _gaussian_data(200)
    ebm = _small(step_size=0.02, noise_scale=0.02).fit(X)
    assert ebm.temperature_ == pytest.approx(0.02**2 / (2 * 0.02))
    f = ebm._apply_in_chunks(ebm._validate_X(X[:5], reset=False),
                             lambda x: ebm.net_.module_(ebm._network_rows(x))).astype(np.float64)
    np.testing.assert_allclose(ebm.energy_samples(X[:5]), f / ebm.temperature_, rtol=1e-12)
    assert _small().fit(X).temperature_ == pytest.approx(1.0)  # noise_scale=None: sqrt(2 step_size)


# --------------------------------------------------------------------------- behaviour
def test_methods_shapes_dtypes_and_determinism():
    X = _gaussian_data(300).astype(np.float32)
    ebm = _small().fit(X)
    assert ebm.transform(X[:7]).shape == (7, 16) and ebm.transform(X[:7]).dtype == np.float32
    assert list(ebm.get_feature_names_out())[:2] == ["ebm0", "ebm1"]
    scores = ebm.score_samples(X)
    assert scores.shape == (300,) and np.isfinite(scores).all()
    # Monte Carlo fixed at fit: the same values for any subset, in any order (float32 matrix
    # products of other shapes may differ in the last bit)
    np.testing.assert_allclose(ebm.score_samples(X[::-1][:10]), scores[::-1][:10], rtol=1e-6)
    assert ebm.score(X) == pytest.approx(scores.mean())
    samples = ebm.sample(5)
    assert samples.shape == (5, 2) and samples.dtype == np.float32
    assert not np.array_equal(ebm.sample(5), samples)  # the sampling stream moves on
    assert_reproducible(ebm.sample(5, random_state=3), ebm.sample(5, random_state=3))
    assert ebm.sample(0).shape == (0, 2)


def test_sample_with_growing_n_steps_follows_one_chain():
    X = _gaussian_data(200)
    ebm = _small().fit(X)
    module = ebm.net_.module_
    generator = ebm._sampling_generator(1)  # what random_state=1 seeds
    with torch.no_grad():
        z = module.noise(4, generator)
        _, trajectory = langevin_chain(module, z, 6, step_size=ebm.step_size, noise_scale=math.sqrt(2 * ebm.step_size),
                                       generator=generator, record_every=1)
    chain = ebm._scaling.inverse_transform(trajectory).cpu().numpy()
    for k in (0, 3, 6):
        assert_reproducible(ebm.sample(4, random_state=1, n_steps=k), chain[k])
    moments = ebm.sample(4000, random_state=0, n_steps=0)
    np.testing.assert_allclose(moments.mean(axis=0), X.mean(axis=0), atol=0.2)
    np.testing.assert_allclose(moments.std(axis=0), X.std(axis=0), rtol=0.1)


class TwoWells(nn.Module):
    """E(x) of the 1-D mixture 0.2 N(-3, 0.3^2) + 0.8 N(3, 0.3^2), with one unused parameter for the optimizer."""

    def __init__(self):
        super().__init__()
        self.unused = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        log_weights = torch.log(torch.tensor([0.2, 0.8], dtype=x.dtype, device=x.device))
        centres = torch.tensor([-3.0, 3.0], dtype=x.dtype, device=x.device)
        return -torch.logsumexp(log_weights - 0.5 * ((x - centres) / 0.3) ** 2, dim=1) + 0 * self.unused


def test_kernel_jumps_give_sample_the_modes_weights():
    # training rows split 1:1 between the wells (the jump centres and the base Gaussian, from which
    # half the chains start in each well); the energy weighs them 1:4 and is not trained (0 epochs)
    X = np.r_[np.full(200, -3.0), np.full(200, 3.0)][:, None] + 0.3 * np.random.RandomState(0).normal(size=(400, 1))
    params = dict(energy=TwoWells(), max_iter=0, step_size=1e-3)
    with_jumps = _small(jump_bandwidth=0.1, **params).fit(X)
    without = _small(**params).fit(X)
    right = np.mean(with_jumps.sample(4000, random_state=0, n_steps=100) > 0)
    assert right == pytest.approx(0.8, abs=0.03)
    # Langevin steps alone do not cross between the wells: the chains keep their start's 1:1
    assert np.mean(without.sample(4000, random_state=0, n_steps=100) > 0) == pytest.approx(0.5, abs=0.03)
    # the jump centres are training rows in network units, and a fit records the jumps' acceptance
    centres = with_jumps._scaling.inverse_transform(with_jumps.net_.module_.jump_centres).cpu().numpy()
    assert np.abs(centres - X.T).min(axis=1).max() < 1e-9
    fitted = _small(jump_bandwidth=0.1).fit(X)
    assert all(0 <= row["train_jump_acceptance"] <= 1 for row in fitted.history_)


def test_cosine_schedule_anneals_each_fit_and_restores_the_step_for_partial_fit():
    X = _gaussian_data(200)
    ebm = _small(max_iter=4, learning_rate=2e-3, learning_rate_schedule="cosine").fit(X)
    # epoch t of 4 trains at 2e-3 * (1 + cos(pi t / 4)) / 2
    expected = [2e-3 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(4)]
    np.testing.assert_allclose([row["event_lr"] for row in ebm.history_], expected, rtol=1e-12)
    # after fit the optimizer is back at the full step: a constant-schedule partial_fit trains at it
    ebm.set_params(learning_rate_schedule="constant").partial_fit(X)
    assert ebm.net_.optimizer_.param_groups[0]["lr"] == 2e-3
    weights = [p.detach().clone() for p in ebm.net_.module_.parameters()]
    ebm.partial_fit(X)
    assert any(not torch.equal(w, p) for w, p in zip(weights, ebm.net_.module_.parameters()))
    # the constant schedule records no learning rate and keeps the step
    constant = _small(max_iter=2, learning_rate=2e-3).fit(X)
    assert "event_lr" not in constant.history_[-1]
    assert constant.net_.optimizer_.param_groups[0]["lr"] == 2e-3


def test_pipeline_and_grid_search_by_score():
    X = _gaussian_data(300)
    pipe = make_pipeline(StandardScaler(), _small()).fit(X)
    assert np.isfinite(pipe.score(X))
    assert pipe.transform(X[:3]).shape == (3, 16)
    search = GridSearchCV(_small(max_iter=2), {"hidden_layer_sizes": [(4,), (16,)]}, cv=2).fit(X)
    assert search.best_params_["hidden_layer_sizes"] in [(4,), (16,)]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_pickle_keeps_the_buffer_and_results():
    X = _gaussian_data(200)
    ebm = _small().fit(X)
    restored = pickle.loads(pickle.dumps(ebm))
    torch.testing.assert_close(restored.net_.module_.buffer.chains, ebm.net_.module_.buffer.chains)
    assert_reproducible(restored.score_samples(X[:5]), ebm.score_samples(X[:5]))
    assert_reproducible(restored.sample(3, random_state=0), ebm.sample(3, random_state=0))
    restored.partial_fit(X)  # continues the same chains
    assert restored.n_iter_ == ebm.n_iter_ + 1


def test_verbose_progress_bar(capsys):
    _small(verbose=1, max_iter=2).fit(_gaussian_data(200))
    err = capsys.readouterr().err
    assert "EBM" in err and "2/2" in err and "train_loss" in err


def test_early_stopping_monitors_the_held_out_log_likelihood():
    X = _gaussian_data(300)
    ebm = _small(early_stopping=True, max_iter=30, n_iter_no_change=2, tol=10.0).fit(X)
    assert ebm.n_iter_ == 3  # no epoch improves by 10 nats: stops after n_iter_no_change more epochs
    assert all(np.isfinite(row["valid_loss"]) and np.isfinite(row["valid_log_z"]) for row in ebm.history_)


def test_user_energy_class_and_transform_needs_features():
    class NoFeatures(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.ones(2, dtype=torch.float64))

        def forward(self, x):
            return 0.5 * ((x * self.scale) ** 2).sum(dim=1)

    X = np.random.RandomState(0).normal(size=(100, 2))
    ebm = _small(energy=NoFeatures).fit(X)
    assert np.isfinite(ebm.score_samples(X)).all()
    with pytest.raises(AttributeError, match="features"):
        ebm.transform(X)


@pytest.mark.parametrize(
    "params, X, message",
    [
        ({}, np.array([[0.0, np.nan], [1.0, 2.0]]), "NaN"),
        ({}, np.array([[0.0, np.inf], [1.0, 2.0]]), "infinity"),
        ({"image_shape": (1, 3, 3)}, np.zeros((10, 4)), "image_shape"),
        ({"step_size": 0.0}, np.zeros((10, 2)), "step_size"),
        ({"reinit_fraction": 1.5}, np.zeros((10, 2)), "reinit_fraction"),
        ({"learning_rate_schedule": "linear"}, np.zeros((10, 2)), "learning_rate_schedule"),
    ],
)
def test_bad_input_gets_a_clear_error(params, X, message):
    with pytest.raises(ValueError, match=message):
        _small(**params).fit(X)


def test_bad_calls_after_fit():
    X = _gaussian_data(100)
    with pytest.raises(NotFittedError):
        _small().sample(2)
    ebm = _small().fit(X)
    with pytest.raises(ValueError, match="2 features"):
        ebm.score_samples(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="n_samples"):
        ebm.sample(-1)
    with pytest.raises(ValueError, match="n_steps"):
        ebm.sample(2, n_steps=-3)
    with pytest.raises(ValueError, match="one value per row"):
        _small(energy=nn.Linear(2, 2, dtype=torch.float64)).fit(X)


def test_absurd_rows_score_minus_infinity_not_nan():
    X = _gaussian_data(100)
    ebm = _small().fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scores = ebm.score_samples(np.array([[1e300, -1e300], [10.0, -5.0]]))
    assert not np.isnan(scores).any() and np.isfinite(scores[1])


def test_images_use_the_convolutional_energy():
    from sklearn.datasets import load_digits

    X = load_digits().data[:120] / 16
    ebm = _small(image_shape=(1, 8, 8), max_iter=1, n_ais_chains=8, n_ais_betas=20).fit(X)
    assert type(ebm.net_.module_.energy).__name__ == "ConvEnergy"
    assert ebm.sample(2).shape == (2, 64) and ebm.sample(2).dtype == np.float64
    assert ebm._scaling.shift[0] == pytest.approx(0.5)  # "auto" is "minmax" for images
    assert np.isfinite(ebm.score_samples(X[:3])).all()
