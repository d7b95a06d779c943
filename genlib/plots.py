"""Plotting conventions: one style, figures built off pyplot, PNG bytes for widgets."""
from __future__ import annotations

import io
import os

import matplotlib
import matplotlib.image
import matplotlib.transforms
import numpy as np

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


class FigureIllegible(AssertionError):
    """A figure breaks the course's figure style (text too small, overlapping, a legend on the data)."""


def _root(artist):
    try:
        return artist.get_figure(root=True)  # matplotlib >= 3.10: through subfigures
    except TypeError:  # pragma: no cover - older matplotlib
        return artist.figure


def _drawn_texts(fig):
    """Draw ``fig`` and return the texts actually drawn (tick labels outside the view
    limits exist but are not drawn, so they are not asked for).

    Artists a widget's :class:`Renderer` marks as animated (drawn over a cached
    background, so left out of a full draw) are drawn like the others here.
    """
    from matplotlib.text import Text

    drawn = []
    original = Text.draw
    animated = [a for a in fig.findobj() if a.get_animated()]
    for a in animated:
        a.set_animated(False)

    def draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip() and _root(self) is fig:
            drawn.append(self)

    Text.draw = draw
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original
        for a in animated:
            a.set_animated(True)
    return list(dict.fromkeys(drawn))


def _label(t) -> str:
    text = " ".join(t.get_text().split())
    return repr(text if len(text) <= 40 else text[:39] + "\u2026")


def _text_box(t, renderer):
    """The visible box of text ``t`` in display pixels, or None when nothing of it shows.

    The text alone (an annotation's arrow is not text), cut to its clip box when it
    is clipped (a label placed outside the view limits of its axes draws nothing).
    """
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    bb = Text.get_window_extent(t, renderer)
    if t.get_clip_on():
        clip = t.get_clip_box()
        if clip is not None:
            bb = Bbox.intersection(bb, clip)
            if bb is None:
                return None
    if bb.width <= 0 or bb.height <= 0:
        return None
    return bb


