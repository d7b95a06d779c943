"""Widgets: a pure render step plus a thin ipywidgets layer.

A *view* is any object with a matplotlib ``fig`` and an ``update(**state)``
method that changes the figure's artists (no figure is rebuilt); a view that
lists those artists in ``dynamic`` is redrawn by blitting only them
(:class:`genlib.plots.Renderer`). Tests drive
``update`` directly and inspect the artists; the browser sees the figure as an
``ipywidgets.Image`` whose PNG is refreshed after every change.

The figure is rendered at ``plots.RATIO`` device pixels per CSS pixel and the
image is fixed to the figure's CSS size (``plots.DPI`` pixels per inch, the scale
of static figures): sharp on high-DPI screens, never stretched.

Displaying a :class:`Interactive` or :class:`Live` produces one output carrying
three representations: the live widget (JupyterLab, Notebook, Colab), a PNG of
the default state with a caption under it saying the figure is interactive when
run in Jupyter (nbconvert, GitHub, papermill, any headless run; shown at its CSS
size through the output's metadata) and a stable line of text. Nothing ever
blocks: headless, the default state is rendered once. With
``GENLIB_FIGURE_AUDIT=1`` a widget's figure is checked (:func:`genlib.plots.audit`)
when it is displayed.

Works with ipywidgets 7.7 (Colab) and 8.x.
"""
from __future__ import annotations

import base64
import time
from typing import Callable, Mapping

from . import plots
from .plots import Renderer


def _ipywidgets():
    import ipywidgets

    return ipywidgets


def _widget_view(widget) -> dict:
    return {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}


CAPTION = "\u25b6 {title}: interactive when run in Jupyter. This picture shows its default state."


def fit_image(image, fig) -> tuple[int, int]:
    """Fix ``image`` (an ipywidgets Image) to the CSS size of ``fig`` (:func:`genlib.plots.css_size`).

    Left alone, a column of widgets stretches an image to the output area's width
    (a 608 px figure shown at 930 px, blurred). At its own size, a PNG rendered at
    ``plots.RATIO`` pixels per CSS pixel is sharp on a high-DPI screen and the
    figure has the scale of the static ones. In a narrower output area it shrinks
    and keeps its proportions (``object-fit: contain``).
    """
    w, h = plots.css_size(fig)
    image.layout.width, image.layout.height = f"{w}px", f"{h}px"
    image.layout.max_width = "100%"
    try:
        image.layout.object_fit = "contain"
    except Exception:  # pragma: no cover - a Layout without object_fit
        pass
    return w, h


class _Displayable:
    title = "widget"

    def _renderer(self) -> Renderer:
        if getattr(self, "_render", None) is None:
            self._render = Renderer(self.view.fig, getattr(self.view, "dynamic", ()))
        return self._render

    @property
    def caption(self) -> str:
        """The line under the widget's static picture (nbconvert, GitHub, any page without a kernel)."""
        return CAPTION.format(title=self.title)

    def static_png(self) -> tuple[bytes, int, int]:
        """The default state as a PNG with :attr:`caption` under it, and its CSS width and height."""
        fig = self.view.fig
        rgba = plots.with_caption(self._renderer().rgba(), self.caption, fig.dpi)
        scale = plots.DPI / fig.dpi
        return plots.encode_png(rgba, stored=True), int(round(rgba.shape[1] * scale)), int(round(rgba.shape[0] * scale))

    def _repr_mimebundle_(self, include=None, exclude=None):
        if plots.auditing():
            plots.check_legible(self.view.fig, f"widget {self.title!r}", widget=True)
        png, w, h = self.static_png()
        data = {
            "application/vnd.jupyter.widget-view+json": _widget_view(self.box),
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": f"[{self.title}: run the cell in Jupyter to interact; the default state is shown]",
        }
        return data, {"image/png": {"width": w, "height": h}}

    def _refresh(self):
        t0 = time.perf_counter()
        if not getattr(self, "_fitted", False):
            fit_image(self.image, self.view.fig)
            self._fitted = True
        self.image.value = self._renderer().png()
        self.last_redraw_s = time.perf_counter() - t0


