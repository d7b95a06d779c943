"""Exercises: self-checks that teach, without showing the answer.

In a lecture, an exercise is a code cell tagged ``exercise`` whose solution sits
between two marker lines::

    def entropy_bits(p):
        ### BEGIN SOLUTION
        return -(p * np.log2(p)).sum()
        ### END SOLUTION

The instructor copy (``lectures/``) keeps the solution; the student copy
(``lectures/students/``, built by ``genlib.course.students``, which owns the
markers) replaces the region with a stub that raises ``NotImplementedError``.
The cell under the exercise is one call::

    check("entropy in bits", entropy_bits)

The reference answer, the inputs it is tried on and the classic mistakes it
recognises are *not* in the notebook: they live in :mod:`genlib.answers`, one
module per lecture, keyed by the exercise's name (:func:`exercise` registers
them), so the student meets the exercise before its answer.

Two kinds of exercise:

* a **function** exercise compares the student's function with the reference on
  every case; when the answer matches a known wrong variant (a missing 1/2, a
  swapped argument, nats for bits, ...), the check names that mistake; otherwise
  it shows the smallest input where the answers differ, rounded;
* a **judged** exercise (one that builds or trains something) hands the
  student's object to a judge, which returns the line to print on success or
  raises :class:`Wrong` with the hint.

An exercise not done yet never stops the notebook: the check says so, and cells
that need the student's function take :func:`solution`, which hands them the
reference until the exercise is done (and says so). A *wrong* answer raises
:class:`ExerciseFailed`, which stops Run All and papermill, but shows as a short
message (what was checked, the hint, the failing input) instead of a traceback
through genlib.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from . import report
from .runtime import as_numpy

DONE, NOT_DONE, WRONG = "done", "not done yet", "wrong"
OK, TODO, BAD = "\u2714", "\u2610", "\u2718"


class ExerciseFailed(AssertionError):
    """The student's answer is wrong; the message holds what was checked and the hint.

    IPython shows it through ``_render_traceback_``: the message alone, no traceback
    through genlib (the exception still stops Run All and papermill).
    """

    def _render_traceback_(self):
        return [f"\x1b[31m{BAD}\x1b[0m " + str(self).replace("\n", "\n  ")]


class Wrong(Exception):
    """Raised by a judge: the student's object does not do what the exercise asks (message = hint)."""


@dataclass(frozen=True)
class Exercise:
    """One exercise's answer key: the reference, the inputs and the known mistakes, or a judge."""

    name: str
    reference: Callable
    cases: Callable[[], Sequence] | None = None
    mistakes: Mapping[str, Callable] = field(default_factory=dict)
    judge: Callable | None = None
    rtol: float = 1e-5
    atol: float = 1e-8
    what: str = ""

    def inputs(self) -> list[tuple]:
        cases = [c if isinstance(c, tuple) else (c,) for c in self.cases()]
        if not cases:
            raise ValueError(f"exercise {self.name!r} has no cases: its check could not fail")
        return cases


_BANK: dict[str, Exercise] = {}


def exercise(name: str, *, cases: Callable[[], Sequence] | None = None,
             mistakes: Mapping[str, Callable] | None = None, judge: Callable | None = None,
             rtol: float = 1e-5, atol: float = 1e-8, what: str = "") -> Callable:
    """Register the decorated function as the reference answer of exercise ``name``.

    Either ``cases`` (a function returning the inputs, each a tuple of arguments)
    with optional ``mistakes`` (hint -> function computing that wrong answer), or
    ``judge(answer) -> str`` (the success line; raises :class:`Wrong` with a hint).
    ``what`` says in a few words what the check tries, for its messages.
    """
    if (cases is None) == (judge is None):
        raise ValueError(f"exercise {name!r}: give either cases or a judge")

    def register(reference: Callable) -> Callable:
        if name in _BANK:
            raise ValueError(f"exercise {name!r} is registered twice")
        _BANK[name] = Exercise(name, reference, cases, dict(mistakes or {}), judge, rtol, atol, what)
        return reference
    return register


