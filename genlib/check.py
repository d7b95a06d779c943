"""Claim checks for the notebooks.

Every claim a lecture makes in prose is followed by a check. On success a check
prints one stable line (no raw floats that could wobble in the last digit), so
strict nbval compares it; on failure it raises :class:`ClaimFailed` with the
numbers, so the notebook - and CI - stops there.
"""
from __future__ import annotations

import numpy as np

OK = "\u2714"  # heavy check mark


class ClaimFailed(AssertionError):
    """A claim made in a lecture did not hold."""


def _fmt(v):
    try:
        arr = np.asarray(v.detach().cpu() if hasattr(v, "detach") else v, dtype=float)
    except Exception:
        return repr(v)
    if arr.size == 1:
        return f"{float(arr):.6g}"
    return np.array2string(arr, precision=6, threshold=12)


def claim(text: str, holds, **numbers) -> None:
    """Print ``✔ text`` if ``holds`` is true; else raise with the numbers given."""
    ok = bool(np.all(np.asarray(holds.detach().cpu() if hasattr(holds, "detach") else holds)))
    if not ok:
        details = ", ".join(f"{k} = {_fmt(v)}" for k, v in numbers.items())
        raise ClaimFailed(f"Claim failed: {text}" + (f" ({details})" if details else ""))
    print(f"{OK} {text}")


def close(text: str, actual, expected, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Check ``actual`` ≈ ``expected`` (elementwise, numpy.isclose rules; inf == inf)."""
    a = np.asarray(actual.detach().cpu() if hasattr(actual, "detach") else actual, dtype=float)
    e = np.asarray(expected.detach().cpu() if hasattr(expected, "detach") else expected, dtype=float)
    if a.shape != e.shape and a.size != 1 and e.size != 1:
        raise ClaimFailed(f"Claim failed: {text} (shapes differ: {a.shape} vs {e.shape})")
    ok = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=False)
    claim(text, ok, actual=a, expected=e, rtol=rtol, atol=atol)


def between(text: str, value, low=-np.inf, high=np.inf) -> None:
    """Check ``low <= value <= high``."""
    v = np.asarray(value.detach().cpu() if hasattr(value, "detach") else value, dtype=float)
    claim(text, (v >= low) & (v <= high), value=v, low=low, high=high)
