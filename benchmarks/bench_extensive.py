"""CFR+ on Kuhn and Leduc poker: gtml_utils.extensive.cfr against a recursive-Python baseline.

- Ours: :func:`gtml_utils.extensive.cfr` with ``variant="cfr+"``, array operations per depth
  level of the tree (no Python walk per history).
- Baseline: the textbook recursive CFR+ written below (a Python walk over every history,
  dictionaries of regrets per information set; regret matching+, alternating updates,
  linear averaging: the same algorithm, so the two average strategies must agree to
  rounding, which the script checks).

Both run the same iteration counts in one process; exploitability (NashConv / 2) of the
average strategy is printed beside each. OpenSpiel is not installed in the development
container, so its figures are **not** measured here: issue 7 quotes, for Leduc,
12.4 it/s for OpenSpiel's Python ``CFRPlusSolver`` and 102 it/s for its C++
``pyspiel.CFRPlusSolver`` on the machine where they were measured. Run with
``.venv/bin/python benchmarks/bench_extensive.py``.
"""

import platform
import time

import numpy as np

from gtml_utils.extensive import CHANCE, TERMINAL, cfr, exploitability, kuhn_poker, leduc_poker

OPENSPIEL_QUOTED = {"leduc": {"python": 12.4, "c++": 102.0}}  # it/s, quoted from issue 7, not measured here


def recursive_cfr_plus(game, iterations):
    """The straightforward baseline: one recursive walk per player per iteration."""
    children = [list(game.children[h][game.children[h] >= 0]) for h in range(game.num_nodes)]
    player, infoset, prob, utility = (game.player.tolist(), game.infoset.tolist(), game.chance_prob.tolist(),
                                      game.utility.tolist())
    k = game.num_actions.tolist()
    regret = [[0.0] * k[i] for i in range(game.num_infosets)]
    average = [[0.0] * k[i] for i in range(game.num_infosets)]

    def strategy(i):
        pos = [max(r, 0.0) for r in regret[i]]
        total = sum(pos)
        return [p / total for p in pos] if total > 0 else [1.0 / k[i]] * k[i]

    def walk(h, i, reach_i, reach_other, t, sigma, delta):
        kind = player[h]
        if kind == TERMINAL:
            return utility[h] if i == 0 else -utility[h]
        if kind == CHANCE:
            return sum(prob[c] * walk(c, i, reach_i, reach_other * prob[c], t, sigma, delta) for c in children[h])
        s = sigma[infoset[h]]
        if kind == i:
            values = [walk(c, i, reach_i * s[a], reach_other, t, sigma, delta) for a, c in enumerate(children[h])]
            v = sum(p * x for p, x in zip(s, values))
            d = delta[infoset[h]]
            for a in range(len(values)):
                d[a] += reach_other * (values[a] - v)
                average[infoset[h]][a] += t * reach_i * s[a]
            return v
        return sum(s[a] * walk(c, i, reach_i, reach_other * s[a], t, sigma, delta) for a, c in enumerate(children[h]))

    for t in range(1, iterations + 1):
        for i in (0, 1):
            sigma = [strategy(j) for j in range(game.num_infosets)]
            delta = [[0.0] * k[j] for j in range(game.num_infosets)]
            walk(0, i, 1.0, 1.0, t, sigma, delta)
            for j in np.flatnonzero(game.infoset_player == i):
                regret[j] = [max(r + d, 0.0) for r, d in zip(regret[j], delta[j])]
    out = np.zeros((game.num_infosets, game.max_actions))
    for j in range(game.num_infosets):
        total = sum(average[j])
        out[j, : k[j]] = [a / total for a in average[j]] if total > 0 else 1.0 / k[j]
    return out


def timed(fn):
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def main():
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; CPU seconds (process_time)")
    print(f"{'game':<6} {'iters':>6} {'ours it/s':>10} {'baseline it/s':>14} {'ratio':>7} "
          f"{'expl. ours':>11} {'expl. baseline':>15} {'max |diff|':>11}")
    for name, game, iters in (("kuhn", kuhn_poker(), 1000), ("leduc", leduc_poker(), 30)):
        t_ours, run = timed(lambda g=game, n=iters: cfr(g, n, variant="cfr+"))
        t_base, base = timed(lambda g=game, n=iters: recursive_cfr_plus(g, n))
        diff = float(np.abs(run.average - base).max())
        print(f"{name:<6} {iters:>6} {iters / t_ours:>10.1f} {iters / t_base:>14.1f} {t_base / t_ours:>6.1f}x "
              f"{exploitability(game, run.average):>11.2e} {exploitability(game, base):>15.2e} {diff:>11.1e}")
    print("\nexploitability reached against CPU time, ours (CFR+):")
    for name, game, iters in (("kuhn", kuhn_poker(), 10_000), ("leduc", leduc_poker(), 2000)):
        t, run = timed(lambda g=game, n=iters: cfr(g, n, variant="cfr+"))
        print(f"{name:<6} {iters:>6} iterations in {t:6.2f} s ({iters / t:7.1f} it/s): "
              f"exploitability {exploitability(game, run.average):.2e}")
    quoted = OPENSPIEL_QUOTED["leduc"]
    print(f"\nOpenSpiel, Leduc CFR+ (quoted from issue 7, not measured here): Python {quoted['python']} it/s, "
          f"C++ {quoted['c++']} it/s")


if __name__ == "__main__":
    main()
