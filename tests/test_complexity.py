"""Tests of gtml_utils.complexity: Sperner walk, approximate Brouwer fixed points, and the
reduction from Brouwer to local Nash equilibrium."""

import jax.numpy as jnp
import numpy as np
import pytest

from gtml_utils.complexity import (
    approximate_fixed_point,
    brouwer_game,
    sperner_label,
    sperner_labels,
    sperner_walk,
)
from gtml_utils.local import local_nash_residual


def random_map(seed):
    """A random smooth map of the square into its interior: a small sigmoid network."""
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(size=(8, 2)) * 3, rng.normal(size=8)
    W2, b2 = rng.normal(size=(2, 8)), rng.normal(size=2)
    return lambda x: 1 / (1 + np.exp(-(W2 @ np.tanh(W1 @ x + b1) + b2)))


def spiral_map(p, rho, theta):
    """x -> p + rho R(theta) (x - p): the unique fixed point p (rho < 1)."""
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return lambda x: p + rho * R @ (np.asarray(x) - p)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n", [1, 3, 17])
def test_walk_ends_in_panchromatic_triangle(seed, n):
    f = random_map(seed)
    walk = sperner_walk(f, n)
    last = walk.path[-1]
    # the labels of the final triangle, recomputed from scratch, are {0, 1, 2}
    recomputed = sorted(sperner_label(v / n, f(v / n)) for v in last)
    assert recomputed == [0, 1, 2]
    assert walk.labels[-1].tolist() == [0, 1, 2]
    # consecutive triangles share an edge (two vertices), and no triangle repeats
    tris = [frozenset(map(tuple, t)) for t in walk.path]
    assert len(set(tris)) == len(tris)
    assert all(len(a & b) == 2 for a, b in zip(tris, tris[1:]))
    # every triangle is a triangle of the grid: legs of length 1 and one diagonal (1, 1)
    for t in walk.path:
        d = sorted(tuple(np.abs(a - b)) for i, a in enumerate(t) for b in t[i + 1:])
        assert d == [(0, 1), (1, 0), (1, 1)]
    assert 1 <= walk.evaluations <= (n + 1) ** 2


def test_boundary_conditions_of_the_labelling():
    for seed in range(5):
        labels = sperner_labels(random_map(seed), 12)
        assert labels[0, 0] == 0
        assert np.all(labels[0, :] != 1) and np.all(labels[:, 0] != 2)  # faces x_i = 0: never label i
        assert np.all(labels[-1, :] == 1) and np.all(labels[:, -1] != 0)  # faces x_i = 1: never label 0


@pytest.mark.parametrize("p, rho, theta", [((0.3, 0.6), 0.3, 2.0), ((0.81, 0.12), 0.1, -1.0), ((0.5, 0.5), 0.7, 3.0)])
@pytest.mark.parametrize("eps", [1e-1, 1e-2, 1e-3])
def test_approximate_fixed_point_meets_eps(p, rho, theta, eps):
    p = np.array(p)
    f = spiral_map(p, rho, theta)
    for lipschitz in (rho, None):
        result = approximate_fixed_point(f, eps, lipschitz=lipschitz)
        assert np.linalg.norm(f(result.point) - result.point) <= eps
        assert result.residual <= eps
        # a rho-contraction: |x - p| <= |x - f(x)| / (1 - rho)
        assert np.linalg.norm(result.point - p) <= eps / (1 - rho) + 1e-12
        assert result.evaluations >= 3 and result.path.shape[1:] == (3, 2)


def test_approximate_fixed_point_on_boundary_fixed_point():
    f = lambda x: np.array([1.0, 0.5 * x[1]])  # noqa: E731 - fixed point (1, 0) at a corner
    result = approximate_fixed_point(f, 1e-3, lipschitz=1.0)
    assert np.linalg.norm(f(result.point) - result.point) <= 1e-3


def test_evaluations_grow_with_resolution_but_far_below_grid():
    f = random_map(3)
    counts = [sperner_walk(f, n).evaluations for n in (16, 64, 256)]
    assert counts[0] < counts[1] < counts[2] < 257**2 / 4


def test_reduction_residual_zero_exactly_at_fixed_points():
    p = jnp.array([0.3, 0.7])
    M = lambda y: p + 0.5 * (y - p)  # noqa: E731 - unique fixed point p
    game = brouwer_game(M, 2)
    z_star = jnp.concatenate([p, p])
    assert local_nash_residual(game, z_star) == 0.0
    assert local_nash_residual(game, z_star, step=0.5) == 0.0
    rng = np.random.default_rng(0)
    for z in rng.uniform(size=(50, 4)):
        x, y = z[:2], z[2:]
        r = local_nash_residual(game, z, step=0.5)
        expected = max(np.linalg.norm(x - np.asarray(M(y))), np.linalg.norm(y - x))
        assert r > 0 and np.isclose(r, expected, rtol=1e-9, atol=1e-12)


