"""Lecture 06's answer key, part 2: the exercise that writes the two training steps and trains a GAN on the ring."""
from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F
from scipy import optimize

from .. import gan, metrics, toy
from ..check import measured
from ..exercises import Wrong, exercise
from ..runtime import as_numpy, one_thread


# --------------------------------------------------------------------------- the two training steps

def d_step(D, G, opt_d, real, z):
    """One update of D on a batch of real points and noise; returns its loss (a float)."""
    with torch.no_grad():
        fake = G(z)
    loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()


def g_step(D, G, opt_g, z):
    """One update of G with the non-saturating loss, leaving D untouched; returns its loss."""
    D.requires_grad_(False)
    loss = F.softplus(-D(G(z))).mean()
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    D.requires_grad_(True)
    return loss.item()


# The candidate losses the probe tells apart, as functions of D's logits.
D_LOSSES = {
    "right": lambda lr, lf: F.softplus(-lr).mean() + F.softplus(lf).mean(),
    "sign": lambda lr, lf: -(F.softplus(-lr).mean() + F.softplus(lf).mean()),
    "swapped": lambda lr, lf: F.softplus(lr).mean() + F.softplus(-lf).mean(),
    "trick": lambda lr, lf: F.softplus(-lr).mean() + F.softplus(-lf).mean(),
    "sigmoid twice": lambda lr, lf: F.softplus(-torch.sigmoid(lr)).mean() + F.softplus(torch.sigmoid(lf)).mean(),
}
G_LOSSES = {
    "right": lambda l: F.softplus(-l).mean(),
    "saturating": lambda l: -F.softplus(l).mean(),
    "sign": lambda l: -F.softplus(-l).mean(),
    "swapped": lambda l: F.softplus(l).mean(),
    "sigmoid twice": lambda l: F.softplus(-torch.sigmoid(l)).mean(),
}
HINTS = {
    "d nan": "D's outputs are logits (any real number), not probabilities (taken as probabilities they give NaN or an error); "
             "write -log D(x) as softplus(-logit) and -log(1 - D) as softplus(logit).",
    "g nan": "D's outputs are logits (any real number), not probabilities (taken as probabilities they give NaN or an error); "
             "write -log D(G(z)) as softplus(-logit).",
    "d returns": "d_step must return its loss as a number (loss.item()).",
    "g returns": "g_step must return its loss as a number (loss.item()).",
    "d moved G": "d_step changed G's weights: the discriminator's update changes D only (opt_d.step()).",
    "d detach": "the discriminator's update sent gradients into G: detach the fake samples "
                "(G(z).detach(), or make them under torch.no_grad()), so D's loss does not reach G's weights.",
    "d still": "d_step left D's weights as they were: call loss.backward() and then opt_d.step().",
    "d zero": "call opt_d.zero_grad() before loss.backward(): otherwise gradients add up from step to step.",
    "d sign": "the sign: D maximises V, so it minimises -V = softplus(-logit(x)) + softplus(logit(G(z))).",
    "d swapped": "real and fake are swapped: real samples get label 1 (-log D(x) = softplus(-logit)), "
                 "fakes label 0 (-log(1 - D) = softplus(logit)).",
    "d trick": "the fake term of D's loss is -log(1 - D(G(z))) = softplus(logit); -log D(G(z)) is the "
               "generator's loss, not the discriminator's.",
    "d sigmoid twice": "the sigmoid is applied twice in D's loss: D returns logits, and softplus (or "
                       "binary_cross_entropy_with_logits) already applies the sigmoid.",
    "g moved D": "g_step changed D's weights: the generator's update changes G only (opt_g.step()).",
    "g into D": "G's loss left gradients in D's weights: freeze D while G's loss backpropagates "
                "(D.requires_grad_(False), then True again), or they add into D's next update.",
    "g still": "g_step left G's weights as they were: the loss must reach G (no detach, no torch.no_grad()), "
               "then loss.backward() and opt_g.step().",
    "g zero": "call opt_g.zero_grad() before loss.backward(): otherwise gradients add up from step to step.",
    "g saturating": "that is the saturating loss log(1 - D(G(z))); the exercise asks for the non-saturating "
                    "-log D(G(z)) = softplus(-logit), which keeps its gradient when D rejects the fakes.",
    "g sign": "the sign: the generator wants D(G(z)) close to 1, so it minimises -log D(G(z)) = softplus(-logit).",
    "g swapped": "the generator's target is 'real' (label 1): minimising -log(1 - D(G(z))) helps D catch it.",
    "g sigmoid twice": "the sigmoid is applied twice in G's loss: D returns logits, and softplus (or "
                       "binary_cross_entropy_with_logits) already applies the sigmoid.",
}
PROBE_LR = 0.01
TRAIN = dict(steps=1200, batch=256, lr=2e-3, width=64, depth=3, ema=0.99, samples=2500, need=6)


