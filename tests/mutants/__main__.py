"""python -m tests.mutants [LECTURE ...]: run the mutants and print one line each, then a summary.

Each lecture runs once and forks before each mutated cell (``run_all``). Exits 1 unless every
mutant was killed.
"""
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from . import lectures_with_mutants, mutants_of, run_all

os.environ.setdefault("GENLIB_HEADLESS", "1")
names = sys.argv[1:] or lectures_with_mutants()
verdicts = Counter()
with tempfile.TemporaryDirectory() as tmp:
    for name in names:
        ms = mutants_of(name)
        t0 = time.perf_counter()
        results = run_all(name, ms, Path(tmp) / name)
        for m, (verdict, detail) in zip(ms, results):
            verdicts[verdict] += 1
            print(f"{name}: {verdict:8s} {m.what}: {detail}", flush=True)
        print(f"{name}: {len(ms)} mutants in {time.perf_counter() - t0:.0f} s", flush=True)
print(", ".join(f"{verdicts[v]} {v}" for v in ("killed", "survived", "error")))
sys.exit(0 if verdicts and set(verdicts) == {"killed"} else 1)
