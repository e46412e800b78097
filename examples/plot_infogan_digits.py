"""
===================================================================================================
InfoGAN on scikit-learn's digits: unsupervised categories, and continuous codes that vary the style
===================================================================================================

Fits ``InfoGAN`` (no labels) on all 1797 digits (pixels / 16), with Q's
categories of real digits pulled towards their nearest neighbours'
(``neighbour_weight=1.0``) and starting from KMeans clusters of a t-SNE
embedding of the digits (``init_params="tsne"``), three times from different seeds, keeping the
fit whose categories agree best with the digits' nearest neighbours
(``n_init=3``; about 4 minutes), prints how
well its categories cluster the digits (best one-to-one matching of
categories to digits, as in benchmarks/bench_infogan.py) next to KMeans', and
saves two sample grids: one row per category, the noise fixed, and along each
row one continuous code going from -1 to 1 (the other held at 0).

Usage::

    python examples/plot_infogan_digits.py [output-dir] [--quick]

Needs matplotlib (``pip install skgen[plot]``); the output folder defaults to
``output``.
"""

import sys
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits

from skgen import InfoGAN
from skgen._plotting import image_grid
from skgen.metrics import clustering_accuracy

# The settings of benchmarks/bench_infogan.py.
SETTINGS = dict(
    n_components=2,
    n_categories=10,
    n_continuous=2,
    info_weight=2.0,
    hidden_layer_sizes=(256, 256),
    learning_rate=2e-4,
    batch_size=64,
    max_iter=300,
    scale="minmax",
    label_smoothing=0.1,
    n_threads=1,
    neighbour_weight=1.0,  # Q's categories of real digits follow their nearest neighbours (SCAN's loss)
    init_params="tsne",  # Q's categories start from KMeans clusters of a t-SNE embedding of the digits
    n_init=3,  # three fits; the one whose categories agree best with the digits' nearest neighbours is kept
)


def main(output_dir, quick=False):
    output_dir = Path(output_dir)
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    infogan = InfoGAN(random_state=0, **dict(SETTINGS, max_iter=3 if quick else SETTINGS["max_iter"]))
    labels = infogan.fit_predict(X)
    kmeans = KMeans(n_clusters=10, random_state=0).fit_predict(X)
    print(f"clustering accuracy: InfoGAN {clustering_accuracy(y, labels):.3f}, KMeans {clustering_accuracy(y, kmeans):.3f}")

    # order the rows by the digit each category is matched with, when the matching is one-to-one
    counts = np.zeros((10, 10))
    np.add.at(counts, (labels, y), 1)
    categories, digits = linear_sum_assignment(-counts)
    order = categories[np.argsort(digits)]
    n_cols = 10
    steps = np.linspace(-1, 1, n_cols)
    noise = np.random.RandomState(0).standard_normal((1, infogan.n_components)).repeat(10 * n_cols, axis=0)
    for code in range(SETTINGS["n_continuous"]):
        codes = np.zeros((10 * n_cols, 1 + SETTINGS["n_continuous"]))
        codes[:, 0] = np.repeat(order, n_cols)
        codes[:, 1 + code] = np.tile(steps, 10)
        images = np.clip(infogan.generate(noise, codes=codes), 0, 1)
        path = image_grid(images, (8, 8), output_dir / f"infogan_digits_code{code + 1}.png", n_cols=n_cols,
                          vmin=0, vmax=1, title=f"one row per category; continuous code {code + 1} from -1 to 1")
        print(f"saved {path}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(args[0] if args else "output", quick="--quick" in sys.argv)
