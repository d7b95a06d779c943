"""Mutation tests: the proof that a lecture's checks test the science.

Each lecture has a file ``tests/mutants/NN_name.py`` defining ``MUTANTS``, a list of
:class:`Mutant`: a wrong version of one of the lecture's central formulas (JS without
its 1/2, a KL with the wrong sign, the ELBO without its KL, D* inverted, ...). A
mutant names a piece of the lecture's *source* (``lectures/src/NN_name.py``) that
must occur exactly once in one code cell, and what to put in its place. Applied to a
copy of the lecture and executed with papermill, every mutant must be *killed*: the
run must stop with ``ClaimFailed`` or ``ExerciseFailed`` (a claim or an exercise
check caught the mistake), not with any other error and not by running through.

    python -m tests.mutants 02_kl_js        # run one lecture's mutants, print killed / survived
    python -m tests.mutants                 # every lecture's

In CI, ``tests/test_mutants.py`` runs every mutant of every lecture that has a file here,
each as its own test (spread over the xdist workers).
"""
from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from genlib import manifest

ROOT = manifest.ROOT
LECTURES = manifest.LECTURES
KILLERS = ("ClaimFailed", "ExerciseFailed")


@dataclass(frozen=True)
class Mutant:
    what: str          # the mistake, in words: "JS without the 1/2"
    original: str      # text that occurs exactly once in the lecture's code cells
    mutated: str       # what replaces it
    params: tuple = () # extra papermill parameters as (name, value) pairs, if the mutant needs them
                       # (over the file's PARAMS, which every mutant of the lecture gets)
    module: str = ""   # a genlib module the lecture shows and uses ("genlib/models.py"): mutate it instead


def lectures_with_mutants() -> list[str]:
    return manifest.discover(Path(__file__).parent, suffix=".py")


def mutants_of(lecture: str) -> list[Mutant]:
    return list(importlib.import_module(f"tests.mutants.{lecture}").MUTANTS)


def params_of(lecture: str) -> dict:
    """Papermill parameters for every mutant of ``lecture``: its file's ``PARAMS`` (a tuple of pairs,
    for instance the 8x8 digits where the killing claims do not depend on the data set), if any."""
    try:
        module = importlib.import_module(f"tests.mutants.{lecture}")
    except ModuleNotFoundError:
        return {}
    return dict(getattr(module, "PARAMS", ()))


def mutate_module(m: Mutant, site: Path) -> Path:
    """Copy genlib into ``site`` and apply ``m`` to its ``m.module`` there; ValueError unless it
    matches exactly once. A kernel started with ``site`` first on PYTHONPATH imports the mutant."""
    import shutil

    shutil.copytree(ROOT / "genlib", Path(site) / "genlib", ignore=shutil.ignore_patterns("__pycache__"))
    path = Path(site) / m.module
    text = path.read_text()
    if text.count(m.original) != 1:
        raise ValueError(f"mutant {m.what!r}: its original text occurs {text.count(m.original)} times in "
                         f"{m.module}, not once: {m.original!r}")
    path.write_text(text.replace(m.original, m.mutated))
    return path


def mutate(nb, m: Mutant):
    """Apply ``m`` to the notebook ``nb`` (in place); ValueError unless it matches exactly once."""
    if m.module:
        raise ValueError(f"mutant {m.what!r} mutates {m.module}, not the notebook: use mutate_module")
    hits = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and m.original in c.source]
    count = sum(c.source.count(m.original) for _, c in hits)
    if count != 1:
        raise ValueError(f"mutant {m.what!r}: its original text occurs {count} times in the code cells, "
                         f"not once: {m.original!r}")
    i, cell = hits[0]
    cell.source = cell.source.replace(m.original, m.mutated)
    return i


def run(lecture: str, m: Mutant, workdir: Path, timeout: int = 600,
        lectures: Path | None = None) -> tuple[str, str]:
    """Execute the mutated lecture; return ``(verdict, detail)`` with verdict ``killed``,
    ``survived`` or ``error`` (it stopped, but not at a claim or an exercise check).

    ``lectures`` is the folder holding ``<lecture>.ipynb`` (and the kernel's working
    folder; default ``LECTURES``); the mutated copy is written to ``workdir``.
    """
    import nbformat
    import papermill as pm

    lectures = Path(lectures if lectures is not None else LECTURES)
    nb = nbformat.read(lectures / f"{lecture}.ipynb", as_version=4)
    workdir = Path(workdir)
    # A mutant is judged by its claims and exercise checks, never by a figure: pyplot draws nothing
    # (Agg: plt.show() shows nothing, no PNG is made), which saves seconds per lecture.
    env = {"MPLBACKEND": "agg", "GENLIB_FIGURE_AUDIT": ""}
    if m.module:
        site = workdir / "site"
        mutate_module(m, site)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
        cell = m.module
    else:
        cell = mutate(nb, m)
    src = workdir / f"{lecture}.mutant.ipynb"
    nbformat.write(nb, src)
    out = workdir / f"{lecture}.mutant.out.ipynb"
    params = {"PROFILE": "cpu", "SEED": 0, **params_of(lecture), **dict(m.params)}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)   # the kernel inherits it (one test at a time in a process)
    try:
        pm.execute_notebook(str(src), str(out), parameters=params, kernel_name="python3", cwd=str(lectures),
                            progress_bar=False, log_output=False, execution_timeout=timeout)
    except pm.PapermillExecutionError as exc:
        detail = f"cell {cell} mutated; stopped at cell {exc.cell_index}: {exc.ename}: " + \
            re.sub(r"\s+", " ", str(exc.evalue))[:200]
        return ("killed" if exc.ename in KILLERS else "error"), detail
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return "survived", f"cell {cell} mutated; the lecture ran to the end"
