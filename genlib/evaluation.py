"""Measures of generative models (lecture 08): the references its checks and the benchmarks use.

The lecture writes each formula out as code; these are the tested references.

* likelihoods: :func:`iwae_bound` (the importance-weighted bound from log-weights),
  :func:`bernoulli_log_likelihood`, :func:`bits_per_dim`, :func:`compressed_bits_per_dim`
  (what gzip and PNG spend on binary images);
* sample quality on features: :func:`frechet_distance` (and :func:`frechet_gaussians`),
  :func:`kernel_distance` (unbiased MMD² with the cubic polynomial kernel, "KID"),
  :func:`prdc` (precision and recall on k-NN balls, Kynkäänniemi et al. 2019; density and
  coverage, Naeem et al. 2020), :func:`copy_ratio` (a held-out nearest-neighbour test that
  catches a model replaying its training set);
* two-sample tests: :func:`c2st` (a 1-NN classifier two-sample test scored on a held-out split,
  Lopez-Paz and Oquab 2017) and :func:`mmd_permutation_test` (RBF kernel, median heuristic).

Bad input raises ``ValueError``: empty samples, feature sizes that differ, NaN or inf,
covariances that are not square. Covariances get ``eps`` times the identity added before
the matrix square root (``eps = 1e-6`` times their mean variance, and at least 1e-12), so a
singular or near-singular covariance gives a real, finite distance, never a complex one.
"""
from __future__ import annotations

import gzip
import io
import math

import numpy as np

from .runtime import as_numpy

LN2 = math.log(2.0)

__all__ = ["features_2d", "iwae_bound", "bernoulli_log_likelihood", "bits_per_dim", "compressed_bits_per_dim",
           "frechet_gaussians", "frechet_distance", "kernel_distance", "mmd2_unbiased", "rbf_median",
           "prdc", "copy_ratio", "c2st", "mmd_permutation_test"]


def features_2d(x, name: str = "features", min_rows: int = 1) -> np.ndarray:
    """``x`` as a finite float64 array of shape (n, d), n >= ``min_rows``; else ValueError naming ``name``."""
    a = as_numpy(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples x features); got shape {a.shape}")
    if a.shape[0] < max(1, min_rows) or a.shape[1] == 0:
        raise ValueError(f"{name} needs at least {max(1, min_rows)} samples with at least one feature; "
                         f"got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} holds NaN or inf values")
    return a


def _pair(x, y, min_rows: int = 1):
    x, y = features_2d(x, "x", min_rows), features_2d(y, "y", min_rows)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y have different feature sizes ({x.shape[1]} and {y.shape[1]})")
    return x, y


# ----------------------------------------------------------------------------- likelihoods

def iwae_bound(log_w) -> np.ndarray:
    """L_k = log (1/k) sum_i w_i per column, from log-weights of shape (k, n); stable (log-sum-exp)."""
    lw = np.asarray(log_w, dtype=np.float64)
    if lw.ndim == 1:
        lw = lw[:, None]
    if lw.ndim != 2 or lw.size == 0:
        raise ValueError(f"log_w must be a non-empty (k, n) array; got shape {lw.shape}")
    if np.any(np.isnan(lw)) or np.any(lw == np.inf):
        raise ValueError("log_w holds NaN or +inf")
    m = lw.max(0)
    safe = np.where(np.isfinite(m), m, 0.0)
    return safe + np.log(np.exp(lw - safe).mean(0))


def bernoulli_log_likelihood(x, p, eps: float = 1e-6) -> np.ndarray:
    """log prod_j p_j^x_j (1 - p_j)^(1 - x_j) per row, in nats; p is clipped to [eps, 1 - eps]."""
    x = np.asarray(x, dtype=np.float64)
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    if x.size == 0:
        raise ValueError("x is empty")
    if not np.all((x == 0) | (x == 1)):
        raise ValueError("a Bernoulli likelihood needs binary x (0 or 1); binarise the images first")
    return (x * np.log(p) + (1 - x) * np.log1p(-p)).sum(-1)


def bits_per_dim(nats, dims: int) -> float:
    """A negative log-likelihood in nats per image, as bits per pixel: nats / (dims ln 2)."""
    if dims < 1:
        raise ValueError(f"dims must be at least 1; got {dims}")
    return float(nats) / (dims * LN2)


