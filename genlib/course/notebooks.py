"""Build the lecture notebooks from their sources and keep them clean.

Each lecture is written as a jupytext "percent" script in ``lectures/src/`` (easy to
review and diff) and built into ``lectures/NN_name.ipynb`` with its outputs, which
strict nbval then reproduces, and into its student copy ``lectures/students/``::

    python -m genlib.course build            # every lecture
    python -m genlib.course build 02_kl_js   # one lecture
    python -m genlib.course check            # notebooks and student copies match the sources?

Building executes the notebook headless (``GENLIB_HEADLESS=1``) in the ``lectures/``
folder (IPC kernel, private temporary folder: :mod:`genlib.course.kernels`) and strips
what does not belong in the repository: widget state, execution timings,
kernel-specific metadata.
"""
from __future__ import annotations

import os
import time

from . import colab, kernels
from .registry import LECTURES, PYPROJECT, SOURCES

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def read_source(name: str):
    """The notebook of ``lectures/src/<name>.py``, Colab badge and install cell rewritten."""
    import jupytext

    nb = jupytext.read(SOURCES / f"{name}.py")
    nb.metadata.pop("jupytext", None)
    colab.rewrite(nb, name, **colab.config(PYPROJECT))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
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

    # headless (no progress bars), and every figure audited (genlib.plots.audit): a build
    # with an illegible figure fails (set GENLIB_FIGURE_AUDIT=0 to build anyway)
    saved = {k: os.environ.get(k) for k in ("GENLIB_HEADLESS", "GENLIB_FIGURE_AUDIT")}
    os.environ["GENLIB_HEADLESS"] = "1"
    os.environ.setdefault("GENLIB_FIGURE_AUDIT", "1")
    try:
        with kernels.private_folder(prefix="genlib-build-"):
            NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                           kernel_manager_class=kernels.manager_class(),
                           resources={"metadata": {"path": str(LECTURES)}}).execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def build(name: str, run: bool = True) -> float:
    """Write ``lectures/<name>.ipynb`` from its source (executed unless ``run`` is False);
    returns the execution time in seconds."""
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


def out_of_date(names) -> list[str]:
    """Lectures whose committed notebook does not hold their source's cells."""
    import nbformat

    stale = []
    for name in names:
        path = LECTURES / f"{name}.ipynb"
        if not path.exists() or sources_of(nbformat.read(path, 4)) != sources_of(read_source(name)):
            stale.append(name)
    return stale
