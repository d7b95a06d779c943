"""Widget redraw times: state change -> updated figure, over 100 random states.

    .venv/bin/python benchmarks/widgets.py [--n 100]

For every view class in genlib/views that has ``random_state(rng)``, measures
(1) render: ``update(**state)`` + the widget's Agg draw (only the view's
``dynamic`` artists over a cached background, where it lists them), the figure the
issue names (median <= 30 ms for distribution widgets, <= 50 ms for latent
decoders), and (2) the full widget refresh including the PNG sent to the browser.
A view whose constructor needs a trained model provides ``bench_instance()``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from genlib.plots import Renderer, style  # noqa: E402
from genlib.views import all_views, instance  # noqa: E402

TARGET_MS = {"autoencoder": 50, "vae": 50, "gan": 200}  # gan: a live trainer, >= 5 redraws/s


def measure(cls, n, rng):
    view = instance(cls)
    renderer = Renderer(view.fig, getattr(view, "dynamic", ()))  # what the widget uses
    states = [cls.random_state(rng) for _ in range(n)]
    view.update(**states[0])
    renderer.draw()
    render, full = [], []
    for st in states:
        t0 = time.perf_counter()
        view.update(**st)
        renderer.draw()
        render.append(time.perf_counter() - t0)
    for st in states[: max(10, n // 5)]:
        t0 = time.perf_counter()
        view.update(**st)
        renderer.png()
        full.append(time.perf_counter() - t0)
    return statistics.median(render) * 1e3, float(np.percentile(render, 90)) * 1e3, statistics.median(full) * 1e3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100)
    args = ap.parse_args()
    style()
    rng = np.random.default_rng(0)
    rows, ok = [], True
    for mod, name, cls in all_views():
        try:
            med, p90, full = measure(cls, args.n, rng)
        except Exception as exc:  # report, never hide
            rows.append((mod, name, None, None, None, TARGET_MS.get(mod, 30), f"{type(exc).__name__}: {exc}"))
            ok = False
            continue
        target = TARGET_MS.get(mod, 30)
        ok &= med <= target
        rows.append((mod, name, med, p90, full, target, ""))
    print(f"\nWidget redraw, {args.n} random state changes each (Agg backend)\n")
    print("| view | render median ms | render p90 ms | with PNG median ms | target ms | within |")
    print("|---|---:|---:|---:|---:|:---:|")
    for mod, name, med, p90, full, target, err in rows:
        if med is None:
            print(f"| {mod}.{name} | - | - | - | {target} | error: {err} |")
        else:
            print(f"| {mod}.{name} | {med:.1f} | {p90:.1f} | {full:.1f} | <= {target} | {'yes' if med <= target else 'NO'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
