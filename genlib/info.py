"""Information-theoretic quantities: the reference implementations.

The lectures write each formula out for the student; these are the versions
the checks and the tests compare against (and that later lectures reuse).

Conventions
-----------
* natural log (nats) by default; ``base=2`` gives bits;
* ``0 log 0 = 0``; ``KL(p||q) = inf`` (and ``H(p, q) = inf``) where ``p > 0`` and ``q = 0``;
* ``JS <= log 2`` (1 bit), ``0 <= TV <= 1``;
* distributions lie along the last axis; NumPy arrays and torch tensors both work
  (torch keeps gradients);
* invalid input (negative or NaN entries, not summing to 1, mismatched shapes)
  raises ``ValueError`` saying what is wrong. Nothing returns NaN silently.
"""
from __future__ import annotations

import math
from numbers import Real

import numpy as np

from .runtime import as_numpy

__all__ = [
    "check_distribution", "entropy", "cross_entropy", "kl", "js", "tv",
    "w1_samples", "w1_discrete", "histogram", "kl_normal", "entropy_normal",
    "information",
]


def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch")


def _convert(x, name):
    if _is_torch(x):
        return x
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of probabilities; got {x!r}") from exc
    return arr


def check_distribution(p, name: str = "p", tol: float | None = None):
    """Return ``p`` as an array (or tensor) after checking it is a distribution.

    Raises ``ValueError`` naming ``name`` if any entry is NaN, infinite or
    negative, or if it does not sum to 1 along the last axis.
    """
    p = _convert(p, name)
    if _is_torch(p):
        import torch

        if p.ndim == 0:
            raise ValueError(f"{name} must have at least one entry along its last axis")
        d = p.detach()
        if not torch.isfinite(d).all():
            raise ValueError(f"{name} holds NaN or infinite entries")
        if (d < 0).any():
            raise ValueError(f"{name} holds negative entries (min {d.min().item():.3g}); probabilities are >= 0")
        sums = d.sum(-1)
        t = tol if tol is not None else (1e-4 if d.dtype in (torch.float16, torch.bfloat16, torch.float32) else 1e-6)
        worst = (sums - 1).abs().max().item()
        if worst > t:
            raise ValueError(f"{name} must sum to 1 along its last axis; off by {worst:.3g} "
                             f"(normalise it with p / p.sum(-1, keepdim=True))")
        return p
    if p.ndim == 0 or p.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one entry along its last axis")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{name} holds NaN or infinite entries")
    if np.any(p < 0):
        raise ValueError(f"{name} holds negative entries (min {p.min():.3g}); probabilities are >= 0")
    t = 1e-6 if tol is None else tol
    worst = float(np.max(np.abs(p.sum(-1) - 1)))
    if worst > t:
        raise ValueError(f"{name} must sum to 1 along its last axis; off by {worst:.3g} "
                         f"(normalise it with p / p.sum())")
    return p


def _pair(p, q):
    p = check_distribution(p, "p")
    q = check_distribution(q, "q")
    if _is_torch(p) != _is_torch(q):
        import torch

        p = torch.as_tensor(p, dtype=torch.float64) if not _is_torch(p) else p
        q = torch.as_tensor(q, dtype=p.dtype) if not _is_torch(q) else q
    if tuple(p.shape) != tuple(q.shape):
        raise ValueError(f"p and q must have the same shape; got {tuple(p.shape)} and {tuple(q.shape)}")
    return p, q


def _scale(base):
    if base is None:
        return 1.0
    if isinstance(base, bool) or not isinstance(base, Real) or not (math.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"base must be a positive number other than 1 (2 for bits); got {base!r}")
    return 1.0 / math.log(base)


def _xlogy(x, y):
    """x * log(y) with 0 log 0 = 0 and x log 0 = -inf for x > 0.

    With torch, entries where x = 0 contribute 0 *and a zero gradient*
    (``torch.xlogy`` alone would give 0/0 = NaN gradients there).
    """
    if _is_torch(x):
        import torch

        live = x > 0
        y = torch.where(live, y, torch.ones_like(y))
        return torch.where(live, torch.xlogy(x, y), torch.zeros_like(y))
    from scipy.special import xlogy

    return xlogy(x, y)


