"""The figure audit: what makes a figure hard to read (text under ``MIN_FONT_PT``, texts that
overlap, a legend on text or data, no title, too wide), from matplotlib's own extents.

With ``GENLIB_FIGURE_AUDIT=1`` every figure a lecture shows is audited before it is shown
(:func:`audit_when_asked`): widgets audit their own figure, and in a Jupyter kernel pyplot's
``plt.show()`` goes through :mod:`genlib.plots.audited_inline`, a pyplot backend that is the
inline backend with an audit in front of its ``show``. Nothing of matplotlib is replaced.
"""
from __future__ import annotations

import os

import numpy as np

from .theme import DPI, MAX_WIDTH_IN, MIN_FONT_PT


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

    The figure is drawn once more with a renderer of its own (a fresh ``RendererAgg`` of
    the canvas's size and dpi; nothing of matplotlib is replaced): a text keeps the renderer
    that last drew (or measured) it (``Text._renderer``, set at the start of
    ``Text.draw``), so the texts holding this one are the texts the draw reached. Artists a
    widget's :class:`~genlib.plots.rendering.Renderer` marks as animated (drawn over a
    cached background, so left out of a full draw) are drawn like the others here.
    """
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.text import Text

    animated = [a for a in fig.findobj() if a.get_animated()]
    for a in animated:
        a.set_animated(False)
    width, height = fig.canvas.get_width_height(physical=True)
    renderer = RendererAgg(width, height, fig.dpi)
    try:
        fig.draw(renderer)
    finally:
        for a in animated:
            a.set_animated(True)
    return [t for t in fig.findobj(Text) if getattr(t, "_renderer", None) is renderer
            and t.get_visible() and t.get_text().strip() and _root(t) is fig]


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


INLINE = "module://matplotlib_inline.backend_inline"   # a Jupyter kernel's pyplot backend
AUDITED_INLINE = "module://genlib.plots.audited_inline"  # the same, auditing before it shows


def check_open_figures() -> None:
    """:func:`check_legible` on every open pyplot figure (what ``plt.show()`` is about to show)."""
    import matplotlib.pyplot as plt

    for num in plt.get_fignums():
        check_legible(plt.figure(num), f"figure {num}")


def audit_when_asked() -> bool:
    """With ``GENLIB_FIGURE_AUDIT=1``, every ``plt.show()`` first checks each open figure,
    and every widget checks its figure when it is displayed. Returns whether ``plt.show()``
    is audited.

    Run a lecture this way (``GENLIB_FIGURE_AUDIT=1 pytest --nbval ...``, or a
    build) and a figure with small or overlapping text, a legend on the data, no
    title, or too wide, fails the lecture in the cell that shows it. In a Jupyter kernel
    pyplot's backend becomes :data:`AUDITED_INLINE` (matplotlib's own way of choosing what
    ``show`` does); other backends (a script's Agg) show nothing and are left as they are.
    """
    if not auditing():
        return False
    import matplotlib
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend()
    if backend == INLINE:
        plt.switch_backend(AUDITED_INLINE)
        return True
    return backend == AUDITED_INLINE
