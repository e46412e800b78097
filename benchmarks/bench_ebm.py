"""Benchmark: the EBM on mode-collapse mixtures: modes, likelihood, normalisation, and speed against CTGAN and a plain loop.

Workload
    * Mixtures (``skgen.datasets.make_gaussian_mixture``): the 25-Gaussian
      grid (centres {-4, -2, 0, 2, 4}^2, std 0.05) and the 8-Gaussian ring
      (radius 2, std 0.02), 10000 training points each, drawn afresh in every
      repetition r with ``random_state=r``, as float32 arrays (a DataFrame
      with columns x, y for CTGAN); 5000 held-out points with
      ``random_state=1000 + r``.
    * Model: ``skgen.EBM(**SETTINGS, random_state=r)``, used unchanged on both
      datasets, against ``ctgan.CTGAN(epochs=100, batch_size=500)`` seeded
      with ``set_random_state(r)``. Fit time is the ``fit`` call (the AIS
      estimate of log Z runs later, on first use, and is timed apart). Each
      fitted model draws 2500 samples (the EBM: ``sample(2500,
      random_state=r)``, Langevin chains from noise, each step after a
      kernel jump since SETTINGS set ``jump_bandwidth``), scored with
      ``skgen.metrics.mode_coverage(samples, centers, std)``: a sample is high
      quality within 3 std of its nearest centre, a mode is captured with at
      least 20 high-quality samples.
    * Held-out log-likelihood (mean nats per point): the EBM's ``score``
      (log Z by AIS), ``sklearn.mixture.GaussianMixture`` with the true number
      of components (25 or 8; ``random_state=r``) and
      ``sklearn.neighbors.KernelDensity`` with its Gaussian bandwidth chosen
      by 3-fold ``GridSearchCV`` over 10 values from 0.005 to 0.5 (log
      spaced), all fitted on the same training points.
    * Normalisation: log Z by quadrature, the log of the Riemann sum of
      exp(-E) (``energy_samples``) on a 400 x 400 grid over the training
      data's bounding box widened by 1 on every side, beside the AIS
      estimate ``log_z_`` +- ``log_z_std_``; the integral of
      exp(``score_samples``) over that box is exp(quadrature - AIS). Beside
      it, no target: the share of exp(-E)'s mass that lies outside that box,
      from a coarser grid over the box widened by 20 (2000 x 2000, its points
      outside the first box). An energy can grow deep wells far from the
      data, where no chain goes (user guide, "Training in practice"); AIS may
      find or miss them, and the box above never sees them.
    * The density's own modes, no target: from the same quadrature, the share
      of exp(-E)'s mass within 3 std of each centre. A mode counts when 2500
      exact draws from the model would put at least 20 high-quality samples
      there (share >= 20 / 2500), as ``mode_coverage`` counts them. Langevin
      chains without jumps settle in whichever mode is near and never cross
      to another, so ``sample`` could cover every mode while the density held
      its mass in a few (the settings before jumps did); with jumps the
      chains share themselves among the modes by the model's mass, and the
      two figures should agree.
    * Time per training step against a plain PyTorch loop written here (no
      skorch, no scikit-learn, no skgen in its steps) that does the same
      updates: the same MLP energy (SiLU on 4 tanh(z / 4), the confinement
      term), the same standardisation, the same kernel jump of each chain
      before its Langevin steps (1024 training rows as centres, 5% of the
      proposal from N(0, I)), the same
      replay buffer (``buffer_size`` chains from
      N(0, I), a ``reinit_fraction`` restarted from N(0, I) per step, written
      back), the same ``n_langevin_steps`` Langevin steps with the same step,
      noise and clipping, the same loss and Adam (with the same learning-rate
      schedule over its epochs), one ``randperm`` per epoch
      and contiguous mini-batches, one host sync per epoch. Both run
      ``TIMING_EPOCHS`` epochs on the grid data right after each other, in
      every repetition (so 3 interleaved pairs), with the same intra-op
      thread count (skgen's own choice for this network, unless
      ``--threads``); time per step = wall time / mini-batch steps.
    * Everything on the CPU unless CUDA is present (skgen's ``device="auto"``,
      CTGAN's default).

    Order within a repetition (interleaved): grid: CTGAN, EBM, skgen and
    plain timing runs; ring: CTGAN, EBM.

Targets
    * EBM on the grid: >= 24/25 modes; on the ring: 8/8; on both: >= 80%
      high-quality samples (every repetition must meet each);
    * EBM fit time <= 3x CTGAN's on the same data (median of the
      per-repetition ratios, per dataset);
    * exp(score_samples) integrates to 1 within 3% over the widened box
      (every repetition, both datasets);
    * skgen's time per training step <= 1.10x the plain loop's (median of
      the per-repetition ratios).
    The held-out log-likelihoods are reported without a target.

Command
    pip install ctgan                           # the reference (in the "bench" extra)
    python benchmarks/bench_ebm.py              # full run, 3 repetitions
    python benchmarks/bench_ebm.py --quick      # smoke run: 1 repetition, few epochs
    python benchmarks/bench_ebm.py --no-ctgan   # without the CTGAN reference
"""

