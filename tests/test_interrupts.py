"""Interrupting real runs of the course runner: SIGTERM (what `timeout` and batch schedulers
send) and Ctrl-C (SIGINT to the terminal's process group), then --resume.

The runner is started as a command in a session of its own, as a terminal starts it; each
test waits until a kernel is inside a lecture, then signals. What must hold: the running
lectures are recorded as interrupted (exit status 128 + the signal), no traceback, no partial
notebook under a final name, report.md rewritten, nothing left in the output folder's
.partial or in the temporary folder, no kernel left running, and --resume re-runs what did
not finish.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from genlib import manifest
from genlib.course import records, registry
from tests.test_course import lecture

ROOT = manifest.ROOT


def start(tmp_path: Path, *args, **env) -> tuple[subprocess.Popen, Path]:
    """``python -m genlib.course run ARGS`` in its own session; its TMPDIR is a fresh folder."""
    tmp = tmp_path / "t"  # short: kernel sockets live below it
    tmp.mkdir(exist_ok=True)
    full_env = dict(os.environ, TMPDIR=str(tmp), **env)
    full_env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))
    proc = subprocess.Popen([sys.executable, "-m", "genlib.course", "run", *map(str, args)], cwd=ROOT, env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    return proc, tmp


def wait_until_inside(proc, out: Path, name: str, min_cells: int, timeout: float = 180.0) -> None:
    """Until ``name``'s kernel has run ``min_cells`` code cells and is inside the next one."""
    deadline = time.monotonic() + timeout
    partial = out / records.PARTIAL / f"{name}.ipynb"
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the runner ended early: {proc.communicate()}"
        try:
            nb = nbformat.read(str(partial), 4)
        except Exception:  # not there yet, or being written
            time.sleep(0.2)
            continue
        cells = [c for c in nb.cells if c.cell_type == "code"]
        done = sum(c.metadata.get("papermill", {}).get("status") == "completed" for c in cells)
        running = any(c.metadata.get("papermill", {}).get("status") == "running" for c in cells)
        if done >= min_cells and running:
            return
        time.sleep(0.2)
    pytest.fail(f"{name} never got past {min_cells} cells")


def kernels_using(folder: Path) -> list[str]:
    """Command lines of live processes that mention ``folder`` (a kernel's connection file is there)."""
    hits = []
    for p in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmd = p.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in cmd and "genlib.course" not in cmd:
            hits.append(cmd)
    return hits


def assert_clean_stop(proc, sig, out: Path, tmp: Path) -> tuple[str, str]:
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, (proc.returncode, stdout, stderr)
    for noise in ("Traceback", "KeyboardInterrupt", "without encryption", "WorkerDied"):
        assert noise not in stdout + stderr, stdout + stderr
    assert f"stopped by {signal.Signals(sig).name}" in stderr
    assert not (out / records.PARTIAL).exists()
    deadline = time.monotonic() + 10
    while kernels_using(tmp) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kernels_using(tmp) == [], "a kernel outlived the run"
    assert list(tmp.iterdir()) == [], f"left in the temporary folder: {list(tmp.iterdir())}"
    return stdout, stderr


@pytest.fixture
def slow_course(tmp_path):
    d = tmp_path / "lectures"
    d.mkdir()
    lecture(d / "01_fast.ipynb", "print('fast')")
    lecture(d / "02_slow.ipynb", "import os, time", "time.sleep(float(os.environ.get('FIXTURE_SLEEP', '0')))",
            "print('slept')")
    lecture(d / "03_after.ipynb", "print('after')")
    return d


@pytest.mark.slow
def test_sigint_stops_the_run_and_resume_reruns_what_did_not_finish(slow_course, tmp_path):
    out = tmp_path / "runs"
    out.mkdir()
    good = {}
    for n in registry.discover(slow_course):  # an earlier run in which every lecture passed
        (out / f"{n}.ipynb").write_text("{}")
        good[n] = records.write(out, n, {"lecture": n, "status": "ok", "parameters": {}, "wall_s": 1.0,
                                         "started": "2020-01-01T00:00:00+00:00",
                                         "notebook_sha256": records.notebook_hash(slow_course / f"{n}.ipynb")})

    # Ctrl-C while 02 sleeps: the terminal sends SIGINT to the runner's whole process group
    proc, tmp = start(tmp_path, "--lectures-dir", slow_course, "--out", out, FIXTURE_SLEEP="600")
    wait_until_inside(proc, out, "02_slow", min_cells=3)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = assert_clean_stop(proc, signal.SIGINT, out, tmp)
    assert "interrupted 02_slow; not started: 03_after" in stderr
    assert records.read(out, "01_fast")["status"] == "ok"
    assert records.read(out, "01_fast")["started"] != good["01_fast"]["started"]  # it ran again, and passed
    slow = records.read(out, "02_slow")
    assert slow["status"] == "interrupted" and slow["started"] != good["02_slow"]["started"]
    assert not (out / "02_slow.ipynb").exists()  # no partial notebook, and not the old one beside a new record
    assert records.read(out, "03_after") == good["03_after"] and (out / "03_after.ipynb").exists()  # untouched
    report = (out / "report.md").read_text()
    assert "| 02_slow | interrupted |" in report and "stopped by SIGINT" in report and "| 03_after | ok |" in report

    # --resume never skips a lecture whose last run did not finish
    proc, tmp = start(tmp_path, "--lectures-dir", slow_course, "--out", out, "--resume")
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, (stdout, stderr)
    assert "01_fast: up to date" in stdout and "03_after: up to date" in stdout
    assert "02_slow: ok" in stdout and records.read(out, "02_slow")["status"] == "ok"
    assert list(tmp.iterdir()) == []


@pytest.mark.slow
def test_sigterm_ends_a_real_lecture_and_records_it_interrupted(tmp_path):
    """02_kl_js, as in the report: SIGTERM used to leave a notebook with 4 of 29 cells run,
    papermill marking every cell completed, and the old "ok" record in place."""
    out = tmp_path / "runs"
    out.mkdir()
    name = "02_kl_js"
    records.write(out, name, {"lecture": name, "status": "ok", "wall_s": 23.3, "parameters": {"PROFILE": "cpu"},
                              "notebook_sha256": records.notebook_hash(registry.LECTURES / f"{name}.ipynb")})
    (out / f"{name}.ipynb").write_text("{}")  # an old result that a resume would have trusted
    proc, tmp = start(tmp_path, "02", "-p", "PROFILE", "cpu", "--out", out)
    wait_until_inside(proc, out, name, min_cells=4)
    proc.send_signal(signal.SIGTERM)  # to the runner alone, as `timeout` does
    assert_clean_stop(proc, signal.SIGTERM, out, tmp)
    rec = records.read(out, name)
    assert rec["status"] == "interrupted" and rec["parameters"] == {"PROFILE": "cpu"}
    assert sorted(p.name for p in out.iterdir()) == [f"{name}.run.json", "report.md"]
    assert "| 02_kl_js | interrupted |" in (out / "report.md").read_text()
    assert records.up_to_date(out, name, rec["notebook_sha256"], {"PROFILE": "cpu"}) is None
