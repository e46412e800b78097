"""The skorch net that trains an RBM by contrastive divergence."""

import warnings
from collections import Counter

import torch

from ..base import ChunkedNet
from ..sampling import bernoulli_sample

# Rows of the training data on which the per-epoch training loss is measured.
MONITOR_ROWS = 256


class RBMNet(ChunkedNet):
    """Trains an RBM module with CD-k or PCD-k.

    One ``train_step`` runs every mini-batch of a chunk. Without momentum and
    weight decay the statistics are added straight into the parameters (the
    fastest path on small models); otherwise they go through ``torch.optim.SGD``
    (weight decay on the weights only).

    The training loss recorded per epoch is the module's ``monitoring_loss``
    of the iterate on a fixed random subset of at most ``MONITOR_ROWS``
    training rows.

    ``average`` (as in ``SGDClassifier``): False, or average the iterates of
    every update from the one whose mini-batch brings the number of training
    rows seen to ``average`` (True: from the first update). After training the
    module holds the average; the iterate waits in its buffers for the next call.

    On CUDA, the direct-update path (no momentum, no weight decay) captures one
    mini-batch update in a CUDA graph per batch size and replays it: a step is
    a handful of small kernels, which the GPU would otherwise spend waiting on
    Python and kernel launches (see :class:`CapturedUpdates`).
    """

    use_cuda_graphs = True

    def __init__(
        self, module, *args, k=1, persistent=True, momentum=0.0, weight_decay=0.0, average=False, shuffle=True, **kwargs
    ):
        super().__init__(module, *args, **kwargs)
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.average = average
        self.shuffle = shuffle

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        # Train the iterate; the module is swapped only when some update was
        # averaged (before that, the model is the iterate itself).
        module = self.module_
        if module.has_averages() and module.n_averaged > 0:
            module.swap_averages_()
        if self.average and not module.has_averages():
            module.init_averages_()
        elif not self.average and module.has_averages():
            module.drop_averages_()
        try:
            return super().partial_fit(X, y, classes, **fit_params)
        finally:
            if module.has_averages() and module.n_averaged > 0:
                module.swap_averages_()

    def initialize_optimizer(self, *args, **kwargs):
        if not (self.momentum or self.weight_decay):
            self.optimizer_ = None
            return self
        weights, *others = self.module_.trainable_parameters()
        for p in [weights, *others]:
            p.grad = torch.zeros_like(p)
        groups = [{"params": [weights], "weight_decay": self.weight_decay}, {"params": others, "weight_decay": 0.0}]
        self.optimizer_ = torch.optim.SGD(groups, lr=self.lr, momentum=self.momentum)
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        n_monitor = min(len(X), MONITOR_ROWS)
        index = torch.randperm(len(X), generator=self.generator, device=self.generator.device)[:n_monitor]
        self.monitor_rows_ = X.rows(index)
        self.monitor_noise_ = torch.rand(n_monitor, generator=self.generator, device=self.generator.device)
        self.workspaces_ = {}
        on_cuda = self.module_.W.is_cuda
        self.captured_ = CapturedUpdates(self) if (on_cuda and self.use_cuda_graphs and self.optimizer_ is None) else None
        super().on_train_begin(net, X=X, y=y, **kwargs)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        # training-only state: not kept in the fitted (and pickled) net
        del self.monitor_rows_, self.monitor_noise_, self.workspaces_, self.captured_
        super().on_train_end(net, X=X, y=y, **kwargs)

    def loss_reference(self, source):
        return self.module_.monitoring_loss(self.monitor_rows_, self.monitor_noise_)

    def workspace(self, n_rows):
        """Preallocated buffers for a mini-batch of ``n_rows`` rows (reused across batches)."""
        workspaces = self.workspaces_
        if n_rows not in workspaces:
            n_visible, n_hidden = self.module_.W.shape
            n_chain = len(self.module_.chain_hidden) if self.persistent else n_rows
            like = self.module_.W
            workspaces[n_rows] = {
                "h_pos": like.new_empty(n_rows, n_hidden),
                "h_neg": like.new_empty(n_chain, n_hidden),
                "v_neg": like.new_empty(n_chain, n_visible),
                "v_noise": like.new_empty(n_chain, n_visible),
                "h_noise": like.new_empty(n_chain, n_hidden),
                "chain": like.new_empty(n_chain, n_hidden),
            }
        return workspaces[n_rows]

    def update(self, v_pos, average_weight=None):
        """One CD-k / PCD-k update on the mini-batch ``v_pos``, in place, without host synchronisation.

        ``average_weight`` (a float or a 0-d tensor), when given, folds the
        updated parameters into the running average with that weight.
        """
        module, generator = self.module_, self.generator
        work = self.workspace(v_pos.shape[0])
        params = module.trainable_parameters()
        if self.optimizer_ is None:
            targets, alpha = params, self.lr
        else:  # SGD descends, so the gradient is minus the statistics
            targets, alpha = [p.grad for p in params], -1.0
        h_pos = module.hidden_probs(v_pos, out=work["h_pos"])
        if self.persistent:
            chain, chain_out = module.chain_hidden, module.chain_hidden
        else:
            chain = bernoulli_sample(h_pos, generator, out=work["chain"], noise=work["h_noise"])
            chain_out = work["chain"]
        for _ in range(self.k):
            v_neg = module.sample_visible(chain, generator, out=work["v_neg"], noise=work["v_noise"])
            h_neg = module.hidden_probs(v_neg, out=work["h_neg"])
            chain = bernoulli_sample(h_neg, generator, out=chain_out, noise=work["h_noise"])
        if self.optimizer_ is not None:
            for grad in targets:
                grad.zero_()
        module.add_log_likelihood_gradient_(targets, v_pos, h_pos, v_neg, h_neg, alpha)
        if self.optimizer_ is not None:
            self.optimizer_.step()
        module.clamp_()
        if average_weight is not None:
            module.update_averages_(average_weight)

    @torch.no_grad()
    def train_step(self, batch, **fit_params):
        module = self.module_
        samples_seen = int(module.samples_seen)  # host counters: no device sync per batch
        n_averaged = int(module.n_averaged) if self.average else 0
        for start, stop in batch.batch_bounds:
            samples_seen += stop - start
            average_weight = None
            if self.average and samples_seen >= self.average:
                n_averaged += 1
                average_weight = 1.0 / n_averaged
            if self.captured_ is not None:
                self.captured_.update(batch.X[start:stop], average_weight)
            else:
                self.update(batch.X[start:stop], average_weight)
        module.samples_seen.fill_(samples_seen)
        if self.average:
            module.n_averaged.fill_(n_averaged)
        loss = module.monitoring_loss(self.monitor_rows_, self.monitor_noise_)
        return {"loss": loss, "y_pred": None}

    @torch.no_grad()
    def validation_step(self, batch, **fit_params):
        return {"loss": self.module_.monitoring_loss(batch.X, batch.row_noise), "y_pred": None}


