"""Views of lecture 03 (MLE and MAP): drive update() and compare what is drawn with oracles
(sklearn Ridge / LinearRegression, numpy pinv, scipy.stats.beta)."""

import numpy as np
import pytest
import scipy.optimize as opt
import scipy.special as special
import scipy.stats as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from sklearn.linear_model import LinearRegression, Ridge

from genlib.views.mle import BetaCoin, PriorStrength


@pytest.fixture(scope="module")
def prior_view():
    return PriorStrength(degree=7, sigma=0.3, n_max=60, seed=0)


@pytest.fixture(scope="module")
def coin_view():
    return BetaCoin()


def _design(view, n):
    x = view.x_pool[:n]
    return np.vander(x, view.degree + 1, increasing=True), view.y_pool[:n]


def _band_limits(band):
    if hasattr(band, "get_height"):  # Rectangle (matplotlib >= 3.9)
        return band.get_y(), band.get_y() + band.get_height()
    ys = np.asarray(band.get_xy())[:, 1]
    return ys.min(), ys.max()


@pytest.mark.parametrize("tau,n", [(1.0, 8), (0.1, 20), (0.03, 60), (3.0, 12), (0.5, 40)])
def test_map_line_is_sklearn_ridge(prior_view, tau, n):
    out = prior_view.update(tau=tau, n=n)
    Phi, y = _design(prior_view, n)
    lam = 0.3 ** 2 / tau ** 2
    ridge = Ridge(alpha=lam, fit_intercept=False, solver="svd").fit(Phi, y)
    grid = np.vander(prior_view.grid, 8, increasing=True)
    np.testing.assert_allclose(prior_view.line_map.get_ydata(), grid @ ridge.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose([b.get_height() for b in prior_view.bars_map], ridge.coef_, rtol=1e-6, atol=1e-8)
    assert out["lam"] == pytest.approx(lam)
    assert f"{lam:.3g}" in prior_view.title.get_text()
    lo, hi = _band_limits(prior_view.band)
    assert (lo, hi) == pytest.approx((-2 * tau, 2 * tau))
    np.testing.assert_allclose(prior_view.points.get_offsets(), np.column_stack([prior_view.x_pool[:n], y]))


@pytest.mark.parametrize("n", [8, 15, 60])
def test_mle_line_is_least_squares(prior_view, n):
    prior_view.update(tau=1.0, n=n)
    Phi, y = _design(prior_view, n)
    coef = LinearRegression(fit_intercept=False).fit(Phi, y).coef_
    grid = np.vander(prior_view.grid, 8, increasing=True)
    np.testing.assert_allclose(prior_view.line_mle.get_ydata(), grid @ coef, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("n", [1, 3, 7])
def test_underdetermined_mle_is_min_norm_and_limit_of_map(prior_view, n):
    Phi, y = _design(prior_view, n)
    w_pinv = np.linalg.pinv(Phi) @ y
    out = prior_view.update(tau=1.0, n=n)
    np.testing.assert_allclose(out["w_mle"], w_pinv, rtol=1e-6, atol=1e-8)
    out = prior_view.update(tau=1e7, n=n)  # an almost flat prior
    np.testing.assert_allclose(out["w_map"], w_pinv, rtol=0, atol=1e-4 * np.abs(w_pinv).max())


def test_prior_pull_fades_with_more_data(prior_view):
    gaps = [np.linalg.norm(prior_view.update(tau=0.3, n=n)["w_map"] - prior_view.update(tau=0.3, n=n)["w_mle"])
            for n in (10, 60)]
    assert gaps[1] < gaps[0]


def test_prior_strength_rejects_bad_state(prior_view):
    with pytest.raises(ValueError, match="n must be"):
        prior_view.update(tau=1.0, n=0)
    with pytest.raises(ValueError, match="n must be"):
        prior_view.update(tau=1.0, n=61)
    with pytest.raises(ValueError, match="tau"):
        prior_view.update(tau=0.0, n=5)


def _mode(a, b):
    return opt.minimize_scalar(lambda p: -st.beta.logpdf(p, a, b), bounds=(1e-12, 1 - 1e-12),
                               method="bounded", options={"xatol": 1e-12}).x


@pytest.mark.parametrize("heads,tails,a,b", [(3, 0, 2, 2), (7, 13, 3, 5), (0, 4, 2, 1.5), (20, 30, 1, 1),
                                             (1, 1, 10, 10), (0, 0, 4, 2)])
def test_beta_coin_draws_scipy_beta(coin_view, heads, tails, a, b):
    est = coin_view.update(heads=heads, tails=tails, a=a, b=b)
    g = coin_view.grid
    inner = (g > 0) & (g < 1)
    np.testing.assert_allclose(coin_view.line_post.get_ydata()[inner], st.beta.pdf(g[inner], a + heads, b + tails), rtol=1e-9)
    np.testing.assert_allclose(coin_view.line_prior.get_ydata()[inner], st.beta.pdf(g[inner], a, b), rtol=1e-9)
    lik = g[inner] ** heads * (1 - g[inner]) ** tails
    lik /= special.beta(heads + 1, tails + 1)  # so that it integrates to 1 over p
    np.testing.assert_allclose(coin_view.line_lik.get_ydata()[inner], lik, rtol=1e-9)
    assert coin_view.v_mean.get_xdata()[0] == pytest.approx(st.beta(a + heads, b + tails).mean(), rel=1e-12)
    assert coin_view.v_map.get_visible()
    assert coin_view.v_map.get_xdata()[0] == pytest.approx(_mode(a + heads, b + tails), abs=1e-6)
    if heads + tails:
        assert coin_view.v_mle.get_visible()
        assert est["mle"] == coin_view.v_mle.get_xdata()[0] == pytest.approx(heads / (heads + tails))
    else:
        assert not coin_view.v_mle.get_visible() and est["mle"] is None
    top = coin_view.ax.get_ylim()[1]
    assert top >= max(line.get_ydata().max() for line in (coin_view.line_post, coin_view.line_prior, coin_view.line_lik))


def test_beta_coin_edges_and_undefined(coin_view):
    # Beta(1, b) has a finite density at 0: drawn there, equal to scipy's value.
    coin_view.update(heads=0, tails=3, a=1, b=1)
    assert coin_view.line_post.get_ydata()[0] == pytest.approx(st.beta.pdf(0.0, 1, 4))
    assert coin_view.v_map.get_xdata()[0] == 0.0
    # No tosses and a flat prior: neither the MLE nor the MAP exists.
    est = coin_view.update(heads=0, tails=0, a=1, b=1)
    assert est["mle"] is None and est["map"] is None
    assert not coin_view.v_mle.get_visible() and not coin_view.v_map.get_visible()
    assert "undefined" in coin_view.title.get_text()
    with pytest.raises(ValueError, match="a >= 1"):
        coin_view.update(heads=1, tails=1, a=0.5, b=2)
    with pytest.raises(ValueError, match="counts"):
        coin_view.update(heads=-1, tails=1, a=2, b=2)


@pytest.mark.parametrize("View", [PriorStrength, BetaCoin])
def test_random_states_redraw_without_rebuilding(View):
    # speed is measured by benchmarks/widgets.py, not here
    view = View()
    canvas = FigureCanvasAgg(view.fig)
    canvas.draw()
    def artists():  # the drawn objects (tick counts may follow the limits)
        return [(len(ax.lines), len(ax.patches), len(ax.collections), len(ax.texts)) for ax in view.fig.axes]

    before = artists()
    rng = np.random.default_rng(0)
    for _ in range(8):
        view.update(**View.random_state(rng))
        canvas.draw()
    assert artists() == before


def test_sliders_drive_the_views():
    import ipywidgets as W

    from genlib.widgets import Interactive

    view = PriorStrength()
    w = Interactive(view, {"tau": W.FloatLogSlider(value=0.3, base=10, min=-2, max=2, step=0.05),
                           "n": W.IntSlider(value=8, min=1, max=60)})
    w.set(n=30)
    w.set(tau=10.0)
    Phi, y = _design(view, 30)
    coef = Ridge(alpha=0.3 ** 2 / 10.0 ** 2, fit_intercept=False, solver="svd").fit(Phi, y).coef_
    np.testing.assert_allclose([b.get_height() for b in view.bars_map], coef, rtol=1e-6, atol=1e-8)
    assert len(view.points.get_offsets()) == 30

    coin = BetaCoin()
    c = Interactive(coin, {"heads": W.IntSlider(value=3, max=50), "tails": W.IntSlider(value=0, max=50),
                           "a": W.FloatSlider(value=2.0, min=1.0, max=20.0), "b": W.FloatSlider(value=2.0, min=1.0, max=20.0)})
    c.set(tails=5)
    assert coin.v_mean.get_xdata()[0] == pytest.approx(st.beta(5, 7).mean())


# --------------------------------------------------------------------------- legibility


@pytest.mark.parametrize("View", [PriorStrength, BetaCoin])
def test_default_state_is_legible(View):
    """Text at least 9 pt, no overlapping texts, no legend on the data (genlib.plots.audit)."""
    from genlib.plots import audit, style

    style()  # the course style that genlib.setup applies in a lecture
    view = View()
    assert audit(view.fig) == []
