"""Restricted Boltzmann machines as pure torch modules: energies, conditionals, statistics.

Nothing here knows about scikit-learn. Weights are stored as ``W`` of shape
(n_visible, n_hidden), so hidden pre-activations are ``addmm(b_h, v, W)`` and
visible ones ``addmm(b_v, h, W.T)`` without copies.

Both modules provide the same interface, used by the training step, the
samplers and annealed importance sampling:

* ``hidden_probs(v)`` = P(h=1|v), ``visible_mean(h)`` = E[v|h],
  ``sample_visible(h, generator)``,
* ``free_energy(v)`` = -log sum_h exp(-E(v, h)),
* ``add_log_likelihood_gradient_(targets, ...)``: the CD/PCD statistics,
* ``log_partition_exact()`` by enumeration,
* the annealing path from a base-rate model (beta=0) to the RBM (beta=1):
  ``sample_base``, ``base_log_partition``, ``annealed_log_ratio``,
  ``annealed_transition``.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..sampling._bernoulli import bernoulli_sample

# Enumerating 2**20 configurations (in blocks) takes about a second: the
# largest layer size for which log Z is computed exactly.
EXACT_MAX_UNITS = 20
_ENUMERATION_BLOCK = 2**14


_ONES = {}


def _ones(rows):
    """A cached vector of ones with one entry per row of ``rows``."""
    key = (rows.shape[0], rows.dtype, rows.device)
    if key not in _ONES:
        _ONES[key] = torch.ones(rows.shape[0], dtype=rows.dtype, device=rows.device)
    return _ONES[key]


def binary_configurations(n_units, start, stop, *, dtype, device):
    """Rows start..stop-1 of the 2**n_units binary configurations, as 0/1 floats."""
    codes = torch.arange(start, stop, device=device).unsqueeze(1)
    bits = torch.arange(n_units, device=device)
    return ((codes >> bits) & 1).to(dtype)


def logsumexp_over_configurations(n_units, log_weight, *, dtype, device):
    """log sum over all 2**n_units binary rows s of log_weight(s), computed in blocks."""
    partial = []
    for start in range(0, 2**n_units, _ENUMERATION_BLOCK):
        stop = min(start + _ENUMERATION_BLOCK, 2**n_units)
        states = binary_configurations(n_units, start, stop, dtype=dtype, device=device)
        partial.append(torch.logsumexp(log_weight(states), dim=0))
    return torch.logsumexp(torch.stack(partial), dim=0)


class _RBMModule(nn.Module):
    """What both RBM kinds share: the annealing log-ratio and iterate averaging.

    Averaging (Polyak & Juditsky 1992) keeps a running mean of the parameters
    over the updates in ``average_<name>`` buffers. Training always moves the
    stochastic-approximation iterate; once an update has been averaged, the
    parameters hold the average between fits (the model every method uses) and
    the buffers the iterate, and ``swap_averages_`` exchanges them at the
    start and end of training.
    ``samples_seen`` counts the training rows of every update since the
    module was built.
    """

    def __init__(self):
        super().__init__()
        self.register_buffer("samples_seen", torch.zeros((), dtype=torch.long))

    # --- iterate averaging -------------------------------------------------
    def has_averages(self):
        return hasattr(self, "n_averaged")

    def init_averages_(self):
        """Buffers for the running average of every parameter; no update averaged yet."""
        for name, param in self.named_parameters():
            self.register_buffer("average_" + name, param.detach().clone())
        self.register_buffer("n_averaged", torch.zeros((), dtype=torch.long))

    def drop_averages_(self):
        """Forget the averages: the parameters as they are become the iterate."""
        for name, _ in self.named_parameters():
            delattr(self, "average_" + name)
        delattr(self, "n_averaged")

    def averages(self):
        return [getattr(self, "average_" + name) for name, _ in self.named_parameters()]

    def update_averages_(self, weight):
        """Fold the current parameters into the running mean: ``weight`` = 1 / iterates averaged (this one included).

        ``weight`` may be a 0-d tensor, so a captured CUDA graph can read it from the device.
        """
        for average, param in zip(self.averages(), self.parameters()):
            average.lerp_(param, weight)

    def swap_averages_(self):
        """Exchange the parameters and the average buffers."""
        for average, param in zip(self.averages(), self.parameters()):
            iterate = param.detach().clone()
            param.detach().copy_(average)
            average.copy_(iterate)

    def annealed_log_ratio(self, v, beta_from, beta_to):
        """log f_beta_to(v) - log f_beta_from(v) for the unnormalised annealed marginals."""
        hidden_pre = self.hidden_preactivation(v)
        return self.annealed_log_prob(v, beta_to, hidden_pre) - self.annealed_log_prob(
            v, beta_from, hidden_pre
        )


class BernoulliRBMModule(_RBMModule):
    """Binary-binary RBM: E(v, h) = -b_v.v - b_h.h - v.W.h.

    Parameters
    ----------
    n_visible, n_hidden : int
        Layer sizes.
    base_rate : tensor of shape (n_visible,)
        Visible marginals of the training data; the base-rate model
        prod_i Bernoulli(base_rate_i) starts the samplers and AIS.
    n_chains : int
        Size of the persistent chain kept for PCD.
    init_std : float
        Standard deviation of the initial weights. Both biases start at zero,
        as in scikit-learn: starting the visible biases at the data's
        log-odds (Hinton's practical guide, section 8) leaves more hidden
        units flat and lowered the accuracy of RBM features in scikit-learn's
        digits example by 0.003 on average over 80 seeds, for no gain in
        log-likelihood with iterate averaging.
    """

    def __init__(self, n_visible, n_hidden, *, base_rate, n_chains, init_std=0.01):
        super().__init__()
        rate = torch.as_tensor(base_rate, dtype=torch.float32).clamp(1e-3, 1 - 1e-3)
        self.register_buffer("base_bias", torch.log(rate) - torch.log1p(-rate))
        self.W = nn.Parameter(torch.randn(n_visible, n_hidden) * init_std, requires_grad=False)
        self.b_v = nn.Parameter(torch.zeros(n_visible), requires_grad=False)
        self.b_h = nn.Parameter(torch.zeros(n_hidden), requires_grad=False)
        self.register_buffer("chain_hidden", torch.zeros(n_chains, n_hidden))

    # --- conditionals ------------------------------------------------------
    def hidden_preactivation(self, v, out=None):
        return torch.addmm(self.b_h, v, self.W, out=out)

    def hidden_probs(self, v, out=None):
        return torch.sigmoid_(self.hidden_preactivation(v, out=out))

    def visible_mean(self, h, out=None):
        return torch.sigmoid_(torch.addmm(self.b_v, h, self.W.T, out=out))

    def sample_visible(self, h, generator, out=None, noise=None):
        probs = self.visible_mean(h, out=out)
        return bernoulli_sample(probs, generator, out=probs, noise=noise)

    def free_energy(self, v):
        return -(v @ self.b_v) - F.softplus(self.hidden_preactivation(v)).sum(dim=1)

    def trainable_parameters(self):
        return [self.W, self.b_v, self.b_h]

    def clamp_(self):
        """No constrained parameters."""

    def flip_gaps(self, v):
        """F(v with feature i flipped) - F(v) for every row and feature i, shape (n, n_visible).

        Flipping sets v_i to 1 - v_i, as scikit-learn's pseudo-likelihood does.
        """
        sign = 1 - 2 * v  # the change of v_i when it is flipped
        hidden_pre = self.hidden_preactivation(v)
        shifted = hidden_pre.unsqueeze(1) + sign.unsqueeze(2) * self.W.unsqueeze(0)
        hidden_change = (F.softplus(shifted) - F.softplus(hidden_pre).unsqueeze(1)).sum(dim=2)
        return -sign * self.b_v - hidden_change

    def pseudo_log_likelihood(self, v):
        """sum_i log P(v_i | v_-i): the mean of scikit-learn's one-flip estimate over all flips."""
        return -F.softplus(-self.flip_gaps(v)).sum(dim=1)

    def monitoring_loss(self, v, row_noise):
        """Negative pseudo-log-likelihood as scikit-learn estimates it (one flip per row).

        ``row_noise`` (uniform per row, fixed during a fit) picks the flipped
        feature, so the value is comparable from epoch to epoch. Flipping v_i
        changes the hidden input by one row of W, so one matrix product serves
        both free energies.
        """
        n_rows, n_features = v.shape
        index = (row_noise * n_features).long().clamp_(max=n_features - 1)
        sign = 1 - 2 * v[torch.arange(n_rows, device=v.device), index]  # the change of the flipped v_i
        hidden_pre = self.hidden_preactivation(v)
        flipped_pre = hidden_pre + sign.unsqueeze(1) * self.W[index]
        gap = -sign * self.b_v[index] - (F.softplus(flipped_pre) - F.softplus(hidden_pre)).sum(dim=1)
        return n_features * F.softplus(-gap).mean()

    def add_log_likelihood_gradient_(self, targets, v_pos, h_pos, v_neg, h_neg, alpha):
        """targets += alpha * (<-dE/dtheta>_data - <-dE/dtheta>_model), per parameter.

        ``h_pos``/``h_neg`` are hidden probabilities (E is linear in h, so the
        expectation over h is exact). Each phase is averaged over its rows.
        ``targets`` may be the parameters themselves: nothing here reads them.
        """
        a_pos, a_neg = alpha / v_pos.shape[0], -alpha / v_neg.shape[0]
        ones_pos, ones_neg = _ones(v_pos), _ones(v_neg)
        W, b_v, b_h = targets
        W.addmm_(v_pos.T, h_pos, alpha=a_pos).addmm_(v_neg.T, h_neg, alpha=a_neg)
        # column sums as matrix-vector products: one fused call per phase
        b_v.addmv_(v_pos.T, ones_pos, alpha=a_pos).addmv_(v_neg.T, ones_neg, alpha=a_neg)
        b_h.addmv_(h_pos.T, ones_pos, alpha=a_pos).addmv_(h_neg.T, ones_neg, alpha=a_neg)

    # --- partition function ----------------------------------------------------
    def log_partition_exact(self):
        """log Z by enumerating the smaller layer (at most EXACT_MAX_UNITS units)."""
        n_visible, n_hidden = self.W.shape
        kwargs = dict(dtype=self.W.dtype, device=self.W.device)
        if n_hidden <= n_visible:
            # sum_h exp(b_h.h) prod_i (1 + exp(b_v_i + (W h)_i))
            def log_weight(h):
                return h @ self.b_h + F.softplus(torch.addmm(self.b_v, h, self.W.T)).sum(dim=1)

            return logsumexp_over_configurations(n_hidden, log_weight, **kwargs)
        return logsumexp_over_configurations(n_visible, lambda v: -self.free_energy(v), **kwargs)

    # --- annealing path: p_beta(v, h) ~ exp((1-beta) base.v - beta E(v, h)) ------
    def sample_base(self, n, generator):
        rate = torch.sigmoid(self.base_bias).expand(n, -1)
        return bernoulli_sample(rate.contiguous(), generator)

    def base_log_partition(self):
        n_hidden = self.W.shape[1]
        return F.softplus(self.base_bias).sum() + n_hidden * math.log(2.0)

    def annealed_log_prob(self, v, beta, hidden_pre=None):
        if hidden_pre is None:
            hidden_pre = self.hidden_preactivation(v)
        visible_term = v @ ((1 - beta) * self.base_bias + beta * self.b_v)
        return visible_term + F.softplus(beta * hidden_pre).sum(dim=1)

    def annealed_transition(self, v, beta, generator):
        h = bernoulli_sample(torch.sigmoid(beta * self.hidden_preactivation(v)), generator)
        visible_pre = (1 - beta) * self.base_bias + beta * torch.addmm(self.b_v, h, self.W.T)
        return bernoulli_sample(torch.sigmoid(visible_pre), generator)


class GaussianBinaryRBMModule(_RBMModule):
    """Gaussian-binary RBM with per-feature standard deviation sigma:

    E(v, h) = sum_i (v_i - a_i)^2 / (2 sigma_i^2) - b.h - sum_ij v_i W_ij h_j / sigma_i^2,

    so P(h_j=1|v) = sigmoid(b_j + sum_i v_i W_ij / sigma_i^2) and
    p(v|h) = N(a + W h, diag(sigma^2)). ``a`` is stored as ``b_v``, ``b`` as ``b_h``
    and sigma as ``log_sigma``.

    Parameters
    ----------
    n_visible, n_hidden : int
        Layer sizes.
    mean, std : tensor of shape (n_visible,)
        Per-feature mean and standard deviation of the training data: the
        visible biases start at ``mean``, sigma at ``std``, and the base model
        prod_i N(mean_i, std_i^2) starts the samplers and AIS.
    n_chains : int
        Size of the persistent chain kept for PCD.
    learn_sigma : bool
        Whether sigma is trained (it then never goes below ``sigma_floor``).
    sigma_floor : tensor of shape (n_visible,)
        Smallest sigma allowed when it is learned.
    """

    def __init__(self, n_visible, n_hidden, *, mean, std, n_chains, learn_sigma, sigma_floor, init_std=0.01):
        super().__init__()
        mean = torch.as_tensor(mean, dtype=torch.float32)
        std = torch.as_tensor(std, dtype=torch.float32)
        self.W = nn.Parameter(torch.randn(n_visible, n_hidden) * init_std, requires_grad=False)
        self.b_v = nn.Parameter(mean.clone(), requires_grad=False)
        self.b_h = nn.Parameter(torch.zeros(n_hidden), requires_grad=False)
        self.log_sigma = nn.Parameter(torch.log(std), requires_grad=False)
        self.learn_sigma = learn_sigma
        self.register_buffer("log_sigma_floor", torch.log(torch.as_tensor(sigma_floor, dtype=torch.float32)))
        self.register_buffer("base_mean", mean.clone())
        self.register_buffer("base_std", std.clone())
        self.register_buffer("chain_hidden", torch.zeros(n_chains, n_hidden))

    @property
    def sigma(self):
        return torch.exp(self.log_sigma)

    # --- conditionals ------------------------------------------------------
    def hidden_preactivation(self, v):
        return torch.addmm(self.b_h, v * torch.exp(-2 * self.log_sigma), self.W)

    def hidden_probs(self, v, out=None):
        pre = self.hidden_preactivation(v)
        return torch.sigmoid(pre, out=out) if out is not None else pre.sigmoid_()

    def visible_mean(self, h, out=None):
        return torch.addmm(self.b_v, h, self.W.T, out=out)

    def sample_visible(self, h, generator, out=None, noise=None):
        mean = self.visible_mean(h, out=out)
        noise = torch.empty_like(mean) if noise is None else noise
        noise.normal_(generator=generator)
        return mean.addcmul_(noise, self.sigma)

    def free_energy(self, v):
        quadratic = ((v - self.b_v) ** 2 * (0.5 * torch.exp(-2 * self.log_sigma))).sum(dim=1)
        return quadratic - F.softplus(self.hidden_preactivation(v)).sum(dim=1)

    def trainable_parameters(self):
        params = [self.W, self.b_v, self.b_h]
        return params + [self.log_sigma] if self.learn_sigma else params

    def _phase_statistics(self, v, h):
        """Row means of -dE/dtheta at (v, h): for W, a, b and log sigma."""
        inv_var = torch.exp(-2 * self.log_sigma)
        scaled_v = v * inv_var
        n = v.shape[0]
        stats = [scaled_v.T @ h / n, ((v - self.b_v) * inv_var).mean(dim=0), h.mean(dim=0)]
        if self.learn_sigma:
            # -dE/dlog(sigma_i) = (v_i - a_i)^2 / sigma_i^2 - 2 v_i (W h)_i / sigma_i^2
            wh = h @ self.W.T
            stats.append((((v - self.b_v) ** 2 - 2 * v * wh) * inv_var).mean(dim=0))
        return stats

    def add_log_likelihood_gradient_(self, targets, v_pos, h_pos, v_neg, h_neg, alpha):
        """targets += alpha * (<-dE/dtheta>_data - <-dE/dtheta>_model), per parameter.

        All statistics are computed before any target is written, so
        ``targets`` may be the parameters themselves.
        """
        positive = self._phase_statistics(v_pos, h_pos)
        negative = self._phase_statistics(v_neg, h_neg)
        for target, pos, neg in zip(targets, positive, negative):
            target.add_(pos - neg, alpha=alpha)

    def monitoring_loss(self, v, row_noise):
        """Mean squared reconstruction error v - E[v | P(h|v)], in units of sigma."""
        error = (v - self.visible_mean(self.hidden_probs(v))) * torch.exp(-self.log_sigma)
        return (error**2).mean()

    def clamp_(self):
        """Keep a learned sigma above its floor."""
        if self.learn_sigma:
            torch.maximum(self.log_sigma, self.log_sigma_floor, out=self.log_sigma.data)

    # --- partition function ----------------------------------------------------
    def _log_gaussian_normaliser(self, log_sigma):
        return (log_sigma + 0.5 * math.log(2 * math.pi)).sum()

    def log_partition_exact(self):
        """log Z by enumerating the hidden layer and integrating v in closed form.

        For each h: int exp(-E) dv = exp(b.h) prod_i sqrt(2 pi) sigma_i
        exp(((Wh)_i^2 + 2 a_i (Wh)_i) / (2 sigma_i^2)).
        """
        inv_var = torch.exp(-2 * self.log_sigma)

        def log_weight(h):
            wh = h @ self.W.T
            return h @ self.b_h + (0.5 * (wh**2 + 2 * self.b_v * wh) * inv_var).sum(dim=1)

        n_hidden = self.W.shape[1]
        log_sum = logsumexp_over_configurations(n_hidden, log_weight, dtype=self.W.dtype, device=self.W.device)
        return log_sum + self._log_gaussian_normaliser(self.log_sigma)

    # --- annealing path: E_beta = (1-beta) E_base(v) + beta E(v, h) ------------------
    def sample_base(self, n, generator):
        noise = torch.empty(n, self.W.shape[0], dtype=self.W.dtype, device=self.W.device).normal_(generator=generator)
        return self.base_mean + noise * self.base_std

    def base_log_partition(self):
        return self._log_gaussian_normaliser(torch.log(self.base_std)) + self.W.shape[1] * math.log(2.0)

    def annealed_log_prob(self, v, beta, hidden_pre=None):
        if hidden_pre is None:
            hidden_pre = self.hidden_preactivation(v)
        base_energy = ((v - self.base_mean) ** 2 / (2 * self.base_std**2)).sum(dim=1)
        model_quadratic = ((v - self.b_v) ** 2 * (0.5 * torch.exp(-2 * self.log_sigma))).sum(dim=1)
        return -(1 - beta) * base_energy - beta * model_quadratic + F.softplus(beta * hidden_pre).sum(dim=1)

    def annealed_transition(self, v, beta, generator):
        h = bernoulli_sample(torch.sigmoid(beta * self.hidden_preactivation(v)), generator)
        base_precision = 1 / self.base_std**2
        model_precision = torch.exp(-2 * self.log_sigma)
        precision = (1 - beta) * base_precision + beta * model_precision
        mean = ((1 - beta) * base_precision * self.base_mean + beta * model_precision * (self.b_v + h @ self.W.T)) / precision
        noise = torch.empty_like(mean).normal_(generator=generator)
        return mean + noise / torch.sqrt(precision)
