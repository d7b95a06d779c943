"""Widget response where the student feels it: JupyterLab in Chromium, driven by Playwright.

    python -m benchmarks.browser [--lectures 01 05] [--presses 15]
    python -m benchmarks.browser --screenshots DIR [--lectures 05 06]

For every widget slider in the table ``WIDGETS`` (01 p(heads), 02's sliders, 04's
latent explorer, 05's CVAE decoder, ...) it runs the lecture in a copy (nothing in
the repository is autosaved), presses ArrowRight / ArrowLeft on the slider's handle
and measures, in the page, the time from the key press to the new picture decoded
and painted (the image's ``src`` changes, ``img.decode()``, one animation frame).
It prints the median and 90th percentile per widget and the kernel's share
(``Interactive.last_change_s``: ``update`` + draw + PNG, wall and CPU time). Targets: every median
under 100 ms, the decoder views (04, 05) under 60 ms; a miss exits non-zero.

``--screenshots DIR`` instead saves, at 100 % zoom (device scale factor 1) and at
200 % (a high-DPI screen), the GAN trainer (06), the CVAE decoder (05) and
lecture 06's multi-panel figures: ``DIR/<name>@1x.png`` and ``@2x.png``.

The same harness (a JupyterLab server on a free port, Debian's Chromium, a kernel
client on the notebook's own kernel to read its state) is used by
``tests/test_browser.py``. Set-up as in DESIGN.md section 6: never ``playwright
install``. On a shared machine the figures measure the neighbours too: say so.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from genlib import manifest

ROOT = manifest.ROOT
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "genlib-browser"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

# lecture, slider label (the control's description), what it drives, target median in ms
WIDGETS = [
    ("01_entropy", "p(heads)", "01 coin entropy", 100),
    ("01_entropy", "weight A", "01 categorical entropy", 100),
    ("01_entropy", "true p", "01 cross-entropy of a coin", 100),
    ("02_kl_js", "separation", "02 forward vs reverse KL fits", 100),
    ("02_kl_js", "shift t", "02 sliding apart", 100),
    ("03_mle_map", "tau", "03 prior strength", 100),
    ("03_mle_map", "heads", "03 beta coin", 100),
    ("04_autoencoder", "z1", "04 latent explorer (decoder)", 60),
    ("04_autoencoder", "t", "04 interpolation", 100),
    ("05_vae", "z1", "05 CVAE decoder", 60),
    ("07_wgan", "theta", "07 parallel lines", 100),
    ("07_wgan", "mu of q", "07 dual critic", 100),
    ("08_evaluation", "blur", "08 break the samples", 100),
]


# --------------------------------------------------------------------------- harness


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float, what: str, interval: float = 0.25):
    """Poll ``condition()`` until it returns something truthy; raise TimeoutError naming ``what``."""
    deadline = time.time() + timeout
    while True:
        got = condition()
        if got:
            return got
        if time.time() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Kernel:
    """A second client on a notebook's kernel (the one the page runs): it reads the kernel's
    state with ``user_expressions``, queued behind whatever the page asked for."""

    def __init__(self, connection_file: Path):
        from jupyter_client import BlockingKernelClient

        self.client = BlockingKernelClient(connection_file=str(connection_file))
        self.client.load_connection_file()
        self.client.start_channels()

    def _reply(self, msg_id: str, timeout: float) -> dict:
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError(f"the kernel did not answer within {timeout:.0f} s")
            msg = self.client.get_shell_msg(timeout=left)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]

    def run(self, code: str, timeout: float = 600) -> None:
        content = self._reply(self.client.execute(code, silent=False, store_history=False), timeout)
        if content["status"] != "ok":
            raise RuntimeError(f"kernel: {content.get('ename')}: {content.get('evalue')} "
                               f"(status {content['status']}; a lecture cell may have failed)")

    def eval(self, expr: str, timeout: float = 600):
        """The value of a Python literal expression in the kernel (``repr`` then ``literal_eval``)."""
        content = self._reply(self.client.execute("", silent=False, store_history=False,
                                                  user_expressions={"v": expr}), timeout)
        if content["status"] != "ok":
            raise RuntimeError(f"kernel: status {content['status']} (a lecture cell may have failed)")
        v = content["user_expressions"]["v"]
        if v["status"] != "ok":
            raise RuntimeError(f"kernel: {expr!r} failed: {v.get('ename')}: {v.get('evalue')}")
        return ast.literal_eval(v["data"]["text/plain"])

    def json(self, code: str, timeout: float = 600):
        """Run ``code``, which sets ``__probe`` to something JSON can write; return it."""
        self.run("import json as __json\n" + code + "\n__probe = __json.dumps(__probe)", timeout)
        return json.loads(self.eval("__probe", timeout))

    def close(self):
        self.client.stop_channels()


class Lab:
    """A JupyterLab server on a free port, serving a temporary folder holding copies of lectures.

    ``Lab(["01_entropy"], extra={"live.ipynb": nb_dict})``; use as a context manager.
    ``parameters={"05_vae": {"EPOCHS": 1}}`` serves that lecture with those values injected
    after its parameters cell, as ``papermill -p`` would run it.
    The server's process group is stopped by the PID it was started with.
    """

    def __init__(self, lectures=(), extra: dict | None = None, root: Path | None = None, env: dict | None = None,
                 parameters: dict | None = None):
        self.extra_env = dict(env or {})
        self.root = Path(root or tempfile.mkdtemp(prefix="genlib-lab-"))
        self.runtime = self.root / ".runtime"
        parameters = dict(parameters or {})
        for name in lectures:
            if name in parameters:   # as papermill would run it: an injected cell after the parameters cell
                import nbformat
                from papermill.iorw import load_notebook_node
                from papermill.parameterize import parameterize_notebook

                nb = parameterize_notebook(load_notebook_node(str(ROOT / "lectures" / f"{name}.ipynb")),
                                           parameters.pop(name), kernel_name="python3", language="python")
                nbformat.write(nb, self.root / f"{name}.ipynb")
            else:
                shutil.copy(ROOT / "lectures" / f"{name}.ipynb", self.root / f"{name}.ipynb")
        if parameters:
            raise ValueError(f"parameters for lectures the Lab does not serve: {sorted(parameters)}")
        for name, nb in (extra or {}).items():
            (self.root / name).write_text(json.dumps(nb))
        # render every cell, not only those near the viewport (JupyterLab 4 windows long notebooks),
        # so that widgets and figures far down a lecture can be found
        settings = self.root / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        self.proc = None
        self.url = None
        self.kernels = {}

    def __enter__(self):
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("GENLIB_HEADLESS", "GENLIB_FIGURE_AUDIT")}
        env.update(self.extra_env)
        env["JUPYTER_CONFIG_DIR"] = str(self.root / ".jupyter")
        env["JUPYTER_RUNTIME_DIR"] = str(self.runtime)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
             f"--IdentityProvider.token={TOKEN}", "--allow-root", f"--ServerApp.root_dir={self.root}",
             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=self.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"

        def up():
            if self.proc.poll() is not None:
                raise RuntimeError("JupyterLab exited at start")
            try:
                urllib.request.urlopen(f"{self.url}/api/status?token={TOKEN}", timeout=2)
                return True
            except OSError:
                return False

        try:
            wait_until(up, 120, "JupyterLab to start", 0.5)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for k in self.kernels.values():
            k.close()
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        return False

    def kernel(self, notebook: str, timeout: float = 120) -> Kernel:
        """A client on the kernel of the page's session for ``notebook``."""
        if notebook in self.kernels:
            return self.kernels[notebook]

        def find():
            sessions = json.loads(urllib.request.urlopen(f"{self.url}/api/sessions?token={TOKEN}", timeout=5).read())
            for s in sessions:
                if s.get("path", "").endswith(notebook) and s.get("kernel"):
                    f = self.runtime / f"kernel-{s['kernel']['id']}.json"
                    if f.exists():
                        return f
            return None

        self.kernels[notebook] = Kernel(wait_until(find, timeout, f"the kernel of {notebook}", 0.5))
        return self.kernels[notebook]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)


