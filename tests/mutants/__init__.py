"""Mutation tests: the proof that a lecture's checks test the science.

Each lecture has a file ``tests/mutants/NN_name.py`` defining ``MUTANTS``, a list of
:class:`Mutant`: a wrong version of one of the lecture's central formulas (JS without
its 1/2, a KL with the wrong sign, the ELBO without its KL, D* inverted, ...). A
mutant names a piece of the lecture's *source* (``lectures/src/NN_name.py``) that
must occur exactly once in one code cell, and what to put in its place. Applied to the
lecture, every mutant must be *killed*: the run must stop with ``ClaimFailed`` or ``ExerciseFailed`` (a claim or an exercise
check caught the mistake), not with any other error and not by running through.

    python -m tests.mutants 02_kl_js        # run one lecture's mutants, print killed / survived
    python -m tests.mutants                 # every lecture's

A lecture's mutants are judged in one run (``run_all``, ``driver.py``): the unmutated lecture
executes once, cell by cell, and forks just before each mutated cell; the fork runs the
mutant from there, on exactly the state a fresh run would have reached. In CI,
``tests/test_mutants.py`` runs each lecture's mutants as one test (spread over the xdist
workers).
"""
from __future__ import annotations

import importlib
import os
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


def run_all(lecture: str, ms: list[Mutant], workdir: Path, timeout: int = 600,
            lectures: Path | None = None) -> list[tuple[str, str]]:
    """Judge every mutant in ``ms`` from one execution of the lecture; one ``(verdict, detail)``
    per mutant, in order, with verdict ``killed``, ``survived`` or ``error`` (it stopped, but not
    at a claim or an exercise check).

    The lecture runs once, and forks just before each mutated cell (``driver.py``): a mutant costs
    the cells from its own on, and is judged on exactly the state a fresh run would reach there.
    ``lectures`` is the folder holding ``<lecture>.ipynb`` (and the working folder; default
    ``LECTURES``). Runs in a fresh Python with figures drawn on Agg and no figure audit (a mutant
    is judged by its claims and exercise checks, never by a figure), on the CPU's native kernels
    (strict nbval compares the outputs on ``ATEN_CPU_CAPABILITY=default``; which kernels compute a
    wrong formula does not change whether a check catches it).
    """
    import json
    import subprocess
    import sys

    import nbformat

    lectures = Path(lectures if lectures is not None else LECTURES)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(lectures / f"{lecture}.ipynb", as_version=4)
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code"):
        raise ValueError(f"{lecture}: no cell tagged 'parameters' to inject the mutants' parameters after")
    specs = []
    for k, m in enumerate(ms):
        if m.module:
            site = workdir / f"site{k}"
            mutate_module(m, site)
            spec = {"site": str(site), "module": m.module}
        else:
            copy = nbformat.from_dict(nb)
            i = mutate(copy, m)
            spec = {"cell": i, "source": copy.cells[i].source}
        if m.params:
            spec["params"] = dict(m.params)
        specs.append(spec)
    results = workdir / f"{lecture}.verdicts.jsonl"
    results.write_text("")
    spec_file = workdir / f"{lecture}.mutants.json"
    spec_file.write_text(json.dumps({
        "notebook": str(lectures / f"{lecture}.ipynb"), "cwd": str(lectures), "timeout": timeout,
        "params": {"PROFILE": "cpu", "SEED": 0, **params_of(lecture)}, "results": str(results),
        "mutants": specs}))
    env = {k: v for k, v in os.environ.items() if k != "ATEN_CPU_CAPABILITY"}
    env.update(MPLBACKEND="agg", GENLIB_FIGURE_AUDIT="", GENLIB_HEADLESS="1", IPYTHONDIR=str(workdir / "ipython"))
    log = workdir / f"{lecture}.mutants.log"
    with open(log, "w") as out:
        subprocess.run([sys.executable, str(Path(__file__).with_name("driver.py")), str(spec_file)],
                       stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(lectures),
                       timeout=timeout * (len(ms) + 1))
    got = {}
    for line in results.read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            got[r["k"]] = (r["verdict"], r["detail"] + (f" ({r['seconds']:.1f} s)" if "seconds" in r else ""))
    tail = log.read_text()[-1500:]
    return [got.get(k, ("error", f"no verdict (the driver stopped early); its output ends: {tail}"))
            for k in range(len(ms))]


def run(lecture: str, m: Mutant, workdir: Path, timeout: int = 600,
        lectures: Path | None = None) -> tuple[str, str]:
    """Execute the lecture with mutant ``m``; ``(verdict, detail)`` as :func:`run_all` gives it."""
    return run_all(lecture, [m], workdir, timeout=timeout, lectures=lectures)[0]
