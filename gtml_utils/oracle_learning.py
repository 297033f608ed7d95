r"""Learning with best-response oracles in (possibly infinite) two-player zero-sum games.

Convention: the **row player maximises** the payoff :math:`u(x, y)` and the column player
minimises it (as for a matrix game ``A``, where the row player receives ``A[i, j]``).

A *best-response oracle* is the one computational primitive these algorithms use: given a
finite history of the opponent's plays with weights (an empirical mixture), it returns a
pure best response, an ERM step in the language of learning theory
(Assos, Attias, Dagan, Daskalakis, Fishelson 2023). The oracle's values also certify any
pair of mixtures :math:`(\sigma, \tau)`: with

.. math::  \overline{v}(\tau) = \max_x \mathbb{E}_{y\sim\tau}\, u(x, y), \qquad
           \underline{v}(\sigma) = \min_y \mathbb{E}_{x\sim\sigma}\, u(x, y),

every value of the game lies in :math:`[\underline{v}(\sigma), \overline{v}(\tau)]` and the
**duality gap** :math:`\overline{v}(\tau) - \underline{v}(\sigma) \ge 0` says how far the pair is
from a min--max equilibrium; a game without a value (Hanneke, Livni, Moran 2021) keeps it
at least the difference of its upper and lower values.

*Fictitious play* (Brown 1951; Robinson 1951) is the simplest oracle learner: each round, each
player best-responds to the empirical mixture of the other's past plays. :func:`fictitious_play`
runs it with arbitrary oracles (actions may be integers, reals, anything the oracles return);
:func:`fictitious_play_matrix` is the same algorithm on a finite matrix, under ``jax.lax.scan``.

>>> run = fictitious_play(guess_the_larger_number(), 1, 1, steps=4)
>>> run.row_actions.tolist(), run.col_actions.tolist()   # each names one more than the other's record
([1, 2, 2, 3], [1, 1, 2, 2])
>>> run.gap.tolist()                                      # and the gap never shrinks
[1.0, 1.0, 1.0, 1.0]
"""

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from gtml_utils._checks import finite_array

__all__ = [
    "OracleGame",
    "OracleRun",
    "guess_the_larger_number",
    "matrix_game",
    "fictitious_play",
    "fictitious_play_matrix",
    "empirical_mixture",
]


class OracleGame(NamedTuple):
    r"""A two-player zero-sum game given by its payoff and two best-response oracles.

    Parameters
    ----------
    payoff : callable
        ``payoff(x, ys)``: the row player's payoffs :math:`u(x, y)` for one row action ``x``
        and an array ``ys`` of column actions (vectorised over ``ys``); and, symmetrically,
        ``payoff(xs, y)`` for an array ``xs`` and one ``y``. NumPy broadcasting gives both.
    row_oracle : callable
        ``row_oracle(ys, weights)`` returns a row action maximising
        :math:`\sum_k w_k u(x, y_k)`.
    col_oracle : callable
        ``col_oracle(xs, weights)`` returns a column action minimising
        :math:`\sum_k w_k u(x_k, y)`.
    name : str
    """

    payoff: Callable
    row_oracle: Callable
    col_oracle: Callable
    name: str = "oracle game"

    def row_best_response(self, ys, weights):
        """``(x, value)``: the oracle's best response to the mixture ``(ys, weights)`` and its payoff."""
        ys, weights = _mixture(ys, weights)
        x = self.row_oracle(ys, weights)
        return x, float(np.dot(weights, self.payoff(x, ys)))

    def col_best_response(self, xs, weights):
        """``(y, value)``: the oracle's best response to the mixture ``(xs, weights)`` and the payoff it concedes."""
        xs, weights = _mixture(xs, weights)
        y = self.col_oracle(xs, weights)
        return y, float(np.dot(weights, self.payoff(xs, y)))

    def duality_gap(self, xs, x_weights, ys, y_weights):
        r""":math:`\overline{v}(\tau) - \underline{v}(\sigma) \ge 0` for the mixtures
        :math:`\sigma = (xs, x\_weights)` and :math:`\tau = (ys, y\_weights)`.

        >>> game = guess_the_larger_number()
        >>> game.duality_gap([1, 2], [0.5, 0.5], [5], [1.0])   # 6 beats 5; 2 beats neither 1 nor 2
        1.0
        """
        return self.row_best_response(ys, y_weights)[1] - self.col_best_response(xs, x_weights)[1]


def _mixture(actions, weights):
    actions = np.asarray(actions)
    weights = finite_array(weights, "weights")
    if actions.ndim != 1 or actions.size == 0 or weights.shape != actions.shape:
        raise ValueError(
            f"a mixture needs a nonempty 1-D array of actions and one weight per action; got shapes "
            f"{actions.shape} and {weights.shape}"
        )
    if np.any(weights < 0) or not np.isclose(weights.sum(), 1.0):
        raise ValueError(f"weights sum to {weights.sum()} (min {weights.min()}); expected a probability vector")
    return actions, weights


