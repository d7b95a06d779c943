"""Quality metrics for generative models.

Mode coverage on the toy sets (the VEEGAN / PacGAN protocol): draw samples,
call a sample *high-quality* if it lies within ``n_std`` standard deviations
(3 by default) of its nearest mode, and count a mode as *captured* when it is
the nearest mode of at least one high-quality sample. A perfect sampler of a
2-D Gaussian mixture keeps a share ``1 - exp(-n_std**2 / 2)`` of its samples
(0.989 for 3 std) and captures every mode.
"""
from __future__ import annotations

import numpy as np

from .runtime import as_numpy

__all__ = ["mode_coverage"]


def mode_coverage(samples, modes, std, n_std: float = 3.0) -> dict:
    """Modes captured and share of high-quality samples.

    Returns ``dict(modes=int, hq=float in [0, 1], per_mode=np.ndarray)`` where
    ``per_mode[j]`` counts the high-quality samples whose nearest mode is j.
    """
    x = as_numpy(samples, float)
    m = np.asarray(modes, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"samples must be a non-empty (n, d) array; got shape {x.shape}")
    if m.ndim != 2 or m.shape[0] == 0:
        raise ValueError(f"modes must be a non-empty (k, d) array; got shape {m.shape}")
    if m.shape[1] != x.shape[1]:
        raise ValueError(f"samples have dimension {x.shape[1]} but modes have {m.shape[1]}")
    if not np.all(np.isfinite(m)):
        raise ValueError("modes hold NaN or infinite values")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples hold NaN or infinite values (did training diverge?)")
    if not (np.isfinite(std) and std > 0):
        raise ValueError(f"std must be a finite number > 0; got {std!r}")
    if not (np.isfinite(n_std) and n_std > 0):
        raise ValueError(f"n_std must be a finite number > 0; got {n_std!r}")
    d2 = ((x[:, None, :] - m[None, :, :]) ** 2).sum(-1)
    nearest = d2.argmin(1)
    dist = np.sqrt(d2[np.arange(len(x)), nearest])
    good = dist <= n_std * std
    per_mode = np.bincount(nearest[good], minlength=len(m))
    return {"modes": int((per_mode > 0).sum()), "hq": float(good.mean()), "per_mode": per_mode}
