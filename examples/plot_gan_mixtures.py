"""
============================================================
GAN and WGAN on the 8-Gaussian ring and the 25-Gaussian grid
============================================================

Fits both estimators on both mixtures, prints the modes captured and the share
of high-quality samples (``skgen.metrics.mode_coverage``), and saves a scatter
of samples over the data for each as PNG files.

Usage::

    python examples/plot_gan_mixtures.py [output-dir] [--quick]
"""

import sys
import time
from pathlib import Path

from skgen import GAN, WGAN
from skgen._plotting import new_figure
from skgen.datasets import make_gaussian_mixture
from skgen.metrics import mode_coverage

# The settings of benchmarks/bench_gan.py: CTGAN's mode-specific normalisation
# turns each coordinate into a choice among its modes plus a small offset, and
# PacGAN packs of 10 rows let the discriminator see a collapsed generator.
TUNED = dict(
    n_components=8,
    hidden_layer_sizes=(256, 256),
    learning_rate=2e-4,
    batch_size=500,
    max_iter=100,
    n_critic=2,
    pack=10,
    scale="mode-specific",
    generator_average=0.0,
)
SETTINGS = {"GAN": dict(TUNED, feature_matching=False), "WGAN": TUNED}


def main(output_dir, quick=False):
    output_dir = Path(output_dir)
    for kind in ("ring", "grid"):
        X, centers, std = make_gaussian_mixture(kind, 10000, random_state=0)
        for name, cls in (("GAN", GAN), ("WGAN", WGAN)):
            params = dict(SETTINGS[name], max_iter=5 if quick else SETTINGS[name]["max_iter"])
            start = time.perf_counter()
            model = cls(random_state=0, **params).fit(X)
            seconds = time.perf_counter() - start
            samples = model.sample(2500, random_state=0)
            modes, share = mode_coverage(samples, centers, std)
            print(f"{name:5s} {kind}: {modes}/{len(centers)} modes, {share:.0%} high-quality samples, {seconds:.0f} s")
            figure = new_figure((5, 5))
            axes = figure.add_subplot()
            axes.scatter(*X[:2500].T, s=2, c="0.75", label="data")
            axes.scatter(*samples.T, s=2, c="tab:red", label=f"{name} samples")
            axes.scatter(*centers.T, s=30, marker="x", c="k", label="modes")
            axes.set_title(f"{name} on the {kind}: {modes}/{len(centers)} modes, {share:.0%} high quality")
            axes.set_aspect("equal")
            axes.legend(loc="upper right", markerscale=3, fontsize="small")
            output_dir.mkdir(parents=True, exist_ok=True)
            figure.savefig(output_dir / f"{name.lower()}_{kind}.png", dpi=100)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    main(args[0] if args else "skgen-output", quick="--quick" in sys.argv)
