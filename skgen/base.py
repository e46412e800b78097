"""The estimator base shared by every torch-backed skgen model.

Three layers per model family (see the design notes):

* a ``torch.nn.Module`` holding the parameters and the mathematics,
* a skorch net (a :class:`ChunkedNet` subclass) owning the training step,
* an estimator (a :class:`TorchEstimator` subclass) owning the scikit-learn API.

The estimator wraps the net by composition (``net_``). Data goes to the device
once; the net's iterator yields *chunks* of whole, shuffled mini-batches as
device tensors and the family's ``train_step`` runs every mini-batch of a
chunk, so skorch's per-batch bookkeeping is paid once per chunk.
"""

import contextlib
import copy
import warnings
from collections import namedtuple
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, EpochTimer, PassthroughScoring
from skorch.dataset import Dataset as _SkorchDataset
from skorch.helper import predefined_split

from .exceptions import DivergenceError

# A chunk holds at most this many numbers: large enough that skorch's per-chunk
# costs vanish, small enough that densifying or gathering it stays cheap.
CHUNK_ELEMENTS = 2**24

# Rows per call when an estimator evaluates a method on many rows.
EVAL_CHUNK_ROWS = 4096

Chunk = namedtuple("Chunk", ["X", "batch_bounds", "row_noise"])
Chunk.__doc__ = """Rows handed to one skorch step.

X : device tensor of the rows; batch_bounds : list of (start, stop) mini-batches
inside X; row_noise : per-row uniform noise fixed for the whole fit (validation
chunks, so Monte Carlo validation losses are comparable across epochs) or None.
"""


def resolve_device(device):
    """Return the torch device string for ``device`` ("auto" picks CUDA if present)."""
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device={device!r} is not a torch device: {exc}") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but CUDA is not available.")
    return str(resolved)


