"""Block Gibbs sampling for restricted Boltzmann machines."""

import torch

from ._bernoulli import bernoulli_sample


@torch.no_grad()
def gibbs_chain(model, v, n_steps, generator):
    """Run ``n_steps`` sweeps v -> h ~ P(h|v) -> v ~ p(v|h) and return the last v.

    Parameters
    ----------
    model : object
        Provides ``hidden_probs(v)`` and ``sample_visible(h, generator)``,
        e.g. a fitted RBM's ``net_.module_``.
    v : torch.Tensor of shape (n_chains, n_visible)
        Starting visible states, one row per chain.
    n_steps : int
        Number of block-Gibbs sweeps.
    generator : torch.Generator
        Source of every random draw, on the model's device.

    Returns
    -------
    v : torch.Tensor of shape (n_chains, n_visible)
        The visible states after the last sweep.
    """
    for _ in range(n_steps):
        h = bernoulli_sample(model.hidden_probs(v), generator)
        v = model.sample_visible(h, generator)
    return v
