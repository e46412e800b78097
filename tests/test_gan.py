"""GAN, WGAN and CGAN: losses against hand-computed values, and scikit-learn behaviour."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, load_wine
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler
from skorch.callbacks import Callback
from torch import nn

from conftest import DEVICE, assert_reproducible
from skgen import CGAN, GAN, WGAN
from skgen.base import RowSource
from skgen.datasets import make_gaussian_mixture
from skgen.gan._module import critic_loss, discriminator_loss, generator_loss, gradient_penalty
from skgen.gan._net import AdversarialNet
from skgen.gan._scaling import ModeSpecificScaling, mode_specific_activation


def softplus(x):
    return np.log1p(np.exp(x))


@pytest.fixture(scope="module")
def ring():
    X, centers, std = make_gaussian_mixture("ring", 600, random_state=0)
    return X, centers, std


def _small(cls=GAN, **params):
    defaults = dict(n_components=2, hidden_layer_sizes=(16,), max_iter=3, random_state=0, device=DEVICE)
    return cls(**{**defaults, **params})


# ----------------------------------------------------------------- losses
def test_discriminator_and_generator_losses_by_hand():
    real, fake = torch.tensor([0.0, 2.0]), torch.tensor([-1.0, 0.5])
    expected_d = np.mean([np.log(2), softplus(-2.0)]) + np.mean([softplus(-1.0), softplus(0.5)])
    assert float(discriminator_loss(real, fake)) == pytest.approx(expected_d)
    # one-sided smoothing: real target 0.9, fake target still 0
    sig = 1 / (1 + np.exp(-np.array([0.0, 2.0])))
    smoothed_real = -np.mean(0.9 * np.log(sig) + 0.1 * np.log(1 - sig))
    expected_smoothed = smoothed_real + np.mean([softplus(-1.0), softplus(0.5)])
    assert float(discriminator_loss(real, fake, label_smoothing=0.1)) == pytest.approx(expected_smoothed)
    # non-saturating: -log d(g(z)); minimax: log(1 - d(g(z)))
    assert float(generator_loss(fake, "non-saturating")) == pytest.approx(np.mean(softplus(-np.array([-1.0, 0.5]))))
    d_fake = 1 / (1 + np.exp(-np.array([-1.0, 0.5])))
    assert float(generator_loss(fake, "minimax")) == pytest.approx(np.mean(np.log(1 - d_fake)))
    assert float(critic_loss(real, fake)) == pytest.approx(np.mean([-1.0, 0.5]) - np.mean([0.0, 2.0]))


class ConstantGenerator(nn.Module):
    """Ignores z and returns fixed rows: makes the adversarial step computable by hand."""

    def __init__(self, rows):
        super().__init__()
        self.rows = nn.Parameter(torch.as_tensor(rows, dtype=torch.float64))

    def forward(self, z, y_onehot=None):
        return self.rows[: z.shape[0]]


class IdentityDiscriminator(nn.Module):
    """logit(x) = w * x with w = 1."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(1, dtype=torch.float64))

    def features(self, x, y_onehot=None):
        return x

    def forward(self, x, y_onehot=None):
        return (x * self.w).squeeze(1)


def _tiny_net(objective, **params):
    net = AdversarialNet(
        ConstantGenerator([[-1.0], [0.5]]),
        discriminator=IdentityDiscriminator(),
        generator_optimizer=(torch.optim.SGD, {"lr": 0.0}),
        discriminator_optimizer=(torch.optim.SGD, {"lr": 0.0}),
        objective=objective,
        n_components=1,
        device=DEVICE,
        **params,
    ).initialize()
    net.generator = torch.Generator(device=DEVICE).manual_seed(0)
    rows = RowSource(torch.tensor([[0.0], [2.0]], dtype=torch.float64), device=DEVICE, dtype=torch.float64)
    net.on_train_begin(net, X=rows)
    return net


