"""Answer keys of lecture 02 (KL and JS): references, the inputs the checks try, the classic mistakes."""
from __future__ import annotations

import math

import numpy as np
import scipy.integrate
import scipy.spatial.distance
import scipy.stats
import torch

from .. import info
from ..check import measured
from ..exercises import Wrong, exercise

PAIRS = [([0.9, 0.1], [0.5, 0.5]), ([0.2, 0.3, 0.5], [0.6, 0.3, 0.1]),
         ([0.25, 0.25, 0.4, 0.1], [0.1, 0.2, 0.3, 0.4])]


def _pairs():
    return [(np.array(p), np.array(q)) for p, q in PAIRS]


# --- KL, JS, TV --------------------------------------------------------------------------------------


@exercise("KL divergence", what="in nats",
          cases=_pairs,
          mistakes={
              "the arguments are swapped: KL(p||q) weights log(p/q) by p, the first argument.":
                  lambda p, q: scipy.stats.entropy(q, p),
              "use the natural log (nats): np.log, not np.log2.": lambda p, q: scipy.stats.entropy(p, q, base=2),
              "use the natural log (nats): np.log, not np.log10.": lambda p, q: scipy.stats.entropy(p, q, base=10),
              "check the sign: KL = sum p log(p/q) is >= 0.": lambda p, q: -scipy.stats.entropy(p, q),
              "that is the cross-entropy H(p, q); subtract the entropy H(p).":
                  lambda p, q: -np.sum(np.asarray(p) * np.log(q)),
              "each log(p/q) must be weighted by p(x) before summing.": lambda p, q: np.sum(np.log(np.divide(p, q))),
              "that is a mean over the outcomes; KL is the sum of p(x) log(p(x)/q(x)) over them.":
                  lambda p, q: scipy.stats.entropy(p, q) / len(p),
          })
def kl_divergence(p, q):
    return scipy.stats.entropy(p, q)


def _js_ref(p, q):
    return scipy.spatial.distance.jensenshannon(p, q) ** 2


@exercise("JS divergence", what="in nats",
          cases=_pairs,
          mistakes={
              "scipy's jensenshannon returns the square root of JS: square it (or write JS from KL).":
                  lambda p, q: scipy.spatial.distance.jensenshannon(p, q),
              "each KL to the mixture gets a weight 1/2.": lambda p, q: 2 * _js_ref(p, q),
              "compare each distribution with the mixture m = (p + q)/2, not with each other "
              "(that is the symmetrised KL).": lambda p, q: (scipy.stats.entropy(p, q) + scipy.stats.entropy(q, p)) / 2,
              "use the natural log (nats), not log2.": lambda p, q: _js_ref(p, q) / math.log(2),
              "only half of it: JS averages KL(p||m) AND KL(q||m).": lambda p, q: scipy.stats.entropy(p, (p + q) / 2) / 2,
          })
def js_divergence(p, q):
    return _js_ref(p, q)


@exercise("TV by events", what="including pairs where the best event holds several outcomes",
          cases=lambda: _pairs() + [(np.array([0.4, 0.4, 0.1, 0.1]), np.array([0.1, 0.1, 0.4, 0.4])),
                                    (np.array([0.3, 0.3, 0.3, 0.1]), np.array([0.1, 0.2, 0.2, 0.5]))],
          mistakes={
              "TV is half the L1 distance: the positive and negative differences each add up to TV.":
                  lambda p, q: np.abs(np.subtract(p, q)).sum(),
              "that is the largest single-outcome difference; an event may hold several outcomes.":
                  lambda p, q: np.abs(np.subtract(p, q)).max(),
              "check the sign: on the event A = {x: p(x) > q(x)}, P(A) - Q(A) is positive.":
                  lambda p, q: -info.tv(p, q),
          })
def tv_by_events(p, q):
    return info.tv(p, q)


# --- derivation: KL between two exponential distributions ------------------------------------------


