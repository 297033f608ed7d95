"""Tests of gtml_utils.local: first-order local Nash residuals and local CCE gaps."""

import jax.numpy as jnp
import numpy as np
import pytest

from gtml_utils.games import ContinuousGame
from gtml_utils.local import (
    find_local_nash,
    first_order_cce_gap,
    fixed_point_map,
    is_local_nash,
    local_cce_gains,
    local_cce_gap,
    local_nash_residual,
    online_gradient_ascent,
    player_residuals,
)
from gtml_utils.projections import Box, Polytope

UNIT_SQUARE = Box(0.0, 1.0, dim=2)


def quadratic_game(a, b, domain=None):
    """Player 1 maximises -(x - a)^2, player 2 maximises -(y - b)^2: uncoupled."""
    return ContinuousGame(
        [lambda x, y: -jnp.sum((x - a) ** 2), lambda x, y: -jnp.sum((y - b) ** 2)], dims=(1, 1), domain=domain
    )


def hsieh_box():
    """Hsieh, Mertikopoulos, Cevher (2021): every first-order method cycles; on [-4, 4]^2."""

    def f(x, y):
        x, y = x[0], y[0]
        return (4 * x**2 - (y - 3 * x + x**3 / 20) ** 2 - y**4 / 10) * jnp.exp(-(x**2 + y**2) / 100)

    return ContinuousGame.zero_sum(f, dims=(1, 1), domain=Box(-4.0, 4.0, dim=2))


# ------------------------------------------------------------------ residuals
def test_residual_zero_at_interior_equilibrium_and_positive_elsewhere():
    game = quadratic_game(0.3, 0.7, UNIT_SQUARE)
    assert local_nash_residual(game, [0.3, 0.7]) == pytest.approx(0.0, abs=1e-15)
    # gradient of -(x - a)^2 is -2(x - a): from (0.5, 0.7) one step of size 1 lands at clip(0.1) = 0.1
    assert player_residuals(game, [0.5, 0.7]) == pytest.approx([0.4, 0.0])
    assert local_nash_residual(game, [0.5, 0.7], step=0.1) == pytest.approx(0.04)


def test_residual_zero_at_boundary_equilibrium_whose_gradient_points_out():
    game = quadratic_game(1.5, -2.0, UNIT_SQUARE)  # both targets outside: equilibrium at the corner (1, 0)
    assert local_nash_residual(game, [1.0, 0.0]) == 0.0
    assert is_local_nash(game, [1.0, 0.0], tol=0.0)
    # one step from (0.9, 0) overshoots to 0.9 + 2 * 0.6 = 2.1, clipped to 1: residual 0.1
    assert player_residuals(game, [0.9, 0.0]) == pytest.approx([0.1, 0.0])
    assert not is_local_nash(game, [0.9, 0.0], tol=1e-3)


def test_coupled_constraints_use_each_players_section():
    # S = {x, y >= 0, x + y <= 1}; both players want more of their own coordinate
    shared = Polytope([[1.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], [1.0, 0.0, 0.0])
    game = ContinuousGame([lambda x, y: jnp.sum(x), lambda x, y: jnp.sum(y)], dims=(1, 1), domain=shared)
    for x in (0.0, 0.25, 1.0):  # every point of the shared edge x + y = 1 is an equilibrium
        assert local_nash_residual(game, [x, 1.0 - x]) == pytest.approx(0.0, abs=1e-9)
    # at (0.2, 0.3) player 1's section is [0, 0.7] (step 0.2 -> 0.7) and player 2's is [0, 0.8]
    assert player_residuals(game, [0.2, 0.3]) == pytest.approx([0.5, 0.5], abs=1e-9)
    assert fixed_point_map(game, [0.2, 0.3]) == pytest.approx([0.7, 0.8], abs=1e-9)


def test_residual_is_invariant_to_the_order_of_players():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(2, 3))

    def u1(x, y):
        return -jnp.sum(x**4) + x @ A @ y

    def u2(x, y):
        return -jnp.sum((y - 0.2) ** 2) - x @ A @ y + jnp.sum(jnp.sin(y))

    domain = Box(-1.0, 1.0, dim=5)
    forward = ContinuousGame([u1, u2], dims=(2, 3), domain=domain)
    backward = ContinuousGame([lambda y, x: u2(x, y), lambda y, x: u1(x, y)], dims=(3, 2), domain=domain)
    for z in rng.uniform(-1, 1, size=(5, 5)):
        swapped = np.concatenate([z[2:], z[:2]])
        assert local_nash_residual(forward, z) == pytest.approx(local_nash_residual(backward, swapped), abs=1e-12)
        assert player_residuals(forward, z) == pytest.approx(player_residuals(backward, swapped)[::-1], abs=1e-12)


def test_fixed_points_of_the_map_are_the_zero_residual_points():
    game = hsieh_box()
    rng = np.random.default_rng(1)
    for z in rng.uniform(-4, 4, size=(20, 2)):
        gap = np.linalg.norm(fixed_point_map(game, z) - z)
        assert gap == pytest.approx(np.linalg.norm(player_residuals(game, z)), rel=1e-12)


