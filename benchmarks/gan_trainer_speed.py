"""Speed of the live GAN trainer (genlib.views.gan.trainer), headless, on the CPU.

Times whole ticks of the Play control, as a student sees them: ``Live.advance()``
runs ``steps_per_tick`` generator updates (each with its ``n_critic``
discriminator/critic updates), a mode-coverage evaluation, ``view.update()`` and
the PNG encoding of the figure. Targets in the default set-up: >= 100 generator
updates per second while redrawing >= 5 times per second.

    GENLIB_HEADLESS=1 .venv/bin/python benchmarks/gan_trainer_speed.py [--ticks 15]
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("GENLIB_HEADLESS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from genlib import gan  # noqa: E402
from genlib.views.gan import trainer  # noqa: E402
from genlib.plots import png_bytes, style  # noqa: E402


def measure(data, loss, n_critic, ticks, steps_per_tick):
    live = trainer(data=data, loss=loss, n_critic=n_critic, seed=0, headless_steps=0,
                       steps_per_tick=steps_per_tick)
    g, view = live.gan, live.view
    live.advance()  # warm-up
    t_step = t_update = t_png = 0.0
    t0 = time.perf_counter()
    for _ in range(ticks):  # the same work as Live.advance, timed by part
        a = time.perf_counter()
        live.step(steps_per_tick)
        b = time.perf_counter()
        view.update()
        c = time.perf_counter()
        live.image.value = png_bytes(view.fig)
        d = time.perf_counter()
        t_step, t_update, t_png = t_step + b - a, t_update + c - b, t_png + d - c
    total = time.perf_counter() - t0
    # and whole ticks through the public method, to be sure nothing is left out
    t1, c1 = time.perf_counter(), time.process_time()
    for _ in range(ticks):
        live.advance()
    total_adv, cpu_adv = time.perf_counter() - t1, time.process_time() - c1
    return {
        "updates_per_s": ticks * steps_per_tick / total_adv,
        "redraws_per_s": ticks / total_adv,
        "updates_per_cpu_s": ticks * steps_per_tick / cpu_adv,
        "redraws_per_cpu_s": ticks / cpu_adv,
        "ms_steps": 1000 * t_step / ticks, "ms_update": 1000 * t_update / ticks, "ms_png": 1000 * t_png / ticks,
        "ms_tick": 1000 * total / ticks,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ticks", type=int, default=15)
    ap.add_argument("--steps-per-tick", type=int, default=20)
    args = ap.parse_args()
    style()
    torch.set_num_threads(2)  # as genlib.setup; ToyGAN runs its tiny networks on one thread
    print(f"torch {torch.__version__}, {os.cpu_count()} CPUs, steps per tick {args.steps_per_tick}, "
          f"ticks {args.ticks}; default ToyGAN: 3x64 ReLU MLPs, batch 256, z of dimension 2")
    rows = [("ring", "nonsaturating", 1), ("grid", "nonsaturating", 1), ("grid", "minimax", 1),
            ("grid", "wgan", 1), ("grid", "wgan-gp", 1), ("grid", "wgan", 5), ("grid", "wgan-gp", 5)]
    head = (f"{'data':5s} {'loss':14s} {'D steps':>7s} | {'G updates/s':>11s} {'redraws/s':>9s} | "
            f"{'per CPU-s':>9s} {'redraws':>7s} | "
            f"{'steps ms':>8s} {'update ms':>9s} {'png ms':>7s} {'tick ms':>7s}")
    print(head)
    print("-" * len(head))
    for data, loss, nc in rows:
        r = measure(data, loss, nc, args.ticks, args.steps_per_tick)
        ok = "" if nc > 1 or loss == "wgan-gp" else (
            "  ok" if r["updates_per_s"] >= 100 and r["redraws_per_s"] >= 5 else "  below target (wall)")
        print(f"{data:5s} {loss:14s} {nc:7d} | {r['updates_per_s']:11.0f} {r['redraws_per_s']:9.1f} | "
              f"{r['updates_per_cpu_s']:9.0f} {r['redraws_per_cpu_s']:7.1f} | "
              f"{r['ms_steps']:8.1f} {r['ms_update']:9.1f} {r['ms_png']:7.1f} {r['ms_tick']:7.1f}{ok}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f}. 'per CPU-s' divides by the process's CPU time: "
          f"the rate on an idle core, whatever the load (the trainer runs on one thread).")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
