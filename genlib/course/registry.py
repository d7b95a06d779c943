"""The tools' view of the manifest (:mod:`genlib.manifest`): the lecture list, the folders, and
how a name on the command line becomes a lecture (:func:`resolve`).

A lecture is named ``NN_name``. Its source ``lectures/src/NN_name.py`` is what makes
it part of the course (:func:`lectures`); it is built into the instructor notebook
``lectures/NN_name.ipynb`` (solutions in, outputs committed) and into the student
copy ``lectures/students/NN_name.ipynb`` (solutions stubbed, no outputs).
"""
from __future__ import annotations

from pathlib import Path

# The course's facts live in the manifest (kernel-safe, so data and runtime read them too);
# the tools read them here.
from ..manifest import (CHECKOUT, LECTURE_PATTERN, LECTURES, PROFILE_NAMES, PYPROJECT, ROOT, SOURCES,  # noqa: F401
                        STUDENTS, discover, lectures, notebooks, pins)


class UsageError(Exception):
    """Bad input: nothing is run, the message says what to fix."""


def resolve(names, known: list[str]) -> list[str]:
    """Map ``02``, ``02_kl_js``, ``kl_js`` or ``lectures/02_kl_js.ipynb`` to lecture names."""
    out, errors = [], []
    for raw in names:
        key = Path(str(raw)).name
        for suffix in (".ipynb", ".py"):
            key = key[: -len(suffix)] if key.endswith(suffix) else key
        hits = [k for k in known if k == key]
        if not hits:
            hits = [k for k in known if k.split("_", 1)[0] == key or k.split("_", 1)[-1] == key]
        if len(hits) == 1:
            if hits[0] not in out:
                out.append(hits[0])
        elif not hits:
            errors.append(f"unknown lecture {raw!r}")
        else:
            errors.append(f"ambiguous lecture {raw!r} (matches {', '.join(hits)})")
    if errors:
        raise UsageError("; ".join(errors) + f". Known lectures: {', '.join(known) or '(none)'}.")
    return out


def tagged(nb, tag: str) -> int | None:
    """Index of the first cell of ``nb`` tagged ``tag``, or None."""
    return next((i for i, c in enumerate(nb.cells) if tag in c.get("metadata", {}).get("tags", [])), None)
