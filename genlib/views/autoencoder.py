"""Views for lecture 04 (autoencoders)."""
from __future__ import annotations

import numpy as np
from matplotlib import patheffects

from ..plots import COLORS, Q_COLOR, figure, freeze_layout, image_axes


class LatentExplorer:
    """Left: the 2-D codes of the data coloured by label, with a movable point.
    Right: the decoder's image of that point.

    ``decode`` maps a latent point (a NumPy array of shape ``(2,)``) to a flat
    image of ``shape[0] * shape[1]`` pixels. ``update(z1, z2)`` moves the point
    and redraws the decoded image; nothing else is rebuilt, and only the point,
    the image and its title are redrawn (``dynamic``, blitted by
    :class:`genlib.plots.Renderer` over a cached picture of the codes).
    ``n_show`` codes are drawn (800: the clusters read as well as with 1500, and the
    PNG sent on every move is 20 % smaller, 130 kB instead of 160 kB).
    """

    def __init__(self, codes, labels, decode, shape, z1: float = 0.0, z2: float = 0.0,
                 n_show: int = 800, seed: int = 0):
        codes = np.asarray(codes, dtype=float)
        labels = np.asarray(labels)
        if codes.ndim != 2 or codes.shape[1] != 2:
            raise ValueError(f"codes must have shape (N, 2); got {codes.shape}")
        self.decode, self.shape = decode, tuple(shape)
        self.fig, (self.ax_z, self.ax_x) = figure(ncols=2, width=3.0, height=2.8)
        keep = np.random.default_rng(seed).permutation(len(codes))[:n_show]
        colors = np.array(COLORS + ["#bcbd22", "#7f7f7f"])[labels[keep] % 10]
        self.scatter = self.ax_z.scatter(codes[keep, 0], codes[keep, 1], c=colors, s=6, alpha=0.6, linewidths=0)
        halo = [patheffects.withStroke(linewidth=2.5, foreground="w")]
        self.class_labels = []
        for k in np.unique(labels):  # a label at each class centre (those that would collide are dropped below)
            m = codes[labels == k].mean(0)
            self.class_labels.append(self.ax_z.text(m[0], m[1], str(k), fontsize=11, weight="bold", ha="center",
                                                    va="center", path_effects=halo))
        # the moving point is drawn last in its axes, so a move redraws nothing else there
        self.marker, = self.ax_z.plot([z1], [z2], "X", color="k", ms=11, mec="w", mew=1.5, zorder=5)
        self.ax_z.set_xlabel("$z_1$")
        self.ax_z.set_ylabel("$z_2$")
        # no tick labels: the title says what the axes are, and the point's coordinates are on the right
        self.ax_z.tick_params(labelbottom=False, labelleft=False, length=0)
        self.ax_z.set_title("latent codes of the data")
        self.image = image_axes(self.ax_x, np.zeros(self.shape))
        self.ax_x.set_xlabel("decoder(z)")  # static; the title, redrawn on every move, holds only z
        self.title = self.ax_x.set_title("z = (-0.00, -0.00)")  # the widest text it will hold
        self.dynamic = [self.marker, self.image, self.title]  # what update() changes (genlib.plots.Renderer)
        freeze_layout(self.fig)  # the axes never move: later redraws skip the layout pass
        self._drop_colliding_labels()
        self.update(z1=z1, z2=z2)

    def _drop_colliding_labels(self):
        """Remove class labels whose text would overlap another text (a clearer label wins)."""
        renderer = self.fig.canvas.get_renderer()
        fixed = [t for ax in (self.ax_z, self.ax_x) for t in (ax.title, ax.xaxis.label, ax.yaxis.label)
                 if t.get_text()]
        placed = [t.get_window_extent(renderer).padded(2) for t in fixed]
        kept = []
        for t in self.class_labels:
            box = t.get_window_extent(renderer).padded(2)
            if any(box.overlaps(b) for b in placed):
                t.remove()
            else:
                placed.append(box)
                kept.append(t)
        self.class_labels = kept

    def update(self, z1: float, z2: float):
        z = np.array([z1, z2], dtype=float)
        img = np.asarray(self.decode(z), dtype=float).reshape(self.shape)
        self.marker.set_data([z1], [z2])
        self.image.set_data(img)
        self.title.set_text(f"z = ({z1:.2f}, {z2:.2f})")
        return img

    @staticmethod
    def random_state(rng) -> dict:
        return {"z1": float(rng.uniform(-3, 3)), "z2": float(rng.uniform(-3, 3))}

    @classmethod
    def bench_instance(cls):
        """An instance with a fixed random decoder of MNIST size (for the widget benchmark)."""
        rng = np.random.default_rng(0)
        A, b = rng.normal(size=(784, 2)), rng.normal(size=784)
        codes, labels = rng.normal(size=(1000, 2)), rng.integers(0, 10, 1000)
        return cls(codes, labels, lambda z: 1 / (1 + np.exp(-(A @ z + b))), (28, 28))


class Interpolation:
    """A row of images decoded along a straight line between two latent codes,
    over the curve of a "how far from the data" score along the path.

    ``update(t)`` highlights the image at position ``t`` in [0, 1] on the path
    and shows it large; only those two and the title are redrawn (``dynamic``).
    """

    def __init__(self, images, score, shape, score_label: str = "distance to nearest training image"):
        self.images = np.asarray(images, dtype=float).reshape(len(images), *shape)
        self.score = np.asarray(score, dtype=float)
        self.ts = np.linspace(0, 1, len(self.images))
        self.fig, (self.ax_img, self.ax_curve) = figure(ncols=2, width=3.4, height=2.9)
        self.image = image_axes(self.ax_img, self.images[0])
        self.ax_curve.plot(self.ts, self.score, "o-", color="0.4", ms=4)
        self.marker, = self.ax_curve.plot([0], [self.score[0]], "o", color=Q_COLOR, ms=9, zorder=5)
        self.ax_curve.set_xlabel("t (0 = first digit, 1 = second)")
        self.ax_curve.set_ylabel(score_label)
        self.title = self.ax_img.set_title("t = 0.00")
        self.dynamic = [self.image, self.marker, self.title]  # what update() changes (genlib.plots.Renderer)
        self.update(t=0.0)
        freeze_layout(self.fig)

    def index(self, t: float) -> int:
        return int(np.argmin(np.abs(self.ts - t)))

    def update(self, t: float):
        i = self.index(t)
        self.image.set_data(self.images[i])
        self.marker.set_data([self.ts[i]], [self.score[i]])
        self.title.set_text(f"t = {self.ts[i]:.2f}")
        return i

    @staticmethod
    def random_state(rng) -> dict:
        return {"t": float(rng.uniform(0, 1))}

    @classmethod
    def bench_instance(cls):
        rng = np.random.default_rng(0)
        return cls(rng.uniform(size=(11, 784)), rng.uniform(size=11), (28, 28))