def _value_of(w):
    return w.value


class Interactive(_Displayable):
    """Controls that reshape a view: every change calls ``view.update(**state)``.

    ``controls`` maps the keyword names of ``view.update`` to ipywidgets
    controls (sliders, dropdowns, ...).
    """

    def __init__(self, view, controls: Mapping[str, object], title: str = "interactive figure", columns: int = 1):
        w = _ipywidgets()
        self.view, self.controls, self.title = view, dict(controls), title
        self.image = w.Image(format="png")
        self.last_redraw_s = 0.0   # the last draw + PNG
        self.last_change_s = None  # the last control change: update + draw + PNG (benchmarks/browser.py)
        self.last_change_cpu_s = None  # the same in this thread's CPU time (less noisy on a shared machine)
        for c in self.controls.values():
            c.observe(self._changed, names="value")
        boxes = list(self.controls.values())
        if columns > 1:
            rows = [w.HBox(boxes[i:i + columns]) for i in range(0, len(boxes), columns)]
            panel = w.VBox(rows)
        else:
            panel = w.VBox(boxes)
        self.box = w.VBox([panel, self.image])
        self.view.update(**self.state)
        self._refresh()

    @property
    def state(self) -> dict:
        return {k: _value_of(c) for k, c in self.controls.items()}

    def _changed(self, change=None):
        t0, c0 = time.perf_counter(), time.thread_time()
        self.view.update(**self.state)
        self._refresh()
        self.last_change_s = time.perf_counter() - t0
        self.last_change_cpu_s = time.thread_time() - c0

    def set(self, **values):
        """Set control values from code (as a student dragging them would)."""
        for k, v in values.items():
            self.controls[k].value = v