def lookup(name: str) -> Exercise:
    """The answer key of exercise ``name`` (genlib.answers is loaded on first use)."""
    importlib.import_module("genlib.answers")
    try:
        return _BANK[name]
    except KeyError:
        raise KeyError(f"no exercise named {name!r}; known: {', '.join(sorted(_BANK))}") from None


def names() -> list[str]:
    """Every registered exercise, for listings and tests."""
    importlib.import_module("genlib.answers")
    return sorted(_BANK)


def _as_array(v):
    return as_numpy(v, dtype=float)


def _same(a, b, rtol, atol) -> bool:
    try:
        a, b = _as_array(a), _as_array(b)
    except (TypeError, ValueError, RuntimeError):
        return False
    return a.shape == b.shape and bool(np.all(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)))


def _short(v) -> str:
    """A value rounded for a message: 4 significant digits, long arrays elided."""
    if isinstance(v, tuple):
        return "(" + ", ".join(_short(x) for x in v) + ")"
    try:
        arr = _as_array(v)
    except (TypeError, ValueError, RuntimeError):
        return repr(v)[:200]
    if arr.ndim == 0:
        return f"{float(arr):.4g}"
    return np.array2string(arr, precision=4, threshold=12, edgeitems=3, separator=", ").replace("\n", "")


def _size(case: tuple) -> int:
    total = 0
    for x in case:
        try:
            total += _as_array(x).size
        except (TypeError, ValueError, RuntimeError):
            total += 1
    return total


def _not_done(name: str) -> None:
    report.exercise_state(name, NOT_DONE)
    print(f"{TODO} {name}: not done yet. Write your solution in the exercise cell above, run it, "
          f"then run this check again.")


def check(name: str, answer) -> None:
    """Check the student's answer to exercise ``name``; print the verdict, raise when it is wrong.

    Returns nothing, so the cell shows only the verdict.
    """
    ex = lookup(name)
    if ex.judge is not None:
        try:
            line = ex.judge(answer)
        except NotImplementedError:
            return _not_done(name)
        except Wrong as w:
            report.exercise_state(name, WRONG)
            raise ExerciseFailed(f"{name}: not yet. {w}") from None
        report.exercise_state(name, DONE)
        print(f"{OK} {name}: correct." + (f" {line}" if line else ""))
        return None
    cases = ex.inputs()
    try:
        got = [answer(*c) for c in cases]
    except NotImplementedError:
        return _not_done(name)
    want = [ex.reference(*c) for c in cases]
    tried = f"checked against the reference on {len(cases)} input{'s' if len(cases) != 1 else ''}" + (f", {ex.what}" if ex.what else "")
    if all(_same(g, w, ex.rtol, ex.atol) for g, w in zip(got, want)):
        report.exercise_state(name, DONE)
        print(f"{OK} {name}: correct ({tried}).")
        return None
    report.exercise_state(name, WRONG)
    for hint, wrong in ex.mistakes.items():
        if all(_same(g, wrong(*c), ex.rtol, ex.atol) for g, c in zip(got, cases)):
            raise ExerciseFailed(f"{name}: not quite ({tried}).\nHint: {hint}") from None
    failing = [i for i, (g, w) in enumerate(zip(got, want)) if not _same(g, w, ex.rtol, ex.atol)]
    i = min(failing, key=lambda j: _size(cases[j]))
    raise ExerciseFailed(
        f"{name}: not quite ({tried}); it is none of the classic mistakes this check knows.\n"
        f"Smallest input where it differs: {_short(cases[i])}\n"
        f"your answer: {_short(got[i])}\nexpected:    {_short(want[i])}") from None


def solution(name: str, answer: Callable) -> Callable:
    """The student's answer once exercise ``name`` is done, else genlib's reference (and say so)."""
    if report.state()["exercises"].get(name) == DONE:
        return answer
    print(f"(the cells below use genlib's reference for \"{name}\" until that exercise is done)")
    return lookup(name).reference
