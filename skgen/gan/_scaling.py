"""CTGAN's mode-specific normalisation: how GANs can see multimodal tabular features."""

import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture


class ModeSpecificScaling:
    """Mode-specific normalisation of every feature (Xu et al. 2019, CTGAN).

    Each feature gets a one-dimensional variational Gaussian mixture (at most
    ``max_modes`` components; those with weight below ``min_weight`` are
    dropped). A value x whose most probable mode is k, with mean mu_k and
    standard deviation sigma_k, becomes 1 + n_modes network columns:
    alpha = (x - mu_k) / (4 sigma_k), clipped to [-0.99, 0.99], and the
    one-hot indicator of k. Decoding inverts this with k the largest
    indicator, so a multimodal feature turns into a choice among modes (a
    categorical variable the generator draws by Gumbel-softmax) plus a small
    offset, which spares the generator from spreading one continuous output
    over several far-apart peaks.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    random_state : int
        Seeds the mixtures' initialisation.
    max_modes : int, default=10
    min_weight : float, default=0.005
    """

    def __init__(self, X, *, random_state, max_modes=10, min_weight=0.005):
        self.means, self.stds, self.log_weights = [], [], []
        for j in range(X.shape[1]):
            column = X[:, j].astype(np.float64)  # one column at a time: no float64 copy of X
            weights, means, stds = self._fit_modes(column, random_state, max_modes, min_weight)
            self.log_weights.append(np.log(weights / weights.sum()))
            self.means.append(means)
            self.stds.append(stds)
        self.modes_per_feature = [len(means) for means in self.means]
        self.n_outputs = sum(1 + k for k in self.modes_per_feature)

    @staticmethod
    def _fit_modes(column, random_state, max_modes, min_weight):
        n_components = min(max_modes, len(np.unique(column)))
        if n_components < 2:  # constant feature: one mode
            return np.ones(1), np.array([column.mean()]), np.ones(1)
        mixture = BayesianGaussianMixture(
            n_components=n_components,
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=1e-3,
            random_state=random_state,
        )
        with warnings.catch_warnings():
            # a mixture that has not fully converged still separates the modes
            warnings.simplefilter("ignore", ConvergenceWarning)
            mixture.fit(column[:, None])
        keep = mixture.weights_ > min_weight
        if not keep.any():
            keep = mixture.weights_ == mixture.weights_.max()
        stds = np.sqrt(mixture.covariances_.reshape(-1)[keep])
        return mixture.weights_[keep], mixture.means_.reshape(-1)[keep], np.maximum(stds, 1e-6 * (np.ptp(column) or 1.0))

    def _log_densities(self, column, j):
        """Log posterior of each mode of feature j up to a constant, shape (n, n_modes)."""
        z = (column[:, None] - self.means[j]) / self.stds[j]
        return self.log_weights[j] - 0.5 * z**2 - np.log(self.stds[j])

    def transform(self, X):
        blocks = []
        for j in range(X.shape[1]):
            column = X[:, j].astype(np.float64)
            mode = np.argmax(self._log_densities(column, j), axis=1)
            alpha = np.clip((column - self.means[j][mode]) / (4 * self.stds[j][mode]), -0.99, 0.99)
            onehot = np.zeros((len(column), self.modes_per_feature[j]))
            onehot[np.arange(len(column)), mode] = 1.0
            blocks += [alpha[:, None], onehot]
        return np.hstack(blocks).astype(X.dtype, copy=False)

    def inverse_transform(self, rows):
        columns, start = [], 0
        for means, stds in zip(self.means, self.stds):
            alpha = np.clip(rows[:, start], -1.0, 1.0)
            mode = np.argmax(rows[:, start + 1 : start + 1 + len(means)], axis=1)
            columns.append(alpha * 4 * stds[mode] + means[mode])
            start += 1 + len(means)
        return np.stack(columns, axis=1)


def mode_specific_activation(raw, modes_per_feature, generator, tau=0.2):
    """The generator's raw outputs as mode-specific rows: tanh offsets, Gumbel-softmax mode indicators.

    With ``generator`` None no Gumbel noise is added (the mode indicators
    are the softmax of the logits, so decoding picks the most probable mode).
    """
    blocks, start = [], 0
    for n_modes in modes_per_feature:
        logits = raw[:, start + 1 : start + 1 + n_modes]
        if generator is not None:
            gumbel = -torch.empty_like(logits).exponential_(generator=generator).log()
            logits = logits + gumbel
        blocks += [torch.tanh(raw[:, start : start + 1]), torch.softmax(logits / tau, dim=1)]
        start += 1 + n_modes
    return torch.cat(blocks, dim=1)
