r"""Convex compact sets and their Euclidean projections.

Every strategy set of the course is a convex compact set :math:`S \subset \mathbb{R}^d`
and every projected method needs

.. math::  \Pi_S(v) = \arg\min_{x \in S} \lVert x - v \rVert_2 .

Each set here offers ``project(v)`` (a JAX function: it runs under ``jit``,
``vmap`` and ``lax.scan``), ``contains(v, tol)`` and ``section(start, stop, z)``,
the slice :math:`\{x_{[start, stop)} : (x_{[start, stop)}, z_{\text{rest}}) \in S\}`
that a player faces when the others' coordinates are fixed (coupled constraints).

>>> import gtml_utils.projections as P
>>> square = P.Box([0.0, 0.0], [1.0, 1.0])
>>> square.project([2.0, -3.0]).tolist()
[1.0, 0.0]
>>> P.Simplex(3).project([1.0, 1.0, -1.0]).tolist()
[0.5, 0.5, 0.0]
"""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import linprog, minimize, nnls

from gtml_utils._checks import as_vector, finite_array, is_traced

__all__ = ["ConvexSet", "Box", "Ball", "Simplex", "Polytope", "Product"]


class ConvexSet:
    """A nonempty convex compact subset of R^dim (the base class of every set)."""

    dim: int

    def project(self, v):
        """Euclidean projection of the vector ``v`` (shape ``(dim,)``) onto the set."""
        return self._project(as_vector(v, self.dim))

    def contains(self, v, tol=1e-8):
        """True when ``v`` lies in the set up to the absolute tolerance ``tol``."""
        v = as_vector(v, self.dim)
        return bool(self._violation(v) <= tol)

    def section(self, start, stop, z):
        """The set of ``x`` with ``(z[:start], x, z[stop:])`` in the set, over coordinates
        ``start:stop``; ``z`` has shape ``(dim,)`` and is assumed to lie in the set."""
        if not (0 <= start < stop <= self.dim):
            raise ValueError(f"section [{start}, {stop}) is not a nonempty range inside [0, {self.dim})")
        return self._section(start, stop, as_vector(z, self.dim, "z"))

    # Subclasses implement these three on validated JAX vectors.
    def _project(self, v):
        raise NotImplementedError

    def _violation(self, v):
        """How far ``v`` is from satisfying the set's constraints (0 inside)."""
        raise NotImplementedError

    def _section(self, start, stop, z):
        raise NotImplementedError

    @classmethod
    def _unchecked(cls, **attributes):
        """Build a set from (possibly traced) arrays without validation: for sections."""
        obj = object.__new__(cls)
        obj.__dict__.update(attributes)
        return obj


# --------------------------------------------------------------------------- Box
@jax.jit
def _project_box(lower, upper, v):
    return jnp.clip(v, lower, upper)


class Box(ConvexSet):
    r"""The box :math:`\{x : \ell \le x \le u\}`; projection clips each coordinate.

    ``lower`` and ``upper`` are vectors, or scalars together with ``dim``.

    >>> Box(-1.0, 1.0, dim=3).project([0.5, -2.0, 7.0]).tolist()
    [0.5, -1.0, 1.0]
    """

    def __init__(self, lower, upper, dim=None):
        lower, upper = finite_array(lower, "Box lower"), finite_array(upper, "Box upper")
        if dim is not None:
            if int(dim) != dim or dim < 1 or any(a.ndim > 1 or a.size not in (1, dim) for a in (lower, upper)):
                raise ValueError(f"Box with dim={dim} needs scalar bounds or bounds of length {dim}")
            lower, upper = np.broadcast_to(lower, (int(dim),)), np.broadcast_to(upper, (int(dim),))
        if lower.ndim != 1 or lower.shape != upper.shape or lower.size == 0:
            raise ValueError(
                f"Box bounds have shapes {lower.shape} and {upper.shape}; expected two "
                "nonempty vectors of the same length (or scalars with dim=...)"
            )
        if np.any(lower > upper):
            raise ValueError("Box is empty: some lower bound exceeds its upper bound")
        self.lower, self.upper, self.dim = jnp.asarray(lower), jnp.asarray(upper), lower.size

    def _project(self, v):
        return _project_box(self.lower, self.upper, v)

    def _violation(self, v):
        return jnp.max(jnp.maximum(jnp.maximum(self.lower - v, v - self.upper), 0.0))

    def _section(self, start, stop, z):
        return Box._unchecked(lower=self.lower[start:stop], upper=self.upper[start:stop], dim=stop - start)

    def __repr__(self):
        return f"Box(lower={np.asarray(self.lower).tolist()}, upper={np.asarray(self.upper).tolist()})"


