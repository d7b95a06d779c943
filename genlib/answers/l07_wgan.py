"""Answer keys of lecture 07 (Wasserstein GAN): W1 on a line, W1 between samples, the gradient penalty."""
from __future__ import annotations

import copy

import numpy as np
from scipy import stats

from ..check import measured
from ..exercises import Wrong, exercise
from ..runtime import as_numpy


# --- W1 on a line as the area between the two CDFs (a derivation, entered as code) --------------

def _cdfs(x, y):
    """The pooled sorted points and both empirical CDFs on each gap between them."""
    x, y = np.sort(np.asarray(x, float)), np.sort(np.asarray(y, float))
    pts = np.sort(np.concatenate([x, y]))
    fx = np.searchsorted(x, pts[:-1], side="right") / len(x)
    fy = np.searchsorted(y, pts[:-1], side="right") / len(y)
    return pts, fx, fy


def _w1_pdf(x, y):  # the point masses (the PDF's increments) in place of the CDFs
    pts, fx, fy = _cdfs(x, y)
    px, py = np.diff(np.concatenate([[0.0], fx])), np.diff(np.concatenate([[0.0], fy]))
    return float(np.sum(np.abs(px - py) * np.diff(pts)))


def _w1_no_abs(x, y):
    pts, fx, fy = _cdfs(x, y)
    return float(np.sum((fx - fy) * np.diff(pts)))


def _w1_no_dx(x, y):
    pts, fx, fy = _cdfs(x, y)
    return float(np.sum(np.abs(fx - fy)))


def _w1_cdf_cases():
    rng = np.random.default_rng(11)
    return [(rng.normal(0, 1, 5), rng.normal(1.5, 0.5, 8)),  # different sizes, unequal gaps
            (rng.uniform(0, 2, 20), rng.exponential(1, 13)),  # crossing CDFs: the sign of F_p - F_q changes
            (np.array([0.0, 1.0, 4.0]), np.array([2.0, 2.5]))]


@exercise("W1 as the area between the CDFs", cases=_w1_cdf_cases, what="samples of different sizes, against scipy.stats.wasserstein_distance",
          mistakes={
              "integrate the difference of the CDFs F (the share of points <= t), not of the densities (the point masses)": _w1_pdf,
              "take the absolute value |F_p - F_q| before integrating: where the CDFs cross, the signed areas cancel": _w1_no_abs,
              "multiply each |F_p - F_q| by the width of its gap (dx = the spacing of the pooled sorted points)": _w1_no_dx,
          })
def w1_cdf(x, y):
    return stats.wasserstein_distance(x, y)


# --- W1 between two equal-size samples: match them in order -------------------------------------

def _w1_sample_cases():
    rng = np.random.default_rng(3)
    return [(rng.normal(0, 1, 50), rng.normal(1, 2, 50)), (rng.uniform(0, 1, 7), rng.exponential(1, 7))]


@exercise("W1 between samples", cases=_w1_sample_cases, what="equal-size samples, against scipy.stats.wasserstein_distance",
          mistakes={
              "sort both samples first: the optimal plan matches them in order": lambda x, y: np.mean(np.abs(x - y)),
              "use |gaps|, not squared gaps (that would be W2 squared)": lambda x, y: np.mean((np.sort(x) - np.sort(y)) ** 2),
              "average over the points, do not sum": lambda x, y: np.sum(np.abs(np.sort(x) - np.sort(y))),
          })
def _w1_samples(x, y):
    return stats.wasserstein_distance(x, y)


# --- The gradient penalty, and a WGAN-GP trained with it ----------------------------------------

def _torch():
    import torch
    return torch


def _mlp(d_in, d_out, width, depth=3):
    from ..gan import mlp   # the course's MLP (the lecture's has the same layers)

    return mlp(d_in, d_out, width=width, depth=depth)


def _grad_at(critic, points):
    torch = _torch()
    x = points.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x)
    return g


def _penalty_reference(critic, real, fake, eps):
    """An independent route: each point's Jacobian with torch.func, the norm written out."""
    torch = _torch()
    x_hat = eps * real + (1 - eps) * fake
    jac = torch.func.vmap(torch.func.jacrev(lambda v: critic(v[None])[0, 0]))(x_hat)
    return ((torch.sqrt((jac ** 2).sum(1)) - 1) ** 2).mean()


def _interp(r, f, e):
    return e * r + (1 - e) * f


_GP_MISTAKES = {
    "the penalty pulls each gradient norm to 1, not to 0: (||grad|| - 1) ** 2, not ||grad|| ** 2":
        lambda c, r, f, e: (_grad_at(c, _interp(r, f, e)).norm(dim=1) ** 2).mean(),
    "the penalty belongs at the interpolates eps * real + (1 - eps) * fake, not at the real points":
        lambda c, r, f, e: ((_grad_at(c, r).norm(dim=1) - 1) ** 2).mean(),
    "the penalty belongs at the interpolates eps * real + (1 - eps) * fake, not at the fake points":
        lambda c, r, f, e: ((_grad_at(c, f).norm(dim=1) - 1) ** 2).mean(),
    "take the norm of each point's gradient (over its coordinates, dim=1), not over the batch (dim=0)":
        lambda c, r, f, e: ((_grad_at(c, _interp(r, f, e)).norm(dim=0) - 1) ** 2).mean(),
    "square the distance to 1: (||grad|| - 1) ** 2, not |(||grad|| - 1)|":
        lambda c, r, f, e: (_grad_at(c, _interp(r, f, e)).norm(dim=1) - 1).abs().mean(),
    "average over the points (.mean()), do not sum":
        lambda c, r, f, e: ((_grad_at(c, _interp(r, f, e)).norm(dim=1) - 1) ** 2).sum(),
}
NO_GRAPH = ("pass create_graph=True to torch.autograd.grad: without it the penalty is a constant to the "
            "optimiser (its value is right, but it has no gradient in the critic's weights), so it never shapes the critic")


