"""python -m tests.mutants [LECTURE ...]: run the mutants and print one line each, then a summary.

Exits 1 unless every mutant was killed.
"""
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from . import lectures_with_mutants, mutants_of, run

os.environ.setdefault("GENLIB_HEADLESS", "1")
names = sys.argv[1:] or lectures_with_mutants()
verdicts = Counter()
with tempfile.TemporaryDirectory() as tmp:
    for name in names:
        for m in mutants_of(name):
            t0 = time.perf_counter()
            verdict, detail = run(name, m, Path(tmp))
            verdicts[verdict] += 1
            print(f"{name}: {verdict:8s} {m.what} ({time.perf_counter() - t0:.0f} s): {detail}", flush=True)
print(", ".join(f"{verdicts[v]} {v}" for v in ("killed", "survived", "error")))
sys.exit(0 if verdicts and set(verdicts) == {"killed"} else 1)
