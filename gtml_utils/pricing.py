r"""Algorithmic collusion: Q-learning pricing agents in a repeated logit Bertrand market.

This module reproduces the baseline experiment of Calvano, Calzolari, Denicolò and
Pastorello, *Artificial Intelligence, Algorithmic Pricing, and Collusion*, American
Economic Review 110(10), 2020.

**The market.** :math:`n` firms sell differentiated products with logit demand

.. math::

    q_i(p) = \frac{e^{(a_i - p_i)/\mu}}{\sum_{j=1}^n e^{(a_j - p_j)/\mu} + e^{a_0/\mu}},
    \qquad \pi_i(p) = (p_i - c_i)\, q_i(p),

where :math:`a_i` is product quality, :math:`c_i` marginal cost, :math:`a_0` the outside
good and :math:`\mu > 0` horizontal differentiation. The paper's baseline is
:math:`n = 2`, :math:`c_i = 1`, :math:`a_i = 2` (so :math:`a_i - c_i = 1`), :math:`a_0 = 0`,
:math:`\mu = 1/4`. Two benchmarks bracket what firms can earn: the one-shot
**Bertrand–Nash** prices :math:`p^N` (each firm best-responds:
:math:`p_i = c_i + \mu / (1 - q_i)`) and the **monopoly** prices :math:`p^M` that maximise
joint profit (all mark-ups equal :math:`\mu / (1 - \sum_j q_j)`). Both are solved
numerically (:func:`bertrand_nash_prices`, :func:`monopoly_prices`).

**The learners.** Prices lie on a grid of :math:`m = 15` points equally spaced on
:math:`[p^N - \xi (p^M - p^N),\ p^M + \xi (p^M - p^N)]`, :math:`\xi = 0.1`. With memory
:math:`k = 1`, the state :math:`s` is last period's price pair. Each firm runs
independent :math:`\varepsilon`-greedy Q-learning: with probability
:math:`\varepsilon_t = e^{-\beta t}` it plays a uniformly random price, otherwise its greedy
price :math:`\arg\max_a Q_i(s, a)`, and after seeing the new state :math:`s'` it updates

.. math::

    Q_i(s, a_i) \leftarrow (1 - \alpha)\, Q_i(s, a_i)
    + \alpha \bigl(\pi_i(s') + \delta \max_{a} Q_i(s', a)\bigr).

:math:`Q_i` starts at the discounted payoff against a uniformly random rival,
:math:`Q_{i,0}(s, a) = \frac{1}{m} \sum_b \pi_i(a, b) / (1 - \delta)`, in every state, and the
first state is random. A session **converges** when every firm's greedy price in every
state has stayed the same for 100,000 consecutive periods (cap :math:`10^9`). Its outcome
is the cycle that the greedy strategies then follow from the last state (a constant
price pair, a 2-cycle, ...), and its **profit gain**

.. math::

    \Delta = \frac{\bar\pi - \pi^N}{\pi^M - \pi^N}

compares the average profit per firm on that cycle with the Nash (:math:`\Delta = 0`) and
monopoly (:math:`\Delta = 1`) profits. The paper reports :math:`\Delta \approx 0.85` for
the baseline :math:`\alpha = 0.15`, :math:`\beta = 4 \times 10^{-6}`, :math:`\delta = 0.95`.

**Implementation.** A session takes about two million periods, each a few table look-ups,
so the learning loop is compiled with numba (``njit``, releasing the GIL) and sessions run
on a pool of threads, one per core. The work per period is too small for array
programming: the same loop in JAX (``vmap`` over sessions of a ``lax.fori_loop``) ran more than
ten times slower on the course's 2-core machine (``python benchmarks/bench_pricing.py --jax``
measures both). Per period the
loop does :math:`O(1)` work in the common case: besides :math:`Q` it keeps each state's
greedy price, its value and an upper bound on the rest of the row, and rescans a row only
when the greedy entry falls to that bound. It is exact: ties go to the lowest price index,
as ``np.argmax`` would give (the paper breaks ties at random; with continuous Q-values they
essentially never occur), and the benchmark checks that a straightforward loop produces
identical sessions. Each session draws from its own SplitMix64 stream (Steele, Lea and
Flood, 2014), seeded from ``(seed, session index)``, with two uniforms per firm and period
as in the paper's code: one decides whether to explore, the other picks the random price.
Results therefore depend neither on the number of threads nor on the number of sessions.

>>> round(float(bertrand_nash_prices()[0]), 5), round(float(monopoly_prices()[0]), 5)
(1.47293, 1.92498)
>>> res = simulate_sessions(4, seed=0, beta=2e-4)
>>> bool(res.converged.all()), res.profit_gain.shape
(True, (4,))
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numba import njit
from scipy.optimize import minimize, minimize_scalar, root

__all__ = [
    "logit_demand",
    "logit_profits",
    "bertrand_nash_prices",
    "monopoly_prices",
    "price_grid",
    "profit_table",
    "static_best_response",
    "initial_q",
    "simulate_sessions",
    "SessionResults",
    "impulse_response",
    "ImpulseResponse",
]

# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------
def _positive_int(x, name, minimum=1):
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < minimum:
        raise ValueError(f"{name} = {x!r}; expected an integer >= {minimum}")
    return int(x)


def _real(x, name):
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} = {x!r}; expected a real number") from None
    if not np.isfinite(value):
        raise ValueError(f"{name} = {x!r}; expected a finite number")
    return value


def _check_alpha(alpha):
    alpha = _real(alpha, "alpha")
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha = {alpha}; expected a learning rate in (0, 1]")
    return alpha


def _check_delta(delta):
    delta = _real(delta, "delta")
    if not 0.0 <= delta < 1.0:
        raise ValueError(f"delta = {delta}; expected a discount factor in [0, 1)")
    return delta


def _market(p, a, c, a0, mu, n=None):
    """Validate and broadcast the market parameters; returns float64 arrays (p, a, c) and floats."""
    mu = _real(mu, "mu")
    if mu <= 0:
        raise ValueError(f"mu = {mu}; expected a differentiation parameter mu > 0")
    a0 = _real(a0, "a0")
    if p is not None:
        p = np.asarray(p, dtype=np.float64)
        if p.ndim < 1 or p.shape[-1] < 1:
            raise ValueError(f"prices have shape {p.shape}; expected (..., n) with n >= 1 firms")
        if not np.all(np.isfinite(p)):
            raise ValueError("prices contain NaN or inf; expected finite prices")
        n = p.shape[-1]
    arrays = []
    for value, name in ((a, "a"), (c, "c")):
        v = np.asarray(value, dtype=np.float64)
        if v.ndim == 0:
            v = np.full(n, float(v))
        if v.shape != (n,):
            raise ValueError(f"{name} has shape {v.shape}; expected a scalar or one value per firm, shape ({n},)")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{name} contains NaN or inf; expected finite numbers")
        arrays.append(v)
    return p, arrays[0], arrays[1], a0, mu


# ---------------------------------------------------------------------------
# The market: demand, profits, Nash and monopoly prices
# ---------------------------------------------------------------------------
def _demand(p, a, a0, mu):
    # Shift exponents by their maximum (the outside good included) for numerical stability.
    z = (a - p) / mu
    top = np.maximum(z.max(axis=-1, keepdims=True), a0 / mu)
    e = np.exp(z - top)
    return e / (e.sum(axis=-1, keepdims=True) + np.exp(a0 / mu - top))


def logit_demand(p, *, a=2.0, a0=0.0, mu=0.25):
    r"""Logit market shares :math:`q_i(p) = e^{(a_i-p_i)/\mu} / (\sum_j e^{(a_j-p_j)/\mu} + e^{a_0/\mu})`.

    Parameters
    ----------
    p : array of shape (..., n)
        Prices of the n firms (any leading batch shape).
    a : float or array of shape (n,)
        Product qualities :math:`a_i` (baseline 2).
    a0 : float
        Quality of the outside good (baseline 0).
    mu : float
        Horizontal differentiation :math:`\mu > 0` (baseline 1/4).

    Returns
    -------
    ndarray of shape (..., n)

    Examples
    --------
    >>> logit_demand([1.0, 1.0], mu=1.0).round(6).tolist()  # e / (2e + 1) each
    [0.422319, 0.422319]
    """
    p, a, _, a0, mu = _market(p, a, 0.0, a0, mu)
    return _demand(p, a, a0, mu)


def logit_profits(p, *, a=2.0, c=1.0, a0=0.0, mu=0.25):
    r"""Per-period profits :math:`\pi_i(p) = (p_i - c_i)\, q_i(p)` under logit demand.

    Parameters as in :func:`logit_demand`, plus marginal costs ``c`` (baseline 1).

    Examples
    --------
    >>> logit_profits([2.0, 2.0], a0=0.0, mu=1.0).round(6).tolist()  # (2 - 1) / 3 each
    [0.333333, 0.333333]
    """
    p, a, c, a0, mu = _market(p, a, c, a0, mu)
    return (p - c) * _demand(p, a, a0, mu)


def _solve(residual, start, what):
    sol = root(residual, start, method="hybr", tol=1e-13)
    if np.max(np.abs(residual(sol.x))) > 1e-10:  # judged by the residual: hybr may stop at round-off
        raise RuntimeError(f"the {what} first-order conditions did not converge: {sol.message}")
    return sol.x


def bertrand_nash_prices(*, n=2, a=2.0, c=1.0, a0=0.0, mu=0.25):
    r"""The one-shot Bertrand–Nash prices :math:`p^N` of the logit market.

    Each firm's profit is strictly quasi-concave in its own price, with first-order
    condition :math:`p_i = c_i + \mu / (1 - q_i(p))`; this system is solved numerically
    (``scipy.optimize.root``) and the answer certified: no firm gains more than
    :math:`10^{-12}` by a unilateral deviation (checked by a bounded scalar maximisation).

    Parameters
    ----------
    n : int
        Number of firms (baseline 2); ignored when ``a`` or ``c`` give one value per firm.

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> bertrand_nash_prices().round(5).tolist()
    [1.47293, 1.47293]
    """
    n = _positive_int(n, "n")
    for v in (a, c):
        if np.ndim(v) == 1:
            n = len(v)
    _, a, c, a0, mu = _market(None, a, c, a0, mu, n=n)
    p = _solve(lambda p: p - c - mu / (1.0 - _demand(p, a, a0, mu)), c + mu + 0.5, "Bertrand-Nash")
    for i in range(n):  # certificate: the best-response gap of every firm
        def minus_profit(x, i=i):
            q = p.copy()
            q[i] = x
            return -(x - c[i]) * _demand(q, a, a0, mu)[i]

        best = minimize_scalar(minus_profit, bounds=(c[i], c[i] + 20 * mu + 10), method="bounded",
                               options={"xatol": 1e-12})
        if -best.fun > -minus_profit(p[i]) + 1e-12:
            raise RuntimeError(f"firm {i} gains {-best.fun + minus_profit(p[i]):.2e} by deviating from p^N")
    return p


def monopoly_prices(*, n=2, a=2.0, c=1.0, a0=0.0, mu=0.25):
    r"""The prices :math:`p^M` that maximise joint profit :math:`\sum_i \pi_i(p)`.

    The first-order conditions say that every mark-up equals
    :math:`p_i - c_i = \mu + \sum_j (p_j - c_j)\, q_j(p)`; this system is solved numerically
    and the answer checked against a direct maximisation of joint profit
    (``scipy.optimize.minimize``) to :math:`10^{-10}`.

    Parameters and return value as in :func:`bertrand_nash_prices`.

    Examples
    --------
    >>> monopoly_prices().round(5).tolist()
    [1.92498, 1.92498]
    """
    n = _positive_int(n, "n")
    for v in (a, c):
        if np.ndim(v) == 1:
            n = len(v)
    _, a, c, a0, mu = _market(None, a, c, a0, mu, n=n)

    def joint(p):
        return float(np.sum((p - c) * _demand(p, a, a0, mu)))

    p = _solve(lambda p: p - c - mu - np.sum((p - c) * _demand(p, a, a0, mu)), c + 2 * mu + 0.5, "monopoly")
    direct = minimize(lambda x: -joint(x), p + 0.05, method="Nelder-Mead",
                      options={"xatol": 1e-12, "fatol": 1e-15, "maxiter": 20_000})
    if -direct.fun > joint(p) + 1e-10:
        raise RuntimeError("the monopoly first-order conditions found a point that is not the joint-profit maximum")
    return p


def price_grid(p_nash, p_monopoly, m=15, xi=0.1):
    r"""The paper's price grid: ``m`` prices equally spaced on
    :math:`[p^N - \xi(p^M - p^N),\ p^M + \xi(p^M - p^N)]`.

    Examples
    --------
    >>> price_grid(1.0, 2.0, m=3, xi=0.5).tolist()
    [0.5, 1.5, 2.5]
    """
    m = _positive_int(m, "m (number of prices)", minimum=2)
    p_nash, p_monopoly, xi = _real(p_nash, "p_nash"), _real(p_monopoly, "p_monopoly"), _real(xi, "xi")
    if xi < 0:
        raise ValueError(f"xi = {xi}; expected xi >= 0")
    if not p_monopoly > p_nash:
        raise ValueError(f"p_monopoly = {p_monopoly} <= p_nash = {p_nash}; expected p_monopoly > p_nash")
    width = p_monopoly - p_nash
    return np.linspace(p_nash - xi * width, p_monopoly + xi * width, m)


def profit_table(grid, *, a=2.0, c=1.0, a0=0.0, mu=0.25):
    """Profits of two firms on a price grid: ``table[i, j, k]`` is firm i's profit when firm 0
    charges ``grid[j]`` and firm 1 charges ``grid[k]``; shape ``(2, m, m)``.

    Examples
    --------
    >>> profit_table([1.0, 2.0], mu=1.0)[:, 1, 1].round(6).tolist()  # both at 2: 1/3 each
    [0.333333, 0.333333]
    """
    grid = np.asarray(grid, dtype=np.float64)
    if grid.ndim != 1 or grid.size < 2 or not np.all(np.isfinite(grid)):
        raise ValueError(f"grid has shape {grid.shape}; expected a finite vector of at least 2 prices")
    P0, P1 = np.meshgrid(grid, grid, indexing="ij")
    return np.moveaxis(logit_profits(np.stack([P0, P1], axis=-1), a=a, c=c, a0=a0, mu=mu), -1, 0)


def static_best_response(table):
    """The grid best responses of a profit table of shape ``(2, m, m)``: ``br[i, b]`` is the
    index of firm i's most profitable price when the rival charges price index ``b`` (the
    lowest index among ties).

    Examples
    --------
    >>> grid = price_grid(*bertrand_nash_prices()[:1], *monopoly_prices()[:1])
    >>> static_best_response(profit_table(grid))[0, [0, 14]].tolist()  # reply to the lowest, highest price
    [1, 6]
    """
    table = np.asarray(table, dtype=np.float64)
    if table.ndim != 3 or table.shape[0] != 2 or table.shape[1] != table.shape[2]:
        raise ValueError(f"table has shape {table.shape}; expected (2, m, m)")
    return np.stack([table[0].argmax(axis=0), table[1].argmax(axis=1)])


def initial_q(table, delta):
    r"""The paper's initial Q-matrices: every state gets the discounted payoff against a
    uniformly random rival, :math:`Q_{i,0}(s, a) = \frac{1}{m}\sum_b \pi_i(a, b) / (1 - \delta)`.

    Returns an array of shape ``(2, m)`` (the same row for every state).

    Examples
    --------
    >>> initial_q(np.ones((2, 3, 3)), 0.5).tolist()
    [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    """
    delta = _check_delta(delta)
    table = np.asarray(table, dtype=np.float64)
    return np.stack([table[0].mean(axis=1), table[1].mean(axis=0)]) / (1.0 - delta)


# ---------------------------------------------------------------------------
# The compiled learning loop
# ---------------------------------------------------------------------------
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TWO_M53 = 2.0**-53


@njit(inline="always")
def _splitmix(state):
    """SplitMix64 (Steele, Lea & Flood 2014): returns (new state, 64 random bits)."""
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return state, z ^ (z >> np.uint64(31))


@njit(inline="always")
def _uniform(bits):
    return np.float64(bits >> np.uint64(11)) * _TWO_M53


def _session_states(seed, n):
    """The initial SplitMix64 state of sessions 0..n-1: the SplitMix64 output of
    ``h ^ (k * 0x94D049BB133111EB)``, where ``h`` is the SplitMix64 output of ``seed``."""

    def mix(x):  # one SplitMix64 output from state x, on uint64 arrays (wrapping arithmetic)
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        return z ^ (z >> np.uint64(31))

    base = mix(np.array([seed], dtype=np.uint64))
    return mix(base ^ (np.arange(n, dtype=np.uint64) * _MIX2))


@njit(cache=True, nogil=True)
def _learn(rng, pi0, pi1, q0, q1, m, alpha, delta, decay, conv_periods, max_periods, grid, record_every,
           traj, strategy):
    """One session, in place on q0, q1 (S x m) and strategy (2 x S); returns (periods, converged, state).

    ``traj`` (n_records x 2) receives the average prices of consecutive blocks of ``record_every``
    periods when ``record_every > 0``.

    Besides Q, each firm keeps for every state s its greedy price g[s] (the first argmax of
    Q[s]), its value v[s] = Q[s, g[s]] and an upper bound ub[s] on the other entries of the row.
    Updating the greedy entry while it stays above ub[s] (the common case) costs O(1); the row
    is rescanned only when it falls to ub[s] or below. The two firms' updates are written out
    in full, not in a helper function: numba would reference-count the array arguments of
    every call, which costs more than the update itself.
    """
    n_states = m * m
    g0 = np.empty(n_states, dtype=np.int64)
    g1 = np.empty(n_states, dtype=np.int64)
    v0 = np.empty(n_states)
    v1 = np.empty(n_states)
    ub0 = np.full(n_states, -np.inf)
    ub1 = np.full(n_states, -np.inf)
    for s in range(n_states):
        g0[s] = np.argmax(q0[s])
        g1[s] = np.argmax(q1[s])
        v0[s] = q0[s, g0[s]]
        v1[s] = q1[s, g1[s]]
        for b in range(m):
            if b != g0[s]:
                ub0[s] = max(ub0[s], q0[s, b])
            if b != g1[s]:
                ub1[s] = max(ub1[s], q1[s, b])
    rng, bits = _splitmix(rng)
    b0 = np.int64(_uniform(bits) * m)
    rng, bits = _splitmix(rng)
    s = b0 * m + np.int64(_uniform(bits) * m)

    eps = 1.0
    stable = 0
    t = 0
    converged = False
    n_records = traj.shape[0]
    rec, in_block, sum0, sum1 = 0, 0, 0.0, 0.0
    while t < max_periods:
        # epsilon-greedy actions, two uniforms per firm as in the paper's code: the first decides
        # whether to explore, the second picks the random price (drawn always: no branch)
        rng, bits = _splitmix(rng)
        explore0 = _uniform(bits) < eps
        rng, bits = _splitmix(rng)
        x0 = np.int64(_uniform(bits) * m) if explore0 else g0[s]
        rng, bits = _splitmix(rng)
        explore1 = _uniform(bits) < eps
        rng, bits = _splitmix(rng)
        x1 = np.int64(_uniform(bits) * m) if explore1 else g1[s]
        s2 = x0 * m + x1
        # Q-learning updates, both with the values of s2 before either update
        old0, old1 = q0[s, x0], q1[s, x1]
        new0 = old0 + alpha * (pi0[s2] + delta * v0[s2] - old0)
        new1 = old1 + alpha * (pi1[s2] + delta * v1[s2] - old1)
        changed = False

        # firm 0
        q0[s, x0] = new0
        greedy = g0[s]
        if x0 == greedy:
            if new0 > ub0[s]:
                v0[s] = new0
            else:
                best = 0
                for b in range(1, m):
                    if q0[s, b] > q0[s, best]:
                        best = b
                second = -np.inf
                for b in range(m):
                    if b != best and q0[s, b] > second:
                        second = q0[s, b]
                g0[s], v0[s], ub0[s] = best, q0[s, best], second
                changed = best != greedy
        elif new0 > v0[s] or (new0 == v0[s] and x0 < greedy):
            ub0[s] = max(ub0[s], v0[s])
            g0[s], v0[s] = x0, new0
            changed = True
        else:
            ub0[s] = max(ub0[s], new0)

        q1[s, x1] = new1
        greedy = g1[s]
        if x1 == greedy:
            if new1 > ub1[s]:
                v1[s] = new1
            else:
                best = 0
                for b in range(1, m):
                    if q1[s, b] > q1[s, best]:
                        best = b
                second = -np.inf
                for b in range(m):
                    if b != best and q1[s, b] > second:
                        second = q1[s, b]
                g1[s], v1[s], ub1[s] = best, q1[s, best], second
                changed = changed or best != greedy
        elif new1 > v1[s] or (new1 == v1[s] and x1 < greedy):
            ub1[s] = max(ub1[s], v1[s])
            g1[s], v1[s] = x1, new1
            changed = True
        else:
            ub1[s] = max(ub1[s], new1)

        if record_every > 0 and rec < n_records:
            sum0 += grid[x0]
            sum1 += grid[x1]
            in_block += 1
            if in_block == record_every:
                traj[rec, 0] = sum0 / record_every
                traj[rec, 1] = sum1 / record_every
                rec += 1
                in_block, sum0, sum1 = 0, 0.0, 0.0

        s = s2
        eps *= decay
        t += 1
        if changed:
            stable = 0
        else:
            stable += 1
            if stable >= conv_periods:
                converged = True
                break
    for k in range(n_states):
        strategy[0, k] = g0[k]
        strategy[1, k] = g1[k]
    return t, converged, s


def _cores():
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _limit_cycles(strategies, last_state, m):
    """Follow the greedy strategies from each session's last state until a state repeats.

    Returns the cycle lengths and the cycles' states, shape (n, max length), padded with -1.
    Vectorised over sessions: at most m * m + 1 steps."""
    n, n_states = last_state.size, m * m
    seen = np.full((n, n_states), -1, dtype=np.int64)
    path = np.full((n, n_states + 1), -1, dtype=np.int64)
    first = np.zeros(n, dtype=np.int64)
    end = np.zeros(n, dtype=np.int64)
    state = last_state.astype(np.int64).copy()
    live = np.arange(n)
    for t in range(n_states + 1):
        st = state[live]
        before = seen[live, st]
        hit = before >= 0
        first[live[hit]], end[live[hit]] = before[hit], t
        live, st = live[~hit], st[~hit]
        if live.size == 0:
            break
        seen[live, st] = t
        path[live, t] = st
        state[live] = strategies[live, 0, st] * m + strategies[live, 1, st]
    lengths = end - first
    cycles = np.full((n, int(lengths.max())), -1, dtype=np.int64)
    for k in range(n):
        cycles[k, : lengths[k]] = path[k, first[k]: end[k]]
    return lengths, cycles


# ---------------------------------------------------------------------------
# Public simulation API
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SessionResults:
    """What :func:`simulate_sessions` returns: per-session arrays plus the market they refer to.

    Attributes
    ----------
    profit_gain : array of shape (n_sessions,)
        :math:`\\Delta` of each session: the average profit per firm on its limit cycle,
        normalised so that Nash is 0 and monopoly is 1.
    profit_gain_firms : array of shape (n_sessions, 2)
        The same, firm by firm.
    converged : bool array of shape (n_sessions,)
        Whether the greedy strategies stayed unchanged for ``convergence_periods`` periods
        before ``max_periods``.
    periods : int array of shape (n_sessions,)
        Periods simulated (including the final ``convergence_periods`` stable ones).
    cycle_length : int array of shape (n_sessions,)
        Length of the limit cycle: 1 for constant prices, 2 for a 2-cycle, ...
    cycle_states : int array of shape (n_sessions, max cycle length)
        The states (price-index pairs ``i0 * m + i1``) of each cycle, padded with -1.
    strategies : int array of shape (n_sessions, 2, m * m)
        Greedy price index of each firm in each state at the end of learning.
    last_state : int array of shape (n_sessions,)
        The state in the last period.
    trajectories : array of shape (n_sessions, n_records, 2) or None
        Average prices of consecutive blocks of ``record_every`` periods (NaN after the end).
    q : array of shape (n_sessions, 2, m * m, m) or None
        Final Q-matrices, when asked for with ``return_q=True``.
    """

    profit_gain: np.ndarray
    profit_gain_firms: np.ndarray
    converged: np.ndarray
    periods: np.ndarray
    cycle_length: np.ndarray
    cycle_states: np.ndarray
    strategies: np.ndarray
    last_state: np.ndarray
    grid: np.ndarray
    table: np.ndarray
    p_nash: float
    p_monopoly: float
    pi_nash: float
    pi_monopoly: float
    params: dict = field(default_factory=dict)
    trajectories: np.ndarray | None = None
    q: np.ndarray | None = None

    @property
    def n_sessions(self):
        return self.profit_gain.size

    @property
    def m(self):
        return self.grid.size

    @cached_property
    def cycle_prices(self):
        """Prices on each limit cycle, shape ``(n_sessions, max cycle length, 2)``, NaN-padded."""
        states = self.cycle_states
        out = np.full(states.shape + (2,), np.nan)
        mask = states >= 0
        out[mask, 0] = self.grid[states[mask] // self.m]
        out[mask, 1] = self.grid[states[mask] % self.m]
        return out

    @property
    def limit_prices(self):
        """Average price of each firm over its limit cycle, shape ``(n_sessions, 2)``."""
        return np.nanmean(self.cycle_prices, axis=1)


def simulate_sessions(n_sessions, *, seed, alpha=0.15, beta=4e-6, delta=0.95, m=15, xi=0.1, mu=0.25, a=2.0,
                      c=1.0, a0=0.0, convergence_periods=100_000, max_periods=10**9, record_every=0,
                      n_records=200, return_q=False, n_threads=None):
    r"""Run independent Q-learning sessions of the paper's duopoly and summarise each.

    Every session starts from the paper's initial Q-matrices (:func:`initial_q`) and a random
    state, explores with :math:`\varepsilon_t = e^{-\beta t}`, and stops when both firms'
    greedy strategies have been unchanged in every state for ``convergence_periods``
    consecutive periods, or after ``max_periods`` (a session that hits the cap is reported
    with ``converged`` False and the outcome of its strategies at that point). Sessions run
    in parallel on ``n_threads`` threads; session ``k`` depends only on ``(seed, k)``, so a
    run of 10 sessions begins with the same 5 sessions as a run of 5, whatever the threads.

    Parameters
    ----------
    n_sessions : int
        Number of independent sessions.
    seed : int
        Seed of the random streams (0 <= seed < 2**63).
    alpha, beta, delta : float
        Learning rate in (0, 1], exploration decay > 0, discount factor in [0, 1).
    m, xi : int, float
        Number of grid prices (>= 2) and the grid's margin beyond [p^N, p^M].
    mu, a, c, a0 : float
        Logit market parameters (:func:`logit_demand`); symmetric firms.
    convergence_periods, max_periods : int
        The convergence rule: unchanged strategies for this many periods; the cap.
    record_every, n_records : int
        When ``record_every > 0``, store the average prices of the first ``n_records`` blocks
        of ``record_every`` periods in ``trajectories``.
    return_q : bool
        Also return the final Q-matrices (``2 * m**3`` floats per session).
    n_threads : int, optional
        Threads to run sessions on (default: one per available core).

    Returns
    -------
    SessionResults

    Examples
    --------
    >>> res = simulate_sessions(3, seed=1, beta=2e-4)
    >>> res.converged.tolist(), res.cycle_length.tolist()
    ([True, True, True], [1, 1, 2])
    >>> bool(np.all(res.profit_gain == simulate_sessions(3, seed=1, beta=2e-4).profit_gain))
    True
    """
    n_sessions = _positive_int(n_sessions, "n_sessions")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise ValueError(f"seed = {seed!r}; expected an integer in [0, 2**63)")
    alpha, delta = _check_alpha(alpha), _check_delta(delta)
    beta = _real(beta, "beta")
    if beta <= 0:
        raise ValueError(f"beta = {beta}; expected an exploration decay beta > 0")
    m = _positive_int(m, "m (number of prices)", minimum=2)
    for v, name in ((a, "a"), (c, "c")):
        if np.ndim(v) != 0:
            raise ValueError(f"{name} = {v!r}; simulate_sessions models symmetric firms: expected a scalar")
    convergence_periods = _positive_int(convergence_periods, "convergence_periods")
    max_periods = _positive_int(max_periods, "max_periods")
    record_every = _positive_int(record_every, "record_every", minimum=0)
    n_records = _positive_int(n_records, "n_records")
    if n_threads is not None:
        n_threads = _positive_int(n_threads, "n_threads")

    market = {"a": float(a), "c": float(c), "a0": float(a0), "mu": float(mu)}
    p_n = float(bertrand_nash_prices(**market)[0])
    p_m = float(monopoly_prices(**market)[0])
    pi_n = float(logit_profits([p_n, p_n], **market)[0])
    pi_m = float(logit_profits([p_m, p_m], **market)[0])
    grid = price_grid(p_n, p_m, m, xi)
    table = profit_table(grid, **market)
    qinit = initial_q(table, delta)

    n_states = m * m
    periods = np.zeros(n_sessions, dtype=np.int64)
    converged = np.zeros(n_sessions, dtype=np.bool_)
    last_state = np.zeros(n_sessions, dtype=np.int64)
    strategies = np.zeros((n_sessions, 2, n_states), dtype=np.int64)
    traj = np.full((n_sessions, n_records if record_every else 0, 2), np.nan)
    q_out = np.zeros((n_sessions, 2, n_states, m) if return_q else (0, 2, n_states, m))
    states = _session_states(seed, n_sessions)
    pi0, pi1, decay = table[0].ravel(), table[1].ravel(), float(np.exp(-beta))

    def run(k):  # one session; _learn releases the GIL, so sessions run in parallel threads
        q0 = np.empty((n_states, m))
        q1 = np.empty((n_states, m))
        q0[:], q1[:] = qinit[0], qinit[1]
        periods[k], converged[k], last_state[k] = _learn(
            states[k], pi0, pi1, q0, q1, m, alpha, delta, decay, convergence_periods, max_periods, grid,
            record_every, traj[k], strategies[k])
        if return_q:
            q_out[k, 0], q_out[k, 1] = q0, q1

    with ThreadPoolExecutor(max_workers=min(n_threads or _cores(), n_sessions)) as pool:
        list(pool.map(run, range(n_sessions)))  # list() re-raises any exception of a session

    lengths, cycles = _limit_cycles(strategies, last_state, m)
    mask = cycles >= 0
    flat = np.where(mask, cycles, 0)
    profits = np.stack([table[0].ravel()[flat], table[1].ravel()[flat]], axis=-1)  # (n, L, 2)
    mean_profit = (profits * mask[..., None]).sum(axis=1) / lengths[:, None]
    gain_firms = (mean_profit - pi_n) / (pi_m - pi_n)
    params = {"alpha": alpha, "beta": beta, "delta": delta, "m": m, "xi": float(xi), **market, "seed": int(seed),
              "convergence_periods": convergence_periods, "max_periods": max_periods}
    return SessionResults(
        profit_gain=gain_firms.mean(axis=1), profit_gain_firms=gain_firms, converged=converged, periods=periods,
        cycle_length=lengths, cycle_states=cycles, strategies=strategies, last_state=last_state, grid=grid,
        table=table, p_nash=p_n, p_monopoly=p_m, pi_nash=pi_n, pi_monopoly=pi_m, params=params,
        trajectories=traj if record_every else None, q=q_out if return_q else None,
    )


# ---------------------------------------------------------------------------
# Impulse response to a one-period deviation
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ImpulseResponse:
    """What :func:`impulse_response` returns, for each session.

    Attributes
    ----------
    prices : array of shape (n_sessions, horizon + 1, 2)
        Prices of the deviating firm (``[..., 0]``) and its rival (``[..., 1]``) at
        :math:`\\tau = 0` (the pre-deviation cycle state), :math:`\\tau = 1` (the deviation) and
        after, averaged over which firm deviates and over the states of the cycle.
    pre_prices : array of shape (n_sessions, 2)
        Average prices of the deviator and the rival on the pre-deviation cycle.
    profits : array of shape (n_sessions, horizon + 1, 2)
        The corresponding profits.
    returned : array of shape (n_sessions,)
        Share of deviations (over firms and cycle states) after which play returns to the
        pre-deviation cycle within the horizon.
    return_time : array of shape (n_sessions,)
        Average number of periods after the deviation until play is back on the cycle
        (among deviations that return).
    """

    prices: np.ndarray
    pre_prices: np.ndarray
    profits: np.ndarray
    returned: np.ndarray
    return_time: np.ndarray


def impulse_response(results, *, horizon=20, sessions=None):
    r"""Prices after a one-period deviation to the static best response, as in the paper's Figure 4.

    Start in a state :math:`s` of a session's limit cycle. At :math:`\tau = 1` the rival plays
    its learned price :math:`g_r(s)` while the deviator plays the grid price that maximises its
    *one-period* profit against it, :math:`\arg\max_a \pi_d(a, g_r(s))`. From
    :math:`\tau = 2` on both follow their learned greedy strategies again. Collusion enforced
    by punishment shows up as a price war (the rival cuts its price at :math:`\tau = 2`)
    followed by a return to the pre-deviation prices. Each session's response is
    averaged over the deviating firm and over the states of its cycle.

    Parameters
    ----------
    results : SessionResults
    horizon : int
        Periods after the deviation to follow.
    sessions : array of int or bool, optional
        Which sessions to analyse (default: all).

    Examples
    --------
    >>> res = simulate_sessions(2, seed=0, beta=2e-4)
    >>> ir = impulse_response(res, horizon=5)
    >>> ir.prices.shape  # (sessions, tau = 0..5, deviator / rival)
    (2, 6, 2)
    >>> bool(np.all(ir.prices[:, 1, 0] < ir.pre_prices[:, 0]))  # the deviation undercuts
    True
    """
    if not isinstance(results, SessionResults):
        raise ValueError(f"results is a {type(results).__name__}; expected the SessionResults of simulate_sessions")
    horizon = _positive_int(horizon, "horizon")
    idx = np.arange(results.n_sessions) if sessions is None else np.arange(results.n_sessions)[sessions]
    if idx.size == 0:
        raise ValueError("sessions selects no session; expected at least one")
    m, grid, table = results.m, results.grid, results.table
    br = static_best_response(table)
    strat = results.strategies[idx]
    cycles = results.cycle_states[idx]

    # One row per (session, deviating firm, cycle position).
    rows_k, rows_d, rows_s = [], [], []
    for d in (0, 1):
        k, j = np.nonzero(cycles >= 0)
        rows_k.append(k)
        rows_d.append(np.full(k.size, d))
        rows_s.append(cycles[k, j])
    k, d, s = (np.concatenate(x) for x in (rows_k, rows_d, rows_s))
    r = 1 - d
    in_cycle = np.zeros((idx.size, m * m), dtype=bool)
    in_cycle[np.nonzero(cycles >= 0)[0], cycles[cycles >= 0]] = True

    def split(state):
        own = np.where(d == 0, state // m, state % m)
        rival = np.where(d == 0, state % m, state // m)
        return own, rival

    def profit(own, rival):
        p0 = np.where(d == 0, own, rival)
        p1 = np.where(d == 0, rival, own)
        pi = table[:, p0, p1]  # (2, rows)
        return np.stack([np.where(d == 0, pi[0], pi[1]), np.where(d == 0, pi[1], pi[0])], axis=-1)

    prices = np.empty((k.size, horizon + 1, 2))
    profits = np.empty((k.size, horizon + 1, 2))
    own, rival = split(s)
    prices[:, 0] = np.stack([grid[own], grid[rival]], axis=-1)
    profits[:, 0] = profit(own, rival)
    # tau = 1: the rival follows its strategy, the deviator best-responds to that price
    rival = strat[k, r, s]
    own = br[d, rival]
    back = np.full(k.size, -1)
    for tau in range(1, horizon + 1):
        prices[:, tau] = np.stack([grid[own], grid[rival]], axis=-1)
        profits[:, tau] = profit(own, rival)
        state = np.where(d == 0, own * m + rival, rival * m + own)
        newly = (back < 0) & in_cycle[k, state]
        back[newly] = tau
        own, rival = strat[k, d, state], strat[k, r, state]  # from tau + 1 on, both follow their strategies

    counts = np.bincount(k, minlength=idx.size).astype(float)

    def per_session(x):
        flat = x.reshape(x.shape[0], -1)
        out = np.stack([np.bincount(k, weights=flat[:, j], minlength=idx.size) for j in range(flat.shape[1])], axis=-1)
        return (out / counts[:, None]).reshape((idx.size,) + x.shape[1:])

    ok = back >= 0
    n_back = np.bincount(k, weights=ok.astype(float), minlength=idx.size)
    time_back = np.bincount(k, weights=np.where(ok, back, 0).astype(float), minlength=idx.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return_time = np.where(n_back > 0, time_back / n_back, np.nan)
    return ImpulseResponse(prices=per_session(prices), pre_prices=per_session(prices[:, 0]),
                           profits=per_session(profits), returned=n_back / counts, return_time=return_time)
