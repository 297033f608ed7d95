"""GANs on the ring of 8 Gaussians at full scale, and the speed of training.

Full scale is `gtml_utils.gan.FULL_SCALE`, the setting of the public demo accompanying Metz et
al. (2017), close to the paper's appendix A: 256-dimensional noise, generator and discriminator
with two tanh layers of 128 units, batches of 512, Adam with beta_1 = 0.5 and learning rates
1e-3 (generator) and 1e-4 (discriminator), 25,000 steps. Every method of
`gtml_utils.gan.METHODS` is trained on 3 seeds at once (`vmap`), with 25 snapshots of 2,500
generator samples. For each method we print

- the compile time and the training speed in steps per second (one step of one run);
- modes captured and the fraction of high-quality samples (within 3 std of a mode), at the
  end of training and averaged over the last 5 snapshots, mean over the seeds, and per seed;
  modes are counted with at least 20 of the 2,500 samples, and also with Srivastava et al.'s
  rule (a single sample).

Speed peer: the same training step, jitted, driven by a Python loop over steps and seeds
(one dispatch per step), against ours (`lax.scan` over steps, `vmap` over seeds), for 300
steps of simultaneous training, at full scale and at the notebook's small scale (where
dispatch overhead, not arithmetic, dominates); the ratios are printed.

Long runs are trained one snapshot interval at a time in a worker process that saves its state
after each interval; if the worker stops making progress (some full-scale runs went idle
part-way, every thread waiting on a futex, no error), it is killed and restarted from the last
saved interval. The runs' figures do not depend on restarts: an interval is a pure function of
the saved state and its keys.

Usage: python benchmarks/bench_gan.py [--steps N] [--methods a,b] [--speed-only | --skip-speed]
(defaults: the full setting, well over an hour on two cores: 13 minutes for simultaneous
training alone, 16 for extragradient, 19 for consensus).
The notebook chapters/01_failures_of_gd/05_gans_that_cycle.ipynb quotes the latest figures.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from functools import partial

import jax
import numpy as np

from gtml_utils import gan
from gtml_utils.gan import FULL_SCALE, METHODS, mode_metrics

SEEDS = (0, 1, 2)
#: Seconds a training worker may take to import and compile before it is restarted.
STARTUP_SECONDS = 600.0
#: The small faithful setting trained in the notebook.
NOTEBOOK_SCALE = FULL_SCALE._replace(latent_dim=16, hidden=32, batch_size=64, lr_generator=1e-2, lr_discriminator=1e-2)


def train_timed(method, config):
    name, knobs = gan._method(method)
    seeds, params, keys, z_eval = gan._start(SEEDS, 12345, config)
    rates = np.array([config.lr_generator, config.lr_discriminator], np.float32)
    start = time.perf_counter()
    compiled = gan._train_static.lower(gan._shape_only(config), tuple(knobs), rates, params, keys, z_eval).compile()
    compile_time = time.perf_counter() - start
    start = time.perf_counter()
    samples = np.asarray(compiled(rates, params, keys, z_eval))
    return samples, compile_time, time.perf_counter() - start


def loop_baseline(config, steps):
    """The straightforward driver: a jitted step, a Python loop over seeds and steps."""
    knobs = (*METHODS["simultaneous"], config.lr_generator, config.lr_discriminator)
    seeds, params, keys, _ = gan._start(SEEDS, 12345, config)
    step = jax.jit(partial(gan._gan_step, config, knobs))
    optimizers = gan._optimizers(config, 0.0, config.lr_generator, config.lr_discriminator)

    def run(n_steps):
        for s in range(len(SEEDS)):
            p = (params[0][s], params[1][s])
            carry = (p, tuple(o.init(q) for o, q in zip(optimizers, p)))
            for key in jax.random.split(keys[s], n_steps):
                carry, _ = step(carry, key)
            jax.block_until_ready(carry)

    run(2)  # compile
    start = time.perf_counter()
    run(steps)
    return time.perf_counter() - start


@partial(jax.jit, static_argnames=("config", "knobs"))
def _start_all_seeds(config, knobs, rates, params, keys):
    full = (*knobs, rates[0], rates[1])
    carry = jax.vmap(lambda p: gan._start_carry(config, full, p))(params)
    return carry, jax.vmap(partial(gan._chunk_keys, config))(keys)


@partial(jax.jit, static_argnames=("config", "knobs"))
def _chunk_all_seeds(config, knobs, rates, z_eval, carry, keys):
    full = (*knobs, rates[0], rates[1])
    return jax.vmap(lambda c, k: gan._train_chunk(config, full, z_eval, c, k))(carry, keys)


def train_in_chunks(method, config, checkpoint):
    """Worker: train ``method`` on every seed one snapshot interval at a time, saving the
    carried state, the snapshots so far and the interval times to ``checkpoint`` (an .npz file)
    after each interval; start from it if it exists."""
    _, knobs = gan._method(method)
    knobs = tuple(knobs)
    shape = gan._shape_only(config)
    _, params, keys, z_eval = gan._start(SEEDS, 12345, config)
    rates = np.array([config.lr_generator, config.lr_discriminator], np.float32)
    carry, chunk_keys = _start_all_seeds(shape, knobs, rates, params, keys)
    leaves, treedef = jax.tree.flatten(carry)
    samples, seconds = [], []
    if os.path.exists(checkpoint):
        with np.load(checkpoint) as saved:
            carry = treedef.unflatten([saved[f"leaf{i}"] for i in range(len(leaves))])
            samples, seconds = list(saved["samples"].swapaxes(0, 1)), saved["seconds"].tolist()
    start = time.perf_counter()
    step = _chunk_all_seeds.lower(shape, knobs, rates, z_eval, carry, chunk_keys[:, 0]).compile()
    print(f"  worker: {method} compiled in {time.perf_counter() - start:.1f} s, "
          f"resuming at interval {len(samples)} of {config.snapshots}", flush=True)
    for k in range(len(samples), config.snapshots):
        start = time.perf_counter()
        carry, snapshot = step(rates, z_eval, carry, chunk_keys[:, k])
        samples.append(np.asarray(snapshot))
        seconds.append(time.perf_counter() - start)
        saved = {f"leaf{i}": np.asarray(leaf) for i, leaf in enumerate(jax.tree.leaves(carry))}
        np.savez(checkpoint + ".tmp.npz", samples=np.stack(samples, axis=1), seconds=np.array(seconds), **saved)
        os.replace(checkpoint + ".tmp.npz", checkpoint)  # atomic: a killed worker leaves a whole file


def train_watched(method, config, stall_seconds, max_restarts=5):
    """Run the worker in a subprocess; kill and restart it from its checkpoint when no interval
    finishes for ``stall_seconds`` (or 5 times the slowest interval so far, if longer).

    Returns the samples, shape (seeds, snapshots, n_eval, 2), the summed interval times (compile
    time excluded) and the number of restarts."""
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = os.path.join(folder, "state.npz")
        command = [sys.executable, __file__, "--worker", method, "--steps", str(config.steps),
                   "--checkpoint", checkpoint]
        for restarts in range(max_restarts + 1):
            worker = subprocess.Popen(command)
            # Starting (importing jax, compiling) gets STARTUP_SECONDS; each interval after that
            # gets stall_seconds.
            progress = os.path.getmtime(checkpoint) if os.path.exists(checkpoint) else None
            last_change, limit = time.monotonic(), max(stall_seconds, STARTUP_SECONDS)
            while worker.poll() is None:
                time.sleep(2)
                if os.path.exists(checkpoint) and os.path.getmtime(checkpoint) != progress:
                    progress, last_change = os.path.getmtime(checkpoint), time.monotonic()
                    with np.load(checkpoint) as saved:
                        limit = max(stall_seconds, 5 * saved["seconds"].max())
                elif time.monotonic() - last_change > limit:
                    print(f"  {method}: no progress for {limit:.0f} s; restarting the worker", flush=True)
                    worker.kill()
                    worker.wait()
            if worker.returncode == 0:
                with np.load(checkpoint) as saved:
                    return saved["samples"], float(saved["seconds"].sum()), restarts
            if worker.returncode > 0:
                raise RuntimeError(f"{method}: the worker failed with exit code {worker.returncode}")
    raise RuntimeError(f"{method}: stalled {max_restarts + 1} times; giving up")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=FULL_SCALE.steps)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--stall-seconds", type=float, default=600.0,
                        help="restart a training worker after this long without progress (default 600)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--checkpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    config = FULL_SCALE._replace(steps=args.steps, snapshots=25)
    if args.worker:
        return train_in_chunks(args.worker, config, args.checkpoint)
    print(f"jax {jax.__version__}, devices {jax.devices()}; {config}")

    # Speed: ours against the Python-loop driver, 300 steps of simultaneous training.
    if not args.skip_speed:
        for label, base in [("full scale", config), ("notebook scale", NOTEBOOK_SCALE)]:
            short = base._replace(steps=300, snapshots=1)
            _, _, ours = train_timed("simultaneous", short)
            peer = loop_baseline(short, 300)
            print(f"speed at {label}, 300 steps x {len(SEEDS)} seeds: ours (scan + vmap) {ours:.2f} s "
                  f"({300 * len(SEEDS) / ours:.0f} steps/s), Python loop over jitted steps {peer:.2f} s "
                  f"({300 * len(SEEDS) / peer:.0f} steps/s), ratio {peer / ours:.2f}x", flush=True)
    if args.speed_only:
        return

    results = {}
    for method in args.methods.split(","):
        samples, run_time, restarts = train_watched(method, config, args.stall_seconds)
        modes, quality = mode_metrics(samples)
        results[method] = {
            "steps_per_second": config.steps * len(SEEDS) / run_time,
            "wall_seconds": run_time,
            "restarts": restarts,
            "modes_final": float(modes[:, -1].mean()),
            "quality_final": float(quality[:, -1].mean()),
            "modes_last5": float(modes[:, -5:].mean()),
            "quality_last5": float(quality[:, -5:].mean()),
            "modes_per_seed": modes[:, -1].tolist(),
            # Srivastava et al. (2017) count a mode with one high-quality sample.
            "modes_final_one_sample_rule": float(mode_metrics(samples, min_count=1)[0][:, -1].mean()),
            "quality_per_seed": np.round(quality[:, -1], 3).tolist(),
        }
        r = results[method]
        print(f"{method:14s} {r['steps_per_second']:7.1f} steps/s ({run_time:6.0f} s, {restarts} restarts)  "
              f"modes {r['modes_final']:.2f} (last 5: {r['modes_last5']:.2f}; "
              f"one-sample rule {r['modes_final_one_sample_rule']:.2f})  "
              f"high quality {r['quality_final']:.3f} (last 5: {r['quality_last5']:.3f})  "
              f"per seed {r['modes_per_seed']} {r['quality_per_seed']}", flush=True)
    print("RESULTS = " + json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
