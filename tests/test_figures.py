"""The figure audit (genlib.plots.audit) on small synthetic figures, one that must pass
and one that must fail for each rule; then every widget view's figure, in its
default state and after random states.

The audit reads matplotlib's own extents after a full draw; no pixels are compared.
"""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from genlib import plots
from genlib.plots import FigureIllegible, audit, check_legible, style


@pytest.fixture(autouse=True)
def course_style():
    style()


def fig_of(ncols=1, nrows=1, size=(4.0, 3.0), layout="constrained", dpi=plots.DPI, title="a title", **kw):
    fig = Figure(figsize=size, layout=layout, dpi=dpi)
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    if title:
        fig.suptitle(title)
    return fig, axes.ravel()


def kinds(problems):
    """The rules a list of problems breaks, as short names."""
    out = set()
    for p in problems:
        if " pt (at least" in p:
            out.add("size")
        elif p.startswith("texts "):
            out.add("overlap")
        elif "covers text" in p:
            out.add("legend-text")
        elif "sits on the data" in p:
            out.add("legend-data")
        elif "no title" in p:
            out.add("title")
        elif "cut off" in p:
            out.add("cut")
        elif "in wide as shown" in p:
            out.add("width")
        else:  # pragma: no cover - a new rule needs a name here
            out.add(p)
    return out


def line_figure(**kw):
    fig, (ax,) = fig_of(**kw)
    x = np.linspace(0, 10, 200)
    ax.plot(x, np.sin(x), label="sin")
    ax.plot(x, np.cos(x), label="cos")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return fig, ax


# ----------------------------------------------------------------- a clean figure


@pytest.mark.parametrize("dpi", [plots.DPI, plots.DPI * plots.RATIO])
def test_a_clean_figure_passes_at_any_resolution(dpi):
    fig, ax = line_figure(dpi=dpi)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    assert audit(fig) == []
    assert audit(fig, widget=True) == []


# ----------------------------------------------------------------- text size


def test_text_under_9_pt_fails_and_9_pt_passes():
    fig, ax = line_figure()
    ax.tick_params(labelsize=9)
    assert "size" not in kinds(audit(fig))
    ax.tick_params(labelsize=7)
    problems = audit(fig)
    assert "size" in kinds(problems) and any("7 pt" in p for p in problems)


def test_only_drawn_text_counts():
    """Tick labels outside the view limits, invisible text and text clipped away are not asked for."""
    fig, ax = line_figure()
    ax.text(50, 50, "far outside, clipped", fontsize=5, clip_on=True)
    ax.text(0.5, 0.5, "hidden", fontsize=5, visible=False)
    assert audit(fig) == []


def test_a_widget_renderer_does_not_hide_its_artists_from_the_audit():
    """A Renderer marks what update() changes (and what lies over it) as animated, which a
    full draw leaves out; the audit still reads those texts, and leaves them animated."""
    fig, ax = line_figure()
    small = ax.text(1, 0, "small dynamic text", fontsize=7)
    renderer = plots.Renderer(fig, [small, ax.lines[0]])
    renderer.draw()
    assert "size" in kinds(audit(fig, widget=True))
    assert small.get_animated()
    before = renderer.rgba()
    assert np.array_equal(renderer.rgba(), before)


# ----------------------------------------------------------------- overlapping text


def test_overlapping_texts_fail_separate_texts_pass():
    fig, ax = line_figure()
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.text(1, -0.5, "first label", fontsize=10)
    ax.text(6, -0.5, "second label", fontsize=10)
    assert audit(fig) == []
    ax.text(1.3, -0.5, "third label", fontsize=10)
    assert kinds(audit(fig)) == {"overlap"}


