"""Widget redraw times in the kernel: state change -> updated figure, over 100 random states.

    python -m benchmarks.widgets [--n 100]

For every view class in genlib/views that has ``random_state(rng)``, measures
(1) render: ``update(**state)`` + the widget's Agg draw at ``plots.RATIO`` device
pixels per CSS pixel (only the view's ``dynamic`` artists over a cached background,
where it lists them), the figure the targets name (median <= 30 ms for
distribution widgets, <= 50 ms for latent decoders, <= 200 ms for the live GAN
trainer), and (2) the full widget refresh including the PNG sent to the browser.
A view whose constructor needs a trained model provides ``bench_instance()``.

Times are taken twice: wall clock, and the CPU time of this thread. On an idle
machine they agree; on a shared one the wall clock measures the neighbours too, so
the targets are judged on CPU time (both are printed). What the student feels in
the browser is measured by ``benchmarks/browser.py``. Exits 1 on a missed target.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from benchmarks.common import Targets, save, table  # noqa: E402
from genlib import plots  # noqa: E402
from genlib.plots import Renderer, style  # noqa: E402
from genlib.views import all_views, instance  # noqa: E402

TARGET_MS = {"autoencoder": 50, "vae": 50, "gan": 200}  # gan: a live trainer, >= 5 redraws/s
DEFAULT_MS = 30


def timed(fn):
    t0, c0 = time.perf_counter(), time.thread_time()
    fn()
    return time.perf_counter() - t0, time.thread_time() - c0


def measure(cls, n, rng):
    view = instance(cls)
    renderer = Renderer(view.fig, getattr(view, "dynamic", ()))  # what the widget uses
    states = [cls.random_state(rng) for _ in range(n)]
    view.update(**states[0])
    renderer.draw()
    render, full = [], []
    for st in states:
        render.append(timed(lambda: (view.update(**st), renderer.draw())))
    for st in states[: max(10, n // 5)]:
        full.append(timed(lambda: (view.update(**st), renderer.png())))
    wall = [r[0] * 1e3 for r in render]
    cpu = [r[1] * 1e3 for r in render]
    return {"wall": statistics.median(wall), "cpu": statistics.median(cpu), "cpu_p90": float(np.percentile(cpu, 90)),
            "full_wall": statistics.median(f[0] * 1e3 for f in full),
            "full_cpu": statistics.median(f[1] * 1e3 for f in full),
            "pixels": view.fig.canvas.get_width_height(physical=True)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--ratio", type=float, default=plots.RATIO,
                    help=f"device pixels per CSS pixel (default {plots.RATIO:g}; 1 for the old, blurry rendering)")
    ap.add_argument("--only", nargs="*", help="views whose module.class contains one of these")
    args = ap.parse_args()
    plots.RATIO = args.ratio
    style()
    rng = np.random.default_rng(0)
    rows, targets = [], Targets()
    for mod, name, cls in all_views():
        if args.only and not any(o in f"{mod}.{name}" for o in args.only):
            continue
        target = TARGET_MS.get(mod, DEFAULT_MS)
        what = f"{mod}.{name}: render median <= {target} ms (CPU)"
        try:
            r = measure(cls, args.n, rng)
        except Exception as exc:  # report, never hide
            rows.append((f"{mod}.{name}", "-", "-", "-", "-", "-", "-", f"error: {type(exc).__name__}: {exc}"))
            targets.require(what, False, "error")
            continue
        ok = targets.require(what, r["cpu"] <= target, f"{r['cpu']:.1f} ms")
        w, h = r["pixels"]
        rows.append((f"{mod}.{name}", f"{w}x{h}", f"{r['cpu']:.1f}", f"{r['cpu_p90']:.1f}", f"{r['wall']:.1f}",
                     f"{r['full_cpu']:.1f}", f"{r['full_wall']:.1f}", f"<= {target}: {'yes' if ok else 'NO'}"))
    body = (f"{args.n} random state changes per view, Agg at {plots.RATIO:g} pixels per CSS pixel "
            f"({plots.DPI * plots.RATIO:g} dpi). Render: `update` + draw; with PNG: the whole widget refresh. "
            "Targets are judged on the thread's CPU time (the wall clock on a shared machine measures the "
            "neighbours too).\n\n"
            + table(["view", "pixels", "render CPU median ms", "render CPU p90 ms", "render wall median ms",
                     "with PNG CPU ms", "with PNG wall ms", "target ms"], rows)
            + "\n\n" + targets.markdown() + "\n")
    command = " ".join(["python -m benchmarks.widgets"] + sys.argv[1:])
    save("widgets", "Widget redraw in the kernel", body, command)
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
