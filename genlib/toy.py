"""Toy data sets for the GAN lectures: 1-D mixtures and the 2-D ring and grid.

The 2-D sets follow the VEEGAN / PacGAN protocol:

* ``ring``: 8 Gaussians of std 0.01 on the unit circle, angles ``2*pi*j/8``
  for j = 0..7 (built with ``endpoint=False``: ``np.linspace(0, 2*pi, 8)``
  puts the last mode on top of the first and leaves only 7);
* ``grid``: 25 Gaussians of std 0.05 with means in {-4, -2, 0, 2, 4}^2.

``TOYS[name] = (sampler, modes, std)`` lets metrics and trainers treat both alike.
"""
from __future__ import annotations

import numpy as np

__all__ = ["ring_modes", "ring", "grid_modes", "grid", "TOYS", "mixture_1d", "mixture_1d_pdf",
           "parallel_lines"]


def _check_n(n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be an integer >= 0; got {n!r}")
    return int(n)


def _check_std(std):
    if not (np.isfinite(std) and std > 0):
        raise ValueError(f"std must be a finite number > 0; got {std!r}")
    return float(std)


def ring_modes(k: int = 8, radius: float = 1.0) -> np.ndarray:
    """The k means on a circle of the given radius, shape (k, 2), angles 2*pi*j/k."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an integer >= 1; got {k!r}")
    angles = np.linspace(0.0, 2 * np.pi, int(k), endpoint=False)
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_modes() -> np.ndarray:
    """The 25 means of the 5x5 grid, shape (25, 2), coordinates in {-4, -2, 0, 2, 4}."""
    axis = np.arange(-4.0, 5.0, 2.0)
    xx, yy = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def _mixture_2d(modes, n, seed, std):
    n = _check_n(n)
    std = _check_std(std)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(modes), size=n)
    x = modes[idx] + std * rng.standard_normal((n, 2))
    return x.astype(np.float32)


def ring(n: int, seed=0, std: float = 0.01) -> np.ndarray:
    """n points from the ring of 8 Gaussians (equal weights), float32, shape (n, 2)."""
    return _mixture_2d(ring_modes(), n, seed, std)


def grid(n: int, seed=0, std: float = 0.05) -> np.ndarray:
    """n points from the 5x5 grid of Gaussians (equal weights), float32, shape (n, 2)."""
    return _mixture_2d(grid_modes(), n, seed, std)


TOYS = {"ring": (ring, ring_modes, 0.01), "grid": (grid, grid_modes, 0.05)}


def _mixture_args(means, stds, weights):
    means = np.atleast_1d(np.asarray(means, dtype=float))
    stds = np.atleast_1d(np.asarray(stds, dtype=float))
    if means.ndim != 1 or means.size == 0:
        raise ValueError("means must be a non-empty 1-D list")
    stds = np.broadcast_to(stds, means.shape).astype(float)
    if not (np.all(np.isfinite(means)) and np.all(np.isfinite(stds)) and np.all(stds > 0)):
        raise ValueError("means must be finite and stds finite and > 0")
    if weights is None:
        w = np.full(means.shape, 1.0 / means.size)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != means.shape or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError("weights must be one non-negative number per mean")
        if abs(w.sum() - 1) > 1e-6:
            raise ValueError(f"weights must sum to 1; they sum to {w.sum():.6g}")
    return means, stds, w


def mixture_1d(n: int, means, stds, weights=None, seed=0) -> np.ndarray:
    """n samples of a 1-D Gaussian mixture, float64, shape (n,)."""
    n = _check_n(n)
    means, stds, w = _mixture_args(means, stds, weights)
    rng = np.random.default_rng(seed)
    idx = rng.choice(means.size, size=n, p=w)
    return means[idx] + stds[idx] * rng.standard_normal(n)


def mixture_1d_pdf(x, means, stds, weights=None) -> np.ndarray:
    """The density of the 1-D Gaussian mixture at x (same shape as x)."""
    means, stds, w = _mixture_args(means, stds, weights)
    x = np.asarray(x, dtype=float)
    z = (x[..., None] - means) / stds
    return (w * np.exp(-0.5 * z ** 2) / (stds * np.sqrt(2 * np.pi))).sum(-1)


def parallel_lines(theta: float, n: int, seed=0):
    """The WGAN paper's example: real = (0, U[0,1]), fake = (theta, U[0,1]); two (n, 2) arrays.

    The supports are disjoint for theta != 0: JS = log 2, KL = inf, TV = 1 but W1 = |theta|.
    """
    n = _check_n(n)
    if not np.isfinite(theta):
        raise ValueError(f"theta must be finite; got {theta!r}")
    rng = np.random.default_rng(seed)
    real = np.stack([np.zeros(n), rng.uniform(0, 1, n)], axis=1)
    fake = np.stack([np.full(n, float(theta)), rng.uniform(0, 1, n)], axis=1)
    return real.astype(np.float32), fake.astype(np.float32)
