"""GAN, WGAN and CGAN as scikit-learn estimators sharing one adversarial loop."""

import copy
import math
from numbers import Integral, Real
import textwrap
from string import Template

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, column_or_1d

from .._scaling import AffineScaling, is_far_from_unit_scale
from ..base import AUTO_EPOCH_RANGE, EVAL_CHUNK_ROWS, TorchEstimator, auto_epochs
from ..metrics import median_heuristic_bandwidth, mmd2
from ._module import ConvDiscriminator, ConvGenerator, MLPDiscriminator, MLPGenerator
from ._net import AdversarialNet, WarmedUpEarlyStopping
from ._scaling import ModeSpecificScaling

# At most this many rows of X (a deterministic subsample) and as many model
# samples enter the MMD of ``score``.
_SCORE_ROWS = 2000

# max_iter="auto": epochs = clip(ceil(steps * n_critic / batches per epoch), *AUTO_EPOCH_RANGE), where
# steps is the generator steps aimed at: _GAN_AUTO_STEPS (GAN, CGAN, and models built on them), _WGAN_AUTO_STEPS
_GAN_AUTO_STEPS = 2000
_WGAN_AUTO_STEPS = 400

_GAN_LEARNING_RATE_DOC = (
    "3e-3 for the default MLP networks (small tables need large steps), 2e-4 with ``image_shape`` (as in DCGAN)"
)

_SHARED_DOC = Template("""
    n_components : int, default=${n_components}
        Dimension of the latent noise z ~ N(0, I).
    hidden_layer_sizes : tuple of int, default=(128, 128)
        Widths of the default MLP discriminator's hidden layers; the
        generator uses the same widths. Ignored with ``image_shape``.
    learning_rate : float or None, default=None
${learning_rate}
    batch_size : int, default=64
        Real rows per discriminator step (and latent rows per generator step).
    max_iter : "auto" or int, default="auto"
${max_iter_text}
    n_critic : int, default=${n_critic}
        Discriminator steps per generator step (the k of k:1 updates).
    generator_average : float in [0, 1), default=0.99
        Decay of an exponential moving average of the generator's weights
        (Yazici et al. 2019), updated after every generator step with the
        decay min(generator_average, (1 + t) / (10 + t)) at step t, so the
        first, random weights are soon forgotten. ``sample``, ``generate``,
        ``score`` and early stopping's validation use the average; training
        continues from the current weights (``net_.generator_``; the average
        is ``net_.generator_average_``). 0 turns it off.
    pack : int, default=1
        PacGAN: the discriminator judges ``pack`` rows concatenated, which
        penalises mode collapse (Lin et al. 2018). ``transform`` and
        ``score_samples`` pack each row with copies of itself.
    scale : {"auto", "standard", "minmax", "mode-specific"} or None, default="auto"
        How the estimator rescales the data for the networks (samples are
        mapped back): "standard" per-feature mean and standard deviation;
        "minmax" one range for all features onto [-1, 1] (for the tanh output
        of convolutional generators); "mode-specific" CTGAN's mode-specific
        normalisation (Xu et al. 2019): a variational Gaussian mixture per
        feature turns each value into a one-hot choice of mode, which the
        generator draws by Gumbel-softmax, plus a tanh offset within the
        mode; it counters mode collapse on multimodal features (not for
        images). With it, ``generate`` takes each feature's most probable
        mode, while ``sample`` draws the mode. "auto" picks "minmax" with
        ``image_shape`` and "standard" otherwise; None trains on X as is.
    image_shape : tuple (C, H, W) or None, default=None
        Rows are flat images: use DCGAN-style convolutional networks
        (strided convolutions, LeakyReLU(0.2) in the discriminator, batch
        norm where it is valid, tanh output).
    generator, discriminator : torch.nn.Module class or instance, default=None
        Your own networks. A class is instantiated with no arguments, an
        instance is deep-copied at ``fit``. The generator maps latent rows
        (and one-hot labels, for CGAN) to data rows in the network scale; the
        discriminator maps rows (packed, and one-hot labels for CGAN) to one
        logit per row and has a ``features`` method (its penultimate layer).
    device : str or torch.device, default="auto"
        "auto" picks CUDA when available, else the CPU.
    random_state : int, RandomState instance or None, default=None
        The only source of randomness.
    verbose : int, default=0
        0 silent; 1 a progress bar showing both losses; 2 a line per epoch.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks for the training loop (deep-copied at each fit).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and monitor, after every
        epoch, the unbiased MMD^2 between them and generated rows (with the
        same labels, for CGAN): 4 per held-out row and at least 500 in all,
        from latent draws fixed for the whole fit, computed in the network's
        units (standardised features by default) and summed over RBF kernels
        of bandwidths 0.25, 0.5, 1, 2 and 4 times the median distance between
        training rows (``valid_loss`` in ``history_``). The first
        ${warmup} generator steps of the model (half of those "auto" aims at)
        are a warm-up, whose epochs are neither kept nor counted.
${stopping_text}
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
        idle (so a busy machine costs only its share).
""")



