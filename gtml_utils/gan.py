r"""GANs as two-player games: the ring of Gaussians, simultaneous training, and its repairs.

The generator :math:`G_\theta` maps Gaussian noise :math:`z \sim \mathcal N(0, I)` to the plane;
the discriminator :math:`D_\phi` outputs a logit. They play the zero-sum game
(Goodfellow et al. 2014)

.. math::

    \min_\theta \max_\phi\ f(\theta, \phi) = \mathbb{E}_{x \sim p}\bigl[\log \sigma(D_\phi(x))\bigr]
    + \mathbb{E}_{z}\bigl[\log\bigl(1 - \sigma(D_\phi(G_\theta(z)))\bigr)\bigr],

on the ring of 8 Gaussians of Metz et al. (2017): modes at radius 2, standard deviation 0.02.
In the course convention the players *maximise* :math:`u_G = -f` and :math:`u_D = f`; the
optimisers below descend the *losses* :math:`-u_i`, whose stacked gradients form the game's
simultaneous-gradient field :math:`v(\theta, \phi) = (\nabla_\theta f, -\nabla_\phi f)`.

Every method here is one update family with four knobs, all on top of Adam from optax:

- ``extrapolate``: extragradient (Korpelevich 1976) with Adam steps, as *Extra-Adam* of
  Gidel et al. (2019): take a look-ahead Adam step :math:`w = \omega + \mathrm{Adam}(v(\omega))`,
  then update :math:`\omega` with the field at the look-ahead point, :math:`v(w)`;
- ``optimism`` :math:`\beta`: optimistic Adam (Daskalakis et al. 2018), the update
  :math:`-\eta\bigl((1 + \beta) r_t - \beta r_{t-1}\bigr)` with :math:`r_t` Adam's normalised
  moment (``optax.optimistic_adam_v2``); :math:`\beta = 0` is plain Adam;
- ``consensus`` :math:`\gamma`: consensus optimisation (Mescheder, Nowozin, Geiger 2017), which
  follows :math:`v + \gamma \nabla \tfrac12 \lVert v \rVert^2 = v + \gamma J^\top v`;
- ``alternate``: the discriminator steps first and the generator answers the discriminator's
  new parameters (the usual GAN practice, Goodfellow et al. 2014).

All off is *simultaneous* training: both players take an Adam step on their own loss at the
same point. A training run is a ``lax.scan`` over steps; runs are ``vmap``-ed over seeds
(:func:`train_gan`, the method compiled in) or over methods and seeds (:func:`train_gans`,
one compilation for all). Runs are reproducible: the same seeds give the same samples. (The
random numbers come from XLA's RngBitGenerator, whose batched draws depend on the batch:
a seed trained alone and the same seed trained in a batch give different, equally valid, runs.)

>>> config = GANConfig(latent_dim=3, hidden=5, batch_size=8, steps=6, snapshots=2, n_eval=40)
>>> run = train_gan("simultaneous", seeds=[0, 1], config=config)
>>> run.samples.shape            # (seeds, snapshots, n_eval, 2)
(2, 2, 40, 2)
>>> modes, quality = mode_metrics(sample_ring(jax.random.key(0), 2500))
>>> int(modes), float(quality) > 0.98   # the data themselves: all 8 modes, all high quality
(8, True)
"""

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = [
    "GANConfig",
    "FULL_SCALE",
    "Method",
    "METHODS",
    "GANRun",
    "ring_centers",
    "sample_ring",
    "init_mlp",
    "mlp",
    "generate",
    "discriminate",
    "gan_value",
    "simultaneous_gradient",
    "train_gan",
    "train_gans",
    "mode_metrics",
]

DTYPE = jnp.float32
#: XLA's RngBitGenerator: statistically sound, and it compiles several times faster than the
#: default threefry, whose unrolled rounds dominated the compile time of a training step.
PRNG = "rbg"
N_MODES, RADIUS, STD = 8, 2.0, 0.02