# -------------------------------------------------------------------------- Ball
@jax.jit
def _project_ball(center, radius, v):
    offset = v - center
    norm = jnp.linalg.norm(offset)
    scale = jnp.where(norm > radius, radius / jnp.where(norm > 0, norm, 1.0), 1.0)
    return center + scale * offset


class Ball(ConvexSet):
    r"""The closed Euclidean ball :math:`\{x : \lVert x - c \rVert \le r\}`.

    Projection: :math:`c + (v - c)\min(1, r / \lVert v - c\rVert)`.

    >>> [round(c, 12) for c in Ball([0.0, 0.0], 1.0).project([3.0, 4.0]).tolist()]
    [0.6, 0.8]
    """

    def __init__(self, center, radius):
        center = finite_array(center, "Ball center")
        if center.ndim != 1 or center.size == 0:
            raise ValueError(f"Ball center has shape {center.shape}; expected a nonempty vector")
        radius = finite_array(radius, "Ball radius")
        if radius.shape != ():
            raise ValueError(f"Ball radius has shape {radius.shape}; expected a scalar")
        radius = float(radius)
        if radius < 0:
            raise ValueError(f"Ball radius is {radius}; expected a radius >= 0")
        self.center, self.radius, self.dim = jnp.asarray(center), radius, center.size

    def _project(self, v):
        return _project_ball(self.center, self.radius, v)

    def _violation(self, v):
        return jnp.maximum(jnp.linalg.norm(v - self.center) - self.radius, 0.0)

    def _section(self, start, stop, z):
        fixed = jnp.concatenate([z[:start] - self.center[:start], z[stop:] - self.center[stop:]])
        radius = jnp.sqrt(jnp.maximum(self.radius**2 - jnp.sum(fixed**2), 0.0))
        return Ball._unchecked(center=self.center[start:stop], radius=radius, dim=stop - start)

    def __repr__(self):
        return f"Ball(center={np.asarray(self.center).tolist()}, radius={float(self.radius)})"


# ----------------------------------------------------------------------- Simplex
@jax.jit
def _project_simplex(total, v):
    # Sort-based projection (Held, Wolfe, Crowder 1974; Duchi et al. 2008):
    # x = max(v - theta, 0) with theta chosen so that the entries sum to `total`.
    u = jnp.sort(v)[::-1]
    excess = jnp.cumsum(u) - total
    j = jnp.arange(1, v.size + 1)
    rho = jnp.maximum(jnp.sum(u * j > excess), 1)  # rho = 1 also covers total = 0
    theta = excess[rho - 1] / rho
    return jnp.maximum(v - theta, 0.0)


class Simplex(ConvexSet):
    r"""The scaled probability simplex :math:`\{x \ge 0 : \sum_k x_k = t\}` (``t = total``).

    With ``total=1`` these are the mixed strategies over ``dim`` actions.

    >>> Simplex(2).project([2.0, 0.0]).tolist()
    [1.0, 0.0]
    """

    def __init__(self, dim, total=1.0):
        if not isinstance(dim, (int, np.integer)) or dim < 1:
            raise ValueError(f"Simplex dim is {dim!r}; expected a positive integer")
        total = finite_array(total, "Simplex total")
        if total.shape != ():
            raise ValueError(f"Simplex total has shape {total.shape}; expected a scalar")
        total = float(total)
        if total < 0:
            raise ValueError(f"Simplex total is {total}; expected total >= 0")
        self.dim, self.total = int(dim), total

    def _project(self, v):
        return _project_simplex(self.total, v)

    def _violation(self, v):
        return jnp.maximum(jnp.max(jnp.maximum(-v, 0.0)), jnp.abs(jnp.sum(v) - self.total))

    def _section(self, start, stop, z):
        fixed_mass = jnp.sum(z[:start]) + jnp.sum(z[stop:])
        return Simplex._unchecked(dim=stop - start, total=jnp.maximum(self.total - fixed_mass, 0.0))

    def __repr__(self):
        return f"Simplex(dim={self.dim}, total={float(self.total)})"


