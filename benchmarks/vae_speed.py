"""Lecture 05's VAE against the reference VAE of pytorch/examples, in one run.

    python -m benchmarks.vae_speed                       # mnist5k, LATENT_DIM 20, cpu profile
    python -m benchmarks.vae_speed --profile full        # the full MNIST (downloads once), EPOCHS 3
    python -m benchmarks.vae_speed --seed 1 --epochs 10

The lecture is the benchmark: lecture 05 runs through the course runner
(``python -m genlib.course run 05 -p DATASET ... -p LATENT_DIM 20 -p PROFILE ...``),
and its run record gives the test loss of its VAE after every epoch (the negative ELBO
in nats per image: summed binary cross-entropy plus the closed-form KL, as the reference
reports it; ``test_loss_per_epoch``) and the training wall time at the end of every epoch
(``train_seconds_per_epoch``, cumulative; the test evaluation is off the clock, as it is for
the reference). In the same benchmark run,
the reference (pytorch/examples vae/main.py: 784-400-20-400-784, ReLU, sigmoid output,
Adam 1e-3, batch 128; ``ReferenceVAE`` below, the only model this file defines: an independent
reference, not a copy of the lecture's VAE, which only lecture 05 trains) trains
``--ref-epochs`` (10) epochs on the same split, on one thread like the lecture; its loss
after the last epoch is the target. It trains twice, before and after the lecture, and its
wall time is the mean of the two runs, so that a slow spell of a shared machine during one
run weighs half as much (its losses are the same in both).

Targets (issue 10): the lecture's VAE reaches the reference's 10-epoch test loss in at
most half the reference's time, in CPU seconds of the process (``time.process_time``, every
thread: the work done, which the host's load moves far less than the wall clock; issue 25),
with the wall time beside it; on the full MNIST it also reaches the published
105.6 nats (DESIGN.md section 9) in fewer than 10 epochs.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from benchmarks.common import Targets, run_lecture, save, table
from genlib import data
from genlib.runtime import one_thread, seed_everything

PUBLISHED = 105.6  # pytorch/examples' MLP VAE, test loss after 10 epochs on full MNIST (DESIGN.md)


class ReferenceVAE(nn.Module):
    """The independent reference, not a copy of the lecture's model: pytorch/examples vae/main.py
    (784-400-20-400-784, sigmoid output). The lecture's VAE is trained only by lecture 05 itself,
    run through the course runner above."""

    def __init__(self, d=784, h=400, latent=20):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(d, h), nn.Linear(h, latent), nn.Linear(h, latent)
        self.fc3, self.fc4 = nn.Linear(latent, h), nn.Linear(h, d)

    def loss(self, x, eps):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        recon = torch.sigmoid(self.fc4(F.relu(self.fc3(mu + torch.exp(0.5 * logvar) * eps))))
        bce = F.binary_cross_entropy(recon, x, reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return bce + kld


def train_reference(ds, epochs, seed):
    """The reference's loop on the course's thread policy (``runtime.one_thread``, as the lecture
    runs); the test loss after each epoch is evaluated off the clock."""
    with one_thread():
        return _train_reference(ds, epochs, seed)


def _train_reference(ds, epochs, seed):
    seed_everything(seed)
    model = ReferenceVAE(ds.dim)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = ds.x_train
    eps_test = torch.randn(len(ds.x_test), 20, generator=torch.Generator().manual_seed(1234))
    wall, cpu, rows = 0.0, 0.0, []
    for epoch in range(epochs):
        t0, c0 = time.perf_counter(), time.process_time()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            xb = x[perm[i:i + 128]]
            loss = model.loss(xb, torch.randn(len(xb), 20)) / len(xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        with torch.no_grad():
            test = sum(model.loss(ds.x_test[i:i + 1000], eps_test[i:i + 1000]).item()
                       for i in range(0, len(ds.x_test), 1000)) / len(ds.x_test)
        rows.append({"epoch": epoch + 1, "wall_s": wall, "cpu_s": cpu, "test_loss": test})
        print(f"  reference epoch {epoch + 1}: test loss {test:.2f} ({wall:.1f} s, {cpu:.1f} CPU-s)",
              file=sys.stderr, flush=True)
    return rows


def first(rows, goal):
    return next((r for r in rows if r["test_loss"] <= goal), None)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", default="cpu", choices=["cpu", "full"],
                    help="cpu: mnist5k; full: the full MNIST and the published 105.6 target")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=None,
                    help="EPOCHS of the lecture (default: the lecture's own; 3 in the full profile, where its "
                         "learning rate decays over 3 epochs and its checks on trained models hold from 3 on)")
    ap.add_argument("--ref-epochs", type=int, default=10)
    args = ap.parse_args()

    name = {"cpu": "mnist5k", "full": "mnist"}[args.profile]
    params = {"PROFILE": args.profile, "SEED": args.seed, "DATASET": name, "LATENT_DIM": 20}
    epochs = args.epochs or (3 if args.profile == "full" else None)
    if epochs:
        params["EPOCHS"] = epochs
    targets = Targets()
    ds = data.load(name, seed=args.seed, verbose=False)
    # The reference trains before and after the lecture and its wall time is the mean of the two
    # runs: a slow spell of a shared machine during one of them moves the comparison half as much.
    # (The same seed on the same machine gives the same losses: checked below.)
    ref_before = train_reference(ds, args.ref_epochs, args.seed)
    out = Path(tempfile.mkdtemp(prefix="bench-vae-"))
    t0 = time.perf_counter()
    rec = run_lecture("05", params, out=out)
    lecture_s = time.perf_counter() - t0
    record = rec.get("record", {})
    failed = [c["text"] for c in record.get("claims", []) if not c["passed"]]
    metrics = record.get("metrics", {})
    ran = targets.require("lecture 05 runs to the end with every claim holding",
                          rec.get("status") == "ok" and not failed,
                          f"status {rec.get('status')}, {len(failed)} claims failed")
    losses, seconds = metrics.get("test_loss_per_epoch"), metrics.get("train_seconds_per_epoch")
    cpu_seconds = metrics.get("train_cpu_seconds_per_epoch")
    if not ran or not losses or not seconds or not (len(seconds) == len(losses) == len(cpu_seconds or ())):
        print(f"the lecture did not finish or recorded no per-epoch test loss and times: see {out}", file=sys.stderr)
        return targets.exit_code() or 1
    lec_rows = [{"epoch": i + 1, "wall_s": s, "cpu_s": c, "test_loss": loss}
                for i, (s, c, loss) in enumerate(zip(seconds, cpu_seconds, losses))]
    used = metrics.get("data_used", {})

    targets.require(f"the lecture used the data set asked for ({name}, no fallback) and the split trained here",
                    used.get("name") == name == ds.name
                    and (used.get("train"), used.get("test")) == (len(ds.x_train), len(ds.x_test)),
                    f"{used.get('name')}, {used.get('train')} + {used.get('test')} images")
    ref_after = train_reference(ds, args.ref_epochs, args.seed)
    targets.require("the reference's two runs (before and after the lecture) give the same test losses",
                    all(abs(a["test_loss"] - b["test_loss"]) < 1e-6 for a, b in zip(ref_before, ref_after)),
                    f"10-epoch loss {ref_before[-1]['test_loss']:.3f} and {ref_after[-1]['test_loss']:.3f}")
    ref_rows = [dict(a, wall_s=(a["wall_s"] + b["wall_s"]) / 2, cpu_s=(a["cpu_s"] + b["cpu_s"]) / 2)
                for a, b in zip(ref_before, ref_after)]
    target = ref_rows[-1]["test_loss"]
    ref_hit, lec_hit = first(ref_rows, target), first(lec_rows, target)
    # judged in CPU seconds (the process's, every thread): the work done, which a busy host moves
    # far less than the wall clock; the wall time stays in the table beside it
    targets.require(f"the lecture's VAE reaches the reference's {args.ref_epochs}-epoch test loss "
                    f"({target:.2f} nats) in at most half the reference's CPU time",
                    lec_hit is not None and lec_hit["cpu_s"] <= 0.5 * ref_hit["cpu_s"],
                    "never reached" if lec_hit is None else
                    f"epoch {lec_hit['epoch']}, {lec_hit['cpu_s']:.1f} CPU-s vs {ref_hit['cpu_s']:.1f} "
                    f"({lec_hit['cpu_s'] / ref_hit['cpu_s']:.2f}x; wall {lec_hit['wall_s']:.1f} s vs "
                    f"{ref_hit['wall_s']:.1f} s, {lec_hit['wall_s'] / ref_hit['wall_s']:.2f}x)")
    if name == "mnist":
        pub = first(lec_rows, PUBLISHED)
        targets.require(f"the lecture's VAE reaches the published {PUBLISHED} nats in fewer than 10 epochs",
                        pub is not None and pub["epoch"] < 10,
                        "never reached" if pub is None else f"epoch {pub['epoch']} ({pub['test_loss']:.2f})")

    n = max(len(ref_rows), len(lec_rows))

    def cells(rows):
        return [f"{r['test_loss']:.1f}" for r in rows] + [""] * (n - len(rows))

    body = "\n".join([
        f"Lecture 05 run through the course runner on {used.get('name')} ({used.get('source')}), "
        f"LATENT_DIM 20, {len(lec_rows)} epochs, whole lecture {lecture_s:.0f} s; the reference "
        f"(pytorch/examples, 784-400-20, Adam 1e-3, batch 128) trained {args.ref_epochs} epochs in the same "
        "benchmark run on the same split. Test loss: negative ELBO in nats per image (summed BCE + KL); "
        "times: training only, one thread each, in CPU seconds of the process (the target's measure) and "
        "on the wall clock; the reference trained before and after the lecture "
        f"({ref_before[-1]['cpu_s']:.1f} and {ref_after[-1]['cpu_s']:.1f} CPU-s, {ref_before[-1]['wall_s']:.1f} "
        f"and {ref_after[-1]['wall_s']:.1f} s wall for {args.ref_epochs} epochs), its row is the mean of the two.",
        "",
        table(["model"] + [f"epoch {i + 1}" for i in range(n)], [["reference"] + cells(ref_rows),
                                                                 ["lecture 05"] + cells(lec_rows)]),
        "",
        table(["model", "epochs to the target", "CPU s to the target", "wall s to the target"],
              [["reference", ref_hit["epoch"], f"{ref_hit['cpu_s']:.1f}", f"{ref_hit['wall_s']:.1f}"],
               ["lecture 05", "-" if lec_hit is None else lec_hit["epoch"],
                "-" if lec_hit is None else f"{lec_hit['cpu_s']:.1f}",
                "-" if lec_hit is None else f"{lec_hit['wall_s']:.1f}"]]),
    ])
    save("vae_speed" if args.profile == "cpu" else f"vae_speed_{args.profile}",
         f"VAE: lecture 05 against pytorch/examples ({name})", body, rec["command"],
         seeds=[args.seed], targets=targets)
    if targets.missed:
        print(f"the lecture's run is kept in {out}", file=sys.stderr)
    else:
        shutil.rmtree(out, ignore_errors=True)
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
