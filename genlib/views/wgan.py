"""Views for lecture 07 (Wasserstein GAN).

* :class:`ParallelLines` - the WGAN paper's example: real points on the line
  x = 0, fake points on x = theta; a slider moves theta and the four distances
  (TV, KL, JS, W1) are drawn as bars. Only W1 changes smoothly with theta.
* :class:`DualCritic` - Kantorovich-Rubinstein duality in 1-D: two Gaussians p
  and q, their CDFs, and the optimal 1-Lipschitz critic
  f(x) = integral of sign(F_q - F_p), whose mean gap E_p f - E_q f is W1.
"""
from __future__ import annotations

import math

import numpy as np

from .. import toy
from ..plots import figure, freeze_layout, P_COLOR, Q_COLOR, M_COLOR

LOG2 = math.log(2.0)



def line_distances(theta: float) -> dict:
    """TV, KL, JS and W1 between the two parallel lines (closed forms, nats)."""
    if theta == 0:
        return {"TV": 0.0, "KL": 0.0, "JS": 0.0, "W1": 0.0}
    return {"TV": 1.0, "KL": math.inf, "JS": LOG2, "W1": abs(float(theta))}


class ParallelLines:
    """Left: the real line (x = 0) and the fake line (x = theta). Right: TV, KL, JS, W1 as bars.

    KL is infinite whenever theta != 0; its bar is then drawn up to the top of
    the axis and labelled "inf".
    """

    YMAX = 1.6
    NAMES = ("TV", "KL", "JS", "W1")

    def __init__(self, n: int = 40, seed: int = 0):
        self.real, fake = toy.parallel_lines(0.0, n, seed=seed)
        self.fake_y = fake[:, 1]
        self.fig, (self.ax_pts, self.ax_bar) = figure(ncols=2, width=3.6, height=2.8)
        ax = self.ax_pts
        ax.scatter(self.real[:, 0], self.real[:, 1], s=10, color=P_COLOR)
        # zorder above the axis (1.5): the blit then leaves ticks and tick labels in the background
        self.fake_pts = ax.scatter(np.zeros(n), self.fake_y, s=10, color=Q_COLOR, zorder=2)
        self.arrow = ax.annotate("", xy=(0, -0.08), xytext=(0, -0.08),
                                 arrowprops=dict(arrowstyle="<->", color=M_COLOR))
        ax.set_xlim(-1.1, 1.1)
        ax.set_ylim(-0.2, 1.1)
        ax.set_xlabel("x")
        ax.set_title("real (blue) at x = 0,\nfake (red) at x = theta")
        self.bars = self.ax_bar.bar(self.NAMES, [0, 0, 0, 0], color=[M_COLOR, Q_COLOR, "#2ca02c", P_COLOR], zorder=2)
        self.labels = [self.ax_bar.text(i, 0, "", ha="center", va="bottom", fontsize=9) for i in range(4)]
        self.ax_bar.axhline(LOG2, color="0.6", lw=0.8, ls=":")
        self.ax_bar.set_ylim(0, self.YMAX)
        self.title = self.ax_bar.set_title("theta = +0.00: TV, KL, JS, W1")  # the longest text, laid out once
        freeze_layout(self.fig)
        self.update(theta=0.5)
        self.dynamic = [self.fake_pts, *self.bars, *self.labels, self.title]  # what update() changes (genlib.plots.Renderer)

    def update(self, theta: float):
        theta = float(theta)
        self.fake_pts.set_offsets(np.column_stack([np.full(self.fake_y.shape, theta), self.fake_y]))
        self.arrow.xy = (theta, -0.08)
        d = line_distances(theta)
        for i, name in enumerate(self.NAMES):
            v = d[name]
            shown = self.YMAX * 0.92 if math.isinf(v) else min(v, self.YMAX * 0.92)
            self.bars[i].set_height(shown)
            self.labels[i].set_position((i, shown))
            self.labels[i].set_text("inf" if math.isinf(v) else f"{v:.2f}")
        self.title.set_text(f"theta = {theta:+.2f}: TV, KL, JS, W1")
        return d

    @staticmethod
    def random_state(rng) -> dict:
        return {"theta": float(rng.uniform(-1, 1))}


