"""EBGAN: margin loss and pulling-away term against hand-computed values, and scikit-learn behaviour."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from conftest import DEVICE, assert_reproducible
from skgen import EBGAN
from skgen.base import RowSource
from skgen.datasets import make_gaussian_mixture
from skgen.gan._ebgan import EBGANNet, margin_loss, pulling_away_term


@pytest.fixture(scope="module")
def ring():
    return make_gaussian_mixture("ring", 400, random_state=0)[0]


def _small(**params):
    defaults = dict(n_components=2, hidden_layer_sizes=(16,), code_size=4, max_iter=2, random_state=0, device=DEVICE)
    return EBGAN(**{**defaults, **params})


# ----------------------------------------------------------------- losses
def test_margin_loss_by_hand():
    real = torch.tensor([0.1, 0.3])
    fake = torch.tensor([0.5, 2.5, 1.0])
    # E D(x) + E max(0, m - D(G(z))) with m = 2: (0.2) + (1.5 + 0 + 1.0) / 3
    assert float(margin_loss(real, fake, 2.0)) == pytest.approx(0.2 + 2.5 / 3)
    assert float(margin_loss(real, fake, 0.1)) == pytest.approx(0.2)  # every fake above the margin


def test_pulling_away_term_by_hand():
    codes = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, -2.0]], dtype=torch.float64)
    # cosines: (0, 1) 1/sqrt(2), (0, 2) 0, (1, 2) -1/sqrt(2); squared: 1/2, 0, 1/2; each pair twice
    expected = 2 * (0.5 + 0.0 + 0.5) / (3 * 2)
    assert float(pulling_away_term(codes)) == pytest.approx(expected)
    # orthogonal codes: 0; identical directions: 1
    assert float(pulling_away_term(torch.eye(3))) == pytest.approx(0.0)
    assert float(pulling_away_term(torch.tensor([[1.0, 2.0], [2.0, 4.0], [0.5, 1.0]]))) == pytest.approx(1.0)
    assert float(pulling_away_term(torch.ones(1, 3))) == 0.0


class ConstantGenerator(nn.Module):
    """Ignores z and returns fixed rows."""

    def __init__(self, rows):
        super().__init__()
        self.rows = nn.Parameter(torch.as_tensor(rows, dtype=torch.float64))

    def forward(self, z, y_onehot=None):
        return self.rows[: z.shape[0]]


class HalvingAutoencoder(nn.Module):
    """Codes = x, reconstruction = x / 2: energy = mean((x / 2 - x)^2) = mean(x^2) / 4."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(1, dtype=torch.float64))

    def features(self, x, y_onehot=None):
        return self.w * x

    def forward(self, x, y_onehot=None):
        return ((0.5 * self.features(x) - x) ** 2).mean(dim=1)


def test_objectives_on_fixed_networks():
    fake_rows = [[2.0, 0.0], [1.0, 1.0], [0.0, -4.0]]
    net = EBGANNet(
        ConstantGenerator(fake_rows),
        discriminator=HalvingAutoencoder(),
        generator_optimizer=(torch.optim.SGD, {"lr": 0.0}),
        discriminator_optimizer=(torch.optim.SGD, {"lr": 0.0}),
        n_components=1,
        margin=1.5,
        pt_weight=0.25,
        device=DEVICE,
    ).initialize()
    net.generator = torch.Generator(device=DEVICE).manual_seed(0)
    real = torch.tensor([[1.0, 0.0], [0.0, 2.0], [2.0, 2.0]], dtype=torch.float64, device=DEVICE)
    net.on_train_begin(net, X=RowSource(real, device=DEVICE, dtype=torch.float64))
    real_energy = (real.cpu().numpy() ** 2).mean(axis=1) / 4  # 0.125, 0.5, 1.0
    fake_energy = (np.array(fake_rows) ** 2).mean(axis=1) / 4  # 0.5, 0.25, 2.0
    d_loss, gap = net._discriminator_step(real, None)
    assert float(d_loss) == pytest.approx(real_energy.mean() + np.maximum(0, 1.5 - fake_energy).mean())
    assert float(gap) == pytest.approx(fake_energy.mean() - real_energy.mean())
    # generator: mean fake energy + 0.25 * f_PT of the codes (= the rows)
    codes = np.array(fake_rows)
    unit = codes / np.linalg.norm(codes, axis=1, keepdims=True)
    cosines = unit @ unit.T
    pt = ((cosines**2).sum() - 3) / 6
    assert float(net._generator_step(real, None)) == pytest.approx(fake_energy.mean() + 0.25 * pt)
    net.pt_weight = 0.0
    assert float(net._generator_step(real, None)) == pytest.approx(fake_energy.mean())


