r"""Why equilibria are hard to compute: Sperner's lemma, Brouwer fixed points, and the
reduction from Brouwer to local Nash equilibrium.

**Sperner on the square.** Triangulate :math:`[0, 1]^2` at resolution :math:`n` (grid step
:math:`h = 1/n`, every grid square cut along the diagonal from its lower-left to its
upper-right corner). A continuous map :math:`f : [0,1]^2 \to [0,1]^2` with displacement
:math:`\delta(x) = f(x) - x` labels every grid point (the rule "label = a coordinate where
:math:`f` decreases"):

.. math::

    \ell(x) = \min\{\, i \in \{1, 2\} : \delta_i(x) < 0 \ \text{or}\ (x_i = 1 \text{ and } \delta_i(x) \le 0) \,\},
    \qquad \ell(x) = 0 \text{ if there is no such } i .

Label 0 means that :math:`f` moves :math:`x` weakly up and right. The boundary conditions of
Sperner's lemma hold automatically: on the face :math:`x_i = 0` the label is never :math:`i`
(there :math:`f_i \ge 0 = x_i`), and on the face :math:`x_i = 1` it is never 0. Below the square
we add one virtual row of points labelled 0, except the lower-right one, labelled 1. Then the
boundary of the enlarged region has exactly one *door*, an edge labelled :math:`\{0, 1\}`, and
the door-in/door-out walk (enter a triangle through a door; leave through its other door, if it
has one) can neither leave the region nor close a cycle: it ends in a **panchromatic** triangle,
labelled :math:`\{0, 1, 2\}` (Sperner 1928; the walk is the path-following proof behind PPAD,
Papadimitriou 1994).

**Brouwer.** In a panchromatic triangle of diameter :math:`\sqrt2 h`, coordinate 1 of
:math:`\delta` changes sign between the vertices labelled 0 and 1, and coordinate 2 between the
vertices labelled 0 and 2. If :math:`f` is :math:`L`-Lipschitz, :math:`\delta` is
:math:`(L+1)`-Lipschitz, so at the vertex labelled 0,
:math:`\lVert f(x) - x\rVert_2 \le 2 (L + 1) h`. :func:`approximate_fixed_point` picks
:math:`n = \lceil 2(L+1)/\varepsilon \rceil`, or, without :math:`L`, doubles :math:`n` until a vertex
of the panchromatic triangle is an :math:`\varepsilon`-fixed point. The walk evaluates :math:`f`
only on the triangles it visits; Hirsch, Papadimitriou and Vavasis (1989) proved that every
algorithm that only queries :math:`f` needs, in the worst case, a number of queries growing like
a power of :math:`1/\varepsilon` (:math:`\Theta(1/\varepsilon)` in two dimensions for the
sup-norm version of the problem).

**Brouwer reduces to local Nash.** Given a continuous :math:`M : [0,1]^d \to [0,1]^d`,
:func:`brouwer_game` builds the two-player game on :math:`[0,1]^d \times [0,1]^d` in which
player 1 minimises :math:`\lVert x - M(y)\rVert^2` and player 2 minimises
:math:`\lVert y - x\rVert^2` (utilities are their negatives). Each loss is strongly convex in
the player's own block, so :math:`(x, y)` is a first-order local Nash equilibrium iff
:math:`x = M(y)` and :math:`y = x`, i.e. iff :math:`x = y` is a fixed point of :math:`M`:
any method that finds local Nash equilibria finds Brouwer fixed points (the easy direction of
Daskalakis, Skoulakis and Zampetakis, STOC 2021).

>>> import numpy as np
>>> f = lambda x: 0.5 * x + np.array([0.25, 0.1])          # fixed point (0.5, 0.2)
>>> result = approximate_fixed_point(f, 1e-3, lipschitz=0.5)
>>> bool(np.linalg.norm(f(result.point) - result.point) <= 1e-3)
True
"""

