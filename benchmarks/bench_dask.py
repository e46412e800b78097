"""Benchmark: a grid search on a 2-worker Dask cluster against the same search run serially.

Workload
    ``GridSearchCV`` of ``VAE(likelihood="bernoulli", max_iter=20)`` on
    scikit-learn's digits (X / 16): ``n_components`` in {2, 4, 8, 16} x
    ``learning_rate`` in {1e-3, 3e-3}, 3 folds (24 fits and the refit),
    ``device="cpu"``, ``random_state=0``. Run serially (``n_jobs=1``), then on a
    ``dask.distributed.LocalCluster(n_workers=2, threads_per_worker=1,
    processes=True)`` through ``joblib.parallel_backend("dask")``
    (``n_jobs=-1``); the cluster's start-up is timed separately. The two
    searches must agree exactly (best parameters and every mean test score):
    each fit depends only on its random_state.

Targets
    * identical ``best_params_`` and ``cv_results_["mean_test_score"]``;
    * context (no target): the speed-up of the cluster search over the
      serial one; on a quiet 2-core machine about 1.8x is the most to expect.

Command
    pip install -e ".[distributed]"
    python benchmarks/bench_dask.py
"""

import time

import joblib
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from _report import print_summary
from skgen import VAE

GRID = {"n_components": [2, 4, 8, 16], "learning_rate": [1e-3, 3e-3]}


def search(n_jobs):
    estimator = VAE(likelihood="bernoulli", max_iter=20, device="cpu", random_state=0)
    return GridSearchCV(estimator, GRID, cv=3, n_jobs=n_jobs)


def main():
    X = load_digits().data / 16.0
    start = time.perf_counter()
    serial = search(1).fit(X)
    serial_seconds = time.perf_counter() - start
    print(f"serial: {serial_seconds:.1f} s, best {serial.best_params_}")

    start = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster):
            startup_seconds = time.perf_counter() - start
            start = time.perf_counter()
            with joblib.parallel_backend("dask"):
                distributed = search(-1).fit(X)
            cluster_seconds = time.perf_counter() - start
    print(f"dask, 2 workers: {cluster_seconds:.1f} s (+ {startup_seconds:.1f} s to start the cluster), "
          f"best {distributed.best_params_}")

    same = distributed.best_params_ == serial.best_params_ and np.array_equal(
        distributed.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    print_summary([
        ("same best_params_ and mean test scores as serial", str(same), "True", same),
        ("serial search (s)", f"{serial_seconds:.1f}", None, None),
        ("2-worker Dask search (s, cluster start-up excluded)", f"{cluster_seconds:.1f}", None, None),
        ("speed-up over serial", f"{serial_seconds / cluster_seconds:.2f}x", None, None),
    ])


if __name__ == "__main__":
    main()
