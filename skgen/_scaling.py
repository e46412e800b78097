"""Per-feature affine maps between the data's units and the units a network trains in."""

import math

import numpy as np
import torch


class AffineScaling:
    """Network row = (x - shift) / spread, per feature.

    ``shift`` and ``spread`` are float64 NumPy arrays (so a fitted model
    pickles without device tensors); the maps accept NumPy arrays and torch
    tensors alike and keep their dtype and device.
    """

    def __init__(self, shift, spread):
        self.shift = np.asarray(shift, dtype=np.float64)
        self.spread = np.asarray(spread, dtype=np.float64)
        self.n_outputs = len(self.shift)
        self.modes_per_feature = None

    @classmethod
    def standard(cls, statistics):
        """Per-feature mean and standard deviation (1 for constant features)."""
        std = np.sqrt(statistics.variance)
        return cls(statistics.mean, np.where(std > 0, std, 1.0))

    @classmethod
    def minmax(cls, statistics):
        """One range for all features onto [-1, 1]: keeps images' contrast."""
        low, high = float(statistics.minimum.min()), float(statistics.maximum.max())
        n_features = len(statistics.mean)
        half_range = (high - low) / 2 if high > low else 1.0
        return cls(np.full(n_features, (low + high) / 2), np.full(n_features, half_range))

    @classmethod
    def identity(cls, statistics):
        n_features = len(statistics.mean)
        return cls(np.zeros(n_features), np.ones(n_features))

    @property
    def log_jacobian(self):
        """log |d network row / d x| = -sum log spread: converts densities between the two units."""
        return -float(np.log(self.spread).sum())

    @property
    def is_identity(self):
        return not (self.shift.any() or (self.spread != 1).any())

    def _like(self, values, rows):
        if isinstance(rows, torch.Tensor):
            return torch.as_tensor(values, dtype=rows.dtype, device=rows.device)
        return values.astype(rows.dtype, copy=False)

    def transform(self, rows):
        """Data rows -> network rows (a new array or tensor, never the input itself)."""
        shift, spread = self._like(self.shift, rows), self._like(self.spread, rows)
        return (rows - shift) / spread

    def inverse_transform(self, rows):
        """Network rows -> data rows."""
        shift, spread = self._like(self.shift, rows), self._like(self.spread, rows)
        return rows * spread + shift


def standard_deviation_range(statistics):
    """(smallest, largest) standard deviation among the non-constant features, or (1, 1)."""
    std = np.sqrt(statistics.variance)
    std = std[std > 0]
    return (float(std.min()), float(std.max())) if std.size else (1.0, 1.0)


def is_far_from_unit_scale(statistics, factor=10.0):
    """True when a feature's mean or standard deviation is more than ``factor`` away from 0 and 1."""
    low, high = standard_deviation_range(statistics)
    largest_mean = float(np.abs(statistics.mean).max()) if len(statistics.mean) else 0.0
    return high > factor or low < 1 / factor or largest_mean > factor * max(high, 1.0) or not math.isfinite(high)
