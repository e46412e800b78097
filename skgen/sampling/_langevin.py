"""Langevin dynamics, Metropolis-adjusted Langevin, and the geometric annealing path for AIS.

Everything here is pure torch: densities and energies are callables on
(n, d) rows, every random draw comes from a passed ``torch.Generator`` (on
the rows' device), and gradients are taken with respect to the rows only,
so the parameters of an energy network never receive gradients.
"""

import math

import torch

# Optimal MALA scaling on a d-dimensional Gaussian (Roberts & Rosenthal 1998):
# proposal standard deviation 1.65 sigma d^(-1/6), accepting 57.4% of proposals.
_MALA_SCALE = 1.65
_MALA_TARGET_ACCEPTANCE = 0.574
# Robbins-Monro gain on log(step size) per transition, and the range it may
# take in units of the base standard deviation.
_ADAPTATION_GAIN = 0.2
_MIN_RELATIVE_STEP, _MAX_RELATIVE_STEP = 1e-4, 10.0


def _value_and_input_gradient(fn, x):
    """fn(x) of shape (n,) and the gradient of its sum with respect to ``x`` (parameters untouched).

    Rows must not interact inside ``fn`` (no batch statistics), so the
    gradient of the sum is each row's own gradient. Works inside
    ``torch.no_grad()``: gradients are enabled locally for the input.
    """
    if torch.is_inference_mode_enabled():
        raise RuntimeError(
            "Langevin and MALA steps need input gradients, which torch.inference_mode() forbids; "
            "call them under torch.no_grad() instead."
        )
    with torch.enable_grad():
        leaf = x.detach().requires_grad_(True)
        values = fn(leaf)
        if values.shape != (x.shape[0],):
            raise ValueError(
                f"The energy or log-density must return one value per row, shape ({x.shape[0]},); "
                f"got shape {tuple(values.shape)}."
            )
        (gradient,) = torch.autograd.grad(values.sum(), leaf)
    return values.detach(), gradient


def _check_rows(x):
    if x.ndim != 2:
        raise ValueError(f"Expected rows of shape (n_samples, n_features), got shape {tuple(x.shape)}.")


def _check_non_negative(name, value):
    if not value >= 0:
        raise ValueError(f"{name} must be non-negative, got {value}.")


def langevin_chain(energy, x, n_steps, *, step_size, noise_scale, generator, grad_clip=None, record_every=None):
    """Short-run Langevin dynamics on an energy, with step and noise decoupled.

    Each step moves every row by

        x <- x - step_size * clip(grad_x E(x)) + noise_scale * N(0, I),

    as in Du & Mordatch (2019). With ``noise_scale = sqrt(2 * step_size)``
    and no clipping this is the unadjusted Langevin algorithm, whose
    stationary law approaches exp(-E) as the step shrinks; decoupling the
    two (a smaller noise than that) trades exactness for sharper short-run
    samples, which is what training with short chains uses.

    Parameters
    ----------
    energy : callable
        Maps rows of shape (n, d) to energies of shape (n,). Rows must not
        interact (a network with batch normalisation must be in eval mode).
        Only the input gradient is computed, so no gradient accumulates in
        the parameters of an energy network.
    x : torch.Tensor of shape (n, d)
        Starting rows; not modified.
    n_steps : int
        Number of Langevin steps (0 returns a copy of ``x``).
    step_size : float
        Multiplier of the energy gradient.
    noise_scale : float
        Standard deviation of the Gaussian noise added at each step.
    generator : torch.Generator
        Source of every noise draw, on ``x``'s device.
    grad_clip : float or None, default=None
        If given, each element of the input gradient is clipped to
        [-grad_clip, grad_clip] before the step (Du & Mordatch clip this
        way): apart from the noise, no coordinate moves by more than
        ``step_size * grad_clip`` per step, however steep the energy.
    record_every : int or None, default=None
        If given, also return the chain's states after steps 0 (the start),
        ``record_every``, ``2 * record_every``, ... (at most ``n_steps``).

    Returns
    -------
    x : torch.Tensor of shape (n, d)
        The rows after ``n_steps`` steps, detached from any graph.
    trajectory : torch.Tensor of shape (n_steps // record_every + 1, n, d)
        The recorded states; only returned when ``record_every`` is given.

    Notes
    -----
    May be called inside ``torch.no_grad()`` (gradients are enabled locally
    for the input rows), but not inside ``torch.inference_mode()``, which
    forbids them.

    Examples
    --------
    >>> import torch
    >>> from skgen.sampling import langevin_chain
    >>> def energy(x):  # a standard Gaussian
    ...     return 0.5 * (x**2).sum(dim=1)
    >>> g = torch.Generator().manual_seed(0)
    >>> start = torch.full((2000, 2), 3.0)
    >>> samples, trajectory = langevin_chain(
    ...     energy, start, 200, step_size=0.05, noise_scale=0.05**0.5 * 2**0.5,
    ...     generator=g, record_every=50)
    >>> trajectory.shape
    torch.Size([5, 2000, 2])
    >>> bool(samples.mean().abs() < 0.1), bool((samples.var(dim=0) - 1).abs().max() < 0.15)
    (True, True)
    """
    _check_rows(x)
    if n_steps < 0:
        raise ValueError(f"n_steps must be non-negative, got {n_steps}.")
    _check_non_negative("step_size", step_size)
    _check_non_negative("noise_scale", noise_scale)
    if grad_clip is not None and not grad_clip > 0:
        raise ValueError(f"grad_clip must be positive or None, got {grad_clip}.")
    if record_every is not None and record_every < 1:
        raise ValueError(f"record_every must be a positive integer or None, got {record_every}.")

    x = x.detach().clone()
    noise = torch.empty_like(x)
    trajectory = [x.clone()] if record_every is not None else None
    for step in range(1, n_steps + 1):
        _, gradient = _value_and_input_gradient(energy, x)
        if grad_clip is not None:
            gradient.clamp_(-grad_clip, grad_clip)
        noise.normal_(generator=generator)
        x.add_(gradient, alpha=-step_size).add_(noise, alpha=noise_scale)
        if trajectory is not None and step % record_every == 0:
            trajectory.append(x.clone())
    if trajectory is None:
        return x
    return x, torch.stack(trajectory)


