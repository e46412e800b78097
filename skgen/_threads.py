"""How many intra-op threads torch gets for a piece of work.

On small matrices the threads' synchronisation costs more than it saves, and
when other processes keep the cores busy, torch's spinning OpenMP threads wait
for each other on every call: a fit with two threads on two busy cores runs
many times slower than with one. So small work gets one thread, and large
work gets as many threads as there are idle cores.
"""

import contextlib
import os
import time

import torch

# Below this many multiply-adds per mini-batch one intra-op thread is faster (measured on 2 cores).
SINGLE_THREAD_WORK = 2**22

# How long the idle cores are watched before large work starts.
_IDLE_PROBE_SECONDS = 0.05

# How long a probe's answer stands: calls in a loop (transform, score_samples) probe at most
# once per interval, so the probe's sleep stays a small share of their time.
_IDLE_PROBE_REUSE_SECONDS = 1.0
_last_probe = {"time": -float("inf"), "busy": 0.0}


@contextlib.contextmanager
def torch_threads(n_threads):
    """Run the block with ``n_threads`` intra-op threads (None: leave torch's setting)."""
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _cpu_times():
    """(idle, total) jiffies of all CPUs from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return idle, sum(fields)


def idle_cores(n_cores):
    """Number of the ``n_cores`` usable cores that other processes leave idle (at least 1).

    Watches /proc/stat for a moment where it exists; elsewhere it reads the
    load average. A reading younger than ``_IDLE_PROBE_REUSE_SECONDS`` is
    reused.
    """
    if time.monotonic() - _last_probe["time"] > _IDLE_PROBE_REUSE_SECONDS:
        _last_probe["busy"] = _busy_cores(n_cores)
        _last_probe["time"] = time.monotonic()
    return max(1, min(n_cores, int(round(n_cores - _last_probe["busy"]))))


def _busy_cores(n_cores):
    """How many cores' worth of work other processes are doing now."""
    try:
        idle_before, total_before = _cpu_times()
        time.sleep(_IDLE_PROBE_SECONDS)
        idle_after, total_after = _cpu_times()
        busy_share = 1.0 - (idle_after - idle_before) / max(total_after - total_before, 1)
        busy = busy_share * (os.cpu_count() or n_cores)
    except (OSError, ValueError, IndexError):
        try:
            busy = os.getloadavg()[0]
        except OSError:
            busy = 0.0
    return busy


def choose_threads(work, n_threads=None):
    """Intra-op threads for ``work`` multiply-adds per step; ``n_threads`` (an int) overrides the choice."""
    if n_threads is not None:
        return int(n_threads)
    if work < SINGLE_THREAD_WORK:
        return 1
    return idle_cores(torch.get_num_threads())