class GANConfig(NamedTuple):
    """Sizes and optimiser settings of a GAN run on the ring.

    The defaults are the full-scale setting, that of the public demo accompanying Metz et
    al. (2017) (its architecture and hyperparameters are close to, not identical with, the
    paper's): generator and discriminator with two ``tanh`` hidden layers of 128 units,
    256-dimensional Gaussian noise, orthogonal initialisation with gain 1.4, batches of 512,
    Adam with :math:`\beta_1 = 0.5` and learning rates :math:`10^{-3}` (generator) and
    :math:`10^{-4}` (discriminator), 25,000 steps. ``snapshots`` generator samples of size
    ``n_eval`` are kept, evenly spaced over training.
    """

    latent_dim: int = 256
    hidden: int = 128
    gen_layers: int = 2
    disc_layers: int = 2
    batch_size: int = 512
    steps: int = 25_000
    snapshots: int = 10
    n_eval: int = 2500
    lr_generator: float = 1e-3
    lr_discriminator: float = 1e-4
    b1: float = 0.5
    activation: str = "tanh"
    init_gain: float = 1.4
    disc_input_scale: float = 1.0


#: The full-scale setting (the defaults of :class:`GANConfig`).
FULL_SCALE = GANConfig()


class Method(NamedTuple):
    """The knobs of the update family (see the module docstring)."""

    extrapolate: bool = False
    optimism: float = 0.0
    consensus: float = 0.0
    alternate: bool = False


#: The methods compared in the book: simultaneous Adam, alternating Adam (the usual GAN
#: practice, used by Metz et al. 2017), and three repairs of simultaneous training.
METHODS = {
    "simultaneous": Method(),
    "alternating": Method(alternate=True),
    "optimistic": Method(optimism=1.0),
    "extragradient": Method(extrapolate=True),
    "consensus": Method(consensus=10.0),
}


class GANRun(NamedTuple):
    """Result of :func:`train_gan`: generator samples of shape ``(seeds, snapshots, n_eval, 2)``
    taken after ``steps_at[k]`` training steps, from the same noise for every snapshot."""

    samples: np.ndarray
    steps_at: np.ndarray
    method: str
    seeds: tuple
    config: GANConfig


# ----------------------------------------------------------------------------- data
def ring_centers(n_modes=N_MODES, radius=RADIUS):
    r"""The means :math:`r(\cos 2\pi k/K, \sin 2\pi k/K)`, :math:`k = 0, \dots, K-1`, shape ``(K, 2)``.

    >>> np.round(ring_centers(4, 1.0), 6).tolist()
    [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [-0.0, -1.0]]
    """
    if not isinstance(n_modes, (int, np.integer)) or n_modes < 1:
        raise ValueError(f"n_modes = {n_modes!r}; expected a positive integer")
    if not np.isfinite(radius) or radius <= 0:
        raise ValueError(f"radius = {radius}; expected a positive finite number")
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)


@partial(jax.jit, static_argnames=("n", "n_modes", "radius", "std"))
def sample_ring(key, n, *, n_modes=N_MODES, radius=RADIUS, std=STD):
    """``n`` points from the equal-weight mixture of ``n_modes`` Gaussians N(center_k, std^2 I)
    on a circle of radius ``radius``: shape ``(n, 2)``. ``key`` is a JAX PRNG key."""
    centers = jnp.asarray(ring_centers(n_modes, radius))
    k_mode, k_noise = jax.random.split(key)
    modes = jax.random.randint(k_mode, (n,), 0, n_modes)
    return centers[modes] + std * jax.random.normal(k_noise, (n, 2), DTYPE)


# ----------------------------------------------------------------------------- networks and game
def init_mlp(key, sizes, gain=1.0):
    r"""The parameters of a perceptron with layer sizes ``sizes``, as one flat vector: each
    weight matrix orthogonal times ``gain``, zero biases, layer after layer.

    One vector per player keeps the optimiser's work to a few array operations per step.

    >>> init_mlp(jax.random.key(0), (2, 3, 1)).shape   # 2*3 + 3 + 3*1 + 1
    (13,)
    """
    keys = jax.random.split(key, len(sizes) - 1)
    orthogonal = jax.nn.initializers.orthogonal(scale=gain)
    parts = []
    for k, m, n in zip(keys, sizes[:-1], sizes[1:]):
        parts += [orthogonal(k, (m, n), DTYPE).ravel(), jnp.zeros(n, DTYPE)]
    return jnp.concatenate(parts)


ACTIVATIONS = {"tanh": jnp.tanh, "relu": jax.nn.relu}


