r"""Adversarial examples and adversarial training: a classifier as a player in a min--max game.

A classifier with parameters :math:`\theta` and loss :math:`\ell(\theta; x, y)` (cross-entropy)
is *attacked* by an adversary who may move each input within the :math:`\ell_\infty` ball
:math:`\{x + \delta : \lVert\delta\rVert_\infty \le \varepsilon\}` (intersected with the pixel
box :math:`[0, 1]^d`) and who maximises the loss. Two attacks:

- FGSM, the fast gradient sign method (Goodfellow, Shlens, Szegedy 2015): one step
  :math:`x' = \Pi_{[0,1]^d}\bigl(x + \varepsilon\, \mathrm{sign}\,\nabla_x \ell(\theta; x, y)\bigr)`;
- PGD, projected gradient ascent (Madry et al. 2018): :math:`k` steps
  :math:`x^{t+1} = \Pi_{B_\infty(x, \varepsilon) \cap [0,1]^d}\bigl(x^t + \alpha\,
  \mathrm{sign}\,\nabla_x \ell(\theta; x^t, y)\bigr)`, optionally from a uniformly random start.

The projection onto the intersection of the two boxes is coordinate-wise clipping
(the Euclidean projection of :class:`gtml_utils.projections.Box`), so it is exact.

*Adversarial training* (Madry et al. 2018) is the learner's answer: it solves the zero-sum game

.. math::

    \min_\theta \; \mathbb{E}_{(x, y)} \Bigl[\max_{\lVert\delta\rVert_\infty \le \varepsilon}
    \ell(\theta; x + \delta, y)\Bigr]

by stochastic gradient descent on :math:`\theta`, where each minibatch's inner maximum is
approximated by PGD and, by Danskin's theorem, the gradient of the max is the gradient of
the loss at the maximiser. Models are small multilayer perceptrons (ReLU) trained with
``optax.adam``; data are scikit-learn's bundled 8x8 digits (no download).

All arrays are float32 (the package enables JAX's float64 globally; networks do not need it).

>>> data = load_digits_split(seed=0)
>>> params = train_classifier(data.x_train, data.y_train, hidden=(32,), epochs=20, seed=0)
>>> clean = accuracy(params, data.x_test, data.y_test)
>>> attacked = accuracy(params, pgd(params, data.x_test, data.y_test, eps=0.3), data.y_test)
>>> clean > 0.9, attacked < 0.1
(True, True)
"""

from collections import namedtuple
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = [
    "Digits",
    "load_digits_split",
    "init_mlp",
    "mlp_logits",
    "cross_entropy",
    "accuracy",
    "fgsm",
    "pgd",
    "robust_accuracy",
    "train_classifier",
]

DTYPE = jnp.float32

Digits = namedtuple("Digits", ["x_train", "y_train", "x_test", "y_test"])
Digits.__doc__ = """Train/test split of the digits: images as rows of 64 pixels in [0, 1], labels 0-9."""


# ----------------------------------------------------------------------------- validation
def _check_eps(eps):
    try:
        eps = float(eps)
    except (TypeError, ValueError):
        raise ValueError(f"eps = {eps!r}; expected a finite number >= 0") from None
    if not np.isfinite(eps) or eps < 0:
        raise ValueError(f"eps = {eps}; expected a finite radius >= 0")
    return eps


def _check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} = {value!r}; expected a positive integer")
    return int(value)