import argparse
import math
import statistics
import warnings

import numpy as np
import torch
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KernelDensity
from torch import nn

from _report import print_summary, timed
from skgen import EBM
from skgen._threads import torch_threads
from skgen.datasets import make_gaussian_mixture
from skgen.metrics import mode_coverage

# Constructor keyword arguments of skgen.EBM, used unchanged on both datasets and every draw.
SETTINGS = {
    "hidden_layer_sizes": (128, 128),
    "learning_rate": 1e-2,
    "learning_rate_schedule": "cosine",
    "batch_size": 128,
    "max_iter": 180,
    "n_langevin_steps": 8,
    "step_size": 5e-5,
    "alpha": 0.003,
    "buffer_size": 2000,
    "reinit_fraction": 0.05,
    "jump_bandwidth": 0.05,
    "n_sample_steps": 500,
    "n_ais_chains": 10000,
    "n_ais_betas": 1000,
}

N_TRAIN, N_TEST, N_SAMPLES = 10000, 5000, 2500
CTGAN_PARAMS = {"epochs": 100, "batch_size": 500}
DATASETS = ("grid", "ring")
N_MODES = {"grid": 25, "ring": 8}
TARGET_MODES = {"grid": 24, "ring": 8}
MIN_HIGH_QUALITY = 0.80
MAX_RATIO_CTGAN = 3.0
MAX_RATIO_PLAIN = 1.10
MAX_INTEGRAL_ERROR = 0.03
GRID_POINTS, GRID_MARGIN = 400, 1.0
WIDE_GRID_POINTS, WIDE_GRID_MARGIN = 2000, 20.0
KDE_BANDWIDTHS = np.logspace(np.log10(0.005), np.log10(0.5), 10)
TIMING_EPOCHS = 10
QUICK_EPOCHS = {"EBM": 3, "CTGAN": 2}


# ------------------------------------------------------------ plain PyTorch loop
class PlainEnergy(nn.Module):
    """MLP with SiLU on 4 tanh(z / 4), one output, plus confinement / 2 * ||z||^2: skgen's default energy, written out."""

    def __init__(self, n_features, hidden, confinement):
        super().__init__()
        widths = [n_features, *hidden]
        layers = []
        for n_in, n_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(n_in, n_out), nn.SiLU()]
        layers.append(nn.Linear(widths[-1], 1))
        self.net = nn.Sequential(*layers)
        self.confinement = confinement

    def forward(self, z):
        return self.net(4 * torch.tanh(z / 4)).squeeze(1) + 0.5 * self.confinement * (z**2).sum(dim=1)


