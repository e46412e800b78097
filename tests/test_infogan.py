"""InfoGAN: the information term against hand-computed values, the codes, and scikit-learn behaviour."""

import math
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone, is_clusterer
from sklearn.datasets import load_digits, make_blobs, make_moons
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler
from torch import nn

from conftest import DEVICE, assert_reproducible
from skgen import InfoGAN
from skgen.metrics import clustering_accuracy
from skgen.base import RowSource
from skgen.gan._infogan import InfoGANNet, QHead, code_entropy, info_loss, neighbour_agreement, neighbour_loss


def softplus(x):
    return np.log1p(np.exp(x))


def log_softmax(logits):
    logits = np.asarray(logits, dtype=np.float64)
    peak = logits.max(axis=1, keepdims=True)
    return logits - peak - np.log(np.exp(logits - peak).sum(axis=1, keepdims=True))


@pytest.fixture(scope="module")
def digits():
    return load_digits().data[:300] / 16


def _small(**params):
    defaults = dict(
        n_components=2, n_categories=3, n_continuous=1, hidden_layer_sizes=(16,), max_iter=2, random_state=0,
        device=DEVICE,
    )
    return InfoGAN(**{**defaults, **params})


# ------------------------------------------------------------- the loss
def test_info_loss_by_hand():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]], dtype=torch.float64)
    means = torch.tensor([[0.2, -0.4], [1.0, 0.0]], dtype=torch.float64)
    category = torch.tensor([0, 1])
    continuous = torch.tensor([[0.5, -0.5], [-1.0, 0.25]], dtype=torch.float64)
    log_q = log_softmax(logits.numpy())
    cross_entropy = -np.mean([log_q[0, 0], log_q[1, 1]])
    gaussian = np.mean(
        [
            sum(0.5 * (c - m) ** 2 + 0.5 * np.log(2 * np.pi) for c, m in zip(cs, ms))
            for cs, ms in zip(continuous.numpy(), means.numpy())
        ]
    )
    assert float(info_loss(logits, means, category, continuous)) == pytest.approx(cross_entropy + gaussian)
    # no continuous codes: the cross-entropy alone
    empty = torch.zeros(2, 0, dtype=torch.float64)
    assert float(info_loss(logits, empty, category, empty)) == pytest.approx(cross_entropy)


def test_a_perfect_q_attains_the_mutual_information_bound():
    """With Q certain of the category and exact on the continuous codes, H(c) - info_loss = log K + C (log 2 - log(2 pi) / 2)."""
    k, c = 4, 2
    category = torch.arange(8) % k
    continuous = torch.linspace(-1, 1, 8 * c, dtype=torch.float64).reshape(8, c)
    logits = 50.0 * torch.nn.functional.one_hot(category, k).to(torch.float64)
    bound = code_entropy(k, c) - float(info_loss(logits, continuous, category, continuous))
    assert code_entropy(k, c) == pytest.approx(math.log(4) + 2 * math.log(2))
    assert bound == pytest.approx(math.log(k) + c * (math.log(2) - 0.5 * math.log(2 * math.pi)), abs=1e-12)
    # an uninformative Q (uniform categories, means 0): the categorical part of the bound is 0
    flat = float(info_loss(torch.zeros(8, k, dtype=torch.float64), torch.zeros(8, 0), category, torch.zeros(8, 0)))
    assert math.log(k) - flat == pytest.approx(0.0, abs=1e-12)


class CodeGenerator(nn.Module):
    """Returns the codes part of the latent rows: fake rows are the codes themselves."""

    def __init__(self, n_noise):
        super().__init__()
        self.n_noise = n_noise
        self.w = nn.Parameter(torch.ones(1, dtype=torch.float64))

    def forward(self, z, y_onehot=None):
        return self.w * z[:, self.n_noise :]


class SumDiscriminator(nn.Module):
    """logit(x) = sum of x; features(x) = x."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(1, dtype=torch.float64))

    def features(self, x, y_onehot=None):
        return x * self.w

    def forward(self, x, y_onehot=None):
        return self.features(x).sum(dim=1)


class FixedQ(nn.Module):
    """Q: category logits 3 * x[:, :2], continuous mean 0.5 * x[:, 2:]."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(1, dtype=torch.float64))

    def forward(self, features):
        return 3.0 * self.w * features[:, :2], 0.5 * self.w * features[:, 2:]