def guess_the_larger_number(n=None):
    r"""Guess the larger number: both players name a number in :math:`\{1, \dots, n\}`
    (in :math:`\mathbb{N} = \{1, 2, \dots\}` when ``n`` is ``None``); the row player wins,
    payoff 1, iff its number is strictly larger: :math:`u(i, j) = [i > j]`.

    On :math:`\mathbb{N}` the lower value is 0 and the upper value 1: no value, no equilibrium
    (its matrix is an infinite triangle, the obstruction of Hanneke, Livni, Moran 2021). On
    :math:`\{1, \dots, n\}` the value is 0 (the column player names ``n``). Each oracle returns
    its *smallest* best response, as an ERM oracle returning the simplest fit would: the row
    player names one more than the largest number it has seen (capped at ``n``), the column
    player the largest number it has seen.

    >>> game = guess_the_larger_number()
    >>> game.row_best_response([3, 7], [0.5, 0.5]), game.col_best_response([3, 7], [0.5, 0.5])
    ((8, 1.0), (7, 0.0))
    >>> guess_the_larger_number(5).row_best_response([5], [1.0])    # nothing beats 5 in {1..5}
    (1, 0.0)
    """
    if n is not None and (not isinstance(n, (int, np.integer)) or n < 1):
        raise ValueError(f"n = {n!r}; expected a positive integer, or None for all of N")
    cap = np.inf if n is None else int(n)

    def payoff(x, y):
        return (np.asarray(x) > np.asarray(y)).astype(float)

    def row_oracle(ys, weights):
        # u(i, tau) = tau(j < i) grows with i; the smallest maximiser is max(support) + 1,
        # or, when that exceeds n, the smallest i with tau(j < i) = tau(j < n)
        top = int(ys[weights > 0].max())
        if top + 1 <= cap:
            return top + 1
        below = ys[(weights > 0) & (ys < cap)]
        return int(below.max()) + 1 if below.size else 1

    def col_oracle(xs, weights):
        return int(min(xs[weights > 0].max(), cap))  # sigma(i > j) = 0 from j = max(support) on

    name = "guess the larger number on N" if n is None else f"guess the larger number on 1..{n}"
    return OracleGame(payoff, row_oracle, col_oracle, name)


def matrix_game(A):
    r"""The matrix game ``A`` (row receives ``A[i, j]``) as an :class:`OracleGame` on indices,
    with exact oracles (the first maximiser / minimiser).

    >>> game = matrix_game([[1.0, -1.0], [-1.0, 1.0]])
    >>> game.row_best_response([0, 1], [0.25, 0.75])
    (1, 0.5)
    """
    A = finite_array(A, "A")
    if A.ndim != 2 or 0 in A.shape:
        raise ValueError(f"A has shape {A.shape}; expected a nonempty matrix")

    def payoff(i, j):
        return A[np.asarray(i), np.asarray(j)]

    def row_oracle(js, weights):
        return int(np.argmax(A[:, js] @ weights))

    def col_oracle(is_, weights):
        return int(np.argmin(weights @ A[is_, :]))

    return OracleGame(payoff, row_oracle, col_oracle, f"matrix game {A.shape[0]}x{A.shape[1]}")


class OracleRun(NamedTuple):
    r"""The record of an oracle learner over ``T`` rounds.

    ``row_actions[t]``, ``col_actions[t]`` are the plays of round ``t``; with
    :math:`\sigma_t, \tau_t` the empirical mixtures of rounds ``0..t``,
    ``upper[t]`` :math:`= \overline{v}(\tau_t)`, ``lower[t]`` :math:`= \underline{v}(\sigma_t)` and
    ``gap = upper - lower``, the certified duality gap of :math:`(\sigma_t, \tau_t)`.
    """

    row_actions: np.ndarray
    col_actions: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    @property
    def gap(self):
        return self.upper - self.lower


def _check_steps(steps):
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps = {steps!r}; expected a positive integer")
    return int(steps)


def empirical_mixture(actions):
    """The distinct actions of a history and their frequencies, ``(support, weights)``.

    >>> empirical_mixture([3, 1, 3, 3])
    (array([1, 3]), array([0.25, 0.75]))
    """
    support, counts = np.unique(np.asarray(actions), return_counts=True)
    return support, counts / counts.sum()


class _History:
    """An empirical mixture kept incrementally: distinct actions (as an array) and counts."""

    def __init__(self, first, capacity):
        self.slot = {first: 0}
        self.actions = [first]
        self.array = np.asarray(self.actions)
        self.counts = np.zeros(capacity)
        self.counts[0] = 1.0
        self.total = 1

    def add(self, action):
        k = self.slot.get(action)
        if k is None:
            k = self.slot[action] = len(self.actions)
            self.actions.append(action)
            self.array = np.asarray(self.actions)
        self.counts[k] += 1.0
        self.total += 1

    def mixture(self):
        return self.array, self.counts[: len(self.actions)] / self.total


