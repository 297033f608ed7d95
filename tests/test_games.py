"""Tests of gtml_utils.games: continuous games (pseudo-gradients, coupled domains) and
normal-form games (expected payoffs, best-response gaps, the classic examples).

Conventions under test: players maximise; in ``ContinuousGame.zero_sum(f)`` x minimises f
and y maximises it; in a matrix game the row player receives ``A[i, j]``.
"""

import itertools

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gtml_utils.games import (
    ContinuousGame,
    NormalFormGame,
    battle_of_the_sexes,
    chicken,
    matching_pennies,
    prisoners_dilemma,
    rock_paper_scissors,
    shapley_game,
)
from gtml_utils.projections import Ball, Box, Polytope, Product, Simplex


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


seeds = st.integers(0, 2**32 - 1)


# ============================================================ ContinuousGame
BILINEAR = ContinuousGame.zero_sum(lambda a, b: jnp.sum(a * b), dims=(1, 1))


@settings(max_examples=50)
@given(x=floats(-10, 10), y=floats(-10, 10))
def test_zero_sum_bilinear_pseudo_gradient(x, y):
    # min_x max_y x*y: u_x = -x*y, u_y = x*y, so V = (d(-xy)/dx, d(xy)/dy) = (-y, x)
    np.testing.assert_allclose(BILINEAR.pseudo_gradient([x, y]), [-y, x], rtol=0, atol=1e-12)
    np.testing.assert_allclose(BILINEAR.values([x, y]), [-x * y, x * y], rtol=1e-12, atol=1e-12)


def quadratic_game(seed=0, dims=(1, 2, 3)):
    r"""u_i(x) = -a_i/2 ||x_i||^2 + x_i^T \sum_{j != i} C_ij x_j + c_i^T x_i + 7 \sum_{j != i} ||x_j||^2,
    whose own gradient is -a_i x_i + \sum_{j != i} C_ij x_j + c_i (the last term must not enter)."""
    rng = np.random.default_rng(seed)
    n = len(dims)
    a = rng.uniform(0.5, 2.0, size=n)
    C = {(i, j): rng.normal(size=(dims[i], dims[j])) for i in range(n) for j in range(n) if i != j}
    c = [rng.normal(size=d) for d in dims]

    def utility(i):
        def u(*x):
            value = -0.5 * a[i] * jnp.sum(x[i] ** 2) + c[i] @ x[i]
            for j in range(n):
                if j != i:
                    value = value + x[i] @ (C[i, j] @ x[j]) + 7.0 * jnp.sum(x[j] ** 2)
            return value

        return u

    def gradient(z):
        x = np.split(np.asarray(z), np.cumsum(dims)[:-1])
        return np.concatenate(
            [-a[i] * x[i] + c[i] + sum(C[i, j] @ x[j] for j in range(n) if j != i) for i in range(n)]
        )

    def values(z):
        x = np.split(np.asarray(z), np.cumsum(dims)[:-1])
        return np.array(
            [
                -0.5 * a[i] * x[i] @ x[i]
                + c[i] @ x[i]
                + sum(x[i] @ C[i, j] @ x[j] + 7.0 * x[j] @ x[j] for j in range(n) if j != i)
                for i in range(n)
            ]
        )

    return ContinuousGame([utility(i) for i in range(n)], dims), gradient, values


QUADRATIC, QUADRATIC_GRADIENT, QUADRATIC_VALUES = quadratic_game()