def mlp(params, x, sizes, activation="tanh"):
    """The perceptron with layer ``sizes`` and flat ``params`` (see :func:`init_mlp`) applied to
    the rows of ``x``: hidden layers with ``activation`` (``"tanh"`` or ``"relu"``), a linear
    output layer."""
    start = 0
    for layer, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = params[start:start + m * n].reshape(m, n)
        b = params[start + m * n:start + m * n + n]
        start += m * n + n
        x = x @ w + b
        if layer < len(sizes) - 2:
            x = ACTIVATIONS[activation](x)
    return x


def _sizes(config):
    """Layer sizes of the generator and the discriminator."""
    return ((config.latent_dim,) + (config.hidden,) * config.gen_layers + (2,),
            (2,) + (config.hidden,) * config.disc_layers + (1,))


def generate(generator, z, config):
    """Generator samples :math:`G_\\theta(z)` for the rows of ``z``, shape ``(n, 2)``."""
    return mlp(generator, z, _sizes(config)[0], config.activation)


def discriminate(discriminator, x, config):
    """Discriminator logits :math:`D_\\phi(x)` for the rows of ``x``, shape ``(n,)``."""
    return mlp(discriminator, config.disc_input_scale * x, _sizes(config)[1], config.activation)[:, 0]


def gan_value(generator, discriminator, z, x, config):
    r"""Minibatch estimate of :math:`f(\theta, \phi) = \frac1n\sum \log\sigma(D(x_i)) +
    \frac1m\sum\log(1 - \sigma(D(G(z_j))))`: the discriminator maximises it, the generator
    minimises it."""
    real = discriminate(discriminator, x, config)
    fake = discriminate(discriminator, generate(generator, z, config), config)
    return jnp.mean(jax.nn.log_sigmoid(real)) + jnp.mean(jax.nn.log_sigmoid(-fake))


def simultaneous_gradient(params, z, x, config):
    r"""The game's vector field in descent form, :math:`v = (\nabla_\theta f, -\nabla_\phi f)`:
    each player's gradient of its own loss, at the same point ``params = (generator, discriminator)``."""
    g_gen, g_disc = jax.grad(gan_value, argnums=(0, 1))(params[0], params[1], z, x, config)
    return (g_gen, -g_disc)


def _optimizers(config, optimism, lr_generator, lr_discriminator):
    """Optimistic Adam for each player; ``optimism = 0`` is exactly Adam."""

    def make(lr):
        return optax.optimistic_adam_v2(lr, alpha=1.0, beta=optimism, b1=config.b1, nesterov=False)

    return make(lr_generator), make(lr_discriminator)


def _apply(optimizers, base, states, grads):
    """Each player's optimiser step from ``base`` with its own gradient."""
    new, new_states = [], []
    for opt, p, s, g in zip(optimizers, base, states, grads):
        updates, s = opt.update(g, s, p)
        new.append(optax.apply_updates(p, updates))
        new_states.append(s)
    return tuple(new), tuple(new_states)


def _where(flag, a, b):
    return jax.tree.map(lambda x, y: jnp.where(flag, x, y), a, b)


def _gan_step(config, knobs, carry, key):
    """One training step of the update family.

    ``knobs = (extrapolate, optimism, consensus, alternate, lr_generator, lr_discriminator)``.
    Python values are static: a method pays only for the parts it uses. Traced values
    (several methods batched by ``vmap``) compute every part and select.
    """
    extrapolate, optimism, gamma, alternate, lr_gen, lr_disc = knobs
    params, states = carry
    optimizers = _optimizers(config, optimism, lr_gen, lr_disc)
    k_z, k_x = jax.random.split(key)
    z = jax.random.normal(k_z, (config.batch_size, config.latent_dim), DTYPE)
    x = sample_ring(k_x, config.batch_size)
    field = partial(simultaneous_gradient, z=z, x=x, config=config)

    # Extragradient: a look-ahead step with the current field; as in Extra-Adam, its
    # gradient enters the moment estimates, and the real step starts again from `params`.
    point = params
    if extrapolate is not False:
        ahead, ahead_states = _apply(optimizers, params, states, field(params))
        point, states = (ahead, ahead_states) if extrapolate is True else _where(
            extrapolate, (ahead, ahead_states), (params, states))

    # Consensus: v + gamma J^T v, i.e. the field plus gamma * grad(||v||^2 / 2).
    if isinstance(gamma, (int, float)) and gamma == 0:
        grads = field(point)
    else:
        v, vjp = jax.vjp(field, point)
        grads = jax.tree.map(lambda a, b: a + gamma * b, v, vjp(v)[0])
    new, new_states = _apply(optimizers, params, states, grads)

    # Alternating: the discriminator moves first; the generator answers its new parameters.
    if alternate is not False:
        gen_grad = field((point[0], new[1]))[0]
        gen, gen_state = _apply(optimizers[:1], params[:1], states[:1], (gen_grad,))
        answer = ((gen[0], new[1]), (gen_state[0], new_states[1]))
        new, new_states = answer if alternate is True else _where(alternate, answer, (new, new_states))
    return (new, new_states), None


