r"""Local equilibria of smooth games: first-order local Nash and local coarse correlated equilibria.

Players maximise :math:`u_i` over the section :math:`S_i(z_{-i})` of the joint strategy set
(see :class:`~gtml_utils.games.ContinuousGame`). With :math:`\Pi_i = \Pi_{S_i(z_{-i})}`:

* :math:`z` is an :math:`\varepsilon`-**first-order local Nash equilibrium** when every player's
  projected gradient step barely moves it,

  .. math:: \max_i \,\bigl\| x_i - \Pi_i\bigl(x_i + \eta \nabla_{x_i} u_i(z)\bigr) \bigr\| \le \varepsilon;

  at :math:`\varepsilon = 0` these are exactly the fixed points of
  :math:`F(z) = (\Pi_i(x_i + \eta\nabla_{x_i} u_i(z)))_i`. They exist when :math:`S` is convex
  and compact: for a product :math:`S = S_1 \times \dots \times S_n` by Brouwer's theorem on
  :math:`F`, continuous from :math:`S` to :math:`S`; with constraints that couple the players
  :math:`F(z)` may leave :math:`S` (each player alone can fill a shared capacity), and Brouwer
  applies instead to the joint projection :math:`G(z) = \Pi_S(z + \eta V(z))`, each of whose
  fixed points is a local Nash equilibrium.
* a distribution :math:`\sigma` over profiles is an :math:`\varepsilon`-**local coarse correlated
  equilibrium** for deviations of size :math:`\delta` (Cai, Daskalakis, Luo, Wei, Zheng 2024)
  when no player gains more than :math:`\varepsilon` by committing to one local move
  :math:`x_i \mapsto \Pi_i(x_i + v)`, :math:`\|v\| \le \delta`, applied to every profile
  :math:`\sigma` draws:

  .. math:: \max_i \max_{\|v\| \le \delta} \mathbb{E}_{z \sim \sigma}
            \bigl[u_i(\Pi_i(x_i + v), z_{-i}) - u_i(z)\bigr] \le \varepsilon.

  The uniform distribution over the iterates of online gradient ascent is such an
  equilibrium, with :math:`\varepsilon \to 0` as the horizon grows.

>>> import jax.numpy as jnp
>>> from gtml_utils.games import ContinuousGame
>>> from gtml_utils.projections import Box
>>> game = ContinuousGame([lambda x, y: -jnp.sum((x - 0.5) ** 2), lambda x, y: jnp.sum(y)],
...                       dims=(1, 1), domain=Box(0.0, 1.0, dim=2))
>>> local_nash_residual(game, [0.5, 1.0])      # interior optimum for x, upper corner for y
0.0
>>> round(local_nash_residual(game, [0.0, 0.0]), 6)
1.0
"""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
from scipy.optimize import least_squares

from gtml_utils._checks import finite_array
from gtml_utils.dynamics import simulate
from gtml_utils.games import ContinuousGame
from gtml_utils.projections import Box

__all__ = [
    "player_residuals",
    "local_nash_residual",
    "is_local_nash",
    "fixed_point_map",
    "find_local_nash",
    "local_cce_gains",
    "local_cce_gap",
    "first_order_cce_gap",
    "online_gradient_ascent",
    "own_hessians",
    "is_strict_local_nash",
    "minimax_hessian_blocks",
    "is_strict_local_minimax",
    "batch_residuals",
]


# ------------------------------------------------------------------ checks
def _check_game(game):
    if not isinstance(game, ContinuousGame):
        raise ValueError(f"game is a {type(game).__name__}; expected a ContinuousGame")
    return game


def _check_positive(value, name):
    if isinstance(value, (bool, np.bool_)) or not np.isscalar(value) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} = {value!r}; expected a positive finite number")
    return float(value)


def _check_profile(game, z):
    return _check_game(game).check_profile(z)


