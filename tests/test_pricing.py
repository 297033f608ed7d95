"""Tests of gtml_utils.pricing: the logit market, the Q-learning sessions, the impulse response.

The learning loop keeps greedy prices incrementally; a plain-Python transcription of the
textbook loop (argmax of a Q row whenever it is needed) must reproduce it exactly.
"""

import numpy as np
import pytest

from gtml_utils import pricing as P

MASK = (1 << 64) - 1


# -- the market --------------------------------------------------------------------------
def test_demand_and_profits_against_hand_values():
    # a = 2, mu = 1, a0 = 0, p = (1, 1): q_i = e / (2e + 1)
    q = P.logit_demand([1.0, 1.0], mu=1.0)
    assert np.allclose(q, np.e / (2 * np.e + 1), rtol=1e-14)
    # asymmetric prices, baseline mu = 1/4: exponents 4 (2 - 1) = 4 and 4 (2 - 1.5) = 2
    q = P.logit_demand([1.0, 1.5])
    den = np.exp(4) + np.exp(2) + 1
    assert np.allclose(q, [np.exp(4) / den, np.exp(2) / den], rtol=1e-14)
    assert np.allclose(P.logit_profits([1.0, 1.5]), [0.0, 0.5 * np.exp(2) / den], rtol=1e-14)
    # batches, per-firm parameters, the outside good
    batch = P.logit_profits(np.array([[2.0, 2.0], [1.0, 1.5]]), c=[1.0, 0.5], a0=1.0, mu=1.0)
    e = np.exp(0.0)
    assert np.allclose(batch[0], [1.0 * e / (2 * e + np.e), 1.5 * e / (2 * e + np.e)], rtol=1e-14)
    # stable for extreme prices: shares stay in [0, 1] and finite
    q = P.logit_demand([-50.0, 60.0], mu=0.01)
    assert np.all(np.isfinite(q)) and np.isclose(q[0], 1.0) and q[1] == 0.0


def test_nash_and_monopoly_prices_to_five_decimals():
    p_n, p_m = P.bertrand_nash_prices(), P.monopoly_prices()
    assert np.allclose(p_n, 1.47293, atol=5e-6) and np.allclose(p_m, 1.92498, atol=5e-6)
    # the first-order conditions: p = c + mu / (1 - q) at Nash; mark-up = mu / (1 - sum q) at monopoly
    assert np.allclose(p_n, 1 + 0.25 / (1 - P.logit_demand(p_n)), atol=1e-12)
    assert np.allclose(p_m, 1 + 0.25 / (1 - P.logit_demand(p_m).sum()), atol=1e-12)
    # certificates: no unilateral deviation on a fine grid beats Nash; no symmetric price beats monopoly
    xs = np.linspace(1.0, 3.0, 200_001)
    dev = P.logit_profits(np.stack([xs, np.full_like(xs, p_n[1])], axis=-1))[:, 0]
    assert dev.max() <= P.logit_profits(p_n)[0] + 1e-12
    joint = P.logit_profits(np.stack([xs, xs], axis=-1)).sum(axis=-1)
    assert joint.max() <= P.logit_profits(p_m).sum() + 1e-12
    # asymmetric firms: the solver handles one value per firm
    p = P.bertrand_nash_prices(a=[2.0, 2.5], c=[1.0, 1.2])
    assert np.allclose(p, [1.0, 1.2] + 0.25 / (1 - P.logit_demand(p, a=[2.0, 2.5])), atol=1e-12)


def test_grid_tables_and_static_best_response():
    p_n, p_m = P.bertrand_nash_prices()[0], P.monopoly_prices()[0]
    grid = P.price_grid(p_n, p_m)
    assert grid.size == 15 and np.isclose(grid[0], p_n - 0.1 * (p_m - p_n))
    assert np.isclose(grid[-1], p_m + 0.1 * (p_m - p_n))
    table = P.profit_table(grid)
    assert table.shape == (2, 15, 15) and np.allclose(table[0], table[1].T)  # symmetric firms
    j, k = 3, 11
    assert np.allclose(table[:, j, k], P.logit_profits([grid[j], grid[k]]))
    br = P.static_best_response(table)
    assert np.array_equal(br[0], br[1])
    for b in range(15):
        assert table[0, br[0, b], b] == table[0, :, b].max()
    # the best response to the monopoly price undercuts it, and the one to the lowest price is above it
    assert grid[br[0, -1]] < p_m and grid[br[0, 0]] > grid[0]
    q0 = P.initial_q(table, 0.95)
    assert np.allclose(q0[0], table[0].mean(axis=1) / 0.05) and np.allclose(q0, q0[::-1])


