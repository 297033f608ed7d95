"""Tests of gtml_utils.markov: Shapley's value iteration, policy evaluation and best responses."""

import numpy as np
import pytest

from gtml_utils.markov import (
    best_response_values,
    big_match,
    check_game,
    general_sum_nash_conv,
    independent_policy_gradient,
    independent_q,
    markov_pennies,
    minimax_q,
    policy_values,
    shapley_operator,
    shapley_value_iteration,
    soccer,
    tag_game,
    team_markov_game,
)
from gtml_utils.normal_form import duality_gap


def random_game(seed, S=4, A=3, B=2):
    rng = np.random.default_rng(seed)
    rewards = rng.normal(size=(S, A, B))
    transitions = rng.dirichlet(np.ones(S), size=(S, A, B))
    return rewards, transitions


@pytest.mark.parametrize("discount", [0.0, 0.3, 0.9, 0.95])
def test_big_match_value_is_one_half(discount):
    rewards, transitions = big_match()
    run = shapley_value_iteration(rewards, transitions, discount)
    assert (1 - discount) * run.values[0] == pytest.approx(0.5, abs=1e-9)
    assert run.col_policy[0] == pytest.approx([0.5, 0.5], abs=1e-7)
    # The row player quits with probability (1 - gamma) / (2 - gamma).
    assert run.row_policy[0, 1] == pytest.approx((1 - discount) / (2 - discount), abs=1e-7)


@pytest.mark.parametrize("seed", range(5))
def test_shapley_operator_is_a_contraction(seed):
    rewards, transitions = random_game(seed)
    rng = np.random.default_rng(100 + seed)
    for _ in range(5):
        V, W = rng.normal(size=(2, 4)) * 5
        TV, _, _ = shapley_operator(rewards, transitions, 0.7, V)
        TW, _, _ = shapley_operator(rewards, transitions, 0.7, W)
        assert np.abs(TV - TW).max() <= 0.7 * np.abs(V - W).max() + 1e-9


@pytest.mark.parametrize("seed", range(5))
def test_policies_certified_by_stage_gaps_and_best_responses(seed):
    rewards, transitions = random_game(seed)
    run = shapley_value_iteration(rewards, transitions, 0.8)
    Q = rewards + 0.8 * transitions @ run.values
    for s in range(4):  # each state's matrix game is solved by the returned policies
        assert duality_gap(Q[s], run.row_policy[s], run.col_policy[s]) < 1e-8
    assert run.stage_gaps.max() < 1e-8
    # The policies are a Nash equilibrium of the stochastic game: neither player gains by deviating.
    V = policy_values(rewards, transitions, 0.8, run.row_policy, run.col_policy)
    assert V == pytest.approx(run.values, abs=1e-8)
    assert best_response_values(rewards, transitions, 0.8, run.col_policy, "row") == pytest.approx(V, abs=1e-7)
    assert best_response_values(rewards, transitions, 0.8, run.row_policy, "col") == pytest.approx(V, abs=1e-7)


def test_residuals_decrease_geometrically():
    rewards, transitions = random_game(7)
    run = shapley_value_iteration(rewards, transitions, 0.9, tol=1e-12)
    big = run.residuals > 1e-6  # below that, the LP's tolerance dominates
    ratios = run.residuals[1:][big[1:]] / run.residuals[:-1][big[1:]]
    assert len(ratios) > 50
    assert np.all(ratios <= 0.9 + 1e-9)


def test_best_response_beats_every_deterministic_policy():
    rewards, transitions = random_game(3, S=3, A=2, B=2)
    rng = np.random.default_rng(0)
    x = rng.dirichlet(np.ones(2), size=3)
    br = best_response_values(rewards, transitions, 0.6, x, "col")
    best = np.full(3, np.inf)
    for code in range(8):
        y = np.eye(2)[[(code >> s) & 1 for s in range(3)]]
        best = np.minimum(best, policy_values(rewards, transitions, 0.6, x, y))
    assert br == pytest.approx(best, abs=1e-10)


def test_tag_game_has_mixed_states_and_is_certified():
    rewards, transitions, cells = tag_game(3, 4)
    run = shapley_value_iteration(rewards, transitions, 0.9, tol=1e-8)
    assert run.stage_gaps.max() < 1e-7
    assert np.all((0 <= 0.1 * run.values) & (0.1 * run.values <= 1 + 1e-9))
    assert (run.row_policy.max(axis=1) < 0.99).sum() > 0  # guessing games somewhere on the grid


