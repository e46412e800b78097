"""The EBM's torch module in network units, its log-partition estimate, and the skorch net that trains it."""

import copy
import math

import torch
from skorch.callbacks import PassthroughScoring
from torch import nn

from ..base import ChunkedNet, reference_rows
from ..sampling import GeometricPath, ais_betas, annealed_importance_sampling, kernel_jump_step, langevin_chain
from ._module import ReplayBuffer, ebm_loss

# The pilot AIS run that sets the spacing of the inverse temperatures: at most
# this many chains, and this share of the main run's temperatures (at least
# _PILOT_MIN_BETAS).
_PILOT_CHAINS = 64
_PILOT_BETA_SHARE = 0.1
_PILOT_MIN_BETAS = 50
# The precision ratio read from the pilot is kept within these bounds.
_MIN_PRECISION_RATIO, _MAX_PRECISION_RATIO = 1e-2, 1e8
# The base Gaussian's share of the jumps' proposal: a chain stranded off the data can still jump.
_JUMP_BASE_WEIGHT = 0.05


class EBMModule(nn.Module):
    """An energy network seen in network units z, with its replay buffer, base Gaussian and jump centres.

    The estimator trains, samples and anneals in network units z = (x -
    shift) / spread. A default network is defined on z directly; a user's
    network is defined on data rows x, so it is wrapped: E_z(z) = E(shift +
    spread * z), and it always receives rows in the data's units.

    Parameters
    ----------
    energy : torch.nn.Module
        Maps rows to one energy per row; ``features`` gives the penultimate
        layer (needed by ``transform`` only).
    base_mean, base_std : torch.Tensor of shape (d,)
        The Gaussian fitted to the training data, in network units: the
        noise chains restart from and the base of the AIS path.
    buffer_size : int
        Chains kept in the replay buffer, drawn from the base at
        construction with ``generator``.
    generator : torch.Generator
        Draws the buffer's first chains.
    jump_centres : torch.Tensor of shape (m, d)
        Training rows in network units, the centres of the kernel proposal
        of the chains' jumps (:func:`~skgen.sampling.kernel_jump_step`).
    shift, spread : torch.Tensor of shape (d,) or None
        Given for a network defined on data rows (a user's): it then sees
        ``shift + spread * z``.
    """

    def __init__(self, energy, base_mean, base_std, buffer_size, generator, jump_centres, *, shift=None, spread=None):
        super().__init__()
        self.energy = energy
        self.register_buffer("base_mean", torch.as_tensor(base_mean).clone())
        self.register_buffer("base_std", torch.as_tensor(base_std).clone())
        self.register_buffer("jump_centres", torch.as_tensor(jump_centres).clone())
        self.data_units = shift is not None
        if self.data_units:
            self.register_buffer("shift", torch.as_tensor(shift).clone())
            self.register_buffer("spread", torch.as_tensor(spread).clone())
        self.buffer = ReplayBuffer(buffer_size, self.noise, generator)

    def energy_input(self, z):
        """Return what the energy network receives for network rows z.

        Parameters
        ----------
        z : torch.Tensor of shape (n_rows, d)
            Rows in network units.

        Returns
        -------
        x : torch.Tensor of shape (n_rows, d)
            ``shift + spread * z`` for a network on data rows, else ``z``.
        """
        return torch.addcmul(self.shift, self.spread, z) if self.data_units else z

    def forward(self, z):
        """Return the energy E_z(z) of each row.

        Parameters
        ----------
        z : torch.Tensor of shape (n_rows, d)
            Rows in network units.

        Returns
        -------
        energy : torch.Tensor of shape (n_rows,)
            The energy network's output.
        """
        return self.energy(self.energy_input(z))

    def features(self, z):
        """Return the energy network's penultimate-layer features of rows z.

        Parameters
        ----------
        z : torch.Tensor of shape (n_rows, d)
            Rows in network units.

        Returns
        -------
        features : torch.Tensor of shape (n_rows, n_features)
            The network's ``features`` of the rows it receives.
        """
        return self.energy.features(self.energy_input(z))

    def noise(self, n, generator):
        """Draw n rows of the base Gaussian N(base_mean, diag base_std^2).

        Parameters
        ----------
        n : int
            Number of rows.
        generator : torch.Generator
            Source of the draws, on the device of ``base_mean``.

        Returns
        -------
        z : torch.Tensor of shape (n, d)
            Rows in network units.
        """
        rows = torch.empty(n, self.base_mean.shape[0], dtype=self.base_mean.dtype, device=self.base_mean.device)
        return torch.addcmul(self.base_mean, self.base_std, rows.normal_(generator=generator))