def test_suptitle_on_an_axes_title_fails():
    fig, (ax,) = fig_of(layout=None, title="")
    ax.plot([0, 1], [0, 1])
    ax.set_title("the axes title")
    fig.suptitle("the figure title", y=0.92)   # no layout engine: it lands on the axes title
    assert "overlap" in kinds(audit(fig))
    fig.suptitle("the figure title", y=0.99)
    fig.subplots_adjust(top=0.8)
    assert "overlap" not in kinds(audit(fig))


def test_rotated_tick_labels_are_judged_by_their_rotated_rectangle():
    """45-degree labels whose axis-aligned boxes overlap, but whose text does not, pass;
    labels crammed so that the text itself collides fail."""
    names = [f"category {i}" for i in range(8)]
    fig, (ax,) = fig_of(size=(4.5, 3.5))
    ax.bar(names, np.arange(8) + 1)
    ax.tick_params(axis="x", labelrotation=45)
    # the premise: the boxes around neighbouring labels overlap
    fig.canvas.draw()
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    r = fig.canvas.get_renderer()
    assert labels[0].get_window_extent(r).overlaps(labels[1].get_window_extent(r))
    assert audit(fig) == []
    crammed, (ax2,) = fig_of(size=(2.4, 3.5))
    ax2.bar(names, np.arange(8) + 1)
    ax2.tick_params(axis="x", labelrotation=20)
    assert "overlap" in kinds(audit(crammed))


def test_an_annotation_counts_its_text_not_its_arrow():
    fig, ax = line_figure(size=(5, 3.5))
    ax.set_ylim(-1.5, 2.5)
    ax.text(4.4, 1.6, "a note", fontsize=10)
    # the arrow runs from (8, 2) across the note's box region to (1, 0.8); its text sits far away
    ax.annotate("peak", xy=(1.6, 1.0), xytext=(8, 2.0), arrowprops=dict(arrowstyle="->"))
    assert audit(fig) == []
    ax.annotate("on the note", xy=(1.6, 1.0), xytext=(4.6, 1.6), arrowprops=dict(arrowstyle="->"))
    assert kinds(audit(fig)) == {"overlap"}


def test_tight_and_constrained_layouts_pass_where_no_layout_fails():
    def grid(layout):
        fig, axes = fig_of(2, 2, size=(5, 4), layout=layout)
        for i, ax in enumerate(axes):
            ax.plot([0, 1e4], [0, 1e4])
            ax.set_title(f"panel {i} title")
            ax.set_xlabel("a long x label")
            ax.set_ylabel("a long y label")
        return fig

    assert "overlap" in kinds(audit(grid(None)))
    assert audit(grid("constrained")) == []
    assert audit(grid("tight")) == []


def test_twin_axes_tick_labels_do_not_collide():
    fig, (ax,) = fig_of(size=(5, 3))
    ax.plot([0, 1], [0, 100], color="C0")
    ax.set_ylabel("left")
    tw = ax.twinx()
    tw.plot([0, 1], [1, 0], color="C1")
    tw.set_ylabel("right")
    assert audit(fig) == []


def test_colorbar_passes():
    fig, (ax,) = fig_of(size=(4.5, 3.5))
    im = ax.imshow(np.arange(100.0).reshape(10, 10))
    fig.colorbar(im, ax=ax, label="value")
    assert audit(fig) == []


# ----------------------------------------------------------------- legends


def test_legend_on_a_text_fails():
    fig, ax = line_figure()
    ax.set_ylim(-1.2, 3)
    ax.legend(loc="upper right")
    ax.text(9.5, 2.8, "note", ha="right", va="top")
    assert "legend-text" in kinds(audit(fig))
    fig2, ax2 = line_figure()
    ax2.set_ylim(-1.2, 3)
    ax2.legend(loc="upper right")
    ax2.text(0.5, 2.8, "note", va="top")
    assert audit(fig2) == []


