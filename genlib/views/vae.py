"""Views for lecture 05 (VAE and the ELBO).

* :class:`ElboTraining` - the live training view: the ELBO and its two terms
  (expected reconstruction log-likelihood and KL to the prior) per epoch, next to
  a grid of images (reconstructions or samples) from the current model.
* :class:`LatentDecoder` - a decoder driven by sliders: pick a class (for a
  CVAE) and latent coordinates, see the decoded image and where ``z`` sits
  under the prior.

Both follow :mod:`genlib.views.entropy`: the figure comes from
:func:`genlib.plots.figure`, ``update(**state)`` only changes artists, and a
``random_state(rng)`` staticmethod gives a valid random state for the widget
benchmark.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..plots import figure, freeze_layout, image_axes, P_COLOR, Q_COLOR, M_COLOR


def tile(images, ncols: int | None = None, pad: float = 0.0) -> np.ndarray:
    """Arrange ``images`` (N, H, W) in a grid (rows of ``ncols``) separated by ``pad``-valued lines."""
    images = np.asarray(images, dtype=float)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W); got {images.shape}")
    n, h, w = images.shape
    ncols = ncols or int(np.ceil(np.sqrt(n)))
    nrows = int(np.ceil(n / ncols))
    out = np.full((nrows * (h + 1) - 1, ncols * (w + 1) - 1), pad, dtype=float)
    for i in range(n):
        r, c = divmod(i, ncols)
        out[r * (h + 1): r * (h + 1) + h, c * (w + 1): c * (w + 1) + w] = images[i]
    return out



class ElboTraining:
    """Left: ELBO, reconstruction term and KL term per epoch. Right: an image grid.

    ``update(epoch=[...], elbo=[...], recon=[...], kl=[...], images=(N, H, W))``
    draws the given state; ``update()`` with no arguments asks ``source()`` for
    it (that is how :class:`genlib.widgets.Live` redraws after each tick).
    """

    def __init__(self, source: Callable[[], dict] | None = None, shape=(8, 8), n_images: int = 16,
                 ncols: int | None = None, title: str = "reconstructions"):
        self.source = source
        self.ncols = ncols or int(np.ceil(np.sqrt(n_images)))
        self.fig, (self.ax_curve, self.ax_img) = figure(ncols=2, width=3.8, height=3.3)
        ax = self.ax_curve
        self.line_elbo, = ax.plot([], [], color="k", lw=2, label="ELBO")
        self.line_recon, = ax.plot([], [], color=P_COLOR, label="E log p(x|z)")
        self.line_kl, = ax.plot([], [], color=Q_COLOR, label="-KL(q || p)")
        ax.set_xlabel("epoch")
        ax.set_ylabel("nats per image")
        # below the axes, off the curves (the ELBO and its terms can be anywhere in the panel)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, borderaxespad=0)
        self.curve_title = ax.set_title("")
        blank = tile(np.zeros((n_images,) + tuple(shape)), self.ncols)
        self.im = image_axes(self.ax_img, blank)
        self.ax_img.set_title(title)
        self.ax_curve.set_ylim(-9999, 0)  # room for wide tick labels before the layout is frozen
        freeze_layout(self.fig)
        self.ax_curve.set_ylim(0, 1)

    def update(self, **state):
        if not state:
            if self.source is None:
                return
            state = self.source()
        epoch = np.asarray(state.get("epoch", []), dtype=float)
        elbo = np.asarray(state.get("elbo", []), dtype=float)
        recon = np.asarray(state.get("recon", []), dtype=float)
        kl = np.asarray(state.get("kl", []), dtype=float)
        self.line_elbo.set_data(epoch, elbo)
        self.line_recon.set_data(epoch, recon)
        self.line_kl.set_data(epoch, -kl)
        if epoch.size:
            ys = np.concatenate([elbo, recon, -kl])
            lo, hi = float(ys.min()), float(ys.max())
            margin = 0.05 * (hi - lo) + 1e-3
            self.ax_curve.set_xlim(float(epoch.min()) - 0.5, float(epoch.max()) + 0.5)
            self.ax_curve.set_ylim(lo - margin, hi + margin)
            self.curve_title.set_text(f"epoch {int(epoch[-1])}: ELBO {elbo[-1]:.1f}, KL {kl[-1]:.2f}")
        else:
            self.curve_title.set_text("not trained yet")
        if state.get("images") is not None:
            self.im.set_data(tile(state["images"], self.ncols))
        return state

    @staticmethod
    def random_state(rng) -> dict:
        n = int(rng.integers(1, 40))
        epoch = np.arange(1, n + 1)
        kl = 2 + rng.random() * np.log1p(epoch)
        recon = -40 + 15 * (1 - np.exp(-epoch / 5)) + rng.normal(0, 0.2, n)
        return {"epoch": epoch, "elbo": recon - kl, "recon": recon, "kl": kl,
                "images": rng.random((16, 8, 8))}


class LatentDecoder:
    """Left: the decoded image of (label, z). Right: z (first two coordinates) over the prior N(0, I).

    ``decode(label, z) -> (H, W)`` array in [0, 1]; ``z`` is a 1-D array of
    ``latent_dim`` numbers, read from the keywords ``z1, z2, ...`` of
    :meth:`update` (missing ones are 0). ``labels`` names the classes.
    """

    def __init__(self, decode: Callable[[int, np.ndarray], np.ndarray], latent_dim: int, shape=(8, 8),
                 labels=None, lim: float = 3.0):
        self.decode, self.latent_dim = decode, int(latent_dim)
        self.labels = list(labels) if labels is not None else None
        self.fig, (self.ax_img, self.ax_z) = figure(ncols=2, width=2.8, height=2.8)
        self.im = image_axes(self.ax_img, np.zeros(shape))
        self.img_title = self.ax_img.set_title("")
        t = np.linspace(0, 2 * np.pi, 100)
        for r in (1, 2, 3):  # contours of the standard normal prior
            self.ax_z.plot(r * np.cos(t), r * np.sin(t), color=M_COLOR, lw=0.8, alpha=0.6)
        self.marker, = self.ax_z.plot([0], [0], "o", color=Q_COLOR, ms=8)
        self.ax_z.set_xlim(-lim, lim)
        self.ax_z.set_ylim(-lim, lim)
        self.ax_z.set_aspect("equal")
        self.ax_z.set_xlabel("z1")
        self.ax_z.set_ylabel("z2" if self.latent_dim > 1 else "")
        self.ax_z.set_title("z under the prior")
        freeze_layout(self.fig)
        # what update() changes: blitted over a cached picture of the rest (genlib.plots.Renderer)
        self.dynamic = [self.im, self.img_title, self.marker]

    def latent(self, **z) -> np.ndarray:
        out = np.zeros(self.latent_dim)
        for k, v in z.items():
            if not (k.startswith("z") and k[1:].isdigit()):
                raise ValueError(f"unknown latent coordinate {k!r}; use z1 ... z{self.latent_dim}")
            i = int(k[1:]) - 1
            if not 0 <= i < self.latent_dim:
                raise ValueError(f"{k} is outside the latent dimension {self.latent_dim}")
            out[i] = float(v)
        return out

    def update(self, label: int = 0, **z):
        zz = self.latent(**z)
        img = np.asarray(self.decode(int(label), zz), dtype=float)
        self.im.set_data(img)
        self.marker.set_data([zz[0]], [zz[1] if self.latent_dim > 1 else 0.0])
        name = self.labels[int(label)] if self.labels is not None else str(label)
        self.img_title.set_text(f"class {name}")
        return img

    @classmethod
    def bench_instance(cls, seed: int = 0) -> "LatentDecoder":
        """A view over an untrained decoder the size of the lecture's MNIST CVAE (2 + 10 -> 256 -> 784)."""
        import torch

        from ..runtime import as_numpy

        g = torch.Generator().manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Linear(12, 256), torch.nn.ReLU(), torch.nn.Linear(256, 784))
        with torch.no_grad():
            for p in net.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)

        def decode(label, z):
            with torch.no_grad():
                inp = torch.cat([torch.as_tensor(z, dtype=torch.float32),
                                 torch.nn.functional.one_hot(torch.tensor(int(label)), 10).float()])
                return as_numpy(torch.sigmoid(net(inp)).reshape(28, 28))

        return cls(decode, latent_dim=2, shape=(28, 28))

    @staticmethod
    def random_state(rng) -> dict:
        return {"label": int(rng.integers(0, 10)), "z1": float(rng.uniform(-3, 3)), "z2": float(rng.uniform(-3, 3))}
