"""Execute lectures with papermill, several at once, with results an instructor can trust.

Each lecture runs through ``papermill.execute_notebook`` in a worker process of a
``concurrent.futures.ProcessPoolExecutor`` (``--jobs`` workers), kernel ``python3``,
cwd the lectures folder, ``GENLIB_HEADLESS=1``, and its own ``GENLIB_RECORD_FILE``
(see :mod:`genlib.report`). A papermill engine hook puts one event per finished cell
on a multiprocessing queue; the runner turns them into progress bars.

* Atomic: while a lecture runs, its notebook, log and record are written under
  ``<out>/.partial/``; they take their names (``<NAME>.ipynb``, ``<NAME>.log``,
  ``<NAME>.run.json``) only when the lecture ends, passed or failed.
* Invalidated first: when a lecture's run starts, its ``<NAME>.run.json`` says
  ``running`` and its old notebook and log are removed, so ``--resume`` can never
  take an unfinished run for a good one.
* Interruptible: SIGINT (Ctrl-C) and SIGTERM (``timeout``, batch schedulers) stop
  the running kernels (a second signal, or a kernel that does not stop, is killed);
  their lectures are recorded as ``interrupted``, lectures not started keep their
  last result, and nothing is left in ``<out>/.partial`` or in the temporary folder
  of the kernels (:mod:`genlib.course.kernels`).
* One run at a time per output folder (a lock on the folder).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import json
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from . import kernels, records
from .registry import ROOT, UsageError

KERNEL = "python3"
ENGINE = "genlib-progress"
GRACE_S = 20.0            # how long running kernels get to stop after a signal
_events = None            # in a worker: the queue of progress events
_stop = None              # in a worker: set when the runner is stopping


@dataclass
class Outcome:
    records: list = field(default_factory=list)    # one per lecture asked for, in order
    signal: str | None = None                       # "SIGINT" / "SIGTERM" when interrupted
    not_started: list = field(default_factory=list)


# --------------------------------------------------------------------------- in a worker

class Stopped(Exception):
    """Raised in a worker by SIGTERM from the runner: the kernel is killed on the way out."""


def _init_worker(events, stop) -> None:
    global _events, _stop
    os.setpgrp()  # the terminal's Ctrl-C reaches the runner only; it stops the workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the runner's handler (inherited through fork)
    _events, _stop = events, stop
    # papermill's own parameter matcher drops lines such as 'SEED: int = 0  # >= 0' and then
    # warns about "unknown" parameters; the runner has checked every name already.
    logging.getLogger("papermill").setLevel(logging.ERROR)
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class ProgressEngine(NBClientEngine):
        """papermill's nbclient engine, reporting the kernel's pid and each finished cell."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kw):
            name, total, done = kw.pop("lecture"), len(nb_man.nb.cells), nb_man.cell_complete
            kw.pop("input_path", None)

            def cell_complete(cell, cell_index=None, **more):
                result = done(cell, cell_index=cell_index, **more)
                _emit("cell", name, index=cell_index, total=total)
                return result

            nb_man.cell_complete = cell_complete
            client = PapermillNotebookClient(nb_man, timeout=execution_timeout, startup_timeout=start_timeout,
                                             kernel_name=kernel_name, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file, **kw)
            client.on_notebook_start = lambda **_: _emit("kernel", name, pid=getattr(client.km.provisioner, "pid", None))

            def stopped(signum, frame):
                client.shutdown_kernel = "immediate"  # no graceful shutdown on the way out
                raise Stopped()

            saved = signal.signal(signal.SIGTERM, stopped)
            try:
                return client.execute()
            finally:
                signal.signal(signal.SIGTERM, saved)

    papermill_engines.register(ENGINE, ProgressEngine)


def _emit(event: str, name: str, **data) -> None:
    if _events is not None:
        _events.put(dict(data, event=event, lecture=name))


@contextlib.contextmanager
def _fds_to(log: Path):
    """Send this process's stdout and stderr (and so the kernel's) to ``log``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(log, "ab") as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, old in zip((1, 2), saved):
            os.dup2(old, fd)
            os.close(old)


def _first_line(source: str) -> str:
    return next((ln.strip() for ln in source.splitlines() if ln.strip()), "")


def _papermill(job: dict, output: Path) -> dict | None:
    """Execute ``job``'s notebook into ``output``; None when every cell ran, else the error."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            job["input"], str(output), parameters=job["parameters"], kernel_name=job["kernel"],
            cwd=job["cwd"], progress_bar=False, log_output=False, engine_name=ENGINE,
            execution_timeout=job["timeout"], start_timeout=120, lecture=job["name"],
            kernel_manager_class=kernels.manager_class())
        return None
    except PapermillExecutionError as exc:
        cells = nbformat.read(job["input"], as_version=4).cells
        index = next((i for i, c in enumerate(cells) if c.cell_type == "code" and c.source == exc.source),
                     exc.cell_index)
        return {"cell_index": index, "execution_count": exc.exec_count, "first_line": _first_line(exc.source),
                "ename": exc.ename, "evalue": " ".join(str(exc.evalue).split())}
    except Exception as exc:  # kernel died, time-out, unreadable notebook...
        return {"ename": type(exc).__name__, "evalue": " ".join(str(exc).split())}


