r"""Solvers and learning dynamics for finite games in normal form.

Conventions (as everywhere in the course): **players maximise**. In a matrix game
``A`` the row player receives ``A[i, j]``; in a bimatrix game the column player
receives ``B[i, j]``; an n-player game is a :class:`~gtml_utils.games.NormalFormGame`.

Every solver returns strategies that the caller can certify:

- Nash equilibria by the best-response gaps
  :math:`\max_a u_i(a, \sigma_{-i}) - u_i(\sigma)` (``NormalFormGame.best_response_gaps``),
  and for zero-sum games by the duality gap :func:`duality_gap`;
- correlated and coarse correlated equilibria by the deviation gains :func:`ce_gaps`
  and :func:`cce_gaps`.

Contents: :func:`solve_zero_sum` (the minimax LP, HiGHS), :func:`support_enumeration`
(all equilibria of a nondegenerate bimatrix game, linear solves batched over supports),
:func:`lemke_howson` (complementary pivoting with lexicographic ratio tests),
:func:`correlated_equilibrium` and :func:`coarse_correlated_equilibrium` (LPs over joint
distributions), :func:`nash_map` (Nash's Brouwer map), and the no-regret dynamics
:func:`hedge` and :func:`regret_matching` (JAX, ``lax.scan``).

>>> import numpy as np
>>> from gtml_utils.games import battle_of_the_sexes
>>> game = battle_of_the_sexes()
>>> A, B = game.payoffs
>>> for x, y in support_enumeration(A, B):
...     print(np.round(x, 3).tolist(), np.round(y, 3).tolist(), game.nash_conv([x, y]) < 1e-12)
[1.0, 0.0] [1.0, 0.0] True
[0.0, 1.0] [0.0, 1.0] True
[0.6, 0.4] [0.4, 0.6] True
"""

import itertools
import string
from math import comb
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from gtml_utils._checks import finite_array
from gtml_utils.games import NormalFormGame

__all__ = [
    "solve_zero_sum",
    "duality_gap",
    "support_enumeration",
    "lemke_howson",
    "correlated_equilibrium",
    "coarse_correlated_equilibrium",
    "ce_gaps",
    "cce_gaps",
    "joint_payoffs",
    "nash_map",
    "NoRegretRun",
    "hedge",
    "regret_matching",
]


# ---------------------------------------------------------------- validation
def _matrix(A, name):
    A = finite_array(A, name)
    if A.ndim != 2 or 0 in A.shape:
        raise ValueError(f"{name} has shape {A.shape}; expected a nonempty matrix (n_rows, n_cols)")
    return A


def _bimatrix(A, B):
    A, B = _matrix(A, "A"), _matrix(B, "B")
    if A.shape != B.shape:
        raise ValueError(f"A has shape {A.shape} and B {B.shape}; expected two matrices of one shape")
    return A, B


def _game(game):
    if not isinstance(game, NormalFormGame):
        raise ValueError(f"game is a {type(game).__name__}; expected a gtml_utils.games.NormalFormGame")
    return game


def _joint(game, joint, tol=1e-8):
    joint = finite_array(joint, "joint distribution")
    if joint.shape != game.shape:
        raise ValueError(f"joint distribution has shape {joint.shape}; expected the game's shape {game.shape}")
    if np.any(joint < -tol) or abs(joint.sum() - 1.0) > tol:
        raise ValueError("joint distribution must be nonnegative and sum to 1")
    return joint


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} = {value!r}; expected a positive integer")
    return int(value)


def _scale(*arrays):
    return max(1.0, *(float(np.abs(a).max()) for a in arrays))


# ---------------------------------------------------------------- zero-sum games
def duality_gap(A, x, y):
    r"""The certificate of a zero-sum solution: :math:`\max_i (A y)_i - \min_j (x^\top A)_j \ge 0`.

    The true value :math:`v` of the game lies in :math:`[\min_j (x^\top A)_j, \max_i (A y)_i]`,
    and the gap is zero exactly when ``(x, y)`` is a minimax (Nash) equilibrium; it equals the
    sum of the two players' best-response gaps.

    >>> duality_gap([[1.0, -1.0], [-1.0, 1.0]], [0.5, 0.5], [0.5, 0.5])
    0.0
    """
    A = _matrix(A, "A")
    game = NormalFormGame.zero_sum(A)
    x, y = game.check_strategies([x, y])
    return float((A @ y).max() - (x @ A).min())


