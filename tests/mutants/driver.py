"""Run every mutant of one lecture from one execution of the lecture (run as a script).

    python tests/mutants/driver.py SPEC.json

The lecture's cells run once, in order, in an IPython shell (the same cell semantics as a
kernel: magics, ``display``, the last expression echoed). Just before the cell a mutant
changes, this process forks: the child runs the mutated cell and the rest of the lecture,
stops at the first error and records its verdict; the parent waits for it, then runs the
cell unchanged and goes on, until the last mutant has had its run. Every cell before the mutated one ran exactly as in a fresh
run of the lecture (same code, same random state), so each mutant is judged as if the
lecture had been executed from the top, at the cost of the cells after it only.

Two kinds of mutant fork earlier: one that mutates a genlib module forks before the first
cell (its child puts the mutated copy of genlib first on ``sys.path`` before any cell
imports genlib), and one with its own parameters forks just after the parameters cell,
where papermill would inject them.

SPEC holds ``notebook`` (the lecture), ``cwd``, ``params`` (the parameters every run gets),
``timeout`` (seconds per mutant), ``results`` (a JSON-lines file this script appends one
verdict to per mutant) and ``mutants``: a list of ``{"cell": i, "source": mutated source of
cell i}`` (i an index into the notebook's cells) or ``{"site": folder}`` (a mutated genlib),
each with an optional ``params`` over the common ones.

This file imports nothing of genlib or the tests package before its fork points: a module
mutant's genlib must be the first one imported.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sys
import time

KILLERS = ("ClaimFailed", "ExerciseFailed")


def _shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    c = Config()
    c.HistoryManager.enabled = False   # no SQLite history shared by the forks
    shell = InteractiveShell.instance(config=c)

    def one_line(*args, **kwargs):   # IPython's formatted traceback takes seconds per fork; the verdict needs one line
        etype, value, _ = sys.exc_info()
        print(f"{getattr(etype, '__name__', etype)}: {value}", flush=True)

    shell.showtraceback = one_line
    shell.showsyntaxerror = one_line
    return shell


def _assignments(params: dict) -> str:
    return "\n".join(f"{k} = {v!r}" for k, v in params.items())


def main(spec_path: str) -> int:
    t0 = time.perf_counter()
    spec = json.load(open(spec_path))
    os.chdir(spec["cwd"])
    nb = json.load(open(spec["notebook"]))
    cells = [(i, "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
             for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    params_cell = next((i for i, c in enumerate(nb["cells"])
                        if c["cell_type"] == "code" and "parameters" in c.get("metadata", {}).get("tags", [])), None)
    mutants = spec["mutants"]
    timeout = int(spec.get("timeout", 600))

    def fork_point(m) -> tuple:
        if m.get("site"):
            return (cells[0][0], "before")
        if m.get("params") and params_cell is not None:
            return (params_cell, "after")
        return (m["cell"], "before")

    pending = {}
    for k, m in enumerate(mutants):
        pending.setdefault(fork_point(m), []).append(k)

    started = {}

    def record(k, verdict, detail):
        with open(spec["results"], "a") as f:
            f.write(json.dumps({"k": k, "verdict": verdict, "detail": detail,
                                "seconds": round(time.perf_counter() - started.get(k, t0), 2)}) + "\n")

    def where(m):
        return m.get("module") or f"cell {m.get('cell')}"

    def fork_here(point) -> int | None:
        """Fork once per mutant waiting at ``point``; returns its index in the child, None in the parent."""
        for k in pending.pop(point, []):
            sys.stdout.flush()
            sys.stderr.flush()
            started[k] = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                signal.alarm(timeout)   # SIGALRM ends a mutant that runs too long (verdict: none recorded)
                m = mutants[k]
                if m.get("site"):
                    sys.path.insert(0, m["site"])
                return k
            _, status = os.waitpid(pid, 0)
            if not any(json.loads(line)["k"] == k for line in open(spec["results"]) if line.strip()):
                why = (f"killed by signal {os.WTERMSIG(status)}" + (f" (over {timeout} s)" if os.WTERMSIG(status) == signal.SIGALRM else "")
                       if os.WIFSIGNALED(status) else f"exit status {os.WEXITSTATUS(status)}")
                record(k, "error", f"{where(mutants[k])} mutated; the run ended without a verdict: {why}")
        return None


    shell = _shell()
    mine = None   # the mutant this process runs (None: the parent, the unmutated lecture)
    for i, source in cells:
        if mine is None:
            mine = fork_here((i, "before"))
            if mine is None and not pending:   # every mutant has had its run: the rest judges none of them
                return 0
        if mine is not None and mutants[mine].get("cell") == i and "source" in mutants[mine]:
            source = mutants[mine]["source"]
        result = shell.run_cell(source, store_history=False)
        exc = result.error_before_exec or result.error_in_exec
        if exc is not None:
            ename = type(exc).__name__
            evalue = re.sub(r"\s+", " ", str(exc))[:200]
            if mine is None:   # the lecture itself fails: no mutant after this point can be judged
                for k in sorted(k for ks in pending.values() for k in ks):
                    record(k, "error", f"{where(mutants[k])} mutated; the unmutated lecture stopped at cell {i}: "
                                       f"{ename}: {evalue}")
                return 1
            m = mutants[mine]
            record(mine, "killed" if ename in KILLERS else "error",
                   f"{where(m)} mutated; stopped at cell {i}: {ename}: {evalue}")
            sys.stdout.flush()
            os._exit(0)
        if i == params_cell:
            if mine is None:
                mine = fork_here((i, "after"))
                if mine is None and not pending:
                    return 0
            extra = dict(spec["params"], **(mutants[mine].get("params") or {} if mine is not None else {}))
            shell.run_cell(_assignments(extra), store_history=False)
    if mine is not None:
        record(mine, "survived", f"{where(mutants[mine])} mutated; the lecture ran to the end")
        sys.stdout.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