def execute(job: dict) -> dict:
    """Run one lecture (in a worker process) and write its outputs; returns its run record."""
    name, out = job["name"], Path(job["out"])
    if _stop is not None and _stop.is_set():
        return {"lecture": name, "status": "not started"}
    part = out / records.PARTIAL
    part.mkdir(exist_ok=True)
    nb_tmp, log_tmp, kept_tmp = (part / f"{name}{ext}" for ext in (".ipynb", ".log", ".record.json"))
    start = {"parameters": job["parameters"], "notebook_sha256": records.notebook_hash(job["input"]),
             "started": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
             "runner_pid": job["runner_pid"]}
    records.invalidate(out, name, start)
    _emit("start", name, pid=os.getpid())
    os.environ.update(GENLIB_HEADLESS="1", GENLIB_RECORD_FILE=str(kept_tmp), PYTHONUNBUFFERED="1",
                      PYTHONPATH=os.pathsep.join([str(ROOT)] + ([job["pythonpath"]] if job["pythonpath"] else [])))
    t0 = time.perf_counter()
    with _fds_to(log_tmp):
        error = _papermill(job, nb_tmp)
    wall = round(time.perf_counter() - t0, 2)
    try:
        kept = json.loads(kept_tmp.read_text())
    except (OSError, ValueError):
        kept = {}
    rec = dict(start, lecture=name, wall_s=wall, record=kept, status="ok" if error is None else
               "failed" if "cell_index" in error else "error")
    if error is not None and _stop is not None and _stop.is_set():
        rec.update(status="interrupted", error={"ename": "Interrupted", "evalue": "stopped by the runner"})
        nb_tmp.unlink(missing_ok=True)
        log_tmp.unlink(missing_ok=True)
    else:
        if error is not None:
            rec["error"] = error
        for tmp in (nb_tmp, log_tmp):
            if tmp.exists():
                os.replace(tmp, out / f"{name}{tmp.suffix}")
    for leftover in part.glob(f"*{name}.record.json*"):
        leftover.unlink(missing_ok=True)
    records.write(out, name, rec)
    _emit("end", name, status=rec["status"])
    return rec


# --------------------------------------------------------------------------- in the runner

@contextlib.contextmanager
def locked(out: Path):
    """Hold ``out`` for this run: another runner on the same folder is refused."""
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(f"another run is writing to {out}; wait for it or choose another --out.") from None
        yield
    finally:
        os.close(fd)


class _Signals:
    """SIGINT/SIGTERM set a flag (the main loop stops the workers) instead of raising."""

    def __init__(self):
        self.received: list[int] = []
        self._saved = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for s in (signal.SIGINT, signal.SIGTERM):
                self._saved[s] = signal.signal(s, lambda signum, frame: self.received.append(signum))
        return self

    def __exit__(self, *exc):
        for s, handler in self._saved.items():
            signal.signal(s, handler)


def _kill(pid: int | None, group: bool = False) -> None:
    if not pid:
        return
    with contextlib.suppress(OSError):
        (os.killpg if group else os.kill)(pid, signal.SIGKILL)


class _Progress(threading.Thread):
    """Reads the workers' events: progress bars, and the pids to stop on a signal."""

    def __init__(self, events, names):
        super().__init__(daemon=True)
        from tqdm.auto import tqdm

        self.events, self.tqdm, self.bars = events, tqdm, {}
        self.workers, self.kernels = {}, {}
        self.width = max([len(n) for n in names] + [8])
        self.finished = threading.Event()

    def run(self):
        import queue

        while not (self.finished.is_set() and self.events.empty()):
            try:
                ev = self.events.get(timeout=0.1)
            except (queue.Empty, OSError, EOFError):
                continue
            name = ev["lecture"]
            if ev["event"] == "start":
                self.workers[name] = ev["pid"]
                self.bars[name] = self.tqdm(total=0, desc=f"{name:<{self.width}}", unit="cell",
                                            position=len(self.bars), leave=False, disable=None)
            elif ev["event"] == "kernel":
                self.kernels[name] = ev["pid"]
            elif ev["event"] == "cell" and name in self.bars:
                bar = self.bars[name]
                bar.total, bar.n = ev["total"], ev["index"] + 1
                bar.refresh()
            elif ev["event"] == "end":
                self.workers.pop(name, None)
                self.kernels.pop(name, None)
                if name in self.bars:
                    self.bars.pop(name).close()
        for bar in self.bars.values():
            bar.close()

    def stop_all(self, hard: bool) -> None:
        for name, pid in list(self.workers.items()):
            if hard:
                _kill(self.kernels.get(name), group=True)
                _kill(pid)
            else:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGTERM)  # nbclient shuts the kernel down, then papermill returns


