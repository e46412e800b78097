"""
=====================================================
A Gaussian-binary RBM as a density model on two moons
=====================================================

:class:`skgen.GaussianBinaryRBM` models real-valued data: given the binary
hidden units h, the visible units are Gaussian, p(v | h) = N(a + W h, sigma^2),
so p(v) is a mixture of 2**n_components Gaussians with tied weights. With at
most 20 hidden units ``score_samples`` is the exact log density, so the model
can be compared with a :class:`sklearn.mixture.GaussianMixture` on held-out
data, and its density can be drawn on a grid.

Run ``python examples/plot_gaussian_rbm.py [OUTPUT_DIR]``; two PNG pictures
(samples over the data, densities) are written to OUTPUT_DIR (default
``output``). Needs matplotlib (``pip install skgen[plot]``).
"""

import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import make_moons
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgen import GaussianBinaryRBM
from skgen._plotting import new_figure

output_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "output")
output_dir.mkdir(parents=True, exist_ok=True)

X, _ = make_moons(n_samples=3000, noise=0.1, random_state=0)
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)

# %%
# Fit the RBM after a StandardScaler
# ----------------------------------
# With ``learn_sigma=False`` sigma stays at each feature's standard deviation,
# and the model cannot be narrower than the data's marginals; learning sigma
# lets every mixture component shrink. CD-10 on mini-batches of 100 rows
# trains a learned sigma more steadily than PCD-1 here (see the user guide).
rbm = make_pipeline(
    StandardScaler(),
    GaussianBinaryRBM(
        n_components=16,
        learn_sigma=True,
        persistent=False,
        k=10,
        batch_size=100,
        learning_rate=0.05,
        n_iter=400,
        random_state=0,
    ),
)
rbm.fit(X_train)


def log_density(model, X):
    """log p(x) in the data's own units (the scaler's Jacobian turns a density of scaled rows into one of x)."""
    return model.score_samples(X) - np.log(model[0].scale_).sum()


# %%
# Held-out log-likelihood against Gaussian mixtures
# -------------------------------------------------
baselines = {
    f"GaussianMixture({k})": make_pipeline(StandardScaler(), GaussianMixture(k, random_state=0)).fit(X_train)
    for k in (1, 8)
}
print("held-out log-likelihood, nats per point (exact for every model):")
for name, model in {"GaussianBinaryRBM(16)": rbm, **baselines}.items():
    print(f"  {name:22s} {log_density(model, X_test).mean():7.3f}")
print(f"RBM sigma after training: {rbm[-1].sigma_.round(3)} (in standard deviations)")

# %%
# Samples, mapped back to the data's units
# ----------------------------------------
samples = rbm[0].inverse_transform(rbm[-1].sample(1000, random_state=0))
figure = new_figure((6, 3.4))
figure.set_layout_engine("constrained")
axes = figure.add_subplot()
axes.scatter(*X_train.T, s=4, c="0.75", label="training data")
axes.scatter(*samples.T, s=4, c="tab:red", label="RBM samples")
axes.set(title="GaussianBinaryRBM samples", aspect="equal")
axes.legend(loc="upper right", markerscale=3)
figure.savefig(output_dir / "gaussian_rbm_samples.png", dpi=100)

# %%
# Densities on a grid
# -------------------
x0, x1 = np.meshgrid(np.linspace(-1.6, 2.6, 211), np.linspace(-1.1, 1.6, 136))
grid = np.column_stack([x0.ravel(), x1.ravel()])
figure = new_figure((10, 3.2))
figure.set_layout_engine("constrained")
panels = {"GaussianBinaryRBM(16)": rbm, "GaussianMixture(8)": baselines["GaussianMixture(8)"]}
densities = {name: np.exp(log_density(model, grid)).reshape(x0.shape) for name, model in panels.items()}
top = max(d.max() for d in densities.values())
for i, (name, density) in enumerate(densities.items()):
    axes = figure.add_subplot(1, 2, i + 1)
    mesh = axes.pcolormesh(x0, x1, density, vmin=0, vmax=top, cmap="viridis", shading="auto")
    axes.set(title=f"{name}: p(x)", aspect="equal")
figure.colorbar(mesh, ax=figure.axes, shrink=0.9)
figure.savefig(output_dir / "gaussian_rbm_density.png", dpi=100)
print(f"pictures written to {output_dir}/")

# %%
# The RBM beats a single Gaussian but is much blurrier than a mixture of eight
# free Gaussians: its 2**16 components share 16 weight vectors and one sigma,
# and contrastive divergence stops with sigma wider than maximum likelihood
# would choose. Its strength is high-dimensional data with many hidden units,
# where a Gaussian mixture needs far more parameters.
