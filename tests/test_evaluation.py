"""genlib.evaluation against independent oracles: scipy (sqrtm, logsumexp, bernoulli, multivariate
normal), scikit-learn (NearestNeighbors), brute-force loops written from the papers' definitions."""
import gzip
import math

import numpy as np
import pytest
from scipy import linalg, stats
from scipy.special import logsumexp
from sklearn.neighbors import NearestNeighbors

from genlib import evaluation as ev


def _rand_cov(rng, d, rank=None):
    a = rng.normal(size=(d, rank or d))
    return a @ a.T / d


def _fd_sqrtm(mu1, s1, mu2, s2):
    covmean = linalg.sqrtm(s1 @ s2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean).real)


@pytest.mark.parametrize("d", [1, 3, 17])
def test_frechet_gaussians_matches_scipy_sqrtm(d):
    rng = np.random.default_rng(d)
    mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
    s1, s2 = _rand_cov(rng, d) + 0.1 * np.eye(d), _rand_cov(rng, d) + 0.2 * np.eye(d)
    assert ev.frechet_gaussians(mu1, s1, mu2, s2, eps=0) == pytest.approx(_fd_sqrtm(mu1, s1, mu2, s2), rel=1e-8)


def test_frechet_closed_form_for_diagonal_gaussians():
    # W2² between N(m1, diag a²) and N(m2, diag b²) = |m1 - m2|² + sum (a - b)²
    m1, m2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
    a, b = np.array([1.0, 2.0, 0.5]), np.array([3.0, 0.5, 0.5])
    got = ev.frechet_gaussians(m1, np.diag(a ** 2), m2, np.diag(b ** 2), eps=0)
    assert got == pytest.approx(np.sum((m1 - m2) ** 2) + np.sum((a - b) ** 2), rel=1e-10)


def test_frechet_distance_of_samples_uses_sample_moments():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(400, 5)), rng.normal(2.0, 1.5, size=(300, 5))
    want = _fd_sqrtm(x.mean(0), np.cov(x.T), y.mean(0), np.cov(y.T))
    assert ev.frechet_distance(x, y, eps=0) == pytest.approx(want, rel=1e-8)
    # and large samples approach the population value: |mu|² + d (1.5 - 1)²
    x, y = rng.normal(size=(200000, 2)), rng.normal(2.0, 1.5, size=(200000, 2))
    assert ev.frechet_distance(x, y) == pytest.approx(2 * 4 + 2 * 0.25, rel=0.02)


def test_frechet_singular_covariance_is_real_and_finite():
    rng = np.random.default_rng(2)
    s1, s2 = _rand_cov(rng, 20, rank=3), _rand_cov(rng, 20, rank=5)
    v = ev.frechet_gaussians(np.zeros(20), s1, np.zeros(20), s2)
    assert isinstance(v, float) and math.isfinite(v) and v >= 0
    assert v == pytest.approx(_fd_sqrtm(np.zeros(20), s1 + 1e-9 * np.eye(20), np.zeros(20), s2 + 1e-9 * np.eye(20)),
                              rel=1e-3)
    x = rng.normal(size=(10, 30))   # fewer samples than features: a singular sample covariance
    assert math.isfinite(ev.frechet_distance(x, x + 0.1))


@pytest.mark.parametrize("bad", [
    lambda f: f(np.zeros((0, 3)), np.zeros((4, 3))),
    lambda f: f(np.zeros((4, 3)), np.zeros((4, 2))),
    lambda f: f(np.full((4, 3), np.nan), np.zeros((4, 3))),
    lambda f: f(np.zeros((4, 3)), np.full((4, 3), np.inf)),
])
@pytest.mark.parametrize("fn", [ev.frechet_distance, ev.kernel_distance, ev.prdc, ev.c2st, ev.mmd_permutation_test])
def test_bad_input_raises(fn, bad):
    with pytest.raises(ValueError):
        bad(fn)


def test_non_square_covariance_raises():
    with pytest.raises(ValueError, match="square"):
        ev.frechet_gaussians(np.zeros(2), np.zeros((2, 3)), np.zeros(2), np.eye(2))


