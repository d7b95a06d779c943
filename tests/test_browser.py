"""Widgets respond in a real browser: JupyterLab driven by Playwright in Debian's Chromium.

Each lecture runs in a copy in a temporary folder (nothing in the repository is
autosaved). The tests drive the lectures' own widgets the way a student does, and
read the kernel's state through a second client on the same kernel to check that
it matches what the controls show:

* lecture 01: a slider moves, the picture changes, the kernel has the value shown;
* lecture 05: the latent explorer / CVAE decoder (sliders labelled ``z1``, ...): a
  slider moves, the picture changes, the decoder was asked for the value shown;
* lecture 06: the GAN trainer: Play trains, Pause stops, Step advances the step
  count by exactly the Step size, the loss can be switched, and the learning rates
  the optimisers really use are those the controls show (and, when displayed, the
  lecture's own ``P.LR``);
* a toy live widget (no lecture): the same Play / Pause / Step contract, quickly.

What the tests assume of the lectures' widgets (stable handles, not layout):

* a widget's picture is an ``img.widget-image`` in the same output as its controls;
* controls are found by their description (``p(heads)``, ``z1``, ``digit``, ``loss``,
  descriptions starting with ``lr``); the trainer's buttons by their text: one
  starting with ``Step`` (with the step size in it, e.g. ``Step 20``, or else the
  trainer's ``steps_per_tick``), ``Play`` and ``Pause`` (or the ipywidgets Play
  control's first two buttons);
* the trainer is an object in the lecture's namespace with a ``gan`` (or a ``view``
  with a ``gan``) that has ``steps`` and ``loss``, torch optimisers as attributes
  whose names end like the control names (``lr_g`` -> ``opt_g``), and ``controls``
  mapping names to ipywidgets controls; a status line, if its text holds
  ``step N``, must show the kernel's step count;
* the CVAE decoder / latent explorer is a ``genlib.widgets.Interactive``;
* lecture 08's sample breaker is a ``genlib.widgets.Interactive`` with sliders ``blur``, ``noise``, ``copied``.

Timeouts are generous and nothing is timed: a busy 2-core machine only makes it slower.
"""
from __future__ import annotations

import re
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.browser import (CHROMIUM, TOKEN, Lab, open_notebook, output_of, readout, run_all, slider,
                                wait_until)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make browser-deps)"),
]

LECTURE_TIMEOUT = 2400   # seconds for Run All of one lecture on a busy machine
CHANGE_TIMEOUT = 120     # seconds for one redraw

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
            "        self.ax.set_title('a counter')\n"
            "        self.text = self.ax.text(0.5, 0.5, '0', fontsize=40)\n"
            "    def update(self):\n"
            "        self.text.set_text(str(self.n))\n"
            "view = Counter()\n"
            "def step(k):\n"
            "    view.n += k\n"
            "live = widgets.Live(view, step, steps_per_tick=3, interval_ms=100, title='counter')\n"
            "live\n"
        ),
    }],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 4,
}


# The widgets are tested, not the lectures' training (strict nbval does that): the lectures that
# train run here at small budgets, injected as papermill would (every widget is built at any
# budget: tests/test_papermill.py runs each lecture to the end at its minimums).
SMALL_BUDGETS = {
    "05_vae": {"PROFILE": "cpu", "EPOCHS": 2, "DATASET": "digits"},
    "06_gan": {"PROFILE": "cpu", "STEPS": 200, "SEEDS": 1, "DATASET": "digits"},
    "08_evaluation": {"PROFILE": "cpu", "EPOCHS": 1, "K_MAX": 10, "N_SAMPLES": 300},
}


@pytest.fixture(scope="module")
def lab():
    with Lab(["01_entropy", "05_vae", "06_gan", "08_evaluation"], extra={"live.ipynb": LIVE_NOTEBOOK},
             parameters=SMALL_BUDGETS) as server:
        yield server


@pytest.fixture
def run_lecture(lab, browser):
    """Open a notebook, run all its cells; shut its kernel down afterwards (frees the CPU)."""
    opened = []

    def run(name):
        page = open_notebook(browser, lab, name)
        kernel = run_all(page, lab, name, timeout=LECTURE_TIMEOUT)
        opened.append(page)
        return page, kernel

    yield run
    for page in opened:
        page.close()
    shutdown_sessions(lab)


def shutdown_sessions(lab):
    import json

    for s in json.loads(urllib.request.urlopen(f"{lab.url}/api/sessions?token={TOKEN}", timeout=10).read()):
        req = urllib.request.Request(f"{lab.url}/api/sessions/{s['id']}?token={TOKEN}", method="DELETE")
        try:
            urllib.request.urlopen(req, timeout=30)
        except OSError:
            pass
    for k in lab.kernels.values():
        k.close()
    lab.kernels.clear()


