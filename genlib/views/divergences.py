"""Views for lecture 02 (KL and JS divergences).

* :class:`ModeFits` - a bimodal target p and two single-Gaussian fits q, one
  minimising the forward KL(p || q) (mass-covering), one the reverse KL(q || p)
  (mode-seeking). Every ``update`` moves the target and lets both fits take a
  few dozen Adam steps from where they were (warm start), so they re-converge
  in front of the student.
* :class:`SlidingApart` - p and a copy q slid to the right: KL, JS, TV and W1
  as the supports separate (KL -> inf, JS -> log 2, TV -> 1, W1 keeps growing).

Everything is discretised on a fixed grid: a density becomes the probability of
each grid cell (``log_softmax`` of the log-density), so the divergences are
exact sums over the grid. The fits use closed-form gradients in NumPy (fast and
thread-free); the tests check them against torch autograd.
"""
from __future__ import annotations

import math

import numpy as np

from .. import info
from ..plots import figure, freeze_layout, P_COLOR, Q_COLOR, M_COLOR, COLORS

LOG2 = math.log(2)


# ----------------------------------------------------------------------------- grid helpers
def log_softmax(a):
    a = np.asarray(a, dtype=float)
    m = a.max(-1, keepdims=True)
    return a - m - np.log(np.exp(a - m).sum(-1, keepdims=True))


def grid_log_mixture(x, means, stds, weights):
    """Log-probabilities of each grid cell under a Gaussian mixture (sums to 1 on the grid)."""
    x = np.asarray(x, dtype=float)
    means, stds, weights = (np.asarray(v, dtype=float) for v in (means, stds, weights))
    if np.any(stds <= 0):
        raise ValueError("mixture stds must be > 0")
    if np.any(weights < 0) or not np.isclose(weights.sum(), 1):
        raise ValueError("mixture weights must be >= 0 and sum to 1")
    with np.errstate(divide="ignore"):
        logw = np.log(weights)
    comp = logw[:, None] - 0.5 * ((x[None, :] - means[:, None]) / stds[:, None]) ** 2 - np.log(stds)[:, None]
    m = comp.max(0)
    return log_softmax(m + np.log(np.exp(comp - m).sum(0)))


def grid_log_gauss(x, mu, log_sigma):
    """Log-probabilities of each grid cell under N(mu, exp(log_sigma)^2)."""
    x = np.asarray(x, dtype=float)
    return log_softmax(-0.5 * (x - mu) ** 2 * math.exp(-2 * log_sigma))


def kl_grid(log_a, log_b):
    """KL(a || b) = sum a (log a - log b) for grid log-probabilities."""
    a = np.exp(log_a)
    return float(np.sum(a * (log_a - log_b)))


def kl_and_grad(x, log_p, mu, log_sigma, direction):
    """KL between the grid target p and q = N(mu, sigma^2) on the grid, with its gradient.

    ``direction`` is ``"forward"`` for KL(p || q) or ``"reverse"`` for KL(q || p).
    Returns ``(kl, d_kl/d_mu, d_kl/d_log_sigma)``.

    With l_i = -(x_i - mu)^2 / (2 sigma^2) and log q_i = l_i - logsumexp(l):
    forward: dKL = -sum_i (p_i - q_i) dl_i; reverse: dKL = sum_i q_i (log q_i - log p_i - KL) dl_i.
    """
    z = np.asarray(x, dtype=float) - mu
    inv_var = math.exp(-2 * log_sigma)
    log_q = log_softmax(-0.5 * z * z * inv_var)
    q = np.exp(log_q)
    dl_mu = z * inv_var
    dl_ls = z * z * inv_var
    if direction == "forward":
        p = np.exp(log_p)
        val = float(np.sum(p * (log_p - log_q)))
        r = q - p
    elif direction == "reverse":
        diff = log_q - log_p
        val = float(np.sum(q * diff))
        r = q * (diff - val)
    else:
        raise ValueError(f"direction must be 'forward' or 'reverse'; got {direction!r}")
    return val, float(np.sum(r * dl_mu)), float(np.sum(r * dl_ls))


class _Adam:
    """Adam on a small parameter vector (kept between updates: the warm start)."""

    def __init__(self, theta, lr=0.1, betas=(0.9, 0.999), eps=1e-8):
        self.theta = np.array(theta, dtype=float)
        self.lr, self.b1, self.b2, self.eps = lr, betas[0], betas[1], eps
        self.m = np.zeros_like(self.theta)
        self.v = np.zeros_like(self.theta)
        self.t = 0

    def step(self, grad):
        self.t += 1
        g = np.asarray(grad, dtype=float)
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g * g
        mh = self.m / (1 - self.b1 ** self.t)
        vh = self.v / (1 - self.b2 ** self.t)
        self.theta = self.theta - self.lr * mh / (np.sqrt(vh) + self.eps)


