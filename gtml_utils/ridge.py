r"""STay-ON-the-Ridge (STON'R): a second-order method that provably stops at a min--max
critical point of a smooth nonconvex--nonconcave :math:`\min_x \max_y f(x, y)` on the box.

Daskalakis, Golowich, Skoulakis and Zampetakis, "STay-ON-the-Ridge: Guaranteed Convergence to
Local Minimax Equilibrium in Nonconvex-Nonconcave Games", COLT 2023 (arXiv:2210.09769).

Setting and convention (as everywhere in the course): :math:`z = (x, y) \in [0, 1]^{d}`,
:math:`d = d_x + d_y`, ``x`` minimises and ``y`` maximises :math:`f`. Write the improving field

.. math::  V(z) = (-\nabla_x f(z), \nabla_y f(z)),

so coordinate :math:`j` "wants to increase" when :math:`V_j > 0`, and its Jacobian
:math:`J = \partial V / \partial z = \operatorname{diag}(-1_{d_x}, 1_{d_y}) \nabla^2 f`.
A **min--max critical point** (a first-order local Nash equilibrium of the box game) is a
:math:`z` at which every coordinate is satisfied: :math:`V_j(z) = 0`, or :math:`z_j = 0` and
:math:`V_j \le 0`, or :math:`z_j = 1` and :math:`V_j \ge 0`.

The algorithm
-------------
STON'R starts at the corner :math:`z = 0` and processes the coordinates :math:`i = 1, \dots, d`
in order. Its state is an *epoch* :math:`(i, S)`: coordinates after :math:`i` sit at 0,
coordinates in :math:`S \subseteq \{1, \dots, i - 1\}` have :math:`V_j = 0`, and the other
earlier coordinates sit at a face of the box where they are satisfied. With
:math:`M = S \cup \{i\}` free, the set :math:`\{V_S = 0\}` is (generically) a curve, the
**ridge**; the epoch moves along it in the direction :math:`\delta` spanning the kernel of the
:math:`|S| \times (|S| + 1)` block :math:`J_{S, M}`, oriented so that

.. math::  \operatorname{sign}\det\bigl[\, J_{S, M}^\top \;\big|\; \delta \,\bigr] = (-1)^{|S|}

(for :math:`S = \emptyset`, :math:`\delta = e_i`). The orientation is the heart of the method: as in
Lemke--Howson, it glues the ridges of all epochs into paths on which no point is visited
twice, so the walk that starts at the corner cannot cycle and must end at a solution. An epoch
ends at the first of three exits:

* **good**: :math:`V_i` reaches 0 (then :math:`S \leftarrow S \cup \{i\}`), or :math:`z_i`
  reaches 1 with :math:`V_i \ge 0`; either way :math:`i \leftarrow i + 1` (at the start of an
  epoch entered this way, :math:`z_i = 0`, and if already :math:`V_i \le 0` the coordinate is
  satisfied at once). After the good exit of coordinate :math:`d`, STON'R stops;
* **bad**: a coordinate :math:`j \in S` reaches 0 or 1 (then :math:`S \leftarrow S \setminus \{j\}`,
  :math:`z_j` stays on that face), or :math:`z_i` returns to 0 (then the walk goes back to
  epoch :math:`(i - 1, S \setminus \{i - 1\})`);
* **middling**: a coordinate :math:`j < i`, :math:`j \notin S`, waiting on a face stops being
  satisfied, :math:`V_j` reaching 0 (then :math:`S \leftarrow S \cup \{j\}`).

Each move along a ridge uses the Hessian, so every step is a second-order step. The paper
proves convergence for every smooth :math:`f` satisfying its genericity assumptions (the blocks
:math:`J_{S, M}` have full rank where the walk goes, exits happen one at a time); it does *not*
bound the number of steps polynomially, and no bound can hold for every game unless PPAD-complete
problems are solvable in polynomial time: the problem is PPAD-hard on the box (Bernasconi and
Castiglioni 2026; Daskalakis, Skoulakis, Zampetakis, STOC 2021, with constraints coupling the players).

Numerics
--------
The continuous ridge is followed by **predictor--corrector** continuation with a small fixed
arclength ``step`` :math:`h`: the predictor moves :math:`h\delta`; the corrector runs Newton's
method on :math:`V_S = 0` over the free coordinates :math:`M`, restricted to the hyperplane
orthogonal to :math:`\delta` (the square system :math:`[J_{S,M};\ \delta^\top]\,\Delta = [-V_S;\ 0]`),
until :math:`\max_{j\in S} |V_j| \le 10^{-12}`. A step whose corrector fails, or whose new
direction turns by more than 90 degrees, is retried with half the length. Exits are located
by bisection on the step length to within ``tol``, boundary exits are snapped exactly onto the
face, and the final point is polished by Newton's method on the square system
:math:`V_S = 0` (coordinates outside :math:`S` fixed). JAX supplies :math:`V` and :math:`J`
(``jax.grad`` and ``jax.hessian``, jitted once per call).

Any corner may serve as the start: coordinate :math:`j` with ``start[j] = 1`` is mirrored,
:math:`z_j \mapsto 1 - z_j`, and the walk above runs in the mirrored coordinates.

>>> import jax.numpy as jnp
>>> result = stonr(lambda x, y: jnp.sum((x - 0.5) * (y - 0.5)), dims=(1, 1), step=0.05)
>>> [round(float(c), 6) for c in result.point]      # the saddle of the bilinear game
[0.5, 0.5]
>>> [kind for kind, *_ in result.exits]             # how the walk got there
['good', 'middling', 'good']
"""

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["StonrResult", "MinMaxCurvature", "stonr", "improving_field", "minmax_curvature"]

