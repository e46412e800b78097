"""Deep belief networks: restricted Boltzmann machines stacked greedily, as one estimator.

The DBN composes skgen's RBM estimators (``layers_``), it does not reimplement
them: ``fit`` trains each layer with the RBM's own ``fit`` on the hidden
probabilities of the layer below, and the methods of the fitted DBN run the
layers' torch modules (``layer.net_.module_``) on the device.
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.callbacks import Callback

from .._threads import choose_threads
from ..base import TorchEstimator, to_tensor, torch_threads
from ..exceptions import DivergenceError
from ..sampling import gibbs_chain
from ._estimator import BernoulliRBM, GaussianBinaryRBM, _BaseRBM
from ._module import GaussianBinaryRBMModule

# Rows x posterior draws x layer width evaluated per call in score_samples.
_BOUND_ELEMENTS_PER_CALL = 2**22

# Rows per call in transform, inverse_transform.
_EVAL_CHUNK_ROWS = 4096

# The RBM parameters the DBN passes to every layer.
_LAYER_TRAINING_PARAMS = ("learning_rate", "batch_size", "n_iter", "k", "persistent", "momentum", "weight_decay", "average")
_LAYER_EVALUATION_PARAMS = ("n_gibbs_steps", "n_ais_chains", "n_ais_betas")


class DBN(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Deep belief network: RBMs stacked and trained greedily (Hinton, Osindero & Teh 2006).

    The first layer is a :class:`BernoulliRBM` (``visible="bernoulli"``) or a
    :class:`GaussianBinaryRBM` (``visible="gaussian"``) on the data; every
    further layer is a :class:`BernoulliRBM` trained on the hidden
    probabilities P(h | v) of the layer below, once that layer is trained.
    The training parameters apply to every layer. The fitted RBMs are
    ``layers_``, bottom first.

    As a generative model the DBN is the top RBM over its two layers, with
    directed connections from there down to the data: for layers
    1, ..., L (h_0 = v),

        p(v, h_1, ..., h_{L-1}) = p_L(h_{L-1}) prod_{l<L} p_l(h_{l-1} | h_l),

    where p_L is the top RBM's marginal over its visible units and
    p_l(h_{l-1} | h_l) the conditional of layer l's RBM. A one-layer DBN is
    its RBM.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(256, 256)
        Hidden units of each layer, bottom first; an int is one layer.
    visible : {"bernoulli", "gaussian"}, default="bernoulli"
        The first layer's visible units: binary (data in [0, 1]) or Gaussian
        with a fixed standard deviation per feature (real-valued data; put a
        ``StandardScaler`` first and use a smaller ``learning_rate``, e.g.
        0.01).
    learning_rate : float or sequence of float, default=0.1
        Step size of the updates.
    batch_size : int or sequence of int, default=10
        Rows per mini-batch (and size of the persistent chain).
    n_iter : int or sequence of int, default=10
        Epochs of each layer (``fit`` runs ``n_iter`` epochs of every layer,
        one layer after the other).
    k : int or sequence of int, default=1
        Gibbs steps in the negative phase.
    persistent : bool or sequence of bool, default=True
        PCD-k (True) or CD-k (False).
    momentum : float or sequence of float, default=0.0
        Momentum of the updates.
    weight_decay : float or sequence of float, default=0.0
        L2 penalty on the weights.
    average : bool, int or sequence of them, default=False
        Iterate averaging, as in :class:`BernoulliRBM`: an int starts it once
        that many training rows have been seen, so
        ``int(0.75 * n_iter * n_samples)`` averages the last quarter of a
        layer's updates.

        Each of these training parameters, ``learning_rate`` to ``average``,
        applies to every layer; a sequence with one value per layer, bottom
        first, sets each layer's own (e.g. ``n_iter=(20, 60)`` with
        ``average=(60000, 180000)`` trains the top layer three times longer,
        which the bound rewards; see the notes).
    n_gibbs_steps : int, default=1000
        Block-Gibbs sweeps in the top RBM in :meth:`sample`.
    n_posterior_samples : int, default=100
        Posterior draws per row in :meth:`score_samples` (the Monte Carlo
        estimate of the bound's expectation).
    n_ais_chains : int, default=100
        AIS runs for the top RBM's log Z when both of its layers have more
        than 20 units.
    n_ais_betas : int, default=10000
        Inverse temperatures of each AIS run.
    device : str or torch.device, default="auto"
        "auto" picks CUDA when available, else the CPU; every layer lives there.
    random_state : int, RandomState instance or None, default=None
        The only source of randomness: each layer gets its own seed drawn
        from it, and so do :meth:`sample` and the posterior draws of
        :meth:`score_samples`.
    verbose : int, default=0
        0 silent; 1 one progress bar over the epochs of all layers; 2 a line
        per epoch naming the layer.
    n_threads : int or None, default=None
        Intra-op CPU threads for training and evaluation; None lets skgen
        choose from the model size and the machine's load.

    Attributes
    ----------
    layers_ : list of BernoulliRBM or GaussianBinaryRBM
        The fitted RBMs, bottom first (inspect their ``components_`` as
        filters).
    log_z_, log_z_std_ : float
        log partition function of the top RBM and its standard error (0 when
        exact), computed on first use.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when they are all strings.
    n_iter_ : int
        Epochs run by the least-trained layer, across ``partial_fit`` calls
        (``n_iter`` after a full ``fit`` with one ``n_iter`` for all layers;
        each layer's count is its own ``n_iter_``).
    history_ : list of dict
        One dict per layer epoch, in training order: ``layer`` (1 = bottom)
        and that layer's own ``history_`` entry (``epoch``, ``train_loss``,
        ``dur``).
    device_ : str
        Device the layers live on.

    See Also
    --------
    BernoulliRBM, GaussianBinaryRBM : The layers.

    Notes
    -----
    ``fit`` is greedy: layer l is trained for ``n_iter`` epochs on
    P(h_{l-1} | h_{l-2}) of the training rows, computed with the trained
    layers below it, which stay fixed. ``partial_fit`` runs one epoch of
    every layer, bottom first, each on the features of the layer below as it
    is after its own epoch: the layers learn together, so a stream of
    chunks trains the whole stack (greedy training would need every chunk
    again for every layer).

    ``score_samples`` is the variational lower bound on log p(v) of
    Salakhutdinov & Murray (2008), in nats (a log density for Gaussian visible
    units). With q(h_l | h_{l-1}) the factorial P(h_l | h_{l-1}) of layer l's
    RBM,

        log p(v) >= E_q[ sum_{l<L} (log p_l(h_{l-1} | h_l) - log q(h_l | h_{l-1}))
                         + log p*_L(h_{L-1}) ] - log Z_L,

    where p*_L = exp(-F_L) is the top RBM's unnormalised marginal and log Z_L
    its log partition function (``log_z_``: exact when one of its layers has
    at most 20 units, else AIS with ``n_ais_chains`` and ``n_ais_betas``).
    The expectation is the mean over ``n_posterior_samples`` chains of
    posterior draws h_1 ~ q(.|v), h_2 ~ q(.|h_1), ...; the uniform numbers
    behind the draws come from a seed fixed at ``fit`` and are the same for
    every row, so the result is deterministic for a fitted model and
    independent of which rows are scored together. Each row's value carries
    a Monte Carlo error shrinking as 1/sqrt(``n_posterior_samples``); AIS,
    when used, makes it slightly optimistic.

    How loose the bound is: its gap is KL(q || p(h | v)). With two layers,
    q is the first RBM's exact posterior, so row by row
    bound(v) - log p_1(v) = E_q[log p_2(h_1) - log p_1(h_1)], p_1(h_1) being
    the first RBM's own marginal over its hidden units: the DBN's bound
    beats the first layer's log-likelihood exactly when the top RBM models
    the first layer's hidden activity better than the first RBM's own prior
    does. A second layer equal to the first one mirrored (Hinton et al.
    2006) makes them equal; the layers here start from small random
    weights, so a briefly trained top layer can leave the bound below the
    first layer's likelihood (train it longer: e.g. ``n_iter=(20, 60)``).

    As with :class:`BernoulliRBM`, any finite values are accepted with
    ``visible="bernoulli"`` (with a warning outside [0, 1]); the bound is a
    bound on a probability only for binary rows.

    References
    ----------
    Hinton, G. E., Osindero, S. and Teh, Y.-W. (2006). A fast learning
    algorithm for deep belief nets. Neural Computation 18, 1527-1554.

    Salakhutdinov, R. and Murray, I. (2008). On the quantitative analysis of
    deep belief networks. ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skgen import DBN
    >>> X = (load_digits().data[:200] > 8).astype(float)
    >>> dbn = DBN(hidden_layer_sizes=(32, 8), n_iter=5, random_state=0).fit(X)
    >>> [layer.components_.shape for layer in dbn.layers_]
    [(32, 64), (8, 32)]
    >>> dbn.transform(X).shape
    (200, 8)
    >>> dbn.sample(3).shape
    (3, 64)
    >>> bool(np.all(dbn.score_samples(X) < 0))
    True
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "visible": [StrOptions({"bernoulli", "gaussian"})],
        # a training parameter may also give one value per layer
        **{name: [*_BaseRBM._parameter_constraints[name], "array-like"] for name in _LAYER_TRAINING_PARAMS},
        **{name: _BaseRBM._parameter_constraints[name] for name in _LAYER_EVALUATION_PARAMS},
        "n_posterior_samples": [Interval(Integral, 1, None, closed="left")],
        **{
            name: TorchEstimator._parameter_constraints[name]
            for name in ("device", "random_state", "verbose", "n_threads")
        },
    }

    _shape_params = ("hidden_layer_sizes", "visible")

    def __init__(
        self,
        hidden_layer_sizes=(256, 256),
        *,
        visible="bernoulli",
        learning_rate=0.1,
        batch_size=10,
        n_iter=10,
        k=1,
        persistent=True,
        momentum=0.0,
        weight_decay=0.0,
        average=False,
        n_gibbs_steps=1000,
        n_posterior_samples=100,
        n_ais_chains=100,
        n_ais_betas=10000,
        device="auto",
        random_state=None,
        verbose=0,
        n_threads=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.visible = visible
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.average = average
        self.n_gibbs_steps = n_gibbs_steps
        self.n_posterior_samples = n_posterior_samples
        self.n_ais_chains = n_ais_chains
        self.n_ais_betas = n_ais_betas
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.n_threads = n_threads

    # What every skgen estimator shares, from the estimator base (the DBN has
    # no skorch net of its own, so it does not derive from it): fitted shape
    # parameters, the sampling stream, n_samples checks, pandas output.
    _fitted = TorchEstimator._fitted
    _check_shape_params_unchanged = TorchEstimator._check_shape_params_unchanged
    _next_seed = TorchEstimator._next_seed
    _sampling_generator = TorchEstimator._sampling_generator
    _check_n_samples = TorchEstimator._check_n_samples
    _as_output = TorchEstimator._as_output

    # ---------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the layers greedily, bottom first, each for ``n_iter`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_new_model(X, partial=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """One more epoch of every layer over ``X``, bottom first, continuing the current state.

        Each layer trains on the hidden probabilities of the layer below as
        that layer is after its epoch in this call, so the layers learn
        together (see the class notes). The first call on an unfitted
        estimator initialises every layer from ``X``. The training parameters
        in effect are the current ones (``n_iter`` aside: one epoch each).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if not self.__sklearn_is_fitted__():
            return self._fit_new_model(X, partial=True)
        X = self._validate_X(X, reset=False, finite=False)
        self._check_shape_params_unchanged()
        settings = self._layer_settings(len(self.layers_))
        for layer, params in zip(self.layers_, settings):
            layer.set_params(**params, n_threads=self.n_threads)
        self.history_ = self.history_ + self._train(X, self.layers_, settings, partial=True)
        self.n_iter_ = min(layer.n_iter_ for layer in self.layers_)
        return self

    def _fit_new_model(self, X, *, partial):
        """A new model from X, its layers trained greedily (``partial``: one epoch each)."""
        sizes = self._layer_sizes()
        settings = self._layer_settings(len(sizes))
        X = self._validate_X(X, reset=True, finite=False)
        seeds = check_random_state(self.random_state).randint(0, 2**31 - 1, size=len(sizes) + 2)
        layers = [
            (GaussianBinaryRBM if (index == 0 and self.visible == "gaussian") else BernoulliRBM)(
                n_components=n_hidden, random_state=int(seed), device=self.device, n_threads=self.n_threads,
                **params,
            )
            for index, (n_hidden, seed, params) in enumerate(zip(sizes, seeds, settings))
        ]
        rows = self._train(X, layers, settings, partial=partial)
        self.layers_ = layers
        self._fitted_shape = {"hidden_layer_sizes": sizes, "visible": self.visible}
        self._training_dtype = X.dtype
        self._sample_rng_state = torch.Generator().manual_seed(int(seeds[-2])).get_state()
        self._eval_seed = int(seeds[-1])
        self.history_ = rows
        self.n_iter_ = min(layer.n_iter_ for layer in layers)
        return self

    def _layer_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not sizes or not all(isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be a positive int or a non-empty sequence of positive ints, "
                f"got {self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _layer_settings(self, n_layers):
        """The RBM parameters of each layer: a DBN parameter's value, or its entry for that layer."""
        settings = [{} for _ in range(n_layers)]
        for name in _LAYER_TRAINING_PARAMS + _LAYER_EVALUATION_PARAMS:
            value = getattr(self, name)
            if name in _LAYER_TRAINING_PARAMS and _is_sequence(value):
                values = list(value)
                if len(values) != n_layers:
                    raise ValueError(
                        f"{name} has {len(values)} values, but hidden_layer_sizes has {n_layers} layer(s): "
                        f"give one value for every layer, or a single value for all of them."
                    )
                for index, item in enumerate(values):
                    validate_parameter_constraints(
                        {name: _BaseRBM._parameter_constraints[name]}, {name: item}, caller_name=f"DBN (layer {index + 1})"
                    )
            else:
                values = [value] * n_layers
                if name in _LAYER_TRAINING_PARAMS:  # array-like values other than sequences (e.g. a string)
                    validate_parameter_constraints(
                        {name: _BaseRBM._parameter_constraints[name]}, {name: value}, caller_name="DBN"
                    )
            for params, item in zip(settings, values):
                params[name] = item.item() if isinstance(item, np.generic) else item
        return settings

    def _validate_X(self, X, *, reset, finite=True):
        """scikit-learn's validation; ``finite=False`` leaves the NaN/inf check of dense rows to the first layer's device."""
        X = validate_data(
            self, X, reset=reset, accept_sparse="csr", dtype=(np.float64, np.float32), ensure_all_finite=finite
        )
        if not finite and sp.issparse(X):
            assert_all_finite(X, input_name="X")
        return X

    def _train(self, X, layers, settings, *, partial):
        """Train ``layers`` bottom first on X with their ``settings`` (``partial``: one more epoch each).

        Returns the new history rows. After Ctrl-C in a layer, the layers
        above keep their state (new ones start untrained).
        """
        epochs = [1 if partial else params["n_iter"] for params in settings]
        progress = _Progress(self.verbose, len(layers), sum(epochs))
        rows = []
        features = X
        interrupted = None
        try:
            for index, layer in enumerate(layers):
                fitted_before = hasattr(layer, "net_")
                epochs_before = layer.n_iter_ if fitted_before else 0
                if index > 0:
                    layer.set_params(device=layers[0].device_)
                if interrupted is not None:
                    if not fitted_before:
                        layer.set_params(n_iter=0).fit(features)
                else:
                    layer.set_params(n_iter=epochs[index], callbacks=[_LayerMonitor(progress.report, index)])
                    try:
                        (layer.partial_fit if fitted_before else layer.fit)(features)
                    except DivergenceError as exc:
                        raise DivergenceError(f"{self._describe_layer(layers, index)}: {exc}") from exc
                    finally:
                        layer.set_params(callbacks=None)
                    new_epochs = layer.n_iter_ - epochs_before
                    rows += [{"layer": index + 1, **row} for row in layer.history_[len(layer.history_) - new_epochs :]]
                    if new_epochs < epochs[index]:
                        interrupted = index
                layer.set_params(n_iter=settings[index]["n_iter"])  # the layer's own n_iter records the DBN's
                if index + 1 < len(layers):
                    features = layer.transform(features)
        finally:
            progress.close()
        if interrupted is not None:
            warnings.warn(
                f"fit was interrupted in layer {interrupted + 1} of {len(layers)}; the layers above it "
                f"were not trained further.",
                RuntimeWarning,
            )
        return rows

    def _describe_layer(self, layers, index):
        layer = layers[index]
        below = "the data" if index == 0 else f"layer {index}'s hidden probabilities"
        n_in = self.n_features_in_ if index == 0 else layers[index - 1].n_components
        return (
            f"DBN layer {index + 1} of {len(layers)} ({type(layer).__name__}, {n_in} -> "
            f"{layer.n_components} units, trained on {below})"
        )

    # ------------------------------------------------------------- helpers
    def __sklearn_is_fitted__(self):
        return hasattr(self, "layers_")

    def _check_fitted(self):
        check_is_fitted(self)

    @property
    def device_(self):
        """Device the layers live on (the CPU after unpickling a CUDA model where CUDA is absent)."""
        self._check_fitted()
        return self.layers_[0].device_

    @property
    def _n_features_out(self):
        return self._fitted("hidden_layer_sizes")[-1]

    def _modules(self):
        return [layer.net_.module_ for layer in self.layers_]

    def _thread_count(self):
        """Intra-op threads for evaluation: ``n_threads``, or chosen for the largest layer (None on a GPU)."""
        if torch.device(self.device_).type != "cpu":
            return None
        work = self.batch_size * max(m.W.numel() for m in self._modules())
        return choose_threads(work, self.n_threads)

    def _map_rows(self, X, fn, chunk_rows=_EVAL_CHUNK_ROWS):
        """Concatenate ``fn(device tensor of a row chunk)`` over validated ``X``, as an ndarray."""
        W = self._modules()[0].W
        outputs = []
        with torch.no_grad(), torch_threads(self._thread_count()):
            for start in range(0, X.shape[0], chunk_rows):
                outputs.append(fn(to_tensor(X[start : start + chunk_rows], W.device, W.dtype)).cpu().numpy())
        return np.concatenate(outputs, axis=0)

    # ------------------------------------------------------------ features
    def transform(self, X):
        """Top-layer hidden probabilities, layer by layer: P(h_L = 1 | P(h_{L-1} = 1 | ...)).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to map to features.

        Returns
        -------
        H : ndarray of shape (n_samples, hidden_layer_sizes[-1])
            In the dtype of ``X``.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        modules = self._modules()

        def up(v):
            for module in modules:
                v = module.hidden_probs(v)
            return v

        return self._map_rows(X, up).astype(X.dtype, copy=False)

    def inverse_transform(self, H):
        """Deterministic down pass: E[h_{l-1} | h_l] from the top layer to the data.

        Parameters
        ----------
        H : array-like of shape (n_samples, hidden_layer_sizes[-1])
            Top-layer states or probabilities (e.g. the output of ``transform``).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Visible means, in the dtype of ``H``.
        """
        self._check_fitted()
        H = check_array(H, dtype=(np.float64, np.float32))
        sizes = self._fitted("hidden_layer_sizes")
        if H.shape[1] != sizes[-1]:
            raise ValueError(
                f"H has {H.shape[1]} columns, but DBN was fitted with hidden_layer_sizes={sizes}: "
                f"its top layer has {sizes[-1]} units."
            )
        modules = self._modules()

        def down(h):
            for module in reversed(modules):
                h = module.visible_mean(h)
            return h

        return self._map_rows(H, down).astype(H.dtype, copy=False)

    # ------------------------------------------------------------- sampling
    def sample(self, n_samples=1, *, random_state=None):
        """Draw fresh samples from the DBN's generative model.

        ``n_gibbs_steps`` block-Gibbs sweeps in the top RBM, from independent
        chains started at its base-rate model, give states of its visible
        layer; then each layer below is *sampled* top-down from its RBM's
        conditional p(h_{l-1} | h_l), down to the data: binary rows for
        ``visible="bernoulli"``, Gaussian draws around the means for
        ``"gaussian"`` (:meth:`inverse_transform` gives the means instead).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            None continues the estimator's own sampling stream (two calls
            differ, and the sequence is reproducible); a value makes this
            call reproducible on its own.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features)
            Samples in the training data's dtype (a DataFrame with the
            training columns under ``set_output(transform="pandas")``).
        """
        self._check_fitted()
        n_samples = self._check_n_samples(n_samples)
        generator = self._sampling_generator(random_state)
        modules = self._modules()
        with torch.no_grad(), torch_threads(self._thread_count()):
            top = modules[-1]
            h = gibbs_chain(top, top.sample_base(n_samples, generator), self.n_gibbs_steps, generator)
            for module in reversed(modules[:-1]):
                h = module.sample_visible(h, generator)
        return self._as_output(h.cpu().numpy().astype(self._training_dtype, copy=False))

    # ---------------------------------------------------------- likelihood
    def _top_log_z(self):
        """(log Z, standard error) of the top RBM, with the DBN's current AIS settings."""
        top = self.layers_[-1]
        settings = {"n_ais_chains": self.n_ais_chains, "n_ais_betas": self.n_ais_betas}
        if any(getattr(top, name) != value for name, value in settings.items()):
            top.set_params(**settings)
        return top.log_z_, top.log_z_std_

    @property
    def log_z_(self):
        """Log partition function of the top RBM (exact or AIS; see ``score_samples``)."""
        self._check_fitted()
        return self._top_log_z()[0]

    @property
    def log_z_std_(self):
        """Standard error of ``log_z_`` (0.0 when it is exact)."""
        self._check_fitted()
        return self._top_log_z()[1]

    def _posterior_noise(self, like):
        """Uniform noise of the posterior draws, one (n_posterior_samples, width) tensor per directed layer.

        Drawn from a CPU generator seeded at ``fit``: the same on every call,
        for every row, on every device.
        """
        generator = torch.Generator().manual_seed(self._eval_seed)
        widths = self._fitted("hidden_layer_sizes")[:-1]
        return [
            torch.rand(self.n_posterior_samples, width, generator=generator, dtype=torch.float64).to(like)
            for width in widths
        ]

    def _bound_terms(self, v, modules, noise):
        """The bound without -log Z for the rows ``v`` (a device tensor), as float64."""
        n_rows = v.shape[0]
        if len(modules) == 1:
            return (-modules[0].free_energy(v)).double()
        n_draws = noise[0].shape[0]
        total = torch.zeros(n_rows, dtype=torch.float64, device=v.device)
        # rows of h_{l-1}: v itself for l = 1, then one row per (data row, draw), the draws of a row consecutive
        below = v
        for index, module in enumerate(modules[:-1]):
            pre = module.hidden_preactivation(below)
            probs = torch.sigmoid(pre)
            if index == 0:  # every row gets all the draws
                h = torch.lt(noise[0].unsqueeze(0), probs.unsqueeze(1)).to(v.dtype).reshape(n_rows * n_draws, -1)
                pre = pre.repeat_interleave(n_draws, dim=0)
            else:  # each draw's chain continues with its own noise
                h = torch.lt(noise[index].repeat(n_rows, 1), probs).to(v.dtype)
            # log p(h_{l-1} | h_l) - log q(h_l | h_{l-1}) of each draw; log q per draw, not the entropy of q:
            # the two terms are correlated, so their difference varies less (not at all for an exact q)
            log_q = (h * pre).sum(dim=1) - F.softplus(pre).sum(dim=1)
            log_conditional = _log_visible_conditional(module, below, h).reshape(-1)
            total += (log_conditional - log_q).double().reshape(n_rows, n_draws).mean(dim=1)
            below = h
        top_term = -modules[-1].free_energy(below)
        return total + top_term.double().reshape(n_rows, n_draws).mean(dim=1)

    def score_samples(self, X):
        """Variational lower bound on log p(x) per row, in nats (Salakhutdinov & Murray 2008).

        See the class notes for the formula. The posterior draws come from a
        seed fixed at ``fit`` and are the same for every row, so the result
        is deterministic and does not depend on which rows are scored
        together. A one-layer DBN returns its RBM's log-likelihood.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        bound : ndarray of shape (n_samples,)
            In nats.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        modules = self._modules()
        log_z = self._top_log_z()[0]
        W = modules[0].W
        noise = self._posterior_noise(W)
        widest = max((X.shape[1], *self._fitted("hidden_layer_sizes")))
        chunk_rows = max(1, _BOUND_ELEMENTS_PER_CALL // (self.n_posterior_samples * widest))
        bound = self._map_rows(X, lambda v: self._bound_terms(v, modules, noise), chunk_rows=chunk_rows)
        return bound - log_z

    def score(self, X, y=None):
        """Mean of ``score_samples``: the average lower bound on log p(x), in nats.

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _log_visible_conditional(module, v, h):
    """log p(v | h) of an RBM module, summed over the visible units.

    ``v`` has shape (m, n_visible) and ``h`` shape (m * r, n_hidden): r hidden
    rows for each visible row, consecutive. Returns shape (m, r).
    """
    pre = torch.addmm(module.b_v, h, module.W.T).reshape(v.shape[0], -1, v.shape[1])  # logits or means
    v = v.unsqueeze(1)
    if isinstance(module, GaussianBinaryRBMModule):
        z = (v - pre) * torch.exp(-module.log_sigma)
        constant = module.log_sigma.sum() + 0.5 * v.shape[-1] * math.log(2 * math.pi)
        return -0.5 * (z * z).sum(dim=-1) - constant
    return (v * pre).sum(dim=-1) - F.softplus(pre).sum(dim=-1)


