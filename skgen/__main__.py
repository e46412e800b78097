"""``python -m skgen``: a short demo of skgen's BernoulliRBM on scikit-learn's digits.

It runs the pipeline of scikit-learn's example "Restricted Boltzmann Machine
features for digit classification" (RBM features + logistic regression versus
logistic regression on raw pixels), then what scikit-learn's RBM cannot do:
an honest held-out log-likelihood in nats and fresh samples from the model.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from . import BernoulliRBM, __version__
from ._plotting import PLOT_HINT, image_grid
from .base import resolve_device, torch_threads
from .datasets import load_nudged_digits

# (full run, --quick): epochs, samples drawn, AIS temperatures.
_SETTINGS = {
    False: dict(n_iter=10, n_samples=64, n_ais_betas=10000),
    True: dict(n_iter=3, n_samples=32, n_ais_betas=1000),
}


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skgen",
        description=(
            "Fit skgen.BernoulliRBM + LogisticRegression on scikit-learn's digits (the "
            "pipeline of scikit-learn's 'RBM features for digit classification' example), "
            "print test accuracies next to logistic regression on raw pixels, the RBM's "
            "held-out log-likelihood in nats, and save pictures of the learned filters "
            "and of samples drawn from the model."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--output-dir", default="skgen-output", help="folder for the PNG pictures (created if missing)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="3 epochs, 32 samples, a rougher log Z: a few seconds"
    )
    parser.add_argument(
        "--device", default="auto", help='torch device: "auto" (CUDA if available, else the CPU), "cpu", "cuda:0"'
    )
    parser.add_argument("--random-state", type=int, default=0, help="seed of the RBM and of the samples")
    args = parser.parse_args(argv)
    try:
        resolve_device(args.device)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv=None):
    """Run the demo; ``argv`` defaults to the command line."""
    args = _parse_args(argv)
    # Every matrix here is small: one CPU thread is as fast as two, and it does not
    # slow down tenfold when other programs keep the cores busy.
    with threadpool_limits(limits=1), torch_threads(1):
        _demo(args, **_SETTINGS[args.quick])


def _demo(args, *, n_iter, n_samples, n_ais_betas):
    start = time.perf_counter()
    X_train, X_test, y_train, y_test = load_nudged_digits()
    rbm = BernoulliRBM(
        n_components=100,
        learning_rate=0.06,
        n_iter=n_iter,
        n_ais_betas=n_ais_betas,
        random_state=args.random_state,
        device=args.device,
    )
    rbm_features = Pipeline([("rbm", rbm), ("logistic", LogisticRegression(solver="newton-cg", C=6000))])
    raw_pixels = LogisticRegression(solver="newton-cg", C=100)

    print(f"skgen {__version__} demo: BernoulliRBM features for digit classification")
    print("Digits: 8x8 images and their one-pixel shifts in 4 directions, scaled to [0, 1]:")
    print(f"        {len(X_train)} training and {len(X_test)} test images.")
    rbm_features.fit(X_train, y_train)
    raw_pixels.fit(X_train, y_train)
    print("\nTest accuracy of logistic regression")
    print(f"  on RBM features ({rbm.n_components} hidden units)  {rbm_features.score(X_test, y_test):.4f}")
    print(f"  on raw pixels                        {raw_pixels.score(X_test, y_test):.4f}")
    fit_seconds = sum(row["dur"] for row in rbm.history_)
    print(
        f"  RBM: {rbm.n_iter_} epochs on {rbm.device_} in {fit_seconds:.1f} s, "
        f"training pseudo-log-likelihood {-rbm.history_[-1]['train_loss']:.2f}"
    )

    # The RBM's p(v) is a distribution over binary images, so its likelihood is
    # measured on binarised digits; independent pixels give a reference.
    train_bits, test_bits = (X_train > 0.5).astype(np.float32), (X_test > 0.5).astype(np.float32)
    tic = time.perf_counter()
    log_likelihood = rbm.score(test_bits)
    ais_seconds = time.perf_counter() - tic
    rate = train_bits.mean(axis=0).clip(1e-3, 1 - 1e-3)
    independent = np.mean(test_bits @ np.log(rate) + (1 - test_bits) @ np.log1p(-rate))
    print("\nHeld-out log-likelihood in nats per image (test digits binarised at 0.5,")
    print("so that it is an honest likelihood of binary data)")
    print(f"  BernoulliRBM        {log_likelihood:7.2f}")
    print(f"  independent pixels  {independent:7.2f}")
    print(
        f"  log Z = {rbm.log_z_:.3f} +/- {rbm.log_z_std_:.3f} (annealed importance sampling: "
        f"{rbm.n_ais_chains} chains x {rbm.n_ais_betas} temperatures, {ais_seconds:.1f} s)"
    )

    tic = time.perf_counter()
    samples = rbm.sample(n_samples, random_state=args.random_state)
    print(
        f"\nSamples: {len(samples)} draws of rbm.sample ({rbm.n_gibbs_steps} Gibbs sweeps each, "
        f"{time.perf_counter() - tic:.1f} s)"
    )
    print(f"  pixels on: {samples.mean():.1%} of the samples, {train_bits.mean():.1%} of the binarised digits")

    print("\nPictures")
    try:
        filters = image_grid(
            rbm.components_, (8, 8), Path(args.output_dir, "rbm_filters.png"), n_cols=10,
            title=f"{rbm.n_components} filters learned by the RBM",
        )
        drawn = image_grid(
            samples, (8, 8), Path(args.output_dir, "rbm_samples.png"), n_cols=8, vmin=0, vmax=1,
            title=f"{len(samples)} samples from the RBM",
        )
        print(f"  {filters}\n  {drawn}")
    except ImportError:
        print(f"  none: {PLOT_HINT}")
    print(f"\nDone in {time.perf_counter() - start:.1f} s.")


if __name__ == "__main__":
    main()
