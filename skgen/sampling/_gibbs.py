"""Block Gibbs sampling for restricted Boltzmann machines."""

import torch

from ._bernoulli import bernoulli_sample


@torch.no_grad()
def gibbs_chain(model, v, n_steps, generator):
    """Run ``n_steps`` sweeps v -> h ~ P(h|v) -> v ~ p(v|h) and return the last v.

    ``model`` provides ``hidden_probs(v)`` and ``sample_visible(h, generator)``.
    """
    for _ in range(n_steps):
        h = bernoulli_sample(model.hidden_probs(v), generator)
        v = model.sample_visible(h, generator)
    return v
