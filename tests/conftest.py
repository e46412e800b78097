"""Test-session settings: the device every test runs its estimators on.

``SKGEN_TEST_DEVICE=cuda python -m pytest`` runs the whole suite on a GPU;
the CPU is the default.
"""

import os

import numpy as np
import pytest
import torch

# scikit-learn's estimator checks skip their array-API input check unless
# SciPy's array-API mode is on; it must be set before SciPy is imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

DEVICE = os.environ.get("SKGEN_TEST_DEVICE", "cpu")
ON_GPU = torch.device(DEVICE).type != "cpu"


@pytest.fixture
def device():
    """The device tests put their estimators and tensors on."""
    return DEVICE


def assert_reproducible(actual, expected):
    """Results that the same seed and computation must give again: to the last bit on the CPU;
    on a GPU within float tolerance, since its kernels do not promise bitwise-equal reductions."""
    if ON_GPU:
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_array_equal(actual, expected)
