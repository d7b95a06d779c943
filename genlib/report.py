"""What a lecture measured, for the course runner's run record.

``report.record("elbo_test", -98.4)`` keeps a value. The checks of
:mod:`genlib.check` add every claim they test (its value, bounds and result),
:func:`genlib.exercises.check` the state of every exercise, and
:func:`genlib.data.load` the data set a lecture really used. When the
environment variable ``GENLIB_RECORD_FILE`` names a file (the course runner sets
it for each lecture it executes), everything collected so far is written there
as JSON after every call (through a temporary file, so the runner never reads half a
file); the runner keeps it under ``record`` in ``<NAME>.run.json``::

    {"metrics": {name: value}, "claims": [...], "exercises": {name: state},
     "data": [{"asked", "used", "fallback", "source", "files": {file: md5}, ...}]}

Nothing is printed, so notebooks stay reproducible.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

from .runtime import as_numpy

ENV = "GENLIB_RECORD_FILE"
_state: dict = {"metrics": {}, "claims": [], "exercises": {}, "data": []}


def _plain(v):
    if hasattr(v, "detach"):
        v = as_numpy(v)
    if isinstance(v, np.ndarray):
        v = v.item() if v.size == 1 else v.tolist()
    if hasattr(v, "item") and not isinstance(v, (list, dict, str)):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def _write() -> None:
    path = os.environ.get(ENV)
    if not path:
        return
    p = Path(path)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(_state, indent=1, sort_keys=True, default=str))
    os.replace(tmp, p)


def record(name: str, value) -> None:
    """Keep a measured value under ``name`` (numbers, strings, lists, dicts, tensors)."""
    _state["metrics"][name] = _plain(value)
    _write()


def claim(text: str, kind: str, passed: bool, value=None, low=None, high=None, note=None) -> None:
    """Keep one checked claim (called by :mod:`genlib.check`).

    For an array ``value`` the element nearest to a bound is kept.
    """
    entry = {"text": text, "kind": kind, "passed": bool(passed)}
    if value is not None:
        v = np.asarray(value, dtype=float).ravel()
        lo = -math.inf if low is None else low
        hi = math.inf if high is None else high
        with np.errstate(invalid="ignore"):
            margins = np.minimum(v - lo, hi - v)
        i = int(np.nanargmin(margins)) if np.any(np.isfinite(margins)) else 0
        entry.update(value=_plain(float(v[i])), low=_plain(lo), high=_plain(hi), n=int(v.size))
    if note:
        entry["note"] = note
    _state["claims"].append(entry)
    _write()


def exercise_state(name: str, state: str) -> None:
    """Keep the state of an exercise: ``done`` or ``not done yet`` (called by ``exercises.check``)."""
    _state["exercises"][name] = state
    _write()


def data(entry: dict) -> None:
    """Keep the provenance of a data set a lecture loaded (called by ``genlib.data.load``)."""
    _state["data"].append(_plain(entry))
    _write()


def state() -> dict:
    """Everything recorded so far (a copy)."""
    return json.loads(json.dumps(_state, default=str))
