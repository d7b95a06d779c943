"""How a lecture becomes a web page (genlib/course/site.py), without Sphinx or a browser:
launch buttons on the student copy, exercises folded, widgets as their picture, the install
cell left out, formulas kept whole, and the lecture list taken from the course's own list
(a lecture added to it gets its page with no change to the site). tests/test_site.py builds
the real site and reads it in Chromium."""
from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from genlib.course import colab, registry, site, students

CFG = {"repository": "someone/course", "ref": "v9"}


def lecture(name="09_extra"):
    install = new_code_cell("# Set-up: on Colab this installs the course library", metadata={"tags": ["install"]})
    exercise = new_code_cell(f"def f(x):\n    {students.BEGIN}\n    return 2 * x\n    {students.END}",
                             metadata={"tags": ["exercise"]})
    widget = new_code_cell("view", outputs=[new_output("display_data", data={
        site.WIDGET_MIME: {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "image/png": "iVBORw0KGgo=", "text/plain": "[coin entropy: run the cell in Jupyter to interact]"},
        metadata={"image/png": {"width": 500, "height": 300}})])
    return new_notebook(cells=[
        new_markdown_cell(f"# Lecture 9 - Something new\n\n{colab.badge_markdown(name, 'x/y', 'main')}\n\nText."),
        install,
        new_markdown_cell("so $h = \\tfrac12\\log(2\\pi\\sigma^2)\n+ \\frac{x^2}{2}$ holds\n\n+ a list\n+ of two\n\n"
                          "```diff\n- old\n+ new\n```"),
        exercise, new_code_cell("exercises.check(...)"), widget])


def test_the_badge_becomes_launch_buttons_on_the_student_copy():
    page = site.page_notebook(lecture(), "09_extra", CFG)
    first = page.cells[0].source
    assert "colab-badge.svg" not in first and "Open In Colab" not in first
    assert 'href="https://colab.research.google.com/github/someone/course/blob/v9/lectures/students/09_extra.ipynb"' \
        in first
    assert 'href="https://mybinder.org/v2/gh/someone/course/v9?urlpath=lab/tree/lectures/students/09_extra.ipynb"' \
        in first
    assert 'href="../students/09_extra.ipynb" download' in first
    assert site.title_of(lecture()) == "Something new"


def test_exercises_show_the_stub_then_the_solution_folded():
    page = site.page_notebook(lecture(), "09_extra", CFG)
    code = [c for c in page.cells if c.cell_type == "code"]
    assert not any("install" in c.metadata.get("tags", []) for c in code), "the install cell is left out"
    stub, solution = code[0], code[1]
    assert stub.metadata.tags == ["exercise"] and "NotImplementedError" in stub.source
    assert "return 2 * x" not in stub.source
    assert set(solution.metadata.tags) == {"solution", "hide-input"}
    assert "return 2 * x" in solution.source and "SOLUTION" not in solution.source
    assert code[2].source == "exercises.check(...)"


def test_a_widget_shows_its_picture_and_a_caption_never_a_placeholder():
    page = site.page_notebook(lecture(), "09_extra", CFG)
    outputs = page.cells[-1].outputs
    assert [list(o.data) for o in outputs] == [["image/png"], ["text/html"]]
    assert outputs[0].metadata == {"image/png": {"width": 500, "height": 300}}
    assert "Interactive in Jupyter" in outputs[1].data["text/html"] and "coin entropy" in outputs[1].data["text/html"]
    broken = new_notebook(cells=[new_markdown_cell("# T"), new_code_cell("w", outputs=[new_output(
        "display_data", data={site.WIDGET_MIME: {"model_id": "a"}, "text/plain": "x"})])])
    with pytest.raises(ValueError, match="static picture"):
        site.page_notebook(broken, "x", CFG)


def test_a_formula_line_starting_with_plus_stays_in_its_paragraph_and_lists_stay_lists():
    page = site.page_notebook(lecture(), "09_extra", CFG)
    text = page.cells[1].source
    assert "\\sigma^2) + \\frac{x^2}{2}$ holds" in text
    assert "\n\n+ a list\n+ of two" in text
    assert "- old\n+ new\n```" in text, "a fenced block is left as it is"


def test_the_committed_notebook_is_not_changed():
    nb = lecture()
    before = json.dumps(nb, sort_keys=True)
    site.page_notebook(nb, "09_extra", CFG)
    assert json.dumps(nb, sort_keys=True) == before


def test_a_lecture_added_to_the_course_gets_its_page(tmp_path, monkeypatch):
    lectures, copies = tmp_path / "lectures", tmp_path / "lectures" / "students"
    copies.mkdir(parents=True)
    first = registry.lectures()[0]
    shutil.copy(registry.LECTURES / f"{first}.ipynb", lectures / f"{first}.ipynb")
    shutil.copy(registry.STUDENTS / f"{first}.ipynb", copies / f"{first}.ipynb")
    nbformat.write(lecture(), lectures / "09_extra.ipynb")
    nbformat.write(lecture(), copies / "09_extra.ipynb")
    monkeypatch.setattr(registry, "LECTURES", lectures)
    monkeypatch.setattr(registry, "STUDENTS", copies)
    monkeypatch.setattr(registry, "lectures", lambda: [first, "09_extra"])
    monkeypatch.setattr(site, "_copy_mathjax", lambda dest: None)
    src = site.stage(tmp_path / "work", CFG)
    assert sorted(p.name for p in (src / "lectures").iterdir()) == [f"{first}.ipynb", "09_extra.ipynb"]
    table = (src / "_generated" / "lectures.md").read_text()
    assert "{doc}`Something new <lectures/09_extra>`" in table and table.index(first) < table.index("09_extra")
    assert "lectures/09_extra" in table.split("```{toctree}")[1]
    assert (src / "_extra" / "students" / "09_extra.ipynb").is_file()
    assert (tmp_path / "work" / "CONTRIBUTING.md").is_file() and (tmp_path / "work" / "benchmarks" / "RESULTS.md").is_file()


def test_a_missing_notebook_or_mathjax_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "lectures", lambda: ["09_missing"])
    with pytest.raises(registry.UsageError, match="genlib.course build 09_missing"):
        site.stage(tmp_path / "work", CFG)
    monkeypatch.setattr(site, "MATHJAX", tmp_path / "nowhere")
    with pytest.raises(registry.UsageError, match="make site-deps"):
        site._copy_mathjax(tmp_path / "mj")
