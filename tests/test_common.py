"""Promises every estimator keeps: portable pickles, fitted shapes, divergence caught, memory at fit."""

import copy
import io
import os
import pickle
import subprocess
import sys
import tracemalloc

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone, is_regressor
from sklearn.datasets import load_digits
from skorch import NeuralNet

from conftest import DEVICE, assert_reproducible
from skgen import CGAN, GAN, VAE, WGAN, BernoulliRBM, DivergenceError, GaussianBinaryRBM
from skgen import DBN
from skgen import EBGAN, InfoGAN, Pix2Pix
from skgen import EBM
from skgen.datasets import make_gaussian_mixture


def _digits():
    return load_digits().data[:200] / 16.0


def _ring():
    return make_gaussian_mixture("ring", 300, random_state=0)[0]


def _labelled_ring():
    X = _ring()
    return X, np.where(X[:, 0] > 0, "right", "left")


def _normal():
    return np.random.RandomState(0).normal(size=(200, 5))


def _regression():
    X = _normal()
    return X, X[:, :3] @ np.random.RandomState(1).normal(size=(3, 2))


def _digit_halves():
    images = _digits()
    return np.where(np.arange(64) < 32, images, 0.0), images


# name -> (estimator factory taking extra parameters, data factory returning fit's arguments,
#          {shape parameter: another value})
CASES = {
    "BernoulliRBM": (
        lambda **p: BernoulliRBM(**{"n_components": 6, "n_iter": 2, "n_gibbs_steps": 5, **p}),
        lambda: (_digits(),),
        {"n_components": 3},
    ),
    "BernoulliRBM-AIS": (
        lambda **p: BernoulliRBM(
            **{"n_components": 24, "n_iter": 1, "n_gibbs_steps": 5, "n_ais_chains": 4, "n_ais_betas": 30, **p}
        ),
        lambda: (_digits(),),
        {"n_components": 3},
    ),
    "GaussianBinaryRBM": (
        lambda **p: GaussianBinaryRBM(**{"n_components": 6, "n_iter": 2, "n_gibbs_steps": 5, **p}),
        lambda: (_normal(),),
        {"n_components": 3},
    ),
    "VAE": (
        lambda **p: VAE(**{"n_components": 2, "hidden_layer_sizes": (8,), "max_iter": 2, "n_importance": 5, **p}),
        lambda: (_digits(),),
        {"n_components": 3, "hidden_layer_sizes": (4, 4), "likelihood": "bernoulli", "scale": None},
    ),
    "VAE-conv": (
        lambda **p: VAE(
            **{"n_components": 2, "image_shape": (1, 8, 8), "likelihood": "bernoulli", "max_iter": 1, "n_importance": 3, **p}
        ),
        lambda: (_digits(),),
        {"n_components": 3, "image_shape": None},
    ),
    "GAN": (
        lambda **p: GAN(**{"n_components": 2, "hidden_layer_sizes": (8,), "max_iter": 2, **p}),
        lambda: (_ring(),),
        {"n_components": 3, "hidden_layer_sizes": (4,), "pack": 2, "scale": None},
    ),
    "GAN-mode-specific": (
        lambda **p: GAN(**{"n_components": 2, "hidden_layer_sizes": (8,), "max_iter": 1, "scale": "mode-specific", **p}),
        lambda: (_ring(),),
        {"scale": "standard"},
    ),
    "WGAN": (
        lambda **p: WGAN(**{"n_components": 2, "hidden_layer_sizes": (8,), "max_iter": 2, **p}),
        lambda: (_ring(),),
        {"n_components": 3, "pack": 3},
    ),
    "CGAN": (
        lambda **p: CGAN(**{"n_components": 2, "hidden_layer_sizes": (8,), "max_iter": 2, **p}),
        _labelled_ring,
        {"n_components": 3, "hidden_layer_sizes": (4,), "pack": 2},
    ),
    # "RBM" in the names: the DBN counts its epochs in n_iter, as the RBMs it stacks
    "DBN-BernoulliRBM": (
        lambda **p: DBN(**{"hidden_layer_sizes": (6, 4), "n_iter": 2, "n_gibbs_steps": 5, "n_posterior_samples": 5, **p}),
        lambda: (_digits(),),
        {"hidden_layer_sizes": (3,)},
    ),
    "DBN-GaussianBinaryRBM-AIS": (
        lambda **p: DBN(
            **{"hidden_layer_sizes": (6, 24, 24), "visible": "gaussian", "learning_rate": 0.01, "n_iter": 1,
               "n_gibbs_steps": 5, "n_posterior_samples": 5, "n_ais_chains": 4, "n_ais_betas": 30, **p}
        ),
        lambda: (_normal(),),
        {"hidden_layer_sizes": (3,)},
    ),
    "InfoGAN": (
        lambda **p: InfoGAN(
            **{"n_components": 2, "n_categories": 3, "n_continuous": 1, "hidden_layer_sizes": (8,), "max_iter": 2, **p}
        ),
        lambda: (_digits(),),
        {"n_categories": 4, "n_continuous": 2, "n_components": 3, "hidden_layer_sizes": (4,)},
    ),
    "EBGAN": (
        lambda **p: EBGAN(**{"n_components": 2, "hidden_layer_sizes": (8,), "code_size": 3, "max_iter": 2, **p}),
        lambda: (_ring(),),
        {"code_size": 2, "n_components": 3, "pack": 2, "scale": "mode-specific"},
    ),
    # a regressor: sample(X) translates given rows (see _results)
    "Pix2Pix": (
        lambda **p: Pix2Pix(**{"hidden_layer_sizes": (8, 4), "max_iter": 2, **p}),
        _regression,
        {"hidden_layer_sizes": (4,), "dropout": 0.0},
    ),
    "Pix2Pix-conv": (
        lambda **p: Pix2Pix(**{"image_shape": (1, 8, 8), "max_iter": 1, **p}),
        _digit_halves,
        {"image_shape": None},
    ),
    "EBM": (
        lambda **p: EBM(
            **{"hidden_layer_sizes": (8,), "max_iter": 2, "n_langevin_steps": 3, "buffer_size": 64, "n_sample_steps": 5,
               "n_ais_chains": 8, "n_ais_betas": 20, **p}
        ),
        lambda: (_ring(),),
        {"hidden_layer_sizes": (4,), "scale": None, "confinement": 0.5},
    ),
    "EBM-conv": (
        lambda **p: EBM(
            **{"image_shape": (1, 8, 8), "max_iter": 1, "n_langevin_steps": 2, "buffer_size": 32, "n_sample_steps": 2,
               "n_ais_chains": 4, "n_ais_betas": 10, **p}
        ),
        lambda: (_digits(),),
        {"image_shape": None},
    ),
}


