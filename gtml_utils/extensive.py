r"""Two-player zero-sum extensive-form games: game trees, the sequence-form LP, and CFR.

A game is a finite tree of *histories*. Each history is a chance node (nature draws an
outcome with known probabilities), a decision node of player 0 or player 1, or a
terminal history with a payoff :math:`u_0(z)` to player 0 (player 1 receives
:math:`-u_0(z)`; **both players maximise** their own payoff). Decision nodes are
grouped into *information sets*: a player cannot tell apart the histories of one
information set, so a behaviour strategy picks one distribution
:math:`\sigma(I, \cdot)` over the actions of each information set :math:`I`.

The tree is stored as flat arrays (:class:`GameTree`), with the histories grouped by
depth, so every algorithm of this module is a handful of array operations per depth
level (gathers, segment sums, one sparse product), never a recursive Python walk per
history:

- :func:`sequence_form_lp` -- the game value and both players' optimal strategies from one
  linear program in the sequence form (Koller, Megiddo and von Stengel 1996), HiGHS;
- :func:`cfr` -- counterfactual regret minimisation (Zinkevich et al. 2007) and CFR+
  (Tammelin 2014), whose *average* strategy converges to a Nash equilibrium;
- :func:`expected_value`, :func:`best_response_values`, :func:`nash_conv`,
  :func:`exploitability` -- the yardsticks, with OpenSpiel's convention
  exploitability = NashConv / 2.

:func:`kuhn_poker` and :func:`leduc_poker` build the two classic benchmarks with the
rules of OpenSpiel's ``kuhn_poker`` and ``leduc_poker``.

A strategy (a *policy* for both players at once) is an array of shape
``(num_infosets, max_actions)``: row ``I`` is :math:`\sigma(I, \cdot)` over the legal actions
of information set ``I`` (``game.action_names[I]``), padded with zeros.

>>> game = kuhn_poker()
>>> value, strategy = sequence_form_lp(game)
>>> round(value, 9) == round(-1 / 18, 9), exploitability(game, strategy) < 1e-9
(True, True)
"""

from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

__all__ = [
    "CHANCE",
    "TERMINAL",
    "GameTree",
    "kuhn_poker",
    "leduc_poker",
    "uniform_strategy",
    "expected_value",
    "best_response_values",
    "nash_conv",
    "exploitability",
    "sequence_form_lp",
    "CFRRun",
    "cfr",
]

CHANCE = -1  #: ``GameTree.player`` of a chance node
TERMINAL = -2  #: ``GameTree.player`` of a terminal history


