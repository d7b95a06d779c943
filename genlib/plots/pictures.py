"""Images shown as pictures (a digit, a grid of samples): no ticks, a light frame, and
nearest-neighbour magnification by indexing (:class:`NearestImage`)."""
from __future__ import annotations

import matplotlib.image
import matplotlib.transforms
import numpy as np


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
