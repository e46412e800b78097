"""Annealed importance sampling (Neal 2001; Salakhutdinov & Murray 2008)."""

import math

import torch


def ais_betas(n_betas, *, dtype=torch.float64):
    """Inverse temperatures 0 = beta_0 < ... < beta_K = 1 (K = n_betas - 1).

    Spaced as in Salakhutdinov & Murray (2008): about 3.5% of the steps cover
    [0, 0.5], 27.5% cover [0.5, 0.9] and the remaining 69% cover [0.9, 1],
    where the distributions change fastest for a trained RBM.
    """
    if n_betas < 2:
        raise ValueError(f"AIS needs at least 2 inverse temperatures, got {n_betas}.")
    n1 = max(1, round(0.035 * (n_betas - 1)))
    n2 = max(1, round(0.275 * (n_betas - 1)))
    n3 = max(1, n_betas - 1 - n1 - n2)
    return torch.cat(
        [
            torch.linspace(0.0, 0.5, n1 + 1, dtype=dtype)[:-1],
            torch.linspace(0.5, 0.9, n2 + 1, dtype=dtype)[:-1],
            torch.linspace(0.9, 1.0, n3 + 1, dtype=dtype),
        ]
    )


@torch.no_grad()
def annealed_importance_sampling(model, n_chains, betas, generator):
    """Estimate log Z of ``model`` by annealing from its base distribution.

    ``model`` provides ``sample_base(n, generator)``, ``base_log_partition()``,
    ``annealed_log_ratio(v, beta_from, beta_to)`` (log f_to(v) - log f_from(v)
    for the unnormalised intermediate densities) and
    ``annealed_transition(v, beta, generator)`` (a transition leaving p_beta
    invariant).

    Returns
    -------
    log_z : float
        log of the mean importance weight plus the base log partition function:
        an unbiased estimate of Z, so log_z is slightly biased low (Jensen).
    log_z_std : float
        Standard error of log_z by the delta method: std(w) / (mean(w) sqrt(M)).
    """
    v = model.sample_base(n_chains, generator)
    log_w = torch.zeros(n_chains, dtype=v.dtype, device=v.device)
    betas = [float(b) for b in betas]
    for k in range(1, len(betas)):
        log_w += model.annealed_log_ratio(v, betas[k - 1], betas[k])
        if k < len(betas) - 1:
            v = model.annealed_transition(v, betas[k], generator)
    log_mean_w = torch.logsumexp(log_w, dim=0) - math.log(n_chains)
    weights = torch.exp(log_w - log_w.max())
    rel_std = float(weights.std(unbiased=True) / weights.mean()) if n_chains > 1 else float("inf")
    log_z = float(model.base_log_partition() + log_mean_w)
    return log_z, rel_std / math.sqrt(n_chains)
