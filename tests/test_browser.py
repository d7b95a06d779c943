"""Widgets respond in a real browser: JupyterLab driven by Playwright in Debian's Chromium.

Runs lecture 01 (copied to a temporary folder so nothing in the repository is
autosaved), drags the coin slider with the keyboard and waits for the plot to
change; then a live-training widget: Play makes it train, Pause stops it, Step
advances it once.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make browser-deps)"),
]
TOKEN = "genlib-browser-test"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

LIVE_NOTEBOOK = {
    "cells": [{
        "cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
        "source": (
            "from genlib import widgets\n"
            "from genlib.plots import figure\n"
            "class Counter:\n"
            "    def __init__(self):\n"
            "        self.fig, self.ax = figure()\n"
            "        self.n = 0\n"
            "        self.text = self.ax.text(0.5, 0.5, '0', fontsize=40)\n"
            "    def update(self):\n"
            "        self.text.set_text(str(self.n))\n"
            "view = Counter()\n"
            "def step(k):\n"
            "    view.n += k\n"
            "live = widgets.Live(view, step, steps_per_tick=1, interval_ms=100, title='counter')\n"
            "live\n"
        ),
    }],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 4,
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "lectures" / "01_entropy.ipynb", root / "01_entropy.ipynb")
    (root / "live.ipynb").write_text(json.dumps(LIVE_NOTEBOOK))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "GENLIB_HEADLESS"}
    env["JUPYTER_CONFIG_DIR"] = str(root / ".jupyter")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
         f"--IdentityProvider.token={TOKEN}", "--allow-root", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except Exception:
                if time.time() > deadline or proc.poll() is not None:
                    pytest.fail("JupyterLab did not start")
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def open_and_run_all(browser, url, name, ready="img.widget-image", tries=4):
    """Open ``name`` in a fresh workspace, run all cells, wait for ``ready`` to show.

    Run All is sent again if nothing shows (a busy machine can take the first
    request before the kernel is connected; the cells stay unrun then).
    """
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(90_000)
    workspace = name.replace(".", "-")
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook", state="visible")
    # the status bar reads "Python 3 (ipykernel) | Idle" once the kernel is connected
    page.wait_for_function("() => /ipykernel\\) \\| Idle/.test(document.body.innerText)", timeout=90_000)
    for attempt in range(tries):
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.locator(ready).first.wait_for(state="visible", timeout=30_000)
            return page
        except Exception:
            if attempt == tries - 1:
                raise
    return page


def image_src(page, index=0):
    return page.locator("img.widget-image").nth(index).get_attribute("src")


def wait_for_new_src(page, old, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        src = image_src(page)
        if src and src != old:
            return src
        page.wait_for_timeout(100)
    pytest.fail("the widget's image did not change")


def test_slider_redraws_the_plot(lab, browser):
    page = open_and_run_all(browser, lab, "01_entropy.ipynb", ready=".widget-slider .noUi-handle")
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.wait_for(state="visible")
    page.locator("img.widget-image").first.wait_for(state="visible")
    before = image_src(page)
    assert before
    handle.focus()
    t0 = time.time()
    page.keyboard.press("ArrowRight")
    wait_for_new_src(page, before)
    assert time.time() - t0 < 10
    page.close()


def test_live_widget_plays_pauses_and_steps(lab, browser):
    page = open_and_run_all(browser, lab, "live.ipynb")
    src = image_src(page)
    play = page.locator(".widget-play button").first
    play.click()                                   # Play: it trains and redraws by itself
    src = wait_for_new_src(page, src)
    src = wait_for_new_src(page, src)
    page.locator(".widget-play button").nth(1).click()   # Pause
    page.wait_for_timeout(800)
    paused = image_src(page)
    page.wait_for_timeout(800)
    assert image_src(page) == paused, "still training after Pause"
    page.locator("button:has-text('Step')").first.click()   # Step: exactly one more redraw
    wait_for_new_src(page, paused)
    page.close()
