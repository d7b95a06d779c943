"""How fast does the lecture's VAE reach the reference VAE's test loss?

    .venv/bin/python benchmarks/vae_speed.py [--dataset mnist5k|mnist|digits] [--seed 0]

Reference: the MLP VAE of pytorch/examples (784-400-20-400-784, ReLU, sigmoid output,
Adam 1e-3, batch 128, binary cross-entropy summed over pixels + KL). It trains
``--ref-epochs`` (10) epochs; its test loss after the last one is the target.
The lecture's VAE (lectures/src/05_vae.py: one hidden ReLU layer each way, logits +
BCE-with-logits, same loss) is trained with its own settings (narrower, larger
learning rate, smaller batches) until its test loss reaches that target.

Both run in this one process on the same split, with torch at --threads threads (1 by default), and the
clock counts training only (the test loss after each epoch is evaluated off the
clock, with the same fixed noise for both). Prints a table: wall and CPU time to
reach the target, epochs, and the ratio. The machine may be shared: the table says
the load average at the start and the end, and CPU time (process_time) is less
sensitive to other processes than wall time.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from genlib import data  # noqa: E402
from genlib.runtime import seed_everything  # noqa: E402


class ReferenceVAE(nn.Module):
    """pytorch/examples vae/main.py."""

    def __init__(self, d=784, h=400, latent=20):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(d, h), nn.Linear(h, latent), nn.Linear(h, latent)
        self.fc3, self.fc4 = nn.Linear(latent, h), nn.Linear(h, d)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc21(h), self.fc22(h)

    def decode_probs(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def loss(self, x, eps):
        mu, logvar = self.encode(x)
        recon = self.decode_probs(mu + torch.exp(0.5 * logvar) * eps)
        bce = F.binary_cross_entropy(recon, x, reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return bce + kld


class LectureVAE(nn.Module):
    """The lecture's architecture: one hidden layer each way, decoder outputs logits."""

    def __init__(self, d=784, h=256, latent=20):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, h), nn.ReLU())
        self.enc_mu, self.enc_logvar = nn.Linear(h, latent), nn.Linear(h, latent)
        self.dec = nn.Sequential(nn.Linear(latent, h), nn.ReLU(), nn.Linear(h, d))

    def encode(self, x):
        h = self.enc(x)
        return self.enc_mu(h), self.enc_logvar(h)

    def loss(self, x, eps):
        mu, logvar = self.encode(x)
        logits = self.dec(mu + torch.exp(0.5 * logvar) * eps)
        bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kld = 0.5 * (logvar.exp() + mu**2 - 1 - logvar).sum()
        return bce + kld


def test_loss(model, x, eps):
    with torch.no_grad():
        return sum(model.loss(x[i:i + 1000], eps[i:i + 1000]).item() for i in range(0, len(x), 1000)) / len(x)


def train(model, ds, lr, batch_size, max_epochs, target=None, seed=0, latent=20):
    """Train; after each epoch evaluate off the clock. Returns per-epoch (wall, cpu, test loss)."""
    seed_everything(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x = ds.x_train
    g = torch.Generator().manual_seed(1234)
    eps_test = torch.randn(len(ds.x_test), latent, generator=g)
    wall = cpu = 0.0
    rows = []
    for epoch in range(max_epochs):
        t0, c0 = time.perf_counter(), time.process_time()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), batch_size):
            xb = x[perm[i:i + batch_size]]
            loss = model.loss(xb, torch.randn(len(xb), latent)) / len(xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        tl = test_loss(model, ds.x_test, eps_test)
        rows.append((epoch + 1, wall, cpu, tl))
        if target is not None and tl <= target:
            break
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", default="mnist5k", choices=["mnist5k", "mnist", "digits"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ref-epochs", type=int, default=10)
    ap.add_argument("--hidden", type=int, default=200, help="width of the lecture's VAE")
    ap.add_argument("--lr", type=float, default=3e-3, help="learning rate of the lecture's VAE")
    ap.add_argument("--batch-size", type=int, default=32, help="batch size of the lecture's VAE")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch CPU threads (1: these MLPs gain little from 2, and on a busy machine "
                         "threads waiting for each other cost far more)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    ds = data.load(args.dataset, seed=0)
    d = ds.dim
    load0 = os.getloadavg()[0]
    print(f"data: {ds}")

    ref_rows = train(ReferenceVAE(d), ds, 1e-3, 128, args.ref_epochs, seed=args.seed)
    target = ref_rows[-1][3]
    lec_rows = train(LectureVAE(d, args.hidden), ds, args.lr, args.batch_size, 10 * args.ref_epochs,
                     target=target, seed=args.seed)
    load1 = os.getloadavg()[0]

    def at_target(rows):
        for ep, w, c, tl in rows:
            if tl <= target:
                return ep, w, c, tl
        return None

    ref, lec = at_target(ref_rows), at_target(lec_rows)
    print(f"target: the reference's test loss after {args.ref_epochs} epochs = {target:.2f} nats per image "
          f"(summed BCE + KL, {len(ds.x_test)} test images)")
    print(f"load average (1 min): {load0:.1f} at the start, {load1:.1f} at the end, on {os.cpu_count()} cores; "
          f"torch threads: {args.threads}")
    print()
    print(f"| {'model':<44} | epochs | wall s | CPU s | test loss |")
    print(f"|{'-' * 46}|--------|--------|-------|-----------|")
    print(f"| {'reference 784-400-20, Adam 1e-3, batch 128':<44} | {ref[0]:6d} | {ref[1]:6.2f} | {ref[2]:5.2f} | {ref[3]:9.2f} |")
    name = f"lecture {d}-{args.hidden}-20, Adam {args.lr:g}, batch {args.batch_size}"
    if lec is None:
        print(f"| {name:<44} | did not reach the target in {len(lec_rows)} epochs (last {lec_rows[-1][3]:.2f}) |")
        return 1
    print(f"| {name:<44} | {lec[0]:6d} | {lec[1]:6.2f} | {lec[2]:5.2f} | {lec[3]:9.2f} |")
    print()
    print(f"lecture / reference time to the target: wall {lec[1] / ref[1]:.2f}, CPU {lec[2] / ref[2]:.2f} "
          f"(goal: at most 0.5)")
    return 0 if lec[1] <= 0.5 * ref[1] else 2


if __name__ == "__main__":
    sys.exit(main())
