"""The widget renderer draws exactly what a full draw would, for every view."""
import numpy as np
import pytest

from genlib import plots
from genlib.plots import Renderer, style
from genlib.views import all_views, instance

VIEWS = all_views()


def full_draw(view, dynamic):
    for a in dynamic:
        a.set_animated(False)
    view.fig.canvas.draw()
    img = np.asarray(view.fig.canvas.buffer_rgba()).copy()
    for a in dynamic:
        a.set_animated(True)
    return img


@pytest.mark.parametrize("cls", [v[2] for v in VIEWS], ids=[f"{m}.{n}" for m, n, _ in VIEWS])
def test_renderer_matches_a_full_draw(cls):
    style()
    rng = np.random.default_rng(1)
    view = instance(cls)
    dynamic = list(getattr(view, "dynamic", ()))
    renderer = Renderer(view.fig, dynamic)
    for _ in range(4):
        view.update(**cls.random_state(rng))
        fast = renderer.rgba()
        ref = full_draw(view, renderer.dynamic)
        differs = np.any(fast != ref, axis=-1).mean()
        assert differs == 0, f"{differs:.2%} of the pixels differ: an artist that update() changes is not in dynamic"


@pytest.mark.parametrize("cls", [v[2] for v in VIEWS], ids=[f"{m}.{n}" for m, n, _ in VIEWS])
def test_views_render_sharp_at_their_css_size(cls):
    """A widget's PNG has RATIO device pixels per CSS pixel; the CSS size is DPI px per figure inch."""
    style()
    view = instance(cls)
    w, h = plots.css_size(view.fig)
    assert (w, h) == (round(view.fig.get_figwidth() * plots.DPI), round(view.fig.get_figheight() * plots.DPI))
    img = Renderer(view.fig, getattr(view, "dynamic", ())).rgba()
    # within a pixel: matplotlib < 3.11 truncates the canvas size (8.7 in x 200 dpi -> 1739 px)
    assert abs(img.shape[0] - h * plots.RATIO) <= 1 and abs(img.shape[1] - w * plots.RATIO) <= 1


def test_renderer_redraws_its_background_when_the_resolution_changes():
    from genlib.views.entropy import CoinEntropy

    style()
    view = CoinEntropy()
    renderer = Renderer(view.fig, getattr(view, "dynamic", ()))
    view.update(p=0.3)
    sharp = renderer.rgba()
    view.fig.set_dpi(plots.DPI)
    view.update(p=0.3)
    plain = renderer.rgba()
    assert round(plain.shape[0] * plots.RATIO) == sharp.shape[0]
    ref = full_draw(view, renderer.dynamic)
    assert np.array_equal(plain, ref)
