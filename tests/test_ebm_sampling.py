"""Langevin, MALA and AIS on the geometric path, and the EBM's torch layer, against exact answers."""

import math

import numpy as np
import pytest
import torch
from scipy import stats
from torch import nn

from conftest import DEVICE as TEST_DEVICE
from skgen.ebm import ConvEnergy, MLPEnergy, ReplayBuffer, ebm_loss
from skgen.sampling import (
    GeometricPath,
    ais_betas,
    annealed_importance_sampling,
    kernel_jump_step,
    langevin_chain,
    mala_step,
)

DEVICE = torch.device(TEST_DEVICE)
DTYPE = torch.float64


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Many small tensor operations: one intra-op thread is fastest (and fair on a shared machine)."""
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


def _generator(seed):
    return torch.Generator(device=DEVICE).manual_seed(seed)


def _tensor(values):
    return torch.as_tensor(values, dtype=DTYPE, device=DEVICE)


def _quadratic(d, seed):
    """E(x) = (x - m)^T A (x - m) / 2 with A's eigenvalues in [1/4, 4], and its exact log Z."""
    rng = np.random.RandomState(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = rotation @ np.diag(np.exp(rng.uniform(np.log(0.25), np.log(4.0), size=d))) @ rotation.T
    m = rng.normal(size=d)
    A_t, m_t = _tensor(A), _tensor(m)

    def energy(x):
        centred = x - m_t
        return 0.5 * ((centred @ A_t) * centred).sum(dim=1)

    log_z = 0.5 * d * math.log(2 * math.pi) - 0.5 * np.linalg.slogdet(A)[1]
    return energy, A, m, log_z


# --- Langevin ----------------------------------------------------------------------
def test_langevin_reaches_the_gaussian_of_a_quadratic_energy():
    energy, A, m, _ = _quadratic(2, seed=0)
    step = 0.05
    start = torch.zeros(10000, 2, dtype=DTYPE, device=DEVICE)
    x = langevin_chain(energy, start, 400, step_size=step, noise_scale=math.sqrt(2 * step), generator=_generator(0))
    x = x.cpu().numpy()
    # x <- x - step A (x - m) + sqrt(2 step) noise is stationary at exactly N(m, (A - step A^2 / 2)^-1),
    # within O(step) of the target N(m, A^-1)
    chain_covariance = np.linalg.inv(A - 0.5 * step * A @ A)
    np.testing.assert_allclose(x.mean(axis=0), m, atol=0.04)
    np.testing.assert_allclose(np.cov(x.T), chain_covariance, atol=0.05 * np.abs(chain_covariance).max())
    np.testing.assert_allclose(np.cov(x.T), np.linalg.inv(A), atol=0.1 * np.abs(chain_covariance).max())


def test_langevin_clips_each_gradient_element():
    def energy(x):  # gradient x: 100 and -300 at the start
        return 0.5 * (x**2).sum(dim=1)

    start = _tensor([[100.0, -300.0]])
    x = langevin_chain(energy, start, 10, step_size=0.1, noise_scale=0.0, generator=_generator(0), grad_clip=0.5)
    # each element moves by step_size * grad_clip per step, whatever the gradient's size
    np.testing.assert_allclose(x.cpu().numpy(), [[99.5, -299.5]])
    np.testing.assert_array_equal(start.cpu().numpy(), [[100.0, -300.0]])  # the input is not modified


def test_langevin_under_no_grad_leaves_parameters_alone_and_records_the_chain():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        energy = MLPEnergy(3, (8,)).to(device=DEVICE, dtype=DTYPE)
    start = torch.randn(5, 3, generator=_generator(1), dtype=DTYPE, device=DEVICE)
    with torch.no_grad():
        x, trajectory = langevin_chain(
            energy, start, 7, step_size=0.1, noise_scale=0.01, generator=_generator(2), record_every=3
        )
    assert all(p.grad is None for p in energy.parameters())
    assert not x.requires_grad
    assert trajectory.shape == (3, 5, 3)  # steps 0, 3, 6
    torch.testing.assert_close(trajectory[0], start)
    again = langevin_chain(energy, start, 7, step_size=0.1, noise_scale=0.01, generator=_generator(2))
    torch.testing.assert_close(again, x, rtol=0, atol=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n_steps=-1), "n_steps"),
        (dict(step_size=-0.1), "step_size"),
        (dict(noise_scale=-1.0), "noise_scale"),
        (dict(grad_clip=0.0), "grad_clip"),
        (dict(record_every=0), "record_every"),
    ],
)
def test_langevin_rejects_invalid_arguments(kwargs, message):
    arguments = dict(n_steps=1, step_size=0.1, noise_scale=0.1, generator=_generator(0)) | kwargs
    n_steps = arguments.pop("n_steps")
    with pytest.raises(ValueError, match=message):
        langevin_chain(lambda x: (x**2).sum(dim=1), torch.zeros(2, 2, device=DEVICE), n_steps, **arguments)


