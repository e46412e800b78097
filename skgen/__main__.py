"""``python -m skgen``: a tour of every model family on data that ships with scikit-learn and skgen.

Each family fits one small model, prints one line with a quality figure and
its time, and saves one labelled picture; the tour ends with a summary table
and an ``index.html`` showing every picture. ``--only NAME`` runs one family
(or several), ``--quick`` a rougher version in a fraction of the time.
"""

import argparse
import html
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_limits

from . import (
    CGAN,
    DBN,
    EBGAN,
    EBM,
    GAN,
    VAE,
    WGAN,
    BernoulliRBM,
    InfoGAN,
    Pix2Pix,
    __version__,
)
from ._plotting import PLOT_HINT, image_grid, new_figure
from .base import resolve_device
from .datasets import ising_observables, load_nudged_digits, make_gaussian_mixture, make_ising
from .metrics import clustering_accuracy, mode_coverage


@dataclass
class Result:
    """One family's line of the summary table."""

    family: str
    fitted: str
    data: str
    figure: str
    picture: Path | None = None
    caption: str = ""
    seconds: float = 0.0


# ------------------------------------------------------------------ helpers
def _digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def _draw_samples(axes, title, data, samples, centers=None):
    """Data in grey, samples in red and, where given, the mixture's modes as crosses."""
    axes.scatter(*data[:2000].T, s=2, c="0.75", label="data")
    axes.scatter(*samples.T, s=2, c="tab:red", label="samples")
    if centers is not None:
        axes.scatter(*centers.T, s=25, marker="x", c="k", label="modes")
    axes.set_title(title, fontsize="medium")
    axes.set_aspect("equal")
    axes.legend(loc="upper right", markerscale=3, fontsize="small")


