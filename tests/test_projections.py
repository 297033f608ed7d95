"""Tests of gtml_utils.projections: every convex set and its Euclidean projection.

Property tests (hypothesis) check, for random sets and random points, the facts that
characterise the Euclidean projection onto a nonempty closed convex set S:

- feasibility: P(v) lies in S;
- idempotence: P(P(v)) = P(v);
- non-expansiveness: ||P(u) - P(v)|| <= ||u - v||;
- optimality, the variational inequality <v - P(v), w - P(v)> <= 0 for every w in S,

and that a section (the slice a player faces when the other coordinates are fixed)
projects to points that, put back into the profile, lie in S. Deterministic tests pin
known projections, JAX transformations, and the errors raised on bad input.

Polytopes are projected by a jitted Dykstra loop that compiles once per shape, so the
random polytopes have a fixed number of rows for each dimension: N_CUTS random
half-spaces plus the 2 d faces of a bounding box.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gtml_utils.projections import Ball, Box, ConvexSet, Polytope, Product, Simplex

N_CUTS = 2  # random half-spaces of each random polytope (besides its bounding box)
TOL = 1e-7  # feasibility / non-expansiveness slack
EXAMPLES = 30  # per property test; compilation (once per shape), not examples, dominates the run time


# ------------------------------------------------------------------- strategies
def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


DIMS = st.integers(1, 5)


def vectors(dim, scale=10.0):
    return hnp.arrays(np.float64, (dim,), elements=floats(-scale, scale))


@st.composite
def boxes(draw, dims=DIMS):
    d = draw(dims)
    lower = draw(vectors(d, 5.0))
    width = draw(hnp.arrays(np.float64, (d,), elements=floats(0.0, 5.0)))
    return Box(lower, lower + width)


@st.composite
def balls(draw, dims=DIMS):
    return Ball(draw(vectors(draw(dims), 5.0)), draw(floats(0.0, 5.0)))


@st.composite
def simplices(draw, dims=DIMS):
    return Simplex(draw(dims), total=draw(st.one_of(st.just(1.0), floats(0.0, 5.0))))


@st.composite
def polytopes(draw, dims=DIMS):
    """{x : A x <= b}: N_CUTS random half-spaces whose boundaries pass at positive distance
    from a centre c (so c is interior), intersected with the box |x_k - c_k| <= R."""
    d = draw(dims)
    # coefficients on a grid of 1e-3: a cut like 1e-69 x - y <= b is a legal but degenerate input whose
    # sections at boundary points are empty up to rounding, which no projection can honour
    cuts = draw(hnp.arrays(np.float64, (N_CUTS, d), elements=floats(-3.0, 3.0).map(lambda c: round(c, 3))))
    slack = draw(hnp.arrays(np.float64, (N_CUTS,), elements=floats(0.1, 3.0)))
    radius = draw(floats(0.5, 5.0))
    centre = draw(vectors(d, 2.0))
    A = np.vstack([cuts, np.eye(d), -np.eye(d)])
    b = np.concatenate([slack + cuts @ centre, radius + centre, radius - centre])
    return Polytope(A, b)


def factors():
    small = st.integers(1, 2)
    return st.one_of(boxes(small), balls(small), simplices(small), polytopes(small))


def products():
    return st.lists(factors(), min_size=1, max_size=3).map(Product)


SETS = {"box": boxes(), "ball": balls(), "simplex": simplices(), "polytope": polytopes(), "product": products()}
seeds = st.integers(0, 2**32 - 1)


# ------------------------------------------------------- members of a given set
def member(S, rng, extreme=False):
    """A point of S: uniform-ish inside, or (extreme=True) on the boundary / a vertex."""
    if isinstance(S, Box):
        lower, upper = np.asarray(S.lower), np.asarray(S.upper)
        t = (rng.random(S.dim) < 0.5).astype(float) if extreme else rng.random(S.dim)
        return lower + t * (upper - lower)
    if isinstance(S, Ball):
        direction = rng.normal(size=S.dim)
        direction /= max(np.linalg.norm(direction), 1e-12)
        scale = 1.0 if extreme else rng.random() ** (1.0 / S.dim)
        return np.asarray(S.center) + float(S.radius) * scale * direction
    if isinstance(S, Simplex):
        weights = np.eye(S.dim)[rng.integers(S.dim)] if extreme else rng.exponential(size=S.dim)
        return float(S.total) * weights / weights.sum()
    if isinstance(S, Product):
        return np.concatenate([member(s, rng, extreme) for s in S.sets])
    # any other set (Polytope, sections): project a far-away random point onto it
    return np.asarray(S.project(rng.normal(scale=10.0, size=S.dim)))


def members(S, rng):
    return [member(S, rng), member(S, rng, extreme=True), np.asarray(S.project(rng.normal(scale=10.0, size=S.dim)))]


def assert_variational_inequality(S, v, p, ws):
    """<v - p, w - p> <= 0 for every w in S (up to rounding, relative to the lengths)."""
    for w in ws:
        assert S.contains(w, tol=TOL), f"sampled member {w} is not in {S!r}"
        inner = float(np.dot(v - p, w - p))
        scale = 1.0 + np.linalg.norm(v - p) * np.linalg.norm(w - p)
        assert inner <= 1e-9 * scale, f"<v - P(v), w - P(v)> = {inner} > 0 for v={v}, P(v)={p}, w={w} in {S!r}"


# ------------------------------------------------------------ property tests
@pytest.mark.parametrize("kind", list(SETS))
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_projection_is_the_nearest_point(kind, data):
    S = data.draw(SETS[kind], label="set")
    v = data.draw(vectors(S.dim), label="v")
    u = data.draw(vectors(S.dim), label="u")
    rng = np.random.default_rng(data.draw(seeds, label="seed"))

    pv, pu = np.asarray(S.project(v)), np.asarray(S.project(u))
    assert pv.shape == (S.dim,) and pv.dtype == np.float64
    # feasible
    assert S.contains(pv, tol=TOL), f"P(v) = {pv} is not in {S!r}"
    assert S.contains(pu, tol=TOL), f"P(u) = {pu} is not in {S!r}"
    # idempotent
    np.testing.assert_allclose(np.asarray(S.project(pv)), pv, rtol=0, atol=1e-8)
    # non-expansive
    assert np.linalg.norm(pu - pv) <= np.linalg.norm(u - v) + TOL
    # optimal: the variational inequality against members of S, and no member is nearer
    ws = members(S, rng) + [pu]
    assert_variational_inequality(S, v, pv, ws)
    assert all(np.linalg.norm(v - pv) <= np.linalg.norm(v - w) + TOL for w in ws)


@pytest.mark.parametrize("kind", list(SETS))
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_section_projection_stays_in_the_set(kind, data):
    S = data.draw(SETS[kind], label="set")
    rng = np.random.default_rng(data.draw(seeds, label="seed"))
    z = member(S, rng, extreme=data.draw(st.booleans(), label="extreme z"))
    start = data.draw(st.integers(0, S.dim - 1), label="start")
    stop = data.draw(st.integers(start + 1, S.dim), label="stop")
    v = data.draw(vectors(stop - start), label="v")

    T = S.section(start, stop, z)
    assert isinstance(T, ConvexSet) and T.dim == stop - start
    assert T.contains(z[start:stop], tol=TOL), "z's own block must lie in the section at z"
    x = np.asarray(T.project(v))
    assert T.contains(x, tol=TOL)
    placed = z.copy()
    placed[start:stop] = x
    assert S.contains(placed, tol=TOL), f"section projection {x} placed into z = {z} leaves {S!r}"
    # the projection onto the section is optimal within the section (z's block is a member)
    ws = [z[start:stop], np.asarray(T.project(rng.normal(scale=10.0, size=T.dim)))]
    assert_variational_inequality(T, v, x, ws)


@settings(max_examples=EXAMPLES)
@given(box=boxes(), data=st.data())
def test_box_section_is_the_sub_box(box, data):
    z = member(box, np.random.default_rng(data.draw(seeds)))
    start = data.draw(st.integers(0, box.dim - 1))
    stop = data.draw(st.integers(start + 1, box.dim))
    T = box.section(start, stop, z)
    assert isinstance(T, Box)
    np.testing.assert_array_equal(T.lower, box.lower[start:stop])
    np.testing.assert_array_equal(T.upper, box.upper[start:stop])
    v = data.draw(vectors(stop - start))
    np.testing.assert_array_equal(T.project(v), np.clip(v, box.lower[start:stop], box.upper[start:stop]))


@settings(max_examples=EXAMPLES)
@given(product=products(), data=st.data())
def test_product_section_over_whole_factors_is_those_factors(product, data):
    z = member(product, np.random.default_rng(data.draw(seeds)))
    first = data.draw(st.integers(0, len(product.sets) - 1))
    last = data.draw(st.integers(first, len(product.sets) - 1))
    start, stop = product.offsets[first], product.offsets[last + 1]
    T = product.section(start, stop, z)
    if first == last:
        assert T is product.sets[first]
    v = data.draw(vectors(stop - start))
    expected = [
        np.asarray(product.sets[k].project(v[product.offsets[k] - start : product.offsets[k + 1] - start]))
        for k in range(first, last + 1)
    ]
    np.testing.assert_allclose(T.project(v), np.concatenate(expected), rtol=0, atol=1e-12)


@settings(max_examples=EXAMPLES)
@given(product=products(), v=st.data())
def test_product_projects_block_by_block(product, v):
    v = v.draw(vectors(product.dim))
    expected = np.concatenate([np.asarray(s.project(blk)) for s, blk in zip(product.sets, product.blocks(v))])
    np.testing.assert_allclose(product.project(v), expected, rtol=0, atol=1e-12)


def padded(A, b):
    """Append trivial rows 0 x <= 1 up to the (N_CUTS + 2 d, d) shape of the random polytopes, so
    the jitted Dykstra loop compiled for those is reused (Dykstra skips zero rows)."""
    m, d = A.shape
    return np.vstack([A, np.zeros((N_CUTS + 2 * d - m, d))]), np.concatenate([b, np.ones(N_CUTS + 2 * d - m)])


@settings(max_examples=30)
@given(box=boxes(), data=st.data())
def test_polytope_of_a_box_projects_like_the_box(box, data):
    lower, upper = np.asarray(box.lower), np.asarray(box.upper)
    A, b = padded(np.vstack([np.eye(box.dim), -np.eye(box.dim)]), np.concatenate([upper, -lower]))
    as_polytope = Polytope(A, b)
    v = data.draw(vectors(box.dim))
    np.testing.assert_allclose(as_polytope.project(v), box.project(v), rtol=0, atol=1e-9)


@settings(max_examples=30)
@given(simplex=simplices(st.integers(1, 4)), data=st.data())
def test_polytope_of_a_simplex_projects_like_the_simplex(simplex, data):
    d, total = simplex.dim, simplex.total
    ones = np.ones((1, d))
    A, b = padded(np.vstack([-np.eye(d), ones, -ones]), np.concatenate([np.zeros(d), [total, -total]]))
    as_polytope = Polytope(A, b)
    v = data.draw(vectors(d))
    np.testing.assert_allclose(as_polytope.project(v), simplex.project(v), rtol=0, atol=1e-7)


# ----------------------------------------------------- known projections
TRIANGLE = Polytope([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]], [0.0, 0.0, 1.0])  # x, y >= 0, x + y <= 1
# Found by hypothesis: after its first sweep, Dykstra's x returns to (-0.5, -0.5, 0.5) while the
# corrections still change, so stopping on "x did not move" returned that vertex. The projection
# of (0, 3, 3) has both cuts active: x = v - (1/24)(1, 2, 1) - (23/8)(0, 1, 1).
TWO_CUTS = Polytope(np.vstack([[[1.0, 2.0, 1.0], [0.0, 1.0, 1.0]], np.eye(3), -np.eye(3)]), [0.125, 0.125] + [0.5] * 6)


@pytest.mark.parametrize(
    ("S", "v", "expected"),
    [
        (Simplex(3), [1.0, 1.0, -1.0], [0.5, 0.5, 0.0]),
        (Simplex(3), [0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
        (Simplex(3), [5.0, 0.0, 0.0], [1.0, 0.0, 0.0]),
        (Simplex(3), [-1.0, -1.0, -1.0], [1 / 3, 1 / 3, 1 / 3]),
        (Simplex(2, total=2.0), [3.0, 0.0], [2.0, 0.0]),
        (Simplex(4, total=0.0), [1.0, -2.0, 3.0, 0.5], [0.0, 0.0, 0.0, 0.0]),
        (Simplex(1), [-7.0], [1.0]),
        (Ball([0.0, 0.0], 1.0), [3.0, 4.0], [0.6, 0.8]),
        (Ball([1.0, 1.0], 2.0), [1.0, 5.0], [1.0, 3.0]),
        (Ball([1.0, 1.0], 2.0), [2.0, 0.0], [2.0, 0.0]),  # inside: unchanged
        (Ball([1.0, -1.0, 0.0], 0.0), [4.0, 4.0, 4.0], [1.0, -1.0, 0.0]),  # radius 0: the centre
        (Ball([0.0], 1.0), [0.0], [0.0]),
        (Box([0.0, -1.0], [1.0, 1.0]), [2.0, -3.0], [1.0, -1.0]),
        (Box([0.0, -1.0], [1.0, 1.0]), [0.5, 0.25], [0.5, 0.25]),
        (Box(-1.0, 1.0, dim=3), [0.5, -2.0, 7.0], [0.5, -1.0, 1.0]),
        (Box([2.0], [2.0]), [-5.0], [2.0]),  # a degenerate box is a point
        (TRIANGLE, [1.0, 1.0], [0.5, 0.5]),
        (TRIANGLE, [-1.0, -2.0], [0.0, 0.0]),
        (TRIANGLE, [2.0, 0.0], [1.0, 0.0]),
        (TRIANGLE, [1.0, -0.5], [1.0, 0.0]),
        (TRIANGLE, [-1.0, 3.0], [0.0, 1.0]),
        (TRIANGLE, [0.2, 0.3], [0.2, 0.3]),
        (TWO_CUTS, [0.0, 3.0, 3.0], [-1 / 24, 1 / 24, 1 / 12]),
        (Product([Simplex(2), Box(0.0, 1.0, dim=1)]), [3.0, 1.0, 5.0], [1.0, 0.0, 1.0]),
        (Product([Ball([0.0, 0.0], 1.0), TRIANGLE]), [3.0, 4.0, 1.0, 1.0], [0.6, 0.8, 0.5, 0.5]),
        (Product([Product([Simplex(2)]), Box(0.0, 1.0, dim=1)]), [1.0, 0.0, -1.0], [1.0, 0.0, 0.0]),
    ],
    ids=lambda x: repr(x) if isinstance(x, ConvexSet) else None,
)
def test_known_projections(S, v, expected):
    np.testing.assert_allclose(S.project(v), expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    ("S", "start", "stop", "z", "v", "expected"),
    [
        # a unit disc with y = 0.6 fixed leaves x in [-0.8, 0.8]
        (Ball([0.0, 0.0], 1.0), 0, 1, [0.0, 0.6], [2.0], [0.8]),
        (Ball([0.0, 0.0, 0.0], 1.0), 1, 3, [0.6, 0.0, 0.0], [3.0, 4.0], [0.48, 0.64]),
        (Ball([0.0, 0.0], 1.0), 1, 2, [1.0, 0.0], [5.0], [0.0]),  # on the boundary: a single point
        # a simplex with 0.5 of the mass fixed leaves a simplex of total 0.5
        (Simplex(3), 0, 2, [0.2, 0.3, 0.5], [1.0, 1.0], [0.25, 0.25]),
        (Simplex(3), 2, 3, [0.2, 0.3, 0.5], [7.0], [0.5]),
        (TRIANGLE, 0, 1, [0.2, 0.6], [1.0], [0.4]),
        (TRIANGLE, 1, 2, [0.2, 0.6], [-3.0], [0.0]),
        (TRIANGLE, 0, 2, [0.2, 0.6], [1.0, 1.0], [0.5, 0.5]),
        (Box([0.0, 1.0, 2.0], [1.0, 2.0, 3.0]), 1, 3, [0.5, 1.5, 2.5], [9.0, 0.0], [2.0, 2.0]),
        # a product cut across both factors: part of the simplex (mass 0.8 left) and the box
        (Product([Simplex(3), Box(0.0, 1.0, dim=2)]), 1, 4, [0.2, 0.3, 0.5, 0.5, 0.5], [1, 1, 5.0], [0.4, 0.4, 1]),
    ],
)
def test_known_sections(S, start, stop, z, v, expected):
    T = S.section(start, stop, z)
    assert T.dim == stop - start
    np.testing.assert_allclose(T.project(v), expected, rtol=0, atol=1e-9)


def test_contains_uses_the_tolerance():
    simplex = Simplex(2)
    assert simplex.contains([0.5, 0.5])
    assert not simplex.contains([0.5, 0.5 + 1e-6])
    assert simplex.contains([0.5, 0.5 + 1e-6], tol=1e-5)
    assert not Ball([0.0, 0.0], 1.0).contains([0.8, 0.61])
    assert not TRIANGLE.contains([0.6, 0.6])
    assert TRIANGLE.contains([0.5, 0.5])
    assert not Box(0.0, 1.0, dim=2).contains([1.0, -0.1])
    product = Product([Simplex(2), Box(0.0, 1.0, dim=1)])
    assert product.contains([0.3, 0.7, 1.0])
    assert not product.contains([0.3, 0.7, 1.5])
    assert not product.contains([0.3, 0.8, 1.0])


# ---------------------------------------------------------- JAX transforms
JAX_EXAMPLES = {
    "box": Box([0.0, -1.0, 2.0], [1.0, 1.0, 2.5]),
    "ball": Ball([1.0, 0.0, -1.0], 1.5),
    "simplex": Simplex(4),
    "polytope": TRIANGLE,
    "product": Product([Simplex(2), Ball([0.0], 1.0), TRIANGLE]),
}


@pytest.mark.parametrize("name", list(JAX_EXAMPLES))
def test_projection_under_jit_and_vmap(name):
    S = JAX_EXAMPLES[name]
    batch = np.random.default_rng(0).normal(scale=3.0, size=(6, S.dim))
    expected = np.stack([np.asarray(S.project(v)) for v in batch])
    assert not np.allclose(expected, batch), "the batch should have points outside the set"
    assert all(S.contains(p, tol=TOL) for p in expected)

    jitted = jax.jit(S.project)
    np.testing.assert_allclose(np.stack([jitted(v) for v in batch]), expected, rtol=0, atol=1e-10)
    np.testing.assert_allclose(jax.vmap(S.project)(batch), expected, rtol=0, atol=1e-10)
    np.testing.assert_allclose(jax.jit(jax.vmap(S.project))(batch), expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", list(JAX_EXAMPLES))
def test_projected_gradient_in_lax_scan_reaches_the_projection(name):
    # minimise ||x - t||^2 / 2 over S by projected gradient steps inside lax.scan: the
    # minimiser is P(t) (for a step of 1/2 the iteration contracts to it geometrically)
    S = JAX_EXAMPLES[name]
    target = jnp.asarray(np.random.default_rng(1).normal(scale=3.0, size=S.dim))

    def step(x, _):
        return S.project(x - 0.5 * (x - target)), None

    x, _ = jax.lax.scan(step, jnp.zeros(S.dim), None, length=80)
    np.testing.assert_allclose(x, S.project(target), rtol=0, atol=1e-8)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("make", "match"),
    [
        pytest.param(lambda: Box(0.0, 1.0, dim=3).project([1.0, 2.0]), r"shape \(2,\).*shape \(3,\)", id="short"),
        pytest.param(lambda: Simplex(2).project([[1.0, 2.0]]), r"shape \(1, 2\).*shape \(2,\)", id="matrix"),
        pytest.param(lambda: Ball([0.0], 1.0).project(3.0), r"shape \(\).*shape \(1,\)", id="scalar"),
        pytest.param(lambda: TRIANGLE.contains([0.1, 0.1, 0.1]), r"shape \(3,\).*shape \(2,\)", id="contains"),
        pytest.param(lambda: Simplex(2).project([np.nan, 1.0]), "NaN or inf", id="nan"),
        pytest.param(lambda: Box(0.0, 1.0, dim=2).project([np.inf, 1.0]), "NaN or inf", id="inf"),
        pytest.param(lambda: TRIANGLE.project([0.0, -np.inf]), "NaN or inf", id="polytope-inf"),
        pytest.param(lambda: Ball([0.0, 0.0], 1.0).contains([np.nan, 0.0]), "NaN or inf", id="contains-nan"),
        pytest.param(lambda: Box([0.0, 2.0], [1.0, 1.0]), "Box is empty.*lower bound exceeds", id="box-lower>upper"),
        pytest.param(lambda: Box([0.0, 0.0], [1.0, np.inf]), "Box upper contains NaN or inf", id="box-inf"),
        pytest.param(lambda: Box(-np.inf, 0.0, dim=2), "Box lower contains NaN or inf", id="box-lower-inf"),
        pytest.param(lambda: Box([0.0, 0.0], [1.0, 1.0, 1.0]), "Box bounds have shapes", id="box-shapes"),
        pytest.param(lambda: Box(0.0, 1.0), "Box bounds have shapes.*dim=", id="box-scalars-no-dim"),
        pytest.param(lambda: Box([], []), "nonempty vectors", id="box-empty-vectors"),
        pytest.param(lambda: Box(0.0, ["a"], dim=1), "Box upper must be an array of numbers", id="box-text"),
        pytest.param(lambda: Ball([0.0, 0.0], -1.0), r"Ball radius is -1\.0; expected a radius >= 0", id="ball-neg"),
        pytest.param(lambda: Ball([0.0, 0.0], np.nan), "Ball radius contains NaN", id="ball-nan-radius"),
        pytest.param(lambda: Ball([[0.0, 0.0]], 1.0), "Ball center has shape", id="ball-center-matrix"),
        pytest.param(lambda: Ball([], 1.0), "nonempty vector", id="ball-empty-center"),
        pytest.param(lambda: Simplex(0), "Simplex dim is 0; expected a positive integer", id="simplex-dim0"),
        pytest.param(lambda: Simplex(-2), "Simplex dim is -2", id="simplex-neg"),
        pytest.param(lambda: Simplex(2.5), "Simplex dim is 2.5", id="simplex-fractional"),
        pytest.param(lambda: Simplex(3, total=-1.0), "Simplex total is -1.0; expected total >= 0", id="simplex-total"),
        pytest.param(
            lambda: Polytope([[1.0], [-1.0]], [-1.0, -1.0]), "Polytope is empty: no x satisfies", id="polytope-empty"
        ),
        pytest.param(
            lambda: Polytope([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]], [1.0, 1.0, 1.0]),
            "Polytope is unbounded along coordinate 1",
            id="polytope-unbounded",
        ),
        pytest.param(lambda: Polytope([[1.0, 1.0]], [1.0]), "unbounded", id="polytope-halfspace"),
        pytest.param(lambda: Polytope([[1.0, 0.0]], [1.0, 2.0]), r"expected A \(m, d\) and b \(m,\)", id="A-b-shapes"),
        pytest.param(lambda: Polytope([1.0, 0.0], [1.0]), r"expected A \(m, d\)", id="A-vector"),
        pytest.param(lambda: Polytope([[1.0], [np.nan]], [1.0, 1.0]), "Polytope A contains NaN", id="A-nan"),
        pytest.param(lambda: Polytope([[1.0], [-1.0]], [1.0, np.inf]), "Polytope b contains NaN or inf", id="b-inf"),
        pytest.param(lambda: Product([Simplex(2), "not a set"]), "Product needs a nonempty list of ConvexSet", id="p"),
        pytest.param(lambda: Product([np.eye(2)]), "ConvexSet", id="product-array"),
        pytest.param(lambda: Product([]), "nonempty list", id="product-empty"),
        pytest.param(lambda: Simplex(3).section(2, 2, [0.2, 0.3, 0.5]), r"section \[2, 2\) is not", id="sec-empty"),
        pytest.param(lambda: Simplex(3).section(1, 4, [0.2, 0.3, 0.5]), r"inside \[0, 3\)", id="section-out"),
        pytest.param(lambda: Simplex(3).section(0, 1, [0.5, 0.5]), r"z has shape \(2,\)", id="section-z-shape"),
        pytest.param(lambda: Simplex(2).section(0, 1, [np.nan, 1.0]), "z contains NaN", id="section-z-nan"),
    ],
)
def test_bad_input_raises_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_polytope_far_smaller_than_the_distance_is_still_projected_exactly():
    # Found by hypothesis: Dykstra stalls at the feasible, non-optimal (5e-7, 5e-7) here, as its
    # corrections grow by the polytope's size (1e-6) per sweep; the eager path certifies the KKT
    # conditions and finishes exactly.
    d, total = 2, 1e-6
    A = np.vstack([-np.eye(d), np.ones((1, d)), -np.ones((1, d))])
    b = np.concatenate([np.zeros(d), [total, -total]])
    np.testing.assert_allclose(Polytope(A, b).project([-1.0, -2.0]), [1e-6, 0.0], rtol=0, atol=1e-12)