# --- Metropolis-adjusted Langevin ------------------------------------------------
def _mala_proposal(x, gradient, step_size, generator):
    """y = x + step_size^2 / 2 * grad log p(x) + step_size * N(0, I)."""
    noise = torch.empty_like(x).normal_(generator=generator)
    return x + 0.5 * step_size**2 * gradient + step_size * noise


def _mala_log_acceptance(x, proposal, log_p_x, log_p_proposal, grad_x, grad_proposal, step_size):
    """log of the Metropolis-Hastings ratio p(y) q(x | y) / (p(x) q(y | x)), per row."""

    def log_q(to, frm, grad_frm):  # log N(to; frm + step^2/2 grad, step^2), up to a shared constant
        return -0.5 * (((to - frm - 0.5 * step_size**2 * grad_frm) / step_size) ** 2).sum(dim=1)

    return log_p_proposal - log_p_x + log_q(x, proposal, grad_proposal) - log_q(proposal, x, grad_x)


def _metropolis_accept(log_acceptance, generator):
    """Per-row accept decisions log U < log alpha (a NaN ratio rejects)."""
    u = torch.rand(log_acceptance.shape, generator=generator, device=log_acceptance.device, dtype=log_acceptance.dtype)
    return torch.log(u) < log_acceptance


def mala_step(log_density, x, step_size, generator):
    """One Metropolis-adjusted Langevin (MALA) transition, leaving exp(log_density) invariant.

    Every row proposes y = x + step_size^2 / 2 * grad log p(x) +
    step_size * N(0, I) and accepts it with probability
    min(1, p(y) q(x | y) / (p(x) q(y | x))) (Roberts & Tweedie 1996), so
    each row is an exact Markov chain for the normalised exp(log_density)
    whatever the step size.

    Parameters
    ----------
    log_density : callable
        Maps rows of shape (n, d) to unnormalised log-densities of shape
        (n,); rows must not interact. Only the input gradient is computed.
    x : torch.Tensor of shape (n, d)
        Current rows; not modified.
    step_size : float or torch.Tensor
        Standard deviation of the proposal noise. A tensor of shape (d,)
        gives each coordinate its own step (a diagonal preconditioner, still
        exact); a tensor's values are not checked, to avoid a device sync.
    generator : torch.Generator
        Source of the proposal noise and the accept draws, on ``x``'s device.

    Returns
    -------
    x : torch.Tensor of shape (n, d)
        The rows after the transition (a rejected row keeps its value).
    acceptance_rate : torch.Tensor of shape ()
        Share of rows that accepted their proposal, left on the device.

    Examples
    --------
    >>> import torch
    >>> from skgen.sampling import mala_step
    >>> def log_density(x):  # N(1, 0.5^2) in each coordinate
    ...     return -0.5 * (((x - 1) / 0.5) ** 2).sum(dim=1)
    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.zeros(4000, 3, dtype=torch.float64)
    >>> for _ in range(100):
    ...     x, acceptance_rate = mala_step(log_density, x, 0.4, g)
    >>> bool((x.mean(dim=0) - 1).abs().max() < 0.03), bool((x.std(dim=0) - 0.5).abs().max() < 0.03)
    (True, True)
    >>> 0.5 < float(acceptance_rate) < 1
    True
    """
    _check_rows(x)
    if not isinstance(step_size, torch.Tensor) and not step_size > 0:
        raise ValueError(f"step_size must be positive, got {step_size}.")
    log_p_x, grad_x = _value_and_input_gradient(log_density, x)
    proposal = _mala_proposal(x.detach(), grad_x, step_size, generator)
    log_p_proposal, grad_proposal = _value_and_input_gradient(log_density, proposal)
    log_acceptance = _mala_log_acceptance(x, proposal, log_p_x, log_p_proposal, grad_x, grad_proposal, step_size)
    accepted = _metropolis_accept(log_acceptance, generator)
    x_new = torch.where(accepted.unsqueeze(1), proposal, x.detach())
    return x_new, accepted.to(x.dtype).mean()