def _text_corners(t, bb, renderer, shrink_px: float = 0.0):
    """The four corners of the (possibly rotated) rectangle the text occupies,
    ``shrink_px`` pixels inside its edges (texts may touch, not overlap).

    ``get_window_extent`` gives the axis-aligned box *around* rotated text, much
    larger than the text for a 45-degree tick label; the rotated rectangle has
    the same centre and the text's unrotated width and height. Clipped text keeps
    its (cut) axis-aligned box.
    """
    from matplotlib.text import Text

    rotation = float(t.get_rotation())
    angle = rotation % 90
    clipped = t.get_clip_on() and t.get_clip_box() is not None
    if min(angle, 90 - angle) < 0.5 or clipped:
        cx, cy, w, h, rotation = (bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2, bb.width / 2, bb.height / 2, 0.0
    else:
        try:
            t.set_rotation(0)
            flat = Text.get_window_extent(t, renderer)
        finally:
            t.set_rotation(rotation)
        cx, cy, w, h = (bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2, flat.width / 2, flat.height / 2
    w, h = max(w - shrink_px, 0.0), max(h - shrink_px, 0.0)
    c, s = np.cos(np.radians(rotation)), np.sin(np.radians(rotation))
    local = np.array([[-w, -h], [w, -h], [w, h], [-w, h]])
    return np.column_stack([local[:, 0] * c - local[:, 1] * s + cx, local[:, 0] * s + local[:, 1] * c + cy])


def _polygons_overlap(a, b) -> bool:
    """Two convex polygons (corner arrays) overlap: no separating axis among their edges' normals."""
    for poly in (a, b):
        edges = np.roll(poly, -1, axis=0) - poly
        for ex, ey in edges:
            axis = np.array([-ey, ex])
            if not axis.any():
                continue
            pa, pb = a @ axis, b @ axis
            if pa.max() <= pb.min() or pb.max() <= pa.min():
                return False
    return True


def _legends(fig):
    """Every visible legend: axes legends (also extra ones added with add_artist) and figure legends."""
    from matplotlib.legend import Legend

    found = []
    for ax in fig.axes:
        found += [a for a in ax.get_children() if isinstance(a, Legend)]
    found += list(fig.legends)
    return [lg for lg in dict.fromkeys(found) if lg.get_visible()]


def _sample_path(xy, step_px):
    """Points along a polyline in display coordinates, every ``step_px`` pixels."""
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    if len(xy) < 2:
        return xy
    seg = np.diff(xy, axis=0)
    n = np.maximum(1, (np.hypot(seg[:, 0], seg[:, 1]) / step_px).astype(int))
    n = np.minimum(n, 2000)
    parts = [xy[i] + np.outer(np.arange(k) / k, seg[i]) for i, k in enumerate(n)]
    return np.vstack(parts + [xy[-1:]])


def _covers(ax, frame, renderer, step_px):
    """How much of the data drawn in ``ax`` lies under ``frame`` (a display box):
    a count of line samples, scatter points and filled areas (bars, fills,
    patches, images, meshes) under it, restricted to the axes (clipped data is
    not drawn). Axes decorations (``transAxes`` artists, spans across the axes)
    are not data."""
    from matplotlib.collections import LineCollection, PathCollection, PolyCollection, QuadMesh
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.spines import Spine
    from matplotlib.transforms import Bbox

    area = Bbox.intersection(frame, ax.bbox)
    if area is None or area.width <= 0 or area.height <= 0:
        return 0
    gx = np.arange(area.x0 + step_px / 2, area.x1, step_px)
    gy = np.arange(area.y0 + step_px / 2, area.y1, step_px)
    grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)

    def inside(pts):
        pts = np.asarray(pts, float).reshape(-1, 2)
        return int(np.sum((pts[:, 0] > area.x0) & (pts[:, 0] < area.x1)
                          & (pts[:, 1] > area.y0) & (pts[:, 1] < area.y1)))

    def in_data(artist):
        return artist.get_transform().contains_branch(ax.transData)

    hits = 0
    for child in ax.get_children():
        if not child.get_visible() or child is ax.patch:
            continue
        if isinstance(child, Spine):
            continue
        if isinstance(child, Line2D):
            if not in_data(child) and child.get_transform().contains_branch(ax.transAxes):
                continue  # drawn in axes coordinates: a decoration (axhline/axvline count: they cross the data)
            xy = child.get_transform().transform(np.asarray(child.get_xydata(), float))
            if child.get_linestyle() not in ("None", "none", "", " "):
                xy = _sample_path(xy, step_px)
            hits += inside(xy)
        elif isinstance(child, AxesImage):
            bb = child.get_window_extent(renderer)
            if Bbox.intersection(bb, area) is not None and Bbox.intersection(bb, area).width > 0:
                hits += 1
        elif isinstance(child, QuadMesh):
            coords = child.get_transform().transform(np.asarray(child.get_coordinates(), float).reshape(-1, 2))
            bb = Bbox.from_extents(*coords.min(axis=0), *coords.max(axis=0))
            sub = Bbox.intersection(bb, area)
            hits += int(sub is not None and sub.width > 0 and sub.height > 0)
        elif isinstance(child, PathCollection) and len(child.get_offsets()):
            hits += inside(child.get_offset_transform().transform(np.asarray(child.get_offsets(), float)))
        elif isinstance(child, LineCollection):
            if not in_data(child):
                continue  # hlines/vlines across the axes
            for path in child.get_paths():
                hits += inside(_sample_path(child.get_transform().transform(path.vertices), step_px))
        elif isinstance(child, PolyCollection) or (isinstance(child, Patch) and child.get_fill()):
            if not in_data(child):
                continue  # axvspan, fill_between in axes coordinates: decorations
            if isinstance(child, Patch) and hasattr(child, "get_height") and child.get_height() == 0:
                continue  # an empty bar
            paths = child.get_paths() if isinstance(child, PolyCollection) else [child.get_path()]
            for path in paths:
                shape = child.get_transform().transform_path(path)
                covered = int(shape.contains_points(grid).sum()) if len(grid) else 0
                hits += covered or inside(shape.vertices)  # a shape smaller than the grid: its corners
        elif isinstance(child, Patch):  # an outline: its edge is data
            if in_data(child):
                shape = child.get_transform().transform_path(child.get_path())
                hits += inside(_sample_path(shape.vertices, step_px))
    return hits


def _title(fig) -> str:
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_visible() and sup.get_text().strip():
        return sup.get_text()
    for ax in fig.axes:
        for t in (ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None)):
            if t is not None and t.get_visible() and t.get_text().strip():
                return t.get_text()
    return ""


