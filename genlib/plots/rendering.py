"""How a widget's figure becomes pixels: the layout frozen once, a blitting :class:`Renderer`
(the static part drawn once), and PNG bytes fast enough to send after every move."""
from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure

from .theme import MIN_FONT_PT


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
        return (self.fig.dpi,) + tuple((tuple(ax.viewLim.bounds), ax.get_xscale(), ax.get_yscale())
                                       for ax in self.fig.axes)

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
        self.draw()
        return encode_png(self.fig.canvas.buffer_rgba())


def _deflate(raw) -> bytes:
    """A zlib stream of ``raw`` at level 1: ISA-L's, or zlib's where isal is not installed."""
    try:
        from isal import isal_zlib as deflater
    except ImportError:  # pragma: no cover - isal is in requirements.txt
        import zlib as deflater
    return deflater.compress(raw, 1)


def encode_png(rgba, stored: bool = False) -> bytes:
    """PNG bytes of an (H, W, 4) RGBA buffer.

    By default written for speed (a widget's image is sent after every move, not
    stored): RGBA as drawn (dropping the alpha channel costs a strided copy), rows
    unfiltered, deflated at level 1 by ISA-L (``isal``: about 10x faster than zlib's
    level 1 on a 1200x560 widget, 1 ms against 7-12, and no larger; zlib if isal is
    missing); Pillow's encoder tries every row filter, which costs twice as much for a
    figure of flat colours and thin lines. ``stored=True`` (a picture kept in the notebook): Pillow
    at level 6, RGB when the figure is opaque (as it nearly always is), about 30 %
    smaller.
    """
    import struct
    import zlib

    rgba = np.asarray(rgba)
    h, w = rgba.shape[:2]
    if stored:
        from PIL import Image

        opaque = bool(rgba[..., 3].min() == 255)
        pixels = np.ascontiguousarray(rgba[..., :3] if opaque else rgba)
        buf = io.BytesIO()
        Image.fromarray(pixels, "RGB" if opaque else "RGBA").save(buf, format="png", compress_level=6)
        return buf.getvalue()
    raw = np.empty((h, 1 + w * 4), np.uint8)
    raw[:, 0] = 0  # a leading 0 per row: filter "none"
    raw[:, 1:] = rgba.reshape(h, -1)
    data = _deflate(raw)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def with_caption(rgba, text: str, dpi: float):
    """``rgba`` (H, W, 4) with a strip below it holding ``text`` in small grey italics,
    wrapped to the image's width: the caption of a widget's static picture."""
    import textwrap

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    rgba = np.asarray(rgba)
    h, w = rgba.shape[:2]
    size_pt = MIN_FONT_PT + 0.5
    chars = max(20, int(w / (dpi * size_pt / 72 * 0.55)))  # about 0.55 em per character
    lines = textwrap.wrap(text, chars) or [""]
    strip_in = (len(lines) * 1.35 * size_pt + 10) / 72
    cap = Figure(figsize=(w / dpi, strip_in), dpi=dpi)
    FigureCanvasAgg(cap)
    cap.text(0.5, 0.5, "\n".join(lines), ha="center", va="center", fontsize=size_pt, style="italic",
             color="0.3", linespacing=1.35)
    cap.canvas.draw()
    strip = np.asarray(cap.canvas.buffer_rgba())
    if strip.shape[1] != w:  # rounding of the strip's width in pixels
        strip = strip[:, :w] if strip.shape[1] > w else np.pad(strip, ((0, 0), (0, w - strip.shape[1]), (0, 0)),
                                                               mode="edge")
    return np.vstack([rgba, strip])