_CORRECTOR_TOL = 1e-12
_ARM = 1e-10   # an exit function counts as 'inside' (armed) once it exceeds this


class StonrResult(NamedTuple):
    """What :func:`stonr` returns.

    ``point``: the final profile :math:`z = (x, y)` in :math:`[0, 1]^d`. ``path``: every point
    visited, shape ``(T, d)``, from the start corner to ``point``. ``steps``: the number of
    predictor--corrector steps along ridges (each one a second-order step).
    ``hessian_evaluations``: evaluations of :math:`(V, J)`, including correction and exit location.
    ``exits``: one tuple ``(kind, coordinate, S, path_index)`` per epoch that ended, ``kind`` in
    ``'good'``, ``'bad'``, ``'middling'`` (``S`` the satisfied set of that epoch, 0-based
    coordinates). ``satisfied``: the final set :math:`S` (coordinates with :math:`V_j = 0`).
    ``converged``: True when the walk ended with the good exit of the last coordinate.
    """

    point: np.ndarray
    path: np.ndarray
    steps: int
    hessian_evaluations: int
    exits: tuple
    satisfied: tuple
    converged: bool


class MinMaxCurvature(NamedTuple):
    """What :func:`minmax_curvature` returns: the free coordinates of ``x`` and ``y`` (those not
    held on a face by a strictly outward gradient), the smallest eigenvalue of :math:`f_{xx}`
    and the largest of :math:`f_{yy}` over them (``inf``/``-inf`` when none is free), and
    ``is_local_minmax``: both strict. At a min-max critical point (which this does not check:
    certify it with ``local_nash_residual``) these are second-order sufficient conditions, with
    strict complementarity on the faces, for a strict local Nash point of the min-max game, and
    hence for a local minimax point in the sense of Jin et al. (2020)."""

    free_x: tuple
    free_y: tuple
    min_eig_xx: float
    max_eig_yy: float
    is_local_minmax: bool


# ------------------------------------------------------------------ validation
def _check_dims(dims):
    try:
        dims = tuple(dims)
    except TypeError:
        raise ValueError(f"dims = {dims!r}; expected a pair (d_x, d_y) of positive integers") from None
    if len(dims) != 2 or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 1
                                 for d in dims):
        raise ValueError(f"dims = {dims!r}; expected a pair (d_x, d_y) of positive integers")
    return int(dims[0]), int(dims[1])


def _check_positive(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} = {value!r}; expected a positive finite number")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} = {value!r}; expected a positive finite number")
    return float(value)