def test_find_local_nash_certifies_the_critical_point_where_methods_cycle():
    game = hsieh_box()
    found = find_local_nash(game, resolution=41)
    assert len(found) >= 1
    for z in found:
        assert local_nash_residual(game, z) <= 1e-8
    # the origin is the unique interior critical point of f; it is among those found
    assert np.min(np.linalg.norm(found, axis=1)) < 1e-8


def test_find_local_nash_finds_boundary_equilibria_and_needs_bounds_without_a_box():
    found = find_local_nash(quadratic_game(1.5, 0.4, UNIT_SQUARE), resolution=9)
    assert found == pytest.approx(np.array([[1.0, 0.4]]), abs=1e-9)
    with pytest.raises(ValueError, match="bounds"):
        find_local_nash(quadratic_game(0.0, 0.0))
    found = find_local_nash(quadratic_game(0.25, -0.5), bounds=(-1.0, 1.0), resolution=9)
    assert found == pytest.approx(np.array([[0.25, -0.5]]), abs=1e-9)


# ------------------------------------------------------------------ local CCE
def test_local_cce_gap_is_zero_for_a_point_mass_at_every_players_local_max():
    game = quadratic_game(0.3, 0.7, UNIT_SQUARE)
    assert local_cce_gains(game, [[0.3, 0.7]], delta=0.2) == pytest.approx([0.0, 0.0], abs=1e-12)
    # a local (not global) maximum: u_1 = cos(2 pi x) has local maxima at every integer
    wavy = ContinuousGame([lambda x, y: jnp.sum(jnp.cos(2 * jnp.pi * x)), lambda x, y: -jnp.sum(y**2)], dims=(1, 1))
    assert local_cce_gap(wavy, [[1.0, 0.0]], delta=0.3) == pytest.approx(0.0, abs=1e-12)


def test_local_cce_gain_matches_hand_computation_on_a_quadratic_game():
    game = quadratic_game(0.0, 0.0)
    samples = np.array([[1.0, 0.5], [2.0, -0.5], [3.0, 0.0]])
    # player 1: E[x] = 2, moving by v gains E[x^2] - E[(x + v)^2] = -4v - v^2, best v = -delta
    # player 2: E[y] = 0, moving by v loses v^2: best v = 0
    for delta in (0.1, 0.5, 1.5):
        assert local_cce_gains(game, samples, delta) == pytest.approx([4 * delta - delta**2, 0.0], abs=1e-8)
    weights = np.array([0.0, 0.0, 1.0])  # point mass at x = 3: gain 6 delta - delta^2
    assert local_cce_gap(game, samples, 0.5, weights=weights) == pytest.approx(3 - 0.25, abs=1e-8)


def test_local_cce_gap_projects_each_deviation_onto_the_domain():
    # u_1 = x on [0, 1]: from x = 0.9 a move of size 0.5 is clipped at 1, gaining 0.1
    game = ContinuousGame([lambda x, y: jnp.sum(x), lambda x, y: -jnp.sum(y**2)], dims=(1, 1), domain=UNIT_SQUARE)
    assert local_cce_gains(game, [[0.9, 0.0], [0.2, 0.0]], delta=0.5) == pytest.approx([0.3, 0.0], abs=1e-8)


def test_first_order_gap_is_the_norm_of_the_mean_gradient():
    game = quadratic_game(0.0, 0.0)
    samples = np.array([[1.0, 0.5], [2.0, -0.5], [3.0, 0.0]])
    assert first_order_cce_gap(game, samples) == pytest.approx(4.0)  # |E[-2x]| = 4, |E[-2y]| = 0


def test_gradient_ascent_iterates_are_a_local_cce_whose_gap_shrinks_with_the_horizon():
    game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1), domain=Box(-0.5, 0.5, dim=2))
    gaps = []
    for steps in (100, 1600):
        iterates = online_gradient_ascent(game, [0.4, 0.1], 0.05, steps)
        assert np.all(np.abs(np.asarray(iterates)) <= 0.5 + 1e-12)  # stays in S
        gaps.append(local_cce_gap(game, iterates, delta=0.1))
    assert gaps[1] < gaps[0] / 4


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda g: local_nash_residual(g, [2.0, 0.5]), "outside the domain"),
        (lambda g: local_nash_residual(g, [0.5, 0.5, 0.5]), "shape"),
        (lambda g: local_nash_residual(g, [0.5, 0.5], step=0.0), "step"),
        (lambda g: is_local_nash(g, [0.5, 0.5], tol=-1.0), "tol"),
        (lambda g: local_cce_gap(g, [[0.5, 0.5, 0.5]], delta=0.1), "samples"),
        (lambda g: local_cce_gap(g, [[0.5, 0.5]], delta=-0.1), "delta"),
        (lambda g: local_cce_gap(g, [[0.5, 1.5]], delta=0.1), "outside the domain"),
        (lambda g: local_cce_gap(g, [[0.5, 0.5]], delta=0.1, weights=[-1.0]), "weights"),
        (lambda g: local_cce_gap(g, [[0.5, np.nan]], delta=0.1), "NaN"),
        (lambda g: first_order_cce_gap(g, np.zeros((0, 2))), "samples"),
        (lambda g: find_local_nash(g, resolution=1), "resolution"),
        (lambda g: local_nash_residual("not a game", [0.5, 0.5]), "ContinuousGame"),
    ],
)
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call(quadratic_game(0.3, 0.7, UNIT_SQUARE))
