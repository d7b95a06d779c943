"""genlib.info against independent oracles: scipy, closed forms, quadrature, Monte Carlo."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st, HealthCheck
from hypothesis.extra.numpy import arrays
from scipy import integrate, special, stats
from scipy.spatial.distance import jensenshannon

from genlib import info

LOG2 = math.log(2)
RNG = np.random.default_rng(12345)


def random_dist(k, rng=RNG, zeros=0, shape=()):
    """A random distribution over k outcomes (``zeros`` of them exactly 0)."""
    p = rng.dirichlet(np.ones(k), size=shape)
    if zeros:
        idx = rng.choice(k, size=zeros, replace=False)
        p[..., idx] = 0
        p = p / p.sum(-1, keepdims=True)
    return p


# --------------------------------------------------------------------------- entropy


@pytest.mark.parametrize("k", [1, 2, 3, 10, 50])
@pytest.mark.parametrize("base", [None, 2, 10, math.e, 3.5])
def test_entropy_matches_scipy(k, base):
    for _ in range(5):
        p = random_dist(k)
        assert info.entropy(p, base=base) == pytest.approx(stats.entropy(p, base=base), rel=1e-12, abs=1e-14)


def test_entropy_known_values():
    assert info.entropy([0.5, 0.5], base=2) == pytest.approx(1.0)
    assert info.entropy([0.5, 0.5]) == pytest.approx(LOG2)
    assert info.entropy(np.full(8, 1 / 8), base=2) == pytest.approx(3.0)
    assert info.entropy([0.25, 0.25, 0.5], base=2) == pytest.approx(1.5)
    # a two-headed coin has no uncertainty
    assert info.entropy([1.0, 0.0]) == 0.0
    assert info.entropy([1.0]) == 0.0


def test_entropy_zero_log_zero_is_zero():
    p = np.array([0.5, 0.0, 0.5, 0.0])
    h = info.entropy(p)
    assert np.isfinite(h)
    assert h == pytest.approx(stats.entropy([0.5, 0.5]))


def test_entropy_bits_is_nats_over_ln2():
    p = random_dist(7)
    assert info.entropy(p, base=2) == pytest.approx(info.entropy(p) / LOG2, rel=1e-12)


def test_entropy_batched_along_last_axis():
    p = random_dist(5, shape=(4, 3))
    h = info.entropy(p, base=2)
    assert h.shape == (4, 3)
    np.testing.assert_allclose(h, stats.entropy(p, base=2, axis=-1), rtol=1e-12)


def test_entropy_maximal_at_uniform():
    for k in (2, 5, 20):
        assert info.entropy(np.full(k, 1 / k)) == pytest.approx(math.log(k))
        ps = random_dist(k, shape=(200,))
        assert np.all(info.entropy(ps) <= math.log(k) + 1e-12)


# --------------------------------------------------------------------------- information


def test_information_content():
    p = np.array([1.0, 0.5, 0.25, 1e-3])
    np.testing.assert_allclose(info.information(p), -np.log(p))
    np.testing.assert_allclose(info.information(p, base=2), -np.log2(p))
    assert info.information(0.0) == np.inf
    # independent events: information adds
    a, b = 0.3, 0.05
    assert info.information(a * b) == pytest.approx(info.information(a) + info.information(b))
    # entropy is the expected information
    q = random_dist(6)
    assert info.entropy(q) == pytest.approx(float(np.sum(q * info.information(q))))


def test_information_torch_and_bad_input():
    t = torch.tensor([0.5, 0.25], dtype=torch.float64)
    np.testing.assert_allclose(info.information(t, base=2).numpy(), [1.0, 2.0])
    for bad in ([1.5], [-0.1], [np.nan]):
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            info.information(bad)
        with pytest.raises(ValueError, match=r"\[0, 1\]"):
            info.information(torch.tensor(bad))


# --------------------------------------------------------------------------- cross-entropy and KL


@pytest.mark.parametrize("base", [None, 2, 10])
def test_kl_matches_scipy(base):
    for k in (2, 3, 10):
        p, q = random_dist(k), random_dist(k)
        assert info.kl(p, q, base=base) == pytest.approx(stats.entropy(p, q, base=base), rel=1e-12)
        assert info.kl(p, q) == pytest.approx(special.rel_entr(p, q).sum(), rel=1e-12)
        assert info.kl(p, q) == pytest.approx(special.kl_div(p, q).sum(), rel=1e-12)


def test_cross_entropy_matches_direct_sum_and_decomposition():
    for k in (2, 4, 12):
        p, q = random_dist(k), random_dist(k)
        assert info.cross_entropy(p, q) == pytest.approx(-np.sum(p * np.log(q)), rel=1e-12)
        assert info.cross_entropy(p, q, base=2) == pytest.approx(
            stats.entropy(p, base=2) + stats.entropy(p, q, base=2), rel=1e-12)


def test_cross_entropy_matches_torch_loss():
    # F.cross_entropy with probability targets is exactly H(p, softmax(logits)), averaged over rows
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 4, generator=g, dtype=torch.float64)
    target = torch.softmax(torch.randn(6, 4, generator=g, dtype=torch.float64), -1)
    q = torch.softmax(logits, -1)
    ours = info.cross_entropy(target, q).mean()
    ref = torch.nn.functional.cross_entropy(logits, target)
    assert ours.item() == pytest.approx(ref.item(), rel=1e-12)


def test_kl_edge_cases():
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.5, 0.0, 0.5])
    assert info.kl(p, q) == np.inf
    assert info.cross_entropy(p, q) == np.inf
    # q = 0 where p = 0 is harmless: 0 log(0/q) = 0
    assert info.kl([1.0, 0.0], [0.5, 0.5]) == pytest.approx(LOG2)
    assert info.kl(p, p) == 0.0
    assert info.cross_entropy(p, p) == pytest.approx(info.entropy(p))


def test_kl_asymmetric_example():
    p, q = np.array([0.9, 0.1]), np.array([0.5, 0.5])
    assert abs(info.kl(p, q) - info.kl(q, p)) > 0.05
    assert info.kl(p, q) == pytest.approx(stats.entropy(p, q))
    assert info.kl(q, p) == pytest.approx(stats.entropy(q, p))


def test_kl_batched():
    p, q = random_dist(4, shape=(3, 5)), random_dist(4, shape=(3, 5))
    got = info.kl(p, q)
    assert got.shape == (3, 5)
    np.testing.assert_allclose(got, stats.entropy(p, q, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(info.cross_entropy(p, q), -(p * np.log(q)).sum(-1), rtol=1e-12)


# --------------------------------------------------------------------------- JS and TV


@pytest.mark.parametrize("base", [None, 2])
def test_js_matches_scipy_squared(base):
    for k in (2, 3, 10):
        p, q = random_dist(k), random_dist(k)
        d = jensenshannon(p, q, base=base)  # scipy returns the square root of JS
        assert info.js(p, q, base=base) == pytest.approx(d ** 2, rel=1e-9)


def test_js_batched():
    p, q = random_dist(5, shape=(7,)), random_dist(5, shape=(7,))
    np.testing.assert_allclose(info.js(p, q), jensenshannon(p, q, axis=-1) ** 2, rtol=1e-9)


def test_disjoint_supports():
    p = np.array([0.3, 0.7, 0.0, 0.0])
    q = np.array([0.0, 0.0, 0.6, 0.4])
    assert info.kl(p, q) == np.inf and info.kl(q, p) == np.inf
    assert info.js(p, q) == pytest.approx(LOG2)
    assert info.js(p, q, base=2) == pytest.approx(1.0)
    assert info.tv(p, q) == pytest.approx(1.0)


def test_identical_gives_zero():
    p = random_dist(6, zeros=2)
    assert info.kl(p, p) == 0
    assert info.js(p, p) == pytest.approx(0, abs=1e-15)
    assert info.tv(p, p) == 0


def test_tv_is_max_over_events():
    # TV = max_A |P(A) - Q(A)|, brute force over all 2^k events
    k = 6
    for _ in range(5):
        p, q = random_dist(k), random_dist(k)
        best = 0.0
        for mask in range(1 << k):
            sel = np.array([(mask >> i) & 1 for i in range(k)], dtype=bool)
            best = max(best, abs(p[sel].sum() - q[sel].sum()))
        assert info.tv(p, q) == pytest.approx(best, rel=1e-12)


# --------------------------------------------------------------------------- Wasserstein-1


@pytest.mark.parametrize("n, m", [(50, 50), (37, 80), (1, 9), (200, 3)])
def test_w1_samples_matches_scipy(n, m):
    rng = np.random.default_rng(n * 1000 + m)
    x = rng.normal(0, 1, n)
    y = rng.exponential(2.0, m)
    assert info.w1_samples(x, y) == pytest.approx(stats.wasserstein_distance(x, y), rel=1e-10, abs=1e-12)


def test_w1_samples_shift_and_ties():
    x = np.array([0.0, 0.0, 1.0, 2.0])
    assert info.w1_samples(x, x + 3.5) == pytest.approx(3.5)
    y = np.array([0.0, 1.0, 1.0])
    assert info.w1_samples(x, y) == pytest.approx(stats.wasserstein_distance(x, y))


def test_w1_samples_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        info.w1_samples([], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        info.w1_samples([np.nan, 1.0], [1.0])


def test_w1_discrete_matches_scipy_weights():
    for k in (2, 5, 11):
        x = np.sort(RNG.normal(size=k) * 3)
        p, q = random_dist(k), random_dist(k, zeros=1 if k > 2 else 0)
        ref = stats.wasserstein_distance(x, x, u_weights=p, v_weights=q)
        assert info.w1_discrete(x, p, q) == pytest.approx(ref, rel=1e-10, abs=1e-12)


def test_w1_discrete_parallel_lines_and_batch():
    # two point masses theta apart: W1 = |theta| while JS stays log 2
    for theta in (0.5, 2.0, 7.0):
        x = np.array([0.0, theta])
        assert info.w1_discrete(x, [1, 0], [0, 1]) == pytest.approx(theta)
        assert info.js([1, 0], [0, 1]) == pytest.approx(LOG2)
    x = np.arange(4.0)
    p, q = random_dist(4, shape=(3,)), random_dist(4, shape=(3,))
    got = info.w1_discrete(x, p, q)
    ref = [stats.wasserstein_distance(x, x, a, b) for a, b in zip(p, q)]
    np.testing.assert_allclose(got, ref, rtol=1e-10)


def test_w1_discrete_bad_support():
    with pytest.raises(ValueError, match="increasing"):
        info.w1_discrete([0, 2, 1], [0.2, 0.3, 0.5], [0.5, 0.3, 0.2])
    with pytest.raises(ValueError, match="one point per probability"):
        info.w1_discrete([0, 1], [0.2, 0.3, 0.5], [0.5, 0.3, 0.2])


# --------------------------------------------------------------------------- Gaussians


@pytest.mark.parametrize("mp, sp, mq, sq", [(0, 1, 0, 1), (0, 1, 1, 1), (1.5, 0.5, -1, 2), (0, 3, 0.2, 0.7)])
def test_kl_normal_against_quadrature(mp, sp, mq, sq):
    def integrand(x):
        lp, lq = stats.norm.logpdf(x, mp, sp), stats.norm.logpdf(x, mq, sq)
        return np.exp(lp) * (lp - lq)

    ref, _ = integrate.quad(integrand, mp - 15 * sp, mp + 15 * sp, limit=200)
    assert info.kl_normal(mp, sp, mq, sq) == pytest.approx(ref, rel=1e-7, abs=1e-10)


def test_kl_normal_torch_and_errors():
    mu = torch.tensor([0.5, -1.0], dtype=torch.float64, requires_grad=True)
    sigma = torch.tensor([1.0, 0.3], dtype=torch.float64, requires_grad=True)
    k = info.kl_normal(mu, sigma, torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64))
    # standard VAE form: 0.5 (mu^2 + sigma^2 - 1 - log sigma^2)
    ref = 0.5 * (mu ** 2 + sigma ** 2 - 1 - torch.log(sigma ** 2))
    np.testing.assert_allclose(k.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    k.sum().backward()
    np.testing.assert_allclose(mu.grad.numpy(), mu.detach().numpy(), rtol=1e-12)  # d/dmu = mu
    with pytest.raises(ValueError, match="sigma_q"):
        info.kl_normal(0, 1, 0, 0)
    with pytest.raises(ValueError, match="sigma_p"):
        info.kl_normal(0, -1, 0, 1)


def test_entropy_normal_matches_scipy():
    for s in (0.1, 1.0, 4.0):
        assert info.entropy_normal(s) == pytest.approx(stats.norm(0, s).entropy(), rel=1e-12)
    with pytest.raises(ValueError):
        info.entropy_normal(0.0)


def test_histogram():
    p = info.histogram([0.1, 0.2, 0.6, 1.5, 9.0], [0, 1, 2])
    np.testing.assert_allclose(p, [0.75, 0.25])
    with pytest.raises(ValueError, match="no sample"):
        info.histogram([5.0], [0, 1])


# --------------------------------------------------------------------------- invalid input


@pytest.mark.parametrize("fn", [info.entropy, lambda p: info.kl(p, [0.5, 0.5]), lambda p: info.js([0.5, 0.5], p),
                                lambda p: info.tv(p, [0.5, 0.5]), lambda p: info.cross_entropy(p, [0.5, 0.5])])
@pytest.mark.parametrize("bad, message", [
    ([1.2, -0.2], "negative"),
    ([np.nan, 1.0], "NaN"),
    ([np.inf, 0.0], "infinite"),
    ([0.3, 0.3], "sum to 1"),
    ([0.7, 0.7], "sum to 1"),
    ([], "at least one entry"),
    ("abc", "array of probabilities"),
])
def test_invalid_distributions_raise(fn, bad, message):
    with pytest.raises(ValueError, match=message):
        fn(bad)


def test_error_names_the_argument():
    with pytest.raises(ValueError, match=r"^q "):
        info.kl([0.5, 0.5], [0.2, 0.2])
    with pytest.raises(ValueError, match=r"^p "):
        info.kl([0.2, 0.2], [0.5, 0.5])
    with pytest.raises(ValueError, match="normalise"):
        info.entropy([1, 2, 3])


def test_mismatched_shapes_raise():
    with pytest.raises(ValueError, match="same shape"):
        info.kl([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="same shape"):
        info.js(random_dist(3, shape=(2,)), random_dist(3))
    with pytest.raises(ValueError, match="same shape"):
        info.tv(torch.tensor([0.5, 0.5]), torch.tensor([1.0]))


@pytest.mark.parametrize("base", [1, 0, -2, "2", float("nan"), float("inf"), True, None])
def test_bad_base_raises(base):
    if base is None:  # None means nats, which is fine
        assert info.entropy([0.5, 0.5], base=None) == pytest.approx(LOG2)
        return
    with pytest.raises(ValueError, match="base"):
        info.entropy([0.5, 0.5], base=base)
    with pytest.raises(ValueError, match="base"):
        info.kl([0.5, 0.5], [0.2, 0.8], base=base)


def test_numpy_scalar_base_accepted():
    assert info.entropy([0.5, 0.5], base=np.int64(2)) == pytest.approx(1.0)
    assert info.entropy([0.5, 0.5], base=np.float32(2)) == pytest.approx(1.0)


def test_tolerance_of_sum():
    p = np.array([0.5, 0.5 + 5e-7])  # float rounding is forgiven
    assert np.isfinite(info.entropy(p))
    assert math.isfinite(info.entropy(torch.tensor([0.3, 0.7 + 5e-5], dtype=torch.float32)).item())
    with pytest.raises(ValueError):
        info.entropy(torch.tensor([0.3, 0.7 + 5e-5], dtype=torch.float64))
    assert np.isfinite(info.check_distribution([0.5, 0.51], tol=0.02).sum())


# --------------------------------------------------------------------------- torch


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_torch_matches_numpy(dtype):
    p, q = random_dist(5, zeros=1), random_dist(5)
    tp, tq = torch.tensor(p, dtype=dtype), torch.tensor(q, dtype=dtype)
    tol = 1e-12 if dtype == torch.float64 else 1e-5
    for f in (info.cross_entropy, info.kl, info.js, info.tv):
        got = f(tp, tq)
        assert isinstance(got, torch.Tensor) and got.dtype == dtype
        assert got.item() == pytest.approx(float(f(p, q)), rel=tol, abs=tol)
    assert info.entropy(tp, base=2).item() == pytest.approx(stats.entropy(p, base=2), rel=tol)
    assert info.w1_discrete(np.arange(5.0), tp, tq).item() == pytest.approx(
        stats.wasserstein_distance(np.arange(5.0), np.arange(5.0), p, q), rel=tol)


def test_torch_edge_cases():
    p = torch.tensor([0.5, 0.5, 0.0], dtype=torch.float64)
    q = torch.tensor([0.0, 0.5, 0.5], dtype=torch.float64)
    assert info.kl(p, q).item() == math.inf
    assert info.cross_entropy(p, q).item() == math.inf
    assert info.js(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])).item() == pytest.approx(LOG2)
    assert info.tv(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])).item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="negative"):
        info.entropy(torch.tensor([1.5, -0.5]))
    with pytest.raises(ValueError, match="NaN"):
        info.entropy(torch.tensor([float("nan"), 1.0]))
    with pytest.raises(ValueError, match="sum to 1"):
        info.entropy(torch.tensor([0.2, 0.2]))


def test_torch_mixed_with_numpy():
    p = random_dist(4)
    q = torch.tensor(random_dist(4), dtype=torch.float64)
    got = info.kl(p, q)
    assert isinstance(got, torch.Tensor)
    assert got.item() == pytest.approx(stats.entropy(p, q.numpy()), rel=1e-12)


def test_torch_gradients_match_finite_differences_and_closed_form():
    logits = torch.tensor([0.3, -1.2, 0.8, 0.1], dtype=torch.float64, requires_grad=True)
    p = torch.tensor(random_dist(4), dtype=torch.float64)

    def f(z):
        return info.kl(p, torch.softmax(z, -1))

    assert torch.autograd.gradcheck(f, (logits,))
    f(logits).backward()
    # d KL(p || softmax(z)) / dz = softmax(z) - p
    np.testing.assert_allclose(logits.grad.numpy(), (torch.softmax(logits, -1) - p).detach().numpy(), atol=1e-12)

    def g(z):
        q = torch.softmax(z, -1)
        return info.entropy(q) + info.js(p, q) + info.cross_entropy(q, p) + info.tv(q, p)

    assert torch.autograd.gradcheck(g, (logits.detach().clone().requires_grad_(),))


def test_torch_gradients_finite_where_p_is_zero():
    p = torch.tensor([0.5, 0.5, 0.0], dtype=torch.float64, requires_grad=True)
    q = torch.tensor([0.25, 0.75, 0.0], dtype=torch.float64, requires_grad=True)
    for f in (info.kl, info.js, info.cross_entropy):
        p.grad = q.grad = None
        f(p, q).backward()
        assert torch.isfinite(p.grad).all() and torch.isfinite(q.grad).all(), f.__name__
    # d H(p, q)/dq = -p/q, which is 0 where p = 0
    np.testing.assert_allclose(q.grad.numpy(), [-2.0, -2 / 3, 0.0])


def test_torch_batched():
    p = torch.tensor(random_dist(3, shape=(4,)))
    q = torch.tensor(random_dist(3, shape=(4,)))
    got = info.kl(p, q)
    assert got.shape == (4,)
    np.testing.assert_allclose(got.numpy(), stats.entropy(p.numpy(), q.numpy(), axis=-1), rtol=1e-12)


# --------------------------------------------------------------------------- properties (hypothesis)


def _dist(k_min=2, k_max=8):
    return st.integers(k_min, k_max).flatmap(
        lambda k: arrays(np.float64, k, elements=st.floats(0, 1, allow_nan=False, width=64))
    ).filter(lambda w: w.sum() > 1e-3).map(lambda w: w / w.sum())


def _pair(k_min=2, k_max=8):
    def make(k):
        el = st.floats(0, 1, allow_nan=False)
        a = arrays(np.float64, k, elements=el).filter(lambda w: w.sum() > 1e-3)
        return st.tuples(a, a).map(lambda t: (t[0] / t[0].sum(), t[1] / t[1].sum()))

    return st.integers(k_min, k_max).flatmap(make)


def _positive_pair(k_min=2, k_max=8):
    def make(k):
        a = arrays(np.float64, k, elements=st.floats(1e-3, 1))
        return st.tuples(a, a).map(lambda t: (t[0] / t[0].sum(), t[1] / t[1].sum()))

    return st.integers(k_min, k_max).flatmap(make)


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])


@SETTINGS
@given(_pair())
def test_kl_nonnegative(pq):
    p, q = pq
    assert info.kl(p, q) >= -1e-12


@SETTINGS
@given(_pair())
def test_js_symmetric_and_bounded(pq):
    p, q = pq
    a, b = info.js(p, q), info.js(q, p)
    assert a == pytest.approx(b, abs=1e-12)
    assert -1e-12 <= a <= LOG2 + 1e-12
    assert info.js(p, q, base=2) <= 1 + 1e-12


@SETTINGS
@given(_pair())
def test_tv_bounded_and_symmetric(pq):
    p, q = pq
    t = info.tv(p, q)
    assert -1e-15 <= t <= 1 + 1e-12
    assert t == pytest.approx(info.tv(q, p))
    # Pinsker: TV <= sqrt(KL / 2)
    assert t <= math.sqrt(max(info.kl(p, q), 0.0) / 2) + 1e-9


@SETTINGS
@given(_positive_pair())
def test_cross_entropy_decomposes(pq):
    p, q = pq
    assert info.cross_entropy(p, q) == pytest.approx(info.entropy(p) + info.kl(p, q), rel=1e-9, abs=1e-12)
    assert info.cross_entropy(p, q) >= info.entropy(p) - 1e-12


@SETTINGS
@given(_dist())
def test_entropy_bounds(p):
    h = info.entropy(p)
    assert -1e-12 <= h <= math.log(len(p)) + 1e-12
    assert h == pytest.approx(stats.entropy(p), abs=1e-12)


def test_kl_is_asymmetric_for_some_pair():
    rng = np.random.default_rng(0)
    gaps = [abs(info.kl(p, q) - info.kl(q, p)) for p, q in (random_dist(3, rng, shape=(2,)) for _ in range(20))]
    assert max(gaps) > 0.01


def test_js_does_not_underflow_on_tiny_probabilities():
    # regression: m = (p + q) / 2 used to round a subnormal q to 0, giving JS = inf
    p, q = np.array([1.0, 0.0]), np.array([1.0, 5e-324])
    assert 0 <= info.js(p, q) < 1e-300
    assert info.js(torch.tensor(p), torch.tensor(q)).item() < 1e-300


def test_certain_outcome_has_positive_zero_entropy():
    assert str(float(info.entropy([1.0, 0.0]))) == "0.0"  # not "-0.0" in printed output
    assert str(info.entropy(torch.tensor([0.0, 1.0])).item()) == "0.0"


@pytest.mark.parametrize("s", [0.05, 0.2, 1.0, 3.0])
def test_entropy_normal_against_quadrature_and_its_sign(s):
    """-integral p log p by quadrature; negative exactly when sigma < 1/sqrt(2 pi e)."""
    ref = integrate.quad(lambda x: -stats.norm.pdf(x, 0, s) * stats.norm.logpdf(x, 0, s), -40 * s, 40 * s,
                         epsabs=1e-13, points=[0.0])[0]
    assert info.entropy_normal(s) == pytest.approx(ref, rel=1e-8, abs=1e-10)
    assert (info.entropy_normal(s) < 0) == (s < 1 / math.sqrt(2 * math.pi * math.e))


def test_entropy_normal_torch_gradient_and_arrays():
    sigma = torch.tensor([0.1, 2.0], dtype=torch.float64, requires_grad=True)
    h = info.entropy_normal(sigma)
    h.sum().backward()
    np.testing.assert_allclose(sigma.grad.numpy(), 1 / sigma.detach().numpy(), rtol=1e-12)  # dh/dsigma = 1/sigma
    np.testing.assert_allclose(info.entropy_normal(np.array([0.5, 1.5])), stats.norm(0, [0.5, 1.5]).entropy(), rtol=1e-12)
    with pytest.raises(ValueError, match="sigma"):
        info.entropy_normal(np.array([1.0, -1.0]))