# ---------------------------------------------------------------- the tree
class GameTree:
    """A finite two-player zero-sum game tree with perfect recall, stored as flat arrays.

    Build one with :meth:`from_nodes` (or :func:`kuhn_poker`, :func:`leduc_poker`).

    Shapes below: ``n`` histories, ``I`` information sets, ``A`` the largest number of actions.

    Attributes
    ----------
    player : int array (n,)
        0 or 1 for a decision node, :data:`CHANCE`, or :data:`TERMINAL`.
    parent, action : int arrays (n,)
        The parent history and the index of the action (or chance outcome) leading here;
        ``-1`` at the root (history 0).
    depth : int array (n,)
        The number of moves from the root.
    infoset : int array (n,)
        The information set of a decision node, ``-1`` elsewhere.
    chance_prob : float array (n,)
        The probability of the chance outcome leading here (1 below decision nodes).
    utility : float array (n,)
        Player 0's payoff at terminal histories (0 elsewhere).
    children : int array (n, A)
        Child histories, ``-1`` where an action does not exist.
    infoset_player, num_actions : int arrays (I,)
        Who acts at each information set, and with how many actions.
    infoset_names : list of str
        A readable name per information set.
    action_names : list of tuple of str
        The action labels, one tuple per information set.
    """

    def __init__(self, player, parent, action, infoset, chance_prob, utility, infoset_player, infoset_names,
                 action_names, node_names=None):
        self.player = np.asarray(player, dtype=np.int64)
        self.parent = np.asarray(parent, dtype=np.int64)
        self.action = np.asarray(action, dtype=np.int64)
        self.infoset = np.asarray(infoset, dtype=np.int64)
        self.chance_prob = np.asarray(chance_prob, dtype=np.float64)
        self.utility = np.asarray(utility, dtype=np.float64)
        self.infoset_player = np.asarray(infoset_player, dtype=np.int64)
        self.infoset_names = list(infoset_names)
        self.action_names = [tuple(a) for a in action_names]
        self.node_names = list(node_names) if node_names is not None else None
        self.num_actions = np.array([len(a) for a in self.action_names], dtype=np.int64)
        self._index()

    # -- construction -------------------------------------------------------
    @classmethod
    def from_nodes(cls, nodes):
        """Build a tree from a list of node dicts in any order with parents before children.

        Each dict has ``parent`` (index into the list, ``-1`` for the root, which must come
        first), ``action`` (the action index at the parent), ``player`` (0, 1, ``CHANCE`` or
        ``TERMINAL``), and as needed ``infoset`` (a name, for decision nodes), ``actions``
        (action names, for decision nodes), ``prob`` (for children of chance nodes),
        ``utility`` (player 0's payoff, for terminals) and ``name``.
        """
        if not nodes or nodes[0].get("parent", -1) != -1:
            raise ValueError("nodes must be a non-empty list whose first entry is the root (parent -1)")
        names, players, actions, index = [], [], [], {}
        infoset = np.full(len(nodes), -1)
        for h, node in enumerate(nodes):
            if node["player"] in (0, 1):
                key = node["infoset"]
                if key not in index:
                    index[key] = len(names)
                    names.append(key)
                    players.append(node["player"])
                    actions.append(tuple(node["actions"]))
                i = index[key]
                if players[i] != node["player"] or actions[i] != tuple(node["actions"]):
                    raise ValueError(f"information set {key!r} mixes players or action lists")
                infoset[h] = i
        return cls(player=[n["player"] for n in nodes], parent=[n.get("parent", -1) for n in nodes],
                   action=[n.get("action", -1) for n in nodes], infoset=infoset,
                   chance_prob=[n.get("prob", 1.0) for n in nodes], utility=[n.get("utility", 0.0) for n in nodes],
                   infoset_player=players, infoset_names=names, action_names=actions,
                   node_names=[n.get("name", "") for n in nodes])

    def _index(self):
        n, num_infosets = len(self.player), len(self.infoset_names)
        if num_infosets == 0:
            raise ValueError("the game has no decision nodes; expected at least one information set")
        self.num_nodes, self.num_infosets = n, num_infosets
        self.max_actions = int(self.num_actions.max())
        depth = np.zeros(n, dtype=np.int64)
        for h in range(1, n):
            if not 0 <= self.parent[h] < h:
                raise ValueError(f"history {h} has parent {self.parent[h]}; expected parents listed before children")
            depth[h] = depth[self.parent[h]] + 1
        self.depth = depth
        width = max(self.max_actions, int(np.bincount(self.parent[1:], minlength=n).max()) if n > 1 else 1)
        self.children = np.full((n, width), -1, dtype=np.int64)
        self.children[self.parent[1:], self.action[1:]] = np.arange(1, n)
        for h in range(n):
            kind = self.player[h]
            kids = self.children[h][self.children[h] >= 0]
            if kind == TERMINAL and len(kids):
                raise ValueError(f"terminal history {h} has children")
            if kind != TERMINAL and not len(kids):
                raise ValueError(f"non-terminal history {h} has no children")
            if kind in (0, 1) and len(kids) != self.num_actions[self.infoset[h]]:
                raise ValueError(f"decision node {h} has {len(kids)} children; its information set has "
                                 f"{self.num_actions[self.infoset[h]]} actions")
            if kind == CHANCE and not np.isclose(self.chance_prob[kids].sum(), 1.0, atol=1e-12):
                raise ValueError(f"chance node {h}: outcome probabilities sum to {self.chance_prob[kids].sum()}; "
                                 "expected 1")
        if np.any(self.chance_prob < 0) or not np.all(np.isfinite(self.utility)):
            raise ValueError("chance probabilities must be nonnegative and utilities finite")
        self.children = self.children[:, : self.max_actions] if width == self.max_actions else self.children
        # Every information set must sit at one depth (true for the poker games): the best
        # response then is one pass over depth levels.
        for i in range(num_infosets):
            d = np.unique(depth[self.infoset == i])
            if len(d) != 1:
                raise ValueError(f"information set {self.infoset_names[i]!r} spans depths {d.tolist()}; "
                                 "expected one depth")
        # Padded children: index n is a dummy history (value 0, probability 0).
        self._kids = np.where(self.children >= 0, self.children, n)
        self.legal = np.arange(self.max_actions)[None, :] < self.num_actions[:, None]
        internal = np.flatnonzero(self.player != TERMINAL)
        self._levels = [internal[depth[internal] == d] for d in range(int(depth.max()) - 1, -1, -1)
                        if np.any(depth[internal] == d)]  # deepest first
        self._top_down = [np.flatnonzero(depth == d) for d in range(1, int(depth.max()) + 1)]
        self._first_node = np.zeros(num_infosets, dtype=np.int64)
        decision = np.flatnonzero(self.infoset >= 0)
        self._first_node[self.infoset[decision[::-1]]] = decision[::-1]
        self._edge_owner = np.where(np.arange(n) > 0, self.player[np.maximum(self.parent, 0)], CHANCE)
        self._edge_infoset = np.where(np.arange(n) > 0, self.infoset[np.maximum(self.parent, 0)], -1)
        self._terminal = np.flatnonzero(self.player == TERMINAL)
        # Per player: decision nodes and the sparse (infoset x node) membership matrix.
        self._nodes_of, self._member = [], []
        for p in (0, 1):
            nodes = np.flatnonzero(self.player == p)
            self._nodes_of.append(nodes)
            self._member.append(sparse.csr_matrix((np.ones(len(nodes)), (self.infoset[nodes], np.arange(len(nodes)))),
                                                  shape=(num_infosets, len(nodes))))
        self._check_perfect_recall()

    def _check_perfect_recall(self):
        """Compute each player's own last sequence at every history; perfect recall means an
        information set is reached by one sequence of its owner."""
        n = self.num_nodes
        offsets = np.zeros(self.num_infosets, dtype=np.int64)
        self.num_sequences = [1, 1]
        for i in range(self.num_infosets):
            p = self.infoset_player[i]
            offsets[i] = self.num_sequences[p]
            self.num_sequences[p] += self.num_actions[i]
        self.sequence_offset = offsets
        seq = np.zeros((2, n), dtype=np.int64)
        for h in range(1, n):
            par = self.parent[h]
            seq[:, h] = seq[:, par]
            if self.player[par] in (0, 1):
                seq[self.player[par], h] = offsets[self.infoset[par]] + self.action[h]
        self.node_sequence = seq
        parent_seq = np.full(self.num_infosets, -1)
        for h in np.flatnonzero(self.infoset >= 0):
            i, p = self.infoset[h], self.player[h]
            if parent_seq[i] == -1:
                parent_seq[i] = seq[p, h]
            elif parent_seq[i] != seq[p, h]:
                raise ValueError(f"information set {self.infoset_names[i]!r} is reached by different own "
                                 "sequences; expected perfect recall")
        self.infoset_parent_sequence = parent_seq

    def __repr__(self):
        return (f"GameTree({self.num_nodes} histories, {int(np.sum(self.player == TERMINAL))} terminal, "
                f"{self.num_infosets} information sets)")

    # -- array helpers ------------------------------------------------------
    def _edge_probs(self, strategy, owners=(0, 1, CHANCE)):
        """Probability of the edge into every history under ``strategy`` (1 at the root), only
        for edges whose owner is in ``owners`` (others count as 1)."""
        n = self.num_nodes
        e = np.ones(n + 1)
        dec = self._edge_infoset >= 0
        if 0 in owners or 1 in owners:
            mask = dec & np.isin(self._edge_owner, [o for o in owners if o in (0, 1)])
            e[:n][mask] = strategy[self._edge_infoset[mask], self.action[mask]]
        if CHANCE in owners:
            ch = self._edge_owner == CHANCE
            ch[0] = False
            e[:n][ch] = self.chance_prob[ch]
        e[n] = 0.0
        return e

    def _reach(self, edge):
        """Products of ``edge`` along each path from the root, one level at a time."""
        r = np.ones(self.num_nodes)
        for nodes in self._top_down:
            r[nodes] = r[self.parent[nodes]] * edge[nodes]
        return r

    def _values(self, edge):
        """Player 0's expected payoff below every history when every edge is taken with ``edge``."""
        v = np.zeros(self.num_nodes + 1)
        v[self._terminal] = self.utility[self._terminal]
        for nodes in self._levels:
            kids = self._kids[nodes]
            v[nodes] = (edge[kids] * v[kids]).sum(axis=1)
        return v


