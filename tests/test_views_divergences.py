"""Views of lecture 02: drive update() and compare what is drawn with independent oracles
(torch autograd, scipy.stats, scipy.spatial.distance, closed forms)."""
import math

import numpy as np
import pytest
import scipy.spatial.distance
import scipy.stats
import torch

from genlib.plots import png_bytes
from genlib.views.divergences import (ModeFits, SlidingApart, grid_log_gauss, grid_log_mixture, kl_and_grad,
                                      kl_grid, bump)

X = np.linspace(-12, 12, 961)
DX = X[1] - X[0]


def mixture_pdf(x, means, stds, weights):
    return sum(w * scipy.stats.norm.pdf(x, m, s) for m, s, w in zip(means, stds, weights))


def test_grid_mixture_is_the_mixture_density_times_dx():
    means, stds, weights = (-1.0, 2.0), (0.5, 1.0), (0.3, 0.7)
    lp = grid_log_mixture(X, means, stds, weights)
    assert np.isclose(np.exp(lp).sum(), 1.0)
    np.testing.assert_allclose(np.exp(lp) / DX, mixture_pdf(X, means, stds, weights), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(np.exp(grid_log_gauss(X, 0.3, math.log(1.5))) / DX,
                               scipy.stats.norm.pdf(X, 0.3, 1.5), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("direction", ["forward", "reverse"])
@pytest.mark.parametrize("mu,log_sigma", [(0.4, 0.6), (-2.0, -0.5), (1.0, 0.0), (3.0, 1.2)])
def test_kl_value_and_gradient_match_torch_autograd(direction, mu, log_sigma):
    lp = grid_log_mixture(X, (-2.0, 2.0), (0.6, 0.8), (0.5, 0.5))
    val, g_mu, g_ls = kl_and_grad(X, lp, mu, log_sigma, direction)
    tmu = torch.tensor(mu, dtype=torch.float64, requires_grad=True)
    tls = torch.tensor(log_sigma, dtype=torch.float64, requires_grad=True)
    tx = torch.tensor(X)
    lq = torch.log_softmax(-0.5 * ((tx - tmu) / tls.exp()) ** 2, -1)
    tp = torch.tensor(lp)
    kl = (tp.exp() * (tp - lq)).sum() if direction == "forward" else (lq.exp() * (lq - tp)).sum()
    kl.backward()
    assert val == pytest.approx(kl.item(), rel=1e-10)
    assert g_mu == pytest.approx(tmu.grad.item(), rel=1e-8, abs=1e-12)
    assert g_ls == pytest.approx(tls.grad.item(), rel=1e-8, abs=1e-12)
    # and the value is the discrete KL scipy computes
    q = np.exp(lq.detach().numpy())
    p = np.exp(lp)
    want = scipy.stats.entropy(p, q) if direction == "forward" else scipy.stats.entropy(q, p)
    assert val == pytest.approx(want, rel=1e-8)


def test_bad_direction_and_bad_mixture_raise():
    lp = grid_log_mixture(X, (0.0,), (1.0,), (1.0,))
    with pytest.raises(ValueError, match="direction"):
        kl_and_grad(X, lp, 0.0, 0.0, "sideways")
    with pytest.raises(ValueError, match="stds"):
        grid_log_mixture(X, (0.0,), (0.0,), (1.0,))
    with pytest.raises(ValueError, match="weights"):
        grid_log_mixture(X, (0.0, 1.0), (1.0, 1.0), (0.7, 0.7))


@pytest.fixture(scope="module")
def fits():
    view = ModeFits()
    state = {"center": 0.5, "separation": 5.0, "weight": 0.4}
    view.update(**state, steps=1500)
    return view, state


def test_forward_fit_matches_the_moments_of_p(fits):
    view, state = fits
    (means, stds, weights) = view.target(**state)
    mean = sum(w * m for m, w in zip(means, weights))
    var = sum(w * (s ** 2 + m ** 2) for m, s, w in zip(means, stds, weights)) - mean ** 2
    mu, sigma = view.fits["forward"]
    assert mu == pytest.approx(mean, abs=1e-3)
    assert sigma == pytest.approx(math.sqrt(var), rel=1e-3)


def test_reverse_fit_sits_on_one_mode(fits):
    view, state = fits
    means, stds, weights = view.target(**state)
    mu, sigma = view.fits["reverse"]
    k = int(np.argmin([abs(mu - m) for m in means]))
    assert mu == pytest.approx(means[k], abs=0.05)
    assert sigma == pytest.approx(stds[k], rel=0.03)
    # the mode-seeking optimum costs about -log(weight of that mode)
    lq = grid_log_gauss(view.x, mu, math.log(sigma))
    assert kl_grid(lq, view.log_p) == pytest.approx(-math.log(weights[k]), abs=0.01)


def test_drawn_curves_are_the_densities(fits):
    view, state = fits
    means, stds, weights = view.target(**state)
    xs = view.p_lines["forward"].get_xdata()
    for d in ("forward", "reverse"):
        np.testing.assert_allclose(view.p_lines[d].get_ydata(), mixture_pdf(xs, means, stds, weights),
                                   rtol=1e-6, atol=1e-12)
        mu, sigma = view.fits[d]
        np.testing.assert_allclose(view.q_lines[d].get_ydata(), scipy.stats.norm.pdf(xs, mu, sigma),
                                   rtol=1e-5, atol=1e-10)
    assert f"mu = {view.fits['forward'][0]:.2f}" in view.titles["forward"].get_text()


def test_warm_start_follows_a_moving_target():
    view = ModeFits()
    before = view.fits["forward"]
    for _ in range(15):                       # the student drags the centre to +1.5
        view.update(center=1.5, separation=5.0, weight=0.4)
    means, _, weights = view.target(1.5, 5.0, 0.4)
    mean = sum(w * m for m, w in zip(means, weights))
    assert abs(before[0] - mean) > 1.0
    assert view.fits["forward"][0] == pytest.approx(mean, abs=0.02)
    # the reverse fit moved with its mode
    assert min(abs(view.fits["reverse"][0] - m) for m in means) < 0.1


def test_random_states_are_valid():
    # speed is measured by benchmarks/widgets.py, not here
    rng = np.random.default_rng(0)
    view = ModeFits()
    for _ in range(3):
        st = ModeFits.random_state(rng)
        assert set(st) == {"center", "separation", "weight"} and 0 < st["weight"] < 1
        view.update(**st)
        png_bytes(view.fig)
        assert all(np.isfinite(v).all() for v in view.fits.values())


# ----------------------------------------------------------------------------- SlidingApart
@pytest.fixture(scope="module")
def slide():
    return SlidingApart()


@pytest.mark.parametrize("shape", ["bump", "gaussian"])
@pytest.mark.parametrize("shift", [0.0, 0.5, 1.3, 2.0, 4.0])
def test_sliding_values_match_scipy(slide, shape, shift):
    vals = slide.update(shift=shift, shape=shape)
    p = slide.p_line.get_ydata() * slide.dx
    q = slide.q_line.get_ydata() * slide.dx
    assert np.isclose(p.sum(), 1) and np.isclose(q.sum(), 1)
    kl = scipy.stats.entropy(p, q)
    assert (math.isinf(vals["KL"]) and math.isinf(kl)) or vals["KL"] == pytest.approx(kl, rel=1e-9, abs=1e-12)
    assert vals["JS"] == pytest.approx(scipy.spatial.distance.jensenshannon(p, q) ** 2, rel=1e-7, abs=1e-12)
    assert vals["TV"] == pytest.approx(0.5 * np.abs(p - q).sum(), abs=1e-12)
    assert vals["W1"] == pytest.approx(scipy.stats.wasserstein_distance(slide.x, slide.x, p, q), abs=1e-9)
    assert vals["W1"] == pytest.approx(shift, abs=1e-6)      # a translation moves all mass by t (gaussian tails cut at 6 sigma)
    # q is p translated by the shift
    k = int(round(shift / slide.dx))
    np.testing.assert_allclose(q[k:], p[:len(p) - k], atol=1e-12)
    # the markers sit at the values (KL capped when drawn)
    for name, mark in slide.marks.items():
        xs, ys = mark.get_data()
        assert xs[0] == pytest.approx(shift)
        assert ys[0] == pytest.approx(min(vals[name], slide.kl_cap * 0.98))


def test_disjoint_supports_give_the_limits(slide):
    for shift in (2.0, 3.0, 6.0):
        vals = slide.update(shift=shift, shape="bump")
        assert math.isinf(vals["KL"])
        assert vals["JS"] == pytest.approx(math.log(2), rel=1e-12)
        assert vals["TV"] == pytest.approx(1.0, abs=1e-12)
        assert vals["W1"] == pytest.approx(shift, abs=1e-9)
    assert "KL = inf" in slide.title.get_text()


def test_overlap_and_curves(slide):
    # any shift of a compact bump leaves p mass where q has none: KL = inf at once
    assert math.isinf(slide.update(shift=0.1, shape="bump")["KL"])
    assert slide.update(shift=0.0, shape="bump")["KL"] == 0.0
    # gaussian shape: KL = t^2 / (2 sigma^2) with sigma = 0.5, finite and unbounded
    for t in (0.5, 1.0, 2.0):
        assert slide.update(shift=t, shape="gaussian")["KL"] == pytest.approx(t ** 2 / 0.5, rel=1e-4)
    for shape in SlidingApart.shapes:
        c = slide.curves[shape]
        assert np.all(np.diff(c["JS"]) >= -1e-12) and np.all(np.diff(c["TV"]) >= -1e-12)
        assert c["JS"].max() <= math.log(2) + 1e-12 and c["TV"].max() <= 1 + 1e-12
        np.testing.assert_allclose(c["W1"], slide.shifts, atol=1e-9)
    slide.update(shift=1.0, shape="gaussian")
    np.testing.assert_allclose(slide.lines["JS"].get_ydata(), slide.curves["gaussian"]["JS"])


def test_bump_shapes_and_bad_input(slide):
    x = np.linspace(-2, 2, 401)
    assert np.all(bump(x, "bump")[np.abs(x) >= 1] == 0) and np.all(bump(x, "bump")[np.abs(x) < 1] > 0)
    np.testing.assert_allclose(bump(x, "gaussian"), scipy.stats.norm.pdf(x, 0, 0.5) / scipy.stats.norm.pdf(0, 0, 0.5))
    with pytest.raises(ValueError, match="shape"):
        slide.update(shift=1.0, shape="square")
    with pytest.raises(ValueError, match="shift"):
        slide.update(shift=-1.0)
    with pytest.raises(ValueError, match="shift"):
        slide.update(shift=99.0)


def test_sliding_random_state_is_valid(slide):
    rng = np.random.default_rng(1)
    for _ in range(5):
        st = SlidingApart.random_state(rng)
        assert st["shape"] in SlidingApart.shapes and 0 <= st["shift"] <= slide.max_shift
        slide.update(**st)
    assert png_bytes(slide.fig)[:4] == b"\x89PNG"


# --------------------------------------------------------------------------- legibility


@pytest.mark.parametrize("View", [ModeFits, SlidingApart])
def test_default_state_is_legible(View):
    """Text at least 9 pt, no overlapping texts, no legend on the data (genlib.plots.audit)."""
    from genlib.plots import audit, style

    style()  # the course style that genlib.setup applies in a lecture
    view = View()
    assert audit(view.fig) == []
