"""
=================================================
An energy-based model on scikit-learn's digits
=================================================

:class:`skgen.EBM` with its convolutional energy (``image_shape=(1, 8, 8)``)
fitted on the 8x8 digits of :func:`sklearn.datasets.load_digits`, grey levels
scaled to [0, 1]. Three pictures:

* ``sample``: Langevin chains started from noise (the Gaussian fitted to the
  training digits), after ``n_sample_steps`` steps;
* the chains of a few samples over time: with the same ``random_state``,
  ``sample(n, random_state=0, n_steps=k)`` is the state after k steps of the
  same chains, so calls with growing ``n_steps`` show them moving from noise
  towards digits;
* outlier detection: a model fitted on the digits 0-4 scores held-out digits
  0-4 (inliers) and all digits 5-9 (outliers) with ``score_samples``; the ROC
  AUC of telling them apart is printed next to those of
  ``sklearn.mixture.GaussianMixture`` and ``sklearn.neighbors.KernelDensity``
  (bandwidth by cross-validation) fitted on the same rows, and the score
  histograms are drawn.

``score_samples`` is log p(x) in nats with log Z estimated by annealed
importance sampling (``log_z_`` +- ``log_z_std_``, printed); the ranking of
the rows, and so the ROC AUC, does not depend on log Z.

Run ``python examples/plot_ebm_digits.py [OUTPUT_DIR]``; three PNG pictures
are written to OUTPUT_DIR (default ``output``). Needs matplotlib (``pip
install skgen[plot]``). Takes a few minutes on 2 CPU cores.
"""

import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KernelDensity

from skgen import EBM
from skgen._plotting import image_grid, new_figure

output_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "output")
output_dir.mkdir(parents=True, exist_ok=True)
# SKGEN_QUICK=1 (set by the documentation build): a quarter of the epochs.
QUICK = os.environ.get("SKGEN_QUICK") == "1"
start = time.perf_counter()

# %%
# Data: 1797 digits of 8x8 pixels, grey levels 0..16 scaled to [0, 1]
# --------------------------------------------------------------------
# The convolutional energy computes in float32 whatever the data's dtype.
digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
y = digits.target
low = y < 5
X_train, X_inliers = train_test_split(X[low], test_size=0.25, random_state=0)
X_outliers = X[~low]

# %%
# The model
# ---------
# ``image_shape`` switches to the convolutional energy and to one range for
# all pixels onto [-1, 1] (``scale="auto"``). The chains run 30 Langevin steps
# per training step from a replay buffer of 10000 chains; the noise is
# decoupled from the step (Du & Mordatch 2019): the chains sample
# exp(-f / T) with T = noise_scale^2 / (2 step_size), which is the model.
ebm = EBM(
    image_shape=(1, 8, 8),
    learning_rate=1e-3,
    batch_size=64,
    max_iter=15 if QUICK else 60,
    n_langevin_steps=30,
    step_size=0.05,
    noise_scale=0.01,
    alpha=0.1,
    n_sample_steps=300,
    n_ais_chains=200,
    n_ais_betas=500,
    random_state=0,
)
ebm.fit(X_train)
print(f"EBM on digits 0-4: {ebm.n_iter_} epochs in {time.perf_counter() - start:.0f} s, temperature "
      f"{ebm.temperature_:.4g}, last epoch: contrastive {ebm.history_[-1]['train_contrastive']:.3f}")

image_grid(ebm.sample(100, random_state=0), (8, 8), output_dir / "ebm_digits_samples.png", n_cols=10,
           vmin=0, vmax=1, title=f"sample(): {ebm.n_sample_steps} Langevin steps from noise")

# %%
# Langevin chains over time
# -------------------------
steps = [0, 5, 10, 20, 50, 100, 200, 300]
chains = np.stack([ebm.sample(8, random_state=1, n_steps=k) for k in steps], axis=1)  # (8 chains, time, 64)
image_grid(chains.reshape(-1, 64), (8, 8), output_dir / "ebm_digits_chains.png", n_cols=len(steps), vmin=0, vmax=1,
           title="one chain per row, after " + ", ".join(map(str, steps)) + " steps")

# %%
# Outlier detection: digits 0-4 against 5-9
# -----------------------------------------
log_z, log_z_std = ebm.log_z_, ebm.log_z_std_
print(f"log Z = {log_z:.2f} +- {log_z_std:.2f} (AIS, {ebm.n_ais_chains} chains x {ebm.n_ais_betas} temperatures)")
X_eval = np.concatenate([X_inliers, X_outliers])
is_outlier = np.r_[np.zeros(len(X_inliers)), np.ones(len(X_outliers))]

scores = {"EBM": ebm.score_samples(X_eval)}
gmm = GaussianMixture(n_components=10, covariance_type="full", reg_covar=1e-2, random_state=0).fit(X_train)
scores["GaussianMixture"] = gmm.score_samples(X_eval)
kde = GridSearchCV(KernelDensity(), {"bandwidth": np.logspace(-1.5, 0, 10)}, cv=3).fit(X_train).best_estimator_
scores["KernelDensity"] = kde.score_samples(X_eval)
for name, s in scores.items():
    auc = roc_auc_score(is_outlier, -s)  # lower likelihood = more of an outlier
    print(f"{name:16s} ROC AUC {auc:.3f}; mean log-likelihood of held-out inliers {s[is_outlier == 0].mean():8.2f}, "
          f"of outliers {s[is_outlier == 1].mean():8.2f} nats")
print(f"(KernelDensity bandwidth {kde.bandwidth:.3f} by 3-fold cross-validation)")

figure = new_figure((12, 3.5))
for i, (name, s) in enumerate(scores.items()):
    axes = figure.add_subplot(1, 3, i + 1)
    bins = np.linspace(np.percentile(s, 1), s.max(), 40)
    axes.hist(s[is_outlier == 0], bins=bins, alpha=0.6, density=True, label="held-out 0-4")
    axes.hist(s[is_outlier == 1], bins=bins, alpha=0.6, density=True, label="5-9")
    axes.set_title(f"{name}: AUC {roc_auc_score(is_outlier, -s):.3f}")
    axes.set_xlabel("score_samples (nats)")
axes.legend()
figure.tight_layout()
figure.savefig(output_dir / "ebm_digits_outliers.png")
print(f"pictures in {output_dir}/; total {time.perf_counter() - start:.0f} s")