def _gp_cases():
    torch = _torch()
    cases = []
    with torch.random.fork_rng():
        gen = torch.Generator().manual_seed(7)
        for n in (5, 16):
            torch.manual_seed(n)
            critic = _mlp(2, 1, width=16, depth=2)
            cases.append((critic, torch.randn(n, 2, generator=gen), torch.randn(n, 2, generator=gen) + 2,
                          torch.rand(n, 1, generator=gen)))
    return cases


def _same(a, b):
    return bool(np.isclose(float(a), float(b), rtol=1e-5, atol=1e-8))


# The judge's training run: lecture 07's WGAN-GP on the ring of 8, smaller and shorter.
JUDGE = dict(steps=250, n_critic=5, batch=128, width=64, lr=4e-3, lam=0.3, ema=0.95)


def _train_ring(penalty, seed, steps=JUDGE["steps"], n_critic=JUDGE["n_critic"], batch=JUDGE["batch"],
               width=JUDGE["width"], lr=JUDGE["lr"], lam=JUDGE["lam"], ema=JUDGE["ema"]):
    """A WGAN-GP on the ring of 8 whose critic loss uses ``penalty(critic, real, fake, eps)``: its mode coverage."""
    torch = _torch()
    from .. import metrics, toy
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        _, modes_fn, std = toy.TOYS["ring"]
        modes = modes_fn()
        modes_t = torch.tensor(modes, dtype=torch.float32)
        G, D = _mlp(2, 2, width), _mlp(2, 1, width)
        G_avg = copy.deepcopy(G).requires_grad_(False)
        opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.9))
        opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.9))
        for t in range(steps):
            for opt in (opt_g, opt_d):  # held for 40 % of the steps, then decaying linearly to 2 %
                for group in opt.param_groups:
                    group["lr"] = lr if t < 0.4 * steps else lr * (1 - 0.98 * (t - 0.4 * steps) / (0.6 * steps))
            for _ in range(n_critic):
                x = modes_t[torch.randint(0, len(modes_t), (batch,))] + std * torch.randn(batch, 2)
                with torch.no_grad():
                    y = G(torch.randn(batch, 2))
                loss_d = D(y).mean() - D(x).mean() + lam * penalty(D, x, y, torch.rand(batch, 1))
                opt_d.zero_grad()
                loss_d.backward()
                opt_d.step()
            loss_g = -D(G(torch.randn(batch, 2))).mean()
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            with torch.no_grad():
                for pa, pg in zip(G_avg.parameters(), G.parameters()):
                    pa.mul_(ema).add_(pg, alpha=1 - ema)
        with torch.no_grad():
            samples = as_numpy(G_avg(torch.randn(2500, 2)))
        if not np.all(np.isfinite(samples)):
            return {"modes": 0, "hq": 0.0, "per_mode": np.zeros(len(modes), int)}
        return metrics.mode_coverage(samples, modes, std)


def _judge_penalty(penalty):
    torch = _torch()
    cases = _gp_cases()
    for critic, real, fake, eps in cases:
        got = penalty(critic, real, fake, eps)
        if not isinstance(got, torch.Tensor) or got.numel() != 1:
            raise Wrong("return the penalty as a torch tensor holding one number (the mean over the points)")
        want = _penalty_reference(critic, real, fake, eps)
        if not _same(got.detach(), want.detach()):
            for hint, wrong in _GP_MISTAKES.items():
                if all(_same(penalty(*c).detach(), wrong(*c).detach()) for c in cases):
                    raise Wrong(hint)
            raise Wrong(f"on {len(real)} points your penalty is {float(got):.4g}, the reference's {float(want):.4g}; "
                        "it is none of the classic mistakes this check knows")
        if not got.requires_grad:
            raise Wrong(NO_GRAPH)
        params = list(critic.parameters())
        # (the last layer's bias does not move the gradient in x, so the penalty does not use it)
        g_got = [torch.zeros_like(p) if g is None else g for p, g in zip(params, torch.autograd.grad(got, params, allow_unused=True))]
        g_want = [torch.zeros_like(p) if g is None else g for p, g in zip(params, torch.autograd.grad(want, params, allow_unused=True))]
        if not all(torch.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in zip(g_got, g_want)):
            raise Wrong("the penalty's value is right but its gradient in the critic's weights is not: "
                        "keep x_hat and the gradient in the graph (create_graph=True, no .detach())")
    # the penalty is right on the cases: now train a WGAN-GP with it (the seed follows the lecture's)
    seed = int(torch.randint(0, 2 ** 31 - 1, (1,)))
    cov = _train_ring(penalty, seed)
    if cov["modes"] < 8:
        raise Wrong(f"a WGAN-GP trained with your penalty captured only {cov['modes']} of the 8 ring modes")
    n = JUDGE["steps"] * JUDGE["n_critic"]
    return (f"A WGAN-GP trained with your penalty ({n:,} critic updates) captured all 8 ring modes;\n"
            f"{measured(100 * cov['hq'], '.0f')} % of its samples are high quality.")


def _no_graph(critic, real, fake, eps):
    torch = _torch()
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


@exercise("gradient penalty", judge=_judge_penalty,
          mistakes={**_GP_MISTAKES, NO_GRAPH: _no_graph})
def _gradient_penalty(critic, real, fake, eps):
    torch = _torch()
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()