# ----------------------------------------------------------------------------- forward vs reverse KL
class ModeFits:
    """Left: the forward-KL fit; right: the reverse-KL fit, of one Gaussian to a two-mode p.

    ``update(center, separation, weight)`` places the modes at
    ``center -/+ separation / 2`` with weights ``weight`` and ``1 - weight``
    (stds ``stds``), then runs ``steps`` Adam steps on each fit from its
    previous parameters (``warmup`` steps when the view is built). ``fits`` holds ``{"forward": (mu, sigma), "reverse": (mu, sigma)}``.
    """

    directions = ("forward", "reverse")

    def __init__(self, stds=(0.6, 0.75), steps: int = 80, lr: float = 0.1,
                 x=None, init=((0.0, 0.0), (0.5, 0.0)), warmup: int = 400):
        self.stds = tuple(float(s) for s in stds)
        self.steps = int(steps)
        self.x = np.linspace(-12, 12, 961) if x is None else np.asarray(x, dtype=float)
        self.opt = {d: _Adam(th, lr=lr) for d, th in zip(self.directions, init)}
        self.fig, axes = figure(ncols=2, width=3.8, height=2.8, sharey=True)
        self.axes = dict(zip(self.directions, axes))
        self.p_lines, self.q_lines, self.titles = {}, {}, {}
        view = np.flatnonzero((self.x > -7) & (self.x < 7))[::2]   # what is drawn: every other cell in view
        self._view = view
        for d, ax in self.axes.items():
            self.p_lines[d], = ax.plot(self.x[view], np.zeros(len(view)), color=P_COLOR, lw=2, label="p (target)")
            self.q_lines[d], = ax.plot(self.x[view], np.zeros(len(view)), color=Q_COLOR, lw=2, label="q (fit)")
            self.titles[d] = ax.set_title("")
            ax.set_xlim(-7, 7)
            ax.set_ylim(0, 0.8)
            ax.set_xlabel("x")
        self.axes["forward"].set_ylabel("density")
        self.axes["forward"].legend(loc="upper left")
        self.fits: dict = {}
        self.update(steps=warmup)
        freeze_layout(self.fig, nbins=4)
        self.dynamic = [*self.p_lines.values(), *self.q_lines.values(), *self.titles.values()]  # what update() changes (genlib.plots.Renderer)

    def target(self, center=0.0, separation=5.0, weight=0.4):
        means = (center - separation / 2, center + separation / 2)
        return means, self.stds, (weight, 1 - weight)

    def run(self, log_p, steps):
        for d, opt in self.opt.items():
            for _ in range(steps):
                _, gm, gs = kl_and_grad(self.x, log_p, opt.theta[0], opt.theta[1], d)
                opt.step((gm, gs))
            # keep sigma inside a sane range (the grid resolves 0.05 .. 5)
            opt.theta[1] = float(np.clip(opt.theta[1], math.log(0.05), math.log(5.0)))

    def update(self, center: float = 0.0, separation: float = 5.0, weight: float = 0.4, steps=None):
        means, stds, weights = self.target(center, separation, weight)
        log_p = grid_log_mixture(self.x, means, stds, weights)
        self.log_p = log_p
        self.run(log_p, self.steps if steps is None else int(steps))
        dx = self.x[1] - self.x[0]
        dens_p = np.exp(log_p) / dx
        out = {}
        for d, opt in self.opt.items():
            mu, ls = opt.theta
            log_q = grid_log_gauss(self.x, mu, ls)
            fwd, rev = kl_grid(log_p, log_q), kl_grid(log_q, log_p)
            out[d] = (float(mu), float(math.exp(ls)))
            self.p_lines[d].set_ydata(dens_p[self._view])
            self.q_lines[d].set_ydata(np.exp(log_q[self._view]) / dx)
            which = "KL(p||q)" if d == "forward" else "KL(q||p)"
            val = fwd if d == "forward" else rev
            self.titles[d].set_text(f"{d} fit: {which} = {val:.2f}\nmu = {mu:.2f}, sigma = {math.exp(ls):.2f}")
        self.fits = out
        return out

    @staticmethod
    def random_state(rng) -> dict:
        return {"center": float(rng.uniform(-2, 2)), "separation": float(rng.uniform(0, 6)),
                "weight": float(rng.uniform(0.1, 0.9))}


# ----------------------------------------------------------------------------- sliding apart
def bump(x, shape):
    """Unnormalised shapes of half-width ~1: ``"bump"`` has compact support [-1, 1]
    (raised cosine), ``"gaussian"`` is N(0, 0.5^2) and is positive everywhere."""
    x = np.asarray(x, dtype=float)
    if shape == "bump":
        return np.where(np.abs(x) < 1, 0.5 * (1 + np.cos(np.pi * np.clip(x, -1, 1))), 0.0)
    if shape == "gaussian":
        return np.exp(-0.5 * (x / 0.5) ** 2)
    raise ValueError(f"shape must be 'bump' or 'gaussian'; got {shape!r}")


def divergences(x, p, q):
    """KL(p||q), JS, TV and W1 of two distributions on the grid ``x`` (genlib references)."""
    return {"KL": float(info.kl(p, q)), "JS": float(info.js(p, q)), "TV": float(info.tv(p, q)),
            "W1": float(info.w1_discrete(x, p, q))}