def test_legend_on_lines_fails_and_a_legend_in_empty_space_passes():
    fig, ax = line_figure()
    ax.legend(loc="center")   # on the curves
    assert kinds(audit(fig)) == {"legend-data"}
    fig2, ax2 = line_figure()
    ax2.set_ylim(-1.1, 2.6)
    ax2.legend(loc="upper center", ncols=2)   # above the curves
    assert audit(fig2) == []


def test_a_line_segment_under_the_legend_counts_not_only_its_vertices():
    fig, (ax,) = fig_of()
    ax.plot([0, 10], [0, 10], label="diagonal")   # two vertices, far from the legend
    ax.legend(loc="center")
    assert "legend-data" in kinds(audit(fig))


def test_data_clipped_outside_the_axes_does_not_count_for_a_legend_outside():
    fig, (ax,) = fig_of(size=(5, 3))
    ax.plot([0, 30], [0, 0.5], label="runs past the view")
    ax.set_xlim(0, 10)
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    assert audit(fig) == []


def test_legend_on_a_twin_axes_data_fails():
    fig, (ax,) = fig_of(size=(5, 3))
    ax.plot([0, 1], [0, 0.1], color="C0", label="low")
    ax.set_ylim(0, 1)
    tw = ax.twinx()
    tw.plot([0, 1], [0.5, 0.5], color="C1")   # through the middle, where the legend sits
    tw.set_ylim(0, 1)
    ax.legend(loc="center")
    assert "legend-data" in kinds(audit(fig))
    ax.legend(loc="upper left")
    assert audit(fig) == []


def test_legend_inside_a_bar_and_inside_a_band_fails():
    fig, (ax,) = fig_of()
    ax.bar([0], [10], width=1.0, label="tall bar")
    ax.set_xlim(-0.6, 2)
    ax.legend(loc="center left", bbox_to_anchor=(0.05, 0.5))   # inside the bar, no corner under it
    assert "legend-data" in kinds(audit(fig))
    fig2, (ax2,) = fig_of()
    x = np.linspace(0, 1, 50)
    ax2.fill_between(x, -1, 1, alpha=0.3, label="band")
    ax2.set_ylim(-1, 3)
    ax2.legend(loc="center")
    assert "legend-data" in kinds(audit(fig2))
    ax2.legend(loc="upper center")
    assert audit(fig2) == []


def test_legend_on_an_image_fails_a_span_is_not_data():
    fig, (ax,) = fig_of()
    ax.imshow(np.random.default_rng(0).random((20, 20)))
    ax.plot([0, 5], [0, 5], label="path")
    ax.legend(loc="upper right")
    assert "legend-data" in kinds(audit(fig))
    fig2, ax2 = line_figure()
    ax2.set_ylim(-1.1, 2.6)
    ax2.axvspan(3, 7, color="0.9", label="region")
    ax2.axhline(2.3, color="k", lw=0.5)
    ax2.legend(loc="upper center", ncols=3)
    problems = audit(fig2)
    # the span under the legend is not data; the horizontal line through it is
    assert kinds(problems) == {"legend-data"}
    ax2.lines[-1].remove()
    assert audit(fig2) == []


def test_figure_legend_outside_passes_and_over_the_data_fails():
    fig, ax = line_figure(size=(4, 3.5))
    fig.legend(loc="outside lower center", ncols=2)
    assert audit(fig) == []
    fig2, ax2 = line_figure()
    fig2.legend(loc="center")
    assert "legend-data" in kinds(audit(fig2))


def test_a_second_legend_added_as_an_artist_is_checked():
    fig, ax = line_figure()
    ax.set_ylim(-1.1, 2.6)
    first = ax.legend(handles=ax.lines[:1], loc="upper left")
    ax.add_artist(first)
    ax.legend(handles=ax.lines[1:], loc="lower center")   # on the curves
    assert "legend-data" in kinds(audit(fig))


# ----------------------------------------------------------------- title, edges, width


def test_a_figure_needs_a_title():
    fig, ax = line_figure(title="")
    assert kinds(audit(fig)) == {"title"}
    ax.set_title("sine and cosine")
    assert audit(fig) == []