def test_energy_must_return_one_value_per_row():
    with pytest.raises(ValueError, match="one value per row"):
        langevin_chain(
            lambda x: x**2, torch.zeros(2, 2, device=DEVICE), 1, step_size=0.1, noise_scale=0.1, generator=_generator(0)
        )


# --- MALA --------------------------------------------------------------------------
def _run_mala(log_density, x, n_steps, step_size, seed):
    generator, rates = _generator(seed), []
    for _ in range(n_steps):
        x, rate = mala_step(log_density, x, step_size, generator)
        rates.append(float(rate))
    return x, np.mean(rates)


def test_mala_leaves_a_gaussian_invariant():
    m, covariance = np.array([1.0, -2.0]), np.array([[1.0, 0.8], [0.8, 1.0]])
    A = np.linalg.inv(covariance)  # eigenvalues 5 and 0.56
    A_t, m_t = _tensor(A), _tensor(m)

    def log_density(x):
        return -0.5 * (((x - m_t) @ A_t) * (x - m_t)).sum(dim=1)

    exact = _tensor(np.random.RandomState(0).multivariate_normal(m, covariance, size=20000))
    # at this step unadjusted Langevin would inflate the variance along the narrow axis 1.8-fold
    x, acceptance = _run_mala(log_density, exact, 10, 0.6, seed=0)
    assert 0.4 < acceptance < 0.9
    x = x.cpu().numpy()
    assert np.mean(np.any(x != exact.cpu().numpy(), axis=1)) > 0.9  # the rows moved
    np.testing.assert_allclose(x.mean(axis=0), m, atol=0.03)
    np.testing.assert_allclose(np.cov(x.T), covariance, atol=0.04 * np.abs(covariance).max())
    whitened = (x - m) @ np.linalg.cholesky(A)  # N(0, I) under the target
    for column in whitened.T:
        assert stats.kstest(column, "norm").pvalue > 1e-3


def test_mala_leaves_a_bimodal_density_invariant():
    def log_density(x):  # modes near -2 and 2, the right one heavier
        return -((x[:, 0] ** 2 - 4) ** 2) / 4 + 0.5 * x[:, 0]

    grid = np.linspace(-6.0, 6.0, 200001)
    density = np.exp(log_density(_tensor(grid[:, None])).cpu().numpy())
    cdf = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2)])
    cdf /= cdf[-1]
    # exact draws by inverting the quadrature CDF
    exact = np.interp(np.random.RandomState(0).uniform(size=20000), cdf, grid)
    x, acceptance = _run_mala(log_density, _tensor(exact[:, None]), 20, 0.7, seed=1)
    assert 0.4 < acceptance < 0.95
    x = x.cpu().numpy()[:, 0]
    assert np.mean(x != exact) > 0.9
    assert stats.kstest(x, lambda t: np.interp(t, grid, cdf)).pvalue > 1e-3
    left_mass = np.interp(0.0, grid, cdf)
    assert np.mean(x < 0) == pytest.approx(left_mass, abs=0.015)
    # and chains started in one mode at x = 2 spread over both, in the right proportions
    far, _ = _run_mala(log_density, torch.full((20000, 1), 2.0, dtype=DTYPE, device=DEVICE), 400, 1.2, seed=2)
    assert np.mean(far.cpu().numpy() < 0) == pytest.approx(left_mass, abs=0.02)


def _two_wells(weight_right, width=0.3):
    """E(x) of the 1-D mixture (1 - w) N(-3, width^2) + w N(3, width^2)."""
    log_weights = _tensor([math.log(1 - weight_right), math.log(weight_right)])

    def energy(x):
        per_mode = log_weights - 0.5 * ((x - _tensor([-3.0, 3.0])) / width) ** 2
        return -torch.logsumexp(per_mode, dim=1)

    return energy


