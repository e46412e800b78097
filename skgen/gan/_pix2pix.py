"""pix2pix (Isola et al. 2017): paired translation by a U-Net trained with L1 and a conditional GAN.

Three layers: the PatchGAN discriminator (pure torch; the U-Nets live in
:mod:`skgen.nn`), :class:`Pix2PixNet` (the shared adversarial loop, where
the "condition" is the input row and the generator's noise is its dropout)
and :class:`Pix2Pix` (a scikit-learn multi-output regressor).
"""

import copy
import math
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data
from skorch.callbacks import PassthroughScoring
from torch import nn

from .._scaling import AffineScaling, is_far_from_unit_scale
from .._threads import torch_threads
from ..base import EVAL_CHUNK_ROWS, RowSource, TorchEstimator, reference_rows
from ..nn import MLPUNet, UNet
from ..nn._conv import _n_stride2_layers
from ._module import MLPDiscriminator, discriminator_loss, generator_loss
from ._net import AdversarialNet


# ------------------------------------------------------------------ torch parts
class PatchDiscriminator(nn.Module):
    """PatchGAN: one logit per image patch for an (output, input) pair of flat image rows.

    The two images are stacked as channels; stride-2 convolutions (kernel 4,
    LeakyReLU(0.2), batch norm after the first) halve the size while it stays
    at least 2x2 (at most three times), then a 3x3 convolution gives a map of
    logits, each judging the patch it sees.

    Parameters
    ----------
    output_shape : tuple (C_out, H, W)
    input_shape : tuple (C_in, H, W)
    base_channels : int, default=32
    batch_norm : bool, default=True
    """

    def __init__(self, output_shape, input_shape, *, base_channels=32, batch_norm=True):
        super().__init__()
        c_out, height, width = output_shape
        c_in = input_shape[0]
        self.output_shape, self.input_shape = tuple(output_shape), tuple(input_shape)
        layers, previous = [], c_out + c_in
        for i in range(_n_stride2_layers(height, width)):
            c = base_channels * 2**i
            layers.append(nn.Conv2d(previous, c, kernel_size=4, stride=2, padding=1))
            if batch_norm and i > 0:
                layers.append(nn.BatchNorm2d(c))
            layers.append(nn.LeakyReLU(0.2))
            previous = c
        self.body = nn.Sequential(*layers)
        self.output = nn.Conv2d(previous, 1, kernel_size=3, padding=1)

    def _maps(self, y, x):
        pair = torch.cat([y.reshape(-1, *self.output_shape), x.reshape(-1, *self.input_shape)], dim=1)
        return self.body(pair)

    def features(self, y, x):
        """The last hidden feature map, flattened."""
        return self._maps(y, x).flatten(1)

    def forward(self, y, x):
        """Patch logits of shape (n, n_patches): is ``y`` a real translation of ``x``?"""
        return self.output(self._maps(y, x)).flatten(1)


