"""How skgen picks torch's intra-op threads: small work on one thread, large work on the idle cores."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from conftest import DEVICE
from skgen import GAN, VAE, BernoulliRBM
from skgen import _threads
from skgen._threads import SINGLE_THREAD_WORK, choose_threads, idle_cores, torch_threads


@pytest.fixture
def fake_probe(monkeypatch):
    """Replaces the /proc/stat probe by a counter returning ``busy`` cores, with a clock the test moves."""
    state = {"busy": 0.0, "probes": 0, "now": 100.0}

    def busy_cores(n_cores):
        state["probes"] += 1
        return state["busy"]

    monkeypatch.setattr(_threads, "_busy_cores", busy_cores)
    monkeypatch.setattr(_threads.time, "monotonic", lambda: state["now"])
    monkeypatch.setitem(_threads._last_probe, "time", -float("inf"))
    return state


def test_small_work_gets_one_thread_and_n_threads_overrides(fake_probe):
    assert choose_threads(SINGLE_THREAD_WORK - 1) == 1
    assert choose_threads(SINGLE_THREAD_WORK - 1, n_threads=3) == 3
    assert choose_threads(10 * SINGLE_THREAD_WORK, n_threads=1) == 1
    assert fake_probe["probes"] == 0  # neither case looks at the machine


@pytest.mark.parametrize("busy, expected", [(0.0, 4), (1.2, 3), (3.6, 1), (9.0, 1)])
def test_idle_cores_leaves_other_processes_their_share(fake_probe, busy, expected):
    fake_probe["busy"] = busy
    assert idle_cores(4) == expected


def test_a_probe_is_reused_for_a_second(fake_probe):
    fake_probe["busy"] = 1.0
    assert [idle_cores(2) for _ in range(5)] == [1] * 5
    assert fake_probe["probes"] == 1  # calls in a loop do not each sleep through a probe
    fake_probe["busy"], fake_probe["now"] = 0.0, fake_probe["now"] + 0.5
    assert idle_cores(2) == 1 and fake_probe["probes"] == 1
    fake_probe["now"] += 1.0  # older than _IDLE_PROBE_REUSE_SECONDS: probe again
    assert idle_cores(2) == 2 and fake_probe["probes"] == 2


def test_torch_threads_restores_the_setting():
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(None):
        assert torch.get_num_threads() == before


class _RecordThreads(Callback):
    def on_epoch_end(self, net, **kwargs):
        self.threads_ = torch.get_num_threads()


@pytest.mark.skipif(torch.device(DEVICE).type != "cpu", reason="CPU threads only govern CPU work")
def test_fit_trains_with_the_chosen_threads(fake_probe):
    X = np.random.RandomState(0).normal(size=(64, 2))
    before = torch.get_num_threads()
    gan = GAN(n_components=2, hidden_layer_sizes=(8,), max_iter=1, n_threads=1, random_state=0, device=DEVICE,
              callbacks=[_RecordThreads()]).fit(X)
    assert dict(gan.net_.callbacks_)["user_0"].threads_ == 1
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("make", [
    lambda: VAE(n_components=2, hidden_layer_sizes=(16,), max_iter=2, random_state=0, device=DEVICE),
    lambda: BernoulliRBM(n_components=8, n_iter=2, random_state=0, device=DEVICE),
    lambda: GAN(n_components=2, hidden_layer_sizes=(16,), max_iter=2, random_state=0, device=DEVICE),
], ids=["VAE", "BernoulliRBM", "GAN"])
def test_a_fit_does_not_depend_on_the_process_thread_count(make):
    # Worker processes of a grid search run with one thread, an interactive session with all cores:
    # the same estimator must fit the same parameters in both, to the bit (the data statistics
    # that start a fit included).
    X = np.random.RandomState(0).uniform(size=(3000, 64))  # several blocks of the statistics' products
    results = []
    for threads in (1, 2):
        with torch_threads(threads):
            model = make().fit(X)
        results.append((model.score_samples(X[:50]), model.sample(5, random_state=0)))
    for first, second in zip(*results):
        np.testing.assert_array_equal(first, second)
