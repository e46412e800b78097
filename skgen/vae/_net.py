"""The skorch net that trains a VAE on the negative ELBO."""

import torch
from skorch.callbacks import PassthroughScoring

from ..base import ChunkedNet, reference_rows


class VAENet(ChunkedNet):
    """Trains a :class:`VAEModule` with the reparameterisation trick.

    One ``train_step`` runs every mini-batch of a chunk: z = mu + sigma * eps
    with eps drawn from the net's generator, loss = mean(-log p(x|z)) +
    beta * mean(KL), one optimizer step per mini-batch. The reconstruction
    and KL parts are recorded per epoch as ``train_recon`` / ``train_kl``.

    The validation loss uses the fixed noise row ``validation_eps`` (a NumPy
    array), shared by every row, so it is comparable from epoch to epoch.
    """

    def __init__(self, module, *args, beta=1.0, validation_eps=None, shuffle=True, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.beta = beta
        self.validation_eps = validation_eps
        self.shuffle = shuffle

    def get_default_callbacks(self):
        parts = [
            (name, PassthroughScoring(name=name, on_train=name.startswith("train")))
            for name in ("train_recon", "train_kl", "valid_recon", "valid_kl")
        ]
        return super().get_default_callbacks() + parts

    def _record_parts(self, prefix, recon_sum, kl_sum, n_rows):
        self.history.record_batch(f"{prefix}_recon", float(recon_sum) / n_rows)
        self.history.record_batch(f"{prefix}_kl", float(kl_sum) / n_rows)
        return (recon_sum + self.beta * kl_sum) / n_rows

    def train_step(self, batch, **fit_params):
        module, generator = self.module_, self.generator
        module.train()
        n_latent = self.validation_eps.shape[-1]
        recon_sum = kl_sum = 0.0
        for start, stop in batch.batch_bounds:
            x = batch.X[start:stop]
            eps = torch.randn(stop - start, n_latent, generator=generator, device=x.device, dtype=x.dtype)
            self.optimizer_.zero_grad(set_to_none=True)
            recon, kl = module.loss_terms(x, eps)
            loss = recon.mean() + self.beta * kl.mean()
            loss.backward()
            self.optimizer_.step()
            recon_sum = recon_sum + recon.detach().sum()
            kl_sum = kl_sum + kl.detach().sum()
        loss = self._record_parts("train", recon_sum, kl_sum, len(batch.X))
        return {"loss": torch.as_tensor(loss), "y_pred": None}

    def _validation_eps(self, like):
        return torch.as_tensor(self.validation_eps, dtype=like.dtype, device=like.device)

    def loss_reference(self, source):
        rows = reference_rows(source, self.generator)
        recon, kl = self.module_.loss_terms(rows, self._validation_eps(rows))
        return (recon + self.beta * kl).mean()

    @torch.no_grad()
    def validation_step(self, batch, **fit_params):
        self.module_.eval()
        recon, kl = self.module_.loss_terms(batch.X, self._validation_eps(batch.X))
        loss = self._record_parts("valid", recon.sum(), kl.sum(), len(batch.X))
        return {"loss": torch.as_tensor(loss), "y_pred": None}
