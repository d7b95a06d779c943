"""What every benchmark shares: running a lecture through the course runner, tables,
targets that fail the benchmark, and the results file.

The lecture is the benchmark: a figure comes from executing the lecture students run,
with parameters, through the course runner (``python -m genlib.course run``), and from
reading what the lecture recorded (``<out>/<NAME>.run.json``, key ``record``:
``metrics``, ``claims``, ``exercises``, ``data``). Independent references (scipy,
scikit-learn, pytorch/examples) run in the same benchmark run, beside it.

Each benchmark writes its section of ``benchmarks/RESULTS.md`` to
``benchmarks/results/<name>.md`` (command, seeds, date, machine, table); ``make bench``
joins the sections. A benchmark exits non-zero when it misses a target
(:class:`Targets`).
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def run_lecture(name: str, params: dict | None = None, out: str | Path | None = None, env: dict | None = None,
                timeout: float | None = None) -> dict:
    """Execute one lecture with the course runner; return its run record (``<NAME>.run.json``).

    ``name`` is a lecture number or name (``"07"``, ``"07_wgan"``). Raises
    ``RuntimeError`` with the runner's output when the run does not produce a record.
    """
    out = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="bench-"))
    cmd = [sys.executable, "-m", "genlib.course", "run", str(name), "--out", str(out)]
    for k, v in (params or {}).items():
        cmd += ["-p", k, str(v)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))
    records = sorted(out.glob("*.run.json"))
    if not records:
        raise RuntimeError(f"{' '.join(map(shlex.quote, cmd))} wrote no run record:\n{proc.stdout}\n{proc.stderr}")
    rec = json.loads(records[-1].read_text())
    rec["command"] = " ".join(["python -m genlib.course run", str(name)] +
                              [f"-p {k} {v}" for k, v in (params or {}).items()])
    rec["out"] = str(out)
    return rec


def table(headers, rows) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(map(str, headers)) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """One line saying where the figures were measured."""
    try:
        import torch

        torch_v = torch.__version__
        gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    except Exception:  # pragma: no cover
        torch_v, gpu = "?", "?"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), {gpu}, Python {platform.python_version()}, torch {torch_v}, "
            f"load average {os.getloadavg()[0]:.1f}")


class Targets:
    """Targets a benchmark must reach; ``exit_code()`` is 1 when any was missed."""

    def __init__(self):
        self.rows = []

    def require(self, what: str, ok: bool, measured: str) -> bool:
        self.rows.append((what, measured, "met" if ok else "**MISSED**"))
        return ok

    @property
    def missed(self) -> list:
        return [r for r in self.rows if r[2] != "met"]

    def markdown(self) -> str:
        return table(["target", "measured", ""], self.rows)

    def exit_code(self) -> int:
        for what, measured, _ in self.missed:
            print(f"MISSED: {what} (measured: {measured})", file=sys.stderr)
        return 1 if self.missed else 0


def save(name: str, title: str, body: str, command: str, seeds=None) -> Path:
    """Write this benchmark's section of RESULTS.md (``benchmarks/results/<name>.md``) and print it."""
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = [f"## {title}", "", f"- command: `{command}`"]
    if seeds is not None:
        head.append(f"- seeds: {', '.join(map(str, seeds))}")
    head += [f"- measured: {when}, {machine()}", ""]
    text = "\n".join(head) + body.rstrip() + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    print(text)
    return path
