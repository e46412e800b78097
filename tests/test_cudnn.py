"""Fits on CUDA train with cuDNN's deterministic algorithms, and leave the user's setting as it was."""

import threading

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from conftest import DEVICE, ON_GPU
from skgen import GAN
from skgen._cudnn import deterministic_cudnn


@pytest.fixture
def users_setting():
    """cuDNN's switch as a user left it (False, torch's default), put back after the test."""
    before = torch.backends.cudnn.deterministic
    torch.backends.cudnn.deterministic = False
    yield
    torch.backends.cudnn.deterministic = before


@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_the_switch_is_on_inside_and_restored_after(users_setting, device):
    with deterministic_cudnn(device):
        assert torch.backends.cudnn.deterministic
    assert not torch.backends.cudnn.deterministic
    with pytest.raises(KeyError), deterministic_cudnn(device):
        raise KeyError("a fit that fails")
    assert not torch.backends.cudnn.deterministic


def test_cpu_work_leaves_the_switch_alone(users_setting):
    with deterministic_cudnn("cpu"):
        assert not torch.backends.cudnn.deterministic


def test_overlapping_fits_keep_it_on_until_the_last_one_ends(users_setting):
    first_inside, second_may_end, seen = threading.Event(), threading.Event(), {}

    def second_fit():
        first_inside.wait()
        with deterministic_cudnn("cuda"):
            second_may_end.set()
        seen["after the second"] = torch.backends.cudnn.deterministic

    thread = threading.Thread(target=second_fit)
    thread.start()
    with deterministic_cudnn("cuda"):
        first_inside.set()
        second_may_end.wait()
        thread.join()
        seen["inside the first"] = torch.backends.cudnn.deterministic
    assert seen == {"after the second": True, "inside the first": True}
    assert not torch.backends.cudnn.deterministic


class _RecordSwitch(Callback):
    def on_epoch_end(self, net, **kwargs):
        self.deterministic_ = torch.backends.cudnn.deterministic


def test_a_fit_trains_with_it_on_its_device_only(users_setting):
    X = np.random.RandomState(0).normal(size=(64, 2))
    gan = GAN(n_components=2, hidden_layer_sizes=(8,), max_iter=1, random_state=0, device=DEVICE,
              callbacks=[_RecordSwitch()]).fit(X)
    assert dict(gan.net_.callbacks_)["user_0"].deterministic_ == ON_GPU
    assert not torch.backends.cudnn.deterministic
