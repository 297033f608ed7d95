"""The course figure style, phase portraits, and animations for the static book.

One look everywhere: the Okabe--Ito colour-blind-safe palette, a white background
(readable in the book's dark mode), labelled axes. Every function returns matplotlib
objects, so a notebook can add to them.

>>> import numpy as np
>>> fig, ax = subplots()
>>> _ = trajectory(ax, np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]), label="path")
>>> ax.get_xlabel(), ax.get_ylabel()
('$x$', '$y$')
"""

import tempfile
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation

__all__ = [
    "PALETTE",
    "COURSE_STYLE",
    "set_style",
    "subplots",
    "vector_field",
    "trajectory",
    "animate_trajectories",
]

#: The Okabe-Ito palette (2008), distinguishable under every common colour-vision deficiency.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

COURSE_STYLE = {
    "axes.prop_cycle": mpl.cycler(color=[PALETTE[k] for k in ("blue", "vermillion", "green", "orange", "purple",
                                                              "sky", "black")]),
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (6.0, 4.0),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "animation.embed_limit": 30.0,  # MB; our animations stay far below
}


def set_style():
    """Apply the course style to every figure made afterwards (call once per notebook)."""
    mpl.rcParams.update(COURSE_STYLE)


def subplots(nrows=1, ncols=1, *, width=None, height=None, xlabel="$x$", ylabel="$y$", **kwargs):
    """``plt.subplots`` in the course style, every axis labelled.

    ``width`` and ``height`` are per panel, in inches. Returns ``(fig, ax)`` for one panel,
    ``(fig, axes)`` (a flat array) for several.
    """
    width = width or COURSE_STYLE["figure.figsize"][0]
    height = height or COURSE_STYLE["figure.figsize"][1]
    with mpl.rc_context(COURSE_STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                                 layout="constrained", squeeze=False, **kwargs)
        # The first figure of a session activates the notebook backend, which switches interactive
        # mode on; leaving rc_context would switch it off again and hide every later figure.
        interactive = mpl.is_interactive()
    mpl.interactive(interactive)
    for ax in axes.flat:
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    return (fig, axes[0, 0]) if axes.size == 1 else (fig, axes.ravel())


def vector_field(ax, field, xlim, ylim, *, n=21, color="0.6", normalize=True, **kwargs):
    """Draw the 2-D vector field ``field(z) -> (2,)`` on an ``n x n`` grid (a quiver).

    ``field`` may be a JAX function such as ``game.pseudo_gradient``; with ``normalize``
    every arrow has the same length, so the picture shows directions (the flow), which is
    what a phase portrait is read for.
    """
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    X, Y = np.meshgrid(xs, ys)
    vectors = np.array([np.asarray(field(np.array([x, y]))) for x, y in zip(X.ravel(), Y.ravel())])
    if vectors.shape != (n * n, 2):
        raise ValueError(f"field returned vectors of shape {vectors.shape[1:]}; expected (2,)")
    U, V = vectors[:, 0].reshape(X.shape), vectors[:, 1].reshape(X.shape)
    if normalize:
        speed = np.hypot(U, V)
        U, V = U / np.where(speed > 0, speed, 1.0), V / np.where(speed > 0, speed, 1.0)
    q = ax.quiver(X, Y, U, V, color=color, angles="xy", pivot="mid", **kwargs)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return q


def trajectory(ax, points, *, label=None, color=None, marker_every=None, **kwargs):
    """Draw a trajectory ``points`` of shape ``(T, 2)``: a line, a circle at the start,
    an arrow head at the end. Returns the line."""
    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) < 2:
        raise ValueError(f"points has shape {points.shape}; expected (T, 2) with T >= 2")
    (line,) = ax.plot(points[:, 0], points[:, 1], label=label, color=color, markevery=marker_every, **kwargs)
    color = line.get_color()
    ax.plot(*points[0], "o", color=color, markersize=6, markerfacecolor="white")
    ax.annotate("", xy=points[-1], xytext=points[-2],
                arrowprops={"arrowstyle": "-|>", "color": color, "lw": line.get_linewidth()})
    return line


def animate_trajectories(trajectories, *, labels=None, xlim=None, ylim=None, frames=60, field=None,
                         title=None, xlabel="$x$", ylabel="$y$", interval=80):
    """A ``to_jshtml`` animation of one or more 2-D trajectories drawn step by step.

    This is the static companion of a widget: the rendered book has no kernel, but an
    HTML animation with its own play controls still shows the dynamics.

    Parameters
    ----------
    trajectories : array of shape (T, 2) or (K, T, 2)
        The points of each trajectory.
    labels : sequence of str, optional
        One legend label per trajectory.
    frames : int
        Number of frames; long trajectories are subsampled to keep the page small.
    field : callable, optional
        A vector field drawn underneath (see :func:`vector_field`).

    Returns
    -------
    IPython.display.HTML
        The animation with its play controls; display it as a cell's last expression.
    """
    from IPython.display import HTML

    paths = np.asarray(trajectories, dtype=float)
    if paths.ndim == 2:
        paths = paths[None]
    if paths.ndim != 3 or paths.shape[2] != 2 or paths.shape[1] < 2:
        raise ValueError(f"trajectories have shape {np.shape(trajectories)}; expected (T, 2) or (K, T, 2)")
    if not np.all(np.isfinite(paths)):
        raise ValueError("trajectories contain NaN or inf; expected finite points")
    if labels is not None and len(labels) != len(paths):
        raise ValueError(f"got {len(labels)} labels for {len(paths)} trajectories")
    steps = np.unique(np.linspace(1, paths.shape[1] - 1, min(frames, paths.shape[1] - 1)).round().astype(int))
    pad = lambda lo, hi: (lo - 0.05 * (hi - lo + 1e-12), hi + 0.05 * (hi - lo + 1e-12))  # noqa: E731
    xlim = xlim or pad(paths[..., 0].min(), paths[..., 0].max())
    ylim = ylim or pad(paths[..., 1].min(), paths[..., 1].max())

    fig, ax = subplots(xlabel=xlabel, ylabel=ylabel, width=4.5, height=4.0)
    if field is not None:
        vector_field(ax, field, xlim, ylim, n=15)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    if title:
        ax.set_title(title)
    lines, heads = [], []
    for k, path in enumerate(paths):
        (line,) = ax.plot([], [], label=None if labels is None else labels[k])
        ax.plot(*path[0], "o", color=line.get_color(), markerfacecolor="white")
        (head,) = ax.plot([], [], "o", color=line.get_color())
        lines.append(line)
        heads.append(head)
    if labels is not None:
        ax.legend(loc="upper right")

    def draw(t):
        for line, head, path in zip(lines, heads, paths):
            line.set_data(path[: t + 1, 0], path[: t + 1, 1])
            head.set_data([path[t, 0]], [path[t, 1]])

    # One draw per frame, written straight to an HTML player (what FuncAnimation.to_jshtml
    # does, minus its extra redraw per frame); the layout is solved once, not per frame.
    fig.canvas.draw()
    fig.set_layout_engine("none")
    writer = animation.HTMLWriter(fps=1000 / interval, embed_frames=True, default_mode="once")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "animation.html"
        with writer.saving(fig, page, dpi=72):  # small frames keep the page light
            for t in steps:
                draw(t)
                writer.grab_frame()
        html = HTML(page.read_text())
    plt.close(fig)
    return html