def open_notebook(browser, lab: Lab, name: str, scale: float = 1, width: int = 1400, height: int = 1000):
    """Open ``name`` in a fresh workspace, its kernel connected and idle."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
    page.set_default_timeout(120_000)
    workspace = re.sub(r"\W", "-", name)
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook", state="visible")
    # the status bar reads "Python 3 (ipykernel) | Idle" once the kernel is connected
    page.wait_for_function("() => /ipykernel\\) \\| Idle/.test(document.body.innerText)", timeout=180_000)
    return page


def run_all(page, lab: Lab, name: str, timeout: float = 1200, tries: int = 4) -> Kernel:
    """Run All Cells and wait until every cell has run; return a client on the kernel.

    Run All is sent again only if no cell started (a busy machine can take the first
    request before the kernel is connected); a started run is never sent twice.
    Waiting is a kernel request queued behind the cells: it returns when they are done.
    """
    started = "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
    for attempt in range(tries):
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.wait_for_function(started, timeout=30_000)
            break
        except Exception:
            if attempt == tries - 1:
                raise
    kernel = lab.kernel(name)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                          has_text=re.compile("Traceback|Error"))
    try:
        kernel.eval("1", timeout=timeout)  # queued behind every cell of the run
    except RuntimeError:
        page.wait_for_timeout(2000)
        if errors.count():
            raise RuntimeError(f"{name} failed in the browser:\n{errors.first.inner_text()[-3000:]}") from None
        raise
    if errors.count():
        raise RuntimeError(f"{name} failed in the browser:\n{errors.first.inner_text()[-3000:]}")
    page.wait_for_function("() => ![...document.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('[*]'))",
                           timeout=120_000)
    return kernel


def slider(page, label: str):
    """The slider whose description reads exactly ``label`` (the first one)."""
    return page.locator(".widget-slider", has=page.locator(".widget-label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))).first


def output_of(page, control):
    """The output area (one widget) that holds ``control``."""
    return page.locator(".jp-OutputArea-output", has=control).last


def readout(slider_locator) -> float:
    """The number the slider's readout shows (e.g. ``2.0e-3``, ``0.50``)."""
    text = slider_locator.locator(".widget-readout").first.inner_text().strip()
    return float(text.replace("\u2212", "-").replace(",", ""))