def _is_sequence(value):
    return isinstance(value, (list, tuple, np.ndarray))


class _Progress:
    """The DBN's one progress report across layers: a tqdm bar (verbose=1) or a line per epoch (verbose>=2)."""

    def __init__(self, verbose, n_layers, total_epochs):
        self.verbose = verbose
        self.n_layers = n_layers
        self.bar = None
        if verbose == 1:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total_epochs, desc="DBN", unit="epoch", leave=True)

    def report(self, layer_index, row):
        losses = {k: float(v) for k, v in row.items() if k.endswith("_loss") and isinstance(v, Real)}
        if self.bar is not None:
            self.bar.set_postfix({"layer": f"{layer_index + 1}/{self.n_layers}", **losses}, refresh=False)
            self.bar.update(1)
        elif self.verbose and self.verbose >= 2:
            fields = ", ".join(f"{k} = {v:.4f}" for k, v in losses.items())
            print(
                f"[DBN layer {layer_index + 1}/{self.n_layers}] epoch {row['epoch']}, {fields}, "
                f"time = {row['dur']:.2f}s",
                flush=True,
            )

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class _LayerMonitor(Callback):
    """Passes each epoch of one layer's fit to the DBN's progress report.

    The RBM deep-copies its callbacks at ``fit``; the copy reports to the
    same place. It forgets the report when training ends, so the fitted
    layer pickles without it.
    """

    def __init__(self, report, layer_index):
        self.report = report
        self.layer_index = layer_index

    def __deepcopy__(self, memo):
        return type(self)(self.report, self.layer_index)

    def on_epoch_end(self, net, **kwargs):
        if self.report is not None:
            row = dict(net.history[-1])
            row["epoch"] = net.estimator_epoch_offset + len(net.history)
            self.report(self.layer_index, row)

    def on_train_end(self, net, **kwargs):
        self.report = None