@partial(jax.jit, static_argnames=("config",))
def _initial(config, keys):
    """Initial parameters of every seed's two players (compiled once per config, shared by methods)."""

    def one(key):
        k_gen, k_disc = jax.random.split(key)
        gen_sizes, disc_sizes = _sizes(config)
        return init_mlp(k_gen, gen_sizes, config.init_gain), init_mlp(k_disc, disc_sizes, config.init_gain)

    return jax.vmap(one)(keys)


def _start_carry(config, knobs, params):
    """Parameters and fresh optimiser states: the state a run carries from step to step."""
    return params, tuple(opt.init(p) for opt, p in zip(_optimizers(config, knobs[1], *knobs[4:]), params))


def _chunk_keys(config, key):
    """One key per training step, one row per snapshot: shape (snapshots, steps // snapshots)."""
    return jax.random.split(key, config.steps).reshape(config.snapshots, -1)


def _train_chunk(config, knobs, z_eval, carry, keys):
    """The steps between two snapshots, then the generator's samples on ``z_eval``."""
    carry, _ = jax.lax.scan(partial(_gan_step, config, knobs), carry, keys)
    return carry, generate(carry[0][0], z_eval, config)


def _run(config, knobs, params, key, z_eval):
    """One training run from ``params``: generator samples on ``z_eval`` after each chunk of
    steps, shape (snapshots, n_eval, 2)."""
    chunk = partial(_train_chunk, config, knobs, z_eval)
    return jax.lax.scan(chunk, _start_carry(config, knobs, params), _chunk_keys(config, key))[1]


@partial(jax.jit, static_argnames=("config", "knobs"))
def _train_static(config, knobs, learning_rates, params, keys, z_eval):
    """The method's four knobs compiled in; the learning rates traced (one compilation serves all)."""
    full = (*knobs, learning_rates[0], learning_rates[1])
    return jax.vmap(lambda p, key: _run(config, full, p, key, z_eval))(params, keys)


# LLVM's optimisation level 1 instead of the default: for these small networks it halves
# the compile time and the code runs no slower (measured on CPU, jax 0.10).
@partial(jax.jit, static_argnames=("config", "shared"), compiler_options={"xla_backend_optimization_level": 1})
def _train_batched(config, shared, knobs, params, keys, z_eval):
    """``shared[i]`` is a Python value when all methods agree on knob ``i`` (compiled in, so a
    part no method uses costs nothing) and ``None`` when ``knobs[i]`` varies over methods."""

    def one(varying, p, key):
        merged = tuple(v if v is not None else varying[i] for i, v in enumerate(shared))
        return _run(config, merged, p, key, z_eval)

    over_seeds = jax.vmap(one, in_axes=(None, 0, 0))
    return jax.vmap(over_seeds, in_axes=(0, None, None))(knobs, params, keys)


def _check_config(config):
    if not isinstance(config, GANConfig):
        raise ValueError(f"config is a {type(config).__name__}; expected a GANConfig")
    for name in ("latent_dim", "hidden", "gen_layers", "disc_layers", "batch_size", "steps", "snapshots", "n_eval"):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"config.{name} = {value!r}; expected a positive integer")
    if config.steps % config.snapshots:
        raise ValueError(f"config.steps = {config.steps} is not a multiple of config.snapshots = {config.snapshots}")
    for name in ("lr_generator", "lr_discriminator"):
        value = getattr(config, name)
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"config.{name} = {value}; expected a positive finite learning rate")
    for name in ("init_gain", "disc_input_scale"):
        value = getattr(config, name)
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"config.{name} = {value}; expected a positive finite number")
    if config.activation not in ACTIVATIONS:
        raise ValueError(f"config.activation = {config.activation!r}; expected one of {sorted(ACTIVATIONS)}")
    if not 0 <= config.b1 < 1:
        raise ValueError(f"config.b1 = {config.b1}; expected a number in [0, 1)")


