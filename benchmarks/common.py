"""What every benchmark shares: running a lecture through the course runner, tables,
targets that fail the benchmark, and the results file.

The lecture is the benchmark: a figure comes from executing the lecture students run,
with parameters, through the course runner (``python -m genlib.course run``), and from
reading what the lecture recorded (``<out>/<NAME>.run.json``, key ``record``:
``metrics``, ``claims``, ``exercises``, ``data``). Independent references (scipy,
scikit-learn, pytorch/examples) run in the same benchmark run, beside it.

Each benchmark writes its section of ``benchmarks/RESULTS.md`` to
``benchmarks/results/<name>.md`` (command, seeds, date, machine, table, targets) with
:func:`save`, and exits non-zero when it misses a target (:class:`Targets`)::

    targets = Targets()
    targets.require("ring: 8/8 modes", modes == 8, f"{modes}/8")
    save("wgan", "WGAN-GP on the ring", table(...), command=rec["command"], seeds=seeds, targets=targets)
    return targets.exit_code()          # main() returns it; sys.exit(main())

``make bench`` runs the package (``python -m benchmarks [NAME ...]``, :func:`main`): every
benchmark in turn (``claims`` last, the longest), each one even after another missed a
target (the miss is marked in its section and makes the exit status non-zero), then
joins the sections into ``benchmarks/RESULTS.md``. A benchmark that
wrote no section of its own in that run gets one made from what it printed, with its
command, date and machine.
"""
from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from genlib import manifest
from genlib.course import records, registry

ROOT = manifest.ROOT
BENCHMARKS = ROOT / "benchmarks"
RESULTS = BENCHMARKS / "results"
RESULTS_MD = BENCHMARKS / "RESULTS.md"


def run_lecture(name: str, params: dict | None = None, out: str | Path | None = None, env: dict | None = None,
                timeout: float | None = None, cell_timeout: float | None = None) -> dict:
    """Execute one lecture with the course runner; return its run record (``<NAME>.run.json``).

    ``name`` is a lecture number or name (``"07"``, ``"07_wgan"``), resolved as the runner
    resolves it (``registry.resolve``); the record is read with ``records.read``. ``timeout``
    bounds the whole run, ``cell_timeout`` each cell (the runner's ``--timeout``; its default is
    1800 s). The runner runs in a process of its own (``python -m genlib.course run``): each run
    gets its own environment (``env``, e.g. another kernel path), and the runner forks its
    workers from a process with no other threads, which a benchmark running several lectures
    at once is not. Raises ``RuntimeError`` with the runner's output when the run does not
    produce a record.
    """
    lecture = registry.resolve([name], registry.lectures())[0]
    out = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="bench-"))
    cmd = [sys.executable, "-m", "genlib.course", "run", lecture, "--out", str(out)]
    if cell_timeout is not None:
        cmd += ["--timeout", str(cell_timeout)]
    for k, v in (params or {}).items():
        cmd += ["-p", k, str(v)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))
    rec = records.read(out, lecture)
    if rec is None:
        raise RuntimeError(f"{' '.join(map(shlex.quote, cmd))} wrote no run record:\n{proc.stdout}\n{proc.stderr}")
    rec["command"] = " ".join(["python -m genlib.course run", str(name)] +
                              [f"-p {k} {v}" for k, v in (params or {}).items()])
    rec["out"] = str(out)
    return rec


def seeds_arg(text: str) -> list[int]:
    """``0-4`` or ``0,2,5`` or ``3`` -> a list of seeds (empty string -> none)."""
    out = []
    for part in filter(None, text.split(",")):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b) + 1)) if b else [int(a)]
    return out


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
    """Targets a benchmark must reach; ``exit_code()`` is 1 when any was missed, or none was checked."""

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
        if not self.rows:
            print("MISSED: no target was checked (a benchmark must be able to fail)", file=sys.stderr)
            return 1
        for what, measured, _ in self.missed:
            print(f"MISSED: {what} (measured: {measured})", file=sys.stderr)
        return 1 if self.missed else 0


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def save(name: str, title: str, body: str, command: str, seeds=None, targets: Targets | None = None) -> Path:
    """Write this benchmark's section of RESULTS.md (``benchmarks/results/<name>.md``) and print it.

    ``targets``, when given, is appended as a table, and the title says when one was missed.
    """
    missed = targets is not None and bool(targets.missed)
    head = [f"## {title}" + (" (TARGET MISSED)" if missed else ""), "", f"- command: `{command}`"]
    if seeds is not None:
        head.append(f"- seeds: {', '.join(map(str, seeds))}")
    head += [f"- measured: {_now()}, {machine()}", ""]
    text = "\n".join(head) + "\n" + body.strip() + "\n"
    if targets is not None:
        text += "\n" + targets.markdown() + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    print(text)
    return path