# ---------------------------------------------------------------- behaviour
def test_score_samples_is_minus_the_reconstruction_energy_and_transform_the_codes(ring):
    ebgan = _small().fit(ring)
    autoencoder = ebgan.net_.discriminator_
    rows = torch.as_tensor((ring[:6] - ring.mean(0)) / ring.std(0), device=DEVICE)
    with torch.no_grad():
        codes = autoencoder.encoder(rows)
        energy = ((autoencoder.decoder(codes) - rows) ** 2).mean(dim=1)
    np.testing.assert_allclose(ebgan.score_samples(ring[:6]), -energy.cpu().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ebgan.transform(ring[:6]), codes.cpu().numpy(), rtol=1e-6)
    assert ebgan.transform(ring[:6]).shape == (6, 4)
    assert list(ebgan.get_feature_names_out()) == [f"ebgan{i}" for i in range(4)]
    assert np.all(ebgan.score_samples(ring) <= 0)
    assert all({"discriminator_loss", "generator_loss", "wasserstein_estimate"} <= set(row) for row in ebgan.history_)


def test_training_lowers_the_energy_of_real_rows(ring):
    ebgan = _small(max_iter=15, learning_rate=1e-3).fit(ring)
    far = ring * 5 + 7
    assert np.median(ebgan.score_samples(ring)) > np.median(ebgan.score_samples(far))
    assert np.all(np.isfinite(ebgan.sample(50)))


@pytest.mark.parametrize("params", [dict(pack=3), dict(pt_weight=0.0), dict(n_critic=2), dict(scale="mode-specific")])
def test_variants_train(ring, params):
    ebgan = _small(**params).fit(ring)
    assert ebgan.n_iter_ == 2 and np.all(np.isfinite(ebgan.sample(10)))
    np.testing.assert_allclose(ebgan.score_samples(ring[:5])[:2], ebgan.score_samples(ring[:2]), rtol=1e-6)


def test_image_networks():
    X = load_digits().data[:200] / 16
    ebgan = _small(image_shape=(1, 8, 8), max_iter=1).fit(X)
    assert ebgan.net_.discriminator_.__class__.__name__ == "ConvAutoencoder"
    images = ebgan.sample(3)
    assert images.shape == (3, 64) and images.min() >= -1e-6 and images.max() <= 1 + 1e-6
    assert ebgan.transform(X[:2]).shape == (2, 4)


def test_bad_input(ring):
    with pytest.raises(ValueError, match="margin"):
        _small(margin=0.0).fit(ring)
    with pytest.raises(ValueError, match="pt_weight"):
        _small(pt_weight=-1.0).fit(ring)
    with pytest.raises(ValueError, match="image_shape"):
        _small(image_shape=(1, 3, 3)).fit(ring)
    ebgan = _small().fit(ring)
    with pytest.raises(ValueError, match="2 features"):
        ebgan.score_samples(np.zeros((2, 3)))


def test_pipeline_grid_search_and_pickle(ring):
    pipe = Pipeline([("scale", StandardScaler()), ("ebgan", _small(max_iter=1))]).fit(ring)
    assert pipe.transform(ring[:3]).shape == (3, 4)
    search = GridSearchCV(_small(max_iter=1), {"margin": [0.5, 2.0]}, cv=2).fit(ring)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    a, b = _small().fit(ring), _small().fit(ring)
    assert_reproducible(a.sample(4, random_state=1), b.sample(4, random_state=1))
    restored = pickle.loads(pickle.dumps(a))
    assert_reproducible(restored.score_samples(ring[:4]), a.score_samples(ring[:4]))
    assert_reproducible(restored.sample(3), a.sample(3))
