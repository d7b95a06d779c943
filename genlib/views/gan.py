"""Lecture 06's live GAN trainer (:func:`trainer`: controls, status line, divergence in the
widget) and its view (:class:`GANView`), which redraws from the GAN's current state by
changing artists only (set_offsets, set_data, set_UVC). The model, :mod:`genlib.gan`,
knows nothing of widgets.
"""
from __future__ import annotations

import math

import numpy as np

from ..widgets import Live


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def _downsample(x, y, most=400):
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) <= most:
        return x, y
    k = int(math.ceil(len(x) / most))
    m = len(x) // k * k
    return x[:m].reshape(-1, k).mean(1), y[:m].reshape(-1, k).mean(1)


class GANView:
    """Left: real points, generated points, the discriminator/critic as a heatmap and the
    generator's gradient arrows. Middle: both losses. Right: modes captured and the
    share of high-quality samples."""

    def __init__(self, gan, n_show: int = 512, res: int = 48, n_arrows: int = 64, lim=None):
        from ..plots import figure, P_COLOR, Q_COLOR, COLORS

        self.gan, self.n_show, self.res, self.n_arrows = gan, n_show, res, n_arrows
        if lim is None:
            lim = 1.35 * gan.scale + 3 * (gan.std or 0)
        self.lim = float(lim)
        self.fig, (self.ax, self.ax_loss, self.ax_cov) = figure(ncols=3, width=2.9, height=2.8)
        g = np.linspace(-self.lim, self.lim, res)
        xx, yy = np.meshgrid(g, g)
        self.grid_points = np.stack([xx.ravel(), yy.ravel()], 1).astype(np.float32)
        self.image = self.ax.imshow(np.zeros((res, res)), origin="lower", cmap="RdBu_r", alpha=0.55,
                                    extent=(-self.lim, self.lim, -self.lim, self.lim), vmin=0, vmax=1,
                                    interpolation="bilinear")
        real = gan.real(n_show)
        self.real = self.ax.scatter(real[:, 0], real[:, 1], s=4, color=P_COLOR, label="real")
        self.fake = self.ax.scatter(np.zeros(n_show), np.zeros(n_show), s=4, color=Q_COLOR, label="G(z)")
        self.arrows = self.ax.quiver(np.zeros(n_arrows), np.zeros(n_arrows), np.zeros(n_arrows),
                                     np.zeros(n_arrows), color="k", angles="xy", scale_units="xy",
                                     scale=1.0, width=0.006)
        self.ax.set_xlim(-self.lim, self.lim)
        self.ax.set_ylim(-self.lim, self.lim)
        self.ax.set_aspect("equal")
        self.ax.set_xticks([])
        self.ax.set_yticks([])
        self.ax.grid(False)
        self.title = self.ax.set_title("", fontsize=9)
        # titles name the colours: legends cost more to draw than everything else in a panel
        self.line_d, = self.ax_loss.plot([], [], color=COLORS[0])
        self.line_g, = self.ax_loss.plot([], [], color=COLORS[1])
        self.ax_loss.set_title("loss of D (blue) and G (red)", fontsize=9)
        self.n_modes = len(gan.modes) if gan.modes is not None else 1
        self.line_modes, = self.ax_cov.plot([], [], "o-", ms=3, color=COLORS[2])
        self.line_hq, = self.ax_cov.plot([], [], "s-", ms=3, color=COLORS[3])
        self.ax_cov.set_ylim(-0.03, 1.03)
        self.ax_cov.set_title(f"modes / {self.n_modes} (green), HQ share (orange)", fontsize=9)
        from matplotlib.ticker import MaxNLocator

        for ax in (self.ax_loss, self.ax_cov):
            ax.xaxis.set_major_locator(MaxNLocator(3, integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(3))
        # before the first step the curves are empty: say what will appear there
        self.hint_loss = self.ax_loss.text(0.5, 0.5, "no step yet:\npress Play or Step", ha="center", va="center",
                                           transform=self.ax_loss.transAxes, fontsize=9, color="0.35")
        # a diverged run: the reason, in the picture (the curves would only stop)
        self.banner = self.ax.text(0.5, 0.5, "", ha="center", va="center", transform=self.ax.transAxes,
                                   fontsize=9, color="#d62728", wrap=True,
                                   bbox=dict(boxstyle="round", facecolor="white", edgecolor="#d62728", alpha=0.95))
        self.banner.set_visible(False)
        self.update()
        # lay the figure out once (constrained layout), then drop the layout engine: the axes keep
        # their places and savefig skips the extra layout pass it makes whenever an engine is set
        from ..plots import png_bytes

        png_bytes(self.fig)
        self.fig.set_layout_engine(None)

    def update(self, **_ignored):
        from ..runtime import one_thread

        with one_thread(self.gan.device):
            self._update()

    def show_error(self, message: str):
        """Show why training stopped ('diverged: ...') over the samples, and in the title."""
        why = message.removeprefix("Training diverged: ").split(";")[0].split(" (")[0]
        why = why if len(why) <= 110 else why[:107] + "..."
        self.banner.set_text("diverged:\n" + "\n".join(_wrap(why, 30)) + "\nlower the learning rate, then Reset")
        self.banner.set_visible(True)
        self.title.set_text(f"{self.gan.loss}, step {self.gan.steps}: diverged\n(the status line says why)")

    def _update(self):
        gan = self.gan
        bad = gan.diverged
        if not bad:  # a diverged GAN's networks may hold NaN: leave its last picture of them
            fake = gan.sample(self.n_show)
            self.fake.set_offsets(fake)
            values = gan.critic_on(self.grid_points).reshape(self.res, self.res)
            self.image.set_data(values)
            if gan.loss.startswith("wgan"):
                lo, hi = float(values.min()), float(values.max())
                self.image.set_clim(lo, hi if hi > lo else lo + 1e-6)
            else:
                self.image.set_clim(0, 1)
            pts = fake[: self.n_arrows]
            g = gan.gradient_on(pts)
            norm = np.linalg.norm(g, axis=1).max()
            g = g * (0.15 * self.lim / norm) if norm > 0 else g  # the longest arrow is 15 % of the half-width
            self.arrows.set_offsets(pts)
            self.arrows.set_UVC(g[:, 0], g[:, 1])
        h = gan.history
        for line, key in ((self.line_d, "loss_d"), (self.line_g, "loss_g")):
            line.set_data(*_downsample(h["step"], h[key]))
        self.line_modes.set_data(h["eval_step"], np.asarray(h["modes"], float) / self.n_modes)
        self.line_hq.set_data(h["eval_step"], h["hq"])
        self.hint_loss.set_visible(not h["step"])
        if h["step"]:
            for ax in (self.ax_loss, self.ax_cov):
                ax.set_autoscalex_on(True)
                ax.relim()
                ax.autoscale_view(scalex=True, scaley=(ax is self.ax_loss))
            self.ax_cov.set_xlim(self.ax_loss.get_xlim())  # one step axis for both panels
        else:  # before the first step: a step axis that starts at 0, a loss axis around log 2
            for ax in (self.ax_loss, self.ax_cov):
                ax.set_xlim(-5, 100)
            self.ax_loss.set_ylim(-0.1, 1.5)
        cov = (f", {h['modes'][-1]} mode{'' if h['modes'][-1] == 1 else 's'}, {100 * h['hq'][-1]:.0f}% HQ"
               if h["modes"] else "")
        self.title.set_text(f"{gan.loss}, step {gan.steps}{cov}\nblue data, red G(z), arrows: G's push")
        if bad:
            self.show_error(bad)
        else:
            self.banner.set_visible(False)

    @staticmethod
    def random_state(rng) -> dict:
        """The view draws the GAN's current state; it takes no state of its own."""
        return {}

    @classmethod
    def bench_instance(cls):
        """A view of a grid GAN after a few steps (for benchmarks/widgets.py)."""
        from ..gan import ToyGAN

        g = ToyGAN("grid", seed=0)
        g.step(20)
        g.coverage(1000)
        return cls(g)


LR_CHOICES = tuple(float(f"{m}e{e}") for e in range(-5, 0) for m in (1, 2, 5)) + (0.1,)


def lr_label(v: float) -> str:
    """``2e-3`` -> ``'2.0e-3'`` (what a learning-rate slider shows)."""
    mantissa, exponent = f"{v:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def lr_slider(value: float, description: str, style=None):
    """A slider over learning rates 1e-5 ... 0.1 (1, 2, 5 per decade) that holds ``value`` exactly.

    A log slider (``FloatLogSlider``) snaps to its grid: 2e-3 would become 10^-2.75 = 1.78e-3,
    and the optimiser would train at a rate the lecture never chose. Here the value the code
    asked for is one of the stops, so the optimiser uses exactly the rate the readout shows.
    """
    import ipywidgets as W

    value = float(value)
    choices = sorted(set(LR_CHOICES) | {value})
    return W.SelectionSlider(options=[(lr_label(v), v) for v in choices], value=value, description=description,
                             continuous_update=False, style=style or {})


def collapsed_to_a_point(gan, share: float = 0.1) -> None:
    """Raise ``genlib.train.Diverged`` when the generator sends every z to one point.

    Far too high a learning rate does not always end in NaN: with the ``wgan`` loss at
    lr 0.1 the clipped critic goes flat, its loss sits at 0 and the generator shrinks to a
    single point, so the curves only flatten. A generator whose samples spread less than
    ``share`` of one mode's standard deviation has stopped being a distribution; say so.
    """
    x = gan.sample(256, ema=False)
    tiny = share * gan.std if gan.std else 1e-3 * gan.scale
    if np.all(np.isfinite(x)) and float(x.std(0).max()) < tiny:
        raise gan.diverge(f"the generator collapsed to a single point at step {gan.steps} (its samples spread less "
                          f"than {tiny:.2g}) and the losses went flat")


def status_line(gan, steps_per_s: float | None = None) -> str:
    """``step 1,240 · 610 steps/s · 25/25 modes · 41% HQ`` (modes and HQ share of the last evaluation)."""
    parts = [f"step {gan.steps:,}"]
    if steps_per_s:
        parts.append(f"{steps_per_s:,.0f} steps/s")
    h = gan.history
    if h["modes"]:
        parts.append(f"{h['modes'][-1]}/{len(gan.modes)} modes")
        parts.append(f"{100 * h['hq'][-1]:.0f}% HQ")
    return " \u00b7 ".join(parts)


class Trainer(Live):
    """:class:`genlib.widgets.Live` over a :class:`genlib.gan.ToyGAN`, which it names ``gan``; its
    status line is :func:`status_line`. What it asks of the GAN is public: ``steps``, ``history``,
    ``diverged`` (why it stopped) and ``hint()``."""

    def __init__(self, gan, view, step, **kw):
        self.gan = gan
        super().__init__(view, step, status=lambda live: status_line(gan, live.steps_per_s), **kw)


def trainer(gan: ToyGAN | None = None, steps_per_tick: int = 20, headless_steps: int = 300,
            eval_n: int = 1000, interval_ms: int = 100, **kw):
    """The live trainer: Play / Pause / Step, and controls for the loss, the learning
    rates and the number of critic steps, which take effect while it runs.

    ``kw`` builds a :class:`genlib.gan.ToyGAN` when none is given. Headless (papermill, nbval,
    scripts) it trains ``headless_steps`` steps and renders the final state once.
    """
    import ipywidgets as W

    from ..gan import LOSSES, ToyGAN

    from ..runtime import headless

    gan = ToyGAN(**kw) if gan is None else gan

    def step(n):
        gan.step(n)
        if gan.modes is not None:
            gan.coverage(eval_n)
        collapsed_to_a_point(gan)

    if headless() and headless_steps:  # as Play would: a tick at a time, so the curves have points
        done = 0
        try:
            while done < headless_steps:
                n = min(steps_per_tick, headless_steps - done)
                step(n)
                done += n
        except FloatingPointError:  # gan.diverged says why; the widget shows it
            pass
    elif gan.modes is not None and not gan.history["modes"]:
        gan.coverage(eval_n)
    view = GANView(gan)
    style = {"description_width": "initial"}
    controls = {
        "loss": W.Dropdown(options=list(LOSSES), value=gan.loss, description="loss"),
        "lr_g": lr_slider(gan.lr_g, "lr G", style),
        "lr_d": lr_slider(gan.lr_d, "lr D", style),
        "n_critic": W.IntSlider(value=gan.n_critic, min=1, max=10, description="D steps", style=style),
    }

    def on_control(name, value):
        gan.set(**{name: value})

    def reset():
        gan.reset()
        if gan.modes is not None:
            gan.coverage(eval_n)

    live = Trainer(gan, view, step, steps_per_tick=steps_per_tick, interval_ms=interval_ms, controls=controls,
                   on_control=on_control, title=f"GAN trainer ({gan.name})", reset=reset)
    if gan.diverged:
        live.fail(gan.diverged)
    return live