# -- the learning loop -------------------------------------------------------------------
def splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def reference_session(rng, table, m, alpha, delta, beta, conv_periods, max_periods):
    """The textbook loop in plain Python, with the module's random-number convention."""
    rng = int(rng)
    pi = table.reshape(2, m * m)
    Q = np.repeat(P.initial_q(table, delta)[:, None, :], m * m, axis=1)
    strategy = Q.argmax(axis=2)

    def uniform():
        nonlocal rng
        rng, bits = splitmix(rng)
        return (bits >> 11) * 2.0**-53

    s = int(uniform() * m) * m + int(uniform() * m)
    eps, decay, stable, t = 1.0, float(np.exp(-beta)), 0, 0
    while t < max_periods:
        x = []
        for i in range(2):
            explore, price = uniform(), uniform()
            x.append(int(price * m) if explore < eps else int(np.argmax(Q[i, s])))
        s2 = x[0] * m + x[1]
        for i in range(2):
            old = Q[i, s, x[i]]
            Q[i, s, x[i]] = old + alpha * (pi[i, s2] + delta * Q[i, s2].max() - old)
        greedy = Q[:, s].argmax(axis=1)
        same = bool(np.all(greedy == strategy[:, s]))
        strategy[:, s] = greedy
        s, eps, t = s2, eps * decay, t + 1
        stable = stable + 1 if same else 0
        if stable >= conv_periods:
            return t, True, s, strategy, Q
    return t, False, s, strategy, Q


