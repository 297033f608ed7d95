"""Normal-form solvers: gtml_utils.normal_form against nashpy, in one process.

- Zero-sum LP, random 200 x 200: ours (one HiGHS LP, the column strategy from its duals)
  against nashpy's ``Game.linear_program`` (two LPs); both certified by the duality gap.
- Support enumeration, random 8 x 8 and 9 x 9: ours (the linear systems of all support
  pairs of one size solved as one batch) against nashpy's ``support_enumeration``; the
  equilibria of both are counted and compared with nashpy's ``vertex_enumeration``, an
  independent algorithm (a nondegenerate game has an odd number of equilibria).
- Lemke-Howson, random 30 x 30, every initial label of one game: ours (lexicographic
  ratio tests) against nashpy's ``lemke_howson``. On such games nashpy's pivoting often
  does not terminate (we stopped one run after 40 s), so each nashpy call gets a time
  limit of ``LH_LIMIT`` seconds; we report how many labels each solves with a certified
  equilibrium and compare times on the labels both solve.

nashpy is a benchmark-only dependency (``pip install nashpy``). The nashpy runs of the
9 x 9 game take about a minute in all (support and vertex enumeration); the whole script
a few minutes. Prints times and ratios (nashpy / ours); `benchmarks/README.md` keeps the
latest table.
"""

import platform
import signal
import time
import warnings

import nashpy
import numpy as np

from gtml_utils.games import NormalFormGame
from gtml_utils.normal_form import duality_gap, lemke_howson, solve_zero_sum, support_enumeration

LH_LIMIT = 0.5  # seconds per nashpy Lemke-Howson call


class TimeLimit(Exception):
    pass


def _alarm(signum, frame):
    raise TimeLimit


def limited(fn, seconds):
    """fn() or None when it has not returned within `seconds` (SIGALRM; nashpy's loop is Python)."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    except TimeLimit:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def normalised(p):
    p = np.clip(np.asarray(p, dtype=float), 0, None)
    return p / p.sum()


def certified_gap(game, x, y):
    """NashConv of a returned pair, or inf when it is not a pair of probability vectors."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != (game.shape[0],) or y.shape != (game.shape[1],):
        return np.inf
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return np.inf
    if x.min() < -1e-9 or y.min() < -1e-9 or x.sum() <= 0 or y.sum() <= 0:
        return np.inf
    return game.nash_conv([normalised(x), normalised(y)])


def timed(fn, repeats=1):
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def row(name, ours, peer, note=""):
    print(f"{name:<30} ours {ours * 1e3:10.1f} ms   nashpy {peer * 1e3:10.1f} ms   ratio {peer / ours:7.1f}x   {note}")


def same_set(first, second, atol=1e-6):
    def inside(pair, pairs):
        return any(np.allclose(pair[0], a, atol=atol) and np.allclose(pair[1], b, atol=atol) for a, b in pairs)

    return all(inside(p, second) for p in first) and all(inside(p, first) for p in second)


def main():
    warnings.filterwarnings("ignore")  # nashpy warns on degenerate games; ours are random
    print(f"python {platform.python_version()}, nashpy {nashpy.__version__}, numpy {np.__version__}, "
          f"machine {platform.machine()} ({platform.processor() or 'cpu'})")
    rng = np.random.default_rng(2024)

    # ---- zero-sum LP
    A = rng.normal(size=(200, 200))
    ours, (x, y, value) = timed(lambda: solve_zero_sum(A), repeats=3)
    peer, (px, py) = timed(lambda: nashpy.Game(A, -A).linear_program(), repeats=3)
    row("zero-sum LP 200x200", ours, peer,
        f"value {value:.6f}; duality gap ours {duality_gap(A, x, y):.1e}, "
        f"nashpy {duality_gap(A, normalised(px), normalised(py)):.1e}")

    # ---- support enumeration
    for n in (8, 9):
        A, B = rng.normal(size=(2, n, n))
        game = NormalFormGame.bimatrix(A, B)
        support_enumeration(A, B)  # warm caches
        ours, mine = timed(lambda A=A, B=B: support_enumeration(A, B), repeats=3)
        peer, theirs = timed(lambda A=A, B=B: list(nashpy.Game(A, B).support_enumeration()))
        vertex_time, vertex = timed(lambda A=A, B=B: list(nashpy.Game(A, B).vertex_enumeration()))
        gap = max(game.nash_conv([x, y]) for x, y in mine)
        row(f"support enumeration {n}x{n}", ours, peer,
            f"equilibria: ours {len(mine)}, nashpy {len(theirs)}, vertex enumeration {len(vertex)} "
            f"({vertex_time:.1f} s); ours = vertex set: {same_set(mine, vertex)}; max gap ours {gap:.1e}")

    # ---- Lemke-Howson
    A, B = rng.normal(size=(2, 30, 30))
    game = NormalFormGame.bimatrix(A, B)
    ours_times, peer_times, ours_ok, peer_ok = {}, {}, 0, 0
    for k in range(60):
        ours_times[k], eq = timed(lambda k=k: lemke_howson(A, B, k), repeats=3)
        ours_ok += game.nash_conv(eq) < 1e-9
        start = time.perf_counter()
        theirs = limited(lambda k=k: nashpy.Game(A, B).lemke_howson(initial_dropped_label=k), LH_LIMIT)
        if theirs is not None and certified_gap(game, *theirs) < 1e-9:
            peer_times[k] = time.perf_counter() - start
            peer_ok += 1
    both = sorted(peer_times)
    row("Lemke-Howson 30x30", sum(ours_times[k] for k in both), sum(peer_times[k] for k in both),
        f"on the {len(both)} labels nashpy solves; certified equilibria from 60 labels: ours {ours_ok}, "
        f"nashpy {peer_ok} (the others did not return within {LH_LIMIT} s or returned no equilibrium); "
        f"ours on all 60 labels {sum(ours_times.values()) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
