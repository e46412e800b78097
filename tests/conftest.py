"""Test-session settings: the device every test runs its estimators on.

``SKGEN_TEST_DEVICE=cuda python -m pytest`` runs the whole suite on a GPU;
the CPU is the default.
"""

import os

# Under pytest-xdist each worker gets its share of the cores. Thread pools
# sized for the whole machine in every worker spin against each other: with
# 16 workers on 16 cores, the tests of scikit-learn's OpenMP classifiers
# (skgen.metrics.c2st) ran some 30 times slower and the H200 run timed out.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
_CORES_PER_WORKER = max(1, (os.cpu_count() or 1) // _WORKERS)
if _WORKERS > 1:
    os.environ.setdefault("OMP_NUM_THREADS", str(_CORES_PER_WORKER))

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

if _WORKERS > 1:  # the OpenMP and BLAS libraries loaded before the variable was read
    threadpool_limits(_CORES_PER_WORKER)
    torch.set_num_threads(_CORES_PER_WORKER)

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
