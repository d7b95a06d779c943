"""How long each lecture takes to execute from a fresh kernel, cpu profile.

    .venv/bin/python benchmarks/lectures.py [NAME ...] [--repeat N]

Targets: lectures 01-03 <= 20 s, 04-07 <= 45 s each on 2 CPU cores.
Prints a Markdown table (median of --repeat runs, kernel start included).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from genlib import notebooks  # noqa: E402

TARGET = {"01": 20, "02": 20, "03": 20}


def run_once(name: str) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebooks.LECTURES / f"{name}.ipynb", 4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += '\nPROFILE = "cpu"'
    os.environ["GENLIB_HEADLESS"] = "1"
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(notebooks.LECTURES)}}).execute()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    names = args.names or notebooks.lecture_names()
    rows, ok = [], True
    for name in names:
        times = [run_once(name) for _ in range(args.repeat)]
        t = statistics.median(times)
        target = TARGET.get(name[:2], 45)
        ok &= t <= target
        rows.append((name, t, target))
        print(f"  {name}: {t:.1f} s", file=sys.stderr)
    print(f"\nLecture execution, cpu profile, fresh kernel, median of {args.repeat} ({os.cpu_count()} CPUs)\n")
    print("| lecture | seconds | target | within |")
    print("|---|---:|---:|:---:|")
    for name, t, target in rows:
        print(f"| {name} | {t:.1f} | <= {target} | {'yes' if t <= target else 'NO'} |")
    print(f"| total | {sum(r[1] for r in rows):.1f} | | |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