def test_kernel_jumps_carry_chains_between_modes_in_the_right_proportions():
    energy = _two_wells(0.8)
    # every chain starts at the light mode's centre; the proposal's centres weigh the modes 1:1
    x = torch.full((20000, 1), -3.0, dtype=DTYPE, device=DEVICE)
    centres = _tensor([[-3.0], [3.0], [-3.2], [2.9]])
    generator = _generator(0)
    rates = []
    for _ in range(100):
        x, rate = kernel_jump_step(energy, x, centres, 0.4, generator)
        rates.append(float(rate))
    x = x.cpu().numpy()[:, 0]
    assert 0.2 < np.mean(rates[-20:]) < 0.9
    assert np.mean(x > 0) == pytest.approx(0.8, abs=0.01)
    # within a mode, its exact law N(3, 0.3^2)
    assert stats.kstest((x[x > 0] - 3) / 0.3, "norm").pvalue > 1e-3


def test_a_defensive_base_lets_chains_stranded_off_the_centres_jump():
    # wells at -3, 3 and 10 (weights 0.3, 0.6, 0.1); the kernel's centres know only the first two
    log_weights = _tensor([math.log(0.3), math.log(0.6), math.log(0.1)])

    def energy(x):
        return -torch.logsumexp(log_weights - 0.5 * ((x - _tensor([-3.0, 3.0, 10.0])) / 0.3) ** 2, dim=1)

    centres = _tensor([[-3.0], [3.0]])
    base = {"base_mean": _tensor([2.0]), "base_std": _tensor([6.0]), "base_weight": 0.2}
    stranded = torch.full((20000, 1), 10.0, dtype=DTYPE, device=DEVICE)
    generator = _generator(3)
    alone, mixed = stranded, stranded
    for _ in range(200):
        alone, _ = kernel_jump_step(energy, alone, centres, 0.3, generator)
        mixed, _ = kernel_jump_step(energy, mixed, centres, 0.3, generator, **base)
    # without the base, q(10) is ~exp(-270) and no chain ever leaves the far well
    assert bool((alone == 10.0).all())
    mixed = mixed.cpu().numpy()[:, 0]
    assert np.mean(mixed > 6.5) == pytest.approx(0.1, abs=0.01)
    assert np.mean(mixed < 0) == pytest.approx(0.3, abs=0.015)
    with pytest.raises(ValueError, match="base_weight"):
        kernel_jump_step(energy, stranded, centres, 0.3, generator, **{**base, "base_weight": 1.0})
    with pytest.raises(ValueError, match="base_mean and base_std"):
        kernel_jump_step(energy, stranded, centres, 0.3, generator, base_mean=base["base_mean"])


def test_kernel_jump_leaves_exact_draws_exact_and_rejects_bad_arguments():
    energy = _two_wells(0.3)
    generator = _generator(1)
    n = 20000
    right = torch.rand(n, 1, generator=generator, dtype=DTYPE, device=DEVICE) < 0.3
    exact = torch.where(right, 3.0, -3.0) + 0.3 * torch.randn(n, 1, generator=generator, dtype=DTYPE, device=DEVICE)
    centres = _tensor([[0.0], [3.5]])  # a poor proposal still leaves the law invariant
    x = exact
    for _ in range(10):
        x, _ = kernel_jump_step(energy, x, centres, 1.0, generator)
    x, exact = x.cpu().numpy()[:, 0], exact.cpu().numpy()[:, 0]
    assert np.mean(x != exact) > 0.1  # the rows moved
    assert np.mean(x > 0) == pytest.approx(0.3, abs=0.015)
    assert stats.kstest((x[x < 0] + 3) / 0.3, "norm").pvalue > 1e-3
    with pytest.raises(ValueError, match="centres"):
        kernel_jump_step(energy, torch.zeros(3, 1, dtype=DTYPE, device=DEVICE), _tensor([[0.0, 0.0]]), 1.0, generator)
    with pytest.raises(ValueError, match="bandwidth"):
        kernel_jump_step(energy, torch.zeros(3, 1, dtype=DTYPE, device=DEVICE), centres, 0.0, generator)


