"""
========================================================
Bernoulli RBM features, likelihood and samples on digits
========================================================

The pipeline of scikit-learn's example "Restricted Boltzmann Machine features
for digit classification", with :class:`skgen.BernoulliRBM` in place of
scikit-learn's: the RBM learns features for a logistic regression, and being a
generative model it also gives a held-out log-likelihood and fresh samples.

Run ``python examples/plot_rbm_digits.py [OUTPUT_DIR]``; three PNG pictures
(filters, samples, training curve) are written to OUTPUT_DIR (default
``output``). Needs matplotlib (``pip install skgen[plot]``).
"""

import sys
from pathlib import Path

import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from skgen import BernoulliRBM
from skgen._plotting import image_grid, new_figure
from skgen.datasets import load_nudged_digits

output_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "output")
output_dir.mkdir(parents=True, exist_ok=True)

# Every matrix here is small: one CPU thread (for NumPy's BLAS and for torch) is
# about as fast as two, and does not slow down tenfold on a busy machine.
threadpool_limits(limits=1)
torch.set_num_threads(1)

# %%
# Data: 8x8 digits and their one-pixel shifts, grey levels in [0, 1]
# --------------------------------------------------------------------
X_train, X_test, y_train, y_test = load_nudged_digits()

# %%
# RBM features for a logistic regression, versus raw pixels
# ---------------------------------------------------------
# The hyperparameters are those of scikit-learn's example.
# ``n_ais_betas`` only matters for the log-likelihood below.
rbm = BernoulliRBM(n_components=100, learning_rate=0.06, n_iter=10, n_ais_betas=2000, random_state=0)
classifier = Pipeline([("rbm", rbm), ("logistic", LogisticRegression(solver="newton-cg", C=6000))])
classifier.fit(X_train, y_train)
raw_pixels = LogisticRegression(solver="newton-cg", C=100).fit(X_train, y_train)
print(f"test accuracy, RBM features: {classifier.score(X_test, y_test):.4f}")
print(f"test accuracy, raw pixels:   {raw_pixels.score(X_test, y_test):.4f}")

# %%
# Held-out log-likelihood
# -----------------------
# ``score`` is the mean log-likelihood in nats. The RBM is a distribution over
# binary images, so the test digits are binarised first. With 100 hidden units
# log Z is estimated by annealed importance sampling; 2000 temperatures instead
# of the default 10000 keep this quick, at the price of a larger standard error.
X_test_bits = (X_test > 0.5).astype(X_test.dtype)
print(f"held-out log-likelihood: {rbm.score(X_test_bits):.2f} nats per image")
print(f"log Z = {rbm.log_z_:.2f} +/- {rbm.log_z_std_:.2f}")

# %%
# Pictures: filters, samples and the training curve
# -------------------------------------------------
image_grid(rbm.components_, (8, 8), output_dir / "rbm_digits_filters.png", n_cols=10,
           title="100 components extracted by the RBM")

samples = rbm.sample(64, random_state=0)
image_grid(samples, (8, 8), output_dir / "rbm_digits_samples.png", n_cols=8, vmin=0, vmax=1,
           title="64 samples drawn from the RBM")

# ``history_`` holds one row per epoch; ``train_loss`` is the negative
# pseudo-log-likelihood on a fixed subset of training rows.
figure = new_figure((5, 3.5))
axes = figure.add_subplot()
axes.plot([row["epoch"] for row in rbm.history_], [-row["train_loss"] for row in rbm.history_], "o-")
axes.set(xlabel="epoch", ylabel="pseudo-log-likelihood (nats)", title="BernoulliRBM training")
figure.tight_layout()
figure.savefig(output_dir / "rbm_digits_training.png", dpi=100)
print(f"pictures written to {output_dir}/")
