"""The run report: ``<out>/report.md``, rewritten by every run over every lecture in ``<out>``.

One row per run record in the folder (whatever invocation wrote it), then a section per
lecture that did not pass: the cell, the one-line error, links to the notebook and log.
A lecture that ran on fallback data reads ``ok, fallback: mnist5k``, never a plain ok.
"""
from __future__ import annotations

import datetime as _dt
import subprocess
from pathlib import Path

from . import records
from .registry import ROOT

KEY_METRICS = 6


def _short(text, n=200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _fmt(v) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return _short(v, 40)
    return f"{v:.4g}"


def _cell(s) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _revision() -> str:
    """The checkout's commit (with ``+changes`` when the tree is dirty), or ''."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return sha + (" +changes" if sha and dirty else "")


def _data(rec) -> str:
    entries = [d for d in (rec.get("record") or {}).get("data") or [] if isinstance(d, dict)]
    seen = []
    for d in entries:
        text = d.get("used", "?") + (f" (asked for {d.get('asked')})" if d.get("fallback") else "")
        if text not in seen:
            seen.append(text)
    return ", ".join(seen) or "\u2014"


def _row(r) -> list[str]:
    status = records.status_text(r) + (" (up to date)" if r.get("resumed") else "")
    params = ", ".join(f"{k}={v}" for k, v in (r.get("parameters") or {}).items()) or "defaults"
    items = list(((r.get("record") or {}).get("metrics") or {}).items())
    metrics = ", ".join(f"{k}={_fmt(v)}" for k, v in items[:KEY_METRICS])
    if len(items) > KEY_METRICS:
        metrics += f", \u2026 (+{len(items) - KEY_METRICS} in {r['lecture']}.run.json)"
    return [r["lecture"], status, f"{r.get('wall_s', 0):.1f}", (r.get("started") or "?").replace("+00:00", "Z"),
            params, _data(r), metrics or "\u2014"]


def write(out: Path, this_run: list[dict], stopped_by: str | None = None, title: str = "Course run") -> Path:
    """Write ``<out>/report.md`` over every run record in ``out``; ``this_run`` are this invocation's."""
    out = Path(out)
    every = records.read_all(out)
    resumed = {r["lecture"] for r in this_run if r.get("resumed")}
    every = [dict(r, resumed=r["lecture"] in resumed) for r in every]
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rev = _revision()
    ran = [r["lecture"] for r in this_run if not r.get("resumed") and r.get("status") != "not started"]
    n_ok = sum(r.get("status") == "ok" for r in every)
    head = [f"# {title}", "", f"Written {when}" + (f", genlib at {rev}" if rev else "") + ".",
            f"This invocation ran {', '.join(ran) or 'no lecture'}"
            + (f" and was stopped by {stopped_by}" if stopped_by else "") + ".",
            f"{n_ok} of {len(every)} lectures in this folder passed"
            + (f" ({sum(bool(records.fallbacks(r)) for r in every)} on fallback data)"
               if any(records.fallbacks(r) for r in every) else "") + ".", ""]
    cols = ["Lecture", "Status", "Time (s)", "Started", "Parameters", "Data", "Key metrics"]
    md = head + ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    md += ["| " + " | ".join(_cell(c) for c in _row(r)) + " |" for r in every]
    problems = [r for r in every if r.get("status") != "ok" or records.fallbacks(r)]
    if problems:
        md += ["", "## Not a plain pass"]
    for r in problems:
        name, e = r["lecture"], r.get("error") or {}
        md += ["", f"### {name}: {records.status_text(r)}", ""]
        if "cell_index" in e:
            md.append(f"- cell {e['cell_index']} (In [{e.get('execution_count')}]): `{_cell(e['first_line'])}`")
        if e:
            md.append(f"- `{_cell(e.get('ename', '?'))}: {_cell(_short(e.get('evalue', ''), 500))}`")
        for d in (r.get("record") or {}).get("data") or []:
            if isinstance(d, dict) and d.get("fallback"):
                md.append(f"- data: asked for {d.get('asked')}, used {d.get('used')}: {_cell(d['fallback'])}")
        links = [f"[{name}{ext}]({name}{ext})" for ext in (".ipynb", ".log") if (out / f"{name}{ext}").exists()]
        if links:
            md.append("- " + ", ".join(links))
    path = out / "report.md"
    tmp = out / ".report.md.tmp"
    tmp.write_text("\n".join(md) + "\n")
    tmp.replace(path)
    (out / "report.html").unlink(missing_ok=True)  # written by older runners; it would be stale
    return path