def _flat(params):
    return torch.cat([p.detach().reshape(-1) for p in params])


def _grads(net):
    return [None if p.grad is None else p.grad.detach().clone() for p in net.parameters()]


def _grads_changed(net, before):
    """True when a gradient in net differs from ``before`` and is not simply cleared."""
    for p, g0 in zip(net.parameters(), before):
        g = p.grad
        if g is None or not bool(g.abs().sum() > 0):
            continue
        if g0 is None or not torch.allclose(g, g0, rtol=1e-5, atol=1e-7):
            return True
    return False


def _cos(a, b):
    return float((a @ b) / (a.norm() * b.norm() + 1e-30))


def _probe_nets():
    """Small D and G whose logits spread from about -7 to 5, so that the losses tell apart."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1234)
        D, G = gan.mlp(2, 1, width=16, depth=2), gan.mlp(2, 2, width=16, depth=2)
        real = torch.as_tensor(toy.ring(64, seed=5))
        z = torch.randn(64, 2)
        with torch.no_grad():
            G[-1].weight *= 1.0 / G(z).std(0).mean()   # fakes spread about as wide as the ring
            out = torch.cat([D(real), D(G(z))])
            D[-1].weight *= 3.0 / out.std()
            D[-1].bias += -1.0 - torch.cat([D(real), D(G(z))]).mean()
        junk_d = [torch.randn_like(p) * 0.05 for p in D.parameters()]
        junk_g = [torch.randn_like(p) * 0.05 for p in G.parameters()]
    return D, G, real, z, junk_d, junk_g


def _scaled(junk, direction):
    """Stale gradients as large as the update's own, so that a missing zero_grad shows."""
    k = float(direction.norm() / _flat(junk).norm())
    return [j * k for j in junk]


def _direction(net, loss_fn):
    net.zero_grad(set_to_none=True)
    loss_fn().backward()
    g = _flat(p.grad for p in net.parameters())
    net.zero_grad(set_to_none=True)
    return -g


def _as_loss(value, key):
    try:
        v = float(value)
    except (TypeError, ValueError, RuntimeError):
        raise Wrong(HINTS[key]) from None
    return v


def _classify(delta, candidates, junk_dir, prefix):
    """Name the loss behind an SGD update ``delta`` (up to a positive scale) among ``candidates``."""
    tol = 0.999
    if _cos(delta, candidates["right"]) > tol:
        return
    for key, direction in candidates.items():
        if key != "right" and _cos(delta, direction) > tol:
            raise Wrong(HINTS[f"{prefix} {key}"])
    if _cos(delta, candidates["right"] + junk_dir) > tol:
        raise Wrong(HINTS[f"{prefix} zero"])
    raise Wrong(f"the {'discriminator' if prefix == 'd' else 'generator'}'s update is none of the classic "
                f"mistakes this check knows, but it does not follow the gradient of the loss asked for "
                f"(cosine with the expected update {_cos(delta, candidates['right']):.3f}, 1 when right).")


def _run_guarded(fn, key, *args):
    try:
        return fn(*args)
    except RuntimeError as exc:
        if "between 0 and 1" in str(exc):   # binary_cross_entropy on logits
            raise Wrong(HINTS[key]) from None
        raise


