"""Lecture 08's widget view, driven through update() and read back from the artists.

Oracles: scipy's gaussian_filter and cdist, scikit-learn's NearestNeighbors and the brute-force
definitions of precision, recall, density and coverage, never the view's own helpers."""

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter
from sklearn.neighbors import NearestNeighbors

from genlib import evaluation
from genlib.views.evaluation import BARS, BrokenSamples, FastMeasures, break_samples


def _toy(n=120, side=6, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    protos = rng.random((10, side * side))
    images = np.clip(protos[labels] + 0.1 * rng.normal(size=(n, side * side)), 0, 1)
    ref = np.clip(protos[np.arange(n) % 10] + 0.1 * rng.normal(size=(n, side * side)), 0, 1)
    train = np.clip(protos[np.arange(200) % 10] + 0.1 * rng.normal(size=(200, side * side)), 0, 1)
    return images, labels, ref, train


def _feats(a):
    return np.asarray(a, dtype=np.float64)[:, :8] * 3.0


def _radius(a, k):
    return NearestNeighbors(n_neighbors=k + 1).fit(a).kneighbors(a)[0][:, k]


def test_bars_are_the_measures_of_the_broken_sample():
    images, labels, ref, train = _toy()
    v = BrokenSamples(images, labels, ref, train, _feats)
    m = v.update(blur=0.0, classes=4, copied=0.0, noise=0.0)
    fake = _feats(images[labels < 4])                          # no refill needed? sizes differ: refilled
    got = _feats(break_samples(images, labels, train, classes=4))
    assert set(np.unique(np.round(got, 9), axis=0).tobytes() for _ in [0]) and len(got) == len(images)
    assert np.all(np.isin(np.round(got[:, 0], 9), np.round(fake[:, 0], 9)))
    r3 = _radius(_feats(ref), 3)
    d = np.linalg.norm(_feats(ref)[:, None] - got[None], axis=-1)
    assert m["precision"] == pytest.approx((d <= r3[:, None]).any(0).mean())
    assert m["coverage"] == pytest.approx((d.min(1) <= _radius(_feats(ref), 5)).mean())
    heights = [b.get_height() for b in v.bars]
    for i, name in enumerate(BARS):
        assert heights[i] == pytest.approx(min(m[name], v.YMAX * 0.9))
        assert v.labels_txt[i].get_text() == f"{m[name]:.2f}"
    assert v.title.get_text() == f"FD {m['FD']:.1f}, KD {m['KD']:.2f}"


def test_dropping_classes_lowers_recall_and_copies_lower_the_copy_ratio():
    images, labels, ref, train = _toy()
    v = BrokenSamples(images, labels, ref, train, _feats)
    clean = v.update()
    one = v.update(classes=1)
    assert one["recall"] < 0.3 < clean["recall"] and one["coverage"] < clean["coverage"]
    copied = v.update(copied=1.0)
    assert copied["copy ratio"] == 0.0 and clean["copy ratio"] > 0.5


def test_blur_and_noise_are_applied_as_described():
    images, labels, ref, train = _toy(side=6)
    out = break_samples(images, labels, train, blur=1.0)
    want = gaussian_filter(images.reshape(-1, 6, 6), sigma=(0, 1.0, 1.0)).reshape(len(images), -1)
    assert np.allclose(out, want)
    noisy = break_samples(images, labels, train, noise=0.2, seed=3)
    assert noisy.min() >= 0 and noisy.max() <= 1 and np.std(noisy - images) == pytest.approx(0.2, rel=0.3)
    assert np.array_equal(break_samples(images, labels, train), images)


def test_montage_shows_the_first_sixteen():
    images, labels, ref, train = _toy(side=6)
    v = BrokenSamples(images, labels, ref, train, _feats)
    v.update()
    shown = np.asarray(v.im.get_array())
    assert shown.shape == (24, 24)
    assert np.allclose(shown[:6, 6:12], images[1].reshape(6, 6))


def test_an_update_computes_nothing_that_depends_on_the_reference_alone(monkeypatch):
    """What keeps a slider move cheap, checked by structure, not by a clock (the widget's time, key press
    to picture, is benchmarked in the browser: benchmarks/browser.py): after construction an update
    measures distances only from the new samples, never the reference against itself."""
    from genlib.views import evaluation as views

    v = BrokenSamples.bench_instance()
    ref, train = v.measure.ref, v.measure.train
    calls = []
    real_sq = views._sq
    monkeypatch.setattr(views, "_sq", lambda a, b: (calls.append((a is ref, b is ref, b is train)), real_sq(a, b))[1])
    for state in ({"blur": 2.0}, {"classes": 3}, {"copied": 0.5}, {"noise": 0.3}):
        v.update(**state)
    # per update: reference x samples, samples x samples, the C2ST's 1-NN, samples x training set
    assert len(calls) == 4 * 4, calls
    assert not any(a_ref and b_ref for a_ref, b_ref, _ in calls)   # the reference's own radii were kept
    assert sum(b_train for *_, b_train in calls) == 4                # one look at the training set per update


@pytest.mark.parametrize("state", [{}, {"classes": 2}, {"copied": 0.6, "blur": 1.0}, {"noise": 0.3}])
def test_fast_measures_equal_genlib_references(state):
    images, labels, ref, train = _toy()
    fr, ft = _feats(ref), _feats(train)
    fake = _feats(break_samples(images, labels, train, **state))
    got = FastMeasures(fr, ft, seed=2)(fake)
    pr = evaluation.prdc(fr, fake)
    want = {"precision": pr["precision"], "recall": pr["recall"], "density": pr["density"], "coverage": pr["coverage"],
            "C2ST acc": evaluation.c2st(fr, fake, seed=2)["accuracy"], "copy ratio": evaluation.copy_ratio(fake, ft, fr),
            "FD": evaluation.frechet_distance(fr, fake), "KD": evaluation.kernel_distance(fr, fake)}
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-9, abs=1e-12), k
