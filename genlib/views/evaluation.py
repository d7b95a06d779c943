"""Views for lecture 08 (evaluation).

* :class:`BrokenSamples` - held-out digits, broken on purpose (blur, dropped classes, copies of
  training digits, pixel noise); every measure of ``genlib.evaluation`` recomputed on each
  change: precision, recall, density, coverage, the 1-NN two-sample test's accuracy and the
  copy ratio as bars, the Fréchet and kernel distances in the title.
"""
from __future__ import annotations

import numpy as np

from .. import evaluation
from ..runtime import as_numpy
from ..plots import figure, freeze_layout, P_COLOR, Q_COLOR

BARS = ("precision", "recall", "density", "coverage", "C2ST acc", "copy ratio")


def break_samples(images, labels, train, *, blur=0.0, classes=10, copied=0.0, noise=0.0, seed=0):
    """The broken sample: same size as ``images``, rows in [0, 1].

    Classes 0 .. classes-1 are kept (refilled to full size by drawing from the kept ones), then a
    share ``copied`` of the rows is replaced by training images, then each image is blurred with a
    Gaussian of ``blur`` pixels and gets Gaussian noise of standard deviation ``noise``.
    """
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(seed)
    n, side = len(images), int(round(np.sqrt(images.shape[1])))
    keep = np.flatnonzero(labels < max(1, int(classes)))
    rows = keep if len(keep) == n else keep[rng.integers(0, len(keep), n)] if len(keep) else np.arange(n)
    out = np.array(images[rows], dtype=np.float64)
    n_copy = int(round(float(copied) * n))
    if n_copy:
        out[:n_copy] = train[rng.choice(len(train), n_copy, replace=False)]
    if blur > 0:
        out = gaussian_filter(out.reshape(n, side, side), sigma=(0, blur, blur)).reshape(n, -1)
    if noise > 0:
        out = np.clip(out + rng.normal(0, noise, out.shape), 0, 1)
    return out


def measures(f_ref, f_fake, f_train, seed=0) -> dict:
    """Every sample measure of lecture 08 on feature arrays (reference, sample, training set)."""
    pr = evaluation.prdc(f_ref, f_fake)
    return {"precision": pr["precision"], "recall": pr["recall"], "density": pr["density"],
            "coverage": pr["coverage"], "C2ST acc": evaluation.c2st(f_ref, f_fake, seed=seed)["accuracy"],
            "copy ratio": evaluation.copy_ratio(f_fake, f_train, f_ref),
            "FD": evaluation.frechet_distance(f_ref, f_fake), "KD": evaluation.kernel_distance(f_ref, f_fake)}


