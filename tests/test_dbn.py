"""The deep belief network: its bound against exact answers, and its behaviour as scikit-learn users meet it."""

import itertools
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, logsumexp
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from conftest import DEVICE, assert_reproducible
from skgen import DBN, BernoulliRBM, DivergenceError, GaussianBinaryRBM
from skgen.rbm import _dbn


def _binary_states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def _softplus(x):
    return np.logaddexp(0.0, x)


# ------------------------------------------------------------ exact answers
def _dbn_with_parameters(sizes, *, n_features, visible="bernoulli", seed=0, weight_scale=1.5, **params):
    """A DBN fitted for zero epochs whose layers then get random parameters of a known scale."""
    rng = np.random.RandomState(seed)
    X = (rng.uniform(size=(30, n_features)) < 0.5).astype(float)
    if visible == "gaussian":
        X = rng.normal(size=(30, n_features))
    dbn = DBN(sizes, visible=visible, n_iter=0, device=DEVICE, random_state=seed, **params).fit(X)
    for layer in dbn.layers_:
        n_hidden, n_visible = layer.components_.shape
        layer.components_ = rng.normal(scale=weight_scale, size=(n_hidden, n_visible))
        layer.intercept_hidden_ = rng.normal(scale=0.5, size=n_hidden)
        layer.intercept_visible_ = rng.normal(scale=0.5, size=n_visible)
    return dbn


def _parameters(layer):
    """(W of shape (n_visible, n_hidden), visible biases, hidden biases)."""
    return layer.components_.T, layer.intercept_visible_, layer.intercept_hidden_


def _log_q(H, V, layer):
    """log q(h | v) = log P(h | v) of a Bernoulli-hidden layer, shape (len(V), len(H))."""
    W, _, b_h = _parameters(layer)
    scaled = V / layer.sigma_**2 if isinstance(layer, GaussianBinaryRBM) else V
    pre = scaled @ W + b_h
    return pre @ H.T - _softplus(pre).sum(1, keepdims=True)


def _log_down(V, H, layer):
    """log p(v | h) of a layer's RBM, shape (len(V), len(H))."""
    W, b_v, _ = _parameters(layer)
    pre = H @ W.T + b_v  # (len(H), n_visible)
    if isinstance(layer, GaussianBinaryRBM):
        sigma = layer.sigma_
        z = (V[:, None, :] - pre[None]) / sigma
        return -0.5 * (z**2).sum(-1) - np.log(sigma).sum() - 0.5 * len(sigma) * np.log(2 * np.pi)
    return V @ pre.T - _softplus(pre).sum(1)[None, :]


def _top_log_marginal(H, layer):
    """log p(h) of the top RBM's visible units (exact log Z by enumerating both layers)."""
    W, b_v, b_h = _parameters(layer)
    unnormalised = H @ b_v + _softplus(H @ W + b_h).sum(1)
    states = _binary_states(len(b_v))
    log_z = logsumexp(states @ b_v + _softplus(states @ W + b_h).sum(1))
    return unnormalised - log_z


def _exact_two_layers(dbn, V):
    """Per row: the S&M bound, the exact log p(v), and the variance of the Monte Carlo integrand under q."""
    bottom, top = dbn.layers_
    H = _binary_states(len(bottom.intercept_hidden_))
    log_q = _log_q(H, V, bottom)
    q = np.exp(log_q)
    joint = _log_down(V, H, bottom) + _top_log_marginal(H, top)[None, :]  # log p(v, h1)
    bound = (q * (joint - log_q)).sum(1)
    log_p = logsumexp(joint, axis=1)
    integrand = joint - log_q  # what the estimator averages over its draws
    variance = (q * integrand**2).sum(1) - (q * integrand).sum(1) ** 2
    return bound, log_p, variance


