"""Views for lecture 03 (maximum likelihood and MAP).

* :class:`PriorStrength` - polynomial regression with a Gaussian prior
  ``w ~ N(0, tau^2 I)`` on the weights and Gaussian noise of std ``sigma``:
  the MAP fit (ridge with ``lambda = sigma^2 / tau^2``) against the MLE
  (least squares; the minimum-norm solution when there are fewer points than
  weights, which is the ``tau -> inf`` limit of MAP).
* :class:`BetaCoin` - a coin with a ``Beta(a, b)`` prior on ``p(heads)``: prior,
  likelihood and posterior, with the MLE, the MAP and the posterior mean marked.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import NullLocator

from ..plots import figure, freeze_layout, P_COLOR, Q_COLOR, M_COLOR, COLORS


def _freeze_layout(fig) -> None:
    """Lay the figure out once, then keep everything where it is.

    Constrained layout costs about as much as drawing the artists, and so does
    placing titles and axis labels around the tick labels; nothing here moves
    when the sliders do, so all of it is computed once (half the redraw time).
    """
    for ax in fig.axes:
        ax.xaxis.set_label_coords(0.5, -0.13)
        ax.yaxis.set_label_coords(-0.12, 0.5)
    freeze_layout(fig)


def truth(x):
    """The curve the regression points are drawn around."""
    return np.sin(np.pi * np.asarray(x, dtype=float))


def poly_features(x, degree: int):
    """Columns ``1, x, x^2, ..., x^degree`` (the constant is a weight like any other)."""
    x = np.asarray(x, dtype=float)
    return x[:, None] ** np.arange(degree + 1)


def ridge_weights(Phi, y, lam: float):
    """``argmin ||y - Phi w||^2 + lam ||w||^2``; ``lam = 0`` gives the minimum-norm least squares."""
    if lam == 0:
        return np.linalg.lstsq(Phi, y, rcond=None)[0]
    # Least squares on the data stacked with p pseudo-points sqrt(lam) w_j = 0: the same
    # solution as (Phi^T Phi + lam I)^-1 Phi^T y, but stable when lam is tiny and n < p.
    p = Phi.shape[1]
    A = np.vstack([Phi, math.sqrt(lam) * np.eye(p)])
    return np.linalg.lstsq(A, np.concatenate([y, np.zeros(p)]), rcond=None)[0]


class PriorStrength:
    """Left: the data, the true curve, the MLE fit and the MAP fit.
    Right: the weights of both fits (symlog scale) with the prior's +-2 tau band.

    ``update(tau, n)`` uses the first ``n`` points of a fixed pool, so moving
    the ``n`` slider adds points rather than redrawing them.
    """

    def __init__(self, degree: int = 7, sigma: float = 0.3, n_max: int = 60, seed: int = 0):
        if degree < 0 or n_max < 1 or sigma <= 0:
            raise ValueError("PriorStrength needs degree >= 0, n_max >= 1 and sigma > 0")
        self.degree, self.sigma, self.n_max = degree, float(sigma), n_max
        rng = np.random.default_rng(seed)
        self.x_pool = rng.uniform(-1, 1, n_max)
        self.y_pool = truth(self.x_pool) + self.sigma * rng.standard_normal(n_max)
        self.grid = np.linspace(-1, 1, 201)
        self.Phi_grid = poly_features(self.grid, degree)

        self.fig, (self.ax_fit, self.ax_w) = figure(ncols=2, width=3.8, height=3.0)
        ax = self.ax_fit
        ax.plot(self.grid, truth(self.grid), color=M_COLOR, lw=1, ls="--", label="truth")
        self.points = ax.scatter(self.x_pool[:2], self.y_pool[:2], s=18, color="k", zorder=3, label="data")
        self.line_mle, = ax.plot(self.grid, 0 * self.grid, color=P_COLOR, lw=1.5, label="MLE")
        self.line_map, = ax.plot(self.grid, 0 * self.grid, color=Q_COLOR, lw=2, label="MAP")
        ax.set_xlim(-1, 1)
        ax.set_ylim(-2.2, 2.2)
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([-2, -1, 0, 1, 2])
        ax.set_xlabel("x")
        # Below the axes: the data points move with the seed and the curves with tau, so no
        # corner inside the axes stays free of them.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4, handlelength=1.2, columnspacing=0.8)
        self.title = ax.set_title("", y=1.0, loc="left")  # a long line: from the axes' left edge, not centred

        k = np.arange(degree + 1)
        axw = self.ax_w
        axw.set_yscale("symlog", linthresh=1.0)
        # zorders above the axis (1.5): the blit then leaves ticks and tick labels in the background
        self.band = axw.axhspan(-2.0, 2.0, color=M_COLOR, alpha=0.15, zorder=1.6)
        self.bars_map = axw.bar(k + 0.2, np.zeros(degree + 1), width=0.4, color=Q_COLOR, label="MAP", zorder=1.7)
        self.bars_mle = axw.bar(k - 0.2, np.zeros(degree + 1), width=0.4, color=P_COLOR, label="MLE", zorder=1.7)
        axw.set_xticks(k)
        axw.set_xlabel("weight index (power of x)")
        axw.set_ylim(-1e4, 1e4)
        # Few fixed ticks: text is what costs most in a redraw.
        axw.set_yticks([-1000, -10, 0, 10, 1000], ["-1e3", "-10", "0", "10", "1e3"])
        axw.yaxis.set_minor_locator(NullLocator())
        axw.set_title("weights (grey: prior \u00b12\u03c4)", y=1.0)
        self.update(tau=1.0, n=8)
        _freeze_layout(self.fig)
        self.dynamic = [self.points, self.line_mle, self.line_map, *self.bars_map, *self.bars_mle, self.band, self.title]  # what update() changes (genlib.plots.Renderer)

    def fit(self, tau: float, n: int) -> dict:
        """The two fits on the first ``n`` points (no drawing)."""
        n = int(n)
        if not 1 <= n <= self.n_max:
            raise ValueError(f"n must be between 1 and {self.n_max}; got {n}")
        if not (tau > 0 and math.isfinite(tau)):
            raise ValueError(f"tau must be a finite number > 0; got {tau!r}")
        Phi = poly_features(self.x_pool[:n], self.degree)
        y = self.y_pool[:n]
        lam = self.sigma ** 2 / tau ** 2
        return {"lam": lam, "w_map": ridge_weights(Phi, y, lam), "w_mle": ridge_weights(Phi, y, 0.0)}

    def update(self, tau: float, n: int) -> dict:
        out = self.fit(tau, n)
        n = int(n)
        self.points.set_offsets(np.column_stack([self.x_pool[:n], self.y_pool[:n]]))
        self.line_mle.set_ydata(self.Phi_grid @ out["w_mle"])
        self.line_map.set_ydata(self.Phi_grid @ out["w_map"])
        for bar, h in zip(self.bars_map, out["w_map"]):
            bar.set_height(h)
        for bar, h in zip(self.bars_mle, out["w_mle"]):
            bar.set_height(h)
        # axhspan is a Rectangle in matplotlib >= 3.9 and a Polygon before.
        if hasattr(self.band, "set_xy") and not hasattr(self.band, "set_height"):
            self.band.set_xy([[0, -2 * tau], [0, 2 * tau], [1, 2 * tau], [1, -2 * tau], [0, -2 * tau]])
        else:
            self.band.set_y(-2 * tau)
            self.band.set_height(4 * tau)
        self.title.set_text(f"n = {n}, \u03c4 = {tau:.3g}, \u03bb = \u03c3\u00b2/\u03c4\u00b2 = {out['lam']:.3g}")
        return out

    @staticmethod
    def random_state(rng) -> dict:
        return {"tau": float(10 ** rng.uniform(-2, 2)), "n": int(rng.integers(1, 61))}


def beta_pdf(x, a: float, b: float):
    """Beta(a, b) density on a grid (closed form through log-gamma)."""
    x = np.asarray(x, dtype=float)
    logB = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = (a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - logB
    out = np.exp(logp)
    # (a - 1) log x at x = 0 with a == 1 is 0 * -inf: the density there is finite.
    if a == 1:
        out[x == 0] = math.exp(-logB)
    if b == 1:
        out[x == 1] = math.exp(-logB)
    return out


def _ladder(x: float) -> float:
    """The smallest value of 1, 1.5, 2, 3, 5, 7.5 times a power of ten that is >= ``x`` (> 0)."""
    k = 10.0 ** np.floor(np.log10(x))
    return float(next(k * m for m in (1, 1.5, 2, 3, 5, 7.5, 10) if k * m >= x * (1 - 1e-12)))


class BetaCoin:
    """A coin with a Beta(a, b) prior: prior, likelihood, posterior and three estimates.

    ``update(heads, tails, a, b)`` needs counts >= 0 and ``a, b >= 1`` (then the
    posterior's mode is ``(heads + a - 1) / (n + a + b - 2)``). An estimate that
    is undefined (the MLE with no tosses, the MAP of a flat posterior) is hidden
    and returned as ``None``.
    """

    def __init__(self):
        self.grid = np.linspace(0, 1, 301)
        self.fig, self.ax = figure(width=6.8, height=3.0)
        ax = self.ax
        self.line_prior, = ax.plot(self.grid, 0 * self.grid, color=M_COLOR, ls="--", label="prior")
        self.line_lik, = ax.plot(self.grid, 0 * self.grid, color=P_COLOR, lw=1.2, label="likelihood (normalised)")
        self.line_post, = ax.plot(self.grid, 0 * self.grid, color=Q_COLOR, lw=2, label="posterior")
        self.v_mle = ax.axvline(0.5, color=P_COLOR, ls=":", lw=1.5, label="MLE")
        self.v_map = ax.axvline(0.5, color=Q_COLOR, ls="-", lw=1, label="MAP")
        self.v_mean = ax.axvline(0.5, color=COLORS[2], ls="-.", lw=1, label="posterior mean")
        ax.set_xlim(0, 1)
        ax.set_xlabel("p(heads)")
        # outside the axes, off the curves; under them in z-order, so a redraw leaves it in the
        # cached background (genlib.plots.Renderer)
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0)).set_zorder(1.6)
        self.title = ax.set_title("", y=1.0, loc="left")  # a long line: from the axes' left edge, not centred
        self.update(heads=3, tails=0, a=2, b=2)
        _freeze_layout(self.fig)
        # what update() changes; the y-axis moves only when the curves outgrow (or shrink well
        # below) its step of a 1-1.5-2-3-5-7.5 ladder, so most moves redraw only these
        self.dynamic = [self.line_prior, self.line_lik, self.line_post, self.v_mle, self.v_map, self.v_mean,
                        self.title]

    @staticmethod
    def estimates(heads: int, tails: int, a: float, b: float) -> dict:
        if heads < 0 or tails < 0:
            raise ValueError(f"counts must be >= 0; got heads={heads}, tails={tails}")
        if a < 1 or b < 1:
            raise ValueError(f"BetaCoin needs a >= 1 and b >= 1; got a={a}, b={b}")
        n = heads + tails
        mle = heads / n if n > 0 else None
        denom = n + a + b - 2
        map_ = (heads + a - 1) / denom if denom > 0 else None
        mean = (heads + a) / (n + a + b)
        return {"mle": mle, "map": map_, "mean": mean, "a_post": heads + a, "b_post": tails + b}

    def update(self, heads: int, tails: int, a: float, b: float) -> dict:
        est = self.estimates(heads, tails, a, b)
        prior = beta_pdf(self.grid, a, b)
        lik = beta_pdf(self.grid, heads + 1, tails + 1)  # p^k (1-p)^m, normalised over p
        post = beta_pdf(self.grid, est["a_post"], est["b_post"])
        self.line_prior.set_ydata(prior)
        self.line_lik.set_ydata(lik)
        self.line_post.set_ydata(post)
        top = 1.08 * float(max(prior.max(), lik.max(), post.max()))
        self.ax.set_ylim(0, _ladder(top))
        for line, key in ((self.v_mle, "mle"), (self.v_map, "map"), (self.v_mean, "mean")):
            v = est[key]
            line.set_visible(v is not None)
            if v is not None:
                line.set_xdata([v, v])

        def f(v):
            return "undefined" if v is None else f"{v:.3f}"

        self.title.set_text(f"{heads} H, {tails} T, Beta({a:g}, {b:g}) prior: "
                            f"MLE {f(est['mle'])}, MAP {f(est['map'])}, mean {f(est['mean'])}")
        return est

    @staticmethod
    def random_state(rng) -> dict:
        return {"heads": int(rng.integers(0, 31)), "tails": int(rng.integers(0, 31)),
                "a": float(rng.integers(1, 11)), "b": float(rng.integers(1, 11))}