def estimate_log_partition(module, n_chains, n_betas, generator, *, temperature=1.0):
    """AIS estimate of log Z_z = log int exp(-E_z(z) / temperature) dz, in float64, and its standard error.

    The path runs from the module's base Gaussian to exp(-E_z) with
    adaptive MALA transitions (:class:`~skgen.sampling.GeometricPath`) on a
    float64 copy of the module (the module itself is untouched). A pilot
    run of at most 64 chains over a tenth of the temperatures (at least 50,
    or all of them when there are fewer)
    measures the MALA step the target takes; its squared ratio to the base's
    step is the ``precision_ratio`` that spaces the main run's ``n_betas``
    inverse temperatures (:func:`~skgen.sampling.ais_betas`). Every draw
    comes from ``generator``, so a fixed seed gives a fixed estimate.
    """
    energy = copy.deepcopy(module).to(torch.float64).eval()
    for parameter in energy.parameters():
        parameter.requires_grad_(False)
    base_mean, base_std = energy.base_mean, energy.base_std
    if temperature != 1:
        network, inverse_temperature = energy, 1.0 / temperature

        def energy(z):
            return network(z) * inverse_temperature

    pilot = GeometricPath(energy, base_mean, base_std)
    n_pilot_betas = max(min(_PILOT_MIN_BETAS, n_betas), int(_PILOT_BETA_SHARE * n_betas))
    annealed_importance_sampling(pilot, min(n_chains, _PILOT_CHAINS), ais_betas(n_pilot_betas, precision_ratio=1.0),
                                 generator)
    ratio = (pilot.step_size / math.exp(float(pilot.log_relative_step_))) ** 2
    ratio = min(max(ratio, _MIN_PRECISION_RATIO), _MAX_PRECISION_RATIO)
    path = GeometricPath(energy, base_mean, base_std)
    betas = ais_betas(n_betas, precision_ratio=ratio)
    with torch.no_grad():
        return annealed_importance_sampling(path, n_chains, betas, generator)