def _step_and_judge(step, who, D, G, args, cands, junk_dir, junk_d, junk_g, moved_other, leaked):
    """Take the student's step for ``who`` ("d" or "g") from planted gradients ``junk_d``/``junk_g``
    (a step that forgets ``zero_grad`` follows them) and name what went wrong: a NaN, the other
    network moved or given gradients, no step at all, or a step in another loss's direction."""
    mine, other = (D, G) if who == "d" else (G, D)
    for p, g in [*zip(D.parameters(), junk_d), *zip(G.parameters(), junk_g)]:
        p.grad = g.clone()
    m0, o0, og0 = _flat(mine.parameters()), _flat(other.parameters()), _grads(other)
    opt = torch.optim.SGD(mine.parameters(), lr=PROBE_LR)
    loss = _as_loss(_run_guarded(step, f"{who} nan", D, G, opt, *args), f"{who} returns")
    delta = (_flat(mine.parameters()) - m0) / PROBE_LR
    if not np.isfinite(loss) or not torch.isfinite(delta).all():
        raise Wrong(HINTS[f"{who} nan"])
    if not torch.equal(_flat(other.parameters()), o0):
        raise Wrong(HINTS[moved_other])
    if _grads_changed(other, og0):
        raise Wrong(HINTS[leaked])
    if not bool(delta.abs().sum() > 0):
        raise Wrong(HINTS[f"{who} still"])
    _classify(delta, cands, junk_dir, who)


def _probe_d(step):
    D, G, real, z, junk_d, junk_g = _probe_nets()
    with torch.no_grad():
        fake = G(z)
    cands = {k: _direction(D, lambda f=f: f(D(real), D(fake))) for k, f in D_LOSSES.items()}
    junk_d = _scaled(junk_d, cands["right"])
    _step_and_judge(step, "d", D, G, (real.clone(), z.clone()), cands, -_flat(junk_d), junk_d, junk_g,
                    "d moved G", "d detach")


def _probe_g(step):
    D, G, real, z, junk_d, junk_g = _probe_nets()
    D.requires_grad_(False)
    cands = {k: _direction(G, lambda f=f: f(D(G(z)))) for k, f in G_LOSSES.items()}
    D.requires_grad_(True)
    junk_g = _scaled(junk_g, cands["right"])
    _step_and_judge(step, "g", D, G, (z.clone(),), cands, -_flat(junk_g), junk_d, junk_g,
                    "g moved D", "g into D")