# --------------------------------------------------------------------------- measuring

ARM = """([label]) => {
  const sliders = [...document.querySelectorAll('.widget-slider')].filter(
      s => (s.querySelector('.widget-label') || {}).textContent?.trim() === label);
  const box = sliders[0];
  const out = box.closest('.jp-OutputArea-output');
  const img = out.querySelector('img.widget-image');
  const old = img.src;
  window.__lag = new Promise((resolve) => {
    let t0 = null;
    const down = (e) => { if (t0 === null) t0 = performance.now(); };
    window.addEventListener('keydown', down, {capture: true});
    const obs = new MutationObserver(() => {
      if (img.src === old || t0 === null) return;
      obs.disconnect();
      window.removeEventListener('keydown', down, {capture: true});
      img.decode().catch(() => null).then(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
    });
    obs.observe(img, {attributes: true, attributeFilter: ['src']});
  });
  const h = box.querySelector('.noUi-handle');
  const now = parseFloat(h.getAttribute('aria-valuenow')), lo = parseFloat(h.getAttribute('aria-valuemin')),
        hi = parseFloat(h.getAttribute('aria-valuemax'));
  let d = window.__dir || 'ArrowRight';
  if (now >= hi) d = 'ArrowLeft'; else if (now <= lo) d = 'ArrowRight';
  window.__dir = d;
  return d;
}"""

KERNEL_TIME = """
import genlib.widgets as __w
__probe = [(v.last_change_s, v.last_change_cpu_s) for v in list(globals().values())
           if isinstance(v, __w.Interactive) and {label!r} in [c.description for c in v.controls.values()]]
"""


