r"""Gradient dynamics in continuous games: gradient descent--ascent (GDA) and its repairs.

Every method moves the profile :math:`z = (x_1, \dots, x_n)` of a
:class:`~gtml_utils.games.ContinuousGame` along its pseudo-gradient

.. math::  V(z) = \bigl(\nabla_{x_1} u_1(z), \dots, \nabla_{x_n} u_n(z)\bigr),

so each player ascends its own utility (players maximise, as everywhere in the course; in
:math:`\min_x \max_y f` this is :math:`V = (-\partial_x f, \partial_y f)`). With step size
:math:`\eta`, Jacobian :math:`J = \partial V / \partial z` and its antisymmetric part
:math:`A = (J - J^\top)/2`:

``"gda"``
    :math:`z_{t+1} = z_t + \eta V(z_t)` (simultaneous gradient play).
``"alt_gda"``
    :math:`x_i \leftarrow x_i + \eta V_i(z)` for :math:`i = 1, \dots, n` in turn, each player
    seeing the moves already made (alternating gradient play).
``"ogda"``
    :math:`z_{t+1} = z_t + 2\eta V(z_t) - \eta V(z_{t-1})`, optimistic GDA (Daskalakis, Ilyas,
    Syrgkanis, Zeng 2018), started with :math:`V(z_{-1}) = V(z_0)`.
``"extragradient"``
    :math:`w_t = z_t + \eta V(z_t)`, then :math:`z_{t+1} = z_t + \eta V(w_t)` (Korpelevich 1976;
    Mertikopoulos et al. 2019).
``"consensus"``
    :math:`z_{t+1} = z_t + \eta\,(V - \gamma \nabla \tfrac12 \lVert V \rVert^2) = z_t + \eta\,(V - \gamma J^\top V)`,
    consensus optimisation (Mescheder, Nowozin, Geiger 2017); option ``gamma`` (default 1).
``"sga"``
    :math:`z_{t+1} = z_t + \eta\,(V - \lambda A^\top V)`, symplectic gradient adjustment
    (Balduzzi et al. 2018); options ``lam`` (default 1) and ``align`` (default ``False``; with
    ``True`` the sign of :math:`\lambda` is chosen at each step as in the paper's Algorithm 1,
    with :math:`\epsilon = 1/10`).

With a domain :math:`S`, every iterate (and every extrapolated point) is projected player by
player: player i's candidate is projected onto the section
:math:`S_i(z_{-i}) = \{x_i : (x_i, z_{-i}) \in S\}` it faces, players in order, each seeing
the blocks already projected; for a product set this is the ordinary projection, and for a
coupled convex set it keeps every iterate feasible.

:func:`simulate` runs any method from one start or a batch of starts, under ``jit``,
``lax.scan`` and ``vmap``. :func:`update_jacobian` differentiates one step, so the local
rate of a method at a fixed point is the spectral radius of a matrix computed by autodiff;
:func:`classify_trajectories` sorts runs into converged, cycling and diverged.

>>> import jax.numpy as jnp
>>> from gtml_utils.games import ContinuousGame
>>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
>>> path = simulate(game, [1.0, 0.0], "gda", step_size=0.5, steps=2)
>>> path.tolist()    # z <- z + 0.5 (-y, x): (1, 0) -> (1, 0.5) -> (0.75, 1)
[[1.0, 0.0], [1.0, 0.5], [0.75, 1.0]]
>>> round(float(jnp.linalg.norm(path[1]) / jnp.linalg.norm(path[0])), 6)   # sqrt(1 + eta^2)
1.118034
"""

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from gtml_utils.games import ContinuousGame

__all__ = [
    "METHODS",
    "simulate",
    "simulate_tail",
    "update_jacobian",
    "spectral_radius",
    "classify_trajectories",
    "gda_step",
    "alt_gda_step",
    "ogda_step",
    "extragradient_step",
    "consensus_step",
    "sga_step",
]


