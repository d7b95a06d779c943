"""Claim checks for the notebooks, and the output contract.

Every claim a lecture makes in prose is followed by a check. On success a check
prints one stable line, ``✔ text`` (no numbers that could wobble), so strict nbval
compares it; on failure it raises :class:`ClaimFailed` with the numbers, so the
notebook (and CI) stops there. A check refuses what would make it unable to fail:
an empty array, or arrays whose shapes do not match.

**The output contract.** A lecture prints two kinds of numbers.

* *Exact* outputs (closed forms, data statistics, oracle agreements, claim lines)
  are printed as they are and compared strictly by nbval.
* *Measured* outputs (anything that depends on training, sampling or the order of
  float accumulation, which differ from one CPU or library build to the next) are
  printed through :func:`measured`: ``f"test loss {measured(loss):.1f} nats"`` prints
  ``test loss ⟨105.3⟩ nats``. The nbval sanitizer (``tests/nbval_sanitize.cfg``)
  masks what lies between the angle brackets and nothing else, so the sentence
  around the value stays compared. A claim's text may not hold a measured value.

Each check also records what it compared (value, bounds, tolerance) through
:mod:`genlib.report`, so a benchmark can print every claim's margin across seeds
and machines (``benchmarks/claims.py``).
"""
from __future__ import annotations

import numpy as np

from . import report
from .runtime import as_numpy

OK = "\u2714"        # heavy check mark: a claim that held
SKIPPED = "\u2298"   # circled slash: a claim not made, with the reason
OPEN, CLOSE = "\u27e8", "\u27e9"   # the brackets of a measured value


class ClaimFailed(AssertionError):
    """A claim made in a lecture did not hold."""


class Measured:
    """A measured number: formats like the number, inside the brackets the sanitizer masks."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value.item() if hasattr(value, "item") and getattr(value, "ndim", 1) == 0 else value

    def __format__(self, spec: str) -> str:
        return OPEN + format(self.value, spec or ".3g") + CLOSE

    def __str__(self) -> str:
        return format(self, "")

    __repr__ = __str__


def measured(value, spec: str | None = None):
    """A measured value for printing: ``f"{measured(x):.3f}"`` or ``measured(x, ".3f")`` -> ``⟨0.123⟩``.

    Use it for every printed number that comes from training, sampling or float
    accumulation; never inside a claim's text.
    """
    m = Measured(value)
    return m if spec is None else format(m, spec)


def _fmt(v):
    try:
        arr = as_numpy(v, dtype=float)
    except Exception:
        return repr(v)
    if arr.size == 1:
        return f"{float(arr.reshape(())):.6g}"
    return np.array2string(arr, precision=6, threshold=12)


def _text(text: str) -> str:
    if OPEN in text or CLOSE in text:
        raise ValueError(f"a claim's text must be exact; it holds a measured value: {text!r}")
    return text


def _nonempty(name: str, arr: np.ndarray, text: str) -> np.ndarray:
    if arr.size == 0:
        raise ValueError(f"{text!r}: {name} is empty, so the check could not fail")
    return arr


def claim(text: str, holds, **numbers) -> None:
    """Print ``✔ text`` if ``holds`` (a bool or an array of them, all true); else raise with the numbers."""
    _text(text)
    arr = _nonempty("the condition", as_numpy(holds), text)
    ok = bool(np.all(arr))
    report.claim(text, "claim", ok)
    if not ok:
        details = ", ".join(f"{k} = {_fmt(v)}" for k, v in numbers.items())
        raise ClaimFailed(f"Claim failed: {text}" + (f" ({details})" if details else ""))
    print(f"{OK} {text}")


def close(text: str, actual, expected, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Check ``actual`` ≈ ``expected`` elementwise (numpy.isclose rules; inf == inf).

    The shapes must match, or one side must be a single number.
    """
    _text(text)
    a = _nonempty("actual", as_numpy(actual, dtype=float), text)
    e = _nonempty("expected", as_numpy(expected, dtype=float), text)
    if a.shape != e.shape and a.size != 1 and e.size != 1:
        raise ValueError(f"{text!r}: shapes differ ({a.shape} vs {e.shape})")
    ok = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        allowed = atol + rtol * np.abs(e)
        used = np.where(a == e, 0.0, np.abs(a - e) / allowed)
    report.claim(text, "close", bool(np.all(ok)), value=float(np.max(used)), low=0.0, high=1.0,
                 note="largest |actual - expected| as a share of the tolerance")
    if not np.all(ok):
        raise ClaimFailed(f"Claim failed: {text} (actual = {_fmt(a)}, expected = {_fmt(e)}, "
                          f"rtol = {rtol:g}, atol = {atol:g})")
    print(f"{OK} {text}")


def between(text: str, value, low=-np.inf, high=np.inf) -> None:
    """Check ``low <= value <= high`` (elementwise for an array)."""
    _text(text)
    v = _nonempty("value", as_numpy(value, dtype=float), text)
    ok = bool(np.all((v >= low) & (v <= high)))
    report.claim(text, "between", ok, value=v, low=float(low), high=float(high))
    if not ok:
        raise ClaimFailed(f"Claim failed: {text} (value = {_fmt(v)}, low = {_fmt(low)}, high = {_fmt(high)})")
    print(f"{OK} {text}")


def needs(enough: bool, reason: str) -> bool:
    """Whether a claim's budget is met: prints ``⊘ skipped: reason`` when it is not.

    For claims that only hold with enough training (``EPOCHS``, ``STEPS``)::

        if check.needs(P.EPOCHS >= 10, "the generalisation claim needs EPOCHS of at least 10"):
            check.between(...)
    """
    _text(reason)
    if not enough:
        report.claim(reason, "skipped", True)
        print(f"{SKIPPED} skipped: {reason}")
    return bool(enough)