def test_kernel_distance_brute_force():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(30, 4)), rng.normal(0.5, 1, size=(25, 4))
    k = lambda a, b: (a @ b / 4 + 1) ** 3
    kxx = np.mean([k(x[i], x[j]) for i in range(30) for j in range(30) if i != j])
    kyy = np.mean([k(y[i], y[j]) for i in range(25) for j in range(25) if i != j])
    kxy = np.mean([k(a, b) for a in x for b in y])
    assert ev.kernel_distance(x, y) == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-10)


def _prdc_oracle(real, fake, k_pr=3, k_dc=5):
    """From the papers' definitions, with scikit-learn's NearestNeighbors for the radii."""
    def radius(a, k):
        return NearestNeighbors(n_neighbors=k + 1).fit(a).kneighbors(a)[0][:, k]
    rr, rf, rd = radius(real, k_pr), radius(fake, k_pr), radius(real, k_dc)
    prec = np.mean([any(np.linalg.norm(f - r) <= rad for r, rad in zip(real, rr)) for f in fake])
    rec = np.mean([any(np.linalg.norm(r - f) <= rad for f, rad in zip(fake, rf)) for r in real])
    dens = np.mean([sum(np.linalg.norm(f - r) <= rad for r, rad in zip(real, rd)) for f in fake]) / k_dc
    cov = np.mean([min(np.linalg.norm(r - f) for f in fake) <= rad for r, rad in zip(real, rd)])
    return {"precision": prec, "recall": rec, "density": dens, "coverage": cov}


def test_prdc_matches_definitions_on_asymmetric_samples():
    rng = np.random.default_rng(4)
    real = rng.normal(size=(60, 3))
    fake = np.concatenate([rng.normal(0.3, 0.5, size=(30, 3)), rng.normal(4, 1, size=(15, 3))])
    got, want = ev.prdc(real, fake), _prdc_oracle(real, fake)
    for key in want:
        assert got[key] == pytest.approx(want[key], abs=1e-12), key
    assert got["precision"] != pytest.approx(got["recall"])   # the input tells the two apart


def test_prdc_needs_more_points_than_k():
    with pytest.raises(ValueError):
        ev.prdc(np.zeros((5, 2)), np.zeros((5, 2)), k_dc=5)
    with pytest.raises(ValueError, match="k_pr"):
        ev.prdc(np.random.rand(20, 2), np.random.rand(20, 2), k_pr=0)


def test_copy_ratio_catches_a_memoriser():
    rng = np.random.default_rng(5)
    train, test, new = rng.normal(size=(300, 4)), rng.normal(size=(100, 4)), rng.normal(size=(100, 4))
    assert ev.copy_ratio(train[:100], train, test) == 0.0
    assert 0.7 < ev.copy_ratio(new, train, test) < 1.4
    nn = NearestNeighbors(n_neighbors=1).fit(train)
    want = np.median(nn.kneighbors(new)[0]) / np.median(nn.kneighbors(test)[0])
    assert ev.copy_ratio(new, train, test) == pytest.approx(want, rel=1e-9)


def test_iwae_bound_is_logsumexp_minus_log_k():
    rng = np.random.default_rng(6)
    lw = rng.normal(-100, 5, size=(50, 7))
    assert np.allclose(ev.iwae_bound(lw), logsumexp(lw, axis=0) - math.log(50))
    assert np.allclose(ev.iwae_bound(lw[:1]), lw[0])


def test_iwae_bound_tightens_towards_exact_log_likelihood_of_linear_gaussian():
    # z ~ N(0, 1), x | z ~ N(w z, s²): log p(x) = log N(x; 0, w² + s²); q(z|x) = N(0, 1) (the prior)
    w, s, x = 2.0, 0.5, 1.3
    exact = stats.norm.logpdf(x, 0, math.sqrt(w * w + s * s))
    z = np.random.default_rng(7).normal(size=(20000, 200))
    lw = stats.norm.logpdf(x, w * z, s)              # prior as proposal: log w = log p(x|z)
    bounds = [ev.iwae_bound(lw[:k]).mean() for k in (1, 10, 100, 20000)]
    assert all(a < b for a, b in zip(bounds, bounds[1:]))
    assert bounds[-1] == pytest.approx(exact, abs=0.01) and bounds[0] < exact - 0.5