def _expected_info(codes):
    """info_loss of FixedQ on rows equal to their codes [one-hot of 2, one continuous]."""
    codes = codes.detach().cpu().numpy()
    log_q = log_softmax(3.0 * codes[:, :2])
    category = codes[:, :2].argmax(axis=1)
    cross_entropy = -np.mean(log_q[np.arange(len(codes)), category])
    c = codes[:, 2]
    return cross_entropy + np.mean(0.5 * (c - 0.5 * c) ** 2 + 0.5 * np.log(2 * np.pi))


def _fixed_net(**params):
    """An InfoGANNet on the fixed networks above (rows = codes, Q = FixedQ), optimizers that do not move, ready to step."""
    net = InfoGANNet(
        CodeGenerator(1),
        discriminator=SumDiscriminator(),
        q_head=FixedQ(),
        generator_optimizer=(torch.optim.SGD, {"lr": 0.0}),
        discriminator_optimizer=(torch.optim.SGD, {"lr": 0.0}),
        n_components=1,
        n_categories=2,
        n_continuous=1,
        device=DEVICE,
        **params,
    ).initialize()
    net.generator = torch.Generator(device=DEVICE).manual_seed(0)
    return net


def test_objectives_on_fixed_networks_add_the_information_term():
    weight = 0.5
    net = _fixed_net(info_weight=weight)
    real = torch.tensor([[1.0, 0.0, 0.3], [0.0, 1.0, -0.2], [1.0, 0.0, 0.9], [0.0, 1.0, 0.0]], dtype=torch.float64, device=DEVICE)
    net.on_train_begin(net, X=RowSource(real, device=DEVICE, dtype=torch.float64))
    d_loss, _ = net._discriminator_step(real, None)
    fake = net.fake_codes_.detach().cpu().numpy()
    gan = np.mean(softplus(-real.sum(1).cpu().numpy())) + np.mean(softplus(fake.sum(1)))
    assert float(d_loss) == pytest.approx(gan + weight * _expected_info(net.fake_codes_))
    g_loss = net._generator_step(real, None)
    fake = net.fake_codes_.detach().cpu().numpy()
    assert float(g_loss) == pytest.approx(np.mean(softplus(-fake.sum(1))) + weight * _expected_info(net.fake_codes_))
    # Q's head is updated with the discriminator, which shares its body
    optimized = {id(p) for group in net.discriminator_optimizer_.param_groups for p in group["params"]}
    assert id(net.q_head_.w) in optimized and id(net.discriminator_.w) in optimized
    assert id(net.q_head_.w) not in {id(p) for g in net.generator_optimizer_.param_groups for p in g["params"]}


def softmax(logits):
    return np.exp(log_softmax(logits))


def _expected_neighbour_loss(proba, neighbour_proba, balance_weight=5.0):
    consistency = -np.mean(np.log(np.sum(proba * neighbour_proba, axis=1)))
    mean = proba.mean(axis=0)
    return consistency, consistency + balance_weight * (np.log(proba.shape[1]) + np.sum(mean * np.log(mean)))


def test_neighbour_loss_by_hand():
    proba = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]], dtype=torch.float64)
    neighbour = torch.tensor([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.0, 0.5, 0.5]], dtype=torch.float64)
    consistency, loss = neighbour_loss(proba, neighbour)
    expected = _expected_neighbour_loss(proba.numpy(), neighbour.numpy())
    assert (float(consistency), float(loss)) == pytest.approx(expected)
    assert float(neighbour_loss(proba, neighbour, balance_weight=0.0)[1]) == pytest.approx(expected[0])
    # certain of the same category as the neighbour, every category used equally: both parts are 0
    certain = torch.eye(3, dtype=torch.float64).repeat(2, 1)
    assert [float(v) for v in neighbour_loss(certain, certain)] == pytest.approx([0.0, 0.0], abs=1e-12)
    # one category for every row agrees perfectly but pays the balance: 5 log 3
    one = torch.tensor([[1.0, 0.0, 0.0]] * 4, dtype=torch.float64)
    assert float(neighbour_loss(one, one)[1]) == pytest.approx(5 * math.log(3))
    # disagreeing certainties are finite, not inf or NaN
    assert math.isfinite(float(neighbour_loss(torch.eye(3, dtype=torch.float64), torch.eye(3, dtype=torch.float64).roll(1, 0))[0]))


