"""What a lecture measured, for the course runner's metrics file.

``report.record("elbo_test", -98.4)`` keeps the value; when the environment
variable ``GENLIB_METRICS_FILE`` names a file (the course runner sets it for
each lecture it executes), the values collected so far are written there as
JSON after every call. Nothing is printed, so notebooks stay reproducible.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

_values: dict[str, object] = {}


def _plain(v):
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v


def record(name: str, value) -> None:
    _values[name] = _plain(value)
    path = os.environ.get("GENLIB_METRICS_FILE")
    if path:
        p = Path(path)
        tmp = p.with_suffix(p.suffix + ".tmp")
        tmp.write_text(json.dumps(_values, indent=2, sort_keys=True))
        os.replace(tmp, p)


def values() -> dict:
    return dict(_values)