def _fitted(name, **params):
    make, data, _ = CASES[name]
    args = data()
    return make(**{"random_state": 0, "device": DEVICE, **params}).fit(*args), args


def _sample_rows(est, n=3):
    drawn = est.sample(n, random_state=0)
    return drawn[0] if isinstance(drawn, tuple) else drawn


def _results(est, args):
    """Every method's output on the training rows, as arrays."""
    X = args[0]
    if is_regressor(est):  # Pix2Pix: translations of given rows, not draws from nothing
        return {"predict": est.predict(X[:5]), "sample": est.sample(X[:3], 2, random_state=0), "score": np.array([est.score(*args)])}
    out = {
        "sample": _sample_rows(est),
        "transform": est.transform(X[:5]),
        "score_samples": est.score_samples(X[:5]),
        "score": np.array([est.score(*args)]),
    }
    if hasattr(est, "inverse_transform"):
        out["inverse_transform"] = est.inverse_transform(out["transform"])
    if hasattr(est, "generate"):
        out["generate"] = est.generate(np.zeros((2, est._fitted("n_components"))))
    return out


# ------------------------------------------------------------ portable pickles
def _plainly_pickled_offenders(obj, path, seen):
    """Paths to torch modules with parameters, or floating-point tensors, that plain pickle would carry.

    A skorch net's own state is walked as skorch pickles it: what its
    ``cuda_dependent_attributes_`` name goes through skorch's device-mapping
    loader and is left out.
    """
    if id(obj) in seen or obj is None or isinstance(obj, (str, bytes, int, float, bool, np.ndarray, type)):
        return []
    seen.add(id(obj))
    if isinstance(obj, torch.Tensor):
        return [path] if obj.is_floating_point() else []
    if isinstance(obj, torch.nn.Module):
        return [path] if any(True for _ in obj.parameters()) else []
    if isinstance(obj, NeuralNet):
        state = obj.__getstate__()
        state.pop("__cuda_dependent_attributes__")
        return _plainly_pickled_offenders(state, path, seen)
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in _plainly_pickled_offenders(v, f"{path}[{k!r}]", seen)]
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [p for i, v in enumerate(obj) for p in _plainly_pickled_offenders(v, f"{path}[{i}]", seen)]
    state = obj.__getstate__() if hasattr(obj, "__getstate__") else getattr(obj, "__dict__", None)
    if isinstance(state, dict):
        return _plainly_pickled_offenders(state, path, seen)
    return []


