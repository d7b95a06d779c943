"""The course's figure style: colours, sizes (``DPI`` CSS pixels per inch, text at least
``MIN_FONT_PT``), the rcParams every lecture shares, and figures built off pyplot for widgets."""
from __future__ import annotations

import os

import matplotlib
from matplotlib.figure import Figure

P_COLOR = "#1f77b4"   # the data / target distribution p
Q_COLOR = "#d62728"   # the model distribution q
M_COLOR = "#7f7f7f"   # mixtures, references
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


MIN_FONT_PT = 9        # no text in a course figure is smaller than this
DPI = 100              # one figure inch is 100 CSS pixels, for static figures and widgets alike
RATIO = float(os.environ.get("GENLIB_WIDGET_RATIO", 2))  # device px per CSS px in widget images: sharp on high-DPI screens
MAX_WIDTH_IN = 10.0    # the widest figure a notebook shows unshrunk (1000 CSS pixels)


def css_size(fig) -> tuple[int, int]:
    """The size, in CSS pixels, at which ``fig`` is shown: ``DPI`` pixels per figure inch.

    A widget's image is fixed to this size in the page (neither stretched to the
    output area nor shrunk), whatever the resolution its PNG is rendered at.
    """
    return int(round(fig.get_figwidth() * DPI)), int(round(fig.get_figheight() * DPI))


def style(retina: bool = True) -> None:
    """The course's plotting style (set once by :func:`genlib.setup`).

    Text is at least ``MIN_FONT_PT`` points everywhere (ticks, legends, titles);
    legends get a light frame so they read over grid lines. Static figures are
    ``DPI`` pixels per inch, the scale widgets are shown at. In a Jupyter kernel
    they are sent as "retina" PNGs (``retina=True``): twice the resolution, shown at
    the same size through the output's metadata, so they are as sharp as the widgets
    on a high-DPI screen. That costs about 2.2 times the bytes of a figure; the
    largest lecture stays under 1 MB (the limit is 3 MB).
    """
    matplotlib.rcParams.update({
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "legend.title_fontsize": 9,
        "figure.titlesize": 12,
        "legend.frameon": True,
        "legend.framealpha": 0.85,
        "legend.edgecolor": "0.85",
    })
    inline_format(retina)


def inline_format(retina: bool) -> bool:
    """In a Jupyter kernel, send static figures as PNG (``retina``: at twice the
    resolution, shown at the same size). Returns False outside a kernel."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None or not hasattr(shell, "kernel"):
            return False
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina" if retina else "png")
        return True
    except Exception:  # an old IPython or no matplotlib-inline: keep its defaults
        return False



def figure(ncols: int = 1, nrows: int = 1, width: float = 4.0, height: float = 3.0, **kw):
    """A Figure not managed by pyplot (so Jupyter does not display it by itself).

    Returns ``(fig, axes)`` like ``plt.subplots``; ``width`` and ``height`` are per
    panel, in inches. Used by widgets, whose figure is shown through an image
    rather than the inline backend: it is drawn at ``RATIO`` device pixels per CSS
    pixel (``DPI * RATIO`` dots per inch) and shown at :func:`css_size`, the scale
    of static figures.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(width * ncols, height * nrows), dpi=DPI * RATIO, layout="constrained")
    FigureCanvasAgg(fig)  # a real renderer: fig.canvas.draw() draws, savefig works off pyplot
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes

