"""The README's first command works on a fresh machine: `make lab` serves the lectures.

Runs ``make lab`` as the README writes it, with a free ``PORT`` and a ``TOKEN`` passed
through the environment (the Makefile reads both), headless (no DISPLAY) and, on
this machine kind, as root: it must start JupyterLab, which answers ``/api/status``
and opens a lecture through the contents API. The server is stopped through its
process group.

``make lab`` runs the JupyterLab of the environment running this test: ``VENV`` names a
folder whose ``bin/`` links to it, with the set-up stamp in place, so nothing is
installed (``make test`` has installed everything already).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.browser import free_port
from genlib import manifest

ROOT = manifest.ROOT
TOKEN = "genlib-make-lab-test"


@pytest.fixture
def venv(tmp_path):
    """A VENV for make whose bin/ is this interpreter's environment, already set up."""
    if shutil.which("make") is None:
        pytest.fail("make is not installed: the README's commands need it")
    v = tmp_path / "venv"
    (v / "bin").mkdir(parents=True)
    here = Path(sys.executable).parent
    for tool in ("python", "jupyter", "jupyter-lab"):
        if (here / tool).exists():
            (v / "bin" / tool).symlink_to(here / tool)
    assert (v / "bin" / "jupyter").exists(), f"no jupyter beside {sys.executable}"
    for stamp in (".installed", ".locked"):
        (v / stamp).touch()
    return v


def env_for(venv: Path, tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "GENLIB_HEADLESS")}
    env.update(VENV=str(venv), JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"), **extra)
    return env


def get(url: str, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def test_make_lab_serves_the_lectures(venv, tmp_path):
    port = free_port()
    log = tmp_path / "lab.log"
    env = env_for(venv, tmp_path, PORT=str(port), TOKEN=TOKEN)
    with open(log, "w") as out:
        proc = subprocess.Popen(["make", "lab"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.time() + 120
        while True:
            try:
                status = get(f"{base}/status?token={TOKEN}")
                break
            except Exception:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f"make lab did not serve /api/status (exit {proc.poll()}):\n"
                                + log.read_text()[-3000:])
                time.sleep(0.5)
        assert "started" in status
        # the lectures: in the server's root folder, or one folder down
        listing = get(f"{base}/contents?token={TOKEN}")
        entries = listing["content"]
        lectures = [e["path"] for e in entries if re.match(r"\d\d_\w+\.ipynb$", e["name"])]
        for d in (e for e in entries if e["type"] == "directory" and not lectures):
            lectures += [e["path"] for e in get(f"{base}/contents/{d['path']}?token={TOKEN}")["content"]
                         if re.match(r"\d\d_\w+\.ipynb$", e["name"])]
        assert lectures, f"no lecture where make lab opens: {[e['name'] for e in entries]}"
        nb = get(f"{base}/contents/{sorted(lectures)[0]}?content=1&token={TOKEN}", timeout=30)
        assert nb["type"] == "notebook" and nb["content"]["cells"], nb.get("name")
        text = log.read_text()
        assert "Running as root is not recommended" not in text
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.mark.parametrize("display, browser", [(None, False), (":0", True)])
def test_make_lab_opens_a_browser_only_with_a_display_and_allows_root(venv, tmp_path, display, browser):
    """The flags ``make lab`` passes (dry run): --no-browser when headless, --allow-root as root."""
    extra = {"DISPLAY": display} if display else {}
    out = subprocess.run(["make", "-n", "lab"], cwd=ROOT, env=env_for(venv, tmp_path, **extra),
                         capture_output=True, text=True, timeout=60).stdout
    line = next(l for l in out.splitlines() if "jupyter lab" in l)
    assert ("--no-browser" in line) is (sys.platform == "linux" and not browser), line
    assert ("--allow-root" in line) is (os.getuid() == 0), line
    assert "--IdentityProvider.token" not in line   # no TOKEN given: jupyter makes one and prints the URL