# ------------------------------------------------------------------ projections
def project(game, candidate, reference):
    r"""Project ``candidate`` player by player: block i goes onto :math:`S_i(z_{-i})`, where
    :math:`z` holds the blocks already projected (players before i) and ``reference`` (a
    feasible profile, the current iterate) for the others. The identity without a domain."""
    if game.domain is None:
        return candidate
    z = reference
    for i, (a, b) in enumerate(zip(game.offsets[:-1], game.offsets[1:])):
        z = z.at[a:b].set(game.project_player(i, z, candidate[a:b]))
    return z


# ------------------------------------------------------------------ the methods
# The examples use min_x max_y xy at z = (1, 2) with eta = 0.1, where V = (-y, x) = (-2, 1).
def gda_step(game, z, step_size):
    r"""Simultaneous GDA: :math:`z_{t+1} = \Pi(z_t + \eta V(z_t))`.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> xy = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> [round(float(c), 12) for c in gda_step(xy, jnp.array([1.0, 2.0]), 0.1)]   # (1 - 0.2, 2 + 0.1)
    [0.8, 2.1]
    """
    return project(game, z + step_size * game.pseudo_gradient(z), z)


def alt_gda_step(game, z, step_size):
    r"""Alternating GDA: players move in turn, :math:`x_i \leftarrow \Pi_i(x_i + \eta V_i(z))`,
    each seeing the moves of the players before it.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> xy = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> [round(float(c), 12) for c in alt_gda_step(xy, jnp.array([1.0, 2.0]), 0.1)]  # y sees x = 0.8
    [0.8, 2.08]
    """
    for i, (a, b) in enumerate(zip(game.offsets[:-1], game.offsets[1:])):
        own_gradient = game.pseudo_gradient(z)[a:b]
        z = z.at[a:b].set(game.project_player(i, z, z[a:b] + step_size * own_gradient))
    return z


def ogda_step(game, z, previous_gradient, step_size):
    r"""Optimistic GDA: :math:`z_{t+1} = \Pi(z_t + 2\eta V(z_t) - \eta V(z_{t-1}))`.
    Returns the new profile and :math:`V(z_t)`, the 'previous gradient' of the next step.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> xy = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> z, g = ogda_step(xy, jnp.array([1.0, 2.0]), jnp.array([0.0, 0.0]), 0.1)  # V(z_-1) = 0
    >>> [round(float(c), 12) for c in z], g.tolist()                            # z + 0.2 V(z)
    ([0.6, 2.2], [-2.0, 1.0])
    """
    gradient = game.pseudo_gradient(z)
    return project(game, z + 2 * step_size * gradient - step_size * previous_gradient, z), gradient


def extragradient_step(game, z, step_size):
    r"""Extragradient: look ahead, :math:`w = \Pi(z + \eta V(z))`, then move from :math:`z` with
    the gradient seen there, :math:`z_{t+1} = \Pi(z + \eta V(w))`.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> xy = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> [round(float(c), 12) for c in extragradient_step(xy, jnp.array([1.0, 2.0]), 0.1)]  # w = (0.8, 2.1)
    [0.79, 2.08]
    """
    lookahead = project(game, z + step_size * game.pseudo_gradient(z), z)
    return project(game, z + step_size * game.pseudo_gradient(lookahead), z)


def consensus_step(game, z, step_size, gamma):
    r"""Consensus optimisation: :math:`z_{t+1} = \Pi(z_t + \eta (V - \gamma J^\top V))`, where
    :math:`J^\top V = \nabla \tfrac12 \lVert V \rVert^2` is computed as a vector-Jacobian product.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> xy = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> [round(float(c), 12) for c in consensus_step(xy, jnp.array([1.0, 2.0]), 0.1, 1.0)]  # J^T V = z
    [0.7, 1.9]
    """
    v, pullback = jax.vjp(game.pseudo_gradient, z)
    return project(game, z + step_size * (v - gamma * pullback(v)[0]), z)


