r"""Games: continuous games with differentiable utilities, and normal-form games.

Convention (as in the lecture): **players maximise utilities** :math:`u_i`; a loss
is :math:`-u_i`. In a two-player zero-sum min--max problem :math:`\min_x \max_y f(x, y)`,
``x`` minimises and ``y`` maximises, so :math:`u_1 = -f` and :math:`u_2 = f`.
In a matrix game with payoff matrix ``A`` the row player receives ``A[i, j]``.

>>> from gtml_utils.games import ContinuousGame
>>> game = ContinuousGame.zero_sum(lambda x, y: x * y, dims=(1, 1))
>>> game.pseudo_gradient([1.0, 2.0]).tolist()   # (-df/dx, df/dy) = (-y, x)
[-2.0, 1.0]
"""

import itertools
import string

import jax
import jax.numpy as jnp
import numpy as np

from gtml_utils._checks import as_vector, finite_array, is_traced
from gtml_utils.projections import ConvexSet

__all__ = [
    "ContinuousGame",
    "NormalFormGame",
    "matching_pennies",
    "rock_paper_scissors",
    "prisoners_dilemma",
    "battle_of_the_sexes",
    "chicken",
    "shapley_game",
]


class ContinuousGame:
    r"""An n-player game in which player i picks :math:`x_i \in \mathbb{R}^{d_i}` and
    maximises :math:`u_i(x_1, \dots, x_n)`.

    Parameters
    ----------
    utilities : sequence of callables
        ``utilities[i](x_1, ..., x_n)`` returns player i's utility, a JAX-differentiable
        scalar (an output of shape ``(1,)`` is accepted as a scalar). Each block ``x_j``
        is passed as a vector of shape ``(d_j,)``, also when ``d_j = 1``.
    dims : sequence of int
        The block sizes :math:`d_1, \dots, d_n`; a profile ``z`` is their concatenation.
    domain : ConvexSet, optional
        The joint strategy set :math:`S` over ``z`` (it may couple the players, e.g. a
        :class:`~gtml_utils.projections.Polytope`); player i may choose from the section
        :math:`S_i(z_{-i}) = \{x_i : (x_i, z_{-i}) \in S\}`. ``None`` means unconstrained.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from gtml_utils.projections import Box
    >>> game = ContinuousGame([lambda x, y: -jnp.sum((x - y) ** 2), lambda x, y: -jnp.sum(y**2)],
    ...                       dims=(1, 1), domain=Box(-1.0, 1.0, dim=2))
    >>> game.values([0.5, 0.0]).tolist()
    [-0.25, -0.0]
    >>> game.project_player(0, [0.5, 0.0], [3.0]).tolist()
    [1.0]
    """

    def __init__(self, utilities, dims, domain=None):
        utilities, dims = list(utilities), list(dims)
        if not utilities or len(utilities) != len(dims):
            raise ValueError(
                f"got {len(utilities)} utilities and {len(dims)} dims; expected one block size per utility"
            )
        if not all(isinstance(d, (int, np.integer)) and d >= 1 for d in dims):
            raise ValueError(f"dims = {dims}; expected positive integers")
        if not all(callable(u) for u in utilities):
            raise ValueError("every utility must be a callable u(x_1, ..., x_n)")
        self.dims = tuple(int(d) for d in dims)
        self.n_players = len(dims)
        self.offsets = tuple(np.cumsum((0,) + self.dims).tolist())
        self.dim = self.offsets[-1]
        if domain is not None:
            if not isinstance(domain, ConvexSet):
                raise ValueError(f"domain is a {type(domain).__name__}; expected a ConvexSet or None")
            if domain.dim != self.dim:
                raise ValueError(f"domain has dimension {domain.dim}; expected sum(dims) = {self.dim}")
        self.domain = domain
        self._utilities = utilities
        probe = jax.ShapeDtypeStruct((self.dim,), jnp.float64)
        for i in range(self.n_players):
            try:
                out = jax.eval_shape(lambda z, i=i: utilities[i](*self._split(z)), probe)
            except Exception as err:  # report which utility failed, then the cause
                raise ValueError(f"utility {i} cannot be evaluated on blocks of sizes {self.dims}: {err}") from err
            if int(np.prod(out.shape)) != 1:
                raise ValueError(f"utility {i} returns shape {out.shape}; expected a scalar")
        self._pseudo_gradient = jax.jit(self._raw_pseudo_gradient)

    @classmethod
    def zero_sum(cls, f, dims, domain=None):
        r"""The two-player zero-sum game :math:`\min_x \max_y f(x, y)`: ``x`` minimises
        (utility :math:`-f`), ``y`` maximises (utility :math:`f`). ``dims = (d_x, d_y)``."""
        if len(dims) != 2:
            raise ValueError(f"a zero-sum game has two players; got dims = {dims}")
        return cls([lambda x, y: -f(x, y), f], dims, domain)

    # -- profiles -------------------------------------------------------------
    def split(self, z):
        """The blocks ``[x_1, ..., x_n]`` of the profile ``z`` (shape ``(sum d_i,)``)."""
        z = self.check_profile(z)
        return self._split(z)

    def check_profile(self, z, tol=1e-8):
        """Return ``z`` as a float64 vector, or raise ``ValueError`` when its shape is
        wrong, it is not finite, or it lies outside the domain."""
        z = as_vector(z, self.dim, "profile z")
        if self.domain is not None and not is_traced(z) and not self.domain.contains(z, tol):
            raise ValueError(f"profile z = {np.asarray(z).tolist()} lies outside the domain {self.domain!r}")
        return z

    def _split(self, z):
        return [z[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:])]

    # -- utilities and gradients ------------------------------------------------
    def _raw_utility(self, i, z):
        return jnp.reshape(self._utilities[i](*self._split(z)), ())

    def utility(self, i, z):
        """Player i's utility :math:`u_i(z)`."""
        return self._raw_utility(self._check_player(i), self.check_profile(z))

    def values(self, z):
        """All utilities at ``z``, shape ``(n_players,)``."""
        z = self.check_profile(z)
        return jnp.stack([self._raw_utility(i, z) for i in range(self.n_players)])

    def _raw_pseudo_gradient(self, z):
        blocks = []
        for i, (a, b) in enumerate(zip(self.offsets[:-1], self.offsets[1:])):
            blocks.append(jax.grad(lambda z, i=i: self._raw_utility(i, z))(z)[a:b])
        return jnp.concatenate(blocks)

    def pseudo_gradient(self, z):
        r"""The concatenation of each player's own gradient,
        :math:`V(z) = (\nabla_{x_1} u_1(z), \dots, \nabla_{x_n} u_n(z))`, shape ``(sum d_i,)``.
        Simultaneous gradient *ascent* is :math:`z \leftarrow z + \eta V(z)`."""
        return self._pseudo_gradient(self.check_profile(z))

    # -- constraints ------------------------------------------------------------
    def project_player(self, i, z, v):
        r"""Euclidean projection of ``v`` (shape ``(d_i,)``) onto
        :math:`S_i(z_{-i}) = \{x_i : (x_i, z_{-i}) \in S\}`, the set player i may choose
        from when the others play ``z``; ``v`` itself when there is no domain."""
        i = self._check_player(i)
        z = self.check_profile(z)
        v = as_vector(v, self.dims[i], f"player {i}'s vector v")
        if self.domain is None:
            return v
        return self.domain._section(self.offsets[i], self.offsets[i + 1], z)._project(v)

    def _check_player(self, i):
        if not (isinstance(i, (int, np.integer)) and 0 <= i < self.n_players):
            raise ValueError(f"player index {i!r}; expected an integer in [0, {self.n_players})")
        return int(i)

    def __repr__(self):
        return f"ContinuousGame(n_players={self.n_players}, dims={self.dims}, domain={self.domain!r})"