def test_discriminator_objective_adds_the_neighbour_term_for_the_nearest_rows():
    """With one neighbour per row, each real row pairs with its nearest other row of the pool."""
    weight, info_weight = 0.7, 0.5
    net = _fixed_net(info_weight=info_weight, neighbour_weight=weight)
    net.NEIGHBOURS = 1
    pool = np.array([[1.0, 0.0, 0.3], [0.9, 0.1, 0.2], [0.0, 1.0, -0.2], [0.2, 0.6, 0.0], [0.5, 0.5, 0.9]])
    real = torch.tensor(pool[:4], device=DEVICE)
    net.on_train_begin(net, X=RowSource(real, device=DEVICE, dtype=torch.float64))
    net.neighbour_pool_ = torch.tensor(pool, device=DEVICE)
    net.batch_info_, net.batch_neighbour_ = [], []
    d_loss, _ = net._discriminator_step(real, None)
    nearest = [1, 0, 3, 2]  # each real row's nearest other row of the pool, by hand
    proba = softmax(3.0 * pool[:4, :2])
    consistency, term = _expected_neighbour_loss(proba, softmax(3.0 * pool[nearest, :2]))
    fake = net.fake_codes_.detach().cpu().numpy()
    gan = np.mean(softplus(-real.sum(1).cpu().numpy())) + np.mean(softplus(fake.sum(1)))
    assert float(d_loss) == pytest.approx(gan + info_weight * _expected_info(net.fake_codes_) + weight * term)
    assert float(net.batch_neighbour_[0]) == pytest.approx(consistency)
    # the generator's objective has no neighbour term
    g_loss = net._generator_step(real, None)
    fake = net.fake_codes_.detach().cpu().numpy()
    assert float(g_loss) == pytest.approx(np.mean(softplus(-fake.sum(1))) + info_weight * _expected_info(net.fake_codes_))


def test_neighbour_weight_records_the_consistency_and_zero_changes_nothing(digits):
    # long enough for Q to leave its uniform start: the term pulls neighbours into one category
    quick = dict(learning_rate=2e-3, batch_size=32, max_iter=20)
    infogan = _small(neighbour_weight=1.0, **quick).fit(digits)
    consistency = [row["neighbour_loss"] for row in infogan.history_]
    assert consistency[0] == pytest.approx(math.log(3), abs=0.02)  # Q starts near uniform over 3 categories
    assert max(consistency[-3:]) < 0.5
    assert infogan.neighbour_agreement_ > _small(**quick).fit(digits).neighbour_agreement_ + 0.05
    plain = _small().fit(digits)
    assert "neighbour_loss" not in plain.history_[0]
    assert_reproducible(_small(neighbour_weight=0.0).fit(digits).predict_proba(digits), plain.predict_proba(digits))
    # set after fit, the weight applies to partial_fit, as info_weight does
    plain.set_params(neighbour_weight=2.0).partial_fit(digits)
    assert "neighbour_loss" in plain.history_[-1] and "neighbour_loss" not in plain.history_[0]


def test_latent_rows_hold_noise_a_uniform_category_and_uniform_codes(digits):
    infogan = _small(n_categories=4, n_continuous=2).fit(digits)
    like = torch.empty(0, dtype=torch.float64, device=DEVICE)
    z = infogan.net_.latent(20000, like, torch.Generator(device=DEVICE).manual_seed(0)).cpu().numpy()
    assert z.shape == (20000, 2 + 4 + 2)
    assert abs(z[:, :2].mean()) < 0.03 and abs(z[:, :2].std() - 1) < 0.03
    onehot = z[:, 2:6]
    np.testing.assert_array_equal(onehot.sum(axis=1), 1.0)
    np.testing.assert_allclose(onehot.mean(axis=0), 0.25, atol=0.015)
    assert z[:, 6:].min() >= -1 and z[:, 6:].max() <= 1 and abs(z[:, 6:].mean()) < 0.02


