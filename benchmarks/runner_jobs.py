"""Wall time of the whole course through the runner, one lecture at a time vs several.

    python -m benchmarks.runner_jobs                 # --jobs 1 and 2, PROFILE cpu
    python -m benchmarks.runner_jobs --jobs 1 2 3 01 02

Each setting runs ``python -m genlib.course run -p PROFILE cpu --jobs N`` into a
fresh folder and reports the wall time of the whole command, the sum of the
lectures' own wall times (from their run records) and how many passed. Every lecture
runs torch on one thread (``genlib.runtime.one_thread`` is the course's policy), so
on a 2-core machine --jobs 2 can overlap two lectures' arithmetic as well as kernel
start-up, imports and I/O. Targets: every lecture passes in every setting, and no
--jobs N > 1 is slower than --jobs 1 (speed-up at least 0.95; timings on a shared
machine are noisy). Writes benchmarks/results/runner_jobs.md; exits 1 on a miss.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, Targets, save, table
from genlib.course import records


def measure(jobs: int, lectures: list[str], profile: str) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"runner-jobs{jobs}-") as out:
        cmd = [sys.executable, "-m", "genlib.course", "run", *lectures, "-p", "PROFILE", profile,
               "--jobs", str(jobs), "--out", out]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        recs = records.read_all(Path(out))
    if proc.returncode == 2:
        sys.exit(f"the runner refused the input:\n{proc.stderr}")
    return {"jobs": jobs, "wall": wall, "sum": sum(r.get("wall_s", 0) for r in recs),
            "ok": sum(r["status"] == "ok" for r in recs), "n": len(recs),
            "failed": [r["lecture"] for r in recs if r["status"] != "ok"],
            "per": {r["lecture"]: r.get("wall_s", float("nan")) for r in recs}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lectures", nargs="*", help="lectures (default: all)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--profile", default="cpu")
    args = ap.parse_args(argv)
    rows = [measure(j, args.lectures, args.profile) for j in args.jobs]
    base = next((r for r in rows if r["jobs"] == 1), rows[0])
    targets = Targets()
    summary = []
    for r in rows:
        speedup = base["wall"] / r["wall"]
        targets.require(f"--jobs {r['jobs']}: every lecture passes", not r["failed"] and r["n"] > 0,
                        f"{r['ok']}/{r['n']}" + (f" (failed: {', '.join(r['failed'])})" if r["failed"] else ""))
        if r["jobs"] > 1:
            targets.require(f"--jobs {r['jobs']} is not slower than --jobs 1", speedup >= 0.95, f"{speedup:.2f}x")
        summary.append((r["jobs"], f"{r['wall']:.1f}", f"{r['sum']:.1f}", f"{speedup:.2f}x", f"{r['ok']}/{r['n']}"))
    names = sorted(set().union(*(r["per"] for r in rows)))
    per = [(n, *(f"{r['per'].get(n, float('nan')):.1f}" for r in rows)) for n in names]
    body = (table(["jobs", "wall (s)", "sum of lectures (s)", "speed-up", "passed"], summary) + "\n\n"
            + table(["lecture"] + [f"jobs {r['jobs']} (s)" for r in rows], per) + "\n\n" + targets.markdown())
    save("runner_jobs", f"Course runner, PROFILE={args.profile}, {os.cpu_count()} CPU cores, {base['n']} lectures",
         body, "python -m benchmarks.runner_jobs " + " ".join(["--jobs", *map(str, args.jobs), *args.lectures]))
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
