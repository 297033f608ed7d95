"""Algorithmic collusion: gtml_utils.pricing against a straightforward numba loop, on the same sessions.

The paper's baseline (Calvano, Calzolari, Denicolò & Pastorello, AER 2020): two Q-learning
firms, alpha = 0.15, beta = 4e-6, delta = 0.95, m = 15 prices, k = 1, convergence when no
greedy strategy changes for 100,000 periods. The paper runs 1,000 sessions and reports a
mean profit gain of about 0.85 (the figures quoted below are those of the course's issue,
0.849 with standard deviation 0.112).

- ours: ``simulate_sessions`` (numba, O(1) work per period: greedy prices and their values
  kept up to date, a row of Q rescanned only when the greedy entry decreases), one session
  per thread;
- peer: the textbook loop written out in numba, argmax of a Q row for every action choice,
  max of a Q row for every update, argmax again to check convergence, also one session
  per thread on all cores.

Both draw the same SplitMix64 random numbers, so they must produce identical sessions
(periods, strategies, last state): the benchmark asserts it, then prints the paper's
statistics from our run, both wall times and their ratio.

With ``--jax`` it also measures the throughput of the same learning loop written in JAX
(``vmap`` over sessions of a ``lax.fori_loop``; argmax and max of Q rows, a scatter for the
update), the house style for simulation in bulk, on a fixed number of periods, against ours
on the same number of periods: why ``gtml_utils.pricing`` uses numba instead.

Usage::

    python benchmarks/bench_pricing.py            # 200 sessions (a few minutes on 2 cores)
    python benchmarks/bench_pricing.py --full     # the paper's 1,000 sessions (about 12 minutes)
    python benchmarks/bench_pricing.py --sessions 50 --jax
"""

import argparse
import os
import platform
import time

import numba
import numpy as np
from numba import njit, prange

from gtml_utils.pricing import initial_q, simulate_sessions

PAPER = {"profit_gain": 0.849, "profit_gain_sd": 0.112}

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@njit(inline="always")
def splitmix(state):
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return state, z ^ (z >> np.uint64(31))


@njit(inline="always")
def uniform(bits):
    return np.float64(bits >> np.uint64(11)) * 2.0**-53


@njit
def session_states(seed, n):
    out = np.empty(n, dtype=np.uint64)
    _, base = splitmix(np.uint64(seed))
    for k in range(n):
        _, out[k] = splitmix(base ^ (np.uint64(k) * _MIX2))
    return out


@njit
def straightforward_session(rng, pi, qinit, m, alpha, delta, decay, conv_periods, max_periods, strategy):
    """The textbook loop: Q[i, s, a] as one array, argmax/max over a row whenever needed."""
    n_states = m * m
    Q = np.empty((2, n_states, m))
    for i in range(2):
        for s in range(n_states):
            Q[i, s] = qinit[i]
            strategy[i, s] = np.argmax(Q[i, s])
    rng, bits = splitmix(rng)
    a0 = np.int64(uniform(bits) * m)
    rng, bits = splitmix(rng)
    s = a0 * m + np.int64(uniform(bits) * m)
    actions = np.empty(2, dtype=np.int64)
    eps, stable, t, converged = 1.0, 0, 0, False
    while t < max_periods:
        for i in range(2):
            rng, bits = splitmix(rng)
            u_explore = uniform(bits)
            rng, bits = splitmix(rng)
            u_price = uniform(bits)
            if u_explore < eps:
                actions[i] = np.int64(u_price * m)
            else:
                actions[i] = np.argmax(Q[i, s])
        s2 = actions[0] * m + actions[1]
        for i in range(2):
            old = Q[i, s, actions[i]]
            Q[i, s, actions[i]] = old + alpha * (pi[i, s2] + delta * np.max(Q[i, s2]) - old)
        same = True
        for i in range(2):
            greedy = np.argmax(Q[i, s])
            if greedy != strategy[i, s]:
                strategy[i, s] = greedy
                same = False
        s = s2
        eps *= decay
        t += 1
        if same:
            stable += 1
            if stable >= conv_periods:
                converged = True
                break
        else:
            stable = 0
    return t, converged, s


@njit(parallel=True)
def straightforward_sessions(states, pi, qinit, m, alpha, delta, decay, conv_periods, max_periods,
                             periods, converged, last_state, strategies):
    for k in prange(states.size):
        t, c, s = straightforward_session(states[k], pi, qinit, m, alpha, delta, decay, conv_periods, max_periods,
                                          strategies[k])
        periods[k], converged[k], last_state[k] = t, c, s


def run_peer(n, seed, res, alpha=0.15, beta=4e-6, delta=0.95):
    m = res.m
    pi = res.table.reshape(2, m * m)
    qinit = np.stack([res.table[0].mean(axis=1), res.table[1].mean(axis=0)]) / (1 - delta)
    periods = np.zeros(n, dtype=np.int64)
    converged = np.zeros(n, dtype=np.bool_)
    last_state = np.zeros(n, dtype=np.int64)
    strategies = np.zeros((n, 2, m * m), dtype=np.int64)
    straightforward_sessions(session_states(np.uint64(seed), n), pi, qinit, m, alpha, delta, float(np.exp(-beta)),
                             100_000, 10**9, periods, converged, last_state, strategies)
    return periods, converged, last_state, strategies