def _exact_three_layers(dbn, V):
    """As ``_exact_two_layers`` for three layers, enumerating h1 and h2."""
    first, second, top = dbn.layers_
    H1 = _binary_states(len(first.intercept_hidden_))
    H2 = _binary_states(len(second.intercept_hidden_))
    log_q1 = _log_q(H1, V, first)  # (v, h1)
    log_q2 = _log_q(H2, H1, second)  # (h1, h2)
    q1, q2 = np.exp(log_q1), np.exp(log_q2)
    down1 = _log_down(V, H1, first)  # (v, h1)
    down2 = _log_down(H1, H2, second)  # (h1, h2)
    log_top = _top_log_marginal(H2, top)
    # per chain (h1, h2): log p(v|h1) - log q(h1|v) + log p(h1|h2) - log q(h2|h1) + log p(h2)
    integrand = (down1 - log_q1)[:, :, None] + (down2 - log_q2 + log_top[None, :])[None]
    weight = q1[:, :, None] * q2[None]
    bound = (weight * integrand).sum((1, 2))
    variance = (weight * integrand**2).sum((1, 2)) - bound**2
    log_p = logsumexp(down1[:, :, None] + down2[None] + log_top[None, None, :], axis=(1, 2))
    return bound, log_p, variance


def _assert_monte_carlo_agrees(score, exact_bound, variance, n_draws):
    """Each row's Monte Carlo estimate is within 5 standard errors of the enumerated bound."""
    standard_error = np.sqrt(np.maximum(variance, 0.0) / n_draws)
    assert np.all(np.abs(score - exact_bound) <= 5 * standard_error + 1e-8), np.max(
        np.abs(score - exact_bound) / (standard_error + 1e-12)
    )


def test_two_layer_bound_matches_enumeration_and_lies_below_log_p():
    n_draws = 20000
    dbn = _dbn_with_parameters((4, 3), n_features=6, n_posterior_samples=n_draws)
    V = _binary_states(6)
    bound, log_p, variance = _exact_two_layers(dbn, V)
    # the generative model is a distribution over the 64 visible states
    assert np.exp(log_p).sum() == pytest.approx(1.0, abs=1e-10)
    assert np.all(bound <= log_p + 1e-12)
    assert np.mean(log_p - bound) > 0.05  # random weights: a real gap, not a trivial test
    # the top RBM has 4 x 3 units: log Z is exact
    assert dbn.log_z_std_ == 0.0
    score = dbn.score_samples(V)
    # tolerance: 5 Monte Carlo standard errors per row (sqrt(Var_q / n_draws), Var_q enumerated)
    _assert_monte_carlo_agrees(score, bound, variance, n_draws)
    assert np.max(np.abs(score - bound)) < 0.1
    assert dbn.score(V) == pytest.approx(score.mean())
    # the gap to the first layer's own likelihood is E_q[log p2(h1) - log p1(h1)] (the user guide's reading)
    bottom, top = dbn.layers_
    H = _binary_states(4)
    W, b_v, b_h = _parameters(bottom)
    log_p1_h = H @ b_h + _softplus(H @ W.T + b_v).sum(1) - bottom.log_z_
    q = np.exp(_log_q(H, V, bottom))
    expected_gap = q @ (_top_log_marginal(H, top) - log_p1_h)
    np.testing.assert_allclose(bound - bottom.score_samples(V), expected_gap, atol=1e-10)


def test_three_layer_bound_matches_enumeration():
    n_draws = 20000
    dbn = _dbn_with_parameters((4, 3, 3), n_features=5, n_posterior_samples=n_draws, seed=1)
    V = _binary_states(5)
    bound, log_p, variance = _exact_three_layers(dbn, V)
    assert np.exp(log_p).sum() == pytest.approx(1.0, abs=1e-10)
    assert np.all(bound <= log_p + 1e-12)
    _assert_monte_carlo_agrees(dbn.score_samples(V), bound, variance, n_draws)


