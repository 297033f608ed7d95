"""Tests of gtml_utils.gan: the ring data, the metrics on hand-made samples, the game's vector
field and each method's one-step update against its formula, reproducibility, and the
ValueErrors of the public boundary."""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from gtml_utils import gan
from gtml_utils.gan import METHODS, GANConfig, Method, mode_metrics, ring_centers, sample_ring, train_gan, train_gans

# The doctests of gtml_utils.gan use this config and seeds [0, 1] too: one compilation each.
TINY = GANConfig(latent_dim=3, hidden=5, batch_size=8, steps=6, snapshots=2, n_eval=40)


# ------------------------------------------------------------------ data and metrics
def test_ring_centers():
    centers = ring_centers()
    assert centers.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0, rtol=1e-6)
    angles = np.mod(np.arctan2(centers[:, 1], centers[:, 0]), 2 * np.pi)
    np.testing.assert_allclose(np.sort(angles), 2 * np.pi * np.arange(8) / 8, atol=1e-6)


def test_sample_ring_is_the_mixture():
    x = np.asarray(sample_ring(jax.random.key(0), 40_000))
    distances = np.linalg.norm(x[:, None] - ring_centers(), axis=-1)
    nearest, dist = distances.argmin(1), distances.min(1)
    shares = np.bincount(nearest, minlength=8) / len(x)
    np.testing.assert_allclose(shares, 1 / 8, atol=0.01)
    # the distance to the mode is Rayleigh(0.02): mean 0.02 * sqrt(pi / 2)
    np.testing.assert_allclose(dist.mean(), 0.02 * np.sqrt(np.pi / 2), rtol=0.02)


def test_mode_metrics_hand_example():
    centers = ring_centers()
    good = np.concatenate([np.repeat(centers[[0]], 30, 0), np.repeat(centers[[3]], 20, 0),
                           np.repeat(centers[[5]], 19, 0) + [0.05, 0.0]])  # mode 5: 19 samples, 2.5 std away
    far = np.repeat(centers[[1]] + [0.07, 0.0], 31, 0)  # 3.5 std from mode 1: not high quality
    samples = np.concatenate([good, far])
    modes, quality = mode_metrics(samples)
    assert int(modes) == 2  # mode 5 has 19 < 20 high-quality samples
    assert float(quality) == pytest.approx(69 / 100)
    modes, _ = mode_metrics(samples, min_count=19)
    assert int(modes) == 3
    stacked_modes, stacked_quality = mode_metrics(np.stack([samples, np.concatenate([good, good[:31]])]))
    assert stacked_modes.tolist() == [2, 2] and stacked_quality[1] == 1.0


def test_mode_metrics_of_the_data_and_of_a_collapse():
    modes, quality = mode_metrics(sample_ring(jax.random.key(1), 2500))
    assert int(modes) == 8 and float(quality) > 0.98
    collapsed = ring_centers()[2] + 0.01 * np.random.default_rng(0).normal(size=(2500, 2))
    modes, quality = mode_metrics(collapsed)
    assert int(modes) == 1 and float(quality) > 0.98


# ------------------------------------------------------------------ the game and the updates
@jax.jit
def _tiny_problem(key):
    k1, k2, k3, k4 = jax.random.split(key, 4)
    gen_sizes, disc_sizes = gan._sizes(TINY)
    params = (gan.init_mlp(k1, gen_sizes, TINY.init_gain), gan.init_mlp(k2, disc_sizes, TINY.init_gain))
    z = jax.random.normal(k3, (TINY.batch_size, TINY.latent_dim))
    x = sample_ring(k4, TINY.batch_size)
    return params, z, x


def tiny_problem(seed=0):
    return _tiny_problem(jax.random.key(seed, impl=gan.PRNG))


def test_field_is_each_players_loss_gradient():
    params, z, x = tiny_problem()
    v = jax.jit(gan.simultaneous_gradient, static_argnums=3)(params, z, x, TINY)
    value = jax.jit(lambda g, d: gan.gan_value(g, d, z, x, TINY))
    rng = np.random.default_rng(0)
    for player in (0, 1):
        direction = jnp.asarray(rng.normal(size=params[player].shape), jnp.float32)
        h = 1e-2
        shifted = [list(params), list(params)]
        shifted[0][player] = params[player] + h * direction
        shifted[1][player] = params[player] - h * direction
        slope = (value(*shifted[0]) - value(*shifted[1])) / (2 * h)
        # generator: v_G = grad f; discriminator: v_D = -grad f (it descends -f)
        sign = 1.0 if player == 0 else -1.0
        np.testing.assert_allclose(float(jnp.vdot(v[player], direction)), sign * float(slope), rtol=2e-2, atol=1e-4)


def adam_pair(config):
    return (optax.adam(config.lr_generator, b1=config.b1), optax.adam(config.lr_discriminator, b1=config.b1))


