"""The Ising sampler and observables against the exact Boltzmann distribution of small lattices."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from skgen.datasets import ising_observables, make_ising

T_C = 2 / np.log(1 + np.sqrt(2))
N_SAMPLES = 20_000
# Each sampled lattice runs 3 chi-square tests and 3 z-tests; with these thresholds a correct
# sampler fails one of them with probability about 1e-3 * 9 + 6e-5 * 9, and the fixed seeds make
# the outcome reproducible. A wrong bond probability (e.g. 1 - exp(-1/T)) fails them by far.
MIN_P_VALUE = 1e-3
MAX_ABS_Z = 4.0
MIN_EXPECTED_COUNT = 5


def _all_states(L):
    """Every signed configuration of an L x L lattice, shape (2 ** (L * L), L * L)."""
    n_sites = L * L
    return 2.0 * ((np.arange(2**n_sites)[:, None] >> np.arange(n_sites)) & 1) - 1.0


def _energies(states, L):
    """Total energy -sum s_i s_j over the bonds (site, right neighbour) and (site, lower neighbour).

    Written with an explicit bond list, independently of the package's np.roll code. On L = 2
    the right and the left neighbour coincide: every pair is joined by two bonds.
    """
    bonds = [(r * L + c, r * L + (c + 1) % L) for r in range(L) for c in range(L)]
    bonds += [(r * L + c, ((r + 1) % L) * L + c) for r in range(L) for c in range(L)]
    first, second = np.array(bonds).T
    return -(states[:, first] * states[:, second]).sum(axis=1)


def _exact(L, temperature):
    """Energy levels with their Boltzmann probabilities, and the exact <|m|> and Var(|m|)."""
    states = _all_states(L)
    energies = _energies(states, L)
    log_weights = -energies / temperature
    probabilities = np.exp(log_weights - logsumexp(log_weights))
    levels, level_index = np.unique(energies, return_inverse=True)
    level_probabilities = np.bincount(level_index, weights=probabilities)
    abs_m = np.abs(states.mean(axis=1))
    mean_abs_m = probabilities @ abs_m
    return levels, level_probabilities, mean_abs_m, probabilities @ abs_m**2 - mean_abs_m**2


def _pooled_bins(expected):
    """Bin edges over adjacent energy levels so that every bin expects >= MIN_EXPECTED_COUNT."""
    edges, total = [0], 0.0
    for i, count in enumerate(expected):
        total += count
        if total >= MIN_EXPECTED_COUNT:
            edges.append(i + 1)
            total = 0.0
    edges[-1] = len(expected)  # a remainder too small for its own bin joins the last one
    return edges


@pytest.mark.parametrize("L", [2, 3, 4])
@pytest.mark.parametrize("temperature", [1.5, 2.269, 3.5])
def test_samples_follow_the_boltzmann_distribution(L, temperature):
    levels, level_probabilities, mean_abs_m, var_abs_m = _exact(L, temperature)
    X = make_ising(L, temperature, N_SAMPLES, spins="signed", random_state=L * 10 + int(temperature * 10))

    energies = _energies(X, L)
    assert np.isin(energies, levels).all()
    observed = np.array([(energies == level).sum() for level in levels])
    expected = N_SAMPLES * level_probabilities
    edges = _pooled_bins(expected)
    observed_binned = np.add.reduceat(observed, edges[:-1])
    expected_binned = np.add.reduceat(expected, edges[:-1])
    assert len(observed_binned) >= 2
    p_value = stats.chisquare(observed_binned, expected_binned).pvalue
    assert p_value > MIN_P_VALUE, (observed_binned, expected_binned.round(1))

    z = (np.abs(X.mean(axis=1)).mean() - mean_abs_m) / np.sqrt(var_abs_m / N_SAMPLES)
    assert abs(z) < MAX_ABS_Z


def test_observables_of_all_states_match_enumeration():
    # Every state once is the T = infinity distribution: compare each formula with the
    # enumeration (C and chi only use T as a scale, so any T checks them).
    L, temperature = 4, 2.5
    states = _all_states(L)
    e = _energies(states, L) / L**2
    m = states.mean(axis=1)
    n_sites = L * L
    observables = ising_observables(states, temperature)
    assert observables.energy == pytest.approx(e.mean(), abs=1e-12)
    assert observables.energy == pytest.approx(0.0, abs=1e-12)
    assert observables.abs_magnetization == pytest.approx(np.abs(m).mean(), rel=1e-12)
    # bond products are pairwise uncorrelated at T = infinity: <e^2> = 2N / N^2
    assert observables.specific_heat == pytest.approx(n_sites * (2 / n_sites) / temperature**2, rel=1e-12)
    assert observables.susceptibility == pytest.approx(
        n_sites * ((m**2).mean() - np.abs(m).mean() ** 2) / temperature, rel=1e-12
    )
    # the jackknife error of a mean is the usual standard error
    assert observables.energy_stderr == pytest.approx(e.std(ddof=1) / np.sqrt(len(e)), rel=1e-10)
    assert observables.abs_magnetization_stderr == pytest.approx(
        np.abs(m).std(ddof=1) / np.sqrt(len(m)), rel=1e-10
    )


def test_observables_of_hand_made_configurations():
    L = 4
    all_up = np.ones(L * L)
    one_down = all_up.copy()
    one_down[5] = -1  # 4 broken bonds of 32: E = -32 + 2 * 4
    checkerboard = np.array([(-1.0) ** (r + c) for r in range(L) for c in range(L)])  # every bond broken
    X = np.array([all_up, one_down, checkerboard, -all_up])
    e = np.array([-2.0, -1.5, 2.0, -2.0])
    m = np.array([1.0, 14 / 16, 0.0, -1.0])
    temperature = 2.0
    observables = ising_observables(X, temperature)
    assert observables.energy == pytest.approx(e.mean())
    assert observables.abs_magnetization == pytest.approx(np.abs(m).mean())
    assert observables.specific_heat == pytest.approx(16 * e.var() / temperature**2)
    assert observables.susceptibility == pytest.approx(16 * ((m**2).mean() - np.abs(m).mean() ** 2) / temperature)
    # binary coding (1 up, 0 down) gives the same numbers
    binary = ising_observables((X + 1) / 2, temperature)
    for name, value in observables.items():
        assert binary[name] == pytest.approx(value, abs=1e-14)


def test_observables_standard_errors_are_jackknife_errors():
    X = make_ising(3, 2.269, 40, random_state=0)
    observables = ising_observables(X, 2.269)
    signed = 2 * X - 1
    e = _energies(signed, 3) / 9
    replicates = [9 * np.delete(e, i).var() / 2.269**2 for i in range(len(e))]
    expected = np.sqrt((len(e) - 1) / len(e) * np.sum((replicates - np.mean(replicates)) ** 2))
    assert observables.specific_heat_stderr == pytest.approx(expected, rel=1e-10)


def test_shape_dtype_and_spin_coding():
    binary = make_ising(5, 2.0, 33, random_state=1)
    signed = make_ising(5, 2.0, 33, spins="signed", random_state=1)
    assert binary.shape == signed.shape == (33, 25)
    assert binary.dtype == signed.dtype == np.float64
    assert set(np.unique(binary)) <= {0.0, 1.0}
    np.testing.assert_array_equal(signed, 2 * binary - 1)
    assert make_ising(3, 1.0, 0).shape == (0, 9)


def test_random_state_is_the_only_source_of_randomness():
    first = make_ising(6, 2.5, 30, random_state=np.random.RandomState(7))
    np.testing.assert_array_equal(first, make_ising(6, 2.5, 30, random_state=7))
    assert not np.array_equal(first, make_ising(6, 2.5, 30, random_state=8))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(L=1), "L"),
        (dict(L=4.5), "L"),
        (dict(temperature=0.0), "temperature"),
        (dict(temperature=-1.0), "temperature"),
        (dict(temperature=np.inf), "temperature"),
        (dict(n_samples=-1), "n_samples"),
        (dict(spins="ising"), "spins"),
    ],
)
def test_make_ising_rejects_bad_input(kwargs, message):
    arguments = {"L": 4, "temperature": 2.0, "n_samples": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        make_ising(**arguments)


@pytest.mark.parametrize(
    "X, temperature, message",
    [
        (np.ones((3, 10)), 1.0, "L \\* L columns"),
        (np.ones((3, 1)), 1.0, "L \\* L columns"),
        (np.full((3, 9), 0.5), 1.0, "spins"),
        (np.array([[0, 1, -1, 1]] * 3), 1.0, "spins"),
        (np.ones((1, 9)), 1.0, "at least 2 rows"),
        (np.ones((3, 9)), 0.0, "temperature"),
    ],
)
def test_observables_reject_bad_input(X, temperature, message):
    with pytest.raises(ValueError, match=message):
        ising_observables(X, temperature)
