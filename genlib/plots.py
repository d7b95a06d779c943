"""Plotting conventions: one style, figures built off pyplot, PNG bytes for widgets."""
from __future__ import annotations

import io

import matplotlib

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
