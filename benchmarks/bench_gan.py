"""Benchmark: GAN, WGAN, EBGAN and CGAN on mode-collapse mixtures and digits, against CTGAN and a plain loop.

Workload
    * Mixtures (``skgen.datasets.make_gaussian_mixture``): the 25-Gaussian
      grid (centres {-4, -2, 0, 2, 4}^2, std 0.05) and the 8-Gaussian ring
      (radius 2, std 0.02), 10000 training points each, drawn afresh in every
      repetition r with ``random_state=r`` and passed to every model as the
      same float32 array (a DataFrame with columns x, y for CTGAN).
    * Models: ``skgen.GAN(**SETTINGS["GAN"], random_state=r)``,
      ``skgen.WGAN(**SETTINGS["WGAN"], random_state=r)`` and
      ``skgen.EBGAN(**SETTINGS["EBGAN"], random_state=r)``, each entry used
      unchanged on both datasets, against ``ctgan.CTGAN(epochs=100,
      batch_size=500)`` seeded with ``set_random_state(r)``. Wall time is the
      ``fit`` call. Each fitted model draws 2500 samples, scored with
      ``skgen.metrics.mode_coverage(samples, centers, std)``: a sample is high
      quality within 3 std of its nearest centre, a mode is captured with at
      least 20 high-quality samples.
    * Plain loop: for the GAN settings, a PyTorch loop written here with no
      skorch and no scikit-learn in its steps that does the same updates as
      skgen's GAN: the same networks (ReLU MLP generator, LeakyReLU(0.2) MLP
      discriminator on ``pack`` rows concatenated), the same data scaling
      (per-feature mean and std, or skgen's mode-specific encoding, fitted
      inside the timed call as skgen's is, with the tanh / Gumbel-softmax
      output written out in the loop), one ``randperm`` per epoch and contiguous mini-batches of
      ``batch_size`` rows, one discriminator step per mini-batch and a
      generator step on a fresh latent batch after every ``n_critic``-th one,
      non-saturating loss, Adam (betas 0.5, 0.999) for both players. It is fitted
      on the grid data of each repetition right after skgen's GAN; time per
      generator step = fit time / number of generator steps.
    * CGAN on scikit-learn's digits: ``load_digits``, X / 16 (all 1797 rows),
      ``skgen.CGAN(**SETTINGS["CGAN"], random_state=r).fit(X, y)``; 100
      samples per class, clipped to [0, 1], are classified by
      ``LogisticRegression(max_iter=2000)`` fitted on the real digits; the
      accuracy is the share labelled as the class asked for.
    * Everything on the CPU unless CUDA is present (skgen's ``device="auto"``,
      CTGAN's default), with torch's default intra-op thread count or the one
      given by ``--threads`` for every fit.

    Order within a repetition (interleaved): grid: CTGAN, GAN, plain loop,
    WGAN, EBGAN; ring: CTGAN, GAN, WGAN, EBGAN; digits: CGAN.

Targets
    * GAN, WGAN and EBGAN on the ring: 8/8 modes; on the grid: >= 24/25
      modes; on both: >= 80% high-quality samples (every repetition must
      meet each);
    * GAN, WGAN and EBGAN fit time <= 3x CTGAN's on the same data (median of
      the per-repetition ratios, per dataset);
    * skgen GAN time per generator step <= 1.10x the plain loop's (median of
      the per-repetition ratios);
    * CGAN digits: >= 90% of the class-conditional samples labelled as the
      asked-for class (every repetition).

Command
    pip install ctgan                           # the reference (in the "bench" extra)
    python benchmarks/bench_gan.py              # full run, 3 repetitions (about 15 minutes on 2 CPU cores)
    python benchmarks/bench_gan.py --threads 1  # one intra-op thread for every model
    python benchmarks/bench_gan.py --quick      # smoke run: 1 repetition, few epochs
    python benchmarks/bench_gan.py --models EBGAN   # the mixture runs of some models (and CTGAN) only
"""

import argparse
import statistics
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from torch import nn

from _report import print_summary, timed
from skgen import CGAN, EBGAN, GAN, WGAN
from skgen.datasets import make_gaussian_mixture
from skgen.gan._scaling import ModeSpecificScaling
from skgen.metrics import mode_coverage

# Constructor keyword arguments per estimator, used unchanged on every dataset and draw.
# EBGAN: the paper's pt_weight=0.1 over 100 epochs left one of the ring's 8 modes with fewer than
# 20 good samples on seeds 0 and 3 (of 0-5); pt_weight=0.3 over 150 epochs found 8/8 on seeds 0-11
# and 25/25 on the grid's seeds 0-5 (see the GAN guide).
SETTINGS = {
    "GAN": {
        "n_components": 8,
        "hidden_layer_sizes": (256, 256),
        "learning_rate": 2e-4,
        "batch_size": 500,
        "max_iter": 100,
        "n_critic": 2,
        "pack": 10,
        "scale": "mode-specific",
        "feature_matching": False,
        "generator_average": 0.0,
    },
    "WGAN": {
        "n_components": 8,
        "hidden_layer_sizes": (256, 256),
        "learning_rate": 2e-4,
        "batch_size": 500,
        "max_iter": 100,
        "n_critic": 2,
        "pack": 10,
        "scale": "mode-specific",
        "generator_average": 0.0,
    },
    "EBGAN": {
        "n_components": 8,
        "hidden_layer_sizes": (256, 256),
        "learning_rate": 2e-4,
        "batch_size": 500,
        "max_iter": 150,
        "n_critic": 2,
        "pack": 10,
        "scale": "mode-specific",
        "margin": 1.0,
        "pt_weight": 0.3,
    },
    "CGAN": {
        "n_components": 16,
        "hidden_layer_sizes": (256, 256),
        "learning_rate": 2e-4,
        "batch_size": 64,
        "max_iter": 200,
        "label_smoothing": 0.2,
        "feature_matching": False,
        "generator_average": 0.0,
    },
}

N_TRAIN, N_SAMPLES = 10000, 2500
CTGAN_PARAMS = {"epochs": 100, "batch_size": 500}
DATASETS = ("grid", "ring")
TARGET_MODES = {"grid": 24, "ring": 8}
MIN_HIGH_QUALITY = 0.80
MAX_RATIO_CTGAN = 3.0
MAX_RATIO_PLAIN = 1.10
MIN_DIGITS_ACCURACY = 0.90
N_PER_CLASS = 100
QUICK_EPOCHS = {"GAN": 2, "WGAN": 2, "EBGAN": 2, "CGAN": 5, "CTGAN": 2}
MIXTURE_MODELS = {"GAN": GAN, "WGAN": WGAN, "EBGAN": EBGAN}


# ------------------------------------------------------------ plain PyTorch loop
def _mlp(widths, activation):
    layers = []
    for n_in, n_out in zip(widths[:-2], widths[1:-1]):
        layers += [nn.Linear(n_in, n_out), activation()]
    layers.append(nn.Linear(widths[-2], widths[-1]))
    return nn.Sequential(*layers)


def fit_plain_gan(X, params, *, seed):
    """The GAN of ``params`` (skgen.GAN keyword arguments) trained by a plain loop.

    Returns (generator, number of generator steps). Supports the settings a
    plain GAN has: widths, latent size, learning rate, batch size, epochs,
    n_critic, pack and one-sided label smoothing; other stabilisers raise.
    """
    unsupported = {"feature_matching", "minibatch_discrimination", "historical_averaging"}
    used = sorted(k for k in unsupported if params.get(k))
    scale = params.get("scale", "auto")
    if used or params.get("loss", "non-saturating") != "non-saturating" or scale not in (
        "auto",
        "standard",
        "mode-specific",
    ):
        raise NotImplementedError(f"the plain loop does not implement {used or params}")
    n_components = params.get("n_components", 8)
    hidden = tuple(params.get("hidden_layer_sizes", (128, 128)))
    lr = params.get("learning_rate", 2e-4)
    batch_size = params.get("batch_size", 64)
    n_epochs = params.get("max_iter", 100)
    n_critic = params.get("n_critic", 1)
    pack = params.get("pack", 1)
    smoothing = params.get("label_smoothing", 0.0)

    device = "cuda" if torch.cuda.is_available() else "cpu"
    X = np.asarray(X, dtype=np.float32)
    modes = None
    if scale == "mode-specific":
        # the data encoding is preprocessing, not part of a step: use skgen's
        scaling = ModeSpecificScaling(X, random_state=seed)
        data, modes = torch.as_tensor(scaling.transform(X), device=device), scaling.modes_per_feature
    else:
        std = X.std(axis=0)
        data = torch.as_tensor((X - X.mean(axis=0)) / np.where(std > 0, std, 1.0), device=device)
    n_rows, n_features = data.shape
    rng = torch.Generator(device=device).manual_seed(seed)

    def generate(n):
        raw = generator(torch.randn(n, n_components, generator=rng, device=device))
        if modes is None:
            return raw
        blocks, start = [], 0
        for n_modes in modes:  # tanh offset, Gumbel-softmax (tau 0.2) mode indicator per feature
            gumbel = -torch.empty(n, n_modes, device=device).exponential_(generator=rng).log()
            logits = raw[:, start + 1 : start + 1 + n_modes] + gumbel
            blocks += [torch.tanh(raw[:, start : start + 1]), torch.softmax(logits / 0.2, dim=1)]
            start += 1 + n_modes
        return torch.cat(blocks, dim=1)

    with torch.random.fork_rng(devices=[torch.device(device)] if device == "cuda" else []):
        torch.manual_seed(seed)
        generator = _mlp([n_components, *hidden, n_features], nn.ReLU).to(device)
        discriminator = _mlp([pack * n_features, *hidden, 1], lambda: nn.LeakyReLU(0.2)).to(device)
    g_opt = torch.optim.Adam(generator.parameters(), lr=lr, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=lr, betas=(0.5, 0.999))
    bounds = [(start, min(start + batch_size, n_rows)) for start in range(0, n_rows, batch_size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], n_rows)]

    def packed(x):
        n = x.shape[0]
        n_packed = -(-n // pack) * pack
        if n_packed != n:
            x = x[torch.arange(n_packed, device=x.device) % n]
        return x.reshape(n_packed // pack, pack * n_features)

    n_generator_steps, since_generator = 0, 0
    for _ in range(n_epochs):
        shuffled = data[torch.randperm(n_rows, generator=rng, device=device)]
        d_losses = []
        for start, stop in bounds:
            real = shuffled[start:stop]
            n = stop - start
            fake = generate(n).detach()
            real_logits = discriminator(packed(real)).squeeze(1)
            fake_logits = discriminator(packed(fake)).squeeze(1)
            d_loss = F.binary_cross_entropy_with_logits(
                real_logits, torch.full_like(real_logits, 1.0 - smoothing)
            ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
            d_opt.zero_grad(set_to_none=True)
            d_loss.backward()
            d_opt.step()
            d_losses.append(d_loss.detach())
            since_generator += 1
            if since_generator == n_critic:
                since_generator = 0
                fake = generate(n)
                g_loss = F.softplus(-discriminator(packed(fake)).squeeze(1)).mean()
                g_opt.zero_grad(set_to_none=True)
                g_loss.backward()
                g_opt.step()
                n_generator_steps += 1
        float(torch.stack(d_losses).mean())  # one host sync per epoch, as a loop logging its loss would
    generator.eval()
    return generator, n_generator_steps


def generator_steps(n_rows, params, n_epochs):
    """Generator steps skgen runs: one per n_critic discriminator steps, counted across epochs."""
    batch_size = params.get("batch_size", 64)
    n_batches = -(-n_rows // batch_size)
    if n_batches > 1 and n_rows - (n_batches - 1) * batch_size == 1:
        n_batches -= 1
    return (n_batches * n_epochs) // params.get("n_critic", 1)


# -------------------------------------------------------------------- CTGAN
def ctgan_available():
    try:
        import ctgan  # noqa: F401
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""


def fit_ctgan(X, *, seed, epochs):
    import pandas as pd
    from ctgan import CTGAN

    model = CTGAN(**{**CTGAN_PARAMS, "epochs": epochs})
    model.set_random_state(seed)
    model.fit(pd.DataFrame(X, columns=["x", "y"]))
    return model


# --------------------------------------------------------------------- helpers
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 repetition, few epochs")
    parser.add_argument("--reps", type=int, default=None, help="interleaved repetitions (default 3, 1 with --quick)")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's)")
    parser.add_argument("--no-ctgan", action="store_true", help="leave CTGAN out")
    parser.add_argument("--models", default=",".join(MIXTURE_MODELS),
                        help="comma-separated skgen models for the mixture runs (default: all); "
                             "the plain loop runs with GAN, the CGAN digits run with all")
    args = parser.parse_args()
    mixture_models = [name for name in MIXTURE_MODELS if name in args.models.split(",")]
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    n_reps = args.reps if args.reps is not None else (1 if args.quick else 3)
    settings = {name: dict(params) for name, params in SETTINGS.items()}
    ctgan_epochs = CTGAN_PARAMS["epochs"]
    if args.quick:
        for name in settings:
            settings[name]["max_iter"] = min(settings[name].get("max_iter", 100), QUICK_EPOCHS[name])
        ctgan_epochs = QUICK_EPOCHS["CTGAN"]
    has_ctgan, why = (False, "left out (--no-ctgan)") if args.no_ctgan else ctgan_available()

    print(f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads "
          f"({'--threads' if args.threads is not None else 'torch default'}), "
          f"device {'cuda' if torch.cuda.is_available() else 'cpu'}")
    if has_ctgan:
        from importlib.metadata import version

        print(f"ctgan {version('ctgan')}: CTGAN(epochs={ctgan_epochs}, batch_size={CTGAN_PARAMS['batch_size']})")
    else:
        print(f"ctgan unavailable ({why})")
    for name, params in settings.items():
        print(f"{name}: {params}")
    print(f"{n_reps} interleaved repetition(s); {N_TRAIN} training points, {N_SAMPLES} samples scored\n")

    # Warm-up: first-call costs (imports, skorch, torch's optimizer machinery).
    X_small, _, _ = make_gaussian_mixture("ring", 300, random_state=0)
    X_small = X_small.astype(np.float32)
    for name in mixture_models:
        MIXTURE_MODELS[name](**{**settings[name], "max_iter": 1}, random_state=0).fit(X_small)
    if "GAN" in mixture_models:
        fit_plain_gan(X_small, {**settings["GAN"], "max_iter": 1}, seed=0)
    if has_ctgan:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit_ctgan(X_small, seed=0, epochs=1)

    results = []  # dicts: rep, data, model, modes, hq, seconds
    step_ratios = []
    digits_accuracy = []
    digits_X, digits_y = load_digits(return_X_y=True)
    digits_X = digits_X / 16
    classifier = LogisticRegression(max_iter=2000).fit(digits_X, digits_y)

    for rep in range(n_reps):
        for kind in DATASETS:
            X, centers, std = make_gaussian_mixture(kind, N_TRAIN, random_state=rep)
            X = X.astype(np.float32)
            models = ["CTGAN"] if has_ctgan else []
            models += [m for name in mixture_models for m in ([name, "plain"] if (name, kind) == ("GAN", "grid") else [name])]
            for name in models:
                if name == "CTGAN":
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        model, seconds = timed(lambda: fit_ctgan(X, seed=rep, epochs=ctgan_epochs))
                        samples = model.sample(N_SAMPLES).to_numpy(dtype=np.float64)
                elif name == "plain":
                    (generator, n_steps), seconds = timed(lambda: fit_plain_gan(X, settings["GAN"], seed=rep))
                    skgen_seconds = results[-1]["seconds"]
                    skgen_steps = generator_steps(len(X), settings["GAN"], settings["GAN"]["max_iter"])
                    ratio = (skgen_seconds / skgen_steps) / (seconds / n_steps)
                    step_ratios.append(ratio)
                    print(f"  rep {rep} {kind:4s} plain loop : {seconds:7.1f} s, "
                          f"{1e3 * seconds / n_steps:.3f} ms/generator step; skgen GAN "
                          f"{1e3 * skgen_seconds / skgen_steps:.3f} ms; ratio {ratio:.3f}", flush=True)
                    continue
                else:
                    estimator = MIXTURE_MODELS[name](**settings[name], random_state=rep)
                    model, seconds = timed(lambda: estimator.fit(X))
                    samples = model.sample(N_SAMPLES, random_state=rep)
                modes, hq = mode_coverage(samples, centers, std)
                results.append(dict(rep=rep, data=kind, model=name, modes=modes, hq=hq, seconds=seconds))
                print(f"  rep {rep} {kind:4s} {name:11s}: {modes:2d}/{len(centers)} modes, "
                      f"{100 * hq:5.1f}% high quality, {seconds:7.1f} s", flush=True)

        if mixture_models != list(MIXTURE_MODELS):
            continue
        cgan = CGAN(**settings["CGAN"], random_state=rep)
        _, seconds = timed(lambda: cgan.fit(digits_X, digits_y))
        correct = 0
        for label in cgan.classes_:
            samples, _ = cgan.sample(N_PER_CLASS, y=label, random_state=rep)
            correct += int(np.sum(classifier.predict(np.clip(samples, 0.0, 1.0)) == label))
        accuracy = correct / (N_PER_CLASS * len(cgan.classes_))
        digits_accuracy.append(accuracy)
        print(f"  rep {rep} digits CGAN       : {100 * accuracy:5.1f}% labelled as asked, {seconds:7.1f} s\n",
              flush=True)

    def pick(**keys):
        return [r for r in results if all(r[k] == v for k, v in keys.items())]

    print("Summary (per dataset and model: worst modes and high-quality share over the repetitions, median time)")
    print(f"  {'data':4s} {'model':6s} {'modes':>9s} {'HQ %':>6s} {'time s':>8s} {'x CTGAN':>8s}")
    rows = []
    for kind in DATASETS:
        n_modes = 25 if kind == "grid" else 8
        for name in (["CTGAN"] if has_ctgan else []) + mixture_models:
            runs = pick(data=kind, model=name)
            modes = min(r["modes"] for r in runs)
            hq = min(r["hq"] for r in runs)
            median_seconds = statistics.median(r["seconds"] for r in runs)
            ratio = None
            if has_ctgan and name != "CTGAN":
                ct = pick(data=kind, model="CTGAN")
                ratio = statistics.median(r["seconds"] / c["seconds"] for r, c in zip(runs, ct))
            ratio_text = "" if ratio is None else f"{ratio:.2f}"
            print(f"  {kind:4s} {name:6s} {modes:>5d}/{n_modes:<3d} {100 * hq:6.1f} {median_seconds:8.1f} "
                  f"{ratio_text:>8s}")
            if name != "CTGAN":
                rows.append((f"{name} {kind}: modes (worst of {n_reps})", f"{modes}/{n_modes}",
                             f">= {TARGET_MODES[kind]}", modes >= TARGET_MODES[kind]))
                rows.append((f"{name} {kind}: high-quality share (worst of {n_reps})", f"{100 * hq:.1f}%",
                             f">= {100 * MIN_HIGH_QUALITY:.0f}%", hq >= MIN_HIGH_QUALITY))
                if ratio is not None:
                    rows.append((f"{name} {kind}: fit time / CTGAN's (median of {n_reps})", f"{ratio:.2f}",
                                 f"<= {MAX_RATIO_CTGAN:.1f}", ratio <= MAX_RATIO_CTGAN))
    if step_ratios:
        step_ratio = statistics.median(step_ratios)
        rows.append((f"GAN time per generator step / plain loop's (median of {n_reps})", f"{step_ratio:.3f}",
                     f"<= {MAX_RATIO_PLAIN:.2f}", step_ratio <= MAX_RATIO_PLAIN))
    if digits_accuracy:
        worst_accuracy = min(digits_accuracy)
        rows.append((f"CGAN digits: labelled as asked (worst of {n_reps})", f"{100 * worst_accuracy:.1f}%",
                     f">= {100 * MIN_DIGITS_ACCURACY:.0f}%", worst_accuracy >= MIN_DIGITS_ACCURACY))

    print_summary(rows, title="Targets", widths=(58, 8, 8))
    if args.quick:
        print("  (--quick: a smoke run with a few epochs; the verdicts mean nothing)")


if __name__ == "__main__":
    main()