def test_reduction_finds_fixed_points_of_map_with_two():
    # M(y) = y^2 on [0, 1] has fixed points 0 and 1 only
    game = brouwer_game(lambda y: y**2, 1)
    for t in (0.0, 1.0):
        assert local_nash_residual(game, [t, t]) == 0.0
    for t in np.linspace(0.05, 0.95, 19):
        assert local_nash_residual(game, [t, t]) > 0


def test_bad_input():
    f = spiral_map(np.array([0.5, 0.5]), 0.5, 1.0)
    with pytest.raises(ValueError, match="eps"):
        approximate_fixed_point(f, 0.0)
    with pytest.raises(ValueError, match="eps"):
        approximate_fixed_point(f, -1e-3)
    with pytest.raises(ValueError, match="lipschitz"):
        approximate_fixed_point(f, 1e-2, lipschitz=-1.0)
    with pytest.raises(ValueError, match="shape"):
        approximate_fixed_point(lambda x: np.zeros(3), 1e-2)
    with pytest.raises(ValueError, match="outside"):
        approximate_fixed_point(lambda x: x + 2.0, 1e-2)
    with pytest.raises(ValueError, match="callable"):
        sperner_walk("not a map", 4)
    with pytest.raises(ValueError, match="resolution"):
        sperner_walk(f, 0)
    with pytest.raises(ValueError, match="resolution"):
        sperner_labels(f, 2.5)
    with pytest.raises(ValueError, match="dimension"):
        brouwer_game(lambda y: y, 0)
    with pytest.raises(ValueError, match="shape"):
        brouwer_game(lambda y: jnp.zeros(3), 2)
    game = brouwer_game(lambda y: 0.5 * y, 2)
    with pytest.raises(ValueError, match="outside"):
        local_nash_residual(game, [1.5, 0.0, 0.0, 0.0])  # start outside the box
    with pytest.raises(ValueError):
        local_nash_residual(game, [0.5, 0.5, 0.5])  # wrong dimension


# ------------------------------------------------------------------ Savani--von Stengel games
from itertools import combinations  # noqa: E402

from gtml_utils.complexity import gale_lemke_howson, savani_von_stengel, svs_labels  # noqa: E402
from gtml_utils.games import NormalFormGame  # noqa: E402
from gtml_utils.normal_form import lemke_howson  # noqa: E402


def orthant_vertices(M, tol=1e-9):
    """All vertices of {w >= 0 : M w <= 1} by brute force, as bit strings of tight constraints
    (w_0 >= 0, ..., w_{n-1} >= 0, then the rows of M)."""
    n = M.shape[1]
    G = np.vstack([-np.eye(n), M])
    h = np.concatenate([np.zeros(n), np.ones(len(M))])
    found = set()
    for tight in combinations(range(len(G)), n):
        sub = G[list(tight)]
        if abs(np.linalg.det(sub)) < 1e-12:
            continue
        w = np.linalg.solve(sub, h[list(tight)])
        slack = h - G @ w
        if np.all(slack >= -tol):
            assert np.sum(np.abs(slack) < tol) == n, "degenerate vertex"
            found.add(tuple(int(s) for s in np.abs(slack) < tol))
    return found


def gale_strings(n):
    """Bit strings of length 2n with n ones whose cyclic runs of ones all have even length."""
    out = set()
    for ones in combinations(range(2 * n), n):
        s = [0] * (2 * n)
        for i in ones:
            s[i] = 1
        start = s.index(0)
        runs, r = [], 0
        for i in range(1, 2 * n + 1):
            if s[(start + i) % (2 * n)]:
                r += 1
            elif r:
                runs.append(r)
                r = 0
        if all(r % 2 == 0 for r in runs):
            out.add(tuple(s))
    return out


def test_svs_two_by_two_by_hand():
    # n = 2: both polytopes are quadrilaterals. P's facets x0, x1, col 0, col 1 in cyclic order:
    # column 0 answers row 0, column 1 answers row 1. Q's labels are [0, 1, 3, 2]: row 0 answers
    # column 1 and row 1 answers column 0 -- a matching-pennies cycle with one mixed equilibrium.
    A, B = savani_von_stengel(2)
    assert svs_labels(2).tolist() == [0, 1, 3, 2]
    assert B[0, 0] > B[0, 1] and B[1, 1] > B[1, 0]
    assert A[1, 0] > A[0, 0] and A[0, 1] > A[1, 1]
    for k in range(4):
        x, y, path = lemke_howson(A, B, k, return_path=True)
        assert len(path) - 1 == 4
        assert np.all(x > 0) and np.all(y > 0)


