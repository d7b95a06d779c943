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


MIN_FONT_PT = 9        # no text in a course figure is smaller than this
DPI = 100              # one figure inch is 100 CSS pixels, for static figures and widgets alike


def style() -> None:
    """The course's plotting style (set once by :func:`genlib.setup`).

    Text is at least ``MIN_FONT_PT`` points everywhere (ticks, legends, titles);
    legends get a light frame so they read over grid lines.
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


class FigureIllegible(AssertionError):
    """A figure breaks the course's figure style (text too small, overlapping, a legend on the data)."""


def _drawn_texts(fig):
    """Draw ``fig`` and return the texts actually drawn (tick labels outside the view
    limits exist but are not drawn, so they are not asked for)."""
    from matplotlib.text import Text

    drawn = []
    original = Text.draw

    def draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip() and self.figure is fig:
            drawn.append(self)

    Text.draw = draw
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original
    return list(dict.fromkeys(drawn))


def _label(t) -> str:
    text = " ".join(t.get_text().split())
    return repr(text if len(text) <= 40 else text[:39] + "\u2026")


def _data_points(ax, step_px: float = 4.0):
    """Display coordinates of the data drawn in ``ax``: line vertices (segments sampled
    every few pixels), scatter offsets and bar corners."""
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    pts = []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if len(xy) == 0:
            continue
        if line.get_linestyle() not in ("None", "none", "", " ") and len(xy) > 1:
            seg = np.diff(xy, axis=0)
            n = np.maximum(1, (np.hypot(seg[:, 0], seg[:, 1]) / step_px).astype(int))
            n = np.minimum(n, 2000)
            parts = [xy[i] + np.outer(np.arange(k) / k, seg[i]) for i, k in enumerate(n)]
            xy = np.vstack(parts + [xy[-1:]])
        pts.append(xy)
    for coll in ax.collections:
        if isinstance(coll, PathCollection) and coll.get_visible():
            off = coll.get_offsets()
            if len(off):
                pts.append(coll.get_offset_transform().transform(np.asarray(off, float)))
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_visible() and patch.get_height() != 0:
            # a Rectangle's path is the unit square; its transform maps it to display coordinates
            pts.append(patch.get_transform().transform([(0, 0), (0, 1), (1, 0), (1, 1), (0.5, 0.5), (0.5, 1)]))
    pts = [p for p in pts if len(p)]
    return np.vstack(pts) if pts else np.zeros((0, 2))


def audit(fig, min_pt: float = MIN_FONT_PT) -> list[str]:
    """What makes ``fig`` hard to read, as sentences (empty when all is well).

    Checks, with matplotlib's own extents (no pixel comparison): every text is at
    least ``min_pt`` points; no two texts overlap (titles, labels, tick labels,
    legend entries, annotations); no legend covers a text or the data of its axes
    (line vertices and segments, scatter points, bars).
    """
    from matplotlib.transforms import Bbox

    problems = []
    texts = _drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    for t in texts:
        if t.get_fontsize() < min_pt - 1e-9:
            problems.append(f"text {_label(t)} is {t.get_fontsize():g} pt (at least {min_pt:g} pt)")
    boxes = []
    for t in texts:
        bb = t.get_window_extent(renderer)
        if bb.width > 0 and bb.height > 0:
            boxes.append((t, bb.expanded(1.0, 1.0).padded(-1.0)))
    legends = [lg for lg in [ax.get_legend() for ax in fig.axes] + list(fig.legends) if lg is not None and lg.get_visible()]
    legend_of = {}
    for lg in legends:
        for t in lg.get_texts() + [lg.get_title()]:
            legend_of[t] = lg
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (a, ba), (b, bb) = boxes[i], boxes[j]
            if ba.overlaps(bb):
                problems.append(f"texts {_label(a)} and {_label(b)} overlap")
    for lg in legends:
        frame = lg.get_window_extent(renderer).padded(-1.0)
        for t, bb in boxes:
            if legend_of.get(t) is lg:
                continue
            if frame.overlaps(bb):
                problems.append(f"the legend ({', '.join(_label(x) for x in lg.get_texts()[:2])}) covers text {_label(t)}")
        axes = [lg.axes] if lg.axes is not None and lg in [ax.get_legend() for ax in fig.axes] else []
        for ax in axes:
            pts = _data_points(ax)
            inside = (pts[:, 0] > frame.x0) & (pts[:, 0] < frame.x1) & (pts[:, 1] > frame.y0) & (pts[:, 1] < frame.y1)
            if inside.any():
                problems.append(f"the legend ({', '.join(_label(x) for x in lg.get_texts()[:2])}) sits on "
                                f"the data of its axes ({int(inside.sum())} points under it): move it off the data "
                                f"(loc=..., bbox_to_anchor outside the axes, or a wider margin)")
    return problems


def check_legible(fig, name: str = "figure") -> None:
    """Raise :class:`FigureIllegible` listing what :func:`audit` found."""
    problems = audit(fig)
    if problems:
        title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else next(
            (ax.get_title() for ax in fig.axes if ax.get_title()), name)
        raise FigureIllegible(f"{name} {title!r} is hard to read:\n  - " + "\n  - ".join(problems))


def audit_when_asked() -> None:
    """With ``GENLIB_FIGURE_AUDIT=1``, every ``plt.show()`` first checks each open figure.

    The course's tests run every lecture this way, so a figure with small or
    overlapping text, or a legend on the data, fails the lecture.
    """
    import os

    if os.environ.get("GENLIB_FIGURE_AUDIT", "") in ("", "0"):
        return
    import matplotlib.pyplot as plt

    if getattr(plt.show, "_genlib_audit", False):
        return
    original = plt.show

    def show(*args, **kwargs):
        for num in plt.get_fignums():
            check_legible(plt.figure(num), f"figure {num}")
        return original(*args, **kwargs)

    show._genlib_audit = True
    plt.show = show


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
