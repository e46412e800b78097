"""Annealed importance sampling (Neal 2001; Salakhutdinov & Murray 2008)."""

import math

import torch


def ais_betas(n_betas, *, precision_ratio=None, dtype=torch.float64):
    """Inverse temperatures 0 = beta_0 < ... < beta_K = 1 (K = n_betas - 1).

    Parameters
    ----------
    n_betas : int
        Number of inverse temperatures, at least 2.
    precision_ratio : float or None, default=None
        None: the spacing of Salakhutdinov & Murray (2008) for RBMs, where
        about 3.5% of the steps cover [0, 0.5], 27.5% cover [0.5, 0.9] and
        the remaining 69% cover [0.9, 1], where the distributions change
        fastest for a trained RBM.
        A positive number r: the spacing for a continuous geometric path
        from a base Gaussian to a target about r times more precise (r =
        (base std / target std)^2, e.g. the squared ratio of the data's
        spread to the width of its modes). Along a Gaussian path the
        precision (1 - beta) + beta r, in base units, then grows
        geometrically, beta_k = (r^(k/K) - 1) / (r - 1), which spreads the
        variance of the log-weights evenly over the steps; r = 1 is the
        linear spacing, r < 1 (a broader target) crowds the steps near 1.
        The estimate is not sensitive to r within a factor of ten or so.
    dtype : torch.dtype, default=torch.float64
        Dtype of the returned tensor.

    Returns
    -------
    betas : torch.Tensor of shape (n_betas,)
        Increasing from 0 to 1.

    Examples
    --------
    >>> from skgen.sampling import ais_betas
    >>> [round(beta, 4) for beta in ais_betas(5, precision_ratio=16.0).tolist()]
    [0.0, 0.0667, 0.2, 0.4667, 1.0]
    """
    if n_betas < 2:
        raise ValueError(f"AIS needs at least 2 inverse temperatures, got {n_betas}.")
    if precision_ratio is not None:
        if not precision_ratio > 0:
            raise ValueError(f"precision_ratio must be positive, got {precision_ratio}.")
        progress = torch.linspace(0.0, 1.0, n_betas, dtype=dtype)
        if precision_ratio == 1:
            return progress
        betas = torch.expm1(progress * math.log(precision_ratio)) / (precision_ratio - 1)
        betas[-1] = 1.0  # exact end point despite rounding
        return betas
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


def _annealing_runs(model, n_chains, betas, generator):
    """``n_chains`` AIS runs: their final states and log importance weights."""
    v = model.sample_base(n_chains, generator)
    log_w = torch.zeros(n_chains, dtype=v.dtype, device=v.device)
    betas = [float(b) for b in betas]
    for k in range(1, len(betas)):
        log_w += model.annealed_log_ratio(v, betas[k - 1], betas[k])
        if k < len(betas) - 1:
            v = model.annealed_transition(v, betas[k], generator)
    return v, log_w


@torch.no_grad()
def annealed_importance_sampling(model, n_chains, betas, generator):
    """Estimate log Z of ``model`` by annealing from its base distribution.

    ``model`` provides ``sample_base(n, generator)``, ``base_log_partition()``,
    ``annealed_log_ratio(v, beta_from, beta_to)`` (log f_to(v) - log f_from(v)
    for the unnormalised intermediate densities) and
    ``annealed_transition(v, beta, generator)`` (a transition leaving p_beta
    invariant): the RBM modules for their Gibbs paths, and
    :class:`~skgen.sampling.GeometricPath` for an energy function.

    Parameters
    ----------
    model : object
        Implements the annealing protocol above.
    n_chains : int
        Number of independent annealing runs (importance weights).
    betas : sequence of float
        Inverse temperatures from 0 to 1, e.g. from :func:`ais_betas`.
    generator : torch.Generator
        Source of every random draw, on the model's device.

    Returns
    -------
    log_z : float
        Log of the mean importance weight plus the base log partition function:
        an unbiased estimate of Z, so log_z is slightly biased low (Jensen).
    log_z_std : float
        Standard error of log_z by the delta method: std(w) / (mean(w) sqrt(M)).

    Examples
    --------
    >>> import math, torch
    >>> from skgen.sampling import GeometricPath, ais_betas, annealed_importance_sampling
    >>> def energy(x):  # N(3, 0.1^2): Z = sqrt(2 pi) 0.1
    ...     return 50.0 * ((x - 3.0) ** 2).sum(dim=1)
    >>> path = GeometricPath(energy, torch.zeros(1, dtype=torch.float64), torch.full((1,), 3.0, dtype=torch.float64))
    >>> g = torch.Generator().manual_seed(0)
    >>> log_z, log_z_std = annealed_importance_sampling(path, 200, ais_betas(300, precision_ratio=900.0), g)
    >>> abs(log_z - math.log(math.sqrt(2 * math.pi) * 0.1)) < 3 * log_z_std
    True
    """
    _, log_w = _annealing_runs(model, n_chains, betas, generator)
    log_mean_w = torch.logsumexp(log_w, dim=0) - math.log(n_chains)
    weights = torch.exp(log_w - log_w.max())
    rel_std = float(weights.std(unbiased=True) / weights.mean()) if n_chains > 1 else float("inf")
    log_z = float(model.base_log_partition() + log_mean_w)
    return log_z, rel_std / math.sqrt(n_chains)