# --------------------------------------------------------------------- the net
class Pix2PixNet(AdversarialNet):
    """The adversarial loop for paired translation.

    Chunk rows are ``[target row, input row]``; the input is the loop's
    condition (``n_classes`` = the input's width). The generator maps
    ``(input, noise)`` to an output row; its noise is the uniform numbers of
    its dropout masks (``latent`` draws ``generator_.noise_size`` of them
    per row; none means dropout off). The discriminator judges
    (output, input) pairs: cross-entropy on its (patch) logits, halved as in
    the paper. The generator minimises
    ``adversarial_weight * GAN loss + l1_weight * mean |G(x) - y|``; with
    ``adversarial_weight=0`` the discriminator is not trained at all.

    The training loss reported to skorch (``train_loss``) is the generator's
    objective, and the validation loss is the mean absolute error of the
    deterministic translations (dropout off) on the held-out rows.
    """

    def __init__(self, module, *args, l1_weight=100.0, adversarial_weight=1.0, **kwargs):
        self.l1_weight = l1_weight
        self.adversarial_weight = adversarial_weight
        super().__init__(module, *args, **kwargs)

    def get_default_callbacks(self):
        return super().get_default_callbacks() + [("l1_loss", PassthroughScoring(name="l1_loss", on_train=True))]

    def latent(self, n, like, generator=None):
        """n rows of uniform numbers for the generator's dropout masks."""
        generator = self.generator if generator is None else generator
        n_noise = getattr(self.generator_, "noise_size", 0)
        return torch.rand(n, n_noise, generator=generator, device=like.device, dtype=like.dtype)

    def fake_rows(self, z, condition, noise_generator):
        return self.generator_(condition, z if z is not None and z.shape[1] else None)

    def discriminator_objective(self, real, fake, condition):
        if not self.adversarial_weight:  # L1 alone: nothing for the discriminator to learn
            zero = real.new_zeros((), requires_grad=True)
            return zero, zero.detach()
        real_scores = self._discriminate(real, condition)
        fake_scores = self._discriminate(fake, condition)
        loss = 0.5 * discriminator_loss(real_scores, fake_scores, label_smoothing=self.label_smoothing)
        return loss, (real_scores.mean() - fake_scores.mean()).detach()

    def generator_objective(self, real, fake, condition, z):
        l1 = (fake - real).abs().mean()
        if getattr(self, "batch_l1_", None) is not None:
            self.batch_l1_.append(l1.detach())
        loss = self.l1_weight * l1
        if self.adversarial_weight:
            loss = loss + self.adversarial_weight * generator_loss(self._discriminate(fake, condition), "non-saturating")
        return loss

    def train_step(self, batch, **fit_params):
        self.batch_l1_ = []
        try:
            super().train_step(batch, **fit_params)
            self.history.record_batch("l1_loss", float(torch.stack(self.batch_l1_).mean()))
        finally:
            del self.batch_l1_
        # a regressor's training loss is its generator's objective (one generator step per batch)
        return {"loss": torch.tensor(self.history[-1, "batches", -1, "generator_loss"]), "y_pred": None}

    def loss_reference(self, source):
        """The larger of both players' losses at the start of training."""
        real, condition = self._split(reference_rows(source, self.generator))
        z = self.latent(real.shape[0], real)
        fake = self.fake_rows(z, condition, self.generator)
        d_loss, _ = self.discriminator_objective(real, fake, condition)
        g_loss = self.generator_objective(real, fake, condition, z)
        return max(abs(float(d_loss)), abs(float(g_loss)))

    @torch.no_grad()
    def validation_step(self, batch, **fit_params):
        self.generator_.eval()
        real, condition = self._split(batch.X)
        return {"loss": (self.fake_rows(None, condition, None) - real).abs().mean(), "y_pred": None}