import math
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from gtml_utils._checks import finite_array
from gtml_utils.games import ContinuousGame
from gtml_utils.projections import Box
from gtml_utils.ridge import stonr  # the way around the hardness; it lives in its own module

__all__ = [
    "sperner_label",
    "sperner_labels",
    "sperner_walk",
    "SpernerWalk",
    "approximate_fixed_point",
    "FixedPointResult",
    "brouwer_game",
    "draw_sperner",
    "svs_labels",
    "gale_lemke_howson",
    "savani_von_stengel",
    "stonr",
]


# ------------------------------------------------------------------ validation
def _check_resolution(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"resolution n = {n!r}; expected an integer n >= 1")
    return int(n)


def _check_map(f):
    """Return ``f`` as a NumPy-valued map on the square, or raise ``ValueError``."""
    if not callable(f):
        raise ValueError(f"f is a {type(f).__name__}; expected a callable f(x) -> point of [0, 1]^2")
    probe = np.array([0.5, 0.5])
    try:
        value = np.asarray(f(probe), dtype=np.float64)
    except Exception as err:  # report the cause
        raise ValueError(f"f cannot be evaluated on a point of [0, 1]^2 (shape (2,)): {err}") from err
    if value.shape != (2,):
        raise ValueError(f"f maps a point of shape (2,) to shape {value.shape}; expected f : [0, 1]^2 -> [0, 1]^2")
    return f


def _evaluate(f, x, tol=1e-9):
    value = np.asarray(f(x), dtype=np.float64)
    if value.shape != (2,) or not np.all(np.isfinite(value)):
        raise ValueError(f"f({x.tolist()}) = {value.tolist()}; expected a finite point of shape (2,)")
    if np.any(value < -tol) or np.any(value > 1 + tol):
        raise ValueError(
            f"f({x.tolist()}) = {value.tolist()} lies outside [0, 1]^2; expected f to map the square into itself"
        )
    return np.clip(value, 0.0, 1.0)


# ------------------------------------------------------------------ labels
def sperner_label(x, fx):
    r"""The Sperner label of the point ``x`` of :math:`[0,1]^2` whose image is ``fx``:
    the first coordinate :math:`i \in \{1, 2\}` where :math:`f` decreases
    (:math:`f_i(x) < x_i`, or :math:`f_i(x) \le x_i` on the face :math:`x_i = 1`), else 0.

    >>> [sperner_label([0.5, 0.5], fx) for fx in ([0.6, 0.7], [0.4, 0.7], [0.6, 0.1])]
    [0, 1, 2]
    """
    x, fx = np.asarray(x, dtype=float), np.asarray(fx, dtype=float)
    delta = fx - x
    for i in range(2):
        if delta[i] < 0 or (x[i] >= 1.0 and delta[i] <= 0):
            return i + 1
    return 0


def sperner_labels(f, n):
    r"""The labels of all grid points :math:`(i/n, j/n)`, an integer array of shape
    ``(n + 1, n + 1)`` indexed ``[i, j]`` (``i`` along the first coordinate).

    >>> import numpy as np
    >>> labels = sperner_labels(lambda x: np.array([0.3, 0.6]), 4)
    >>> labels[0, 0], labels[4, 0], labels[0, 4]     # corners: 0 at the origin, 1 and 2 on the far faces
    (np.int64(0), np.int64(1), np.int64(2))
    """
    n = _check_resolution(n)
    f = _check_map(f)
    labels = np.zeros((n + 1, n + 1), dtype=np.int64)
    for i in range(n + 1):
        for j in range(n + 1):
            x = np.array([i / n, j / n])
            labels[i, j] = sperner_label(x, _evaluate(f, x))
    return labels