# --- jumps between modes -----------------------------------------------------------
# Kernel terms below exp(-80) times the largest change no sum in floating point; exp() of smaller
# numbers gives subnormal results, which CPUs compute many times slower (40x here in float32).
_NEGLIGIBLE_LOG_TERM = -80.0


def _kernel_log_density(x, centres, bandwidth):
    """log (1/m) sum_j N(x; c_j, bandwidth^2 I) per row: the kernel density of the centres."""
    log_terms = torch.cdist(x, centres).square_().mul_(-0.5 / bandwidth**2)
    peak = log_terms.amax(dim=1, keepdim=True)
    log_sum = peak.squeeze(1) + log_terms.sub_(peak).clamp_(min=_NEGLIGIBLE_LOG_TERM).exp_().sum(dim=1).log_()
    n_centres, d = centres.shape
    return log_sum - math.log(n_centres) - d * math.log(bandwidth) - 0.5 * d * math.log(2 * math.pi)


def _gaussian_log_density(x, mean, std):
    """log N(x; mean, diag std^2) per row."""
    return (-0.5 * ((x - mean) / std).square().sum(dim=1) - torch.log(std).sum()
            - 0.5 * x.shape[1] * math.log(2 * math.pi))


def kernel_jump_step(energy, x, centres, bandwidth, generator, *, base_mean=None, base_std=None, base_weight=0.05):
    """One independence Metropolis-Hastings jump to a kernel proposal around reference rows.

    Every row proposes y = c_J + bandwidth * N(0, I), with J uniform over
    the ``centres`` (a draw from their Gaussian kernel density), or, with a
    base Gaussian given, with probability ``base_weight`` a draw from it
    instead (q is then the mixture), and accepts it with probability

        min(1, exp(-E(y)) q(x) / (exp(-E(x)) q(y))),

    so the transition leaves exp(-E) invariant whatever the centres. The
    proposal does not depend on where a row is, so a row can jump between
    modes that Langevin steps never cross, and rows move to a mode in
    proportion to its mass under exp(-E) relative to q: with centres drawn
    from the data, the chains carry each mode's weight under the model,
    which local steps alone cannot correct. Jumps are accepted often when q
    is close to exp(-E) / Z (a bandwidth near the modes' width) and seldom
    in high dimension, where they cost two energy evaluations and do no
    harm.

    The kernel density's tails vanish a few bandwidths from the centres,
    and a row there would almost never jump away (the ratio carries q(x)):
    a chain stranded off the data stays there. The base Gaussian, a
    defensive share of the proposal (Hesterberg 1995), keeps q(x) from
    vanishing wherever that Gaussian has mass.

    Parameters
    ----------
    energy : callable
        Maps rows of shape (n, d) to energies of shape (n,); evaluated
        without gradients.
    x : torch.Tensor of shape (n, d)
        Current rows; not modified.
    centres : torch.Tensor of shape (m, d)
        Reference rows the proposal is centred on, on ``x``'s device.
    bandwidth : float
        Standard deviation of the Gaussian kernel around each centre.
    generator : torch.Generator
        Source of the proposals and the accept draws, on ``x``'s device.
    base_mean, base_std : torch.Tensor of shape (d,) or None, default=None
        A Gaussian N(base_mean, diag base_std^2) mixed into the proposal
        (e.g. one fitted to the data); None: the kernel density alone.
    base_weight : float in (0, 1), default=0.05
        The Gaussian's share of the proposal, when one is given.

    Returns
    -------
    x : torch.Tensor of shape (n, d)
        The rows after the jump (a rejected row keeps its value).
    acceptance_rate : torch.Tensor of shape ()
        Share of rows that jumped, left on the device.

    Examples
    --------
    >>> import torch
    >>> from skgen.sampling import kernel_jump_step
    >>> def energy(x):  # modes at -3 (weight 1/4) and +3 (weight 3/4)
    ...     d = x[:, 0]
    ...     return -torch.logaddexp((-0.5 * (d + 3) ** 2) + torch.log(torch.tensor(0.25)),
    ...                             (-0.5 * (d - 3) ** 2) + torch.log(torch.tensor(0.75)))
    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.full((4000, 1), -3.0)  # every chain in the light mode
    >>> centres = torch.tensor([[-3.0], [3.0]])  # the proposal weighs both modes equally
    >>> for _ in range(50):
    ...     x, acceptance_rate = kernel_jump_step(energy, x, centres, 1.0, g)
    >>> bool(abs((x[:, 0] > 0).double().mean() - 0.75) < 0.03)  # the heavy mode's weight
    True
    """
    _check_rows(x)
    if centres.ndim != 2 or centres.shape[1] != x.shape[1] or centres.shape[0] == 0:
        raise ValueError(
            f"centres must be a non-empty (m, {x.shape[1]}) tensor of rows, got shape {tuple(centres.shape)}."
        )
    if not bandwidth > 0:
        raise ValueError(f"bandwidth must be positive, got {bandwidth}.")
    with_base = base_mean is not None
    if with_base != (base_std is not None):
        raise ValueError("base_mean and base_std go together: give both for a base Gaussian, or neither.")
    if with_base and not 0 < base_weight < 1:
        raise ValueError(f"base_weight must be in (0, 1), got {base_weight}.")
    x, centres = x.detach(), centres.to(x.dtype)
    picks = torch.randint(centres.shape[0], (x.shape[0],), generator=generator, device=x.device)
    noise = torch.empty_like(x).normal_(generator=generator)
    proposal = centres[picks] + bandwidth * noise
    if with_base:
        from_base = torch.rand(x.shape[0], generator=generator, device=x.device) < base_weight
        base_draws = torch.addcmul(base_mean, base_std, torch.empty_like(x).normal_(generator=generator))
        proposal = torch.where(from_base.unsqueeze(1), base_draws, proposal)

    def log_q(rows):
        kernel = _kernel_log_density(rows, centres, bandwidth)
        if not with_base:
            return kernel
        return torch.logaddexp(
            kernel + math.log1p(-base_weight), _gaussian_log_density(rows, base_mean, base_std) + math.log(base_weight)
        )

    with torch.no_grad():
        log_acceptance = energy(x) - energy(proposal) + log_q(x) - log_q(proposal)
    accepted = _metropolis_accept(log_acceptance, generator)
    return torch.where(accepted.unsqueeze(1), proposal, x), accepted.to(x.dtype).mean()