def sga_step(game, z, step_size, lam, align=False):
    r"""Symplectic gradient adjustment: :math:`z_{t+1} = \Pi(z_t + \eta (V - \lambda A^\top V))`
    with :math:`A^\top V = (J^\top V - J V)/2` from one vector-Jacobian and one
    Jacobian-vector product. With ``align``, :math:`\lambda` is multiplied by
    :math:`\operatorname{sign}(\langle \xi, \nabla H\rangle \langle A_\xi^\top \xi, \nabla H\rangle / d
    + \tfrac1{10})` for the losses' gradient :math:`\xi = -V` and :math:`H = \tfrac12\lVert\xi\rVert^2`,
    i.e. :math:`\operatorname{sign}(-\langle V, J^\top V\rangle \langle A^\top V, J^\top V\rangle / d
    + \tfrac1{10})`.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> xy = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> [round(float(c), 12) for c in sga_step(xy, jnp.array([1.0, 2.0]), 0.1, 1.0)]  # A = J: A^T V = z
    [0.7, 1.9]
    """
    v, pullback = jax.vjp(game.pseudo_gradient, z)
    jt_v = pullback(v)[0]
    j_v = jax.jvp(game.pseudo_gradient, (z,), (v,))[1]
    at_v = (jt_v - j_v) / 2
    if align:
        lam = lam * jnp.sign(-(v @ jt_v) * (at_v @ jt_v) / z.size + 0.1)
    return project(game, z + step_size * (v - lam * at_v), z)


#: The methods and their options with defaults.
METHODS = {
    "gda": {},
    "alt_gda": {},
    "ogda": {},
    "extragradient": {},
    "consensus": {"gamma": 1.0},
    "sga": {"lam": 1.0, "align": False},
}


def _state_step(game, method, step_size, options):
    """The method as a map on its state: (z, previous gradient) -> same (the second slot is
    used by OGDA only and carried unchanged by the others)."""
    if method == "ogda":
        return lambda state: ogda_step(game, state[0], state[1], step_size)
    if method == "consensus":
        return lambda state: (consensus_step(game, state[0], step_size, options["gamma"]), state[1])
    if method == "sga":
        return lambda state: (sga_step(game, state[0], step_size, options["lam"], options["align"]), state[1])
    one = {"gda": gda_step, "alt_gda": alt_gda_step, "extragradient": extragradient_step}[method]
    return lambda state: (one(game, state[0], step_size), state[1])


def _trajectory(game, method, skip, record, align, z0, step_size, floats):
    options = dict(floats, align=align)
    step = _state_step(game, method, step_size, options)
    state = (z0, game.pseudo_gradient(z0) if method == "ogda" else jnp.zeros_like(z0))
    if skip:
        state = jax.lax.fori_loop(0, skip, lambda _, s: step(s), state)

    def record_step(s, _):
        s = step(s)
        return s, s[0]

    _, path = jax.lax.scan(record_step, state, None, length=record)
    path = jnp.concatenate([state[0][None], path])
    return path, jnp.all(jnp.isfinite(path))


_STATIC = ("game", "method", "skip", "record", "align")
_run = jax.jit(_trajectory, static_argnames=_STATIC)


@partial(jax.jit, static_argnames=_STATIC)
def _run_batch(game, method, skip, record, align, z0, step_size, floats):
    one = partial(_trajectory, game, method, skip, record, align)
    return jax.vmap(one, in_axes=(0, None, None))(z0, step_size, floats)


# ------------------------------------------------------------------ validation
def _check_method(method, options):
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(map(repr, METHODS))}")
    unknown = set(options) - set(METHODS[method])
    if unknown:
        known = ", ".join(METHODS[method]) or "none"
        raise ValueError(f"method {method!r} got unknown option(s) {sorted(unknown)}; its options: {known}")
    merged = {**METHODS[method], **options}
    floats = {}
    for name, value in merged.items():
        if name == "align":
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError(f"align = {value!r}; expected True or False")
            continue
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"{name} = {value!r}; expected a finite number >= 0")
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} = {value!r}; expected a finite number >= 0")
        floats[name] = float(value)
    return floats, bool(merged.get("align", False))