# ------------------------------------------------------------------ the walk
class SpernerWalk(NamedTuple):
    """The door-in/door-out walk of :func:`sperner_walk`.

    ``path`` has shape ``(T, 3, 2)``: the grid indices ``(i, j)`` of the three vertices of each
    triangle visited, in order (the first lies in the virtual row ``j = -1``; the last is
    panchromatic, its vertices ordered by label 0, 1, 2); ``labels`` has shape ``(T, 3)``;
    ``evaluations`` counts the distinct grid points where ``f`` was evaluated; ``n`` is the
    resolution. Divide indices by ``n`` for coordinates."""

    path: np.ndarray
    labels: np.ndarray
    evaluations: int
    n: int


def sperner_walk(f, n, max_steps=None):
    r"""Walk from the unique boundary door to a panchromatic triangle of the resolution-``n``
    triangulation of :math:`[0,1]^2`, labelling grid points by :func:`sperner_label` lazily.

    Each step enters a triangle through an edge labelled :math:`\{0, 1\}` (a door). If the third
    vertex has label 2 the triangle is panchromatic and the walk stops; otherwise exactly one
    other edge of the triangle is a door, and the walk crosses it. The neighbour across the edge
    :math:`\{p, q\}` of the triangle :math:`\{p, q, r\}` is :math:`\{p, q, p + q - r\}` in this
    triangulation.

    Parameters
    ----------
    f : callable
        A continuous map of :math:`[0,1]^2` into itself, ``f(x)`` for ``x`` of shape ``(2,)``.
    n : int
        The resolution: grid step ``1 / n``.
    max_steps : int, optional
        Safety limit (default: the number of triangles, :math:`2n(n+1)`, which the walk cannot
        exceed since it never revisits a triangle).

    Returns
    -------
    SpernerWalk

    Examples
    --------
    >>> import numpy as np
    >>> walk = sperner_walk(lambda x: 0.5 * x + 0.25, 8)      # fixed point (0.5, 0.5)
    >>> walk.labels[-1].tolist()
    [0, 1, 2]
    >>> (walk.path[-1] / 8).mean(axis=0).round(2).tolist()  # centre of the final triangle
    [0.54, 0.58]
    """
    n = _check_resolution(n)
    f = _check_map(f)
    cache = {}

    def label(v):
        if v not in cache:
            i, j = v
            if j < 0:  # the virtual row below the square
                cache[v] = 1 if i == n else 0
            else:
                x = np.array([i / n, j / n])
                cache[v] = sperner_label(x, _evaluate(f, x))
        return cache[v]

    def inside(v):
        return 0 <= v[0] <= n and -1 <= v[1] <= n

    limit = 2 * n * (n + 1) + 1 if max_steps is None else int(max_steps)
    p, q, r = (n - 1, -1), (n, -1), (n, 0)  # the unique boundary door is p--q
    path, labels = [], []
    for _ in range(limit):
        lr = label(r)
        if lr == 2:
            tri = sorted([p, q, r], key=label)
            path.append(tri)
            labels.append([label(v) for v in tri])
            break
        path.append([p, q, r])
        labels.append([label(p), label(q), lr])
        # r carries 0 or 1: the other door is the edge from r to the vertex with the other label
        other = p if label(p) != lr else q
        keep = q if other is p else p  # the vertex left behind
        p, q, r = other, r, (other[0] + r[0] - keep[0], other[1] + r[1] - keep[1])
        if not inside(r):  # pragma: no cover - impossible by the boundary conditions
            raise RuntimeError("the Sperner walk left the square; the labelling violates the boundary conditions")
    else:  # pragma: no cover
        raise RuntimeError(f"the Sperner walk did not end within {limit} steps")
    evaluations = sum(1 for v in cache if v[1] >= 0)
    return SpernerWalk(np.array(path, dtype=np.int64), np.array(labels, dtype=np.int64), evaluations, n)