def compressed_bits_per_dim(x_binary, shape=(28, 28)) -> dict:
    """What gzip (on the packed bits) and PNG (1-bit greyscale, one file per image) spend per pixel."""
    from PIL import Image

    x = np.asarray(x_binary)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] != shape[0] * shape[1]:
        raise ValueError(f"x_binary must be (n, {shape[0] * shape[1]}); got {x.shape}")
    if not np.all((x == 0) | (x == 1)):
        raise ValueError("x_binary must hold 0 and 1 only")
    bits = x.astype(np.uint8)
    packed = np.packbits(bits, axis=1)
    gz = sum(len(gzip.compress(row.tobytes(), compresslevel=9, mtime=0)) for row in packed)
    png = 0
    for row in bits:
        buf = io.BytesIO()
        Image.fromarray((row.reshape(shape) * 255).astype(np.uint8)).convert("1").save(buf, format="PNG", optimize=True)
        png += len(buf.getvalue())
    n = x.size
    return {"gzip": 8 * gz / n, "png": 8 * png / n}


# ----------------------------------------------------------------------------- feature distances

def _square_cov(s, name):
    s = np.asarray(s, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.shape[0] == 0:
        raise ValueError(f"{name} must be a square matrix; got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError(f"{name} holds NaN or inf values")
    return 0.5 * (s + s.T)


def _sqrt_psd(s):
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_gaussians(mu1, s1, mu2, s2, eps: float | None = None) -> float:
    """||mu1 - mu2||² + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2): the squared W2 between two Gaussians.

    ``eps`` (default 1e-6 times the mean variance) is added to both diagonals first.
    """
    s1, s2 = _square_cov(s1, "s1"), _square_cov(s2, "s2")
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    d = s1.shape[0]
    if s2.shape != s1.shape or mu1.shape != (d,) or mu2.shape != (d,):
        raise ValueError(f"sizes differ: mu1 {mu1.shape}, s1 {s1.shape}, mu2 {mu2.shape}, s2 {s2.shape}")
    if eps is None:
        eps = max(1e-6 * float(np.trace(s1) + np.trace(s2)) / (2 * d), 1e-12)
    s1, s2 = s1 + eps * np.eye(d), s2 + eps * np.eye(d)
    r1 = _sqrt_psd(s1)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(0.5 * (r1 @ s2 @ r1 + (r1 @ s2 @ r1).T)), 0, None)).sum()
    return float(max(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * cross, 0.0))


def frechet_distance(x, y, eps: float | None = None) -> float:
    """The Fréchet distance (FID's formula) between the Gaussians fitted to two feature samples."""
    x, y = _pair(x, y, min_rows=2)
    return frechet_gaussians(x.mean(0), np.cov(x, rowvar=False).reshape(x.shape[1], -1), y.mean(0),
                             np.cov(y, rowvar=False).reshape(y.shape[1], -1), eps)


