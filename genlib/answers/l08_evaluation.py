"""Answer keys of lecture 08 (evaluation)."""
from __future__ import annotations

import math

import numpy as np
from scipy import linalg
from scipy.special import logsumexp

from ..exercises import Wrong, exercise


def _bits_cases():
    return [(95.3, 784), (207.0, 784), (1.0, 1), (12.5, 64)]


@exercise("bits per dimension", cases=_bits_cases, what="nats per image and pixel counts",
          mistakes={
              "bits, not nats: divide by ln 2 as well (log2 x = ln x / ln 2)": lambda nats, dims: nats / dims,
              "a bit is log base 2, not base 10: divide by ln 2": lambda nats, dims: nats / (dims * math.log(10)),
              "per pixel: divide by the number of pixels too": lambda nats, dims: nats / math.log(2),
              "divide by ln 2, do not multiply": lambda nats, dims: nats * math.log(2) / dims,
          })
def bits_per_dimension(nats, dims):
    return nats / (dims * math.log(2))


def _iwae_cases():
    rng = np.random.default_rng(0)
    return [(rng.normal(-100, 3, size=(10, 4)),), (rng.normal(-800, 20, size=(50, 3)),), (rng.normal(0, 1, size=(1, 5)),)]


@exercise("importance-weighted bound", cases=_iwae_cases, what="log-weights of shape (k, n), some near -800",
          mistakes={
              "that is the ELBO (the mean of the log-weights); L_k is the log of the mean of the weights":
                  lambda lw: lw.mean(0),
              "divide the sum by k: subtract log k after the log-sum-exp": lambda lw: logsumexp(lw, axis=0),
              "the k draws are the rows: reduce over axis 0, one bound per image (column)":
                  lambda lw: logsumexp(lw, axis=1) - math.log(lw.shape[1]),
              "exp of -800 underflows to 0: use logsumexp (subtract the largest log-weight first)":
                  lambda lw: np.log(np.exp(lw).mean(0)),
          })
def _iwae_bound(log_w):
    return logsumexp(log_w, axis=0) - math.log(log_w.shape[0])


def _fd_cases():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(40, 3)) @ np.array([[1.0, 0.3, 0.0], [0.0, 2.0, 0.5], [0.0, 0.0, 0.7]])
    b = rng.normal(1.0, 1.5, size=(30, 3))
    c = rng.normal(size=(25, 5))
    d = rng.normal(size=(25, 5)) * np.array([0.2, 1.0, 3.0, 1.0, 0.5]) + 0.3
    return [(a, b), (c, d), (a[:, :2], b[:, :2] * 0.1)]


def _fd(a, b, bias=False, two=2.0, trace=True):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False, bias=bias), np.cov(b, rowvar=False, bias=bias)
    covmean = linalg.sqrtm(s1 @ s2).real
    return float(np.sum((mu1 - mu2) ** 2) + (np.trace(s1 + s2 - two * covmean) if trace else 0.0))


@exercise("Fréchet distance", cases=_fd_cases, rtol=1e-6, what="samples whose means, spreads and shapes differ",
          mistakes={
              "the trace term is missing: FD compares the covariances too, not only the means":
                  lambda a, b: _fd(a, b, trace=False),
              "the cross term is -2 (S1 S2)^1/2: a factor 2 is missing": lambda a, b: _fd(a, b, two=1.0),
              "FD is the squared distance: do not take its square root": lambda a, b: math.sqrt(_fd(a, b)),
              "use the unbiased covariance (np.cov's default, divide by n - 1), not bias=True":
                  lambda a, b: _fd(a, b, bias=True),
              "(S1 S2)^1/2 is a matrix square root (scipy.linalg.sqrtm), not the square root of each entry":
                  lambda a, b: float(np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(
                      np.cov(a, rowvar=False) + np.cov(b, rowvar=False)
                      - 2 * np.sqrt(np.abs(np.cov(a, rowvar=False) @ np.cov(b, rowvar=False))))),
          })
def _frechet_distance(a, b):
    return _fd(a, b)


def _c2st_reference(a, b, seed):
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier

    z, label = np.concatenate([a, b]), np.r_[np.zeros(len(a)), np.ones(len(b))]
    z_fit, z_score, l_fit, l_score = train_test_split(z, label, test_size=0.5, stratify=label, random_state=seed)
    return float((KNeighborsClassifier(n_neighbors=1).fit(z_fit, l_fit).predict(z_score) == l_score).mean())


def _on_training_half(a, b, seed):
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier

    z, label = np.concatenate([a, b]), np.r_[np.zeros(len(a)), np.ones(len(b))]
    z_fit, _, l_fit, _ = train_test_split(z, label, test_size=0.5, stratify=label, random_state=seed)
    return float((KNeighborsClassifier(n_neighbors=1).fit(z_fit, l_fit).predict(z_fit) == l_fit).mean())


def _judge_c2st(answer):
    rng = np.random.default_rng(7)
    sep = [answer(rng.normal(size=(200, 2)), rng.normal(3.0, 1.0, size=(200, 2)), s) for s in range(3)]
    if np.mean(sep) < 0.2:
        raise Wrong("return the accuracy (the share of correct labels), not the error rate")
    if np.mean(sep) < 0.9:
        raise Wrong("on two clearly separate samples the accuracy should be above 90 %: check the labels "
                    "(0 for a, 1 for b) and that the classifier sees the points")
    high_dim = [answer(rng.normal(size=(60, 50)), rng.normal(size=(60, 50)), s) for s in range(6)]
    if np.mean(high_dim) > 0.7:
        raise Wrong("on equal samples the accuracy is near 1/2 only on data the classifier did not fit: "
                    "score it on the other half of the split, not on its training half")
    null = [answer(rng.normal(size=(300, 3)), rng.normal(size=(300, 3)), s) for s in range(3)]
    if abs(np.mean(null) - 0.5) > 0.1:
        raise Wrong("on two samples of one distribution no classifier beats a coin on held-out data: "
                    "the accuracy should be near 1/2")
    return "Held-out accuracy above 90 % on separate samples, near 1/2 on equal ones, even in 50 dimensions."


@exercise("classifier two-sample test", judge=_judge_c2st,
          mistakes={
              "score it on the other half of the split, not on its training half": _on_training_half,
              "return the accuracy (the share of correct labels), not the error rate":
                  lambda a, b, s: 1 - _c2st_reference(a, b, s),
          })
def _c2st(a, b, seed):
    return _c2st_reference(a, b, seed)
