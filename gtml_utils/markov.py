r"""Two-player zero-sum stochastic (Markov) games: Shapley's value iteration and best responses.

A stochastic game (Shapley 1953) has finitely many states :math:`s`; in each state the
row player picks :math:`a`, the column player picks :math:`b` simultaneously, the row player
receives :math:`r(s, a, b)` (the column player pays it; **row maximises**), and the next state
is drawn from :math:`P(\cdot \mid s, a, b)`. Payoffs are discounted sums
:math:`\sum_t \gamma^t r(s_t, a_t, b_t)` with :math:`0 \le \gamma < 1`.

Arrays: ``rewards`` has shape ``(S, A, B)``, ``transitions`` shape ``(S, A, B, S)`` with rows
summing to 1; stationary policies are arrays ``(S, A)`` and ``(S, B)`` of distributions.

- :func:`shapley_operator` and :func:`shapley_value_iteration` -- the value of the game and
  stationary minimax policies, one matrix game per state per sweep;
- :func:`policy_values` and :func:`best_response_values` -- evaluate a policy pair, and the
  best a player can do against a fixed stationary opponent (an MDP);
- :func:`big_match`, :func:`tag_game` and :func:`soccer` (Littman 1994) -- zero-sum examples;
- :func:`minimax_q` and :func:`independent_q` -- model-free learners in self-play (JAX,
  ``lax.scan``), to be evaluated by :func:`best_response_values`;
- :func:`independent_policy_gradient` and :func:`general_sum_nash_conv` -- general-sum games
  (``rewards`` of shape ``(2, S, A, B)``), with :func:`team_markov_game` (a Markov potential
  game) and :func:`markov_pennies` (where independent learning does not settle).

>>> rewards, transitions = big_match()
>>> run = shapley_value_iteration(rewards, transitions, discount=0.8)
>>> round(float((1 - 0.8) * run.values[0]), 9)
0.5
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from gtml_utils._checks import finite_array
from gtml_utils.normal_form import solve_zero_sum

__all__ = [
    "check_game",
    "shapley_operator",
    "ShapleyRun",
    "shapley_value_iteration",
    "policy_values",
    "best_response_values",
    "big_match",
    "tag_game",
    "soccer",
    "QRun",
    "minimax_q",
    "independent_q",
    "general_sum_nash_conv",
    "PGRun",
    "independent_policy_gradient",
    "team_markov_game",
    "markov_pennies",
]


# ---------------------------------------------------------------- validation
def check_game(rewards, transitions, discount):
    """Validate a stochastic game; return ``(rewards, transitions, discount)`` as float arrays.

    Raises ``ValueError`` for wrong shapes, non-finite numbers, transition rows that are not
    probability distributions, or a discount outside ``[0, 1)``.
    """
    rewards = finite_array(rewards, "rewards")
    transitions = finite_array(transitions, "transitions")
    if rewards.ndim != 3:
        raise ValueError(f"rewards has shape {rewards.shape}; expected (S, A, B)")
    S, A, B = rewards.shape
    if transitions.shape != (S, A, B, S):
        raise ValueError(f"transitions has shape {transitions.shape}; expected (S, A, B, S) = {(S, A, B, S)}")
    if np.any(transitions < 0):
        raise ValueError("transitions has negative entries; expected probabilities")
    sums = transitions.sum(axis=-1)
    if not np.allclose(sums, 1.0, atol=1e-9):
        bad = np.unravel_index(np.argmax(np.abs(sums - 1)), sums.shape)
        raise ValueError(f"transition row {tuple(int(i) for i in bad)} sums to {sums[bad]}; expected 1")
    if isinstance(discount, bool) or not np.isscalar(discount) or not 0 <= float(discount) < 1:
        raise ValueError(f"discount must be a number in [0, 1); got {discount!r}")
    return rewards, transitions, float(discount)


def _policy(policy, S, n, name):
    p = finite_array(policy, name)
    if p.shape != (S, n) or np.any(p < -1e-12) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-8):
        raise ValueError(f"{name} must be an array of shape {(S, n)} whose rows are probability distributions")
    return np.clip(p, 0, None)


# ---------------------------------------------------------------- Shapley
def _solve_matrix_game(M):
    """Minimax strategies and value of one matrix game (row maximises); a pure saddle point
    is detected directly, anything else goes to the LP :func:`~gtml_utils.normal_form.solve_zero_sum`."""
    row_min, col_max = M.min(axis=1), M.max(axis=0)
    lower, upper = row_min.max(), col_max.min()
    if upper - lower <= 1e-13 * max(1.0, abs(upper)):
        x = np.zeros(M.shape[0])
        y = np.zeros(M.shape[1])
        x[np.argmax(row_min)] = 1.0
        y[np.argmin(col_max)] = 1.0
        return x, y, float(lower)
    return solve_zero_sum(M)


def _stage_games(rewards, transitions, discount, values):
    return rewards + discount * transitions @ values  # Q[s, a, b] = r + gamma * sum_s' P(s'|s,a,b) V(s')


def shapley_operator(rewards, transitions, discount, values):
    r"""One application of Shapley's operator and the minimax policies that attain it.

    .. math::
        (TV)(s) = \operatorname{val}\Bigl[\, r(s, a, b)
                  + \gamma \sum_{s'} P(s' \mid s, a, b)\, V(s') \Bigr]_{a, b}

    where :math:`\operatorname{val}` is the value of the matrix game (row maximises). Since
    :math:`|\operatorname{val} M - \operatorname{val} M'| \le \max_{a,b} |M_{ab} - M'_{ab}|`, the operator
    is a :math:`\gamma`-contraction in the sup norm (Shapley 1953).

    Returns ``(new_values (S,), x (S, A), y (S, B))``.

    >>> rewards, transitions = big_match()
    >>> new, x, y = shapley_operator(rewards, transitions, 0.5, [1.0, 2.0, 0.0])
    >>> new.round(6).tolist()
    [1.0, 2.0, 0.0]
    """
    rewards, transitions, discount = check_game(rewards, transitions, discount)
    values = finite_array(values, "values")
    if values.shape != (rewards.shape[0],):
        raise ValueError(f"values has shape {values.shape}; expected ({rewards.shape[0]},)")
    Q = _stage_games(rewards, transitions, discount, values)
    S, A, B = rewards.shape
    new, xs, ys = np.zeros(S), np.zeros((S, A)), np.zeros((S, B))
    for s in range(S):
        xs[s], ys[s], new[s] = _solve_matrix_game(Q[s])
    return new, xs, ys


class ShapleyRun(NamedTuple):
    """The result of :func:`shapley_value_iteration`."""

    values: np.ndarray  #: the game's value in every state, shape (S,)
    row_policy: np.ndarray  #: stationary minimax policy of the row player (maximiser), (S, A)
    col_policy: np.ndarray  #: stationary minimax policy of the column player (minimiser), (S, B)
    residuals: np.ndarray  #: sup-norm change of the values at every sweep
    stage_gaps: np.ndarray  #: duality gap of each state's matrix game at the returned policies


def shapley_value_iteration(rewards, transitions, discount, tol=1e-10, max_sweeps=100_000):
    r"""Shapley's value iteration :math:`V_{k+1} = T V_k` from :math:`V_0 = 0`, to a fixed point.

    The contraction gives :math:`\|V_k - V^\star\|_\infty \le \gamma^k \|V^\star\|_\infty`; the sweeps
    stop when :math:`\|V_{k+1} - V_k\|_\infty \le \text{tol}\,(1 - \gamma)/\gamma`, which ensures
    :math:`\|V_{k+1} - V^\star\|_\infty \le \text{tol}`. The policies that solve the final stage games
    are stationary minimax (Nash) policies of the stochastic game (Shapley 1953).

    Each state's matrix game is solved by linear programming
    (:func:`gtml_utils.normal_form.solve_zero_sum`, HiGHS) unless it has a pure saddle point.

    Returns
    -------
    ShapleyRun
        ``values``, ``row_policy``, ``col_policy``, ``residuals`` (one per sweep) and
        ``stage_gaps`` (the duality gap of every state's matrix game, a certificate).

    >>> rewards, transitions = big_match()
    >>> run = shapley_value_iteration(rewards, transitions, discount=0.5)
    >>> run.row_policy[0].round(6).tolist(), bool(run.stage_gaps.max() < 1e-9)
    ([0.666667, 0.333333], True)
    """
    rewards, transitions, discount = check_game(rewards, transitions, discount)
    if not (np.isscalar(tol) and tol > 0):
        raise ValueError(f"tol must be a positive number; got {tol!r}")
    S = rewards.shape[0]
    V = np.zeros(S)
    threshold = tol * (1 - discount) / max(discount, 1e-300)
    residuals = []
    for _ in range(max_sweeps):
        new, x, y = shapley_operator(rewards, transitions, discount, V)
        residuals.append(float(np.abs(new - V).max()))
        V = new
        if residuals[-1] <= threshold:
            break
    else:
        raise RuntimeError(f"no convergence in {max_sweeps} sweeps (last change {residuals[-1]:.2e})")
    Q = _stage_games(rewards, transitions, discount, V)
    gaps = np.einsum("sab,sb->sa", Q, y).max(axis=1) - np.einsum("sa,sab->sb", x, Q).min(axis=1)
    return ShapleyRun(V, x, y, np.array(residuals), gaps)


# ---------------------------------------------------------------- evaluation
def policy_values(rewards, transitions, discount, row_policy, col_policy):
    r"""The row player's discounted value :math:`V^{x, y} = (I - \gamma P_{xy})^{-1} r_{xy}` of a pair of
    stationary policies (one linear solve)."""
    rewards, transitions, discount = check_game(rewards, transitions, discount)
    S, A, B = rewards.shape
    x = _policy(row_policy, S, A, "row_policy")
    y = _policy(col_policy, S, B, "col_policy")
    r = np.einsum("sa,sab,sb->s", x, rewards, y)
    P = np.einsum("sa,sabt,sb->st", x, transitions, y)
    return np.linalg.solve(np.eye(S) - discount * P, r)


def best_response_values(rewards, transitions, discount, policy, player, tol=1e-12):
    r"""What a best response to a fixed stationary policy earns, in every state.

    Fixing one player's policy leaves a Markov decision process for the other. For
    ``player="row"`` against the column policy ``policy`` (shape ``(S, B)``) this returns the row
    player's optimal values :math:`\max_{\text{row}} V`; for ``player="col"`` against a row policy
    (shape ``(S, A)``) it returns the column player's optimal values *as row-player payoffs*,
    :math:`\min_{\text{col}} V`. Policy iteration: exact, a few linear solves.

    The exploitability of a policy is the distance between this and the game's value:
    for a row policy :math:`x`, :math:`V^\star(s) - \min_{\text{col}} V^{x,\cdot}(s) \ge 0`.

    >>> rewards, transitions = big_match()
    >>> uniform = np.full((3, 2), 0.5)
    >>> (0.5 * best_response_values(rewards, transitions, 0.5, uniform, "col")).round(6).tolist()[:2]
    [0.333333, 1.0]
    """
    rewards, transitions, discount = check_game(rewards, transitions, discount)
    S, A, B = rewards.shape
    if player == "row":
        pol = _policy(policy, S, B, "policy")
        r = np.einsum("sab,sb->sa", rewards, pol)
        P = np.einsum("sabt,sb->sat", transitions, pol)
        sign = 1.0
    elif player == "col":
        pol = _policy(policy, S, A, "policy")
        r = -np.einsum("sab,sa->sb", rewards, pol)
        P = np.einsum("sabt,sa->sbt", transitions, pol)
        sign = -1.0
    else:
        raise ValueError(f"player must be 'row' or 'col'; got {player!r}")
    return sign * _solve_mdp(r, P, discount, tol)


def _solve_mdp(r, P, discount, tol=1e-12):
    """Optimal values of the MDP max E sum gamma^t r(s_t, a_t), r (S, A), P (S, A, S), by
    policy iteration (exact in finitely many steps)."""
    S = r.shape[0]
    act = np.zeros(S, dtype=int)
    for _ in range(1000):
        V = np.linalg.solve(np.eye(S) - discount * P[np.arange(S), act], r[np.arange(S), act])
        Qv = r + discount * P @ V
        best = Qv.argmax(axis=1)
        improve = Qv[np.arange(S), best] > Qv[np.arange(S), act] + tol * max(1.0, np.abs(V).max())
        if not improve.any():
            return V
        act = np.where(improve, best, act)
    raise RuntimeError("policy iteration did not terminate")  # pragma: no cover


# ---------------------------------------------------------------- games
def big_match():
    r"""The Big Match (Gillette 1957; Blackwell and Ferguson 1968) as a discounted stochastic game.

    State 0 is the match; states 1 and 2 are absorbing with stage payoff 1 and 0. In state
    0 the row player picks *stay* (action 0) or *quit* (action 1), the column player picks
    L or R. Quitting ends the match forever at the payoff of that stage: 1 against L, 0
    against R. Staying pays 1 against R and 0 against L and the match goes on. For every
    discount factor the normalised value :math:`(1 - \gamma) V(0)` is :math:`1/2`.

    Returns ``(rewards (3, 2, 2), transitions (3, 2, 2, 3))``.
    """
    rewards = np.zeros((3, 2, 2))
    transitions = np.zeros((3, 2, 2, 3))
    rewards[0] = [[0.0, 1.0], [1.0, 0.0]]
    transitions[0, 0, :, 0] = 1.0  # stay: the match continues
    transitions[0, 1, 0, 1] = 1.0  # quit against L: payoff 1 forever
    transitions[0, 1, 1, 2] = 1.0  # quit against R: payoff 0 forever
    rewards[1] = 1.0
    transitions[1, :, :, 1] = 1.0
    transitions[2, :, :, 2] = 1.0
    return rewards, transitions


MOVES = np.array([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]])  #: stay, north, south, west, east
MOVE_NAMES = ("stay", "N", "S", "W", "E")


def tag_game(rows=3, cols=4, walls=(), reach=1):
    r"""Tag on a grid: an evader (row player) and a pursuer (column player) move simultaneously.

    Each picks stay, N, S, W or E (moves into a wall or off the grid leave it in place). The
    evader is caught when after the moves the two are at Manhattan distance at most ``reach``,
    or swapped cells; then the game moves to an absorbing state with payoff 0. (With
    ``reach=0`` an evader on an open grid can always run; ``reach=1`` makes the pursuer's
    arm one cell long, and corners become traps.) Every step without capture pays the evader 1, so
    :math:`(1 - \gamma) V(s)` lies in :math:`[0, 1]` and :math:`V` is the discounted time to capture.

    States: ``s = evader_cell * n + pursuer_cell`` for the ``n = rows * cols`` cells (cells
    numbered row-major), plus the absorbing state ``n * n``. Returns
    ``(rewards, transitions, cells)`` with ``cells`` the (row, col) of each cell number.
    """
    if rows < 1 or cols < 1:
        raise ValueError(f"rows and cols must be positive; got {rows}, {cols}")
    n = rows * cols
    cells = np.array([(r, c) for r in range(rows) for c in range(cols)])
    blocked = {tuple(w) for w in walls}

    def step(cell, move):
        r, c = cells[cell] + MOVES[move]
        if 0 <= r < rows and 0 <= c < cols and (r, c) not in blocked:
            return r * cols + c
        return cell

    S = n * n + 1
    rewards = np.zeros((S, 5, 5))
    transitions = np.zeros((S, 5, 5, S))
    transitions[n * n, :, :, n * n] = 1.0
    for e in range(n):
        for p in range(n):
            s = e * n + p
            if np.abs(cells[e] - cells[p]).sum() <= reach or tuple(cells[e]) in blocked or tuple(cells[p]) in blocked:
                transitions[s, :, :, n * n] = 1.0  # caught (or unused): absorbing
                continue
            rewards[s] = 1.0
            for a in range(5):
                for b in range(5):
                    e2, p2 = step(e, a), step(p, b)
                    caught = np.abs(cells[e2] - cells[p2]).sum() <= reach or (e2 == p and p2 == e)
                    transitions[s, a, b, n * n if caught else e2 * n + p2] = 1.0
    return rewards, transitions, cells


SOCCER_ROWS, SOCCER_COLS = 4, 5


def soccer():
    r"""Littman's (1994) soccer as a two-player zero-sum stochastic game (our reading of the rules).

    A :math:`4 \times 5` grid; players A (row player, maximiser) and B (column player) each pick
    stay, N, S, W or E. The two moves are executed in a random order (each first with
    probability 1/2); a move into the other player's cell does not happen and the ball goes to
    the player who stood still there. The player with the ball scores by moving out of the
    grid through the opponent's goal: A scores on the left edge, B on the right edge, in the
    two middle rows; every other move off the grid leaves the player in place. A goal pays
    +1 (A scores) or -1 (B scores) and play restarts from the initial positions, A at
    (1, 3) and B at (2, 1) (row, column), with possession drawn uniformly.

    States: ``(cell_A * 20 + cell_B) * 2 + ball`` for distinct cells (``ball`` 0 = A has it,
    1 = B), 760 in all after dropping the unused equal-cell entries. Returns
    ``(rewards (760, 5, 5), transitions (760, 5, 5, 760), states, initial)``, where ``states[k]``
    is ``(cell_A, cell_B, ball)`` and ``initial`` the restart distribution over states.
    """
    R, C = SOCCER_ROWS, SOCCER_COLS
    n = R * C
    states = [(a, b, ball) for a in range(n) for b in range(n) if a != b for ball in (0, 1)]
    index = {s: k for k, s in enumerate(states)}
    S = len(states)
    start_a, start_b = 1 * C + 3, 2 * C + 1
    initial = np.zeros(S)
    initial[index[(start_a, start_b, 0)]] = initial[index[(start_a, start_b, 1)]] = 0.5
    rewards = np.zeros((S, 5, 5))
    transitions = np.zeros((S, 5, 5, S))

    def move(pos, other, ball, who, action):
        """Move player ``who`` (0 = A); return (positions, ball, goal) where goal is +1/-1/0."""
        r, c = divmod(pos[who], C)
        dr, dc = MOVES[action]
        r2, c2 = r + dr, c + dc
        if ball == who and 1 <= r <= 2 and ((who == 0 and c2 < 0) or (who == 1 and c2 >= C)):
            return pos, ball, 1 if who == 0 else -1
        if not (0 <= r2 < R and 0 <= c2 < C):
            return pos, ball, 0
        target = r2 * C + c2
        if target == pos[1 - who]:  # bump: the stationary player gets the ball
            return pos, 1 - who, 0
        new = list(pos)
        new[who] = target
        return tuple(new), ball, 0

    for k, (a_cell, b_cell, ball) in enumerate(states):
        for a in range(5):
            for b in range(5):
                for first in (0, 1):
                    pos, bl = (a_cell, b_cell), ball
                    goal = 0
                    for who in (first, 1 - first):
                        pos, bl, goal = move(pos, None, bl, who, (a, b)[who])
                        if goal:
                            break
                    if goal:
                        rewards[k, a, b] += 0.5 * goal
                        transitions[k, a, b] += 0.5 * initial
                    else:
                        transitions[k, a, b, index[(pos[0], pos[1], bl)]] += 0.5
    return rewards, transitions, states, initial


# ---------------------------------------------------------------- learning (JAX)
def _regret_matching(regret):
    pos = jnp.maximum(regret, 0.0)
    total = pos.sum()
    return jnp.where(total > 0, pos / jnp.where(total > 0, total, 1.0), 1.0 / regret.shape[0])


def _solve_small_game(M, iterations):
    """Approximate minimax strategies of the matrix game ``M`` (row maximises) by alternating
    regret matching+ with linear averaging (CFR+ on a matrix game), and the midpoint of the
    certified bracket ``[min_b (x M)_b, max_a (M y)_a]`` as the value."""
    A, B = M.shape

    def body(carry, t):
        rx, ry, sx, sy = carry
        y = _regret_matching(ry)
        ux = M @ y
        x = _regret_matching(rx)
        rx = jnp.maximum(rx + ux - x @ ux, 0.0)
        x = _regret_matching(rx)
        uy = -(x @ M)
        ry = jnp.maximum(ry + uy - y @ uy, 0.0)
        return (rx, ry, sx + t * x, sy + t * _regret_matching(ry)), None

    init = (jnp.zeros(A), jnp.zeros(B), jnp.zeros(A), jnp.zeros(B))
    (_, _, sx, sy), _ = jax.lax.scan(body, init, jnp.arange(1.0, iterations + 1))
    x, y = sx / sx.sum(), sy / sy.sum()
    return x, y, 0.5 * ((x @ M).min() + (M @ y).max())


def _sparse_transitions(transitions):
    """Next-state indices and probabilities of the K most likely successors of every (s, a, b),
    K = the largest support: sampling a successor then costs O(K), not O(S)."""
    K = int((transitions > 0).sum(axis=-1).max())
    idx = np.argsort(-transitions, axis=-1, kind="stable")[..., :K]
    return jnp.asarray(idx), jnp.asarray(np.take_along_axis(transitions, idx, axis=-1))


def _explore(key, policy, epsilon):
    return jax.random.choice(key, policy.shape[0], p=(1 - epsilon) * policy + epsilon / policy.shape[0])


class QRun(NamedTuple):
    """The result of :func:`minimax_q` or :func:`independent_q`."""

    row_policy: np.ndarray  #: the row player's learned stationary policy, (S, A)
    col_policy: np.ndarray  #: the column player's learned stationary policy, (S, B)
    q_values: tuple  #: the learned Q tables


def _check_learning(steps, epsilon, alpha_final, seed, restart=0.0):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer; got {steps!r}")
    if not 0 <= epsilon <= 1:
        raise ValueError(f"epsilon must lie in [0, 1]; got {epsilon!r}")
    if not 0 < alpha_final <= 1:
        raise ValueError(f"alpha_final must lie in (0, 1]; got {alpha_final!r}")
    if not 0 <= restart <= 1:
        raise ValueError(f"restart must lie in [0, 1]; got {restart!r}")
    if seed is None or isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer (randomness is explicit); got {seed!r}")


def minimax_q(rewards, transitions, discount, steps, seed, start=0, epsilon=0.2, alpha_final=0.01,
              solver_iterations=25, restart=0.0):
    r"""Minimax-Q (Littman 1994) in self-play on a zero-sum stochastic game, simulated with JAX.

    One table :math:`Q(s, a, b)` of the row player's action values (the column player's are
    :math:`-Q`). At each step both players act from their current stage policies with
    probability :math:`1 - \epsilon` (uniformly otherwise), the game moves to :math:`s'`, and

    .. math::  Q(s, a, b) \leftarrow (1 - \alpha_t) Q(s, a, b) + \alpha_t \bigl(r + \gamma V(s')\bigr), \qquad
               (x(s), y(s), V(s)) \leftarrow \text{minimax solution of } Q(s, \cdot, \cdot),

    with :math:`\alpha_t` decaying geometrically from 1 to ``alpha_final``. With probability
    ``restart`` per step the simulation jumps back to ``start`` after the update (Littman's
    training games ended in a draw with probability 0.1 per step). The stage game is
    solved approximately by ``solver_iterations`` rounds of regret matching+ (a JAX stand-in
    for the paper's linear program, so the whole run is one ``lax.scan``).

    Returns a :class:`QRun`; evaluate it with :func:`best_response_values`.
    """
    rewards, transitions, discount = check_game(rewards, transitions, discount)
    _check_learning(steps, epsilon, alpha_final, seed, restart)
    S, A, B = rewards.shape
    R = jnp.asarray(rewards)
    succ, prob = _sparse_transitions(transitions)
    decay = alpha_final ** (1.0 / steps)

    def step(carry, key):
        Q, X, Y, V, s, alpha = carry
        ka, kb, ks, kr = jax.random.split(key, 4)
        a = _explore(ka, X[s], epsilon)
        b = _explore(kb, Y[s], epsilon)
        s2 = succ[s, a, b, jax.random.choice(ks, succ.shape[-1], p=prob[s, a, b])]
        Q = Q.at[s, a, b].add(alpha * (R[s, a, b] + discount * V[s2] - Q[s, a, b]))
        x, y, v = _solve_small_game(Q[s], solver_iterations)
        s2 = jnp.where(jax.random.uniform(kr) < restart, start, s2)
        return (Q, X.at[s].set(x), Y.at[s].set(y), V.at[s].set(v), s2, alpha * decay), None

    init = (jnp.zeros((S, A, B)), jnp.full((S, A), 1.0 / A), jnp.full((S, B), 1.0 / B), jnp.zeros(S),
            jnp.asarray(start), jnp.asarray(1.0))
    (Q, X, Y, _, _, _), _ = jax.jit(lambda c, k: jax.lax.scan(step, c, k))(
        init, jax.random.split(jax.random.PRNGKey(seed), steps))
    return QRun(np.asarray(X), np.asarray(Y), (np.asarray(Q),))


def independent_q(rewards, transitions, discount, steps, seed, start=0, epsilon=0.2, alpha_final=0.01,
                  restart=0.0):
    r"""Independent Q-learning in self-play: each player ignores the other and runs Q-learning on
    its own reward,
    :math:`Q_i(s, a_i) \leftarrow (1-\alpha_t) Q_i(s, a_i) + \alpha_t (r_i + \gamma \max_{a'} Q_i(s', a'))`,
    acting :math:`\epsilon`-greedily. The learned policies are greedy, hence deterministic: the
    kind of policy that a best response exploits in a game where the value needs mixing.
    Arguments as for :func:`minimax_q`.
    """
    rewards, transitions, discount = check_game(rewards, transitions, discount)
    _check_learning(steps, epsilon, alpha_final, seed, restart)
    S, A, B = rewards.shape
    R = jnp.asarray(rewards)
    succ, prob = _sparse_transitions(transitions)
    decay = alpha_final ** (1.0 / steps)

    def step(carry, key):
        Qa, Qb, s, alpha = carry
        ka, kb, ks, kr = jax.random.split(key, 4)
        a = _explore(ka, jax.nn.one_hot(jnp.argmax(Qa[s]), A), epsilon)
        b = _explore(kb, jax.nn.one_hot(jnp.argmax(Qb[s]), B), epsilon)
        s2 = succ[s, a, b, jax.random.choice(ks, succ.shape[-1], p=prob[s, a, b])]
        r = R[s, a, b]
        Qa = Qa.at[s, a].add(alpha * (r + discount * Qa[s2].max() - Qa[s, a]))
        Qb = Qb.at[s, b].add(alpha * (-r + discount * Qb[s2].max() - Qb[s, b]))
        s2 = jnp.where(jax.random.uniform(kr) < restart, start, s2)
        return (Qa, Qb, s2, alpha * decay), None

    init = (jnp.zeros((S, A)), jnp.zeros((S, B)), jnp.asarray(start), jnp.asarray(1.0))
    (Qa, Qb, _, _), _ = jax.jit(lambda c, k: jax.lax.scan(step, c, k))(
        init, jax.random.split(jax.random.PRNGKey(seed), steps))
    Qa, Qb = np.asarray(Qa), np.asarray(Qb)
    return QRun(np.eye(A)[Qa.argmax(axis=1)], np.eye(B)[Qb.argmax(axis=1)], (Qa, Qb))


# ---------------------------------------------------------------- general-sum: policy gradient
def _check_general_sum(rewards, transitions, discount, initial):
    rewards = finite_array(rewards, "rewards")
    if rewards.ndim != 4 or rewards.shape[0] != 2:
        raise ValueError(f"rewards has shape {rewards.shape}; expected (2, S, A, B), one table per player")
    _, transitions, discount = check_game(rewards[0], transitions, discount)
    initial = finite_array(initial, "initial")
    if initial.shape != (rewards.shape[1],) or np.any(initial < 0) or not np.isclose(initial.sum(), 1.0):
        raise ValueError(f"initial must be a probability vector of shape ({rewards.shape[1]},)")
    return rewards, transitions, discount, initial


def general_sum_nash_conv(rewards, transitions, discount, initial, row_policy, col_policy):
    r"""NashConv :math:`\sum_i \bigl(\max_{\pi_i'} V_i^{\pi_i', \pi_{-i}}(\mu) - V_i^{\pi}(\mu)\bigr)` of a pair of
    stationary policies in a two-player general-sum stochastic game, from the initial
    distribution :math:`\mu`; each best response is an MDP solved exactly.

    ``rewards`` has shape ``(2, S, A, B)``: ``rewards[i]`` is paid to player ``i``.
    """
    rewards, transitions, discount, initial = _check_general_sum(rewards, transitions, discount, initial)
    S, A, B = rewards.shape[1:]
    x = _policy(row_policy, S, A, "row_policy")
    y = _policy(col_policy, S, B, "col_policy")
    P = np.einsum("sa,sabt,sb->st", x, transitions, y)
    M = np.linalg.inv(np.eye(S) - discount * P)
    V = [M @ np.einsum("sa,sab,sb->s", x, rewards[i], y) for i in (0, 1)]
    br0 = _solve_mdp(np.einsum("sab,sb->sa", rewards[0], y), np.einsum("sabt,sb->sat", transitions, y), discount)
    br1 = _solve_mdp(np.einsum("sab,sa->sb", rewards[1], x), np.einsum("sabt,sa->sbt", transitions, x), discount)
    return float(initial @ (br0 - V[0]) + initial @ (br1 - V[1]))


class PGRun(NamedTuple):
    """The result of :func:`independent_policy_gradient`."""

    iterations: np.ndarray  #: the recorded iterations
    row_policies: np.ndarray  #: the row player's policy at each recorded iteration, (K, S, A)
    col_policies: np.ndarray  #: the column player's policy, (K, S, B)
    nash_conv: np.ndarray  #: NashConv of the recorded policy pairs, from the initial distribution


def independent_policy_gradient(rewards, transitions, discount, initial, steps, step_size, seed, record=50):
    r"""Independent policy gradient with exact gradients and softmax policies (JAX).

    Each player :math:`i` ascends its *own* value from the initial distribution :math:`\mu`,
    ignoring that the other learns too:
    :math:`\theta_i \leftarrow \theta_i + \eta \nabla_{\theta_i} V_i^{\pi_\theta}(\mu)`, with
    :math:`\pi_i(\cdot \mid s) = \operatorname{softmax}(\theta_i(s, \cdot))` and
    :math:`V_i^\pi = (I - \gamma P_\pi)^{-1} r_{i, \pi}` differentiated by ``jax.grad``. In a Markov
    potential game the joint update ascends the potential and converges to a Nash policy
    (Leonardos et al. 2022); in general it need not converge.

    ``rewards`` (2, S, A, B), one table per player. The initial logits are standard normal
    draws from ``seed``. Returns a :class:`PGRun` with ``record`` evenly spaced checkpoints.
    """
    rewards, transitions, discount, initial = _check_general_sum(rewards, transitions, discount, initial)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer; got {steps!r}")
    if not (np.isscalar(step_size) and step_size > 0):
        raise ValueError(f"step_size must be a positive number; got {step_size!r}")
    if seed is None or isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer (randomness is explicit); got {seed!r}")
    S, A, B = rewards.shape[1:]
    R, P, mu = jnp.asarray(rewards), jnp.asarray(transitions), jnp.asarray(initial)

    def value(t0, t1, i):
        x, y = jax.nn.softmax(t0, axis=1), jax.nn.softmax(t1, axis=1)
        Pxy = jnp.einsum("sa,sabt,sb->st", x, P, y)
        r = jnp.einsum("sa,sab,sb->s", x, R[i], y)
        return mu @ jnp.linalg.solve(jnp.eye(S) - discount * Pxy, r)

    g0 = jax.grad(value, argnums=0)
    g1 = jax.grad(value, argnums=1)

    def step(carry, _):
        t0, t1 = carry
        new = (t0 + step_size * g0(t0, t1, 0), t1 + step_size * g1(t0, t1, 1))
        return new, (jax.nn.softmax(new[0], axis=1), jax.nn.softmax(new[1], axis=1))

    k0, k1 = jax.random.split(jax.random.PRNGKey(seed))
    init = (jax.random.normal(k0, (S, A)), jax.random.normal(k1, (S, B)))
    _, (xs, ys) = jax.jit(lambda c: jax.lax.scan(step, c, None, length=steps))(init)
    keep = np.unique(np.linspace(0, steps - 1, min(record, steps)).astype(int))
    xs, ys = np.asarray(xs)[keep], np.asarray(ys)[keep]
    conv = np.array([general_sum_nash_conv(rewards, transitions, discount, initial, x, y) for x, y in zip(xs, ys)])
    return PGRun(keep + 1, xs, ys, conv)


def team_markov_game():
    r"""A two-state team game (identical rewards, so a Markov potential game whose potential is
    the common value), with transitions that depend on the joint action.

    In each state both players choose one of two actions. Matching actions pay both players
    (state 0: 1 for (0, 0), 2 for (1, 1); state 1: 3 for (0, 0), 1 for (1, 1)), mismatching pays 0.
    Matching on action 1 in state 0 moves the game to state 1, where any mismatch sends it
    back; otherwise the state stays. Returns ``(rewards (2, 2, 2, 2), transitions (2, 2, 2, 2),
    initial)``.
    """
    common = np.array([[[1.0, 0.0], [0.0, 2.0]], [[3.0, 0.0], [0.0, 1.0]]])
    transitions = np.zeros((2, 2, 2, 2))
    transitions[0, :, :, 0] = 1.0
    transitions[0, 1, 1] = [0.0, 1.0]
    transitions[1, :, :, 1] = 1.0
    transitions[1, 0, 1] = transitions[1, 1, 0] = [1.0, 0.0]
    return np.stack([common, common]), transitions, np.array([1.0, 0.0])


def markov_pennies():
    r"""Matching pennies repeated in one state: the row player wins 1 when the actions match,
    the column player when they differ. Its unique Nash policy mixes half-half; independent
    policy gradient circles around it instead of converging. Returns
    ``(rewards (2, 1, 2, 2), transitions (1, 2, 2, 1), initial)``.
    """
    r = np.array([[[1.0, -1.0], [-1.0, 1.0]]])
    return np.stack([r, -r]), np.ones((1, 2, 2, 1)), np.array([1.0])