class CapturedUpdates:
    """CUDA graphs of :meth:`RBMNet.update`, one per (mini-batch rows, averaging or not).

    The first ``WARMUP_STEPS`` updates of each kind run eagerly (as torch's
    CUDA-graph guide asks: lazy initialisation must not happen during
    capture); the next one is captured, with the training generator
    registered so each replay draws fresh, reproducible numbers, and every
    later one is two launches: copy the mini-batch into the static input,
    replay. The averaging weight lives in a device scalar written before each
    replay. Should capture fail, training goes on eagerly with a warning.

    Warm-ups and captures run on one side stream owned by this object, so the
    library state they set up per stream (cuBLAS's workspace) is the one the
    graphs record, and no other capture shares it. Capture skips what
    ``torch.cuda.graph`` adds around it (a device synchronisation and emptying
    the allocator's cache), a fixed cost per fit that a short fit would feel.
    """

    WARMUP_STEPS = 2

    def __init__(self, net):
        self.net = net
        self.graphs = {}  # (rows, averaging) -> (graph, static input)
        self.eager_steps = Counter()
        self.average_weight = torch.zeros((), dtype=net.module_.W.dtype, device=net.module_.W.device)
        self.stream = None  # created at the first warm-up
        self.failed = False

    def update(self, v_pos, average_weight):
        key = (v_pos.shape[0], average_weight is not None)
        if key in self.graphs:
            graph, static_input = self.graphs[key]
            static_input.copy_(v_pos)
            if average_weight is not None:
                self.average_weight.fill_(average_weight)
            graph.replay()
            return
        if self.failed or self.eager_steps[key] < self.WARMUP_STEPS:
            self.eager_steps[key] += 1
            self._on_side_stream(lambda: self.net.update(v_pos, average_weight))
            return
        try:
            self.graphs[key] = self._capture(v_pos, average_weight is not None)
        except RuntimeError as exc:
            self.failed = True
            warnings.warn(f"CUDA graph capture of the RBM update failed ({exc}); training goes on without it.",
                          RuntimeWarning)
            self.net.update(v_pos, average_weight)
            return
        self.update(v_pos, average_weight)  # the capture recorded the update without running it

    def _on_side_stream(self, fn):
        if self.stream is None:
            self.stream = torch.cuda.Stream(device=self.average_weight.device)
        self.stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(self.stream):
            fn()
        torch.cuda.current_stream().wait_stream(self.stream)

    def _capture(self, v_pos, averaging):
        static_input = torch.empty_like(v_pos)
        graph = torch.cuda.CUDAGraph()
        graph.register_generator_state(self.net.generator)

        def record():
            graph.capture_begin()
            try:
                self.net.update(static_input, self.average_weight if averaging else None)
            finally:
                graph.capture_end()

        self._on_side_stream(record)
        return graph, static_input