def src_of(img):
    return img.get_attribute("src")


def wait_new_src(img, old, what="the widget's picture"):
    return wait_until(lambda: (s := src_of(img)) and s != old and s, CHANGE_TIMEOUT, f"{what} to change")


def close_enough(shown: float, value: float) -> bool:
    """A readout shows a rounded value: 2.0e-3 for 0.00199..., 0.50 for 0.5."""
    return abs(shown - value) <= 0.051 * abs(value) + 0.0051


# --------------------------------------------------------------------------- lecture 01


def test_lecture_01_slider_redraws_and_the_kernel_has_the_value_shown(run_lecture):
    page, kernel = run_lecture("01_entropy.ipynb")
    s = slider(page, "p(heads)")
    img = output_of(page, s).locator("img.widget-image").first
    img.wait_for(state="visible")
    before = src_of(img)
    s.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowRight")
    wait_new_src(img, before)
    values = kernel_values(kernel, "p(heads)")
    assert values, "no genlib.widgets.Interactive with a control described 'p(heads)' in lecture 01"
    assert any(close_enough(readout(s), v) and v != 0.5 for v in values), (readout(s), values)


# --------------------------------------------------------------------------- lecture 05

INTERACTIVE_PROBE = """
import genlib.widgets as __w
__probe = [float(c.value) for v in list(globals().values()) if isinstance(v, __w.Interactive)
           for c in v.controls.values() if c.description == {label!r}]
"""


def kernel_values(kernel, label):
    """The values of every control described ``label`` in the kernel's Interactive widgets."""
    return kernel.json(INTERACTIVE_PROBE.format(label=label))


