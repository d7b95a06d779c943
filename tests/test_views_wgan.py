"""Views of lecture 07 (WGAN), driven through update() and read back from the artists.

Oracles: scipy (jensenshannon, entropy, wasserstein_distance, quad, linear_sum_assignment)
on samples or closed forms, never the view's own helpers.
"""
import math

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from scipy import integrate, stats
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist, jensenshannon

from genlib import toy
from genlib.views.wgan import DualCritic, ParallelLines


def _oracle_lines(theta, n=300):
    """TV, KL, JS from histograms of sampled lines, W1 by exact optimal transport."""
    real, fake = toy.parallel_lines(theta, n, seed=3)
    edges_x = np.unique(np.concatenate([[-2.0, 2.0], [min(0, theta) - 1e-3, max(0, theta) + 1e-3], [theta / 2]]))
    edges_y = np.linspace(0, 1, 5)
    p = np.histogram2d(real[:, 0], real[:, 1], [edges_x, edges_y])[0].ravel()
    q = np.histogram2d(fake[:, 0], fake[:, 1], [edges_x, edges_y])[0].ravel()
    p, q = p / p.sum(), q / q.sum()
    cost = cdist(real, fake)
    r, c = linear_sum_assignment(cost)
    return {"TV": 0.5 * np.abs(p - q).sum(), "KL": stats.entropy(p, q), "JS": jensenshannon(p, q) ** 2,
            "W1": cost[r, c].mean()}


@pytest.mark.parametrize("theta", [-0.8, -0.3, 0.25, 0.6, 1.0])
def test_parallel_lines_bars_match_oracle(theta):
    v = ParallelLines()
    v.update(theta=theta)
    oracle = _oracle_lines(theta)
    heights = {n: b.get_height() for n, b in zip(v.NAMES, v.bars)}
    labels = {n: t.get_text() for n, t in zip(v.NAMES, v.labels)}
    assert heights["TV"] == pytest.approx(oracle["TV"], abs=1e-12)
    assert math.isinf(oracle["KL"]) and labels["KL"] == "inf"
    assert heights["KL"] == pytest.approx(v.YMAX * 0.92)
    assert heights["JS"] == pytest.approx(oracle["JS"], rel=1e-9)
    assert heights["W1"] == pytest.approx(oracle["W1"], rel=0.05)  # finite-sample OT is a little above |theta|
    assert labels["W1"] == f"{abs(theta):.2f}"


def test_parallel_lines_points_move_and_zero_is_zero():
    v = ParallelLines(n=25)
    v.update(theta=0.7)
    off = v.fake_pts.get_offsets()
    assert off.shape == (25, 2) and np.allclose(off[:, 0], 0.7)
    v.update(theta=0.0)
    assert all(b.get_height() == 0 for b in v.bars)
    assert np.allclose(v.fake_pts.get_offsets()[:, 0], 0.0)


def _w1_normals(mu, sigma):
    f = lambda x: abs(stats.norm.cdf(x) - stats.norm.cdf(x, mu, sigma))
    return integrate.quad(f, -30, 30, limit=200, points=[0, mu])[0]


@pytest.mark.parametrize("mu,sigma", [(1.5, 1.0), (-2.0, 0.5), (0.0, 2.0), (0.7, 0.3)])
def test_dual_critic_gap_is_w1_and_critic_is_1_lipschitz(mu, sigma):
    v = DualCritic()
    gap = v.update(mu=mu, sigma=sigma)
    assert gap == pytest.approx(_w1_normals(mu, sigma), rel=2e-3)
    # the same W1 from samples (scipy)
    rng = np.random.default_rng(0)
    w_mc = stats.wasserstein_distance(rng.normal(0, 1, 50_000), rng.normal(mu, sigma, 50_000))
    assert gap == pytest.approx(w_mc, rel=0.03, abs=0.01)
    x, f = v.critic.get_data()
    slopes = np.diff(f) / np.diff(x)
    assert np.all(np.abs(slopes) <= 1 + 1e-9)
    cq = v.cdf_q.get_ydata()
    assert np.allclose(cq, stats.norm.cdf(x, mu, sigma))


def test_random_states_are_valid():
    # speed is measured by benchmarks/widgets.py, not here
    rng = np.random.default_rng(1)
    for V in (ParallelLines, DualCritic):
        v = V()
        FigureCanvasAgg(v.fig)
        v.fig.canvas.draw()
        for _ in range(5):
            s = V.random_state(rng)
            if V is ParallelLines:
                assert set(s) == {"theta"} and -1 <= s["theta"] <= 1
            else:
                assert set(s) == {"mu", "sigma"} and s["sigma"] > 0
            v.update(**s)
            v.fig.canvas.draw()
            assert all(np.isfinite(line.get_ydata()).all() for ax in v.fig.axes for line in ax.lines)


def test_parallel_lines_title_names_theta_and_stays_inside_the_figure():
    from genlib.plots import audit

    v = ParallelLines()
    for theta in (-1.0, -0.05, 0.0, 1.0):
        v.update(theta=theta)
        assert v.title.get_text().startswith(f"theta = {theta:+.2f}")
        assert audit(v.fig, widget=True) == []