def test_bad_input():
    rewards, transitions = big_match()
    bad = transitions.copy()
    bad[0, 0, 0, 0] = 0.5
    with pytest.raises(ValueError, match="sums to"):
        check_game(rewards, bad, 0.5)
    for discount in (1.0, -0.1, 1.5, True):
        with pytest.raises(ValueError, match="discount"):
            shapley_value_iteration(rewards, transitions, discount)
    with pytest.raises(ValueError, match="shape"):
        check_game(rewards[:, :1], transitions, 0.5)
    with pytest.raises(ValueError, match="NaN"):
        check_game(np.full_like(rewards, np.nan), transitions, 0.5)
    with pytest.raises(ValueError, match="player"):
        best_response_values(rewards, transitions, 0.5, np.full((3, 2), 0.5), "both")
    with pytest.raises(ValueError, match="distributions"):
        policy_values(rewards, transitions, 0.5, np.ones((3, 2)), np.full((3, 2), 0.5))


def test_soccer_is_a_valid_symmetric_game():
    rewards, transitions, states, initial = soccer()
    assert rewards.shape == (760, 5, 5) and np.allclose(transitions.sum(-1), 1.0)
    assert set(np.unique(rewards)) <= {-1.0, -0.5, 0.0, 0.5, 1.0}
    # Point reflection of the grid swaps the players: r(s) = -r(mirror(s)) with actions mirrored.
    index = {s: k for k, s in enumerate(states)}
    mirror_cell = lambda c: 19 - c  # noqa: E731  (row-major 4 x 5: (r, c) -> (3 - r, 4 - c))
    mirror_move = np.array([0, 2, 1, 4, 3])
    for k in range(0, 760, 37):
        a_cell, b_cell, ball = states[k]
        m = index[(mirror_cell(b_cell), mirror_cell(a_cell), 1 - ball)]
        assert np.allclose(rewards[k], -rewards[m][np.ix_(mirror_move, mirror_move)].T)


def test_minimax_q_learns_the_big_match_and_independent_q_is_exploited():
    rewards, transitions = big_match()
    mm = minimax_q(rewards, transitions, 0.5, 4000, seed=0, restart=0.2, solver_iterations=100)
    iq = independent_q(rewards, transitions, 0.5, 4000, seed=0, restart=0.2)
    guaranteed_mm = 0.5 * best_response_values(rewards, transitions, 0.5, mm.row_policy, "col")[0]
    guaranteed_iq = 0.5 * best_response_values(rewards, transitions, 0.5, iq.row_policy, "col")[0]
    assert guaranteed_mm == pytest.approx(0.5, abs=0.01)  # the value is 1/2
    assert guaranteed_iq <= 1e-12  # a deterministic policy is fully exploited
    again = minimax_q(rewards, transitions, 0.5, 4000, seed=0, restart=0.2, solver_iterations=100)
    assert np.array_equal(again.row_policy, mm.row_policy)  # same seed, same run


def test_independent_pg_converges_on_team_game_not_on_pennies():
    rewards, transitions, initial = team_markov_game()
    run = independent_policy_gradient(rewards, transitions, 0.9, initial, 400, 0.1, seed=0)
    assert run.nash_conv[-1] < 0.05 and run.nash_conv[-1] < 0.1 * run.nash_conv[0]
    rewards, transitions, initial = markov_pennies()
    run = independent_policy_gradient(rewards, transitions, 0.9, initial, 400, 0.1, seed=0)
    assert run.nash_conv[len(run.nash_conv) // 2:].min() > 1.0
    half = np.full((1, 2), 0.5)
    assert general_sum_nash_conv(rewards, transitions, 0.9, initial, half, half) == pytest.approx(0.0, abs=1e-12)


def test_learning_bad_input():
    rewards, transitions = big_match()
    with pytest.raises(ValueError, match="steps"):
        minimax_q(rewards, transitions, 0.5, 0, seed=0)
    with pytest.raises(ValueError, match="seed"):
        independent_q(rewards, transitions, 0.5, 10, seed=None)
    with pytest.raises(ValueError, match="epsilon"):
        independent_q(rewards, transitions, 0.5, 10, seed=0, epsilon=2.0)
    r, P, mu = team_markov_game()
    with pytest.raises(ValueError, match="step_size"):
        independent_policy_gradient(r, P, 0.9, mu, 10, -1.0, seed=0)
    with pytest.raises(ValueError, match="initial"):
        independent_policy_gradient(r, P, 0.9, [0.5, 0.6], 10, 0.1, seed=0)
    with pytest.raises(ValueError, match="expected \\(2, S, A, B\\)"):
        general_sum_nash_conv(r[0], P, 0.9, mu, np.full((2, 2), 0.5), np.full((2, 2), 0.5))
