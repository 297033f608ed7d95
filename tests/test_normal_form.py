"""Tests of gtml_utils.normal_form: known equilibria of named games, property tests on random
games (every returned equilibrium certified by its gaps), no-regret guarantees, bad inputs.

Conventions under test: both players maximise; the row player receives ``A[i, j]`` and in a
zero-sum game the column player pays it.
"""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtml_utils.games import (
    NormalFormGame,
    battle_of_the_sexes,
    chicken,
    matching_pennies,
    prisoners_dilemma,
    rock_paper_scissors,
    shapley_game,
)
from gtml_utils.normal_form import (
    cce_gaps,
    ce_gaps,
    coarse_correlated_equilibrium,
    correlated_equilibrium,
    duality_gap,
    hedge,
    joint_payoffs,
    lemke_howson,
    nash_map,
    regret_matching,
    solve_zero_sum,
    support_enumeration,
)

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 5)


def random_bimatrix(seed, n, m, integer=False):
    rng = np.random.default_rng(seed)
    if integer:  # small integers: many ties, so degenerate games are common
        return rng.integers(-3, 4, size=(2, n, m)).astype(float)
    return rng.normal(size=(2, n, m))


def contains(equilibria, x, y, atol=1e-7):
    return any(np.allclose(x, a, atol=atol) and np.allclose(y, b, atol=atol) for a, b in equilibria)


def as_lists(equilibria, digits=6):
    return sorted((np.round(x, digits).tolist(), np.round(y, digits).tolist()) for x, y in equilibria)


# ============================================================ named games
def test_matching_pennies_and_rps_are_solved_by_the_lp():
    for game, n in ((matching_pennies(), 2), (rock_paper_scissors(), 3)):
        A = game.payoffs[0]
        x, y, value = solve_zero_sum(A)
        np.testing.assert_allclose(x, np.full(n, 1 / n), atol=1e-9)
        np.testing.assert_allclose(y, np.full(n, 1 / n), atol=1e-9)
        assert abs(value) < 1e-9
        assert duality_gap(A, x, y) < 1e-9
        assert game.nash_conv([x, y]) < 1e-9


def test_zero_sum_lp_known_value():
    # A = [[3, -1], [-2, 4]]: x = (0.6, 0.4), y = (0.5, 0.5), value 1
    x, y, value = solve_zero_sum([[3.0, -1.0], [-2.0, 4.0]])
    np.testing.assert_allclose(x, [0.6, 0.4], atol=1e-9)
    np.testing.assert_allclose(y, [0.5, 0.5], atol=1e-9)
    assert value == pytest.approx(1.0, abs=1e-9)