def plain_kernel_jump(energy, x, centres, bandwidth, rng, base_weight=0.05):
    """One independence Metropolis-Hastings jump to a Gaussian kernel around a random centre, or (with
    probability base_weight) to N(0, I), the standardised data's Gaussian."""
    n, d = x.shape
    picks = torch.randint(len(centres), (n,), generator=rng, device=x.device)
    proposal = centres[picks] + bandwidth * torch.randn(x.shape, generator=rng, device=x.device)
    from_base = torch.rand(n, generator=rng, device=x.device) < base_weight
    proposal = torch.where(from_base.unsqueeze(1), torch.randn(x.shape, generator=rng, device=x.device), proposal)
    with torch.no_grad():
        log_q = []
        for v in (x, proposal):  # a log-sum-exp with negligible terms clamped: exp of subnormals is slow
            log_terms = -0.5 / bandwidth**2 * torch.cdist(v, centres) ** 2
            peak = log_terms.amax(dim=1, keepdim=True)
            kernel = (peak.squeeze(1) + (log_terms - peak).clamp(min=-80.0).exp().sum(dim=1).log()
                      - math.log(len(centres)) - d * math.log(bandwidth))
            base = -0.5 * (v**2).sum(dim=1)
            log_q.append(torch.logaddexp(kernel + math.log1p(-base_weight), base + math.log(base_weight)))
        log_acceptance = energy(x) - energy(proposal) + log_q[0] - log_q[1]
    accept = torch.log(torch.rand(n, generator=rng, device=x.device)) < log_acceptance
    return torch.where(accept.unsqueeze(1), proposal, x)


def fit_plain_ebm(X, params, *, seed, n_epochs):
    """The EBM of ``params`` (skgen.EBM keyword arguments) trained by a plain loop; returns the steps run."""
    defaults = EBM().get_params()
    p = {**defaults, **params}
    device = "cuda" if torch.cuda.is_available() else "cpu"
    X = torch.as_tensor(np.asarray(X, dtype=np.float32), device=device)
    mean, std = X.mean(dim=0), X.std(dim=0, unbiased=False)
    data = (X - mean) / torch.where(std > 0, std, torch.ones_like(std))
    n_rows, n_features = data.shape
    step, clip, alpha = p["step_size"], p["grad_clip"], p["alpha"]
    noise_scale = math.sqrt(2 * step) if p["noise_scale"] is None else p["noise_scale"]
    rng = torch.Generator(device=device).manual_seed(seed)
    with torch.random.fork_rng(devices=[torch.device(device)] if device == "cuda" else []):
        torch.manual_seed(seed)
        energy = PlainEnergy(n_features, tuple(p["hidden_layer_sizes"]), p["confinement"]).to(device)
    optimizer = torch.optim.Adam(energy.parameters(), lr=p["learning_rate"])
    if p["learning_rate_schedule"] == "cosine":  # annealed over this call's epochs, one update per epoch
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: 0.5 * (1 + math.cos(math.pi * t / n_epochs)))
    else:
        schedule = None
    buffer = torch.randn(p["buffer_size"], n_features, generator=rng, device=device)
    jump_centres = data[torch.randperm(n_rows, generator=rng, device=device)[:1024]]
    batch_size = p["batch_size"]
    bounds = [(start, min(start + batch_size, n_rows)) for start in range(0, n_rows, batch_size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], n_rows)]
    n_steps = 0
    for _ in range(n_epochs):
        shuffled = data[torch.randperm(n_rows, generator=rng, device=device)]
        losses = []
        for start, stop in bounds:
            x_pos = shuffled[start:stop]
            n = min(stop - start, p["buffer_size"])
            rows = torch.randperm(p["buffer_size"], generator=rng, device=device)[:n]
            restart = torch.rand(n, generator=rng, device=device) < p["reinit_fraction"]
            fresh = torch.randn(n, n_features, generator=rng, device=device)
            x = torch.where(restart.unsqueeze(1), fresh, buffer[rows])
            energy.eval()
            if p["jump_bandwidth"] is not None:
                x = plain_kernel_jump(energy, x, jump_centres, p["jump_bandwidth"], rng)
            for _ in range(p["n_langevin_steps"]):
                x.requires_grad_(True)
                (grad,) = torch.autograd.grad(energy(x).sum(), x)
                if clip is not None:
                    grad = grad.clamp(-clip, clip)
                x = (x.detach() - step * grad + noise_scale * torch.randn(x.shape, generator=rng, device=device))
            buffer[rows] = x
            energy.train()
            e = energy(torch.cat([x_pos, x]))
            e_pos, e_neg = e[: stop - start], e[stop - start :]
            loss = e_pos.mean() - e_neg.mean() + alpha * ((e_pos**2).mean() + (e_neg**2).mean())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(loss.detach())
            n_steps += 1
        float(torch.stack(losses).mean())  # one host sync per epoch, as a loop logging its loss would
        if schedule is not None:
            schedule.step()
    return n_steps


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
def _box(X, margin):
    """(low, high) corners of X's bounding box widened by margin."""
    return X.min(axis=0) - margin, X.max(axis=0) + margin


