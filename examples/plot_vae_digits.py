"""
==================================================
A variational autoencoder on scikit-learn's digits
==================================================

:class:`skgen.VAE` with a Bernoulli decoder fitted on the 8x8 digits of
:func:`sklearn.datasets.load_digits`, grey levels scaled to [0, 1]. The
pictures show what the four data-space methods of the estimator give:

* ``sample``: true draws x ~ p(x|z), z ~ N(0, I): binary images for a
  Bernoulli decoder, speckled here because the decoder learned grey levels;
* ``inverse_transform`` of standard normal rows: the decoder means E[x|z] of
  prior draws, the noiseless images usually shown as "VAE samples";
* ``inverse_transform(transform(X))``: reconstructions through the posterior
  mean;
* ``transform``: the posterior means, here of a second model with a 2-D
  latent space, drawn as a scatter coloured by digit class, and the decoder
  means over a lattice of that plane.

The training curve comes from ``history_``: the reconstruction term
-E_q log p(x|z) (``train_recon``) and KL(q(z|x) || p(z)) (``train_kl``) per
epoch. The digits' grey levels are not binary, so with a Bernoulli decoder
``score`` is a cross-entropy in nats, not the log-density of a distribution
over grey levels; it still ranks models fitted to the same data.

Run ``python examples/plot_vae_digits.py [OUTPUT_DIR]``; six PNG pictures are
written to OUTPUT_DIR (default ``skgen-output``). Needs matplotlib
(``pip install skgen[plot]``). Takes about 10 s on one CPU core. If it
takes minutes, other processes are keeping the cores busy and torch's
intra-op threads are waiting on each other: run it with ``OMP_NUM_THREADS=1``.
"""

import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import norm
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skgen import VAE
from skgen._plotting import image_grid, new_figure

output_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "skgen-output")
start = time.perf_counter()

# %%
# Data: 1797 digits of 8x8 pixels, grey levels 0..16 scaled to [0, 1]
# --------------------------------------------------------------------
# The networks compute in the dtype of X: float32 trains about 2.5 times
# faster than NumPy's default float64 on a CPU.
digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, digits.target, test_size=0.25, random_state=0)

# %%
# An 8-dimensional VAE for samples and reconstructions
# ----------------------------------------------------
# ``likelihood="bernoulli"`` makes the decoder return logits, so the
# reconstruction term is the binary cross-entropy summed over the 64 pixels.
vae = VAE(n_components=8, hidden_layer_sizes=(256,), likelihood="bernoulli", max_iter=100, random_state=0)
vae.fit(X_train)
print(f"8-D VAE: {vae.n_iter_} epochs, last epoch: -E_q log p(x|z) = {vae.history_[-1]['train_recon']:.2f}, "
      f"KL = {vae.history_[-1]['train_kl']:.2f} nats per digit")
print(f"held-out score (IWAE bound, K = {vae.n_importance}): {vae.score(X_test):.2f} nats per digit; "
      f"ELBO: {vae.elbo(X_test).mean():.2f}")

image_grid(vae.sample(100, random_state=0), (8, 8), output_dir / "vae_digits_samples.png", n_cols=10,
           vmin=0, vmax=1, title="sample(): x ~ p(x|z), z ~ N(0, I)")

rng = np.random.default_rng(0)
prior_means = vae.inverse_transform(rng.standard_normal((100, vae.n_components)))
image_grid(prior_means, (8, 8), output_dir / "vae_digits_prior_means.png", n_cols=10, vmin=0, vmax=1,
           title="inverse_transform(z), z ~ N(0, I): decoder means")

# Odd rows: held-out digits; even rows: their reconstructions
# inverse_transform(transform(X)), the decoder means at the posterior means.
originals = X_test[:50]
reconstructions = vae.inverse_transform(vae.transform(originals))
pairs = np.concatenate([originals.reshape(5, 10, 64), reconstructions.reshape(5, 10, 64)], axis=1).reshape(-1, 64)
image_grid(pairs, (8, 8), output_dir / "vae_digits_reconstructions.png", n_cols=10, vmin=0, vmax=1,
           title="digits (odd rows), reconstructions")

# %%
# Training curve from ``history_``
# --------------------------------
epochs = np.arange(1, len(vae.history_) + 1)
figure = new_figure((6, 3.8))
axes = figure.add_subplot()
axes.plot(epochs, [row["train_recon"] for row in vae.history_], label="train_recon: -E_q log p(x|z)")
axes.plot(epochs, [row["train_kl"] for row in vae.history_], label="train_kl: KL(q(z|x) || p(z))")
axes.plot(epochs, [row["train_loss"] for row in vae.history_], "k--", lw=1, label="train_loss: -ELBO")
axes.set(xlabel="epoch", ylabel="nats per digit", title="VAE training on digits (8-D latent space)")
axes.set_ylim(0, None)
axes.legend()
figure.tight_layout()
figure.savefig(output_dir / "vae_digits_training.png", dpi=100)

# %%
# A 2-D latent space: posterior means coloured by class
# -----------------------------------------------------
vae_2d = VAE(n_components=2, hidden_layer_sizes=(256,), likelihood="bernoulli", max_iter=100, random_state=0)
Z = vae_2d.fit(X_train).transform(X)
print(f"2-D VAE: held-out score {vae_2d.score(X_test):.2f} nats per digit")

figure = new_figure((6.4, 5.4))
axes = figure.add_subplot()
points = axes.scatter(Z[:, 0], Z[:, 1], c=digits.target, cmap="tab10", s=8, vmin=-0.5, vmax=9.5)
colorbar = figure.colorbar(points, ticks=range(10))
colorbar.set_label("digit")
axes.set(xlabel="$z_1$", ylabel="$z_2$", title="transform(X): posterior means, 2-D VAE")
axes.set_aspect("equal", adjustable="datalim")
figure.tight_layout()
figure.savefig(output_dir / "vae_digits_latent.png", dpi=100)

# The decoder means over a 12x12 lattice of the latent plane, at equal
# quantiles of the N(0, 1) prior along each axis (z_2 increasing upwards).
quantiles = norm.ppf(np.linspace(0.03, 0.97, 12))
lattice = np.array([[z1, z2] for z2 in quantiles[::-1] for z1 in quantiles])
image_grid(vae_2d.inverse_transform(lattice), (8, 8), output_dir / "vae_digits_manifold.png", n_cols=12,
           vmin=0, vmax=1, title="inverse_transform over the 2-D latent plane")

print(f"pictures written to {output_dir}/ in {time.perf_counter() - start:.1f} s")
