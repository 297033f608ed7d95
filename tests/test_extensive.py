"""Tests of gtml_utils.extensive: game trees, the sequence-form LP, best responses and CFR."""

import importlib.util

import numpy as np
import pytest

from gtml_utils.extensive import (
    CHANCE,
    TERMINAL,
    GameTree,
    best_response_values,
    cfr,
    expected_value,
    exploitability,
    kuhn_poker,
    leduc_poker,
    nash_conv,
    sequence_form_lp,
    uniform_strategy,
)

LEDUC_VALUE = -0.085606424  # the value of Leduc hold'em for player 0, as quoted in the literature/OpenSpiel


@pytest.fixture(scope="module")
def kuhn():
    return kuhn_poker()


@pytest.fixture(scope="module")
def leduc():
    return leduc_poker()


def kuhn_equilibrium(alpha):
    """Kuhn's equilibrium family (Kuhn 1950) in our information-set order, alpha in [0, 1/3]."""
    game = kuhn_poker()
    bet = {  # probability of action "b" at each information set
        "P0:J": alpha, "P0:Q": 0.0, "P0:K": 3 * alpha,
        "P0:Jpb": 0.0, "P0:Qpb": alpha + 1 / 3, "P0:Kpb": 1.0,
        "P1:Jb": 0.0, "P1:Qb": 1 / 3, "P1:Kb": 1.0,
        "P1:Jp": 1 / 3, "P1:Qp": 0.0, "P1:Kp": 1.0,
    }
    s = np.array([[1 - bet[name], bet[name]] for name in game.infoset_names])
    return game, s


def test_tree_sizes(kuhn, leduc):
    assert kuhn.num_infosets == 12 and int((kuhn.player == TERMINAL).sum()) == 30
    assert leduc.num_infosets == 936 and leduc.num_nodes == 9457
    assert set(np.unique(leduc.num_actions)) == {2, 3}
    assert kuhn.num_sequences == [13, 13]


def test_uniform_nash_conv_matches_openspiel(kuhn, leduc):
    assert nash_conv(kuhn, uniform_strategy(kuhn)) == pytest.approx(11 / 12, abs=1e-12)
    assert nash_conv(leduc, uniform_strategy(leduc)) == pytest.approx(4.747222222, abs=1e-6)
    assert exploitability(kuhn, uniform_strategy(kuhn)) == pytest.approx(11 / 24, abs=1e-12)


def test_sequence_form_values(kuhn, leduc):
    value, s = sequence_form_lp(kuhn)
    assert value == pytest.approx(-1 / 18, abs=1e-6)
    assert exploitability(kuhn, s) < 1e-9
    assert expected_value(kuhn, s) == pytest.approx(-1 / 18, abs=1e-9)
    value, s = sequence_form_lp(leduc)
    assert value == pytest.approx(LEDUC_VALUE, abs=1e-6)
    assert exploitability(leduc, s) < 1e-8
    br0, br1 = best_response_values(leduc, s)
    assert br0 == pytest.approx(value, abs=1e-8) and -br1 == pytest.approx(value, abs=1e-8)


@pytest.mark.parametrize("alpha", [0.0, 0.1, 1 / 3])
def test_kuhn_equilibrium_family(alpha):
    game, s = kuhn_equilibrium(alpha)
    assert nash_conv(game, s) < 1e-12
    assert expected_value(game, s) == pytest.approx(-1 / 18, abs=1e-12)


def test_best_response_is_not_beaten_by_pure_deviations(kuhn):
    """Brute force: every pure strategy of player 0 earns at most the best-response value."""
    rng = np.random.default_rng(0)
    s = rng.dirichlet(np.ones(2), size=kuhn.num_infosets)
    br0, _ = best_response_values(kuhn, s)
    mine = np.flatnonzero(kuhn.infoset_player == 0)
    best = -np.inf
    for bits in range(2 ** len(mine)):
        t = s.copy()
        for j, i in enumerate(mine):
            t[i] = [1 - (bits >> j & 1), bits >> j & 1]
        best = max(best, expected_value(kuhn, t))
    assert best == pytest.approx(br0, abs=1e-12)


