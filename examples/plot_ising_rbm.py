"""
================================================
Learning the thermodynamics of the Ising model
================================================

Torlai & Melko's experiment ("Learning thermodynamics with Boltzmann
machines", PRB 94, 165134, 2016) on an 8 x 8 Ising lattice: at each of
several temperatures, :func:`skgen.datasets.make_ising` draws equilibrium
configurations by Wolff cluster Monte Carlo, a :class:`skgen.BernoulliRBM` is
fitted to them, and the configurations the RBM generates are compared with
independent Monte Carlo ones through four observables, computed by
:func:`skgen.datasets.ising_observables`: energy per spin, absolute
magnetisation, specific heat and susceptibility. The RBM never sees the
temperature or the energy function, only configurations.

Run ``python examples/plot_ising_rbm.py [OUTPUT_DIR]``; the figure
``ising_rbm.png`` is written to OUTPUT_DIR (default ``output``). It takes a
few minutes on a 2-core CPU. Needs matplotlib (``pip install skgen[plot]``).
"""

import os
import sys
from pathlib import Path

import numpy as np
import torch

from skgen import BernoulliRBM
from skgen._plotting import new_figure
from skgen.datasets import ising_observables, make_ising

output_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "output")
output_dir.mkdir(parents=True, exist_ok=True)

# The matrices are small (64 visible units): one thread is as fast as two.
torch.set_num_threads(1)

# %%
# Data: configurations of an 8 x 8 lattice between T = 1 and T = 3.5
# ------------------------------------------------------------------
# The temperatures are denser near the critical temperature
# T_c = 2 / ln(1 + sqrt 2) = 2.269, where the observables change fastest.
# Spins are coded 1 (up) and 0 (down), the input of a Bernoulli RBM. An
# independent set of Monte Carlo configurations at each temperature is the
# reference the RBM is judged against.
L = 8
T_C = 2 / np.log(1 + np.sqrt(2))
temperatures = [1.0, 1.5, 2.0, 2.2, 2.269, 2.35, 2.5, 2.8, 3.5]
n_train, n_reference, n_rbm_samples = 10_000, 10_000, 2_000
# SKGEN_QUICK=1 (set by the documentation build): smaller sets, fewer epochs.
QUICK = os.environ.get("SKGEN_QUICK") == "1"
if QUICK:
    n_train, n_reference, n_rbm_samples = 2_000, 2_000, 500

# %%
# One RBM per temperature, with the same settings everywhere
# ----------------------------------------------------------
# The settings of ``benchmarks/bench_ising.py``. 128 = 2 N hidden units: an
# RBM with one hidden unit per bond reproduces the Ising distribution exactly,
# so 2 N units are enough in principle. CD-3 on mini-batches of 50 rows, 200
# epochs, and the parameters averaged over the last quarter of the updates
# (``average`` counts training rows: 150 epochs of the training set).
n_epochs = 20 if QUICK else 200
rbm_settings = dict(
    n_components=128,
    learning_rate=0.05,
    batch_size=50,
    n_iter=n_epochs,
    k=3,
    persistent=False,
    average=3 * n_epochs // 4 * n_train,
    n_gibbs_steps=1000,
)

names = ("energy", "abs_magnetization", "specific_heat", "susceptibility")
monte_carlo = {name: [] for name in names}
model = {name: [] for name in names}
for index, temperature in enumerate(temperatures):
    X_train = make_ising(L, temperature, n_train, random_state=2 * index)
    X_reference = make_ising(L, temperature, n_reference, random_state=2 * index + 1)
    rbm = BernoulliRBM(**rbm_settings, random_state=0).fit(X_train)
    X_rbm = rbm.sample(n_rbm_samples, random_state=1)
    for observables, results in (
        (ising_observables(X_reference, temperature), monte_carlo),
        (ising_observables(X_rbm, temperature), model),
    ):
        for name in names:
            results[name].append((observables[name], observables[name + "_stderr"]))
    print(
        f"T = {temperature:5.3f}: energy MC {monte_carlo['energy'][-1][0]:+.3f}, "
        f"RBM {model['energy'][-1][0]:+.3f}; |m| MC {monte_carlo['abs_magnetization'][-1][0]:.3f}, "
        f"RBM {model['abs_magnetization'][-1][0]:.3f}"
    )

# %%
# Monte Carlo against the RBM
# ---------------------------
# Error bars are one jackknife standard error. Energy and ``|m|`` are means and
# come out right at every temperature; specific heat and susceptibility are
# fluctuations, sensitive to the tails of the learned distribution, and are
# the hard part near T_c.
figure = new_figure((10, 7))
labels = {
    "energy": "energy per spin  <e>",
    "abs_magnetization": "magnetisation  <|m|>",
    "specific_heat": "specific heat  C",
    "susceptibility": "susceptibility  chi",
}
for position, name in enumerate(names, start=1):
    axes = figure.add_subplot(2, 2, position)
    for results, style, label in ((monte_carlo, dict(fmt="-", color="black"), "Monte Carlo"),
                                  (model, dict(fmt="o", color="tab:red", markersize=5), "RBM samples")):
        values, errors = np.array(results[name]).T
        axes.errorbar(temperatures, values, yerr=errors, capsize=3, label=label, **style)
    axes.axvline(T_C, color="grey", linestyle="--", linewidth=1, label="$T_c$")
    axes.set(xlabel="temperature T", ylabel=labels[name])
    if position == 1:
        axes.legend()
figure.suptitle(f"Ising model, {L} x {L} lattice: an RBM per temperature, trained on Wolff Monte Carlo samples")
figure.tight_layout()
figure.savefig(output_dir / "ising_rbm.png", dpi=100)
print(f"figure written to {output_dir / 'ising_rbm.png'}")