class NormalFormGame:
    r"""A finite game in normal form: ``payoffs[i]`` has shape :math:`(n_1, \dots, n_k)`
    and ``payoffs[i][a_1, ..., a_k]`` is player i's payoff (to be maximised).

    Mixed strategies are probability vectors ``strategies[i]`` of length :math:`n_i`.
    The best-response gap of player i is
    :math:`\max_{a_i} u_i(a_i, \sigma_{-i}) - u_i(\sigma) \ge 0`; a profile is a Nash
    equilibrium iff every gap is zero, and their sum is NashConv.

    >>> game = matching_pennies()
    >>> game.expected_payoffs([[0.5, 0.5], [0.5, 0.5]]).tolist()
    [0.0, 0.0]
    >>> game.best_response_gaps([[1.0, 0.0], [0.5, 0.5]]).tolist()
    [0.0, 1.0]
    """

    def __init__(self, payoffs):
        if isinstance(payoffs, (list, tuple)):
            arrays = [finite_array(p, f"payoffs[{i}]") for i, p in enumerate(payoffs)]
            if len({a.shape for a in arrays}) > 1:
                raise ValueError(f"payoff tensors have shapes {[a.shape for a in arrays]}; expected one common shape")
            payoffs = np.stack(arrays) if arrays else np.zeros((0,))
        else:
            payoffs = finite_array(payoffs, "payoffs")
        k = payoffs.shape[0] if payoffs.ndim else 0
        if k < 1 or payoffs.ndim != k + 1 or 0 in payoffs.shape:
            raise ValueError(
                f"payoffs have shape {payoffs.shape}; expected k players' tensors of shape "
                "(n_1, ..., n_k), i.e. an array of shape (k, n_1, ..., n_k) with every n_i >= 1"
            )
        self.payoffs = payoffs
        self.n_players = k
        self.shape = payoffs.shape[1:]

    @classmethod
    def zero_sum(cls, A):
        """Two-player zero-sum game: the row player receives ``A[i, j]``, the column player ``-A[i, j]``."""
        A = finite_array(A, "A")
        if A.ndim != 2:
            raise ValueError(f"A has shape {A.shape}; expected a matrix")
        return cls([A, -A])

    @classmethod
    def bimatrix(cls, A, B):
        """Two-player game: row payoffs ``A[i, j]``, column payoffs ``B[i, j]`` (same shape)."""
        A, B = finite_array(A, "A"), finite_array(B, "B")
        if A.ndim != 2 or A.shape != B.shape:
            raise ValueError(f"A has shape {A.shape} and B {B.shape}; expected two matrices of one shape")
        return cls([A, B])

    def check_strategies(self, strategies, tol=1e-8):
        """Return the profile as a list of float arrays or raise ``ValueError`` unless
        ``strategies[i]`` is a probability vector of length ``n_i`` for every player."""
        if len(strategies) != self.n_players:
            raise ValueError(f"got {len(strategies)} strategies; expected one per player ({self.n_players})")
        checked = []
        for i, (s, n) in enumerate(zip(strategies, self.shape)):
            s = finite_array(s, f"strategy of player {i}")
            if s.shape != (n,):
                raise ValueError(f"strategy of player {i} has shape {s.shape}; expected ({n},)")
            if np.any(s < -tol) or abs(s.sum() - 1.0) > tol:
                raise ValueError(f"strategy of player {i} is {s.tolist()}; expected a probability vector")
            checked.append(s)
        return checked

    def action_payoffs(self, strategies):
        r"""For each player i the vector :math:`(u_i(a, \sigma_{-i}))_a` of payoffs of each
        pure action against the others' mixed strategies (a list of k vectors)."""
        strategies = self.check_strategies(strategies)
        letters = string.ascii_letters[: self.n_players]
        out = []
        for i in range(self.n_players):
            others = [f",{c}" for j, c in enumerate(letters) if j != i]
            spec = letters + "".join(others) + "->" + letters[i]
            out.append(np.einsum(spec, self.payoffs[i], *[s for j, s in enumerate(strategies) if j != i]))
        return out

    def expected_payoffs(self, strategies):
        r""":math:`(u_i(\sigma))_i`, each player's expected payoff, shape ``(k,)``."""
        strategies = self.check_strategies(strategies)
        return np.array([s @ v for s, v in zip(strategies, self.action_payoffs(strategies))])

    def best_response_gaps(self, strategies):
        r""":math:`(\max_a u_i(a, \sigma_{-i}) - u_i(\sigma))_i`, shape ``(k,)``; all zero iff Nash."""
        strategies = self.check_strategies(strategies)
        values = self.action_payoffs(strategies)
        # clipped at 0: rounding (and the tolerance of check_strategies) can leave -1e-16
        return np.array([max(v.max() - s @ v, 0.0) for s, v in zip(strategies, values)])

    def nash_conv(self, strategies):
        """The sum of the best-response gaps (0 exactly at a Nash equilibrium)."""
        return float(self.best_response_gaps(strategies).sum())

    def pure_nash_equilibria(self):
        """Every pure profile ``(a_1, ..., a_k)`` from which no player gains by deviating."""
        best = [self.payoffs[i].max(axis=i, keepdims=True) for i in range(self.n_players)]
        return [
            a for a in itertools.product(*map(range, self.shape))
            if all(self.payoffs[i][a] >= best[i][a[:i] + (0,) + a[i + 1:]] for i in range(self.n_players))
        ]

    def __repr__(self):
        return f"NormalFormGame(n_players={self.n_players}, actions={self.shape})"