def _check_game(game):
    if not isinstance(game, GameTree):
        raise ValueError(f"game must be a GameTree (e.g. kuhn_poker()); got {type(game).__name__}")
    return game


def _check_strategy(game, strategy, tol=1e-9):
    s = np.asarray(strategy, dtype=np.float64)
    if s.shape != (game.num_infosets, game.max_actions):
        raise ValueError(f"strategy has shape {s.shape}; expected (num_infosets, max_actions) = "
                         f"{(game.num_infosets, game.max_actions)}")
    if not np.all(np.isfinite(s)) or np.any(s < -tol) or np.any(np.abs(s[~game.legal]) > tol):
        raise ValueError("strategy must be finite, nonnegative, and zero on illegal (padded) actions")
    sums = s.sum(axis=1)
    if np.any(np.abs(sums - 1) > 1e-6):
        bad = int(np.argmax(np.abs(sums - 1)))
        raise ValueError(f"strategy row {bad} ({game.infoset_names[bad]!r}) sums to {sums[bad]}; expected 1")
    return np.clip(s, 0, None) / sums[:, None]


def uniform_strategy(game):
    """The policy that plays every legal action with equal probability, shape ``(I, A)``."""
    game = _check_game(game)
    return game.legal / game.num_actions[:, None]


# ---------------------------------------------------------------- evaluation
def expected_value(game, strategy):
    r"""Player 0's expected payoff :math:`u_0(\sigma) = \sum_z \pi^\sigma(z)\, u_0(z)` under ``strategy``.

    :math:`\pi^\sigma(z)` is the product of the chance and action probabilities on the path to
    the terminal history :math:`z`. Player 1's payoff is the negative.

    >>> round(expected_value(kuhn_poker(), uniform_strategy(kuhn_poker())), 12)
    0.125
    """
    game = _check_game(game)
    s = _check_strategy(game, strategy)
    return float(game._values(game._edge_probs(s))[0])