def measure_widget(page, kernel: Kernel, label: str, presses: int) -> dict:
    s = slider(page, label)
    s.scroll_into_view_if_needed()
    handle = s.locator(".noUi-handle").first
    lags, kernel_s = [], []
    page.evaluate("() => { window.__dir = null; }")
    for i in range(presses + 2):
        key = page.evaluate(ARM, [label])  # towards the far end, turning back at either end
        handle.focus()
        page.keyboard.press(key)
        lag = page.evaluate("() => Promise.race([window.__lag, new Promise(r => setTimeout(() => r(null), 60000))])")
        if lag is None:
            raise TimeoutError(f"the picture of {label!r} did not change within 60 s")
        k = kernel.json(KERNEL_TIME.format(label=label))
        if i >= 2:  # the first presses warm up caches on both sides
            lags.append(lag)
            kernel_s.append(k[0] if k and k[0][0] is not None else (float("nan"), float("nan")))
        page.wait_for_timeout(150)
    png = page.evaluate("""([label]) => {
      const s = [...document.querySelectorAll('.widget-slider')].find(
          s => (s.querySelector('.widget-label') || {}).textContent?.trim() === label);
      const img = s.closest('.jp-OutputArea-output').querySelector('img.widget-image');
      return [img.naturalWidth, img.naturalHeight, img.getBoundingClientRect().width, img.getBoundingClientRect().height];
    }""", [label])
    lags.sort()
    return {"median": statistics.median(lags), "p90": lags[int(0.9 * (len(lags) - 1))],
            "kernel": statistics.median(k[0] for k in kernel_s) * 1e3,
            "kernel_cpu": statistics.median(k[1] for k in kernel_s) * 1e3, "natural": png[:2], "shown": png[2:]}


def screenshots(browser, out: Path, lectures) -> list[Path]:
    """The trainer (06), the CVAE decoder (05) and 06's multi-panel figures (the issue's 4-panel
    figure of one ring run became the two 2-panel figures of section 6: the grid run, and mode
    collapse measured over seeds), at 100 % zoom on a normal screen (``@1x``) and on a
    high-DPI screen (``@2x``, device scale factor 2)."""
    out.mkdir(parents=True, exist_ok=True)
    saved = []

    def figure_before(page, text: str):
        """The last picture of the code cell just above the markdown cell that contains ``text``
        (rendered markdown is all in the page; a long cell's code is not, CodeMirror draws what is near)."""
        return page.locator(f"xpath=//div[contains(@class, 'jp-MarkdownCell')][contains(., {text!r})]"
                            "/preceding-sibling::div[contains(@class, 'jp-CodeCell')][1]"
                            "//div[contains(@class, 'jp-OutputArea-output')]//img").last

    targets = {
        "05_vae": [("cvae-decoder", lambda page: output_of(page, slider(page, "z1")))],
        "06_gan": [("gan-trainer", lambda page: output_of(page, page.locator(
                       "button", has_text=re.compile(r"^\W*Step", re.I)).first)),
                   ("grid-run-figure", lambda page: figure_before(page, "The dashed line is what a perfect sampler")),
                   ("mode-collapse-figure", lambda page: figure_before(page, "Each row is a seed; a white cell is a lost mode"))],
    }

    def shoot(page, lecture, scale):
        for tag, find in targets[lecture]:
            el = find(page)
            el.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            path = out / f"{tag}@{scale}x.png"
            el.screenshot(path=str(path))
            saved.append(path)

    for lecture in lectures:
        if lecture not in targets:
            continue
        with Lab([lecture]) as lab:
            page = open_notebook(browser, lab, f"{lecture}.ipynb", scale=1)
            run_all(page, lab, f"{lecture}.ipynb")
            shoot(page, lecture, 1)
            # the same notebook on a high-DPI screen: saved (in the temporary copy) and opened again
            # in a second page, whose widgets come back from the running kernel
            page.keyboard.press("Control+s")
            page.wait_for_timeout(3000)
            try:
                hi = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=2)
                hi.set_default_timeout(120_000)
                hi.goto(f"{lab.url}/lab/workspaces/hidpi/tree/{lecture}.ipynb?reset&token={TOKEN}")
                hi.wait_for_selector("img.widget-image", state="visible")
                hi.wait_for_timeout(3000)
                shoot(hi, lecture, 2)
                hi.close()
            except Exception as exc:  # the 100 % screenshots are what the closing note needs
                print(f"{lecture}: no high-DPI screenshots ({type(exc).__name__}: {exc})", file=sys.stderr)
            page.close()
    return saved