def _check_samples(game, samples, weights):
    samples = finite_array(samples, "samples")
    if samples.ndim == 1:
        samples = samples[None, :]
    if samples.ndim != 2 or samples.shape[1] != game.dim or samples.shape[0] == 0:
        raise ValueError(
            f"samples have shape {samples.shape}; expected (N, {game.dim}): N >= 1 profiles of the game"
        )
    if game.domain is not None:
        violation = np.asarray(jax.vmap(game.domain._violation)(jnp.asarray(samples)))
        if np.any(violation > 1e-8):
            k = int(np.argmax(violation))
            raise ValueError(f"sample {k} = {samples[k].tolist()} lies outside the domain {game.domain!r}")
    if weights is None:
        weights = np.full(samples.shape[0], 1.0 / samples.shape[0])
    else:
        weights = finite_array(weights, "weights")
        if weights.shape != (samples.shape[0],) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(
                f"weights have shape {weights.shape}; expected {samples.shape[0]} nonnegative numbers "
                "with a positive sum (one per sample)"
            )
        weights = weights / weights.sum()
    return jnp.asarray(samples), jnp.asarray(weights)


# ------------------------------------------------------------------ first-order local Nash
def _blocks(game):
    return list(zip(game.offsets[:-1], game.offsets[1:]))


def _step_displacement(game, z, step):
    """:math:`F(z) - z`: each player's projected gradient step, blocks concatenated."""
    gradient = game._pseudo_gradient(z)
    moves = [
        game.project_player(i, z, z[a:b] + step * gradient[a:b]) - z[a:b] for i, (a, b) in enumerate(_blocks(game))
    ]
    return jnp.concatenate(moves)


_displacement = jax.jit(_step_displacement, static_argnums=0)
_batch_displacement = jax.jit(jax.vmap(_step_displacement, in_axes=(None, 0, None)), static_argnums=0)


def player_residuals(game, z, step=1.0):
    r"""Each player's first-order residual
    :math:`\| x_i - \Pi_{S_i(z_{-i})}(x_i + \eta\nabla_{x_i} u_i(z)) \|`, shape ``(n_players,)``.

    ``step`` is :math:`\eta > 0`. Raises ``ValueError`` when ``z`` is not a profile in the domain.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> player_residuals(game, [1.0, 2.0]).tolist()      # V = (-y, x) = (-2, 1)
    [2.0, 1.0]
    """
    z = _check_profile(game, z)
    move = np.asarray(_displacement(game, z, _check_positive(step, "step")))
    return np.array([np.linalg.norm(move[a:b]) for a, b in _blocks(game)])


def local_nash_residual(game, z, step=1.0):
    r"""The largest player residual (see :func:`player_residuals`): ``z`` is an
    :math:`\varepsilon`-first-order local Nash equilibrium iff this is at most :math:`\varepsilon`.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> local_nash_residual(game, [0.0, 0.0])
    0.0
    """
    return float(np.max(player_residuals(game, z, step)))


def is_local_nash(game, z, tol=1e-6, step=1.0):
    """True when :func:`local_nash_residual` is at most ``tol``."""
    if not np.isscalar(tol) or not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol = {tol!r}; expected a nonnegative finite number")
    return local_nash_residual(game, z, step) <= tol


def fixed_point_map(game, z, step=1.0):
    r"""Brouwer's map :math:`F(z) = (\Pi_{S_i(z_{-i})}(x_i + \eta\nabla_{x_i} u_i(z)))_i`, shape
    ``(dim,)``: its fixed points are exactly the first-order local Nash equilibria. (It maps
    :math:`S` into itself when the players' sets do not interact; see the module docstring for
    coupled constraints.)

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> from gtml_utils.projections import Box
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1), domain=Box(-1.0, 1.0, dim=2))
    >>> fixed_point_map(game, [0.5, 0.5]).tolist()       # x moves down by y, y up by x, then clipped
    [0.0, 1.0]
    """
    z = _check_profile(game, z)
    return np.asarray(z + _displacement(game, z, _check_positive(step, "step")))


