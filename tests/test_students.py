"""Student builds (genlib.course students): solutions out, self-checks in, instructor copies untouched."""
from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from genlib import course
from genlib.exercises import BEGIN, END

ROOT = Path(__file__).resolve().parent.parent
LECTURES = ROOT / "lectures"

EXERCISE_1 = '''import numpy as np

def mean_square(x):
    """The mean of x**2."""
    ### BEGIN SOLUTION
    squares_secret_1 = np.square(np.asarray(x, dtype=float))
    return squares_secret_1.mean()
    ### END SOLUTION'''
CHECK_1 = '''genlib.exercises.verify("mean_square", mean_square, lambda x: np.mean(np.square(x)),
                        [np.arange(3.0), np.array([1.0, -2.0])],
                        mistakes={"average the squares: a mean, not a sum": lambda x: np.sum(np.square(x))})'''
EXERCISE_2 = '''### BEGIN SOLUTION
answer_secret_2 = 6 * 7
### END SOLUTION'''
CHECK_2 = '''genlib.exercises.verify("answer", lambda: answer_secret_2, lambda: 42, [()])'''


def fixture_lecture(path: Path) -> Path:
    nb = new_notebook(cells=[
        new_markdown_cell("# Fixture"),
        new_code_cell("SEED: int = 0  # an integer", metadata={"tags": ["parameters"]}),
        new_code_cell("import genlib, genlib.exercises\nP = genlib.validate(globals(), SEED=genlib.integer(min=0))"),
        new_code_cell("print('before the exercises')"),
        new_code_cell(EXERCISE_1, metadata={"tags": ["exercise"]}),
        new_code_cell(CHECK_1),
        new_code_cell(EXERCISE_2, metadata={"tags": ["exercise"]}),
        new_code_cell(CHECK_2),
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


def execute(nb, cwd):
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()


def exercise_cells(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and BEGIN in c.source]


def test_student_copy_of_a_fixture_stops_at_the_first_check_with_the_hint(tmp_path):
    lectures, out = tmp_path / "lectures", tmp_path / "students"
    lectures.mkdir()
    fixture_lecture(lectures / "01_fixture.ipynb")
    before = digest(lectures)
    assert course.main(["students", "--lectures-dir", str(lectures), "--out", str(out)]) == 0
    assert digest(lectures) == before  # the instructor copy is untouched

    teacher = nbformat.read(str(lectures / "01_fixture.ipynb"), 4)
    student = nbformat.read(str(out / "01_fixture.ipynb"), 4)
    text = "\n".join(c.source for c in student.cells)
    for line in solution_lines(teacher):
        assert line not in text, f"solution leaked: {line!r}"
    assert BEGIN not in text and END not in text
    assert student.cells[5].source == CHECK_1 and student.cells[7].source == CHECK_2  # self-checks kept
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None
               for c in student.cells if c.cell_type == "code")

    with pytest.raises(CellExecutionError) as err:
        execute(student, lectures)
    assert "mean_square: not done yet" in str(err.value)  # the self-check names what to do
    ran = [i for i, c in enumerate(student.cells) if c.cell_type == "code" and c.execution_count]
    assert ran == [1, 2, 3, 4, 5]  # everything up to the first exercise's check, then it stops
    assert "before the exercises" in student.cells[3].outputs[0]["text"]

    execute(teacher, lectures)  # the instructor copy passes every check
    checks = [teacher.cells[5], teacher.cells[7]]
    assert ["\u2714 mean_square: correct.\n", "\u2714 answer: correct.\n"] == [c.outputs[0]["text"] for c in checks]


def test_a_malformed_solution_region_is_reported(tmp_path, capsys):
    lectures = tmp_path / "lectures"
    lectures.mkdir()
    nb = new_notebook(cells=[new_code_cell("x = 1\n### BEGIN SOLUTION\ny = 2", metadata={"tags": ["exercise"]})])
    nbformat.write(nb, str(lectures / "01_bad.ipynb"))
    assert course.main(["students", "--lectures-dir", str(lectures), "--out", str(tmp_path / "s")]) == 2
    assert "01_bad: cell 0" in capsys.readouterr().err


def test_the_student_build_refuses_to_overwrite_the_instructor_copies(tmp_path, capsys):
    lectures = tmp_path / "lectures"
    lectures.mkdir()
    fixture_lecture(lectures / "01_fixture.ipynb")
    before = digest(lectures)
    assert course.main(["students", "--lectures-dir", str(lectures), "--out", str(lectures)]) == 2
    assert digest(lectures) == before


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("students")
    before = digest(LECTURES)
    assert course.main(["students", "--out", str(out)]) == 0
    assert digest(LECTURES) == before  # instructor copies untouched
    return out


def test_no_solution_text_leaks_from_any_lecture(real_build):
    names = course.discover(LECTURES)
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


def test_every_instructor_copy_passes_its_self_checks():
    # strict nbval reproduces these outputs, so reading them is reading a fresh run
    for path in sorted(LECTURES.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(str(path), 4)
        errors = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                  for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{path.name}: error output in cells {errors}"
        for i in exercise_cells(nb):
            after = next((c for c in nb.cells[i + 1:] if "verify(" in c.source), None)
            assert after is not None, f"{path.name}: exercise in cell {i} has no self-check after it"
            text = "".join(o.get("text", "") for o in after.get("outputs", []))
            assert "\u2714" in text, f"{path.name}: the self-check after cell {i} did not pass"


@pytest.mark.slow  # the one real lecture this file executes (its exercises sit near the end)
def test_student_copy_of_01_entropy_runs_to_its_first_exercise(real_build):
    student = nbformat.read(str(real_build / "01_entropy.ipynb"), 4)
    first = exercise_cells(nbformat.read(str(LECTURES / "01_entropy.ipynb"), 4))  # same cell indices
    if not first:
        pytest.skip("01_entropy has no exercise yet")
    check = next(j for j in range(first[0] + 1, len(student.cells)) if "verify(" in student.cells[j].source)
    student.cells = student.cells[: check + 1]  # nothing after the first self-check needs to run
    with pytest.raises(CellExecutionError) as err:
        execute(student, LECTURES)
    assert "not done yet" in str(err.value)  # the self-check's hint, not a crash elsewhere
    assert student.cells[check].execution_count  # it ran up to the check (the check is what failed)
    assert all(c.execution_count for c in student.cells[:first[0]] if c.cell_type == "code")
    assert "Exercise: replace this line" in student.cells[first[0]].source


def test_colab_folder_points_the_student_badge_at_the_published_copies(tmp_path):
    from genlib import colab

    lectures, out = tmp_path / "lectures", tmp_path / "students"
    lectures.mkdir()
    cfg = colab.config()
    nb = new_notebook(cells=[
        new_markdown_cell("# T\n\n" + colab.badge_markdown("01_t", **cfg)),
        new_code_cell(colab.setup_source(**cfg), metadata={"tags": ["setup"]}),
        new_code_cell(EXERCISE_2, metadata={"tags": ["exercise"]})])
    nbformat.write(nb, str(lectures / "01_t.ipynb"))
    assert course.main(["students", "--lectures-dir", str(lectures), "--out", str(out),
                        "--colab-folder", "students"]) == 0
    first = nbformat.read(str(out / "01_t.ipynb"), 4).cells[0].source
    assert colab.badge_url("01_t", folder="students", **cfg) in first
    assert colab.badge_url("01_t", **cfg) not in first  # no link to the copy with the solutions