def main() -> int:
    from benchmarks.common import Targets, save, table

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lectures", nargs="*", help="lecture numbers or names (default: every lecture in WIDGETS)")
    ap.add_argument("--presses", type=int, default=15)
    ap.add_argument("--screenshots", metavar="DIR", help="save the closing note's screenshots instead")
    ap.add_argument("--ratio", type=float, help="device pixels per CSS pixel of the widget images "
                    "(GENLIB_WIDGET_RATIO in the kernel; default genlib.plots.RATIO, 2; 1 to compare with the "
                    "old rendering)")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (make browser-deps)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    def chosen(names):
        if not args.lectures:
            return names
        return [n for n in names if any(n == a or n.startswith(a.zfill(2) + "_") for a in args.lectures)]

    with sync_playwright() as pw:
        if args.screenshots:
            browser = launch(pw)
            paths = screenshots(browser, Path(args.screenshots), chosen(["05_vae", "06_gan"]))
            browser.close()
            print("\n".join(map(str, paths)))
            return 0
        rows, targets = [], Targets()
        lectures = list(dict.fromkeys(chosen([w[0] for w in WIDGETS])))
        for lecture in lectures:
            with Lab([lecture], env={"GENLIB_WIDGET_RATIO": str(args.ratio)} if args.ratio else None) as lab:
                browser = launch(pw)
                t0 = time.time()
                page = open_notebook(browser, lab, f"{lecture}.ipynb")
                kernel = run_all(page, lab, f"{lecture}.ipynb")
                print(f"{lecture}: ran in the browser in {time.time() - t0:.0f} s", file=sys.stderr)
                for lec, label, what, target in WIDGETS:
                    if lec != lecture:
                        continue
                    try:
                        r = measure_widget(page, kernel, label, args.presses)
                    except Exception as exc:  # report, never hide
                        rows.append((what, f"`{label}`", "-", "-", "-", "-", f"error: {type(exc).__name__}: {exc}"[:200]))
                        targets.require(f"{what}: median key press to picture under {target} ms", False, "error")
                        continue
                    ok = targets.require(f"{what}: median key press to picture under {target} ms",
                                         r["median"] < target, f"{r['median']:.0f} ms")
                    rows.append((what, f"`{label}`", f"{r['median']:.0f}", f"{r['p90']:.0f}",
                                 f"{r['kernel']:.0f} ({r['kernel_cpu']:.0f} CPU)",
                                 f"{r['natural'][0]}x{r['natural'][1]} shown at {r['shown'][0]:.0f}x{r['shown'][1]:.0f}",
                                 f"< {target}: {'yes' if ok else 'NO'}"))
                browser.close()
    body = ("Median time from a slider key press to the new picture decoded in Chromium "
            f"({args.presses} presses per widget, after 2 warm-up presses); kernel: `update` + draw + PNG "
            "(`Interactive.last_change_s`, and in brackets the kernel thread's CPU time, which neighbours on a "
            "shared machine inflate much less). PNG: its pixels, and the CSS pixels it is shown at.\n\n"
            + table(["widget", "slider", "median ms", "p90 ms", "kernel median ms", "PNG", "target ms"], rows)
            + "\n\n" + targets.markdown() + "\n")
    command = " ".join(["python -m benchmarks.browser"] + sys.argv[1:])
    save("browser" if not args.ratio else f"browser-ratio{args.ratio:g}",
         "Widgets in the browser: key press to picture" + (f" (ratio {args.ratio:g})" if args.ratio else ""),
         body, command)
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