def test_lecture_05_latent_explorer_follows_its_sliders(run_lecture):
    page, kernel = run_lecture("05_vae.ipynb")
    sliders = page.locator(".widget-slider", has=page.locator(".widget-label", has_text=re.compile(r"^\s*z1\s*$")))
    assert sliders.count() >= 1, "no slider labelled z1 in lecture 05"
    assert kernel_values(kernel, "z1"), "no genlib.widgets.Interactive with a control described 'z1' in lecture 05"
    for i in range(sliders.count()):
        s = sliders.nth(i)
        s.scroll_into_view_if_needed()
        out = output_of(page, s)
        img = out.locator("img.widget-image").first
        before = src_of(img)
        old = readout(s)
        s.locator(".noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        before = wait_new_src(img, before, "the decoded picture")
        shown = readout(s)
        assert shown > old
        values = kernel_values(kernel, "z1")
        assert any(close_enough(shown, v) for v in values), f"the slider shows {shown}, the kernel has {values}"
        # a class / digit dropdown, if there is one, changes the picture too
        digit = out.locator(".widget-dropdown", has=page.locator("label", has_text=re.compile(r"^\s*digit\s*$")))
        if digit.count():
            select = digit.first.locator("select")
            options = select.locator("option").all_inner_texts()
            current = select.evaluate("s => s.options[s.selectedIndex].text")
            select.select_option(label=next(o for o in options if o != current))
            wait_new_src(img, before, "the picture after choosing another digit")


# --------------------------------------------------------------------------- lecture 08


def test_lecture_08_sample_breaker_redraws_and_the_kernel_has_the_values_shown(run_lecture):
    page, kernel = run_lecture("08_evaluation.ipynb")
    for label in ("blur", "noise", "copied"):
        s = slider(page, label)
        s.scroll_into_view_if_needed()
        img = output_of(page, s).locator("img.widget-image").first
        img.wait_for(state="visible")
        before = src_of(img)
        s.locator(".noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        wait_new_src(img, before, f"the picture after moving {label}")
        values = kernel_values(kernel, label)
        assert values, f"no genlib.widgets.Interactive with a control described {label!r} in lecture 08"
        assert any(close_enough(readout(s), v) and v > 0 for v in values), (label, readout(s), values)


# --------------------------------------------------------------------------- lecture 06

TRAINER_PROBE = """
def __gan_of(o):
    try:
        g = getattr(o, 'gan', None) or getattr(getattr(o, 'view', None), 'gan', None)
        return g if g is not None and hasattr(g, 'steps') and hasattr(g, 'loss') and hasattr(o, 'controls') else None
    except Exception:
        return None
__t = [o for k, o in list(globals().items()) if not k.startswith('_') and __gan_of(o) is not None][-1]
__g = __gan_of(__t)
def __plain(x):
    return x if isinstance(x, (str, bool)) or x is None else float(x)
__optim = {}
for __k in dir(__g):
    try:
        __o = getattr(__g, __k)
    except Exception:
        continue
    if hasattr(__o, 'param_groups') and hasattr(__o, 'zero_grad'):
        __optim[__k] = [float(p['lr']) for p in __o.param_groups]
__play = getattr(__t, 'play', None)
__probe = dict(
    steps=int(__g.steps), loss=str(__g.loss), steps_per_tick=getattr(__t, 'steps_per_tick', None),
    controls={k: dict(description=c.description, value=__plain(c.value)) for k, c in dict(__t.controls).items()},
    attrs={k: float(getattr(__g, k)) for k in ('lr_g', 'lr_d') if hasattr(__g, k)},
    optim=__optim,
    playing=bool(getattr(__play, 'playing', getattr(__play, '_playing', False))) if __play is not None else None,
    P_LR=float(P.LR) if 'P' in globals() and hasattr(P, 'LR') else None,
)
"""


def used_lr(state, name):
    """The learning rate the optimiser paired with control ``name`` really uses (``lr_g`` -> ``opt_g``)."""
    suffix = name.split("_")[-1]
    paired = [lrs for k, lrs in state["optim"].items() if k.split("_")[-1] == suffix or k.endswith(suffix)]
    assert paired, (f"no optimiser attribute of the GAN ends in {suffix!r} (found {sorted(state['optim'])}); "
                    f"the test pairs control {name!r} with it")
    assert len(set(paired[0])) == 1, f"{name}: the optimiser's parameter groups disagree: {paired[0]}"
    return paired[0][0]


def check_learning_rates(page, out, state, at_display=False):
    lr_controls = {k: c for k, c in state["controls"].items() if k.startswith("lr")}
    assert lr_controls, f"no learning-rate control in the trainer (controls: {sorted(state['controls'])})"
    for name, c in lr_controls.items():
        used = used_lr(state, name)
        assert used == pytest.approx(c["value"], rel=1e-12), \
            f"{c['description']}: the control says {c['value']!r}, the optimiser uses {used!r}"
        if name in state["attrs"]:
            assert state["attrs"][name] == pytest.approx(used, rel=1e-12)
        shown = readout(out.locator(".widget-slider", has=page.locator(
            ".widget-label", has_text=re.compile(rf"^\s*{re.escape(c['description'])}\s*$"))).first)
        assert close_enough(shown, used), f"{c['description']}: shows {shown}, the optimiser uses {used!r}"
        if at_display and state["P_LR"] is not None:
            assert used == pytest.approx(state["P_LR"], rel=1e-12), \
                f"displaying the trainer changed {name} from the lecture's LR {state['P_LR']!r} to {used!r}"


def settled_steps(kernel, quiet_s=3.0, timeout=CHANGE_TIMEOUT):
    """The step count once it stopped moving (ticks already sent still run after Pause)."""
    last = {"n": None, "since": None}

    def still():
        n = kernel.json(TRAINER_PROBE)["steps"]
        now = time.time()
        if n != last["n"]:
            last.update(n=n, since=now)
            return None
        return n if now - last["since"] >= quiet_s else None

    return wait_until(still, timeout, "the step count to settle", 0.5)


def status_step(out):
    """The step count the status line shows, if it shows one."""
    for text in out.locator(".widget-html, .widget-label, .widget-html-content").all_inner_texts():
        m = re.search(r"\bstep\s+([\d,]+)", text, re.I)
        if m:
            return int(m.group(1).replace(",", ""))
    return None


def button(out, pattern):
    return out.locator("button", has_text=re.compile(pattern, re.I))


def press_play(out):
    b = button(out, r"^\W*play\b")
    (b.first if b.count() else out.locator(".widget-play button").first).click()


def press_pause(out):
    b = button(out, r"^\W*(pause|stop)\b")
    (b.first if b.count() else out.locator(".widget-play button").nth(1)).click()


def press_step_and_check(page, out, kernel, img, size):
    before_steps = settled_steps(kernel)
    before = src_of(img)
    button(out, r"^\W*step\b").first.click()
    wait_new_src(img, before, "the picture after Step")
    wait_until(lambda: kernel.json(TRAINER_PROBE)["steps"] >= before_steps + size, CHANGE_TIMEOUT, "Step to train")
    after = settled_steps(kernel)
    assert after - before_steps == size, f"Step moved the step count by {after - before_steps}, not {size}"
    if status_step(out) is not None:  # a status line that shows the step shows this one
        wait_until(lambda: status_step(out) == after, CHANGE_TIMEOUT, f"the status line to show step {after}")
    return after


def step_size(out, state):
    label = button(out, r"^\W*step\b").first.inner_text()
    m = re.search(r"(\d+)", label)
    if m:
        return int(m.group(1))
    assert state["steps_per_tick"], f"the Step button ({label!r}) names no size and the trainer has no steps_per_tick"
    return int(state["steps_per_tick"])


def test_lecture_06_gan_trainer_plays_pauses_steps_and_uses_the_rates_shown(run_lecture):
    page, kernel = run_lecture("06_gan.ipynb")
    step_button = page.locator("button", has_text=re.compile(r"^\W*step\b", re.I)).first
    out = output_of(page, step_button)
    out.scroll_into_view_if_needed()
    img = out.locator("img.widget-image").first
    img.wait_for(state="visible")
    state = kernel.json(TRAINER_PROBE)
    check_learning_rates(page, out, state, at_display=True)
    size = step_size(out, state)

    # Play trains by itself; Pause stops it
    s0 = state["steps"]
    src = src_of(img)
    press_play(out)
    src = wait_new_src(img, src, "the picture while playing")
    wait_new_src(img, src, "the picture while playing")
    press_pause(out)
    s1 = settled_steps(kernel)
    assert s1 > s0, "Play did not train"
    paused = src_of(img)
    page.wait_for_timeout(1500)
    assert src_of(img) == paused and kernel.json(TRAINER_PROBE)["steps"] == s1, "still training after Pause"
    if state["playing"] is not None:
        assert kernel.json(TRAINER_PROBE)["playing"] is False

    # Step: exactly the Step size, and the status line says so
    s2 = press_step_and_check(page, out, kernel, img, size)
    assert s2 == s1 + size

    # switch the loss: the kernel trains with the one chosen, and Step still moves by its size
    loss = out.locator(".widget-dropdown", has=page.locator("label", has_text=re.compile(r"^\s*loss\s*$", re.I)))
    assert loss.count(), "no dropdown labelled 'loss' in the trainer"
    select = loss.first.locator("select")
    options = select.locator("option").all_inner_texts()
    current = kernel.json(TRAINER_PROBE)["loss"]
    choice = "wgan-gp" if "wgan-gp" in options and current != "wgan-gp" else next(o for o in options if o != current)
    select.select_option(label=choice)
    wait_until(lambda: kernel.json(TRAINER_PROBE)["loss"] == choice, CHANGE_TIMEOUT, f"the loss to become {choice}")
    check_learning_rates(page, out, kernel.json(TRAINER_PROBE))
    press_step_and_check(page, out, kernel, img, size)
    assert kernel.json(TRAINER_PROBE)["loss"] == choice

    # move a learning-rate slider: the optimiser follows the value shown
    state = kernel.json(TRAINER_PROBE)
    name, c = next((k, c) for k, c in state["controls"].items() if k.startswith("lr"))
    lr_slider = out.locator(".widget-slider", has=page.locator(
        ".widget-label", has_text=re.compile(rf"^\s*{re.escape(c['description'])}\s*$"))).first
    lr_slider.locator(".noUi-handle").first.focus()
    page.keyboard.press("ArrowLeft")
    wait_until(lambda: kernel.json(TRAINER_PROBE)["controls"][name]["value"] != c["value"], CHANGE_TIMEOUT,
               f"{c['description']} to change in the kernel")
    state = kernel.json(TRAINER_PROBE)
    assert used_lr(state, name) < c["value"]
    check_learning_rates(page, out, state)


# --------------------------------------------------------------------------- a toy live widget


def test_live_widget_plays_pauses_and_steps_exactly(run_lecture):
    page, kernel = run_lecture("live.ipynb")
    out = output_of(page, page.locator("img.widget-image").first)
    img = out.locator("img.widget-image").first
    src = src_of(img)
    press_play(out)                                   # Play: it counts and redraws by itself
    src = wait_new_src(img, src)
    wait_new_src(img, src)
    press_pause(out)

    def settled():
        seen = []

        def still():
            seen.append(kernel.eval("view.n"))
            return seen[-1] if len(seen) >= 6 and len(set(seen[-6:])) == 1 else None

        return wait_until(still, CHANGE_TIMEOUT, "the counter to settle", 0.5)

    n1 = settled()
    assert n1 > 0 and n1 % 3 == 0
    paused = src_of(img)
    page.wait_for_timeout(1000)
    assert src_of(img) == paused, "still counting after Pause"
    button(out, r"^\W*step\b").first.click()            # Step: exactly steps_per_tick more
    wait_new_src(img, paused)
    assert settled() == n1 + 3
