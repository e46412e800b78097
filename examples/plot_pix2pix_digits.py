"""
============================================================================================
pix2pix on scikit-learn's digits: completing digits from their upper half or from 4x4 blocks
============================================================================================

For each of the two tasks of benchmarks/bench_pix2pix.py, fits ``Pix2Pix``
and the same U-Net trained with L1 alone (``adversarial_weight=0``) on 1347
digits, prints their held-out L1 error, and saves a grid of held-out digits
(one of each class per row) with the columns input | L1 only | pix2pix |
target.

Usage::

    python examples/plot_pix2pix_digits.py [output-dir] [--quick]

Needs matplotlib (``pip install skgen[plot]``); the output folder defaults to
``output``.
"""

import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skgen import Pix2Pix
from skgen._plotting import image_grid

# The settings of benchmarks/bench_pix2pix.py.
SETTINGS = dict(
    image_shape=(1, 8, 8),
    l1_weight=100.0,
    adversarial_weight=1.0,
    dropout=0.5,
    learning_rate=2e-4,
    batch_size=64,
    max_iter=60,
)


def upper_half(images):
    return np.where(np.arange(64) < 32, images, 0.0).astype(images.dtype)


def block_average(images):
    blocks = images.reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4))
    return np.repeat(np.repeat(blocks, 2, axis=1), 2, axis=2).reshape(-1, 64).astype(images.dtype)


def main(output_dir, quick=False):
    output_dir = Path(output_dir)
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    shown = np.array([np.flatnonzero(y_test == digit)[0] for digit in range(10)])
    settings = dict(SETTINGS, max_iter=2 if quick else SETTINGS["max_iter"])
    for name, make_input in (("upper_half", upper_half), ("blocks", block_average)):
        inputs_train, inputs_test = make_input(X_train), make_input(X_test)
        columns = [inputs_test[shown]]
        for adversarial_weight in (0.0, 1.0):
            model = Pix2Pix(**dict(settings, adversarial_weight=adversarial_weight), random_state=0)
            model.fit(inputs_train, X_train)
            produced = np.clip(model.predict(inputs_test), 0, 1)
            label = "pix2pix" if adversarial_weight else "L1 only"
            print(f"{name}: {label} held-out L1 {np.abs(produced - X_test).mean():.4f}")
            columns.append(produced[shown])
        columns.append(X_test[shown])
        grid = np.stack(columns, axis=1).reshape(-1, 64)  # rows: digits; columns: input, L1, pix2pix, target
        path = image_grid(grid, (8, 8), output_dir / f"pix2pix_digits_{name}.png", n_cols=4, vmin=0, vmax=1,
                          title="input | L1 only | pix2pix | target")
        print(f"saved {path}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(args[0] if args else "output", quick="--quick" in sys.argv)
