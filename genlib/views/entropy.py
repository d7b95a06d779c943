"""Views for lecture 01 (entropy)."""
from __future__ import annotations

import numpy as np

from .. import info
from ..plots import figure, P_COLOR, Q_COLOR


class CoinEntropy:
    """Left: the coin's two probabilities. Right: the binary entropy curve with the current p marked."""

    def __init__(self, base: float = 2):
        self.base = base
        self.fig, (self.ax_bar, self.ax_curve) = figure(ncols=2, width=3.6, height=2.8)
        self.bars = self.ax_bar.bar(["heads", "tails"], [0.5, 0.5], color=[P_COLOR, Q_COLOR])
        self.ax_bar.set_ylim(0, 1)
        self.ax_bar.set_title("p(x)")
        grid = np.linspace(0, 1, 201)
        curve = info.entropy(np.stack([grid, 1 - grid], -1), base=base)
        self.ax_curve.plot(grid, curve, color="0.4")
        self.marker, = self.ax_curve.plot([0.5], [1.0], "o", color=Q_COLOR, ms=8)
        self.ax_curve.set_xlabel("p(heads)")
        self.ax_curve.set_ylabel("H(p) [bits]" if base == 2 else "H(p)")
        self.title = self.ax_curve.set_title("")
        self.update(p=0.5)

    def update(self, p: float):
        h = float(info.entropy([p, 1 - p], base=self.base))
        self.bars[0].set_height(p)
        self.bars[1].set_height(1 - p)
        self.marker.set_data([p], [h])
        self.title.set_text(f"H = {h:.3f} bits")
        return h