# ----------------------------------------------------------- behaviour
def test_predict_predict_proba_and_transform_agree(digits):
    infogan = _small().fit(digits)
    proba = infogan.predict_proba(digits)
    assert proba.shape == (300, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(infogan.predict(digits), proba.argmax(axis=1))
    codes = infogan.transform(digits)
    assert codes.shape == (300, 4) and codes.dtype == digits.dtype
    np.testing.assert_allclose(codes[:, :3], proba, rtol=1e-6)
    assert list(infogan.get_feature_names_out()) == [f"infogan{i}" for i in range(4)]
    assert_reproducible(_small().fit_predict(digits), infogan.predict(digits))
    assert not is_clusterer(infogan)  # a density-style estimator that labels rows, like GaussianMixture


def test_sample_and_generate_take_codes(digits):
    infogan = _small().fit(digits)
    assert infogan.sample(5).shape == (5, 64)
    assert infogan.sample(0).shape == (0, 64)
    assert infogan.sample(4, codes=2).shape == (4, 64)
    assert infogan.sample(2, codes=[0, 2]).shape == (2, 64)
    assert_reproducible(infogan.sample(3, random_state=1, codes=1), infogan.sample(3, random_state=1, codes=1))
    Z = np.random.RandomState(0).standard_normal((3, 2))
    fixed = infogan.generate(Z, codes=[[0, 0.5], [1, 0.5], [2, -1.0]])
    # generate is a deterministic function of the noise and the codes; continuous codes left out are 0
    assert_reproducible(infogan.generate(Z[:2], codes=[[0, 0.5], [1, 0.5]]), fixed[:2])
    assert_reproducible(infogan.generate(Z, codes=[1, 1, 1]), infogan.generate(Z, codes=[[1, 0.0]] * 3))
    assert not np.allclose(infogan.generate(Z, codes=0), infogan.generate(Z, codes=2))
    # without codes: the categories in equal shares, in order
    assert_reproducible(infogan.generate(Z), infogan.generate(Z, codes=[0, 1, 2]))
    with pytest.raises(ValueError, match="integers in \\[0, 2\\]"):
        infogan.sample(2, codes=3)
    with pytest.raises(ValueError, match="shape \\(2, 2\\)"):
        infogan.sample(2, codes=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="2 categories"):
        infogan.sample(2, codes=[0, 1, 2])


def test_history_records_the_information_loss(digits):
    infogan = _small(verbose=2).fit(digits)
    assert all({"info_loss", "generator_loss", "discriminator_loss"} <= set(row) for row in infogan.history_)
    assert 0 < infogan.history_[0]["info_loss"] < 10


def test_image_networks(digits):
    infogan = _small(image_shape=(1, 8, 8), max_iter=1).fit(digits)
    assert infogan.net_.generator_.__class__.__name__ == "ConvGenerator"
    images = infogan.sample(4, codes=1)
    assert images.shape == (4, 64) and images.min() >= -1e-6 and images.max() <= 1 + 1e-6
    assert infogan.predict(digits[:7]).shape == (7,)


def test_bad_parameters(digits):
    with pytest.raises(ValueError, match="n_categories"):
        _small(n_categories=1).fit(digits)
    with pytest.raises(ValueError, match="scale"):
        _small(scale="mode-specific").fit(digits)
    with pytest.raises(ValueError, match="pack"):
        _small().set_params(pack=2)
    with pytest.raises(ValueError, match="n_init"):
        _small(n_init=0).fit(digits)
    with pytest.raises(ValueError, match="neighbour_weight"):
        _small(neighbour_weight=-1.0).fit(digits)
    with pytest.raises(ValueError, match="init_params"):
        _small(init_params="gmm").fit(digits)
    infogan = _small().fit(digits)
    with pytest.raises(ValueError, match="64 features"):
        infogan.predict(digits[:, :10])
    with pytest.raises(ValueError, match="n_components=2"):
        infogan.generate(np.zeros((2, 5)))


def test_pipeline_grid_search_and_pickle(digits):
    pipe = Pipeline([("scale", MinMaxScaler()), ("infogan", _small(max_iter=1))]).fit(digits)
    assert pipe.predict(digits[:3]).shape == (3,) and pipe.transform(digits[:3]).shape == (3, 4)
    search = GridSearchCV(_small(max_iter=1), {"info_weight": [0.5, 2.0]}, cv=2).fit(digits)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    infogan = _small().fit(digits)
    infogan.sample(2)  # leaves the codes of its rows on the net: they are not part of the model
    restored = pickle.loads(pickle.dumps(infogan))
    assert "fake_codes_" not in restored.net_.__dict__
    assert_reproducible(restored.predict_proba(digits[:5]), infogan.predict_proba(digits[:5]))
    assert_reproducible(restored.sample(3, codes=1), infogan.sample(3, codes=1))


# ------------------------------------------------------------- n_init
def test_neighbour_agreement_by_hand():
    rows = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    # two neighbours each: every row's two nearest others lie in its own group of three
    assert neighbour_agreement(rows, np.array([0, 0, 0, 1, 1, 1]), n_neighbors=2) == 1.0
    # relabel row 2: rows 0 and 1 each have one of two neighbours in their category (row 2 is
    # one of them), row 2 none of its neighbours 0 and 1, rows 3-5 both
    labels = np.array([0, 0, 1, 1, 1, 1])
    assert math.isclose(neighbour_agreement(rows, labels, n_neighbors=2), (0.5 + 0.5 + 0 + 1 + 1 + 1) / 6)
    # fewer other rows than neighbours asked for, and a single row
    assert neighbour_agreement(rows[:2], np.array([0, 1]), n_neighbors=10) == 0.0
    assert neighbour_agreement(rows[:1], np.array([0])) == 1.0


def test_n_init_keeps_the_fit_with_the_highest_neighbour_agreement(digits):
    kept = _small(n_init=3, random_state=7).fit(digits)
    seeds = np.random.RandomState(7).randint(0, 2**31 - 1, size=3)
    fits = [_small(random_state=int(seed)).fit(digits) for seed in seeds]
    agreements = [fit.neighbour_agreement_ for fit in fits]
    best = fits[int(np.argmax(agreements))]
    assert len(set(agreements)) > 1  # the fits differ, so the choice means something
    assert kept.neighbour_agreement_ == max(agreements)
    assert_reproducible(kept.predict_proba(digits), best.predict_proba(digits))
    assert_reproducible(kept.sample(4, random_state=0), best.sample(4, random_state=0))
    assert kept.get_params() == clone(kept).get_params()  # the parameters stay the caller's
    assert kept.random_state == 7 and kept.n_init == 3
    # partial_fit continues the kept fit, and the agreement follows the model
    kept.partial_fit(digits)
    assert kept.n_iter_ == best.n_iter_ + 1
    rows = kept._apply_in_chunks(kept._validate_X(digits, reset=False), kept._to_network_rows_tensor)
    assert kept.neighbour_agreement_ == neighbour_agreement(rows, kept.predict(digits))


# ------------------------------------------------------------- init_params
def _initial_categories(X, init_params, seed, n_categories):
    """Q's categories of X right after the initialisation (one epoch at a learning rate too small to move them)."""
    infogan = _small(
        n_categories=n_categories, n_continuous=0, init_params=init_params, learning_rate=1e-12, max_iter=1,
        random_state=seed,
    )
    return infogan.fit(X).predict(X)


def test_init_params_start_q_at_the_clusters_of_the_rows():
    X, y = make_blobs(90, centers=3, n_features=5, cluster_std=0.5, random_state=0)
    for init_params in ("kmeans", "tsne"):
        assert clustering_accuracy(y, _initial_categories(X, init_params, 0, 3)) == 1.0
    # from random weights Q starts without the blobs' structure
    assert clustering_accuracy(y, _initial_categories(X, "random", 0, 3)) < 0.9


def test_tsne_initialisation_follows_curved_classes_that_kmeans_cuts():
    X, y = make_moons(200, noise=0.05, random_state=0)
    for seed in (0, 1):
        kmeans = clustering_accuracy(y, _initial_categories(X, "kmeans", seed, 2))
        tsne = clustering_accuracy(y, _initial_categories(X, "tsne", seed, 2))
        assert kmeans < 0.9 and tsne > 0.95  # measured: about 0.86 and 0.985-0.995


def test_init_params_is_reproducible_works_on_tiny_data_and_only_starts_fit(digits, monkeypatch):
    first = _small(init_params="tsne", random_state=3).fit(digits)
    again = _small(init_params="tsne", random_state=3).fit(digits)
    assert_reproducible(again.predict_proba(digits), first.predict_proba(digits))
    for n_rows in (1, 2, 3, 5):  # fewer rows than categories, and too few for t-SNE's default perplexity
        assert _small(init_params="tsne", n_categories=3).fit(digits[:n_rows]).predict(digits[:n_rows]).shape == (n_rows,)
    calls, original = [], InfoGAN._initialise_categories

    def counted(self, rows):
        calls.append(len(rows))
        original(self, rows)

    monkeypatch.setattr(InfoGAN, "_initialise_categories", counted)
    infogan = _small(init_params="kmeans", n_init=2).fit(digits)
    assert calls == [len(digits)] * 2  # once per fit of n_init
    infogan.partial_fit(digits)
    assert len(calls) == 2  # partial_fit continues the model: Q is not set back to the clusters
    _small(init_params="random").fit(digits)
    assert len(calls) == 2


def test_q_head_shapes():
    head = QHead(5, 3, 2, n_hidden=4)
    logits, means = head(torch.zeros(7, 5))
    assert logits.shape == (7, 3) and means.shape == (7, 2)