def test_bernoulli_log_likelihood_matches_scipy():
    rng = np.random.default_rng(8)
    x, p = (rng.random((5, 9)) < 0.4).astype(float), rng.random(9)
    assert np.allclose(ev.bernoulli_log_likelihood(x, p), stats.bernoulli.logpmf(x, p).sum(1))
    with pytest.raises(ValueError, match="binar"):
        ev.bernoulli_log_likelihood(np.full((2, 9), 0.5), p)


def test_bits_per_dim_and_compressors():
    assert ev.bits_per_dim(784 * math.log(2), 784) == pytest.approx(1.0)
    rng = np.random.default_rng(9)
    x = (rng.random((20, 784)) < 0.5).astype(np.uint8)
    c = ev.compressed_bits_per_dim(x)
    want = 8 * sum(len(gzip.compress(np.packbits(r).tobytes(), 9, mtime=0)) for r in x) / x.size
    assert c["gzip"] == pytest.approx(want)
    assert c["gzip"] > 1.0 and c["png"] > 1.0        # coin flips cannot be compressed below 1 bit
    blank = np.zeros((20, 784), np.uint8)
    assert ev.compressed_bits_per_dim(blank)["gzip"] < 0.3


def test_c2st_null_and_separable():
    rng = np.random.default_rng(10)
    same = ev.c2st(rng.normal(size=(500, 3)), rng.normal(size=(500, 3)), seed=0)
    assert abs(same["accuracy"] - 0.5) < 4 * 0.5 / math.sqrt(same["n_test"]) and same["p_value"] > 1e-4
    apart = ev.c2st(rng.normal(size=(500, 3)), rng.normal(3, 1, size=(500, 3)), seed=0)
    assert apart["accuracy"] > 0.95 and apart["p_value"] < 1e-10
    assert stats.norm.sf((apart["accuracy"] - 0.5) / (0.5 / math.sqrt(apart["n_test"]))) == pytest.approx(apart["p_value"])


def test_c2st_is_scored_on_held_out_data():
    # 60 points in 50 dimensions from one distribution: a classifier fits its training half
    # perfectly; its held-out accuracy stays near a coin flip.
    rng = np.random.default_rng(11)
    accs = [ev.c2st(rng.normal(size=(60, 50)), rng.normal(size=(60, 50)), seed=s)["accuracy"] for s in range(10)]
    assert 0.35 < np.mean(accs) < 0.65


def test_mmd_permutation_test_both_ways():
    rng = np.random.default_rng(12)
    same = [ev.mmd_permutation_test(rng.normal(size=(60, 2)), rng.normal(size=(60, 2)), 100, seed=s)["p_value"]
            for s in range(20)]
    assert 0.3 < np.mean(same) < 0.7                     # uniform p-values under the null
    apart = ev.mmd_permutation_test(rng.normal(size=(60, 2)), rng.normal(1.5, 1, size=(60, 2)), 200)
    assert apart["p_value"] == pytest.approx(1 / 201)
    # the statistic against a brute-force RBF MMD with the median-heuristic bandwidth
    x, y = rng.normal(size=(15, 2)), rng.normal(size=(12, 2))
    z = np.concatenate([x, y])
    h = np.median([np.linalg.norm(z[i] - z[j]) for i in range(27) for j in range(i + 1, 27)])
    k = lambda a, b: math.exp(-np.sum((a - b) ** 2) / (2 * h * h))
    kxx = np.mean([k(x[i], x[j]) for i in range(15) for j in range(15) if i != j])
    kyy = np.mean([k(y[i], y[j]) for i in range(12) for j in range(12) if i != j])
    kxy = np.mean([k(a, b) for a in x for b in y])
    assert ev.mmd_permutation_test(x, y, 10)["mmd2"] == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-9)


def test_c2st_is_the_held_out_1nn_accuracy():
    from scipy.spatial.distance import cdist
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(13)
    x, y = rng.normal(size=(40, 3)), rng.normal(0.7, 1, size=(40, 3))
    z, lab = np.concatenate([x, y]), np.r_[np.zeros(40), np.ones(40)]
    a, b, la, lb = train_test_split(z, lab, test_size=0.5, stratify=lab, random_state=4)
    want = np.mean(la[cdist(b, a).argmin(1)] == lb)
    assert ev.c2st(x, y, seed=4)["accuracy"] == pytest.approx(want)