def test_mala_with_a_per_coordinate_step_is_exact():
    scales = _tensor([0.1, 3.0])

    def log_density(x):
        return -0.5 * ((x / scales) ** 2).sum(dim=1)

    exact = torch.randn(20000, 2, generator=_generator(0), dtype=DTYPE, device=DEVICE) * scales
    x, acceptance = _run_mala(log_density, exact, 10, 1.2 * scales, seed=3)
    assert acceptance > 0.5
    np.testing.assert_allclose(x.std(dim=0).cpu().numpy(), scales.cpu().numpy(), rtol=0.03)


def test_mala_rejects_a_non_positive_step():
    with pytest.raises(ValueError, match="step_size"):
        mala_step(lambda x: -(x**2).sum(dim=1), torch.zeros(2, 2, device=DEVICE), 0.0, _generator(0))


# --- AIS on the geometric path -------------------------------------------------------
@pytest.mark.parametrize("d, n_betas", [(2, 200), (10, 400)])
def test_ais_recovers_the_log_partition_of_a_quadratic_energy(d, n_betas):
    energy, _, _, log_z = _quadratic(d, seed=d)
    path = GeometricPath(energy, torch.zeros(d, dtype=DTYPE, device=DEVICE), torch.ones(d, dtype=DTYPE, device=DEVICE))
    betas = ais_betas(n_betas, precision_ratio=2.0)
    # 2000 chains: with 500, the standard error itself is noisy (on the CPU, seeds 0-19 gave
    # z-scores from -1.4 to 2.0 at d=10; CUDA's stream at seed 0 gave -3.2); with 2000, -2.3 to 2.1
    estimate, std = annealed_importance_sampling(path, 2000, betas, _generator(0))
    assert 0 < std < 0.05
    assert abs(estimate - log_z) < 3 * std
    # the same generator seed gives the same estimate, bit for bit, with the same path object
    assert annealed_importance_sampling(path, 2000, betas, _generator(0)) == (estimate, std)


def _grid_log_z(energy, half_width, n_points):
    """log of the Riemann sum of exp(-E) on an n_points^2 grid over [-half_width, half_width]^2.

    For a smooth integrand that is negligible at the edges this converges
    faster than any power of the spacing (like the trapezoid rule on a
    periodic function).
    """
    ticks = torch.linspace(-half_width, half_width, n_points, dtype=DTYPE, device=DEVICE)
    with torch.no_grad():
        log_integrand = -energy(torch.cartesian_prod(ticks, ticks))
    return float(torch.logsumexp(log_integrand, dim=0)) + 2 * math.log(float(ticks[1] - ticks[0]))


def _ring_energy(scale):
    """-log sum_k exp(-||x - c_k||^2 / (2 scale^2)) for 8 centres on a circle of radius 2: Z = 8 * 2 pi scale^2."""
    angles = 2 * math.pi * torch.arange(8, dtype=DTYPE, device=DEVICE) / 8
    centres = 2 * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)

    def energy(x):
        return -torch.logsumexp(-((x.unsqueeze(1) - centres) ** 2).sum(dim=2) / (2 * scale**2), dim=1)

    return energy, math.log(8 * 2 * math.pi * scale**2)


