"""Grid search across processes: a Dask cluster through joblib, and joblib's own process pool.

A fitted estimator's results depend only on its random_state, so a search
spread over worker processes must rank the candidates exactly as a serial one.
"""

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from conftest import DEVICE
from skgen import VAE, BernoulliRBM

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


def _searches():
    vae = GridSearchCV(
        VAE(n_components=2, hidden_layer_sizes=(16,), max_iter=3, n_importance=10, random_state=0, device=DEVICE),
        {"n_components": [2, 4], "learning_rate": [1e-3, 3e-3]},
        cv=2,
    )
    rbm = GridSearchCV(
        Pipeline(
            [
                ("rbm", BernoulliRBM(n_components=8, n_iter=3, random_state=0, device=DEVICE)),
                ("logistic", LogisticRegression(max_iter=500)),
            ]
        ),
        {"rbm__n_components": [8, 16], "rbm__learning_rate": [0.05, 0.1]},
        cv=2,
    )
    return {"vae": vae, "rbm": rbm}


def _fit_all(searches, digits):
    X, y = digits
    searches["vae"].fit(X)
    searches["rbm"].fit(X, y)
    return searches


def _same_results(a, b):
    for name in a:
        assert a[name].best_params_ == b[name].best_params_, name
        np.testing.assert_array_equal(
            a[name].cv_results_["mean_test_score"], b[name].cv_results_["mean_test_score"], err_msg=name
        )


@pytest.fixture(scope="module")
def serial(digits):
    return _fit_all(_searches(), digits)


def test_grid_search_on_a_dask_cluster_matches_the_serial_one(serial, digits):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster), joblib.parallel_backend("dask"):
            on_cluster = _searches()
            for search in on_cluster.values():
                search.set_params(n_jobs=-1)
            _fit_all(on_cluster, digits)
    _same_results(on_cluster, serial)


def test_grid_search_with_joblib_processes_matches_the_serial_one(serial, digits):
    in_processes = _searches()
    for search in in_processes.values():
        search.set_params(n_jobs=2)
    _same_results(_fit_all(in_processes, digits), serial)
