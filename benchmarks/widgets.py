"""Widget redraw times: state change -> updated figure, over 100 random states.

    .venv/bin/python benchmarks/widgets.py [--n 100]

For every view class in genlib/views that has ``random_state(rng)``, measures
(1) render: ``update(**state)`` + ``fig.canvas.draw()`` with Agg, the figure the
issue names (median <= 30 ms for distribution widgets, <= 50 ms for latent
decoders), and (2) the full widget refresh including the PNG sent to the browser.
A view whose constructor needs a trained model provides ``bench_instance()``.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import genlib.views  # noqa: E402
from genlib.plots import png_bytes, style  # noqa: E402

TARGET_MS = {"autoencoder": 50, "vae": 50}


def views():
    for mod in pkgutil.iter_modules(genlib.views.__path__):
        m = importlib.import_module(f"genlib.views.{mod.name}")
        for name, cls in inspect.getmembers(m, inspect.isclass):
            if cls.__module__ == m.__name__ and hasattr(cls, "random_state") and hasattr(cls, "update"):
                yield mod.name, name, cls


def measure(cls, n, rng):
    view = cls.bench_instance() if hasattr(cls, "bench_instance") else cls()
    states = [cls.random_state(rng) for _ in range(n)]
    view.update(**states[0])
    view.fig.canvas.draw()
    render, full = [], []
    for st in states:
        t0 = time.perf_counter()
        view.update(**st)
        view.fig.canvas.draw()
        render.append(time.perf_counter() - t0)
    for st in states[: max(10, n // 5)]:
        t0 = time.perf_counter()
        view.update(**st)
        png_bytes(view.fig)
        full.append(time.perf_counter() - t0)
    return statistics.median(render) * 1e3, float(np.percentile(render, 90)) * 1e3, statistics.median(full) * 1e3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100)
    args = ap.parse_args()
    style()
    rng = np.random.default_rng(0)
    rows, ok = [], True
    for mod, name, cls in views():
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