def test_zero_sum_pure_saddle_and_single_row():
    x, y, value = solve_zero_sum([[1.0, 2.0], [0.0, 3.0]])  # saddle point at (0, 0), value 1
    np.testing.assert_allclose(x, [1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(y, [1.0, 0.0], atol=1e-9)
    assert value == pytest.approx(1.0)
    x, y, value = solve_zero_sum([[4.0, -2.0, 7.0]])
    assert x.tolist() == [1.0] and value == pytest.approx(-2.0)
    np.testing.assert_allclose(y, [0.0, 1.0, 0.0], atol=1e-9)


@pytest.mark.parametrize("game, expected", [
    (matching_pennies(), [([0.5, 0.5], [0.5, 0.5])]),
    (rock_paper_scissors(), [([1 / 3] * 3, [1 / 3] * 3)]),
    (prisoners_dilemma(), [([0.0, 1.0], [0.0, 1.0])]),
    (battle_of_the_sexes(), [([1.0, 0.0], [1.0, 0.0]), ([0.0, 1.0], [0.0, 1.0]), ([0.6, 0.4], [0.4, 0.6])]),
    (chicken(), [([1.0, 0.0], [0.0, 1.0]), ([0.0, 1.0], [1.0, 0.0]), ([1 / 3, 2 / 3], [1 / 3, 2 / 3])]),
    (shapley_game(), [([1 / 3] * 3, [1 / 3] * 3)]),
    (NormalFormGame.bimatrix([[2.0, 1.0], [0.0, 2.0]], [[2.0, 0.0], [1.0, 2.0]]),
     [([1.0, 0.0], [1.0, 0.0]), ([0.0, 1.0], [0.0, 1.0]), ([1 / 3, 2 / 3], [1 / 3, 2 / 3])]),
])
def test_support_enumeration_finds_the_known_equilibria(game, expected):
    A, B = game.payoffs
    found = support_enumeration(A, B)
    assert as_lists(found) == as_lists([(np.array(x), np.array(y)) for x, y in expected])
    for x, y in found:
        assert game.nash_conv([x, y]) < 1e-12
    # Lemke-Howson from every label lands on one of them
    for label in range(sum(A.shape)):
        x, y = lemke_howson(A, B, label)
        assert contains(found, x, y), (label, x, y)


def test_lemke_howson_path_on_battle_of_the_sexes():
    A, B = battle_of_the_sexes().payoffs
    x, y, path = lemke_howson(A, B, 0, return_path=True)
    assert np.allclose(path[0][0], 0) and np.allclose(path[0][1], 0)  # the artificial equilibrium
    np.testing.assert_allclose(path[-1][0] / path[-1][0].sum(), x)
    np.testing.assert_allclose(path[-1][1] / path[-1][1].sum(), y)
    for (x0, y0), (x1, y1) in zip(path[:-1], path[1:]):  # each pivot moves one player only
        assert np.allclose(x0, x1) != np.allclose(y0, y1)


def test_lemke_howson_on_degenerate_games_gives_certified_equilibria():
    # von Stengel's degenerate example (the pure strategy row 0 has two best responses),
    # a constant game (everything is an equilibrium) and a game with duplicated rows.
    games = [
        ([[3.0, 3.0], [2.0, 5.0], [0.0, 6.0]], [[3.0, 2.0], [2.0, 6.0], [3.0, 1.0]]),
        ([[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]),
        ([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]),
    ]
    for A, B in games:
        game = NormalFormGame.bimatrix(A, B)
        for label in range(sum(game.shape)):
            x, y = lemke_howson(A, B, label)
            assert np.all(np.isfinite(x)) and np.all(np.isfinite(y))
            assert game.nash_conv([x, y]) < 1e-9, (A, label)


def test_support_enumeration_on_degenerate_game_returns_only_certified_equilibria():
    A = [[3.0, 3.0], [2.0, 5.0], [0.0, 6.0]]
    B = [[3.0, 2.0], [2.0, 6.0], [3.0, 1.0]]
    game = NormalFormGame.bimatrix(A, B)
    found = support_enumeration(A, B)
    assert found
    assert all(game.nash_conv([x, y]) < 1e-9 for x, y in found)
    assert support_enumeration([[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]])  # singular blocks: no crash


def test_chicken_correlated_equilibria_beat_nash_welfare():
    game = chicken()
    mu = correlated_equilibrium(game)  # Aumann's traffic light: 1/4, 1/4, 1/2
    np.testing.assert_allclose(mu, [[0.0, 0.25], [0.25, 0.5]], atol=1e-9)
    assert ce_gaps(game, mu).max() < 1e-9
    best_nash = max(game.expected_payoffs([x, y]).sum() for x, y in support_enumeration(*game.payoffs))
    assert best_nash == pytest.approx(28 / 3)  # the mixed equilibrium: 14/3 each
    assert joint_payoffs(game, mu).sum() == pytest.approx(10.5)
    worst = correlated_equilibrium(game, "min_welfare")
    assert joint_payoffs(game, worst).sum() == pytest.approx(7.2)
    assert ce_gaps(game, worst).max() < 1e-9


def test_cce_strictly_larger_than_ce_in_shapley_game():
    game = shapley_game()
    cce = coarse_correlated_equilibrium(game, 0)  # best CCE for the row player
    ce = correlated_equilibrium(game, 0)
    assert cce_gaps(game, cce).max() < 1e-9 and ce_gaps(game, ce).max() < 1e-9
    assert joint_payoffs(game, cce)[0] > joint_payoffs(game, ce)[0] + 0.05
    assert ce_gaps(game, cce).max() > 0.05  # this CCE is not a CE


def test_three_player_ce_and_cce():
    rng = np.random.default_rng(3)
    game = NormalFormGame(rng.normal(size=(3, 2, 3, 2)))
    ce, cce = correlated_equilibrium(game), coarse_correlated_equilibrium(game)
    assert ce.shape == cce.shape == (2, 3, 2)
    assert ce_gaps(game, ce).max() < 1e-8 and cce_gaps(game, cce).max() < 1e-8
    assert joint_payoffs(game, cce).sum() >= joint_payoffs(game, ce).sum() - 1e-8
    for a in game.pure_nash_equilibria():  # pure equilibria are CEs: welfare bound
        assert joint_payoffs(game, ce).sum() >= game.payoffs[(slice(None), *a)].sum() - 1e-8


def test_objective_options():
    game = chicken()
    for objective in (0, 1, "feasible", np.array([[1.0, 0.0], [0.0, 0.0]])):
        mu = correlated_equilibrium(game, objective)
        assert ce_gaps(game, mu).max() < 1e-9
    assert joint_payoffs(game, correlated_equilibrium(game, 0))[0] == pytest.approx(7.0)


def test_nash_map_fixed_points_are_equilibria():
    game = battle_of_the_sexes()
    for x, y in support_enumeration(*game.payoffs):
        fx, fy = nash_map(game, [x, y])
        np.testing.assert_allclose(fx, x, atol=1e-12)
        np.testing.assert_allclose(fy, y, atol=1e-12)
    fx, fy = nash_map(game, [[0.5, 0.5], [0.5, 0.5]])  # not an equilibrium: it moves
    assert not np.allclose(fx, [0.5, 0.5])


# ============================================================ property tests on random games
@settings(max_examples=40)
@given(seed=seeds, n=sizes, m=sizes)
def test_zero_sum_lp_value_is_the_certified_minmax(seed, n, m):
    A = np.random.default_rng(seed).uniform(-5, 5, size=(n, m))
    x, y, value = solve_zero_sum(A)
    lower, upper = (x @ A).min(), (A @ y).max()  # the value lies in [lower, upper]
    assert upper - lower <= 1e-7
    assert lower - 1e-7 <= value <= upper + 1e-7
    game = NormalFormGame.zero_sum(A)
    assert game.nash_conv([x, y]) <= 1e-7


@settings(max_examples=30)
@given(seed=seeds, n=sizes, m=sizes)
def test_support_enumeration_on_random_games(seed, n, m):
    A, B = random_bimatrix(seed, n, m)
    game = NormalFormGame.bimatrix(A, B)
    found = support_enumeration(A, B)
    assert len(found) % 2 == 1  # a nondegenerate game has an odd number of equilibria
    for x, y in found:
        assert game.best_response_gaps([x, y]).max() <= 1e-9 * max(1.0, np.abs(A).max(), np.abs(B).max())
    for a in game.pure_nash_equilibria():  # every pure equilibrium is among them
        assert contains(found, np.eye(n)[a[0]], np.eye(m)[a[1]])
    for label in range(n + m):  # Lemke-Howson's answer is one of them
        x, y = lemke_howson(A, B, label)
        assert contains(found, x, y)


@settings(max_examples=30)
@given(seed=seeds, n=sizes, m=sizes)
def test_lemke_howson_on_integer_games_is_certified(seed, n, m):
    A, B = random_bimatrix(seed, n, m, integer=True)  # ties: frequently degenerate
    game = NormalFormGame.bimatrix(A, B)
    for label in range(n + m):
        x, y, path = lemke_howson(A, B, label, return_path=True)
        assert game.nash_conv([x, y]) <= 1e-9
        assert all(np.all(np.isfinite(p)) and np.all(np.isfinite(q)) for p, q in path)
    for x, y in support_enumeration(A, B):
        assert game.nash_conv([x, y]) <= 1e-9


@settings(max_examples=25)
@given(seed=seeds, shape=st.lists(st.integers(1, 3), min_size=2, max_size=3))
def test_ce_and_cce_constraints_hold(seed, shape):
    rng = np.random.default_rng(seed)
    game = NormalFormGame(rng.uniform(-2, 2, size=(len(shape), *shape)))
    ce = correlated_equilibrium(game)
    cce = coarse_correlated_equilibrium(game)
    assert ce_gaps(game, ce).max() <= 1e-7 and cce_gaps(game, ce).max() <= 1e-7  # CE is a CCE
    assert cce_gaps(game, cce).max() <= 1e-7
    assert joint_payoffs(game, cce).sum() >= joint_payoffs(game, ce).sum() - 1e-7  # CCE set is larger


@settings(max_examples=30)
@given(seed=seeds, n=sizes, m=sizes)
def test_gaps_of_product_distributions_are_best_response_gaps(seed, n, m):
    rng = np.random.default_rng(seed)
    game = NormalFormGame(rng.normal(size=(2, n, m)))
    x, y = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))
    np.testing.assert_allclose(cce_gaps(game, np.outer(x, y)), game.best_response_gaps([x, y]), atol=1e-12)
    assert np.all(ce_gaps(game, np.outer(x, y)) >= cce_gaps(game, np.outer(x, y)) - 1e-12)


# ============================================================ no-regret dynamics
@settings(max_examples=6)
@given(seed=seeds, n=st.integers(2, 3), m=st.integers(2, 3))
def test_hedge_regret_bound(seed, n, m):
    # Tuned Hedge: regret <= R sqrt(T ln(n) / 2), so the CCE gap of the empirical play is <= that / T.
    rng = np.random.default_rng(seed)
    game = NormalFormGame(rng.uniform(-1, 1, size=(2, n, m)))
    T = 400
    run = hedge(game, T)
    R = np.array([u.max() - u.min() for u in game.payoffs])
    bound = R * np.sqrt(np.log(game.shape) / (2 * T))
    assert np.all(cce_gaps(game, run.joint) <= bound + 1e-12)
    for s in run.strategies:
        assert s.shape[0] == T and np.allclose(s.sum(1), 1.0)


@settings(max_examples=6)
@given(seed=seeds, n=st.integers(2, 3), m=st.integers(2, 3))
def test_regret_matching_regret_bound(seed, n, m):
    # Regret matching: max regret <= R sqrt(n T).
    rng = np.random.default_rng(seed)
    game = NormalFormGame(rng.uniform(-1, 1, size=(2, n, m)))
    T = 400
    run = regret_matching(game, T)
    R = np.array([u.max() - u.min() for u in game.payoffs])
    assert np.all(cce_gaps(game, run.joint) <= R * np.sqrt(np.array(game.shape) / T) + 1e-12)


def test_hedge_last_iterate_cycles_in_shapley_game_while_average_is_a_cce():
    game = shapley_game()
    run = hedge(game, 20_000, initial=[[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    assert cce_gaps(game, run.joint).max() < 0.01
    assert np.abs(run.strategies[0][-1] - 1 / 3).max() > 0.5  # far from the uniform equilibrium at the end
    favourite = run.strategies[0].argmax(1)
    switches = np.nonzero(favourite[1:] != favourite[:-1])[0]
    assert len(switches) >= 5  # it keeps cycling through the actions ...
    assert np.all(np.diff(np.diff(switches)) > 0)  # ... ever more slowly


def test_sampled_runs_are_reproducible_and_joint_is_the_histogram():
    game = chicken()
    one, two = hedge(game, 500, seed=7), hedge(game, 500, seed=7)
    np.testing.assert_array_equal(one.actions, two.actions)
    counts = np.zeros(game.shape)
    for a in one.actions:
        counts[tuple(a)] += 1
    np.testing.assert_allclose(one.joint, counts / 500)
    assert hedge(game, 500, seed=8).actions.tolist() != one.actions.tolist()
    rm = regret_matching(game, 500, seed=1)
    assert rm.actions.shape == (500, 2) and rm.joint.sum() == pytest.approx(1.0)


def test_conditional_regret_matching_approaches_correlated_equilibria():
    game = shapley_game()
    run = regret_matching(game, 20_000, seed=0, conditional=True)
    for s in run.strategies:
        assert np.all(s >= -1e-12) and np.allclose(s.sum(1), 1.0)
    early = np.zeros(game.shape)
    np.add.at(early, tuple(run.actions[:500].T), 1 / 500)  # the empirical distribution after 500 rounds
    assert ce_gaps(game, run.joint).max() < 0.1
    assert ce_gaps(game, run.joint).max() < 0.7 * ce_gaps(game, early).max()


# ============================================================ bad inputs
@pytest.mark.parametrize("call, message", [
    (lambda: solve_zero_sum([[1.0, np.nan]]), "NaN"),
    (lambda: solve_zero_sum(np.zeros((0, 3))), "nonempty matrix"),
    (lambda: solve_zero_sum([1.0, 2.0]), "matrix"),
    (lambda: support_enumeration(np.ones((2, 3)), np.ones((3, 2))), "one shape"),
    (lambda: support_enumeration([[1.0, np.inf]], [[1.0, 1.0]]), "NaN or inf"),
    (lambda: support_enumeration(np.ones((2, 0)), np.ones((2, 0))), "nonempty"),
    (lambda: support_enumeration(np.ones((2, 2)), np.ones((2, 2)), tol=-1.0), "tol"),
    (lambda: lemke_howson(np.ones((2, 2)), np.ones((2, 2)), initial_label=4), "initial_label"),
    (lambda: lemke_howson(np.ones((2, 2)), np.ones((2, 3))), "one shape"),
    (lambda: duality_gap([[1.0, 0.0]], [1.0], [0.7, 0.7]), "probability vector"),
    (lambda: correlated_equilibrium(np.ones((2, 2))), "NormalFormGame"),
    (lambda: correlated_equilibrium(chicken(), "nonsense"), "objective"),
    (lambda: correlated_equilibrium(chicken(), np.ones(3)), "shape"),
    (lambda: coarse_correlated_equilibrium(chicken(), 5), "player"),
    (lambda: ce_gaps(chicken(), np.ones((2, 3)) / 6), "shape"),
    (lambda: cce_gaps(chicken(), [[0.5, 0.5], [0.5, 0.5]]), "sum to 1"),
    (lambda: hedge(chicken(), 0), "steps"),
    (lambda: hedge(chicken(), 10, step_size=-0.1), "step_size"),
    (lambda: hedge(chicken(), 10, initial=[[1.0, 0.0], [0.5, 0.5]]), "positive"),
    (lambda: hedge(chicken(), 10, seed=-1), "seed"),
    (lambda: regret_matching(chicken(), 10, conditional=True), "seed"),
    (lambda: regret_matching(chicken(), 10, seed=0, conditional=True, inertia=0.1), "inertia"),
    (lambda: nash_map(chicken(), [[0.5, 0.5]]), "strategies"),
])
def test_bad_inputs_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_every_support_pair_is_covered_for_small_games():
    # A brute-force cross-check: for 3x3 games, check by hand every pure profile and every
    # pair of full supports against the vectorised enumeration.
    rng = np.random.default_rng(11)
    A, B = rng.normal(size=(2, 3, 3))
    found = support_enumeration(A, B)
    game = NormalFormGame.bimatrix(A, B)
    for i, j in itertools.product(range(3), repeat=2):
        x, y = np.eye(3)[i], np.eye(3)[j]
        assert (game.nash_conv([x, y]) < 1e-12) == contains(found, x, y)
    # fully mixed candidate: solve both indifference systems directly
    K = lambda M: np.block([[M, -np.ones((3, 1))], [np.ones((1, 3)), np.zeros((1, 1))]])  # noqa: E731
    y = np.linalg.solve(K(A), [0, 0, 0, 1.0])[:3]
    x = np.linalg.solve(K(B.T), [0, 0, 0, 1.0])[:3]
    fully_mixed = bool(np.all(x > 0) and np.all(y > 0))
    assert fully_mixed == contains(found, x, y)