def test_network_steps_compute_the_objectives_on_fixed_networks():
    real = torch.tensor([[0.0], [2.0]], dtype=torch.float64, device=DEVICE)
    gan = _tiny_net("gan")
    d_loss, estimate = gan._discriminator_step(real, None)
    assert float(d_loss) == pytest.approx(np.mean([np.log(2), softplus(-2.0)]) + np.mean([softplus(-1.0), softplus(0.5)]))
    assert float(estimate) == pytest.approx(1.0 - (-0.25))
    assert float(gan._generator_step(real, None)) == pytest.approx(np.mean(softplus(-np.array([-1.0, 0.5]))))
    wgan = _tiny_net("wasserstein", penalty="clip")
    critic, _ = wgan._discriminator_step(real, None)
    assert float(critic) == pytest.approx(-0.25 - 1.0)
    # the critic step clipped w from 1 to clip_value=0.01, so -E f(g(z)) = -0.01 * mean(fake)
    assert float(wgan.discriminator_.w.detach()) == 0.01
    assert float(wgan._generator_step(real, None)) == pytest.approx(0.0025)


def test_gradient_penalty_matches_its_definition():
    c = torch.tensor([0.5, -2.0], dtype=torch.float64)

    def critic(x, y_onehot=None):  # f(x) = sum_i c_i x_i^2, so grad f = 2 c x
        return (c * x**2).sum(dim=1)

    real = torch.tensor([[1.0, 0.0], [0.5, 1.0], [-1.0, 2.0]], dtype=torch.float64)
    fake = torch.tensor([[0.0, 1.0], [2.0, -1.0], [0.0, 0.0]], dtype=torch.float64)
    penalty = gradient_penalty(critic, real, fake, torch.Generator().manual_seed(3))
    u = torch.rand(3, 1, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    x_hat = u * real + (1 - u) * fake
    expected = (((2 * c * x_hat).norm(dim=1) - 1) ** 2).mean()
    assert float(penalty.detach()) == pytest.approx(float(expected.detach()))


def test_weight_clipping_bounds_every_critic_weight(ring):
    X, _, _ = ring
    wgan = _small(WGAN, penalty="clip", clip_value=0.01, learning_rate=5e-3).fit(X)
    for p in wgan.net_.discriminator_.parameters():
        assert float(p.detach().abs().max()) <= 0.01 + 1e-12


def test_wgan_records_the_wasserstein_estimate(ring):
    X, _, _ = ring
    wgan = _small(WGAN).fit(X)
    assert all({"wasserstein_estimate", "generator_loss", "discriminator_loss"} <= set(row) for row in wgan.history_)


# ---------------------------------------------------------------- CGAN
@pytest.fixture(scope="module")
def two_clusters():
    rng = np.random.RandomState(0)
    y = np.repeat(["left", "right"], [300, 100])
    X = np.where((y == "left")[:, None], -3.0, 3.0) + 0.3 * rng.standard_normal((400, 2))
    return X, y


def test_cgan_conditioning(two_clusters):
    X, y = two_clusters
    cgan = _small(CGAN, max_iter=60, learning_rate=2e-3, batch_size=32).fit(X, y)
    assert list(cgan.classes_) == ["left", "right"]
    np.testing.assert_allclose(cgan.class_prior_, [0.75, 0.25])
    left, labels = cgan.sample(200, y="left")
    assert set(labels) == {"left"}
    assert np.all(np.abs(left.mean(0) + 3) < 1.0)
    right, _ = cgan.sample(200, y="right")
    assert np.all(np.abs(right.mean(0) - 3) < 1.0)
    _, drawn = cgan.sample(2000, random_state=0)
    assert 0.7 < np.mean(drawn == "left") < 0.8
    mixed, given = cgan.sample(3, y=["right", "left", "right"])
    assert list(given) == ["right", "left", "right"]
    assert cgan.generate(np.zeros((4, 2))).shape == (4, 2)
    assert cgan.score_samples(X[:5]).shape == (5,) and cgan.score_samples(X[:5], y[:5]).shape == (5,)
    assert cgan.transform(X[:5]).shape == cgan.transform(X[:5], y[:5]).shape
    assert np.isfinite(cgan.score(X)) and np.isfinite(cgan.score(X, y))


def test_cgan_label_errors(two_clusters):
    X, y = two_clusters
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        _small(CGAN).fit(X)
    cgan = _small(CGAN).fit(X, y)
    with pytest.raises(ValueError, match="'up'"):
        cgan.sample(2, y="up")
    with pytest.raises(ValueError, match="3 labels"):
        cgan.sample(3, y=["left", "right"])
    with pytest.raises(ValueError, match="'down'"):
        cgan.partial_fit(X[:2], ["left", "down"])
    assert cgan.__sklearn_tags__().target_tags.required
    one_class = _small(CGAN).fit(X, np.zeros(len(X), dtype=int))
    assert one_class.sample(2)[1].tolist() == [0, 0]


def test_cgan_partial_fit_over_class_sorted_chunks():
    X, y = load_wine(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    chunks = [(X[y == k], y[y == k]) for k in np.unique(y)]  # each chunk holds one class
    cgan = _small(CGAN)
    for X_chunk, y_chunk in chunks:
        cgan.partial_fit(X_chunk, y_chunk, classes=[0, 1, 2])
    np.testing.assert_array_equal(cgan.classes_, [0, 1, 2])
    np.testing.assert_allclose(cgan.class_prior_, np.bincount(y) / len(y))
    assert cgan.n_iter_ == 3 and set(cgan.sample(30, random_state=0)[1]) == {0, 1, 2}
    # without classes= the first chunk fixes them, and a later label gets a message that says what to do
    first_only = _small(CGAN).partial_fit(*chunks[0])
    with pytest.raises(ValueError, match="classes="):
        first_only.partial_fit(*chunks[1])
    with pytest.raises(ValueError, match="differs from the classes"):
        cgan.partial_fit(*chunks[0], classes=[0, 1])


def test_cgan_grid_search_on_class_sorted_rows():
    X, y = load_wine(return_X_y=True)  # rows sorted by class: KFold's training folds lack a class
    X = (X - X.mean(0)) / X.std(0)
    grid = {"learning_rate": [1e-4, 1e-3]}
    search = GridSearchCV(_small(CGAN, max_iter=1), grid, cv=StratifiedKFold(3)).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    with pytest.raises(ValueError, match=r"StratifiedKFold"):
        GridSearchCV(_small(CGAN, max_iter=1), grid, cv=3, error_score="raise").fit(X, y)


def test_cgan_sample_zero_and_labels_of_a_dataframe():
    pd = pytest.importorskip("pandas")
    X, y = load_wine(return_X_y=True, as_frame=True)
    cgan = _small(CGAN).fit(X, y)
    assert list(cgan.feature_names_in_) == list(X.columns)
    X0, y0 = cgan.sample(0)
    assert X0.shape == (0, X.shape[1]) and y0.shape == (0,)
    drawn, labels = cgan.set_output(transform="pandas").sample(5, y=1)
    assert isinstance(drawn, pd.DataFrame) and list(drawn.columns) == list(X.columns)
    assert list(labels) == [1] * 5


def test_cgan_on_digit_images_uses_convolutions():
    X, y = load_digits(return_X_y=True)
    cgan = _small(CGAN, image_shape=(1, 8, 8), max_iter=1).fit(X[:200] / 16, y[:200])
    images, labels = cgan.sample(4, y=3)
    assert images.shape == (4, 64) and images.min() >= 0 - 1e-6 and images.max() <= 1 + 1e-6
    assert cgan.net_.generator_.__class__.__name__ == "ConvGenerator"


# ------------------------------------------------------------ behaviour
def test_generator_samples_in_eval_mode():
    X = load_digits().data[:200] / 16
    gan = _small(image_shape=(1, 8, 8), max_iter=1).fit(X)
    Z = np.random.RandomState(0).standard_normal((6, 2))
    np.testing.assert_allclose(gan.generate(Z)[:2], gan.generate(Z[:2]), rtol=1e-6, atol=1e-7)
    assert not gan.net_.generator_.training


def test_score_is_deterministic_and_does_not_advance_sampling(ring):
    X, _, _ = ring
    a, b = _small().fit(X), _small().fit(X)
    assert a.score(X) == a.score(X)
    assert_reproducible(a.sample(4), b.sample(4))  # score() did not touch the stream
    assert a.score(X) <= 0.01  # minus an MMD^2


def test_grid_search_and_pipeline(ring):
    X, _, _ = ring
    search = GridSearchCV(_small(WGAN, max_iter=1), {"learning_rate": [1e-4, 3e-4]}, cv=2).fit(X)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    pipe = Pipeline([("scale", MinMaxScaler()), ("gan", _small())]).fit(X)
    assert pipe.transform(X[:3]).shape == (3, 16)


def test_reproducible_and_picklable(ring):
    X, _, _ = ring
    a, b = _small(pack=2).fit(X), _small(pack=2).fit(X)
    assert_reproducible(a.sample(5, random_state=1), b.sample(5, random_state=1))
    assert_reproducible(a.score_samples(X[:4]), b.score_samples(X[:4]))
    restored = pickle.loads(pickle.dumps(a))
    assert_reproducible(restored.transform(X[:4]), a.transform(X[:4]))
    assert_reproducible(restored.sample(3), a.sample(3))


@pytest.mark.parametrize(
    "params", [dict(loss="minimax"), dict(label_smoothing=0.1), dict(feature_matching=True),
               dict(minibatch_discrimination=True), dict(historical_averaging=0.01), dict(pack=3, n_critic=2)]
)
def test_stabilisers_train(ring, params):
    X, _, _ = ring
    gan = _small(**params).fit(X)
    assert gan.n_iter_ == 3 and np.all(np.isfinite(gan.sample(10)))
    # scores of a row do not depend on the other rows scored with it
    np.testing.assert_allclose(gan.score_samples(X[:5])[:2], gan.score_samples(X[:2]), rtol=1e-5, atol=1e-6)


def test_bad_input(ring):
    X, _, _ = ring
    with pytest.raises(ValueError, match="NaN"):
        _small().fit(np.where(X > 1.5, np.nan, X))
    gan = _small().fit(X)
    with pytest.raises(ValueError, match="2 features"):
        gan.transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="n_components=2"):
        gan.generate(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="image_shape"):
        _small(image_shape=(1, 3, 3)).fit(X)
    with pytest.raises(ValueError, match="loss"):
        _small(loss="hinge").fit(X)


def test_progress_bar_shows_both_losses(ring, capsys):
    X, _, _ = ring
    _small(verbose=1).fit(X)
    err = capsys.readouterr().err
    assert "generator_loss" in err and "discriminator_loss" in err


# ------------------------------------------------------- mode-specific scaling
def test_mode_specific_scaling_finds_the_modes_and_round_trips():
    rng = np.random.RandomState(0)
    true_means = np.array([-3.0, 0.0, 5.0])
    X = np.column_stack([rng.choice(true_means, 3000) + rng.normal(0, 0.1, 3000), np.full(3000, 7.0)])
    scaling = ModeSpecificScaling(X, random_state=0)
    assert scaling.modes_per_feature == [3, 1]  # the constant feature has one mode
    np.testing.assert_allclose(np.sort(scaling.means[0]), true_means, atol=0.02)
    rows = scaling.transform(X)
    assert rows.shape == (3000, scaling.n_outputs) == (3000, 6)
    # every row: an offset in [-0.99, 0.99] and a one-hot mode indicator per feature
    assert np.all(np.abs(rows[:, [0, 4]]) <= 0.99)
    np.testing.assert_array_equal(rows[:, 1:4].sum(axis=1), 1.0)
    assert set(np.unique(rows[:, 1:4])) == {0.0, 1.0}
    np.testing.assert_allclose(scaling.inverse_transform(rows), X, atol=1e-10)


def test_mode_specific_activation_draws_modes_by_gumbel_softmax():
    torch.manual_seed(0)
    logits = torch.log(torch.tensor([0.2, 0.8]))
    raw = torch.cat([torch.full((20000, 1), 3.0), logits.expand(20000, 2)], dim=1)
    rows = mode_specific_activation(raw, [2], torch.Generator().manual_seed(0))
    np.testing.assert_allclose(rows[:, 0], np.tanh(3.0), rtol=1e-6)
    np.testing.assert_allclose(rows[:, 1:].sum(dim=1), 1.0, rtol=1e-6)
    # argmax of Gumbel-perturbed logits is a draw from softmax(logits)
    assert abs(float((rows[:, 2] > rows[:, 1]).float().mean()) - 0.8) < 0.01
    # without noise: the softmax of logits / tau, so the most probable mode wins
    deterministic = mode_specific_activation(raw[:3], [2], None)
    assert torch.all(deterministic[:, 2] > 0.99)


@pytest.mark.parametrize("cls", [GAN, WGAN, CGAN])
def test_mode_specific_estimators(ring, cls):
    X, centers, _ = ring
    y = (X[:, 0] > 0).astype(int)
    fit_args = (X, y) if cls is CGAN else (X,)
    a = _small(cls, scale="mode-specific").fit(*fit_args)
    b = _small(cls, scale="mode-specific").fit(*fit_args)
    sample = a.sample(50, random_state=1)
    sample = sample[0] if cls is CGAN else sample
    other = b.sample(50, random_state=1)
    assert_reproducible(sample, other[0] if cls is CGAN else other)
    # decoded rows lie within 4 mixture standard deviations of a mode of each feature
    for j in range(2):
        gap = np.abs(sample[:, j, None] - a._scaling.means[j]) / a._scaling.stds[j]
        assert np.all(gap.min(axis=1) <= 4 + 1e-6)
    Z = np.random.RandomState(0).normal(size=(4, 2))
    assert_reproducible(a.generate(Z), a.generate(Z))  # generate takes the most probable mode
    assert a.score(X) == a.score(X)
    assert a.transform(X[:3]).shape[0] == 3


def test_mode_specific_is_not_for_images():
    X = np.random.RandomState(0).uniform(size=(20, 4))
    with pytest.raises(ValueError, match="mode-specific"):
        _small(scale="mode-specific", image_shape=(1, 2, 2)).fit(X)


# ------------------------------------------------- defaults for small tables
def _documented_defaults(cls):
    """{parameter: default} as the class docstring states them ("name : type, default=value")."""
    import ast
    import re

    documented = {}
    for names, value in re.findall(r"^    ([\w, ]+) : .*?, default=(.+)$", cls.__doc__, flags=re.MULTILINE):
        for name in names.split(", "):
            documented[name] = ast.literal_eval(value.strip())
    return documented


@pytest.mark.parametrize("cls", [GAN, WGAN, CGAN])
def test_every_default_is_documented(cls):
    import inspect

    documented = _documented_defaults(cls)
    for name, parameter in inspect.signature(cls).parameters.items():
        assert name in documented, name
        assert documented[name] == parameter.default, name


@pytest.mark.parametrize(
    "cls, n_rows, epochs",
    # the figures the docstrings give: clip(ceil(steps * n_critic / batches per epoch), 20, 1000)
    [(GAN, 178, 667), (GAN, 398, 286), (CGAN, 1797, 69), (GAN, 60000, 20), (WGAN, 398, 286), (WGAN, 60000, 20)],
)
def test_auto_epochs_follow_the_data_size(cls, n_rows, epochs):
    assert cls().max_iter == "auto"
    X = np.zeros((n_rows, 3))
    assert cls()._epochs_to_run(X) == epochs
    assert f"{epochs} on {n_rows}" in " ".join(cls.__doc__.split())
    assert cls(max_iter=7)._epochs_to_run(X) == 7
    # early stopping trains on fewer rows: as many epochs or more
    assert cls(early_stopping=True)._epochs_to_run(X) >= epochs
    assert cls()._epochs_to_run(np.zeros((10, 3))) == 1000  # at most 1000 epochs


def test_auto_epochs_in_a_fit(ring):
    X, _, _ = ring  # 600 rows: 10 batches of 64 per epoch
    gan = _small(max_iter="auto")
    gan._auto_generator_steps = 300  # ceil(300 / 10) = 30 epochs
    gan.fit(X)
    assert gan.n_iter_ == 30 and len(gan.history_) == 30
    gan.partial_fit(X)
    assert gan.n_iter_ == 31
    with pytest.raises(ValueError, match="max_iter"):
        _small(max_iter="many").fit(X)


def test_default_learning_rates():
    def adam_lr(est):
        return est._objective_params()["generator_optimizer"][1]["lr"]

    assert adam_lr(GAN()) == adam_lr(CGAN()) == 3e-3
    assert adam_lr(GAN(image_shape=(1, 8, 8))) == adam_lr(CGAN(image_shape=(1, 8, 8))) == 2e-4
    assert adam_lr(WGAN()) == 1e-3 and adam_lr(WGAN(image_shape=(1, 8, 8))) == 1e-4
    assert adam_lr(WGAN(penalty="clip")) == 5e-5 and adam_lr(GAN(learning_rate=0.5)) == 0.5


def test_feature_matching_weight_adds_to_the_adversarial_loss():
    net = _tiny_net("gan")
    real = torch.tensor([[0.0], [2.0]], dtype=torch.float64, device=DEVICE)
    adversarial = np.mean(softplus(-np.array([-1.0, 0.5])))
    matching = (np.mean([0.0, 2.0]) - np.mean([-1.0, 0.5])) ** 2  # identity features
    for weight, expected in [(False, adversarial), (0.0, adversarial), (2.5, adversarial + 2.5 * matching), (True, matching)]:
        net.feature_matching = weight
        assert float(net._generator_step(real, None)) == pytest.approx(expected)


def test_feature_matching_per_class_for_conditional_models():
    from skgen.gan._module import feature_matching_loss

    real = torch.tensor([[0.0], [2.0], [4.0]], dtype=torch.float64)
    fake = torch.tensor([[1.0], [1.0], [1.0]], dtype=torch.float64)
    onehot = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    # class 0: means 1 and 1; class 1: 4 and 1, weighted by its share 1/3
    assert float(feature_matching_loss(real, fake, onehot)) == pytest.approx(9.0 / 3)
    assert float(feature_matching_loss(real, fake)) == pytest.approx(1.0)


def test_generator_average_is_what_samples(ring):
    X, _, _ = ring
    gan = _small(generator_average=0.9, max_iter=2).fit(X)
    net = gan.net_
    average, current = net.generator_average_, net.generator_
    assert not average.training and not any(p.requires_grad for p in average.parameters())
    assert any(not torch.equal(a, c) for a, c in zip(average.parameters(), current.parameters()))
    Z = np.random.RandomState(0).standard_normal((3, 2))
    z = torch.as_tensor(Z, device=DEVICE, dtype=next(average.parameters()).dtype)
    with torch.no_grad():
        expected = gan._scaling.inverse_transform(average(z)).cpu().numpy().astype(X.dtype)
    np.testing.assert_allclose(gan.generate(Z), expected, rtol=1e-6, atol=1e-6)
    # off: the generator's own weights, and no copy kept
    plain = _small(generator_average=0.0, max_iter=2).fit(X)
    assert "generator_average" not in plain.net_._modules


def test_networks_compute_in_the_data_dtype(ring):
    X, _, _ = ring
    for dtype, torch_dtype in ((np.float64, torch.float64), (np.float32, torch.float32)):
        gan = _small().fit(X.astype(dtype))
        assert all(p.dtype == torch_dtype for p in gan.net_.generator_.parameters())
        assert gan.sample(3).dtype == dtype and gan.transform(X[:3].astype(dtype)).dtype == dtype


# ------------------------------------------------------------ early stopping
class _RecordGenerator(Callback):
    """Keeps a copy of the generator's parameters, and its learning rate, at the end of every epoch."""

    def on_train_begin(self, net, **kwargs):
        self.states_, self.rates_ = [], []

    def on_epoch_end(self, net, **kwargs):
        self.states_.append([p.detach().clone() for p in net.generator_.parameters()])
        self.rates_.append(net.generator_optimizer_.param_groups[0]["lr"])


def test_early_stopping_waits_for_the_warm_up_and_lowers_the_rates_at_plateaus(ring):
    X, _, _ = ring  # 540 training rows after the split: 9 batches, so 9 generator steps per epoch
    gan = _small(early_stopping=True, max_iter=40, n_iter_no_change=2, tol=1.0, learning_rate=1e-3,
                 callbacks=[_RecordGenerator()])
    gan._validation_warmup_steps = 100  # epochs 1-11 (99 steps) are the warm-up
    gan.fit(X)
    history = gan.net_.history
    best, losses = history[:, "valid_loss_best"], history[:, "valid_loss"]
    # a tol of 1.0 is never beaten, so for early stopping every epoch after the first past the
    # warm-up (12) and after each rate drop is a miss: plateaus end epochs 14, 17 and 20 (the rates
    # divided by 5 each time, the comparison restarted: epochs 15, 18 and 21 are the best so far),
    # and the fourth, at epoch 23, stops training
    assert not any(best[:11]) and all(best[epoch - 1] for epoch in (12, 15, 18, 21))
    assert gan.n_iter_ == 23
    assert gan.net_.generator_steps_ == 23 * 9
    assert [row.get("rate_drops") for row in gan.history_] == [None] * 11 + [0] * 3 + [1] * 3 + [2] * 3 + [3] * 3
    # the recorder, a user callback, runs after early stopping: it misses the last epoch, and at
    # the end of epochs 14, 17 and 20 it sees the rate the next epoch trains at
    recorder = dict(gan.net_.callbacks_)["user_0"]
    np.testing.assert_allclose(recorder.rates_, [1e-3] * 13 + [2e-4] * 3 + [4e-5] * 3 + [8e-6] * 3, rtol=1e-12)
    # after fit both optimizers are back at their rates (a later partial_fit trains at them)
    assert gan.net_.generator_optimizer_.param_groups[0]["lr"] == 1e-3
    assert gan.net_.discriminator_optimizer_.param_groups[0]["lr"] == 1e-3
    # the kept generator is the one of the lowest validation loss since the last drop (epochs 21-23)
    kept = 20 + int(np.argmin(losses[20:]))
    states = recorder.states_
    assert len(states) == 22
    if kept < len(states):
        for p, q in zip(gan.net_.generator_.parameters(), states[kept]):
            assert torch.equal(p.detach(), q)
    else:
        assert any(not torch.equal(p.detach(), q) for p, q in zip(gan.net_.generator_.parameters(), states[-1]))


def test_wgan_early_stopping_stops_at_the_first_plateau(ring):
    X, _, _ = ring
    wgan = _small(WGAN, early_stopping=True, max_iter=40, n_iter_no_change=2, tol=1.0)
    wgan._validation_warmup_steps = 0
    wgan.fit(X)
    assert wgan.n_iter_ == 3 and wgan.history_[-1]["rate_drops"] == 0