def step(method, params, key, traced=False):
    """One step of ``method`` from fresh optimiser states; ``traced`` passes the knobs as arrays
    (the batched path of train_gans, which computes every part and selects)."""
    knobs = METHODS[method]
    opts = gan._optimizers(TINY, knobs.optimism, TINY.lr_generator, TINY.lr_discriminator)
    states = tuple(o.init(p) for o, p in zip(opts, params))
    values = (*knobs, TINY.lr_generator, TINY.lr_discriminator)
    if traced:
        (new, _), _ = _traced_step(tuple(jnp.asarray(v) for v in values), (params, states), key)
    else:
        (new, _), _ = _static_step(values, (params, states), key)
    return new


_static_step = jax.jit(partial(gan._gan_step, TINY), static_argnums=0)
_traced_step = jax.jit(partial(gan._gan_step, TINY))
_field = jax.jit(gan.simultaneous_gradient, static_argnums=3)


@jax.jit
def step_batch(key):
    """The minibatch that _gan_step draws from ``key``."""
    k_z, k_x = jax.random.split(key)
    return jax.random.normal(k_z, (TINY.batch_size, TINY.latent_dim), jnp.float32), sample_ring(k_x, TINY.batch_size)


def adam_from(params, grads, states=None):
    opts = adam_pair(TINY)
    states = states or tuple(o.init(p) for o, p in zip(opts, params))
    out, new_states = [], []
    for o, p, g, s in zip(opts, params, grads, states):
        u, s = o.update(g, s, p)
        out.append(p + u)
        new_states.append(s)
    return tuple(out), tuple(new_states)