# --- annealing path for AIS ------------------------------------------------------
class GeometricPath:
    """The geometric path from a diagonal Gaussian to exp(-E(x)), with MALA transitions, for AIS.

    The intermediate unnormalised densities are

        log f_beta(x) = (1 - beta) log g(x) - beta E(x),

    with g(x) = exp(-||(x - base_mean) / base_std||^2 / 2) the base Gaussian
    without its normaliser, which :meth:`base_log_partition` supplies. This
    is the model protocol of :func:`annealed_importance_sampling`, so
    ``annealed_importance_sampling(path, n_chains, betas, generator)``
    estimates log Z = log int exp(-E(x)) dx.

    Transitions are ``n_transition_steps`` MALA steps on f_beta with a
    diagonal preconditioner: coordinate i proposes with standard deviation
    ``s * base_std[i]``. The relative step s starts at ``step_size`` and
    follows the temperature: after every MALA step, log s moves by
    0.2 * (acceptance rate - 0.574), towards MALA's optimal acceptance
    (Roberts & Rosenthal 1998), within [1e-4, 10]. The rate is the share
    over all chains, so every chain uses the same step at a given
    transition, like the population-adapted HMC steps of Wu et al. (2017);
    this ties the chains together only through one scalar, an effect that
    vanishes as the number of chains grows. The adaptation runs on the
    device and depends only on the generator's draws, so a run is
    reproducible; :meth:`sample_base` starts each run afresh.

    The energy and its input gradient at the current rows are kept between
    calls, so each MALA step costs one energy evaluation and one input
    gradient, and the log-ratios of the AIS weights cost nothing extra.

    Parameters
    ----------
    energy : callable
        Maps rows of shape (n, d) to energies of shape (n,), rows not
        interacting (an energy network in eval mode). Only input gradients
        are taken, so no gradient accumulates in its parameters.
    base_mean, base_std : torch.Tensor of shape (d,)
        The base Gaussian N(base_mean, diag(base_std^2)); they set the
        chains' dtype and device. A base fitted to the data the energy
        models (per-feature mean and standard deviation) keeps the path short.
    step_size : float or None, default=None
        Initial MALA proposal standard deviation in units of ``base_std``;
        None uses 1.65 d^(-1/6), MALA's optimal scaling for the base itself.
    n_transition_steps : int, default=1
        MALA steps at each intermediate temperature.

    Attributes
    ----------
    log_relative_step_ : torch.Tensor of shape ()
        Log of the current relative step s. After a run it is the step the
        target itself takes, so ``(step_size / exp(log_relative_step_))**2``
        estimates how much more precise than the base the target is: a
        short pilot run gives the ``precision_ratio`` of :func:`ais_betas`.

    Examples
    --------
    >>> import math, torch
    >>> from skgen.sampling import GeometricPath, ais_betas, annealed_importance_sampling
    >>> def energy(x):  # N(0, 0.5^2 I) in 2-D: Z = 2 pi 0.25
    ...     return 2.0 * (x**2).sum(dim=1)
    >>> path = GeometricPath(energy, torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64))
    >>> betas = ais_betas(200, precision_ratio=4.0)
    >>> log_z, log_z_std = annealed_importance_sampling(path, 500, betas, torch.Generator().manual_seed(0))
    >>> abs(log_z - math.log(2 * math.pi * 0.25)) < 3 * log_z_std
    True
    """

    def __init__(self, energy, base_mean, base_std, *, step_size=None, n_transition_steps=1):
        base_mean, base_std = torch.as_tensor(base_mean), torch.as_tensor(base_std)
        if base_mean.ndim != 1 or base_std.shape != base_mean.shape:
            raise ValueError(
                "base_mean and base_std must be vectors of the same length, got shapes "
                f"{tuple(base_mean.shape)} and {tuple(base_std.shape)}."
            )
        if not bool((base_std > 0).all()):
            raise ValueError("base_std must be positive in every coordinate.")
        if step_size is not None and not step_size > 0:
            raise ValueError(f"step_size must be positive or None, got {step_size}.")
        if n_transition_steps < 1:
            raise ValueError(f"n_transition_steps must be at least 1, got {n_transition_steps}.")
        self.energy = energy
        self.base_mean, self.base_std = base_mean, base_std
        n_features = base_mean.shape[0]
        self.step_size = _MALA_SCALE * n_features ** (-1 / 6) if step_size is None else step_size
        self.n_transition_steps = n_transition_steps
        self._start_run()

    def _start_run(self):
        self.log_relative_step_ = torch.tensor(
            math.log(self.step_size), dtype=self.base_std.dtype, device=self.base_std.device
        )
        # (rows, their tensor version, E(rows), grad E(rows)) of the last rows seen
        self._cached = None

    def _energy_and_gradient(self, x):
        cached = self._cached
        if cached is not None and cached[0] is x and cached[1] == x._version:
            return cached[2], cached[3]
        energy, gradient = _value_and_input_gradient(self.energy, x)
        self._remember(x, energy, gradient)
        return energy, gradient

    def _remember(self, x, energy, gradient):
        self._cached = (x, x._version, energy, gradient)

    def _base_log_density(self, x):
        """log g(x) and its gradient."""
        standardised = (x - self.base_mean) / self.base_std
        return -0.5 * (standardised**2).sum(dim=1), -standardised / self.base_std

    def _log_density_and_gradient(self, x, beta, energy, energy_gradient):
        base_log_density, base_gradient = self._base_log_density(x)
        return (
            (1 - beta) * base_log_density - beta * energy,
            (1 - beta) * base_gradient - beta * energy_gradient,
        )

    def sample_base(self, n, generator):
        """Draw rows from the base Gaussian, starting a new AIS run (resets the step adaptation).

        Parameters
        ----------
        n : int
            Number of rows.
        generator : torch.Generator
            Source of the draws, on the device of ``base_mean``.

        Returns
        -------
        x : torch.Tensor of shape (n, d)
            The rows, in the dtype of ``base_mean``.
        """
        self._start_run()
        noise = torch.empty(n, self.base_mean.shape[0], dtype=self.base_mean.dtype, device=self.base_mean.device)
        return self.base_mean + self.base_std * noise.normal_(generator=generator)

    def base_log_partition(self):
        """Return the base Gaussian's log normaliser, log int g(x) dx = sum_i log base_std_i + d/2 log(2 pi).

        Returns
        -------
        log_partition : torch.Tensor of shape ()
            In nats.
        """
        return torch.log(self.base_std).sum() + 0.5 * self.base_mean.shape[0] * math.log(2 * math.pi)

    def annealed_log_ratio(self, v, beta_from, beta_to):
        """Return log f_beta_to(v) - log f_beta_from(v) = (beta_to - beta_from) (-E(v) - log g(v)).

        Parameters
        ----------
        v : torch.Tensor of shape (n_chains, d)
            States of the runs.
        beta_from, beta_to : float
            Inverse temperatures of two consecutive steps of the path.

        Returns
        -------
        log_ratio : torch.Tensor of shape (n_chains,)
            Per row, in nats.
        """
        energy, _ = self._energy_and_gradient(v)
        base_log_density, _ = self._base_log_density(v)
        return (beta_to - beta_from) * (-energy - base_log_density)

    def annealed_transition(self, v, beta, generator):
        """Run ``n_transition_steps`` preconditioned MALA steps leaving f_beta / Z_beta invariant.

        The relative step adapts towards MALA's optimal acceptance rate.

        Parameters
        ----------
        v : torch.Tensor of shape (n_chains, d)
            States of the runs.
        beta : float
            Inverse temperature of the current step of the path.
        generator : torch.Generator
            Source of the proposals and of the accept/reject draws.

        Returns
        -------
        v : torch.Tensor of shape (n_chains, d)
            The states after the transition.
        """
        x = v
        energy, energy_gradient = self._energy_and_gradient(x)
        for _ in range(self.n_transition_steps):
            step = torch.exp(self.log_relative_step_) * self.base_std
            log_p, gradient = self._log_density_and_gradient(x, beta, energy, energy_gradient)
            proposal = _mala_proposal(x, gradient, step, generator)
            proposal_energy, proposal_energy_gradient = _value_and_input_gradient(self.energy, proposal)
            proposal_log_p, proposal_gradient = self._log_density_and_gradient(
                proposal, beta, proposal_energy, proposal_energy_gradient
            )
            log_acceptance = _mala_log_acceptance(x, proposal, log_p, proposal_log_p, gradient, proposal_gradient, step)
            accepted = _metropolis_accept(log_acceptance, generator)
            rows = accepted.unsqueeze(1)
            x = torch.where(rows, proposal, x)
            energy = torch.where(accepted, proposal_energy, energy)
            energy_gradient = torch.where(rows, proposal_energy_gradient, energy_gradient)
            acceptance_rate = accepted.to(x.dtype).mean()
            self.log_relative_step_ = (
                self.log_relative_step_ + _ADAPTATION_GAIN * (acceptance_rate - _MALA_TARGET_ACCEPTANCE)
            ).clamp(math.log(_MIN_RELATIVE_STEP), math.log(_MAX_RELATIVE_STEP))
        self._remember(x, energy, energy_gradient)
        return x