def _search_bounds(game, bounds):
    if bounds is None:
        if not isinstance(game.domain, Box):
            raise ValueError(
                "find_local_nash needs bounds=(lower, upper) to lay its grid unless the domain is a Box"
            )
        return np.asarray(game.domain.lower), np.asarray(game.domain.upper)
    try:
        lower, upper = (np.broadcast_to(finite_array(b, "bounds"), (game.dim,)) for b in bounds)
    except (TypeError, ValueError) as err:
        raise ValueError(f"bounds must be (lower, upper), scalars or vectors of length {game.dim} ({err})") from None
    if np.any(lower >= upper):
        raise ValueError("bounds: every lower bound must be below its upper bound")
    return lower, upper


def _grid_local_minima(values, shape):
    """Indices (flat) of grid points whose value is at most each axis neighbour's."""
    grid = values.reshape(shape)
    keep = np.ones(shape, dtype=bool)
    for axis in range(grid.ndim):
        padded = np.pad(grid, [(1, 1) if a == axis else (0, 0) for a in range(grid.ndim)], constant_values=np.inf)
        before = np.take(padded, np.arange(0, shape[axis]), axis=axis)
        after = np.take(padded, np.arange(2, shape[axis] + 2), axis=axis)
        keep &= (grid <= before) & (grid <= after)
    return np.flatnonzero(keep.ravel())


def find_local_nash(game, bounds=None, resolution=41, tol=1e-8, max_starts=32, step=1.0):
    r"""Find first-order local Nash equilibria without running any game dynamics.

    The residual :math:`\|F(z) - z\|` is evaluated on a grid of ``resolution`` points per
    coordinate over ``bounds`` (default: the domain, which must then be a
    :class:`~gtml_utils.projections.Box`); its grid local minima, smallest first and at most
    ``max_starts`` of them, start a least-squares solve of :math:`F(z) - z = 0` (scipy's
    trust-region reflective method, Jacobian by JAX). The points kept are those whose
    :func:`local_nash_residual` is at most ``tol``; distinct ones only.

    Every point returned is certified, but the list need not be complete: this is a search,
    not an enumeration. An equilibrium can be missed when no grid local minimum lies in its
    basin (raise ``resolution``) or when a continuum of equilibria supplies more than
    ``max_starts`` grid minima before an isolated one (raise ``max_starts``). The cost is
    ``resolution ** dim`` residual evaluations: small games only.

    Returns
    -------
    numpy.ndarray of shape (k, dim)
        The certified equilibria, sorted lexicographically; ``k = 0`` when none was found.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> from gtml_utils.projections import Box
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum((x - 0.3) * (y - 0.6)), dims=(1, 1),
    ...                                domain=Box(0.0, 1.0, dim=2))
    >>> find_local_nash(game, resolution=11).round(6).tolist()
    [[0.3, 0.6]]
    """
    game = _check_game(game)
    step = _check_positive(step, "step")
    if not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"resolution = {resolution!r}; expected an integer >= 2")
    if not isinstance(max_starts, (int, np.integer)) or max_starts < 1:
        raise ValueError(f"max_starts = {max_starts!r}; expected a positive integer")
    if resolution**game.dim > 2_000_000:
        raise ValueError(
            f"a grid of {resolution}^{game.dim} points is too large; lower the resolution or use a smaller game"
        )
    lower, upper = _search_bounds(game, bounds)
    axes = [np.linspace(lo, hi, resolution) for lo, hi in zip(lower, upper)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, game.dim)
    if game.domain is not None and not isinstance(game.domain, Box):
        grid = np.asarray(jax.vmap(game.domain._project)(jnp.asarray(grid)))
    residuals = np.linalg.norm(np.asarray(_batch_displacement(game, jnp.asarray(grid), step)), axis=1)
    minima = _grid_local_minima(residuals, (resolution,) * game.dim)
    starts = grid[minima[np.argsort(residuals[minima])][:max_starts]]

    def residual(z):
        return np.asarray(_displacement(game, jnp.asarray(z), step))

    def jacobian(z):
        return np.asarray(_displacement_jacobian(game, jnp.asarray(z), step))

    found = []
    for z0 in starts:
        solve = least_squares(residual, z0, jac=jacobian, bounds=(lower, upper), xtol=1e-15, ftol=1e-15, gtol=1e-15)
        z = solve.x if game.domain is None else np.asarray(game.domain.project(solve.x))
        if local_nash_residual(game, z, step) <= tol and not any(np.allclose(z, w, atol=1e-6) for w in found):
            found.append(z)
    if not found:
        return np.zeros((0, game.dim))
    found = np.array(found)
    return found[np.lexsort(found.T[::-1])]