def _scalar_objective(f, dims):
    """``g(z) = f(z[:d_x], z[d_x:])`` as a scalar, after checking that ``f`` accepts the blocks."""
    if not callable(f):
        raise ValueError(f"f is a {type(f).__name__}; expected a callable f(x, y)")
    dx, dy = dims

    def g(z):
        return jnp.reshape(f(z[:dx], z[dx:]), ())

    probe = jax.ShapeDtypeStruct((dx + dy,), jnp.float64)
    try:
        out = jax.eval_shape(lambda z: f(z[:dx], z[dx:]), probe)
    except Exception as err:
        raise ValueError(f"f cannot be evaluated on blocks x, y of sizes dims = {dims}: {err}") from err
    if int(np.prod(out.shape)) != 1:
        raise ValueError(f"f returns shape {out.shape} on blocks of sizes dims = {dims}; expected a scalar")
    return g


def _check_box_point(z, d, name):
    try:
        z = np.asarray(z, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers ({err})") from None
    if z.shape != (d,):
        raise ValueError(f"{name} has shape {z.shape}; expected ({d},) = (d_x + d_y,)")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{name} contains NaN or inf; expected finite numbers")
    if np.any(z < -1e-12) or np.any(z > 1 + 1e-12):
        raise ValueError(f"{name} = {z.tolist()} lies outside the box [0, 1]^{d}")
    return np.clip(z, 0.0, 1.0)


def improving_field(f, dims):
    r"""The jitted map :math:`z \mapsto (V(z), J(z))` with :math:`V = (-\nabla_x f, \nabla_y f)` and
    :math:`J = \partial V / \partial z`, both as NumPy arrays (``jax.grad``, ``jax.hessian``).

    >>> import jax.numpy as jnp
    >>> field = improving_field(lambda x, y: jnp.sum(x**2 - y**2 + x * y), dims=(1, 1))
    >>> V, J = field([1.0, 2.0])            # f_x = 2x + y = 4, f_y = -2y + x = -3
    >>> V.tolist(), J.tolist()
    ([-4.0, -3.0], [[-2.0, -1.0], [1.0, -2.0]])
    """
    dims = _check_dims(dims)
    g = _scalar_objective(f, dims)
    sign = jnp.concatenate([-jnp.ones(dims[0]), jnp.ones(dims[1])])

    @jax.jit
    def both(z):
        return sign * jax.grad(g)(z), sign[:, None] * jax.hessian(g)(z)

    def field(z):
        V, J = both(jnp.asarray(z, dtype=jnp.float64))
        return np.asarray(V), np.asarray(J)

    return field


# ------------------------------------------------------------------ the walk
class _Walker:
    """STON'R in mirrored coordinates w (the start corner is w = 0)."""

    def __init__(self, field, mirror, step, tol, max_steps):
        self._field, self.mirror = field, mirror
        self.flip = 1.0 - 2.0 * mirror
        self.d = mirror.size
        self.step, self.tol, self.max_steps = step, tol, max_steps
        self.evaluations = 0
        self.steps = 0
        self._cache = {}

    def to_z(self, w):
        return self.mirror + self.flip * w

    def field(self, w):
        key = w.tobytes()
        if key in self._cache:
            return self._cache[key]
        self.evaluations += 1
        V, J = self._field(self.to_z(w))
        if not (np.all(np.isfinite(V)) and np.all(np.isfinite(J))):
            raise ValueError(f"f has a non-finite gradient or Hessian at z = {self.to_z(w).tolist()}")
        out = self.flip * V, self.flip[:, None] * J * self.flip[None, :]
        if len(self._cache) > 8:
            self._cache.clear()
        self._cache[key] = out
        return out

    # -- the ridge of epoch (i, S) --------------------------------------------
    def direction(self, w, i, S):
        """The oriented unit direction of epoch (i, S) at w (zero outside S + [i])."""
        delta = np.zeros(self.d)
        if not S:
            delta[i] = 1.0
            return delta
        moving = S + [i]
        A = self.field(w)[1][np.ix_(S, moving)]
        _, sv, vt = np.linalg.svd(A)
        if sv[-1] <= 1e-12 * max(1.0, sv[0]):
            raise RuntimeError(
                f"the ridge of epoch (i={i}, S={S}) is degenerate at z = {self.to_z(w).tolist()}: "
                f"J restricted to S has rank < |S| (the paper's genericity assumption fails)"
            )
        kernel = vt[-1]
        if np.sign(np.linalg.det(np.column_stack([A.T, kernel]))) != (-1) ** len(S):
            kernel = -kernel
        delta[moving] = kernel
        return delta

    def correct(self, w, i, S, delta):
        """Newton on V_S = 0 over S + [i], orthogonal to delta; None if it fails."""
        if not S:
            return w
        moving = S + [i]
        w = w.copy()
        for _ in range(25):
            V, J = self.field(w)
            if np.max(np.abs(V[S])) <= _CORRECTOR_TOL:
                return w
            system = np.vstack([J[np.ix_(S, moving)], delta[moving]])
            try:
                update = np.linalg.solve(system, np.concatenate([-V[S], [0.0]]))
            except np.linalg.LinAlgError:
                return None
            if not np.all(np.isfinite(update)) or np.linalg.norm(update) > 10 * self.step:
                return None
            w[moving] += update
        V, _ = self.field(w)
        return w if np.max(np.abs(V[S])) <= 1e3 * _CORRECTOR_TOL else None

    def advance(self, w, i, S, delta, h):
        """Predictor h * delta, then the corrector; None if the corrector fails."""
        return self.correct(w + h * delta, i, S, delta)

    # -- exits ------------------------------------------------------------------
    def exit_functions(self, w, i, S):
        """Each exit as (kind, coordinate, face, g(w)): g > 0 inside, g <= 0 once the exit happens."""
        V, _ = self.field(w)
        out = [("good", i, None, V[i]), ("good", i, 1.0, 1.0 - w[i]), ("bad", i, 0.0, w[i])]
        for j in S:
            out += [("bad", j, 0.0, w[j]), ("bad", j, 1.0, 1.0 - w[j])]
        for j in range(i):
            if j not in S:   # waiting on a face: satisfied while V_j <= 0 at 0, V_j >= 0 at 1
                out.append(("middling", j, None, -V[j] if w[j] < 0.5 else V[j]))
        return out

    def epoch(self, w, i, S, path):
        """Walk the ridge of epoch (i, S) from w to its first exit; returns (exit, w)."""
        armed = {(kind, j, face): val > _ARM for kind, j, face, val in self.exit_functions(w, i, S)}
        h = self.step
        delta = self.direction(w, i, S)
        # a free coordinate that starts on a face and is driven out of the box exits at once
        for j in S + [i]:
            for face, outward in ((0.0, delta[j] < 0), (1.0, delta[j] > 0)):
                if w[j] == face and outward:
                    return ("good" if (j == i and face == 1.0) else "bad", j, face), w
        while self.steps < self.max_steps:
            new = self.advance(w, i, S, delta, h)
            new_delta = None if new is None else self.direction(new, i, S)
            if new is None or new_delta @ delta <= 0:
                h /= 2
                if h < 1e-14:
                    raise RuntimeError(f"STON'R cannot follow the ridge of epoch (i={i}, S={S}) at "
                                       f"z = {self.to_z(w).tolist()}: the step size collapsed")
                continue
            values = {(kind, j, face): val for kind, j, face, val in self.exit_functions(new, i, S)}
            fired = [k for k, v in values.items() if armed[k] and v <= 0]
            if fired:
                return self.locate(w, i, S, delta, h, armed, path)
            for k, v in values.items():
                armed[k] = armed[k] or v > _ARM
            w, delta, h = new, new_delta, min(2 * h, self.step)
            self.steps += 1
            path.append(w)
        return None, w

    def locate(self, w, i, S, delta, h, armed, path):
        """Bisection on the step length for the first exit inside (0, h]."""
        lo, hi = 0.0, h
        while hi - lo > self.tol:
            mid = (lo + hi) / 2
            trial = self.advance(w, i, S, delta, mid)
            if trial is None:
                hi = mid
                continue
            values = {(kind, j, face): val for kind, j, face, val in self.exit_functions(trial, i, S)}
            if any(armed[k] and v <= 0 for k, v in values.items()):
                hi = mid
            else:
                lo = mid
        end = self.advance(w, i, S, delta, hi)
        if end is None:
            end = w + hi * delta
        values = {(kind, j, face): val for kind, j, face, val in self.exit_functions(end, i, S)}
        fired = min((v, k) for k, v in values.items() if armed[k])[1]
        kind, j, face = fired
        if face is not None:
            end[j] = face    # snap exactly onto the face
        self.steps += 1
        path.append(end)
        return fired, end

    def run(self):
        w, i, S = np.zeros(self.d), 0, []
        path, exits, forward = [w.copy()], [], True
        while i < self.d:
            if forward:
                forward = False
                if self.field(w)[0][i] <= 0:   # satisfied at the face it starts on
                    exits.append(("good", i, tuple(S), len(path) - 1))
                    i, forward = i + 1, True
                    continue
            fired, w = self.epoch(w, i, S, path)
            if fired is None:
                return w, path, exits, S, False
            kind, j, face = fired
            exits.append((kind, j, tuple(S), len(path) - 1))
            if kind == "good":
                if face is None:
                    S = S + [i]
                i, forward = i + 1, True
            elif kind == "bad" and j == i:
                i -= 1
                S = [k for k in S if k != i]
            elif kind == "bad":
                S = [k for k in S if k != j]
            else:
                S = S + [j]
        return self.polish(w, S), path, exits, S, True

    def polish(self, w, S):
        """Newton on the square system V_S = 0 over S (others fixed); kept only if it helps."""
        if not S:
            return w
        best, best_res = w, np.max(np.abs(self.field(w)[0][S]))
        cur = w.copy()
        for _ in range(8):
            V, J = self.field(cur)
            try:
                cur = cur.copy()
                cur[S] -= np.linalg.solve(J[np.ix_(S, S)], V[S])
            except np.linalg.LinAlgError:
                break
            if np.any(cur < 0) or np.any(cur > 1) or not np.all(np.isfinite(cur)):
                break
            res = np.max(np.abs(self.field(cur)[0][S]))
            if res < best_res:
                best, best_res = cur.copy(), res
        return best


def stonr(f, dims, start=None, step=1e-2, tol=1e-12, max_steps=200_000):
    r"""STay-ON-the-Ridge for :math:`\min_x \max_y f(x, y)` over :math:`[0, 1]^{d_x + d_y}`
    (``x`` minimises, ``y`` maximises), following Daskalakis, Golowich, Skoulakis and
    Zampetakis (COLT 2023); see the module docstring for the algorithm and the numerics.

    Parameters
    ----------
    f : callable
        ``f(x, y)`` with ``x`` of shape ``(d_x,)`` and ``y`` of shape ``(d_y,)``, a
        twice-differentiable JAX scalar (``jax.hessian`` is taken).
    dims : (int, int)
        :math:`(d_x, d_y)`.
    start : array of shape ``(d,)``, optional
        A corner of the box (entries 0 or 1) to start from; default the origin, as in the paper.
    step : float
        Arclength of a predictor--corrector step along a ridge, in box units.
    tol : float
        Exits are located to within ``tol`` in step length.
    max_steps : int
        The walk stops, with ``converged=False``, after this many steps.

    Returns
    -------
    StonrResult
        ``point``, ``path``, ``steps``, ``hessian_evaluations``, ``exits``, ``satisfied``,
        ``converged``. Certify ``point`` with
        :func:`gtml_utils.local.local_nash_residual` on
        ``ContinuousGame.zero_sum(f, dims, domain=Box(0, 1, dim=d))``.

    Raises ``ValueError`` for dims that do not fit ``f``, a start that is not a corner of the
    box, a non-positive step, and ``RuntimeError`` if the ridge degenerates (the paper's
    genericity assumption fails).

    >>> import jax.numpy as jnp
    >>> f = lambda x, y: jnp.sum((x - 0.3) ** 2 - (y - 0.4) ** 2 + x * y)   # convex-concave
    >>> r = stonr(f, dims=(1, 1))
    >>> r.converged, [round(float(c), 6) for c in r.point]   # solves 2x - 0.6 + y = 0 = -2y + 0.8 + x
    (True, [0.08, 0.44])
    """
    dims = _check_dims(dims)
    d = dims[0] + dims[1]
    step = _check_positive(step, "step")
    tol = _check_positive(tol, "tol")
    if isinstance(max_steps, (bool, np.bool_)) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise ValueError(f"max_steps = {max_steps!r}; expected an integer >= 1")
    mirror = np.zeros(d) if start is None else _check_box_point(start, d, "start")
    if not np.all((mirror == 0) | (mirror == 1)):
        raise ValueError(f"start = {mirror.tolist()} is not a corner of the box; expected entries 0 or 1")
    field = improving_field(f, dims)
    V0, J0 = field(mirror)
    if not (np.all(np.isfinite(V0)) and np.all(np.isfinite(J0))):
        raise ValueError(f"f has a non-finite gradient or Hessian at the start {mirror.tolist()}")
    walker = _Walker(field, mirror, step, tol, int(max_steps))
    w, path, exits, S, converged = walker.run()
    to_z = walker.to_z
    point = np.clip(to_z(w), 0.0, 1.0)
    return StonrResult(
        point=point,
        path=np.clip(np.array([to_z(p) for p in path] + [point]), 0.0, 1.0),
        steps=walker.steps,
        hessian_evaluations=walker.evaluations,
        exits=tuple(exits),
        satisfied=tuple(sorted(S)),
        converged=converged,
    )


def minmax_curvature(f, dims, z, tol=1e-8):
    r"""Second-order check of a profile :math:`z = (x, y)` in :math:`[0, 1]^d` for
    :math:`\min_x \max_y f`. A coordinate on a face is *held* when its gradient pushes strictly
    outward (:math:`x_j = 0` with :math:`\partial_j f > tol`, :math:`x_j = 1` with
    :math:`\partial_j f < -tol`, mirrored for ``y``); the others are *free*. ``z`` is a strict local
    min--max point of the box game when it is first-order critical (check with
    :func:`gtml_utils.local.local_nash_residual`) and :math:`f_{xx} \succ 0` on the free ``x``
    coordinates and :math:`f_{yy} \prec 0` on the free ``y`` coordinates.

    >>> import jax.numpy as jnp
    >>> c = minmax_curvature(lambda x, y: jnp.sum(x**2 - y**2), (1, 1), [0.5, 0.5])
    >>> c.min_eig_xx, c.max_eig_yy, c.is_local_minmax
    (2.0, -2.0, True)
    """
    dims = _check_dims(dims)
    d = dims[0] + dims[1]
    z = _check_box_point(z, d, "z")
    tol = _check_positive(tol, "tol")
    g = _scalar_objective(f, dims)
    grad = np.asarray(jax.jit(jax.grad(g))(jnp.asarray(z)))
    H = np.asarray(jax.jit(jax.hessian(g))(jnp.asarray(z)))
    if not (np.all(np.isfinite(grad)) and np.all(np.isfinite(H))):
        raise ValueError(f"f has a non-finite gradient or Hessian at z = {z.tolist()}")
    V = np.concatenate([-grad[: dims[0]], grad[dims[0]:]])
    held = ((z <= 0) & (V < -tol)) | ((z >= 1) & (V > tol))
    free_x = [j for j in range(dims[0]) if not held[j]]
    free_y = [j for j in range(dims[0], d) if not held[j]]
    min_xx = float(np.linalg.eigvalsh(H[np.ix_(free_x, free_x)]).min()) if free_x else math.inf
    max_yy = float(np.linalg.eigvalsh(H[np.ix_(free_y, free_y)]).max()) if free_y else -math.inf
    return MinMaxCurvature(
        free_x=tuple(free_x), free_y=tuple(j - dims[0] for j in free_y),
        min_eig_xx=min_xx, max_eig_yy=max_yy, is_local_minmax=bool(min_xx > 0 and max_yy < 0),
    )
