"""Behaviour of the RBM estimators as scikit-learn users meet it."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

from conftest import DEVICE, assert_reproducible
from skgen import BernoulliRBM, DivergenceError, GaussianBinaryRBM


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X[:400] / 16.0, y[:400]


def _small(cls=BernoulliRBM, **params):
    defaults = dict(n_components=16, n_iter=3, n_gibbs_steps=10, random_state=0, device=DEVICE)
    return cls(**{**defaults, **params})


def _same_parameters(a, b):
    return all(
        np.array_equal(getattr(a, name), getattr(b, name))
        for name in ("components_", "intercept_hidden_", "intercept_visible_", "h_samples_")
    )


def test_pipeline_and_grid_search(digits):
    X, y = digits
    pipe = Pipeline([("rbm", _small(n_iter=10, learning_rate=0.05)), ("logistic", LogisticRegression(max_iter=1000))])
    search = GridSearchCV(pipe, {"rbm__n_components": [16, 32]}, cv=2).fit(X, y)
    assert search.best_params_["rbm__n_components"] in (16, 32)
    assert search.score(X, y) > 0.2  # chance is 0.1; sklearn's RBM scores alike here


def test_grid_search_on_the_rbm_alone_ranks_by_likelihood(digits):
    X, _ = digits
    search = GridSearchCV(_small(), {"n_components": [4, 12]}, cv=2).fit(X)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.score(X) == pytest.approx(np.mean(search.best_estimator_.score_samples(X)))


def test_same_random_state_gives_the_same_model(digits):
    X, _ = digits
    a, b = _small().fit(X), _small().fit(X)
    assert _same_parameters(a, b)
    assert_reproducible(a.sample(5, random_state=3), b.sample(5, random_state=3))
    assert not np.array_equal(a.components_, _small(random_state=1).fit(X).components_)


def test_sample_stream_and_shapes(digits):
    X, _ = digits
    est = _small().fit(X)
    first, second = est.sample(4), est.sample(4)
    assert first.shape == (4, 64) and first.dtype == np.float64
    assert set(np.unique(first)) <= {0.0, 1.0}
    assert not np.array_equal(first, second)
    # the stream itself is reproducible
    again = _small().fit(X)
    assert_reproducible(again.sample(4), first)
    assert est.sample(0).shape == (0, 64)
    with pytest.raises(ValueError, match="n_samples"):
        est.sample(-1)


def test_float32_is_preserved(digits):
    X, _ = digits
    est = _small().fit(X.astype(np.float32))
    assert est.transform(X.astype(np.float32)).dtype == np.float32
    assert est.sample(2).dtype == np.float32
    assert est.components_.dtype == np.float32


def test_sparse_input_gives_the_same_model(digits):
    X, _ = digits
    dense, sparse = _small().fit(X), _small().fit(sp.csr_matrix(X))
    np.testing.assert_allclose(dense.components_, sparse.components_, rtol=1e-12)
    np.testing.assert_allclose(dense.transform(X), sparse.transform(sp.csr_matrix(X)), rtol=1e-12)


def test_transform_inverse_transform_gibbs_free_energy(digits):
    X, _ = digits
    est = _small().fit(X)
    H = est.transform(X)
    assert H.shape == (400, 16) and np.all((H > 0) & (H < 1))
    V = est.inverse_transform(H)
    assert V.shape == X.shape and np.all((V > 0) & (V < 1))
    with pytest.raises(ValueError, match="n_components=16"):
        est.inverse_transform(H[:, :3])
    v = est.gibbs(X[:5])
    assert v.shape == (5, 64) and set(np.unique(v)) <= {0.0, 1.0}
    F = est.free_energy(X)
    np.testing.assert_allclose(est.score_samples(X), -F - est.log_z_)
    assert est.get_feature_names_out()[0] == "bernoullirbm0"


def test_pseudo_likelihood_is_the_mean_of_sklearns_estimate(digits):
    X, _ = digits
    est = _small().fit(X)
    v = (X[:3] > 0.5).astype(float)
    F = est.free_energy
    expected = [
        np.mean([64 * -np.logaddexp(0, -(F(_flip(row, i)) - F(row[None]))) for i in range(64)]) for row in v
    ]
    np.testing.assert_allclose(est.pseudo_likelihood(v), np.ravel(expected), rtol=1e-10)
    assert_reproducible(est.pseudo_likelihood(v), est.pseudo_likelihood(v))


def _flip(row, i):
    flipped = row[None].copy()
    flipped[0, i] = 1 - flipped[0, i]
    return flipped


def test_partial_fit_continues_and_resets_log_z(digits):
    X, _ = digits
    est = _small(n_ais_chains=4, n_ais_betas=20).partial_fit(X)
    assert est.n_iter_ == 1
    log_z = est.log_z_
    est.partial_fit(X)
    assert est.n_iter_ == 2 and len(est.history_) == 2
    assert [row["epoch"] for row in est.history_] == [1, 2]
    assert est.log_z_ != log_z
    # a full fit starts again
    assert est.fit(X).n_iter_ == 3


def test_partial_fit_uses_the_current_hyperparameters(digits):
    X, _ = digits
    est = _small().fit(X)
    before = est.components_
    est.set_params(learning_rate=1e-12, momentum=0.5)
    est.partial_fit(X)
    assert est.net_.lr == 1e-12 and est.net_.optimizer_ is not None
    np.testing.assert_allclose(est.components_, before, atol=1e-9)


@pytest.mark.parametrize("cls", [BernoulliRBM, GaussianBinaryRBM])
def test_average_is_the_mean_of_the_iterates(digits, cls):
    """One mini-batch per epoch: the iterate after each partial_fit is that of an unaveraged twin."""
    # Gaussian units want standardised rows (near-constant pixels would make them diverge)
    X = digits[0][:40] if cls is BernoulliRBM else np.random.RandomState(0).normal(size=(40, 8))
    plain = _small(cls, batch_size=40, learning_rate=0.2)
    averaged = _small(cls, batch_size=40, learning_rate=0.2, average=81)  # from the 3rd update (120 rows seen)
    iterates = []
    for _ in range(6):
        plain.partial_fit(X)
        averaged.partial_fit(X)
        iterates.append([plain.components_, plain.intercept_hidden_, plain.intercept_visible_])
    for i, name in enumerate(("components_", "intercept_hidden_", "intercept_visible_")):
        expected = np.mean([it[i] for it in iterates[2:]], axis=0)
        np.testing.assert_allclose(getattr(averaged, name), expected, rtol=1e-12, atol=1e-12)
    # the chain and the iterate went on unchanged by the averaging
    assert_reproducible(averaged.h_samples_, plain.h_samples_)


def test_average_true_fit_and_its_interplay_with_partial_fit_and_pickle(digits):
    X, _ = digits
    one_go = _small(average=True, n_iter=4).fit(X)
    assert int(one_go.net_.module_.n_averaged) == 4 * len(X) // 10  # every update of batch_size 10
    # averaging changes the model, not the iterate it comes from
    iterate = _small(n_iter=4).fit(X)
    assert not np.allclose(one_go.components_, iterate.components_)
    assert_reproducible(one_go.h_samples_, iterate.h_samples_)
    # an averaged fit interrupted by pickling goes on exactly as uninterrupted
    first = _small(average=True).partial_fit(X).partial_fit(X)
    resumed = pickle.loads(pickle.dumps(first)).partial_fit(X)
    straight = _small(average=True).partial_fit(X).partial_fit(X).partial_fit(X)
    assert _same_parameters(resumed, straight)
    # before the threshold the model is the iterate itself
    late = _small(average=10**6).partial_fit(X)
    assert _same_parameters(late, _small().partial_fit(X))
    # switching averaging off continues from the iterate, which becomes the model
    switched = _small(average=True).partial_fit(X).set_params(average=False).partial_fit(X)
    assert _same_parameters(switched, _small().partial_fit(X).partial_fit(X))
    # setting a parameter makes the model as set the starting point of training
    edited = _small(average=True).partial_fit(X)
    edited.components_ = iterate.components_
    assert not edited.net_.module_.has_averages()
    np.testing.assert_array_equal(edited.components_, iterate.components_)
    with pytest.raises(ValueError, match="average"):
        _small(average=-1).fit(X)


def test_history_and_verbose_output(digits, capsys):
    X, _ = digits
    est = _small(verbose=2).fit(X)
    assert [row["epoch"] for row in est.history_] == [1, 2, 3]
    assert all("train_loss" in row and "dur" in row for row in est.history_)
    out = capsys.readouterr().out
    assert out.count("[BernoulliRBM] epoch") == 3 and "train_loss" in out
    _small(verbose=1).fit(X)
    err = capsys.readouterr().err
    assert "train_loss" in err and "3/3" in err


def test_user_callbacks_are_called(digits):
    X, _ = digits

    class CountEpochs(Callback):
        def initialize(self):
            self.epochs = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1

    est = _small(callbacks=[CountEpochs()]).fit(X)
    assert dict(est.net_.callbacks_)["user_0"].epochs == 3


def test_early_stopping_keeps_the_best_epoch(digits):
    X, _ = digits
    est = _small(early_stopping=True, n_iter=200, n_iter_no_change=2, tol=10.0).fit(X)
    assert est.n_iter_ < 200
    assert "valid_loss" in est.history_[0]
    with pytest.raises(ValueError, match="1 sample"):
        _small(early_stopping=True).fit(X[:1])


@pytest.mark.parametrize("average", [False, True])
def test_ctrl_c_keeps_the_last_complete_epoch(digits, average):
    X, _ = digits

    class InterruptInEpochTwo(Callback):
        def on_batch_end(self, net, training=False, **kwargs):
            if training and len(net.history) == 2:
                raise KeyboardInterrupt

    with pytest.warns(RuntimeWarning, match="after epoch 1"):
        est = _small(callbacks=[InterruptInEpochTwo()], average=average).fit(X)
    assert est.n_iter_ == 1
    one_epoch = _small(n_iter=1, average=average).fit(X)
    assert_reproducible(est.components_, one_epoch.components_)
    assert est.sample(2).shape == (2, 64)


def test_divergence_names_the_epoch():
    X = np.random.RandomState(0).normal(size=(50, 4))
    rbm = GaussianBinaryRBM(n_components=4, learning_rate=1e3, learn_sigma=True, n_iter=3, device=DEVICE, random_state=0)
    with pytest.raises(DivergenceError, match="epoch 1.*learning_rate"):
        rbm.fit(X)


def test_pickle_and_joblib_round_trip(digits, tmp_path):
    X, _ = digits
    est = _small(n_ais_chains=4, n_ais_betas=20, n_components=24).fit(X)
    expected = est.score_samples(X[:5])
    restored = pickle.loads(pickle.dumps(est))
    assert_reproducible(restored.score_samples(X[:5]), expected)
    assert_reproducible(restored.sample(3), est.sample(3))
    joblib.dump(est, tmp_path / "rbm.joblib")
    assert_reproducible(joblib.load(tmp_path / "rbm.joblib").transform(X[:5]), est.transform(X[:5]))


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[0.0, np.nan], [1.0, 0.0]]), "NaN"),
        (np.array([[0.0, np.inf], [1.0, 0.0]]), "infinity"),
        (np.array([0.0, 1.0, 1.0]), "2D array"),
        (np.empty((0, 3)), "0 sample"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), "could not convert|string"),
    ],
)
def test_bad_input_raises_value_error(X, match):
    with pytest.raises(ValueError, match=match):
        _small().fit(X)


def test_wrong_width_and_unfitted(digits):
    X, _ = digits
    with pytest.raises(NotFittedError):
        _small().transform(X)
    with pytest.raises(NotFittedError):
        _small().sample(2)
    est = _small().fit(X)
    with pytest.raises(ValueError, match="64 features"):
        est.transform(X[:, :10])
    with pytest.raises(ValueError, match="device"):
        _small(device="not-a-device").fit(X)


def test_gaussian_rbm_in_a_pipeline_with_constant_columns():
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=(300, 3)), np.full(300, 5.0)]
    pipe = Pipeline([("scale", StandardScaler()), ("rbm", _small(GaussianBinaryRBM, n_components=6))]).fit(X)
    rbm = pipe.named_steps["rbm"]
    assert rbm.sigma_[-1] == 1.0
    assert np.all(np.isfinite(pipe.score_samples(X)))
    assert pipe.transform(X).shape == (300, 6)
    np.testing.assert_allclose(rbm.intercept_visible_, StandardScaler().fit_transform(X).mean(0), atol=0.5)


def test_set_output_pandas(digits):
    pd = pytest.importorskip("pandas")
    X, _ = digits
    out = _small().set_output(transform="pandas").fit(X).transform(X)
    assert isinstance(out, pd.DataFrame) and list(out.columns)[:2] == ["bernoullirbm0", "bernoullirbm1"]


def test_values_outside_the_unit_interval_are_accepted_with_a_warning(digits):
    X, _ = digits
    with pytest.warns(UserWarning, match=r"outside \[0, 1\].*score_samples"):
        est = _small().fit(X * 16)  # unscaled digits: values up to 16, as sklearn's RBM accepts
    assert np.all(np.isfinite(est.transform(X * 16)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _small().fit(X)  # in [0, 1]: no warning