def _check_data(x, y, n_classes=None):
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"x has shape {x.shape}; expected a nonempty batch of shape (n, d)")
    if not np.issubdtype(x.dtype, np.number) or not np.all(np.isfinite(x)):
        raise ValueError("x must contain finite numbers")
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"x has values in [{x.min():.3g}, {x.max():.3g}]; expected pixels in [0, 1]")
    if y.shape != (x.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y has shape {y.shape} and dtype {y.dtype}; expected integer labels of shape ({x.shape[0]},)")
    if y.min() < 0 or (n_classes is not None and y.max() >= n_classes):
        raise ValueError(f"labels range over [{y.min()}, {y.max()}]; expected classes 0..{n_classes - 1}")
    return jnp.asarray(x, DTYPE), jnp.asarray(y, jnp.int32)


def _check_params(params, x=None):
    if not isinstance(params, (list, tuple)) or not params or not all(
        isinstance(layer, (list, tuple)) and len(layer) == 2 for layer in params
    ):
        raise ValueError("params must be a nonempty list of (W, b) layers, as returned by init_mlp")
    if x is not None and params[0][0].shape[0] != x.shape[1]:
        raise ValueError(f"the network takes inputs of size {params[0][0].shape[0]}; x has {x.shape[1]} features")
    return params


# ----------------------------------------------------------------------------- data and model
def load_digits_split(test_fraction=0.25, seed=0):
    """Scikit-learn's bundled 8x8 digits (1,797 images, offline), pixels scaled to [0, 1],
    split at random into train and test sets.

    Returns
    -------
    Digits
        ``x_train`` (n_train, 64) float32, ``y_train`` (n_train,) int32, and the same for test.

    >>> d = load_digits_split(seed=0)
    >>> d.x_train.shape, d.x_test.shape, float(d.x_train.max())
    ((1348, 64), (449, 64), 1.0)
    """
    from sklearn.datasets import load_digits

    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction = {test_fraction}; expected a number in (0, 1)")
    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float32)
    y = bunch.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(test_fraction * len(x)))
    test, train = order[:n_test], order[n_test:]
    return Digits(jnp.asarray(x[train]), jnp.asarray(y[train]), jnp.asarray(x[test]), jnp.asarray(y[test]))


