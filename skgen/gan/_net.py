"""The skorch net shared by GAN, WGAN and CGAN: one adversarial loop, k:1 updates."""

import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from skorch.callbacks import EarlyStopping, PassthroughScoring

from ..base import ChunkedNet, fused_optimizer_options, reference_rows
from ..metrics._torch import median_distance, unbiased_mmd2
from ._scaling import mode_specific_activation
from ._module import (
    ConvDiscriminator,
    HistoricalAverage,
    MLPDiscriminator,
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
    validation rows (at most ``VALIDATION_MAX_ROWS`` of a chunk) and
    generated rows with the same labels: ``VALIDATION_DRAWS_PER_ROW`` per
    validation row, more on small validation sets so that there are at least
    ``VALIDATION_MIN_DRAWS`` (never more than ``VALIDATION_MAX_ROWS`` in
    all, nor fewer than one per row), summed over RBF kernels of bandwidths
    ``VALIDATION_BANDWIDTHS`` times the median distance between training
    rows, all in the network's units (standardised features by default).
    The latent draws come from ``validation_seed``, so every epoch is judged
    on the same draws.

    ``validation_warmup`` generator steps (counted over the net's life,
    ``generator_steps_``) come first: the validation loss of an epoch that
    ends before them is recorded but never counts as the best (so early
    stopping never keeps a model from the warm-up), and
    :class:`WarmedUpEarlyStopping` does not count those epochs either.

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
    VALIDATION_MIN_DRAWS = 500  # a few dozen validation rows still get a stable estimate
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
        validation_warmup=0,
        generator_average=0.0,
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
        self.validation_warmup = validation_warmup
        self.generator_average = generator_average
        self.modes_per_feature = modes_per_feature
        self.shuffle = shuffle
        super().__init__(module, *args, **kwargs)

    # --------------------------------------------------------------- set-up
    def initialize_module(self):
        self.generator_ = self.module
        self.discriminator_ = self.discriminator
        self.generator_steps_ = 0
        if self.generator_average:
            self._start_average()
        return self

    def _start_average(self):
        """Register ``generator_average_``, the moving average of the generator, as a copy of it."""
        with self._current_init_context("module"):
            self.generator_average_ = copy.deepcopy(self.generator_).eval().requires_grad_(False)

    @property
    def _averaged(self):
        """The generator's moving average when it is on (``generator_average`` > 0), else None."""
        return getattr(self, "generator_average_", None) if self.generator_average else None

    @torch.no_grad()
    def _update_average(self):
        """One step of the moving average after a generator step.

        The decay ramps up as min(generator_average, (1 + t) / (10 + t)) with
        t the generator steps so far (as TensorFlow's ExponentialMovingAverage
        with num_updates), so the random initial weights are soon forgotten.
        """
        average = self._averaged
        if average is None:
            return
        t = self.generator_steps_
        decay = min(self.generator_average, (1.0 + t) / (10.0 + t))
        torch._foreach_lerp_(list(average.parameters()), list(self.generator_.parameters()), 1.0 - decay)
        for kept, current in zip(average.buffers(), self.generator_.buffers()):
            kept.copy_(current)

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
        callbacks = [
            (name, _ScoringAfterWarmup(name="valid_loss") if name == "valid_loss" else callback)
            for name, callback in super().get_default_callbacks()
        ]
        return callbacks + parts

    def in_validation_warmup(self):
        """Whether the net has made fewer than ``validation_warmup`` generator steps so far."""
        return getattr(self, "generator_steps_", 0) < self.validation_warmup

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        if self.generator_average and getattr(self, "generator_average_", None) is None:
            self._start_average()  # turned on after the net was built (partial_fit)
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
        """Generator output in the network scale; ``noise_generator`` draws the Gumbel noise (None: none).

        A generator in training mode generates with its current weights; in
        eval mode (sampling, validation) with their moving average when
        ``generator_average`` is on.
        """
        average = self._averaged
        generator = self.generator_ if average is None or self.generator_.training else average
        raw = generator(z, y_onehot)
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
    def _discriminate_both(self, real, fake, condition):
        """Discriminator outputs of ``real`` and of ``fake`` rows (both with labels ``condition``).

        The default MLP discriminator without minibatch features judges every
        row on its own, so both batches go through it in one pass (fewer,
        larger matrix products); other discriminators see them separately.
        """
        discriminator = self.discriminator_
        if type(discriminator) is not MLPDiscriminator or discriminator.minibatch is not None:
            return self._discriminate(real, condition), self._discriminate(fake, condition)
        real_packed, condition_packed = self._packed(real, condition)
        fake_packed, _ = self._packed(fake, condition)
        if condition_packed is not None:
            condition_packed = torch.cat([condition_packed, condition_packed])
        scores = discriminator(torch.cat([real_packed, fake_packed]), condition_packed)
        return scores[: len(real_packed)], scores[len(real_packed) :]

    def discriminator_objective(self, real, fake, condition):
        """The discriminator's loss on a batch, and its estimate of the real/fake gap (for ``history_``)."""
        real_scores, fake_scores = self._discriminate_both(real, fake, condition)
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
        """The generator's loss for generated rows ``fake = G(z)`` (``real``: the batch, for feature matching).

        ``feature_matching``: False or 0, the adversarial loss alone; a
        positive weight w, the adversarial loss plus w times the squared
        distance between the mean discriminator features of ``real`` and
        ``fake``; True, that distance alone (Salimans et al. 2016).
        """
        weight = self.feature_matching
        if not weight:
            return self._adversarial_generator_loss(self._discriminate(fake, condition))
        with torch.no_grad():
            real_features = self._discriminate(real, condition, features=True)
        fake_features = self._discriminate(fake, condition, features=True)
        if weight is True:
            return feature_matching_loss(real_features, fake_features)
        per_class = condition if self.pack == 1 else None
        matching = feature_matching_loss(real_features, fake_features, per_class)
        fake_scores = self._scores_from_features(fake_features, fake, condition)
        return self._adversarial_generator_loss(fake_scores) + weight * matching

    def _adversarial_generator_loss(self, fake_scores):
        if self.objective == "wasserstein":
            return -fake_scores.mean()
        return generator_loss(fake_scores, self.generator_loss_kind)

    def _scores_from_features(self, features, x, condition):
        """Discriminator outputs of ``x`` given its features: one more layer for the default networks."""
        if type(self.discriminator_) in (MLPDiscriminator, ConvDiscriminator):
            return self.discriminator_.output(features).squeeze(1)
        return self._discriminate(x, condition)

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
        loss.backward(inputs=_trained_parameters(self.discriminator_optimizer_))
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
        # gradients for the generator's parameters only: the discriminator's are not needed here
        loss.backward(inputs=_trained_parameters(self.generator_optimizer_))
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
                self.generator_steps_ = getattr(self, "generator_steps_", 0) + 1
                self._update_average()
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
        draws = max(self.VALIDATION_DRAWS_PER_ROW, math.ceil(self.VALIDATION_MIN_DRAWS / len(real)))
        draws = max(1, min(draws, self.VALIDATION_MAX_ROWS // len(real)))
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


def _trained_parameters(optimizer):
    """The parameters an optimizer updates (those that take gradients)."""
    return [p for group in optimizer.param_groups for p in group["params"] if p.requires_grad]


class _ScoringAfterWarmup(PassthroughScoring):
    """skorch's PassthroughScoring, except that no epoch of the net's validation warm-up is the best."""

    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)
        best = self.name + "_best"
        if best in net.history[-1] and net.in_validation_warmup():
            net.history.record(best, False)
            self.forget_best()

    def forget_best(self):
        """The next epoch's score is the best (compared only with the epochs after it)."""
        self.best_score_ = np.inf if self.lower_is_better else -np.inf


class WarmedUpEarlyStopping(EarlyStopping):
    """skorch's EarlyStopping, counting only the epochs after the net's validation warm-up, with rate drops.

    The warm-up's epochs neither stop training nor set the score to beat.
    After it, ``patience`` epochs without improvement make a plateau. The
    first ``rate_drops`` plateaus do not stop training: they divide the
    generator's and the discriminator's learning rates by ``RATE_DIVISOR``
    and start the comparison afresh (the best score is forgotten, so the
    epoch kept is the best at the lowest rates); the next plateau stops it.
    ``history`` records ``rate_drops``, the drops before the epoch's end, in
    every epoch after the warm-up. The rates are restored when training ends.

    Why: a GAN's samples keep fluctuating at a constant rate, and an MMD^2 to
    a few dozen validation rows cannot tell a lucky epoch from a good one;
    at lowered rates the model settles, and the settled model was as good as
    the best of 500 epochs at the full rate or better (GAN and CGAN on
    breast_cancer, ``benchmarks/bench_early_stopping.py``).
    """

    RATE_DIVISOR = 5.0

    def __init__(self, *args, rate_drops=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.rate_drops = rate_drops

    def _optimizers(self, net):
        return (net.generator_optimizer_, net.discriminator_optimizer_)

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.rate_drops_ = 0
        self.initial_rates_ = [[group["lr"] for group in opt.param_groups] for opt in self._optimizers(net)]

    def on_epoch_end(self, net, **kwargs):
        if net.in_validation_warmup():
            return
        net.history.record("rate_drops", self.rate_drops_)
        plateau = self.misses_ + 1 >= self.patience and not self._is_score_improved(net.history[-1, self.monitor])
        if plateau and self.rate_drops_ < self.rate_drops:
            self.rate_drops_ += 1
            for optimizer in self._optimizers(net):
                for group in optimizer.param_groups:
                    group["lr"] /= self.RATE_DIVISOR
            self.misses_ = 0
            self.dynamic_threshold_ = np.inf if self.lower_is_better else -np.inf
            dict(net.callbacks_)[self.monitor].forget_best()
        else:
            super().on_epoch_end(net, **kwargs)

    def on_train_end(self, net, **kwargs):
        super().on_train_end(net, **kwargs)
        for optimizer, rates in zip(self._optimizers(net), self.initial_rates_):
            for group, rate in zip(optimizer.param_groups, rates):
                group["lr"] = rate
