"""python -m tests.mutants [LECTURE ...]: run the mutants and print one line each."""
import os
import sys
import tempfile
from pathlib import Path

from . import lectures_with_mutants, mutants_of, run

os.environ.setdefault("GENLIB_HEADLESS", "1")
names = sys.argv[1:] or lectures_with_mutants()
bad = 0
with tempfile.TemporaryDirectory() as tmp:
    for name in names:
        for m in mutants_of(name):
            verdict, detail = run(name, m, Path(tmp))
            bad += verdict != "killed"
            print(f"{name}: {verdict:8s} {m.what}: {detail}", flush=True)
sys.exit(1 if bad else 0)