def best_response_values(game, strategy):
    r"""The payoffs :math:`(\max_{\sigma_0'} u_0(\sigma_0', \sigma_1),\ \max_{\sigma_1'} u_1(\sigma_0, \sigma_1'))`.

    Computed bottom-up over depth levels: at an information set :math:`I` of the responder
    :math:`i`, the counterfactual value of action :math:`a` is
    :math:`\sum_{h \in I} \pi_{-i}(h)\, v_i(ha)` (opponent and chance reach), the best action
    maximises it, and every :math:`h \in I` takes the value of that action.
    """
    game = _check_game(game)
    s = _check_strategy(game, strategy)
    out = []
    n = game.num_nodes
    for i in (0, 1):
        sign = 1.0 if i == 0 else -1.0
        edge = game._edge_probs(s, owners=(1 - i, CHANCE))
        reach = game._reach(edge)
        v = np.zeros(n + 1)
        v[game._terminal] = sign * game.utility[game._terminal]
        for nodes in game._levels:
            kids = game._kids[nodes]
            mine = game.player[nodes] == i
            other = nodes[~mine]
            v[other] = (edge[game._kids[other]] * v[game._kids[other]]).sum(axis=1)
            h = nodes[mine]
            if len(h):
                q = v[kids[mine][:, : game.max_actions]]  # (len(h), A)
                sets = game.infoset[h]
                totals = np.zeros((game.num_infosets, game.max_actions))
                np.add.at(totals, sets, reach[h][:, None] * q)
                totals = np.where(game.legal, totals, -np.inf)
                best = np.argmax(totals, axis=1)
                v[h] = q[np.arange(len(h)), best[sets]]
        out.append(float(v[0]))
    return tuple(out)