def _check_step_size(step_size):
    if isinstance(step_size, (bool, np.bool_)) or not isinstance(step_size, (int, float, np.integer, np.floating)):
        raise ValueError(f"step_size = {step_size!r}; expected a positive finite number")
    if not (math.isfinite(step_size) and step_size > 0):
        raise ValueError(f"step_size = {step_size!r}; expected a positive finite number")
    return float(step_size)


def _check_steps(steps, name="steps"):
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"{name} = {steps!r}; expected an integer >= 1")
    return int(steps)


def _check_starts(game, z0):
    if not isinstance(game, ContinuousGame):
        raise ValueError(f"game is a {type(game).__name__}; expected a gtml_utils.games.ContinuousGame")
    try:
        z0 = np.asarray(z0, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"z0 must be an array of numbers ({err})") from None
    if z0.ndim not in (1, 2) or z0.shape[-1] != game.dim or z0.size == 0:
        raise ValueError(f"z0 has shape {z0.shape}; expected ({game.dim},) or (B, {game.dim}) for B starts")
    if not np.all(np.isfinite(z0)):
        raise ValueError("z0 contains NaN or inf; expected finite numbers")
    if game.domain is not None:
        violation = np.asarray(jax.vmap(game.domain._violation)(jnp.atleast_2d(z0)))
        if np.any(violation > 1e-8):
            k = int(np.argmax(violation))
            raise ValueError(f"start {k} of z0 lies outside the domain {game.domain!r} (by {violation[k]:.2e})")
    return jnp.asarray(z0)


def _trajectories(game, z0, method, step_size, skip, record, options):
    z0 = _check_starts(game, z0)
    step_size = _check_step_size(step_size)
    floats, align = _check_method(method, options)
    run = _run_batch if z0.ndim == 2 else _run
    out, finite = run(game, method, skip, record, align, z0, step_size, floats)
    if not bool(jnp.all(finite)):
        bad = np.argwhere(~np.asarray(jnp.all(jnp.isfinite(out), axis=-1)))[0]
        where = f"start {bad[0]}, " if out.ndim == 3 else ""
        raise FloatingPointError(
            f"{method} overflowed: the iterate is not finite ({where}recorded index {bad[-1]}); "
            "use a smaller step size or fewer steps"
        )
    return out


def simulate(game, z0, method, step_size, steps, **options):
    r"""Run ``method`` on ``game`` for ``steps`` steps from ``z0``.

    Parameters
    ----------
    game : ContinuousGame
        The game; its pseudo-gradient :math:`V` drives every method (see the module docstring).
    z0 : array of shape (d,) or (B, d)
        One start, or ``B`` starts simulated at once (``vmap``); inside the domain, if any.
    method : str
        One of ``"gda"``, ``"alt_gda"``, ``"ogda"``, ``"extragradient"``, ``"consensus"``,
        ``"sga"``.
    step_size : float
        :math:`\eta > 0`.
    steps : int
        :math:`T \ge 1`.
    **options
        ``gamma`` for consensus; ``lam`` and ``align`` for SGA.

    Returns
    -------
    jax.Array
        The iterates :math:`z_0, \dots, z_T`: shape ``(steps + 1, d)``, or
        ``(B, steps + 1, d)`` for a batch.

    Raises
    ------
    ValueError
        For a bad game, start, method, option, step size or number of steps.
    FloatingPointError
        When the iterates overflow (non-finite), with the first index where they did.

    Notes
    -----
    The first call for a given game, method and number of steps compiles the whole run (one
    XLA program: ``lax.scan`` over the steps, ``vmap`` over the starts); later calls with other
    step sizes, option values or starts of the same shape reuse it.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> simulate(game, [[1.0, 0.0], [0.0, 2.0]], "extragradient", 0.5, steps=10).shape
    (2, 11, 2)
    >>> simulate(game, [1.0, 0.0], "adam", 0.1, 10)
    Traceback (most recent call last):
    ...
    ValueError: unknown method 'adam'; expected one of 'gda', 'alt_gda', 'ogda', 'extragradient', 'consensus', 'sga'
    """
    steps = _check_steps(steps)
    return _trajectories(game, z0, method, step_size, 0, steps, options)