def _method(method):
    if isinstance(method, str):
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; expected one of {sorted(METHODS)} or a Method")
        return method, METHODS[method]
    if isinstance(method, Method):
        if not (np.isfinite(method.optimism) and method.optimism >= 0):
            raise ValueError(f"optimism = {method.optimism}; expected a finite number >= 0")
        if not (np.isfinite(method.consensus) and method.consensus >= 0):
            raise ValueError(f"consensus = {method.consensus}; expected a finite number >= 0")
        return "custom", Method(bool(method.extrapolate), float(method.optimism), float(method.consensus),
                                bool(method.alternate))
    raise ValueError(f"method is a {type(method).__name__}; expected a method name or a Method")


def _start(seeds, eval_seed, config):
    """Seeds as a tuple, each run's initial parameters and step key, and the evaluation noise."""
    seeds = tuple(int(s) for s in np.atleast_1d(seeds))
    if not seeds:
        raise ValueError("seeds is empty; expected at least one seed")
    data = jnp.stack([jax.random.key_data(jax.random.key(s, impl=PRNG)) for s in seeds])
    init_keys, step_keys = jax.vmap(jax.random.split, out_axes=1)(jax.random.wrap_key_data(data, impl=PRNG))
    z_eval = np.random.default_rng(eval_seed).standard_normal((config.n_eval, config.latent_dim)).astype(np.float32)
    return seeds, _initial(config, init_keys), step_keys, jnp.asarray(z_eval)


def train_gan(method, seeds, config=None, *, eval_seed=12345):
    """Train one GAN per seed on the ring with ``method``, all seeds at once (``vmap``).

    The method's knobs are compiled in, so it pays only for what it uses (one compilation
    per method and config). To train several methods in one compiled program, see
    :func:`train_gans`.

    Parameters
    ----------
    method : str or Method
        A key of :data:`METHODS` (``"simultaneous"``, ``"optimistic"``, ``"extragradient"``,
        ``"consensus"``) or a :class:`Method` with custom knobs.
    seeds : sequence of int
        One independent run (initialisation and minibatches) per seed.
    config : GANConfig, optional
        Network sizes, batch size, number of steps and snapshots, Adam settings;
        default :data:`FULL_SCALE`.
    eval_seed : int
        Seed of the fixed noise from which every snapshot's samples are drawn.

    Returns
    -------
    GANRun
        ``samples`` of shape ``(len(seeds), config.snapshots, config.n_eval, 2)`` and
        ``steps_at``, the number of training steps before each snapshot.
    """
    name, knobs = _method(method)
    config = FULL_SCALE if config is None else config
    _check_config(config)
    seeds, params, keys, z_eval = _start(seeds, eval_seed, config)
    rates = jnp.asarray([config.lr_generator, config.lr_discriminator], DTYPE)
    samples = _train_static(_shape_only(config), tuple(knobs), rates, params, keys, z_eval)
    return GANRun(np.asarray(samples), _steps_at(config), name, seeds, config)


