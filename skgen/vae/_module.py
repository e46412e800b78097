"""The variational autoencoder as a pure torch module: ELBO parts and importance weights.

Encoder q(z|x) = N(mu(x), diag exp(log_var(x))), prior p(z) = N(0, I), decoder
p(x|z) Bernoulli (the decoder returns logits) or Gaussian (the decoder returns
means, and the per-feature output variance is a parameter of this module with
a floor, unless the decoder returns ``(means, log_var)`` itself).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..sampling import bernoulli_sample

_LOG_2PI = math.log(2 * math.pi)


class GaussianEncoder(nn.Module):
    """Wraps a network with 2 * n_components outputs as an encoder returning (mu, log_var)."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        mu, log_var = self.body(x).chunk(2, dim=-1)
        return mu, log_var


def standard_normal_log_density(z):
    """log N(z; 0, I) summed over the last dimension."""
    return -0.5 * (z**2 + _LOG_2PI).sum(dim=-1)


def gaussian_kl_to_standard_normal(mu, log_var):
    """KL(N(mu, diag exp(log_var)) || N(0, I)) per row, in closed form."""
    return 0.5 * (mu**2 + torch.exp(log_var) - 1.0 - log_var).sum(dim=-1)


class VAEModule(nn.Module):
    """Encoder, decoder and likelihood of a VAE.

    Parameters
    ----------
    encoder : nn.Module
        Maps rows x to ``(mu, log_var)``, each of shape (n, n_components).
    decoder : nn.Module
        Maps latent rows z to logits (Bernoulli) or means (Gaussian) of
        shape (n, n_features), or, for a Gaussian, to ``(means, log_var)``.
    likelihood : {"bernoulli", "gaussian"}
    feature_variance : tensor of shape (n_features,) or None
        Gaussian only: the training data's per-feature variance (1 where it
        is 0). The learned output variance starts there and never goes below
        1e-6 times it.
    """

    def __init__(self, encoder, decoder, *, likelihood, feature_variance=None):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.likelihood = likelihood
        if likelihood == "gaussian":
            variance = torch.as_tensor(feature_variance, dtype=torch.float32)
            self.output_log_var_raw = nn.Parameter(torch.log(variance))
            self.register_buffer("output_var_floor", 1e-6 * variance)

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        """Decoder output: logits (Bernoulli) or (means, log variances) (Gaussian)."""
        out = self.decoder(z)
        if self.likelihood == "bernoulli" or isinstance(out, tuple):
            return out
        log_var = torch.log(self.output_var_floor + torch.exp(self.output_log_var_raw))
        return out, log_var.expand_as(out)

    def log_likelihood(self, x, decoded):
        """log p(x|z) per row; ``x`` broadcasts against the decoder output."""
        if self.likelihood == "bernoulli":
            logits = decoded
            return -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(dim=-1)
        mean, log_var = decoded
        return -0.5 * (_LOG_2PI + log_var + (x - mean) ** 2 * torch.exp(-log_var)).sum(dim=-1)

    def mean(self, decoded):
        """E[x|z] from the decoder output."""
        return torch.sigmoid(decoded) if self.likelihood == "bernoulli" else decoded[0]

    def sample_x(self, decoded, generator):
        """A draw x ~ p(x|z) from the decoder output."""
        if self.likelihood == "bernoulli":
            return bernoulli_sample(torch.sigmoid(decoded), generator)
        mean, log_var = decoded
        noise = torch.empty_like(mean).normal_(generator=generator)
        return mean + noise * torch.exp(0.5 * log_var)

    def loss_terms(self, x, eps):
        """Per-row reconstruction loss -log p(x|z) and KL(q(z|x) || p(z)), z = mu + sigma * eps."""
        mu, log_var = self.encode(x)
        z = mu + torch.exp(0.5 * log_var) * eps
        return -self.log_likelihood(x, self.decode(z)), gaussian_kl_to_standard_normal(mu, log_var)

    def log_importance_weights(self, x, eps):
        """log p(x|z_k) + log p(z_k) - log q(z_k|x) for z_k = mu + sigma * eps_k, shape (n, K).

        ``eps`` has shape (K, n_components) and is shared by every row.
        """
        mu, log_var = self.encode(x)
        z = mu.unsqueeze(1) + torch.exp(0.5 * log_var).unsqueeze(1) * eps.unsqueeze(0)  # (n, K, d)
        n, k, d = z.shape
        decoded = self.decode(z.reshape(n * k, d))
        if isinstance(decoded, tuple):
            decoded = tuple(part.reshape(n, k, -1) for part in decoded)
        else:
            decoded = decoded.reshape(n, k, -1)
        log_px = self.log_likelihood(x.unsqueeze(1), decoded)
        # z is an affine map of eps: log q(z|x) = log N(eps; 0, I) - sum_j log sigma_j
        log_qz = standard_normal_log_density(eps).unsqueeze(0) - 0.5 * log_var.sum(dim=-1, keepdim=True)
        return log_px + standard_normal_log_density(z) - log_qz