_displacement_jacobian = jax.jit(jax.jacfwd(_step_displacement, argnums=1), static_argnums=0)


# ------------------------------------------------------------------ local coarse correlated equilibria
def _deviation_gain(game, i, samples, weights, v):
    """Expected gain of player i from the move x_i -> Pi_i(x_i + v) on every sample."""
    a, b = game.offsets[i], game.offsets[i + 1]

    def gain(z):
        moved = z.at[a:b].set(game.project_player(i, z, z[a:b] + v))
        return game._raw_utility(i, moved) - game._raw_utility(i, z)

    return jnp.sum(weights * jax.vmap(gain)(samples))


def _ball(v, radius):
    norm = jnp.linalg.norm(v)
    return jnp.where(norm > radius, v * (radius / jnp.maximum(norm, 1e-300)), v)


@partial(jax.jit, static_argnums=(0, 1, 5))
def _best_local_deviation(game, i, samples, weights, starts, steps, delta):
    """Projected Adam ascent over v in the delta-ball from each start; the best gain found."""
    optimiser = optax.adam(delta / 10)
    objective = partial(_deviation_gain, game, i, samples, weights)

    def ascend(v0):
        def step(carry, _):
            v, state = carry
            updates, state = optimiser.update(-jax.grad(objective)(v), state)
            return (_ball(v + updates, delta), state), None

        (v, _), _ = jax.lax.scan(step, (v0, optimiser.init(v0)), None, length=steps)
        return objective(v)

    return jnp.max(jax.vmap(ascend)(starts))


def local_cce_gains(game, samples, delta, weights=None, restarts=8, steps=200, seed=0):
    r"""Each player's best gain from one :math:`\delta`-local deviation against the distribution
    of ``samples``, shape ``(n_players,)`` (see the module docstring).

    Parameters
    ----------
    game : ContinuousGame
    samples : array of shape (N, dim)
        The profiles :math:`\sigma` draws, each inside the domain.
    delta : float
        The deviation radius :math:`\delta \ge 0`.
    weights : array of shape (N,), optional
        Probabilities of the samples (normalised here); uniform by default.
    restarts, steps, seed
        The maximisation over :math:`v` is projected Adam ascent for ``steps`` steps from
        :math:`v = 0` and ``restarts - 1`` uniform random points of the ball (``seed``).

    Returns
    -------
    numpy.ndarray
        Gains :math:`\ge 0` (:math:`v = 0` gains nothing). They are lower bounds on the true
        maxima, exact when each player's gain is concave in :math:`v`.

    Examples
    --------
    A point mass at :math:`x = 1` when player 1's utility is :math:`-x^2`: the best move of size
    :math:`\delta = 0.25` is :math:`v = -0.25`, gaining :math:`1 - 0.75^2 = 0.4375`.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame([lambda x, y: -jnp.sum(x**2), lambda x, y: -jnp.sum(y**2)], dims=(1, 1))
    >>> local_cce_gains(game, [[1.0, 0.0]], delta=0.25).round(6).tolist()
    [0.4375, 0.0]
    """
    game = _check_game(game)
    samples, weights = _check_samples(game, samples, weights)
    if not np.isscalar(delta) or not np.isfinite(delta) or delta < 0:
        raise ValueError(f"delta = {delta!r}; expected a nonnegative finite deviation radius")
    for name, value in (("restarts", restarts), ("steps", steps)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} = {value!r}; expected a positive integer")
    if delta == 0:
        return np.zeros(game.n_players)
    # Pad to a power of two with weightless copies: one compilation serves every N up to it.
    padding = (1 << (samples.shape[0] - 1).bit_length()) - samples.shape[0]
    samples = jnp.concatenate([samples, jnp.repeat(samples[:1], padding, axis=0)])
    weights = jnp.concatenate([weights, jnp.zeros(padding)])
    key = jax.random.PRNGKey(seed)
    gains = []
    for i, d in enumerate(game.dims):
        key, k_dir, k_rad = jax.random.split(key, 3)
        directions = jax.random.normal(k_dir, (restarts, d))
        directions /= jnp.linalg.norm(directions, axis=1, keepdims=True)
        radii = delta * jax.random.uniform(k_rad, (restarts, 1)) ** (1.0 / d)
        starts = (directions * radii).at[0].set(0.0)
        best = _best_local_deviation(game, i, samples, weights, starts, int(steps), float(delta))
        gains.append(max(float(best), 0.0))
    return np.array(gains)