def jax_throughput(res, n_sessions, periods, alpha=0.15, beta=4e-6, delta=0.95):
    """Seconds per session-period of the textbook loop in JAX: vmap over sessions of a fori_loop."""
    import jax
    import jax.numpy as jnp

    m = res.m
    pi = jnp.asarray(res.table.reshape(2, m * m))
    q0 = jnp.asarray(np.repeat(initial_q(res.table, delta)[:, None], m * m, axis=1))  # (2, states, prices)
    decay, firms = float(np.exp(-beta)), jnp.arange(2)

    def draw(state):
        state = state + jnp.uint64(0x9E3779B97F4A7C15)
        z = (state ^ (state >> jnp.uint64(30))) * jnp.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> jnp.uint64(27))) * jnp.uint64(0x94D049BB133111EB)
        return state, (z ^ (z >> jnp.uint64(31))) >> jnp.uint64(11)

    def session(rng):
        def period(_, carry):
            Q, s, rng, eps, stable = carry
            rng, b1 = draw(rng)
            rng, b2 = draw(rng)
            rng, b3 = draw(rng)
            rng, b4 = draw(rng)
            u_explore = jnp.stack([b1, b3]).astype(jnp.float64) * 2.0**-53
            u_price = jnp.stack([b2, b4]).astype(jnp.float64) * 2.0**-53
            greedy = jnp.argmax(Q[:, s], axis=1)
            a = jnp.where(u_explore < eps, (u_price * m).astype(jnp.int64), greedy)
            s2 = a[0] * m + a[1]
            old = Q[firms, s, a]
            Q = Q.at[firms, s, a].set(old + alpha * (pi[:, s2] + delta * Q[:, s2].max(axis=1) - old))
            same = jnp.all(jnp.argmax(Q[:, s], axis=1) == greedy)
            return Q, s2, rng, eps * decay, jnp.where(same, stable + 1, 0)

        return jax.lax.fori_loop(0, periods, period, (q0, jnp.int64(0), rng, 1.0, jnp.int64(0)))[4]

    run = jax.jit(jax.vmap(session))
    states = jnp.asarray(session_states(np.uint64(1), n_sessions))
    run(states).block_until_ready()  # compile
    start = time.perf_counter()
    run(states).block_until_ready()
    return (time.perf_counter() - start) / (n_sessions * periods)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="run the paper's 1,000 sessions")
    parser.add_argument("--sessions", type=int, default=200, help="number of sessions (default 200)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--jax", action="store_true", help="also measure a JAX vmap + lax.fori_loop version")
    args = parser.parse_args()
    n = 1000 if args.full else args.sessions

    print(f"numba {numba.__version__}, {numba.get_num_threads()} threads, {os.cpu_count()} cores, "
          f"{platform.processor() or platform.machine()}, python {platform.python_version()}")
    # Compile both (numba caches ours on disk; the peer compiles here), outside the timings.
    small = simulate_sessions(2, seed=0, beta=1e-3)
    run_peer(2, 0, small, beta=1e-3)

    start = time.perf_counter()
    res = simulate_sessions(n, seed=args.seed)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    periods, converged, last_state, strategies = run_peer(n, args.seed, res)
    peer = time.perf_counter() - start

    same = (np.array_equal(periods, res.periods) and np.array_equal(converged, res.converged)
            and np.array_equal(last_state, res.last_state) and np.array_equal(strategies, res.strategies))
    assert same, "the two implementations disagree on the same sessions"

    kinds = np.bincount(np.minimum(res.cycle_length, 3), minlength=4)[1:] / n
    print(f"\n{n} sessions of the baseline (alpha 0.15, beta 4e-6, delta 0.95), seed {args.seed}")
    print(f"  mean profit gain  {res.profit_gain.mean():.3f}  (sd {res.profit_gain.std():.3f})   "
          f"paper {PAPER['profit_gain']:.3f} (sd {PAPER['profit_gain_sd']:.3f})")
    print(f"  converged         {res.converged.mean():.1%}")
    print(f"  mean periods      {res.periods.mean():,.0f}  (median {np.median(res.periods):,.0f}; "
          f"{res.periods.mean() - 100_000:,.0f} before the last 100,000 stable periods)")
    print(f"  limit cycles      constant {kinds[0]:.1%}, 2-cycles {kinds[1]:.1%}, longer {kinds[2]:.1%}")
    print(f"  limit prices      mean {res.limit_prices.mean():.4f}  (p^N {res.p_nash:.5f}, p^M {res.p_monopoly:.5f})")
    total = res.periods.sum()
    print(f"\n{'':28}{'wall time':>12}{'ns/period':>12}")
    print(f"{'ours (simulate_sessions)':<28}{ours:>10.1f} s{ours / total * 1e9:>12.1f}")
    print(f"{'straightforward numba loop':<28}{peer:>10.1f} s{peer / total * 1e9:>12.1f}")
    print(f"ratio (peer / ours) {peer / ours:.2f}x; identical sessions: {same}")

    if args.jax:
        n_jax, periods = 256, 20_000
        per_jax = jax_throughput(res, n_jax, periods)
        start = time.perf_counter()
        simulate_sessions(n_jax, seed=1, max_periods=periods, convergence_periods=10**9)
        per_ours = (time.perf_counter() - start) / (n_jax * periods)
        print(f"\nfirst {periods:,} periods of {n_jax} sessions (both on all cores):")
        print(f"{'ours (numba)':<28}{per_ours * 1e9:>10.1f} ns per session-period")
        print(f"{'JAX vmap + lax.fori_loop':<28}{per_jax * 1e9:>10.1f} ns per session-period   "
              f"ratio {per_jax / per_ours:.1f}x")


if __name__ == "__main__":
    main()
