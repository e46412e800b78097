"""The skorch net that trains an RBM by contrastive divergence."""

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
    """

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

    def on_train_end(self, net, X=None, y=None, **kwargs):
        # training-only state: not kept in the fitted (and pickled) net
        del self.monitor_rows_, self.monitor_noise_, self.workspaces_

    def _workspace(self, n_rows):
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

    @torch.no_grad()
    def train_step(self, batch, **fit_params):
        module, generator = self.module_, self.generator
        params = module.trainable_parameters()
        if self.optimizer_ is None:
            targets, alpha = params, self.lr
        else:  # SGD descends, so the gradient is minus the statistics
            targets, alpha = [p.grad for p in params], -1.0
        chain = module.chain_hidden
        samples_seen = int(module.samples_seen)  # host counters: no device sync per batch
        n_averaged = int(module.n_averaged) if self.average else 0
        for start, stop in batch.batch_bounds:
            v_pos = batch.X[start:stop]
            work = self._workspace(stop - start)
            h_pos = module.hidden_probs(v_pos, out=work["h_pos"])
            if not self.persistent:
                chain = bernoulli_sample(h_pos, generator, out=work["chain"], noise=work["h_noise"])
            for _ in range(self.k):
                v_neg = module.sample_visible(chain, generator, out=work["v_neg"], noise=work["v_noise"])
                h_neg = module.hidden_probs(v_neg, out=work["h_neg"])
                chain = bernoulli_sample(h_neg, generator, out=work["chain"], noise=work["h_noise"])
            if self.optimizer_ is not None:
                for grad in targets:
                    grad.zero_()
            module.add_log_likelihood_gradient_(targets, v_pos, h_pos, v_neg, h_neg, alpha)
            if self.optimizer_ is not None:
                self.optimizer_.step()
            module.clamp_()
            samples_seen += stop - start
            if self.average and samples_seen >= self.average:
                n_averaged += 1
                module.update_averages_(n_averaged)
        if self.persistent:
            module.chain_hidden.copy_(chain)
        module.samples_seen.fill_(samples_seen)
        if self.average:
            module.n_averaged.fill_(n_averaged)
        loss = module.monitoring_loss(self.monitor_rows_, self.monitor_noise_)
        return {"loss": loss, "y_pred": None}

    @torch.no_grad()
    def validation_step(self, batch, **fit_params):
        return {"loss": self.module_.monitoring_loss(batch.X, batch.row_noise), "y_pred": None}
