"""Widgets: a pure render step plus a thin ipywidgets layer.

A *view* is any object with a matplotlib ``fig`` and an ``update(**state)``
method that changes the figure's artists (no figure is rebuilt); a view that
lists those artists in ``dynamic`` is redrawn by blitting only them
(:class:`genlib.plots.Renderer`). Tests drive
``update`` directly and inspect the artists; the browser sees the figure as an
``ipywidgets.Image`` whose PNG is refreshed after every change.

Displaying a :class:`Interactive` or :class:`Live` produces one output carrying
three representations: the live widget (JupyterLab, Notebook, Colab), a PNG of
the default state (nbconvert, GitHub, papermill, any headless run) and a stable
line of text. Nothing ever blocks: headless, the default state is rendered once.

Works with ipywidgets 7.7 (Colab) and 8.x.
"""
from __future__ import annotations

import base64
import time
from typing import Callable, Mapping

from .plots import Renderer


def _ipywidgets():
    import ipywidgets

    return ipywidgets


def _widget_view(widget) -> dict:
    return {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}


class _Displayable:
    title = "widget"

    def _renderer(self) -> Renderer:
        if getattr(self, "_render", None) is None:
            self._render = Renderer(self.view.fig, getattr(self.view, "dynamic", ()))
        return self._render

    def _repr_mimebundle_(self, include=None, exclude=None):
        png = self._renderer().png()
        return {
            "application/vnd.jupyter.widget-view+json": _widget_view(self.box),
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": f"[{self.title}: run the cell in Jupyter to interact; the default state is shown]",
        }

    def _refresh(self):
        t0 = time.perf_counter()
        self.image.value = self._renderer().png()
        self.last_redraw_s = time.perf_counter() - t0


def _value_of(w):
    return w.value


class Interactive(_Displayable):
    """Controls that reshape a view: every change calls ``view.update(**state)``.

    ``controls`` maps the keyword names of ``view.update`` to ipywidgets
    controls (sliders, dropdowns, ...). ``on_change``, if given, is called as
    ``on_change(state)`` before the redraw (to normalise values, say).
    """

    def __init__(self, view, controls: Mapping[str, object], title: str = "interactive figure",
                 on_change: Callable[[dict], None] | None = None, columns: int = 1):
        w = _ipywidgets()
        self.view, self.controls, self.title, self.on_change = view, dict(controls), title, on_change
        self.image = w.Image(format="png")
        self.last_redraw_s = 0.0
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
        st = self.state
        if self.on_change is not None:
            self.on_change(st)
        self.view.update(**st)
        self._refresh()

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
    """

    def __init__(self, view, step: Callable[[int], None], steps_per_tick: int = 10,
                 interval_ms: int = 150, controls: Mapping[str, object] | None = None,
                 on_control: Callable[[str, object], None] | None = None,
                 title: str = "live training", max_ticks: int = 100_000):
        w = _ipywidgets()
        self.view, self.step, self.title = view, step, title
        self.steps_per_tick = steps_per_tick
        self.on_control = on_control
        self.controls = dict(controls or {})
        self.image = w.Image(format="png")
        self.last_redraw_s = 0.0
        self.error: str | None = None
        self.play = w.Play(value=0, min=0, max=max_ticks, step=1, interval=interval_ms,
                           description="Play")
        self.step_button = w.Button(description=f"Step {steps_per_tick}", icon="step-forward")
        self.status = w.HTML(value="")
        self.play.observe(self._tick, names="value")
        self.step_button.on_click(lambda _b: self.advance())
        for name, c in self.controls.items():
            c.observe(lambda ch, name=name: self._control(name, ch["new"]), names="value")
        row = w.HBox([self.play, self.step_button, self.status])
        self.box = w.VBox([row] + ([w.HBox(list(self.controls.values()))] if self.controls else []) + [self.image])
        self.view.update()
        self._refresh()

    def _tick(self, change):
        if change["new"] > change["old"]:
            self.advance()

    def _control(self, name, value):
        if self.on_control is not None:
            self.on_control(name, value)

    def advance(self, n: int | None = None):
        """Run ``n`` (default ``steps_per_tick``) steps and redraw; stops on divergence."""
        if self.error:
            return
        try:
            self.step(n or self.steps_per_tick)
        except FloatingPointError as exc:  # raised by the training plumbing on NaN/inf
            self.error = str(exc)
            _stop(self.play)
            self.status.value = f"<b style='color:#d62728'>stopped: {exc}</b>"
        self.view.update()
        self._refresh()


def _stop(play) -> None:
    """Pause a Play control (``playing`` in ipywidgets 8, ``_playing`` in 7.x)."""
    for attr in ("playing", "_playing"):
        if play.has_trait(attr):
            setattr(play, attr, False)
