"""Colab: the badge, the pinned install and the widget set-up, from one place.

Where the course lives is configured once, in ``pyproject.toml``::

    [tool.genlib]
    repository = "generative-course/genmodels"   # GitHub owner/name
    ref = "main"                                  # a tag or commit to pin to

When a lecture is built (``python -m genlib.course build``), its first markdown cell's
"Open in Colab" badge is pointed at
``colab.research.google.com/github/<repository>/blob/<ref>/<folder>/<name>.ipynb``
(``lectures`` for the instructor notebooks, ``lectures/students`` for the student
copies) and its code cell tagged ``install`` is replaced by :func:`install_source`: on
Colab it installs genlib *non-editable* and pinned (an editable install is invisible to
an already running kernel) with ``%pip install "genlib @ git+https://...@<ref>"`` and,
only if the installed ipywidgets is 8 or newer, switches on Colab's custom widget
manager. Colab renders the core ipywidgets 7 widgets (sliders, Image, Play, boxes)
natively, and its custom manager is known to break some core widgets, so with Colab's
own ipywidgets 7.7.1 nothing is switched on. Anywhere else the cell does nothing at all.

The install cell cannot import genlib (it is what installs it): its text is generated
here and carries no import of genlib. (Cells tagged ``setup``, the tag's old name, are
still recognised; the tag was renamed because ``setup`` also names ``genlib.setup``
and ``make setup``.)
"""
from __future__ import annotations

import re
from pathlib import Path

from ..manifest import PYPROJECT, read_toml

TAG = "install"                      # the tag of a lecture's install cell
TAGS = (TAG, "setup")                # "setup": its old name, still recognised
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
_BADGE_URL = re.compile(r"https://colab\.research\.google\.com/github/[^)\s\"'>]+")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_REF = re.compile(r"^[A-Za-z0-9_./-]+$")


def config(pyproject: str | Path | None = None) -> dict:
    """``{"repository": ..., "ref": ...}`` from ``[tool.genlib]`` in pyproject.toml."""
    path = Path(pyproject) if pyproject is not None else PYPROJECT
    table = read_toml(path).get("tool", {}).get("genlib", {})
    missing = [k for k in ("repository", "ref") if not table.get(k)]
    if missing:
        raise ValueError(f"[tool.genlib] in {path} must set {' and '.join(missing)} "
                         f"(e.g. repository = \"owner/name\", ref = \"v1.0\").")
    cfg = {"repository": str(table["repository"]), "ref": str(table["ref"])}
    _check(cfg["repository"], cfg["ref"])
    return cfg


def _check(repository: str, ref: str) -> None:
    if not _REPO.match(repository):
        raise ValueError(f"[tool.genlib] repository must look like 'owner/name'; got {repository!r}.")
    if not _REF.match(ref) or ref.startswith("-") or ".." in ref:
        raise ValueError(f"[tool.genlib] ref must be a branch, tag or commit; got {ref!r}.")


def badge_url(name: str, repository: str, ref: str, folder: str = "lectures") -> str:
    """The Colab URL that opens ``<folder>/<name>.ipynb`` at ``ref``."""
    _check(repository, ref)
    return f"https://colab.research.google.com/github/{repository}/blob/{ref}/{folder}/{name}.ipynb"


def badge_markdown(name: str, repository: str, ref: str, folder: str = "lectures") -> str:
    return f"[![Open In Colab]({BADGE_IMAGE})]({badge_url(name, repository, ref, folder)})"


def pip_requirement(repository: str, ref: str) -> str:
    """A pinned, non-editable requirement: ``genlib @ git+https://github.com/owner/name@ref``."""
    _check(repository, ref)
    return f"genlib @ git+https://github.com/{repository}@{ref}"


def install_source(repository: str, ref: str) -> str:
    """The text of every lecture's install cell (its first comment keeps the words the
    committed notebooks hold, so that changing this module does not force a rebuild)."""
    req = pip_requirement(repository, ref)
    return (
        "# Set-up: on Colab this installs the course library (pinned); anywhere else it does nothing.\n"
        "import sys\n"
        "if \"google.colab\" in sys.modules:\n"
        f"    get_ipython().run_line_magic(\"pip\", 'install -q \"{req}\"')\n"
        "    import importlib, importlib.metadata\n"
        "    importlib.invalidate_caches()\n"
        "    if int(importlib.metadata.version(\"ipywidgets\").split(\".\")[0]) >= 8:\n"
        "        from google.colab import output  # ipywidgets 8 needs Colab's custom widget manager\n"
        "        output.enable_custom_widget_manager()"
    )


def rewrite(nb, name: str, repository: str, ref: str, folder: str = "lectures"):
    """Point ``nb``'s Colab badge at ``folder/name.ipynb`` and write its install cell.

    The badge lives in the first markdown cell (added under the title when
    missing); the install cell is the code cell tagged ``install`` (an error when a
    lecture has none). Returns ``nb``, changed in place.
    """
    url = badge_url(name, repository, ref, folder)
    md = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if md is None:
        raise ValueError(f"{name}: a lecture starts with a markdown cell holding the title and the Colab badge.")
    if _BADGE_URL.search(md.source):
        md.source = _BADGE_URL.sub(url, md.source)
    else:
        lines = md.source.split("\n")
        badge = badge_markdown(name, repository, ref, folder)
        md.source = "\n".join(lines[:1] + ["", badge] + lines[1:])
    cells = [c for c in nb.cells if c.cell_type == "code" and set(TAGS) & set(c.metadata.get("tags", []))]
    if not cells:
        raise ValueError(f"{name}: no code cell tagged '{TAG}' (it installs genlib on Colab); see CONTRIBUTING.md.")
    cells[0].source = install_source(repository, ref)
    return nb


def binder_url(repository: str, ref: str, path: str = "lectures/students") -> str:
    """The mybinder.org URL (repo2docker) that opens JupyterLab on ``path`` (a folder or a notebook)."""
    _check(repository, ref)
    return f"https://mybinder.org/v2/gh/{repository}/{ref}?urlpath=lab/tree/{path}"


def binder_badge_markdown(repository: str, ref: str, path: str = "lectures/students") -> str:
    """The README line that opens the repository in JupyterLab on mybinder.org (repo2docker),
    on the student copies: the instructor notebooks are one folder up."""
    return f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(repository, ref, path)})"

