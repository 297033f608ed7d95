"""Tests of gtml_utils.dynamics: each method's step against its formula on hand-computed
examples, the bilinear rates against their closed forms, projections that keep iterates in
the domain, batched = single runs, the classifier on runs whose fate is known, and bad input.

Conventions under test: players maximise; V is the pseudo-gradient (each player's own
gradient); in ``ContinuousGame.zero_sum(f)`` x minimises f, so V = (-df/dx, df/dy).
"""

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtml_utils.dynamics import (
    METHODS,
    classify_trajectories,
    simulate,
    simulate_tail,
    spectral_radius,
    update_jacobian,
)
from gtml_utils.games import ContinuousGame
from gtml_utils.projections import Ball, Box, Polytope, Product, Simplex

XY = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
# f = x^2/2 + 2xy: V = (-x - 2y, 2x), J = [[-1, -2], [2, 0]] is not antisymmetric, so
# consensus and SGA differ here (they coincide on bilinear games).
QUAD = ContinuousGame.zero_sum(lambda x, y: jnp.sum(0.5 * x**2 + 2 * x * y), dims=(1, 1))
# f = -x^2/2 + 2xy: the sign alignment of SGA flips lambda at (1, 1) (computed below).
QUAD_FLIP = ContinuousGame.zero_sum(lambda x, y: jnp.sum(-0.5 * x**2 + 2 * x * y), dims=(1, 1))


def one_step(game, z, method, eta=0.1, **options):
    # two steps, so that this and the OGDA test below share one compiled program
    return np.asarray(simulate(game, z, method, eta, 2, **options)[1])


# ------------------------------------------------------------ one step, by hand
# At z = (1, 2) on xy: V = (-y, x) = (-2, 1).
@pytest.mark.parametrize(("method", "expected"), [
    ("gda", [1 - 0.1 * 2, 2 + 0.1 * 1]),                      # z + eta V(z)
    ("alt_gda", [1 - 0.1 * 2, 2 + 0.1 * (1 - 0.1 * 2)]),      # x first, then y sees the new x
    ("ogda", [1 - 0.1 * 2, 2 + 0.1 * 1]),                     # V(z_-1) = V(z_0): first step is GDA
    ("extragradient", [1 - 0.1 * 2.1, 2 + 0.1 * 0.8]),        # w = (0.8, 2.1), V(w) = (-2.1, 0.8)
])
def test_one_step_on_xy(method, expected):
    np.testing.assert_allclose(one_step(XY, [1.0, 2.0], method), expected, rtol=0, atol=1e-14)


def test_ogda_second_step_uses_the_previous_gradient():
    # z1 = (0.8, 2.1), V(z1) = (-2.1, 0.8), V(z0) = (-2, 1): z2 = z1 + 2 eta V(z1) - eta V(z0)
    path = np.asarray(simulate(XY, [1.0, 2.0], "ogda", 0.1, 2))
    np.testing.assert_allclose(path[2], [0.8 - 0.42 + 0.2, 2.1 + 0.16 - 0.1], rtol=0, atol=1e-14)


def test_consensus_and_sga_steps_by_hand():
    # QUAD at (1, 1): V = (-3, 2), J^T V = (7, 6), J V = (-1, -6), A^T V = (J^T V - J V)/2 = (4, 6)
    np.testing.assert_allclose(one_step(QUAD, [1.0, 1.0], "consensus", gamma=0.5),
                               [1 + 0.1 * (-3 - 3.5), 1 + 0.1 * (2 - 3)], rtol=0, atol=1e-14)
    np.testing.assert_allclose(one_step(QUAD, [1.0, 1.0], "sga", lam=0.5),
                               [1 + 0.1 * (-3 - 2), 1 + 0.1 * (2 - 3)], rtol=0, atol=1e-14)
    # alignment: -<V, J^T V><A^T V, J^T V>/d + 1/10 = -(-9)(64)/2 + 0.1 > 0, lambda unchanged
    np.testing.assert_allclose(one_step(QUAD, [1.0, 1.0], "sga", lam=0.5, align=True),
                               one_step(QUAD, [1.0, 1.0], "sga", lam=0.5), rtol=0, atol=1e-14)