def nash_conv(game, strategy):
    r"""NashConv :math:`= \sum_i \bigl(\max_{\sigma_i'} u_i(\sigma_i', \sigma_{-i}) - u_i(\sigma)\bigr) \ge 0`,
    zero exactly at a Nash equilibrium. In a zero-sum game the :math:`u_i(\sigma)` cancel.

    >>> round(nash_conv(kuhn_poker(), uniform_strategy(kuhn_poker())), 12) == round(11 / 12, 12)
    True
    """
    br0, br1 = best_response_values(game, strategy)
    return br0 + br1


def exploitability(game, strategy):
    """NashConv / 2 (OpenSpiel's convention): the average gain of a best-responding opponent."""
    return nash_conv(game, strategy) / 2


# ---------------------------------------------------------------- sequence form
def _sequence_form(game):
    """Payoff matrix A (player 0's sequences x player 1's), constraint matrices E, F."""
    n0, n1 = game.num_sequences
    z = game._terminal
    chance = game._reach(game._edge_probs(np.zeros((game.num_infosets, game.max_actions)), owners=(CHANCE,)))
    A = sparse.coo_matrix((chance[z] * game.utility[z], (game.node_sequence[0, z], game.node_sequence[1, z])),
                          shape=(n0, n1)).tocsr()
    mats = []
    for p, size in ((0, n0), (1, n1)):
        sets = np.flatnonzero(game.infoset_player == p)
        rows, cols, vals = [0], [0], [1.0]
        for r, i in enumerate(sets, start=1):
            k = game.num_actions[i]
            rows += [r] * (k + 1)
            cols += list(game.sequence_offset[i] + np.arange(k)) + [game.infoset_parent_sequence[i]]
            vals += [1.0] * k + [-1.0]
        mats.append(sparse.csr_matrix((vals, (rows, cols)), shape=(len(sets) + 1, size)))
    return A, mats[0], mats[1]


def _behaviour(game, p, realisation, strategy):
    for i in np.flatnonzero(game.infoset_player == p):
        k = game.num_actions[i]
        x = np.clip(realisation[game.sequence_offset[i] + np.arange(k)], 0, None)
        total = x.sum()
        strategy[i, :k] = x / total if total > 1e-12 else 1.0 / k


def sequence_form_lp(game):
    r"""Solve a two-player zero-sum game tree by the sequence-form LP (Koller, Megiddo, von Stengel 1996).

    A *realisation plan* :math:`x` of player 0 gives each of its sequences (information
    set, action) the product of its own action probabilities along it; the plans are the
    polytope :math:`\{x \ge 0 : E x = e\}` (one flow constraint per information set), of size
    linear in the tree. Payoffs are bilinear, :math:`u_0 = x^\top A y`, so by LP duality

    .. math::  \max_{x \ge 0,\ Ex = e}\ \min_{y \ge 0,\ Fy = f} x^\top A y
               \;=\; \max_{x, q}\ \{ f^\top q : F^\top q \le A^\top x,\ E x = e,\ x \ge 0 \},

    one LP per player (HiGHS). Behaviour strategies follow by normalising :math:`x` at each
    information set.

    Returns
    -------
    value : float
        The game value for player 0.
    strategy : ndarray (num_infosets, max_actions)
        Optimal behaviour strategies of both players; certify with :func:`exploitability`.

    >>> value, strategy = sequence_form_lp(kuhn_poker())
    >>> round(value, 6)
    -0.055556
    """
    game = _check_game(game)
    A, E, F = _sequence_form(game)
    n0, n1 = game.num_sequences
    m0, m1 = E.shape[0], F.shape[0]
    e = np.zeros(m0)
    e[0] = 1.0
    f = np.zeros(m1)
    f[0] = 1.0
    strategy = np.zeros((game.num_infosets, game.max_actions))
    # Player 0: variables (x, q); maximise q_0 s.t. F^T q - A^T x <= 0, E x = e.
    res0 = linprog(np.concatenate([np.zeros(n0), -f]), A_ub=sparse.hstack([-A.T, F.T]).tocsr(), b_ub=np.zeros(n1),
                   A_eq=sparse.hstack([E, sparse.csr_matrix((m0, m1))]).tocsr(), b_eq=e,
                   bounds=[(0, None)] * n0 + [(None, None)] * m1, method="highs")
    # Player 1: variables (y, p); minimise p_0 s.t. E^T p - A y >= 0, F y = f.
    res1 = linprog(np.concatenate([np.zeros(n1), e]), A_ub=sparse.hstack([A, -E.T]).tocsr(), b_ub=np.zeros(n0),
                   A_eq=sparse.hstack([F, sparse.csr_matrix((m1, m0))]).tocsr(), b_eq=f,
                   bounds=[(0, None)] * n1 + [(None, None)] * m0, method="highs")
    if res0.status != 0 or res1.status != 0:  # pragma: no cover - a finite game always has a solution
        raise RuntimeError(f"HiGHS failed on the sequence-form LP: {res0.message} / {res1.message}")
    _behaviour(game, 0, res0.x[:n0], strategy)
    _behaviour(game, 1, res1.x[:n1], strategy)
    return float(-res0.fun), strategy