def _save(figure, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    return path


def _mixture_family(cls, name, settings, args):
    rows, pictures = [], []
    for kind in ("ring", "grid"):
        X, centers, std = make_gaussian_mixture(kind, 2000 if args.quick else 4000, random_state=args.random_state)
        model = cls(**settings, random_state=args.random_state, device=args.device).fit(X)
        samples = model.sample(2000, random_state=args.random_state)
        modes, share = mode_coverage(samples, centers, std)
        rows.append(f"{kind} {modes}/{len(centers)} modes, {share:.0%} HQ")
        pictures.append((kind, X, samples, centers, f"{name} on the {kind}: {modes}/{len(centers)} modes"))
    path = Path(args.output_dir, f"{name.lower()}.png")
    if args.pictures:
        figure = new_figure((9, 4.5))
        for i, (kind, X, samples, centers, title) in enumerate(pictures):
            _draw_samples(figure.add_subplot(1, 2, i + 1), title, X, samples, centers)
        _save(figure, path)
    caption = f"{name} samples (red) over the 8-Gaussian ring and the 25-Gaussian grid (grey)."
    return Result(name, f"{cls.__name__}", f"ring and grid mixtures, {len(X)} points each", "; ".join(rows),
                  path if args.pictures else None, caption)


# ------------------------------------------------------------------ families
def tour_rbm(args):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    X_train, X_test, y_train, y_test = load_nudged_digits()
    rows = 2000 if args.quick else len(X_train)
    X_train, y_train = X_train[:rows], y_train[:rows]
    rbm = BernoulliRBM(n_components=100, learning_rate=0.06, n_iter=2 if args.quick else 10,
                       n_ais_betas=500 if args.quick else 5000, random_state=args.random_state, device=args.device)
    pipe = Pipeline([("rbm", rbm), ("logistic", LogisticRegression(solver="newton-cg", C=6000))]).fit(X_train, y_train)
    test_bits = (X_test > 0.5).astype(np.float32)
    figure = f"accuracy {pipe.score(X_test, y_test):.3f}; held-out log p(x) {rbm.score(test_bits):.1f} nats"
    path = Path(args.output_dir, "rbm.png")
    if args.pictures:
        image_grid(rbm.sample(40, random_state=args.random_state), (8, 8), path, n_cols=10, vmin=0, vmax=1,
                   title="BernoulliRBM: samples by Gibbs sampling")
    return Result("RBM", "BernoulliRBM + LogisticRegression", f"digits nudged ({rows} training rows)", figure,
                  path if args.pictures else None, "Samples of a BernoulliRBM trained on scikit-learn's digits.")


def tour_dbn(args):
    X, _ = _digits()
    bits = (X > 0.5).astype(np.float64)
    dbn = DBN(hidden_layer_sizes=(64, 32), learning_rate=0.05, n_iter=3 if args.quick else 15, n_ais_betas=500,
              random_state=args.random_state, device=args.device).fit(bits[:1500])
    figure = f"held-out bound on log p(x) {dbn.score(bits[1500:]):.1f} nats (first layer alone {dbn.layers_[0].score(bits[1500:]):.1f})"
    path = Path(args.output_dir, "dbn.png")
    if args.pictures:
        image_grid(dbn.sample(40, random_state=args.random_state), (8, 8), path, n_cols=10, vmin=0, vmax=1,
                   title="DBN 64-64-32: samples from the top RBM, passed down")
    return Result("DBN", "DBN (64, 32)", "digits binarised (1500 / 297 rows)", figure,
                  path if args.pictures else None, "Samples of a two-layer deep belief network.")


def tour_ising(args):
    temperature, size = 2.269, 8
    X = make_ising(size, temperature, 300 if args.quick else 1000, random_state=args.random_state)
    rbm = BernoulliRBM(n_components=32, n_iter=5 if args.quick else 30, k=5,
                       n_gibbs_steps=500, random_state=args.random_state, device=args.device).fit(X)
    samples = rbm.sample(500, random_state=args.random_state)
    mc, model = ising_observables(X, temperature), ising_observables(samples, temperature)
    figure = (f"energy/spin MC {mc['energy']:.3f} vs RBM {model['energy']:.3f}; "
              f"|m| MC {mc['abs_magnetization']:.3f} vs RBM {model['abs_magnetization']:.3f}")
    path = Path(args.output_dir, "ising.png")
    if args.pictures:
        image_grid(np.vstack([X[:8], samples[:8]]), (size, size), path, n_cols=8, vmin=0, vmax=1,
                   title=f"Ising {size}x{size} at T = {temperature}: Monte Carlo (top), RBM samples (bottom)")
    return Result("Ising", "BernoulliRBM on make_ising", f"{size}x{size} lattice at T_c", figure,
                  path if args.pictures else None, "Wolff Monte Carlo configurations and an RBM's samples.")


def tour_vae(args):
    X, _ = _digits()
    vae = VAE(n_components=8, likelihood="bernoulli", max_iter=5 if args.quick else 100,
              random_state=args.random_state, device=args.device).fit(X[:1500])
    figure = f"held-out importance-weighted bound {vae.score(X[1500:]):.1f} nats"
    path = Path(args.output_dir, "vae.png")
    if args.pictures:
        means = vae.inverse_transform(np.random.RandomState(args.random_state).standard_normal((40, 8)))
        image_grid(means, (8, 8), path, n_cols=10, vmin=0, vmax=1, title="VAE: decoder means of prior draws")
    return Result("VAE", "VAE (Bernoulli)", "digits (1500 / 297 rows)", figure, path if args.pictures else None,
                  "Decoder means of a variational autoencoder at random latent points.")


_MIXTURE_SETTINGS = dict(n_components=8, hidden_layer_sizes=(128, 128), batch_size=200, n_critic=2, pack=5,
                         scale="mode-specific")


def tour_gan(args):
    return _mixture_family(GAN, "GAN", dict(_MIXTURE_SETTINGS, learning_rate=1e-3, max_iter=10 if args.quick else 40), args)


def tour_wgan(args):
    return _mixture_family(WGAN, "WGAN", dict(_MIXTURE_SETTINGS, learning_rate=1e-3, max_iter=10 if args.quick else 40), args)


def tour_ebgan(args):
    settings = dict(_MIXTURE_SETTINGS, learning_rate=1e-3, max_iter=5 if args.quick else 40)
    return _mixture_family(EBGAN, "EBGAN", settings, args)


def tour_cgan(args):
    from sklearn.linear_model import LogisticRegression

    X, y = _digits()
    cgan = CGAN(n_components=16, hidden_layer_sizes=(256, 256), label_smoothing=0.2, max_iter=5 if args.quick else 30,
                random_state=args.random_state, device=args.device).fit(X, y)
    labels = np.repeat(np.arange(10), 10)
    samples, _ = cgan.sample(len(labels), y=labels, random_state=args.random_state)
    reader = LogisticRegression(max_iter=2000).fit(X, y)
    figure = f"{np.mean(reader.predict(np.clip(samples, 0, 1)) == labels):.0%} of samples read as the asked-for digit"
    path = Path(args.output_dir, "cgan.png")
    if args.pictures:
        image_grid(np.clip(samples, 0, 1), (8, 8), path, n_cols=10, vmin=0, vmax=1,
                   title="CGAN: one row per asked-for digit")
    return Result("CGAN", "CGAN", "digits with labels (1797 rows)", figure, path if args.pictures else None,
                  "Class-conditional samples, one row per digit.")


def tour_infogan(args):
    X, y = _digits()
    # categories start at t-SNE clusters (about 8 s), except in the smoke run, where they would double its time
    model = InfoGAN(n_components=2, n_categories=10, info_weight=2.0, hidden_layer_sizes=(128, 128), learning_rate=1e-3,
                    scale="minmax", label_smoothing=0.1, neighbour_weight=1.0,
                    init_params="random" if args.quick else "tsne", max_iter=3 if args.quick else 60,
                    random_state=args.random_state, device=args.device).fit(X)
    figure = f"clustering accuracy {clustering_accuracy(y, model.predict(X)):.2f} (unsupervised, 10 categories)"
    path = Path(args.output_dir, "infogan.png")
    if args.pictures:
        codes = np.repeat(np.arange(10), 10)
        samples = model.sample(len(codes), codes=codes, random_state=args.random_state)
        image_grid(np.clip(samples, 0, 1), (8, 8), path, n_cols=10, vmin=0, vmax=1,
                   title="InfoGAN: one row per categorical code")
    return Result("InfoGAN", "InfoGAN", "digits without labels (1797 rows)", figure, path if args.pictures else None,
                  "Samples with the categorical code fixed per row.")


def tour_ebm(args):
    from sklearn.datasets import make_moons
    from sklearn.mixture import GaussianMixture

    X, _ = make_moons(1000, noise=0.1, random_state=args.random_state)
    train, test = X[:750], X[750:]
    ebm = EBM(hidden_layer_sizes=(64, 64), max_iter=5 if args.quick else 100, n_ais_chains=200, n_ais_betas=500,
              random_state=args.random_state, device=args.device).fit(train)
    mixture = GaussianMixture(8, random_state=args.random_state).fit(train)
    figure = (f"held-out log p(x) {ebm.score(test):.2f} nats (log Z {ebm.log_z_:.2f} +- {ebm.log_z_std_:.2f} by AIS; "
              f"8-component GaussianMixture {mixture.score(test):.2f})")
    path = Path(args.output_dir, "ebm.png")
    if args.pictures:
        samples = ebm.sample(500, random_state=args.random_state)
        canvas = new_figure((4.5, 4.5))
        _draw_samples(canvas.add_subplot(), "EBM: Langevin samples on two moons", train, samples)
        _save(canvas, path)
    return Result("EBM", "EBM (Langevin)", "two moons (750 / 250 points)", figure, path if args.pictures else None,
                  "Langevin samples of an energy-based model on two moons.")


def tour_pix2pix(args):
    X, _ = _digits()
    upper = X.reshape(-1, 8, 8).copy()
    upper[:, 4:] = 0.0
    model = Pix2Pix(image_shape=(1, 8, 8), max_iter=2 if args.quick else 20, random_state=args.random_state,
                    device=args.device).fit(upper.reshape(len(X), -1)[:1500], X[:1500])
    produced = model.predict(upper.reshape(len(X), -1)[1500:])
    figure = f"held-out L1 per pixel {np.abs(produced - X[1500:]).mean():.3f}"
    path = Path(args.output_dir, "pix2pix.png")
    if args.pictures:
        shown = np.vstack([upper.reshape(len(X), -1)[1500:1510], produced[:10], X[1500:1510]])
        image_grid(np.clip(shown, 0, 1), (8, 8), path, n_cols=10, vmin=0, vmax=1,
                   title="Pix2Pix: upper half given (top), produced (middle), real (bottom)")
    return Result("Pix2Pix", "Pix2Pix", "digits, upper half -> whole (1500 / 297)", figure,
                  path if args.pictures else None, "Image-to-image translation: completing the lower half.")


FAMILIES = {
    "rbm": tour_rbm,
    "dbn": tour_dbn,
    "ising": tour_ising,
    "vae": tour_vae,
    "gan": tour_gan,
    "wgan": tour_wgan,
    "cgan": tour_cgan,
    "infogan": tour_infogan,
    "ebgan": tour_ebgan,
    "ebm": tour_ebm,
    "pix2pix": tour_pix2pix,
}


# ------------------------------------------------------------------ report
def write_index(results, output_dir):
    """An index.html showing every picture with its caption and the summary table."""
    rows = "\n".join(
        f"<tr><td>{html.escape(r.family)}</td><td>{html.escape(r.fitted)}</td><td>{html.escape(r.data)}</td>"
        f"<td>{html.escape(r.figure)}</td><td>{r.seconds:.1f} s</td></tr>"
        for r in results
    )
    figures = "\n".join(
        f'<figure><img src="{html.escape(r.picture.name)}" alt="{html.escape(r.family)}">'
        f"<figcaption><b>{html.escape(r.family)}</b>: {html.escape(r.caption)}</figcaption></figure>"
        for r in results
        if r.picture is not None
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>skgen {__version__}: a tour</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}} figure{{display:inline-block;margin:1em;vertical-align:top}}
img{{max-width:32em}}</style></head><body>
<h1>skgen {__version__}: one model of every family</h1>
<table><tr><th>family</th><th>fitted</th><th>data</th><th>quality</th><th>time</th></tr>
{rows}
</table>
{figures}
</body></html>
"""
    path = Path(output_dir, "index.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skgen",
        description="A tour of skgen: one small model of every family on data that ships with scikit-learn and "
        "skgen, a quality figure and a picture each, a summary table and an index.html.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--only", nargs="+", choices=sorted(FAMILIES), metavar="NAME",
                        help=f"run these families only: {', '.join(FAMILIES)}")
    parser.add_argument("--quick", action="store_true", help="fewer epochs and rougher estimates: about 20 s")
    parser.add_argument("--output-dir", default="skgen-output", help="folder for the pictures and index.html")
    parser.add_argument("--device", default="auto", help='torch device: "auto" (CUDA if available), "cpu", "cuda:0"')
    parser.add_argument("--random-state", type=int, default=0, help="seed of every model and draw")
    args = parser.parse_args(argv)
    try:
        resolve_device(args.device)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv=None):
    """Run the tour; ``argv`` defaults to the command line."""
    args = _parse_args(argv)
    try:
        new_figure((1, 1))
        args.pictures = True
    except ImportError:
        args.pictures = False
    names = args.only or list(FAMILIES)
    print(f"skgen {__version__}: a tour of {len(names)} model families{' (quick)' if args.quick else ''}")
    results, start = [], time.perf_counter()
    # every matrix here is small: one thread per library is as fast and does not suffer on a busy machine
    with threadpool_limits(limits=1):
        for i, name in enumerate(names, start=1):
            print(f"[{i}/{len(names)}] {name} ...", end=" ", flush=True)
            tic = time.perf_counter()
            result = FAMILIES[name](args)
            result.seconds = time.perf_counter() - tic
            results.append(result)
            print(f"{result.figure} ({result.seconds:.1f} s)", flush=True)
    print(f"\n{'family':8s} {'fitted':34s} {'time':>7s}  quality")
    for r in results:
        print(f"{r.family:8s} {r.fitted:34s} {r.seconds:6.1f}s  {r.figure}")
    if args.pictures:
        print(f"\nPictures and index: {write_index(results, args.output_dir)}")
    else:
        print(f"\nNo pictures: {PLOT_HINT}")
    print(f"Done in {time.perf_counter() - start:.1f} s.")


if __name__ == "__main__":
    main()
