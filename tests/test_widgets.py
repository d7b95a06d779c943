"""The thin ipywidgets layer: controls drive the view, the image follows, nothing blocks."""
import base64

import ipywidgets as W
import numpy as np
import pytest

from genlib import plots, widgets
from genlib.plots import figure
from genlib.views.entropy import CoinEntropy


class LineView:
    def __init__(self):
        self.fig, self.ax = figure()
        self.line, = self.ax.plot([0, 1], [0, 0])
        self.ax.set_title("a line whose end follows the slider")
        self.calls = []

    def update(self, **state):
        self.calls.append(state)
        a = state.get("a", len(self.calls))
        self.line.set_ydata([0, a])
        self.ax.set_ylim(-1, 11)


def test_interactive_updates_view_and_image_on_every_change():
    view = LineView()
    a = W.FloatSlider(value=1.0, min=0, max=10)
    w = widgets.Interactive(view, {"a": a}, title="line")
    assert view.calls == [{"a": 1.0}]
    png0 = w.image.value
    assert png0[:8] == b"\x89PNG\r\n\x1a\n"
    a.value = 7.0
    assert view.calls[-1] == {"a": 7.0}
    assert list(view.line.get_ydata()) == [0, 7.0]
    assert w.image.value != png0
    w.set(a=2.0)
    assert view.calls[-1] == {"a": 2.0}


def png_size(data: bytes):
    from PIL import Image
    import io

    return Image.open(io.BytesIO(data)).size


def test_mimebundle_has_live_widget_static_png_and_stable_text():
    w = widgets.Interactive(LineView(), {"a": W.FloatSlider(value=1.0)}, title="line")
    bundle, meta = w._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == w.box.model_id
    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    text = bundle["text/plain"]
    assert text == "[line: run the cell in Jupyter to interact; the default state is shown]"  # strict nbval compares it
    assert "0x" not in text and w.box.model_id not in text


def test_static_png_is_retina_with_a_caption_and_shown_at_css_size():
    """The static picture (nbconvert, GitHub) is rendered at RATIO x the CSS size, carries a
    caption strip under the figure, and its metadata shows it at the figure's CSS size."""
    view = LineView()
    w = widgets.Interactive(view, {"a": W.FloatSlider(value=1.0)}, title="line")
    bundle, meta = w._repr_mimebundle_()
    png = base64.b64decode(bundle["image/png"])
    pw, ph = png_size(png)
    fw, fh = plots.css_size(view.fig)
    assert meta["image/png"]["width"] == fw == pytest.approx(pw / plots.RATIO, abs=1)
    assert meta["image/png"]["height"] == pytest.approx(ph / plots.RATIO, abs=1)
    assert meta["image/png"]["height"] > fh  # room for the caption under the figure
    assert "interactive when run in Jupyter" in w.caption and "line" in w.caption
    # the caption strip is not blank, and the figure above it is the widget's own picture
    from PIL import Image
    import io

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    live = np.asarray(Image.open(io.BytesIO(w.image.value)).convert("RGB")).astype(int)
    assert img.shape[1] == live.shape[1]
    np.testing.assert_array_equal(img[: live.shape[0]], live)
    strip = img[live.shape[0]:]
    assert (strip < 200).any(), "the caption strip is empty"