def test_gaussian_visible_bound_matches_enumeration():
    n_draws = 20000
    dbn = _dbn_with_parameters((4, 3), n_features=3, visible="gaussian", weight_scale=0.7, n_posterior_samples=n_draws)
    V = np.random.RandomState(5).normal(size=(10, 3))
    bound, log_p, variance = _exact_two_layers(dbn, V)
    assert np.all(bound <= log_p + 1e-12)
    _assert_monte_carlo_agrees(dbn.score_samples(V), bound, variance, n_draws)


def test_a_mirrored_second_layer_makes_the_bound_the_first_layers_log_likelihood():
    """Hinton et al. (2006): layer 2 = layer 1 transposed gives the RBM's own model, and q is its exact posterior."""
    dbn = _dbn_with_parameters((4, 6), n_features=6, n_posterior_samples=7)
    bottom, top = dbn.layers_
    top.components_ = bottom.components_.T
    top.intercept_visible_ = bottom.intercept_hidden_
    top.intercept_hidden_ = bottom.intercept_visible_
    V = _binary_states(6)
    np.testing.assert_allclose(dbn.score_samples(V), bottom.score_samples(V), rtol=1e-10, atol=1e-9)


def test_one_layer_is_its_rbm():
    dbn = _dbn_with_parameters((5,), n_features=6)
    V = _binary_states(6)
    np.testing.assert_allclose(dbn.score_samples(V), dbn.layers_[0].score_samples(V), rtol=1e-12)
    assert dbn.log_z_ == dbn.layers_[0].log_z_


def test_bound_is_deterministic_and_independent_of_the_rows_scored_together():
    dbn = _dbn_with_parameters(
        (24, 24), n_features=8, weight_scale=0.2, n_posterior_samples=50, n_ais_chains=8, n_ais_betas=50
    )
    V = (np.random.RandomState(0).uniform(size=(40, 8)) < 0.5).astype(float)
    first = dbn.score_samples(V)
    assert dbn.log_z_std_ > 0  # a 24 x 24 top RBM: log Z by AIS
    np.testing.assert_allclose(dbn.score_samples(V[::-1])[::-1], first, rtol=1e-10)
    np.testing.assert_allclose(dbn.score_samples(V[:3]), first[:3], rtol=1e-10)
    assert_reproducible(dbn.score_samples(V), first)


# --------------------------------------------------------------- behaviour
@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return (X[:300] > 8).astype(np.float64), y[:300]


def _small(**params):
    defaults = dict(
        hidden_layer_sizes=(16, 8), n_iter=3, n_gibbs_steps=10, n_posterior_samples=20, random_state=0, device=DEVICE
    )
    return DBN(**{**defaults, **params})


def test_fit_is_the_rbms_stacked_by_hand(digits):
    X, _ = digits
    dbn = _small(learning_rate=0.05, batch_size=20).fit(X)
    assert [type(layer) for layer in dbn.layers_] == [BernoulliRBM, BernoulliRBM]
    seeds = [layer.random_state for layer in dbn.layers_]
    assert len(set(seeds)) == 2  # every layer its own seed, drawn from random_state
    settings = dict(n_iter=3, learning_rate=0.05, batch_size=20, device=DEVICE)
    first = BernoulliRBM(n_components=16, random_state=seeds[0], **settings).fit(X)
    second = BernoulliRBM(n_components=8, random_state=seeds[1], **settings).fit(first.transform(X))
    for mine, theirs in zip(dbn.layers_, (first, second)):
        assert_reproducible(mine.components_, theirs.components_)
        assert_reproducible(mine.intercept_visible_, theirs.intercept_visible_)
    assert_reproducible(dbn.transform(X), second.transform(first.transform(X)))
    assert dbn.n_iter_ == 3 and [row["layer"] for row in dbn.history_] == [1, 1, 1, 2, 2, 2]
    assert [row["epoch"] for row in dbn.history_] == [1, 2, 3, 1, 2, 3]


