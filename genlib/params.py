"""Validation of a lecture's parameters.

papermill injects whatever it is given: ``-p EPOCHS two`` becomes a string and a
misspelt name only raises a warning. Each lecture therefore follows its
``parameters`` cell with::

    RUN = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0))

which raises a ``ValueError`` naming the parameter and the allowed values, and
rejects any UPPER_CASE name in the notebook's namespace that is not a known
parameter (a misspelling).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Spec:
    describe: str
    check: Callable[[Any], Any]  # returns the (possibly normalised) value or raises ValueError

    def __call__(self, name: str, value: Any) -> Any:
        try:
            return self.check(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Parameter {name} must be {self.describe}; got {value!r}.") from exc


def choice(*allowed: str) -> Spec:
    def check(v):
        if v not in allowed:
            raise ValueError
        return v

    return Spec("one of " + ", ".join(repr(a) for a in allowed), check)


def integer(min: int | None = None, max: int | None = None) -> Spec:
    lo = "" if min is None else f" >= {min}"
    hi = "" if max is None else f" <= {max}"
    desc = "an integer" + lo + ("," if lo and hi else "") + hi

    def check(v):
        if isinstance(v, bool) or not isinstance(v, Integral):
            raise TypeError
        if (min is not None and v < min) or (max is not None and v > max):
            raise ValueError
        return int(v)

    return Spec(desc, check)


def number(min: float | None = None, max: float | None = None, positive: bool = False) -> Spec:
    parts = []
    if positive:
        parts.append(" > 0")
    if min is not None:
        parts.append(f" >= {min}")
    if max is not None:
        parts.append(f" <= {max}")
    desc = "a finite number" + ",".join(parts)

    def check(v):
        if isinstance(v, bool) or not isinstance(v, Real):
            raise TypeError
        v = float(v)
        if not math.isfinite(v):
            raise ValueError
        if (positive and v <= 0) or (min is not None and v < min) or (max is not None and v > max):
            raise ValueError
        return v

    return Spec(desc, check)


def flag() -> Spec:
    def check(v):
        if not isinstance(v, bool):
            raise TypeError
        return v

    return Spec("True or False", check)


PROFILES = choice("auto", "cpu", "full")


class Params(dict):
    """The validated parameters; also readable as attributes."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def validate(namespace: Mapping[str, Any], **specs: Spec) -> Params:
    """Check every declared parameter in ``namespace`` and reject unknown ones.

    ``namespace`` is normally the notebook's ``globals()``. Each keyword names a
    parameter and its :class:`Spec`. Returns the validated values.
    """
    unknown = sorted(
        k for k in namespace
        if k.isupper() and not k.startswith("_") and k not in specs
        and not callable(namespace[k]) and not _is_module(namespace[k])
    )
    if unknown:
        raise ValueError(
            f"Unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"this lecture accepts: {', '.join(specs)}."
        )
    out = Params()
    for name, spec in specs.items():
        if name not in namespace:
            raise ValueError(f"Parameter {name} is missing from the parameters cell.")
        out[name] = spec(name, namespace[name])
    return out


def _is_module(v) -> bool:
    import types

    return isinstance(v, types.ModuleType)