# ---------------------------------------------------------------- CFR
class CFRRun(NamedTuple):
    """The result of :func:`cfr`."""

    average: np.ndarray  #: the average strategy (the one that converges), shape (I, A)
    current: np.ndarray  #: the last iterate's strategy
    checkpoints: np.ndarray  #: iterations at which ``exploitability`` was measured
    exploitability: np.ndarray  #: exploitability of the average strategy at each checkpoint


def _regret_matching(regret, legal, num_actions):
    pos = np.where(legal, np.maximum(regret, 0.0), 0.0)
    total = pos.sum(axis=1, keepdims=True)
    return np.where(total > 0, pos / np.where(total > 0, total, 1.0), legal / num_actions[:, None])


def cfr(game, iterations, variant="cfr", checkpoints=()):
    r"""Counterfactual regret minimisation: CFR (Zinkevich et al. 2007) or CFR+ (Tammelin 2014).

    At iteration :math:`t`, for player :math:`i`, information set :math:`I` and action :math:`a`,
    the counterfactual value is
    :math:`v_i^t(I, a) = \sum_{h \in I} \pi_{-i}^{\sigma^t}(h)\, u_i^{\sigma^t}(ha)` and the
    instantaneous regret :math:`r^t(I, a) = v_i^t(I, a) - \sum_b \sigma^t(I, b)\, v_i^t(I, b)`.

    - ``"cfr"``: cumulative regrets :math:`R^T = \sum_t r^t`, both players updated
      simultaneously, next strategy by regret matching
      :math:`\sigma^{T+1}(I, a) \propto [R^T(I, a)]^+`, average strategy weighted by the
      player's own reach :math:`\pi_i^{\sigma^t}(I)`. Exploitability :math:`O(1/\sqrt T)`.
    - ``"cfr+"``: regret matching+ (:math:`R^T = [R^{T-1} + r^T]^+`), alternating updates
      (player 1 sees player 0's new strategy), and linear averaging (weight :math:`t`).
      Empirically close to :math:`O(1/T)`.

    Every step is a fixed number of array operations per depth level of the tree (reach
    products top-down, values bottom-up, a sparse sum over each information set).

    Parameters
    ----------
    game : GameTree
    iterations : int >= 0
    variant : ``"cfr"`` or ``"cfr+"``
    checkpoints : iterable of int
        Iterations (in ``1..iterations``) at which to record the average strategy's
        exploitability.

    >>> run = cfr(kuhn_poker(), 200, variant="cfr+", checkpoints=[10, 200])
    >>> bool(run.exploitability[1] < run.exploitability[0] < 0.05)
    True
    """
    game = _check_game(game)
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 0:
        raise ValueError(f"iterations must be a nonnegative integer; got {iterations!r}")
    if variant not in ("cfr", "cfr+"):
        raise ValueError(f"variant must be 'cfr' or 'cfr+'; got {variant!r}")
    checkpoints = np.array(sorted(set(int(c) for c in checkpoints)), dtype=np.int64)
    if len(checkpoints) and (checkpoints.min() < 1 or checkpoints.max() > iterations):
        raise ValueError(f"checkpoints must lie in 1..iterations = 1..{iterations}")
    plus = variant == "cfr+"
    legal, k = game.legal, game.num_actions
    regret = np.zeros((game.num_infosets, game.max_actions))
    avg = np.zeros_like(regret)
    sigma = _regret_matching(regret, legal, k)
    owner = game.infoset_player
    owner_masks = np.stack([game._edge_owner == 0, game._edge_owner == 1, game._edge_owner == CHANCE])
    recorded = []
    for t in range(1, iterations + 1):
        weight = float(t) if plus else 1.0
        updates = [(0,), (1,)] if plus else [(0, 1)]
        for group in updates:
            edge = game._edge_probs(sigma)
            factors = np.where(owner_masks, edge[None, :-1], 1.0)  # (3, n): player 0, player 1, chance
            reach = np.ones((3, game.num_nodes))  # own reach of player 0, player 1, chance
            for nodes in game._top_down:
                reach[:, nodes] = reach[:, game.parent[nodes]] * factors[:, nodes]
            v = game._values(edge)
            new_regret = regret.copy()
            for i in group:
                h = game._nodes_of[i]
                sign = 1.0 if i == 0 else -1.0
                opp = reach[1 - i, h] * reach[2, h]
                q = sign * v[game._kids[h, : game.max_actions]] * opp[:, None]  # (H_i, A)
                cfv = game._member[i] @ q  # (I, A), rows of other players are zero
                mine = owner == i
                inst = cfv - (sigma * cfv).sum(axis=1, keepdims=True)
                updated = regret + inst
                if plus:
                    updated = np.maximum(updated, 0.0)
                new_regret[mine] = updated[mine]
                own_reach = reach[i, game._first_node]
                avg[mine] += (weight * own_reach[:, None] * sigma)[mine]
            regret = new_regret
            sigma = _regret_matching(regret, legal, k)
        if len(recorded) < len(checkpoints) and t == checkpoints[len(recorded)]:
            recorded.append(exploitability(game, _normalise(avg, legal, k)))
    return CFRRun(_normalise(avg, legal, k), sigma, checkpoints, np.array(recorded))