# --------------------------------------------------------------- the estimator
class Pix2Pix(RegressorMixin, TorchEstimator):
    """Paired translation from input rows X to output rows Y: pix2pix (Isola et al. 2017).

    A U-Net generator G maps an input x to an output G(x): an encoder, a
    mirrored decoder, and skip connections that hand each decoder layer the
    encoder layer of its size. A discriminator judges (output, input) pairs:
    a PatchGAN (one logit per image patch) for images, an MLP for plain
    rows. The discriminator minimises the conditional GAN cross-entropy
    (halved, as in the paper); the generator minimises
    ``adversarial_weight * -log D(G(x), x) + l1_weight * mean |G(x) - y|``.
    The L1 term alone gives a good but blurry average; the adversarial term
    pushes the outputs back towards realistic, sharp ones.
    ``adversarial_weight=0`` trains the same U-Net with L1 alone. Adam with
    betas (0.5, 0.999).

    The generator's noise is dropout, as in the paper: dropout after the
    first three decoder layers, on in training and in :meth:`sample`, off in
    :meth:`predict`, so ``predict`` is deterministic and ``sample`` gives
    several plausible translations of each input. The dropout masks are
    drawn from the estimator's own generators (``random_state``).

    As a scikit-learn estimator it is a multi-output regressor: ``fit(X, Y)``,
    ``predict(X)``, ``score(X, Y)`` (R^2, ``RegressorMixin``'s).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256, 128, 64)
        Widths of the fully connected U-Net's encoder layers (the decoder
        mirrors them) and of the MLP discriminator's hidden layers, when
        ``image_shape`` is None. Ignored with ``image_shape``.
    l1_weight : float, default=100.0
        Weight of the L1 term (the paper's 100).
    adversarial_weight : float, default=1.0
        Weight of the conditional GAN term in the generator's loss; 0 trains
        the U-Net with L1 alone.
    dropout : float, default=0.5
        Dropout rate of the U-Net's first three decoder layers: the
        generator's noise. 0 makes ``sample`` equal to ``predict``.
    learning_rate : float, default=2e-4
        Step size of both optimizers.
    batch_size : int, default=64
        Training pairs per mini-batch.
    max_iter : int, default=100
        Epochs: passes over the training pairs (one discriminator and one
        generator step per mini-batch).
    scale : {"auto", "standard", "minmax"} or None, default="auto"
        How X and Y are rescaled for the networks (each with its own map;
        predictions are mapped back): "standard" per feature, "minmax" one
        range per array onto [-1, 1] (the generator then ends in tanh, as in
        pix2pix), "auto" "minmax" with ``image_shape`` and "standard"
        otherwise, None as they are.
    image_shape : tuple (C, H, W) or None, default=None
        Rows of X are flat images: a convolutional U-Net (down to a 1-pixel
        bottleneck, batch norm) and a PatchGAN discriminator. None: rows are
        plain feature vectors and both networks are fully connected.
    output_shape : tuple (C, H, W) or None, default=None
        Shape of the output images; None: ``image_shape``. The height and
        width must be those of ``image_shape``; the channels may differ.
    generator, discriminator : torch.nn.Module class or instance, default=None
        Your own networks (a class is instantiated with no arguments, an
        instance deep-copied at ``fit``), working in the network's units. The
        generator's ``forward(x, noise=None)`` maps input rows to output rows;
        its optional ``noise_size`` attribute is the number of uniform numbers
        per row it takes as ``noise`` (e.g. dropout masks; 0 or absent: none).
        The discriminator's ``forward(y, x)`` gives logits (one per row or
        per patch) for output rows ``y`` given input rows ``x``.
    device : str or torch.device, default="auto"
        "auto" picks CUDA when available, else the CPU.
    random_state : int, RandomState instance or None, default=None
        The only source of randomness.
    verbose : int, default=0
        0 silent; 1 a progress bar with the losses; 2 a line per epoch.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks for the training loop (deep-copied at each fit).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the pairs and stop when the mean
        absolute error of ``predict`` on them (in the network's units) has
        not improved by ``tol`` for ``n_iter_no_change`` epochs, keeping the
        best epoch.
    validation_fraction : float, default=0.1
        Share of rows held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest improvement that counts for early stopping.
    shuffle : bool, default=True
        Reshuffle the rows every epoch.
    n_threads : int or None, default=None
        Intra-op threads of torch on the CPU; None chooses for the work.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
    n_outputs_ : int
        Width of the output rows.
    n_iter_ : int
        Epochs run.
    history_ : list of dict
        Per epoch: ``generator_loss`` (its whole objective), ``l1_loss`` (the
        mean absolute error of the training translations, network units),
        ``discriminator_loss``, ``wasserstein_estimate`` (mean logit gap
        between real and translated pairs), ``train_loss`` (= the generator
        loss), ``dur``, and ``valid_loss`` (held-out mean absolute error)
        with early stopping.
    device_ : str
    net_ : skorch.NeuralNet
        The skorch net; ``net_.generator_`` (the U-Net) and
        ``net_.discriminator_`` are the torch modules.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skgen import Pix2Pix
    >>> images = load_digits().data[:300] / 16
    >>> upper_half = np.where(np.arange(64) < 32, images, 0.0)  # translate the upper half to the digit
    >>> model = Pix2Pix(image_shape=(1, 8, 8), max_iter=1, random_state=0).fit(upper_half, images)
    >>> model.predict(upper_half[:2]).shape
    (2, 64)
    >>> model.sample(upper_half[:2], n_draws=3).shape  # three translations of each input
    (2, 64, 3)
    """

    _parameter_constraints: dict = {
        **TorchEstimator._parameter_constraints,
        "hidden_layer_sizes": [tuple, list],
        "l1_weight": [Interval(Real, 0, None, closed="left")],
        "adversarial_weight": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "scale": [StrOptions({"auto", "standard", "minmax"}), None],
        "image_shape": [tuple, list, None],
        "output_shape": [tuple, list, None],
        "generator": [torch.nn.Module, type, None],
        "discriminator": [torch.nn.Module, type, None],
    }

    _net_class = Pix2PixNet
    _accepts_sparse = False
    _shape_params = (
        "hidden_layer_sizes", "dropout", "scale", "image_shape", "output_shape", "generator", "discriminator"
    )

    def __init__(
        self,
        hidden_layer_sizes=(256, 128, 64),
        *,
        l1_weight=100.0,
        adversarial_weight=1.0,
        dropout=0.5,
        learning_rate=2e-4,
        batch_size=64,
        max_iter=100,
        scale="auto",
        image_shape=None,
        output_shape=None,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.l1_weight = l1_weight
        self.adversarial_weight = adversarial_weight
        self.dropout = dropout
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.scale = scale
        self.image_shape = image_shape
        self.output_shape = output_shape
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

    # --------------------------------------------------------------- fitting
    def _validate_XY(self, X, Y, *, reset):
        X, Y = validate_data(
            self,
            X,
            Y,
            reset=reset,
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            ensure_min_samples=2 if (reset and self.early_stopping) else 1,
            ensure_all_finite=False,  # X's NaN/inf check runs on the device at fit (Y's here)
        )
        if reset:
            self._y_is_1d = Y.ndim == 1
        Y = np.asarray(Y, dtype=X.dtype).reshape(len(Y), -1)
        if not reset and Y.shape[1] != self.n_outputs_:
            raise ValueError(f"Y has {Y.shape[1]} columns, but {type(self).__name__} was fitted with {self.n_outputs_}.")
        return X, Y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, Y):
        """Fit the translation from input rows X to output rows Y from scratch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs (flat images with ``image_shape``).
        Y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The outputs paired with them.

        Returns
        -------
        self : Pix2Pix
            The fitted estimator.
        """
        X, Y = self._validate_XY(X, Y, reset=True)
        self.n_outputs_ = Y.shape[1]
        self._check_shapes(X, Y)
        self._refit_target_scaling = True
        return self._fit(X, Y, reset=True, epochs=self._epochs_to_run(X), validated=True)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, Y):
        """One more epoch over the pairs (X, Y), continuing the current state.

        The first call on an unfitted estimator initialises it from (X, Y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows of this epoch.
        Y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The outputs paired with them.

        Returns
        -------
        self : Pix2Pix
            The fitted estimator.
        """
        first_call = not hasattr(self, "net_")
        X, Y = self._validate_XY(X, Y, reset=first_call)
        if first_call:
            self.n_outputs_ = Y.shape[1]
            self._check_shapes(X, Y)
            self._refit_target_scaling = True
        return self._fit(X, Y, reset=first_call, epochs=1, validated=True)

    def _output_shape(self):
        return self.output_shape if self.output_shape is not None else self.image_shape

    def _check_shapes(self, X, Y):
        if self.image_shape is None:
            if self.output_shape is not None:
                raise ValueError("output_shape needs image_shape: without it rows are plain feature vectors.")
            return
        in_shape, out_shape = tuple(self.image_shape), tuple(self._output_shape())
        for name, shape, n, what in (("image_shape", in_shape, X.shape[1], "X"), ("output_shape", out_shape, Y.shape[1], "Y")):
            if len(shape) != 3:
                raise ValueError(f"{name} must be (C, H, W), got {shape}.")
            if math.prod(shape) != n:
                raise ValueError(f"{name}={shape} has {math.prod(shape)} values per image, but {what} has {n} columns.")
        if in_shape[1:] != out_shape[1:]:
            raise ValueError(
                f"image_shape {in_shape} and output_shape {out_shape} must have the same height and width "
                "(the U-Net maps images to images of the same size; resample the inputs first)."
            )

    def _scaling_kind(self):
        """The scaling of X and Y: the fitted ``scale``, with "auto" resolved."""
        kind = self._fitted("scale")
        if kind != "auto":
            return kind
        return "minmax" if self._fitted("image_shape") is not None else "standard"

    def _user_module(self, spec):
        return spec() if isinstance(spec, type) else copy.deepcopy(spec)

    def _build_modules(self, data):
        kind = self._scaling_kind()
        self._input_scaling = getattr(AffineScaling, kind or "identity")(data)
        n_in, n_out = data.n_features, self.n_outputs_
        hidden = tuple(self._fitted("hidden_layer_sizes"))
        image_shape, dropout = self._fitted("image_shape"), self._fitted("dropout")
        output_activation = nn.Tanh() if kind == "minmax" else None
        if self.generator is not None:
            generator = self._user_module(self.generator)
        elif image_shape is not None:
            out_shape = self._fitted("output_shape") or image_shape
            generator = UNet(tuple(image_shape), tuple(out_shape), dropout=dropout, output_activation=output_activation)
        else:
            generator = MLPUNet(n_in, hidden, n_out, dropout=dropout, output_activation=output_activation)
        if self.discriminator is not None:
            discriminator = self._user_module(self.discriminator)
        elif image_shape is not None:
            out_shape = self._fitted("output_shape") or image_shape
            discriminator = PatchDiscriminator(tuple(out_shape), tuple(image_shape))
        else:
            discriminator = MLPDiscriminator(n_out + n_in, hidden)
        return {"module": generator, "discriminator": discriminator}

    def _net_params(self):
        adam = (torch.optim.Adam, {"lr": self.learning_rate, "betas": (0.5, 0.999)})
        return dict(
            batch_size=self.batch_size,
            n_components=0,
            n_classes=self.n_features_in_,
            validation_seed=self._eval_seed,
            generator_optimizer=adam,
            discriminator_optimizer=adam,
            l1_weight=self.l1_weight,
            adversarial_weight=self.adversarial_weight,
        )

    def _training_rows(self, data, Y):
        if self._refit_target_scaling:
            kind = self._scaling_kind()
            targets = RowSource(Y, device=self.device_, dtype=self._torch_dtype)
            self._target_scaling = getattr(AffineScaling, kind or "identity")(targets)
            self._refit_target_scaling = False
        targets = self._target_scaling.transform(self._rows_as_tensor(Y))
        return data.with_rows(torch.cat([targets, self._input_scaling.transform(data.X)], dim=1))

    def _divergence_advice(self, data):
        advice = super()._divergence_advice(data)
        if self._scaling_kind() is None and is_far_from_unit_scale(data):
            advice += ' The data are not standardised and scale=None: use scale="auto".'
        return advice

    # ----------------------------------------------------------- prediction
    def _translate(self, X, noise_generator=None, n_draws=1):
        """Outputs for validated rows X in the data's units, shape (n, n_draws, n_outputs).

        ``noise_generator`` None: dropout off (``predict``); else each row is
        translated ``n_draws`` times with dropout masks drawn from it.
        """
        net = self.net_
        net.generator_.eval()
        outputs = []
        chunk_rows = max(1, EVAL_CHUNK_ROWS // n_draws)
        with torch.no_grad(), torch_threads(self._thread_count()):
            for start in range(0, X.shape[0], chunk_rows):
                x = self._input_scaling.transform(self._rows_as_tensor(X[start : start + chunk_rows]))
                z = None
                if noise_generator is not None:
                    x = x.repeat_interleave(n_draws, dim=0)
                    z = net.latent(x.shape[0], x, noise_generator)
                y = self._target_scaling.inverse_transform(net.fake_rows(z, x, None))
                outputs.append(y.reshape(-1, n_draws, self.n_outputs_).cpu().numpy())
        if not outputs:
            return np.empty((0, n_draws, self.n_outputs_))
        return np.concatenate(outputs, axis=0)

    def predict(self, X):
        """The translation of each input row: the U-Net with dropout off (deterministic).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.

        Returns
        -------
        Y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            1-D when ``fit`` got a 1-D ``Y``; in the dtype of ``X``.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        Y = self._translate(X)[:, 0].astype(X.dtype, copy=False)
        return Y[:, 0] if self._y_is_1d else Y

    def score(self, X, y, sample_weight=None):
        """Return the R^2 of ``predict(X)`` against ``Y`` (``RegressorMixin``'s), averaged over outputs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            At least two rows: R^2 is undefined for one.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target images.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in R^2; None weighs them equally.

        Returns
        -------
        score : float
            R^2: 1 for a perfect translation, 0 for predicting the mean.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        if len(X) < 2:
            raise ValueError(f"score needs at least 2 rows (R^2 is undefined for one); got {len(X)}.")
        return super().score(X, y, sample_weight=sample_weight)

    def sample(self, X, n_draws=1, *, random_state=None):
        """``n_draws`` translations of each input row, each with fresh dropout masks.

        Shapes follow ``GaussianProcessRegressor.sample_y``: the draws are
        the last axis.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input rows.
        n_draws : int, default=1
            Translations of each input row.
        random_state : int, RandomState instance or None, default=None
            None continues the estimator's own sampling stream; a value makes
            this call reproducible on its own.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_draws) or (n_samples, n_outputs, n_draws)
            The first when ``fit`` got a 1-D ``Y``; in the dtype of ``X``.
        """
        self._check_fitted()
        if not isinstance(n_draws, Integral) or isinstance(n_draws, bool) or n_draws < 1:
            raise ValueError(f"n_draws must be a positive integer, got {n_draws!r}.")
        X = self._validate_X(X, reset=False)
        generator = self._sampling_generator(random_state)
        Y = self._translate(X, generator, int(n_draws)).astype(X.dtype, copy=False).transpose(0, 2, 1)
        return Y[:, 0] if self._y_is_1d else Y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.target_tags.required = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = True
        # a generative model trained by an adversarial game: the estimator
        # checks' few-epoch fits are not judged by their R^2
        tags.regressor_tags.poor_score = True
        return tags