# ---------------------------------------------------------------------- Polytope
@partial(jax.jit, static_argnames=("max_sweeps", "check_every"))
def _project_polytope(A, b, v, tol=1e-12, max_sweeps=20_000, check_every=4):
    # Dykstra's alternating projections onto the half-spaces a_k^T x <= b_k
    # (Boyle & Dykstra 1986). Unlike plain alternating projections it converges to the
    # projection itself, linearly for polyhedra (Deutsch & Hundal 1994) -- but slowly when
    # faces meet at sharp angles. So every few sweeps we also try to finish exactly: the
    # corrections p_k = lambda_k a_k estimate the KKT multipliers, hence the active set S;
    # the projection onto {x : A_S x = b_S} is x = v - A_S^T lambda_S with
    # (A_S A_S^T) lambda_S = A_S v - b_S, and it is the answer iff it is feasible and
    # lambda_S >= 0 (the KKT conditions). Otherwise Dykstra continues.
    row_norms = jnp.sum(A**2, axis=1)
    safe_norms = jnp.where(row_norms > 0, row_norms, 1.0)
    scale = 1.0 + jnp.max(jnp.abs(b)) + jnp.max(jnp.abs(v))

    def halfspace_step(k, carry):
        x, corrections = carry
        y = x + corrections[k]
        step = jnp.where(row_norms[k] > 0, jnp.maximum(A[k] @ y - b[k], 0.0) / safe_norms[k], 0.0)
        x_new = y - step * A[k]
        return x_new, corrections.at[k].set(y - x_new)

    def sweep(_, carry):
        x, corrections, _ = carry
        x_new, new_corrections = jax.lax.fori_loop(0, A.shape[0], halfspace_step, (x, corrections))
        # A sweep can bring x back to where it started while the corrections still move
        # (x then moves again on the next sweep), so convergence needs both to stand still.
        change = jnp.maximum(jnp.max(jnp.abs(x_new - x)), jnp.max(jnp.abs(new_corrections - corrections)))
        return x_new, new_corrections, change

    def kkt_solution(corrections):
        active = jnp.sum(corrections * A, axis=1) > 0  # positive multiplier estimates
        A_S = jnp.where(active[:, None], A, 0.0)
        gram = A_S @ A_S.T + jnp.diag(jnp.where(active, 0.0, 1.0))
        multipliers = jnp.linalg.pinv(gram) @ jnp.where(active, A @ v - b, 0.0)
        x = v - A_S.T @ multipliers
        # The active rows must be tight: when they are dependent (an equality written as two
        # half-spaces, say) and inconsistent, the pseudo-inverse returns a least-squares x
        # that is feasible with nonnegative multipliers but violates complementary slackness.
        tight = jnp.max(jnp.where(active, jnp.abs(A @ x - b), 0.0)) <= 10 * tol * scale
        exact = (jnp.min(multipliers) >= -tol * scale) & (jnp.max(A @ x - b) <= 10 * tol * scale) & tight
        return x, exact

    def body(state):
        x, corrections, _, sweeps, _ = state
        x, corrections, change = jax.lax.fori_loop(0, check_every, sweep, (x, corrections, jnp.inf))
        candidate, exact = kkt_solution(corrections)
        converged = (change <= tol) & (jnp.max(A @ x - b) <= tol * scale)
        return x, corrections, jnp.where(exact, candidate, x), sweeps + check_every, exact | converged

    def running(state):
        *_, sweeps, done = state
        return ~done & (sweeps < max_sweeps)

    start = (v, jnp.zeros_like(A), v, 0, jnp.max(A @ v - b) <= 0)  # v inside: its own projection
    *_, result, _, _ = jax.lax.while_loop(running, body, start)
    return result


