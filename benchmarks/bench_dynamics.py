"""Dynamics: gtml_utils.dynamics.simulate (jit + vmap + lax.scan) against plain NumPy loops.

The game is the nonconvex-nonconcave min-max problem of chapter 1 (Hsieh, Mertikopoulos,
Cevher 2021), f(x, y) = (4x^2 - (y - 3x + x^3/20)^2 - y^4/10) exp(-(x^2 + y^2)/100), x minimising.
The baselines use the hand-derived gradient of f, so they pay nothing for autodiff:

- "numpy, per run": a Python loop over the starts and over the steps, one 2-vector at a time
  (the straightforward implementation);
- "numpy, vectorised": a Python loop over the steps only, each step a NumPy expression over
  all starts at once (the best one can do in NumPy without compiling).

Throughput is trajectories x steps per second. Compilation is done once before timing (it is
reported separately). Every baseline's trajectories are compared with ours.
Prints the rates and the ratios (ours / peer); benchmarks/README.md keeps the latest table.
"""

import time

import jax
import jax.numpy as jnp
import numpy as np

from gtml_utils.dynamics import simulate, simulate_tail
from gtml_utils.games import ContinuousGame

ETA = 0.05


def f(x, y):
    return (4 * x**2 - (y - 3 * x + x**3 / 20) ** 2 - y**4 / 10) * jnp.exp(-(x**2 + y**2) / 100)


GAME = ContinuousGame.zero_sum(lambda x, y: f(x[0], y[0]), dims=(1, 1))


def field_numpy(x, y):
    """V = (-df/dx, df/dy), by hand: f = P E with E = exp(-(x^2 + y^2)/100)."""
    u = y - 3 * x + x**3 / 20
    P = 4 * x**2 - u**2 - y**4 / 10
    E = np.exp(-(x**2 + y**2) / 100)
    fx = E * (8 * x - 2 * u * (-3 + 3 * x**2 / 20) - P * x / 50)
    fy = E * (-2 * u - 0.4 * y**3 - P * y / 50)
    return -fx, fy


def gda_per_run(starts, steps):
    out = np.empty((len(starts), steps + 1, 2))
    for k, (x, y) in enumerate(starts):
        out[k, 0] = x, y
        for t in range(steps):
            vx, vy = field_numpy(x, y)
            x, y = x + ETA * vx, y + ETA * vy
            out[k, t + 1] = x, y
    return out


def extragradient_per_run(starts, steps):
    out = np.empty((len(starts), steps + 1, 2))
    for k, (x, y) in enumerate(starts):
        out[k, 0] = x, y
        for t in range(steps):
            vx, vy = field_numpy(x, y)
            wx, wy = field_numpy(x + ETA * vx, y + ETA * vy)
            x, y = x + ETA * wx, y + ETA * wy
            out[k, t + 1] = x, y
    return out


def gda_vectorised(starts, steps):
    x, y = starts[:, 0].copy(), starts[:, 1].copy()
    out = np.empty((len(starts), steps + 1, 2))
    out[:, 0] = starts
    for t in range(steps):
        vx, vy = field_numpy(x, y)
        x, y = x + ETA * vx, y + ETA * vy
        out[:, t + 1, 0], out[:, t + 1, 1] = x, y
    return out


def extragradient_vectorised(starts, steps):
    x, y = starts[:, 0].copy(), starts[:, 1].copy()
    out = np.empty((len(starts), steps + 1, 2))
    out[:, 0] = starts
    for t in range(steps):
        vx, vy = field_numpy(x, y)
        wx, wy = field_numpy(x + ETA * vx, y + ETA * vy)
        x, y = x + ETA * wx, y + ETA * wy
        out[:, t + 1, 0], out[:, t + 1, 1] = x, y
    return out


def best_time(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def row(name, ours, peer, peer_name, note=""):
    print(f"{name:<36} ours {ours:12.3g}/s   {peer_name:<18} {peer:12.3g}/s   ratio {ours / peer:8.1f}x  {note}")


def main():
    print(f"jax {jax.__version__}, devices {jax.devices()}; throughput = trajectories x steps per second")
    rng = np.random.default_rng(0)
    B, T = 4096, 1000
    starts = rng.uniform(-6.0, 6.0, size=(B, 2))
    few = starts[:32]

    # the hand-derived field is the game's field
    V = np.asarray(jax.vmap(GAME.pseudo_gradient)(jnp.asarray(starts[:100])))
    err_field = np.abs(np.stack(field_numpy(starts[:100, 0], starts[:100, 1]), 1) - V).max()
    print(f"hand-derived field vs autodiff: max difference {err_field:.1e}")

    for method, per_run, vectorised in (("gda", gda_per_run, gda_vectorised),
                                        ("extragradient", extragradient_per_run, extragradient_vectorised)):
        start = time.perf_counter()
        simulate(GAME, starts, method, ETA, T).block_until_ready()
        compile_s = time.perf_counter() - start
        ours = B * T / best_time(lambda m=method: simulate(GAME, starts, m, ETA, T).block_until_ready())
        ours_path = np.asarray(simulate(GAME, starts, method, ETA, T))

        peer_run = len(few) * T / best_time(lambda f=per_run: f(few, T), repeats=1)
        diff_run = np.abs(per_run(few, T) - ours_path[: len(few)]).max()
        peer_vec = B * T / best_time(lambda f=vectorised: f(starts, T), repeats=2)
        diff_vec = np.abs(vectorised(starts, T) - ours_path).max()
        print(f"-- {method}: {B} starts x {T} steps (first call incl. compilation {compile_s:.2f} s)")
        row(f"{method}, simulate (vmap+jit)", ours, peer_run, "numpy, per run", f"max diff {diff_run:.1e}")
        row(f"{method}, simulate (vmap+jit)", ours, peer_vec, "numpy, vectorised", f"max diff {diff_vec:.1e}")

    # the notebook's workload: 10^4 starts, only the tail kept
    B2, T2 = 10_000, 1200
    starts2 = rng.uniform(-6.0, 6.0, size=(B2, 2))
    simulate_tail(GAME, starts2, "gda", ETA, T2, 400).block_until_ready()
    ours = B2 * T2 / best_time(lambda: simulate_tail(GAME, starts2, "gda", ETA, T2, 400).block_until_ready())
    peer_vec = B2 * T2 / best_time(lambda: gda_vectorised(starts2, T2), repeats=1)
    row("gda, simulate_tail, 10^4 x 1200", ours, peer_vec, "numpy, vectorised")


if __name__ == "__main__":
    main()
