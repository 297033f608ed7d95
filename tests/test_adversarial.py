"""Tests of gtml_utils.adversarial: the digits split, the attacks (FGSM against its formula on a
hand example, PGD's constraints, PGD with one full step equal to FGSM), training, and the
ValueErrors of the public boundary."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gtml_utils import adversarial as adv


@pytest.fixture(scope="module")
def data():
    return adv.load_digits_split(seed=0)


@pytest.fixture(scope="module")
def trained(data):
    return adv.train_classifier(data.x_train, data.y_train, hidden=(32,), epochs=20, seed=0)


def linear(W):
    """A one-layer network x -> x W (no hidden layer, zero bias)."""
    W = jnp.asarray(W, jnp.float32)
    return [(W, jnp.zeros(W.shape[1], jnp.float32))]


# ------------------------------------------------------------------ data
def test_digits_split(data):
    assert data.x_train.shape == (1348, 64) and data.x_test.shape == (449, 64)
    assert data.x_train.dtype == jnp.float32 and data.y_train.dtype == jnp.int32
    assert float(data.x_train.min()) == 0.0 and float(data.x_train.max()) == 1.0
    assert set(np.unique(data.y_test).tolist()) == set(range(10))
    again = adv.load_digits_split(seed=0)
    np.testing.assert_array_equal(again.x_test, data.x_test)
    other = adv.load_digits_split(seed=1)
    assert not np.array_equal(other.y_test, data.y_test)


# ------------------------------------------------------------------ attacks
def test_fgsm_hand_example():
    # logits (l0, l1) = (x1 + 2 x2, -(x1 + 2 x2)); for label 0 the input gradient of the loss
    # is -2 p1 (1, 2), whose sign is (-1, -1): FGSM moves each pixel down by eps.
    params = linear([[1.0, -1.0], [2.0, -2.0]])
    x_adv = adv.fgsm(params, [[0.5, 0.5]], [0], eps=0.1)
    np.testing.assert_allclose(x_adv, [[0.4, 0.4]], rtol=0, atol=1e-7)
    # The pixel box clips: from (0.05, 1.0) the step lands at (0, 0.9).
    np.testing.assert_allclose(adv.fgsm(params, [[0.05, 1.0]], [0], eps=0.1), [[0.0, 0.9]], atol=1e-7)


def test_fgsm_is_the_best_linear_attack():
    # For a linear model the loss is a monotone function of a linear one: FGSM maximises it
    # over the eps-ball (when the box does not bind), better than any random corner.
    rng = np.random.default_rng(0)
    params = linear(rng.normal(size=(16, 2)))
    x = jnp.full((1, 16), 0.5, jnp.float32)
    eps = 0.1
    best = float(adv.cross_entropy(params, adv.fgsm(params, x, [1], eps), jnp.array([1])))
    corners = x + eps * rng.choice([-1.0, 1.0], size=(2000, 16)).astype(np.float32)
    losses = jax.vmap(lambda c: adv.cross_entropy(params, c[None], jnp.array([1])))(corners)
    assert best >= float(losses.max()) - 1e-6


def test_pgd_respects_ball_and_box(data, trained):
    x, y = data.x_test[:64], data.y_test[:64]
    for eps, seed in [(0.05, None), (0.2, 3), (0.5, 4)]:
        x_adv = adv.pgd(trained, x, y, eps, steps=7, seed=seed)
        assert float(jnp.abs(x_adv - x).max()) <= eps + 1e-6
        assert float(x_adv.min()) >= 0.0 and float(x_adv.max()) <= 1.0


def test_pgd_one_full_step_is_fgsm(data, trained):
    x, y = data.x_test[:64], data.y_test[:64]
    one_step = adv.pgd(trained, x, y, 0.1, steps=1, step_size=0.1)
    np.testing.assert_allclose(one_step, adv.fgsm(trained, x, y, 0.1), atol=1e-7)


def test_attacks_raise_the_loss_and_lower_accuracy(data, trained):
    x, y = data.x_test, data.y_test
    clean = float(adv.cross_entropy(trained, x, y))
    fgsm_loss = float(adv.cross_entropy(trained, adv.fgsm(trained, x, y, 0.1), y))
    pgd_loss = float(adv.cross_entropy(trained, adv.pgd(trained, x, y, 0.1, steps=20), y))
    assert clean < fgsm_loss <= pgd_loss
    assert adv.accuracy(trained, x, y) > 0.9
    # robust_accuracy keeps only the examples that survive every attack
    pgd_acc = adv.accuracy(trained, adv.pgd(trained, x, y, 0.05, steps=20), y)
    assert adv.robust_accuracy(trained, x, y, 0.05, steps=20, restarts=2) <= pgd_acc
    assert adv.robust_accuracy(trained, x, y, 0.0, restarts=1) == adv.accuracy(trained, x, y)


def test_eps_zero_changes_nothing(data, trained):
    x, y = data.x_test[:32], data.y_test[:32]
    np.testing.assert_array_equal(adv.fgsm(trained, x, y, 0.0), x)
    np.testing.assert_array_equal(adv.pgd(trained, x, y, 0.0, steps=3), x)


# ------------------------------------------------------------------ training
def test_training_is_reproducible_and_adversarial_training_helps(data, trained):
    again = adv.train_classifier(data.x_train, data.y_train, hidden=(32,), epochs=20, seed=0)
    for (w1, b1), (w2, b2) in zip(trained, again):
        np.testing.assert_array_equal(w1, w2)
        np.testing.assert_array_equal(b1, b2)
    robust = adv.train_classifier(data.x_train, data.y_train, hidden=(32,), epochs=20, seed=0, eps=0.15,
                                  attack_steps=5)
    x, y = data.x_test, data.y_test
    attacked_standard = adv.accuracy(trained, adv.pgd(trained, x, y, 0.15, steps=10), y)
    attacked_robust = adv.accuracy(robust, adv.pgd(robust, x, y, 0.15, steps=10), y)
    assert attacked_robust > attacked_standard + 0.2


def test_init_mlp_shapes_and_scale():
    params = adv.init_mlp((64, 100, 10), seed=0)
    assert [w.shape for w, _ in params] == [(64, 100), (100, 10)]  # He initialisation: std sqrt(2 / 64)
    assert abs(float(jnp.std(params[0][0])) - np.sqrt(2 / 64)) < 0.02
    assert all(float(jnp.abs(b).max()) == 0.0 for _, b in params)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda p, x, y: adv.fgsm(p, x, y, -0.1), "eps"),
        (lambda p, x, y: adv.fgsm(p, x, y, float("nan")), "eps"),
        (lambda p, x, y: adv.pgd(p, x, y, 0.1, steps=0), "steps"),
        (lambda p, x, y: adv.pgd(p, x, y, 0.1, step_size=-1.0), "step_size"),
        (lambda p, x, y: adv.fgsm(p, x + 2.0, y, 0.1), r"\[0, 1\]"),
        (lambda p, x, y: adv.fgsm(p, x, y[:-1], 0.1), "labels of shape"),
        (lambda p, x, y: adv.fgsm(p, x[:, :10], y, 0.1), "inputs of size"),
        (lambda p, x, y: adv.fgsm("weights", x, y, 0.1), "list of"),
        (lambda p, x, y: adv.accuracy(p, x[0], y), r"\(n, d\)"),
        (lambda p, x, y: adv.robust_accuracy(p, x, y, 0.1, restarts=-1), "restarts"),
        (lambda p, x, y: adv.train_classifier(x, y, batch_size=10_000), "batch_size"),
        (lambda p, x, y: adv.train_classifier(x, y, epochs=0), "epochs"),
        (lambda p, x, y: adv.train_classifier(x, y, batch_size=5, learning_rate=0.0), "learning_rate"),
        (lambda p, x, y: adv.train_classifier(x, y.astype(np.float32)), "integer labels"),
        (lambda p, x, y: adv.load_digits_split(test_fraction=1.5), "test_fraction"),
        (lambda p, x, y: adv.init_mlp((64,)), "at least"),
    ],
)
def test_bad_input_raises(call, match):
    params = adv.init_mlp((64, 10), seed=0)
    x = np.full((5, 64), 0.5, np.float32)
    y = np.arange(5, dtype=np.int32)
    with pytest.raises(ValueError, match=match):
        call(params, x, y)