def test_ipython_displays_the_bundle_with_its_metadata():
    from IPython.core.formatters import DisplayFormatter

    w = widgets.Interactive(LineView(), {"a": W.FloatSlider(value=1.0)}, title="line")
    data, meta = DisplayFormatter().format(w)
    assert set(data) == {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"}
    assert meta["image/png"]["width"] == plots.css_size(w.view.fig)[0]


def test_image_is_fixed_to_the_figure_css_size_and_rendered_sharp():
    view = LineView()
    w = widgets.Interactive(view, {"a": W.FloatSlider(value=1.0)}, title="line")
    cw, ch = plots.css_size(view.fig)
    assert (cw, ch) == (round(view.fig.get_figwidth() * plots.DPI), round(view.fig.get_figheight() * plots.DPI))
    assert (w.image.layout.width, w.image.layout.height) == (f"{cw}px", f"{ch}px")
    assert w.image.layout.max_width == "100%"
    assert png_size(w.image.value) == (cw * plots.RATIO, ch * plots.RATIO)
    live = widgets.Live(LineView(), step=lambda n: None)
    assert live.image.layout.width == f"{cw}px"


def test_audit_runs_when_displayed_if_asked(monkeypatch):
    class Tiny(LineView):
        def __init__(self):
            super().__init__()
            self.ax.set_title("tiny text")
            self.ax.text(0.5, 5, "too small", fontsize=6)

    w = widgets.Interactive(Tiny(), {"a": W.FloatSlider(value=1.0)}, title="tiny")
    monkeypatch.delenv("GENLIB_FIGURE_AUDIT", raising=False)
    w._repr_mimebundle_()
    monkeypatch.setenv("GENLIB_FIGURE_AUDIT", "1")
    with pytest.raises(plots.FigureIllegible, match="too small"):
        w._repr_mimebundle_()


@pytest.mark.parametrize("deflater", ["isal", "zlib"])
def test_png_writer_round_trips(deflater, monkeypatch):
    from PIL import Image
    import io
    import sys

    if deflater == "zlib":  # the fallback where isal is not installed
        monkeypatch.setitem(sys.modules, "isal", None)
    else:
        pytest.importorskip("isal")

    rgba = (np.random.default_rng(0).random((23, 31, 4)) * 255).astype(np.uint8)
    back = Image.open(io.BytesIO(plots.encode_png(rgba)))
    assert back.mode == "RGBA" and np.array_equal(np.asarray(back), rgba)
    rgba[..., 3] = 255
    back = Image.open(io.BytesIO(plots.encode_png(rgba)))  # sent: as drawn
    assert back.mode == "RGBA" and np.array_equal(np.asarray(back), rgba)
    back = Image.open(io.BytesIO(plots.encode_png(rgba, stored=True)))  # kept: opaque, so RGB
    assert back.mode == "RGB" and np.array_equal(np.asarray(back), rgba[..., :3])


def test_live_steps_per_tick_and_step_button():
    steps = []
    view = LineView()
    live = widgets.Live(view, step=steps.append, steps_per_tick=4)
    live.play.value = 1          # a tick of the Play control
    live.step_button.click()     # the Step button
    live.advance(2)
    assert steps == [4, 4, 2]
    assert len(view.calls) == 4  # initial render + three redraws


def test_live_stops_on_divergence_and_says_why():
    def step(n):
        raise FloatingPointError("loss became nan; the learning rate may be too high")

    live = widgets.Live(LineView(), step=step)
    live.play.value = 1
    assert "learning rate" in live.status.value and live.error
    live.advance()  # a stopped trainer does nothing more
    if live.play.has_trait("playing"):
        assert live.play.playing is False


def test_live_controls_reach_the_model():
    got = []
    lr = W.FloatLogSlider(value=1e-3, base=10, min=-5, max=-1)
    widgets.Live(LineView(), step=lambda n: None, controls={"lr": lr}, on_control=lambda k, v: got.append((k, v)))
    lr.value = 1e-2
    assert got == [("lr", pytest.approx(1e-2))]


def test_coin_entropy_view_against_closed_form():
    v = CoinEntropy()
    for p in [0.0, 0.1, 0.5, 0.93, 1.0]:
        h = v.update(p=p)
        expected = 0.0 if p in (0, 1) else -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
        assert h == pytest.approx(expected, abs=1e-12)
        assert v.bars[0].get_height() == pytest.approx(p)
        assert list(v.marker.get_xdata()) == [p]


@pytest.mark.parametrize("course_style", [False, True])
@pytest.mark.parametrize("size,shape,ratio", [((6, 2.8), (28, 28), 2), ((3.1, 2.9), (28, 28), 1.5),
                                              ((5, 2), (28, 56), 1), ((2.3, 2.3), (8, 8), 2)])
def test_nearest_image_has_matplotlib_pixels(size, shape, ratio, course_style):
    """image_axes magnifies by indexing (plots.NearestImage); the picture is matplotlib's own
    nearest-neighbour image (the oracle: imshow in the same axes, with the same frame), up to a
    rounding tie on a pixel edge; under matplotlib's defaults and under the course's style."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    data = np.random.default_rng(1).random(shape)
    pictures = []
    with matplotlib.rc_context():
        if course_style:
            plots.style(retina=False)
        for ours in (True, False):
            fig = Figure(figsize=size, dpi=100 * ratio)
            FigureCanvasAgg(fig)
            ax = fig.add_subplot(1, 2, 2)
            if ours:
                im = plots.image_axes(ax, data)
                assert type(im) is plots.NearestImage
            else:
                ax.imshow(data, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
                plots.picture_frame(ax)  # the same frame; the image is what is compared
            fig.canvas.draw()
            pictures.append(np.asarray(fig.canvas.buffer_rgba()).copy())
    differ = (pictures[0] != pictures[1]).any(-1)
    assert differ.mean() < 0.002, f"{differ.sum()} pixels differ"
    rows, cols = np.nonzero(differ.any(1))[0], np.nonzero(differ.any(0))[0]
    assert len(rows) <= 1 or len(cols) <= 1  # at most one row or one column of pixels, on an edge