def test_training_parameters_per_layer(digits, capsys):
    X, _ = digits
    dbn = _small(n_iter=(2, 4), learning_rate=(0.05, 0.1), average=(False, 600), verbose=1).fit(X)
    assert [layer.n_iter_ for layer in dbn.layers_] == [2, 4] and dbn.n_iter_ == 2
    assert [layer.learning_rate for layer in dbn.layers_] == [0.05, 0.1]
    assert [layer.average for layer in dbn.layers_] == [False, 600]
    assert [row["layer"] for row in dbn.history_] == [1, 1, 2, 2, 2, 2]
    assert "6/6" in capsys.readouterr().err
    seeds = [layer.random_state for layer in dbn.layers_]
    first = BernoulliRBM(16, n_iter=2, learning_rate=0.05, random_state=seeds[0], device=DEVICE).fit(X)
    second = BernoulliRBM(8, n_iter=4, learning_rate=0.1, average=600, random_state=seeds[1], device=DEVICE)
    second.fit(first.transform(X))
    assert_reproducible(dbn.layers_[1].components_, second.components_)
    with pytest.raises(ValueError, match="n_iter has 3 values, but hidden_layer_sizes has 2 layer"):
        _small(n_iter=(1, 2, 3)).fit(X)
    with pytest.raises(ValueError, match="learning_rate"):
        _small(learning_rate=(0.1, -1.0)).fit(X)


def test_same_random_state_gives_the_same_model(digits):
    X, _ = digits
    a, b = _small().fit(X), _small().fit(X)
    for la, lb in zip(a.layers_, b.layers_):
        assert_reproducible(la.components_, lb.components_)
    assert_reproducible(a.sample(4, random_state=1), b.sample(4, random_state=1))
    assert_reproducible(a.score_samples(X[:5]), b.score_samples(X[:5]))
    assert not np.array_equal(a.layers_[0].components_, _small(random_state=1).fit(X).layers_[0].components_)


def test_transform_inverse_transform_and_feature_names(digits):
    X, _ = digits
    dbn = _small().fit(X)
    H = dbn.transform(X)
    assert H.shape == (300, 8) and np.all((H > 0) & (H < 1))
    V = dbn.inverse_transform(H)
    assert V.shape == X.shape and np.all((V > 0) & (V < 1))
    first, second = dbn.layers_
    assert_reproducible(V, first.inverse_transform(second.inverse_transform(H)))
    with pytest.raises(ValueError, match="top layer has 8 units"):
        dbn.inverse_transform(H[:, :3])
    assert list(dbn.get_feature_names_out()[:2]) == ["dbn0", "dbn1"]


def test_sample_stream_shapes_and_dtypes(digits):
    X, _ = digits
    dbn = _small().fit(X)
    first, second = dbn.sample(4), dbn.sample(4)
    assert first.shape == (4, 64) and first.dtype == np.float64
    assert set(np.unique(first)) <= {0.0, 1.0}
    assert not np.array_equal(first, second)
    assert_reproducible(_small().fit(X).sample(4), first)
    assert_reproducible(dbn.sample(3, random_state=7), dbn.sample(3, random_state=7))
    assert dbn.sample(0).shape == (0, 64)
    with pytest.raises(ValueError, match="n_samples"):
        dbn.sample(-1)
    float32 = _small().fit(X.astype(np.float32))
    assert float32.sample(2).dtype == np.float32
    assert float32.transform(X.astype(np.float32)).dtype == np.float32
    assert float32.score_samples(X[:3]).dtype == np.float64