@settings(max_examples=40)
@given(z=hnp.arrays(np.float64, (6,), elements=floats(-5, 5)))
def test_quadratic_game_pseudo_gradient_and_values(z):
    np.testing.assert_allclose(QUADRATIC.pseudo_gradient(z), QUADRATIC_GRADIENT(z), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(QUADRATIC.values(z), QUADRATIC_VALUES(z), rtol=1e-10, atol=1e-10)
    for i in range(3):
        assert float(QUADRATIC.utility(i, z)) == pytest.approx(QUADRATIC_VALUES(z)[i], rel=1e-10, abs=1e-10)


def test_quadratic_game_hand_value():
    # one fixed point by hand for a 2-player quadratic game:
    # u_1 = -x^2 + 3 x y, u_2 = -(y - 1)^2 + x; V = (-2x + 3y, -2(y - 1))
    game = ContinuousGame([lambda x, y: -(x[0] ** 2) + 3 * x[0] * y[0], lambda x, y: -((y[0] - 1) ** 2) + x[0]], (1, 1))
    np.testing.assert_allclose(game.pseudo_gradient([2.0, -1.0]), [-7.0, 4.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(game.values([2.0, -1.0]), [-10.0, -2.0], rtol=0, atol=1e-12)


def smooth_game(seed, dims):
    """A random smooth game: u_i(z) = sum_k w_ik sin(a_ik . z + b_ik) + z^T Q_i z / 2."""
    rng = np.random.default_rng(seed)
    total, n = sum(dims), len(dims)
    W, Aff, B = rng.normal(size=(n, 4)), rng.normal(size=(n, 4, total)), rng.normal(size=(n, 4))
    Q = rng.normal(size=(n, total, total))

    def utility(i):
        def u(*blocks):
            z = jnp.concatenate(blocks)
            return W[i] @ jnp.sin(Aff[i] @ z + B[i]) + 0.5 * z @ Q[i] @ z

        return u

    return ContinuousGame([utility(i) for i in range(n)], dims)


@settings(max_examples=12)  # every example is a new game, whose pseudo-gradient compiles afresh
@given(dims=st.lists(st.integers(1, 2), min_size=2, max_size=3), seed=seeds, data=st.data())
def test_pseudo_gradient_matches_finite_differences(dims, seed, data):
    game = smooth_game(seed, dims)
    z = data.draw(hnp.arrays(np.float64, (game.dim,), elements=floats(-2, 2)))
    h = 1e-5
    expected = []
    for i in range(game.n_players):
        for k in range(game.offsets[i], game.offsets[i + 1]):
            e = np.zeros(game.dim)
            e[k] = h
            expected.append((float(game.utility(i, z + e)) - float(game.utility(i, z - e))) / (2 * h))
    np.testing.assert_allclose(game.pseudo_gradient(z), expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(game.values(z), [float(game.utility(i, z)) for i in range(game.n_players)])


def test_split_returns_the_blocks():
    game = ContinuousGame([lambda x, y, w: jnp.sum(x), lambda x, y, w: y[0], lambda x, y, w: jnp.sum(w)], (2, 1, 3))
    z = np.arange(6.0)
    blocks = game.split(z)
    assert [b.shape for b in blocks] == [(2,), (1,), (3,)]
    for block, expected in zip(blocks, ([0.0, 1.0], [2.0], [3.0, 4.0, 5.0])):
        np.testing.assert_array_equal(block, expected)
    assert game.offsets == (0, 2, 3, 6) and game.dim == 6 and game.n_players == 3
    np.testing.assert_allclose(game.values(z), [1.0, 2.0, 12.0])
    np.testing.assert_allclose(game.pseudo_gradient(z), [1.0, 1.0, 1.0, 1.0, 1.0, 1.0])


def test_scalar_output_of_shape_one_is_accepted():
    game = ContinuousGame([lambda x, y: x * y, lambda x, y: -x * y], (1, 1))  # outputs of shape (1,)
    assert game.utility(0, [2.0, 3.0]).shape == ()
    np.testing.assert_allclose(game.pseudo_gradient([2.0, 3.0]), [3.0, -2.0])


# -- coupled domain: a polytope shared by the players ----------------------------
# x1 + x2 <= 1 and x1, x2 >= 0: each player's section is an interval [0, 1 - other]
SHARED = Polytope([[1.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], [1.0, 0.0, 0.0])
COUPLED = ContinuousGame(
    [lambda x, y: x[0] * (1.0 - x[0] - y[0]), lambda x, y: y[0] * (1.0 - x[0] - y[0])], (1, 1), domain=SHARED
)


@pytest.mark.parametrize(
    ("player", "z", "v", "expected"),
    [
        (0, [0.2, 0.6], [1.0], [0.4]),  # clipped at 1 - 0.6
        (0, [0.2, 0.6], [-2.0], [0.0]),
        (0, [0.2, 0.6], [0.3], [0.3]),  # already feasible
        (1, [0.2, 0.6], [5.0], [0.8]),
        (1, [1.0, 0.0], [0.5], [0.0]),  # player 0 took everything: player 1's section is {0}
    ],
)
def test_project_player_on_coupled_polytope(player, z, v, expected):
    np.testing.assert_allclose(COUPLED.project_player(player, z, v), expected, rtol=0, atol=1e-9)


def test_coupled_game_values_and_gradient():
    # Cournot-like: u_1 = x (1 - x - y), u_2 = y (1 - x - y); V = (1 - 2x - y, 1 - x - 2y)
    z = [0.2, 0.6]
    np.testing.assert_allclose(COUPLED.values(z), [0.2 * 0.2, 0.6 * 0.2])
    assert float(COUPLED.utility(1, z)) == pytest.approx(0.12)
    np.testing.assert_allclose(COUPLED.pseudo_gradient(z), [1 - 0.4 - 0.6, 1 - 0.2 - 1.2], rtol=0, atol=1e-12)
    np.testing.assert_allclose(COUPLED.pseudo_gradient([0.5, 0.1]), [1 - 1.0 - 0.1, 1 - 0.5 - 0.2], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(COUPLED.split(z)[1], [0.6])


def test_project_player_on_coupled_polytope_with_a_two_dimensional_block():
    # x >= 0 and x1 + x2 + x3 <= 1 with blocks (x1, x2) and (x3,):
    # at x3 = 0.5, player 0 faces {x1, x2 >= 0, x1 + x2 <= 0.5}
    domain = Polytope(np.vstack([-np.eye(3), np.ones((1, 3))]), [0.0, 0.0, 0.0, 1.0])
    game = ContinuousGame([lambda x, y: -jnp.sum(x**2), lambda x, y: -jnp.sum(y**2)], (2, 1), domain=domain)
    z = [0.1, 0.1, 0.5]
    np.testing.assert_allclose(game.project_player(0, z, [1.0, 0.0]), [0.5, 0.0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(game.project_player(0, z, [0.6, 0.6]), [0.25, 0.25], rtol=0, atol=1e-9)
    np.testing.assert_allclose(game.project_player(0, z, [-1.0, 0.2]), [0.0, 0.2], rtol=0, atol=1e-9)
    np.testing.assert_allclose(game.project_player(1, z, [3.0]), [0.8], rtol=0, atol=1e-9)


PRODUCT_DOMAIN = Product([Simplex(3), Ball([0.0, 0.0], 1.0), Box(-1.0, 2.0, dim=1)])
PRODUCT_GAME = ContinuousGame(
    [lambda x, y, w: jnp.sum(x * y[0]), lambda x, y, w: -jnp.sum(y**2), lambda x, y, w: w[0] * jnp.sum(x)],
    (3, 2, 1),
    domain=PRODUCT_DOMAIN,
)


@settings(max_examples=40)
@given(player=st.integers(0, 2), seed=seeds, data=st.data())
def test_project_player_on_product_domain_projects_onto_the_factor(player, seed, data):
    rng = np.random.default_rng(seed)
    w = rng.exponential(size=3)
    z = np.concatenate([w / w.sum(), 0.7 * np.array([0.6, 0.8]), [rng.uniform(-1.0, 2.0)]])
    v = data.draw(hnp.arrays(np.float64, (PRODUCT_GAME.dims[player],), elements=floats(-10, 10)))
    factor = PRODUCT_DOMAIN.sets[player]
    np.testing.assert_allclose(PRODUCT_GAME.project_player(player, z, v), factor.project(v), rtol=0, atol=1e-12)


def test_project_player_without_domain_is_the_identity():
    game = ContinuousGame([lambda x, y: jnp.sum(x), lambda x, y: jnp.sum(y)], (2, 1))
    np.testing.assert_array_equal(game.project_player(0, [0.0, 0.0, 0.0], [7.0, -9.0]), [7.0, -9.0])


# -- bad input -----------------------------------------------------------------
def _f(x, y):
    return jnp.sum(x) * jnp.sum(y)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        pytest.param(lambda: ContinuousGame([_f, _f], (1,)), "got 2 utilities and 1 dims", id="count"),
        pytest.param(lambda: ContinuousGame([_f], (1, 1)), "got 1 utilities and 2 dims", id="count-2"),
        pytest.param(lambda: ContinuousGame([], ()), "got 0 utilities", id="no-players"),
        pytest.param(lambda: ContinuousGame([_f, _f], (0, 1)), r"dims = \[0, 1\]; expected positive", id="dim-0"),
        pytest.param(lambda: ContinuousGame([_f, _f], (1.5, 1)), "expected positive integers", id="dim-float"),
        pytest.param(lambda: ContinuousGame([_f, 3.0], (1, 1)), "every utility must be a callable", id="callable"),
        pytest.param(
            lambda: ContinuousGame([lambda x, y: x * y, _f], (2, 1)),
            r"utility 0 returns shape \(2,\); expected a scalar",
            id="non-scalar",
        ),
        pytest.param(
            lambda: ContinuousGame([_f, lambda x, y: jnp.outer(x, y)], (2, 2)),
            r"utility 1 returns shape \(2, 2\)",
            id="matrix-output",
        ),
        pytest.param(
            lambda: ContinuousGame([_f, lambda x, y: x @ jnp.ones(3)], (2, 1)),
            r"utility 1 cannot be evaluated on blocks of sizes \(2, 1\)",
            id="fails",
        ),
        pytest.param(
            lambda: ContinuousGame([_f, _f], (1, 1), domain=Box(0.0, 1.0, dim=3)),
            r"domain has dimension 3; expected sum\(dims\) = 2",
            id="domain-dim",
        ),
        pytest.param(
            lambda: ContinuousGame([_f, _f], (1, 1), domain=[(0, 1), (0, 1)]),
            "domain is a list; expected a ConvexSet",
            id="domain-type",
        ),
        pytest.param(lambda: ContinuousGame.zero_sum(_f, (1, 1, 1)), "two players", id="zero-sum-3"),
        pytest.param(lambda: COUPLED.pseudo_gradient([0.1]), r"profile z has shape \(1,\).*\(2,\)", id="z-shape"),
        pytest.param(lambda: COUPLED.values([[0.1, 0.2]]), r"profile z has shape \(1, 2\)", id="z-matrix"),
        pytest.param(lambda: COUPLED.utility(0, [np.nan, 0.2]), "profile z contains NaN or inf", id="z-nan"),
        pytest.param(lambda: QUADRATIC.pseudo_gradient([np.inf] + [0.0] * 5), "contains NaN or inf", id="z-inf"),
        pytest.param(lambda: COUPLED.values([0.7, 0.7]), r"profile z = \[0\.7, 0\.7\] lies outside", id="outside"),
        pytest.param(lambda: COUPLED.pseudo_gradient([-0.1, 0.0]), "lies outside the domain", id="outside-2"),
        pytest.param(lambda: COUPLED.split([0.9, 0.2]), "lies outside the domain", id="split-outside"),
        pytest.param(lambda: COUPLED.project_player(0, [0.9, 0.2], [0.0]), "outside the domain", id="project-out"),
        pytest.param(lambda: COUPLED.utility(2, [0.1, 0.2]), r"index 2; expected an integer in \[0, 2\)", id="i"),
        pytest.param(lambda: COUPLED.utility(-1, [0.1, 0.2]), "player index -1", id="player-negative"),
        pytest.param(lambda: COUPLED.utility(1.0, [0.1, 0.2]), r"player index 1\.0", id="player-float"),
        pytest.param(lambda: COUPLED.project_player(5, [0.1, 0.2], [0.0]), "player index 5", id="project-player"),
        pytest.param(
            lambda: COUPLED.project_player(0, [0.1, 0.2], [0.0, 1.0]),
            r"player 0's vector v has shape \(2,\); expected a vector of shape \(1,\)",
            id="v-shape",
        ),
        pytest.param(lambda: COUPLED.project_player(1, [0.1, 0.2], [np.nan]), "v contains NaN", id="v-nan"),
    ],
)
def test_continuous_game_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ============================================================ NormalFormGame
def probability_vectors(n):
    """Random mixed strategies over n actions, pure ones included (zero weights are drawn)."""

    def normalise(w):
        return w / w.sum() if w.sum() > 0 else np.full(n, 1.0 / n)

    return hnp.arrays(np.float64, (n,), elements=floats(0.0, 1.0)).map(normalise)


TWO_OR_THREE, ONE_TO_THREE = st.integers(2, 3), st.integers(1, 3)


@st.composite
def games_and_profiles(draw, players=TWO_OR_THREE, actions=ONE_TO_THREE):
    shape = tuple(draw(actions) for _ in range(draw(players)))
    payoffs = draw(hnp.arrays(np.float64, (len(shape), *shape), elements=floats(-10, 10)))
    strategies = [draw(probability_vectors(n)) for n in shape]
    return NormalFormGame(payoffs), payoffs, strategies


def brute_force(payoffs, strategies):
    """Expected payoffs, action payoffs and gaps by a loop over the pure profiles."""
    k, shape = payoffs.shape[0], payoffs.shape[1:]
    expected = np.zeros(k)
    actions = [np.zeros(n) for n in shape]
    for profile in itertools.product(*map(range, shape)):
        probabilities = [strategies[j][profile[j]] for j in range(k)]
        for i in range(k):
            others = np.prod([p for j, p in enumerate(probabilities) if j != i])
            actions[i][profile[i]] += others * payoffs[i][profile]
            expected[i] += others * probabilities[i] * payoffs[i][profile]
    gaps = np.array([actions[i].max() - expected[i] for i in range(k)])
    return expected, actions, gaps


@settings(max_examples=60)
@given(games_and_profiles())
def test_payoffs_and_gaps_match_brute_force(case):
    game, payoffs, strategies = case
    expected, actions, gaps = brute_force(payoffs, strategies)
    np.testing.assert_allclose(game.expected_payoffs(strategies), expected, rtol=1e-10, atol=1e-10)
    for got, want in zip(game.action_payoffs(strategies), actions):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(game.best_response_gaps(strategies), gaps, rtol=1e-10, atol=1e-10)


@settings(max_examples=60)
@given(games_and_profiles(players=st.integers(1, 4)))
def test_gaps_are_nonnegative_and_sum_to_nash_conv(case):
    game, payoffs, strategies = case
    gaps = game.best_response_gaps(strategies)
    assert gaps.shape == (game.n_players,)
    # max_a u_i(a, s_-i) >= u_i(s), up to the rounding of the expectation
    assert np.all(gaps >= -1e-12 * (1.0 + np.abs(payoffs).max())), gaps
    assert game.nash_conv(strategies) == pytest.approx(gaps.sum(), abs=1e-12)
    # a best response (pure) of any player has zero gap against the same opponents
    i = 0
    best = np.eye(game.shape[i])[np.argmax(game.action_payoffs(strategies)[i])]
    assert game.best_response_gaps([best, *strategies[1:]])[i] == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=60)
@given(players=st.integers(2, 3), seed=seeds)
def test_pure_equilibria_are_exactly_the_zero_gap_pure_profiles(players, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 4, size=players))
    payoffs = rng.integers(-2, 3, size=(players, *shape)).astype(float)  # small integers: ties happen
    game = NormalFormGame(payoffs)
    found = set(game.pure_nash_equilibria())
    for profile in itertools.product(*map(range, shape)):
        pure = [np.eye(n)[a] for n, a in zip(shape, profile)]
        is_nash = bool(np.all(game.best_response_gaps(pure) == 0.0))
        assert (profile in found) == is_nash, (profile, payoffs)


def test_two_player_hand_computation():
    A = np.array([[1.0, 2.0, 0.0], [-1.0, 4.0, 3.0]])
    B = np.array([[0.0, 1.0, 5.0], [2.0, -2.0, 1.0]])
    x, y = np.array([0.25, 0.75]), np.array([0.5, 0.0, 0.5])
    game = NormalFormGame.bimatrix(A, B)
    assert game.n_players == 2 and game.shape == (2, 3)
    # row: A y = (0.5, 1.0); column: x B = (1.5, -1.25, 2.0)
    rows, cols = game.action_payoffs([x, y])
    np.testing.assert_allclose(rows, [0.5, 1.0])
    np.testing.assert_allclose(cols, [1.5, -1.25, 2.0])
    np.testing.assert_allclose(game.expected_payoffs([x, y]), [0.875, 1.75])
    np.testing.assert_allclose(game.best_response_gaps([x, y]), [0.125, 0.25])
    assert game.nash_conv([x, y]) == pytest.approx(0.375)


def test_three_player_hand_computation():
    # player i gets 1 when all three actions agree, and player 2 gets an extra 2 for action 1
    payoffs = np.zeros((3, 2, 2, 2))
    for a in itertools.product(range(2), repeat=3):
        agree = float(a[0] == a[1] == a[2])
        payoffs[0][a], payoffs[1][a], payoffs[2][a] = agree, agree, agree + 2.0 * a[2]
    game = NormalFormGame(payoffs)
    s = [np.array([0.5, 0.5]), np.array([1.0, 0.0]), np.array([0.25, 0.75])]
    # P(all agree) = 0.5*1*0.25 (all 0) + 0.5*0*0.75 (all 1) = 0.125
    np.testing.assert_allclose(game.expected_payoffs(s), [0.125, 0.125, 0.125 + 2 * 0.75])
    actions = game.action_payoffs(s)
    np.testing.assert_allclose(actions[0], [0.25, 0.0])  # 0 agrees if the others play (0, 0): 1 * 0.25
    np.testing.assert_allclose(actions[1], [0.125, 0.375])  # action 1 needs (1, ., 1): 0.5 * 0.75
    np.testing.assert_allclose(actions[2], [0.5, 2.0])  # action 0: 0.5 * 1; action 1: 2 + 0.5 * 0
    np.testing.assert_allclose(game.best_response_gaps(s), [0.125, 0.25, 2.0 - 1.625])
    # player 2's action 1 pays at least 2 > 1, so in equilibrium a_2 = 1; then (0, 0, 1) is stable too,
    # as either of the first two players alone cannot make all three actions agree
    assert game.pure_nash_equilibria() == [(0, 0, 1), (1, 1, 1)]


def test_zero_sum_and_bimatrix_constructors():
    A = np.array([[1.0, -2.0], [3.0, 0.5], [0.0, 4.0]])
    game = NormalFormGame.zero_sum(A)
    np.testing.assert_array_equal(game.payoffs[0], A)
    np.testing.assert_array_equal(game.payoffs[1], -A)
    x, y = np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.4])
    u = game.expected_payoffs([x, y])
    assert u[0] == pytest.approx(x @ A @ y) and u[0] + u[1] == pytest.approx(0.0, abs=1e-15)
    B = np.arange(6.0).reshape(3, 2)
    bi = NormalFormGame.bimatrix(A, B)
    np.testing.assert_array_equal(bi.payoffs, np.stack([A, B]))
    np.testing.assert_allclose(bi.expected_payoffs([x, y]), [x @ A @ y, x @ B @ y])
    # the stacked-array and list forms of the constructor agree
    np.testing.assert_array_equal(NormalFormGame(np.stack([A, B])).payoffs, bi.payoffs)


# -- the classic games ---------------------------------------------------------------
UNIFORM2, UNIFORM3 = [0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]


@pytest.mark.parametrize(("make", "uniform"), [(matching_pennies, UNIFORM2), (rock_paper_scissors, UNIFORM3)])
def test_zero_sum_classics_have_uniform_equilibrium_of_value_zero(make, uniform):
    game = make()
    np.testing.assert_allclose(game.best_response_gaps([uniform, uniform]), 0.0, atol=1e-15)
    np.testing.assert_allclose(game.expected_payoffs([uniform, uniform]), [0.0, 0.0], atol=1e-15)
    np.testing.assert_array_equal(game.payoffs[0], -game.payoffs[1])
    assert game.pure_nash_equilibria() == []
    # any pure deviation from uniform play is exploitable
    pure = np.eye(len(uniform))[0]
    assert game.nash_conv([pure, uniform]) > 0.1 and game.nash_conv([uniform, pure]) > 0.1


def test_prisoners_dilemma_defection_is_the_unique_equilibrium():
    game = prisoners_dilemma()
    cooperate, defect = [1.0, 0.0], [0.0, 1.0]
    assert game.pure_nash_equilibria() == [(1, 1)]
    np.testing.assert_array_equal(game.best_response_gaps([defect, defect]), [0.0, 0.0])
    np.testing.assert_array_equal(game.expected_payoffs([defect, defect]), [1.0, 1.0])
    np.testing.assert_array_equal(game.best_response_gaps([cooperate, cooperate]), [2.0, 2.0])  # T - R = 5 - 3
    np.testing.assert_array_equal(game.expected_payoffs([cooperate, cooperate]), [3.0, 3.0])
    # defection strictly dominates: against defect, cooperating with probability p costs p (P - S = 1 - 0)
    for p in np.linspace(0.1, 1.0, 10):
        assert game.best_response_gaps([[p, 1 - p], defect])[0] == pytest.approx(p)


def test_battle_of_the_sexes_equilibria():
    game = battle_of_the_sexes()
    assert game.pure_nash_equilibria() == [(0, 0), (1, 1)]
    mixed = [[3 / 5, 2 / 5], [2 / 5, 3 / 5]]
    np.testing.assert_allclose(game.best_response_gaps(mixed), [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(game.expected_payoffs(mixed), [6 / 5, 6 / 5], atol=1e-12)
    assert game.nash_conv([[0.7, 0.3], [0.4, 0.6]]) > 1e-3  # off the equilibrium some player gains


def test_chicken_equilibria():
    game = chicken()
    assert game.pure_nash_equilibria() == [(0, 1), (1, 0)]
    np.testing.assert_array_equal(game.best_response_gaps([[1.0, 0.0], [0.0, 1.0]]), [0.0, 0.0])
    mixed = [[1 / 3, 2 / 3], [1 / 3, 2 / 3]]
    np.testing.assert_allclose(game.best_response_gaps(mixed), [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(game.expected_payoffs(mixed), [14 / 3, 14 / 3], atol=1e-12)
    # (S, S) gives 6 each, but is not an equilibrium: dare pays 7 against swerve
    np.testing.assert_array_equal(game.best_response_gaps([[0.0, 1.0], [0.0, 1.0]]), [1.0, 1.0])


def test_shapley_game_has_only_the_uniform_equilibrium():
    game = shapley_game()
    assert game.pure_nash_equilibria() == []
    np.testing.assert_allclose(game.best_response_gaps([UNIFORM3, UNIFORM3]), [0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(game.expected_payoffs([UNIFORM3, UNIFORM3]), [1 / 3, 1 / 3], atol=1e-15)
    for a, b in itertools.product(range(3), repeat=2):
        assert game.nash_conv([np.eye(3)[a], np.eye(3)[b]]) >= 1.0  # some player always gains 1


# -- bad input -----------------------------------------------------------------
MP = matching_pennies()
THREE = NormalFormGame(np.zeros((3, 2, 3, 2)))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        pytest.param(
            lambda: NormalFormGame([np.zeros((2, 2)), np.zeros((2, 3))]),
            r"payoff tensors have shapes \[\(2, 2\), \(2, 3\)\]; expected one common shape",
            id="shapes",
        ),
        pytest.param(lambda: NormalFormGame([[[1.0, np.nan]], [[0.0, 0.0]]]), r"payoffs\[0\] contains NaN", id="nan"),
        pytest.param(lambda: NormalFormGame([np.zeros((2, 2)), np.full((2, 2), np.inf)]), r"\[1\] contains", id="inf"),
        pytest.param(lambda: NormalFormGame(np.full((2, 2, 2), -np.inf)), "payoffs contains NaN or inf", id="arr-inf"),
        pytest.param(lambda: NormalFormGame([[1.0, 2.0], [3.0, 4.0]]), r"payoffs have shape \(2, 2\)", id="rank-low"),
        pytest.param(lambda: NormalFormGame(np.zeros((2, 2, 2, 2))), r"shape \(2, 2, 2, 2\); expected", id="rank-high"),
        pytest.param(lambda: NormalFormGame(np.zeros((2, 0, 3))), "every n_i >= 1", id="no-actions"),
        pytest.param(lambda: NormalFormGame([]), r"payoffs have shape \(0,\)", id="no-players"),
        pytest.param(lambda: NormalFormGame(3.0), r"payoffs have shape \(\)", id="scalar"),
        pytest.param(lambda: NormalFormGame([[["a"]]]), "must be an array of numbers", id="text"),
        pytest.param(lambda: NormalFormGame.zero_sum([1.0, 2.0]), r"A has shape \(2,\); expected a matrix", id="zs"),
        pytest.param(lambda: NormalFormGame.zero_sum([[np.nan]]), "A contains NaN", id="zero-sum-nan"),
        pytest.param(
            lambda: NormalFormGame.bimatrix(np.zeros((2, 2)), np.zeros((2, 3))),
            r"A has shape \(2, 2\) and B \(2, 3\)",
            id="bimatrix-shapes",
        ),
        pytest.param(lambda: NormalFormGame.bimatrix([[0.0]], [[np.inf]]), "B contains NaN or inf", id="bimatrix-inf"),
        pytest.param(lambda: MP.best_response_gaps([[0.5, 0.5]]), "got 1 strategies; expected one per player", id="n"),
        pytest.param(
            lambda: MP.expected_payoffs([[0.5, 0.5], [0.5, 0.5], [1.0]]), r"got 3 strategies.*\(2\)", id="too-many"
        ),
        pytest.param(
            lambda: MP.best_response_gaps([[0.5, 0.5], [0.2, 0.3, 0.5]]),
            r"strategy of player 1 has shape \(3,\); expected \(2,\)",
            id="length",
        ),
        pytest.param(
            lambda: MP.action_payoffs([[0.7, 0.7], [0.5, 0.5]]),
            r"strategy of player 0 is \[0\.7, 0\.7\]; expected a probability vector",
            id="sum",
        ),
        pytest.param(
            lambda: MP.nash_conv([[0.5, 0.5], [1.5, -0.5]]), "player 1 .* expected a probability vector", id="negative"
        ),
        pytest.param(lambda: MP.expected_payoffs([[np.nan, 1.0], [0.5, 0.5]]), "player 0 contains NaN", id="s-nan"),
        pytest.param(lambda: MP.expected_payoffs([[0.5, 0.5], [[0.5, 0.5]]]), r"shape \(1, 2\)", id="s-matrix"),
        pytest.param(
            lambda: THREE.best_response_gaps([[0.5, 0.5], [1.0, 0.0], [0.5, 0.5]]),
            r"strategy of player 1 has shape \(2,\); expected \(3,\)",
            id="three-length",
        ),
    ],
)
def test_normal_form_game_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()
