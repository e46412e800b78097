"""Adversarial networks and losses as pure torch code.

Networks follow the design notes' contract: a generator maps latent rows
(and, when conditional, one-hot labels) to data rows; a discriminator maps
data rows (and one-hot labels) to one logit per row and has a ``features``
method giving its penultimate layer. Data rows may be *packed* (PacGAN):
``pack`` rows concatenated into one discriminator input.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ..nn import MLP, ConvDecoder, ConvEncoder


def _with_condition(x, y_onehot):
    return x if y_onehot is None else torch.cat([x, y_onehot], dim=1)


class MLPGenerator(nn.Module):
    """z (and one-hot y) -> MLP with ReLU hidden layers -> data row (linear output)."""

    def __init__(self, n_components, hidden_layer_sizes, n_features, n_classes=0):
        super().__init__()
        self.net = MLP(n_components + n_classes, hidden_layer_sizes, n_features)

    def forward(self, z, y_onehot=None):
        return self.net(_with_condition(z, y_onehot))


class ConvGenerator(nn.Module):
    """DCGAN generator: z (and one-hot y) -> transposed convolutions with batch norm -> tanh image rows."""

    def __init__(self, n_components, image_shape, n_classes=0):
        super().__init__()
        self.net = ConvDecoder(n_components + n_classes, image_shape, batch_norm=True, output_activation=nn.Tanh())

    def forward(self, z, y_onehot=None):
        return self.net(_with_condition(z, y_onehot))


class MinibatchDiscrimination(nn.Module):
    """Minibatch features of Salimans et al. (2016): how close each row is to the others.

    For features f (n, A) and a learned tensor T (A, B, C): M = f T (n, B, C),
    o(x_i)_b = sum_j exp(-||M_ib - M_jb||_1) over the rows j of a reference
    batch. In training the reference is the mini-batch itself; in eval mode
    it is the last training batch's features (kept as a buffer), so scores
    and features of a row do not depend on which rows are scored with it.
    """

    def __init__(self, n_inputs, n_kernels=16, kernel_dim=8):
        super().__init__()
        self.T = nn.Parameter(torch.randn(n_inputs, n_kernels * kernel_dim) * 0.1)
        self.n_kernels, self.kernel_dim = n_kernels, kernel_dim
        self.register_buffer("reference", torch.zeros(0, n_kernels, kernel_dim))

    def forward(self, f):
        M = (f @ self.T).view(-1, self.n_kernels, self.kernel_dim)
        if self.training:
            self.reference = M.detach()
            reference = M
        else:
            reference = self.reference if len(self.reference) else M
        distances = (M.unsqueeze(1) - reference.unsqueeze(0)).abs().sum(dim=3)  # (n, n_ref, B)
        return torch.cat([f, torch.exp(-distances).sum(dim=1)], dim=1)


class MLPDiscriminator(nn.Module):
    """(Packed) data rows (and one-hot y) -> LeakyReLU(0.2) MLP -> one logit per input.

    Parameters
    ----------
    n_inputs : int
        Width of a packed input: pack * n_features (+ pack * n_classes).
    hidden_layer_sizes : tuple of int
    minibatch_features : bool, default=False
        Add a :class:`MinibatchDiscrimination` layer before the output.
    """

    def __init__(self, n_inputs, hidden_layer_sizes, *, minibatch_features=False):
        super().__init__()
        widths = [n_inputs, *hidden_layer_sizes]
        layers = []
        for n_in, n_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(n_in, n_out), nn.LeakyReLU(0.2)]
        self.body = nn.Sequential(*layers)
        self.minibatch = MinibatchDiscrimination(widths[-1]) if minibatch_features else None
        n_last = widths[-1] + (self.minibatch.n_kernels if minibatch_features else 0)
        self.output = nn.Linear(n_last, 1)

    def features(self, x, y_onehot=None):
        features = self.body(_with_condition(x, y_onehot))
        return self.minibatch(features) if self.minibatch is not None else features

    def forward(self, x, y_onehot=None):
        return self.output(self.features(x, y_onehot)).squeeze(1)


class ConvDiscriminator(nn.Module):
    """DCGAN discriminator: strided convolutions, LeakyReLU(0.2), optional batch norm -> one logit.

    Labels enter as constant extra channels; packed inputs stack their images
    along the channel axis.
    """

    def __init__(self, image_shape, *, n_classes=0, pack=1, batch_norm=True, minibatch_features=False):
        super().__init__()
        channels, height, width = image_shape
        self.spatial = (height, width)
        self.n_label_channels = pack * n_classes
        in_shape = (pack * channels + self.n_label_channels, height, width)
        self.encoder = ConvEncoder(in_shape, 1, negative_slope=0.2, batch_norm=batch_norm)
        self.minibatch = MinibatchDiscrimination(self.encoder.n_features) if minibatch_features else None
        n_last = self.encoder.n_features + (self.minibatch.n_kernels if minibatch_features else 0)
        self.output = nn.Linear(n_last, 1)

    def features(self, x, y_onehot=None):
        if y_onehot is not None:
            label_maps = y_onehot[:, :, None, None].expand(-1, -1, *self.spatial)
            x = torch.cat([x, label_maps.flatten(1)], dim=1)
        features = self.encoder.features(x)
        return self.minibatch(features) if self.minibatch is not None else features

    def forward(self, x, y_onehot=None):
        return self.output(self.features(x, y_onehot)).squeeze(1)


def pack_rows(x, pack):
    """Concatenate groups of ``pack`` consecutive rows into one row (PacGAN)."""
    return x if pack == 1 else x.reshape(x.shape[0] // pack, pack * x.shape[1])


# ----------------------------------------------------------------- losses
def discriminator_loss(real_logits, fake_logits, *, label_smoothing=0.0):
    """-[log D(x) + log(1 - D(G(z)))], averaged; one-sided smoothing sets the real target to 1 - smoothing."""
    real_target = torch.full_like(real_logits, 1.0 - label_smoothing)
    real = F.binary_cross_entropy_with_logits(real_logits, real_target)
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return real + fake


def generator_loss(fake_logits, kind):
    """"non-saturating": -log D(G(z)); "minimax": log(1 - D(G(z))) (minimised by the generator)."""
    if kind == "non-saturating":
        return F.softplus(-fake_logits).mean()
    return -F.softplus(fake_logits).mean()


def feature_matching_loss(real_features, fake_features, y_onehot=None):
    """||E f(x) - E f(G(z))||^2 on the discriminator's features (Salimans et al. 2016).

    With ``y_onehot`` (the labels of both batches, row by row) the means are
    taken per class and the squared distances averaged with the classes'
    shares of the batch: sum_k n_k / n ||E[f(x) | k] - E[f(G(z)) | k]||^2.
    """
    if y_onehot is None:
        return ((real_features.mean(dim=0) - fake_features.mean(dim=0)) ** 2).sum()
    counts = y_onehot.sum(dim=0)
    gap = y_onehot.T @ (real_features - fake_features) / counts.clamp(min=1).unsqueeze(1)
    return (counts / len(y_onehot) * (gap**2).sum(dim=1)).sum()


def critic_loss(real_scores, fake_scores):
    """Wasserstein critic loss E[f(fake)] - E[f(real)]."""
    return fake_scores.mean() - real_scores.mean()


def gradient_penalty(critic, real, fake, generator, y_onehot=None):
    """E[(||grad_x f(x_hat)||_2 - 1)^2] on random interpolates x_hat = u x + (1 - u) x_fake (Gulrajani et al. 2017)."""
    u = torch.rand(real.shape[0], 1, generator=generator, device=real.device, dtype=real.dtype)
    interpolates = (u * real + (1 - u) * fake).requires_grad_(True)
    scores = critic(interpolates, y_onehot)
    (gradients,) = torch.autograd.grad(scores.sum(), interpolates, create_graph=True)
    return ((gradients.norm(2, dim=1) - 1) ** 2).mean()


class HistoricalAverage:
    """Penalty ||theta - mean of past theta||^2 of Salimans et al. (2016), for one network."""

    def __init__(self, module):
        self.params = [p for p in module.parameters() if p.requires_grad]
        self.means = [p.detach().clone() for p in self.params]
        self.count = 1

    def penalty(self):
        return sum(((p - m) ** 2).sum() for p, m in zip(self.params, self.means))

    @torch.no_grad()
    def update(self):
        self.count += 1
        for p, m in zip(self.params, self.means):
            m.add_(p - m, alpha=1.0 / self.count)
