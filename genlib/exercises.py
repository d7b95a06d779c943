"""Exercises: self-checks with hints for the classic mistakes.

In a lecture, an exercise is a code cell tagged ``exercise`` whose solution sits
between two marker lines::

    def entropy_bits(p):
        ### BEGIN SOLUTION
        return -(p * np.log2(p)).sum()
        ### END SOLUTION

The instructor copy (the one in ``lectures/``) keeps the solution; the student
copy (``lectures/students/``, built by ``genlib.course.students``, which owns the
markers) replaces the region with a stub that raises ``NotImplementedError``. The
next cell calls :func:`verify`, which compares the student's function with the
reference on a few inputs and, when the answer matches a known wrong variant,
names the mistake.

An exercise that is not done yet never stops the notebook: ``verify`` says so
and returns False, so Run All on a student copy reaches the end. Cells that
need the student's function take :func:`use`, which hands them the reference
until the exercise is done and says so::

    done = verify("Gaussian KL", my_gaussian_kl, reference, cases, mistakes)
    kl_fn = use(done, my_gaussian_kl, info_kl, "Gaussian KL")

A *wrong* answer raises :class:`ExerciseFailed` with its hint: that is what a
check is for.
"""
from __future__ import annotations

from typing import Callable, Iterable, Mapping

import numpy as np

from . import report
from .runtime import as_numpy

DONE, NOT_DONE = "done", "not done yet"


class ExerciseFailed(AssertionError):
    """The student's answer is wrong; the message holds the hint."""


def use(done: bool, mine: Callable, reference: Callable, name: str) -> Callable:
    """The student's function once the exercise is done, else the reference (and say so)."""
    if done:
        return mine
    print(f"(the cells below use genlib's reference for \"{name}\" until that exercise is done)")
    return reference


def _as_array(v):
    return as_numpy(v, dtype=float)


def _same(a, b, rtol, atol) -> bool:
    try:
        a, b = _as_array(a), _as_array(b)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.all(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)))


def verify(name: str, answer: Callable, reference: Callable, cases: Iterable[tuple],
           mistakes: Mapping[str, Callable] | None = None, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    """Check ``answer(*case)`` against ``reference(*case)`` for every case.

    ``mistakes`` maps a hint to a function computing a classic wrong answer
    (a sign error, a missing 1/2, a sum where a mean belongs); if the student's
    output matches one of them on every case, that hint is given.
    Prints ``✔ name: correct.`` and returns True on success. An exercise not done
    yet (its stub raises ``NotImplementedError``) prints what to do and returns
    False; a wrong answer raises :class:`ExerciseFailed` with the hint.
    """
    cases = [c if isinstance(c, tuple) else (c,) for c in cases]
    if not cases:
        raise ValueError(f"{name}: verify needs at least one case")
    mistakes = dict(mistakes or {})
    try:
        got = [answer(*c) for c in cases]
    except NotImplementedError:
        report.exercise(name, NOT_DONE)
        print(f"\u2610 {name}: not done yet. Write your solution in the cell above, run it, "
              f"then run this check again.")
        return False
    want = [reference(*c) for c in cases]
    if all(_same(g, w, rtol, atol) for g, w in zip(got, want)):
        report.exercise(name, DONE)
        print(f"\u2714 {name}: correct.")
        return True
    report.exercise(name, "wrong")
    for hint, wrong in mistakes.items():
        if all(_same(g, wrong(*c), rtol, atol) for g, c in zip(got, cases)):
            raise ExerciseFailed(f"{name}: not quite. Hint: {hint}")
    first = next(i for i, (g, w) in enumerate(zip(got, want)) if not _same(g, w, rtol, atol))
    raise ExerciseFailed(
        f"{name}: not quite. On input {cases[first]!r} your answer was {got[first]!r}, "
        f"the expected answer is {want[first]!r}."
    )
