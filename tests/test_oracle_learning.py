"""Tests of gtml_utils.oracle_learning: oracles, certificates, fictitious play."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtml_utils.normal_form import solve_zero_sum
from gtml_utils.oracle_learning import (
    OracleGame,
    empirical_mixture,
    fictitious_play,
    fictitious_play_matrix,
    guess_the_larger_number,
    matrix_game,
)


def brute_force_gap(A, rows, cols):
    """Duality gap of the empirical mixtures of the plays, computed from the whole matrix."""
    sigma = np.bincount(rows, minlength=A.shape[0]) / len(rows)
    tau = np.bincount(cols, minlength=A.shape[1]) / len(cols)
    return (A @ tau).max() - (sigma @ A).min()


def test_guess_the_larger_number_never_closes_its_gap():
    run = fictitious_play(guess_the_larger_number(), 1, 1, steps=300)
    assert np.allclose(run.upper, 1.0) and np.all(run.lower == 0.0), "upper value 1, lower value 0, forever"
    assert run.row_actions.max() > 100, "the plays escalate without bound"


def test_truncated_guess_the_larger_number_converges_after_n_rounds():
    n = 20
    run = fictitious_play(guess_the_larger_number(n), 1, 1, steps=400)
    assert np.allclose(run.gap[: 2 * n - 3], 1.0), "no progress while the plays escalate, by 1 every 2 rounds"
    # the column player reaches n and stays: the gap is the fraction of its plays below n
    below = np.cumsum(run.col_actions < n) / np.arange(1, 401)
    assert np.allclose(run.gap[n:], below[n:])
    assert run.gap[-1] < 2 * n / 400 + 1e-12 and run.col_actions[-1] == n


def test_guess_the_larger_number_oracles_are_best_responses():
    for n in (None, 6):
        game = guess_the_larger_number(n)
        actions = np.arange(1, 8 if n is None else n + 1)
        rng = np.random.default_rng(0)
        for _ in range(20):
            support = np.unique(rng.integers(1, 7, size=3))
            w = rng.dirichlet(np.ones(support.size))
            x, up = game.row_best_response(support, w)
            y, low = game.col_best_response(support, w)
            assert up == max(np.dot(w, game.payoff(a, support)) for a in actions)
            assert low == min(np.dot(w, game.payoff(support, a)) for a in actions)


@settings(max_examples=12, deadline=None)
@given(st.integers(2, 6), st.integers(2, 6), st.integers(0, 10_000))
def test_matrix_fictitious_play_matches_generic_and_certifies(n, m, seed):
    # Integer payoffs: cumulative payoffs are then exact in both implementations, so exact
    # ties (frequent with few distinct payoffs) break the same way; with decimals the two
    # summation orders can round a tie differently (hypothesis found n = 4, m = 5, seed 1644).
    A = np.random.default_rng(seed).integers(-1000, 1001, size=(n, m)).astype(float)
    fast = fictitious_play_matrix(A, 60)
    slow = fictitious_play(matrix_game(A), 0, 0, 60)
    assert np.array_equal(fast.row_actions, slow.row_actions) and np.array_equal(fast.col_actions, slow.col_actions)
    assert np.allclose(fast.gap, slow.gap)
    value = solve_zero_sum(A)[2]
    assert np.all(fast.lower <= value + 1e-9) and np.all(value <= fast.upper + 1e-9)
    for t in (0, 10, 59):
        assert np.isclose(fast.gap[t], brute_force_gap(A, fast.row_actions[: t + 1], fast.col_actions[: t + 1]))


def test_fictitious_play_converges_on_a_random_game():
    A = np.random.default_rng(3).uniform(-1, 1, size=(30, 40))
    run = fictitious_play_matrix(A, 20_000)
    assert run.gap[-1] < 0.05 and run.gap[-1] < run.gap[99] / 5


def test_empirical_mixture():
    support, w = empirical_mixture([2, 2, 5])
    assert support.tolist() == [2, 5] and np.allclose(w, [2 / 3, 1 / 3])


def test_bad_input_raises():
    with pytest.raises(ValueError, match="positive integer"):
        guess_the_larger_number(0)
    with pytest.raises(ValueError, match="steps"):
        fictitious_play(guess_the_larger_number(), 1, 1, steps=0)
    with pytest.raises(ValueError, match="OracleGame"):
        fictitious_play("game", 1, 1, steps=3)
    with pytest.raises(ValueError, match="matrix"):
        fictitious_play_matrix([1.0, 2.0], 5)
    with pytest.raises(ValueError, match="NaN"):
        fictitious_play_matrix([[1.0, np.nan]], 5)
    with pytest.raises(ValueError, match="indices"):
        fictitious_play_matrix([[1.0, 2.0]], 5, first=(1, 0))
    with pytest.raises(ValueError, match="probability"):
        guess_the_larger_number().row_best_response([1, 2], [0.5, 0.6])
    with pytest.raises(ValueError, match="one weight per action"):
        guess_the_larger_number().row_best_response([1, 2], [1.0])
    assert isinstance(matrix_game([[0.0]]), OracleGame)