def _normalise(avg, legal, num_actions):
    total = avg.sum(axis=1, keepdims=True)
    return np.where(total > 0, avg / np.where(total > 0, total, 1.0), legal / num_actions[:, None])


# ---------------------------------------------------------------- the games
def _showdown(rank0, rank1):
    return float(np.sign(rank0 - rank1))


def kuhn_poker():
    r"""Kuhn poker (Kuhn 1950), with OpenSpiel's rules and action order (0 = pass, 1 = bet).

    A deck of three cards J < Q < K; both players ante 1 and receive one card (6 equally
    likely deals). Player 0 passes or bets 1; after a pass player 1 passes (showdown for 1)
    or bets; facing a bet a player folds (passes, losing the ante) or calls (showdown for 2).
    12 information sets, 2 actions each; the value for player 0 is :math:`-1/18`.

    >>> kuhn_poker()
    GameTree(55 histories, 30 terminal, 12 information sets)
    """
    cards = "JQK"
    nodes = [{"parent": -1, "player": CHANCE, "name": "deal"}]
    deals = [(a, b) for a in range(3) for b in range(3) if a != b]
    # Each deal's betting tree: (history, parent history, action index, payoff factor or None).
    # A payoff factor f means a terminal paying f * showdown, an int payoff (fold) is fixed.
    tree = [("p", "", 0, None), ("pp", "p", 0, ("show", 1)), ("pb", "p", 1, None), ("pbp", "pb", 0, ("fixed", -1)),
            ("pbb", "pb", 1, ("show", 2)), ("b", "", 1, None), ("bp", "b", 0, ("fixed", 1)),
            ("bb", "b", 1, ("show", 2))]
    for d, (c0, c1) in enumerate(deals):
        deal = f"{cards[c0]}{cards[c1]}"
        index = {"": len(nodes)}
        nodes.append({"parent": 0, "action": d, "player": 0, "prob": 1 / 6, "infoset": f"P0:{cards[c0]}",
                      "actions": ("p", "b"), "name": deal})
        for history, parent, act, payoff in tree:
            node = {"parent": index[parent], "action": act, "name": deal + history}
            if payoff is None:
                p = len(history) % 2
                node.update(player=p, infoset=f"P{p}:{cards[(c0, c1)[p]]}{history}", actions=("p", "b"))
            else:
                kind, amount = payoff
                node.update(player=TERMINAL, utility=amount * _showdown(c0, c1) if kind == "show" else float(amount))
            index[history] = len(nodes)
            nodes.append(node)
    return GameTree.from_nodes(nodes)


