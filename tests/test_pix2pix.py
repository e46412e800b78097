"""Pix2Pix: the objectives against hand-computed values, the U-Nets' noise, and regressor behaviour."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import is_regressor
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from conftest import DEVICE, assert_reproducible
from skgen import DivergenceError, Pix2Pix
from skgen.base import RowSource
from skgen.gan._pix2pix import PatchDiscriminator, Pix2PixNet
from skgen.nn import MLPUNet, UNet
from skgen.nn._unet import noise_dropout


def softplus(x):
    return np.log1p(np.exp(x))


@pytest.fixture(scope="module")
def linear_pairs():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    Y = X @ rng.normal(size=(4, 3)) + 0.05 * rng.normal(size=(300, 3))
    return X, Y


@pytest.fixture(scope="module")
def digit_halves():
    images = load_digits().data[:200] / 16
    return np.where(np.arange(64) < 32, images, 0.0), images


def _small(**params):
    defaults = dict(hidden_layer_sizes=(16, 8), max_iter=2, random_state=0, device=DEVICE)
    return Pix2Pix(**{**defaults, **params})


# -------------------------------------------------------------- the networks
def test_noise_dropout_by_hand():
    h = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    u = torch.tensor([[0.1, 0.6, 0.5, 0.9]])
    np.testing.assert_allclose(noise_dropout(h, u, 0.5).numpy(), [[0.0, 4.0, 6.0, 8.0]])
    assert noise_dropout(h, None, 0.5) is h and noise_dropout(h, u, 0.0) is h


def test_mlp_unet_skips_and_noise():
    torch.manual_seed(0)
    unet = MLPUNet(5, (16, 8, 4), 3, dropout=0.5)
    # the decoder mirrors the encoder, each layer after the first seeing the encoder layer of its width
    assert [layer[0].in_features for layer in unet.decoder] == [4, 16]
    assert unet.output.in_features == 32
    assert unet.noise_size == 8 + 16  # dropout after both decoder layers
    x = torch.randn(6, 5)
    assert unet(x).shape == (6, 3)
    # u >= p everywhere keeps every unit (scaled by 2); u < p drops them all
    kept, dropped = unet(x, torch.ones(6, 24)), unet(x, torch.zeros(6, 24))
    assert not torch.allclose(kept, unet(x)) and not torch.allclose(kept, dropped)
    # a one-layer U-Net has no decoder layer, hence no noise
    assert MLPUNet(5, (8,), 2).noise_size == 0


def test_conv_unet_and_patch_discriminator_shapes():
    unet = UNet((1, 8, 8), (2, 8, 8), output_activation=nn.Tanh())
    assert unet.noise_size == 64 * 2 * 2 + 32 * 4 * 4  # dropout after the two decoder layers
    out = unet(torch.zeros(3, 64), torch.rand(3, unet.noise_size))
    assert out.shape == (3, 128) and out.abs().max() <= 1
    assert UNet((3, 7, 5), (1, 7, 5))(torch.zeros(2, 105)).shape == (2, 35)
    with pytest.raises(ValueError, match="same size"):
        UNet((1, 8, 8), (1, 4, 4))
    patches = PatchDiscriminator((2, 8, 8), (1, 8, 8))(torch.zeros(3, 128), torch.zeros(3, 64))
    assert patches.shape == (3, 4)  # 8x8 -> 4x4 -> 2x2 patches


# -------------------------------------------------------------- objectives
class ScalingGenerator(nn.Module):
    """G(x) = 2 x, no noise."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.full((1,), 2.0, dtype=torch.float64))

    def forward(self, x, noise=None):
        return self.w * x