_STOPPING_WITH_RATE_DROPS = (
    "After it, ``n_iter_no_change`` epochs in which the MMD^2 has not improved by ``tol`` make a "
    "plateau: the first three divide both learning rates by 5 and restart the comparison, the "
    "fourth (or ``max_iter``) stops training, and the networks of the epoch with the lowest MMD^2 "
    "since the last division are kept (``rate_drops`` in ``history_``; the rates are restored "
    "after the fit). At a constant rate a GAN's samples keep fluctuating, and a few dozen "
    "validation rows cannot tell a lucky epoch from a good one; at lowered rates the model "
    "settles. On 398 rows of 30 features (3 seeds) the kept model's MMD^2 to the test rows was "
    "0.39 to 1.30 times (GAN) and 0.34 to 0.67 times (CGAN) the best epoch's of a 500-epoch run "
    "at the full rates (``benchmarks/bench_early_stopping.py``, doc/user_guide/gan.md)."
)
_STOPPING_WITHOUT_RATE_DROPS = (
    "After it, training stops when the MMD^2 has not improved by ``tol`` for ``n_iter_no_change`` "
    "epochs (or at ``max_iter``), and the networks of the epoch with the lowest MMD^2 after the "
    "warm-up are kept; the learning rates are never lowered (lowered rates froze worse WGANs). "
    "On 398 rows of 30 features WGAN, which kept improving to epoch 500, was stopped after about "
    "200 epochs with a test MMD^2 of 0.0009-0.0015 where 500 epochs reach the noise floor (0): on "
    "small tables train WGAN without early stopping (``benchmarks/bench_early_stopping.py``, "
    "doc/user_guide/gan.md)."
)


def _shared_doc(*, n_components, learning_rate, n_critic, auto_steps, rate_drops=True):
    """The shared parameter section with one estimator's defaults."""
    low, high = AUTO_EPOCH_RANGE
    examples = ", ".join(
        f"{auto_epochs(np.empty((n, 0)), 64, auto_steps * n_critic, low, high)} on {n}"
        for n in (178, 398, 1797, 60000)
    )
    max_iter_text = (
        'Epochs: passes of the discriminator over the training rows. "auto" picks them from the '
        f"data size so that the generator gets about {auto_steps} steps: "
        f"clip(ceil({auto_steps} * n_critic / batches per epoch), {low}, {high}) epochs, an epoch "
        "having ceil(n_rows / batch_size) batches of the rows trained on (the validation rows left "
        f"out). With the defaults, epochs on n_rows rows: {examples}. An int is the number of "
        "epochs. ``n_iter_`` holds the epochs actually run; ``partial_fit`` always runs one."
    )
    return _SHARED_DOC.substitute(
        n_components=n_components,
        learning_rate=textwrap.indent(textwrap.fill(f"Step size of both optimizers. None: {learning_rate}.", 70), " " * 8),
        n_critic=n_critic,
        max_iter_text=textwrap.indent(textwrap.fill(max_iter_text, 70), " " * 8),
        warmup=auto_steps // 2,
        stopping_text=textwrap.indent(
            textwrap.fill(_STOPPING_WITH_RATE_DROPS if rate_drops else _STOPPING_WITHOUT_RATE_DROPS, 70), " " * 8
        ),
    )


_SHARED_ATTRIBUTES = """
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
    n_iter_ : int
        Epochs run.
    history_ : list of dict
        Per epoch: ``discriminator_loss``, ``generator_loss``,
        ``wasserstein_estimate`` (mean critic or logit gap between real and
        generated rows), ``train_loss`` (= the discriminator loss), ``dur``,
        and with early stopping ``valid_loss`` (MMD^2) and, after the
        warm-up, ``rate_drops`` (the learning rates' divisions so far).
    device_ : str
    net_ : skorch.NeuralNet
        The skorch net; ``net_.generator_`` and ``net_.discriminator_`` are
        the torch modules.
"""


