"""Lecture 01 views: drive update(), read the artists back, compare with scipy / closed forms."""
from __future__ import annotations

import math

import ipywidgets as W
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from scipy import stats

from genlib import widgets
from genlib.views.entropy import CategoricalEntropy, CoinEntropy, CrossEntropyCoin


def binary_entropy_bits(p):
    return stats.entropy([p, 1 - p], base=2)


# --------------------------------------------------------------------------- coin


def test_coin_curve_is_binary_entropy_with_max_at_half():
    v = CoinEntropy()
    x, y = v.curve.get_data()
    np.testing.assert_allclose(y, [binary_entropy_bits(p) for p in x], atol=1e-12)
    assert x[np.argmax(y)] == pytest.approx(0.5)
    assert y.max() == pytest.approx(1.0)


@pytest.mark.parametrize("p", [0.0, 0.03, 0.5, 0.77, 1.0])
def test_coin_update_draws_p_and_entropy(p):
    v = CoinEntropy()
    h = v.update(p=p)
    assert h == pytest.approx(binary_entropy_bits(p), abs=1e-12)
    assert v.bars[0].get_height() == pytest.approx(p)
    assert v.bars[1].get_height() == pytest.approx(1 - p)
    assert list(v.marker.get_xdata()) == [p]
    assert v.marker.get_ydata()[0] == pytest.approx(binary_entropy_bits(p), abs=1e-12)
    assert v.title.get_text() == f"H = {binary_entropy_bits(p):.3f} bits"


def test_coin_in_nats():
    v = CoinEntropy(base=None)
    assert v.update(p=0.5) == pytest.approx(math.log(2))
    assert "nats" in v.title.get_text()


# --------------------------------------------------------------------------- categorical


def test_categorical_normalises_and_draws():
    v = CategoricalEntropy(k=4)
    w = {"w0": 2.0, "w1": 1.0, "w2": 1.0, "w3": 0.0}
    h = v.update(**w)
    p = np.array([0.5, 0.25, 0.25, 0.0])
    assert h == pytest.approx(1.5)
    assert h == pytest.approx(stats.entropy(p, base=2))
    np.testing.assert_allclose([b.get_height() for b in v.bars], p)
    np.testing.assert_allclose(v.p, p)
    assert v.h_bar.get_height() == pytest.approx(1.5)
    assert [t.get_text() for t in v.texts] == ["1.00", "2.00", "2.00", "inf"]
    assert "H = 1.500" in v.title.get_text() and "75% of max" in v.title.get_text()


def test_categorical_ceiling_is_log_k_and_uniform_reaches_it():
    for k in (2, 3, 5, 8):
        v = CategoricalEntropy(k=k)
        assert v.h_max == pytest.approx(math.log2(k))
        assert v.max_line.get_ydata()[0] == pytest.approx(math.log2(k))
        assert v.uniform_line.get_ydata()[0] == pytest.approx(1 / k)
        assert v.update(**{f"w{i}": 0.3 for i in range(k)}) == pytest.approx(math.log2(k))


def test_categorical_random_states_stay_below_ceiling():
    rng = np.random.default_rng(0)
    v = CategoricalEntropy()
    for _ in range(50):
        state = CategoricalEntropy.random_state(rng)
        h = v.update(**state)
        w = np.array([state[f"w{i}"] for i in range(4)])
        expected = stats.entropy(w, base=2) if w.sum() > 0 else 2.0  # scipy normalises itself
        assert h == pytest.approx(expected, abs=1e-12)
        assert h <= 2 + 1e-12
        assert sum(b.get_height() for b in v.bars) == pytest.approx(1.0)


def test_categorical_all_zero_falls_back_to_uniform_and_bad_calls_raise():
    v = CategoricalEntropy(k=3)
    assert v.update(w0=0, w1=0, w2=0) == pytest.approx(math.log2(3))
    with pytest.raises(TypeError, match="w2"):
        v.update(w0=1, w1=1)
    with pytest.raises(ValueError):
        CategoricalEntropy(k=1)


def test_categorical_wired_to_sliders():
    v = CategoricalEntropy(k=3)
    sliders = {f"w{i}": W.FloatSlider(value=1.0, min=0, max=1) for i in range(3)}
    w = widgets.Interactive(v, sliders, title="categorical")
    assert v.h_bar.get_height() == pytest.approx(math.log2(3))
    sliders["w0"].value = 0.0
    assert v.h_bar.get_height() == pytest.approx(1.0)
    w.set(w1=0.0)
    assert v.h_bar.get_height() == pytest.approx(0.0, abs=1e-12)


# --------------------------------------------------------------------------- cross-entropy


@pytest.mark.parametrize("p, q", [(0.5, 0.5), (0.9, 0.5), (0.2, 0.7), (0.05, 0.95)])
def test_cross_entropy_coin(p, q):
    v = CrossEntropyCoin()
    ce = v.update(p=p, q=q)
    h = stats.entropy([p, 1 - p], base=2)
    kl = stats.entropy([p, 1 - p], [q, 1 - q], base=2)
    assert ce == pytest.approx(h + kl, rel=1e-12)
    assert v.floor.get_ydata()[0] == pytest.approx(h)
    x, y = v.curve.get_data()
    ref = -(p * np.log2(x) + (1 - p) * np.log2(1 - x))
    np.testing.assert_allclose(y, ref, rtol=1e-12)
    assert np.all(y >= h - 1e-12)  # Gibbs: no code beats the entropy
    gx, gy = v.gap.get_data()
    top = min(h + kl, v.ax.get_ylim()[1])  # drawn up to the top of the axes
    assert list(gx) == [q, q] and gy[0] == pytest.approx(h) and gy[1] == pytest.approx(top)
    assert f"KL = {kl:.3f}" in v.title.get_text()


def test_cross_entropy_coin_minimum_is_at_q_equals_p():
    v = CrossEntropyCoin()
    for p in (0.1, 0.3, 0.5, 0.8):
        v.update(p=p, q=0.5)
        x, y = v.curve.get_data()
        assert abs(x[np.argmin(y)] - p) < 0.005


def test_cross_entropy_coin_infinite_cost_is_clipped_on_screen():
    v = CrossEntropyCoin()
    assert v.update(p=0.5, q=0.0) == math.inf
    assert np.isfinite(v.marker.get_ydata()[0])


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("view", [CoinEntropy, CategoricalEntropy, CrossEntropyCoin])
def test_redraw_does_not_rebuild(view):
    # speed is measured by benchmarks/widgets.py, not here
    rng = np.random.default_rng(1)
    v = view()
    FigureCanvasAgg(v.fig)
    v.fig.canvas.draw()
    n_artists = len(v.fig.findobj())
    axes = list(v.fig.axes)
    for _ in range(8):
        v.update(**view.random_state(rng))
        v.fig.canvas.draw()
    assert v.fig.axes == axes
    assert len(v.fig.findobj()) == n_artists


# --------------------------------------------------------------------------- legibility


@pytest.mark.parametrize("View", [CoinEntropy, CategoricalEntropy, CrossEntropyCoin])
def test_default_state_is_legible(View):
    """Text at least 9 pt, no overlapping texts, no legend on the data (genlib.plots.audit)."""
    from genlib.plots import audit, style

    style()  # the course style that genlib.setup applies in a lecture
    view = View()
    assert audit(view.fig) == []