# --------------------------------------------------------------------------- make bench

HEADER = """# Benchmark results

Written by `make bench` from the sections in `benchmarks/results/` (one per benchmark);
do not edit by hand. Each section gives the command that produced it, the seeds, and
when and where it was measured. Timings depend on the machine and on its load.
"""


def benchmarks() -> list[str]:
    """The benchmarks ``make bench`` runs, in order: every script here but this one, ``claims`` last."""
    names = sorted(p.stem for p in BENCHMARKS.glob("*.py") if p.stem not in ("common", "__init__", "__main__"))
    return sorted(names, key=lambda n: n == "claims")


def write_results(path: Path | None = None) -> Path:
    """Join ``benchmarks/results/*.md`` (in :func:`benchmarks` order, then any others) into RESULTS.md."""
    path = Path(path) if path is not None else RESULTS_MD
    order = {n: i for i, n in enumerate(benchmarks())}
    sections = sorted(RESULTS.glob("*.md"), key=lambda p: (order.get(p.stem, len(order)), p.stem))
    parts = [HEADER] + [p.read_text().strip() + "\n" for p in sections]
    path.write_text("\n".join(parts))
    return path


def run_benchmark(name: str, args=()) -> int:
    """Run ``benchmarks/<name>.py``, echoing its output; make its section from the output if it wrote none.

    The script runs with the checkout first on ``PYTHONPATH``, so its ``from benchmarks.common
    import ...`` finds this package (``python -m benchmarks.<name>`` does the same by hand)."""
    script = BENCHMARKS / f"{name}.py"
    cmd = [sys.executable, str(script), *args]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    started = _dt.datetime.now().timestamp()
    section = RESULTS / f"{name}.md"
    print(f"== {name}: {' '.join(map(shlex.quote, cmd))}", flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    out = []
    for line in proc.stdout:
        print(line, end="", flush=True)
        out.append(line)
    rc = proc.wait()
    if not (section.is_file() and section.stat().st_mtime >= started):
        status = "" if rc == 0 else f" (exit status {rc}: TARGET MISSED or failed)"
        save(name, f"{name}{status}", "```\n" + "".join(out).strip() + "\n```",
             command=" ".join(["python -m", f"benchmarks.{name}", *args]))
    return rc


def main(argv=None) -> int:
    """``python -m benchmarks [NAME ...]``: run the benchmarks, every one even after a miss, write RESULTS.md.

    A missed target marks its own section (TARGET MISSED) and makes the exit status non-zero
    (the first non-zero one); it does not keep the other figures from being measured.
    """
    names = list(argv if argv is not None else sys.argv[1:]) or benchmarks()
    unknown = [n for n in names if n not in benchmarks()]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(benchmarks())}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        rc = run_benchmark(name)
        if rc != 0:
            failed.append((name, rc))
            print(f"make bench: {name} exited {rc} (a target was missed, or it failed); its section in "
                  f"benchmarks/results/{name}.md says which. Going on.", file=sys.stderr)
    path = write_results()
    print(f"wrote {path} from {len(list(RESULTS.glob('*.md')))} sections")
    if failed:
        print("make bench: missed or failed: " + ", ".join(f"{n} (exit {rc})" for n, rc in failed), file=sys.stderr)
        return failed[0][1]
    return 0


def fmt(v, digits: int = 4) -> str:
    """A figure for a results table: ``digits`` significant digits, ``-`` for none, ``inf`` spelt out."""
    if v is None:
        return "-"
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{digits}g}"