def _grid(X, margin, points):
    """(rows of a points x points grid over X's box widened by margin, log of a cell's area)."""
    ticks = [np.linspace(a, b, points) for a, b in zip(*_box(X, margin))]
    grid = np.stack(np.meshgrid(*ticks, indexing="ij"), axis=-1).reshape(-1, 2).astype(X.dtype)
    return grid, sum(math.log(t[1] - t[0]) for t in ticks)


def _log_riemann_sum(minus_energy, log_cell):
    peak = minus_energy.max()
    return float(peak + np.log(np.exp(minus_energy - peak).sum()) + log_cell)


def box_quadrature(ebm, X):
    """(grid rows, -E at them, log Z): the Riemann sum of exp(-E) on the GRID_POINTS^2 grid over X's
    box widened by GRID_MARGIN."""
    grid, log_cell = _grid(X, GRID_MARGIN, GRID_POINTS)
    minus_energy = -ebm.energy_samples(grid)
    return grid, minus_energy, _log_riemann_sum(minus_energy, log_cell)


def density_mode_coverage(grid, minus_energy, centers, std, n_sigma=3, min_count=20):
    """(modes holding at least min_count / N_SAMPLES of the mass within n_sigma std of their centre,
    share of the mass within n_sigma std of any centre), from the grid of box_quadrature."""
    weights = np.exp((minus_energy - minus_energy.max()).astype(np.float64))
    weights /= weights.sum()
    squared_distances = ((grid[:, None, :] - centers[None, :, :]) ** 2).sum(axis=-1)
    near = squared_distances.min(axis=1) <= (n_sigma * std) ** 2
    masses = np.bincount(squared_distances.argmin(axis=1)[near], weights=weights[near], minlength=len(centers))
    return int((masses * N_SAMPLES >= min_count).sum()), float(masses.sum())


def share_outside_box(ebm, X, log_z_box):
    """Share of exp(-E)'s mass beyond the quadrature box: a coarser grid over the box widened by
    WIDE_GRID_MARGIN, its points outside the box only (the fine grid has the inside)."""
    grid, log_cell = _grid(X, WIDE_GRID_MARGIN, WIDE_GRID_POINTS)
    low, high = _box(X, GRID_MARGIN)
    outside = grid[((grid < low) | (grid > high)).any(axis=1)]
    log_z_outside = _log_riemann_sum(-ebm.energy_samples(outside), log_cell)
    return 1 / (1 + math.exp(log_z_box - log_z_outside))