def batch_bounds(n_rows, batch_size):
    """(start, stop) of consecutive mini-batches; a trailing batch of one row joins the previous one."""
    bounds = [(start, min(start + batch_size, n_rows)) for start in range(0, n_rows, batch_size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        last = bounds.pop()
        bounds[-1] = (bounds[-1][0], last[1])
    return bounds


@contextlib.contextmanager
def torch_threads(n_threads):
    """Run the block with ``n_threads`` intra-op threads (None: leave torch's setting)."""
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def draw_seed(generator):
    """A fresh 63-bit seed drawn from a CPU ``torch.Generator``."""
    return int(torch.randint(2**63 - 1, (1,), generator=generator))


def device_generator(device, seed):
    """A ``torch.Generator`` on ``device`` seeded with ``seed``."""
    return torch.Generator(device=device).manual_seed(seed)


def to_tensor(X, device, dtype):
    """Dense tensor of ``X`` (ndarray or sparse matrix) on ``device`` in ``dtype``."""
    if sp.issparse(X):
        X = X.toarray()
    X = np.ascontiguousarray(X)
    if not X.flags.writeable:  # torch cannot wrap read-only memory (e.g. a joblib memmap)
        X = X.copy()
    return torch.as_tensor(X, dtype=dtype, device=device)


def column_mean_and_variance(X):
    """Per-column mean and variance of a dense or sparse matrix, in float64."""
    if sp.issparse(X):
        mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
        mean_sq = np.asarray(X.multiply(X).mean(axis=0), dtype=np.float64).ravel()
        return mean, np.maximum(mean_sq - mean**2, 0.0)
    X = np.asarray(X, dtype=np.float64)
    return X.mean(axis=0), X.var(axis=0)


class RowSource(_SkorchDataset):
    """Training rows for a chunked iterator: a dense device tensor or a CSR matrix.

    Sparse rows stay sparse on the host and are densified one chunk at a time,
    so sparse data never needs its dense size in memory.
    """

    def __init__(self, X, *, device, dtype):
        self.X = X if sp.issparse(X) else to_tensor(X, device, dtype)
        self.device = device
        self.dtype = dtype

    def __len__(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    def rows(self, index):
        """Dense device tensor of the rows at ``index`` (a CPU or device LongTensor, or a slice)."""
        if sp.issparse(self.X):
            if isinstance(index, torch.Tensor):
                index = index.cpu().numpy()
            return to_tensor(self.X[index], self.device, self.dtype)
        if isinstance(index, torch.Tensor):
            return self.X.index_select(0, index.to(self.X.device))
        return self.X[index]


class ChunkIterator:
    """Iterates a :class:`RowSource` in chunks of whole mini-batches.

    Training iterators reshuffle the rows every pass with the net's generator;
    validation iterators keep the order and carry per-row noise drawn once.
    """

    def __init__(self, source, *, batch_size, generator=None, shuffle=True, row_noise=None):
        self.source = source
        self.bounds = batch_bounds(len(source), batch_size)
        self.generator = generator
        self.shuffle = shuffle
        self.row_noise = row_noise
        max_rows = max(batch_size, CHUNK_ELEMENTS // max(source.n_features, 1))
        self.chunks = []  # (first batch, last batch + 1)
        first = 0
        for i, (_, stop) in enumerate(self.bounds):
            if stop - self.bounds[first][0] > max_rows and i > first:
                self.chunks.append((first, i))
                first = i
        self.chunks.append((first, len(self.bounds)))

    def __iter__(self):
        n_rows = len(self.source)
        order = None
        if self.shuffle:
            order = torch.randperm(n_rows, generator=self.generator, device=self.generator.device)
        for first, last in self.chunks:
            start, stop = self.bounds[first][0], self.bounds[last - 1][1]
            index = order[start:stop] if order is not None else slice(start, stop)
            X = self.source.rows(index)
            local = [(a - start, b - start) for a, b in self.bounds[first:last]]
            noise = None if self.row_noise is None else self.row_noise[start:stop]
            yield Chunk(X, local, noise)


class ChunkedNet(NeuralNet):
    """A skorch ``NeuralNet`` whose steps receive :class:`Chunk` objects.

    Families subclass it and override ``train_step`` (all mini-batches of one
    chunk) and ``validation_step``. ``generator`` is the training generator,
    set by the estimator for the duration of a fit.
    """

    def __init__(self, module, *args, criterion=torch.nn.Module, **kwargs):
        # skorch requires a criterion; families that compute their own losses
        # keep this empty placeholder module.
        kwargs.setdefault("train_split", None)
        kwargs.setdefault("verbose", 0)
        kwargs.setdefault("torch_load_kwargs", {"weights_only": False})
        super().__init__(module, *args, criterion=criterion, **kwargs)

    def get_default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
        ]

    def get_iterator(self, dataset, training=False):
        if training:
            return ChunkIterator(
                dataset, batch_size=self.batch_size, generator=self.generator, shuffle=self.shuffle
            )
        return ChunkIterator(
            dataset, batch_size=self.batch_size, shuffle=False, row_noise=self.validation_noise(len(dataset))
        )

    def validation_noise(self, n_rows):
        """Noise per validation row, drawn once per fit: uniform numbers by default."""
        return torch.rand(n_rows, generator=self.generator, device=self.generator.device)

    def validation_step(self, batch, **fit_params):
        raise NotImplementedError


# Below this many multiply-adds per mini-batch one intra-op thread is faster (measured on 2 cores).
SINGLE_THREAD_WORK = 2**20


def _modules_of(net):
    """(name, module) for every torch module the skorch net registered (module_, generator_, ...)."""
    return [(name, getattr(net, name + "_")) for name in net._modules]


class _RestoreIncompleteEpoch(Callback):
    """Ctrl-C during an epoch restores the module to the end of the last complete epoch."""

    def on_train_begin(self, net, **kwargs):
        self.snapshot_ = None
        self.in_epoch_ = False
        self.interrupted_ = False

    def on_epoch_begin(self, net, **kwargs):
        self.snapshot_ = {name: copy.deepcopy(module.state_dict()) for name, module in _modules_of(net)}
        self.in_epoch_ = True

    def on_epoch_end(self, net, **kwargs):
        self.in_epoch_ = False

    def on_train_end(self, net, **kwargs):
        if self.in_epoch_:
            for name, module in _modules_of(net):
                module.load_state_dict(self.snapshot_[name])
            net.history.pop()
            self.interrupted_ = True
        self.snapshot_ = None


class _KeepBestEpoch(Callback):
    """Early stopping keeps every module as it was at the epoch with the lowest validation loss."""

    def on_train_begin(self, net, **kwargs):
        self.best_ = None

    def on_epoch_end(self, net, **kwargs):
        if net.history[-1].get("valid_loss_best"):
            self.best_ = {name: copy.deepcopy(module.state_dict()) for name, module in _modules_of(net)}

    def on_train_end(self, net, **kwargs):
        if self.best_ is not None:
            for name, module in _modules_of(net):
                module.load_state_dict(self.best_[name])
        self.best_ = None


class _DivergenceCheck(Callback):
    """Stops training with :class:`DivergenceError` on a non-finite loss or parameter."""

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        losses = [row[k] for k in ("train_loss", "valid_loss") if k in row]
        finite = all(np.isfinite(v) for v in losses) and all(
            bool(torch.isfinite(p).all()) for _, module in _modules_of(net) for p in module.parameters()
        )
        if not finite:
            raise DivergenceError(
                f"Training diverged at epoch {net.estimator_epoch_offset + len(net.history)}: "
                "the loss or the parameters became non-finite. Lower `learning_rate` "
                "(or standardise the data) and fit again."
            )


class _ProgressBar(Callback):
    """verbose=1: a tqdm bar over epochs showing the running losses."""

    def __init__(self, total, description):
        self.total = total
        self.description = description

    def on_train_begin(self, net, **kwargs):
        from tqdm.auto import tqdm

        self.bar_ = tqdm(total=self.total, desc=self.description, unit="epoch", leave=True)

    def on_epoch_end(self, net, **kwargs):
        self.bar_.set_postfix(_loss_fields(net.history[-1]), refresh=False)
        self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        self.bar_.close()


class _EpochLog(Callback):
    """verbose>=2: one line per epoch with the losses and the epoch's duration."""

    def __init__(self, description):
        self.description = description

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        fields = ", ".join(f"{k} = {v:.4f}" for k, v in _loss_fields(row).items())
        epoch = net.estimator_epoch_offset + len(net.history)
        print(f"[{self.description}] epoch {epoch}, {fields}, time = {row['dur']:.2f}s", flush=True)


def _differs(a, b):
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and torch.equal(a, b))
    return a != b


def _discard(*args):
    """A print sink that prints nothing (a named function, so nets pickle)."""


def _loss_fields(history_row):
    return {
        k: v
        for k, v in history_row.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in ("epoch", "dur")
        and not k.endswith("_batch_count")
    }


class TorchEstimator(BaseEstimator):
    """Base class of skgen's torch-backed estimators.

    Subclasses set ``_net_class`` and ``_epochs_param`` ("max_iter", or
    "n_iter" for the RBM family), and implement ``_build_module(X)`` and
    ``_net_params()``. ``_check_training_data(X)`` and ``_n_threads()`` are
    optional hooks. After every change of the parameters ``_parameters_changed``
    is called, so cached quantities (a log partition function) can be dropped.
    """

    _parameter_constraints: dict = {
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
    }

    _net_class = ChunkedNet
    _epochs_param = "max_iter"
    _accepts_sparse = True

    # ---------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to ``X`` from scratch.

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
        return self._fit(X, y, reset=True, epochs=getattr(self, self._epochs_param))

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Run one more epoch of mini-batches over ``X``, continuing the current state.

        The first call on an unfitted estimator initialises it from ``X``.

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
        return self._fit(X, y, reset=not hasattr(self, "net_"), epochs=1)

    def _validate_X(self, X, *, reset):
        return validate_data(
            self,
            X,
            reset=reset,
            accept_sparse="csr" if self._accepts_sparse else False,
            dtype=(np.float64, np.float32),
            ensure_min_samples=2 if (reset and self.early_stopping) else 1,
        )

    def _fit(self, X, y, *, reset, epochs):
        X = self._validate_X(X, reset=reset)
        self._check_training_data(X)
        if reset:
            self._initialize(X)
        else:
            self._sync_net_params()
        X_train, X_valid = self._train_validation_split(self._training_rows(X, y))
        net = self.net_
        net.generator = device_generator(self.device_, self._next_seed("_train_rng_state"))
        net.estimator_epoch_offset = self.n_iter_
        net.train_split = (
            predefined_split(RowSource(X_valid, device=self.device_, dtype=self._torch_dtype))
            if X_valid is not None
            else None
        )
        net.set_params(callbacks=self._callbacks(epochs))
        net.initialize_callbacks()
        net.history.clear()
        try:
            with torch_threads(self._n_threads()):
                net.partial_fit(RowSource(X_train, device=self.device_, dtype=self._torch_dtype), epochs=epochs)
        finally:
            # Training-time state must not be pickled with the estimator.
            net.train_split = None
            net.generator = None
            for _, module in _modules_of(net):
                module.eval()
            self._parameters_changed()
        # skorch counts epochs from 1 in every call; history_ counts across partial_fit calls
        new_rows = [
            {**self._history_row(row), "epoch": self.n_iter_ + i} for i, row in enumerate(net.history, start=1)
        ]
        self.history_ = self.history_ + new_rows
        self.n_iter_ += len(new_rows)
        restore = dict(net.callbacks_)["restore_incomplete_epoch"]
        if restore.interrupted_:
            warnings.warn(
                f"fit was interrupted; the model is kept as it was after epoch {self.n_iter_}.",
                RuntimeWarning,
            )
        return self

    def _initialize(self, X):
        rng = check_random_state(self.random_state)
        seeds = rng.randint(0, 2**31 - 1, size=4)
        self.device_ = resolve_device(self.device)
        self._training_dtype = X.dtype
        self._torch_dtype = self._compute_dtype or (torch.float64 if X.dtype == np.float64 else torch.float32)
        self._train_rng_state = torch.Generator().manual_seed(int(seeds[0])).get_state()
        self._sample_rng_state = torch.Generator().manual_seed(int(seeds[1])).get_state()
        self._eval_seed = int(seeds[2])
        devices = [torch.device(self.device_)] if self.device_.startswith("cuda") else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(int(seeds[3]))
            if devices:
                torch.cuda.manual_seed(int(seeds[3]))
            modules = self._build_modules(X)
        net = self._net_class(
            **modules,
            device=self.device_,
            max_epochs=getattr(self, self._epochs_param),
            shuffle=self.shuffle,
            **self._net_params(),
        )
        net.generator = None
        net.estimator_epoch_offset = 0
        net.initialize()
        for _, module in _modules_of(net):
            module.to(dtype=self._torch_dtype)
        self.net_ = net
        self.n_iter_ = 0
        self.history_ = []

    def _sync_net_params(self):
        """partial_fit trains with the current hyperparameters: push changed ones to the net.

        A change rebuilds the optimizers (their running state, e.g. Adam's
        moments, starts again); the networks are kept.
        """
        changed = {k: v for k, v in self._net_params().items() if _differs(getattr(self.net_, k, None), v)}
        if changed:
            for name, value in changed.items():
                setattr(self.net_, name, value)
            self.net_._initialize_optimizer()  # skorch's wrapper registers the new optimizers

    def _train_validation_split(self, X):
        if not self.early_stopping:
            return X, None
        n_valid = max(1, int(round(self.validation_fraction * X.shape[0])))
        if n_valid >= X.shape[0]:
            raise ValueError(
                f"early_stopping with validation_fraction={self.validation_fraction} leaves no "
                f"training rows out of {X.shape[0]} samples."
            )
        split_rng = torch.Generator().manual_seed(self._next_seed("_train_rng_state"))
        order = torch.randperm(X.shape[0], generator=split_rng).numpy()
        return X[np.sort(order[n_valid:])], X[np.sort(order[:n_valid])]

    def _callbacks(self, epochs):
        callbacks = [
            ("restore_incomplete_epoch", _RestoreIncompleteEpoch()),
            ("divergence_check", _DivergenceCheck()),
        ]
        if self.verbose == 1:
            callbacks.append(("progress_bar", _ProgressBar(epochs, type(self).__name__)))
        elif self.verbose and self.verbose >= 2:
            callbacks.append(("epoch_log", _EpochLog(type(self).__name__)))
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_loss",
                        patience=self.n_iter_no_change,
                        threshold=self.tol,
                        threshold_mode="abs",
                        lower_is_better=True,
                        sink=_discard,
                    ),
                )
            )
            callbacks.insert(0, ("keep_best_epoch", _KeepBestEpoch()))
        for i, cb in enumerate(self.callbacks or []):
            callbacks.append((f"user_{i}", copy.deepcopy(cb)))
        return callbacks

    @staticmethod
    def _history_row(row):
        return {
            k: float(v) if isinstance(v, np.floating) else v
            for k, v in row.items()
            if k != "batches" and not k.endswith(("_batch_count", "_best"))
        }

    @property
    def _compute_dtype(self):
        """torch dtype of the networks; None: the training data's dtype.

        Convolutional networks (``image_shape``) always run in float32: float64
        convolutions and their gradients are many times slower on CPUs.
        """
        return torch.float32 if getattr(self, "image_shape", None) is not None else None

    # ------------------------------------------------------------- randomness
    def _next_seed(self, state_attr):
        """Draw a seed from the CPU generator stream stored in ``state_attr``, advancing it."""
        generator = torch.Generator()
        generator.set_state(getattr(self, state_attr))
        seed = draw_seed(generator)
        setattr(self, state_attr, generator.get_state())
        return seed

    def _sampling_generator(self, random_state):
        """Device generator for one call of a sampling method.

        ``random_state=None`` continues the estimator's own sampling stream
        (so two calls differ, reproducibly); anything else makes the call
        reproducible on its own.
        """
        if random_state is None:
            seed = self._next_seed("_sample_rng_state")
        else:
            seed = int(check_random_state(random_state).randint(0, 2**31 - 1))
        return device_generator(self.device_, seed)

    def _eval_generator(self):
        """Device generator for Monte Carlo estimates: the same stream on every call."""
        return device_generator(self.device_, self._eval_seed)

    # -------------------------------------------------------------- helpers
    def _check_training_data(self, X):
        """Hook: raise ValueError when ``X`` lies outside the model's support."""

    def _training_rows(self, X, y):
        """Hook: the rows the net trains on (e.g. scaled X with one-hot labels appended)."""
        return X

    def _n_threads(self):
        """Intra-op thread count for training and sampling (None: torch's setting).

        One thread when a mini-batch's work (rows x network parameters) is
        below SINGLE_THREAD_WORK: on small models the threads' synchronisation
        costs more than it saves, and far more when other processes keep the
        cores busy.
        """
        n_parameters = sum(p.numel() for _, module in _modules_of(self.net_) for p in module.parameters())
        return 1 if self.batch_size * n_parameters < SINGLE_THREAD_WORK else None

    def _parameters_changed(self):
        """Hook: called after every change of the model's parameters."""

    def _rows_as_tensor(self, X):
        """Dense device tensor of validated rows, in the model's dtype."""
        return to_tensor(X, self.device_, self._torch_dtype)

    def _apply_in_chunks(self, X, fn, chunk_rows=EVAL_CHUNK_ROWS):
        """Concatenate ``fn(tensor_chunk)`` over row chunks of validated ``X`` as an ndarray."""
        outputs = []
        with torch.no_grad(), torch_threads(self._n_threads()):
            for start in range(0, X.shape[0], chunk_rows):
                chunk = self._rows_as_tensor(X[start : start + chunk_rows])
                outputs.append(fn(chunk).cpu().numpy())
        return np.concatenate(outputs, axis=0)

    def _check_n_samples(self, n_samples):
        if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative integer, got {n_samples!r}.")
        return int(n_samples)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __setstate__(self, state):
        super().__setstate__(state)
        # A model fitted on CUDA and unpickled where CUDA is absent lives on the CPU.
        if "net_" in state and self.device_.startswith("cuda") and not torch.cuda.is_available():
            self.device_ = "cpu"
            self.net_.device = "cpu"

    def _check_fitted(self):
        check_is_fitted(self)