def _job(name, params, lectures_dir: Path, out: Path, timeout, kernel) -> dict:
    return {"name": name, "input": str(lectures_dir / f"{name}.ipynb"), "out": str(out), "parameters": params,
            "cwd": str(lectures_dir), "timeout": timeout, "kernel": kernel, "runner_pid": os.getpid(),
            "pythonpath": os.environ.get("PYTHONPATH", "")}


def run(names: list[str], planned: dict, lectures_dir: Path, out: Path, jobs: int = 1, resume: bool = False,
        timeout: float | None = 1800, kernel: str = KERNEL, say=print) -> Outcome:
    """Execute ``names`` (parameters already checked); ``out`` must exist and be held (:func:`locked`)."""
    lectures_dir, out = Path(lectures_dir), Path(out)
    shutil.rmtree(out / records.PARTIAL, ignore_errors=True)
    for n in records.mark_stale(out):
        say(f"{n}: its last run never ended (the runner was killed); marked interrupted")
    outcome, done, todo = Outcome(), {}, []
    for n in names:
        old = records.up_to_date(out, n, records.notebook_hash(lectures_dir / f"{n}.ipynb"), planned[n]) \
            if resume else None
        if old is not None:
            done[n] = dict(old, resumed=True)
            say(f"{n}: up to date ({records.status_text(old)}, {old.get('wall_s', 0):.1f} s), skipped")
        else:
            todo.append(n)
    if todo:
        _execute(todo, planned, lectures_dir, out, jobs, timeout, kernel, say, done, outcome)
    shutil.rmtree(out / records.PARTIAL, ignore_errors=True)
    outcome.records = [done.get(n) or records.read(out, n) or {"lecture": n, "status": "not started"}
                       for n in names]
    return outcome


def _execute(todo, planned, lectures_dir, out, jobs, timeout, kernel, say, done, outcome) -> None:
    # On Linux the workers are forked, before any other thread of the runner starts, from a
    # process that has papermill imported already (seconds saved per run); elsewhere spawned.
    import papermill  # noqa: F401

    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with kernels.private_folder(prefix="genlib-run-"), _Signals() as signals:
        events, stop = ctx.Queue(), ctx.Event()
        progress = _Progress(events, todo)
        pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(todo))), mp_context=ctx,
                                   initializer=_init_worker, initargs=(events, stop))
        pending = set()
        try:
            futures = {pool.submit(execute, _job(n, planned[n], lectures_dir, out, timeout, kernel)): n for n in todo}
            progress.start()
            pending, deadline = set(futures), None
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for f in finished:
                    _collect(f, futures[f], done, say, progress)
                if signals.received and deadline is None:
                    outcome.signal = signal.Signals(signals.received[0]).name
                    say(f"{outcome.signal}: stopping the running lectures...")
                    stop.set()
                    for f in pending:
                        f.cancel()
                    progress.stop_all(hard=False)
                    deadline = time.monotonic() + GRACE_S
                elif deadline is not None and (len(signals.received) > 1 or time.monotonic() > deadline):
                    progress.stop_all(hard=True)
        finally:
            if pending:  # the loop itself failed: leave no kernel behind
                stop.set()
                progress.stop_all(hard=True)
            pool.shutdown(wait=True, cancel_futures=True)
            progress.finished.set()
            if progress.is_alive():
                progress.join(timeout=5)
            events.close()
    for n in todo:  # a worker that was killed could not write its record
        rec = records.read(out, n)
        if rec is not None and rec.get("status") == "running" and rec.get("runner_pid") == os.getpid():
            records.write(out, n, dict(rec, status="interrupted",
                                       error={"ename": "Interrupted", "evalue": f"stopped by {outcome.signal or 'the runner'}"}))
        if n not in done and (rec is None or rec.get("runner_pid") != os.getpid()):
            outcome.not_started.append(n)


def _collect(future, name, done, say, progress) -> None:
    if future.cancelled():
        return
    try:
        rec = future.result()
    except BrokenProcessPool:  # its worker was killed: the record is fixed up after the pool is down
        return
    except Exception as exc:  # the runner's own trouble in this lecture only
        rec = {"lecture": name, "status": "error", "wall_s": 0.0,
               "error": {"ename": type(exc).__name__, "evalue": str(exc)}}
    if rec.get("status") == "not started":
        return
    done[name] = rec
    msg = f"{name}: {records.status_text(rec)} in {rec.get('wall_s', 0):.1f} s"
    e = rec.get("error")
    if e and rec["status"] != "interrupted":
        where = f" at cell {e['cell_index']} ({e['first_line']!r})" if "cell_index" in e else ""
        msg += f"{where}: {e['ename']}: {_short(e['evalue'])}"
    progress.tqdm.write(msg, file=sys.stdout)


def _short(text, n=200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"