class Live(_Displayable):
    """A model that trains in front of the student: Play, Pause, Step.

    ``step(n)`` advances training by ``n`` steps; ``view.update()`` redraws from
    the current model. Each tick of the Play control runs ``steps_per_tick``
    steps and one redraw, so the kernel stays free between ticks and Pause
    works. ``controls`` (learning rate, loss, ...) call ``on_control(name, value)``
    while it runs. Headless, nothing plays: the state reached by the code that
    built the widget is shown once.

    The buttons say what they do: ``Play``, ``Pause`` and ``Step N`` (N =
    ``steps_per_tick``). ``status(live) -> str``, if given, writes the status line
    after every redraw (``live.steps_run`` and ``live.steps_per_s`` are there to
    use). When a step raises ``FloatingPointError`` (``genlib.train.Diverged``: a
    loss turned NaN or exploded) the trainer stops, the status line says
    ``diverged: ...`` and a view with a ``show_error(message)`` method shows it in
    the picture too (:meth:`fail` does the same for a model that stopped before the widget
    was built). ``reset()``, if given, adds a ``Reset`` button that starts training over (and
    clears the error). What a trainer reads: ``status`` (the status line), ``error`` (why
    training stopped, or None).
    """

    def __init__(self, view, step: Callable[[int], None], steps_per_tick: int = 10,
                 interval_ms: int = 150, controls: Mapping[str, object] | None = None,
                 on_control: Callable[[str, object], None] | None = None,
                 title: str = "live training", max_ticks: int = 100_000,
                 status: Callable[["Live"], str] | None = None,
                 reset: Callable[[], None] | None = None):
        w = _ipywidgets()
        self.view, self.step, self.title = view, step, title
        self.steps_per_tick = steps_per_tick
        self.on_control = on_control
        self.status_text = status
        self.reset_fn = reset
        self.controls = dict(controls or {})
        self.image = w.Image(format="png")
        self.last_redraw_s = 0.0
        self.steps_run = 0          # steps run through this widget (Play, Step, advance)
        self.steps_per_s = None     # the rate of the last advance, training only (no redraw)
        self.error: str | None = None
        # The Play control is the clock: the browser sends it a tick every ``interval_ms``. With
        # ipywidgets 8 the labelled buttons start and stop it from the kernel and it stays hidden;
        # ipywidgets 7 (Colab) cannot be started from the kernel, so there it is shown as it is.
        self.play = w.Play(value=0, min=0, max=max_ticks, step=1, interval=interval_ms,
                           description="Play")
        modern = self.play.has_trait("playing")
        self.play_button = w.Button(description="Play", icon="play", tooltip="train continuously")
        self.pause_button = w.Button(description="Pause", icon="pause", tooltip="stop training")
        self.step_button = w.Button(description=f"Step {steps_per_tick}", icon="step-forward",
                                    tooltip=f"train {steps_per_tick} steps, then stop")
        self.reset_button = w.Button(description="Reset", icon="undo", tooltip="start training over")
        if modern:
            self.play.layout.display = "none"
        else:  # pragma: no cover - ipywidgets 7
            self.play_button.layout.display = self.pause_button.layout.display = "none"
        if reset is None:
            self.reset_button.layout.display = "none"
        self.status = w.HTML(value="")
        self.play.observe(self._tick, names="value")
        self.play_button.on_click(lambda _b: self.start())
        self.pause_button.on_click(lambda _b: self.pause())
        self.step_button.on_click(lambda _b: self.advance())
        self.reset_button.on_click(lambda _b: self.reset())
        for name, c in self.controls.items():
            c.observe(lambda ch, name=name: self._control(name, ch["new"]), names="value")
        row = w.HBox([self.play_button, self.pause_button, self.step_button, self.reset_button, self.play,
                      self.status])
        self.box = w.VBox([row] + ([w.HBox(list(self.controls.values()))] if self.controls else []) + [self.image])
        self.view.update()
        self._refresh()
        self._write_status()

    def _tick(self, change):
        if change["new"] > change["old"]:
            self.advance()

    def _control(self, name, value):
        if self.on_control is not None:
            self.on_control(name, value)

    @property
    def playing(self) -> bool:
        return bool(getattr(self.play, "playing", getattr(self.play, "_playing", False)))

    def start(self):
        """Play: tick every ``interval_ms`` until paused (a diverged trainer stays stopped)."""
        if self.error:
            return
        for attr in ("playing", "_playing"):
            if self.play.has_trait(attr):
                setattr(self.play, attr, True)
                return

    def pause(self):
        _stop(self.play)

    def reset(self):
        """Start over (``reset()`` given to the constructor): clears the error and redraws."""
        if self.reset_fn is None:
            return
        self.pause()
        self.reset_fn()
        self.error = None
        self.steps_run, self.steps_per_s = 0, None
        self.view.update()
        self._refresh()
        self._write_status()

    def fail(self, message: str) -> None:
        """Stop training for good (until Reset): the status line and the view say ``message``."""
        self.error = str(message)
        _stop(self.play)
        if hasattr(self.view, "show_error"):
            self.view.show_error(self.error)
        self._refresh()
        self._write_status()

    def _write_status(self):
        if self.error:
            why = self.error.removeprefix("Training diverged: ").removeprefix("training diverged: ")
            self.status.value = f"<b style='color:#d62728'>diverged: {_html(why)}</b>"
        elif self.status_text is not None:
            self.status.value = _html(self.status_text(self))

    def advance(self, n: int | None = None):
        """Run ``n`` (default ``steps_per_tick``) steps and redraw; stops on divergence."""
        if self.error:
            return
        n = n or self.steps_per_tick
        t0 = time.perf_counter()
        try:
            self.step(n)
            self.steps_run += n
            self.steps_per_s = n / max(time.perf_counter() - t0, 1e-9)
        except FloatingPointError as exc:  # raised by the training plumbing on NaN/inf
            self.fail(str(exc))
            return
        self.view.update()
        self._refresh()
        self._write_status()


def _html(text: str) -> str:
    import html

    return html.escape(str(text))


def _stop(play) -> None:
    """Pause a Play control (``playing`` in ipywidgets 8, ``_playing`` in 7.x)."""
    for attr in ("playing", "_playing"):
        if play.has_trait(attr):
            setattr(play, attr, False)