def test_sga_alignment_flips_the_sign():
    # QUAD_FLIP at (1, 1): V = (-1, 2), J = [[1, -2], [2, 0]], J^T V = (3, 2), A^T V = (4, 2);
    # -<V, J^T V><A^T V, J^T V>/2 + 0.1 = -(1)(16)/2 + 0.1 < 0, so lambda -> -lambda.
    np.testing.assert_allclose(one_step(QUAD_FLIP, [1.0, 1.0], "sga", lam=0.5),
                               [1 + 0.1 * (-1 - 2), 1 + 0.1 * (2 - 1)], rtol=0, atol=1e-14)
    np.testing.assert_allclose(one_step(QUAD_FLIP, [1.0, 1.0], "sga", lam=0.5, align=True),
                               [1 + 0.1 * (-1 + 2), 1 + 0.1 * (2 + 1)], rtol=0, atol=1e-14)


def test_alternating_order_with_three_players():
    # u_i = -(x_i - x_{i-1})^2 / 2 (cyclically): V_i = x_{i-1} - x_i; players update in order 0, 1, 2.
    game = ContinuousGame([lambda a, b, c: -jnp.sum((a - c) ** 2) / 2,
                           lambda a, b, c: -jnp.sum((b - a) ** 2) / 2,
                           lambda a, b, c: -jnp.sum((c - b) ** 2) / 2], dims=(1, 1, 1))
    z, eta = np.array([1.0, 2.0, 4.0]), 0.5
    a = z[0] + eta * (z[2] - z[0])
    b = z[1] + eta * (a - z[1])
    c = z[2] + eta * (b - z[2])
    np.testing.assert_allclose(one_step(game, z, "alt_gda", eta), [a, b, c], rtol=0, atol=1e-14)


# ------------------------------------------------------------ rates on xy
def ogda_radius(eta):
    if eta <= 0.5:
        return np.sqrt((1 + np.sqrt(1 - 4 * eta**2)) / 2)
    return np.sqrt(0.25 + (eta + np.sqrt(4 * eta**2 - 1) / 2) ** 2)


THEORY = {
    "gda": lambda eta: np.sqrt(1 + eta**2),
    "alt_gda": lambda eta: 1.0,
    "ogda": ogda_radius,
    "extragradient": lambda eta: np.sqrt(1 - eta**2 + eta**4),
    "consensus": lambda eta: np.sqrt((1 - eta) ** 2 + eta**2),   # gamma = 1
    "sga": lambda eta: np.sqrt((1 - eta) ** 2 + eta**2),         # lam = 1
}


@pytest.mark.parametrize("method", list(THEORY))
@pytest.mark.parametrize("eta", [0.3, 1.5])
def test_spectral_radius_on_xy_matches_closed_form(method, eta):
    if method == "alt_gda" and eta >= 2:
        pytest.skip("alternating GDA is on the unit circle only for eta < 2")
    assert spectral_radius(XY, [0.0, 0.0], method, eta) == pytest.approx(THEORY[method](eta), rel=1e-12)