def _random_mlp_energy():
    """An MLPEnergy with fixed random weights three times the default scale: a curved, asymmetric valley."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        energy = MLPEnergy(2, (32, 32), confinement=1.0)
        for layer in energy.modules():
            if isinstance(layer, nn.Linear):
                layer.weight.data *= 3.0
    return energy.to(device=DEVICE, dtype=DTYPE).eval()


def test_quadrature_of_the_test_energies_is_converged():
    energy = _random_mlp_energy()
    assert _grid_log_z(energy, 8.0, 401) == pytest.approx(_grid_log_z(energy, 12.0, 401), abs=1e-6)
    ring, exact = _ring_energy(0.05)
    assert _grid_log_z(ring, 3.0, 301) == pytest.approx(exact, abs=1e-6)


@pytest.mark.parametrize("kind", ["random MLP", "ring of 8 modes"])
def test_ais_agrees_with_quadrature_on_a_non_gaussian_energy(kind):
    if kind == "random MLP":
        energy = _random_mlp_energy()
        log_z_quadrature, precision_ratio = _grid_log_z(energy, 8.0, 401), 1.0
    else:  # modes of std 0.05 under a base of std 1.5
        energy, _ = _ring_energy(0.05)
        log_z_quadrature, precision_ratio = _grid_log_z(energy, 3.0, 301), (1.5 / 0.05) ** 2
    base_mean = torch.zeros(2, dtype=DTYPE, device=DEVICE)
    base_std = torch.full((2,), 1.5, dtype=DTYPE, device=DEVICE)
    path = GeometricPath(energy, base_mean, base_std, n_transition_steps=2)
    betas = ais_betas(300, precision_ratio=precision_ratio)
    estimate, std = annealed_importance_sampling(path, 2000, betas, _generator(0))
    # within 3 standard errors, and Z within 3%
    assert abs(estimate - log_z_quadrature) < min(3 * std, math.log(1.03))
    if kind == "random MLP":
        assert all(p.grad is None for p in energy.parameters())


def test_geometric_path_rejects_invalid_arguments():
    mean, std = torch.zeros(2, device=DEVICE), torch.ones(2, device=DEVICE)
    with pytest.raises(ValueError, match="same length"):
        GeometricPath(lambda x: x.sum(dim=1), mean, torch.ones(3, device=DEVICE))
    with pytest.raises(ValueError, match="positive"):
        GeometricPath(lambda x: x.sum(dim=1), mean, torch.zeros(2, device=DEVICE))
    with pytest.raises(ValueError, match="n_transition_steps"):
        GeometricPath(lambda x: x.sum(dim=1), mean, std, n_transition_steps=0)
    with pytest.raises(ValueError, match="precision_ratio"):
        ais_betas(10, precision_ratio=0.0)


# --- the EBM's torch layer -------------------------------------------------------------
def test_ebm_loss_parts_match_hand_computed_values():
    e_pos = _tensor([1.0, -2.0, 4.0]).requires_grad_(True)
    e_neg = _tensor([0.5, 3.0]).requires_grad_(True)
    loss, parts = ebm_loss(e_pos, e_neg, alpha=0.1)
    contrastive = (1 - 2 + 4) / 3 - (0.5 + 3) / 2  # 1 - 1.75
    regularization = 0.1 * ((1 + 4 + 16) / 3 + (0.25 + 9) / 2)  # 0.1 * (7 + 4.625)
    assert float(parts["contrastive"]) == pytest.approx(contrastive)
    assert float(parts["regularization"]) == pytest.approx(regularization)
    assert float(loss.detach()) == pytest.approx(contrastive + regularization)
    assert not parts["contrastive"].requires_grad
    loss.backward()
    np.testing.assert_allclose(e_pos.grad.cpu().numpy(), (1 + 2 * 0.1 * np.array([1.0, -2.0, 4.0])) / 3)
    np.testing.assert_allclose(e_neg.grad.cpu().numpy(), (-1 + 2 * 0.1 * np.array([0.5, 3.0])) / 2)


def test_ebm_loss_rejects_invalid_arguments():
    with pytest.raises(ValueError, match="alpha"):
        ebm_loss(_tensor([1.0]), _tensor([1.0]), alpha=-1.0)
    with pytest.raises(ValueError, match="1-D"):
        ebm_loss(_tensor([[1.0]]), _tensor([1.0]), alpha=0.0)


def test_energy_networks_give_one_energy_per_row_and_their_features():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        mlp = MLPEnergy(4, (16, 8), confinement=0.3).to(device=DEVICE, dtype=DTYPE)
        conv = ConvEnergy((3, 7, 5), base_channels=4).to(device=DEVICE, dtype=DTYPE)
    x = torch.randn(6, 4, generator=_generator(0), dtype=DTYPE, device=DEVICE)
    assert mlp(x).shape == (6,) and mlp.features(x).shape == (6, 8)
    # the confinement adds c / 2 ||x||^2 to the network's output
    torch.testing.assert_close(mlp(x) - mlp.output(mlp.features(x)).squeeze(1), 0.15 * (x**2).sum(dim=1))
    images = torch.rand(6, 3 * 7 * 5, generator=_generator(1), dtype=DTYPE, device=DEVICE)
    assert conv(images).shape == (6,) and conv.features(images).shape == (6, 4 * 3 * 2)
    with pytest.raises(ValueError, match="confinement"):
        MLPEnergy(4, confinement=-1.0)


def test_a_bounded_input_keeps_the_network_part_of_the_energy_bounded():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        bounded = MLPEnergy(2, (16,), confinement=1.0, input_bound=4.0).to(device=DEVICE, dtype=DTYPE)
    near = 0.01 * torch.randn(5, 2, generator=_generator(2), dtype=DTYPE, device=DEVICE)
    # about the identity near 0: 4 tanh(x / 4) = x + O(x^3)
    torch.testing.assert_close(bounded.features(near), bounded.body(near), rtol=1e-6, atol=1e-9)
    direction = torch.randn(1, 2, generator=_generator(3), dtype=DTYPE, device=DEVICE)
    far = direction * _tensor([[1e2], [1e4], [1e6]])
    network_part = bounded.output(bounded.features(far)).squeeze(1)
    torch.testing.assert_close(network_part[1:], network_part[-1].expand(2))  # constant once saturated
    torch.testing.assert_close(bounded(far), network_part + 0.5 * (far**2).sum(dim=1))
    with pytest.raises(ValueError, match="input_bound"):
        MLPEnergy(2, input_bound=0.0)


def _uniform_noise(n, generator):
    return torch.rand(n, 2, generator=generator, dtype=DTYPE, device=DEVICE)


def _marked_buffer(buffer_size, seed):
    """A buffer whose rows hold -1 - (row index): negative values came from the buffer, [0, 1) from noise."""
    buffer = ReplayBuffer(buffer_size, _uniform_noise, _generator(seed))
    marks = -1.0 - torch.arange(buffer_size, dtype=DTYPE, device=DEVICE)
    buffer.chains.copy_(marks.unsqueeze(1).expand(-1, 2))
    return buffer


def test_replay_buffer_restarts_the_requested_share_from_noise():
    buffer = _marked_buffer(1000, seed=0)
    generator = _generator(1)
    chains = torch.cat([buffer.sample(1000, generator, 0.3, _uniform_noise) for _ in range(20)])
    from_noise = (chains[:, 0] >= 0).to(DTYPE)
    assert float(from_noise.mean()) == pytest.approx(0.3, abs=0.01)  # 20000 draws: 3.2 standard errors
    assert bool((buffer.sample(50, generator, 0.0, _uniform_noise) < 0).all())
    assert bool((buffer.sample(50, generator, 1.0, _uniform_noise) >= 0).all())


def test_replay_buffer_is_deterministic_and_writes_back_to_the_sampled_rows():
    first, second = _marked_buffer(100, seed=0), _marked_buffer(100, seed=0)
    a = first.sample(30, _generator(5), 0.2, _uniform_noise)
    b = second.sample(30, _generator(5), 0.2, _uniform_noise)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    torch.testing.assert_close(first.chains, second.chains, rtol=0, atol=0)  # sampling does not write

    # the rows a buffer chain came from, -1 - mark; restarted chains came from the same drawn rows
    rows = torch.randperm(100, generator=_generator(5), device=DEVICE)[:30]
    from_buffer = a[:, 0] < 0
    torch.testing.assert_close((-1 - a[from_buffer, 0]).long(), rows[from_buffer])
    first.push(torch.full((30, 2), 7.0, dtype=DTYPE, device=DEVICE))
    written = torch.zeros(100, dtype=torch.bool, device=DEVICE)
    written[rows] = True
    assert int(written.sum()) == 30  # distinct rows
    assert bool((first.chains[written] == 7.0).all())
    torch.testing.assert_close(first.chains[~written], second.chains[~written], rtol=0, atol=0)
    with pytest.raises(ValueError, match="preceding sample"):
        first.push(torch.zeros(30, 2, dtype=DTYPE, device=DEVICE))


def test_replay_buffer_rejects_invalid_arguments():
    buffer = ReplayBuffer(10, _uniform_noise, _generator(0))
    assert buffer.chains.shape == (10, 2) and bool(((buffer.chains >= 0) & (buffer.chains < 1)).all())
    with pytest.raises(ValueError, match="buffer_size"):
        ReplayBuffer(0, _uniform_noise, _generator(0))
    with pytest.raises(ValueError, match="buffer size 10"):
        buffer.sample(11, _generator(0), 0.5, _uniform_noise)
    with pytest.raises(ValueError, match="reinit_fraction"):
        buffer.sample(4, _generator(0), 1.5, _uniform_noise)
    buffer.sample(4, _generator(0), 0.5, _uniform_noise)
    with pytest.raises(ValueError, match="4 sampled chains"):
        buffer.push(torch.zeros(3, 2, dtype=DTYPE, device=DEVICE))