class SlidingApart:
    """Top: p and q = p shifted by ``shift``. Bottom: JS and TV (left), KL and W1 (right)
    against the shift, the current shift marked.

    ``update(shift, shape)`` with ``shape`` in ``("bump", "gaussian")``; the shift is
    rounded to the grid step ``dx`` so q is an exact copy of p.
    """

    shapes = ("bump", "gaussian")

    def __init__(self, max_shift: float = 6.0, dx: float = 0.05, kl_cap: float = 20.0):
        self.dx, self.max_shift, self.kl_cap = dx, max_shift, kl_cap
        n = int(round((max_shift + 6) / dx))
        self.x = -3 + dx * np.arange(n + 1)
        self.shifts = dx * np.arange(int(round(max_shift / dx)) + 1)
        self.curves = {s: self._curves(s) for s in self.shapes}
        self.fig = figure(ncols=1, width=7.6, height=5.0)[0]
        self.fig.clf()
        gs = self.fig.add_gridspec(2, 2)
        self.ax_d = self.fig.add_subplot(gs[0, :])
        self.ax_b = self.fig.add_subplot(gs[1, 0])
        self.ax_w = self.fig.add_subplot(gs[1, 1])
        z = np.zeros_like(self.x)
        self.p_line, = self.ax_d.plot(self.x, z, color=P_COLOR, lw=2, label="p")
        self.q_line, = self.ax_d.plot(self.x, z, color=Q_COLOR, lw=2, label="q = p shifted")
        self.ax_d.set_xlim(self.x[0], self.x[-1])
        self.ax_d.set_ylim(0, 1.1)
        self.ax_d.set_ylabel("density")
        self.ax_d.legend(loc="upper right")
        self.title = self.ax_d.set_title("")
        self.lines, self.marks = {}, {}
        for ax, names in ((self.ax_b, ("JS", "TV")), (self.ax_w, ("KL", "W1"))):
            for name in names:
                color = {"JS": COLORS[2], "TV": COLORS[3], "KL": COLORS[4], "W1": COLORS[5]}[name]
                self.lines[name], = ax.plot(self.shifts, np.zeros_like(self.shifts), color=color, lw=2, label=name)
                self.marks[name], = ax.plot([0], [0], "o", color=color, ms=7)
            ax.set_xlabel("shift")
        # Off the curves for both shapes: JS and TV sit near their ceilings once the shift passes 3,
        # W1 stays in the lower third and KL is above the top (capped) by then.
        self.ax_b.legend(loc="lower right")
        self.ax_w.legend(loc="center right")
        self.ax_b.axhline(LOG2, color=M_COLOR, ls="--", lw=1)
        self.ax_b.axhline(1.0, color=M_COLOR, ls=":", lw=1)
        self.ax_b.text(self.max_shift, LOG2, "log 2", ha="right", va="bottom", color=M_COLOR)
        self.ax_b.set_ylim(0, 1.1)
        self.ax_w.set_ylim(0, kl_cap)
        self.ax_w.set_title(f"KL drawn at the top when infinite (cap {kl_cap:g})", fontsize=10)
        self.shape = None
        self.values: dict = {}
        self.update()
        freeze_layout(self.fig, nbins=4)
        self.dynamic = [self.p_line, self.q_line, *self.lines.values(), *self.marks.values(), self.title]  # what update() changes (genlib.plots.Renderer)

    def pair(self, shift: float, shape: str):
        k = int(round(shift / self.dx))
        if not 0 <= k <= len(self.shifts) - 1:
            raise ValueError(f"shift must lie in [0, {self.max_shift}]; got {shift!r}")
        f = bump(self.x, shape)
        p = f / f.sum()
        g = bump(self.x - k * self.dx, shape)
        q = g / g.sum()
        return p, q, k * self.dx

    def _curves(self, shape):
        vals = {k: [] for k in ("KL", "JS", "TV", "W1")}
        for s in self.shifts:
            p, q, _ = self.pair(s, shape)
            for k, v in divergences(self.x, p, q).items():
                vals[k].append(v)
        return {k: np.array(v) for k, v in vals.items()}

    def update(self, shift: float = 1.0, shape: str = "bump"):
        p, q, s = self.pair(shift, shape)
        vals = divergences(self.x, p, q)
        self.p_line.set_ydata(p / self.dx)
        self.q_line.set_ydata(q / self.dx)
        if shape != self.shape:
            for name, line in self.lines.items():
                line.set_ydata(np.minimum(self.curves[shape][name], self.kl_cap * 1.5))
            self.shape = shape
        for name, m in self.marks.items():
            m.set_data([s], [min(vals[name], self.kl_cap * 0.98)])
        kl_txt = "inf" if math.isinf(vals["KL"]) else f"{vals['KL']:.2f}"
        self.title.set_text(f"shift {s:.2f}:  KL = {kl_txt},  JS = {vals['JS']:.3f} (log 2 = {LOG2:.3f}),  "
                            f"TV = {vals['TV']:.3f},  W1 = {vals['W1']:.2f}")
        self.values = vals
        return vals

    @staticmethod
    def random_state(rng) -> dict:
        return {"shift": float(np.round(rng.uniform(0, 6), 2)), "shape": str(rng.choice(SlidingApart.shapes))}