def test_gaussian_visible_in_a_pipeline():
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=(200, 3)), np.full(200, 5.0)]
    pipe = Pipeline([("scale", StandardScaler()), ("dbn", _small(visible="gaussian", learning_rate=0.01))]).fit(X)
    dbn = pipe.named_steps["dbn"]
    assert isinstance(dbn.layers_[0], GaussianBinaryRBM) and isinstance(dbn.layers_[1], BernoulliRBM)
    assert np.all(np.isfinite(pipe.score_samples(X)))
    drawn = dbn.sample(50, random_state=0)
    assert drawn.shape == (50, 4) and len(np.unique(drawn)) > 100  # real-valued draws


def test_pipeline_and_grid_search(digits):
    X, y = digits
    # briefly trained top units stay near 1/2: standardise them for the classifier
    steps = [("dbn", _small(n_iter=10, learning_rate=0.2)), ("scale", StandardScaler())]
    pipe = Pipeline(steps + [("logistic", LogisticRegression(max_iter=1000))])
    search = GridSearchCV(pipe, {"dbn__hidden_layer_sizes": [(16, 8), (16, 16)]}, cv=2).fit(X, y)
    assert search.score(X, y) > 0.4  # chance is 0.1
    # on its own the DBN is ranked by its held-out bound
    alone = GridSearchCV(_small(), {"hidden_layer_sizes": [(8,), (16, 4)]}, cv=2).fit(X)
    assert np.all(np.isfinite(alone.cv_results_["mean_test_score"]))


def test_pickle_round_trip(digits):
    X, _ = digits
    dbn = _small(hidden_layer_sizes=(8, 24), n_ais_chains=4, n_ais_betas=20).fit(X)
    expected = dbn.score_samples(X[:5])
    restored = pickle.loads(pickle.dumps(dbn))
    assert_reproducible(restored.score_samples(X[:5]), expected)
    assert_reproducible(restored.sample(3), dbn.sample(3))
    assert restored.log_z_ == dbn.log_z_


def test_one_progress_bar_across_layers(digits, capsys):
    X, _ = digits
    _small(verbose=1).fit(X)
    err = capsys.readouterr().err
    assert err.count("6/6") >= 1 and "3/3" not in err  # one bar over 2 layers x 3 epochs, none per layer
    assert "layer=2/2" in err and "train_loss" in err
    dbn = _small(verbose=2).fit(X)
    out = capsys.readouterr().out
    assert out.count("[DBN layer 1/2] epoch") == 3 and out.count("[DBN layer 2/2] epoch") == 3
    # nothing of the report stays in the fitted model
    assert all(layer.callbacks is None for layer in dbn.layers_)
    pickle.dumps(_small(verbose=1).fit(X))


def test_partial_fit_trains_every_layer_one_epoch(digits):
    X, _ = digits
    dbn = _small().partial_fit(X)
    assert dbn.n_iter_ == 1 and [layer.n_iter_ for layer in dbn.layers_] == [1, 1]
    dbn.partial_fit(X[:100])
    assert dbn.n_iter_ == 2 and [row["layer"] for row in dbn.history_] == [1, 2, 1, 2]
    assert [row["epoch"] for row in dbn.history_] == [1, 1, 2, 2]
    # the first call is a one-epoch fit
    assert_reproducible(_small(n_iter=1).fit(X).transform(X), _small().partial_fit(X).transform(X))
    # hyperparameters in effect are the current ones
    dbn.set_params(learning_rate=1e-12)
    before = dbn.transform(X)
    dbn.partial_fit(X)
    np.testing.assert_allclose(dbn.transform(X), before, atol=1e-6)
    with pytest.raises(ValueError, match="partial_fit cannot continue.*hidden_layer_sizes"):
        dbn.set_params(hidden_layer_sizes=(16, 4)).partial_fit(X)
    with pytest.raises(ValueError, match="64 features"):
        _small().fit(X).partial_fit(X[:, :10])


