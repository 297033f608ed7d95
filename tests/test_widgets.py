"""Tests of gtml_utils.widgets: the dynamics explorer is built, driven programmatically
(changing a control re-runs the simulation and updates the plotted data), and rejects
bad input with ValueError.
"""

import jax.numpy as jnp
import numpy as np
import pytest

from gtml_utils.dynamics import simulate
from gtml_utils.games import ContinuousGame
from gtml_utils.widgets import dynamics_explorer

XY = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))


@pytest.fixture(scope="module")
def explorer():
    return dynamics_explorer(XY, ["gda", "extragradient", "alt_gda"], step_size=0.2, start=(1.0, 0.5), steps=60)


def expected(method, eta, start, steps=60, **options):
    return np.asarray(simulate(XY, np.asarray(start, dtype=float), method, eta, steps, **options))


def test_initial_state_is_the_first_method(explorer):
    np.testing.assert_allclose(explorer.trajectory_line.get_xydata(), expected("gda", 0.2, (1.0, 0.5)))
    assert explorer.controls["method"].options == ("gda", "extragradient", "alt_gda")


def test_changing_each_control_updates_the_plot_data(explorer):
    c = explorer.controls
    c["method"].value = "extragradient"
    np.testing.assert_allclose(explorer.trajectory_line.get_xydata(), expected("extragradient", 0.2, (1.0, 0.5)))
    c["step_size"].value = 0.5
    np.testing.assert_allclose(explorer.path, expected("extragradient", 0.5, (1.0, 0.5)))
    c["x0"].value = -1.2
    c["y0"].value = 0.3
    path = expected("extragradient", 0.5, (-1.2, 0.3))
    np.testing.assert_allclose(explorer.trajectory_line.get_xydata(), path)
    np.testing.assert_allclose(explorer.start_marker.get_xydata(), [[-1.2, 0.3]])
    # the right panel plots the distance to the equilibrium (the origin)
    np.testing.assert_allclose(explorer.distance_line.get_ydata(), np.linalg.norm(path, axis=1))
    # the fitted factor is extragradient's rate sqrt(1 - eta^2 + eta^4)
    assert explorer.rate == pytest.approx(np.sqrt(1 - 0.25 + 0.0625), rel=1e-6)
    assert "extragradient" in explorer.status.value


def test_gda_rate_in_the_explorer(explorer):
    explorer.controls["method"].value = "gda"
    explorer.controls["step_size"].value = 0.3
    assert explorer.rate == pytest.approx(np.sqrt(1 + 0.09), rel=1e-9)


def test_menu_with_options():
    ex = dynamics_explorer(XY, {"consensus, gamma = 0.5": ("consensus", {"gamma": 0.5}), "plain": ("gda", {})},
                           steps=40)
    np.testing.assert_allclose(ex.path, expected("consensus", 0.2, (1.0, 0.5), steps=40, gamma=0.5))
    ex.controls["method"].value = "plain"
    np.testing.assert_allclose(ex.path, expected("gda", 0.2, (1.0, 0.5), steps=40))


def test_overflow_is_shown_not_raised():
    ex = dynamics_explorer(XY, ["gda"], step_range=(0.1, 50.0), step_size=0.2, steps=400)
    before = ex.path.copy()
    ex.controls["step_size"].value = 50.0
    assert "not finite" in ex.status.value
    np.testing.assert_allclose(ex.path, before)  # the last good run stays on screen


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"game": ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(2, 2))}, "dim == 2"),
    ({"methods": ["gda", "adam"]}, "unknown method 'adam'"),
    ({"methods": []}, "empty"),
    ({"methods": {"c": "consensus"}}, "options dict"),
    ({"step_range": (0.0, 1.0)}, "step_range"),
    ({"step_size": 2.0}, "step_size"),
    ({"start": (5.0, 0.0)}, "start"),
    ({"steps": 1}, "steps"),
    ({"xlim": (1.0, -1.0)}, "xlim"),
])
def test_bad_input(kwargs, match):
    args = {"game": XY, **kwargs}
    with pytest.raises(ValueError, match=match):
        dynamics_explorer(**args)
