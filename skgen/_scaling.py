"""Per-feature affine maps between the data's units and the units a network trains in."""

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
    def standard(cls, data):
        """Per-feature mean and standard deviation of a RowSource (1 for constant features)."""
        std = np.sqrt(data.column_variance())
        return cls(data.column_mean(), np.where(std > 0, std, 1.0))

    @classmethod
    def minmax(cls, data):
        """One range for all features onto [-1, 1]: keeps images' contrast."""
        low, high = data.value_range()
        half_range = (high - low) / 2 if high > low else 1.0
        return cls(np.full(data.n_features, (low + high) / 2), np.full(data.n_features, half_range))

    @classmethod
    def identity(cls, data):
        return cls(np.zeros(data.n_features), np.ones(data.n_features))

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


def is_far_from_unit_scale(data, factor=10.0):
    """True when a feature's standard deviation, or its mean, is far (``factor``) from unit scale.

    Constant features are left out: scaling cannot help them.
    """
    std = np.sqrt(data.column_variance())
    varying = std > 0
    if not varying.any():
        return False
    std, mean = std[varying], np.abs(data.column_mean()[varying])
    return bool(std.max() > factor or std.min() < 1 / factor or (mean > factor * np.maximum(std, 1.0)).any())
