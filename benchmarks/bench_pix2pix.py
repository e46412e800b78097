"""Benchmark: pix2pix against the same U-Net trained with L1 alone, on two digit-completion tasks.

Workload
    * Data: scikit-learn's digits (``load_digits``), pixels / 16 as float32,
      split once by ``train_test_split(test_size=0.25, stratify=y,
      random_state=0)`` (1347 training and 450 held-out images).
    * Tasks, inputs and targets both 8x8 images (so one ``image_shape``
      serves both):
      (a) "upper half": the input is the digit with its lower four rows set
          to 0; the whole digit is to be produced;
      (b) "4x4 blocks": the input is the digit averaged over 2x2 blocks (a
          4x4 digit, shown at 8x8); the 8x8 digit is to be produced.
    * Models: ``skgen.Pix2Pix(**SETTINGS, random_state=r)`` and the same
      with ``adversarial_weight=0`` (the same U-Net, L1 alone), for
      r = 0, 1, 2 (interleaved: per repetition, task (a) L1 then pix2pix,
      then task (b)). ``SETTINGS`` is used unchanged for both tasks.
    * Figures per task, on the held-out images, for ``predict``'s outputs
      (dropout off; clipped to [0, 1]):
      - held-out L1: mean absolute error per pixel;
      - accuracy: an ``SVC()`` fitted on the real training digits labels the
        produced images, compared with the true digits (and, for reference,
        its accuracy on the real held-out digits);
      - sharpness: the share of pixels within 0.1 of 0 or 1, for the real
        held-out digits, the L1-only outputs and pix2pix's.

Targets (each repetition must meet each)
    * task (b): pix2pix's accuracy >= 0.9x the accuracy on the real
      held-out digits;
    * both tasks: pix2pix's sharpness closer to the real digits' than
      L1-alone's (the paper's claim that the cGAN term undoes L1's blur).

Command
    python benchmarks/bench_pix2pix.py            # 3 repetitions
    python benchmarks/bench_pix2pix.py --quick    # smoke run: 1 repetition, 2 epochs
"""

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from _report import print_summary
from skgen import Pix2Pix

# Pix2Pix keyword arguments, used unchanged for both tasks and every repetition.
SETTINGS = {
    "image_shape": (1, 8, 8),
    "l1_weight": 100.0,
    "adversarial_weight": 1.0,
    "dropout": 0.5,
    "learning_rate": 2e-4,
    "batch_size": 64,
    "max_iter": 60,
}

N_REPS = 3
MIN_ACCURACY_RATIO = 0.9
SHARP_TOLERANCE = 0.1


def upper_half(images):
    """The digits with their lower four rows set to 0."""
    return np.where(np.arange(64) < 32, images, 0.0).astype(images.dtype)


def block_average(images):
    """The digits averaged over 2x2 blocks, each block filled with its mean (8x8 again)."""
    blocks = images.reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4))
    return np.repeat(np.repeat(blocks, 2, axis=1), 2, axis=2).reshape(-1, 64).astype(images.dtype)


TASKS = {"(a) upper half": upper_half, "(b) 4x4 blocks": block_average}


def sharpness(images):
    """Share of pixels within 0.1 of 0 or 1."""
    return float(np.mean((images <= SHARP_TOLERANCE) | (images >= 1 - SHARP_TOLERANCE)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 repetition, 2 epochs")
    parser.add_argument("--reps", type=int, default=None, help=f"repetitions (default {N_REPS}, 1 with --quick)")
    args = parser.parse_args()
    n_reps = args.reps if args.reps is not None else (1 if args.quick else N_REPS)
    settings = dict(SETTINGS, max_iter=2) if args.quick else dict(SETTINGS)

    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    classifier = SVC().fit(X_train, y_train)
    real_accuracy = classifier.score(X_test, y_test)
    real_sharpness = sharpness(X_test)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads, "
          f"device {'cuda' if torch.cuda.is_available() else 'cpu'}")
    print(f"Pix2Pix SETTINGS: {settings}")
    print(f"{len(X_train)} training and {len(X_test)} held-out digits; SVC() on the real held-out digits: "
          f"accuracy {real_accuracy:.3f}; their sharpness {real_sharpness:.3f}\n")

    results = {}  # (task, model) -> list of dicts per repetition
    for rep in range(n_reps):
        for task, make_input in TASKS.items():
            inputs_train, inputs_test = make_input(X_train), make_input(X_test)
            for model in ("L1 only", "pix2pix"):
                params = dict(settings, adversarial_weight=0.0) if model == "L1 only" else settings
                start = time.perf_counter()
                estimator = Pix2Pix(**params, random_state=rep).fit(inputs_train, X_train)
                seconds = time.perf_counter() - start
                produced = np.clip(estimator.predict(inputs_test), 0.0, 1.0)
                row = dict(
                    l1=float(np.abs(produced - X_test).mean()),
                    accuracy=float(classifier.score(produced, y_test)),
                    sharpness=sharpness(produced),
                    seconds=seconds,
                )
                results.setdefault((task, model), []).append(row)
                print(f"  rep {rep} {task:15s} {model:8s}: held-out L1 {row['l1']:.4f}, SVC accuracy "
                      f"{row['accuracy']:.3f}, sharpness {row['sharpness']:.3f}, fit {seconds:6.1f} s", flush=True)
        print()

    print(f"Per task, median over {n_reps} repetition(s) (real held-out digits: accuracy {real_accuracy:.3f}, "
          f"sharpness {real_sharpness:.3f})")
    print(f"  {'task':15s} {'model':8s} {'L1':>7s} {'accuracy':>9s} {'sharpness':>10s} {'fit s':>7s}")
    for (task, model), runs in results.items():
        med = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
        print(f"  {task:15s} {model:8s} {med['l1']:7.4f} {med['accuracy']:9.3f} {med['sharpness']:10.3f} "
              f"{med['seconds']:7.1f}")

    rows = []
    task_b = "(b) 4x4 blocks"
    ratios = [r["accuracy"] / real_accuracy for r in results[(task_b, "pix2pix")]]
    rows.append((f"{task_b}: pix2pix accuracy / real digits' (worst of {n_reps})", f"{min(ratios):.3f}",
                 f">= {MIN_ACCURACY_RATIO}", min(ratios) >= MIN_ACCURACY_RATIO))
    l1_ratios = [r["accuracy"] / real_accuracy for r in results[(task_b, "L1 only")]]
    rows.append((f"{task_b}: L1-only accuracy / real digits' (worst of {n_reps})", f"{min(l1_ratios):.3f}", None, None))
    for task in TASKS:
        gaps = [
            (abs(p["sharpness"] - real_sharpness), abs(l["sharpness"] - real_sharpness))
            for p, l in zip(results[(task, "pix2pix")], results[(task, "L1 only")])
        ]
        ok = all(p < l for p, l in gaps)
        worst = max(gaps, key=lambda g: g[0] - g[1])
        rows.append((f"{task}: sharpness gap to real, pix2pix vs L1 (worst of {n_reps})",
                     f"{worst[0]:.3f}/{worst[1]:.3f}", "pix2pix <", ok))
    print_summary(rows, title="Targets", widths=(62, 12, 10))
    if args.quick:
        print("  (--quick: a smoke run with 2 epochs; the verdicts mean nothing)")


if __name__ == "__main__":
    main()