def audit(fig, min_pt: float = MIN_FONT_PT, *, widget: bool = False) -> list[str]:
    """What makes ``fig`` hard to read, as sentences (empty when all is well).

    With matplotlib's own extents (no pixel comparison), after a full draw:

    * every text is at least ``min_pt`` points;
    * no two texts overlap (titles, labels, tick labels, legend entries,
      annotations; rotated text by its rotated rectangle, not the larger box
      around it; an annotation by its text, not its arrow);
    * no legend covers a text or data of any axes under it (lines and their
      vertices, scatter points, bars, fills, patches, images, meshes; clipped data
      is not drawn, so it does not count; spans and ``transAxes`` decorations are
      not data);
    * the figure has a title (a suptitle or an axes title);
    * it is at most ``MAX_WIDTH_IN`` inches wide as shown (static figures are
      cropped to their drawn content, as Jupyter's inline backend does), so a
      notebook shows it unshrunk;
    * ``widget=True``: the figure is shown as it is, uncropped, so every text lies
      inside it.
    """
    from matplotlib.transforms import Bbox

    problems = []
    texts = _drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72.0
    boxes = []
    for t in texts:
        bb = _text_box(t, renderer)
        if bb is None:
            continue  # clipped away: nothing of it shows
        if t.get_fontsize() < min_pt - 1e-9:
            problems.append(f"text {_label(t)} is {t.get_fontsize():g} pt (at least {min_pt:g} pt)")
        boxes.append((t, bb, _text_corners(t, bb, renderer, shrink_px=0.5 * px_per_pt)))
    legends = _legends(fig)
    legend_of = {}
    for lg in legends:
        for t in lg.get_texts() + [lg.get_title()]:
            legend_of[t] = lg
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (a, ba, ca), (b, bb, cb) = boxes[i], boxes[j]
            if ba.overlaps(bb) and _polygons_overlap(ca, cb):
                problems.append(f"texts {_label(a)} and {_label(b)} overlap")
    for lg in legends:
        frame = lg.get_window_extent(renderer).padded(-0.5 * px_per_pt)
        corners = np.array([[frame.x0, frame.y0], [frame.x1, frame.y0], [frame.x1, frame.y1], [frame.x0, frame.y1]])
        name = ", ".join(_label(x) for x in lg.get_texts()[:2])
        for t, bb, c in boxes:
            if legend_of.get(t) is lg:
                continue
            if frame.overlaps(bb) and _polygons_overlap(corners, c):
                problems.append(f"the legend ({name}) covers text {_label(t)}")
        under = sum(_covers(ax, frame, renderer, step_px=3.0 * px_per_pt * 72 / 100) for ax in fig.axes)
        if under:
            where = "its axes" if lg.axes is not None and lg in lg.axes.get_children() else "the axes under it"
            problems.append(f"the legend ({name}) sits on the data of {where} ({under} samples of data under it): move it "
                            f"off the data (loc=..., bbox_to_anchor outside the axes, or a wider margin)")
    if not _title(fig):
        problems.append("the figure has no title (fig.suptitle or ax.set_title): say what it shows")
    if widget:
        inside = fig.bbox.padded(0.5 * px_per_pt)
        for t, bb, _c in boxes:
            if not (inside.x0 <= bb.x0 and bb.x1 <= inside.x1 and inside.y0 <= bb.y0 and bb.y1 <= inside.y1):
                problems.append(f"text {_label(t)} is cut off by the figure's edge")
        width_in = fig.get_figwidth()
    else:
        tight = fig.get_tightbbox(renderer)
        width_in = tight.width if tight is not None else fig.get_figwidth()
    if width_in > MAX_WIDTH_IN + 1e-6:
        problems.append(f"the figure is {width_in:.1f} in wide as shown (at most {MAX_WIDTH_IN:g} in, "
                        f"{MAX_WIDTH_IN * DPI:.0f} px): a notebook would shrink it and its text with it")
    return problems


def check_legible(fig, name: str = "figure", widget: bool = False) -> None:
    """Raise :class:`FigureIllegible` listing what :func:`audit` found."""
    problems = audit(fig, widget=widget)
    if problems:
        raise FigureIllegible(f"{name} {_title(fig) or '(untitled)'!r} is hard to read:\n  - "
                              + "\n  - ".join(problems))


def auditing() -> bool:
    """True when ``GENLIB_FIGURE_AUDIT`` asks every shown figure to be checked."""
    return os.environ.get("GENLIB_FIGURE_AUDIT", "") not in ("", "0")


def audit_when_asked() -> None:
    """With ``GENLIB_FIGURE_AUDIT=1``, every ``plt.show()`` first checks each open figure,
    and every widget checks its figure when it is displayed.

    Run a lecture this way (``GENLIB_FIGURE_AUDIT=1 pytest --nbval ...``, or a
    build) and a figure with small or overlapping text, a legend on the data, no
    title, or too wide, fails the lecture in the cell that shows it.
    """
    if not auditing():
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


