"""The variational autoencoder as a scikit-learn estimator."""

import copy
import math
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array

from .._scaling import AffineScaling, is_far_from_unit_scale
from ..base import TorchEstimator, fused_optimizer_options, log_mean_exp
from ..nn import MLP, ConvDecoder, ConvEncoder
from ._module import GaussianEncoder, VAEModule
from ._net import VAENet

# Rows x importance samples decoded per call in score_samples and elbo.
_DECODED_ROWS_PER_CALL = 2**15

# max_iter="auto": clip(ceil(_AUTO_STEPS / batches per epoch), *AUTO_EPOCH_RANGE) epochs (skgen.base)
_AUTO_STEPS = 1000


class VAE(ClassNamePrefixFeaturesOutMixin, TransformerMixin, TorchEstimator):
    """Variational autoencoder (Kingma & Welling 2014).

    Encoder q(z|x) = N(mu(x), diag sigma^2(x)), prior p(z) = N(0, I) and
    decoder p(x|z), trained on the negative evidence lower bound

        ELBO(x) = E_q[log p(x|z)] - beta * KL(q(z|x) || p(z))

    with the reparameterisation z = mu + sigma * eps, eps ~ N(0, I), and the
    closed-form Gaussian KL. ``score_samples`` is the importance-weighted
    bound of Burda et al. (2016), which tightens towards log p(x) as
    ``n_importance`` grows.

    The defaults suit tables of a few hundred to a few thousand rows as well
    as larger data: with them alone, on scikit-learn's breast_cancer (398
    training rows, 30 features) a gradient-boosting classifier tells the
    samples from the training rows with about 0.7 accuracy
    (``benchmarks/bench_tabular.py``).

    Parameters
    ----------
    n_components : int, default=16
        Latent dimension.
    hidden_layer_sizes : tuple of int, default=(256,)
        Widths of the default MLP encoder's hidden layers; the decoder
        mirrors them. Ignored for a network given through ``encoder=`` /
        ``decoder=`` and with ``image_shape``.
    likelihood : {"gaussian", "bernoulli"}, default="gaussian"
        "gaussian": any real-valued features; the decoder returns means and
        each feature has a learned output variance, which starts at the
        feature's variance in the training data and never goes below 1e-6
        times it (so constant features cannot make the likelihood infinite).
        "bernoulli": data in [0, 1] (e.g. pixel intensities); the decoder
        returns logits; values outside [0, 1] raise ``ValueError``.
    beta : float, default=1.0
        Weight of the KL term in the training loss (beta-VAE). ``elbo`` and
        ``score_samples`` always use beta = 1.
    learning_rate : float, default=3e-3
        Adam's step size (torch's default betas).
    batch_size : int, default=100
        Rows per mini-batch.
    max_iter : "auto" or int, default="auto"
        Number of epochs. "auto" picks them from the data size so that
        training makes about 1000 optimizer steps: clip(ceil(1000 / batches
        per epoch), 20, 1000) epochs, an epoch having ceil(n_rows /
        batch_size) batches of the rows trained on (the validation rows
        left out). With the default batch size, epochs on n_rows rows: 500
        on 178, 250 on 398, 56 on 1797, 20 on 60000. An int is the number
        of epochs. ``n_iter_`` holds the epochs actually run; ``partial_fit``
        always runs one.
    n_importance : int, default=100
        Importance samples per row in ``score_samples`` and ``elbo``.
    scale : {"auto", "standard"} or None, default="auto"
        How the estimator rescales the data for the networks (samples,
        reconstructions and densities are mapped back to the data's units):
        "standard" per-feature mean and standard deviation; None trains on X
        as is. "auto" is "standard" for the Gaussian likelihood with the
        default networks, and None with ``likelihood="bernoulli"`` or with
        your own ``encoder`` / ``decoder`` (which then see the data's units).
    image_shape : tuple (C, H, W) or None, default=None
        Rows are flat images: use convolutional encoder and decoder.
    encoder, decoder : torch.nn.Module class or instance, default=None
        Your own networks instead of the defaults. A class is instantiated
        with no arguments, an instance is deep-copied at ``fit``. The encoder
        returns ``(mu, log_var)``; the decoder returns logits (Bernoulli) or
        means (Gaussian), or ``(means, log_var)`` to set its own variance.
    device : str or torch.device, default="auto"
        "auto" picks CUDA when available, else the CPU.
    random_state : int, RandomState instance or None, default=None
        The only source of randomness: initialisation, shuffling, the
        reparameterisation noise and the importance noise.
    verbose : int, default=0
        0 silent; 1 a progress bar with the running loss; 2 a line per epoch.
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks for the training loop.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop when the
        validation loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs, keeping the best epoch's parameters.
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

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
    n_iter_ : int
        Epochs run.
    history_ : list of dict
        Per epoch: ``train_loss`` (the beta-weighted negative ELBO per row),
        ``train_recon`` (-E_q log p(x|z)), ``train_kl``, ``dur``, and the
        ``valid_*`` values with early stopping.
    device_ : str
    net_ : skorch.NeuralNet
        The skorch net; ``net_.module_`` is the torch :class:`VAEModule`.

    Notes
    -----
    ``score_samples`` and ``elbo`` draw their noise once, from a seed fixed at
    ``fit``, and use the same ``n_importance`` draws for every row: they are
    deterministic for a fitted model and do not depend on which rows are
    scored together. With internal scaling they are densities in the data's
    units: the scaling's log-Jacobian, -sum_j log(std_j), is included. They
    are never NaN: a row the model cannot explain at all (e.g. values of
    1e30) scores -inf.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skgen import VAE
    >>> X = load_digits().data / 16
    >>> vae = VAE(n_components=4, likelihood="bernoulli", max_iter=5, random_state=0).fit(X)
    >>> vae.transform(X[:3]).shape
    (3, 4)
    >>> vae.sample(2).shape
    (2, 64)
    >>> bool(np.all(vae.score_samples(X[:5]) >= vae.elbo(X[:5])))
    True
    """

    _parameter_constraints: dict = {
        **TorchEstimator._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [tuple, list],
        "likelihood": [StrOptions({"gaussian", "bernoulli"})],
        "beta": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "n_importance": [Interval(Integral, 1, None, closed="left")],
        "scale": [StrOptions({"auto", "standard"}), None],
        "image_shape": [tuple, list, None],
        "encoder": [torch.nn.Module, type, None],
        "decoder": [torch.nn.Module, type, None],
    }

    _net_class = VAENet
    _shape_params = ("n_components", "hidden_layer_sizes", "likelihood", "scale", "image_shape", "encoder", "decoder")

    def __init__(
        self,
        n_components=16,
        *,
        hidden_layer_sizes=(256,),
        likelihood="gaussian",
        beta=1.0,
        learning_rate=3e-3,
        batch_size=100,
        max_iter="auto",
        n_importance=100,
        scale="auto",
        image_shape=None,
        encoder=None,
        decoder=None,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.likelihood = likelihood
        self.beta = beta
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.n_importance = n_importance
        self.scale = scale
        self.image_shape = image_shape
        self.encoder = encoder
        self.decoder = decoder
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

    def _auto_steps(self):
        return _AUTO_STEPS

    # ------------------------------------------------------------ building
    def _check_training_data(self, data):
        if self.image_shape is not None and math.prod(self.image_shape) != data.n_features:
            raise ValueError(
                f"image_shape={tuple(self.image_shape)} has {math.prod(self.image_shape)} values per "
                f"image, but X has {data.n_features} features."
            )
        if self.likelihood == "bernoulli" and len(data):
            self._check_range(*data.value_range())

    def _check_support(self, X, likelihood):
        values = X.data if sp.issparse(X) else X
        if likelihood == "bernoulli" and values.size:
            self._check_range(values.min(), values.max())

    @staticmethod
    def _check_range(low, high):
        if low < 0 or high > 1:
            raise ValueError(
                f'likelihood="bernoulli" needs data in [0, 1]; X has values in [{low:g}, {high:g}]. '
                'Scale it (e.g. MinMaxScaler) or use likelihood="gaussian".'
            )

    def _user_module(self, spec):
        return spec() if isinstance(spec, type) else copy.deepcopy(spec)

    def _scaling_kind(self):
        if self.scale != "auto":
            return self.scale
        default_networks = self.encoder is None and self.decoder is None
        return "standard" if self.likelihood == "gaussian" and default_networks else None

    def _build_modules(self, data):
        self._scaling = getattr(AffineScaling, self._scaling_kind() or "identity")(data)
        n_features, d = data.n_features, self.n_components
        if self.encoder is not None:
            encoder = self._user_module(self.encoder)
        elif self.image_shape is not None:
            encoder = GaussianEncoder(ConvEncoder(tuple(self.image_shape), 2 * d))
        else:
            encoder = GaussianEncoder(MLP(n_features, tuple(self.hidden_layer_sizes), 2 * d))
        if self.decoder is not None:
            decoder = self._user_module(self.decoder)
        elif self.image_shape is not None:
            decoder = ConvDecoder(d, tuple(self.image_shape))
        else:
            decoder = MLP(d, tuple(reversed(self.hidden_layer_sizes)), n_features)
        variance = None
        if self.likelihood == "gaussian":  # in network units
            variance = data.column_variance() / self._scaling.spread**2
            variance = np.where(variance > 0, variance, 1.0)
        return {"module": VAEModule(encoder, decoder, likelihood=self.likelihood, feature_variance=variance)}

    def _training_rows(self, data, y):
        if self._scaling.is_identity:
            return data
        return data.with_rows(self._scaling.transform(data.X))

    def _divergence_advice(self, data):
        advice = super()._divergence_advice(data)
        if self._scaling.is_identity and self.likelihood == "gaussian" and is_far_from_unit_scale(data):
            advice += ' The data are not standardised and scale=None: use scale="standard".'
        return advice

    def _net_params(self):
        return dict(
            optimizer=torch.optim.Adam,
            **{f"optimizer__{k}": v for k, v in fused_optimizer_options(torch.optim.Adam, self.device_).items()},
            lr=self.learning_rate,
            batch_size=self.batch_size,
            beta=self.beta,
            validation_eps=self._importance_noise(1)[0],
        )

    def _importance_noise(self, n_draws=None):
        """The fixed N(0, I) draws shared by every row: a (n_draws, n_components) float64 array."""
        n_draws = self.n_importance if n_draws is None else n_draws
        generator = torch.Generator().manual_seed(self._eval_seed)
        noise = torch.randn(n_draws, self._fitted("n_components"), generator=generator, dtype=torch.float64)
        return noise.numpy()

    def _network_rows(self, X):
        """Validated rows as a device tensor in network units."""
        return self._scaling.transform(self._rows_as_tensor(X))

    @property
    def _module(self):
        return self.net_.module_

    # ------------------------------------------------------------ features
    def transform(self, X):
        """Posterior means mu(x) of q(z|x).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to map to features.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
            In the dtype of ``X``.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        module, scaling = self._module, self._scaling
        return self._apply_in_chunks(X, lambda x: module.encode(scaling.transform(x))[0]).astype(X.dtype, copy=False)

    def inverse_transform(self, Z):
        """Decoder means E[x|z] of latent rows ``Z``.

        ``inverse_transform`` of standard normal rows gives the decoder means
        of prior draws; :meth:`sample` adds the observation noise on top.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_components)
            Latent rows, e.g. the output of ``transform``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            In the training data's scale.
        """
        self._check_fitted()
        Z = check_array(Z, dtype=(np.float64, np.float32))
        n_latent = self._fitted("n_components")
        if Z.shape[1] != n_latent:
            raise ValueError(f"Z has {Z.shape[1]} columns, but the VAE was fitted with n_components={n_latent}.")
        module, scaling = self._module, self._scaling
        means = self._apply_in_chunks(Z, lambda z: scaling.inverse_transform(module.mean(module.decode(z))))
        return means.astype(Z.dtype, copy=False)

    def sample(self, n_samples=1, *, random_state=None):
        """Draw z ~ N(0, I), then x ~ p(x|z).

        These are true draws from the model: binary for
        ``likelihood="bernoulli"``, with Gaussian noise of the learned
        variance for ``"gaussian"``. For the noiseless decoder means use
        ``inverse_transform(rng.standard_normal((n, n_components)))``.

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
            In the training data's dtype.
        """
        self._check_fitted()
        n_samples = self._check_n_samples(n_samples)
        generator = self._sampling_generator(random_state)
        module = self._module
        with torch.no_grad():
            z = torch.randn(
                n_samples, self._fitted("n_components"), generator=generator, device=self.device_, dtype=self._torch_dtype
            )
            x = self._scaling.inverse_transform(module.sample_x(module.decode(z), generator))
        return self._as_output(x.cpu().numpy().astype(self._training_dtype, copy=False))

    # ---------------------------------------------------------- likelihood
    def _log_weights(self, X):
        """log p(x, z_k) - log q(z_k|x) for the fixed noise draws, shape (n_samples, n_importance)."""
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        self._check_support(X, self._fitted("likelihood"))
        module, scaling = self._module, self._scaling
        eps = torch.as_tensor(self._importance_noise(), device=self.device_, dtype=self._torch_dtype)
        rows = max(1, _DECODED_ROWS_PER_CALL // self.n_importance)
        log_w = self._apply_in_chunks(
            X, lambda x: module.log_importance_weights(scaling.transform(x), eps), chunk_rows=rows
        )
        # densities in the data's units: log p(x) = log p(network row) + log |d row / d x|
        return log_w.astype(np.float64) + scaling.log_jacobian

    def score_samples(self, X):
        """Importance-weighted lower bound on log p(x) per row, in nats (Burda et al. 2016).

        log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x) with z_k ~ q(z|x) and
        K = ``n_importance``: the ELBO at K = 1, tightening towards log p(x)
        as K grows. The K noise draws are fixed at ``fit`` and shared by
        every row, so the result is deterministic.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_likelihood_bound : ndarray of shape (n_samples,)
            In nats.
        """
        return log_mean_exp(self._log_weights(X), axis=1)

    def elbo(self, X):
        """Evidence lower bound E_q[log p(x|z) + log p(z) - log q(z|x)] per row, in nats (beta = 1).

        The expectation is the average of the same ``n_importance`` fixed
        log-weights that :meth:`score_samples` combines by log-mean-exp, so
        ``score_samples(X) >= elbo(X)`` on every row (Jensen's inequality).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to evaluate.

        Returns
        -------
        elbo : ndarray of shape (n_samples,)
            In nats, at most ``score_samples(X)``.
        """
        log_w = self._log_weights(X)
        return np.where(np.isnan(log_w), -np.inf, log_w).mean(axis=1)

    def score(self, X, y=None):
        """Mean of ``score_samples``: higher is better.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Held-out rows.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean lower bound on log p(x), in nats.
        """
        return float(np.mean(self.score_samples(X)))

    @property
    def _n_features_out(self):
        return self._fitted("n_components")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
