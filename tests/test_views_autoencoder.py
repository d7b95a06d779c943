"""Views of lecture 04 driven through update(); what is drawn is compared with an oracle."""
from __future__ import annotations


import numpy as np
import pytest

from genlib.plots import audit, style
from genlib.views.autoencoder import Interpolation, LatentExplorer

rng = np.random.default_rng(0)
A = rng.normal(size=(64, 2))
B = rng.normal(size=64)


def decode(z):  # a known decoder: the oracle below recomputes it independently
    return 1.0 / (1.0 + np.exp(-(A @ z + B)))


@pytest.fixture(scope="module")
def explorer():
    style()
    codes = rng.normal(size=(300, 2))
    labels = rng.integers(0, 10, 300)
    return LatentExplorer(codes, labels, decode, (8, 8))


def test_explorer_draws_the_decoded_point(explorer):
    for z1, z2 in [(0.0, 0.0), (1.5, -2.0), (-3.0, 2.5)]:
        explorer.update(z1=z1, z2=z2)
        drawn = np.asarray(explorer.image.get_array())
        oracle = (1.0 / (1.0 + np.exp(-(A[:, 0] * z1 + A[:, 1] * z2 + B)))).reshape(8, 8)
        np.testing.assert_allclose(drawn, oracle, rtol=1e-12)
        xs, ys = explorer.marker.get_data()
        assert (float(xs[0]), float(ys[0])) == (z1, z2)
        assert f"({z1:.2f}, {z2:.2f})" in explorer.title.get_text()


def test_explorer_keeps_its_artists(explorer):
    image, marker, scatter = explorer.image, explorer.marker, explorer.scatter
    n_artists = len(explorer.ax_z.get_children()) + len(explorer.ax_x.get_children())
    explorer.update(**LatentExplorer.random_state(np.random.default_rng(1)))
    assert explorer.image is image and explorer.marker is marker and explorer.scatter is scatter
    assert len(explorer.ax_z.get_children()) + len(explorer.ax_x.get_children()) == n_artists


def test_explorer_colours_points_by_label():
    codes = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    view = LatentExplorer(codes, np.array([0, 1, 0]), decode, (8, 8))
    offsets = view.scatter.get_offsets()
    cols = view.scatter.get_facecolors()
    by_point = {tuple(o): tuple(c) for o, c in zip(np.asarray(offsets), cols)}
    assert by_point[(0.0, 0.0)] == by_point[(2.0, 0.0)] != by_point[(1.0, 1.0)]
    with pytest.raises(ValueError, match="shape"):
        LatentExplorer(np.zeros((5, 3)), np.zeros(5, int), decode, (8, 8))


def test_interpolation_shows_the_nearest_step():
    images = np.linspace(0, 1, 11)[:, None] * np.ones((11, 64))
    score = (np.linspace(0, 1, 11) - 0.5) ** 2
    view = Interpolation(images, score, (8, 8))
    for t in [0.0, 0.26, 0.5, 0.94, 1.0]:
        i = view.update(t=t)
        assert i == int(round(t * 10))
        np.testing.assert_allclose(np.asarray(view.image.get_array()), np.full((8, 8), i / 10))
        xs, ys = view.marker.get_data()
        assert float(xs[0]) == pytest.approx(i / 10) and float(ys[0]) == pytest.approx(score[i])


def test_random_states_are_valid_and_redraw_without_rebuilding(explorer):
    # speed is measured by benchmarks/widgets.py, not here
    r = np.random.default_rng(3)
    view = Interpolation(rng.uniform(size=(11, 64)), rng.uniform(size=11), (8, 8))
    for v, cls in [(explorer, LatentExplorer), (view, Interpolation)]:
        v.fig.canvas.draw()
        n_artists = len(v.fig.findobj())
        for _ in range(15):
            v.update(**cls.random_state(r))
            v.fig.canvas.draw()
        assert len(v.fig.findobj()) == n_artists
    st = Interpolation.random_state(r)
    assert 0 <= st["t"] <= 1
    b = LatentExplorer.bench_instance()
    b.update(**LatentExplorer.random_state(r))


def clustered_codes(n=600, k=10, seed=0):
    """Codes in k separated clusters, as a trained encoder gives them."""
    r = np.random.default_rng(seed)
    labels = r.integers(0, k, n)
    centres = 3.0 * np.stack([np.cos(np.arange(k)), np.sin(np.arange(k))], 1) * (1 + np.arange(k)[:, None] / k)
    return centres[labels] + 0.3 * r.normal(size=(n, 2)), labels


@pytest.mark.parametrize("make", [
    lambda: LatentExplorer.bench_instance(),
    lambda: LatentExplorer(*clustered_codes(), decode, (8, 8)),
    lambda: Interpolation.bench_instance(),
    lambda: Interpolation(rng.uniform(size=(11, 64)), rng.uniform(size=11), (8, 8)),
], ids=["explorer-bench", "explorer-clustered", "interpolation-bench", "interpolation-digits"])
def test_default_state_is_legible(make):
    style()
    view = make()
    assert audit(view.fig) == []


def test_explorer_labels_every_separated_class_and_no_colliding_one():
    style()
    codes, labels = clustered_codes()
    view = LatentExplorer(codes, labels, decode, (8, 8))
    assert sorted(t.get_text() for t in view.class_labels) == [str(k) for k in range(10)]
    square = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    crowded = LatentExplorer(np.tile(square, (10, 1)), np.repeat(np.arange(10), 4), decode, (8, 8))
    assert len(crowded.class_labels) == 1   # every class centred on (0, 0): one label is kept, the rest would overlap it


@pytest.mark.parametrize("cls", [LatentExplorer, Interpolation])
def test_views_blit_only_what_update_changes(cls):
    # update() changes exactly the artists listed in dynamic: the others are unchanged by a move
    style()
    view = cls.bench_instance()
    assert {id(a) for a in view.dynamic} >= {id(view.image), id(view.marker), id(view.title)}
    others = [a for ax in view.fig.axes for a in ax.get_children() if a not in view.dynamic]
    before = [repr(getattr(a, "get_offsets", getattr(a, "get_text", lambda: None))()) for a in others]
    view.update(**cls.random_state(np.random.default_rng(5)))
    after = [repr(getattr(a, "get_offsets", getattr(a, "get_text", lambda: None))()) for a in others]
    assert before == after
