"""The energy-based model as a scikit-learn estimator."""

import copy
import functools
import math
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import LambdaLR

from .._scaling import AffineScaling, is_far_from_unit_scale
from .._threads import torch_threads
from ..base import EVAL_CHUNK_ROWS, TorchEstimator, device_generator
from ._module import ConvEnergy, MLPEnergy
from ._net import EBMModule, EBMNet, estimate_log_partition

# The validation AIS run of early stopping uses this share of the AIS settings.
_VALIDATION_AIS_SHARE = 0.25
# Training rows kept (network units) as the centres of the chains' kernel jumps.
_N_JUMP_CENTRES = 1024
# The default MLP sees each network coordinate z through b * tanh(z / b) with this b: about the
# identity over standardised data, bounded beyond, so no well can grow far from the data.
_MLP_INPUT_BOUND = 4.0


def cosine_factor(epoch, n_epochs):
    """Learning-rate factor of epoch ``epoch`` (from 0) of ``n_epochs`` under cosine annealing.

    1 in the first epoch, near 0 in the last.
    """
    return 0.5 * (1 + math.cos(math.pi * min(epoch, n_epochs) / n_epochs))


class _CosineAnnealing(LRScheduler):
    """Cosine annealing of the step size over the epochs of one training call.

    The step size is restored when training ends, so that a later
    ``partial_fit`` does not inherit the annealed (near 0) value.
    """

    def __init__(self, n_epochs):
        super().__init__(policy=LambdaLR, lr_lambda=functools.partial(cosine_factor, n_epochs=n_epochs))

    def on_train_end(self, net, **kwargs):
        for group in net.optimizer_.param_groups:
            group["lr"] = net.lr