def test_text_cut_off_by_the_edge_fails_for_a_widget_only():
    fig, ax = line_figure()
    fig.text(0.98, 0.5, "a note past the right edge")
    assert "cut" in kinds(audit(fig, widget=True))
    assert "cut" not in kinds(audit(fig))   # a static figure is cropped to what it draws


def test_too_wide_a_figure_fails():
    fig, _ = line_figure(size=(12, 3))
    assert kinds(audit(fig)) == {"width"}
    fig2, _ = line_figure(size=(9.5, 3))
    assert audit(fig2) == []


def test_check_legible_names_the_figure_and_its_problems():
    fig, ax = line_figure()
    ax.legend(loc="center")
    with pytest.raises(FigureIllegible, match="(?s)figure 1 'a title'.*sits on the data"):
        check_legible(fig, "figure 1")


def test_the_verdict_does_not_depend_on_the_resolution():
    for dpi in (72, plots.DPI, plots.DPI * plots.RATIO):
        fig, ax = line_figure(dpi=dpi)
        ax.legend(loc="center")
        ax.tick_params(labelsize=8)
        assert kinds(audit(fig)) == {"legend-data", "size"}, dpi


# ----------------------------------------------------------------- every view


def view_params():
    from genlib.views import all_views

    return [pytest.param(cls, id=f"{m}.{n}") for m, n, cls in all_views()]


@pytest.mark.parametrize("cls", view_params())
def test_every_view_is_legible_by_default_and_after_random_states(cls):
    from genlib.views import instance

    rng = np.random.default_rng(7)
    view = instance(cls)
    found = [f"default state: {p}" for p in audit(view.fig, widget=True)]
    for i in range(3):
        state = cls.random_state(rng)
        view.update(**state)
        found += [f"random state {i} ({', '.join(sorted(state))}): {p}" for p in audit(view.fig, widget=True)]
    assert not found, "\n".join(dict.fromkeys(found))


def test_plt_show_in_a_kernel_audits_through_a_backend_and_replaces_nothing():
    """In a Jupyter kernel with GENLIB_FIGURE_AUDIT=1, genlib.setup picks the auditing inline backend
    (matplotlib's own switch); plt.show and Text.draw stay matplotlib's, a legible figure is shown
    as before, an illegible one fails its cell."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [
        "import os\nos.environ['GENLIB_FIGURE_AUDIT'] = '1'\n"
        "import matplotlib, matplotlib.pyplot as plt\nfrom matplotlib.text import Text\nimport genlib\n"
        "show, draw = plt.show, Text.draw\nbefore = matplotlib.get_backend()\n"
        "rt = genlib.setup('cpu', 0, quiet=True)\n"
        "print(before, matplotlib.get_backend(), plt.show is show, Text.draw is draw)",
        "fig, ax = plt.subplots(figsize=(4, 3))\nax.plot([0, 1], [0, 1])\nax.set_title('a legible figure')\nplt.show()",
        "fig, ax = plt.subplots(figsize=(4, 3))\nax.plot([0, 1], [0, 1])\nax.set_title('a title in 5 pt', fontsize=5)\n"
        "plt.show()",
        "print(Text.draw is draw, plt.show is show, len(plt.get_fignums()))",
    ]
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    out = [c.outputs for c in nb.cells]
    assert out[0][0]["text"].split() == ["module://matplotlib_inline.backend_inline",
                                         "module://genlib.plots.audited_inline", "True", "True"]
    assert [o["output_type"] for o in out[1]] == ["display_data"] and "image/png" in out[1][0]["data"]
    (err,) = [o for o in out[2] if o["output_type"] == "error"]
    assert err["ename"] == "FigureIllegible" and "5 pt (at least 9 pt)" in err["evalue"]
    assert out[3][0]["text"].split()[:2] == ["True", "True"]