@exercise("KL between exponentials", what="against the integral of p log(p/q) by scipy's quad",
          cases=lambda: [(1.0, 2.0), (2.0, 0.5), (0.3, 0.3), (5.0, 1.0), (0.7, 4.0)],
          mistakes={
              "the arguments are swapped: the expectation is under p = Exp(rate_p), so log p(x) - log q(x) is "
              "averaged with E_p[x] = 1/rate_p.":
                  lambda a, b: math.log(b / a) + a / b - 1,
              "the constant -1 is missing: E_p[-rate_p x] = -1. Check: KL(p||p) must be 0.":
                  lambda a, b: math.log(a / b) + b / a,
              "check the sign of the log: log p(x) - log q(x) contributes log(rate_p / rate_q).":
                  lambda a, b: math.log(b / a) + b / a - 1,
              "the mean of Exp(rate) is 1/rate, not rate: E_p[x] = 1/rate_p.":
                  lambda a, b: math.log(a / b) + (b - a) * a,
              "this is in bits; the exercise asks for nats (the natural log).":
                  lambda a, b: (math.log(a / b) + b / a - 1) / math.log(2),
          })
def kl_exponential(rate_p, rate_q):
    p, q = scipy.stats.expon(scale=1 / rate_p), scipy.stats.expon(scale=1 / rate_q)
    return scipy.integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), 0, np.inf,
                                epsabs=1e-12, epsrel=1e-10, limit=200)[0]


# --- reverse KL by sampling: both local minima, judged ---------------------------------------------

WEIGHTS, MEANS, STDS = np.array([0.4, 0.6]), np.array([-2.5, 2.5]), np.array([0.6, 0.75])
STARTS = (-1.0, 1.0)


_W, _M, _S = (torch.tensor(v, dtype=torch.float64) for v in (WEIGHTS, MEANS, STDS))


def log_p_unnormalised(x):
    """The lecture's two-mode target, up to a constant (as a posterior is known): a torch function."""
    comps = torch.log(_W) - torch.log(_S) - 0.5 * ((x[..., None] - _M) / _S) ** 2
    return torch.logsumexp(comps, -1) + 3.0          # + 3: unnormalised on purpose