class EBM(ClassNamePrefixFeaturesOutMixin, TransformerMixin, TorchEstimator):
    """Energy-based model trained by maximum likelihood with Langevin negatives (Du & Mordatch 2019).

    The model is the Boltzmann distribution of an energy network,

        p(x) = exp(-E(x)) / Z,    Z = int exp(-E(x)) dx,

    fitted by stochastic gradient ascent on the log-likelihood, whose
    gradient is E_p[grad E] - E_data[grad E]: the energy of the data goes
    down (positive phase), that of the model's own samples goes up
    (negative phase). The samples come from short-run Langevin chains
    started from a replay buffer of earlier chains; ``score_samples`` is a
    normalised log-density, with log Z estimated by annealed importance
    sampling.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(128, 128)
        Widths of the default MLP energy's hidden layers (SiLU activations,
        smooth, since Langevin dynamics follows the input gradient).
        Ignored with ``image_shape`` or ``energy``.
    learning_rate : float, default=1e-3
        Adam's step size (torch's default betas).
    learning_rate_schedule : {"constant", "cosine"}, default="constant"
        "cosine" anneals the step size over the epochs of each ``fit``:
        learning_rate * (1 + cos(pi * t / max_iter)) / 2 in epoch t = 0,
        1, ..., near 0 in the last. The energies then settle instead of
        chasing the chains to the end: the negative chains lag behind the
        model, and with a constant step the modes' masses keep swinging
        (user guide, "Training in practice"). ``partial_fit`` (one epoch)
        trains at the full ``learning_rate``.
    batch_size : int, default=128
        Data rows per step; as many Langevin chains (at most
        ``buffer_size``) make the negatives of each step.
    max_iter : int, default=100
        Epochs: passes over the training rows.
    n_langevin_steps : int, default=20
        Langevin steps each negative chain runs per training step.
    step_size : float, default=0.01
        The gradient multiplier eta of a Langevin step
        z <- z - eta * clip(grad_z f(z)) + noise_scale * N(0, I), in the
        network units z (see ``scale``), where f is the energy network.
    noise_scale : float or None, default=None
        Standard deviation of a step's noise. None means sqrt(2 * step_size):
        unadjusted Langevin dynamics. Step and noise are decoupled as in Du &
        Mordatch (2019): a smaller noise gives sharper samples. The chains
        then sample exp(-f / T) with the temperature T = noise_scale^2 /
        (2 * step_size), and that is the model: E = f / T (the fitted
        ``temperature_``), so ``sample`` draws from the density that
        ``score_samples`` evaluates. In terms of E a step is a Langevin
        step of size noise_scale^2 / 2: a small noise keeps chains inside
        very sharp modes, but it also multiplies differences of f between
        modes by 1 / T, and chains that no longer cross between modes cannot
        correct them (see the user guide's "Training in practice").
    grad_clip : float or None, default=None
        Clip every element of the input gradient to [-grad_clip, grad_clip]
        in each Langevin step (a chain moves at most step_size * grad_clip
        per coordinate and step, apart from its noise). None: no clipping.
    alpha : float, default=0.01
        Weight of the penalty alpha * (mean f(x+)^2 + mean f(x-)^2) on the
        network's outputs, which keeps them near zero.
    buffer_size : int, default=10000
        Chains kept in the replay buffer.
    reinit_fraction : float, default=0.05
        Probability that a chain drawn from the buffer restarts from noise
        (the Gaussian fitted to the training data) instead.
    jump_bandwidth : float or None, default=None
        If set, every chain (in training, and in every step of ``sample``)
        also makes a Metropolis-Hastings jump to a proposal drawn around a
        random one of up to 1024 training rows kept at ``fit`` (a Gaussian
        kernel of this standard deviation, in network units), or, 5% of the
        time, from the Gaussian fitted to the data (so that chains stranded
        off the data can jump too), accepted so that exp(-E) stays invariant
        (:func:`skgen.sampling.kernel_jump_step`). Langevin chains never
        cross between well-separated modes, so without jumps nothing
        corrects how the model shares its mass among modes; jumps move
        chains between modes in proportion to the modes' mass under the
        model. Use a width near the modes' own (in network units) on
        low-dimensional, multimodal data; in high dimension almost no jump
        is accepted. None: no jumps.
    confinement : float, default=1.0
        The default networks add confinement / 2 * ||z||^2 (network units)
        to their output. Any positive value makes exp(-E) integrable
        whatever the weights (the networks grow at most linearly); with 1
        and ``scale="standard"`` an untrained model is close to the
        Gaussian fitted to the data, where training starts. Not applied to
        an ``energy`` of yours. With a ``scale``, the default MLP sees each
        network coordinate through 4 tanh(z / 4), so its output is bounded
        and the confinement alone rules far from the data (no deep well
        can grow where no chain goes).
    n_sample_steps : int, default=200
        Langevin steps of ``sample`` when its ``n_steps`` is None.
    n_ais_chains : int, default=500
        AIS runs for ``log_z_``.
    n_ais_betas : int, default=1000
        Inverse temperatures of each AIS run.
    scale : {"auto", "standard", "minmax"} or None, default="auto"
        The network units z in which chains run and the default networks
        compute: "standard" per-feature mean and standard deviation;
        "minmax" one range for all features onto [-1, 1] (images); "auto"
        is "minmax" with ``image_shape`` and "standard" otherwise; None: the
        data's units. Samples and densities are always in the data's units.
    image_shape : tuple (C, H, W) or None, default=None
        Rows are flat images: use a convolutional energy
        (:class:`skgen.ebm.ConvEnergy`).
    energy : torch.nn.Module class or instance, default=None
        Your own energy network instead of the default: maps rows of shape
        (n, n_features) to energies of shape (n,), rows not interacting;
        a ``features`` method (its penultimate layer) is needed by
        ``transform`` only. A class is instantiated with no arguments, an
        instance is deep-copied at ``fit``. It receives rows in the data's
        units (whatever ``scale``), so p(x) = exp(-E(x)) / Z is its own
        density (at the default ``noise_scale``). Make sure exp(-E) is
        integrable, or log Z is infinite.
    device : str or torch.device, default="auto"
        "auto" picks CUDA when available, else the CPU.
    random_state : int, RandomState instance or None, default=None
        The only source of randomness: initialisation, the buffer, the
        Langevin noise, shuffling, sampling and the AIS estimate.
    verbose : int, default=0
        0 silent; 1 a progress bar with the running loss; 2 a line per epoch.
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks for the training loop.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop when their
        mean negative log-likelihood (nats, data units; log Z by an AIS run
        a quarter the size of ``log_z_``'s, from a fixed seed, every epoch)
        has not improved by ``tol`` for ``n_iter_no_change`` epochs, keeping
        the best epoch's energy and buffer.
    validation_fraction : float, default=0.1
        Share of rows held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest improvement that counts for early stopping.
    shuffle : bool, default=True
        Reshuffle the rows every epoch.
    n_threads : int or None, default=None
        Intra-op threads of torch on the CPU. None chooses: one thread for
        small networks, and for large ones as many as other processes leave
        idle.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
    n_iter_ : int
        Epochs run.
    history_ : list of dict
        Per epoch: ``train_loss`` (the training loss, averaged over the
        epoch's steps), ``train_contrastive`` (mean f(x+) - mean f(x-)),
        ``train_regularization``, ``dur``; with early stopping also
        ``valid_loss`` (minus the held-out mean log-likelihood) and
        ``valid_log_z`` (its log Z); with ``jump_bandwidth``
        ``train_jump_acceptance``; with ``learning_rate_schedule="cosine"``
        ``event_lr`` (the epoch's step size).
    temperature_ : float
        T = noise_scale^2 / (2 * step_size) of the last fit: E = f / T.
    log_z_ : float
        log Z in the data's units, by AIS; computed on first use.
    log_z_std_ : float
        Standard error of ``log_z_``.
    device_ : str
    net_ : skorch.NeuralNet
        The skorch net; ``net_.module_`` is the :class:`skgen.ebm.EBMModule`
        in network units, holding the energy network and the replay buffer.

    Notes
    -----
    The replay buffer is a registered buffer of ``net_.module_``: a fitted
    model pickles with it (skorch maps it to the device it loads on), so
    ``partial_fit`` continues the same chains. ``sample`` starts fresh
    chains from noise and does not touch the buffer.

    log Z is estimated in float64 by annealed importance sampling along the
    geometric path from the Gaussian fitted to the training data to
    exp(-E), with adaptive Metropolis-adjusted Langevin transitions; a
    pilot run sets the spacing of the inverse temperatures. Its draws come
    from a seed fixed at ``fit``, so ``log_z_``, ``score_samples`` and
    ``score`` are deterministic for a fitted model. ``log_z_`` is slightly
    biased low (Jensen's inequality); ``log_z_std_`` is its delta-method
    standard error over the AIS runs.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import EBM
    >>> X = np.random.RandomState(0).normal(size=(200, 2))
    >>> ebm = EBM(hidden_layer_sizes=(16,), max_iter=5, n_ais_chains=50, n_ais_betas=100,
    ...           random_state=0).fit(X)
    >>> ebm.sample(3).shape, ebm.transform(X[:3]).shape
    ((3, 2), (3, 16))
    >>> scores = ebm.score_samples(X[:3])
    >>> bool(np.allclose(scores, -ebm.energy_samples(X[:3]) - ebm.log_z_))
    True
    """

    _parameter_constraints: dict = {
        **TorchEstimator._parameter_constraints,
        "hidden_layer_sizes": [tuple, list],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "learning_rate_schedule": [StrOptions({"constant", "cosine"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "n_langevin_steps": [Interval(Integral, 0, None, closed="left")],
        "step_size": [Interval(Real, 0, None, closed="neither")],
        "noise_scale": [Interval(Real, 0, None, closed="neither"), None],
        "grad_clip": [Interval(Real, 0, None, closed="neither"), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "buffer_size": [Interval(Integral, 1, None, closed="left")],
        "reinit_fraction": [Interval(Real, 0, 1, closed="both")],
        "jump_bandwidth": [Interval(Real, 0, None, closed="neither"), None],
        "confinement": [Interval(Real, 0, None, closed="left")],
        "n_sample_steps": [Interval(Integral, 0, None, closed="left")],
        "n_ais_chains": [Interval(Integral, 2, None, closed="left")],
        "n_ais_betas": [Interval(Integral, 2, None, closed="left")],
        "scale": [StrOptions({"auto", "standard", "minmax"}), None],
        "image_shape": [tuple, list, None],
        "energy": [torch.nn.Module, type, None],
    }

    _net_class = EBMNet
    _shape_params = ("hidden_layer_sizes", "scale", "image_shape", "energy", "confinement")
    _accepts_sparse = False

    def __init__(
        self,
        hidden_layer_sizes=(128, 128),
        *,
        learning_rate=1e-3,
        learning_rate_schedule="constant",
        batch_size=128,
        max_iter=100,
        n_langevin_steps=20,
        step_size=0.01,
        noise_scale=None,
        grad_clip=None,
        alpha=0.01,
        buffer_size=10000,
        reinit_fraction=0.05,
        jump_bandwidth=None,
        confinement=1.0,
        n_sample_steps=200,
        n_ais_chains=500,
        n_ais_betas=1000,
        scale="auto",
        image_shape=None,
        energy=None,
        device="auto",
        random_state=None,
        verbose=0,
        callbacks=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        shuffle=True,
        n_threads=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.n_langevin_steps = n_langevin_steps
        self.step_size = step_size
        self.noise_scale = noise_scale
        self.grad_clip = grad_clip
        self.alpha = alpha
        self.buffer_size = buffer_size
        self.reinit_fraction = reinit_fraction
        self.jump_bandwidth = jump_bandwidth
        self.confinement = confinement
        self.n_sample_steps = n_sample_steps
        self.n_ais_chains = n_ais_chains
        self.n_ais_betas = n_ais_betas
        self.scale = scale
        self.image_shape = image_shape
        self.energy = energy
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.n_threads = n_threads

    # ------------------------------------------------------------ building
    def _check_training_data(self, data):
        if self.image_shape is not None and math.prod(self.image_shape) != data.n_features:
            raise ValueError(
                f"image_shape={tuple(self.image_shape)} has {math.prod(self.image_shape)} values per "
                f"image, but X has {data.n_features} features."
            )

    def _scaling_kind(self):
        if self.scale != "auto":
            return self.scale
        return "minmax" if self.image_shape is not None else "standard"

    def _noise_scale(self):
        return math.sqrt(2 * self.step_size) if self.noise_scale is None else float(self.noise_scale)

    def _build_modules(self, data):
        self._scaling = getattr(AffineScaling, self._scaling_kind() or "identity")(data)
        shift, spread = self._scaling.shift, self._scaling.spread
        std = np.sqrt(data.column_variance())
        # the Gaussian fitted to the data, in network units (unit width along constant features)
        base_mean = (data.column_mean() - shift) / spread
        base_std = np.where(std > 0, std / spread, 1.0)
        n_features = data.n_features
        wrap = {}
        if self.energy is not None:
            energy = self.energy() if isinstance(self.energy, type) else copy.deepcopy(self.energy)
            wrap = {"shift": torch.as_tensor(shift), "spread": torch.as_tensor(spread)}
        elif self.image_shape is not None:
            energy = ConvEnergy(tuple(self.image_shape), confinement=self.confinement)
        else:
            bound = None if self._scaling.is_identity else _MLP_INPUT_BOUND
            energy = MLPEnergy(
                n_features, tuple(self.hidden_layer_sizes), confinement=self.confinement, input_bound=bound
            )
        buffer_rng = torch.Generator().manual_seed(self._init_seed)
        module = EBMModule(
            energy, torch.as_tensor(base_mean), torch.as_tensor(base_std), self.buffer_size, buffer_rng,
            self._jump_centres(data), **wrap
        )
        return {"module": module}

    def _jump_centres(self, data):
        """Up to _N_JUMP_CENTRES training rows, drawn without replacement from the init seed, in network units."""
        n_rows = len(data)
        rows = np.random.RandomState(self._init_seed).permutation(n_rows)[:_N_JUMP_CENTRES]
        centres = data.X[torch.as_tensor(np.sort(rows), device=data.X.device)]
        return centres if self._scaling.is_identity else self._scaling.transform(centres)

    def _build_net(self, data):
        super()._build_net(data)
        module = self._module
        module.eval()
        probe = module.base_mean.expand(2, -1)
        with torch.no_grad():
            energies = module(probe)
            if energies.shape != (2,):
                raise ValueError(
                    f"The energy network must return one value per row, shape (n,); for 2 rows "
                    f"{type(module.energy).__name__} returned shape {tuple(energies.shape)}."
                )
            self._n_energy_features = None
            if hasattr(module.energy, "features"):
                self._n_energy_features = int(module.features(probe).shape[1])

    def _training_rows(self, data, y):
        if self._scaling.is_identity:
            return data
        return data.with_rows(self._scaling.transform(data.X))

    def _divergence_advice(self, data):
        advice = super()._divergence_advice(data)
        if self._scaling.is_identity and is_far_from_unit_scale(data):
            advice += ' The data are not standardised and scale=None: use scale="auto".'
        return advice

    def _net_params(self):
        return dict(
            optimizer=torch.optim.Adam,
            lr=self.learning_rate,
            batch_size=self.batch_size,
            n_langevin_steps=self.n_langevin_steps,
            step_size=self.step_size,
            noise_scale=self._noise_scale(),
            temperature=self._temperature(),
            grad_clip=self.grad_clip,
            alpha=self.alpha,
            reinit_fraction=self.reinit_fraction,
            jump_bandwidth=self.jump_bandwidth,
            log_jacobian=self._scaling.log_jacobian,
            validation_ais=self._validation_ais(),
            validation_seed=self._eval_seed,
        )

    def _callbacks(self, epochs, data):
        callbacks = super()._callbacks(epochs, data)
        if self.learning_rate_schedule == "cosine" and epochs > 0:
            callbacks.append(("learning_rate_schedule", _CosineAnnealing(epochs)))
        return callbacks

    def _validation_ais(self):
        return (
            max(2, int(_VALIDATION_AIS_SHARE * self.n_ais_chains)),
            max(2, int(_VALIDATION_AIS_SHARE * self.n_ais_betas)),
        )

    def _temperature(self):
        """T = noise_scale^2 / (2 step_size) of the current parameters."""
        return self._noise_scale() ** 2 / (2 * self.step_size)

    def _fit(self, X, y, *, reset, epochs, validated=False):
        try:
            return super()._fit(X, y, reset=reset, epochs=epochs, validated=validated)
        finally:
            if hasattr(self, "net_"):  # the model is exp(-f / T) at the temperature it trained at
                self.temperature_ = float(self.net_.temperature)

    def _parameters_changed(self):
        self._log_z_cache = None

    @property
    def _module(self):
        return self.net_.module_

    def _work_per_step(self):
        n_parameters = sum(p.numel() for p in self._module.parameters())
        return self.batch_size * n_parameters

    # ------------------------------------------------------------ features
    def _network_rows(self, x):
        """Data rows (a device tensor) -> network rows z."""
        return x if self._scaling.is_identity else self._scaling.transform(x)

    def transform(self, X):
        """The energy network's penultimate-layer features of each row (deterministic).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to map to features.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            In the dtype of ``X``.
        """
        self._check_fitted()
        if self._n_energy_features is None:
            raise AttributeError(
                f"transform needs the energy network's features(x) method, which "
                f"{type(self._module.energy).__name__} does not have."
            )
        X = self._validate_X(X, reset=False)
        module = self._module
        return self._apply_in_chunks(X, lambda x: module.features(self._network_rows(x))).astype(X.dtype, copy=False)

    def energy_samples(self, X):
        """The energy E(x) of each row, in nats: p(x) = exp(-E(x)) / Z.

        E is the network's output divided by ``temperature_`` (1 by
        default). It is defined up to an additive constant, which
        ``log_z_`` absorbs: ``score_samples(X) = -energy_samples(X) - log_z_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to evaluate.

        Returns
        -------
        energy : ndarray of shape (n_samples,)
            In nats, float64.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        module = self._module
        energies = self._apply_in_chunks(X, lambda x: module(self._network_rows(x)))
        return energies.astype(np.float64) / self.temperature_

    # ------------------------------------------------------------- sampling
    def sample(self, n_samples=1, *, random_state=None, n_steps=None):
        """Draw rows by Langevin dynamics on the energy, from noise.

        Each of ``n_samples`` independent chains starts from the Gaussian
        fitted to the training data and runs ``n_steps`` Langevin steps
        with the estimator's ``step_size``, ``noise_scale`` and
        ``grad_clip`` (the sampler training used); with a
        ``jump_bandwidth``, each step is a kernel jump followed by a
        Langevin step, as in training. The replay buffer is not
        used or changed. The start is drawn first and then each step's
        noise, so with the same ``random_state`` the rows of ``n_steps=k``
        are the chains of ``n_steps=m > k`` after k steps: calls with
        growing ``n_steps`` show the chains over time.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw.
        random_state : int, RandomState instance or None, default=None
            None continues the estimator's own sampling stream; a value makes
            this call reproducible on its own.
        n_steps : int or None, default=None
            Langevin steps per chain; None uses ``n_sample_steps``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            In the training data's dtype and units.
        """
        self._check_fitted()
        n_samples = self._check_n_samples(n_samples)
        n_steps = self.n_sample_steps if n_steps is None else n_steps
        if not isinstance(n_steps, Integral) or isinstance(n_steps, bool) or n_steps < 0:
            raise ValueError(f"n_steps must be a non-negative integer or None, got {n_steps!r}.")
        generator = self._sampling_generator(random_state)
        module, net = self._module, self.net_
        module.eval()
        chunks = []
        with torch.no_grad(), torch_threads(self._thread_count()):
            for start in range(0, n_samples, EVAL_CHUNK_ROWS):
                z = module.noise(min(EVAL_CHUNK_ROWS, n_samples - start), generator)
                z = net.sampler_steps(z, int(n_steps), generator)
                chunks.append(self._scaling.inverse_transform(z).cpu().numpy())
        samples = np.concatenate(chunks) if chunks else np.empty((0, self.n_features_in_))
        return self._as_output(samples.astype(self._training_dtype, copy=False))

    # ---------------------------------------------------------- likelihood
    def _log_z_estimate(self):
        """(log Z in data units, standard error), cached until the parameters or the AIS settings change."""
        settings = (self.n_ais_chains, self.n_ais_betas)
        cache = getattr(self, "_log_z_cache", None)
        if cache is None or cache[0] != settings:
            generator = device_generator(self.device_, self._eval_seed)
            with torch_threads(self._thread_count()):
                log_z, log_z_std = estimate_log_partition(
                    self._module, self.n_ais_chains, self.n_ais_betas, generator, temperature=self.temperature_
                )
            # log int exp(-E(x)) dx = log int exp(-E_z(z)) dz + log |dx / dz|
            self._log_z_cache = (settings, (log_z - self._scaling.log_jacobian, log_z_std))
        return self._log_z_cache[1]

    @property
    def log_z_(self):
        """Log partition function log Z = log int exp(-E(x)) dx in the data's units: an AIS estimate (see ``score_samples``).

        Computed on first use and kept until the parameters change.
        """
        self._check_fitted()
        return self._log_z_estimate()[0]

    @property
    def log_z_std_(self):
        """Standard error of ``log_z_`` (delta method over the AIS runs)."""
        self._check_fitted()
        return self._log_z_estimate()[1]

    def score_samples(self, X):
        """Log-likelihood log p(x) = -E(x) - log Z of each row, in nats (data units).

        log Z is estimated once per fitted model by annealed importance
        sampling from a seed fixed at ``fit`` (``log_z_``, with standard
        error ``log_z_std_``), so the result is deterministic and the same
        shift for every row. Rows the model cannot evaluate (non-finite
        energies) score -inf, never NaN.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            In nats.
        """
        energy = self.energy_samples(X)
        log_z = self.log_z_
        scores = -energy - log_z
        return np.where(np.isnan(scores), -np.inf, scores)

    def score(self, X, y=None):
        """Mean log-likelihood of ``X`` in nats (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out rows.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean log-likelihood, in nats.
        """
        return float(np.mean(self.score_samples(X)))

    @property
    def _n_features_out(self):
        return self._n_energy_features

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
