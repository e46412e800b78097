"""Restricted Boltzmann machines as scikit-learn estimators."""

import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_array

from ..base import TorchEstimator, torch_threads
from .._scaling import is_far_from_unit_scale
from ..sampling import ais_betas, annealed_importance_sampling, gibbs_chain
from ._module import EXACT_MAX_UNITS, BernoulliRBMModule, GaussianBinaryRBMModule
from ._net import RBMNet


class _BaseRBM(ClassNamePrefixFeaturesOutMixin, TransformerMixin, TorchEstimator):
    """What both RBMs share: training, features, Gibbs sampling, likelihoods."""

    _parameter_constraints: dict = {
        **TorchEstimator._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_iter": [Interval(Integral, 0, None, closed="left")],
        "k": [Interval(Integral, 1, None, closed="left")],
        "persistent": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "average": [Interval(Integral, 0, None, closed="left"), "boolean"],
        "n_gibbs_steps": [Interval(Integral, 1, None, closed="left")],
        "n_ais_chains": [Interval(Integral, 2, None, closed="left")],
        "n_ais_betas": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(
        self,
        n_components=256,
        *,
        learning_rate=0.1,
        batch_size=10,
        n_iter=10,
        verbose=0,
        random_state=None,
        k=1,
        persistent=True,
        momentum=0.0,
        weight_decay=0.0,
        average=False,
        n_gibbs_steps=1000,
        n_ais_chains=100,
        n_ais_betas=10000,
        device="auto",
        callbacks=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        shuffle=True,
        n_threads=None,
    ):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.verbose = verbose
        self.random_state = random_state
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.average = average
        self.n_gibbs_steps = n_gibbs_steps
        self.n_ais_chains = n_ais_chains
        self.n_ais_betas = n_ais_betas
        self.device = device
        self.callbacks = callbacks
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.n_threads = n_threads

    _net_class = RBMNet
    _epochs_param = "n_iter"
    _shape_params = ("n_components",)

    def _net_params(self):
        return dict(
            lr=self.learning_rate,
            batch_size=self.batch_size,
            k=self.k,
            persistent=self.persistent,
            momentum=self.momentum,
            weight_decay=self.weight_decay,
            average=self.average,
        )

    def _work_per_step(self):
        return self.batch_size * self.n_features_in_ * self._fitted("n_components")

    def _parameters_changed(self):
        self._log_z_cache = None

    @property
    def _module(self):
        return self.net_.module_

    # ------------------------------------------------------------ features
    def transform(self, X):
        """Hidden-unit activation probabilities P(h=1 | v=X).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Visible rows.

        Returns
        -------
        H : ndarray of shape (n_samples, n_components)
            P(h_j = 1 | v) for every row, in the dtype of ``X``.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        return self._apply_in_chunks(X, self._module.hidden_probs).astype(X.dtype, copy=False)

    def inverse_transform(self, H):
        """Visible means E[v | h] for hidden rows ``H`` (e.g. the output of ``transform``).

        Parameters
        ----------
        H : array-like of shape (n_samples, n_components)
            Hidden states or probabilities.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            In the training data's scale.
        """
        self._check_fitted()
        H = check_array(H, dtype=(np.float64, np.float32))
        n_hidden = self._fitted("n_components")
        if H.shape[1] != n_hidden:
            raise ValueError(
                f"H has {H.shape[1]} columns, but {type(self).__name__} was fitted with "
                f"n_components={n_hidden} hidden units."
            )
        return self._apply_in_chunks(H, self._module.visible_mean).astype(H.dtype, copy=False)

    def free_energy(self, X):
        """Free energy F(v) = -log sum_h exp(-E(v, h)) of each row, in nats.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to evaluate.

        Returns
        -------
        free_energy : ndarray of shape (n_samples,)
            In nats.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        return self._apply_in_chunks(X, self._module.free_energy)

    # ------------------------------------------------------------- sampling
    def gibbs(self, v):
        """One block-Gibbs step v -> h ~ P(h|v) -> v' ~ p(v|h).

        Draws continue the estimator's own sampling stream.

        Parameters
        ----------
        v : array-like of shape (n_samples, n_features)
            Visible states to start from.

        Returns
        -------
        v_new : ndarray of shape (n_samples, n_features)
            Visible states after one step, in the dtype of ``v``.
        """
        self._check_fitted()
        v = self._validate_X(v, reset=False)
        generator = self._sampling_generator(None)
        return self._apply_in_chunks(v, lambda rows: gibbs_chain(self._module, rows, 1, generator)).astype(
            v.dtype, copy=False
        )

    def sample(self, n_samples=1, *, random_state=None):
        """Draw fresh samples from the model distribution p(v).

        Independent chains start from the base-rate model fitted to the
        training data's visible marginals (never from training rows) and run
        ``n_gibbs_steps`` block-Gibbs sweeps.

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
        X : ndarray of shape (n_samples, n_features)
            Samples in the training data's dtype.
        """
        self._check_fitted()
        n_samples = self._check_n_samples(n_samples)
        generator = self._sampling_generator(random_state)
        module = self._module
        with torch.no_grad(), torch_threads(self._thread_count()):
            v0 = module.sample_base(n_samples, generator)
            v = gibbs_chain(module, v0, self.n_gibbs_steps, generator)
        return self._as_output(v.cpu().numpy().astype(self._training_dtype, copy=False))

    # ---------------------------------------------------------- likelihood
    def _log_z_estimate(self):
        """(log Z, standard error), cached until the parameters or the AIS settings change."""
        settings = (self.n_ais_chains, self.n_ais_betas)
        cache = getattr(self, "_log_z_cache", None)
        if cache is None or cache[0] != settings:
            module = self._module
            with torch.no_grad(), torch_threads(self._thread_count()):
                if self._has_exact_log_z():
                    estimate = (float(module.log_partition_exact()), 0.0)
                else:
                    betas = ais_betas(self.n_ais_betas)
                    estimate = annealed_importance_sampling(module, self.n_ais_chains, betas, self._eval_generator())
            self._log_z_cache = (settings, estimate)
        return self._log_z_cache[1]

    @property
    def log_z_(self):
        """Log partition function log Z: exact or an AIS estimate (see ``score_samples``).

        Computed on first use and kept until the parameters change.
        """
        self._check_fitted()
        return self._log_z_estimate()[0]

    @property
    def log_z_std_(self):
        """Standard error of ``log_z_`` (0.0 when it is exact)."""
        self._check_fitted()
        return self._log_z_estimate()[1]

    def score_samples(self, X):
        """Log-likelihood log p(x) = -F(x) - log Z of each row, in nats.

        log Z is exact when the enumerated layer is small (see the class
        notes); otherwise it is estimated once by annealed importance sampling
        from a seed fixed at ``fit`` (``log_z_``, ``log_z_std_``), so the result
        is deterministic for a fitted model and the same for every row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            In nats.
        """
        free_energy = self.free_energy(X)
        return -free_energy - self.log_z_

    def score(self, X, y=None):
        """Mean log-likelihood of ``X`` in nats (higher is better).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Held-out rows.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean log-likelihood, in nats.
        """
        return float(np.mean(self.score_samples(X)))

    # ------------------------------------------------------ fitted values
    def _parameter_array(self, tensor):
        return tensor.detach().cpu().numpy().astype(self._training_dtype, copy=True)

    def _set_parameter(self, tensor, value, shape, name):
        self._check_fitted()
        value = np.asarray(value)
        if value.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {value.shape}.")
        with torch.no_grad():
            tensor.copy_(torch.as_tensor(value, dtype=tensor.dtype))
        if self._module.has_averages():  # the model as set is where training continues
            self._module.drop_averages_()
        self._parameters_changed()

    @property
    def components_(self):
        """Weight matrix of shape (n_components, n_features)."""
        self._check_fitted()
        return self._parameter_array(self._module.W.T)

    @components_.setter
    def components_(self, value):
        shape = (self._fitted("n_components"), self.n_features_in_)
        self._set_parameter(self._module.W.T, value, shape, "components_")

    @property
    def intercept_hidden_(self):
        """Hidden biases, shape (n_components,)."""
        self._check_fitted()
        return self._parameter_array(self._module.b_h)

    @intercept_hidden_.setter
    def intercept_hidden_(self, value):
        self._set_parameter(self._module.b_h, value, (self._fitted("n_components"),), "intercept_hidden_")

    @property
    def intercept_visible_(self):
        """Visible biases, shape (n_features,)."""
        self._check_fitted()
        return self._parameter_array(self._module.b_v)

    @intercept_visible_.setter
    def intercept_visible_(self, value):
        self._set_parameter(self._module.b_v, value, (self.n_features_in_,), "intercept_visible_")

    @property
    def h_samples_(self):
        """Hidden states of the persistent chain, shape (batch_size, n_components)."""
        self._check_fitted()
        return self._parameter_array(self._module.chain_hidden)

    @property
    def _n_features_out(self):
        return self._fitted("n_components")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class BernoulliRBM(_BaseRBM):
    """Bernoulli restricted Boltzmann machine (binary visible and hidden units).

    A drop-in for :class:`sklearn.neural_network.BernoulliRBM` (same
    parameter names, defaults and fitted attributes), trained by persistent
    contrastive divergence (PCD-1) by default, with PyTorch underneath (on a
    GPU when one is present) and a real log-likelihood in ``score_samples``.

    The energy is E(v, h) = -b_v.v - b_h.h - v.W.h, so
    P(h_j=1|v) = sigmoid(b_h_j + (v W)_j) and P(v_i=1|h) = sigmoid(b_v_i + (W h)_i).

    Parameters
    ----------
    n_components : int, default=256
        Number of binary hidden units.
    learning_rate : float, default=0.1
        Step size of the parameter updates (the statistics are averaged over
        the mini-batch, as in scikit-learn).
    batch_size : int, default=10
        Rows per mini-batch, and size of the persistent chain. A trailing
        mini-batch of one row joins the previous one.
    n_iter : int, default=10
        Number of epochs (passes over the training data). Named as in
        scikit-learn's ``BernoulliRBM``; skgen's networks trained by
        gradient steps (VAE, the GANs, EBM) call it ``max_iter``, as
        ``MLPClassifier`` does.
    verbose : int, default=0
        0 silent; 1 a progress bar with the running loss; 2 a line per epoch.
    random_state : int, RandomState instance or None, default=None
        The only source of randomness: weight initialisation, shuffling,
        Gibbs sampling, the AIS estimate. Same seed, device and thread count
        give the same model to the last bit on the CPU.
    k : int, default=1
        Gibbs steps in the negative phase (CD-k or PCD-k).
    persistent : bool, default=True
        Keep the negative chain between updates (PCD, as scikit-learn);
        False restarts it from the data at every mini-batch (CD-k).
    momentum : float, default=0.0
        Momentum of the updates (``torch.optim.SGD``).
    weight_decay : float, default=0.0
        L2 penalty on the weights (not the biases).
    average : bool or int, default=False
        Iterate averaging, as in :class:`~sklearn.linear_model.SGDClassifier`:
        True makes the fitted parameters the mean of the parameters after
        every update; an int makes averaging begin once ``average`` training
        rows have been seen (counted across ``partial_fit`` calls; ``fit``
        restarts the count). Training itself continues from the last update.
        PCD's parameters oscillate around their target, so averaging the last
        quarter of the updates, ``average=int(0.75 * n_iter * n_samples)``,
        gives a much better model for no extra Gibbs sampling (on binarised
        MNIST, 500 hidden units, 20 epochs: about -104 instead of -121 to -146
        nats of held-out log-likelihood, depending on the seed).
    n_gibbs_steps : int, default=1000
        Gibbs sweeps per chain in :meth:`sample`.
    n_ais_chains : int, default=100
        Annealed importance sampling runs for log Z.
    n_ais_betas : int, default=10000
        Inverse temperatures of each AIS run.
    device : str or torch.device, default="auto"
        "auto" picks CUDA when available, else the CPU.
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks for the training loop (deep-copied at each fit).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop when the
        validation pseudo-likelihood loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs; the best epoch's parameters are kept.
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
    components_ : ndarray of shape (n_components, n_features)
        Weight matrix W.T.
    intercept_hidden_ : ndarray of shape (n_components,)
        Hidden biases.
    intercept_visible_ : ndarray of shape (n_features,)
        Visible biases.
    h_samples_ : ndarray of shape (batch_size, n_components)
        Hidden states of the persistent chain.
    log_z_, log_z_std_ : float
        log partition function and its standard error (0 when exact),
        computed on first use.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when they are all strings.
    n_iter_ : int
        Epochs run.
    history_ : list of dict
        Per epoch: ``train_loss`` (negative pseudo-log-likelihood per row,
        scikit-learn's one-flip estimate, on a fixed subset of at most 256
        training rows), ``valid_loss`` with early stopping, ``dur`` (seconds).
        Both losses are those of the last update's parameters, also when
        ``average`` is set.
    device_ : str
        Device the model lives on.
    net_ : skorch.NeuralNet
        The skorch net holding the torch module (``net_.module_``).

    See Also
    --------
    GaussianBinaryRBM : Gaussian visible units for real-valued data.
    sklearn.neural_network.BernoulliRBM : The scikit-learn implementation this one replaces.

    Notes
    -----
    Differences from scikit-learn's ``BernoulliRBM``:

    * ``score_samples`` returns the log-likelihood log p(x) = -F(x) - log Z in
      nats, not the pseudo-likelihood (that is :meth:`pseudo_likelihood`,
      which averages scikit-learn's random one-flip estimate over every flip,
      so it is deterministic). log Z is exact when ``n_components`` or
      ``n_features`` is at most 20 (enumeration), and otherwise estimated by
      annealed importance sampling (Salakhutdinov & Murray 2008) from the
      base-rate model of the training data's visible marginals.
    * ``partial_fit`` runs one epoch of mini-batches over ``X``; scikit-learn's
      takes one update on all of ``X``.
    * Rows are reshuffled every epoch (``shuffle=True``); scikit-learn never
      shuffles, which hurts on class-sorted data.
    * ``gibbs`` returns floats in the dtype of its input, not booleans.
    * As in scikit-learn, any finite values are accepted: values in [0, 1]
      act as probabilities in the positive phase. The likelihood is only a
      probability for binary rows; for other rows ``score_samples`` evaluates
      the same formula.

    References
    ----------
    Hinton, G. E. (2002). Training products of experts by minimizing
    contrastive divergence. Neural Computation 14, 1771-1800.

    Tieleman, T. (2008). Training restricted Boltzmann machines using
    approximations to the likelihood gradient. ICML.

    Salakhutdinov, R. and Murray, I. (2008). On the quantitative analysis of
    deep belief networks. ICML.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import BernoulliRBM
    >>> X = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    >>> model = BernoulliRBM(n_components=2, random_state=0).fit(X)
    >>> model.transform(X).shape
    (4, 2)
    >>> model.sample(5).shape
    (5, 3)
    >>> float(np.exp(model.score_samples(X)).sum()) < 1.0
    True
    """

    def __init__(
        self,
        n_components=256,
        *,
        learning_rate=0.1,
        batch_size=10,
        n_iter=10,
        verbose=0,
        random_state=None,
        k=1,
        persistent=True,
        momentum=0.0,
        weight_decay=0.0,
        average=False,
        n_gibbs_steps=1000,
        n_ais_chains=100,
        n_ais_betas=10000,
        device="auto",
        callbacks=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        shuffle=True,
        n_threads=None,
    ):
        super().__init__(
            n_components,
            learning_rate=learning_rate,
            batch_size=batch_size,
            n_iter=n_iter,
            verbose=verbose,
            random_state=random_state,
            k=k,
            persistent=persistent,
            momentum=momentum,
            weight_decay=weight_decay,
            average=average,
            n_gibbs_steps=n_gibbs_steps,
            n_ais_chains=n_ais_chains,
            n_ais_betas=n_ais_betas,
            device=device,
            callbacks=callbacks,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            shuffle=shuffle,
            n_threads=n_threads,
        )

    def _check_training_data(self, data):
        low, high = data.value_range()
        if len(data) and (low < 0 or high > 1):
            warnings.warn(
                f"BernoulliRBM got values in [{low:g}, {high:g}], outside [0, 1]. "
                "It trains on them as if they were probabilities, but its likelihood is one of "
                "binary rows: score_samples then evaluates -F(x) - log Z at rows outside the "
                "model's support, which is no log-probability (it can be large and positive). "
                "Scale the data to [0, 1] (e.g. MinMaxScaler) for meaningful likelihoods.",
                UserWarning,
            )

    def _build_modules(self, data):
        base_rate = data.column_mean()
        n_hidden = self._fitted("n_components")
        module = BernoulliRBMModule(data.n_features, n_hidden, base_rate=base_rate, n_chains=self.batch_size)
        return {"module": module}

    def _divergence_advice(self, data):
        advice = super()._divergence_advice(data)
        low, high = data.value_range()
        if low < 0 or high > 1:
            advice += " The data lie outside [0, 1]: scale them to [0, 1] first (e.g. MinMaxScaler)."
        return advice

    def _has_exact_log_z(self):
        return min(self._module.W.shape) <= EXACT_MAX_UNITS

    def pseudo_likelihood(self, X):
        """Pseudo-log-likelihood ``sum_i log P(v_i | v_-i)`` of each row.

        scikit-learn's ``BernoulliRBM.score_samples`` estimates this number by
        flipping one random feature per row; this is the mean of that estimate
        over every feature, so it is deterministic.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Binary rows to evaluate.

        Returns
        -------
        pseudo_likelihood : ndarray of shape (n_samples,)
            In nats.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        rows_per_call = max(1, 2**24 // (self.n_features_in_ * self._fitted("n_components")))
        parts = [
            self._apply_in_chunks(X[start : start + rows_per_call], self._module.pseudo_log_likelihood)
            for start in range(0, X.shape[0], rows_per_call)
        ]
        return np.concatenate(parts)


class GaussianBinaryRBM(_BaseRBM):
    """Gaussian-binary restricted Boltzmann machine for real-valued data.

    Gaussian visible units with per-feature standard deviation sigma and
    binary hidden units, with energy

        E(v, h) = sum_i (v_i - a_i)^2 / (2 sigma_i^2) - b.h - sum_ij v_i W_ij h_j / sigma_i^2,

    so P(h_j=1|v) = sigmoid(b_j + sum_i v_i W_ij / sigma_i^2) and
    p(v|h) = N(a + W h, diag(sigma^2)). Trained by PCD-k / CD-k like
    :class:`BernoulliRBM`.

    Inputs should be standardised: put it in a ``Pipeline`` after
    ``StandardScaler`` (constant columns are fine: their sigma is 1).

    Parameters
    ----------
    n_components : int, default=256
        Number of binary hidden units.
    learning_rate : float, default=0.01
        Step size; Gaussian visible units need smaller steps than binary ones.
    batch_size : int, default=10
        Rows per mini-batch and size of the persistent chain.
    n_iter : int, default=10
        Number of epochs, named as in :class:`BernoulliRBM` (``max_iter`` in
        skgen's VAE, GANs and EBM).
    verbose : int, default=0
        0 silent; 1 a progress bar with the running loss; 2 a line per epoch.
    random_state : int, RandomState instance or None, default=None
        The only source of randomness.
    learn_sigma : bool, default=False
        False: sigma starts at each feature's standard deviation (1 where it is 0)
        and stays fixed; True learns it (as log sigma) with a floor of 1% of
        its starting value, so it cannot collapse on near-constant features.
        Learning sigma by contrastive divergence is known to be unstable
        (Cho, Ilin & Raiko 2011): as sigma shrinks, W / sigma^2 grows, the
        Gibbs chains stop mixing and the negative phase goes wrong. Check
        ``score`` on held-out data when you use it, with a small
        ``learning_rate``.
    k : int, default=1
        Gibbs steps in the negative phase.
    persistent : bool, default=True
        PCD (True) or CD (False).
    momentum : float, default=0.0
        Momentum of the updates.
    weight_decay : float, default=0.0
        L2 penalty on the weights.
    average : bool or int, default=False
        Iterate averaging, as in :class:`BernoulliRBM`: the fitted parameters
        are the mean of the parameters after every update from the one that
        brings the training rows seen to ``average`` (True: from the first).
    n_gibbs_steps : int, default=1000
        Gibbs sweeps per chain in :meth:`sample`.
    n_ais_chains : int, default=100
        AIS runs for log Z when ``n_components`` > 20.
    n_ais_betas : int, default=10000
        Inverse temperatures of each AIS run.
    device : str or torch.device, default="auto"
        "auto" picks CUDA when available, else the CPU.
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks for the training loop.
    early_stopping : bool, default=False
        Stop when the validation reconstruction error stalls (see
        :class:`BernoulliRBM`).
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
    components_ : ndarray of shape (n_components, n_features)
        Weight matrix W.T.
    intercept_hidden_ : ndarray of shape (n_components,)
        Hidden biases b.
    intercept_visible_ : ndarray of shape (n_features,)
        Visible biases a (they start at the feature means).
    sigma_ : ndarray of shape (n_features,)
        Standard deviations of the visible units.
    h_samples_ : ndarray of shape (batch_size, n_components)
        Hidden states of the persistent chain.
    log_z_, log_z_std_ : float
        log partition function and its standard error (0 when exact).
    n_features_in_, feature_names_in_, n_iter_, device_, net_
        As in :class:`BernoulliRBM`.
    history_ : list of dict
        Per epoch: ``train_loss`` (mean squared reconstruction error
        v - E[v | P(h|v)] in units of sigma, on a fixed subset of at most 256
        training rows), ``valid_loss`` with early stopping, ``dur``; both of
        the last update's parameters, also when ``average`` is set.

    Notes
    -----
    ``score_samples`` is the log density log p(x) in nats: -F(x) - log Z, with
    log Z exact for ``n_components`` <= 20 (the hidden layer is enumerated and
    the Gaussian integral over v is closed form) and an AIS estimate
    otherwise, annealing from prod_i N(mean_i, std_i^2) of the training data.
    There is no ``pseudo_likelihood``: it is meaningless for real-valued units.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgen import GaussianBinaryRBM
    >>> X = np.random.RandomState(0).normal(size=(200, 4))
    >>> model = make_pipeline(StandardScaler(), GaussianBinaryRBM(n_components=8, random_state=0))
    >>> model.fit(X).transform(X).shape
    (200, 8)
    >>> model[-1].sample(3).shape
    (3, 4)
    """

    def __init__(
        self,
        n_components=256,
        *,
        learning_rate=0.01,
        batch_size=10,
        n_iter=10,
        verbose=0,
        random_state=None,
        learn_sigma=False,
        k=1,
        persistent=True,
        momentum=0.0,
        weight_decay=0.0,
        average=False,
        n_gibbs_steps=1000,
        n_ais_chains=100,
        n_ais_betas=10000,
        device="auto",
        callbacks=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        shuffle=True,
        n_threads=None,
    ):
        super().__init__(
            n_components,
            learning_rate=learning_rate,
            batch_size=batch_size,
            n_iter=n_iter,
            verbose=verbose,
            random_state=random_state,
            k=k,
            persistent=persistent,
            momentum=momentum,
            weight_decay=weight_decay,
            average=average,
            n_gibbs_steps=n_gibbs_steps,
            n_ais_chains=n_ais_chains,
            n_ais_betas=n_ais_betas,
            device=device,
            callbacks=callbacks,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            shuffle=shuffle,
            n_threads=n_threads,
        )
        self.learn_sigma = learn_sigma

    _parameter_constraints: dict = {**_BaseRBM._parameter_constraints, "learn_sigma": ["boolean"]}

    def _build_modules(self, data):
        mean, std = data.column_mean(), np.sqrt(data.column_variance())
        std = np.where(std > 0, std, 1.0)
        module = GaussianBinaryRBMModule(
            data.n_features,
            self._fitted("n_components"),
            mean=mean,
            std=std,
            n_chains=self.batch_size,
            learn_sigma=self.learn_sigma,
            sigma_floor=0.01 * std,
        )
        return {"module": module}

    def _divergence_advice(self, data):
        advice = super()._divergence_advice(data)
        if is_far_from_unit_scale(data):
            advice += " The data are not standardised: put a StandardScaler before the model."
        return advice

    def _has_exact_log_z(self):
        return self._module.W.shape[1] <= EXACT_MAX_UNITS

    @property
    def sigma_(self):
        """Standard deviations of the visible units, shape (n_features,)."""
        self._check_fitted()
        return self._parameter_array(self._module.sigma)