def test_svs_labels_are_the_published_permutation():
    # identity with neighbouring pairs swapped: first half (1 2)(3 4)..., second half (n n+1)...
    assert svs_labels(6).tolist() == [0, 2, 1, 4, 3, 5, 7, 6, 9, 8, 11, 10]
    assert svs_labels(8).tolist() == [0, 2, 1, 4, 3, 6, 5, 7, 9, 8, 11, 10, 13, 12, 15, 14]
    for n in (2, 4, 10):
        lab = svs_labels(n)
        assert sorted(lab.tolist()) == list(range(2 * n))
        assert set(lab[:n].tolist()) == set(range(n))  # rows of A first, then y >= 0


@pytest.mark.parametrize("n", [4, 6])
def test_svs_polytopes_are_dual_cyclic_with_the_published_labels(n):
    A, B = savani_von_stengel(n)
    gale = gale_strings(n)
    # P: facets in cyclic order x_0..x_{n-1} >= 0, then columns of B: label = facet index
    assert orthant_vertices(B.T) == gale
    # Q: orthant form lists y >= 0 first, then rows of A; reorder to Q's cyclic facet order
    lab = svs_labels(n)
    order = [int(label) - n if label >= n else n + int(label) for label in lab]  # facet g -> column of G
    vertices_q = {tuple(v[c] for c in order) for v in orthant_vertices(A)}
    assert vertices_q == gale
    m = len(gale)  # facets of the cyclic polytope C_n(2n): 2n/(2n - n/2) * C(2n - n/2, n/2)
    assert m == {4: 20, 6: 112}[n]


@pytest.mark.parametrize("n", [4, 6])
def test_svs_lemke_howson_follows_the_gale_walk(n):
    A, B = savani_von_stengel(n)
    A1, B1 = A - A.min() + 1.0, B - B.min() + 1.0  # the shift lemke_howson applies
    lab = svs_labels(n)
    for k in range(2 * n):
        x, y, path = lemke_howson(A, B, k, return_path=True)
        walk = gale_lemke_howson(n, k)
        assert len(path) == len(walk)
        for (xp, yq), (u, v) in zip(path, walk):
            tight_p = np.concatenate([np.abs(xp) < 1e-9, np.abs(B1.T @ xp - 1) < 1e-9])
            tight_rows, tight_y = np.abs(A1 @ yq - 1) < 1e-9, np.abs(yq) < 1e-9
            tight_q = [tight_rows[label] if label < n else tight_y[label - n] for label in lab]
            assert tuple(int(t) for t in tight_p) == u
            assert tuple(int(t) for t in tight_q) == v
        assert NormalFormGame.bimatrix(A, B).best_response_gaps([x, y]).max() <= 1e-9


def test_svs_paths_grow_exponentially():
    phi = (1 + 5**0.5) / 2
    shortest = {}
    for n in range(2, 11, 2):
        A, B = savani_von_stengel(n)
        lengths = [len(lemke_howson(A, B, k, return_path=True)[2]) - 1 for k in range(2 * n)]
        assert lengths == [len(gale_lemke_howson(n, k)) - 1 for k in range(2 * n)]
        shortest[n] = min(lengths)
    assert list(shortest.values()) == [4, 8, 16, 40, 68]
    assert all(a < b for a, b in zip(list(shortest.values()), list(shortest.values())[1:]))
    for n in range(12, 15, 2):  # combinatorially, further
        shortest[n] = min(len(gale_lemke_howson(n, k)) - 1 for k in range(2 * n))
    ns = np.array(sorted(shortest))
    slope = np.polyfit(ns, np.log([shortest[n] for n in ns]), 1)[0]
    # the FOCS 2004 bound is Omega(phi^(3n/4)): growth factor phi^(3/4) = 1.434 per strategy
    assert abs(np.exp(slope) - phi**0.75) < 0.08
    assert all(shortest[n] >= phi ** (0.75 * n) for n in ns)


def test_svs_bad_input():
    for bad in (0, 1, 3, -2, 2.0, True, "4", None):
        with pytest.raises(ValueError, match="even integer"):
            savani_von_stengel(bad)
        with pytest.raises(ValueError, match="even integer"):
            svs_labels(bad)
    with pytest.raises(ValueError, match="initial_label"):
        gale_lemke_howson(4, 8)
    with pytest.raises(ValueError, match="initial_label"):
        gale_lemke_howson(4, -1)
