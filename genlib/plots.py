"""Plotting conventions: one style, figures built off pyplot, PNG bytes for widgets."""
from __future__ import annotations

import io

import matplotlib
import numpy as np

from matplotlib.figure import Figure

P_COLOR = "#1f77b4"   # the data / target distribution p
Q_COLOR = "#d62728"   # the model distribution q
M_COLOR = "#7f7f7f"   # mixtures, references
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def style() -> None:
    """The course's plotting style (set once by :func:`genlib.setup`)."""
    matplotlib.rcParams.update({
        "figure.dpi": 80,
        "savefig.dpi": 80,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "font.size": 10,
        "legend.frameon": False,
    })


def figure(ncols: int = 1, nrows: int = 1, width: float = 4.0, height: float = 3.0, **kw):
    """A Figure not managed by pyplot (so Jupyter does not display it by itself).

    Returns ``(fig, axes)`` like ``plt.subplots``. Used by widgets, whose figure
    is shown through an image rather than the inline backend.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    FigureCanvasAgg(fig)  # a real renderer: fig.canvas.draw() draws, savefig works off pyplot
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def png_bytes(fig, dpi: int | None = None) -> bytes:
    """Render ``fig`` with Agg and return PNG bytes (light compression: it is sent, not stored)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def show(fig):
    """Display a pyplot-free Figure inline, once, as a static image."""
    from IPython.display import Image, display

    display(Image(png_bytes(fig)))


def freeze_layout(fig, nbins: int | None = None) -> None:
    """Lay ``fig`` out once, then switch the layout engine off.

    Constrained layout re-measures every text on each draw and costs about as much
    as drawing the artists; a widget's axes do not move, so later redraws skip it.
    ``nbins`` caps the number of ticks per axis first (tick labels are most of a
    redraw's cost).
    """
    if nbins is not None:
        for ax in fig.axes:
            ax.locator_params(nbins=nbins)
    fig.draw_without_rendering()
    # None, not "none": any layout engine, even the placeholder that "none" leaves,
    # makes savefig draw the figure twice.
    fig.set_layout_engine(None)


class Renderer:
    """Draws a widget's figure: the static part once, then only what changes.

    ``dynamic`` lists the artists that ``update`` changes (lines, bars, texts).
    They are drawn over a cached image of everything else, which is redrawn only
    when an axis' limits or scales change. With no dynamic artists every call
    is a full draw. ``tests/test_views_render.py`` checks, for every view, that
    the result is pixel for pixel a full draw.
    """

    def __init__(self, fig, dynamic=()):
        self.fig = fig
        dynamic = list(dynamic)
        # Redraw, axes by axes in the order of a full draw (stable by zorder),
        # every artist from the first dynamic one on: whatever a full draw puts
        # over a dynamic artist (a legend, a spine, a line added later) is drawn
        # again after it. Tick labels come earlier and stay in the background.
        ordered = []
        for ax in fig.axes:
            children = sorted((a for a in ax.get_children() if a is not ax.patch), key=lambda a: a.get_zorder())
            first = next((i for i, a in enumerate(children) if a in dynamic), None)
            if first is not None:
                ordered += children[first:]
        ordered += [a for a in dynamic if a not in ordered]
        self.dynamic = ordered
        self._background = None
        self._key = None
        for artist in self.dynamic:
            artist.set_animated(True)

    def _limits(self):
        return tuple((tuple(ax.viewLim.bounds), ax.get_xscale(), ax.get_yscale()) for ax in self.fig.axes)

    def draw(self) -> None:
        canvas = self.fig.canvas
        if not self.dynamic:
            canvas.draw()
            return
        key = self._limits()
        if self._background is None or key != self._key:
            canvas.draw()  # animated (dynamic) artists are left out of a full draw
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._key = key
        else:
            canvas.restore_region(self._background)
        for artist in self.dynamic:
            if artist.get_visible():
                self.fig.draw_artist(artist)

    def rgba(self):
        self.draw()
        return np.asarray(self.fig.canvas.buffer_rgba()).copy()

    def png(self) -> bytes:
        from PIL import Image

        self.draw()
        canvas = self.fig.canvas
        w, h = canvas.get_width_height(physical=True)
        img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        img.save(buf, format="png", compress_level=1)
        return buf.getvalue()