def test_q_update_on_a_hand_example():
    # One period: exploration is certain (eps_0 = 1), so each firm updates one entry of Q.
    res = P.simulate_sessions(1, seed=42, m=15, max_periods=1, return_q=True)
    table, m, delta, alpha = res.table, res.m, 0.95, 0.15
    q0 = P.initial_q(table, delta)
    s2 = int(res.last_state[0])
    x = (s2 // m, s2 % m)
    for i in range(2):
        changed = np.argwhere(res.q[0, i] != q0[i])
        assert changed.shape == (1, 2), "exactly one entry of each Q is updated"
        s, a = changed[0]
        assert a == x[i]
        # Q(s, a) <- Q0 + alpha (pi_i(s') + delta max_b Q0(s', b) - Q0), every row of Q0 being q0[i]
        expected = q0[i, a] + alpha * (table[i].ravel()[s2] + delta * q0[i].max() - q0[i, a])
        assert res.q[0, i, s, a] == pytest.approx(expected, rel=1e-15)
    assert res.periods[0] == 1 and not res.converged[0]


@pytest.mark.parametrize("kwargs", [dict(m=5, beta=2e-3, delta=0.9), dict(m=15, beta=1e-3, delta=0.95, alpha=0.3)])
def test_learning_loop_matches_the_textbook_loop_exactly(kwargs):
    conv, cap = 300, 6000
    res = P.simulate_sessions(3, seed=7, convergence_periods=conv, max_periods=cap, return_q=True, **kwargs)
    states = P._session_states(7, 3)
    for k in range(3):
        t, converged, s, strategy, Q = reference_session(states[k], res.table, res.m, res.params["alpha"],
                                                         kwargs["delta"], kwargs["beta"], conv, cap)
        assert (t, converged, s) == (res.periods[k], res.converged[k], res.last_state[k])
        assert np.array_equal(strategy, res.strategies[k]) and np.array_equal(Q, res.q[k])


def test_reproducible_and_independent_of_threads_and_session_count():
    a = P.simulate_sessions(6, seed=3, beta=1e-4)
    b = P.simulate_sessions(6, seed=3, beta=1e-4, n_threads=1)
    c = P.simulate_sessions(3, seed=3, beta=1e-4)
    d = P.simulate_sessions(3, seed=4, beta=1e-4)
    for name in ("profit_gain", "periods", "converged", "strategies", "last_state", "cycle_length"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
        assert np.array_equal(getattr(a, name)[:3], getattr(c, name))
    assert not np.array_equal(c.strategies, d.strategies)


def test_limit_cycles_and_profit_gain_are_consistent():
    res = P.simulate_sessions(8, seed=5, beta=1e-4, record_every=1000, n_records=50)
    m = res.m
    for k in range(res.n_sessions):
        L = res.cycle_length[k]
        cycle = res.cycle_states[k, :L]
        assert np.all(res.cycle_states[k, L:] == -1) and len(set(cycle.tolist())) == L
        for j in range(L):  # the greedy strategies map each cycle state to the next one
            s = cycle[j]
            nxt = res.strategies[k, 0, s] * m + res.strategies[k, 1, s]
            assert nxt == cycle[(j + 1) % L]
        prices = res.cycle_prices[k, :L]
        profit = P.logit_profits(prices).mean(axis=0)
        gain = (profit - res.pi_nash) / (res.pi_monopoly - res.pi_nash)
        assert np.allclose(gain, res.profit_gain_firms[k]) and np.isclose(gain.mean(), res.profit_gain[k])
    assert np.isclose(res.pi_nash, P.logit_profits(P.bertrand_nash_prices())[0])
    assert res.trajectories.shape == (8, 50, 2)
    assert np.all((res.trajectories >= res.grid[0]) & (res.trajectories <= res.grid[-1]))


def test_patient_learners_collude_myopic_ones_do_not_as_much():
    # A faster exploration decay than the paper's, to keep the test short.
    patient = P.simulate_sessions(8, seed=11, beta=2e-5, delta=0.95)
    myopic = P.simulate_sessions(8, seed=11, beta=2e-5, delta=0.0)
    assert patient.converged.all() and myopic.converged.all()
    assert patient.profit_gain.mean() > 0.6 and patient.profit_gain.mean() - myopic.profit_gain.mean() > 0.3


def test_impulse_response():
    res = P.simulate_sessions(6, seed=2, beta=1e-4)
    ir = P.impulse_response(res, horizon=15)
    assert ir.prices.shape == (6, 16, 2) and ir.profits.shape == (6, 16, 2)
    assert np.allclose(ir.prices[:, 0], ir.pre_prices)
    assert np.all((ir.returned >= 0) & (ir.returned <= 1))
    # a single session by hand: a constant outcome
    one = P.simulate_sessions(20, seed=2, beta=1e-4)
    k = int(np.argmax(one.cycle_length == 1))
    ir1 = P.impulse_response(one, horizon=4, sessions=[k])
    s = one.cycle_states[k, 0]
    br, grid = P.static_best_response(one.table), one.grid
    own, rival = one.strategies[k, 0, s], one.strategies[k, 1, s]
    # tau = 1, averaged over which firm deviates: the deviator best-responds, the rival follows its strategy
    assert ir1.prices[0, 1, 0] == pytest.approx(0.5 * (grid[br[0, rival]] + grid[br[1, own]]))
    assert ir1.prices[0, 1, 1] == pytest.approx(0.5 * (grid[rival] + grid[own]))
    # the deviation pays for one period: firm 0's best reply earns at least what its strategy would
    assert one.table[0, br[0, rival], rival] >= one.table[0, own, rival]
    with pytest.raises(ValueError, match="SessionResults"):
        P.impulse_response("not results")
    with pytest.raises(ValueError, match="horizon"):
        P.impulse_response(res, horizon=0)


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    (dict(alpha=0.0), "alpha"), (dict(alpha=1.5), "alpha"), (dict(alpha=float("nan")), "alpha"),
    (dict(delta=1.0), "delta"), (dict(delta=-0.1), "delta"),
    (dict(m=1), "m "), (dict(m=2.5), "m "),
    (dict(mu=0.0), "mu"), (dict(mu=-1.0), "mu"),
    (dict(beta=0.0), "beta"), (dict(beta=-1e-6), "beta"),
    (dict(xi=-0.1), "xi"), (dict(a=[2.0, 2.0]), "symmetric"),
    (dict(convergence_periods=0), "convergence_periods"), (dict(max_periods=0), "max_periods"),
    (dict(n_threads=0), "n_threads"), (dict(record_every=-1), "record_every"),
])
def test_bad_parameters_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        P.simulate_sessions(2, seed=0, **kwargs)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="n_sessions"):
        P.simulate_sessions(0, seed=0)
    for seed in (-1, 1.5, True, 2**63):
        with pytest.raises(ValueError, match="seed"):
            P.simulate_sessions(1, seed=seed)
    with pytest.raises(ValueError, match="mu"):
        P.logit_demand([1.0, 1.0], mu=0.0)
    with pytest.raises(ValueError, match="mu"):
        P.bertrand_nash_prices(mu=-0.25)
    with pytest.raises(ValueError, match="NaN"):
        P.logit_profits([1.0, np.nan])
    with pytest.raises(ValueError, match="shape"):
        P.logit_demand([1.0, 1.0], a=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="m "):
        P.price_grid(1.0, 2.0, m=1)
    with pytest.raises(ValueError, match="p_monopoly"):
        P.price_grid(2.0, 1.0)
    with pytest.raises(ValueError, match="delta"):
        P.initial_q(np.ones((2, 3, 3)), 1.0)
    with pytest.raises(ValueError, match=r"\(2, m, m\)"):
        P.static_best_response(np.ones((3, 3)))
