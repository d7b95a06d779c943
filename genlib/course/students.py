"""Student copies: every solution stubbed out, outputs cleared, links to student copies only.

An exercise cell (tagged ``exercise``) holds its solution between two marker lines::

    def entropy_bits(p):
        ### BEGIN SOLUTION
        return -(p * np.log2(p)).sum()
        ### END SOLUTION

The student copy replaces the region with a stub that raises ``NotImplementedError``;
``genlib.exercises.check`` then says "not done yet" and Run All goes on to the end.

The copies live in ``lectures/students/`` and are committed, built from the instructor
notebooks (``python -m genlib.course students``; ``build`` writes them too), and kept in
sync by ``tests/test_students.py``, so Colab and Binder open them at the pinned ref. Their
Colab badges point at ``lectures/students/NN_name.ipynb``, never at a copy with
solutions. ``students --check`` executes every copy and lists each exercise as
"not done yet" or "done" (from the run record's ``exercises``).
"""
from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

from . import colab
from .registry import LECTURES, ROOT, STUDENTS, UsageError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = 'raise NotImplementedError("Exercise: replace this line with your solution, then run the check below.")'
# A Colab or Binder link to an instructor notebook (lectures/NN_name.ipynb).
_INSTRUCTOR_LINK = re.compile(r"(colab\.research\.google\.com/github/[^)\s\"'>]+?/blob/[^)\s\"'>/]+/lectures/)"
                              r"(\d\d_\w+\.ipynb)")


def strip_solutions(source: str) -> str:
    """Replace every solution region in ``source`` with an indented stub."""
    out, inside, indent = [], False, ""
    for line in source.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if inside:
                raise ValueError("nested '### BEGIN SOLUTION'")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + STUB + "\n")
            continue
        if stripped.startswith(END):
            if not inside:
                raise ValueError("'### END SOLUTION' without a BEGIN")
            inside = False
            continue
        if not inside:
            out.append(line)
    if inside:
        raise ValueError("'### BEGIN SOLUTION' without an END")
    return "".join(out)


def folder_in_repository(folder: Path = STUDENTS) -> str:
    """``lectures/students``: where the copies are published, relative to the checkout."""
    try:
        return Path(folder).resolve().relative_to(ROOT.resolve()).as_posix()
    except ValueError:
        return "lectures/students"


def student_copy(nb, name: str = "lecture", cfg: dict | None = None):
    """``(copy, n_exercises)``: ``nb`` with its solutions stubbed, outputs cleared, and (with
    ``cfg``, from :func:`genlib.course.colab.config`) its Colab links on the student copies."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    n = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = _INSTRUCTOR_LINK.sub(r"\1students/\2", cell.source)
            continue
        if cell.cell_type != "code":
            continue
        if BEGIN in cell.source:
            try:
                cell.source = strip_solutions(cell.source)
            except ValueError as exc:
                raise UsageError(f"{name}: cell {i}: {exc}") from None
            n += 1
            if any(ln.startswith(STUB) for ln in cell.source.splitlines()):
                print(f"note: {name}: cell {i}: a solution region at the top level of a cell stops Run All in "
                      f"the student copy; put it inside a function.", file=sys.stderr)
        elif "exercise" in cell.metadata.get("tags", []):
            print(f"note: {name}: cell {i} is tagged 'exercise' but has no '{BEGIN}' region.", file=sys.stderr)
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    if cfg is not None:
        try:
            colab.rewrite(nb, name, folder=folder_in_repository(), **cfg)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    nb.metadata["genlib"] = {"student_copy": True, "exercises": n}
    return nb, n


def _text(nb) -> str:
    import nbformat

    return nbformat.writes(nb) + "\n"


def build(names, lectures_dir: Path = LECTURES, out: Path = STUDENTS, cfg: dict | None = None) -> list[tuple[str, int]]:
    """Write the student copies of ``names`` into ``out``; ``[(name, n_exercises)]``."""
    import nbformat

    lectures_dir, out = Path(lectures_dir), Path(out)
    if out.resolve() == lectures_dir.resolve():
        raise UsageError("the student build must not overwrite the instructor copies; choose another --out.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write to {out}: {exc.strerror or exc}.") from None
    cfg = colab.config() if cfg is None else cfg
    done = []
    for n in names:
        nb, count = student_copy(nbformat.read(str(lectures_dir / f"{n}.ipynb"), as_version=4), n, cfg)
        (out / f"{n}.ipynb").write_text(_text(nb))
        done.append((n, count))
    return done


def out_of_date(names, lectures_dir: Path = LECTURES, out: Path = STUDENTS) -> list[str]:
    """Lectures whose student copy in ``out`` is missing or differs from a fresh build."""
    import nbformat

    cfg, stale = colab.config(), []
    for n in names:
        want = _text(student_copy(nbformat.read(str(Path(lectures_dir) / f"{n}.ipynb"), as_version=4), n, cfg)[0])
        path = Path(out) / f"{n}.ipynb"
        if not path.exists() or path.read_text() != want:
            stale.append(n)
    return stale


def exercises(rec: dict) -> dict:
    """``{exercise: state}`` from a run record (``done``, ``not done yet`` or ``wrong``)."""
    return dict(((rec.get("record") or {}).get("exercises")) or {})


def preview(outcome_records: list[dict]) -> list[str]:
    """Lines for ``students --check``: per copy, whether it ran to the end, then each exercise."""
    lines = []
    for r in outcome_records:
        end = "ran to the end" if r.get("status") == "ok" else f"STOPPED ({r.get('status')})"
        lines.append(f"{r['lecture']}: {end}, {r.get('wall_s', 0):.1f} s")
        e = r.get("error") or {}
        if r.get("status") != "ok" and e:
            where = f"cell {e['cell_index']} ({e.get('first_line')!r}): " if "cell_index" in e else ""
            lines.append(f"    {where}{e.get('ename')}: {json.dumps(e.get('evalue', ''))[1:-1][:200]}")
        for name, state in exercises(r).items():
            lines.append(f"    {state:<13} {name}")
    return lines