@pytest.mark.parametrize("method", ["gda", "ogda", "extragradient", "consensus", "sga"])
def test_measured_rate_matches_theory(method):
    eta, T = 0.3, 400
    r = np.linalg.norm(np.asarray(simulate(XY, [1.0, 0.5], method, eta, T)), axis=1)
    t = np.arange(T // 2, T + 1)
    measured = np.exp(np.polyfit(t, np.log(r[T // 2:]), 1)[0])
    assert measured == pytest.approx(THEORY[method](eta), rel=1e-6)


def test_ogda_threshold_is_one_over_sqrt3():
    edge = 1 / np.sqrt(3)
    assert spectral_radius(XY, [0.0, 0.0], "ogda", edge * 0.999) < 1 < spectral_radius(XY, [0.0, 0.0], "ogda",
                                                                                         edge * 1.001)


def test_ogda_jacobian_is_the_companion_form():
    eta = 0.2
    K = np.array([[0.0, -1.0], [1.0, 0.0]])
    expected = np.block([[np.eye(2) + 2 * eta * K, -eta * np.eye(2)], [K, np.zeros((2, 2))]])
    np.testing.assert_allclose(update_jacobian(XY, [0.0, 0.0], "ogda", eta), expected, atol=1e-15)


@settings(max_examples=20, deadline=None)
@given(eta=st.floats(0.01, 1.9), x=st.floats(-3, 3), y=st.floats(-3, 3))
def test_alternating_gda_conserves_its_energy(eta, x, y):
    path = np.asarray(simulate(XY, [x, y], "alt_gda", eta, 400))
    energy = path[:, 0] ** 2 + path[:, 1] ** 2 - eta * path[:, 0] * path[:, 1]
    np.testing.assert_allclose(energy, energy[0], rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------ batches and tails
@pytest.mark.parametrize("method", list(METHODS))
def test_batched_and_single_runs_agree(method):
    starts = np.array([[1.0, 0.5], [-0.3, 0.2], [2.0, -1.0]])
    batch = np.asarray(simulate(QUAD, starts, method, 0.05, 40))
    assert batch.shape == (3, 41, 2)
    for k, z0 in enumerate(starts):
        np.testing.assert_allclose(batch[k], simulate(QUAD, z0, method, 0.05, 40), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("method", ["gda", "ogda", "sga"])
def test_tail_is_the_end_of_the_full_run(method):
    starts = [[1.0, 0.5], [-0.3, 0.2], [2.0, -1.0]]
    full = np.asarray(simulate(QUAD, starts, method, 0.05, 40))
    tail = np.asarray(simulate_tail(QUAD, starts, method, 0.05, 40, window=7))
    np.testing.assert_allclose(tail, full[:, -8:], rtol=1e-13, atol=1e-15)


# ------------------------------------------------------------ projected variants
DOMAINS = {
    "ball": Ball([0.0, 0.0], 1.0),
    "coupled polytope": Polytope([[1.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, -1.0]], [1.0, 0.0, 0.0, 0.5]),
}


CASES = [(d, m) for d in ("ball", "coupled polytope") for m in METHODS]  # boxes: see the simplex tests


@pytest.mark.parametrize(("domain", "method"), CASES)
def test_projected_iterates_stay_in_the_domain(domain, method):
    S = DOMAINS[domain]
    game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(3 * x * y - x), dims=(1, 1), domain=S)
    start = [0.2, 0.3]
    path = np.asarray(simulate(game, start, method, 0.4, 60))
    assert all(S.contains(z, tol=1e-9) for z in path)


def test_product_of_simplices_matching_pennies():
    # Mixed strategies of matching pennies (row player maximises x^T A y): projected
    # extragradient stays on the simplices and converges to the uniform equilibrium.
    A = jnp.array([[1.0, -1.0], [-1.0, 1.0]])
    game = ContinuousGame([lambda x, y: x @ A @ y, lambda x, y: -x @ A @ y], dims=(2, 2),
                          domain=Product([Simplex(2), Simplex(2)]))
    path = np.asarray(simulate(game, [0.9, 0.1, 0.2, 0.8], "extragradient", 0.2, 400))
    assert np.all(path >= -1e-12)
    np.testing.assert_allclose(path[:, :2].sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(path[-1], [0.5, 0.5, 0.5, 0.5], atol=1e-6)


def test_projection_onto_the_section_a_player_faces():
    # Coupled constraint x + y <= 1 in the box [0, 1]^2: from (0.5, 0.5) both want to grow
    # (u_x = x, u_y = y). Player x moves first: 1.25 -> 0.75 on S_x(y = 0.25) = [0, 0.75]; then
    # player y faces S_y(x = 0.75) = [0, 0.25]: 1.25 -> 0.25. The iterate stays feasible.
    S = Polytope([[1.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], [1.0, 0.0, 0.0])
    game = ContinuousGame([lambda x, y: jnp.sum(x), lambda x, y: jnp.sum(y)], dims=(1, 1), domain=S)
    z = np.asarray(simulate(game, [0.25, 0.25], "gda", 1.0, 1)[1])
    np.testing.assert_allclose(z, [0.75, 0.25], atol=1e-9)


# ------------------------------------------------------------ classification
def test_classifier_on_runs_of_known_fate():
    starts = np.array([[1.0, 0.5]])
    gda = simulate_tail(XY, starts, "gda", 0.3, 400, window=200)            # spirals out
    eg = simulate_tail(XY, starts, "extragradient", 0.5, 400, window=200)   # converges
    alt = simulate_tail(XY, starts, "alt_gda", 0.3, 400, window=200)        # cycles
    slow = simulate_tail(XY, starts, "extragradient", 0.05, 400, window=200)  # converging, not yet done
    labels = classify_trajectories(np.concatenate([gda, eg, alt, slow]), radius=5.0, tol=1e-6)
    assert labels.tolist() == ["diverged", "converged", "cycling", "undecided"]


def test_classifier_does_not_call_an_aperiodic_drift_a_cycle():
    t = np.arange(200.0)[:, None]
    drift = np.hstack([t / 100, np.zeros_like(t)])  # moves steadily, never returns
    assert classify_trajectories(drift, radius=10.0) == "undecided"


def test_classifier_flags_non_finite_runs_as_diverged():
    tails = np.zeros((2, 10, 2))
    tails[1, 5, 0] = np.nan
    assert classify_trajectories(tails, radius=1.0).tolist() == ["converged", "diverged"]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"tails": np.zeros((3, 2)), "radius": 1.0}, "expected"),
    ({"tails": np.zeros((2, 10, 2)), "radius": -1.0}, "radius"),
    ({"tails": np.zeros((2, 10, 2)), "radius": 1.0, "tol": np.nan}, "tol"),
])
def test_classifier_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        classify_trajectories(**kwargs)


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize("step_size", [0.0, -0.1, np.nan, np.inf, True, "0.1", None, [0.1]])
def test_bad_step_size(step_size):
    with pytest.raises(ValueError, match="step_size"):
        simulate(XY, [1.0, 0.0], "gda", step_size, 10)


@pytest.mark.parametrize("steps", [0, -3, 1.5, True, "10", None])
def test_bad_steps(steps):
    with pytest.raises(ValueError, match="steps"):
        simulate(XY, [1.0, 0.0], "gda", 0.1, steps)


@pytest.mark.parametrize("method", ["adam", ["gda"], None])
def test_unknown_method_names_the_known_ones(method):
    with pytest.raises(ValueError, match="expected one of 'gda', 'alt_gda', 'ogda', 'extragradient'"):
        simulate(XY, [1.0, 0.0], method, 0.1, 10)


@pytest.mark.parametrize("z0", [[1.0], [1.0, 2.0, 3.0], [[1.0, 2.0, 3.0]], np.zeros((0, 2)), [[[1.0, 2.0]]],
                                [np.nan, 0.0], "ab"])
def test_bad_start(z0):
    with pytest.raises(ValueError, match="z0"):
        simulate(XY, z0, "gda", 0.1, 10)


def test_start_outside_the_domain():
    game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1), domain=Box(-1.0, 1.0, dim=2))
    with pytest.raises(ValueError, match="start 1 of z0 lies outside the domain"):
        simulate(game, [[0.0, 0.0], [2.0, 0.0]], "gda", 0.1, 10)


@pytest.mark.parametrize(("method", "options", "match"), [
    ("gda", {"gamma": 1.0}, "unknown option"),
    ("consensus", {"lam": 1.0}, "unknown option"),
    ("consensus", {"gamma": -1.0}, "gamma"),
    ("sga", {"lam": np.inf}, "lam"),
    ("sga", {"align": 1}, "align"),
])
def test_bad_options(method, options, match):
    with pytest.raises(ValueError, match=match):
        simulate(XY, [1.0, 0.0], method, 0.1, 10, **options)


def test_not_a_game():
    with pytest.raises(ValueError, match="ContinuousGame"):
        simulate(lambda z: z, [1.0, 0.0], "gda", 0.1, 10)


def test_window_longer_than_the_run():
    with pytest.raises(ValueError, match="window"):
        simulate_tail(XY, [1.0, 0.0], "gda", 0.1, 10, window=11)


def test_overflow_is_reported_not_returned():
    with pytest.raises(FloatingPointError, match="not finite"):
        simulate(XY, [1.0, 0.0], "gda", 10.0, 400)