# ------------------------------------------------------------------ Brouwer
class FixedPointResult(NamedTuple):
    """Result of :func:`approximate_fixed_point`: the ``point`` :math:`x` with
    :math:`\\lVert f(x) - x\\rVert_2 \\le \\varepsilon`, the ``path`` (the final walk's triangles as
    grid indices, shape ``(T, 3, 2)``), the number of ``evaluations`` of ``f`` (all walks
    together), the final resolution ``n`` and the achieved ``residual`` :math:`\\lVert f(x) - x\\rVert_2`."""

    point: np.ndarray
    path: np.ndarray
    evaluations: int
    n: int
    residual: float


def approximate_fixed_point(f, eps, lipschitz=None, n0=4, max_n=1 << 14):
    r"""An :math:`\varepsilon`-approximate fixed point of a continuous map
    :math:`f : [0,1]^2 \to [0,1]^2`, :math:`\lVert f(x) - x \rVert_2 \le \varepsilon`, by the Sperner walk.

    Parameters
    ----------
    f : callable
        ``f(x)`` for ``x`` of shape ``(2,)``, values in :math:`[0,1]^2`.
    eps : float
        :math:`\varepsilon > 0`.
    lipschitz : float, optional
        A Lipschitz constant :math:`L` of :math:`f` (Euclidean norm). Given, one walk at
        :math:`n = \lceil 2(L+1)/\varepsilon \rceil` suffices (see the module docstring).
        Omitted, the resolution starts at ``n0`` and doubles until a vertex of the panchromatic
        triangle is an :math:`\varepsilon`-fixed point; every walk's evaluations are counted.
    n0, max_n : int
        First and largest resolution tried.

    Returns
    -------
    FixedPointResult
        ``point``, ``path``, ``evaluations`` (of ``f``), ``n``, ``residual``.

    Raises
    ------
    ValueError
        For ``eps <= 0``, a negative ``lipschitz``, an ``f`` that is not a map of the square into
        itself, or when ``max_n`` is reached without meeting ``eps``.

    Examples
    --------
    >>> import numpy as np
    >>> rotate = lambda x: np.array([0.5, 0.5]) + 0.4 * np.array([[0.0, -1.0], [1.0, 0.0]]) @ (x - 0.5)
    >>> result = approximate_fixed_point(rotate, 1e-2)
    >>> result.point.round(2).tolist(), bool(result.residual <= 1e-2)
    ([0.5, 0.5], True)
    >>> approximate_fixed_point(rotate, 0.0)
    Traceback (most recent call last):
    ...
    ValueError: eps = 0.0; expected a positive number
    """
    if isinstance(eps, bool) or not np.isscalar(eps) or not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps = {eps!r}; expected a positive number")
    f = _check_map(f)
    n0, max_n = _check_resolution(n0), _check_resolution(max_n)
    if lipschitz is not None:
        if not np.isscalar(lipschitz) or not np.isfinite(lipschitz) or lipschitz < 0:
            raise ValueError(f"lipschitz = {lipschitz!r}; expected a nonnegative number")
        n = max(1, math.ceil(2 * (float(lipschitz) + 1) / eps))
        if n > max_n:
            raise ValueError(f"eps = {eps} with L = {lipschitz} needs resolution {n} > max_n = {max_n}")
        schedule = [n]
    else:
        schedule = []
        n = n0
        while n <= max_n:
            schedule.append(n)
            n *= 2
    evaluations = 0
    best = None
    for n in schedule:
        walk = sperner_walk(f, n)
        evaluations += walk.evaluations
        vertices = walk.path[-1] / n
        residuals = [float(np.linalg.norm(_evaluate(f, v) - v)) for v in vertices]
        k = int(np.argmin(residuals))
        best = FixedPointResult(vertices[k], walk.path, evaluations, n, residuals[k])
        if best.residual <= eps:
            return best
    if lipschitz is not None:  # the bound guarantees eps; failing means L was wrong
        raise ValueError(
            f"the panchromatic triangle at n = {best.n} has residual {best.residual:.3g} > eps = {eps}; "
            f"expected f to be {lipschitz}-Lipschitz"
        )
    raise ValueError(f"no {eps}-fixed point found up to resolution max_n = {max_n} (residual {best.residual:.3g})")