class DifferenceDiscriminator(nn.Module):
    """D(y, x) = one logit per row: sum(y - x)."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(1, dtype=torch.float64))

    def forward(self, y, x):
        return self.w * (y - x).sum(dim=1)


def _tiny_net(**params):
    net = Pix2PixNet(
        ScalingGenerator(),
        discriminator=DifferenceDiscriminator(),
        generator_optimizer=(torch.optim.SGD, {"lr": 0.0}),
        discriminator_optimizer=(torch.optim.SGD, {"lr": 0.0}),
        n_components=0,
        n_classes=2,
        device=DEVICE,
        **params,
    ).initialize()
    net.generator = torch.Generator(device=DEVICE).manual_seed(0)
    return net


def test_objectives_on_fixed_networks():
    x = np.array([[1.0, -1.0], [0.5, 2.0]])
    y = np.array([[1.5, -2.0], [2.0, 3.0]])
    rows = torch.as_tensor(np.hstack([y, x]), device=DEVICE)
    fake = 2 * x
    d_real, d_fake = (y - x).sum(1), (fake - x).sum(1)
    l1 = np.abs(fake - y).mean()
    net = _tiny_net(l1_weight=10.0, adversarial_weight=0.5)
    net.on_train_begin(net, X=RowSource(rows, device=DEVICE, dtype=torch.float64))
    real, condition = net._split(rows)
    d_loss, gap = net._discriminator_step(real, condition)
    expected_d = 0.5 * (np.mean(softplus(-d_real)) + np.mean(softplus(d_fake)))  # halved, as in the paper
    assert float(d_loss) == pytest.approx(expected_d)
    assert float(gap) == pytest.approx(d_real.mean() - d_fake.mean())
    g_loss = net._generator_step(real, condition)
    assert float(g_loss) == pytest.approx(0.5 * np.mean(softplus(-d_fake)) + 10.0 * l1)
    # L1 alone: the discriminator has nothing to learn, the generator's loss is the L1 term
    alone = _tiny_net(l1_weight=10.0, adversarial_weight=0.0)
    alone.on_train_begin(alone, X=RowSource(rows, device=DEVICE, dtype=torch.float64))
    assert float(alone._discriminator_step(real, condition)[0]) == 0.0
    assert float(alone._generator_step(real, condition)) == pytest.approx(10.0 * l1)
    # the validation loss is the held-out mean absolute error of the deterministic translation
    assert float(net.validation_step(type("Chunk", (), {"X": rows})())["loss"]) == pytest.approx(l1)


# ---------------------------------------------------------------- behaviour
def test_learns_a_linear_map(linear_pairs):
    X, Y = linear_pairs
    model = _small(hidden_layer_sizes=(64, 32), max_iter=40, learning_rate=1e-3, batch_size=32).fit(X[:200], Y[:200])
    assert model.score(X[200:], Y[200:]) > 0.9
    assert model.history_[-1]["l1_loss"] < model.history_[0]["l1_loss"]
    assert model.history_[-1]["train_loss"] == pytest.approx(model.history_[-1]["generator_loss"])


def test_predict_is_deterministic_and_sample_draws_translations(linear_pairs):
    X, Y = linear_pairs
    model = _small().fit(X, Y)
    prediction = model.predict(X[:10])
    assert prediction.shape == (10, 3) and prediction.dtype == np.float64
    np.testing.assert_allclose(model.predict(X[:10][::-1])[::-1], prediction, rtol=1e-6, atol=1e-9)  # row by row
    draws = model.sample(X[:10], n_draws=4, random_state=0)
    assert draws.shape == (10, 3, 4)  # as GaussianProcessRegressor.sample_y: draws last
    assert not np.allclose(draws[..., 0], draws[..., 1])  # dropout noise
    assert_reproducible(model.sample(X[:10], n_draws=4, random_state=0), draws)
    assert not np.allclose(model.sample(X[:10]), model.sample(X[:10]))  # the stream moves on
    no_dropout = _small(dropout=0.0).fit(X, Y)
    np.testing.assert_allclose(no_dropout.sample(X[:5], 2)[..., 1], no_dropout.predict(X[:5]), rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="n_draws"):
        model.sample(X[:2], n_draws=0)


def test_single_output_and_dtypes(linear_pairs):
    X, Y = linear_pairs
    model = _small().fit(X, Y[:, 0])
    assert model.n_outputs_ == 1
    assert model.predict(X[:4]).shape == (4,) and model.sample(X[:4], 3).shape == (4, 3)
    model32 = _small().fit(X.astype(np.float32), Y.astype(np.float32))
    assert model32.predict(X[:3].astype(np.float32)).dtype == np.float32
    assert is_regressor(model) and model.__sklearn_tags__().target_tags.multi_output


def test_digit_images(digit_halves):
    upper, images = digit_halves
    model = _small(image_shape=(1, 8, 8), max_iter=1).fit(upper, images)
    assert model.net_.generator_.__class__.__name__ == "UNet"
    assert model.net_.discriminator_.__class__.__name__ == "PatchDiscriminator"
    out = model.predict(upper[:3])
    assert out.shape == (3, 64) and out.min() >= -1e-6 and out.max() <= 1 + 1e-6  # tanh, mapped back
    assert model.sample(upper[:2], 2).shape == (2, 64, 2)
    two_channels = _small(image_shape=(1, 8, 8), output_shape=(2, 8, 8), max_iter=1).fit(upper, np.hstack([images, images]))
    assert two_channels.predict(upper[:2]).shape == (2, 128)


def test_shape_errors(digit_halves, linear_pairs):
    upper, images = digit_halves
    with pytest.raises(ValueError, match="image_shape=\\(1, 4, 4\\) has 16 values"):
        _small(image_shape=(1, 4, 4)).fit(upper, images)
    with pytest.raises(ValueError, match="output_shape=\\(1, 4, 16\\) has 64 values per image, but Y has 32"):
        _small(image_shape=(1, 8, 8), output_shape=(1, 4, 16)).fit(upper, images[:, :32])
    with pytest.raises(ValueError, match="same height and width"):
        _small(image_shape=(1, 8, 8), output_shape=(1, 4, 16)).fit(upper, images)
    with pytest.raises(ValueError, match="output_shape needs image_shape"):
        _small(output_shape=(1, 8, 8)).fit(upper, images)
    X, Y = linear_pairs
    with pytest.raises(ValueError, match="requires y to be passed"):
        _small().fit(X, None)
    with pytest.raises(ValueError, match="NaN"):
        _small().fit(np.where(X > 2, np.nan, X), Y)
    model = _small().fit(X, Y)
    with pytest.raises(ValueError, match="Y has 2 columns"):
        model.partial_fit(X, Y[:, :2])


def test_partial_fit_continues_and_early_stopping_watches_held_out_l1(linear_pairs):
    X, Y = linear_pairs
    model = _small(max_iter=1).fit(X, Y).partial_fit(X, Y)
    assert model.n_iter_ == 2 and [row["epoch"] for row in model.history_] == [1, 2]
    stopped = _small(max_iter=30, early_stopping=True, n_iter_no_change=2, tol=10.0).fit(X, Y)
    assert stopped.n_iter_ == 3 and "valid_loss" in stopped.history_[-1]


def test_huge_learning_rate_with_l1_alone_diverges(linear_pairs):
    X, Y = linear_pairs
    with pytest.raises(DivergenceError, match="learning_rate"):
        _small(adversarial_weight=0.0, learning_rate=1e6, max_iter=20).fit(X, Y)


def test_pipeline_grid_search_and_pickle(linear_pairs):
    X, Y = linear_pairs
    pipe = Pipeline([("scale", StandardScaler()), ("pix2pix", _small(max_iter=1))]).fit(X, Y)
    assert pipe.predict(X[:3]).shape == (3, 3)
    search = GridSearchCV(_small(max_iter=1), {"adversarial_weight": [0.0, 1.0]}, cv=2).fit(X, Y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    model = _small().fit(X, Y)
    restored = pickle.loads(pickle.dumps(model))
    assert_reproducible(restored.predict(X[:5]), model.predict(X[:5]))
    assert_reproducible(restored.sample(X[:3], 2, random_state=3), model.sample(X[:3], 2, random_state=3))
