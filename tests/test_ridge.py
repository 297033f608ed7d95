"""STay-ON-the-Ridge: every run must end at a certified min-max critical point of the box game."""

import functools

import jax.numpy as jnp
import numpy as np
import pytest

from gtml_utils.games import ContinuousGame
from gtml_utils.local import local_nash_residual
from gtml_utils.projections import Box
from gtml_utils.ridge import minmax_curvature, stonr


def hsieh(a):
    """Hsieh, Mertikopoulos, Cevher (2021)'s f on [-a, a]^2, rescaled to the unit square."""
    def f(x, y):
        u, v = a * (2 * x[0] - 1), a * (2 * y[0] - 1)
        return (4 * u**2 - (v - 3 * u + u**3 / 20) ** 2 - v**4 / 10) * jnp.exp(-(u**2 + v**2) / 100)
    return f


def smoothstep_game(x, y):
    """The second test function of the STON'R paper's appendix on [-1, 1]^2, rescaled."""
    u, v = 2 * x[0] - 1, 2 * y[0] - 1
    r = jnp.clip((u**2 + v**2) / 2, 0.0, 1.0)
    return -u * v - v**2 / 20 + 0.1 * (3 * r**2 - 2 * r**3) * v**2


def random_game(seed, dx, dy):
    rng = np.random.default_rng(seed)
    d = dx + dy
    A, b, C = (jnp.asarray(rng.normal(size=s)) for s in ((d, d), d, (d, d)))

    def f(x, y):
        z = jnp.concatenate([x, y])
        return z @ A @ z + b @ z + jnp.sum(jnp.sin(6 * C @ z))
    return f


CASES = {
    "convex-concave quadratic": (lambda x, y: jnp.sum((x - 0.3) ** 2 - (y - 0.6) ** 2 + x * y), (1, 1), [0.0, 0.6]),
    "bilinear (x - 1/2)(y - 1/2)": (lambda x, y: jnp.sum((x - 0.5) * (y - 0.5)), (1, 1), [0.5, 0.5]),
    "Hsieh et al. on [-3, 3]^2": (hsieh(3.0), (1, 1), [0.5, 0.5]),
    "smoothstep game": (smoothstep_game, (1, 1), [0.5, 0.5]),
    "Mertikopoulos et al. bump": (
        lambda x, y: jnp.sum((x - 0.5) * (y - 0.5) + jnp.exp(-(x - 0.25) ** 2 - (y - 0.75) ** 2) / 3), (1, 1), None),
    "2+2 quadratic-sine": (random_game(9, 2, 2), (2, 2), None),
    "3+3 quadratic-sine": (random_game(10, 3, 3), (3, 3), None),
}


@functools.cache
def run(name):
    f, dims, _ = CASES[name]
    return stonr(f, dims, step=0.02 if "sine" in name else 0.01)


def certify(f, dims, point):
    game = ContinuousGame.zero_sum(f, dims, domain=Box(0.0, 1.0, dim=sum(dims)))
    return local_nash_residual(game, point)


@pytest.mark.parametrize("name", list(CASES))
def test_stonr_ends_at_a_certified_critical_point(name):
    f, dims, expected = CASES[name]
    result = run(name)
    assert result.converged
    assert certify(f, dims, result.point) <= 1e-6
    assert np.all(result.path >= 0) and np.all(result.path <= 1), "the path leaves the box"
    np.testing.assert_array_equal(result.path[0], np.zeros(sum(dims)))
    np.testing.assert_array_equal(result.path[-1], result.point)
    assert result.steps >= 1 and result.hessian_evaluations >= result.steps
    assert result.exits[-1][0] == "good" and result.exits[-1][1] == sum(dims) - 1
    if expected is not None:
        np.testing.assert_allclose(result.point, expected, atol=1e-8)


def test_the_walk_uses_every_kind_of_exit_on_a_hard_game():
    result = run("3+3 quadratic-sine")
    kinds = {kind for kind, *_ in result.exits}
    assert kinds == {"good", "bad", "middling"}


@pytest.mark.parametrize("corner", [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
def test_other_corners_reach_the_origin_of_hsieh(corner):
    f = hsieh(3.0)
    result = stonr(f, (1, 1), start=corner)
    np.testing.assert_array_equal(result.path[0], corner)
    assert result.converged and certify(f, (1, 1), result.point) <= 1e-6
    np.testing.assert_allclose(result.point, [0.5, 0.5], atol=1e-8)


def test_start_corner_that_is_already_a_solution():
    f = hsieh(1.0)   # on [-1, 1]^2 the corner (-1, -1) is itself a min-max critical point
    result = stonr(f, (1, 1))
    assert result.steps == 0 and certify(f, (1, 1), result.point) == 0.0
    assert minmax_curvature(f, (1, 1), result.point).is_local_minmax   # both held on faces


def test_second_order_check():
    # the origin of Hsieh et al.'s game is critical but x sits at a local maximum of f(., 0)
    c = minmax_curvature(hsieh(3.0), (1, 1), [0.5, 0.5])
    assert c.free_x == (0,) and c.free_y == (0,) and c.min_eig_xx < 0 and not c.is_local_minmax
    c = minmax_curvature(CASES["convex-concave quadratic"][0], (1, 1), [0.0, 0.6])
    assert c.free_x == (0,) and c.min_eig_xx == pytest.approx(2.0) and c.is_local_minmax
    c = minmax_curvature(lambda x, y: jnp.sum(x + y), (1, 1), [0.0, 1.0])   # both held on faces
    assert c.free_x == () and c.free_y == () and c.is_local_minmax


def bilinear(x, y):
    return jnp.sum((x - 0.5) * (y - 0.5))


@pytest.mark.parametrize("kwargs, message", [
    ({"dims": (2, 1)}, "blocks"),
    ({"dims": (1,)}, "pair"),
    ({"dims": (1, 0)}, "pair"),
    ({"start": [0.5, 0.0]}, "corner"),
    ({"start": [2.0, 0.0]}, "outside the box"),
    ({"start": [0.0, 0.0, 0.0]}, "shape"),
    ({"start": [np.nan, 0.0]}, "NaN"),
    ({"step": 0.0}, "step"),
    ({"step": -1e-3}, "step"),
    ({"step": np.inf}, "step"),
    ({"tol": 0.0}, "tol"),
    ({"max_steps": 0}, "max_steps"),
])
def test_bad_input_raises(kwargs, message):
    def f(x, y):   # x must have one entry: dims = (2, 1) does not match f
        return jnp.dot(x, jnp.ones(1)) * y[0]
    with pytest.raises(ValueError, match=message):
        stonr(f, **{"dims": (1, 1), **kwargs})


def test_non_callable_and_non_scalar_and_non_finite():
    with pytest.raises(ValueError, match="callable"):
        stonr(3.0, (1, 1))
    with pytest.raises(ValueError, match="scalar"):
        stonr(lambda x, y: jnp.concatenate([x, y]), (1, 1))
    with pytest.raises(ValueError, match="non-finite"):
        stonr(lambda x, y: jnp.sum(jnp.log(x) * y), (1, 1))
    with pytest.raises(ValueError, match="outside the box"):
        minmax_curvature(bilinear, (1, 1), [1.5, 0.0])


def test_max_steps_stops_the_walk():
    result = stonr(hsieh(3.0), (1, 1), max_steps=10)
    assert not result.converged and result.steps == 10
