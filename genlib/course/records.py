"""The run record of a lecture: ``<out>/<NAME>.run.json``, one per lecture in an output folder.

Keys: ``lecture``, ``status``, ``started``, ``wall_s``, ``parameters``,
``notebook_sha256`` (of the notebook that ran), ``record`` (what the lecture recorded
through :mod:`genlib.report`: ``metrics``, ``claims``, ``exercises``, ``data``), and
``error`` when it did not pass.

``status`` is one of:

* ``running``     - written when the lecture's run starts, so its old result is invalid
  from that moment (its old notebook and log are removed with it);
* ``ok``          - every cell ran (``fallback`` lists data sets that stood in for the
  one asked for: the status then reads ``ok, fallback: mnist5k``);
* ``failed``      - a cell raised (``error`` names the cell);
* ``error``       - the run could not complete (kernel died, time-out, unreadable notebook);
* ``interrupted`` - SIGINT or SIGTERM ended it, or the runner itself was killed.

Every write goes through a temporary file and ``os.replace``, so a record is never half
written. While a lecture runs, its notebook, log and kernel-side record live in
``<out>/.partial/`` and take their final names only when the lecture ends.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

PARTIAL = ".partial"
SUFFIX = ".run.json"


def path(out: Path, name: str) -> Path:
    return Path(out) / f"{name}{SUFFIX}"


def notebook_hash(nb_path) -> str:
    return hashlib.sha256(Path(nb_path).read_bytes()).hexdigest()


def write(out: Path, name: str, rec: dict) -> dict:
    """Write ``rec`` as ``<out>/<name>.run.json``, atomically."""
    final = path(out, name)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(rec, indent=2, sort_keys=True, default=str))
    os.replace(tmp, final)
    return rec


def read(out: Path, name: str) -> dict | None:
    try:
        return json.loads(path(out, name).read_text())
    except (OSError, ValueError):
        return None


def read_all(out: Path) -> list[dict]:
    """Every run record in ``out``, by lecture name (unreadable files are skipped)."""
    recs = []
    for p in sorted(Path(out).glob(f"*{SUFFIX}")):
        try:
            rec = json.loads(p.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(rec, dict):
            recs.append(dict(rec, lecture=rec.get("lecture") or p.name[: -len(SUFFIX)]))
    return recs


def invalidate(out: Path, name: str, start: dict) -> dict:
    """Mark ``name`` as running (the old result is no longer valid) and remove its old outputs."""
    rec = write(out, name, dict(start, lecture=name, status="running"))
    for old in (Path(out) / f"{name}.ipynb", Path(out) / f"{name}.log"):
        old.unlink(missing_ok=True)
    return rec


def up_to_date(out: Path, name: str, digest: str, params: dict) -> dict | None:
    """The last record of ``name`` if it passed with this notebook and these parameters."""
    old = read(out, name)
    same = (old is not None and old.get("status") == "ok" and old.get("notebook_sha256") == digest
            and old.get("parameters") == json.loads(json.dumps(params))
            and (Path(out) / f"{name}.ipynb").exists())
    return old if same else None


def mark_stale(out: Path, why: str = "the runner stopped before the lecture ended") -> list[str]:
    """Records still ``running`` from a runner that is gone become ``interrupted``."""
    names = []
    for rec in read_all(out):
        if rec.get("status") == "running":
            write(out, rec["lecture"], dict(rec, status="interrupted", error={"ename": "Interrupted", "evalue": why}))
            names.append(rec["lecture"])
    return names


def fallbacks(rec: dict) -> list[str]:
    """Data sets that stood in for the one a lecture asked for (from its ``record.data``)."""
    data = (rec.get("record") or {}).get("data") or []
    return sorted({d.get("used") for d in data if isinstance(d, dict) and d.get("fallback")} - {None})


def status_text(rec: dict) -> str:
    """``ok``, ``ok, fallback: mnist5k``, ``failed``, ``interrupted``..."""
    status = rec.get("status", "?")
    if status == "ok" and fallbacks(rec):
        status += ", fallback: " + ", ".join(fallbacks(rec))
    return status