# ---------------------------------------------------------------- classic games
def matching_pennies():
    """Matching pennies: the row player wins 1 when the coins match, loses 1 otherwise.
    Unique equilibrium: both mix (1/2, 1/2)."""
    return NormalFormGame.zero_sum([[1.0, -1.0], [-1.0, 1.0]])


def rock_paper_scissors():
    """Rock-paper-scissors (actions R, P, S); unique equilibrium uniform, value 0."""
    return NormalFormGame.zero_sum([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])


def prisoners_dilemma():
    """Prisoner's dilemma with (R, S, T, P) = (3, 0, 5, 1); actions (cooperate, defect).
    Defection dominates, so (defect, defect) is the unique equilibrium."""
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    return NormalFormGame.bimatrix(A, A.T)


def battle_of_the_sexes():
    """Battle of the sexes; actions (opera, football). Two pure equilibria and one mixed
    equilibrium ((3/5, 2/5), (2/5, 3/5))."""
    return NormalFormGame.bimatrix([[3.0, 0.0], [0.0, 2.0]], [[2.0, 0.0], [0.0, 3.0]])


def chicken():
    """Chicken (Aumann 1974); actions (dare, swerve): (D, D) = (0, 0), (D, S) = (7, 2),
    (S, D) = (2, 7), (S, S) = (6, 6). Two pure equilibria and a mixed one at (1/3, 2/3);
    correlated equilibria reach higher welfare than any Nash equilibrium."""
    return NormalFormGame.bimatrix([[0.0, 7.0], [2.0, 6.0]], [[0.0, 2.0], [7.0, 6.0]])


def shapley_game():
    """Shapley's (1964) 3x3 game: no pure equilibrium, the unique Nash equilibrium is
    uniform, and fictitious play and Hedge's last iterate cycle around it."""
    A = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    B = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    return NormalFormGame.bimatrix(A, B)