def _fit(log_p, mu0, steps=400, n_samples=128, lr=0.05, *, entropy=True, reparam=True, sign=1.0):
    mu = torch.tensor(float(mu0), dtype=torch.float64, requires_grad=True)
    log_sigma = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([mu, log_sigma], lr=lr)
    for _ in range(steps):
        eps = torch.randn(n_samples, dtype=torch.float64)
        x = mu + log_sigma.exp() * eps
        if not reparam:
            x = x.detach()
        log_q = -0.5 * ((x - mu) / log_sigma.exp()) ** 2 - log_sigma - 0.5 * math.log(2 * math.pi)
        loss = sign * ((log_q if entropy else 0.0) - log_p(x)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return mu.item(), log_sigma.exp().item()


def fit_reverse_kl(log_p, mu0):
    """Gaussian q = N(mu, sigma^2) started at (mu0, 1), fitted by Adam on a Monte Carlo KL(q || p)."""
    return _fit(log_p, mu0)


WRONG_SIGN = ("q settled where p is smallest, between the modes: minimise KL(q || p), do not maximise it "
              "(check the sign of the loss)")
COLLAPSED = ("q collapsed onto a point (sigma near 0): the reverse KL is E_q[log q(x)] - E_q[log p(x)]; "
             "without the E_q[log q] term (minus the entropy of q) nothing stops sigma shrinking")
ADRIFT = ("q did not settle on a mode. Does the gradient reach mu and sigma through the samples, "
          "x = mu + sigma * eps (reparameterisation)? Sampling with torch.normal(...) or .detach() cuts it. "
          "Otherwise: more steps or a smaller learning rate")


def _log_p_grid(x):
    return np.logaddexp(*(np.log(WEIGHTS[k]) + scipy.stats.norm.logpdf(x, MEANS[k], STDS[k]) for k in range(2)))


_BETWEEN = np.linspace(MEANS[0], MEANS[1], 5001)
X_LOW = float(_BETWEEN[np.argmin(_log_p_grid(_BETWEEN))])   # where p is smallest between its modes


def _fit_without_reparameterisation(log_p, mu0):
    """The known mistake, made reproducible: with samples cut from mu and sigma, nothing but noise moves
    them, so where q ends depends on the random numbers; a fixed seed makes the example deterministic."""
    torch.manual_seed(0 if mu0 < 0 else 1)
    return _fit(log_p, mu0, reparam=False)


def _kl_on_grid(mu, sigma):
    x = np.linspace(-14, 14, 5601)
    log_q = scipy.stats.norm.logpdf(x, mu, sigma)
    log_p = _log_p_grid(x)
    return float(np.sum(np.exp(log_q) * (log_q - log_p)) * (x[1] - x[0]))


def judge_reverse_kl(fit):
    fits = []
    for mu0 in STARTS:
        out = fit(log_p_unnormalised, mu0)
        try:
            mu, sigma = (float(v) for v in out)
        except (TypeError, ValueError):
            raise Wrong("return the pair (mu, sigma) of the fitted Gaussian, as two floats.") from None
        fits.append((mu0, mu, sigma))
    modes = []
    for mu0, mu, sigma in fits:
        if not (math.isfinite(mu) and math.isfinite(sigma)):
            raise Wrong(f"from mu0 = {mu0:g} the fit blew up (mu = {mu}, sigma = {sigma}): a smaller learning "
                        f"rate, or check the sign of the loss.")
        k = int(np.argmin(np.abs(MEANS - mu)))
        # maximising the KL sends q to p's lowest point between the modes and sigma to 0; dropping
        # E_q[log q] shrinks sigma on a mode; anything else off a mode is the drift of a cut gradient
        if sigma < 1e-3 and abs(mu - X_LOW) < 0.1:
            raise Wrong(f"{WRONG_SIGN} (from mu0 = {mu0:g}: mu = {mu:.3g}, sigma = {sigma:.3g}).")
        if sigma < 0.3 and abs(mu - MEANS[k]) < 0.5:
            raise Wrong(f"{COLLAPSED} (from mu0 = {mu0:g}: mu = {mu:.3g}, sigma = {sigma:.3g}).")
        if abs(mu - MEANS[k]) > 0.25 or abs(sigma / STDS[k] - 1) > 0.2:
            raise Wrong(f"{ADRIFT} (from mu0 = {mu0:g}: mu = {mu:.3g}, sigma = {sigma:.3g}; the modes have "
                        f"means {MEANS[0]:g} and {MEANS[1]:g}, stds {STDS[0]:g} and {STDS[1]:g}).")
        modes.append(k)
    if modes[0] == modes[1]:
        raise Wrong("both starts ended on the same mode: start q at mu0 (each start must keep the minimum "
                    "whose basin it starts in).")
    parts = [f"from {mu0:+g}: mu = {measured(mu):.2f}, sigma = {measured(sigma):.2f}, "
             f"KL(q||p) = {measured(_kl_on_grid(mu, sigma)):.3f} (-log {WEIGHTS[k]:g} = {-math.log(WEIGHTS[k]):.3f})"
             for (mu0, mu, sigma), k in zip(fits, modes)]
    return "Two starts, two local minima, one on each mode:\n" + ";\n".join(parts) + "."


exercise("reverse KL by sampling", judge=judge_reverse_kl, mistakes={
    WRONG_SIGN: lambda log_p, mu0: _fit(log_p, mu0, sign=-1.0),
    COLLAPSED: lambda log_p, mu0: _fit(log_p, mu0, entropy=False),
    ADRIFT: _fit_without_reparameterisation,
})(fit_reverse_kl)