def kde_log_likelihood(X, X_test):
    search = GridSearchCV(KernelDensity(), {"bandwidth": KDE_BANDWIDTHS}, cv=3).fit(X)
    return search.best_estimator_.score_samples(X_test).mean(), search.best_params_["bandwidth"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 repetition, few epochs")
    parser.add_argument("--reps", type=int, default=None, help="interleaved repetitions (default 3, 1 with --quick)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads for every model (default: skgen's choice for skgen and the loop, "
                             "torch's for CTGAN)")
    parser.add_argument("--no-ctgan", action="store_true", help="leave CTGAN out")
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    n_reps = args.reps if args.reps is not None else (1 if args.quick else 3)
    settings = dict(SETTINGS)
    ctgan_epochs, timing_epochs = CTGAN_PARAMS["epochs"], TIMING_EPOCHS
    if args.quick:
        settings["max_iter"] = QUICK_EPOCHS["EBM"]
        ctgan_epochs, timing_epochs = QUICK_EPOCHS["CTGAN"], 1
    if args.threads is not None:
        settings["n_threads"] = args.threads
    has_ctgan, why = (False, "left out (--no-ctgan)") if args.no_ctgan else ctgan_available()

    print(f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads by default, "
          f"device {'cuda' if torch.cuda.is_available() else 'cpu'}")
    if has_ctgan:
        from importlib.metadata import version

        print(f"ctgan {version('ctgan')}: CTGAN(epochs={ctgan_epochs}, batch_size={CTGAN_PARAMS['batch_size']})")
    else:
        print(f"ctgan unavailable ({why})")
    print(f"EBM: {settings}")
    print(f"{n_reps} interleaved repetition(s); {N_TRAIN} training points, {N_TEST} held out, "
          f"{N_SAMPLES} samples scored\n")

    # Warm-up: first-call costs (imports, skorch, torch's optimizer machinery).
    X_small, _, _ = make_gaussian_mixture("ring", 300, random_state=0)
    X_small = X_small.astype(np.float32)
    warm = EBM(**{**settings, "max_iter": 1, "n_ais_chains": 8, "n_ais_betas": 10}, random_state=0).fit(X_small)
    thread_count = warm._thread_count()
    with torch_threads(thread_count):
        fit_plain_ebm(X_small, {**settings, "max_iter": 1}, seed=0, n_epochs=1)
    if has_ctgan:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit_ctgan(X_small, seed=0, epochs=1)
    print(f"skgen and the plain loop run with {thread_count} intra-op thread(s)\n")

    results = []  # dicts: rep, data, model, modes, hq, seconds, ...
    step_ratios = []
    for rep in range(n_reps):
        for kind in DATASETS:
            X, centers, std = make_gaussian_mixture(kind, N_TRAIN, random_state=rep)
            X = X.astype(np.float32)
            X_test = make_gaussian_mixture(kind, N_TEST, random_state=1000 + rep)[0].astype(np.float32)
            if has_ctgan:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model, seconds = timed(lambda: fit_ctgan(X, seed=rep, epochs=ctgan_epochs))
                    samples = model.sample(N_SAMPLES).to_numpy(dtype=np.float64)
                modes, hq = mode_coverage(samples, centers, std)
                results.append(dict(rep=rep, data=kind, model="CTGAN", modes=modes, hq=hq, seconds=seconds))
                print(f"  rep {rep} {kind:4s} CTGAN: {modes:2d}/{len(centers)} modes, {100 * hq:5.1f}% high quality, "
                      f"fit {seconds:7.1f} s", flush=True)

            ebm = EBM(**settings, random_state=rep)
            _, seconds = timed(lambda: ebm.fit(X))
            samples = ebm.sample(N_SAMPLES, random_state=rep)
            modes, hq = mode_coverage(samples, centers, std)
            (log_z, log_z_std), ais_seconds = timed(lambda: (ebm.log_z_, ebm.log_z_std_))
            grid, minus_energy, log_z_grid = box_quadrature(ebm, X)
            integral = math.exp(log_z_grid - log_z)
            outside = share_outside_box(ebm, X, log_z_grid)
            density_modes, density_hq = density_mode_coverage(grid, minus_energy, centers, std)
            ebm_ll = ebm.score(X_test)
            gmm_ll = GaussianMixture(N_MODES[kind], random_state=rep).fit(X).score(X_test)
            kde_ll, bandwidth = kde_log_likelihood(X, X_test)
            results.append(dict(rep=rep, data=kind, model="EBM", modes=modes, hq=hq, seconds=seconds,
                                integral=integral, outside=outside, density_modes=density_modes,
                                density_hq=density_hq, ebm_ll=ebm_ll, gmm_ll=gmm_ll, kde_ll=kde_ll))
            print(f"  rep {rep} {kind:4s} EBM  : {modes:2d}/{len(centers)} modes, {100 * hq:5.1f}% high quality, "
                  f"fit {seconds:7.1f} s ({ebm.n_iter_} epochs)", flush=True)
            print(f"                  log Z: AIS {log_z:.4f} +- {log_z_std:.4f} ({ais_seconds:.1f} s), quadrature "
                  f"{log_z_grid:.4f}; integral of exp(score_samples) {integral:.4f}; mass outside the box "
                  f"{100 * outside:.1f}%", flush=True)
            print(f"                  the density itself: {density_modes}/{len(centers)} modes, "
                  f"{100 * density_hq:.1f}% of its mass within 3 std of a centre", flush=True)
            print(f"                  held-out log-likelihood (nats/point): EBM {ebm_ll:.3f}, GaussianMixture "
                  f"{gmm_ll:.3f}, KernelDensity {kde_ll:.3f} (bandwidth {bandwidth:.4f})", flush=True)

            if kind == "grid":
                timing = {**settings, "max_iter": timing_epochs}
                est = EBM(**timing, random_state=rep)
                _, skgen_seconds = timed(lambda: est.fit(X))
                with torch_threads(thread_count):
                    n_plain, plain_seconds = timed(lambda: fit_plain_ebm(X, timing, seed=rep, n_epochs=timing_epochs))
                n_skgen = timing_epochs * len(range(0, N_TRAIN, settings["batch_size"]))
                if N_TRAIN % settings["batch_size"] == 1:
                    n_skgen -= timing_epochs
                ratio = (skgen_seconds / n_skgen) / (plain_seconds / n_plain)
                step_ratios.append(ratio)
                print(f"  rep {rep} grid timing: skgen {1e3 * skgen_seconds / n_skgen:.3f} ms/step, plain loop "
                      f"{1e3 * plain_seconds / n_plain:.3f} ms/step ({n_plain} steps each); ratio {ratio:.3f}",
                      flush=True)
        print(flush=True)

    def pick(**keys):
        return [r for r in results if all(r[k] == v for k, v in keys.items())]

    rows = []
    print("Summary (per dataset: worst modes and high-quality share over the repetitions, median times)")
    for kind in DATASETS:
        n_modes = N_MODES[kind]
        runs = pick(data=kind, model="EBM")
        modes, hq = min(r["modes"] for r in runs), min(r["hq"] for r in runs)
        rows.append((f"EBM {kind}: modes (worst of {n_reps})", f"{modes}/{n_modes}", f">= {TARGET_MODES[kind]}",
                     modes >= TARGET_MODES[kind]))
        rows.append((f"EBM {kind}: high-quality share (worst of {n_reps})", f"{100 * hq:.1f}%",
                     f">= {100 * MIN_HIGH_QUALITY:.0f}%", hq >= MIN_HIGH_QUALITY))
        if has_ctgan:
            ct = pick(data=kind, model="CTGAN")
            ratio = statistics.median(r["seconds"] / c["seconds"] for r, c in zip(runs, ct))
            rows.append((f"EBM {kind}: fit time / CTGAN's (median of {n_reps})", f"{ratio:.2f}",
                         f"<= {MAX_RATIO_CTGAN:.1f}", ratio <= MAX_RATIO_CTGAN))
            rows.append((f"CTGAN {kind}: modes, high-quality share (worst)",
                         f"{min(c['modes'] for c in ct)}/{n_modes}, {100 * min(c['hq'] for c in ct):.1f}%", None, None))
        worst = max(runs, key=lambda r: abs(r["integral"] - 1))
        rows.append((f"EBM {kind}: integral of exp(score_samples) (worst of {n_reps})", f"{worst['integral']:.4f}",
                     f"1 +- {MAX_INTEGRAL_ERROR:.2f}", abs(worst["integral"] - 1) <= MAX_INTEGRAL_ERROR))
        rows.append((f"EBM {kind}: mass outside the box (largest of {n_reps})",
                     f"{100 * max(r['outside'] for r in runs):.1f}%", None, None))
        rows.append((f"EBM {kind}: the density's modes, mass near them (worst)",
                     f"{min(r['density_modes'] for r in runs)}/{n_modes}, "
                     f"{100 * min(r['density_hq'] for r in runs):.1f}%", None, None))
        for name, key in (("EBM", "ebm_ll"), ("GaussianMixture", "gmm_ll"), ("KernelDensity", "kde_ll")):
            value = statistics.median(r[key] for r in runs)
            rows.append((f"{kind}: held-out log-likelihood, {name} (median)", f"{value:.3f}", None, None))
    step_ratio = statistics.median(step_ratios)
    rows.append((f"EBM time per training step / plain loop's (median of {n_reps})", f"{step_ratio:.3f}",
                 f"<= {MAX_RATIO_PLAIN:.2f}", step_ratio <= MAX_RATIO_PLAIN))
    print_summary(rows, title="Targets", widths=(58, 12, 10))
    if args.quick:
        print("  (--quick: a smoke run with a few epochs; the verdicts mean nothing)")


if __name__ == "__main__":
    main()
