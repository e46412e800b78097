"""Test-session settings."""

import os

# scikit-learn's estimator checks skip their array-API input check unless
# SciPy's array-API mode is on; it must be set before SciPy is imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