@pytest.mark.parametrize("name", sorted(CASES))
def test_fitted_state_pickles_without_device_tensors(name):
    """Nothing device-bound sits in the plainly pickled state (constructor parameters are the user's own)."""
    est, _ = _fitted(name, verbose=1)
    state = est.__getstate__()
    for param in est.get_params(deep=False):
        state.pop(param, None)
    assert _plainly_pickled_offenders(state, "est", set()) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_pickle_joblib_deepcopy_and_clone_round_trip(name, tmp_path):
    est, args = _fitted(name)
    expected = _results(est, args)
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    for restored in (pickle.loads(pickle.dumps(est)), joblib.load(buffer), copy.deepcopy(est)):
        for method, values in _results(restored, args).items():
            assert_reproducible(values, expected[method])
    assert clone(est).get_params() == est.get_params()


_LOAD_ON_CPU = """
import pickle, sys, warnings
import numpy as np
import torch
assert not torch.cuda.is_available()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # skorch says it maps CUDA to the CPU
    est = pickle.load(open(sys.argv[1], "rb"))
X = np.load(sys.argv[2])
assert est.device_ == "cpu", est.device_
if hasattr(est, "score_samples"):
    drawn = est.sample(3, random_state=0)
    est.transform(X)
    np.save(sys.argv[3], est.score_samples(X))
else:  # a regressor (Pix2Pix)
    est.sample(X, 2, random_state=0)
    np.save(sys.argv[3], est.predict(X))
"""


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA to fit on it")
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_model_fitted_on_cuda_loads_where_cuda_is_absent(name, tmp_path):
    est, args = _fitted(name, device="cuda")
    X = args[0][:5]
    if name == "CGAN":
        X = X.astype(np.float64)
    scores = (lambda model: model.predict(X)) if is_regressor(est) else (lambda model: model.score_samples(X))
    # Scoring first fixes the AIS estimate of log Z, which is made once per fitted model and
    # travels with it. (A fresh estimate on the CPU would use the CPU's random stream, not
    # CUDA's, and agree only within log_z_std_.)
    expected = scores(est)
    with open(tmp_path / "model.pkl", "wb") as f:
        pickle.dump(est, f)
    np.save(tmp_path / "X.npy", X)
    environment = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run(
        [sys.executable, "-c", _LOAD_ON_CPU, tmp_path / "model.pkl", tmp_path / "X.npy", tmp_path / "scores.npy"],
        check=True,
        env=environment,
    )
    np.testing.assert_allclose(np.load(tmp_path / "scores.npy"), expected, rtol=1e-4, atol=1e-5)
    copied = copy.deepcopy(est)
    np.testing.assert_allclose(scores(copied), expected, rtol=1e-6)


# --------------------------------------------------------------- fitted shapes
@pytest.mark.parametrize("name", sorted(CASES))
def test_set_params_after_fit_changes_the_next_fit_only(name):
    make, data, other_shapes = CASES[name]
    est, args = _fitted(name)
    twin, _ = _fitted(name)
    est.set_params(**other_shapes)
    for method, values in _results(est, args).items():
        assert_reproducible(values, _results(twin, args)[method])
    if hasattr(est, "get_feature_names_out"):  # transformers
        assert list(est.get_feature_names_out()) == list(twin.get_feature_names_out())
    with pytest.raises(ValueError, match="partial_fit cannot continue.*" + next(iter(other_shapes))):
        est.partial_fit(*args)
    est.fit(*args)  # a new fit takes the new shapes
    assert est._fitted(next(iter(other_shapes))) == other_shapes[next(iter(other_shapes))]