def test_cfr_plus_converges_on_kuhn(kuhn):
    run = cfr(kuhn, 1000, variant="cfr+", checkpoints=[10, 100, 1000])
    assert run.exploitability[-1] < 1e-3
    assert np.all(np.diff(run.exploitability) < 0)
    assert expected_value(kuhn, run.average) == pytest.approx(-1 / 18, abs=5e-3)


def test_cfr_converges_and_cfr_plus_is_faster(kuhn, leduc):
    plain = cfr(kuhn, 1000, variant="cfr", checkpoints=[1000])
    plus = cfr(kuhn, 1000, variant="cfr+", checkpoints=[1000])
    assert plain.exploitability[-1] < 0.01
    assert plus.exploitability[-1] < plain.exploitability[-1]
    run = cfr(leduc, 100, variant="cfr+", checkpoints=[100])
    assert run.exploitability[-1] < 0.05


def test_strategies_are_distributions(leduc):
    run = cfr(leduc, 5, variant="cfr")
    for s in (run.average, run.current):
        assert np.allclose(s.sum(axis=1), 1.0)
        assert np.all(s[~leduc.legal] == 0) and np.all(s >= 0)


def test_zero_iterations_give_uniform(kuhn):
    run = cfr(kuhn, 0)
    assert np.allclose(run.average, uniform_strategy(kuhn))


def test_bad_input(kuhn):
    with pytest.raises(ValueError, match="iterations"):
        cfr(kuhn, -1)
    with pytest.raises(ValueError, match="variant"):
        cfr(kuhn, 10, variant="cfr++")
    with pytest.raises(ValueError, match="checkpoints"):
        cfr(kuhn, 10, checkpoints=[11])
    with pytest.raises(ValueError, match="shape"):
        expected_value(kuhn, np.ones((3, 2)) / 2)
    bad = uniform_strategy(kuhn)
    bad[0] = [0.7, 0.7]
    with pytest.raises(ValueError, match="sums to"):
        exploitability(kuhn, bad)
    with pytest.raises(ValueError, match="GameTree"):
        sequence_form_lp("kuhn")
    with pytest.raises(ValueError, match="sum to"):
        GameTree.from_nodes([{"parent": -1, "player": CHANCE},
                             {"parent": 0, "action": 0, "prob": 0.5, "player": 0, "infoset": "a", "actions": ("x",)},
                             {"parent": 1, "action": 0, "player": TERMINAL, "utility": 1.0}])
    with pytest.raises(ValueError, match="perfect recall"):
        # Player 0 forgets its own first move: one information set reached by two sequences.
        GameTree.from_nodes([
            {"parent": -1, "player": 0, "infoset": "a", "actions": ("L", "R")},
            {"parent": 0, "action": 0, "player": 0, "infoset": "b", "actions": ("l", "r")},
            {"parent": 0, "action": 1, "player": 0, "infoset": "b", "actions": ("l", "r")},
            *[{"parent": p, "action": a, "player": TERMINAL, "utility": 1.0} for p in (1, 2) for a in (0, 1)],
        ])


@pytest.mark.skipif(importlib.util.find_spec("pyspiel") is None, reason="open_spiel is a benchmark-only extra")
def test_nash_conv_matches_openspiel_on_random_policy():  # pragma: no cover - needs open_spiel
    import pyspiel
    from open_spiel.python import policy as policy_lib
    from open_spiel.python.algorithms import exploitability as os_expl

    game = kuhn_poker()
    rng = np.random.default_rng(1)
    s = rng.dirichlet(np.ones(2), size=game.num_infosets)
    os_game = pyspiel.load_game("kuhn_poker")
    pol = policy_lib.TabularPolicy(os_game)
    cards = "JQK"
    for key, row in pol.state_lookup.items():
        player = 0 if len(key) % 2 == 1 else 1  # OpenSpiel keys: "0" (card) + "p"/"b" history
        name = f"P{player}:{cards[int(key[0])]}{key[1:]}"
        pol.action_probability_array[row] = s[game.infoset_names.index(name)]
    assert nash_conv(game, s) == pytest.approx(os_expl.nash_conv(os_game, pol), abs=1e-9)
