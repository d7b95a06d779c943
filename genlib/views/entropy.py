"""Views for lecture 01 (entropy).

* :class:`CoinEntropy` - a coin's two probabilities and the binary entropy curve;
* :class:`CategoricalEntropy` - K weights, normalised into a distribution, its
  bars with the information content of each outcome, and H(p) against log K;
* :class:`CrossEntropyCoin` - the cost H(p, q) of coding a p-coin with a q-code,
  as a curve over q, with the entropy floor H(p) and the gap KL(p || q).

Every ``update`` only changes artists and returns the number it shows, so tests
can compare it (and what is drawn) with an oracle.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import info
from ..plots import figure, freeze_layout, COLORS, M_COLOR, P_COLOR, Q_COLOR


def _freeze(fig, *axes, nticks: int = 4):
    """Few ticks, then lay the figure out once and keep that layout.

    Text (tick labels) dominates a redraw, and constrained layout re-measures
    every text on every draw; freezing it halves the render time.
    """
    for ax in axes:
        ax.yaxis.set_major_locator(MaxNLocator(nticks))
    freeze_layout(fig)


def _unit(base):
    return "bits" if base == 2 else ("nats" if base is None else f"log-{base} units")


class CoinEntropy:
    """Left: the coin's two probabilities. Right: the binary entropy curve with the current p marked."""

    def __init__(self, base: float = 2):
        self.base = base
        self.fig, (self.ax_bar, self.ax_curve) = figure(ncols=2, width=3.6, height=2.8)
        self.bars = self.ax_bar.bar(["heads", "tails"], [0.5, 0.5], color=[P_COLOR, Q_COLOR],
                                    zorder=1.6)  # above the axis (1.5): ticks stay in the blit's background
        self.ax_bar.set_ylim(0, 1)
        self.ax_bar.set_title("p(x)")
        grid = np.linspace(0, 1, 201)
        curve = info.entropy(np.stack([grid, 1 - grid], -1), base=base)
        self.curve, = self.ax_curve.plot(grid, curve, color="0.4")
        self.marker, = self.ax_curve.plot([0.5], [1.0], "o", color=Q_COLOR, ms=8)
        self.ax_curve.set_xlabel("p(heads)")
        self.ax_curve.set_ylabel(f"H(p) [{_unit(base)}]")
        self.ax_curve.set_ylim(0, float(curve.max()) * 1.15)
        self.title = self.ax_curve.set_title("")
        self.ax_curve.set_xticks([0, 0.5, 1])
        self.ax_bar.set_yticks([0, 0.5, 1])
        self.ax_bar.grid(False)
        self.update(p=0.5)
        _freeze(self.fig, self.ax_curve)
        self.dynamic = [*self.bars, self.marker, self.title]  # what update() changes (genlib.plots.Renderer)

    def update(self, p: float):
        h = float(info.entropy([p, 1 - p], base=self.base))
        self.bars[0].set_height(p)
        self.bars[1].set_height(1 - p)
        self.marker.set_data([p], [h])
        self.title.set_text(f"H = {h:.3f} {_unit(self.base)}")
        return h

    @staticmethod
    def random_state(rng) -> dict:
        return {"p": float(rng.uniform(0, 1))}