def test_simultaneous_step_is_adam_on_each_loss():
    params, _, _ = tiny_problem()
    key = jax.random.key(7, impl=gan.PRNG)
    z, x = step_batch(key)
    expected, _ = adam_from(params, _field(params, z, x, TINY))
    for a, b in zip(step("simultaneous", params, key), expected):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_optimistic_first_step_and_zero_optimism_is_adam():
    # optax's optimistic update is lr * ((1 + beta) r_t - beta r_{t-1}), with r_0 taken as r_1 at the
    # first step, so the first step equals Adam's; beta = 0 is Adam at every step.
    params, _, _ = tiny_problem()
    key = jax.random.key(3, impl=gan.PRNG)
    for a, b in zip(step("optimistic", params, key), step("simultaneous", params, key)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    opt = gan._optimizers(TINY, 0.0, 1e-3, 1e-3)[0]
    ref = optax.adam(1e-3, b1=TINY.b1)
    p = params[0]
    s, s_ref = opt.init(p), ref.init(p)
    for t in range(3):
        g = jnp.sin(p * (t + 1))
        u, s = opt.update(g, s, p)
        u_ref, s_ref = ref.update(g, s_ref, p)
        np.testing.assert_allclose(u, u_ref, rtol=1e-6, atol=1e-9)


def test_optimistic_second_step_uses_the_previous_direction():
    p = jnp.array([1.0, -2.0])
    opt = gan._optimizers(TINY, 1.0, 0.1, 0.1)[0]
    ref = optax.adam(0.1, b1=TINY.b1)
    s, s_ref = opt.init(p), ref.init(p)
    g1, g2 = jnp.array([1.0, 1.0]), jnp.array([-1.0, 3.0])
    _, s = opt.update(g1, s, p)
    u_ref1, s_ref = ref.update(g1, s_ref, p)
    u, _ = opt.update(g2, s, p)
    u_ref2, _ = ref.update(g2, s_ref, p)
    # 2 r_2 - r_1 in Adam's units: 2 * (Adam update 2) - (Adam update 1)
    np.testing.assert_allclose(u, 2 * u_ref2 - u_ref1, rtol=1e-6)


def test_extragradient_step_looks_ahead():
    params, _, _ = tiny_problem()
    key = jax.random.key(5, impl=gan.PRNG)
    z, x = step_batch(key)
    ahead, states = adam_from(params, _field(params, z, x, TINY))
    # the real step starts from params, with the field at the look-ahead point and the moments after it
    opts = adam_pair(TINY)
    expected = []
    for o, p, g, s in zip(opts, params, _field(ahead, z, x, TINY), states):
        u, _ = o.update(g, s, p)
        expected.append(p + u)
    for a, b in zip(step("extragradient", params, key), expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_consensus_step_follows_field_plus_gamma_grad_half_norm():
    params, _, _ = tiny_problem()
    key = jax.random.key(9, impl=gan.PRNG)
    z, x = step_batch(key)
    gamma = METHODS["consensus"].consensus

    def half_norm(p):
        v = _field(p, z, x, TINY)
        return 0.5 * (jnp.sum(v[0] ** 2) + jnp.sum(v[1] ** 2))

    v = _field(params, z, x, TINY)
    reg = jax.grad(half_norm)(params)
    expected, _ = adam_from(params, (v[0] + gamma * reg[0], v[1] + gamma * reg[1]))
    for a, b in zip(step("consensus", params, key), expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_alternating_step_answers_the_new_discriminator():
    params, _, _ = tiny_problem()
    key = jax.random.key(11, impl=gan.PRNG)
    z, x = step_batch(key)
    opts = adam_pair(TINY)
    d_update, _ = opts[1].update(_field(params, z, x, TINY)[1], opts[1].init(params[1]), params[1])
    new_disc = params[1] + d_update
    g_grad = _field((params[0], new_disc), z, x, TINY)[0]
    g_update, _ = opts[0].update(g_grad, opts[0].init(params[0]), params[0])
    for a, b in zip(step("alternating", params, key), (params[0] + g_update, new_disc)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_traced_knobs_select_the_same_step(method):
    params, _, _ = tiny_problem(seed=1)
    key = jax.random.key(2, impl=gan.PRNG)
    for a, b in zip(step(method, params, key, traced=True), step(method, params, key)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------ training runs
def test_train_gan_shapes_and_reproducibility():
    run = train_gan("simultaneous", [0, 1], TINY)
    assert run.samples.shape == (2, 2, 40, 2) and run.steps_at.tolist() == [3, 6]
    assert np.all(np.isfinite(run.samples))
    np.testing.assert_array_equal(run.samples, train_gan("simultaneous", [0, 1], TINY).samples)
    assert not np.allclose(run.samples[0], run.samples[1])


def test_batched_methods_match_single_methods_and_learning_rates_are_per_method():
    rates = {"simultaneous": (1e-3, 2e-4), "consensus": (3e-3, 3e-3)}
    runs = train_gans(list(rates), [0, 1], TINY, learning_rates=list(rates.values()))
    for name, (lr_g, lr_d) in rates.items():
        assert (runs[name].config.lr_generator, runs[name].config.lr_discriminator) == (lr_g, lr_d)
        single = train_gan(name, [0, 1], TINY._replace(lr_generator=lr_g, lr_discriminator=lr_d))
        np.testing.assert_allclose(runs[name].samples, single.samples, rtol=1e-4, atol=1e-5)
    assert not np.allclose(single.samples, train_gan("consensus", [0, 1], TINY).samples)


def test_training_interval_by_interval_from_saved_state_reproduces_the_run():
    # benchmarks/bench_gan.py trains long runs this way, saving the carry after each snapshot
    # interval and resuming from it after a restart; the samples must not depend on that.
    _, knobs = gan._method("consensus")
    full = (*knobs, TINY.lr_generator, TINY.lr_discriminator)
    _, params, keys, z_eval = gan._start([0, 1], 12345, TINY)
    carry = jax.vmap(lambda p: gan._start_carry(TINY, full, p))(params)
    interval = jax.jit(jax.vmap(partial(gan._train_chunk, TINY, full, z_eval)))
    samples = []
    for interval_keys in jax.vmap(partial(gan._chunk_keys, TINY), out_axes=1)(keys):
        carry = jax.tree.map(np.asarray, carry)  # the checkpoint's round trip through NumPy
        carry, snapshot = interval(carry, interval_keys)
        samples.append(snapshot)
    np.testing.assert_array_equal(np.stack(samples, axis=1), train_gan("consensus", [0, 1], TINY).samples)


def test_custom_method_with_zero_knobs_is_simultaneous():
    a = train_gan(Method(), [0, 1], TINY).samples
    np.testing.assert_array_equal(a, train_gan("simultaneous", [0, 1], TINY).samples)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: train_gan("adam", [0], TINY), "unknown method"),
        (lambda: train_gan(3, [0], TINY), "method name"),
        (lambda: train_gan(Method(optimism=-1.0), [0], TINY), "optimism"),
        (lambda: train_gan(Method(consensus=float("nan")), [0], TINY), "consensus"),
        (lambda: train_gan("simultaneous", [], TINY), "seeds"),
        (lambda: train_gan("simultaneous", [0], TINY._replace(steps=7)), "multiple"),
        (lambda: train_gan("simultaneous", [0], TINY._replace(hidden=0)), "hidden"),
        (lambda: train_gan("simultaneous", [0], TINY._replace(lr_generator=-1e-3)), "lr_generator"),
        (lambda: train_gan("simultaneous", [0], TINY._replace(b1=1.0)), "b1"),
        (lambda: train_gan("simultaneous", [0], TINY._replace(activation="sigmoid")), "activation"),
        (lambda: train_gan("simultaneous", [0], {"steps": 10}), "GANConfig"),
        (lambda: train_gans([], [0], TINY), "methods is empty"),
        (lambda: train_gans(["consensus", "consensus"], [0], TINY), "distinct"),
        (lambda: train_gans(["consensus"], [0], TINY, learning_rates=[(1e-3, -1.0)]), "learning_rates"),
        (lambda: train_gans(["consensus"], [0], TINY, learning_rates=[(1e-3, 1e-3)] * 2), "learning_rates"),
        (lambda: mode_metrics(np.zeros((10, 3))), "expected"),
        (lambda: mode_metrics(np.full((10, 2), np.nan)), "NaN"),
        (lambda: ring_centers(0), "n_modes"),
        (lambda: ring_centers(8, -1.0), "radius"),
    ],
)
def test_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()
