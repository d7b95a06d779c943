"""A small GAN on toy data; lecture 06's live trainer (in the spirit of GAN Lab) is
:func:`genlib.views.gan.trainer`.

``ToyGAN`` trains a generator and a discriminator (or critic) made of small
ReLU MLPs on the ring or the grid of Gaussians (or on any array of points) with
one of four losses:

* ``"minimax"``: D maximises ``E log D(x) + E log(1 - D(G(z)))``; G minimises
  ``E log(1 - D(G(z)))`` (the *saturating* loss of the original paper);
* ``"nonsaturating"``: same D; G minimises ``-E log D(G(z))``;
* ``"wgan"``: a critic f maximises ``E f(x) - E f(G(z))`` with its weights
  clipped to ``[-clip, clip]``; G minimises ``-E f(G(z))``;
* ``"wgan-gp"``: as ``"wgan"`` without clipping, plus the gradient penalty
  ``gp_lambda * E (|grad f(x_hat)| - 1)^2`` on random interpolates ``x_hat``.

The losses are the plumbing of the live widget and of lecture 07; lecture 06
writes ``V(D, G)`` and both generator losses out for the student.

Data is rescaled to about ``[-1, 1]`` for training (``scale``); ``sample`` and
``critic_on`` work in the data's own coordinates. Samples come from an
exponential moving average of the generator's weights (``ema``) unless
``ema=False`` is asked for. A loss that turns NaN or infinite raises
:class:`genlib.train.Diverged` naming the likely cause.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from . import metrics, toy
from .train import Diverged, guard
from .runtime import as_numpy, one_thread

LOSSES = ("minimax", "nonsaturating", "wgan", "wgan-gp")

__all__ = ["mlp", "Settings", "ToyGAN", "guard_loss", "LOSSES"]


def guard_loss(value, what="loss", hint="the learning rate may be too high", step=None, limit=1e4) -> float:
    """genlib.train.guard, and also stop when a GAN loss explodes past ``limit``.

    A discriminator whose logits reach thousands has left any sensible regime long
    before its loss turns NaN (a binary cross-entropy of 1e4 means a logit of 1e4),
    so a loss that large is reported as divergence too.
    """
    v = guard(value, what, hint, step=step)
    if abs(v) > limit:
        at = "" if step is None else f" at step {step}"
        raise Diverged(f"Training diverged: {what} exploded to {v:.3g}{at}; {hint}.")
    return v


def mlp(d_in: int, d_out: int, width: int = 128, depth: int = 3) -> nn.Sequential:
    """A ReLU MLP with ``depth`` hidden layers of ``width`` units."""
    for name, v, lo in (("d_in", d_in, 1), ("d_out", d_out, 1), ("width", width, 1), ("depth", depth, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}; got {v!r}")
    layers: list[nn.Module] = [nn.Linear(d_in, width), nn.ReLU()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), nn.ReLU()]
    layers.append(nn.Linear(width, d_out))
    return nn.Sequential(*layers)


def _adam(params):
    """Adam(0.5, 0.9); the fused kernel where torch has it (a third faster for networks this small)."""
    params = list(params)
    try:
        return torch.optim.Adam(params, lr=1.0, betas=(0.5, 0.9), fused=True)
    except (RuntimeError, TypeError, ValueError):  # pragma: no cover - older torch or an unsupported device
        return torch.optim.Adam(params, lr=1.0, betas=(0.5, 0.9))


def _integer(name: str, v, least: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < least:
        raise ValueError(f"{name} must be an integer, at least {least}; got {v!r}")
    return int(v)


def _rate(name: str, v) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v) or not v > 0:
        raise ValueError(f"{name} must be a number above 0; got {v!r}")
    return float(v)


@dataclass(frozen=True)
class Settings:
    """What a :class:`ToyGAN` trains with: the loss, the networks, the optimisers, the batch.

    ``loss``, ``lr_g``, ``lr_d`` and ``n_critic`` may change between steps (:meth:`ToyGAN.set`);
    the others are fixed when the networks are built. Every value is checked here.
    """

    loss: str = "nonsaturating"
    z_dim: int = 2            # dimension of the generator's input z
    width: int = 64           # units per hidden layer, both networks
    depth: int = 3            # hidden layers, both networks
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    n_critic: int = 1         # discriminator/critic updates per generator update
    batch: int = 256
    clip: float = 0.01        # the "wgan" critic's weight clipping
    gp_lambda: float = 1.0    # the "wgan-gp" penalty's weight
    ema: float = 0.99         # decay of the generator's moving average (0: none)
    seed: int = 0

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}; got {self.loss!r}")
        for name, least in (("z_dim", 1), ("width", 1), ("depth", 1), ("n_critic", 1), ("batch", 1), ("seed", 0)):
            object.__setattr__(self, name, _integer(name, getattr(self, name), least))
        for name in ("lr_g", "lr_d", "clip"):
            object.__setattr__(self, name, _rate(name, getattr(self, name)))
        if isinstance(self.gp_lambda, bool) or not isinstance(self.gp_lambda, (int, float)) or not self.gp_lambda >= 0:
            raise ValueError(f"gp_lambda must be a number, at least 0; got {self.gp_lambda!r}")
        if not (0 <= self.ema < 1):
            raise ValueError(f"ema must be in [0, 1) (0 switches the average off); got {self.ema!r}")


class ToyGAN:
    """A GAN on 2-D toy data, stepped from code or from the live trainer.

    ``data``: ``"ring"``, ``"grid"`` or an ``(n, d)`` array of real points (sampled
    with replacement). ``modes`` and ``std`` give the mixture behind an array
    for :meth:`coverage`. ``device=None`` uses the CPU: networks this small run
    faster there than on a GPU. The settings are a :class:`Settings` (``settings=``), with
    any of its fields given by name: ``ToyGAN("grid", loss="wgan-gp", lr_g=2e-4, seed=1)``.
    """

    def __init__(self, data="ring", settings: Settings | None = None, *, device=None, modes=None, std=None,
                 **changes):
        self.settings = replace(settings or Settings(), **changes)
        self.device = torch.device("cpu") if device is None else torch.device(device)
        if isinstance(data, str):
            if data not in toy.TOYS:
                raise ValueError(f"data must be one of {', '.join(map(repr, toy.TOYS))} or an (n, d) array; "
                                 f"got {data!r}")
            _, modes_fn, std0 = toy.TOYS[data]
            self.name = data
            self.modes = modes_fn()
            self.std = std0
            self._points = None
        else:
            arr = np.asarray(data, dtype=np.float32)
            if arr.ndim != 2 or arr.shape[0] < 2 or not np.all(np.isfinite(arr)):
                raise ValueError("data must be 'ring', 'grid' or a finite (n, d) array with n >= 2")
            self.name = "array"
            self.modes = None if modes is None else np.asarray(modes, dtype=float)
            self.std = std
            self._points = torch.as_tensor(arr, device=self.device)
        self.dim = 2 if self._points is None else int(self._points.shape[1])
        extent = np.abs(self.modes).max() if self.modes is not None else float(np.abs(np.asarray(data)).max())
        self.scale = float(extent) if extent > 0 else 1.0
        if self._points is None:
            self._modes_t = torch.as_tensor(self.modes / self.scale, dtype=torch.float32, device=self.device)
        self.reset()

    # the settings a widget shows and changes
    loss = property(lambda self: self.settings.loss)
    lr_g = property(lambda self: self.settings.lr_g)
    lr_d = property(lambda self: self.settings.lr_d)
    n_critic = property(lambda self: self.settings.n_critic)

    def reset(self) -> "ToyGAN":
        """Fresh networks (from ``seed``), optimisers and history; the settings stay as they are."""
        s = self.settings
        self.gen = torch.Generator(device=self.device).manual_seed(s.seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(s.seed)
            self.G = mlp(s.z_dim, self.dim, s.width, s.depth).to(self.device)
            self.D = mlp(self.dim, 1, s.width, s.depth).to(self.device)
        self.G_ema = copy.deepcopy(self.G).requires_grad_(False)
        self.opt_g = _adam(self.G.parameters())
        self.opt_d = _adam(self.D.parameters())
        self.steps = 0
        self.diverged: str | None = None  # why training stopped, once a loss turned NaN or exploded
        self.history = {"step": [], "loss_d": [], "loss_g": [], "eval_step": [], "modes": [], "hq": []}
        self._apply_rates()
        return self

    # -- settings ---------------------------------------------------------------------------
    def set(self, loss=None, lr_g=None, lr_d=None, n_critic=None) -> "ToyGAN":
        """Change the loss, the learning rates or the number of critic steps (between steps)."""
        changes = {k: v for k, v in (("loss", loss), ("lr_g", lr_g), ("lr_d", lr_d), ("n_critic", n_critic))
                   if v is not None}
        new = replace(self.settings, **changes)   # checked there
        if new.loss.startswith("wgan") != self.loss.startswith("wgan"):
            # a discriminator's and a critic's outputs mean different things: restart Adam's moments
            self.opt_d.state.clear()
        self.settings = new
        self._apply_rates()
        return self

    def _apply_rates(self) -> None:
        for group in self.opt_g.param_groups:
            group["lr"] = self.settings.lr_g
        for group in self.opt_d.param_groups:
            group["lr"] = self.settings.lr_d

    # -- sampling -----------------------------------------------------------------------------
    def _real(self, n):
        if self._points is None:
            idx = torch.randint(0, len(self._modes_t), (n,), generator=self.gen, device=self.device)
            noise = torch.randn(n, 2, generator=self.gen, device=self.device)
            return self._modes_t[idx] + (self.std / self.scale) * noise
        idx = torch.randint(0, len(self._points), (n,), generator=self.gen, device=self.device)
        return self._points[idx] / self.scale

    def _z(self, n):
        return torch.randn(n, self.settings.z_dim, generator=self.gen, device=self.device)

    def real(self, n: int) -> np.ndarray:
        """n real points (data coordinates)."""
        with torch.no_grad():
            return as_numpy(self._real(n) * self.scale)

    def sample(self, n: int, ema: bool = True) -> np.ndarray:
        """n generated points (data coordinates), from the averaged generator by default."""
        net = self.G_ema if (ema and self.settings.ema > 0) else self.G
        with torch.no_grad():
            return as_numpy(net(self._z(n)) * self.scale)

    def critic_on(self, points) -> np.ndarray:
        """D(x) in (0, 1) for the minimax losses, the critic's value f(x) for the WGAN losses."""
        x = torch.as_tensor(np.asarray(points, dtype=np.float32), device=self.device) / self.scale
        with torch.no_grad():
            out = self.D(x).squeeze(-1)
            if not self.loss.startswith("wgan"):
                out = torch.sigmoid(out)
        return as_numpy(out)

    def gradient_on(self, points) -> np.ndarray:
        """The direction the generator pushes a generated point at ``points``: -d(loss_G)/dx (data units)."""
        x = (torch.as_tensor(np.asarray(points, dtype=np.float32), device=self.device) / self.scale).requires_grad_(True)
        loss = self._g_loss(self.D(x)) * len(x)
        (g,) = torch.autograd.grad(loss, x)
        return as_numpy(-g / self.scale)

    # -- losses -------------------------------------------------------------------------------
    def _g_loss(self, out_fake):
        if self.loss == "minimax":        # minimise E log(1 - D(G(z))) = -E softplus(logit)
            return -F.softplus(out_fake).mean()
        if self.loss == "nonsaturating":  # minimise -E log D(G(z)) = E softplus(-logit)
            return F.softplus(-out_fake).mean()
        return -out_fake.mean()           # WGAN: minimise -E f(G(z))

    def _d_loss(self, real, fake):
        out_real, out_fake = self.D(real), self.D(fake)
        if not self.loss.startswith("wgan"):  # -[E log D(x) + E log(1 - D(G(z)))]
            return F.softplus(-out_real).mean() + F.softplus(out_fake).mean()
        loss = out_fake.mean() - out_real.mean()
        if self.loss == "wgan-gp":
            t = torch.rand(len(real), 1, generator=self.gen, device=self.device)
            x_hat = (t * real + (1 - t) * fake).requires_grad_(True)
            (g,) = torch.autograd.grad(self.D(x_hat).sum(), x_hat, create_graph=True)
            loss = loss + self.settings.gp_lambda * ((g.norm(dim=1) - 1) ** 2).mean()
        return loss

    def hint(self) -> str:
        """What to try when training diverges: the rates and loss in use, and to lower the rates."""
        return (f"the learning rate may be too high (lr_g = {self.lr_g:g}, lr_d = {self.lr_d:g}, "
                f"loss {self.loss!r}); lower it and start again")

    def diverge(self, why: str) -> Diverged:
        """Stop this GAN: ``diverged`` says ``why`` and the :meth:`hint`; returns the error to raise."""
        self.diverged = f"{why}; {self.hint()}"
        return Diverged(self.diverged)

    def step(self, n: int = 1) -> "ToyGAN":
        """Run n generator updates, each after ``n_critic`` discriminator/critic updates."""
        with one_thread(self.device):
            try:
                return self._step(int(n))
            except Diverged as exc:
                self.diverged = str(exc)
                raise

    def _step(self, n):
        hint, s = self.hint(), self.settings
        for _ in range(n):
            for _ in range(s.n_critic):
                real = self._real(s.batch)
                with torch.no_grad():
                    fake = self.G(self._z(s.batch))
                loss_d = self._d_loss(real, fake)
                self.opt_d.zero_grad(set_to_none=True)
                loss_d.backward()
                self.opt_d.step()
                if self.loss == "wgan":
                    with torch.no_grad():
                        for p in self.D.parameters():
                            p.clamp_(-s.clip, s.clip)
            ld = guard_loss(loss_d.item(), "the discriminator/critic loss", hint, step=self.steps + 1)
            self.D.requires_grad_(False)
            loss_g = self._g_loss(self.D(self.G(self._z(s.batch))))
            self.opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            self.opt_g.step()
            self.D.requires_grad_(True)
            lg = guard_loss(loss_g.item(), "the generator loss", hint, step=self.steps + 1)
            if s.ema > 0:
                with torch.no_grad():
                    for pe, p in zip(self.G_ema.parameters(), self.G.parameters()):
                        pe.lerp_(p, 1 - s.ema)
            self.steps += 1
            h = self.history
            h["step"].append(self.steps)
            h["loss_d"].append(ld)
            h["loss_g"].append(lg)
        return self

    def coverage(self, n: int = 2500, ema: bool = True) -> dict:
        """Modes captured and high-quality share of n samples (genlib.metrics); kept in ``history``."""
        if self.modes is None or self.std is None:
            raise ValueError("coverage needs the mixture's modes and std: use data='ring' or 'grid', "
                             "or pass modes= and std= with an array")
        x = self.sample(n, ema=ema)
        if not np.all(np.isfinite(x)):
            raise self.diverge("the generator's samples are NaN or infinite")
        r = metrics.mode_coverage(x, self.modes, self.std)
        self.history["eval_step"].append(self.steps)
        self.history["modes"].append(r["modes"])
        self.history["hq"].append(r["hq"])
        return r