class EBMNet(ChunkedNet):
    """Trains an :class:`EBMModule` by maximum likelihood with Langevin negatives.

    One ``train_step`` runs every mini-batch of a chunk: as many chains as
    rows (at most the buffer's size) are drawn from the replay buffer, a
    share ``reinit_fraction`` of them restarted from the base Gaussian; they
    run ``n_langevin_steps`` Langevin steps (the energy network in eval
    mode, input gradients only) and are written back; then one Adam step on
    ``ebm_loss(f(x+), f(x-), alpha)`` on the network's outputs f. The loss's parts are recorded per
    epoch as ``train_contrastive`` and ``train_regularization``.

    With a ``jump_bandwidth``, every chain drawn from the buffer first
    makes one Metropolis-Hastings jump to a kernel proposal around the
    module's ``jump_centres`` (training rows), which moves chains between
    modes in proportion to the modes' mass under the model; its acceptance
    rate is recorded as ``train_jump_acceptance``.

    The chains sample exp(-f / T) with T = ``temperature`` = noise_scale^2 /
    (2 step_size), the model's density. The validation loss (early stopping)
    is minus the mean log-likelihood of the held-out rows in nats, in the
    data's units: mean f(z) / T + log Z_z - ``log_jacobian``, with log Z_z
    estimated once per epoch by AIS with
    ``validation_ais`` = (chains, inverse temperatures), always from the
    seed ``validation_seed``.
    """

    def __init__(
        self,
        module,
        *args,
        n_langevin_steps=20,
        step_size=0.01,
        noise_scale=0.1,
        temperature=1.0,
        grad_clip=None,
        alpha=0.01,
        reinit_fraction=0.05,
        jump_bandwidth=None,
        log_jacobian=0.0,
        validation_ais=(64, 200),
        validation_seed=0,
        shuffle=True,
        **kwargs,
    ):
        super().__init__(module, *args, **kwargs)
        self.n_langevin_steps = n_langevin_steps
        self.step_size = step_size
        self.noise_scale = noise_scale
        self.temperature = temperature
        self.grad_clip = grad_clip
        self.alpha = alpha
        self.reinit_fraction = reinit_fraction
        self.jump_bandwidth = jump_bandwidth
        self.log_jacobian = log_jacobian
        self.validation_ais = validation_ais
        self.validation_seed = validation_seed
        self.shuffle = shuffle

    def get_default_callbacks(self):
        names = ["train_contrastive", "train_regularization", "valid_log_z"]
        if self.jump_bandwidth is not None:
            names.append("train_jump_acceptance")
        parts = [(name, PassthroughScoring(name=name, on_train=name.startswith("train"))) for name in names]
        return super().get_default_callbacks() + parts

    # ------------------------------------------------------------- sampling
    def langevin(self, z, n_steps, generator):
        """``n_steps`` Langevin steps from rows ``z`` with the net's settings."""
        return langevin_chain(
            self.module_,
            z,
            n_steps,
            step_size=self.step_size,
            noise_scale=self.noise_scale,
            generator=generator,
            grad_clip=self.grad_clip,
        )

    def jump(self, z, generator):
        """One kernel jump of every row towards the jump centres, on exp(-f / T); (rows, acceptance rate)."""
        module, temperature = self.module_, self.temperature
        return kernel_jump_step(
            lambda v: module(v) / temperature, z, module.jump_centres, self.jump_bandwidth, generator,
            base_mean=module.base_mean, base_std=module.base_std, base_weight=_JUMP_BASE_WEIGHT,
        )

    def sampler_steps(self, z, n_steps, generator):
        """``n_steps`` steps of ``sample``'s chains: Langevin steps, each after a kernel jump with a ``jump_bandwidth``."""
        if self.jump_bandwidth is None:
            return self.langevin(z, n_steps, generator)
        for _ in range(n_steps):
            z, _ = self.jump(z, generator)
            z = self.langevin(z, 1, generator)
        return z

    def negatives(self, n):
        """(n short-run chains from the replay buffer, advanced and written back; jump acceptance rate or None)."""
        module, generator = self.module_, self.generator
        buffer = module.buffer
        start = buffer.sample(n, generator, self.reinit_fraction, module.noise)
        module.eval()
        acceptance_rate = None
        if self.jump_bandwidth is not None:
            start, acceptance_rate = self.jump(start, generator)
        chains = self.langevin(start, self.n_langevin_steps, generator)
        buffer.push(chains)
        return chains, acceptance_rate

    # ------------------------------------------------------------- training
    def train_step(self, batch, **fit_params):
        module, optimizer = self.module_, self.optimizer_
        buffer_size = module.buffer.chains.shape[0]
        contrastive_sum = regularization_sum = acceptance_sum = 0.0
        for start, stop in batch.batch_bounds:
            x_pos = batch.X[start:stop]
            n_pos = stop - start
            x_neg, acceptance_rate = self.negatives(min(n_pos, buffer_size))
            if acceptance_rate is not None:
                acceptance_sum = acceptance_sum + acceptance_rate
            module.train()
            energies = module(torch.cat([x_pos, x_neg]))
            loss, parts = ebm_loss(energies[:n_pos], energies[n_pos:], self.alpha)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            contrastive_sum = contrastive_sum + parts["contrastive"] * n_pos
            regularization_sum = regularization_sum + parts["regularization"] * n_pos
        module.eval()
        n_rows = len(batch.X)
        contrastive, regularization = float(contrastive_sum) / n_rows, float(regularization_sum) / n_rows
        self.history.record_batch("train_contrastive", contrastive)
        self.history.record_batch("train_regularization", regularization)
        if self.jump_bandwidth is not None:
            self.history.record_batch("train_jump_acceptance", float(acceptance_sum) / len(batch.batch_bounds))
        return {"loss": torch.as_tensor(contrastive + regularization), "y_pred": None}

    def loss_reference(self, source):
        """The loss with base-Gaussian noise as negatives, on up to 256 training rows."""
        rows = reference_rows(source, self.generator)
        noise = self.module_.noise(len(rows), self.generator)
        loss, _ = ebm_loss(self.module_(rows), self.module_(noise), self.alpha)
        return loss

    # ----------------------------------------------------------- validation
    def _validation_log_z(self):
        """log Z_z by AIS from the fixed validation seed, once per epoch."""
        epoch = len(self.history)
        cached = getattr(self, "_validation_log_z_cache", None)
        if cached is None or cached[0] != epoch:
            n_chains, n_betas = self.validation_ais
            device = self.module_.base_mean.device
            generator = torch.Generator(device=device).manual_seed(self.validation_seed)
            log_z, _ = estimate_log_partition(
                self.module_, n_chains, n_betas, generator, temperature=self.temperature
            )
            cached = self._validation_log_z_cache = (epoch, log_z)
        return cached[1]

    def validation_step(self, batch, **fit_params):
        self.module_.eval()
        log_z = self._validation_log_z()
        with torch.no_grad():
            mean_energy = float(self.module_(batch.X).to(torch.float64).mean()) / self.temperature
        self.history.record_batch("valid_log_z", log_z - self.log_jacobian)
        return {"loss": torch.as_tensor(mean_energy + log_z - self.log_jacobian), "y_pred": None}

    def on_train_end(self, net, X=None, y=None, **kwargs):
        self.__dict__.pop("_validation_log_z_cache", None)  # training-only state
        super().on_train_end(net, X=X, y=y, **kwargs)
