"""Wall time of the whole course through the runner, one lecture at a time vs several.

    .venv/bin/python benchmarks/runner_jobs.py                 # --jobs 1 and 2, PROFILE cpu
    .venv/bin/python benchmarks/runner_jobs.py --jobs 1 2 3 01 02

Each setting runs ``python -m genlib.course run -p PROFILE cpu --jobs N`` into a
fresh folder and reports the wall time of the whole command, the sum of the
lectures' own wall times (from their metrics files) and how many passed. The
lectures set torch to 2 threads each, so on a 2-core machine --jobs 2 mostly
overlaps kernel start-up, imports and I/O rather than arithmetic.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(jobs: int, lectures: list[str], profile: str) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"runner-jobs{jobs}-") as out:
        cmd = [sys.executable, "-m", "genlib.course", "run", *lectures, "-p", "PROFILE", profile,
               "--jobs", str(jobs), "--out", out]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, GENLIB_HEADLESS="1"))
        wall = time.perf_counter() - t0
        records = [json.loads(p.read_text()) for p in sorted(Path(out).glob("*.run.json"))]
    if proc.returncode == 2:
        sys.exit(f"the runner refused the input:\n{proc.stderr}")
    return {"jobs": jobs, "wall": wall, "sum": sum(r["wall_s"] for r in records),
            "ok": sum(r["status"] == "ok" for r in records), "n": len(records),
            "failed": [r["lecture"] for r in records if r["status"] != "ok"],
            "per": {r["lecture"]: r["wall_s"] for r in records}}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lectures", nargs="*", help="lectures (default: all)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--profile", default="cpu")
    args = ap.parse_args(argv)
    rows = [measure(j, args.lectures, args.profile) for j in args.jobs]
    cpus = os.cpu_count()
    print(f"Course runner, PROFILE={args.profile}, {cpus} CPU cores, {rows[0]['n']} lectures")
    print(f"{'jobs':>4} | {'wall (s)':>8} | {'sum of lectures (s)':>19} | {'speed-up':>8} | passed")
    print("-" * 60)
    for r in rows:
        print(f"{r['jobs']:>4} | {r['wall']:>8.1f} | {r['sum']:>19.1f} | {rows[0]['wall'] / r['wall']:>7.2f}x | "
              f"{r['ok']}/{r['n']}" + (f" (failed: {', '.join(r['failed'])})" if r["failed"] else ""))
    print()
    names = sorted(set().union(*(r["per"] for r in rows)))
    print(f"{'lecture':<16} | " + " | ".join(f"jobs {r['jobs']} (s)" for r in rows))
    for n in names:
        print(f"{n:<16} | " + " | ".join(f"{r['per'].get(n, float('nan')):>11.1f}" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
