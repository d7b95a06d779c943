"""How long each lecture takes to execute from a fresh kernel, cpu profile, through the course runner.

    python -m benchmarks.lectures [NAME ...] [--repeat N]

Each run is ``python -m genlib.course run NAME -p PROFILE cpu`` (kernel start included);
the time is the lecture's ``wall_s`` from its run record. Targets (CONTRIBUTING.md):
lectures 01-03 <= 20 s, 04-07 <= 60 s each on 2 CPU cores; every lecture passes.
Prints a Markdown table (median of --repeat runs), writes benchmarks/results/lectures.md,
and exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile

from benchmarks.common import Targets, run_lecture, save, table
from genlib.course import registry

TARGET = {"01": 20, "02": 20, "03": 20}
DEFAULT_TARGET = 60


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="lectures (default: all)")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    names = registry.resolve(args.names, registry.lectures()) if args.names else registry.lectures()
    targets, rows = Targets(), []
    for name in names:
        runs = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="bench-lectures-") as out:
                runs.append(run_lecture(name, {"PROFILE": "cpu"}, out=out))
        t = statistics.median(r.get("wall_s", float("nan")) for r in runs)
        target = TARGET.get(name[:2], DEFAULT_TARGET)
        passed = all(r.get("status") == "ok" for r in runs)
        targets.require(f"{name} runs to the end", passed, ", ".join(r.get("status", "?") for r in runs))
        targets.require(f"{name} within {target} s", t <= target, f"{t:.1f} s")
        rows.append((name, f"{t:.1f}", f"<= {target}", "yes" if t <= target and passed else "NO"))
        print(f"  {name}: {t:.1f} s", file=sys.stderr)
    rows.append(("total", f"{sum(float(r[1]) for r in rows):.1f}", "", ""))
    body = table(["lecture", "seconds", "target", "within"], rows) + "\n\n" + targets.markdown()
    save("lectures", f"Lecture execution, cpu profile, fresh kernel, median of {args.repeat}", body,
         " ".join(["python -m benchmarks.lectures", *args.names] + (["--repeat", str(args.repeat)] if args.repeat != 1 else [])))
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