def solve_zero_sum(A):
    r"""Optimal strategies and value of the zero-sum game in which the row player receives
    ``A[i, j]`` (and maximises) and the column player pays it (and minimises).

    One linear program (von Neumann's minimax theorem as LP duality), solved by HiGHS:

    .. math::  \max_{x \in \Delta_n,\, v} \; v \quad \text{s.t.} \quad (x^\top A)_j \ge v \;\; \forall j .

    The column player's optimal strategy is the vector of dual multipliers of the
    constraints (the dual LP is :math:`\min_{y \in \Delta_m, w} w` s.t. :math:`A y \le w`).

    Returns
    -------
    x, y : ndarray
        Optimal mixed strategies of the row and the column player.
    value : float
        The LP optimum :math:`\max_x \min_y x^\top A y`; certify it with :func:`duality_gap`,
        since :math:`\min_j (x^\top A)_j \le v \le \max_i (A y)_i`.

    Examples
    --------
    >>> x, y, value = solve_zero_sum([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    >>> np.round(x, 6).tolist(), round(value, 9) + 0.0
    ([0.333333, 0.333333, 0.333333], 0.0)
    >>> duality_gap([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]], x, y) < 1e-9
    True
    """
    A = _matrix(A, "A")
    n, m = A.shape
    shift = A.min() - 1.0  # a positive game has a positive value: better conditioned
    P = A - shift
    c = np.zeros(n + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-P.T, np.ones((m, 1))])
    A_eq = np.concatenate([np.ones(n), [0.0]])[None]
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(m), A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0, None)] * n + [(None, None)], method="highs")
    if res.status != 0:  # pragma: no cover - a finite matrix game always has a solution
        raise RuntimeError(f"HiGHS failed on the minimax LP: {res.message}")
    x = _clean_distribution(res.x[:n])
    y = _clean_distribution(-res.ineqlin.marginals)
    if (P @ y).max() - (x @ P).min() > 1e-7 * _scale(P):  # pragma: no cover - duals were inexact
        res_y = linprog(np.concatenate([np.zeros(m), [1.0]]), A_ub=np.hstack([P, -np.ones((n, 1))]),
                        b_ub=np.zeros(n), A_eq=np.concatenate([np.ones(m), [0.0]])[None], b_eq=[1.0],
                        bounds=[(0, None)] * m + [(None, None)], method="highs")
        y = _clean_distribution(res_y.x[:m])
    return x, y, float(-res.fun + shift)


def _clean_distribution(p):
    p = np.maximum(np.asarray(p, dtype=float), 0.0)
    return p / p.sum()


# ---------------------------------------------------------------- support enumeration
def _support_indices(n, k):
    return np.array(list(itertools.combinations(range(n), k)), dtype=np.intp).reshape(comb(n, k), k)


def _solve_indifference(M, k):
    """Solve [M, -1; 1^T, 0] [p; w] = [0; 1] for a batch of k x k blocks M (shape (..., k, k)).

    Returns (p, w, ok) with ok False where the system is (numerically) singular."""
    batch = M.shape[:-2]
    K = np.zeros(batch + (k + 1, k + 1))
    K[..., :k, :k] = M
    K[..., :k, k] = -1.0
    K[..., k, :k] = 1.0
    rhs = np.zeros(batch + (k + 1,))
    rhs[..., k] = 1.0
    try:  # the common case: every system is nonsingular
        sol = np.linalg.solve(K, rhs[..., None])[..., 0]
        ok = np.isfinite(sol).all(-1)
    except np.linalg.LinAlgError:  # some exactly singular block: solve the others only
        scale = np.abs(K).max(axis=(-2, -1))
        ok = np.abs(np.linalg.det(K / scale[..., None, None])) > 1e-12
        sol = np.zeros(batch + (k + 1,))
        if ok.any():
            sol[ok] = np.linalg.solve(K[ok], rhs[ok][..., None])[..., 0]
    return sol[..., :k], sol[..., k], ok


def support_enumeration(A, B, tol=1e-10, max_pairs_per_batch=200_000):
    r"""Every Nash equilibrium of a nondegenerate bimatrix game, by support enumeration.

    In a nondegenerate game every equilibrium has supports :math:`I, J` of equal size
    :math:`k`, and on them both players are indifferent:

    .. math::

        A_{IJ}\, y_J = u\,\mathbf{1},\ \ \mathbf{1}^\top y_J = 1, \qquad
        B_{IJ}^\top x_I = v\,\mathbf{1},\ \ \mathbf{1}^\top x_I = 1 .

    A pair of supports gives an equilibrium iff the solutions are nonnegative and no action
    outside a support does better: :math:`A y \le u` and :math:`B^\top x \le v`. All
    :math:`\binom{n}{k}\binom{m}{k}` pairs of one size are solved at once, as a batch of
    :math:`(k+1) \times (k+1)` linear systems (``numpy.linalg.solve`` broadcasts), in chunks
    of at most ``max_pairs_per_batch`` pairs.

    Parameters
    ----------
    A, B : array of shape (n, m)
        Row and column player's payoffs (both maximise).
    tol : float
        Tolerance of the nonnegativity and best-response checks, relative to
        ``max(1, max|A|, max|B|)``; every returned equilibrium has best-response gaps below it.

    Returns
    -------
    list of (x, y)
        The equilibria, ordered by support size, then by supports. In a degenerate game
        equilibria with supports of unequal size (and continua) are not found; use
        :func:`lemke_howson` for one equilibrium of any game.

    Examples
    --------
    >>> eq = support_enumeration([[2.0, 1.0], [0.0, 2.0]], [[2.0, 0.0], [1.0, 2.0]])
    >>> [(np.round(x, 3).tolist(), np.round(y, 3).tolist()) for x, y in eq]
    [([1.0, 0.0], [1.0, 0.0]), ([0.0, 1.0], [0.0, 1.0]), ([0.333, 0.667], [0.333, 0.667])]
    """
    A, B = _bimatrix(A, B)
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol = {tol}; expected a positive number")
    max_pairs_per_batch = _positive_int(max_pairs_per_batch, "max_pairs_per_batch")
    n, m = A.shape
    eps = tol * _scale(A, B)
    found = []
    for k in range(1, min(n, m) + 1):
        rows, cols = _support_indices(n, k), _support_indices(m, k)
        chunk = max(1, max_pairs_per_batch // len(cols))
        for start in range(0, len(rows), chunk):
            found.extend(_equilibria_for_supports(A, B, rows[start:start + chunk], cols, k, eps))
    return _unique(found, eps)


def _equilibria_for_supports(A, B, rows, cols, k, eps):
    n, m = A.shape
    row_idx = rows[:, None, :, None]  # (P, 1, k, 1): P row supports
    col_idx = cols[None, :, None, :]  # (1, Q, 1, k): Q column supports
    y_J, _, ok_y = _solve_indifference(A[row_idx, col_idx], k)  # A_IJ y = u 1
    x_I, _, ok_x = _solve_indifference(np.swapaxes(B[row_idx, col_idx], -1, -2), k)  # B_IJ^T x = v 1
    ok = ok_x & ok_y & (x_I >= -eps).all(-1) & (y_J >= -eps).all(-1)
    if not ok.any():
        return []
    p_idx, q_idx = np.nonzero(ok)
    x = np.zeros((len(p_idx), n))
    y = np.zeros((len(p_idx), m))
    np.put_along_axis(x, rows[p_idx], np.maximum(x_I[p_idx, q_idx], 0.0), axis=1)
    np.put_along_axis(y, cols[q_idx], np.maximum(y_J[p_idx, q_idx], 0.0), axis=1)
    x /= x.sum(1, keepdims=True)
    y /= y.sum(1, keepdims=True)
    # best responses: no action outside the supports does better
    row_gap = (y @ A.T).max(1) - np.einsum("pi,ij,pj->p", x, A, y)
    col_gap = (x @ B).max(1) - np.einsum("pi,ij,pj->p", x, B, y)
    good = (row_gap <= eps) & (col_gap <= eps)
    return [(x[t], y[t]) for t in np.nonzero(good)[0]]


def _unique(pairs, eps):
    out = []
    for x, y in pairs:
        if not any(np.abs(x - a).max() <= 1e3 * eps and np.abs(y - b).max() <= 1e3 * eps for a, b in out):
            out.append((x, y))
    return out


# ---------------------------------------------------------------- Lemke-Howson
def _lex_min_ratio(T, col, basis_cols, tol):
    """The pivot row of column ``col`` by the lexicographic minimum-ratio test.

    Rows with a positive entry in ``col`` compete on (rhs, T[:, basis_cols]) / T[:, col],
    compared lexicographically; the columns ``basis_cols`` hold the current basis inverse,
    which is nonsingular, so exactly one row survives (no ties, no cycling)."""
    column = T[:, col]
    candidates = np.nonzero(column > tol)[0]
    if candidates.size == 0:  # pragma: no cover - impossible for a positive (shifted) game
        raise RuntimeError("Lemke-Howson: unbounded ray; the shifted payoffs should prevent this")
    for key in [T.shape[1] - 1, *basis_cols]:
        if candidates.size == 1:
            break
        ratios = T[candidates, key] / column[candidates]
        best = ratios.min()
        candidates = candidates[ratios <= best + tol * max(1.0, abs(best))]
    return int(candidates[0])


def _pivot(T, row, col):
    T[row] /= T[row, col]
    factors = T[:, col].copy()
    factors[row] = 0.0
    T -= np.outer(factors, T[row])


def lemke_howson(A, B, initial_label=0, return_path=False, tol=1e-12, max_pivots=100_000):
    r"""One Nash equilibrium of a bimatrix game by the Lemke--Howson algorithm (1964).

    After shifting both matrices to be positive (equilibria do not change), consider the
    polytopes :math:`P = \{x \ge 0 : B^\top x \le 1\}` and :math:`Q = \{y \ge 0 : A y \le 1\}`.
    Label ``i < n`` marks :math:`x_i = 0` or :math:`(A y)_i = 1`; label ``n + j`` marks
    :math:`y_j = 0` or :math:`(B^\top x)_j = 1`. A pair of vertices carrying all
    :math:`n + m` labels is an equilibrium (after normalising) or the artificial origin.
    Starting at the origin, the algorithm drops ``initial_label`` and pivots alternately in
    the two tableaux, each time bringing in the label that the previous pivot duplicated,
    until the dropped label is picked up again. Ties in the ratio test (degenerate games)
    are broken lexicographically, which makes every pivot unique and the path finite.

    Parameters
    ----------
    A, B : array of shape (n, m)
        Row and column player's payoffs (both maximise).
    initial_label : int
        The label dropped at the start, in ``range(n + m)``.
    return_path : bool
        Also return the path: a list of vertex pairs ``(x, y)`` of :math:`P \times Q` of the
        shifted game, unnormalised, from the origin ``(0, 0)`` to the equilibrium, one per pivot.

    Returns
    -------
    x, y : ndarray
        The equilibrium's mixed strategies (certify with ``best_response_gaps``);
        followed by the path when ``return_path`` is true.

    Examples
    --------
    >>> x, y = lemke_howson([[3.0, 0.0], [0.0, 2.0]], [[2.0, 0.0], [0.0, 3.0]], initial_label=0)
    >>> x.tolist(), y.tolist()
    ([1.0, 0.0], [1.0, 0.0])
    >>> x, y, path = lemke_howson([[3.0, 0.0], [0.0, 2.0]], [[2.0, 0.0], [0.0, 3.0]], 0, return_path=True)
    >>> len(path)   # the origin, then one vertex pair per pivot
    3
    """
    A, B = _bimatrix(A, B)
    n, m = A.shape
    if isinstance(initial_label, bool) or not isinstance(initial_label, (int, np.integer)) \
            or not 0 <= initial_label < n + m:
        raise ValueError(f"initial_label = {initial_label!r}; expected an integer in [0, {n + m})")
    k = int(initial_label)
    A = A - A.min() + 1.0
    B = B - B.min() + 1.0
    # Tableau 1 (x side): B^T x + s = 1; columns = labels 0..n+m-1 (x_i is label i, s_j label n+j).
    T1 = np.hstack([B.T, np.eye(m), np.ones((m, 1))])
    basis1 = list(range(n, n + m))
    # Tableau 2 (y side): A y + r = 1; columns: y_j (label n+j) at j, r_i (label i) at m+i.
    T2 = np.hstack([A, np.eye(n), np.ones((n, 1))])
    basis2 = list(range(n))
    col2 = lambda label: label - n if label >= n else m + label  # noqa: E731

    def point():
        x, y = np.zeros(n), np.zeros(m)
        for r, label in enumerate(basis1):
            if label < n:
                x[label] = T1[r, -1]
        for r, label in enumerate(basis2):
            if label >= n:
                y[label - n] = T2[r, -1]
        return x, y

    path = [point()] if return_path else None
    entering, side = k, (1 if k < n else 2)
    for _ in range(max_pivots):
        if side == 1:
            row = _lex_min_ratio(T1, entering, range(n, n + m), tol)
            leaving, basis1[row] = basis1[row], entering
            _pivot(T1, row, entering)
        else:
            col = col2(entering)
            row = _lex_min_ratio(T2, col, range(m, m + n), tol)
            leaving, basis2[row] = basis2[row], entering
            _pivot(T2, row, col)
        if return_path:
            path.append(point())
        if leaving == k:
            break
        entering, side = leaving, 3 - side
    else:  # pragma: no cover - the lexicographic rule guarantees termination
        raise RuntimeError(f"Lemke-Howson did not terminate within {max_pivots} pivots")
    x, y = point()
    x, y = _clean_distribution(x), _clean_distribution(y)
    return (x, y, path) if return_path else (x, y)


# ---------------------------------------------------------------- correlated equilibria
def _player_view(game, i):
    """Player i's payoffs and the joint indices, with player i's action on axis 0, shape (n_i, R)."""
    n_i = game.shape[i]
    U = np.moveaxis(game.payoffs[i], i, 0).reshape(n_i, -1)
    index = np.moveaxis(np.arange(int(np.prod(game.shape))).reshape(game.shape), i, 0).reshape(n_i, -1)
    return U, index


def joint_payoffs(game, joint):
    r"""Each player's expected payoff :math:`\mathbb{E}_{a \sim \mu}[u_i(a)]` under a joint
    distribution ``joint`` of shape ``game.shape``; shape ``(k,)``.

    >>> from gtml_utils.games import chicken
    >>> joint_payoffs(chicken(), [[0.0, 0.25], [0.25, 0.5]]).tolist()
    [5.25, 5.25]
    """
    game = _game(game)
    joint = _joint(game, joint)
    return np.array([float(np.sum(joint * u)) for u in game.payoffs])


def ce_gaps(game, joint):
    r"""Correlated-equilibrium deviation gains of a joint distribution :math:`\mu`, shape ``(k,)``.

    Player i's gain is the best it can do by following a *swap* rule
    :math:`\phi: A_i \to A_i` ("when told :math:`a_i`, play :math:`\phi(a_i)`"):

    .. math::  \sum_{a_i} \max_{a_i'} \sum_{a_{-i}} \mu(a_i, a_{-i})
               \bigl[u_i(a_i', a_{-i}) - u_i(a_i, a_{-i})\bigr] \;\ge 0 ,

    zero for every player exactly when :math:`\mu` is a correlated equilibrium (Aumann 1974).

    >>> from gtml_utils.games import chicken
    >>> ce_gaps(chicken(), [[0.0, 0.25], [0.25, 0.5]]).tolist()
    [0.0, 0.0]
    """
    game = _game(game)
    joint = _joint(game, joint)
    gains = []
    for i in range(game.n_players):
        U, index = _player_view(game, i)
        M = joint.reshape(-1)[index]  # mu(a_i, .) for each a_i, shape (n_i, R)
        swap = M @ U.T - np.sum(M * U, axis=1, keepdims=True)  # [a_i, a_i'] gain of a_i -> a_i'
        gains.append(float(np.maximum(swap.max(axis=1), 0.0).sum()))
    return np.array(gains)


def cce_gaps(game, joint):
    r"""Coarse-correlated-equilibrium deviation gains of :math:`\mu`, shape ``(k,)``:

    .. math::  \max_{a_i'} \mathbb{E}_{a \sim \mu}[u_i(a_i', a_{-i})] - \mathbb{E}_{a \sim \mu}[u_i(a)] \;\ge 0 ,

    the gain of committing to one fixed action before seeing the recommendation. Zero for
    every player exactly at a CCE. For the empirical distribution of play of a learning
    dynamic it equals each player's average external regret; for a product distribution
    it equals the best-response gaps.

    >>> from gtml_utils.games import matching_pennies
    >>> cce_gaps(matching_pennies(), [[0.25, 0.25], [0.25, 0.25]]).tolist()
    [0.0, 0.0]
    """
    game = _game(game)
    joint = _joint(game, joint)
    gains = []
    for i in range(game.n_players):
        U, index = _player_view(game, i)
        marginal_others = joint.reshape(-1)[index].sum(axis=0)  # distribution of a_{-i}
        gains.append(float(max((U @ marginal_others).max() - np.sum(joint.reshape(-1)[index] * U), 0.0)))
    return np.array(gains)


def _objective_vector(game, objective):
    if isinstance(objective, str):
        if objective == "welfare":
            return game.payoffs.sum(axis=0).reshape(-1)
        if objective == "min_welfare":
            return -game.payoffs.sum(axis=0).reshape(-1)
        if objective == "feasible":
            return np.zeros(int(np.prod(game.shape)))
        raise ValueError(f"objective = {objective!r}; expected 'welfare', 'min_welfare', 'feasible', "
                         "a player index, or an array of the game's shape")
    if isinstance(objective, (int, np.integer)) and not isinstance(objective, bool):
        if not 0 <= objective < game.n_players:
            raise ValueError(f"objective = player {objective}; expected an index in [0, {game.n_players})")
        return game.payoffs[int(objective)].reshape(-1)
    c = finite_array(objective, "objective")
    if c.shape != game.shape:
        raise ValueError(f"objective has shape {c.shape}; expected the game's shape {game.shape}")
    return c.reshape(-1)


def _equilibrium_lp(game, objective, rows):
    c = _objective_vector(game, objective)
    N = c.size
    A_ub = sparse.vstack(rows, format="csr") if rows else None
    b_ub = np.zeros(A_ub.shape[0]) if rows else None
    res = linprog(-c, A_ub=A_ub, b_ub=b_ub, A_eq=np.ones((1, N)), b_eq=[1.0], bounds=(0, None), method="highs")
    if res.status != 0:  # pragma: no cover - CE and CCE always exist (they contain every Nash equilibrium)
        raise RuntimeError(f"HiGHS failed on the equilibrium LP: {res.message}")
    return _clean_distribution(res.x).reshape(game.shape)


def correlated_equilibrium(game, objective="welfare"):
    r"""A correlated equilibrium of an n-player normal-form game, optimising a linear objective.

    A joint distribution :math:`\mu` over action profiles is a correlated equilibrium
    (Aumann 1974) when no player gains by deviating from a recommendation :math:`a_i` to any
    :math:`a_i'`:

    .. math::  \sum_{a_{-i}} \mu(a_i, a_{-i}) \bigl[u_i(a_i', a_{-i}) - u_i(a_i, a_{-i})\bigr] \le 0
               \qquad \forall i,\ a_i \ne a_i' .

    These :math:`\sum_i n_i (n_i - 1)` linear inequalities (a sparse matrix) together with
    :math:`\mu \in \Delta` form a polytope; HiGHS maximises the objective over it.

    Parameters
    ----------
    game : NormalFormGame
    objective : str, int or array
        ``"welfare"`` (maximise :math:`\sum_i \mathbb{E}_\mu u_i`, the default),
        ``"min_welfare"`` (minimise it), ``"feasible"`` (any CE), a player index ``i``
        (maximise :math:`\mathbb{E}_\mu u_i`), or an array ``c`` of the game's shape
        (maximise :math:`\sum_a c(a) \mu(a)`).

    Returns
    -------
    ndarray of shape ``game.shape``
        The joint distribution; certify it with :func:`ce_gaps`.

    Examples
    --------
    >>> from gtml_utils.games import chicken
    >>> mu = correlated_equilibrium(chicken())
    >>> np.round(mu, 6).tolist(), np.round(joint_payoffs(chicken(), mu), 6).tolist()
    ([[0.0, 0.25], [0.25, 0.5]], [5.25, 5.25])
    """
    game = _game(game)
    rows = []
    for i in range(game.n_players):
        U, index = _player_view(game, i)
        n_i, R = U.shape
        for a, b in itertools.permutations(range(n_i), 2):
            rows.append(sparse.csr_matrix((U[b] - U[a], (np.zeros(R, dtype=int), index[a])),
                                          shape=(1, U.size)))
    return _equilibrium_lp(game, objective, rows)


def coarse_correlated_equilibrium(game, objective="welfare"):
    r"""A coarse correlated equilibrium of an n-player normal-form game, optimising a linear objective.

    A joint distribution :math:`\mu` is a CCE when no player gains by committing in advance
    to a fixed action :math:`a_i'` instead of following the recommendation:

    .. math::  \sum_{a} \mu(a) \bigl[u_i(a_i', a_{-i}) - u_i(a)\bigr] \le 0 \qquad \forall i,\ a_i' .

    Every CE is a CCE (sum the CE inequalities over :math:`a_i`). Parameters and return value
    as in :func:`correlated_equilibrium`; certify with :func:`cce_gaps`.

    Examples
    --------
    >>> from gtml_utils.games import matching_pennies
    >>> mu = coarse_correlated_equilibrium(matching_pennies(), objective="feasible")
    >>> bool(cce_gaps(matching_pennies(), mu).max() < 1e-9)
    True
    """
    game = _game(game)
    rows = []
    for i in range(game.n_players):
        U, index = _player_view(game, i)
        n_i, R = U.shape
        for b in range(n_i):
            row = np.zeros(U.size)
            row[index] = U[b][None, :] - U
            rows.append(sparse.csr_matrix(row))
    return _equilibrium_lp(game, objective, rows)


# ---------------------------------------------------------------- Nash's map
def nash_map(game, strategies):
    r"""Nash's (1951) continuous map of the strategy space into itself, whose fixed points
    are exactly the Nash equilibria:

    .. math::  f_i(\sigma)(a) = \frac{\sigma_i(a) + \varphi_i(a)}{1 + \sum_b \varphi_i(b)}, \qquad
               \varphi_i(a) = \max\bigl(0,\ u_i(a, \sigma_{-i}) - u_i(\sigma)\bigr).

    It shifts probability towards actions that do better than the current mix; Brouwer's
    theorem gives a fixed point, and at a fixed point every :math:`\varphi_i` vanishes.

    >>> from gtml_utils.games import matching_pennies
    >>> [s.tolist() for s in nash_map(matching_pennies(), [[0.5, 0.5], [0.5, 0.5]])]
    [[0.5, 0.5], [0.5, 0.5]]
    """
    game = _game(game)
    strategies = game.check_strategies(strategies)
    out = []
    for s, v in zip(strategies, game.action_payoffs(strategies)):
        phi = np.maximum(v - s @ v, 0.0)
        out.append((s + phi) / (1.0 + phi.sum()))
    return out


# ---------------------------------------------------------------- no-regret dynamics
class NoRegretRun(NamedTuple):
    """The outcome of a no-regret dynamic run for ``T`` rounds, with three fields:

    - ``strategies``: a list with, for each player i, the array of shape ``(T, n_i)`` whose
      row t is player i's mixed strategy in round t;
    - ``joint``: the empirical joint distribution of play, shape ``game.shape``: the average
      of the product distributions (expected play) or the histogram of sampled profiles;
    - ``actions``: the sampled action profiles, shape ``(T, k)``, or ``None`` for expected play.
    """

    strategies: list
    joint: np.ndarray
    actions: np.ndarray | None


def _others_payoffs(payoffs, strategies):
    """Expected payoff of each pure action of each player against the others' mixed strategies."""
    k = len(strategies)
    letters = string.ascii_letters[:k]
    out = []
    for i in range(k):
        spec = letters + "".join(f",{c}" for j, c in enumerate(letters) if j != i) + "->" + letters[i]
        out.append(jnp.einsum(spec, payoffs[i], *[s for j, s in enumerate(strategies) if j != i]))
    return out


def _others_payoffs_pure(payoffs, actions):
    """Payoff of each pure action of each player against the others' sampled actions."""
    k = len(actions)
    out = []
    for i in range(k):
        index = tuple(slice(None) if j == i else actions[j] for j in range(k))
        out.append(payoffs[i][index])
    return out


def _empirical_joint(game, strategies, actions):
    T = strategies[0].shape[0]
    if actions is not None:
        counts = np.zeros(game.shape)
        np.add.at(counts, tuple(actions.T), 1.0)
        return counts / T
    letters = string.ascii_letters[: game.n_players]
    spec = ",".join("z" + c for c in letters) + "->" + letters
    return np.einsum(spec, *strategies) / T


def _ranges(game):
    spans = [float(u.max() - u.min()) for u in game.payoffs]
    return np.array([s if s > 0 else 1.0 for s in spans])


def hedge(game, steps, step_size=None, seed=None, initial=None, decreasing=False):
    r"""Hedge (multiplicative weights; Freund & Schapire 1997) for every player of a normal-form game.

    Player i keeps the cumulative payoff :math:`G_i^t(a) = \sum_{s < t} u_i(a, \cdot^{\,s}_{-i})`
    of each action against the others' past play and plays

    .. math::  \sigma_i^t(a) \propto \sigma_i^0(a)\, \exp\bigl(\eta_{i,t}\, G_i^t(a)\bigr) ,

    with a prior :math:`\sigma_i^0` (uniform by default). With ``seed=None`` the feedback is
    the expected payoff against the others' mixed strategies (deterministic "expected
    play"); with a seed every player samples an action each round and the feedback is the
    payoff against the others' sampled actions. With payoffs in an interval of length
    :math:`R_i`, a uniform prior and the constant :math:`\eta_i = \sqrt{8 \ln n_i / T}/R_i`
    (the default) each player's regret is at most :math:`R_i\sqrt{T \ln(n_i) / 2}`, so the
    empirical distribution of play is an :math:`\varepsilon`-CCE with
    :math:`\varepsilon = O(\sqrt{\ln n / T})`; :func:`cce_gaps` measures it exactly.

    Parameters
    ----------
    game : NormalFormGame
    steps : int
        Number of rounds :math:`T`.
    step_size : float or None
        A common :math:`\eta > 0`, or ``None`` for the per-player default above.
    seed : int or None
        ``None`` for expected play, an integer for sampled play.
    initial : list of arrays, optional
        The priors :math:`\sigma_i^0`, probability vectors with positive entries.
    decreasing : bool
        Use the anytime schedule :math:`\eta_{i,t} = \eta_i \sqrt{T / (t + 1)}` (with the
        default :math:`\eta_i`, this is :math:`\sqrt{8\ln n_i / (t+1)}/R_i`), whose regret is
        :math:`O(R_i\sqrt{t \ln n_i})` at every round :math:`t`, not only at :math:`T`.

    Returns
    -------
    NoRegretRun

    Examples
    --------
    >>> from gtml_utils.games import rock_paper_scissors
    >>> run = hedge(rock_paper_scissors(), steps=2000, initial=[[0.6, 0.2, 0.2], [0.2, 0.2, 0.6]])
    >>> run.strategies[0].shape, bool(cce_gaps(rock_paper_scissors(), run.joint).max() < 0.05)
    ((2000, 3), True)
    """
    game = _game(game)
    steps = _positive_int(steps, "steps")
    if step_size is None:
        etas = np.sqrt(8 * np.log(np.maximum(game.shape, 2)) / steps) / _ranges(game)
    else:
        step_size = float(finite_array(step_size, "step_size"))
        if step_size <= 0:
            raise ValueError(f"step_size = {step_size}; expected a positive number")
        etas = np.full(game.n_players, step_size)
    if initial is None:
        priors = [np.full(n, 1.0 / n) for n in game.shape]
    else:
        priors = game.check_strategies(initial)
        if any(np.any(p <= 0) for p in priors):
            raise ValueError("initial strategies must have positive entries (Hedge's weights never vanish)")
    schedule = np.sqrt(steps / np.arange(1, steps + 1)) if decreasing else np.ones(steps)
    payoffs = [jnp.asarray(u) for u in game.payoffs]
    args = (payoffs, [jnp.asarray(e) for e in etas], [jnp.log(jnp.asarray(p)) for p in priors], jnp.asarray(schedule))
    if seed is None:
        strategies, actions = _hedge_scan(*args), None
    else:
        strategies, actions = _hedge_sampled_scan(*args, jax.random.PRNGKey(_seed(seed)))
        actions = np.asarray(actions)
    strategies = [np.asarray(s) for s in strategies]
    return NoRegretRun(strategies, _empirical_joint(game, strategies, actions), actions)


def _seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed = {seed!r}; expected a nonnegative integer or None")
    return int(seed)


def _hedge_scan_impl(payoffs, etas, log_priors, schedule):
    def step(cumulative, scale):
        strategies = [jax.nn.softmax(lp + scale * eta * g) for lp, eta, g in zip(log_priors, etas, cumulative)]
        values = _others_payoffs(payoffs, strategies)
        return [g + v for g, v in zip(cumulative, values)], strategies

    init = [jnp.zeros(u.shape[i]) for i, u in enumerate(payoffs)]
    return jax.lax.scan(step, init, schedule)[1]


def _hedge_sampled_impl(payoffs, etas, log_priors, schedule, key):
    k = len(payoffs)

    def step(cumulative, inputs):
        scale, key = inputs
        strategies = [jax.nn.softmax(lp + scale * eta * g) for lp, eta, g in zip(log_priors, etas, cumulative)]
        keys = jax.random.split(key, k)
        actions = [jax.random.categorical(kk, jnp.log(s)) for kk, s in zip(keys, strategies)]
        values = _others_payoffs_pure(payoffs, actions)
        return [g + v for g, v in zip(cumulative, values)], (strategies, jnp.stack(actions))

    init = [jnp.zeros(u.shape[i]) for i, u in enumerate(payoffs)]
    return jax.lax.scan(step, init, (schedule, jax.random.split(key, schedule.shape[0])))[1]


_hedge_scan = jax.jit(_hedge_scan_impl)
_hedge_sampled_scan = jax.jit(_hedge_sampled_impl)


def _regret_matching_expected_impl(payoffs, steps):
    def step(regrets, _):
        strategies = [_positive_part_strategy(r) for r in regrets]
        values = _others_payoffs(payoffs, strategies)
        return [r + v - s @ v for r, v, s in zip(regrets, values, strategies)], strategies

    init = [jnp.zeros(u.shape[i]) for i, u in enumerate(payoffs)]
    return jax.lax.scan(step, init, None, length=steps)[1]


def _regret_matching_sampled_impl(payoffs, steps, key):
    k = len(payoffs)

    def step(regrets, key):
        strategies = [_positive_part_strategy(r) for r in regrets]
        keys = jax.random.split(key, k)
        actions = [jax.random.categorical(kk, jnp.log(s)) for kk, s in zip(keys, strategies)]
        values = _others_payoffs_pure(payoffs, actions)
        new = [r + v - v[a] for r, v, a in zip(regrets, values, actions)]
        return new, (strategies, jnp.stack(actions))

    init = [jnp.zeros(u.shape[i]) for i, u in enumerate(payoffs)]
    return jax.lax.scan(step, init, jax.random.split(key, steps))[1]


def _conditional_regret_matching_impl(payoffs, inertias, steps, key):
    # Hart & Mas-Colell (2000): D[j, k] = sum over past rounds in which i played j of
    # u_i(k, a_-i) - u_i(j, a_-i); after playing j at round t, switch to k != j with
    # probability D[j, k]^+ / (t * mu), stay at j otherwise.
    k = len(payoffs)

    def step(carry, inputs):
        regrets, last, t = carry
        key_t = inputs
        keys = jax.random.split(key_t, k)
        strategies, actions = [], []
        for i in range(k):
            n_i = payoffs[i].shape[i]
            switch = jnp.maximum(regrets[i][last[i]], 0.0) / (jnp.maximum(t, 1) * inertias[i])
            switch = switch.at[last[i]].set(0.0)
            p = switch.at[last[i]].set(1.0 - switch.sum())
            p = jnp.where(t == 0, jnp.full(n_i, 1.0 / n_i), p)
            strategies.append(p)
            actions.append(jax.random.categorical(keys[i], jnp.log(jnp.maximum(p, 0.0))))
        values = _others_payoffs_pure(payoffs, actions)
        new = [r.at[a].add(v - v[a]) for r, v, a in zip(regrets, values, actions)]
        return (new, jnp.stack(actions), t + 1), (strategies, jnp.stack(actions))

    zeros = [jnp.zeros((u.shape[i], u.shape[i])) for i, u in enumerate(payoffs)]
    init = (zeros, jnp.zeros(k, dtype=jnp.asarray(0).dtype), jnp.asarray(0))
    return jax.lax.scan(step, init, jax.random.split(key, steps))[1]


def _positive_part_strategy(regret):
    positive = jnp.maximum(regret, 0.0)
    total = positive.sum()
    return jnp.where(total > 0, positive / jnp.where(total > 0, total, 1.0), 1.0 / regret.size)


_regret_matching_expected = jax.jit(_regret_matching_expected_impl, static_argnames="steps")
_regret_matching_sampled = jax.jit(_regret_matching_sampled_impl, static_argnames="steps")
_conditional_regret_matching = jax.jit(_conditional_regret_matching_impl, static_argnames="steps")


def regret_matching(game, steps, seed=None, conditional=False, inertia=None):
    r"""Regret matching (Hart & Mas-Colell 2000) for every player of a normal-form game.

    *Unconditional* (``conditional=False``): player i accumulates its external regrets
    :math:`R_i^t(a) = \sum_{s<t} u_i(a, a^s_{-i}) - u_i(a^s)` and plays
    :math:`\sigma_i^t \propto (R_i^t)^+` (uniform when no regret is positive). The empirical
    distribution of play converges to the set of coarse correlated equilibria. With
    ``seed=None`` play and regrets are expected ones (deterministic); with a seed actions are
    sampled.

    *Conditional* (``conditional=True``, the procedure of the paper; needs a seed): after
    playing :math:`j` in round :math:`t`, player i switches to :math:`k \ne j` with probability
    :math:`D_i^t(j, k)^+ / (t\mu_i)`, where :math:`D_i^t(j, k)` sums
    :math:`u_i(k, a^s_{-i}) - u_i(j, a^s_{-i})` over the past rounds in which it played
    :math:`j`, and stays at :math:`j` otherwise. The empirical distribution of play
    converges almost surely to the set of **correlated** equilibria. The inertia
    :math:`\mu_i` must exceed :math:`R_i (n_i - 1)` with :math:`R_i` the range of player i's
    payoffs; the default is twice that.

    Parameters
    ----------
    game : NormalFormGame
    steps : int
    seed : int or None
    conditional : bool
    inertia : float or None
        The common :math:`\mu`, or ``None`` for the per-player default.

    Returns
    -------
    NoRegretRun
        Certify the empirical joint distribution with :func:`cce_gaps` (unconditional) or
        :func:`ce_gaps` (conditional).

    Examples
    --------
    >>> from gtml_utils.games import chicken
    >>> run = regret_matching(chicken(), steps=5000, seed=0, conditional=True)
    >>> bool(ce_gaps(chicken(), run.joint).max() < 0.2)
    True
    """
    game = _game(game)
    steps = _positive_int(steps, "steps")
    payoffs = [jnp.asarray(u) for u in game.payoffs]
    if conditional:
        if seed is None:
            raise ValueError("conditional regret matching samples actions: pass an integer seed")
        minimum = _ranges(game) * (np.asarray(game.shape) - 1)
        if inertia is None:
            inertias = 2.0 * np.maximum(minimum, 0.5)
        else:
            inertia = float(finite_array(inertia, "inertia"))
            if not inertia > minimum.max():
                raise ValueError(f"inertia = {inertia}; expected more than range * (n_i - 1) = {minimum.max()}")
            inertias = np.full(game.n_players, inertia)
        strategies, actions = _conditional_regret_matching(payoffs, [jnp.asarray(m) for m in inertias], steps,
                                                           jax.random.PRNGKey(_seed(seed)))
    elif seed is None:
        if inertia is not None:
            raise ValueError("inertia applies to conditional regret matching only")
        strategies, actions = _regret_matching_expected(payoffs, steps), None
    else:
        if inertia is not None:
            raise ValueError("inertia applies to conditional regret matching only")
        strategies, actions = _regret_matching_sampled(payoffs, steps, jax.random.PRNGKey(_seed(seed)))
    strategies = [np.asarray(s) for s in strategies]
    actions = None if actions is None else np.asarray(actions)
    return NoRegretRun(strategies, _empirical_joint(game, strategies, actions), actions)