def train_gans(methods, seeds, config=None, *, learning_rates=None, eval_seed=12345):
    """Train every method on every seed in one compiled program, ``vmap``-ed over methods and
    seeds; returns ``{label: GANRun}`` in the order given.

    Each run computes every part of the update family and keeps what its method needs: one
    compilation instead of one per method, more arithmetic per step, which pays off for small
    networks. Results agree with :func:`train_gan`'s to float32 rounding.

    Parameters
    ----------
    methods : sequence or dict
        Method names or :class:`Method` objects; a dict maps labels to them (labels must
        differ, so the same method can appear with different learning rates).
    learning_rates : sequence of (float, float), optional
        ``(lr_generator, lr_discriminator)`` for each method; default: those of ``config``.

    >>> config = GANConfig(latent_dim=3, hidden=5, batch_size=8, steps=6, snapshots=2, n_eval=40)
    >>> runs = train_gans(["simultaneous", "consensus"], seeds=[0, 1], config=config)
    >>> list(runs), runs["consensus"].samples.shape
    (['simultaneous', 'consensus'], (2, 2, 40, 2))
    """
    if isinstance(methods, dict):
        labels, methods = list(methods), list(methods.values())
    else:
        methods = list(methods)
        labels = [m if isinstance(m, str) else f"custom{i}" for i, m in enumerate(methods)]
    if not methods:
        raise ValueError("methods is empty; expected at least one method")
    if len(set(labels)) != len(labels):
        raise ValueError(f"methods {labels} repeat a name; expected distinct methods (or a dict of labels)")
    knobs = [_method(m)[1] for m in methods]
    config = FULL_SCALE if config is None else config
    _check_config(config)
    if learning_rates is None:
        learning_rates = [(config.lr_generator, config.lr_discriminator)] * len(methods)
    learning_rates = np.asarray(learning_rates, dtype=np.float64)
    if learning_rates.shape != (len(methods), 2) or not np.all(np.isfinite(learning_rates) & (learning_rates > 0)):
        raise ValueError(f"learning_rates must be {len(methods)} pairs of positive numbers, one per method")
    seeds, params, keys, z_eval = _start(seeds, eval_seed, config)
    columns = [[bool(k.extrapolate) for k in knobs], [float(k.optimism) for k in knobs],
               [float(k.consensus) for k in knobs], [bool(k.alternate) for k in knobs],
               learning_rates[:, 0].tolist(), learning_rates[:, 1].tolist()]
    # A knob shared by every method is compiled in; the others are traced (and vmapped).
    shared = tuple(column[0] if len(set(column)) == 1 and i < 4 else None for i, column in enumerate(columns))
    traced = tuple(jnp.asarray(column, bool if i in (0, 3) else DTYPE) for i, column in enumerate(columns))
    samples = np.asarray(_train_batched(_shape_only(config), shared, traced, params, keys, z_eval))
    return {label: GANRun(samples[i], _steps_at(config), label, seeds,
                          config._replace(lr_generator=float(lr[0]), lr_discriminator=float(lr[1])))
            for i, (label, lr) in enumerate(zip(labels, learning_rates))}


def _shape_only(config):
    """The config without its learning rates, which are traced: one compilation serves them all."""
    return config._replace(lr_generator=1.0, lr_discriminator=1.0)


def _steps_at(config):
    return (np.arange(1, config.snapshots + 1) * (config.steps // config.snapshots)).astype(int)


# ----------------------------------------------------------------------------- metrics
def mode_metrics(samples, *, n_modes=N_MODES, radius=RADIUS, std=STD, min_count=20):
    r"""Modes captured and fraction of high-quality samples, the ring metrics of the GAN
    literature (Srivastava et al. 2017).

    A sample is *high quality* when it lies within :math:`3\sigma` of its nearest mode; a mode
    is *captured* when at least ``min_count`` high-quality samples are nearest to it (20 of
    2,500 samples is 0.8%, where a perfect generator puts 12.5% on each mode). Srivastava et
    al. count a mode with a single sample: ``min_count=1`` reproduces their rule.

    Parameters
    ----------
    samples : array of shape (..., n, 2)
        One or more batches of samples (leading axes are kept: seeds, snapshots, ...).

    Returns
    -------
    (modes, quality) : arrays of shape ``samples.shape[:-2]``
        The number of modes captured (int) and the high-quality fraction (float).
    """
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim < 2 or samples.shape[-1] != 2 or samples.shape[-2] == 0:
        raise ValueError(f"samples have shape {samples.shape}; expected (..., n, 2) with n >= 1")
    if not np.all(np.isfinite(samples)):
        raise ValueError("samples contain NaN or inf; expected finite points")
    centers = ring_centers(n_modes, radius).astype(np.float64)
    distances = np.linalg.norm(samples[..., None, :] - centers, axis=-1)  # (..., n, K)
    nearest = distances.argmin(-1)
    good = distances.min(-1) < 3 * std
    counts = np.stack([np.sum(good & (nearest == k), axis=-1) for k in range(n_modes)], axis=-1)
    return np.sum(counts >= min_count, axis=-1), good.mean(axis=-1)