def local_cce_gap(game, samples, delta, weights=None, restarts=8, steps=200, seed=0):
    r"""The largest of :func:`local_cce_gains`: the distribution of ``samples`` is an
    :math:`\varepsilon`-local CCE (deviations of size ``delta``) iff this is at most :math:`\varepsilon`.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> round(local_cce_gap(game, [[1.0, 1.0], [-1.0, -1.0]], delta=0.1), 9)   # gradients cancel on average
    0.0
    """
    return float(np.max(local_cce_gains(game, samples, delta, weights, restarts, steps, seed)))


def first_order_cce_gap(game, samples, weights=None, step=1.0):
    r"""The first-order quantity of the lecture, :math:`\max_i \|\mathbb{E}_\sigma G_i(z)\|`, where
    :math:`G_i(z) = (\Pi_{S_i(z_{-i})}(x_i + \eta\nabla_{x_i} u_i(z)) - x_i)/\eta` is player i's
    gradient mapping (:math:`\nabla_{x_i} u_i` when unconstrained). A local CCE for small
    :math:`\delta` makes it small: to first order, the gain of the move :math:`v` is
    :math:`\langle v, \mathbb{E}_\sigma \nabla_{x_i} u_i \rangle`.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> first_order_cce_gap(game, [[1.0, 1.0], [-1.0, -1.0]]), first_order_cce_gap(game, [[1.0, 1.0]])
    (0.0, 1.0)
    """
    game = _check_game(game)
    samples, weights = _check_samples(game, samples, weights)
    step = _check_positive(step, "step")
    mean_move = np.asarray(weights @ _batch_displacement(game, samples, step)) / step
    return float(max(np.linalg.norm(mean_move[a:b]) for a, b in _blocks(game)))


def online_gradient_ascent(game, z0, step_size, steps):
    r"""Every player runs projected online gradient ascent on its own utility, uncoupled:
    :math:`x_i^{t+1} = \Pi_{S_i}(x_i^t + \eta \nabla_{x_i} u_i(z^t))`. This is simultaneous
    GDA (:func:`gtml_utils.dynamics.simulate` with ``"gda"``) seen as :math:`n` no-regret
    learners; the uniform distribution over its iterates is an approximate local CCE.

    Returns the iterates :math:`z^0, \dots, z^T`, shape ``(steps + 1, dim)`` (or
    ``(B, steps + 1, dim)`` for ``B`` starts).

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> online_gradient_ascent(game, [1.0, 0.0], 0.1, steps=3).shape
    (4, 2)
    """
    return simulate(_check_game(game), z0, "gda", step_size, steps)


# ------------------------------------------------------------------ second-order conditions
def _interior_players(game, z, radius):
    """For each player, whether every coordinate of x_i can move by +-radius inside S_i(z_-i)."""
    inside = []
    for i, (a, b) in enumerate(_blocks(game)):
        ok = True
        for k in range(b - a):
            for sign in (1.0, -1.0):
                moved = z[a:b].at[k].add(sign * radius)
                if float(jnp.max(jnp.abs(game.project_player(i, z, moved) - moved))) > 0.5 * radius:
                    ok = False
        inside.append(ok)
    return inside