@torch.no_grad()
def annealed_importance_resampling(model, n_samples, betas, generator):
    """Draw from the target of an AIS path: ``n_samples`` runs resampled by their importance weights.

    The runs of :func:`annealed_importance_sampling` end in states that,
    weighted by their importance weights, represent the target; drawing
    ``n_samples`` of them with probabilities proportional to the weights
    (multinomial resampling) turns them into draws whose law approaches the
    target as the number of runs grows (sampling importance resampling; with
    the annealing, a sequential Monte Carlo sampler). Unlike chains that
    follow the gradient from noise, the runs cross from the broad base into
    every mode in proportion to its mass, and high, narrow local minima do not
    trap them. Resampling repeats the heavily weighted states: the effective
    sample size (returned) says how many distinct draws they are worth.

    Parameters
    ----------
    model : object
        Implements the annealing protocol of :func:`annealed_importance_sampling`.
    n_samples : int
        Number of runs and of draws.
    betas : sequence of float
        Inverse temperatures from 0 to 1, e.g. from :func:`ais_betas`.
    generator : torch.Generator
        Source of every random draw, on the model's device.

    Returns
    -------
    samples : torch.Tensor of shape (n_samples, d)
        The resampled final states of the runs (d is the dimension of the model's states).
    effective_sample_size : float
        (sum w)^2 / sum w^2 of the runs' weights, between 1 and ``n_samples``.

    Examples
    --------
    >>> import torch
    >>> from skgen.sampling import GeometricPath, ais_betas, annealed_importance_resampling
    >>> def energy(x):  # modes at -3 (weight 1/4) and +3 (weight 3/4), std 0.2
    ...     d = torch.stack([(x[:, 0] + 3) ** 2, (x[:, 0] - 3) ** 2], dim=1) / (2 * 0.2**2)
    ...     return -torch.logsumexp(-d + torch.log(torch.tensor([0.25, 0.75], dtype=x.dtype)), dim=1)
    >>> path = GeometricPath(energy, torch.zeros(1, dtype=torch.float64), torch.full((1,), 3.0, dtype=torch.float64))
    >>> g = torch.Generator().manual_seed(0)
    >>> samples, ess = annealed_importance_resampling(path, 4000, ais_betas(200, precision_ratio=225.0), g)
    >>> round(float((samples > 0).double().mean()), 1), ess > 1000
    (0.8, True)
    """
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}.")
    v, log_w = _annealing_runs(model, n_samples, betas, generator)
    log_w = torch.nan_to_num(log_w, nan=-math.inf)
    if not bool(torch.isfinite(log_w).any()):
        log_w = torch.zeros_like(log_w)  # no information: keep the runs as they are
    probabilities = torch.softmax(log_w, dim=0)
    index = torch.multinomial(probabilities, n_samples, replacement=True, generator=generator)
    effective_sample_size = float(1.0 / (probabilities**2).sum())
    return v[index], effective_sample_size
