"""Projections: gtml_utils against straightforward baselines, in one process.

- Simplex, 10,000 vectors in R^50: ours (sort-based, jit + vmap) against the same formula
  applied per vector in NumPy, and against scipy's SLSQP on the projection QP (200 vectors).
- Polytope, 200 vectors in R^6 with 12 random half-spaces and a box: ours (Dykstra with
  an exact active-set finish; jit, one call per vector, and jit + vmap, where the batch
  waits for its slowest member)
  against scipy's SLSQP on the projection QP; we also report the largest distance between
  the two answers and which one has the smaller objective.

Prints times and ratios (peer / ours); `benchmarks/README.md` keeps the latest table.
"""

import time

import jax
import numpy as np
from scipy.optimize import minimize

from gtml_utils.projections import Polytope, Simplex


def best_time(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def numpy_simplex(v):
    u = np.sort(v)[::-1]
    excess = np.cumsum(u) - 1.0
    rho = max(int(np.sum(u * np.arange(1, v.size + 1) > excess)), 1)
    return np.maximum(v - excess[rho - 1] / rho, 0.0)


def slsqp_projection(v, A_ub=None, b_ub=None, simplex=False):
    constraints = []
    if A_ub is not None:
        constraints.append({"type": "ineq", "fun": lambda x: b_ub - A_ub @ x, "jac": lambda x: -A_ub})
    bounds = None
    if simplex:
        constraints.append({"type": "eq", "fun": lambda x: x.sum() - 1.0, "jac": lambda x: np.ones_like(x)})
        bounds = [(0.0, None)] * v.size
    x0 = np.full_like(v, 1.0 / v.size) if simplex else np.zeros_like(v)
    res = minimize(lambda x: 0.5 * np.sum((x - v) ** 2), x0, jac=lambda x: x - v, method="SLSQP",
                   bounds=bounds, constraints=constraints, options={"ftol": 1e-12, "maxiter": 500})
    return res.x


def row(name, ours, peer, peer_name, note=""):
    print(f"{name:<34} ours {ours * 1e3:9.2f} ms   {peer_name:<22} {peer * 1e3:9.2f} ms   "
          f"ratio {peer / ours:8.1f}x  {note}")


def main():
    rng = np.random.default_rng(0)
    print(f"jax {jax.__version__}, devices {jax.devices()}")

    # Simplex
    V = rng.normal(size=(10_000, 50))
    simplex = Simplex(50)
    project_all = jax.jit(jax.vmap(simplex.project))
    project_all(V).block_until_ready()  # compile once, outside the timing
    ours = best_time(lambda: project_all(V).block_until_ready())
    peer = best_time(lambda: [numpy_simplex(v) for v in V])
    err = np.abs(np.asarray(project_all(V)) - np.array([numpy_simplex(v) for v in V])).max()
    row("simplex, 10,000 x R^50", ours, peer, "numpy, per vector", f"max diff {err:.1e}")
    few = V[:200]
    ours_few = best_time(lambda: project_all(few).block_until_ready())
    peer = best_time(lambda: [slsqp_projection(v, simplex=True) for v in few], repeats=1)
    err = np.abs(np.asarray(project_all(few)) - np.array([slsqp_projection(v, simplex=True) for v in few])).max()
    row("simplex, 200 x R^50", ours_few, peer, "scipy SLSQP QP", f"max diff {err:.1e}")

    # Polytope
    d, m = 6, 12
    A = rng.normal(size=(m, d))
    b = rng.uniform(0.5, 1.5, size=m)
    A, b = np.vstack([A, np.eye(d), -np.eye(d)]), np.concatenate([b, np.full(2 * d, 2.0)])
    polytope = Polytope(A, b)
    W = 3 * rng.normal(size=(200, d))
    project_poly = jax.jit(jax.vmap(polytope.project))
    project_poly(W).block_until_ready()
    ours = best_time(lambda: project_poly(W).block_until_ready())
    peer = best_time(lambda: [slsqp_projection(w, A, b) for w in W], repeats=1)
    project_one = jax.jit(polytope.project)
    project_one(W[0]).block_until_ready()
    ours_loop = best_time(lambda: [project_one(w).block_until_ready() for w in W])
    row(f"polytope, 200 x R^{d}, one by one", ours_loop, peer, "scipy SLSQP QP", "(jit, a call per vector)")
    X_ours = np.asarray(project_poly(W))
    X_peer = np.array([slsqp_projection(w, A, b) for w in W])
    gap = np.abs(X_ours - X_peer).max()
    closer = np.mean(np.sum((X_ours - W) ** 2, 1) <= np.sum((X_peer - W) ** 2, 1) + 1e-12)
    violation = max((A @ X_ours.T - b[:, None]).max(), 0.0)
    row(f"polytope, 200 x R^{d}, {len(b)} rows, vmap", ours, peer, "scipy SLSQP QP",
        f"max diff {gap:.1e}, ours feasible to {violation:.0e}, ours as close or closer on {closer:.0%}")


if __name__ == "__main__":
    main()
