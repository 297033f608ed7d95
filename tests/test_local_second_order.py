"""Second-order tests of gtml_utils.local: strict local Nash and strict local minimax points."""

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtml_utils.games import ContinuousGame
from gtml_utils.local import (
    batch_residuals,
    is_strict_local_minimax,
    is_strict_local_nash,
    local_nash_residual,
    minimax_hessian_blocks,
    own_hessians,
)
from gtml_utils.projections import Box

coefficient = st.floats(-3.0, 3.0, allow_nan=False).filter(lambda c: abs(c) > 0.05)


def quadratic(a, b, c):
    """f(x, y) = a x^2 / 2 + b x y + c y^2 / 2, whose Hessian is [[a, b], [b, c]]."""
    return lambda x, y: jnp.sum(a * x**2 / 2 + b * x * y + c * y**2 / 2)


@settings(max_examples=6)
@given(coefficient, coefficient, coefficient)
def test_quadratic_conditions_match_the_formulas(a, b, c):
    f = quadratic(a, b, c)
    game = ContinuousGame.zero_sum(f, dims=(1, 1))
    assert is_strict_local_nash(game, [0.0, 0.0]) == (a > 1e-8 and c < -1e-8)
    schur = a - b * b / c
    expected = c < -1e-8 and schur > 1e-8
    assert is_strict_local_minimax(f, [0.0], [0.0]) == expected
    blocks = minimax_hessian_blocks(f, [0.0], [0.0])
    assert np.isclose(blocks["schur"][0, 0], schur, rtol=1e-10, atol=1e-12)


@settings(max_examples=6)
@given(coefficient, coefficient, coefficient)
def test_strict_local_nash_implies_strict_local_minimax(a, b, c):
    f = quadratic(a, b, c)
    if is_strict_local_nash(ContinuousGame.zero_sum(f, dims=(1, 1)), [0.0, 0.0]):
        assert is_strict_local_minimax(f, [0.0], [0.0])


def test_minimax_but_not_nash_and_order_matters():
    f = quadratic(-2.0, 4.0, -2.0)  # -x^2 + 4xy - y^2
    assert is_strict_local_minimax(f, [0.0], [0.0])
    assert not is_strict_local_nash(ContinuousGame.zero_sum(f, dims=(1, 1)), [0.0, 0.0])
    # max_y min_x f = -min_y max_x (-f): the swapped problem is not a local minimax point
    assert not is_strict_local_minimax(lambda y, x: -f(x, y), [0.0], [0.0])


def test_non_critical_points_fail_both_tests():
    f = quadratic(2.0, 0.0, -2.0)
    game = ContinuousGame.zero_sum(f, dims=(1, 1))
    assert not is_strict_local_nash(game, [0.1, 0.0])
    assert not is_strict_local_minimax(f, [0.1], [0.0])


def test_own_hessians_of_a_general_sum_game_with_blocks():
    game = ContinuousGame(
        [lambda x, y: -jnp.sum(x**2) + x[0] * x[1] + jnp.sum(x) * y[0], lambda x, y: -3 * y[0] ** 2 + y[0] * x[0]],
        dims=(2, 1),
    )
    h1, h2 = own_hessians(game, [0.0, 0.0, 0.0])
    np.testing.assert_allclose(h1, [[-2.0, 1.0], [1.0, -2.0]])
    np.testing.assert_allclose(h2, [[-6.0]])
    assert is_strict_local_nash(game, [0.0, 0.0, 0.0])


def test_interior_and_boundary_points_of_a_box():
    game = ContinuousGame([lambda x, y: -jnp.sum(x**2), lambda x, y: jnp.sum(y)], dims=(1, 1),
                          domain=Box(-1.0, 1.0, dim=2))
    assert local_nash_residual(game, [0.0, 1.0]) == 0.0  # a first-order local Nash equilibrium ...
    with pytest.raises(ValueError, match="boundary of player 1"):
        is_strict_local_nash(game, [0.0, 1.0])  # ... on the boundary: no second-order test
    interior = ContinuousGame([lambda x, y: -jnp.sum(x**2), lambda x, y: -jnp.sum((y - 0.5) ** 2)], dims=(1, 1),
                              domain=Box(-1.0, 1.0, dim=2))
    assert is_strict_local_nash(interior, [0.0, 0.5])


def test_bad_input_raises():
    f = quadratic(1.0, 0.0, -1.0)
    game = ContinuousGame.zero_sum(f, dims=(1, 1), domain=Box(-1.0, 1.0, dim=2))
    with pytest.raises(ValueError, match="outside the domain"):
        is_strict_local_nash(game, [2.0, 0.0])
    with pytest.raises(ValueError, match="tol"):
        is_strict_local_nash(game, [0.0, 0.0], tol=-1.0)
    with pytest.raises(ValueError, match="expected two nonempty vectors"):
        is_strict_local_minimax(f, [[0.0]], [0.0])
    with pytest.raises(ValueError, match="callable"):
        minimax_hessian_blocks("f", [0.0], [0.0])
    with pytest.raises(ValueError, match="NaN"):
        minimax_hessian_blocks(f, [np.nan], [0.0])


def test_batch_residuals_match_the_pointwise_residual():
    game = ContinuousGame([lambda x, y: -jnp.sum((x - 0.3) ** 2) + x[0] * y[0], lambda x, y: jnp.sum(y * x**2)],
                          dims=(1, 1), domain=Box(-1.0, 1.0, dim=2))
    profiles = np.random.default_rng(0).uniform(-1.0, 1.0, size=(20, 2))
    batch = batch_residuals(game, profiles, step=0.5)
    assert batch.shape == (20,)
    np.testing.assert_allclose(batch, [local_nash_residual(game, z, step=0.5) for z in profiles], rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match=r"expected \(B, 2\)"):
        batch_residuals(game, [0.0, 0.0])
    with pytest.raises(ValueError, match="outside the domain"):
        batch_residuals(game, [[0.0, 2.0]])