class NearestImage(matplotlib.image.AxesImage):
    """An ``AxesImage`` whose nearest-neighbour pixels are picked by indexing.

    Matplotlib resamples a 28x28 digit to the ~500x500 device pixels of a widget's
    image panel through its general resampler: float copies of the whole output,
    a mask, the colour map on every output pixel (7 ms per move in 04's explorer).
    Nearest-neighbour magnification is a gather: colour the 784 data pixels, then
    pick, for every output pixel, the data pixel under its centre (about 1 ms).
    Used by :func:`image_axes` for unclipped, upright images drawn "nearest";
    anything else (clipped, rotated, other interpolation) goes to matplotlib.
    ``tests/test_widgets.py`` checks the pixels against matplotlib's own (``imshow``).
    """

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        A = self.get_array()
        trans = self.get_transform()
        x1, x2, y1, y2 = self.get_extent()
        out = matplotlib.transforms.TransformedBbox(matplotlib.transforms.Bbox([[x1, y1], [x2, y2]]), trans)
        clip = (self.get_clip_box() or self.axes.bbox) if self.get_clip_on() else self.get_figure(root=True).bbox
        simple = (not unsampled and A is not None and A.ndim == 2 and A.size and self.get_interpolation() == "nearest"
                  and trans.is_affine and not trans.get_matrix()[[0, 1], [1, 0]].any()
                  and self.origin == "upper" and self.get_alpha() is None)
        box = matplotlib.transforms.Bbox.intersection(out, clip) if simple else None
        if box is None or not np.allclose(box.extents, [out.xmin, out.ymin, out.xmax, out.ymax], atol=1e-3):
            simple = False  # clipped by the axes, or empty
        if not simple:
            return super().make_image(renderer, magnification, unsampled)
        # the output box, rounded to device pixels as matplotlib rounds it (image._make_image)
        e = box.extents * magnification
        x0, y0 = np.floor(e[0] + 0.5), np.ceil(e[1] - 0.5 - 1e-8)
        xe, ye = np.floor(e[2] + 0.5 + 1e-8), np.ceil(e[3] - 0.5)
        w, h = int(xe - x0), int(ye - y0)
        if w <= 0 or h <= 0:
            return None, 0, 0, None
        rows, cols = A.shape
        # the data pixel under each output pixel's centre; the output's rows run bottom to top,
        # the data's top to bottom (origin "upper"); positions relative to the unrounded box
        key = (tuple(e), rows, cols)
        if getattr(self, "_gather_key", None) != key:
            fx = (x0 + np.arange(w) + 0.5 - e[0]) / (e[2] - e[0])
            fy = (e[3] - (y0 + np.arange(h) + 0.5)) / (e[3] - e[1])
            self._gather = (np.clip(np.floor(fy * rows).astype(int), 0, rows - 1),
                            np.clip(np.floor(fx * cols).astype(int), 0, cols - 1))
            self._gather_key = key
        r, c = self._gather
        rgba = self.to_rgba(np.asarray(A), bytes=True, norm=True)
        return np.ascontiguousarray(rgba[r][:, c]), x0 / magnification, y0 / magnification, None


def image_axes(ax, data, **kw):
    """Show a grey-scale image (0 white, 1 black) in ``ax`` as a picture, not a plot: no ticks,
    no grid, and a thin light frame on all four sides (not the two axis lines of a plot).

    Nearest-neighbour pixels, magnified by indexing (:class:`NearestImage`; a widget
    redraws the image on every move). Returns the ``AxesImage``.
    """
    opts = dict(cmap="gray_r", vmin=0, vmax=1, interpolation="nearest", resample=False)  # resample: when matplotlib draws it
    opts.update(kw)
    vmin, vmax = opts.pop("vmin"), opts.pop("vmax")
    image = NearestImage(ax, **opts)
    image.set_data(data)
    image.set_clim(vmin, vmax)
    ax.add_image(image)
    image.set_extent(image.get_extent())  # the axes' limits and aspect, as imshow sets them
    ax.set_aspect("equal")
    picture_frame(ax)
    return image


def picture_frame(ax) -> None:
    """Dress ``ax`` as a picture: no ticks, no grid, a thin light frame on all four sides."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("0.8")
        spine.set_linewidth(0.8)


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