def leduc_poker():
    r"""Leduc hold'em (Southey et al. 2005), with OpenSpiel's ``leduc_poker`` rules.

    A deck of six cards, two suits of J < Q < K (card ``c`` has rank ``c // 2``). Both players
    ante 1 and receive one private card; a betting round; one public card; a second
    betting round; showdown, where a private card pairing the public card wins, else the
    higher rank, else a split. Each round allows at most two raises, of 2 in the first and 4
    in the second round; player 0 opens both rounds. Actions are fold (only when facing a
    bet), call/check, raise, in OpenSpiel's order. 936 information sets; the value for
    player 0 is about :math:`-0.0856`.

    >>> game = leduc_poker()
    >>> game.num_infosets, int((game.player == TERMINAL).sum())
    (936, 5520)
    """
    nodes = [{"parent": -1, "player": CHANCE, "name": ""}]

    def add(**node):
        nodes.append(node)
        return len(nodes) - 1

    def betting(parent, act, prob, cards, public, rnd, history, contrib, stakes, raises, first):
        p = len(history[rnd]) % 2
        legal = []
        if stakes > contrib[p]:
            legal.append("f")
        legal.append("c")
        if raises < 2:
            legal.append("r")
        name = f"{cards[p]}|{'' if public is None else public}|{history[0]}/{history[1]}"
        node = add(parent=parent, action=act, prob=prob, player=p, infoset=f"P{p}:{name}", actions=tuple(legal))
        for a, move in enumerate(legal):
            hist = list(history)
            hist[rnd] += move
            if move == "f":
                add(parent=node, action=a, player=TERMINAL, utility=-contrib[0] if p == 0 else contrib[1])
            elif move == "c":
                c = list(contrib)
                c[p] = stakes
                if first:  # a check opening the round
                    betting(node, a, 1.0, cards, public, rnd, hist, c, stakes, raises, False)
                elif rnd == 0:  # the round is over: deal the public card
                    deal = add(parent=node, action=a, player=CHANCE)
                    rest = [x for x in range(6) if x not in cards]
                    for o, pub in enumerate(rest):
                        betting(deal, o, 1 / len(rest), cards, pub, 1, hist, c, stakes, 0, True)
                else:  # showdown
                    r0, r1, rp = cards[0] // 2, cards[1] // 2, public // 2
                    s = 1.0 if r0 == rp else -1.0 if r1 == rp else _showdown(r0, r1)
                    add(parent=node, action=a, player=TERMINAL, utility=s * c[1])
            else:  # raise
                c = list(contrib)
                new_stakes = stakes + (2 if rnd == 0 else 4)
                c[p] = new_stakes
                betting(node, a, 1.0, cards, public, rnd, hist, c, new_stakes, raises + 1, False)

    for c0 in range(6):
        d1 = add(parent=0, action=c0, prob=1 / 6, player=CHANCE)
        for o, c1 in enumerate(x for x in range(6) if x != c0):
            betting(d1, o, 1 / 5, (c0, c1), None, 0, ["", ""], (1, 1), 1, 0, True)
    return GameTree.from_nodes(nodes)
