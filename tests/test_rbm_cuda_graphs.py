"""The RBM's CUDA-graph path: replays match eager updates, and a failed capture falls back to them.

The capture itself needs CUDA; its fallback and bookkeeping are exercised on
any device by standing in for the two CUDA-only steps.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from conftest import DEVICE, ON_GPU, assert_reproducible
from skgen import BernoulliRBM
from skgen.rbm._net import CapturedUpdates, RBMNet

X = (load_digits().data[:300] > 7).astype(np.float32)


def _fit(**params):
    return BernoulliRBM(n_components=16, n_iter=3, batch_size=32, random_state=0, device=DEVICE, **params).fit(X)


def test_failed_capture_goes_on_with_eager_updates(monkeypatch):
    reference = _fit()

    def always_captured(net, *args, **kwargs):  # the CUDA path, whatever the device
        original_on_train_begin(net, *args, **kwargs)
        net.captured_ = CapturedUpdates(net)

    def failing_capture(self, v_pos, averaging):
        raise RuntimeError("operation not permitted when stream is capturing")

    original_on_train_begin = RBMNet.on_train_begin
    monkeypatch.setattr(RBMNet, "on_train_begin", always_captured)
    monkeypatch.setattr(CapturedUpdates, "_on_side_stream", lambda self, fn: fn())
    monkeypatch.setattr(CapturedUpdates, "_capture", failing_capture)
    with pytest.warns(RuntimeWarning, match="CUDA graph capture of the RBM update failed"):
        fallback = _fit()
    np.testing.assert_allclose(fallback.components_, reference.components_, rtol=1e-6)
    np.testing.assert_allclose(fallback.intercept_visible_, reference.intercept_visible_, rtol=1e-6)


@pytest.mark.skipif(not ON_GPU, reason="CUDA graphs need a CUDA device")
@pytest.mark.parametrize("average", [False, 300])
def test_captured_updates_match_eager_ones(monkeypatch, average):
    captured = _fit(average=average)
    monkeypatch.setattr(RBMNet, "use_cuda_graphs", False)
    eager = _fit(average=average)
    # the same draws from the same generator; only the kernels' summation order may differ
    np.testing.assert_allclose(captured.components_, eager.components_, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(not ON_GPU, reason="isolates a reproducibility failure seen on CUDA only")
@pytest.mark.parametrize("use_cuda_graphs", [True, False])
def test_same_seed_same_model_after_a_fit_of_another_shape(monkeypatch, use_cuda_graphs):
    """On an H200 at commit 7841d12, DBN layers fitted twice with one seed differed by up to 1e-2,
    and so did two fits of a 24-unit BernoulliRBM in the estimator checks. Between its two layer
    fits a DBN fits a layer of another shape and transforms; so does this test, with and without
    the captured updates. Both passed on the H200 at b6a2da9 (one capture stream per fit), as did
    those checks; the cause at 7841d12 was not isolated, so this guards against its return."""
    monkeypatch.setattr(RBMNet, "use_cuda_graphs", use_cuda_graphs)
    first = _fit()
    features = first.transform(X)
    BernoulliRBM(n_components=8, n_iter=2, batch_size=10, random_state=1, device=DEVICE).fit(features).transform(features)
    again = _fit()
    assert_reproducible(again.components_, first.components_)
    assert_reproducible(again.transform(X), first.transform(X))
