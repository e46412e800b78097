"""cuDNN's deterministic algorithms while skgen trains, the user's setting restored after."""

import threading
from contextlib import contextmanager

import torch

_lock = threading.Lock()
_fits_running = 0
_users_setting = None


@contextmanager
def deterministic_cudnn(device):
    """Within the block, cuDNN uses deterministic algorithms when ``device`` is a CUDA device.

    Some of cuDNN's fastest convolution backward kernels add partial sums in
    an order that changes from run to run, so one seed would not give one
    model. The switch is process-wide: fits running at once (threads) share
    it, and the last one to finish restores the user's setting.
    """
    if torch.device(device).type != "cuda":
        yield
        return
    global _fits_running, _users_setting
    with _lock:
        if _fits_running == 0:
            _users_setting = torch.backends.cudnn.deterministic
            torch.backends.cudnn.deterministic = True
        _fits_running += 1
    try:
        yield
    finally:
        with _lock:
            _fits_running -= 1
            if _fits_running == 0:
                torch.backends.cudnn.deterministic = _users_setting