def information(p, base=None):
    """Information content (surprisal) -log p of an event of probability p."""
    s = _scale(base)
    if _is_torch(p):
        import torch

        d = p.detach()
        if not torch.isfinite(d).all() or (d < 0).any() or (d > 1).any():
            raise ValueError("probabilities must lie in [0, 1]")
        return -torch.log(p) * s
    p = np.asarray(p, dtype=float)
    if np.any(~np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise ValueError("probabilities must lie in [0, 1]")
    with np.errstate(divide="ignore"):
        return -np.log(p) * s


def entropy(p, base=None):
    """H(p) = -sum p log p."""
    p = check_distribution(p)
    return -_xlogy(p, p).sum(-1) * _scale(base) + 0.0  # + 0.0: no "-0.0" for a certain outcome


def cross_entropy(p, q, base=None):
    """H(p, q) = -sum p log q (inf where p > 0 and q = 0)."""
    p, q = _pair(p, q)
    return -_xlogy(p, q).sum(-1) * _scale(base)


def kl(p, q, base=None):
    """KL(p || q) = sum p log(p / q); inf where p > 0 and q = 0."""
    p, q = _pair(p, q)
    if _is_torch(p):
        import torch

        return (_xlogy(p, p) - _xlogy(p, q)).sum(-1) * _scale(base)
    from scipy.special import rel_entr

    return rel_entr(p, q).sum(-1) * _scale(base)


def js(p, q, base=None):
    """JS(p, q) = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2; at most log 2."""
    p, q = _pair(p, q)
    # KL(p || m) = sum p log(2p / (p + q)): written with s = p + q rather than
    # m = s / 2, because halving a tiny q can underflow to 0 and give KL = inf.
    s = p + q
    terms = _xlogy(p, p) + _xlogy(q, q) - _xlogy(p, s) - _xlogy(q, s) + s * math.log(2)
    return terms.sum(-1) / 2 * _scale(base)


def tv(p, q):
    """Total variation: max over events |P(A) - Q(A)| = sum |p - q| / 2."""
    p, q = _pair(p, q)
    return abs(p - q).sum(-1) / 2


def w1_discrete(support, p, q):
    """Wasserstein-1 between two distributions on the same sorted 1-D support.

    W1 = integral |F_p - F_q| dx, with the CDFs piecewise constant between points.
    """
    p, q = _pair(p, q)
    x = np.asarray(_detach(support), dtype=float)
    if x.ndim != 1 or x.shape[0] != tuple(p.shape)[-1]:
        raise ValueError("support must be 1-D with one point per probability")
    if not np.all(np.isfinite(x)):
        raise ValueError("support holds NaN or infinite values")
    if np.any(np.diff(x) <= 0):
        raise ValueError("support must be strictly increasing")
    if _is_torch(p):  # keeps gradients with respect to p and q
        import torch

        dx = torch.as_tensor(np.diff(x), dtype=p.dtype, device=p.device)
        cdf_gap = (torch.cumsum(p, -1) - torch.cumsum(q, -1)).abs()[..., :-1]
        return (cdf_gap * dx).sum(-1)
    cdf_gap = np.abs(np.cumsum(p, -1) - np.cumsum(q, -1))[..., :-1]
    return (cdf_gap * np.diff(x)).sum(-1)


def w1_samples(x, y):
    """Wasserstein-1 between the empirical distributions of two 1-D samples."""
    x = np.sort(np.asarray(x, dtype=float).ravel())
    y = np.sort(np.asarray(y, dtype=float).ravel())
    if x.size == 0 or y.size == 0:
        raise ValueError("both samples must be non-empty")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("samples hold NaN or infinite values")
    if x.size == y.size:
        return float(np.mean(np.abs(x - y)))
    allv = np.concatenate([x, y])
    allv.sort(kind="mergesort")
    deltas = np.diff(allv)
    fx = np.searchsorted(x, allv[:-1], side="right") / x.size
    fy = np.searchsorted(y, allv[:-1], side="right") / y.size
    return float(np.sum(np.abs(fx - fy) * deltas))


def histogram(samples, edges):
    """The empirical distribution of samples over the bins ``edges`` (sums to 1)."""
    counts, _ = np.histogram(np.asarray(samples, dtype=float), bins=edges)
    if counts.sum() == 0:
        raise ValueError("no sample falls inside the bins")
    return counts / counts.sum()


def kl_normal(mu_p, sigma_p, mu_q, sigma_q):
    """KL(N(mu_p, sigma_p^2) || N(mu_q, sigma_q^2)), elementwise (closed form)."""
    lib = _lib(mu_p, sigma_p, mu_q, sigma_q)
    for name, s in (("sigma_p", sigma_p), ("sigma_q", sigma_q)):
        if np.any(np.asarray(_detach(s)) <= 0):
            raise ValueError(f"{name} must be > 0")
    return lib.log(sigma_q / sigma_p) + (sigma_p ** 2 + (mu_p - mu_q) ** 2) / (2 * sigma_q ** 2) - 0.5


def entropy_normal(sigma):
    """Differential entropy of N(mu, sigma^2): log(sigma sqrt(2 pi e))."""
    if np.any(np.asarray(_detach(sigma)) <= 0):
        raise ValueError("sigma must be > 0")
    lib = _lib(sigma)
    return lib.log(sigma) + 0.5 * math.log(2 * math.pi * math.e)


def _detach(x):
    return as_numpy(x) if _is_torch(x) else x


def _lib(*xs):
    if any(_is_torch(x) for x in xs):
        import torch

        return torch
    return np