def _normal_cdf(x, mu, sigma):
    from scipy.special import ndtr

    return ndtr((x - mu) / sigma)


class DualCritic:
    """p = N(0, 1) (fixed) and q = N(mu, sigma^2): CDFs on the left, the optimal critic on the right.

    The optimal 1-Lipschitz critic for W1 in 1-D has slope +1 where F_q > F_p
    (p holds its mass further right) and -1 elsewhere; E_p f - E_q f equals
    W1 = integral |F_p - F_q| dx. ``update`` returns that gap, computed on the
    grid the figure draws.
    """

    def __init__(self, lo: float = -14.0, hi: float = 14.0, n: int = 2801):
        self.x = np.linspace(lo, hi, n)
        self.dx = self.x[1] - self.x[0]
        self.fig, (self.ax_cdf, self.ax_f) = figure(ncols=2, width=3.6, height=2.8)
        self.pdf_p, = self.ax_cdf.plot(self.x, np.zeros_like(self.x), color=P_COLOR, lw=1, ls="--")
        self.pdf_q, = self.ax_cdf.plot(self.x, np.zeros_like(self.x), color=Q_COLOR, lw=1, ls="--")
        self.cdf_p, = self.ax_cdf.plot(self.x, np.zeros_like(self.x), color=P_COLOR)
        self.cdf_q, = self.ax_cdf.plot(self.x, np.zeros_like(self.x), color=Q_COLOR)
        # One grey area whose outline update() replaces (set_verts): redrawn by blitting.
        self.fill = self.ax_cdf.fill_between(self.x, np.zeros_like(self.x), np.zeros_like(self.x),
                                             color=M_COLOR, alpha=0.3, lw=0, zorder=1.6)
        self.ax_cdf.set_xlim(-7, 7)
        self.ax_cdf.set_ylim(0, 1.05)
        self.ax_cdf.set_title("CDFs (solid), densities (dashed);\nthe grey area is W1", fontsize=9)
        self.critic, = self.ax_f.plot(self.x, np.zeros_like(self.x), color="k")
        self.ax_f.set_xlim(-7, 7)
        self.ax_f.set_ylim(-6, 6)
        self.ax_f.set_xlabel("x")
        self.title = self.ax_f.set_title("")
        freeze_layout(self.fig)
        self.update(mu=1.5, sigma=1.0)
        # what update() changes (genlib.plots.Renderer); p's curves too, which the area overlaps
        self.dynamic = [self.pdf_p, self.pdf_q, self.cdf_p, self.cdf_q, self.fill, self.critic, self.title]

    def critic_values(self, mu: float, sigma: float):
        fp = _normal_cdf(self.x, 0.0, 1.0)
        fq = _normal_cdf(self.x, mu, sigma)
        slope = np.sign(fq - fp)
        f = np.concatenate([[0.0], np.cumsum(0.5 * (slope[1:] + slope[:-1]) * self.dx)])
        return fp, fq, f - np.interp(0.0, self.x, f)

    def update(self, mu: float, sigma: float):
        from scipy.stats import norm

        fp, fq, f = self.critic_values(mu, sigma)
        self.pdf_p.set_ydata(norm.pdf(self.x, 0, 1))
        self.pdf_q.set_ydata(norm.pdf(self.x, mu, sigma))
        self.cdf_p.set_ydata(fp)
        self.cdf_q.set_ydata(fq)
        self.fill.set_verts([np.column_stack([np.r_[self.x, self.x[::-1]], np.r_[fp, fq[::-1]]])])
        self.critic.set_ydata(f)
        pp, pq = norm.pdf(self.x, 0, 1), norm.pdf(self.x, mu, sigma)
        gap = float(np.sum(f * (pp - pq)) * self.dx)
        self.title.set_text(f"critic f, E_p f - E_q f = {gap:.3f}")
        return gap

    @staticmethod
    def random_state(rng) -> dict:
        return {"mu": float(rng.uniform(-3, 3)), "sigma": float(rng.uniform(0.3, 2.5))}
