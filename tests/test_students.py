"""Student copies (genlib.course.students): solutions out, self-checks in, links to student copies
only, Run All to the end, instructor copies untouched, committed copies in sync."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from genlib.course import cli, colab, registry, students
from genlib.course.students import BEGIN, END, STUB, strip_solutions

LECTURES = registry.LECTURES

EXERCISE_1 = '''import numpy as np

def mean_square(x):
    """The mean of x**2."""
    ### BEGIN SOLUTION
    squares_secret_1 = np.square(np.asarray(x, dtype=float))
    return squares_secret_1.mean()
    ### END SOLUTION'''
CHECK_1 = '''done_1 = genlib.exercises.verify("mean_square", mean_square, lambda x: np.mean(np.square(x)),
                                 [np.arange(3.0), np.array([1.0, -2.0])],
                                 mistakes={"average the squares: a mean, not a sum": lambda x: np.sum(np.square(x))})'''
AFTER_1 = '''ms = genlib.exercises.use(done_1, mean_square, lambda x: np.mean(np.square(x)), "mean_square")
print("mean square of 1, 2, 3:", ms(np.array([1.0, 2.0, 3.0])))'''
EXERCISE_2 = '''def answer():
    ### BEGIN SOLUTION
    answer_secret_2 = 6 * 7
    return answer_secret_2
    ### END SOLUTION'''
CHECK_2 = '''genlib.exercises.verify("answer", answer, lambda: 42, [()])'''


def fixture_lecture(path: Path) -> Path:
    cfg = colab.config()
    nb = new_notebook(cells=[
        new_markdown_cell("# Fixture\n\n" + colab.badge_markdown(path.stem, **cfg)),
        new_code_cell(colab.install_source(**cfg), metadata={"tags": ["install"]}),
        new_code_cell("SEED: int = 0  # an integer", metadata={"tags": ["parameters"]}),
        new_code_cell("import genlib, genlib.exercises\nP = genlib.validate(globals(), SEED=genlib.integer(min=0))"),
        new_code_cell("print('before the exercises')"),
        new_code_cell(EXERCISE_1, metadata={"tags": ["exercise"]}),
        new_code_cell(CHECK_1),
        new_code_cell(AFTER_1),
        new_code_cell(EXERCISE_2, metadata={"tags": ["exercise"]}),
        new_code_cell(CHECK_2),
        new_code_cell("print('the end')"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def solution_lines(nb) -> list[str]:
    lines = []
    for c in nb.cells:
        inside = False
        for ln in c.source.splitlines():
            s = ln.strip()
            if s.startswith(BEGIN):
                inside = True
            elif s.startswith(END):
                inside = False
            elif inside and s:
                lines.append(s)
    return lines


def outside_solutions(nb) -> set[str]:
    keep = set()
    for c in nb.cells:
        inside = False
        for ln in c.source.splitlines():
            s = ln.strip()
            inside = (inside or s.startswith(BEGIN)) and not s.startswith(END)
            if not inside:
                keep.add(s)
    return keep


def digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.ipynb"))}


def text_of(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


# ----------------------------------------------------------------- solution regions

def test_strip_solutions_keeps_indent_and_removes_every_solution_line():
    src = ("def f(x):\n"
           "    '''doc'''\n"
           "    ### BEGIN SOLUTION\n"
           "    y = secret_step(x)\n"
           "    return y\n"
           "    ### END SOLUTION\n"
           "\n"
           "print('kept')\n")
    out = strip_solutions(src)
    assert "secret_step" not in out and "return y" not in out
    assert f"    {STUB}\n" in out and "print('kept')" in out and "'''doc'''" in out
    ns = {}
    exec(out, ns)
    with pytest.raises(NotImplementedError):
        ns["f"](1)


@pytest.mark.parametrize("bad", [
    "### BEGIN SOLUTION\nx = 1\n",
    "x = 1\n### END SOLUTION\n",
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",
])
def test_unbalanced_markers_raise(bad):
    with pytest.raises(ValueError):
        strip_solutions(bad)


# ----------------------------------------------------------------- a fixture lecture

def test_a_student_copy_hides_solutions_points_at_student_copies_and_runs_to_the_end(tmp_path):
    lectures, out = tmp_path / "lectures", tmp_path / "students"
    lectures.mkdir()
    fixture_lecture(lectures / "01_fixture.ipynb")
    before = digest(lectures)
    assert cli.main(["students", "--lectures-dir", str(lectures), "--out", str(out)]) == 0
    assert digest(lectures) == before  # the instructor copy is untouched

    teacher = nbformat.read(str(lectures / "01_fixture.ipynb"), 4)
    student = nbformat.read(str(out / "01_fixture.ipynb"), 4)
    text = "\n".join(c.source for c in student.cells)
    for line in solution_lines(teacher):
        assert line not in text, f"solution leaked: {line!r}"
    assert BEGIN not in text and END not in text
    assert [student.cells[i].source for i in (6, 7, 9)] == [CHECK_1, AFTER_1, CHECK_2]  # self-checks kept
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None
               for c in student.cells if c.cell_type == "code")
    # the badge opens the student copy, never the one with the solutions
    cfg = colab.config()
    assert colab.badge_url("01_fixture", folder="lectures/students", **cfg) in student.cells[0].source
    assert colab.badge_url("01_fixture", **cfg) not in text

    # Run All on the student copy reaches the end: the checks say "not done yet", and the
    # cell that needs the student's function gets the reference instead
    NotebookClient(student, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(lectures)}}).execute()
    printed = text_of(student)
    assert "mean_square: not done yet" in printed and "answer: not done yet" in printed
    assert "the cells below use genlib's reference" in printed and "mean square of 1, 2, 3: 4.66" in printed
    assert printed.rstrip().endswith("the end")

    NotebookClient(teacher, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(lectures)}}).execute()
    checks = [teacher.cells[6], teacher.cells[9]]
    assert ["\u2714 mean_square: correct.\n", "\u2714 answer: correct.\n"] == [c.outputs[0]["text"] for c in checks]


def test_the_instructor_preview_lists_each_exercise(tmp_path, capsys):
    copies = tmp_path / "students"
    copies.mkdir()
    nb, _ = students.student_copy(nbformat.read(str(fixture_lecture(tmp_path / "01_fixture.ipynb")), 4),
                                  "01_fixture", colab.config())
    nbformat.write(nb, str(copies / "01_fixture.ipynb"))
    assert cli.main(["students", "--check", "--out", str(copies)]) == 0
    lines = capsys.readouterr().out.splitlines()
    lines = lines[next(i for i, ln in enumerate(lines) if ln.startswith("01_fixture: ran to the end")):]
    assert sorted(ln.split() for ln in lines[1:]) == [["not", "done", "yet", "answer"], ["not", "done", "yet", "mean_square"]]
    assert sorted(p.name for p in copies.iterdir()) == ["01_fixture.ipynb"]  # the preview writes nothing there


def test_a_malformed_solution_region_is_reported(tmp_path, capsys):
    lectures = tmp_path / "lectures"
    lectures.mkdir()
    nb = new_notebook(cells=[new_markdown_cell("# T"), new_code_cell("pass", metadata={"tags": ["install"]}),
                             new_code_cell("x = 1\n### BEGIN SOLUTION\ny = 2", metadata={"tags": ["exercise"]})])
    nbformat.write(nb, str(lectures / "01_bad.ipynb"))
    assert cli.main(["students", "--lectures-dir", str(lectures), "--out", str(tmp_path / "s")]) == 2
    assert "01_bad: cell 2" in capsys.readouterr().err
    # a region at the top level of a cell would stop Run All in the student copy: said plainly
    nb.cells[2].source = "x = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION"
    nbformat.write(nb, str(lectures / "01_bad.ipynb"))
    assert cli.main(["students", "--lectures-dir", str(lectures), "--out", str(tmp_path / "s")]) == 0
    assert "01_bad: cell 2: a solution region at the top level of a cell stops Run All" in capsys.readouterr().err


def test_the_student_build_refuses_to_overwrite_the_instructor_copies(tmp_path):
    lectures = tmp_path / "lectures"
    lectures.mkdir()
    fixture_lecture(lectures / "01_fixture.ipynb")
    before = digest(lectures)
    assert cli.main(["students", "--lectures-dir", str(lectures), "--out", str(lectures)]) == 2
    assert digest(lectures) == before


# ----------------------------------------------------------------- the real lectures

@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("students")
    before = digest(LECTURES)
    assert cli.main(["students", "--out", str(out)]) == 0
    assert digest(LECTURES) == before  # instructor copies untouched
    return out


def test_the_committed_student_copies_match_the_instructor_notebooks():
    names = registry.lectures()
    assert registry.discover(registry.STUDENTS) == names, "one student copy per lecture"
    stale = students.out_of_date(names)
    assert not stale, f"rebuild the student copies: python -m genlib.course students ({', '.join(stale)})"


def test_no_solution_text_leaks_from_any_lecture(real_build):
    names = registry.lectures()
    assert {p.stem for p in real_build.glob("*.ipynb")} == set(names)
    for name in names:
        teacher = nbformat.read(str(LECTURES / f"{name}.ipynb"), 4)
        student = nbformat.read(str(real_build / f"{name}.ipynb"), 4)
        shared = outside_solutions(teacher)  # a line that also stands outside a solution is no leak
        text = {ln.strip() for c in student.cells for ln in c.source.splitlines()}
        leaks = [ln for ln in solution_lines(teacher) if ln not in shared and ln in text]
        assert not leaks, f"{name}: solution lines in the student copy: {leaks}"
        assert len(student.cells) == len(teacher.cells)
        assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")


def test_every_student_copy_links_to_student_copies_only():
    """The fault: every student copy's Colab badge opened the instructor notebook, with its solutions."""
    cfg = colab.config()
    instructor = re.compile(r"/lectures/\d\d_\w+\.ipynb")
    for name in registry.lectures():
        nb = nbformat.read(str(registry.STUDENTS / f"{name}.ipynb"), 4)
        text = "\n".join(c.source for c in nb.cells)
        assert colab.badge_url(name, folder="lectures/students", **cfg) in nb.cells[0].source, name
        assert not instructor.findall(text), f"{name} links to an instructor notebook: {instructor.findall(text)}"
        install = [c for c in nb.cells if set(colab.TAGS) & set(c.metadata.get("tags", []))]
        assert len(install) == 1 and install[0].source == colab.install_source(**cfg), name
        assert nb.metadata["genlib"]["student_copy"] is True


def test_every_instructor_copy_passes_its_self_checks():
    # strict nbval reproduces these outputs, so reading them is reading a fresh run
    for path in sorted(LECTURES.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(str(path), 4)
        errors = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                  for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{path.name}: error output in cells {errors}"
        for i in [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and BEGIN in c.source]:
            after = next((c for c in nb.cells[i + 1:] if "verify(" in c.source or "exercises.check(" in c.source), None)
            assert after is not None, f"{path.name}: exercise in cell {i} has no self-check after it"
            text = "".join(o.get("text", "") for o in after.get("outputs", []))
            assert "\u2714" in text, f"{path.name}: the self-check after cell {i} did not pass"

