"""Validation of a lecture's parameters, in one place.

papermill injects whatever it is given: ``-p EPOCHS two`` becomes a string and a
misspelt name only raises a warning. Each lecture therefore follows its
``parameters`` cell with::

    P = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0),
                        DATASET=genlib.choice(*data.NAMES), LATENT_DIM=genlib.integer(min=1),
                        rules=[genlib.rule("LATENT_DIM", lambda p: p.LATENT_DIM < data.PIXELS[p.DATASET],
                                           lambda p: f"below the number of pixels of {p.DATASET} "
                                                     f"({data.PIXELS[p.DATASET]})")])

which raises a ``ValueError`` naming the parameter and the allowed values. It
rejects any name in the notebook's namespace that is not a declared parameter
(a misspelling such as ``SEEED``, or ``epochs`` injected by ``papermill -p epochs 2``).
Every constraint a lecture enforces is declared here, cross-parameter ones as
``rules``, so the course runner's pre-check (which evaluates this same call)
catches them before any kernel starts.
"""
from __future__ import annotations

import difflib
import math
import types
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Callable, Iterable, Mapping

from . import manifest


@dataclass(frozen=True)
class Spec:
    describe: str
    check: Callable[[Any], Any]  # returns the (possibly normalised) value or raises ValueError

    def __call__(self, name: str, value: Any) -> Any:
        try:
            return self.check(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Parameter {name} must be {self.describe}; got {value!r}.") from None


def choice(*allowed: str) -> Spec:
    def check(v):
        if v not in allowed:
            raise ValueError
        return v

    return Spec("one of " + ", ".join(repr(a) for a in allowed), check)


def _bounds(min, max) -> str:
    parts = ([] if min is None else [f"at least {min}"]) + ([] if max is None else [f"at most {max}"])
    return (", " + " and ".join(parts)) if parts else ""


def integer(min: int | None = None, max: int | None = None) -> Spec:
    def check(v):
        if isinstance(v, bool) or not isinstance(v, Integral):
            raise TypeError
        if (min is not None and v < min) or (max is not None and v > max):
            raise ValueError
        return int(v)

    return Spec("an integer" + _bounds(min, max), check)


def number(min: float | None = None, max: float | None = None, positive: bool = False) -> Spec:
    desc = "a finite number" + (", above 0" if positive else "") + _bounds(min, max)

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


PROFILES = choice(*manifest.PROFILE_NAMES)   # what a lecture's PROFILE may be


@dataclass(frozen=True)
class Rule:
    """A constraint between parameters: ``name`` must satisfy ``holds(params)``."""

    name: str
    holds: Callable[["Params"], bool]
    describe: str | Callable[["Params"], str]

    def message(self, p: "Params") -> str:
        describe = self.describe(p) if callable(self.describe) else self.describe
        return f"Parameter {self.name} must be {describe}; got {p[self.name]!r}."


def rule(name: str, holds: Callable[["Params"], bool], describe: str | Callable[["Params"], str]) -> Rule:
    """A cross-parameter constraint for :func:`validate`: ``describe`` says what is allowed."""
    return Rule(name, holds, describe)


class Params(dict):
    """The validated parameters; also readable as attributes."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# What IPython itself puts in a notebook's namespace (names starting with "_" are skipped too).
_IPYTHON_NAMES = {"In", "Out", "exit", "quit", "get_ipython"}


def _is_plain_value(v) -> bool:
    return not (callable(v) or isinstance(v, (types.ModuleType, type)))


def validate(namespace: Mapping[str, Any], rules: Iterable[Rule] = (), **specs: Spec) -> Params:
    """Check every declared parameter in ``namespace`` and reject unknown ones.

    ``namespace`` is normally the notebook's ``globals()`` at the validation
    cell, where it holds only modules, functions and the parameters. Each keyword
    names a parameter and its :class:`Spec`; ``rules`` are the constraints
    between parameters (:func:`rule`), checked once every value is valid.
    Returns the validated values.
    """
    unknown = sorted(k for k, v in namespace.items()
                     if not k.startswith("_") and k not in specs and k not in _IPYTHON_NAMES
                     and _is_plain_value(v))
    if unknown:
        hints = []
        for k in unknown:
            near = [s for s in specs if s.lower() == k.lower()] or difflib.get_close_matches(k.upper(), specs, n=1)
            hints.append(f"{k} (did you mean {near[0]}?)" if near else k)
        raise ValueError(
            f"Unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(hints)}; "
            f"this lecture accepts: {', '.join(specs)}.")
    out = Params()
    for name, spec in specs.items():
        if name not in namespace:
            raise ValueError(f"Parameter {name} is missing from the parameters cell.")
        out[name] = spec(name, namespace[name])
    for r in rules:
        if r.name not in out:
            raise ValueError(f"a rule names {r.name}, which is not a parameter of this lecture")
        if not r.holds(out):
            raise ValueError(r.message(out))
    return out
