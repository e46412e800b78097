"""Benchmark: RBM features for digit classification (scikit-learn's own example).

Workload
    scikit-learn's example ``plot_rbm_logistic_classification.py``: the 1797
    8x8 digits, nudged by one pixel in four directions (8985 rows x 64 pixels,
    float32), scaled to [0, 1], split 80/20 (``random_state=0``). A
    ``BernoulliRBM(n_components=100, learning_rate=0.06, n_iter=10,
    random_state=0)`` (batch size 10, PCD-1) feeds
    ``LogisticRegression(solver="newton-cg", C=6000)`` in a ``Pipeline``. The
    pipeline is run with scikit-learn's RBM and with skgen's
    (``device="cpu"``), for ``random_state`` 0 .. ``--seeds`` - 1 (default
    0..9): a fit is chaotic, so one seed says little (the accuracy of either
    moves by about 0.004 from seed to seed).

Targets
    * accuracy: the median over the seeds of skgen's pipeline test accuracy
      >= scikit-learn's median over the same seeds - 0.002;
    * speed: median over interleaved runs (sklearn, skgen, sklearn, skgen, ...)
      of the per-run ratio skgen RBM fit time / scikit-learn RBM fit time <= 1.0.
      Only ``rbm.fit(X_train)`` is timed; torch is warmed up by a tiny fit first.

Command
    python benchmarks/bench_rbm_digits.py [--reps 3] [--seeds 10]
"""

import argparse
import os
import statistics
import time

import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import BernoulliRBM as SklearnRBM
from sklearn.pipeline import Pipeline

from _report import print_summary, verdict
from skgen import BernoulliRBM as SkgenRBM
from skgen.datasets import load_nudged_digits

RBM_PARAMS = dict(n_components=100, learning_rate=0.06, n_iter=10)
ACCURACY_TOLERANCE = 0.002
MAX_TIME_RATIO = 1.0


def make_rbms(seed=0):
    return {
        "sklearn": SklearnRBM(**RBM_PARAMS, random_state=seed),
        "skgen": SkgenRBM(**RBM_PARAMS, random_state=seed, device="cpu"),
    }


def pipeline_accuracy(rbm, X_train, X_test, Y_train, Y_test):
    pipeline = Pipeline([("rbm", rbm), ("logistic", LogisticRegression(solver="newton-cg", C=6000))])
    pipeline.fit(X_train, Y_train)
    return pipeline.score(X_test, Y_test)


def timed_fit(rbm, X):
    start = time.perf_counter()
    rbm.fit(X)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="interleaved timing runs (default 3)")
    parser.add_argument("--seeds", type=int, default=10, help="random_state 0 .. seeds - 1 for accuracy (default 10)")
    args = parser.parse_args()

    X_train, X_test, Y_train, Y_test = load_nudged_digits()  # the example's exact preprocessing
    print(f"digits: {X_train.shape[0]} train / {X_test.shape[0]} test rows x {X_train.shape[1]} features, "
          f"{X_train.dtype}; torch {torch.__version__}, {torch.get_num_threads()} intra-op threads")

    # Warm up torch and skorch (first-call costs of the process) with a tiny fit.
    SkgenRBM(n_components=8, n_iter=1, random_state=0, device="cpu").fit(X_train[:100])

    print(f"\nRBM fit times (interleaved); host load average {os.getloadavg()[0]:.2f} "
          "(times are only comparable on a quiet host):")
    times = {"sklearn": [], "skgen": []}
    for rep in range(args.reps):
        for name, rbm in make_rbms().items():
            times[name].append(timed_fit(rbm, X_train))
        ratio = times["skgen"][-1] / times["sklearn"][-1]
        print(f"  run {rep + 1}: sklearn {times['sklearn'][-1]:.3f} s, skgen {times['skgen'][-1]:.3f} s, "
              f"ratio {ratio:.3f}")
    print(f"  host load average after the timings: {os.getloadavg()[0]:.2f}")
    ratios = [g / s for g, s in zip(times["skgen"], times["sklearn"])]
    median_ratio = statistics.median(ratios)

    print(f"\nPipeline test accuracy (RBM + LogisticRegression(newton-cg, C=6000)), random_state 0..{args.seeds - 1}:")
    accuracies = {"sklearn": [], "skgen": []}
    for seed in range(args.seeds):
        for name, rbm in make_rbms(seed).items():
            accuracies[name].append(pipeline_accuracy(clone(rbm), X_train, X_test, Y_train, Y_test))
        print(f"  seed {seed}: sklearn {accuracies['sklearn'][-1]:.4f}, skgen {accuracies['skgen'][-1]:.4f}", flush=True)
    accuracy = {name: statistics.median(values) for name, values in accuracies.items()}
    for name, values in accuracies.items():
        print(f"  {name:8s} median {accuracy[name]:.4f}, mean {statistics.mean(values):.4f}, "
              f"min {min(values):.4f}, max {max(values):.4f}")

    accuracy_ok = accuracy["skgen"] >= accuracy["sklearn"] - ACCURACY_TOLERANCE
    speed_ok = median_ratio <= MAX_TIME_RATIO
    rows = [
        (f"test accuracy, sklearn pipeline (median of {args.seeds})", f"{accuracy['sklearn']:.4f}", "(reference)", None),
        (f"test accuracy, skgen pipeline (median of {args.seeds})", f"{accuracy['skgen']:.4f}",
         f">= {accuracy['sklearn'] - ACCURACY_TOLERANCE:.4f}", accuracy_ok),
        ("RBM fit time, sklearn (median, s)", f"{statistics.median(times['sklearn']):.3f}", None, None),
        ("RBM fit time, skgen (median, s)", f"{statistics.median(times['skgen']):.3f}", None, None),
        (f"fit time ratio skgen/sklearn (median of {args.reps})", f"{median_ratio:.3f}",
         f"<= {MAX_TIME_RATIO:.2f}", speed_ok),
    ]
    print_summary(rows, widths=(46, 10, 16))
    print(f"\n{verdict(accuracy_ok)}: median accuracy skgen {accuracy['skgen']:.4f} vs sklearn "
          f"{accuracy['sklearn']:.4f} (target >= sklearn - {ACCURACY_TOLERANCE})")
    print(f"{verdict(speed_ok)}: fit time ratio skgen/sklearn {median_ratio:.3f} (target <= {MAX_TIME_RATIO})")


if __name__ == "__main__":
    main()