# ------------------------------------------------------------------ the reduction
def brouwer_game(M, d):
    r"""The two-player game whose first-order local Nash equilibria are exactly the fixed
    points of :math:`M : [0,1]^d \to [0,1]^d` (the easy direction of the reduction of
    Daskalakis, Skoulakis and Zampetakis, STOC 2021).

    Player 1 chooses :math:`x \in [0,1]^d` with utility :math:`-\lVert x - M(y)\rVert^2`, player 2
    chooses :math:`y \in [0,1]^d` with utility :math:`-\lVert y - x\rVert^2`; the domain is the box
    :math:`[0,1]^{2d}`. Both losses are strongly convex in the player's own block and their
    unconstrained minimisers :math:`M(y)` and :math:`x` lie in the box, so the local Nash
    residual (with step 1/2) is :math:`\max(\lVert x - M(y)\rVert, \lVert y - x\rVert)`, zero iff
    :math:`x = y = M(x)`.

    Parameters
    ----------
    M : callable
        ``M(y)`` for ``y`` of shape ``(d,)``, written with ``jax.numpy`` (it is traced), values in
        :math:`[0,1]^d`.
    d : int
        The dimension.

    Returns
    -------
    ContinuousGame
        With ``dims = (d, d)`` and ``domain = Box(0, 1, dim=2d)``.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from gtml_utils.local import local_nash_residual
    >>> game = brouwer_game(lambda y: 0.5 * y + 0.25, 2)       # fixed point (0.5, 0.5)
    >>> local_nash_residual(game, [0.5, 0.5, 0.5, 0.5])
    0.0
    >>> round(local_nash_residual(game, [0.2, 0.5, 0.2, 0.5], step=0.5), 6)   # |x - M(y)| = 0.15
    0.15
    """
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"d = {d!r}; expected a positive integer dimension")
    d = int(d)
    if not callable(M):
        raise ValueError(f"M is a {type(M).__name__}; expected a callable M(y) -> point of [0, 1]^{d}")
    probe = jnp.full((d,), 0.5)
    try:
        value = np.asarray(M(probe), dtype=np.float64)
    except Exception as err:  # report the cause
        raise ValueError(f"M cannot be evaluated on a point of [0, 1]^{d} (shape ({d},)): {err}") from err
    if value.shape != (d,):
        raise ValueError(f"M maps a point of shape ({d},) to shape {value.shape}; expected shape ({d},)")
    finite_array(value, "M(0.5, ..., 0.5)")

    def u1(x, y):
        return -jnp.sum((x - M(y)) ** 2)

    def u2(x, y):
        return -jnp.sum((y - x) ** 2)

    return ContinuousGame([u1, u2], dims=(d, d), domain=Box(0.0, 1.0, dim=2 * d))