# --------------------------------------------------------------- divergence
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_huge_learning_rate_ends_in_divergence_error(name):
    make, data, _ = CASES[name]
    with pytest.raises(DivergenceError, match=r"epoch \d+: .*learning_rate"):
        make(learning_rate=1e6, random_state=0, device=DEVICE, **_epochs(name, 20)).fit(*data())


def _epochs(name, n):
    return {"n_iter": n} if "RBM" in name else {"max_iter": n}


def test_divergence_advice_looks_at_the_data_scale():
    def message(est, X):
        with pytest.raises(DivergenceError) as raised:
            est.fit(X)
        return str(raised.value)

    unscaled = np.random.RandomState(0).normal(loc=1e4, scale=1e3, size=(200, 3))
    standard = np.random.RandomState(0).normal(size=(200, 3))
    # near-constant pixels give Gaussian units tiny standard deviations: the fit explodes
    assert "StandardScaler" in message(GaussianBinaryRBM(learning_rate=0.2, n_iter=5, device=DEVICE), _digits())
    assert "StandardScaler" not in message(GaussianBinaryRBM(learning_rate=1e6, n_iter=5, device=DEVICE), standard)
    assert 'scale="auto"' in message(GAN(scale=None, learning_rate=1e6, max_iter=5, device=DEVICE), unscaled)
    assert "scale" not in message(GAN(learning_rate=1e6, max_iter=5, device=DEVICE), unscaled).split("fit again")[1]
    # the VAE standardises by itself
    assert "scale" not in message(VAE(learning_rate=1e6, max_iter=5, device=DEVICE), unscaled).split("fit again")[1]


# --------------------------------------------------------------- small things
@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_zero_and_pandas_output(name):
    pd = pytest.importorskip("pandas")
    make, data, _ = CASES[name]
    args = data()
    columns = [f"f{i}" for i in range(args[0].shape[1])]
    if is_regressor(make()):  # Pix2Pix: sample(X) translates rows; a regressor's predictions stay arrays
        est = make(random_state=0, device=DEVICE).fit(pd.DataFrame(args[0], columns=columns), *args[1:])
        assert list(est.feature_names_in_) == columns
        assert est.sample(pd.DataFrame(args[0][:4], columns=columns), 3).shape[::2] == (4, 3)
        return
    est = make(random_state=0, device=DEVICE).set_output(transform="pandas").fit(pd.DataFrame(args[0], columns=columns), *args[1:])
    assert list(est.feature_names_in_) == columns
    empty = _sample_rows(est, 0)
    assert empty.shape == (0, len(columns))
    drawn = _sample_rows(est, 4)
    assert isinstance(drawn, pd.DataFrame) and list(drawn.columns) == columns


# ---------------------------------------------------------------- memory at fit
@pytest.mark.parametrize(
    "make, budget",
    [
        (lambda: BernoulliRBM(n_components=8, n_iter=0, device=DEVICE), 0.5),
        (lambda: GaussianBinaryRBM(n_components=8, n_iter=0, device=DEVICE), 0.5),
        (lambda: VAE(n_components=2, max_iter=0, device=DEVICE), 1.5),
        (lambda: GAN(n_components=2, max_iter=0, device=DEVICE), 1.5),
    ],
)
def test_fit_makes_no_host_copy_of_the_data(make, budget):
    """NumPy's peak allocations during a zero-epoch fit stay below ``budget`` times X's size."""
    X = (np.random.RandomState(0).uniform(size=(20000, 100)) < 0.3).astype(np.float32)
    est = make()
    est.fit(X[:100])  # first-call costs of the process (imports, caches) are not the data's
    tracemalloc.start()
    try:
        est.fit(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= budget * X.nbytes, f"numpy peak {peak / X.nbytes:.2f}x the size of X"