def own_hessians(game, z):
    r"""Each player's Hessian of its own utility in its own action,
    :math:`H_i = \nabla^2_{x_i x_i} u_i(z)`, a list of ``(d_i, d_i)`` arrays.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x**2 - 3 * x * y - y**2), dims=(1, 1))
    >>> [h.tolist() for h in own_hessians(game, [0.0, 0.0])]     # u_1 = -f, u_2 = f
    [[[-2.0]], [[-2.0]]]
    """
    z = _check_profile(game, z)
    return [np.asarray(h) for h in _own_hessians(game, z)]


def _raw_own_hessians(game, z):
    out = []
    for i, (a, b) in enumerate(_blocks(game)):
        def own(x, i=i, a=a, b=b):
            return game._raw_utility(i, z.at[a:b].set(x))

        out.append(jax.hessian(own)(z[a:b]))
    return tuple(out)


_own_hessians = jax.jit(_raw_own_hessians, static_argnums=0)


def is_strict_local_nash(game, z, tol=1e-8):
    r"""Second-order test: is ``z`` a **strict local Nash equilibrium** (a *differential Nash
    equilibrium*, Ratliff, Burden and Sastry 2016)? That is, for every player i,

    .. math:: \nabla_{x_i} u_i(z) = 0 \quad\text{and}\quad \nabla^2_{x_i x_i} u_i(z) \prec 0,

    checked as :math:`\|\nabla_{x_i} u_i(z)\| \le` ``tol`` and largest eigenvalue of the Hessian
    below ``-tol``. Then each :math:`x_i` is a strict local maximiser of
    :math:`u_i(\cdot, z_{-i})`; a first-order local Nash equilibrium need not be one (it may sit
    at a local minimum or a saddle of a player's utility).

    The test is for points where every player can move freely (unconstrained games, or
    interior points); a point on the boundary of some player's set :math:`S_i(z_{-i})` raises
    ``ValueError``.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> bowl = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x**2 - y**2), dims=(1, 1))
    >>> is_strict_local_nash(bowl, [0.0, 0.0])
    True
    >>> is_strict_local_nash(ContinuousGame.zero_sum(lambda x, y: jnp.sum(-x**2 + 4 * x * y - y**2),
    ...                                              dims=(1, 1)), [0.0, 0.0])     # x sits at a local max
    False
    """
    z = _check_profile(game, z)
    if not np.isscalar(tol) or not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol = {tol!r}; expected a nonnegative finite number")
    if game.domain is not None:
        radius = 1e-6 * (1.0 + float(jnp.max(jnp.abs(z))))
        for i, inside in enumerate(_interior_players(game, z, radius)):
            if not inside:
                raise ValueError(
                    f"z = {np.asarray(z).tolist()} is on the boundary of player {i}'s set S_i(z_-i); "
                    "the second-order test applies to interior points"
                )
    gradient = np.asarray(game._pseudo_gradient(z))
    for (a, b), hessian in zip(_blocks(game), own_hessians(game, z)):
        if np.linalg.norm(gradient[a:b]) > tol or np.linalg.eigvalsh(hessian).max() >= -tol:
            return False
    return True