# ------------------------------------------------------------------ drawing
def draw_sperner(ax, f, n, walk=None, *, markersize=None):
    """Draw the Sperner labels of the resolution-``n`` grid of :math:`[0,1]^2` (three colours and
    markers: 0 circle, 1 triangle, 2 square) and, when given, the walk of :func:`sperner_walk`:
    its triangles shaded in order and the panchromatic one outlined. Returns ``ax``."""
    from gtml_utils.plotting import PALETTE

    labels = sperner_labels(f, n)
    grid = np.arange(n + 1) / n
    X, Y = np.meshgrid(grid, grid, indexing="ij")
    colours = [PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"]]
    markers = ["o", "^", "s"]
    size = markersize or max(2.0, 60.0 / n)
    from matplotlib.collections import LineCollection

    segments = []
    for a, b in [((0, 0), (1, 0)), ((0, 0), (0, 1)), ((0, 0), (1, 1))]:  # the triangulation's edges
        for i in range(n + 1 - max(a[0], b[0])):
            for j in range(n + 1 - max(a[1], b[1])):
                segments.append([((i + a[0]) / n, (j + a[1]) / n), ((i + b[0]) / n, (j + b[1]) / n)])
    ax.add_collection(LineCollection(segments, colors="0.85", linewidths=0.5, zorder=0))
    if walk is not None:
        from matplotlib.collections import PolyCollection

        polys = np.asarray(walk.path, dtype=float) / n
        ax.add_collection(PolyCollection(polys[:-1], facecolors=PALETTE["orange"], alpha=0.45, lw=0, zorder=1))
        ax.add_collection(PolyCollection(polys[-1:], facecolors=PALETTE["black"], alpha=0.9, lw=0, zorder=1))
        centres = walk.path.mean(axis=1) / n
        ax.plot(centres[:, 0], centres[:, 1], color=PALETTE["orange"], lw=1.2, zorder=2)
    for k in range(3):
        mask = labels == k
        ax.plot(X[mask], Y[mask], markers[k], color=colours[k], markersize=size, ls="none", zorder=3,
                label=f"label {k}")
    ax.set_xlim(-0.5 / n, 1 + 0.5 / n)
    ax.set_ylim(-1.0 / n, 1 + 0.5 / n)
    ax.set_aspect("equal")
    return ax


# ------------------------------------------------------------------ Savani--von Stengel games
def _check_even_dimension(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2 or n % 2:
        raise ValueError(f"n = {n!r}; expected an even integer n >= 2 (the dimension d of the dual cyclic polytopes)")
    return int(n)


def svs_labels(n):
    r"""The labels of the :math:`2n` facets of the second polytope :math:`Q` of the
    Savani--von Stengel game of dimension :math:`n`, in the cyclic order of the facets.

    Labels are 0-based as in :func:`gtml_utils.normal_form.lemke_howson` (``i < n``: row ``i``;
    ``n + j``: column ``j``). The first polytope :math:`P` carries the identity labelling; :math:`Q`
    carries the identity with neighbouring pairs swapped: in the first half
    :math:`(1\,2)(3\,4)\cdots(n{-}3\;\,n{-}2)`, with :math:`0` and :math:`n-1` fixed, in the second half
    :math:`(n\;\,n{+}1)(n{+}2\;\,n{+}3)\cdots(2n{-}2\;\,2n{-}1)`.

    >>> svs_labels(6).tolist()
    [0, 2, 1, 4, 3, 5, 7, 6, 9, 8, 11, 10]
    """
    n = _check_even_dimension(n)
    labels = np.arange(2 * n)
    for i in range(1, n - 2, 2):
        labels[[i, i + 1]] = labels[[i + 1, i]]
    for i in range(n, 2 * n, 2):
        labels[[i, i + 1]] = labels[[i + 1, i]]
    return labels


def _gale_pivot(s, i):
    """Leave the facet ``i`` of the vertex with cyclic Gale string ``s`` (``s[i] == 1``), in place;
    return the facet entered. Removing bit ``i`` splits its run into a left and a right part, one of
    them odd; the new bit is the first 0 beyond the odd part, which restores even runs."""
    m = len(s)
    right, k = 0, (i + 1) % m
    while s[k]:
        right, k = right + 1, (k + 1) % m
    s[i] = 0
    if right % 2 == 0:  # the left part is odd: move left
        k = (i - 1) % m
        while s[k]:
            k = (k - 1) % m
    s[k] = 1
    return k


def gale_lemke_howson(n, initial_label):
    r"""The Lemke--Howson path of the Savani--von Stengel game of dimension ``n``, computed
    combinatorially on Gale strings, without any payoff matrix.

    A vertex of the dual cyclic polytope with :math:`2n` facets in dimension :math:`n` (:math:`n` even)
    is the bit string :math:`s \in \{0,1\}^{2n}` of its :math:`n` tight facets; the strings that
    occur are exactly those whose maximal runs of 1s, read cyclically, all have even length
    (Gale's evenness condition). Leaving facet :math:`i` splits its run into two parts, one odd,
    and the edge of the polytope leads to the vertex that sets the first 0 beyond the odd part to 1.
    The path starts at the artificial equilibrium :math:`(1^n 0^n,\ 0^n 1^n)` (:math:`x = 0`,
    :math:`y = 0`), drops ``initial_label`` and, as in :func:`gtml_utils.normal_form.lemke_howson`,
    alternately leaves the facet with the duplicate label in the other polytope until the dropped
    label is picked up. :math:`P` carries the identity labels, :math:`Q` those of :func:`svs_labels`.

    Returns
    -------
    list of tuple
        The vertex pairs ``(u, v)`` (bit strings of :math:`P` and :math:`Q` as tuples), from the
        artificial equilibrium to the equilibrium found; ``len(path) - 1`` pivots.

    Examples
    --------
    >>> path = gale_lemke_howson(4, 1)
    >>> len(path) - 1
    8
    >>> ["".join(map(str, u)) + " " + "".join(map(str, v)) for u, v in path[:2]]
    ['11110000 00001111', '10110001 00001111']
    """
    n = _check_even_dimension(n)
    if isinstance(initial_label, bool) or not isinstance(initial_label, (int, np.integer)) \
            or not 0 <= initial_label < 2 * n:
        raise ValueError(f"initial_label = {initial_label!r}; expected an integer in [0, {2 * n})")
    k = int(initial_label)
    label_q = svs_labels(n).tolist()
    facet_q = {label: g for g, label in enumerate(label_q)}
    u, v = [1] * n + [0] * n, [0] * n + [1] * n
    path = [(tuple(u), tuple(v))]
    side, facet = (1, k) if u[k] else (2, facet_q[k])
    while True:
        if side == 1:
            label = _gale_pivot(u, facet)
            side, facet = 2, facet_q[label]
        else:
            label = label_q[_gale_pivot(v, facet)]
            side, facet = 1, label
        path.append((tuple(u), tuple(v)))
        if label == k:
            return path


def _trigonometric_moment_points(n):
    """2n points on the trigonometric moment curve (cos t, sin t, ..., cos(n t / 2), sin(n t / 2)) at
    equally spaced angles: their convex hull is a cyclic polytope (n even), centred at the origin."""
    t = np.pi * np.arange(2 * n) / n
    h = np.arange(1, n // 2 + 1)
    return np.stack([np.cos(np.outer(t, h)), np.sin(np.outer(t, h))], axis=2).reshape(2 * n, n)


def _dual_cyclic_in_orthant(points, tight):
    r"""Write :math:`\{z : c_k^\top z \le 1\ \forall k\}` as :math:`\{w \ge 0 : M w \le 1\}` by the affine
    change of variables :math:`w_j = 1 - c_{t_j}^\top z` (the slacks of the facets ``tight``, which meet
    at a vertex). Row ``r`` of ``M`` is the constraint of the ``r``-th facet not in ``tight`` (in
    increasing order)."""
    C = points[tight]
    z0 = np.linalg.solve(C, np.ones(len(tight)))  # the vertex where the `tight` facets meet
    others = [k for k in range(len(points)) if k not in set(tight)]
    rows = []
    for k in others:
        slack0 = 1.0 - points[k] @ z0  # > 0: z0 is a simple vertex
        # 1 - c_k.z = slack0 + (C^{-T} c_k).w  >= 0   <=>   -(C^{-T} c_k / slack0).w <= 1
        rows.append(-np.linalg.solve(C.T, points[k]) / slack0)
    return np.array(rows), others


def savani_von_stengel(n):
    r"""The :math:`n \times n` bimatrix game of Savani and von Stengel (2006) on which every
    Lemke--Howson path is exponentially long in :math:`n` (:math:`n` even).

    **Construction.** Both best-response polytopes
    :math:`P = \{x \ge 0 : B^\top x \le 1\}` and :math:`Q = \{y \ge 0 : A y \le 1\}` are *dual cyclic
    polytopes*: polars of the cyclic polytope, the convex hull of :math:`2n` points
    :math:`c_0, \dots, c_{2n-1}` on a moment curve in :math:`\mathbb{R}^n`. Their facets come in the
    cyclic order of the points, and their vertices are the Gale strings of
    :func:`gale_lemke_howson`. The facets of :math:`P` carry the labels :math:`0, 1, \dots, 2n-1` in
    this order: facets :math:`0, \dots, n-1` are :math:`x_i \ge 0`, facets :math:`n, \dots, 2n-1` are the
    columns of :math:`B`. The facets of :math:`Q` carry the labels :func:`svs_labels`, the identity
    with neighbouring pairs swapped; its facets :math:`n, \dots, 2n-1` are :math:`y_j \ge 0`. Then
    :math:`(1^n 0^n, 0^n 1^n)` is the artificial equilibrium :math:`(0, 0)`, and every Lemke--Howson
    path, whatever label it drops, takes exponentially many pivots (Savani and von Stengel 2006;
    the conference version, FOCS 2004, states the bound :math:`\Omega((\varphi^{3/4})^n)` with
    :math:`\varphi` the golden ratio, i.e. about :math:`1.434^n`). The labelled dual cyclic polytope
    extends Morris (1994, "Lemke paths on simple polytopes"), whose single labelled polytope has
    exponentially long Lemke paths.

    **Realisation.** We use the trigonometric moment curve
    :math:`c_k = (\cos t_k, \sin t_k, \cos 2t_k, \sin 2t_k, \dots, \cos \tfrac n2 t_k, \sin \tfrac n2 t_k)`,
    :math:`t_k = \pi k / n`, whose hull is combinatorially the cyclic polytope and numerically well
    conditioned, and map the polar :math:`\{z : c_k^\top z \le 1\}` affinely onto the orthant form:
    for :math:`P` the slacks of facets :math:`0, \dots, n-1` become :math:`x`, the remaining facet
    inequalities become :math:`B^\top x \le 1`; likewise for :math:`Q`. Payoffs are floats (the paper's
    matrices are integer; any realisation with the same labelled polytopes gives the same
    Lemke--Howson paths). Verified against :func:`gale_lemke_howson` for every label up to
    :math:`n = 14`; beyond that the floating-point pivots of ``lemke_howson`` are not reliable.

    Parameters
    ----------
    n : int
        The number of pure strategies of each player, even, :math:`n \ge 2`.

    Returns
    -------
    A, B : ndarray of shape (n, n)
        Row and column player's payoffs (both maximise).

    Examples
    --------
    >>> from gtml_utils.normal_form import lemke_howson
    >>> A, B = savani_von_stengel(6)
    >>> [len(lemke_howson(A, B, k, return_path=True)[2]) - 1 for k in range(12)]
    [88, 24, 24, 24, 24, 88, 36, 36, 16, 16, 36, 36]
    >>> [len(gale_lemke_howson(6, k)) - 1 for k in range(12)]
    [88, 24, 24, 24, 24, 88, 36, 36, 16, 16, 36, 36]
    """
    n = _check_even_dimension(n)
    points = _trigonometric_moment_points(n)
    labels_q = svs_labels(n)
    # P: tight at x = 0 are facets 0..n-1 (x_i >= 0 is facet i); facet n + j is column j of B
    rows_p, others_p = _dual_cyclic_in_orthant(points, list(range(n)))
    B = rows_p.T
    # Q: y_j >= 0 is the facet g >= n with label n + j; facet g < n is row labels_q[g] of A
    facet_of = {int(label): g for g, label in enumerate(labels_q)}
    rows_q, others_q = _dual_cyclic_in_orthant(points, [facet_of[n + j] for j in range(n)])
    A = np.empty((n, n))
    for row, g in zip(rows_q, others_q):
        A[labels_q[g]] = row
    return A, B
