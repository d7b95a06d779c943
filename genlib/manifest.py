"""The course's manifest: every fact the course states once, in one place.

* where the course lives: ``ROOT`` and whether genlib runs from a checkout of it
  (:data:`CHECKOUT`, the one test for it), its folders (``LECTURES``, ``SOURCES``,
  ``STUDENTS``, ``PYPROJECT``);
* the lectures: one per source ``lectures/src/NN_name.py`` (:func:`lectures`; a new
  lecture is its source, picked up by every tool, test and script that asks here), their
  notebooks (:func:`notebooks`) and the names of lecture files (:func:`discover`);
* the profiles a lecture's ``PROFILE`` may take (:data:`PROFILE_NAMES`);
* the pins: genlib's version, the ref Colab installs, the torch build the course is
  tested with and Colab's own versions, all read from ``pyproject.toml`` (:func:`pins`).

Kernel-safe: the standard library only, so a lecture's kernel, the course tools
(``genlib.course.registry`` re-exports this), the tests, the benchmarks and the CI
scripts all read the same facts.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent   # the checkout (or site-packages when installed)
PYPROJECT = ROOT / "pyproject.toml"
# The one test for "genlib runs from a checkout of the course" (not installed as a package, as on Colab).
CHECKOUT = PYPROJECT.is_file() and (ROOT / "genlib").is_dir()
# The checkout's lectures; installed non-editable (repo2docker runs `pip install .`), the ones
# under the current folder.
LECTURES = ROOT / "lectures" if CHECKOUT else Path.cwd() / "lectures"
SOURCES = LECTURES / "src"
STUDENTS = LECTURES / "students"
LECTURE_PATTERN = "[0-9][0-9]_*"   # a lecture is named NN_name
PROFILE_NAMES = ("auto", "cpu", "full")   # what a lecture's PROFILE may be (genlib.PROFILES checks it)


def lectures() -> list[str]:
    """The course's lectures: one per source in ``lectures/src``, sorted."""
    return sorted(p.stem for p in SOURCES.glob(LECTURE_PATTERN + ".py"))


def discover(folder: Path = LECTURES, suffix: str = ".ipynb") -> list[str]:
    """Names of the lecture files (``NN_name<suffix>``) in ``folder``, sorted."""
    return sorted(p.stem for p in Path(folder).glob(LECTURE_PATTERN + suffix))


def notebooks(folder: Path = LECTURES) -> list[Path]:
    """The notebook of every lecture, in ``folder`` (the instructor notebooks by default)."""
    return [Path(folder) / f"{name}.ipynb" for name in lectures()]


def read_toml(path: Path | str = PYPROJECT) -> dict:
    """``path`` parsed (tomllib; on Python 3.10 a minimal reader of ``[tool.genlib]`` and the version)."""
    text = Path(path).read_text()
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = None
    if tomllib is not None:
        return tomllib.loads(text)
    version = re.search(r'^version\s*=\s*"([^"]*)"', text, re.M)
    m = re.search(r"^\[tool\.genlib\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    table = dict(re.findall(r'^\s*([\w-]+)\s*=\s*"([^"]*)"', m.group(1) if m else "", re.M))
    return {"project": {"version": version.group(1)} if version else {}, "tool": {"genlib": table}}


@functools.lru_cache(maxsize=None)
def pins() -> dict:
    """The course's pins from ``pyproject.toml``: ``version`` (genlib's), ``repository`` and
    ``ref`` (what Colab installs and opens), ``torch`` (the build the course is tested with:
    ``make test``, the lock, the Colab-stack check) and ``colab`` (Colab's own versions, which
    the ranges of requirements.txt must admit)."""
    if not CHECKOUT:  # installed: the version is the package's
        from importlib.metadata import version

        return {"version": version("genlib")}
    data = read_toml(PYPROJECT)
    table = data.get("tool", {}).get("genlib", {})
    return {"version": data["project"]["version"], **{k: table[k] for k in table}}