def simulate_tail(game, z0, method, step_size, steps, window, **options):
    r"""Like :func:`simulate`, but return only the last ``window + 1`` iterates
    :math:`z_{T-w}, \dots, z_T` (shape ``(window + 1, d)`` or ``(B, window + 1, d)``), so that
    many long runs fit in memory: the first :math:`T - w` steps are run without recording.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> full = simulate(game, [1.0, 0.0], "ogda", 0.2, steps=50)
    >>> tail = simulate_tail(game, [1.0, 0.0], "ogda", 0.2, steps=50, window=5)
    >>> bool(jnp.allclose(tail, full[-6:], rtol=1e-12, atol=0))
    True
    """
    steps = _check_steps(steps)
    window = _check_steps(window, "window")
    if window > steps:
        raise ValueError(f"window = {window} exceeds steps = {steps}; expected window <= steps")
    return _trajectories(game, z0, method, step_size, steps - window, window, options)


# ------------------------------------------------------------------ linear analysis
def update_jacobian(game, z, method, step_size, **options):
    r"""The Jacobian of one step of ``method`` at the profile ``z``, by automatic
    differentiation: a ``(d, d)`` matrix, or ``(2d, 2d)`` for OGDA, whose state is
    :math:`(z_t, V(z_{t-1}))` (evaluated at :math:`(z, V(z))`).

    At a fixed point :math:`z^\star` (:math:`V(z^\star) = 0`) its spectral radius
    :math:`\rho` is the local rate: the iterates converge to :math:`z^\star` from nearby
    starts, as :math:`\rho^t`, when :math:`\rho < 1` (Ostrowski's theorem), and move away
    from almost all nearby starts when :math:`\rho > 1`. For bilinear games the update is
    linear and this matrix *is* the update.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> update_jacobian(game, [0.0, 0.0], "gda", 0.1).tolist()
    [[1.0, -0.1], [0.1, 1.0]]
    """
    z = _check_starts(game, z)
    if z.ndim != 1:
        raise ValueError(f"z has shape {z.shape}; expected one profile of shape ({game.dim},)")
    step_size = _check_step_size(step_size)
    floats, align = _check_method(method, options)
    return np.asarray(_jacobian(game, method, align, z, step_size, floats))


@partial(jax.jit, static_argnames=("game", "method", "align"))
def _jacobian(game, method, align, z, step_size, floats):
    step = _state_step(game, method, step_size, dict(floats, align=align))
    if method == "ogda":
        d = game.dim
        flat = lambda s: jnp.concatenate(step((s[:d], s[d:])))  # noqa: E731
        return jax.jacfwd(flat)(jnp.concatenate([z, game.pseudo_gradient(z)]))
    return jax.jacfwd(lambda s: step((s, jnp.zeros_like(s)))[0])(z)


def spectral_radius(game, z, method, step_size, **options):
    r"""The largest modulus of an eigenvalue of :func:`update_jacobian`: the local rate
    :math:`\rho` of ``method`` at the fixed point ``z``.

    >>> import jax.numpy as jnp
    >>> from gtml_utils.games import ContinuousGame
    >>> game = ContinuousGame.zero_sum(lambda x, y: jnp.sum(x * y), dims=(1, 1))
    >>> round(spectral_radius(game, [0.0, 0.0], "extragradient", 0.5), 6)   # sqrt(1 - eta^2 + eta^4)
    0.901388
    """
    return float(np.abs(np.linalg.eigvals(update_jacobian(game, z, method, step_size, **options))).max())


