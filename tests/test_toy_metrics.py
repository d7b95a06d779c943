"""genlib.toy and genlib.metrics against closed forms and Monte Carlo."""
import math

import numpy as np
import pytest
from scipy import integrate, stats

from genlib import metrics, toy


def test_ring_has_eight_distinct_modes_at_the_right_angles():
    m = toy.ring_modes()
    assert m.shape == (8, 2)
    assert len(np.unique(m.round(6), axis=0)) == 8  # the endpoint bug gives 7 distinct modes
    angles = np.mod(np.arctan2(m[:, 1], m[:, 0]), 2 * np.pi)
    np.testing.assert_allclose(angles, [2 * np.pi * j / 8 for j in range(8)], atol=1e-12)
    np.testing.assert_allclose(np.hypot(m[:, 0], m[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(*toy.ring_modes(5, radius=2.0).T), 2.0)


def test_grid_has_25_modes_on_the_lattice():
    m = toy.grid_modes()
    assert m.shape == (25, 2)
    assert len(np.unique(m, axis=0)) == 25
    assert set(np.unique(m)) == {-4.0, -2.0, 0.0, 2.0, 4.0}


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_toy_samplers_shape_dtype_seed_and_spread(name):
    sampler, modes, std = toy.TOYS[name]
    x = sampler(4000, seed=3)
    assert x.shape == (4000, 2) and x.dtype == np.float32
    np.testing.assert_array_equal(x, sampler(4000, seed=3))
    assert not np.array_equal(x, sampler(4000, seed=4))
    m = modes()
    nearest = ((x[:, None] - m[None]) ** 2).sum(-1).argmin(1)
    resid = x - m[nearest]
    # residuals are N(0, std^2) per coordinate: compare the sample std with a chi-square interval
    assert resid.std() == pytest.approx(std, rel=0.05)
    # modes equally weighted: a chi-square test of the counts
    counts = np.bincount(nearest, minlength=len(m))
    assert stats.chisquare(counts).pvalue > 1e-4


def test_perfect_sampler_scores_every_mode_and_the_closed_form_share():
    closed = 1 - math.exp(-4.5)  # P(|N(0, I_2)| <= 3) = 0.98889
    assert closed == pytest.approx(stats.chi2(2).cdf(9.0))
    se = math.sqrt(closed * (1 - closed) / 2500)
    for name, (sampler, modes, std) in toy.TOYS.items():
        for seed in (0, 1):
            r = metrics.mode_coverage(sampler(2500, seed=seed), modes(), std)
            assert r["modes"] == len(modes())
            assert abs(r["hq"] - closed) < 4 * se
            assert r["per_mode"].sum() == round(r["hq"] * 2500)


def test_collapsed_sampler_scores_one_mode():
    m = toy.ring_modes()
    rng = np.random.default_rng(0)
    x = m[3] + 0.01 * rng.standard_normal((2500, 2))
    r = metrics.mode_coverage(x, m, 0.01)
    assert r["modes"] == 1 and r["per_mode"][3] > 0 and r["per_mode"].sum() == r["per_mode"][3]


def test_sampler_far_from_every_mode_scores_nothing():
    x = np.full((2500, 2), 10.0) + np.random.default_rng(0).standard_normal((2500, 2))
    r = metrics.mode_coverage(x, toy.grid_modes(), 0.05)
    assert r["modes"] == 0 and r["hq"] == 0.0 and r["per_mode"].sum() == 0


def test_between_modes_is_low_quality():
    # the midpoint of two ring modes is 0.38 away from both: far beyond 3 std
    m = toy.ring_modes()
    mid = (m[0] + m[1]) / 2
    r = metrics.mode_coverage(np.repeat(mid[None], 10, 0), m, 0.01)
    assert r["hq"] == 0.0 and r["modes"] == 0


def test_mode_coverage_rejects_bad_input():
    m = toy.ring_modes()
    with pytest.raises(ValueError):
        metrics.mode_coverage(np.zeros((0, 2)), m, 0.01)
    with pytest.raises(ValueError):
        metrics.mode_coverage(np.zeros((5, 3)), m, 0.01)
    with pytest.raises(ValueError):
        metrics.mode_coverage(np.full((5, 2), np.nan), m, 0.01)
    with pytest.raises(ValueError):
        metrics.mode_coverage(np.zeros((5, 2)), m, -1.0)
    with pytest.raises(ValueError):
        metrics.mode_coverage(np.zeros(5), m, 0.01)


def test_mixture_1d_pdf_integrates_to_one_and_matches_scipy():
    means, stds, w = [-2.0, 1.0, 3.0], [0.5, 1.0, 0.3], [0.2, 0.5, 0.3]
    total, _ = integrate.quad(lambda x: toy.mixture_1d_pdf(x, means, stds, w), -20, 20, limit=200)
    assert total == pytest.approx(1.0, abs=1e-8)
    x = np.linspace(-5, 5, 101)
    want = sum(wi * stats.norm(mi, si).pdf(x) for mi, si, wi in zip(means, stds, w))
    np.testing.assert_allclose(toy.mixture_1d_pdf(x, means, stds, w), want, rtol=1e-12)


def test_mixture_1d_samples_follow_the_pdf():
    means, stds, w = [-2.0, 1.5], [0.5, 0.8], [0.3, 0.7]
    x = toy.mixture_1d(20000, means, stds, w, seed=0)
    assert x.shape == (20000,)

    def cdf(t):
        return sum(wi * stats.norm(mi, si).cdf(t) for mi, si, wi in zip(means, stds, w))

    assert stats.kstest(x, cdf).pvalue > 1e-3
    with pytest.raises(ValueError):
        toy.mixture_1d(10, [0.0, 1.0], [1.0, -1.0])
    with pytest.raises(ValueError):
        toy.mixture_1d_pdf(0.0, [0.0, 1.0], [1.0, 1.0], [0.6, 0.6])


def test_parallel_lines():
    real, fake = toy.parallel_lines(0.7, 1000, seed=0)
    assert real.shape == fake.shape == (1000, 2)
    assert np.all(real[:, 0] == 0) and np.allclose(fake[:, 0], 0.7)
    for part in (real, fake):
        assert part[:, 1].min() >= 0 and part[:, 1].max() <= 1
        assert stats.kstest(part[:, 1], "uniform").pvalue > 1e-3
