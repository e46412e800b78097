"""
=========================================================================
A conditional GAN on scikit-learn's digits: a grid with one row per class
=========================================================================

Fits ``CGAN`` on all 1797 digits (pixels / 16), draws ten samples of every
class and saves them as a PNG grid (row k shows the digit k). A logistic
regression fitted on the real digits says how often a sample is read as the
digit it was asked for.

Usage::

    python examples/plot_cgan_digits.py [output-dir] [--quick]
"""

import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skgen import CGAN
from skgen._plotting import image_grid

# The settings of benchmarks/bench_gan.py: one-sided label smoothing keeps the
# discriminator from overpowering the generator on these small images.
SETTINGS = dict(
    n_components=16, hidden_layer_sizes=(256, 256), batch_size=64, max_iter=200, learning_rate=2e-4, label_smoothing=0.2,
    feature_matching=False, generator_average=0.0,
)


def main(output_dir, quick=False):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    cgan = CGAN(random_state=0, **dict(SETTINGS, max_iter=5 if quick else SETTINGS["max_iter"])).fit(X, y)
    labels = np.repeat(np.arange(10), 10)
    samples, _ = cgan.sample(len(labels), y=labels, random_state=0)
    samples = np.clip(samples, 0, 1)
    reader = LogisticRegression(max_iter=2000).fit(X, y)
    print(f"samples read as the asked-for digit: {np.mean(reader.predict(samples) == labels):.0%}")
    path = image_grid(samples, (8, 8), Path(output_dir) / "cgan_digits.png", n_cols=10, vmin=0, vmax=1,
                      title="CGAN samples, one row per digit")
    print(f"saved {path}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(args[0] if args else "skgen-output", quick="--quick" in sys.argv)
