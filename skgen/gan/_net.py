"""The skorch net shared by GAN, WGAN and CGAN: one adversarial loop, k:1 updates."""

import torch
import torch.nn.functional as F
from skorch.callbacks import PassthroughScoring

from ..base import ChunkedNet, fused_optimizer_options, reference_rows
from ..metrics._torch import median_distance, unbiased_mmd2
from ._scaling import mode_specific_activation
from ._module import (
    HistoricalAverage,
    critic_loss,
    discriminator_loss,
    feature_matching_loss,
    generator_loss,
    gradient_penalty,
    pack_rows,
)


class AdversarialNet(ChunkedNet):
    """Trains a generator (``module``, registered as ``generator_``) against ``discriminator``.

    One ``train_step`` runs a chunk of mini-batches: every mini-batch of real
    rows feeds one discriminator (critic) step, and every ``n_critic``-th
    one is followed by a generator step on a fresh latent batch of the same
    size. Objectives: ``objective="gan"`` (cross-entropy discriminator,
    ``generator_loss_kind`` "non-saturating" or "minimax") or
    ``objective="wasserstein"`` (critic, ``penalty`` "gp" or "clip").

    Targets (one-hot labels) travel as the last ``n_classes`` columns of the
    chunk's rows, so conditional and unconditional models share the loop.

    The validation loss (early stopping) is the unbiased MMD^2 between the
    validation rows (at most ``VALIDATION_MAX_ROWS`` of a chunk) and up to
    ``VALIDATION_DRAWS_PER_ROW`` generated rows per validation row (with the
    same labels), summed over RBF kernels of
    bandwidths ``VALIDATION_BANDWIDTHS`` times the median distance between
    training rows, all in the network's units (standardised features by
    default). The latent draws come from ``validation_seed``, so every
    epoch is judged on the same draws.

    With ``modes_per_feature`` (mode-specific scaling) the generator's raw
    outputs pass through :func:`mode_specific_activation`: tanh offsets and
    Gumbel-softmax mode indicators, the Gumbel noise drawn from the net's
    generator (from one seeded with ``validation_seed`` when validating).
    """

    cuda_dependent_attributes_ = ["module", "discriminator"]

    # Several bandwidths see differences at several scales: one alone is blind
    # to a generator that is right on average but wrong in its details.
    VALIDATION_BANDWIDTHS = (0.25, 0.5, 1.0, 2.0, 4.0)
    VALIDATION_DRAWS_PER_ROW = 4
    VALIDATION_MAX_ROWS = 2000  # keeps the kernel matrices small

    def __init__(
        self,
        module,
        *args,
        discriminator=None,
        generator_optimizer=None,
        discriminator_optimizer=None,
        objective="gan",
        generator_loss_kind="non-saturating",
        penalty="gp",
        gp_weight=10.0,
        clip_value=0.01,
        n_critic=1,
        label_smoothing=0.0,
        feature_matching=False,
        historical_averaging=0.0,
        pack=1,
        n_components=2,
        n_classes=0,
        validation_seed=0,
        modes_per_feature=None,
        shuffle=True,
        **kwargs,
    ):
        # set before skorch's __init__: afterwards skorch refuses torch modules outside initialize_*
        self.discriminator = discriminator
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        self.objective = objective
        self.generator_loss_kind = generator_loss_kind
        self.penalty = penalty
        self.gp_weight = gp_weight
        self.clip_value = clip_value
        self.n_critic = n_critic
        self.label_smoothing = label_smoothing
        self.feature_matching = feature_matching
        self.historical_averaging = historical_averaging
        self.pack = pack
        self.n_components = n_components
        self.n_classes = n_classes
        self.validation_seed = validation_seed
        self.modes_per_feature = modes_per_feature
        self.shuffle = shuffle
        super().__init__(module, *args, **kwargs)

    # --------------------------------------------------------------- set-up
    def initialize_module(self):
        self.generator_ = self.module
        self.discriminator_ = self.discriminator
        return self

    def initialize_optimizer(self, *args, **kwargs):
        (g_class, g_kwargs), (d_class, d_kwargs) = self.generator_optimizer, self.discriminator_optimizer
        g_kwargs = {**fused_optimizer_options(g_class, self.device), **g_kwargs}
        d_kwargs = {**fused_optimizer_options(d_class, self.device), **d_kwargs}
        self.generator_optimizer_ = g_class(self.generator_.parameters(), **g_kwargs)
        self.discriminator_optimizer_ = d_class(self.discriminator_.parameters(), **d_kwargs)
        return self

    def get_default_callbacks(self):
        parts = [
            (name, PassthroughScoring(name=name, on_train=True))
            for name in ("generator_loss", "discriminator_loss", "wasserstein_estimate")
        ]
        return super().get_default_callbacks() + parts

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.steps_since_generator_ = 0
        self.averages_ = None
        if self.historical_averaging:
            self.averages_ = (HistoricalAverage(self.generator_), HistoricalAverage(self.discriminator_))
        self.validation_bandwidth_ = median_distance(reference_rows(X, self.generator, 1000))
        super().on_train_begin(net, X=X, y=y, **kwargs)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        # training-only state, not kept in the fitted (and pickled) net
        del self.steps_since_generator_, self.averages_, self.validation_bandwidth_
        super().on_train_end(net, X=X, y=y, **kwargs)

    def loss_reference(self, source):
        """The larger of the discriminator's loss at the start and the rows' typical norm.

        The norm matters for the Wasserstein critic, whose values are in the
        data's units and legitimately grow with them.
        """
        real, y_onehot = self._split(reference_rows(source, self.generator))
        fake = self.fake_rows(self.latent(real.shape[0], real), y_onehot, self.generator)
        with torch.enable_grad():  # a gradient penalty differentiates the critic
            loss, _ = self.discriminator_objective(real, fake, y_onehot)
        return max(abs(float(loss)), float(real.norm(dim=1).mean()))

    # ----------------------------------------------------------------- steps
    def _split(self, rows):
        """Data part and condition part (the last ``n_classes`` columns; None when unconditional) of chunk rows."""
        if not self.n_classes:
            return rows, None
        return rows[:, : -self.n_classes], rows[:, -self.n_classes :]

    def latent(self, n, like, generator=None):
        """n latent rows drawn from ``generator`` (default: the training generator)."""
        generator = self.generator if generator is None else generator
        return torch.randn(n, self.n_components, generator=generator, device=like.device, dtype=like.dtype)

    def fake_rows(self, z, y_onehot, noise_generator):
        """Generator output in the network scale; ``noise_generator`` draws the Gumbel noise (None: none)."""
        raw = self.generator_(z, y_onehot)
        if self.modes_per_feature is None:
            return raw
        return mode_specific_activation(raw, self.modes_per_feature, noise_generator)

    def _packed(self, x, y_onehot):
        """Rows grouped ``pack`` at a time (rows are recycled to fill the last group)."""
        n = x.shape[0]
        n_packed = -(-n // self.pack) * self.pack
        if n_packed != n:
            index = torch.arange(n_packed, device=x.device) % n
            x = x[index]
            y_onehot = None if y_onehot is None else y_onehot[index]
        y_packed = None if y_onehot is None else pack_rows(y_onehot, self.pack)
        return pack_rows(x, self.pack), y_packed

    def _discriminate(self, x, y_onehot, features=False):
        packed, y_packed = self._packed(x, y_onehot)
        if features:
            return self.discriminator_.features(packed, y_packed)
        return self.discriminator_(packed, y_packed)

    # --------------------------------------------------------- objectives
    # Models built on this loop (InfoGAN, EBGAN, ...) override these two and
    # ``latent``/``fake_rows``; the k:1 schedule, optimizers and stabilisers stay here.
    def discriminator_objective(self, real, fake, condition):
        """The discriminator's loss on a batch, and its estimate of the real/fake gap (for ``history_``)."""
        real_scores = self._discriminate(real, condition)
        fake_scores = self._discriminate(fake, condition)
        if self.objective == "wasserstein":
            loss = critic_loss(real_scores, fake_scores)
            if self.penalty == "gp":
                real_p, condition_p = self._packed(real, condition)
                fake_p, _ = self._packed(fake, condition)
                penalty = gradient_penalty(self.discriminator_, real_p, fake_p, self.generator, condition_p)
                loss = loss + self.gp_weight * penalty
        else:
            loss = discriminator_loss(real_scores, fake_scores, label_smoothing=self.label_smoothing)
        return loss, (real_scores.mean() - fake_scores.mean()).detach()

    def generator_objective(self, real, fake, condition, z):
        """The generator's loss for generated rows ``fake = G(z)`` (``real``: the batch, for feature matching)."""
        if self.feature_matching:
            real_features = self._discriminate(real, condition, features=True).detach()
            return feature_matching_loss(real_features, self._discriminate(fake, condition, features=True))
        if self.objective == "wasserstein":
            return -self._discriminate(fake, condition).mean()
        return generator_loss(self._discriminate(fake, condition), self.generator_loss_kind)

    def after_discriminator_step(self):
        """Hook after each discriminator update: the critic's weight clipping."""
        if self.objective == "wasserstein" and self.penalty == "clip":
            with torch.no_grad():
                for p in self.discriminator_.parameters():
                    p.clamp_(-self.clip_value, self.clip_value)

    # -------------------------------------------------------------- steps
    def _discriminator_step(self, real, condition):
        with torch.no_grad():
            fake = self.fake_rows(self.latent(real.shape[0], real), condition, self.generator)
        loss, estimate = self.discriminator_objective(real, fake, condition)
        if self.averages_ is not None:
            loss = loss + self.historical_averaging * self.averages_[1].penalty()
        self.discriminator_optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.discriminator_optimizer_.step()
        self.after_discriminator_step()
        if self.averages_ is not None:
            self.averages_[1].update()
        return loss.detach(), estimate

    def _generator_step(self, real, condition):
        z = self.latent(real.shape[0], real)
        loss = self.generator_objective(real, self.fake_rows(z, condition, self.generator), condition, z)
        if self.averages_ is not None:
            loss = loss + self.historical_averaging * self.averages_[0].penalty()
        self.generator_optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.generator_optimizer_.step()
        if self.averages_ is not None:
            self.averages_[0].update()
        return loss.detach()

    def train_step(self, batch, **fit_params):
        self.generator_.train()
        self.discriminator_.train()
        d_losses, g_losses, estimates = [], [], []
        for start, stop in batch.batch_bounds:
            real, y_onehot = self._split(batch.X[start:stop])
            d_loss, estimate = self._discriminator_step(real, y_onehot)
            d_losses.append(d_loss)
            estimates.append(estimate)
            self.steps_since_generator_ += 1
            if self.steps_since_generator_ == self.n_critic:
                self.steps_since_generator_ = 0
                g_losses.append(self._generator_step(real, y_onehot))
        d_loss = torch.stack(d_losses).mean()
        self.history.record_batch("discriminator_loss", float(d_loss))
        self.history.record_batch("wasserstein_estimate", float(torch.stack(estimates).mean()))
        if g_losses:
            self.history.record_batch("generator_loss", float(torch.stack(g_losses).mean()))
        return {"loss": d_loss, "y_pred": None}

    @torch.no_grad()
    def validation_step(self, batch, **fit_params):
        self.generator_.eval()
        real, y_onehot = self._split(batch.X[: self.VALIDATION_MAX_ROWS])
        draws = max(1, min(self.VALIDATION_DRAWS_PER_ROW, self.VALIDATION_MAX_ROWS // len(real)))
        fake_onehot = None if y_onehot is None else y_onehot.repeat(draws, 1)
        # the same draws every epoch: a fresh generator from the fixed validation seed
        noise_generator = torch.Generator(device=real.device).manual_seed(self.validation_seed)
        z = self.latent(draws * len(real), real, noise_generator)
        fake = self.fake_rows(z, fake_onehot, noise_generator)
        if self.n_classes:
            real, fake = torch.cat([real, y_onehot], 1), torch.cat([fake, fake_onehot], 1)
        if len(real) < 2:
            return {"loss": F.mse_loss(fake.mean(dim=0), real[0]), "y_pred": None}
        bandwidths = [factor * self.validation_bandwidth_ for factor in self.VALIDATION_BANDWIDTHS]
        loss = unbiased_mmd2(real, fake, bandwidths)
        return {"loss": loss, "y_pred": None}