class _BaseAdversarial(ClassNamePrefixFeaturesOutMixin, TransformerMixin, TorchEstimator):
    """What GAN, WGAN and CGAN share: networks, data scaling, sampling, features, scoring.

    Subclasses provide ``_objective_params()``: the net's objective settings
    and ``(optimizer class, kwargs)`` for the generator and the discriminator.
    """

    _parameter_constraints: dict = {
        **TorchEstimator._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [tuple, list],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "n_critic": [Interval(Integral, 1, None, closed="left")],
        "generator_average": [Interval(Real, 0, 1, closed="left")],
        "pack": [Interval(Integral, 1, None, closed="left")],
        "scale": [StrOptions({"auto", "standard", "minmax", "mode-specific"}), None],
        "image_shape": [tuple, list, None],
        "generator": [torch.nn.Module, type, None],
        "discriminator": [torch.nn.Module, type, None],
    }

    _net_class = AdversarialNet
    _accepts_sparse = False
    _shape_params = (
        "n_components", "hidden_layer_sizes", "pack", "scale", "image_shape", "generator", "discriminator"
    )

    # max_iter="auto" aims at this many generator steps (see AUTO_EPOCH_RANGE)
    _auto_generator_steps = _GAN_AUTO_STEPS
    # early stopping: generator steps before an epoch can be kept or counted (half of "auto"'s)
    _validation_warmup_steps = _GAN_AUTO_STEPS // 2

    @property
    def _n_classes(self):
        return 0

    _early_stopping_class = WarmedUpEarlyStopping
    # early stopping: plateaus after the warm-up that divide the learning rates before one stops training
    _early_stopping_rate_drops = 3

    def _early_stopping_callback(self):
        callback = super()._early_stopping_callback()
        callback.rate_drops = self._early_stopping_rate_drops
        return callback

    def _auto_steps(self):
        return self._auto_generator_steps * self.n_critic

    # --------------------------------------------------------- data scaling
    def _scaling_kind(self):
        if self.scale != "auto":
            return self.scale
        return "minmax" if self.image_shape is not None else "standard"

    def _fit_scaling(self, data):
        """Fit the map from data rows to the rows the networks train on."""
        kind = self._scaling_kind()
        if kind == "mode-specific":
            if self.image_shape is not None:
                raise ValueError('scale="mode-specific" is for tabular features, not with image_shape.')
            seed = check_random_state(self.random_state).randint(2**31 - 1)
            self._scaling = ModeSpecificScaling(data.X.cpu().numpy(), random_state=seed)
        else:
            self._scaling = getattr(AffineScaling, kind or "identity")(data)

    def _to_network_rows(self, X):
        """Validated data rows -> a device tensor in the network's units."""
        if isinstance(self._scaling, AffineScaling):
            return self._scaling.transform(self._rows_as_tensor(X))
        return self._rows_as_tensor(self._scaling.transform(X))

    def _to_data_rows(self, rows):
        """A device tensor in the network's units -> rows in the data's units and dtype."""
        if isinstance(self._scaling, AffineScaling):
            return self._scaling.inverse_transform(rows).cpu().numpy().astype(self._training_dtype, copy=False)
        return self._scaling.inverse_transform(rows.cpu().numpy()).astype(self._training_dtype, copy=False)

    # -------------------------------------------------------------- building
    def _check_training_data(self, data):
        if self.image_shape is not None and math.prod(self.image_shape) != data.n_features:
            raise ValueError(
                f"image_shape={tuple(self.image_shape)} has {math.prod(self.image_shape)} values per "
                f"image, but X has {data.n_features} features."
            )

    def _build_net(self, data):
        super()._build_net(data)
        self._discriminator.eval()
        with torch.no_grad():
            probe = torch.zeros(2, self._scaling.n_outputs, device=self.device_, dtype=self._torch_dtype)
            onehot = torch.zeros(2, self._n_classes, device=self.device_, dtype=self._torch_dtype)
            features = self.net_._discriminate(probe, onehot if self._n_classes else None, features=True)
        self._n_discriminator_features = features.shape[1]

    def _training_rows(self, data, y):
        if isinstance(self._scaling, AffineScaling):
            return data.with_rows(self._scaling.transform(data.X))
        return data.with_rows(self._scaling.transform(data.X.cpu().numpy()))

    def _learning_rate(self):
        """The step size the optimizers use (``learning_rate``, or the model's default for None)."""
        return self.learning_rate

    def _divergence_advice(self, data):
        advice = f"Lower `learning_rate` (now {self._learning_rate():g}) and fit again."
        if self._scaling_kind() is None and is_far_from_unit_scale(data):
            advice += ' The data are not standardised and scale=None: use scale="auto".'
        return advice

    def _user_module(self, spec):
        return spec() if isinstance(spec, type) else copy.deepcopy(spec)

    def _discriminator_options(self):
        """(batch_norm, minibatch_features) of the default discriminator."""
        return True, False

    def _build_modules(self, data):
        self._fit_scaling(data)
        n_features, k = self._scaling.n_outputs, self._n_classes
        batch_norm, minibatch_features = self._discriminator_options()
        if self.generator is not None:
            generator = self._user_module(self.generator)
        elif self.image_shape is not None:
            generator = ConvGenerator(self.n_components, tuple(self.image_shape), n_classes=k)
        else:
            generator = MLPGenerator(self.n_components, tuple(self.hidden_layer_sizes), n_features, n_classes=k)
        if self.discriminator is not None:
            discriminator = self._user_module(self.discriminator)
        elif self.image_shape is not None:
            discriminator = ConvDiscriminator(
                tuple(self.image_shape),
                n_classes=k,
                pack=self.pack,
                batch_norm=batch_norm,
                minibatch_features=minibatch_features,
            )
        else:
            discriminator = MLPDiscriminator(
                self.pack * (n_features + k), tuple(self.hidden_layer_sizes), minibatch_features=minibatch_features
            )
        return {"module": generator, "discriminator": discriminator}

    def _net_params(self):
        return dict(
            batch_size=self.batch_size,
            n_critic=self.n_critic,
            pack=self._fitted("pack"),
            n_components=self._fitted("n_components"),
            n_classes=self._n_classes,
            modes_per_feature=self._scaling.modes_per_feature,
            validation_seed=self._eval_seed,
            validation_warmup=self._validation_warmup_steps,
            generator_average=getattr(self, "generator_average", 0.0),  # models built on GAN may lack it
            **self._objective_params(),
        )

    @property
    def _generator(self):
        return self.net_.generator_

    @property
    def _discriminator(self):
        return self.net_.discriminator_

    # -------------------------------------------------------------- sampling
    def _latent(self, n_samples, generator):
        like = torch.empty(0, device=self.device_, dtype=self._torch_dtype)
        return self.net_.latent(n_samples, like, generator)

    def _generate(self, z, y_onehot=None, noise_generator=None):
        """Generator output in the data scale for latent rows ``z`` (a device tensor), in eval mode.

        ``noise_generator`` draws the modes of mode-specific scaling (None:
        the most probable ones).
        """
        self._generator.eval()
        with torch.no_grad():
            x = self.net_.fake_rows(z, y_onehot, noise_generator)
            return self._to_data_rows(x)

    def _check_latent(self, Z):
        self._check_fitted()
        Z = check_array(Z, dtype=(np.float64, np.float32), ensure_min_samples=0)
        n_latent = self._fitted("n_components")
        if Z.shape[1] != n_latent:
            raise ValueError(f"Z has {Z.shape[1]} columns, but the generator takes n_components={n_latent}.")
        return torch.as_tensor(Z, device=self.device_, dtype=self._torch_dtype)

    # ---------------------------------------------------------- discriminator
    def _discriminator_output(self, X, y_onehot=None, *, features):
        """Logits or penultimate features of validated rows X, each packed with copies of itself."""
        net, discriminator, pack = self.net_, self._discriminator, self._fitted("pack")
        discriminator.eval()
        outputs = []
        with torch.no_grad():
            for start in range(0, X.shape[0], EVAL_CHUNK_ROWS):
                x = self._to_network_rows(X[start : start + EVAL_CHUNK_ROWS]).repeat_interleave(pack, dim=0)
                onehot = None
                if y_onehot is not None:
                    onehot = y_onehot[start : start + EVAL_CHUNK_ROWS].repeat_interleave(pack, dim=0)
                outputs.append(net._discriminate(x, onehot, features=features).cpu().numpy())
        if not outputs:
            return np.empty((0, self._n_discriminator_features) if features else (0,))
        return np.concatenate(outputs, axis=0).astype(np.float64)

    @staticmethod
    def _score_subsample(n_rows):
        """Deterministic subsample of at most _SCORE_ROWS row indices."""
        if n_rows <= _SCORE_ROWS:
            return np.arange(n_rows)
        return np.sort(check_random_state(0).choice(n_rows, _SCORE_ROWS, replace=False))

    @staticmethod
    def _negative_mmd2(X, samples):
        """-MMD^2 (unbiased, RBF) between X and model samples, bandwidth from X alone."""
        return -mmd2(X, samples, bandwidth=median_heuristic_bandwidth(X))

    @property
    def _n_features_out(self):
        return self._n_discriminator_features

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class _UnconditionalAdversarial(_BaseAdversarial):
    """The public methods of GAN and WGAN."""

    def sample(self, n_samples=1, *, random_state=None):
        """Draw z ~ N(0, I) and return the generator's output x = g(z).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw.
        random_state : int, RandomState instance or None, default=None
            None continues the estimator's own sampling stream; a value makes
            this call reproducible on its own.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            In the training data's dtype and scale.
        """
        self._check_fitted()
        n_samples = self._check_n_samples(n_samples)
        generator = self._sampling_generator(random_state)
        return self._as_output(self._generate(self._latent(n_samples, generator), noise_generator=generator))

    def generate(self, Z):
        """Map given latent rows through the generator (for latent-space exploration).

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_components)
            Latent rows.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The generator's output, in the training data's dtype and scale.
        """
        return self._generate(self._check_latent(Z))

    def transform(self, X):
        """The discriminator's penultimate-layer features of each row (deterministic).

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
        X = self._validate_X(X, reset=False)
        return self._discriminator_output(X, features=True).astype(X.dtype, copy=False)

    def score_samples(self, X):
        """The discriminator's logit (critic value for WGAN) of each row: higher = more like the training data.

        Not a log-density: it is only comparable between rows for one fitted
        model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher is more typical of the training data.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        return self._discriminator_output(X, features=False)

    def score(self, X, y=None):
        """Sample fidelity: minus the unbiased MMD^2 between X and model samples (higher is better).

        At most 2000 rows of X (a deterministic subsample) are compared with
        as many samples, drawn from a seed fixed at ``fit`` (the ``sample``
        stream is not advanced), with an RBF kernel whose bandwidth is the
        median heuristic on X alone: deterministic for a fitted model, so
        ``GridSearchCV`` works without a scorer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out rows.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Minus MMD^2: about 0 when the samples match X, lower the more they differ.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        X = X[self._score_subsample(X.shape[0])]
        generator = self._eval_generator()
        samples = self._generate(self._latent(max(len(X), 2), generator), noise_generator=generator)
        return self._negative_mmd2(X, samples)


class GAN(_UnconditionalAdversarial):
    __doc__ = (
        """Generative adversarial network (Goodfellow et al. 2014).

    A generator x = g(z), z ~ N(0, I), plays against a discriminator d(x)
    that outputs the logit of "x is real". The discriminator minimises
    -[log d(x) + log(1 - d(g(z)))]; the generator either maximises
    log d(g(z)) (``loss="non-saturating"``, the default: strong gradients
    early on) or minimises log(1 - d(g(z))) (``loss="minimax"``, the original
    game). Adam with betas (0.5, 0.999), as in DCGAN. By default the
    generator's loss also has a feature-matching term (``feature_matching``),
    which keeps training stable on small tables.

    The defaults are chosen for tables of a few hundred to a few thousand
    rows: with them alone, on scikit-learn's breast_cancer (398 training
    rows, 30 features) a gradient-boosting classifier tells the samples from
    the training rows with about 0.68 accuracy (``benchmarks/bench_tabular.py``).

    Parameters
    ----------
    loss : {"non-saturating", "minimax"}, default="non-saturating"
        The generator's adversarial objective.
    label_smoothing : float, default=0.0
        One-sided label smoothing: real rows get the target 1 - smoothing
        (e.g. 0.1); fake rows keep 0 (Salimans et al. 2016).
    feature_matching : float or bool, default=10.0
        Weight w of the feature-matching term (Salimans et al. 2016) added to
        the generator's adversarial loss: w ||E f(x) - E f(g(z))||^2, the
        squared distance between the mean discriminator features f
        (``transform``'s) of a real and a generated batch. 0 or False: the
        adversarial loss alone. True: the feature-matching term alone,
        without the adversarial loss (Salimans et al.'s original form).
    minibatch_discrimination : bool, default=False
        Add minibatch features to the discriminator, so it sees how similar
        the rows of a batch are (Salimans et al. 2016).
    historical_averaging : float, default=0.0
        Weight of the penalty ||theta - mean of past theta||^2 on both
        players (Salimans et al. 2016).
"""
        + _shared_doc(n_components=64, learning_rate=_GAN_LEARNING_RATE_DOC, n_critic=1, auto_steps=_GAN_AUTO_STEPS)
        + """
    Attributes
    ----------"""
        + _SHARED_ATTRIBUTES
        + """
    Examples
    --------
    >>> from skgen import GAN
    >>> from skgen.datasets import make_gaussian_mixture
    >>> X, centers, std = make_gaussian_mixture("ring", 500, random_state=0)
    >>> gan = GAN(max_iter=2, random_state=0).fit(X)
    >>> gan.sample(3).shape
    (3, 2)
    >>> gan.score_samples(X[:2]).shape
    (2,)
    """
    )

    _parameter_constraints: dict = {
        **_BaseAdversarial._parameter_constraints,
        "loss": [StrOptions({"non-saturating", "minimax"})],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "feature_matching": ["boolean", Interval(Real, 0, None, closed="left")],
        "minibatch_discrimination": ["boolean"],
        "historical_averaging": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=64,
        *,
        loss="non-saturating",
        hidden_layer_sizes=(128, 128),
        learning_rate=None,
        batch_size=64,
        max_iter="auto",
        n_critic=1,
        generator_average=0.99,
        label_smoothing=0.0,
        feature_matching=10.0,
        minibatch_discrimination=False,
        historical_averaging=0.0,
        pack=1,
        scale="auto",
        image_shape=None,
        generator=None,
        discriminator=None,
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
        self.n_components = n_components
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.n_critic = n_critic
        self.generator_average = generator_average
        self.label_smoothing = label_smoothing
        self.feature_matching = feature_matching
        self.minibatch_discrimination = minibatch_discrimination
        self.historical_averaging = historical_averaging
        self.pack = pack
        self.scale = scale
        self.image_shape = image_shape
        self.generator = generator
        self.discriminator = discriminator
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

    def _discriminator_options(self):
        return True, self.minibatch_discrimination

    def _learning_rate(self):
        if self.learning_rate is not None:
            return self.learning_rate
        return 2e-4 if self.image_shape is not None else 3e-3

    def _objective_params(self):
        adam = (torch.optim.Adam, {"lr": self._learning_rate(), "betas": (0.5, 0.999)})
        return dict(
            objective="gan",
            generator_loss_kind=self.loss,
            label_smoothing=self.label_smoothing,
            feature_matching=self.feature_matching,
            historical_averaging=self.historical_averaging,
            generator_optimizer=adam,
            discriminator_optimizer=adam,
        )


class WGAN(_UnconditionalAdversarial):
    __doc__ = (
        """Wasserstein GAN with a gradient penalty or weight clipping.

    A critic f (no sigmoid) estimates the Wasserstein-1 distance
    E[f(x)] - E[f(g(z))]; it minimises E[f(g(z))] - E[f(x)] while the
    generator minimises -E[f(g(z))]. The critic must be 1-Lipschitz:

    * ``penalty="gp"`` (default; Gulrajani et al. 2017) adds
      ``gp_weight`` * E[(||grad f(x_hat)||_2 - 1)^2] on random interpolates
      x_hat between real and generated rows, with Adam (betas (0.5, 0.9)).
      The default critic has no batch norm, since the penalty is per sample.
    * ``penalty="clip"`` (Arjovsky et al. 2017, the original algorithm) clips
      every critic weight to [-clip_value, clip_value] after each step, with
      RMSprop.

    ``history_`` records the critic's Wasserstein estimate
    E[f(x)] - E[f(g(z))] per epoch (``wasserstein_estimate``): the quantity
    to watch, it should shrink as training goes on.

    Parameters
    ----------
    penalty : {"gp", "clip"}, default="gp"
        How the critic is kept 1-Lipschitz: a gradient penalty or weight
        clipping (see above).
    gp_weight : float, default=10.0
        Weight of the gradient penalty (``penalty="gp"``).
    clip_value : float, default=0.01
        Bound c of the critic's weights (``penalty="clip"``).
"""
        + _shared_doc(
            n_components=8,
            learning_rate=(
                '1e-3 for the default MLP networks with the gradient penalty, 1e-4 with ``image_shape``, '
                'and 5e-5 with ``penalty="clip"`` (RMSprop, as in the paper)'
            ),
            n_critic=5,
            auto_steps=_WGAN_AUTO_STEPS,
            rate_drops=False,
        )
        + """
    Attributes
    ----------"""
        + _SHARED_ATTRIBUTES
        + """
    Examples
    --------
    >>> from skgen import WGAN
    >>> from skgen.datasets import make_gaussian_mixture
    >>> X, centers, std = make_gaussian_mixture("ring", 500, random_state=0)
    >>> wgan = WGAN(max_iter=2, random_state=0).fit(X)
    >>> wgan.sample(3).shape
    (3, 2)
    >>> "wasserstein_estimate" in wgan.history_[-1]
    True
    """
    )

    _auto_generator_steps = _WGAN_AUTO_STEPS
    _validation_warmup_steps = _WGAN_AUTO_STEPS // 2
    # WGAN still improves slowly where its validation MMD^2 stalls: lowered rates froze worse models
    # (held-out MMD^2 about 0.002 against 0.0009-0.0015 without drops, breast_cancer, seeds 0-2)
    _early_stopping_rate_drops = 0

    _parameter_constraints: dict = {
        **_BaseAdversarial._parameter_constraints,
        "penalty": [StrOptions({"gp", "clip"})],
        "gp_weight": [Interval(Real, 0, None, closed="left")],
        "clip_value": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        n_components=8,
        *,
        penalty="gp",
        gp_weight=10.0,
        clip_value=0.01,
        hidden_layer_sizes=(128, 128),
        learning_rate=None,
        batch_size=64,
        max_iter="auto",
        n_critic=5,
        generator_average=0.99,
        pack=1,
        scale="auto",
        image_shape=None,
        generator=None,
        discriminator=None,
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
        self.n_components = n_components
        self.penalty = penalty
        self.gp_weight = gp_weight
        self.clip_value = clip_value
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.n_critic = n_critic
        self.generator_average = generator_average
        self.pack = pack
        self.scale = scale
        self.image_shape = image_shape
        self.generator = generator
        self.discriminator = discriminator
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

    def _discriminator_options(self):
        return self.penalty == "clip", False

    def _learning_rate(self):
        if self.learning_rate is not None:
            return self.learning_rate
        if self.penalty == "clip":
            return 5e-5
        return 1e-4 if self.image_shape is not None else 1e-3

    def _objective_params(self):
        if self.penalty == "gp":
            optimizer = (torch.optim.Adam, {"lr": self._learning_rate(), "betas": (0.5, 0.9)})
        else:
            optimizer = (torch.optim.RMSprop, {"lr": self._learning_rate()})
        return dict(
            objective="wasserstein",
            penalty=self.penalty,
            gp_weight=self.gp_weight,
            clip_value=self.clip_value,
            generator_optimizer=optimizer,
            discriminator_optimizer=optimizer,
        )


class CGAN(_BaseAdversarial):
    __doc__ = (
        """Conditional GAN (Mirza & Osindero 2014): generator and discriminator both receive the label.

    ``fit(X, y)`` takes class labels (any labels a classifier accepts; one
    class is allowed). The objectives and stabilisers are those of
    :class:`GAN`.

    Parameters
    ----------
    loss : {"non-saturating", "minimax"}, default="non-saturating"
        The generator's adversarial objective, as in :class:`GAN`.
    label_smoothing : float, default=0.0
        One-sided label smoothing, as in :class:`GAN`.
    minibatch_discrimination : bool, default=False
        Minibatch discrimination, as in :class:`GAN`.
    historical_averaging : float, default=0.0
        Historical averaging, as in :class:`GAN`.
    feature_matching : float or bool, default=10.0
        As in :class:`GAN`, with the means taken per class: the weighted
        term is w sum_k (n_k / n) ||E[f(x, k)] - E[f(g(z, k), k)]||^2 over
        the n_k rows of class k in a batch of n (with ``pack`` > 1, over the
        whole batch); True keeps the whole-batch means of Salimans et al.
"""
        + _shared_doc(n_components=64, learning_rate=_GAN_LEARNING_RATE_DOC, n_critic=1, auto_steps=_GAN_AUTO_STEPS)
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``fit``.
    class_count_ : ndarray of shape (n_classes,)
        Training rows of each class (summed over ``partial_fit`` calls).
    class_prior_ : ndarray of shape (n_classes,)
        Their frequencies in the training data."""
        + _SHARED_ATTRIBUTES
        + """
    Notes
    -----
    ``transform``, ``score_samples``, ``score`` and ``generate`` take an
    optional ``y``. Without it they combine the classes deterministically
    with the training frequencies: features are averaged with weights
    ``class_prior_``, logits combine as log sum_k prior_k exp(logit_k), and
    ``generate`` / ``score`` assign labels to rows in proportion to the
    frequencies.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import CGAN
    >>> X, y = load_digits(return_X_y=True)
    >>> cgan = CGAN(max_iter=1, random_state=0).fit(X / 16, y)
    >>> X7, y7 = cgan.sample(5, y=7)
    >>> X7.shape, set(y7.tolist())
    ((5, 64), {7})
    """
    )

    _parameter_constraints: dict = dict(GAN._parameter_constraints)

    def __init__(
        self,
        n_components=64,
        *,
        loss="non-saturating",
        hidden_layer_sizes=(128, 128),
        learning_rate=None,
        batch_size=64,
        max_iter="auto",
        n_critic=1,
        generator_average=0.99,
        label_smoothing=0.0,
        feature_matching=10.0,
        minibatch_discrimination=False,
        historical_averaging=0.0,
        pack=1,
        scale="auto",
        image_shape=None,
        generator=None,
        discriminator=None,
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
        self.n_components = n_components
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.n_critic = n_critic
        self.generator_average = generator_average
        self.label_smoothing = label_smoothing
        self.feature_matching = feature_matching
        self.minibatch_discrimination = minibatch_discrimination
        self.historical_averaging = historical_averaging
        self.pack = pack
        self.scale = scale
        self.image_shape = image_shape
        self.generator = generator
        self.discriminator = discriminator
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

    _discriminator_options = GAN._discriminator_options
    _objective_params = GAN._objective_params
    _learning_rate = GAN._learning_rate

    @property
    def _n_classes(self):
        return len(self.classes_)

    # ---------------------------------------------------------------- labels
    def _check_y(self, X, y):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels.")
        return y

    def _label_index(self, y):
        """Positions of labels in ``classes_``; a label never seen in fit raises ValueError."""
        y = np.asarray(y)
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels not seen in fit: {unknown.tolist()}; known: {self.classes_.tolist()}. "
                "In cross-validation this means a training fold lacked a class: split with "
                "cv=StratifiedKFold(n_splits) (or shuffle class-sorted rows first); with partial_fit, "
                "name every label in classes= on the first call."
            )
        return np.searchsorted(self.classes_, y)

    def _onehot(self, index):
        return torch.as_tensor(np.eye(self._n_classes)[index], device=self.device_, dtype=self._torch_dtype)

    def _frequency_index(self, n):
        """n class positions in proportion to the training frequencies (largest remainders), in class order."""
        exact = self.class_prior_ * n
        counts = np.floor(exact).astype(int)
        counts[np.argsort(counts - exact)[: n - counts.sum()]] += 1
        return np.repeat(np.arange(self._n_classes), counts)

    # --------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the conditional model from scratch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : CGAN
            The fitted estimator.
        """
        X = self._validate_X(X, reset=True, finite=False)  # X's errors (sparse, ...) come before y's
        y = self._check_y(X, y)
        self.classes_ = np.unique(y)
        self.class_count_ = np.zeros(len(self.classes_))
        return self._fit_labelled(X, y, reset=True, epochs=self._epochs_to_run(X))

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, classes=None):
        """One more epoch over (X, y), continuing the current state.

        As in :class:`~sklearn.linear_model.SGDClassifier`, ``classes`` names
        every label the model will ever see; pass it on the first call when
        the first chunk may lack some (e.g. class-sorted chunks). Without it
        the first call takes the labels of its ``y``. ``class_prior_``
        follows the labels seen in all calls.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows of this epoch.
        y : array-like of shape (n_samples,)
            Their class labels.
        classes : array-like of shape (n_classes,) or None, default=None
            All labels; only the first call needs it, later ones may repeat it.

        Returns
        -------
        self : CGAN
            The fitted estimator.
        """
        first_call = not hasattr(self, "net_")
        X = self._validate_X(X, reset=first_call, finite=False)
        y = self._check_y(X, y)
        if classes is not None:
            classes = np.unique(np.asarray(classes))
            if not first_call and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"classes={classes.tolist()} differs from the classes of the first call to "
                    f"partial_fit, {self.classes_.tolist()}."
                )
        if first_call:
            self.classes_ = np.unique(y) if classes is None else classes
            self.class_count_ = np.zeros(len(self.classes_))
        return self._fit_labelled(X, y, reset=first_call, epochs=1)

    def _fit_labelled(self, X, y, *, reset, epochs):
        """Train on validated rows and labels that ``classes_`` covers, counting the labels."""
        index = self._label_index(y)
        self.class_count_ = self.class_count_ + np.bincount(index, minlength=len(self.classes_))
        self.class_prior_ = self.class_count_ / self.class_count_.sum()
        return self._fit(X, index, reset=reset, epochs=epochs, validated=True)

    def _training_rows(self, data, y):
        rows = super()._training_rows(data, y).X
        labels = torch.as_tensor(y, device=rows.device)
        onehot = torch.nn.functional.one_hot(labels, self._n_classes).to(rows.dtype)
        return data.with_rows(torch.cat([rows, onehot], dim=1))

    # -------------------------------------------------------------- sampling
    def sample(self, n_samples=1, *, y=None, random_state=None):
        """Draw labelled samples: returns ``(X, y)`` like ``GaussianMixture.sample``.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to draw.
        y : label, array-like of shape (n_samples,) or None, default=None
            None draws labels from the training class frequencies; a single
            label gives that label for every row; an array gives one per row.
        random_state : int, RandomState instance or None, default=None
            None continues the estimator's own sampling stream.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The samples, in the training data's dtype and scale.
        y : ndarray of shape (n_samples,)
            Their labels.
        """
        self._check_fitted()
        n_samples = self._check_n_samples(n_samples)
        generator = self._sampling_generator(random_state)
        if y is None:
            prior = torch.as_tensor(self.class_prior_, device=self.device_)
            index = np.empty(0, dtype=int)
            if n_samples:
                index = torch.multinomial(prior, n_samples, replacement=True, generator=generator).cpu().numpy()
        else:
            labels = np.asarray(y)
            if labels.ndim == 0:
                labels = np.repeat(labels, n_samples)
            elif labels.shape != (n_samples,):
                raise ValueError(f"y must be one label or {n_samples} labels, got shape {labels.shape}.")
            index = self._label_index(labels)
        X = self._generate(self._latent(n_samples, generator), self._onehot(index), generator)
        return self._as_output(X), self.classes_[index]

    def generate(self, Z, y=None):
        """Map latent rows (and labels) through the generator.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_components)
            Latent rows.
        y : label, array-like of shape (n_samples,) or None, default=None
            None assigns labels in proportion to the training frequencies
            (in class order).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The generator's output, in the training data's dtype and scale.
        """
        z = self._check_latent(Z)
        n = z.shape[0]
        if y is None:
            index = self._frequency_index(n)
        else:
            labels = np.asarray(y)
            index = self._label_index(np.repeat(labels, n) if labels.ndim == 0 else labels)
            if len(index) != n:
                raise ValueError(f"y must be one label or {n} labels, got {len(index)}.")
        return self._generate(z, self._onehot(index))

    # ----------------------------------------------------------- discriminator
    def _per_class(self, X, y, features):
        """Discriminator output with labels y, or with every class (stacked on a last axis) when y is None."""
        if y is not None:
            index = self._label_index(self._check_y(X, y))
            return self._discriminator_output(X, self._onehot(index), features=features)
        outputs = [
            self._discriminator_output(X, self._onehot(np.full(len(X), k)), features=features)
            for k in range(self._n_classes)
        ]
        return np.stack(outputs, axis=-1)

    def transform(self, X, y=None):
        """The discriminator's penultimate features given y (without y: averaged with the class frequencies).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to map to features.
        y : array-like of shape (n_samples,) or None, default=None
            Labels of the rows; None combines the classes with their training frequencies.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out)
            In the dtype of ``X``.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        features = self._per_class(X, y, features=True)
        if y is None:
            features = features @ self.class_prior_
        return features.astype(X.dtype, copy=False)

    def score_samples(self, X, y=None):
        """Discriminator logit given y; without y, log sum_k prior_k exp(logit_k). Higher = more realistic.

        Not a log-density.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.
        y : array-like of shape (n_samples,) or None, default=None
            Labels of the rows; None combines the classes with their training frequencies.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher is more typical of the training data.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        logits = self._per_class(X, y, features=False)
        if y is None:
            with np.errstate(divide="ignore"):  # a class named in partial_fit but not seen yet
                weighted = logits + np.log(self.class_prior_)
            peak = weighted.max(axis=1, keepdims=True)
            logits = peak[:, 0] + np.log(np.exp(weighted - peak).sum(axis=1))
        return logits

    def score(self, X, y=None):
        """Return minus the unbiased MMD^2 between X and model samples (see :meth:`GAN.score`).

        With ``y`` the samples get the rows' labels and the labels (one-hot)
        are part of the compared rows; without it labels are assigned in
        proportion to the training frequencies and only X is compared.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out rows.
        y : array-like of shape (n_samples,) or None, default=None
            Labels of the rows; None combines the classes with their training frequencies.

        Returns
        -------
        score : float
            Minus MMD^2: about 0 when the samples match X, lower the more they differ.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        rows = self._score_subsample(X.shape[0])
        index = self._label_index(self._check_y(X, y))[rows] if y is not None else self._frequency_index(len(rows))
        X = X[rows]
        generator = self._eval_generator()
        samples = self._generate(self._latent(len(rows), generator), self._onehot(index), generator)
        if y is not None:
            onehot = np.eye(self._n_classes)[index]
            X, samples = np.hstack([X, onehot]), np.hstack([samples, onehot])
        return self._negative_mmd2(X, samples)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