def _sq(a, b):
    return np.clip((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T, 0, None)


class FastMeasures:
    """:func:`measures` for a fixed reference and training set, with what depends on them alone
    computed once (radii, the copy ratio's baseline, the reference's kernel and moments, the split),
    so a widget can redraw within its budget. Same numbers as :func:`measures`."""

    def __init__(self, f_ref, f_train, seed=0):
        self.ref, self.train, self.seed = np.asarray(f_ref, np.float64), np.asarray(f_train, np.float64), seed
        d_rr = np.sort(np.sqrt(_sq(self.ref, self.ref)), axis=1)
        self.r3, self.r5 = d_rr[:, 3], d_rr[:, 5]
        self.base = float(np.median(np.sqrt(_sq(self.ref, self.train).min(1))))
        n, d = self.ref.shape
        kxx = (self.ref @ self.ref.T / d + 1.0) ** 3
        self.kxx = (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
        self._split = {}

    def split(self, m):
        if m not in self._split:
            from sklearn.model_selection import train_test_split

            label = np.r_[np.zeros(len(self.ref)), np.ones(m)]
            a, b = train_test_split(np.arange(len(label)), test_size=0.5, stratify=label, random_state=self.seed)
            self._split[m] = (a, b, label)
        return self._split[m]

    def __call__(self, fake) -> dict:
        fake = evaluation.features_2d(fake, "fake")
        n, d = self.ref.shape
        m = len(fake)
        d_rf = np.sqrt(_sq(self.ref, fake))
        r3_fake = np.sqrt(np.partition(_sq(fake, fake), 3, axis=1)[:, 3])   # the same as sorting after the sqrt
        fit, score, label = self.split(m)
        z = np.concatenate([self.ref, fake])
        pred = label[fit][np.argmin(_sq(z[score], z[fit]), axis=1)]
        kyy = (fake @ fake.T / d + 1.0) ** 3
        kd = self.kxx + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * ((self.ref @ fake.T / d + 1.0) ** 3).mean()
        return {"precision": float((d_rf <= self.r3[:, None]).any(0).mean()),
                "recall": float((d_rf <= r3_fake[None, :]).any(1).mean()),
                "density": float((d_rf <= self.r5[:, None]).sum(0).mean() / 5),
                "coverage": float((d_rf.min(1) <= self.r5).mean()),
                "C2ST acc": float((pred == label[score]).mean()),
                "copy ratio": float(np.median(np.sqrt(_sq(fake, self.train).min(1)))) / self.base,
                "FD": evaluation.frechet_distance(self.ref, fake), "KD": float(kd)}


class BrokenSamples:
    """Left: 16 broken samples. Right: the bounded measures as bars; FD and KD in the title."""

    YMAX = 1.6

    def __init__(self, images, labels, reference, train, features, seed: int = 0):
        self.images, self.labels, self.train = np.asarray(images), np.asarray(labels), np.asarray(train)
        self.features, self.seed = features, seed
        self.f_ref, self.f_train = features(np.asarray(reference)), features(self.train)
        self.measure = FastMeasures(self.f_ref, self.f_train, seed)
        self.side = int(round(np.sqrt(self.images.shape[1])))
        self.fig, (self.ax_img, self.ax_bar) = figure(ncols=2, width=4.2, height=3.3)
        # zorder above the panel's title and frame: a redraw repaints the digits only (the frame's inner
        # half lies under them), 3-4 ms less per change
        self.im = self.ax_img.imshow(np.zeros((4 * self.side, 4 * self.side)), cmap="gray_r", vmin=0, vmax=1,
                                     zorder=3.5)
        self.ax_img.set_xticks([])
        self.ax_img.set_yticks([])
        self.ax_img.set_title("16 of the broken samples")
        self.bars = self.ax_bar.bar(range(len(BARS)), np.zeros(len(BARS)), color=P_COLOR, zorder=2)
        self.ax_bar.set_xticks(range(len(BARS)))
        self.ax_bar.set_xticklabels(BARS, rotation=35, ha="right")
        self.ax_bar.axhline(1.0, color="0.6", lw=0.8, ls=":")
        self.ax_bar.axhline(0.5, color=Q_COLOR, lw=0.8, ls=":")
        self.ax_bar.set_ylim(0, self.YMAX)
        self.labels_txt = [self.ax_bar.text(i, 0, "", ha="center", va="bottom", fontsize=9) for i in range(len(BARS))]
        self.title = self.ax_bar.set_title("FD 0000.0, KD 0000.00")
        freeze_layout(self.fig)
        self.update()
        self.dynamic = [self.im, *self.bars, *self.labels_txt, self.title]

    def update(self, blur: float = 0.0, classes: int = 10, copied: float = 0.0, noise: float = 0.0) -> dict:
        x = break_samples(self.images, self.labels, self.train, blur=blur, classes=classes, copied=copied,
                          noise=noise, seed=self.seed)
        m = self.measure(self.features(x))
        s = self.side
        self.im.set_data(x[:16].reshape(4, 4, s, s).transpose(0, 2, 1, 3).reshape(4 * s, 4 * s))
        for i, name in enumerate(BARS):
            shown = min(m[name], self.YMAX * 0.9)
            self.bars[i].set_height(shown)
            self.labels_txt[i].set_position((i, shown))
            self.labels_txt[i].set_text(f"{m[name]:.2f}")
        self.title.set_text(f"FD {m['FD']:.1f}, KD {m['KD']:.2f}")
        return m

    @staticmethod
    def random_state(rng) -> dict:
        return {"blur": float(rng.choice([0, 0.5, 1.5, 3])), "classes": int(rng.integers(1, 11)),
                "copied": float(rng.choice([0, 0.3, 1])), "noise": float(rng.choice([0, 0.1, 0.5]))}

    @classmethod
    def bench_instance(cls):
        """300 held-out mnist5k digits and features from a fixed random ReLU projection (no training)."""
        from .. import data

        ds = data.load("mnist5k", seed=0, verbose=False)
        proj = np.random.default_rng(0).normal(size=(ds.x_train.shape[1], 32)) / 28.0
        feats = lambda a: np.maximum(np.asarray(a, dtype=np.float64) @ proj, 0)
        x_te, y_te = as_numpy(ds.x_test), as_numpy(ds.y_test)
        return cls(x_te[1::2][:300], y_te[1::2][:300], x_te[0::2][:300], as_numpy(ds.x_train)[:1000], feats)