def minimax_hessian_blocks(f, x, y):
    r"""The second-order data of :math:`\min_x \max_y f(x, y)` at ``(x, y)``: a dict with the
    gradient norm ``"grad_norm"`` and the blocks ``"f_xx"``, ``"f_xy"``, ``"f_yy"`` of the
    Hessian and the Schur complement
    ``"schur"`` :math:`= f_{xx} - f_{xy} f_{yy}^{-1} f_{yx}` (``None`` when :math:`f_{yy}` is
    singular). ``f(x, y)`` takes vectors and returns a JAX scalar.

    >>> import jax.numpy as jnp
    >>> blocks = minimax_hessian_blocks(lambda x, y: jnp.sum(-x**2 + 4 * x * y - y**2), [0.0], [0.0])
    >>> blocks["f_xx"].tolist(), blocks["f_yy"].tolist(), blocks["schur"].tolist()   # -2 - 4 (-1/2) 4
    ([[-2.0]], [[-2.0]], [[6.0]])
    """
    if not callable(f):
        raise ValueError("f must be a callable f(x, y) returning a scalar")
    x, y = finite_array(x, "x"), finite_array(y, "y")
    if x.ndim != 1 or y.ndim != 1 or x.size == 0 or y.size == 0:
        raise ValueError(f"x and y have shapes {x.shape} and {y.shape}; expected two nonempty vectors")
    d = x.size

    def joint(w):
        return jnp.reshape(f(w[:d], w[d:]), ())

    w = jnp.concatenate([jnp.asarray(x), jnp.asarray(y)])
    hessian = np.asarray(jax.hessian(joint)(w))
    f_xx, f_xy, f_yy = hessian[:d, :d], hessian[:d, d:], hessian[d:, d:]
    schur = None
    if np.linalg.cond(f_yy) < 1e12:
        schur = f_xx - f_xy @ np.linalg.solve(f_yy, f_xy.T)
    grad_norm = float(np.linalg.norm(np.asarray(jax.grad(joint)(w))))
    return {"grad_norm": grad_norm, "f_xx": f_xx, "f_xy": f_xy, "f_yy": f_yy, "schur": schur}


def is_strict_local_minimax(f, x, y, tol=1e-8):
    r"""Is ``(x, y)`` a **strict local minimax point** of :math:`\min_x \max_y f` in the sense of
    Jin, Netrapalli and Jordan (2020)? Their sufficient condition:

    .. math:: \nabla f = 0, \qquad f_{yy} \prec 0, \qquad
              f_{xx} - f_{xy} f_{yy}^{-1} f_{yx} \succ 0 ,

    i.e. :math:`y` is a strict local maximiser of :math:`f(x, \cdot)` and :math:`x` a strict local
    minimiser of the envelope :math:`x \mapsto \max_{y \text{ near } y^\star(x)} f(x, y)`. Every
    strict local min--max point (:math:`f_{xx} \succ 0`, :math:`f_{yy} \prec 0`) is one, since
    :math:`-f_{xy} f_{yy}^{-1} f_{yx} \succeq 0`; the converse fails. Checked with margin ``tol``.

    >>> import jax.numpy as jnp
    >>> is_strict_local_minimax(lambda x, y: jnp.sum(-x**2 + 4 * x * y - y**2), [0.0], [0.0])
    True
    >>> is_strict_local_minimax(lambda x, y: jnp.sum(-x**2 + x * y - y**2), [0.0], [0.0])
    False
    """
    if not np.isscalar(tol) or not np.isfinite(tol) or tol < 0:
        raise ValueError(f"tol = {tol!r}; expected a nonnegative finite number")
    blocks = minimax_hessian_blocks(f, x, y)
    if blocks["grad_norm"] > tol or np.linalg.eigvalsh(blocks["f_yy"]).max() >= -tol or blocks["schur"] is None:
        return False
    return bool(np.linalg.eigvalsh((blocks["schur"] + blocks["schur"].T) / 2).min() > tol)


def batch_residuals(game, profiles, step=1.0):
    r""":func:`local_nash_residual` at many profiles at once (``vmap``): ``profiles`` has shape
    ``(B, dim)``, each inside the domain; returns shape ``(B,)``. For residual maps on grids.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> batch_residuals(game, [[0.0, 0.0], [1.0, 2.0]]).tolist()
    [0.0, 2.0]
    """
    game = _check_game(game)
    if np.ndim(profiles) != 2:
        raise ValueError(f"profiles have shape {np.shape(profiles)}; expected (B, {game.dim})")
    profiles, _ = _check_samples(game, profiles, None)
    moves = np.asarray(_batch_displacement(game, profiles, _check_positive(step, "step")))
    return np.array([np.linalg.norm(moves[:, a:b], axis=1) for a, b in _blocks(game)]).max(axis=0)