# ------------------------------------------------------------------ classification
CONVERGED, CYCLING, DIVERGED, UNDECIDED = "converged", "cycling", "diverged", "undecided"


def classify_trajectories(tails, *, radius, tol=1e-6, amplitude_tol=0.05, recurrence=0.25):
    r"""Sort runs by how they end, from the last iterates of each run.

    ``tails`` has shape ``(B, W, d)`` (or ``(W, d)`` for one run): the last :math:`W` iterates,
    e.g. from :func:`simulate_tail`. Split them into two halves :math:`H_1, H_2` (the earlier
    and the later :math:`W/2` iterates) and let :math:`D_k` be the diameter of :math:`H_k`
    (the largest coordinate range, a cheap proxy for the diameter). A run is

    - ``"diverged"`` when its last iterate lies outside the ball :math:`\lVert z \rVert \le`
      ``radius``;
    - otherwise ``"converged"`` when :math:`D_2 \le` ``tol`` (it has stopped moving);
    - otherwise ``"cycling"`` when its amplitude is steady,
      :math:`|D_2 - D_1| \le` ``amplitude_tol`` :math:`\cdot D_1`, **and** it is recurrent:
      the last iterate lies within ``recurrence`` :math:`\cdot D_2` of an iterate of
      :math:`H_1`, i.e. the run comes back to where it was;
    - otherwise ``"undecided"`` (still contracting or expanding, or aperiodic): the window
      is too short to tell, and the caller should run longer rather than guess.

    Returns an array of strings of shape ``(B,)`` (or a single string).

    >>> import numpy as np
    >>> t = np.arange(200)[:, None]
    >>> circle = np.hstack([np.cos(0.3 * t), np.sin(0.3 * t)])
    >>> spiral_in = circle * 0.97 ** t
    >>> at_rest = np.zeros((200, 2))
    >>> escaping = circle * 1.02 ** t
    >>> classify_trajectories(np.stack([circle, spiral_in, at_rest, escaping]), radius=10).tolist()
    ['cycling', 'undecided', 'converged', 'diverged']
    """
    tails = np.asarray(tails, dtype=np.float64)
    single = tails.ndim == 2
    if single:
        tails = tails[None]
    if tails.ndim != 3 or tails.shape[1] < 4:
        raise ValueError(f"tails have shape {np.shape(tails)}; expected (B, W, d) or (W, d) with W >= 4")
    for name, value in (("radius", radius), ("tol", tol), ("amplitude_tol", amplitude_tol),
                        ("recurrence", recurrence)):
        if not (np.isscalar(value) and np.isfinite(value) and value > 0):
            raise ValueError(f"{name} = {value!r}; expected a positive finite number")
    half = tails.shape[1] // 2
    finite = np.all(np.isfinite(tails), axis=(1, 2))
    safe = np.where(finite[:, None, None], tails, 0.0)
    first, second = safe[:, :half], safe[:, -half:]
    d1 = np.ptp(first, axis=1).max(axis=1)
    d2 = np.ptp(second, axis=1).max(axis=1)
    last = second[:, -1]
    returns = np.min(np.linalg.norm(first - last[:, None], axis=2), axis=1)
    diverged = ~finite | (np.linalg.norm(last, axis=1) > radius)
    converged = ~diverged & (d2 <= tol)
    steady = np.abs(d2 - d1) <= amplitude_tol * d1
    cycling = ~diverged & ~converged & steady & (returns <= recurrence * d2)
    labels = np.full(len(tails), UNDECIDED, dtype=object)
    labels[cycling] = CYCLING
    labels[converged] = CONVERGED
    labels[diverged] = DIVERGED
    labels = labels.astype(str)
    return str(labels[0]) if single else labels
