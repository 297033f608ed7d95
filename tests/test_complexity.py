"""Tests of gtml_utils.complexity: Sperner walk, approximate Brouwer fixed points, and the
reduction from Brouwer to local Nash equilibrium."""

import jax.numpy as jnp
import numpy as np
import pytest

from gtml_utils.complexity import (
    approximate_fixed_point,
    brouwer_game,
    sperner_label,
    sperner_labels,
    sperner_walk,
)
from gtml_utils.local import local_nash_residual


def random_map(seed):
    """A random smooth map of the square into its interior: a small sigmoid network."""
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(size=(8, 2)) * 3, rng.normal(size=8)
    W2, b2 = rng.normal(size=(2, 8)), rng.normal(size=2)
    return lambda x: 1 / (1 + np.exp(-(W2 @ np.tanh(W1 @ x + b1) + b2)))


def spiral_map(p, rho, theta):
    """x -> p + rho R(theta) (x - p): the unique fixed point p (rho < 1)."""
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return lambda x: p + rho * R @ (np.asarray(x) - p)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n", [1, 3, 17])
def test_walk_ends_in_panchromatic_triangle(seed, n):
    f = random_map(seed)
    walk = sperner_walk(f, n)
    last = walk.path[-1]
    # the labels of the final triangle, recomputed from scratch, are {0, 1, 2}
    recomputed = sorted(sperner_label(v / n, f(v / n)) for v in last)
    assert recomputed == [0, 1, 2]
    assert walk.labels[-1].tolist() == [0, 1, 2]
    # consecutive triangles share an edge (two vertices), and no triangle repeats
    tris = [frozenset(map(tuple, t)) for t in walk.path]
    assert len(set(tris)) == len(tris)
    assert all(len(a & b) == 2 for a, b in zip(tris, tris[1:]))
    # every triangle is a triangle of the grid: legs of length 1 and one diagonal (1, 1)
    for t in walk.path:
        d = sorted(tuple(np.abs(a - b)) for i, a in enumerate(t) for b in t[i + 1:])
        assert d == [(0, 1), (1, 0), (1, 1)]
    assert 1 <= walk.evaluations <= (n + 1) ** 2


def test_boundary_conditions_of_the_labelling():
    for seed in range(5):
        labels = sperner_labels(random_map(seed), 12)
        assert labels[0, 0] == 0
        assert np.all(labels[0, :] != 1) and np.all(labels[:, 0] != 2)  # faces x_i = 0: never label i
        assert np.all(labels[-1, :] == 1) and np.all(labels[:, -1] != 0)  # faces x_i = 1: never label 0


@pytest.mark.parametrize("p, rho, theta", [((0.3, 0.6), 0.3, 2.0), ((0.81, 0.12), 0.1, -1.0), ((0.5, 0.5), 0.7, 3.0)])
@pytest.mark.parametrize("eps", [1e-1, 1e-2, 1e-3])
def test_approximate_fixed_point_meets_eps(p, rho, theta, eps):
    p = np.array(p)
    f = spiral_map(p, rho, theta)
    for lipschitz in (rho, None):
        result = approximate_fixed_point(f, eps, lipschitz=lipschitz)
        assert np.linalg.norm(f(result.point) - result.point) <= eps
        assert result.residual <= eps
        # a rho-contraction: |x - p| <= |x - f(x)| / (1 - rho)
        assert np.linalg.norm(result.point - p) <= eps / (1 - rho) + 1e-12
        assert result.evaluations >= 3 and result.path.shape[1:] == (3, 2)


def test_approximate_fixed_point_on_boundary_fixed_point():
    f = lambda x: np.array([1.0, 0.5 * x[1]])  # noqa: E731 - fixed point (1, 0) at a corner
    result = approximate_fixed_point(f, 1e-3, lipschitz=1.0)
    assert np.linalg.norm(f(result.point) - result.point) <= 1e-3


def test_evaluations_grow_with_resolution_but_far_below_grid():
    f = random_map(3)
    counts = [sperner_walk(f, n).evaluations for n in (16, 64, 256)]
    assert counts[0] < counts[1] < counts[2] < 257**2 / 4


def test_reduction_residual_zero_exactly_at_fixed_points():
    p = jnp.array([0.3, 0.7])
    M = lambda y: p + 0.5 * (y - p)  # noqa: E731 - unique fixed point p
    game = brouwer_game(M, 2)
    z_star = jnp.concatenate([p, p])
    assert local_nash_residual(game, z_star) == 0.0
    assert local_nash_residual(game, z_star, step=0.5) == 0.0
    rng = np.random.default_rng(0)
    for z in rng.uniform(size=(50, 4)):
        x, y = z[:2], z[2:]
        r = local_nash_residual(game, z, step=0.5)
        expected = max(np.linalg.norm(x - np.asarray(M(y))), np.linalg.norm(y - x))
        assert r > 0 and np.isclose(r, expected, rtol=1e-9, atol=1e-12)


def test_reduction_finds_fixed_points_of_map_with_two():
    # M(y) = y^2 on [0, 1] has fixed points 0 and 1 only
    game = brouwer_game(lambda y: y**2, 1)
    for t in (0.0, 1.0):
        assert local_nash_residual(game, [t, t]) == 0.0
    for t in np.linspace(0.05, 0.95, 19):
        assert local_nash_residual(game, [t, t]) > 0


def test_bad_input():
    f = spiral_map(np.array([0.5, 0.5]), 0.5, 1.0)
    with pytest.raises(ValueError, match="eps"):
        approximate_fixed_point(f, 0.0)
    with pytest.raises(ValueError, match="eps"):
        approximate_fixed_point(f, -1e-3)
    with pytest.raises(ValueError, match="lipschitz"):
        approximate_fixed_point(f, 1e-2, lipschitz=-1.0)
    with pytest.raises(ValueError, match="shape"):
        approximate_fixed_point(lambda x: np.zeros(3), 1e-2)
    with pytest.raises(ValueError, match="outside"):
        approximate_fixed_point(lambda x: x + 2.0, 1e-2)
    with pytest.raises(ValueError, match="callable"):
        sperner_walk("not a map", 4)
    with pytest.raises(ValueError, match="resolution"):
        sperner_walk(f, 0)
    with pytest.raises(ValueError, match="resolution"):
        sperner_labels(f, 2.5)
    with pytest.raises(ValueError, match="dimension"):
        brouwer_game(lambda y: y, 0)
    with pytest.raises(ValueError, match="shape"):
        brouwer_game(lambda y: jnp.zeros(3), 2)
    game = brouwer_game(lambda y: 0.5 * y, 2)
    with pytest.raises(ValueError, match="outside"):
        local_nash_residual(game, [1.5, 0.0, 0.0, 0.0])  # start outside the box
    with pytest.raises(ValueError):
        local_nash_residual(game, [0.5, 0.5, 0.5])  # wrong dimension