def init_mlp(sizes, seed=0):
    r"""He-initialised weights of a ReLU perceptron with layer sizes ``sizes``
    (input, hidden..., output): :math:`W_l \sim \mathcal N(0, 2/n_{l-1})`, :math:`b_l = 0`.

    >>> [w.shape for w, b in init_mlp((64, 32, 10))]
    [(64, 32), (32, 10)]
    """
    sizes = [_check_positive_int(s, "layer size") for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes = {sizes}; expected at least an input and an output size")
    keys = jax.random.split(jax.random.key(seed), len(sizes) - 1)
    return [
        (jax.random.normal(k, (m, n), DTYPE) * np.float32(np.sqrt(2.0 / m)), jnp.zeros(n, DTYPE))
        for k, m, n in zip(keys, sizes[:-1], sizes[1:])
    ]


def mlp_logits(params, x):
    """Class scores of the perceptron: ReLU hidden layers, a linear output layer."""
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def cross_entropy(params, x, y):
    r"""Mean cross-entropy :math:`\ell(\theta; x, y) = -\log \mathrm{softmax}(f_\theta(x))_y`."""
    return optax.softmax_cross_entropy_with_integer_labels(mlp_logits(params, x), y).mean()


def accuracy(params, x, y):
    """Fraction of the rows of ``x`` classified as their label ``y`` (a Python float).

    >>> params = init_mlp((2, 2), seed=0)
    >>> 0.0 <= accuracy(params, [[0.0, 1.0]], [1]) <= 1.0
    True
    """
    x, y = _check_data(x, y)
    _check_params(params, x)
    return int(_n_correct(params, x, y)) / x.shape[0]


@jax.jit
def _n_correct(params, x, y):
    return jnp.sum(jnp.argmax(mlp_logits(params, x), axis=-1) == y)


# ----------------------------------------------------------------------------- attacks
def _project(x_adv, x, eps):
    """Euclidean projection onto {||x' - x||_inf <= eps} cap [0, 1]^d (coordinate-wise)."""
    return jnp.clip(jnp.clip(x_adv, x - eps, x + eps), 0.0, 1.0)


def _input_gradient(params, x, y):
    # Gradient of the *summed* loss: each row's gradient is that example's own gradient.
    return jax.grad(lambda xx: cross_entropy(params, xx, y) * xx.shape[0])(x)


@jax.jit
def _fgsm(params, x, y, eps):
    return _project(x + eps * jnp.sign(_input_gradient(params, x, y)), x, eps)


@jax.jit
def _pgd(params, x, y, eps, step_size, key, random_start, steps):
    # ``steps`` is traced (a while loop), so one compilation serves every number of steps.
    start = x + random_start * jax.random.uniform(key, x.shape, DTYPE, -1.0, 1.0) * eps
    start = _project(start, x, eps)

    def ascent(_, x_adv):
        x_adv = x_adv + step_size * jnp.sign(_input_gradient(params, x_adv, y))
        return _project(x_adv, x, eps)

    return jax.lax.fori_loop(0, steps, ascent, start)


def fgsm(params, x, y, eps):
    r"""The fast gradient sign attack (Goodfellow et al. 2015):
    :math:`x' = \Pi_{[0,1]^d}\bigl(x + \varepsilon\,\mathrm{sign}\,\nabla_x \ell(\theta; x, y)\bigr)`.

    Returns the perturbed batch, with :math:`\lVert x' - x\rVert_\infty \le \varepsilon`.

    >>> params = init_mlp((2, 2), seed=0)
    >>> x = jnp.array([[0.5, 0.5]])
    >>> x_adv = fgsm(params, x, [0], eps=0.1)
    >>> bool(jnp.abs(x_adv - x).max() <= 0.1 + 1e-7)
    True
    """
    eps = _check_eps(eps)
    x, y = _check_data(x, y)
    _check_params(params, x)
    return _fgsm(params, x, y, np.float32(eps))


def pgd(params, x, y, eps, *, steps=20, step_size=None, seed=None):
    r"""Projected gradient ascent on the loss in the :math:`\ell_\infty` ball (Madry et al. 2018).

    .. math::

        x^{t+1} = \Pi_{B_\infty(x, \varepsilon) \cap [0,1]^d}\bigl(x^t + \alpha\,
        \mathrm{sign}\,\nabla_x \ell(\theta; x^t, y)\bigr), \qquad t = 0, \dots, k-1.

    Parameters
    ----------
    steps : int
        Number of ascent steps :math:`k`.
    step_size : float, optional
        :math:`\alpha`; default :math:`2.5\,\varepsilon / k`, so that the walk can cross the ball.
    seed : int, optional
        ``None`` starts at :math:`x^0 = x`; an integer starts at a uniformly random point of the
        ball (the random restart of Madry et al.).

    >>> params = init_mlp((2, 2), seed=0)
    >>> x = jnp.array([[0.5, 0.5], [0.0, 1.0]])
    >>> x_adv = pgd(params, x, [0, 1], eps=0.2, steps=5, seed=1)
    >>> bool(jnp.abs(x_adv - x).max() <= 0.2 + 1e-7), bool(x_adv.min() >= 0 and x_adv.max() <= 1)
    (True, True)
    """
    eps = _check_eps(eps)
    steps = _check_positive_int(steps, "steps")
    step_size = 2.5 * eps / steps if step_size is None else step_size
    if not np.isfinite(step_size) or step_size < 0:
        raise ValueError(f"step_size = {step_size}; expected a finite number >= 0")
    x, y = _check_data(x, y)
    _check_params(params, x)
    key = jax.random.key(0 if seed is None else seed)
    return _pgd(params, x, y, np.float32(eps), np.float32(step_size), key, np.float32(seed is not None), steps)


def robust_accuracy(params, x, y, eps, *, steps=50, restarts=5, seed=0):
    """Accuracy under the strongest of several PGD attacks: an example counts as correct only
    if it is classified correctly after the attack from ``x`` itself and after each of
    ``restarts`` attacks from random starts in the ball (a Python float).

    Evaluating with more steps and restarts than training used guards against an attack that
    is merely weak on this model (Athalye, Carlini, Wagner 2018).

    >>> params = init_mlp((2, 2), seed=0)
    >>> robust_accuracy(params, [[0.5, 0.5]], [0], eps=0.0, restarts=1) == accuracy(params, [[0.5, 0.5]], [0])
    True
    """
    eps = _check_eps(eps)
    restarts = int(restarts)
    if restarts < 0:
        raise ValueError(f"restarts = {restarts}; expected an integer >= 0")
    x, y = _check_data(x, y)
    _check_params(params, x)
    correct = np.array(jnp.argmax(mlp_logits(params, pgd(params, x, y, eps, steps=steps)), -1) == y)
    for r in range(restarts):
        x_adv = pgd(params, x, y, eps, steps=steps, seed=seed + r)
        correct &= np.asarray(jnp.argmax(mlp_logits(params, x_adv), -1) == y)
    return int(correct.sum()) / x.shape[0]


# ----------------------------------------------------------------------------- training
@partial(jax.jit, static_argnames=("batch_size", "learning_rate"))
def _train(params, x, y, key, eps, epochs, batch_size, attack_steps, learning_rate):
    """Adam on the (adversarial) loss; ``attack_steps = 0`` means plain training. The numbers
    of epochs and attack steps are traced (while loops): one compilation serves them all."""
    optimizer = optax.adam(learning_rate)
    n_batches = x.shape[0] // batch_size
    step_size = 2.5 * eps / jnp.maximum(attack_steps, 1)

    def sgd_step(carry, batch):
        params, state = carry
        xb, yb = x[batch], y[batch]
        # The inner player: PGD from the clean batch (no steps: plain training).
        xb = _pgd(params, xb, yb, eps, step_size, key, np.float32(0.0), attack_steps)
        grads = jax.grad(cross_entropy)(params, xb, yb)
        updates, state = optimizer.update(grads, state, params)
        return (optax.apply_updates(params, updates), state), None

    def epoch(i, carry):
        order = jax.random.permutation(jax.random.fold_in(key, i), x.shape[0])[: n_batches * batch_size]
        return jax.lax.scan(sgd_step, carry, order.reshape(n_batches, batch_size))[0]

    return jax.lax.fori_loop(0, epochs, epoch, (params, optimizer.init(params)))[0]


def train_classifier(x, y, *, hidden=(256,), epochs=60, batch_size=64, learning_rate=1e-3, seed=0, eps=0.0,
                     attack_steps=10):
    r"""Train a ReLU perceptron with Adam, plainly (``eps = 0``) or adversarially (Madry et al. 2018).

    Each step draws a minibatch :math:`B`; with ``eps > 0`` the inner player replaces every
    :math:`x \in B` by its PGD attack :math:`x + \hat\delta` (``attack_steps`` steps), and the
    outer player takes an Adam step along :math:`\nabla_\theta \frac{1}{|B|}\sum_{B}
    \ell(\theta; x + \hat\delta, y)`, the gradient of the inner maximum by Danskin's theorem.

    Returns the parameters, a list of ``(W, b)`` layers.

    >>> d = load_digits_split(seed=0)
    >>> params = train_classifier(d.x_train, d.y_train, hidden=(32,), epochs=2, seed=0)
    >>> [w.shape for w, b in params]
    [(64, 32), (32, 10)]
    """
    eps = _check_eps(eps)
    x, y = _check_data(x, y)
    n_classes = int(y.max()) + 1
    epochs = _check_positive_int(epochs, "epochs")
    batch_size = _check_positive_int(batch_size, "batch_size")
    attack_steps = _check_positive_int(attack_steps, "attack_steps")
    if batch_size > x.shape[0]:
        raise ValueError(f"batch_size = {batch_size} exceeds the {x.shape[0]} training examples")
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate = {learning_rate}; expected a positive finite number")
    params = init_mlp((x.shape[1], *hidden, n_classes), seed=seed)
    return _train(params, x, y, jax.random.key(seed), np.float32(eps), epochs, batch_size,
                  attack_steps if eps > 0 else 0, float(learning_rate))
