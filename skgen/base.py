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

import copy
import math
import warnings
from collections import namedtuple
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, EpochTimer, PassthroughScoring
from skorch.dataset import Dataset as _SkorchDataset
from skorch.helper import predefined_split

from ._cudnn import deterministic_cudnn
from ._threads import choose_threads, torch_threads
from .exceptions import DivergenceError

# A chunk holds at most this many numbers: large enough that skorch's per-chunk
# costs vanish, small enough that densifying or gathering it stays cheap.
CHUNK_ELEMENTS = 2**24

# Rows per call when an estimator evaluates a method on many rows.
EVAL_CHUNK_ROWS = 4096

# The divergence check fires when the training loss exceeds this many times
# its reference magnitude at the start of training.
EXPLOSION_FACTOR = 1e3

Chunk = namedtuple("Chunk", ["X", "batch_bounds", "row_noise"])
Chunk.__doc__ = """Rows handed to one skorch step.

X : device tensor of the rows; batch_bounds : list of (start, stop) mini-batches
inside X; row_noise : per-row noise fixed for the whole fit (validation chunks,
so Monte Carlo validation losses are comparable across epochs) or None.
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


# An epochs parameter set to "auto": clip(ceil(steps / batches per epoch), *AUTO_EPOCH_RANGE) epochs.
AUTO_EPOCH_RANGE = (20, 1000)


def auto_epochs(X, batch_size, target_steps, min_epochs, max_epochs, validation_fraction=None):
    """Epochs that give about ``target_steps`` mini-batch steps on ``X``: an epochs parameter set to "auto".

    clip(ceil(target_steps / batches per epoch), min_epochs, max_epochs),
    where an epoch has ``len(batch_bounds(n_rows, batch_size))`` batches and
    ``n_rows`` counts the training rows (without the validation rows when
    ``validation_fraction`` is given). Input that is not array-like gives
    ``min_epochs``: validating it in ``fit`` then reports the problem.
    """
    try:
        n_rows = _num_samples(X)
    except TypeError:
        return min_epochs
    if validation_fraction is not None:
        n_rows -= max(1, int(round(validation_fraction * n_rows)))
    n_batches = len(batch_bounds(max(n_rows, 1), batch_size))
    return int(min(max(math.ceil(target_steps / n_batches), min_epochs), max_epochs))


def fused_optimizer_options(optimizer_class, device):
    """{"fused": True} for Adam and AdamW where torch has a fused kernel for ``device``, else {}.

    The fused update is one kernel for all parameters instead of a dozen
    small calls per parameter: a quarter of a small network's step time on a CPU.
    """
    torch_version = tuple(int(part) for part in torch.__version__.split("+")[0].split(".")[:2])
    fused_devices = ("cpu", "cuda") if torch_version >= (2, 4) else ("cuda",)
    if optimizer_class in (torch.optim.Adam, torch.optim.AdamW) and torch.device(device).type in fused_devices:
        return {"fused": True}
    return {}


def draw_seed(generator):
    """A fresh 63-bit seed drawn from a CPU ``torch.Generator``."""
    return int(torch.randint(2**63 - 1, (1,), generator=generator))


def device_generator(device, seed):
    """A ``torch.Generator`` on ``device`` seeded with ``seed``."""
    return torch.Generator(device=device).manual_seed(seed)


def to_tensor(X, device, dtype):
    """Dense tensor of ``X`` (ndarray, sparse matrix or tensor) on ``device`` in ``dtype``.

    A C-contiguous writable array of the right dtype is wrapped, not copied,
    when the device is the CPU.
    """
    if isinstance(X, torch.Tensor):
        return X.to(device=device, dtype=dtype)
    if sp.issparse(X):
        X = X.toarray()
    X = np.ascontiguousarray(X)
    if not X.flags.writeable:  # torch cannot wrap read-only memory (e.g. a joblib memmap)
        X = X.copy()
    return torch.as_tensor(X, dtype=dtype, device=device)


# Rows per block when column sums run in the data's dtype: short enough that a
# float32 block sum stays accurate; the blocks are added up in float64.
_ROWS_PER_SUM_BLOCK = 1024


def _column_sums(X, transform=None):
    """Column sums of a dense tensor (of ``transform(block)`` when given), as a float64 tensor.

    Each block of rows is summed by a matrix-vector product in the data's
    dtype (fast on every device) and the block sums are accumulated in float64.
    """
    ones = torch.ones(1, _ROWS_PER_SUM_BLOCK, dtype=X.dtype, device=X.device)
    total = torch.zeros(X.shape[1], dtype=torch.float64, device=X.device)
    for start in range(0, X.shape[0], _ROWS_PER_SUM_BLOCK):
        block = X[start : start + _ROWS_PER_SUM_BLOCK]
        if transform is not None:
            block = transform(block)
        total += (ones[:, : block.shape[0]] @ block)[0].to(torch.float64)
    return total


class RowSource(_SkorchDataset):
    """Training rows: a dense device tensor or a CSR matrix that stays on the host.

    Sparse rows are densified one chunk at a time, so sparse data never needs
    its dense size in memory. Dense rows go to the device once; their
    statistics are computed there, without a host-side copy, each at most once.
    """

    def __init__(self, X, *, device, dtype):
        self.X = X if sp.issparse(X) else to_tensor(X, device, dtype)
        self.device = device
        self.dtype = dtype
        self._cache = {}

    def __len__(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def is_sparse(self):
        return sp.issparse(self.X)

    def _cached(self, name, compute):
        if name not in self._cache:
            # One intra-op thread: how many threads split a product changes its rounding, and these
            # statistics start every fit, which must not depend on the process's thread count
            # (a grid search's worker processes get one thread each).
            with torch.no_grad(), torch_threads(1 if torch.device(self.device).type == "cpu" else None):
                self._cache[name] = compute()
        return self._cache[name]

    def column_mean(self):
        """Per-column mean, a float64 NumPy array."""
        if self.is_sparse:
            return self._cached("mean", lambda: np.asarray(self.X.mean(axis=0), dtype=np.float64).ravel())
        return self._cached("mean", lambda: (_column_sums(self.X) / len(self)).cpu().numpy())

    def column_variance(self):
        """Per-column variance (population), a float64 NumPy array, from the centred values."""
        mean = self.column_mean()
        if self.is_sparse:
            mean_sq = lambda: np.asarray(self.X.multiply(self.X).mean(axis=0), dtype=np.float64).ravel()
            return self._cached("variance", lambda: np.maximum(mean_sq() - mean**2, 0.0))
        centre = torch.as_tensor(mean, dtype=self.dtype, device=self.X.device)
        squares = lambda: _column_sums(self.X, lambda block: (block - centre) ** 2)
        return self._cached("variance", lambda: (squares() / len(self)).cpu().numpy())

    def value_range(self):
        """(smallest, largest) value of all of X, as floats."""
        if self.is_sparse:
            values = self.X.data
            low, high = values.min(initial=np.inf), values.max(initial=-np.inf)
            if values.size < len(self) * self.n_features:  # implicit zeros
                low, high = min(low, 0.0), max(high, 0.0)
            return float(low), float(high)
        return self._cached("range", lambda: tuple(float(v) for v in torch.aminmax(self.X)))

    def check_finite(self):
        """Raise ValueError (scikit-learn's wording) when X holds NaN or infinity; one pass over the data."""
        if self.is_sparse or len(self) == 0 or np.isfinite(self.column_mean()).all():
            return  # sparse input was checked on the host, where it lives
        with torch.no_grad():
            if bool(torch.isnan(self.X).any()):
                raise ValueError("Input X contains NaN.")
            if bool(torch.isinf(self.X).any()):
                raise ValueError(f"Input X contains infinity or a value too large for {self.X.dtype}.")

    def rows(self, index):
        """Dense device tensor of the rows at ``index`` (a CPU or device LongTensor, or a slice)."""
        if self.is_sparse:
            if isinstance(index, torch.Tensor):
                index = index.cpu().numpy()
            return to_tensor(self.X[index], self.device, self.dtype)
        if isinstance(index, torch.Tensor):
            return self.X.index_select(0, index.to(self.X.device))
        return self.X[index]

    def subset(self, index):
        """A new source holding the rows at ``index`` (a CPU LongTensor)."""
        rows = self.X[index.numpy()] if self.is_sparse else self.X.index_select(0, index.to(self.X.device))
        return RowSource(rows, device=self.device, dtype=self.dtype)

    def with_rows(self, X):
        """A new source of ``X`` (same device and dtype), e.g. the rows mapped to network units."""
        return RowSource(X, device=self.device, dtype=self.dtype)


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
    chunk), ``validation_step`` and ``loss_reference``. ``generator`` is the
    training generator, set by the estimator for the duration of a fit.

    The torch modules given as init parameters (``module``, and e.g.
    ``discriminator`` in subclasses, named in ``cuda_dependent_attributes_``)
    are the very instances the net trains, so they are pickled with skorch's
    device-mapping loader like ``module_``: a net fitted on CUDA unpickles on
    a machine without it.
    """

    cuda_dependent_attributes_ = ["module"]

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

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        for _, module in _modules_of(self):
            module.eval()  # measuring must not touch batch-norm statistics
        with torch.no_grad():
            self.loss_reference_ = float(self.loss_reference(X))

    def on_train_end(self, net, X=None, y=None, **kwargs):
        del self.loss_reference_  # training-only state: not kept in the fitted (and pickled) net

    def loss_reference(self, source):
        """The typical magnitude of the training loss for this model and data, before training.

        Training stops with :class:`DivergenceError` when the loss exceeds
        ``EXPLOSION_FACTOR`` times it (or 1, whichever is larger).
        """
        raise NotImplementedError

    def validation_noise(self, n_rows):
        """Noise per validation row, drawn once per fit: uniform numbers by default."""
        return torch.rand(n_rows, generator=self.generator, device=self.generator.device)

    def validation_step(self, batch, **fit_params):
        raise NotImplementedError


def reference_rows(source, generator, n_rows=256):
    """At most ``n_rows`` random rows of a :class:`RowSource`, for losses measured before training."""
    index = torch.randperm(len(source), generator=generator, device=generator.device)[:n_rows]
    return source.rows(index)


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
    """Stops training with :class:`DivergenceError` when it diverges, while the loss is still finite.

    Two criteria, checked after every epoch: the loss or a parameter is not
    finite; or the training loss exceeds ``EXPLOSION_FACTOR`` times its
    reference magnitude at the start of training (the net's
    ``loss_reference``, at least 1). ``advice`` ends the message with the fix
    that fits the case.
    """

    def __init__(self, advice):
        self.advice = advice

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        epoch = net.estimator_epoch_offset + len(net.history)
        losses = [row[k] for k in ("train_loss", "valid_loss") if k in row]
        finite = all(np.isfinite(v) for v in losses) and all(
            bool(torch.isfinite(p).all()) for _, module in _modules_of(net) for p in module.parameters()
        )
        if not finite:
            criterion = "the loss or the parameters became non-finite"
        else:
            reference = max(abs(net.loss_reference_), 1.0)
            if abs(row["train_loss"]) <= EXPLOSION_FACTOR * reference:
                return
            criterion = (
                f"the training loss reached {row['train_loss']:.3g}, more than {EXPLOSION_FACTOR:g} times "
                f"its magnitude at the start of training ({reference:.3g})"
            )
        raise DivergenceError(f"Training diverged at epoch {epoch}: {criterion}. {self.advice}")


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
        del self.bar_  # a closed bar holds a stream: keep it out of the pickled estimator


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
    if isinstance(a, (torch.Tensor, np.ndarray)) or isinstance(b, (torch.Tensor, np.ndarray)):
        return not np.array_equal(np.asarray(a), np.asarray(b))
    return a != b


def _same_setting(a, b):
    """Whether two values of a constructor parameter configure the same thing."""
    if isinstance(a, torch.nn.Module) or isinstance(b, torch.nn.Module):
        return a is b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return tuple(a) == tuple(b)
    return a == b


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

    Subclasses set ``_net_class``, ``_epochs_param`` ("max_iter", or "n_iter"
    for the RBM family) and ``_shape_params`` (the constructor parameters that
    size the fitted networks or data maps), and implement
    ``_build_modules(data)`` (``data`` is the training :class:`RowSource`) and
    ``_net_params()``. Optional hooks: ``_check_training_data(data)``,
    ``_training_rows(data, y)``, ``_work_per_step()`` and
    ``_parameters_changed()`` (called after every change of the model's
    parameters, so cached quantities such as a log partition function can be
    dropped).

    Shape parameters are frozen at ``fit``: every method of a fitted model
    reads them through :meth:`_fitted`, so ``set_params`` changes the next
    ``fit``, never the fitted model, and ``partial_fit`` refuses to continue
    after one changed.
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
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
    }

    _net_class = ChunkedNet
    _epochs_param = "max_iter"
    _shape_params = ()
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
        return self._fit(X, y, reset=True, epochs=self._epochs_to_run(X))

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

    def _epochs_to_run(self, X):
        """Epochs of a full ``fit`` on ``X``: the epochs parameter, with "auto" resolved by :func:`auto_epochs`."""
        epochs = getattr(self, self._epochs_param)
        if epochs != "auto":
            return epochs
        held_out = self.validation_fraction if self.early_stopping else None
        return auto_epochs(X, self.batch_size, self._auto_steps(), *AUTO_EPOCH_RANGE, validation_fraction=held_out)

    def _auto_steps(self):
        """Hook for families whose epochs parameter accepts "auto": the mini-batch steps it aims at."""
        raise NotImplementedError

    def _validate_X(self, X, *, reset, finite=True):
        """scikit-learn's validation; ``finite=False`` leaves the NaN/inf check of dense rows to the device."""
        X = validate_data(
            self,
            X,
            reset=reset,
            accept_sparse="csr" if self._accepts_sparse else False,
            dtype=(np.float64, np.float32),
            ensure_min_samples=2 if (reset and self.early_stopping) else 1,
            ensure_all_finite=finite,
        )
        if not finite and sp.issparse(X):
            assert_all_finite(X, input_name="X")
        return X

    def _fit(self, X, y, *, reset, epochs, validated=False):
        if not validated:
            X = self._validate_X(X, reset=reset, finite=False)
        if not reset:
            self._check_shape_params_unchanged()
        device = resolve_device(self.device) if reset else self.device_
        data = RowSource(X, device=device, dtype=self._dtype_for(X) if reset else self._torch_dtype)
        data.check_finite()  # on the device: no host pass over the data
        self._check_training_data(data)
        if reset:
            self._start_model(X, device, data.dtype)
            self._build_net(data)
        else:
            self._sync_net_params()
        train, valid = self._train_validation_split(self._training_rows(data, y))
        net = self.net_
        net.generator = device_generator(self.device_, self._next_seed("_train_rng_state"))
        net.estimator_epoch_offset = self.n_iter_
        net.train_split = predefined_split(valid) if valid is not None else None
        net.set_params(callbacks=self._callbacks(epochs, data))
        net.initialize_callbacks()
        net.history.clear()
        try:
            with torch_threads(self._thread_count()), deterministic_cudnn(self.device_):
                net.partial_fit(train, epochs=epochs)
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

    def _dtype_for(self, X):
        """torch dtype a new model computes in for training rows X."""
        return self._compute_dtype or (torch.float64 if X.dtype == np.float64 else torch.float32)

    def _start_model(self, X, device, dtype):
        """Fix what a new model is: device, dtypes, random streams, shape parameters."""
        rng = check_random_state(self.random_state)
        seeds = rng.randint(0, 2**31 - 1, size=4)
        self.device_ = device
        self._fitted_shape = {name: copy.copy(getattr(self, name)) for name in self._shape_params}
        self._training_dtype = X.dtype
        self._torch_dtype = dtype
        self._train_rng_state = torch.Generator().manual_seed(int(seeds[0])).get_state()
        self._sample_rng_state = torch.Generator().manual_seed(int(seeds[1])).get_state()
        self._eval_seed = int(seeds[2])
        self._init_seed = int(seeds[3])
        self.n_iter_ = 0
        self.history_ = []

    def _build_net(self, data):
        """Build the modules (under a torch RNG forked and seeded from ``random_state``) and the net."""
        devices = [torch.device(self.device_)] if self.device_.startswith("cuda") else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(self._init_seed)
            if devices:
                torch.cuda.manual_seed(self._init_seed)
            modules = self._build_modules(data)
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
        self._divergence_advice_text = self._divergence_advice(data)

    def _fitted(self, name):
        """The value shape parameter ``name`` had at the last ``fit``."""
        return self._fitted_shape[name]

    def _check_shape_params_unchanged(self):
        changed = [
            name for name in self._shape_params if not _same_setting(getattr(self, name), self._fitted(name))
        ]
        if changed:
            raise ValueError(
                f"partial_fit cannot continue: {', '.join(changed)} changed since the model was fitted "
                f"(they size its networks or data maps). Call fit to train a new model with them."
            )

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

    def _train_validation_split(self, source):
        if not self.early_stopping:
            return source, None
        n_rows = len(source)
        n_valid = max(1, int(round(self.validation_fraction * n_rows)))
        if n_valid >= n_rows:
            raise ValueError(
                f"early_stopping with validation_fraction={self.validation_fraction} leaves no "
                f"training rows out of {n_rows} samples."
            )
        split_rng = torch.Generator().manual_seed(self._next_seed("_train_rng_state"))
        order = torch.randperm(n_rows, generator=split_rng)
        train, valid = order[n_valid:].sort().values, order[:n_valid].sort().values
        return source.subset(train), source.subset(valid)

    def _callbacks(self, epochs, data):
        callbacks = [
            ("restore_incomplete_epoch", _RestoreIncompleteEpoch()),
            ("divergence_check", _DivergenceCheck(self._divergence_advice_text)),
        ]
        if self.verbose == 1:
            callbacks.append(("progress_bar", _ProgressBar(epochs, type(self).__name__)))
        elif self.verbose and self.verbose >= 2:
            callbacks.append(("epoch_log", _EpochLog(type(self).__name__)))
        if self.early_stopping:
            callbacks.append(("early_stopping", self._early_stopping_callback()))
            callbacks.insert(0, ("keep_best_epoch", _KeepBestEpoch()))
        for i, cb in enumerate(self.callbacks or []):
            callbacks.append((f"user_{i}", copy.deepcopy(cb)))
        return callbacks

    # the skorch callback that stops training (families may watch a warm-up first)
    _early_stopping_class = EarlyStopping

    def _early_stopping_callback(self):
        return self._early_stopping_class(
            monitor="valid_loss",
            patience=self.n_iter_no_change,
            threshold=self.tol,
            threshold_mode="abs",
            lower_is_better=True,
            sink=_discard,
        )

    def _divergence_advice(self, data):
        """The fix a DivergenceError suggests, given the training :class:`RowSource` (its scale)."""
        return f"Lower `learning_rate` (now {self.learning_rate:g}) and fit again."

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
    def _check_training_data(self, data):
        """Hook: raise ValueError when the training :class:`RowSource` lies outside the model's support."""

    def _training_rows(self, data, y):
        """Hook: the :class:`RowSource` the net trains on (e.g. scaled rows with one-hot labels appended)."""
        return data

    def _work_per_step(self):
        """Multiply-adds of one mini-batch step: rows x network parameters (families may refine it)."""
        n_parameters = sum(p.numel() for _, module in _modules_of(self.net_) for p in module.parameters())
        return self.batch_size * n_parameters

    def _thread_count(self):
        """Intra-op threads for training and evaluation: ``n_threads``, or chosen for the work (see skgen._threads).

        None (torch's setting) on a GPU, where the CPU threads do not do the work.
        """
        if torch.device(self.device_).type != "cpu":
            return None
        return choose_threads(self._work_per_step(), self.n_threads)

    def _parameters_changed(self):
        """Hook: called after every change of the model's parameters."""

    def _rows_as_tensor(self, X):
        """Dense device tensor of validated rows, in the model's dtype."""
        return to_tensor(X, self.device_, self._torch_dtype)

    def _apply_in_chunks(self, X, fn, chunk_rows=EVAL_CHUNK_ROWS):
        """Concatenate ``fn(tensor_chunk)`` over row chunks of validated ``X`` as an ndarray."""
        outputs = []
        with torch.no_grad(), torch_threads(self._thread_count()):
            for start in range(0, X.shape[0], chunk_rows):
                chunk = self._rows_as_tensor(X[start : start + chunk_rows])
                outputs.append(fn(chunk).cpu().numpy())
        return np.concatenate(outputs, axis=0)

    def _check_n_samples(self, n_samples):
        if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < 0:
            raise ValueError(f"n_samples must be a non-negative integer, got {n_samples!r}.")
        return int(n_samples)

    def _as_output(self, samples):
        """Samples as a DataFrame with the training columns when ``set_output(transform="pandas")`` is on."""
        config = getattr(self, "_sklearn_output_config", {})
        if config.get("transform") == "pandas" and hasattr(self, "feature_names_in_"):
            import pandas as pd

            return pd.DataFrame(samples, columns=self.feature_names_in_)
        return samples

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


def log_mean_exp(log_values, axis):
    """log of the mean of exp(log_values) along ``axis``, stable.

    NaN entries (overflow on absurd inputs) count as -inf, and a slice whose
    values are all -inf gives -inf, never NaN.
    """
    log_values = np.where(np.isnan(log_values), -np.inf, log_values)
    peak = np.max(log_values, axis=axis, keepdims=True)
    safe_peak = np.where(np.isfinite(peak), peak, 0.0)
    with np.errstate(divide="ignore"):
        result = np.log(np.mean(np.exp(log_values - safe_peak), axis=axis)) + np.squeeze(safe_peak, axis=axis)
    return result