def fictitious_play(game, x0, y0, steps):
    r"""Fictitious play with best-response oracles: round 0 plays ``(x0, y0)``; in round
    :math:`t \ge 1` the row player plays ``row_oracle`` against the column player's empirical
    mixture of rounds :math:`0..t-1`, and the column player ``col_oracle`` against the row
    player's. Returns an :class:`OracleRun` whose ``gap[t]`` certifies the empirical mixtures
    after round ``t`` (two oracle calls each). Actions must be hashable (numbers, tuples).

    Each round calls the oracles on the whole empirical mixture, so a round costs time linear
    in the number of distinct actions played so far; for a matrix use :func:`fictitious_play_matrix`.

    >>> run = fictitious_play(matrix_game([[1.0, -1.0], [-1.0, 1.0]]), 0, 0, steps=400)
    >>> bool(run.gap[-1] < 0.1), bool(run.lower[-1] <= 0.0 <= run.upper[-1])   # value 0, certified
    (True, True)
    """
    if not isinstance(game, OracleGame):
        raise ValueError(f"game is a {type(game).__name__}; expected an OracleGame")
    steps = _check_steps(steps)
    rows, cols = _History(x0, steps), _History(y0, steps)
    xs, ys = [x0], [y0]
    lower, upper = np.empty(steps), np.empty(steps)
    for t in range(steps):
        y_support, y_weights = cols.mixture()
        x_support, x_weights = rows.mixture()
        x_next = game.row_oracle(y_support, y_weights)
        y_next = game.col_oracle(x_support, x_weights)
        upper[t] = np.dot(y_weights, game.payoff(x_next, y_support))
        lower[t] = np.dot(x_weights, game.payoff(x_support, y_next))
        if t + 1 < steps:
            xs.append(x_next)
            ys.append(y_next)
            rows.add(x_next)
            cols.add(y_next)
    return OracleRun(np.asarray(xs), np.asarray(ys), lower, upper)


@jax.jit
def _fp_matrix(A, first, steps_array):
    n, m = A.shape

    def round_(carry, _):
        row_total, col_total, t = carry  # row_total[i] = sum_s A[i, j_s]; col_total[j] = sum_s A[i_s, j]
        i, j = jnp.argmax(row_total), jnp.argmin(col_total)
        row_total, col_total = row_total + A[:, j], col_total + A[i, :]
        return (row_total, col_total, t + 1), (i, j, row_total.max() / (t + 1), col_total.min() / (t + 1))

    i0, j0 = first
    init = (A[:, j0], A[i0, :], 1.0)
    _, (rows, cols, upper, lower) = jax.lax.scan(round_, init, steps_array)
    return rows, cols, upper, lower


def fictitious_play_matrix(A, steps, first=(0, 0)):
    r"""Fictitious play on the matrix game ``A`` (row maximises ``A[i, j]``) for ``steps``
    rounds, starting from the pure profile ``first``, under ``jax.lax.scan``: the running sums
    :math:`\sum_s A[:, j_s]` and :math:`\sum_s A[i_s, :]` are the exact oracles. Returns an
    :class:`OracleRun` on indices, as :func:`fictitious_play` with :func:`matrix_game` would.

    Robinson (1951) proved that the gap tends to 0 on every finite matrix game.

    >>> run = fictitious_play_matrix([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]], 3000)
    >>> bool(run.gap[-1] < 0.05)     # rock-paper-scissors: the empirical mixtures approach uniform
    True
    """
    A = finite_array(A, "A")
    if A.ndim != 2 or 0 in A.shape:
        raise ValueError(f"A has shape {A.shape}; expected a nonempty matrix")
    steps = _check_steps(steps)
    i0, j0 = (int(k) for k in first)
    if not (0 <= i0 < A.shape[0] and 0 <= j0 < A.shape[1]):
        raise ValueError(f"first = {first!r}; expected a pair of indices of a {A.shape} matrix")
    if steps == 1:
        return OracleRun(np.array([i0]), np.array([j0]), np.array([A[i0].min()]), np.array([A[:, j0].max()]))
    rows, cols, upper, lower = _fp_matrix(jnp.asarray(A), (i0, j0), jnp.zeros(steps - 1))
    return OracleRun(
        np.concatenate([[i0], np.asarray(rows)]),
        np.concatenate([[j0], np.asarray(cols)]),
        np.concatenate([[A[i0].min()], np.asarray(lower)]),
        np.concatenate([[A[:, j0].max()], np.asarray(upper)]),
    )