class CategoricalEntropy:
    """K outcomes: weights -> p = w / sum(w). Left: bars of p(x) labelled with -log p(x).
    Right: H(p) as a bar against its ceiling log K (the uniform distribution)."""

    def __init__(self, k: int = 4, base: float = 2, labels=None):
        if k < 2:
            raise ValueError("k must be at least 2")
        self.k, self.base = k, base
        self.names = [f"w{i}" for i in range(k)]
        self.labels = list(labels) if labels is not None else [chr(ord("A") + i) for i in range(k)]
        self.h_max = math.log(k) / (math.log(base) if base else 1.0)
        self.fig, (self.ax_bar, self.ax_h) = figure(ncols=2, width=3.6, height=2.8,
                                                    gridspec_kw={"width_ratios": [3, 1]})
        self.bars = self.ax_bar.bar(self.labels, np.full(k, 1 / k), color=COLORS[:k] if k <= len(COLORS) else P_COLOR,
                                    zorder=1.6)  # above the axis (1.5): ticks stay in the blit's background
        self.uniform_line = self.ax_bar.axhline(1 / k, color=M_COLOR, ls="--", lw=1, label="uniform 1/K")
        self.texts = [self.ax_bar.text(i, 0, "", ha="center", va="bottom") for i in range(k)]
        self.ax_bar.set_ylim(0, 1.35)   # room above a bar of height 1 and its label for the legend
        self.ax_bar.set_title("p(x); on each bar its surprise " + ("-log2 p(x)" if base == 2 else "-log p(x)"))
        self.ax_bar.legend(loc="upper right")
        self.h_bar = self.ax_h.bar([0], [self.h_max], color=P_COLOR, width=0.6, zorder=1.6)[0]
        self.max_line = self.ax_h.axhline(self.h_max, color=Q_COLOR, ls="--", lw=1.5)
        self.ax_h.text(0, self.h_max * 1.03, f"log K = {self.h_max:.3g}", ha="center", va="bottom",
                       color=Q_COLOR)
        self.ax_h.set_xlim(-0.6, 0.6)
        self.ax_h.set_xticks([])
        self.ax_h.set_ylim(0, self.h_max * 1.25)
        self.ax_h.set_ylabel(f"H(p) [{_unit(base)}]")
        self.title = self.ax_h.set_title("")
        self.p = np.full(k, 1 / k)
        self.ax_bar.grid(False)
        self.ax_h.grid(False)
        self.update(**{n: 1.0 for n in self.names})
        _freeze(self.fig, self.ax_bar, self.ax_h)
        self.dynamic = [*self.bars, *self.texts, self.h_bar, self.title]  # what update() changes (genlib.plots.Renderer)

    def normalise(self, weights) -> np.ndarray:
        """Weights (>= 0) to a distribution; all zero falls back to uniform."""
        w = np.clip(np.asarray(weights, dtype=float), 0, None)
        total = w.sum()
        return w / total if total > 0 else np.full(self.k, 1 / self.k)

    def update(self, **weights):
        missing = [n for n in self.names if n not in weights]
        if missing:
            raise TypeError(f"update needs the weights {', '.join(self.names)}; missing {', '.join(missing)}")
        p = self.normalise([weights[n] for n in self.names])
        h = float(info.entropy(p, base=self.base))
        self.p = p
        surprise = info.information(p, base=self.base)
        for bar, text, pi, si in zip(self.bars, self.texts, p, surprise):
            bar.set_height(pi)
            text.set_y(pi + 0.01)
            text.set_text("inf" if not np.isfinite(si) else f"{si + 0.0:.2f}")  # + 0.0: no "-0.00" for p = 1
        self.h_bar.set_height(h)
        self.title.set_text(f"H = {h:.3f}\n{100 * h / self.h_max:.0f}% of max")
        return h

    @staticmethod
    def random_state(rng, k: int = 4) -> dict:
        w = rng.uniform(0, 1, k)
        w[rng.uniform(size=k) < 0.2] = 0.0
        return {f"w{i}": float(v) for i, v in enumerate(w)}


class CrossEntropyCoin:
    """A coin with true p(heads) = p coded with a code built for q(heads) = q.

    The curve is H(p, q) over q; the dashed floor is H(p), reached only at q = p;
    the red segment at the current q is the excess KL(p || q) = H(p, q) - H(p).
    """

    def __init__(self, base: float = 2, q_min: float = 0.005):
        self.base = base
        self.grid = np.linspace(q_min, 1 - q_min, 300)
        self.fig, self.ax = figure(width=5.0, height=3.0)
        self.curve, = self.ax.plot(self.grid, np.zeros_like(self.grid), color=P_COLOR, label="H(p, q)")
        self.floor = self.ax.axhline(0, color=M_COLOR, ls="--", lw=1, label="H(p)")
        self.gap, = self.ax.plot([0.5, 0.5], [0, 0], color=Q_COLOR, lw=3, label="KL(p||q)")
        self.marker, = self.ax.plot([0.5], [0], "o", color=Q_COLOR, ms=7)
        self.ax.set_xlabel("q(heads): the coin the code was built for")
        self.ax.set_ylabel(f"[{_unit(base)}]")
        self.ax.set_xlim(0, 1)
        self.ax.set_ylim(0, 4 if base == 2 else 4 * math.log(2))
        self.ax.legend(loc="upper center", ncol=3)
        self.title = self.ax.set_title("")
        self.ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
        self.update(p=0.5, q=0.5)
        _freeze(self.fig, self.ax, nticks=4)
        self.dynamic = [self.curve, self.floor, self.gap, self.marker, self.title]  # what update() changes (genlib.plots.Renderer)

    def update(self, p: float, q: float):
        p_ = np.array([p, 1 - p])
        qs = np.stack([self.grid, 1 - self.grid], -1)
        self.curve.set_ydata(info.cross_entropy(np.broadcast_to(p_, qs.shape), qs, base=self.base))
        h = float(info.entropy(p_, base=self.base))
        ce = float(info.cross_entropy(p_, [q, 1 - q], base=self.base))
        self.floor.set_ydata([h, h])
        top = min(ce, self.ax.get_ylim()[1])
        self.gap.set_data([q, q], [h, top])
        self.marker.set_data([q], [top])
        gap = ce - h
        self.title.set_text(f"H(p) = {h:.3f}, H(p, q) = {ce:.3f}, KL = {gap:.3f} {_unit(self.base)}")
        return ce

    @staticmethod
    def random_state(rng) -> dict:
        return {"p": float(rng.uniform(0, 1)), "q": float(rng.uniform(0.01, 0.99))}
