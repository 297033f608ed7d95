r"""Interactive explorers (ipywidgets) for running the book's dynamics by hand.

A widget needs a live kernel (Jupyter, Colab, Binder); the rendered book has none, so
every notebook that shows a widget also shows a static companion
(:func:`gtml_utils.plotting.animate_trajectories`).

>>> import jax.numpy as jnp
>>> from gtml_utils.games import ContinuousGame
>>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
>>> explorer = dynamics_explorer(game, ["gda", "extragradient"], steps=50)
>>> explorer.controls["method"].value = "extragradient"
>>> explorer.path.shape
(51, 2)
>>> explorer.controls["step_size"].value = 0.5
>>> round(float(explorer.rate), 6)     # extragradient on xy: sqrt(1 - eta^2 + eta^4)
0.901388
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython
from IPython.display import display

from gtml_utils import plotting
from gtml_utils.dynamics import METHODS, simulate
from gtml_utils.games import ContinuousGame

__all__ = ["DynamicsExplorer", "dynamics_explorer"]


class DynamicsExplorer:
    r"""A phase portrait of a 2-D game's dynamics driven by widgets: a method menu, a step
    size slider and the start :math:`(x_0, y_0)`. Build it with :func:`dynamics_explorer`.

    Every change of a control re-runs :func:`gtml_utils.dynamics.simulate` and updates

    - ``path``: the iterates, shape ``(steps + 1, 2)``;
    - ``rate``: the fitted factor per step, :math:`\exp` of the slope of
      :math:`\log \lVert z_t - z^\star \rVert` over the second half of the run
      (:math:`z^\star` = ``center``);
    - ``trajectory_line`` and ``distance_line``: the matplotlib lines of the two panels;
    - ``status``: a text line with the numbers (or the reason a run failed).

    Attributes ``controls`` (a dict of the widgets), ``figure`` and ``widget`` (the box to
    display) give access to the parts; displaying the explorer displays ``widget``.
    """

    def __init__(self, game, methods, *, step_size, step_range, start, steps, xlim, ylim, center):
        self.game, self.methods, self.steps = game, methods, steps
        self.center = np.asarray(center, dtype=float)
        self.controls = {
            "method": widgets.Dropdown(options=list(methods), value=next(iter(methods)), description="method"),
            "step_size": widgets.FloatSlider(value=step_size, min=step_range[0], max=step_range[1],
                                             step=(step_range[1] - step_range[0]) / 200, readout_format=".3f",
                                             description="step size", continuous_update=False),
            "x0": widgets.FloatSlider(value=start[0], min=xlim[0], max=xlim[1], step=(xlim[1] - xlim[0]) / 100,
                                      description="start x", continuous_update=False),
            "y0": widgets.FloatSlider(value=start[1], min=ylim[0], max=ylim[1], step=(ylim[1] - ylim[0]) / 100,
                                      description="start y", continuous_update=False),
        }
        self.status = widgets.HTML()
        self.output = widgets.Output()

        self.figure, (ax_phase, ax_dist) = plotting.subplots(1, 2, width=4.4, height=4.0)
        plt.close(self.figure)  # shown through the Output widget only, never twice
        plotting.vector_field(ax_phase, game.pseudo_gradient, xlim, ylim, n=15)
        ax_phase.plot(*self.center, "*", color=plotting.PALETTE["black"], markersize=11)
        ax_phase.set_aspect("equal")
        (self.trajectory_line,) = ax_phase.plot([], [], color=plotting.PALETTE["vermillion"], lw=1.4)
        (self.start_marker,) = ax_phase.plot([], [], "o", color=plotting.PALETTE["vermillion"],
                                             markerfacecolor="white")
        (self.distance_line,) = ax_dist.semilogy([], [], color=plotting.PALETTE["vermillion"])
        ax_dist.set_xlabel("step $t$")
        ax_dist.set_ylabel(r"$\|z_t - z^\star\|$")
        self.axes = (ax_phase, ax_dist)

        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.controls["method"], self.controls["step_size"]]),
            widgets.HBox([self.controls["x0"], self.controls["y0"]]),
            self.status,
            self.output,
        ])
        self.update()

    def _on_change(self, _change):
        self.update()

    def update(self):
        """Re-run the selected method with the current controls and redraw."""
        c = self.controls
        method = c["method"].value
        start = np.array([c["x0"].value, c["y0"].value])
        entry = self.methods[method]
        try:
            path = np.asarray(simulate(self.game, start, entry["method"], c["step_size"].value, self.steps,
                                       **entry["options"]))
        except (ValueError, FloatingPointError) as err:
            self.status.value = f"<b>{method}</b>: {err}"
            return
        self.path = path
        distance = np.linalg.norm(path - self.center, axis=1)
        half = len(path) // 2
        positive = distance[half:] > 0
        if positive.sum() >= 2:
            t = np.arange(half, len(path))[positive]
            self.rate = float(np.exp(np.polyfit(t, np.log(distance[half:][positive]), 1)[0]))
        else:
            self.rate = 0.0  # reached the centre exactly
        self.trajectory_line.set_data(path[:, 0], path[:, 1])
        self.start_marker.set_data([path[0, 0]], [path[0, 1]])
        self.distance_line.set_data(np.arange(len(path)), np.maximum(distance, 1e-300))
        ax_dist = self.axes[1]
        ax_dist.set_xlim(0, len(path) - 1)
        shown = distance[distance > 0]
        if shown.size:
            ax_dist.set_ylim(shown.min() / 2, shown.max() * 2)
        self.axes[0].set_title(f"{method}, $\\eta = {c['step_size'].value:.3f}$")
        self.status.value = (f"<b>{method}</b>: distance to $z^\\star$ from {distance[0]:.3g} to "
                             f"{distance[-1]:.3g} in {self.steps} steps; fitted factor per step "
                             f"{self.rate:.4f}")
        if get_ipython() is not None:  # only a kernel can show the figure
            with self.output:
                self.output.clear_output(wait=True)
                display(self.figure)

    def _ipython_display_(self):
        display(self.widget)


def dynamics_explorer(game, methods=None, *, step_size=0.2, step_range=(0.01, 1.0), start=(1.0, 0.5), steps=100,
                      xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), center=(0.0, 0.0)):
    r"""An ipywidgets explorer of :func:`gtml_utils.dynamics.simulate` on a 2-D game.

    Parameters
    ----------
    game : ContinuousGame
        A game with two scalar strategies (``game.dim == 2``), e.g. :math:`\min_x\max_y xy`.
    methods : sequence of str or dict, optional
        The methods of the menu: names from :data:`gtml_utils.dynamics.METHODS`, or a dict
        ``{label: (name, options)}`` to offer variants such as
        ``{"consensus, gamma = 0.5": ("consensus", {"gamma": 0.5})}``. All methods by default.
    step_size, step_range : float, (float, float)
        The initial step size and the slider's range (``0 < low < high``).
    start : (float, float)
        The initial start :math:`(x_0, y_0)`, inside ``xlim`` x ``ylim``.
    steps : int
        Number of steps of every run.
    xlim, ylim : (float, float)
        The window of the phase portrait and the range of the start sliders.
    center : (float, float)
        The point :math:`z^\star` whose distance the right panel plots (the equilibrium).

    Returns
    -------
    DynamicsExplorer
        Display it (last expression of a cell) to get the controls and the figure.
    """
    if not isinstance(game, ContinuousGame) or game.dim != 2:
        raise ValueError(f"game is {game!r}; expected a ContinuousGame with game.dim == 2 (a phase plane)")
    if methods is None:
        methods = list(METHODS)
    if isinstance(methods, dict):
        entries = {}
        for label, spec in methods.items():
            if not (isinstance(spec, (tuple, list)) and len(spec) == 2 and isinstance(spec[1], dict)):
                raise ValueError(f"methods[{label!r}] = {spec!r}; expected (method name, options dict)")
            entries[str(label)] = {"method": spec[0], "options": dict(spec[1])}
    else:
        entries = {str(m): {"method": m, "options": {}} for m in methods}
    if not entries:
        raise ValueError("methods is empty; expected at least one method name")
    for label, entry in entries.items():
        if entry["method"] not in METHODS:
            raise ValueError(f"unknown method {entry['method']!r} (menu entry {label!r}); "
                             f"expected one of {', '.join(map(repr, METHODS))}")
    lo, hi = (float(v) for v in step_range)
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo < hi):
        raise ValueError(f"step_range = {step_range!r}; expected (low, high) with 0 < low < high")
    if not lo <= step_size <= hi:
        raise ValueError(f"step_size = {step_size!r}; expected a value inside step_range {step_range!r}")
    for name, lim in (("xlim", xlim), ("ylim", ylim)):
        if len(lim) != 2 or not (np.all(np.isfinite(lim)) and lim[0] < lim[1]):
            raise ValueError(f"{name} = {lim!r}; expected (low, high) with low < high")
    if not (xlim[0] <= start[0] <= xlim[1] and ylim[0] <= start[1] <= ylim[1]):
        raise ValueError(f"start = {start!r}; expected a point inside xlim x ylim")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps = {steps!r}; expected an integer >= 2")
    return DynamicsExplorer(game, entries, step_size=float(step_size), step_range=(lo, hi), start=start,
                            steps=int(steps), xlim=tuple(xlim), ylim=tuple(ylim), center=center)
