"""Build the lecture notebooks from their sources and keep them clean.

Each lecture is written as a jupytext "percent" script in ``lectures/src/``
(easy to review and diff) and built into ``lectures/NN_name.ipynb`` with its
outputs, which strict nbval then reproduces::

    python -m genlib.notebooks build            # every lecture
    python -m genlib.notebooks build 02_kl_js   # one lecture
    python -m genlib.notebooks check            # sources and notebooks agree?

Building executes the notebook headless (``GENLIB_HEADLESS=1``) in the
``lectures/`` folder and strips what does not belong in the repository:
widget state, execution timings, kernel-specific metadata.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LECTURES = ROOT / "lectures"
SOURCES = LECTURES / "src"
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def lecture_names() -> list[str]:
    return sorted(p.stem for p in SOURCES.glob("[0-9][0-9]_*.py"))


def read_source(name: str):
    import jupytext

    from . import colab

    nb = jupytext.read(SOURCES / f"{name}.py")
    nb.metadata.pop("jupytext", None)
    # The Colab badge and the pinned install come from [tool.genlib] in pyproject.toml.
    colab.rewrite(nb, name, **colab.config(ROOT / "pyproject.toml"))
    nb.metadata["kernelspec"] = dict(KERNEL)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def clean(nb):
    """Remove widget state, timings and ids that change from run to run."""
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        cell["id"] = f"cell-{i:03d}"
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("application/vnd.jupyter.widget-view+json", None)
    return nb


def execute(nb, timeout: int = 900):
    from nbclient import NotebookClient

    os.environ["GENLIB_HEADLESS"] = "1"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(LECTURES)}}, record_timing=False)
    client.execute()
    return nb


def build(name: str, run: bool = True) -> float:
    import nbformat

    nb = read_source(name)
    t0 = time.perf_counter()
    if run:
        execute(nb)
    dt = time.perf_counter() - t0
    nbformat.write(clean(nb), LECTURES / f"{name}.ipynb")
    return dt


def sources_of(nb) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]


def out_of_date() -> list[str]:
    """Lectures whose committed notebook does not hold their source's cells."""
    import nbformat

    stale = []
    for name in lecture_names():
        path = LECTURES / f"{name}.ipynb"
        if not path.exists() or sources_of(nbformat.read(path, 4)) != sources_of(read_source(name)):
            stale.append(name)
    return stale


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m genlib.notebooks", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="execute lectures from their sources and write the notebooks")
    b.add_argument("names", nargs="*", help="lecture names (default: all)")
    b.add_argument("--no-run", action="store_true", help="write without executing")
    sub.add_parser("check", help="fail if a notebook is out of date with its source")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        names = args.names or lecture_names()
        unknown = [n for n in names if n not in lecture_names()]
        if unknown:
            ap.error(f"unknown lecture(s) {', '.join(unknown)}; known: {', '.join(lecture_names())}")
        for n in names:
            dt = build(n, run=not args.no_run)
            print(f"{n}: built in {dt:.1f} s")
        return 0
    stale = out_of_date()
    if stale:
        print("out of date (run `python -m genlib.notebooks build NAME`):", ", ".join(stale))
        return 1
    print("all notebooks match their sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