def _train_ring(d_step_fn, g_step_fn, seed: int, steps: int = TRAIN["steps"]) -> dict:
    """Train a GAN on the ring of 8 Gaussians with the given step functions; mode coverage of its
    averaged generator (2,500 samples, the protocol of genlib.metrics)."""
    modes, std = toy.ring_modes(), 0.01
    with one_thread(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G = gan.mlp(2, 2, width=TRAIN["width"], depth=TRAIN["depth"])
        D = gan.mlp(2, 1, width=TRAIN["width"], depth=TRAIN["depth"])
        G_avg = copy.deepcopy(G).requires_grad_(False)
        opt_g = torch.optim.Adam(G.parameters(), lr=TRAIN["lr"], betas=(0.5, 0.9))
        opt_d = torch.optim.Adam(D.parameters(), lr=TRAIN["lr"], betas=(0.5, 0.9))
        centres = torch.as_tensor(modes, dtype=torch.float32)
        n = TRAIN["batch"]
        for step in range(steps):
            real = centres[torch.randint(0, len(centres), (n,))] + std * torch.randn(n, 2)
            ld = d_step_fn(D, G, opt_d, real, torch.randn(n, 2))
            lg = g_step_fn(D, G, opt_g, torch.randn(n, 2))
            gan.guard_loss(float(ld), "the discriminator loss", "check d_step", step=step + 1)
            gan.guard_loss(float(lg), "the generator loss", "check g_step", step=step + 1)
            with torch.no_grad():
                for pa, p in zip(G_avg.parameters(), G.parameters()):
                    pa.lerp_(p, 1 - TRAIN["ema"])
        with torch.no_grad():
            x = as_numpy(G_avg(torch.randn(TRAIN["samples"], 2)))
    return metrics.mode_coverage(x, modes, std)


def judge_seed() -> int:
    """The seed the judge trains from: torch's, as genlib.setup(PROFILE, SEED) set it; 0 where none was set."""
    s = torch.initial_seed()
    return int(s) if s < 2 ** 32 else 0


def _judge(answer):
    try:
        d_fn, g_fn = answer
    except (TypeError, ValueError):
        raise Wrong("give the two functions as a pair: check(name, (d_step, g_step)).") from None
    _probe_d(d_fn)
    _probe_g(g_fn)
    seed = judge_seed()
    r = _train_ring(d_fn, g_fn, seed)
    got = f"{measured(r['modes'], 'd')} of 8 modes, {measured(100 * r['hq'], '.0f')} % high-quality samples"
    if r["modes"] < TRAIN["need"]:
        raise Wrong(f"both updates pass the one-step tests, yet the GAN trained from seed {seed} captured {got} "
                    f"after {TRAIN['steps']} steps (at least {TRAIN['need']} needed); "
                    f"does either function do more than one update?")
    # the numbers go on a line of their own: the verdict line (with its check mark) stays exact
    return f"Trained with your two updates for {TRAIN['steps']} steps from seed {seed}:\n  the GAN captured {got}."


def _mistake(d=None, g=None):
    return (d or d_step, g or g_step)


def _d_no_detach(D, G, opt_d, real, z):
    loss = F.softplus(-D(real)).mean() + F.softplus(D(G(z))).mean()
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()


def _d_swapped(D, G, opt_d, real, z):
    loss = F.softplus(D(real)).mean() + F.softplus(-D(G(z).detach())).mean()
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()


def _d_sigmoid_twice(D, G, opt_d, real, z):
    ones, zeros = torch.ones(len(real), 1), torch.zeros(len(z), 1)
    loss = (F.binary_cross_entropy_with_logits(torch.sigmoid(D(real)), ones)
            + F.binary_cross_entropy_with_logits(torch.sigmoid(D(G(z).detach())), zeros))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()


def _d_probabilities(D, G, opt_d, real, z):
    ones, zeros = torch.ones(len(real), 1), torch.zeros(len(z), 1)
    loss = F.binary_cross_entropy(D(real), ones) + F.binary_cross_entropy(D(G(z).detach()), zeros)
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()


def _d_no_zero_grad(D, G, opt_d, real, z):
    loss = F.softplus(-D(real)).mean() + F.softplus(D(G(z).detach())).mean()
    loss.backward()
    opt_d.step()
    return loss.item()


def _g_with(loss_fn, freeze=True):
    def step(D, G, opt_g, z):
        if freeze:
            D.requires_grad_(False)
        loss = loss_fn(D(G(z)))
        opt_g.zero_grad()
        loss.backward()
        opt_g.step()
        D.requires_grad_(True)
        return loss.item()
    return step


def _g_saturating_probabilities(D, G, opt_g, z):
    D.requires_grad_(False)
    loss = torch.log(1 - torch.sigmoid(D(G(z)))).mean()
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    D.requires_grad_(True)
    return loss.item()


exercise("GAN training steps", judge=_judge, mistakes={
    HINTS["g saturating"]: _mistake(g=_g_saturating_probabilities),
    HINTS["g sign"]: _mistake(g=_g_with(lambda l: -F.softplus(-l).mean())),
    HINTS["g sigmoid twice"]: _mistake(g=_g_with(lambda l: F.softplus(-torch.sigmoid(l)).mean())),
    HINTS["g into D"]: _mistake(g=_g_with(lambda l: F.softplus(-l).mean(), freeze=False)),
    HINTS["d detach"]: _mistake(d=_d_no_detach),
    HINTS["d swapped"]: _mistake(d=_d_swapped),
    HINTS["d sigmoid twice"]: _mistake(d=_d_sigmoid_twice),
    HINTS["d nan"]: _mistake(d=_d_probabilities),
    HINTS["d zero"]: _mistake(d=_d_no_zero_grad),
})((d_step, g_step))
