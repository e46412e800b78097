"""Equilibrium configurations of the 2-D Ising model (Wolff cluster Monte Carlo)."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils.validation import check_array

# Wolff's natural unit of time is the "sweep": N spins flipped, i.e. N / <|C|> cluster updates
# with <|C|> the mean cluster size. Both budgets below are counted in sweeps, so they cost the
# same spin flips at every temperature although <|C|> ranges from about 1 (T >> T_c) to N (T << T_c).
EQUILIBRATION_SWEEPS = 20
SWEEPS_BETWEEN_SAMPLES = 10
# Independent chains advanced together. Many chains share the Python overhead of each cluster
# layer (it dominates for small clusters); each chain records at least MIN_SAMPLES_PER_CHAIN
# configurations so that equilibration stays a small part of the work; MAX_CHAIN_SITES bounds
# the memory of the neighbour table (32 bytes a site).
MAX_CHAINS = 1000
MIN_SAMPLES_PER_CHAIN = 10
MAX_CHAIN_SITES = 2**20


def _check_lattice_size(L):
    if not isinstance(L, Integral) or isinstance(L, bool) or L < 2:
        raise ValueError(f"L (the lattice side) must be an integer >= 2, got {L!r}.")


def _check_temperature(temperature):
    if not isinstance(temperature, Real) or isinstance(temperature, bool) or not 0 < temperature < np.inf:
        raise ValueError(f"temperature must be a finite number > 0, got {temperature!r}.")


def _neighbour_table(L, n_chains):
    """Flat indices of the 4 neighbours (right, left, down, up) of every site of ``n_chains`` lattices.

    The lattices are stored one after the other in a flat array of
    ``n_chains * L * L`` spins; boundaries are periodic.
    """
    rows, cols = np.divmod(np.arange(L * L), L)
    lattice = np.stack(
        [
            rows * L + (cols + 1) % L,
            rows * L + (cols - 1) % L,
            ((rows + 1) % L) * L + cols,
            ((rows - 1) % L) * L + cols,
        ],
        axis=1,
    )
    offsets = np.arange(n_chains) * (L * L)
    return (offsets[:, None, None] + lattice).reshape(-1, 4).astype(np.intp)


def _wolff_update(spins, neighbours, n_sites, bond_probability, rng):
    """One Wolff cluster update in every chain at once, in place.

    All clusters grow together, layer by layer: the frontier holds the sites
    added in the previous layer. Every bond from a frontier site to a
    neighbour that still carries the cluster's spin is activated with
    probability ``bond_probability``; a neighbour reached by k frontier bonds
    is tested k times, and each bond is tested once, as in Wolff's sequential
    algorithm. Sites are flipped as they join, so a neighbour "still carries
    the cluster's spin" exactly when it is not in the cluster yet and differs
    from the (flipped) frontier site.

    Parameters
    ----------
    spins : ndarray of shape (n_chains * n_sites,), dtype int8
        Signed spins of all chains, chain after chain; modified in place.
    neighbours : ndarray of shape (n_chains * n_sites, 4)
        From :func:`_neighbour_table`.
    n_sites : int
        Spins per chain.
    bond_probability : float
        1 - exp(-2 J / T).
    rng : numpy.random.RandomState

    Returns
    -------
    n_flipped : int
        Spins flipped, summed over the chains.
    """
    n_chains = spins.size // n_sites
    frontier = np.arange(n_chains) * n_sites + rng.randint(n_sites, size=n_chains)
    spins[frontier] *= -1
    n_flipped = frontier.size
    while frontier.size:
        candidates = neighbours[frontier]
        candidates = candidates[spins[candidates] != spins[frontier][:, None]]
        bonded = np.sort(candidates[rng.random_sample(candidates.size) < bond_probability])
        # A site bonded to several frontier sites joins once.
        first = np.ones(bonded.size, dtype=bool)
        np.not_equal(bonded[1:], bonded[:-1], out=first[1:])
        frontier = bonded[first]
        spins[frontier] *= -1
        n_flipped += frontier.size
    return n_flipped


def _wolff_samples(L, temperature, n_samples, rng):
    """Run the chains of :func:`make_ising`; also return what a benchmark reports.

    Returns
    -------
    result : Bunch
        ``spins`` (n_samples, L * L) int8 signed spins, chain after chain
        (consecutive rows of one chain are ``updates_between_samples`` apart);
        ``n_chains``; ``updates_between_samples``; ``mean_cluster_size``
        (measured in the second half of the equilibration).
    """
    n_sites = L * L
    bond_probability = -np.expm1(-2.0 / temperature)
    n_chains = max(1, min(n_samples // MIN_SAMPLES_PER_CHAIN, MAX_CHAINS, MAX_CHAIN_SITES // n_sites))
    samples_per_chain = -(-n_samples // n_chains)
    neighbours = _neighbour_table(L, n_chains)
    # A cold start (all spins up) is an equilibrium state at T = 0 and decorrelates within a few
    # sweeps above T_c; a hot start below T_c would first have to coarsen its domains.
    spins = np.ones(n_chains * n_sites, dtype=np.int8)

    # Equilibrate for EQUILIBRATION_SWEEPS sweeps of the average chain, and measure <|C|> on the
    # second half, once the cold start is forgotten.
    flipped_per_chain, measured_flips, measured_updates = 0.0, 0, 0
    while flipped_per_chain < EQUILIBRATION_SWEEPS * n_sites:
        n_flipped = _wolff_update(spins, neighbours, n_sites, bond_probability, rng)
        flipped_per_chain += n_flipped / n_chains
        if flipped_per_chain >= EQUILIBRATION_SWEEPS * n_sites / 2:
            measured_flips += n_flipped
            measured_updates += n_chains
    mean_cluster_size = measured_flips / measured_updates
    updates_between_samples = int(np.ceil(SWEEPS_BETWEEN_SAMPLES * n_sites / mean_cluster_size))

    samples = np.empty((n_chains, samples_per_chain, n_sites), dtype=np.int8)
    for sample_index in range(samples_per_chain):
        for _ in range(updates_between_samples):
            _wolff_update(spins, neighbours, n_sites, bond_probability, rng)
        samples[:, sample_index] = spins.reshape(n_chains, n_sites)
    return Bunch(
        spins=samples.reshape(-1, n_sites)[:n_samples],
        n_chains=n_chains,
        updates_between_samples=updates_between_samples,
        mean_cluster_size=mean_cluster_size,
    )


def make_ising(L, temperature, n_samples, *, spins="binary", random_state=None):
    """Equilibrium configurations of the 2-D Ising model, by Wolff cluster updates.

    The model is the ferromagnet on an L x L square lattice with periodic
    boundaries, E(s) = -J sum_<ij> s_i s_j over nearest-neighbour pairs, with
    J = 1 and k_B = 1, at temperature T; it orders below
    T_c = 2 / ln(1 + sqrt(2)) = 2.269. Configurations are drawn from the
    Boltzmann distribution p(s) = exp(-E(s) / T) / Z.

    Parameters
    ----------
    L : int
        Side of the lattice (at least 2); a row has L * L spins, row-major.
    temperature : float
        Temperature T > 0, in units of J / k_B.
    n_samples : int
        Number of configurations (>= 0).
    spins : {"binary", "signed"}, default="binary"
        "binary" returns 1 for spin up and 0 for spin down (the input a
        Bernoulli RBM expects); "signed" returns +1 and -1.
    random_state : int, RandomState instance or None, default=None
        The only source of randomness. Pass an int for reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, L * L), dtype float64
        One configuration per row.

    See Also
    --------
    ising_observables : Energy, magnetisation, specific heat and
        susceptibility of a set of configurations.

    Notes
    -----
    Wolff's algorithm (1989) grows a cluster from a random site, adding each
    neighbour with the same spin with probability 1 - exp(-2 J / T), and
    flips it. Cluster updates do not suffer the critical slowing down of
    single-spin updates near T_c: the clusters grow with the correlation
    length. On L = 2 the left and the right neighbour of a site coincide, so
    every neighbouring pair is joined by two bonds.

    Independent chains run at once, all from a cold start (every spin up):
    one per 10 requested configurations, at most 1000 (and at most 2**20
    spins in all). Time is counted in sweeps, i.e. N = L * L flipped spins,
    which is N / ``<|C|>`` cluster updates for a mean cluster size ``<|C|>``, so that
    every temperature gets the same work per configuration. Each chain is
    first equilibrated for 20 sweeps (``<|C|>`` is measured on the second 10),
    and then records a configuration every 10 sweeps, that is
    ceil(10 N / ``<|C|>``) cluster updates: about 10 when clusters span the
    lattice (T < T_c), 22 on a 32 x 32 lattice at T_c, over a thousand there
    at T = 3.5, where clusters have a few sites. On that lattice at T_c the
    autocorrelation of ``|m|`` falls to about 0.3 after one sweep, 0.05 after
    five and below 0.01 after ten, under the noise of its estimate on 1000
    configurations: the configurations can be treated as independent. Rows
    are ordered chain after chain, so consecutive rows are consecutive
    configurations of one chain (except where a chain ends).

    References
    ----------
    Wolff, U. (1989). Collective Monte Carlo updating for spin systems.
    Physical Review Letters 62, 361-364.

    Examples
    --------
    >>> from skgen.datasets import make_ising
    >>> X = make_ising(8, 2.269, 50, random_state=0)
    >>> X.shape
    (50, 64)
    >>> sorted(set(X.ravel().tolist()))
    [0.0, 1.0]
    """
    _check_lattice_size(L)
    _check_temperature(temperature)
    if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < 0:
        raise ValueError(f"n_samples must be a non-negative integer, got {n_samples!r}.")
    if spins not in ("binary", "signed"):
        raise ValueError(f'spins must be "binary" or "signed", got {spins!r}.')
    rng = check_random_state(random_state)
    if n_samples == 0:
        return np.empty((0, L * L))
    signed = _wolff_samples(L, float(temperature), n_samples, rng).spins.astype(np.float64)
    return signed if spins == "signed" else (signed + 1.0) / 2.0


def _jackknife(statistic, *columns):
    """``statistic`` of the column means, and its delete-one jackknife standard error.

    ``columns`` are per-row values; ``statistic`` maps their means to the
    estimate and must accept arrays, as it is also called once with the
    means of all n leave-one-out subsets.
    """
    n_rows = columns[0].shape[0]
    means = [column.mean() for column in columns]
    leave_one_out = [(column.sum() - column) / (n_rows - 1) for column in columns]
    replicates = statistic(*leave_one_out)
    stderr = np.sqrt((n_rows - 1) / n_rows * np.sum((replicates - replicates.mean()) ** 2))
    return float(statistic(*means)), float(stderr)


def ising_observables(X, temperature):
    """Thermodynamic observables of a set of 2-D Ising configurations, with error bars.

    Parameters
    ----------
    X : array-like of shape (n_samples, L * L)
        Configurations on an L x L periodic lattice, row-major (as returned
        by :func:`make_ising`), with spins coded {0, 1} (0 is spin down) or
        {-1, +1}. At least 2 rows.
    temperature : float
        Temperature T > 0 the configurations are meant for (it scales the
        specific heat and the susceptibility).

    Returns
    -------
    observables : Bunch
        With per-spin energy e = E / N and magnetisation m = sum_i s_i / N of
        each row (N = L * L, J = 1, k_B = 1, each nearest-neighbour bond
        counted once; on L = 2 every neighbouring pair is joined by two
        bonds, as in :func:`make_ising`):

        - ``energy``: ``<e>``;
        - ``abs_magnetization``: ``<|m|>``;
        - ``specific_heat``: ``C = N (<e^2> - <e>^2) / T^2``, per spin;
        - ``susceptibility``: ``chi = N (<m^2> - <|m|>^2) / T``, per spin (the
          finite-lattice convention: ``<|m|>`` in place of ``<m>``, which vanishes
          by symmetry);

        and for each of them a standard error ``energy_stderr``, ... by the
        delete-one jackknife over rows (deterministic; it assumes the rows
        are independent).

    Raises
    ------
    ValueError
        If the row width is not a square L * L with L >= 2, the values are
        not spins, there are fewer than 2 rows, or ``temperature`` is not > 0.

    See Also
    --------
    make_ising : Draw configurations.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.datasets import ising_observables
    >>> ground_states = np.array([[1.0] * 16, [0.0] * 16])  # all up, all down on a 4 x 4 lattice
    >>> observables = ising_observables(ground_states, temperature=1.0)
    >>> float(observables.energy), float(observables.abs_magnetization)
    (-2.0, 1.0)
    >>> float(observables.specific_heat), float(observables.susceptibility)
    (0.0, 0.0)
    """
    _check_temperature(temperature)
    X = check_array(X, dtype=np.float64)
    n_rows, width = X.shape
    L = int(round(np.sqrt(width)))
    if L * L != width or L < 2:
        raise ValueError(f"X must have L * L columns for a lattice side L >= 2, got {width} columns.")
    if n_rows < 2:
        raise ValueError(f"X must have at least 2 rows to estimate fluctuations, got {n_rows} sample.")
    values = np.unique(X)
    if np.isin(values, (0.0, 1.0)).all():
        X = 2.0 * X - 1.0
    elif not np.isin(values, (-1.0, 1.0)).all():
        raise ValueError(
            f"X must hold spins, either all in {{0, 1}} or all in {{-1, +1}}; got the values {values[:6].tolist()}"
            f"{' ...' if values.size > 6 else ''}."
        )

    lattice = X.reshape(n_rows, L, L)
    # Each bond once: every site with its right and its lower neighbour.
    bond_sum = (lattice * (np.roll(lattice, -1, axis=2) + np.roll(lattice, -1, axis=1))).sum(axis=(1, 2))
    energy = -bond_sum / width
    magnetization = X.mean(axis=1)
    abs_magnetization = np.abs(magnetization)

    observables = Bunch()
    observables.energy, observables.energy_stderr = _jackknife(lambda e: e, energy)
    observables.abs_magnetization, observables.abs_magnetization_stderr = _jackknife(
        lambda m: m, abs_magnetization
    )
    observables.specific_heat, observables.specific_heat_stderr = _jackknife(
        lambda e, e2: width * (e2 - e**2) / temperature**2, energy, energy**2
    )
    observables.susceptibility, observables.susceptibility_stderr = _jackknife(
        lambda m, m2: width * (m2 - m**2) / temperature, abs_magnetization, magnetization**2
    )
    return observables