class Polytope(ConvexSet):
    r"""The polytope :math:`\{x : A x \le b\}`, which must be nonempty and bounded.

    Projection by Dykstra's algorithm over the half-spaces, in JAX, with an exact KKT finish
    on the estimated active set. Nonemptiness and boundedness are checked once, by linear
    programs (HiGHS), at construction. Called eagerly, :meth:`project` certifies its answer
    (feasible, and ``v - x`` in the normal cone, by NNLS) and finishes with SLSQP and an exact
    solve when Dykstra stalls, as it can on a polytope far smaller than its distance from
    ``v``; under ``jit``/``vmap`` no certificate is possible and Dykstra's answer is returned.

    >>> triangle = Polytope([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]], [0.0, 0.0, 1.0])
    >>> [round(c, 6) for c in triangle.project([1.0, 1.0]).tolist()]
    [0.5, 0.5]
    """

    def __init__(self, A, b):
        A, b = finite_array(A, "Polytope A"), finite_array(b, "Polytope b")
        if A.ndim != 2 or b.shape != (A.shape[0],) or A.size == 0:
            raise ValueError(f"Polytope A has shape {A.shape} and b {b.shape}; expected A (m, d) and b (m,)")
        d = A.shape[1]
        free = [(None, None)] * d
        feasible = linprog(np.zeros(d), A_ub=A, b_ub=b, bounds=free, method="highs")
        if feasible.status == 2:
            raise ValueError("Polytope is empty: no x satisfies A x <= b")
        for k in range(d):
            for sign in (1.0, -1.0):
                lp = linprog(-sign * np.eye(d)[k], A_ub=A, b_ub=b, bounds=free, method="highs")
                if lp.status == 3:
                    raise ValueError(f"Polytope is unbounded along coordinate {k}; expected a bounded set")
        self.A, self.b, self.dim = jnp.asarray(A), jnp.asarray(b), d

    def project(self, v):
        x = super().project(v)
        if not is_traced(x):
            v = np.asarray(as_vector(v, self.dim), dtype=float)
            if not self._certify(v, np.asarray(x, dtype=float)):
                # Dykstra can stall, e.g. on a polytope far smaller than its distance from v;
                # outside jit we finish with SLSQP and an exact solve on its active set.
                x = jnp.asarray(self._project_eagerly(v), dtype=x.dtype)
            violation = float(self._violation(x))
            if violation > 1e-7 * (1.0 + float(jnp.max(jnp.abs(self.b)))) or not self._certify(v, np.asarray(x)):
                raise ValueError(
                    f"the projection onto {self!r} did not converge (constraint violation {violation:.1e}); "
                    "the polytope is probably degenerate (nearly empty or with near-zero rows of A)"
                )
        return x

    def _certify(self, v, x, tol=1e-9):
        """True when ``x`` is feasible and ``v - x`` lies in the normal cone at ``x`` (the KKT
        conditions of the projection: nonnegative multipliers on tight rows only, by NNLS)."""
        A, b = np.asarray(self.A, dtype=float), np.asarray(self.b, dtype=float)
        scale = 1.0 + np.max(np.abs(b)) + np.max(np.abs(v))
        slack = A @ x - b
        if np.max(slack) > tol * scale:
            return False
        tight = slack >= -tol * scale
        if not tight.any():
            return bool(np.max(np.abs(v - x)) <= tol * scale)
        _, residual = nnls(A[tight].T, v - x)
        return bool(residual <= tol * scale)

    def _project_eagerly(self, v):
        A, b = np.asarray(self.A, dtype=float), np.asarray(self.b, dtype=float)
        fit = minimize(lambda x: 0.5 * np.sum((x - v) ** 2), np.zeros_like(v), jac=lambda x: x - v, method="SLSQP",
                       constraints={"type": "ineq", "fun": lambda x: b - A @ x, "jac": lambda x: -A},
                       options={"ftol": 1e-15, "maxiter": 1000})
        scale = 1.0 + np.max(np.abs(b)) + np.max(np.abs(v))
        active = np.abs(A @ fit.x - b) <= 1e-7 * scale
        if not active.any():
            return fit.x
        # The projection onto {x : A_S x = b_S}: exact where SLSQP is only close.
        multipliers = np.linalg.lstsq(A[active] @ A[active].T, A[active] @ v - b[active], rcond=None)[0]
        return v - A[active].T @ multipliers

    def _project(self, v):
        return _project_polytope(self.A, self.b, v)

    def _violation(self, v):
        return jnp.maximum(jnp.max(self.A @ v - self.b), 0.0)

    def _section(self, start, stop, z):
        fixed = z.at[start:stop].set(0.0)
        return Polytope._unchecked(A=self.A[:, start:stop], b=self.b - self.A @ fixed, dim=stop - start)

    def __repr__(self):
        return f"Polytope(m={self.A.shape[0]} constraints, dim={self.dim})"


# ----------------------------------------------------------------------- Product
class Product(ConvexSet):
    r"""The Cartesian product :math:`S_1 \times \dots \times S_n` of per-player sets;
    projection acts block by block.

    >>> both = Product([Simplex(2), Box(0.0, 1.0, dim=1)])
    >>> both.dim, both.project([3.0, 1.0, 5.0]).tolist()
    (3, [1.0, 0.0, 1.0])
    """

    def __init__(self, sets):
        sets = list(sets)
        if not sets or not all(isinstance(s, ConvexSet) for s in sets):
            raise ValueError("Product needs a nonempty list of ConvexSet objects")
        self.sets = sets
        self.offsets = np.cumsum([0] + [s.dim for s in sets]).tolist()
        self.dim = self.offsets[-1]

    def blocks(self, v):
        """Split a vector of shape ``(dim,)`` into the blocks of the factors."""
        return [v[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:])]

    def _project(self, v):
        return jnp.concatenate([s._project(block) for s, block in zip(self.sets, self.blocks(v))])

    def _violation(self, v):
        return jnp.max(jnp.stack([s._violation(block) for s, block in zip(self.sets, self.blocks(v))]))

    def _section(self, start, stop, z):
        parts = []
        for s, lo, hi in zip(self.sets, self.offsets[:-1], self.offsets[1:]):
            a, b = max(start, lo), min(stop, hi)
            if a < b:  # this factor owns some of the free coordinates
                parts.append(s if (a, b) == (lo, hi) else s._section(a - lo, b - lo, z[lo:hi]))
        if len(parts) == 1:
            return parts[0]
        return Product._unchecked(
            sets=parts, offsets=np.cumsum([0] + [p.dim for p in parts]).tolist(), dim=stop - start
        )

    def __repr__(self):
        return f"Product({self.sets!r})"
