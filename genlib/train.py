"""Training-loop plumbing: minibatches, a guarded loop with a progress bar.

The lecture writes the model and the update; genlib runs the loop::

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(batch):
        (x,) = batch
        loss = ((model(x) - x) ** 2).mean()
        opt.zero_grad(); loss.backward(); opt.step()
        return {"loss": loss}

    hist = genlib.train.fit(step, genlib.train.batches(x_train, batch_size=128), epochs=20)
    hist.series("loss")

Every value a step returns is checked: NaN or inf raises :class:`Diverged`
(a ``FloatingPointError``) naming the quantity and the step, with a hint,
instead of letting a lecture plot garbage.

Progress: in a Jupyter kernel, one output line with a bar, updated in place through
a display id, so a frontend shows it move and a notebook saved by papermill or
nbconvert (where no frontend ever renders a widget) keeps its final state, never a
frozen "0/30". In a terminal, a tqdm bar on stderr. None at all when
``GENLIB_HEADLESS=1``, so executed notebooks reproduce.
"""
from __future__ import annotations

import html
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np

from .runtime import headless

DEFAULT_HINT = "the learning rate may be too high"


class Diverged(FloatingPointError):
    """Training produced NaN or inf."""


def guard(value, what: str = "loss", hint: str = DEFAULT_HINT, step: object = None) -> float:
    """Return ``float(value)``, or raise :class:`Diverged` if it is NaN or infinite.

    ``value`` may be a Python number or a 0-d tensor. ``step`` (optional) is
    named in the message.
    """
    if hasattr(value, "detach"):
        value = value.detach()
        if value.numel() != 1:
            raise ValueError(f"{what} must be a single number, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    v = float(value)
    if not math.isfinite(v):
        at = "" if step is None else f" at step {step}"
        raise Diverged(f"Training diverged: {what} became {v}{at}; {hint or DEFAULT_HINT}.")
    return v


def batches(*tensors, batch_size: int = 128, shuffle: bool = True, seed: int = 0,
            drop_last: bool = False) -> Callable[[int], Iterator[tuple]]:
    """In-memory minibatches: ``data = batches(x, y); for (xb, yb) in data(epoch): ...``.

    Every epoch visits each row once (the last batch is smaller unless
    ``drop_last``). With ``shuffle`` the order is a permutation drawn from
    ``(seed, epoch)``, so a run is reproducible and independent of the global
    random state. Tensors stay on their device.
    """
    if not tensors:
        raise ValueError("batches() needs at least one tensor")
    n = len(tensors[0])
    if any(len(t) != n for t in tensors):
        raise ValueError(f"all tensors must have the same length; got {[len(t) for t in tensors]}")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    batch_size = int(batch_size)

    def epoch_batches(epoch: int = 0) -> Iterator[tuple]:
        import torch

        if shuffle:
            perm = np.random.default_rng([int(seed), int(epoch)]).permutation(n)
            idx = torch.from_numpy(perm)
        else:
            idx = None
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            if idx is None:
                yield tuple(t[start:start + batch_size] for t in tensors)
            else:
                sel = idx[start:start + batch_size]
                yield tuple(t[sel.to(t.device)] if hasattr(t, "device") else t[perm[start:start + batch_size]]
                            for t in tensors)

    epoch_batches.n_rows = n
    epoch_batches.n_batches = (n // batch_size) if drop_last else -(-n // batch_size)
    return epoch_batches


@dataclass
class History:
    """What :func:`fit` saw: one dict of means per epoch."""

    epochs: list = field(default_factory=list)
    stopped_early: bool = False

    def series(self, key: str) -> list:
        """The per-epoch means of ``key``."""
        return [e[key] for e in self.epochs]

    @property
    def last(self) -> dict:
        return dict(self.epochs[-1]) if self.epochs else {}

    def __len__(self) -> int:
        return len(self.epochs)


class _NoBar:
    def update(self, n=1):
        pass

    def set_postfix(self, values, refresh=False):
        pass

    def close(self):
        pass


class _KernelBar(_NoBar):
    """Progress as one output (HTML ``<progress>`` and plain text), updated through its display id."""

    def __init__(self, total: int, desc: str):
        from IPython.display import display

        self.total, self.desc, self.n, self.post = total, desc, 0, ""
        self.t0 = self.shown = time.monotonic()
        self.handle = display(self._bundle(), raw=True, display_id=True)

    def _text(self) -> str:
        took = time.monotonic() - self.t0
        per = f", {took / self.n:.2g} s/epoch" if self.n else ""
        return f"{self.desc}: {self.n}/{self.total} epochs [{took:.1f} s{per}]" + (f" {self.post}" if self.post else "")

    def _bundle(self) -> dict:
        text = self._text()
        bar = f'<progress value="{self.n}" max="{max(self.total, 1)}" style="width:12em"></progress>'
        return {"text/plain": text, "text/html": f"{bar} <code>{html.escape(text)}</code>"}

    def update(self, n=1):
        self.n += n
        if time.monotonic() - self.shown > 0.25:
            self._show()

    def set_postfix(self, values, refresh=False):
        self.post = ", ".join(f"{k}={v}" for k, v in values.items())

    def _show(self):
        self.handle.update(self._bundle(), raw=True)
        self.shown = time.monotonic()

    def close(self):
        self._show()  # the final state is what a saved notebook keeps


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def _progress(epochs: int, desc: str):
    if headless():
        return _NoBar()
    if _in_kernel():
        return _KernelBar(epochs, desc)
    from tqdm import tqdm

    return tqdm(total=epochs, desc=desc, leave=True, file=sys.stderr)


def fit(step: Callable[[tuple], dict], data: Callable[[int], Iterable], epochs: int, *,
        callbacks: Iterable[Callable[[int, dict], object]] = (), desc: str = "training",
        hint: str | None = None) -> History:
    """Run ``epochs`` epochs of ``step`` over ``data(epoch)``; return the :class:`History`.

    ``step(batch)`` does the forward pass, backward pass and optimiser step and
    returns a dict of numbers (floats or 0-d tensors). Each value is guarded:
    NaN/inf raises :class:`Diverged` naming the key, the epoch and the step,
    with ``hint`` (default: the learning rate may be too high). After each epoch
    every callback is called as ``cb(epoch, logs)`` with the epoch's means;
    returning ``False`` stops training.
    """
    epochs = int(epochs)
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    hist = History()
    callbacks = list(callbacks)
    bar = _progress(epochs, desc)
    n_step = 0
    try:
        for epoch in range(epochs):
            sums: dict[str, float] = {}
            count = 0
            for batch in data(epoch):
                out = step(batch)
                n_step += 1
                for k, v in out.items():
                    sums[k] = sums.get(k, 0.0) + guard(v, what=k, hint=hint or DEFAULT_HINT,
                                                       step=f"{n_step} (epoch {epoch})")
                count += 1
            logs = {k: s / count for k, s in sums.items()} if count else {}
            hist.epochs.append(logs)
            bar.update(1)
            if logs:
                bar.set_postfix({k: f"{v:.4g}" for k, v in list(logs.items())[:4]}, refresh=False)
            stop = False
            for cb in callbacks:
                if cb(epoch, logs) is False:
                    stop = True
            if stop:
                hist.stopped_early = epoch < epochs - 1
                break
    finally:
        bar.close()
    return hist