def mmd2_unbiased(kxx, kyy, kxy) -> float:
    """Unbiased MMD² from kernel matrices: off-diagonal means of Kxx and Kyy minus twice the mean of Kxy."""
    n, m = kxx.shape[0], kyy.shape[0]
    if n < 2 or m < 2:
        raise ValueError("the unbiased MMD needs at least 2 samples on each side")
    return float((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                 - 2 * kxy.mean())


def kernel_distance(x, y, degree: int = 3) -> float:
    """KID: unbiased MMD² with the polynomial kernel k(a, b) = (a·b / d + 1)^degree."""
    x, y = _pair(x, y, min_rows=2)
    d = x.shape[1]
    k = lambda a, b: (a @ b.T / d + 1.0) ** degree
    return mmd2_unbiased(k(x, x), k(y, y), k(x, y))


def _sq_dists(a, b):
    return np.clip((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T, 0, None)


def _kth_radius(a, k):
    d = _sq_dists(a, a)
    return np.sqrt(np.sort(d, axis=1)[:, k])   # column 0 is the point itself


def prdc(real, fake, k_pr: int = 3, k_dc: int = 5) -> dict:
    """Precision, recall (k-NN balls, k = ``k_pr``), density and coverage (k = ``k_dc``), on features.

    precision: share of fake points inside some real point's k-NN ball; recall: share of real
    points inside some fake point's ball; density: mean number of real balls holding a fake
    point, over k; coverage: share of real points whose ball holds a fake point.
    """
    real, fake = _pair(real, fake)
    for name, k in (("k_pr", k_pr), ("k_dc", k_dc)):
        if k < 1:
            raise ValueError(f"{name} must be at least 1; got {k}")
    if min(len(real), len(fake)) <= max(k_pr, k_dc):
        raise ValueError(f"each sample needs more than {max(k_pr, k_dc)} points; got {len(real)} and {len(fake)}")
    d_rf = np.sqrt(_sq_dists(real, fake))
    r_real_pr, r_fake_pr, r_real_dc = _kth_radius(real, k_pr), _kth_radius(fake, k_pr), _kth_radius(real, k_dc)
    inside_pr = d_rf <= r_real_pr[:, None]
    inside_dc = d_rf <= r_real_dc[:, None]
    return {"precision": float(inside_pr.any(0).mean()),
            "recall": float((d_rf <= r_fake_pr[None, :]).any(1).mean()),
            "density": float(inside_dc.sum(0).mean() / k_dc),
            "coverage": float((d_rf.min(1) <= r_real_dc).mean())}


def copy_ratio(samples, train, test) -> float:
    """Median distance of the samples to their nearest training point over the same for held-out points.

    About 1 for a model as new as the held-out data; 0 for one that replays its training set.
    """
    samples, train = _pair(samples, train)
    test = features_2d(test, "test")
    if test.shape[1] != train.shape[1]:
        raise ValueError("test and train have different feature sizes")
    near = lambda a: np.sqrt(_sq_dists(a, train).min(1))
    base = float(np.median(near(test)))
    if base == 0:
        raise ValueError("the held-out points coincide with training points; the ratio is undefined")
    return float(np.median(near(samples))) / base


# ----------------------------------------------------------------------------- two-sample tests

def c2st(x, y, seed: int = 0, test_size: float = 0.5, k: int = 1) -> dict:
    """Classifier two-sample test: a k-nearest-neighbour classifier (k = 1 by default, the 1-NN
    two-sample test), fitted on one split of the pooled, labelled samples and scored on the other.

    Under the null (same distribution) the held-out accuracy is about N(1/2, 1/(4 n_test));
    returns the accuracy, n_test and the one-sided p-value of that normal approximation.
    Scored on its own training split, a 1-NN classifier is always right: the split matters.
    """
    from scipy.stats import norm
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier

    x, y = _pair(x, y, min_rows=4)
    if k < 1:
        raise ValueError(f"k must be at least 1; got {k}")
    data = np.concatenate([x, y])
    label = np.r_[np.zeros(len(x)), np.ones(len(y))]
    a, b, la, lb = train_test_split(data, label, test_size=test_size, stratify=label, random_state=seed)
    clf = KNeighborsClassifier(n_neighbors=k).fit(a, la)
    acc = float((clf.predict(b) == lb).mean())
    n = len(lb)
    return {"accuracy": acc, "n_test": n, "p_value": float(norm.sf((acc - 0.5) * 2 * math.sqrt(n)))}


def rbf_median(x, y):
    """Squared distances of the pooled sample and the median-heuristic bandwidth (median pairwise distance)."""
    z = np.concatenate([x, y])
    d2 = _sq_dists(z, z)
    iu = np.triu_indices(len(z), 1)
    return d2, float(np.median(np.sqrt(d2[iu])))


def mmd_permutation_test(x, y, n_perm: int = 200, seed: int = 0) -> dict:
    """Unbiased MMD² with an RBF kernel (median heuristic) and its permutation p-value, (1 + #{>=}) / (1 + n_perm)."""
    x, y = _pair(x, y, min_rows=2)
    if n_perm < 1:
        raise ValueError(f"n_perm must be at least 1; got {n_perm}")
    d2, h = rbf_median(x, y)
    k = np.exp(-d2 / (2 * max(h, 1e-12) ** 2))
    n = len(x)

    def stat(idx):
        kk = k[np.ix_(idx, idx)]
        return mmd2_unbiased(kk[:n, :n], kk[n:, n:], kk[:n, n:])

    observed = stat(np.arange(len(k)))
    rng = np.random.default_rng(seed)
    null = np.array([stat(rng.permutation(len(k))) for _ in range(n_perm)])
    return {"mmd2": observed, "p_value": float((1 + np.sum(null >= observed)) / (1 + n_perm)), "bandwidth": h}
