"""Benchmark: host memory a fit allocates before its first epoch.

Workload
    60000 x 784 float32 rows (random binary pixels, the size of MNIST's
    training set). Each estimator is fitted with zero epochs on the CPU, the
    fit wrapped in ``tracemalloc`` (NumPy registers its allocations with it;
    torch's own allocator is not traced), after a tiny warm-up fit so that
    first-call costs of the process do not count. The figure is NumPy's peak
    allocation during ``fit`` divided by X's size.

Targets
    * BernoulliRBM and GaussianBinaryRBM: peak <= 0.5x X (statistics computed
      on the device, no host copy of X);
    * VAE, GAN, WGAN and CGAN: peak <= 1.5x X (they may keep one scaled copy).

Command
    python benchmarks/bench_fit_memory.py
"""

import tracemalloc

import numpy as np

from _report import print_summary
from skgen import CGAN, GAN, VAE, WGAN, BernoulliRBM, GaussianBinaryRBM

N_ROWS, N_FEATURES = 60000, 784
CASES = [
    ("BernoulliRBM", lambda: BernoulliRBM(n_components=500, n_iter=0, device="cpu"), 0.5),
    ("GaussianBinaryRBM", lambda: GaussianBinaryRBM(n_components=500, n_iter=0, device="cpu"), 0.5),
    ("VAE", lambda: VAE(max_iter=0, device="cpu"), 1.5),
    ("GAN", lambda: GAN(max_iter=0, device="cpu"), 1.5),
    ("WGAN", lambda: WGAN(max_iter=0, device="cpu"), 1.5),
    ("CGAN", lambda: CGAN(max_iter=0, device="cpu"), 1.5),
]


def peak_ratio(make, X, y):
    estimator = make()
    fit_args = (X, y) if isinstance(estimator, CGAN) else (X,)
    estimator.fit(*(a[:200] for a in fit_args))  # warm-up
    tracemalloc.start()
    try:
        estimator.fit(*fit_args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / X.nbytes


def main():
    rng = np.random.RandomState(0)
    X = (rng.uniform(size=(N_ROWS, N_FEATURES)) < 0.2).astype(np.float32)
    y = rng.randint(10, size=N_ROWS)
    print(f"X: {N_ROWS} x {N_FEATURES} float32, {X.nbytes / 2**20:.0f} MiB; fits with zero epochs on the CPU")
    rows = []
    for name, make, budget in CASES:
        ratio = peak_ratio(make, X, y)
        rows.append((f"{name}: NumPy peak during fit / size of X", f"{ratio:.3f}", f"<= {budget}", ratio <= budget))
    print_summary(rows)


if __name__ == "__main__":
    main()