def test_divergence_names_the_layer_and_the_epoch(digits):
    X, _ = digits
    with pytest.raises(DivergenceError, match=r"DBN layer 1 of 2 \(BernoulliRBM, 64 -> 16 units.*epoch \d+.*learning_rate"):
        _small(learning_rate=1e6, n_iter=20).fit(X)
    # a failed fit leaves the previous model in place
    dbn = _small().fit(X)
    before = dbn.transform(X[:5])
    with pytest.raises(DivergenceError):
        dbn.set_params(learning_rate=1e6, n_iter=20).fit(X)
    assert_reproducible(dbn.transform(X[:5]), before)


def test_ctrl_c_keeps_a_usable_model(digits, monkeypatch):
    X, _ = digits
    report = _dbn._LayerMonitor.on_epoch_end

    def interrupt_in_epoch_two_of_layer_one(self, net, **kwargs):
        report(self, net, **kwargs)
        if self.layer_index == 0 and len(net.history) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(_dbn._LayerMonitor, "on_epoch_end", interrupt_in_epoch_two_of_layer_one)
    with pytest.warns(RuntimeWarning, match="interrupted in layer 1 of 2"):
        dbn = _small().fit(X)
    assert [layer.n_iter_ for layer in dbn.layers_] == [2, 0] and dbn.n_iter_ == 0
    assert dbn.sample(2).shape == (2, 64) and np.all(np.isfinite(dbn.score_samples(X[:3])))


@pytest.mark.parametrize(
    "params, X, match",
    [
        ({}, np.array([[0.0, np.nan], [1.0, 0.0]]), "NaN"),
        ({}, np.array([[0.0, np.inf], [1.0, 0.0]]), "infinity"),
        ({}, np.array([0.0, 1.0, 1.0]), "2D array"),
        ({}, np.empty((0, 3)), "0 sample"),
        ({}, np.array([["a", "b"], ["c", "d"]], dtype=object), "could not convert|string"),
        ({"hidden_layer_sizes": ()}, np.eye(3), "hidden_layer_sizes"),
        ({"hidden_layer_sizes": (4, 0)}, np.eye(3), "hidden_layer_sizes"),
        ({"visible": "poisson"}, np.eye(3), "visible"),
        ({"device": "not-a-device"}, np.eye(3), "device"),
    ],
)
def test_bad_input_raises_value_error(params, X, match):
    with pytest.raises(ValueError, match=match):
        _small(**params).fit(X)


def test_unfitted_and_wrong_width(digits):
    X, _ = digits
    for method in ("transform", "score_samples", "inverse_transform"):
        with pytest.raises(NotFittedError):
            getattr(_small(), method)(X)
    with pytest.raises(NotFittedError):
        _small().sample(2)
    with pytest.raises(NotFittedError):
        _small().log_z_
    dbn = _small().fit(X)
    with pytest.raises(ValueError, match="64 features"):
        dbn.score_samples(X[:, :10])


def test_sparse_input_gives_the_same_model(digits):
    X, _ = digits
    dense, sparse = _small().fit(X), _small().fit(sp.csr_matrix(X))
    np.testing.assert_allclose(dense.transform(X), sparse.transform(sp.csr_matrix(X)), rtol=1e-10)
    np.testing.assert_allclose(dense.score_samples(X[:5]), sparse.score_samples(sp.csr_matrix(X[:5])), rtol=1e-10)


def test_set_params_after_fit_leaves_the_fitted_model_alone(digits):
    X, _ = digits
    dbn, twin = _small().fit(X), _small().fit(X)
    dbn.set_params(hidden_layer_sizes=(4,), visible="gaussian", n_gibbs_steps=10)
    assert_reproducible(dbn.transform(X[:5]), twin.transform(X[:5]))
    assert_reproducible(dbn.score_samples(X[:5]), twin.score_samples(X[:5]))
    assert_reproducible(dbn.sample(2, random_state=0), twin.sample(2, random_state=0))
    assert len(dbn.get_feature_names_out()) == 8
    with pytest.raises(ValueError, match="partial_fit cannot continue: hidden_layer_sizes, visible changed"):
        dbn.partial_fit(X)
