"""Answer keys of lecture 03 (MLE and MAP): references, the inputs the checks try, the classic mistakes."""
from __future__ import annotations

import numpy as np
import scipy.optimize as opt
import scipy.stats as st
from sklearn.linear_model import Lasso, Ridge

from ..exercises import Wrong, exercise

# --- the Gaussian negative log-likelihood with a log-variance ----------------------------------------


def _nll(x, mu, lv, half=0.5, two_pi=np.log(2 * np.pi), var=np.exp, reduce=np.sum):
    x = np.asarray(x, dtype=float)
    return reduce(half * (two_pi + lv) + 0.5 * (x - mu) ** 2 / var(lv))


@exercise("Gaussian NLL", what="summed over the points, with every constant",
          cases=lambda: [(np.array([1.0, 2.0, 4.0]), 0.5, 1.3), (np.array([-1.0, 0.3]), 0.0, -0.7),
                         (np.array([3.0]), 1.0, 2.2)],
          mistakes={
              "the normalising term is +1/2 log(2 pi sigma^2) per point: you lost the 1/2.":
                  lambda x, mu, lv: _nll(x, mu, lv, half=1.0),
              "the constant 1/2 log(2 pi) per point is missing. It does not move the minimum, but it is part "
              "of the likelihood.":
                  lambda x, mu, lv: _nll(x, mu, lv, two_pi=0.0),
              "exp(log_var) is the variance sigma^2; the squared error is divided by the variance, not by the "
              "std exp(log_var / 2).":
                  lambda x, mu, lv: _nll(x, mu, lv, var=lambda v: np.exp(0.5 * v)),
              "the log-likelihood of a sample is a sum over the points, not a mean.":
                  lambda x, mu, lv: _nll(x, mu, lv, reduce=np.mean),
              "check the sign: that is the log-likelihood; the negative log-likelihood is its opposite.":
                  lambda x, mu, lv: -_nll(x, mu, lv),
          })
def gaussian_nll(x, mu, log_var):
    return -st.norm.logpdf(x, mu, np.exp(0.5 * log_var)).sum()


# --- MAP with a prior centred at m ------------------------------------------------------------------


def _features(x, degree):
    return x[:, None] ** np.arange(degree + 1)


def _ridge_around(lam_of, centre=True):
    # sklearn oracle: with v = w - m, MAP is plain ridge on the residual target y - Phi m
    def solve(Phi, y, s, t, m):
        shift = m if centre else np.zeros_like(m)
        fit = Ridge(alpha=lam_of(s, t), fit_intercept=False).fit(Phi, y - Phi @ shift)
        return fit.coef_ + shift
    return solve


def _prior_mean_cases():
    rng = np.random.default_rng(123)
    cases = []
    for n, d, s, t in ((12, 3, 0.5, 0.4), (6, 5, 1.0, 0.3), (20, 2, 2.0, 0.8)):
        x = rng.uniform(-1, 1, n)
        cases.append((_features(x, d), np.cos(2 * x) + 0.1 * rng.normal(size=n), s, t, rng.normal(size=d + 1)))
    return cases


_map_prior_mean = _ridge_around(lambda s, t: s ** 2 / t ** 2)
exercise("MAP with a prior mean", what="polynomial features, priors centred away from 0",
         cases=_prior_mean_cases,
         mistakes={
             "lambda is sigma^2 / tau^2 (noise variance over prior variance), not tau^2 / sigma^2.":
                 _ridge_around(lambda s, t: t ** 2 / s ** 2),
             "lambda is a ratio of variances: sigma**2 / tau**2, not sigma / tau.":
                 _ridge_around(lambda s, t: s / t),
             "the prior pulls towards m, not towards 0: the gradient of ||w - m||^2 / (2 tau^2) adds lambda * m "
             "on the right.":
                 _ridge_around(lambda s, t: s ** 2 / t ** 2, centre=False),
             "the prior is missing: that is the MLE (least squares), not the MAP.":
                 lambda Phi, y, s, t, m: np.linalg.lstsq(Phi, y, rcond=None)[0],
             "the 1/2 of both terms cancels: lambda = sigma^2 / tau^2, not sigma^2 / (2 tau^2).":
                 _ridge_around(lambda s, t: s ** 2 / (2 * t ** 2)),
         })(_map_prior_mean)


# --- a die with a Dirichlet prior ---------------------------------------------------------------------


def _dirichlet_mode(counts, alpha):
    # oracle: maximise scipy's Dirichlet log-density over the simplex (softmax of free logits)
    conc = np.asarray(counts, dtype=float) + np.asarray(alpha, dtype=float)

    def soft(z):
        return np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    z = opt.minimize(lambda z: -st.dirichlet.logpdf(soft(z), conc), np.zeros(len(conc)), method="BFGS",
                     options={"gtol": 1e-11}).x
    return soft(z)


exercise("Dirichlet MAP", what="the mode of scipy's Dirichlet posterior, found numerically",
         cases=lambda: [([3, 0, 1], [2.0, 2.0, 2.0]), ([10, 4, 7, 1], [1.5, 3.0, 2.0, 4.0]), ([0, 5], [3.0, 1.5])],
         mistakes={
             "that is the posterior mean (n_k + alpha_k) / (n + sum alpha); the MAP is the posterior's mode.":
                 lambda c, a: (np.add(c, a)) / (np.sum(c) + np.sum(a)),
             "that is the MLE n_k / n: the prior is missing.":
                 lambda c, a: np.asarray(c, dtype=float) / np.sum(c),
             "the denominator subtracts 1 per outcome (K in all), not 2 as for the coin: check that your answer "
             "sums to 1.":
                 lambda c, a: (np.add(c, a) - 1) / (np.sum(c) + np.sum(a) - 2),
         }, rtol=1e-5, atol=1e-6)(_dirichlet_mode)


# --- derivation: the MAP of a Poisson rate under a Gamma prior ----------------------------------------


def _poisson_cases():
    return [(np.array([3, 5, 2, 4]), 2.0, 1.0), (np.array([0, 1, 0]), 3.0, 0.5), (np.array([7]), 1.5, 2.0),
            (np.array([10, 12, 9, 11, 8]), 5.0, 0.2)]


@exercise("Poisson rate MAP", what="against the maximum of scipy's log-likelihood + log-prior",
          cases=_poisson_cases,
          mistakes={
              "that is the posterior mean (sum x + a) / (n + b); the MAP is the posterior's mode, "
              "(sum x + a - 1) / (n + b).":
                  lambda x, a, b: (np.sum(x) + a) / (len(x) + b),
              "that is the MLE, the sample mean: the prior is missing.":
                  lambda x, a, b: np.mean(x),
              "b is a rate: the Gamma(a, b) density is proportional to lam^(a-1) exp(-b lam), so b adds to n "
              "(you used the scale 1/b).":
                  lambda x, a, b: (np.sum(x) + a - 1) / (len(x) + 1 / b),
              "the likelihood is a product over the n observations: the rate's coefficient is n + b, not 1 + b.":
                  lambda x, a, b: (np.sum(x) + a - 1) / (1 + b),
              "that divides the mean count, not the total: the numerator is sum x + a - 1.":
                  lambda x, a, b: (np.mean(x) + a - 1) / (len(x) + b),
          })
def poisson_rate_map(x, a, b):
    # the numbers: maximise scipy's Poisson log-likelihood plus its Gamma(a, rate b) log-prior
    x = np.asarray(x)

    def neg(log_lam):
        lam = np.exp(log_lam)
        return -(st.poisson.logpmf(x, lam).sum() + st.gamma.logpdf(lam, a, scale=1 / b))
    res = opt.minimize_scalar(neg, bounds=(-10, 6), method="bounded", options={"xatol": 1e-12})
    return float(np.exp(res.x))


# --- the lasso by proximal gradient, judged ------------------------------------------------------------


def _lasso_problem():
    rng = np.random.default_rng(2024)
    n, w_true = 80, np.r_[1.5, -2.0, 0.0, 0.0, 0.8, np.zeros(5)]
    X = rng.normal(size=(n, len(w_true))) * np.linspace(0.6, 1.6, len(w_true))   # unequal column scales
    y = X @ w_true + 0.5 * rng.normal(size=n)
    return X, y, 0.1


def _soft(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)


def _ista(X, y, alpha, steps=3000, *, thresh="soft", by_step=True, mean=True):
    n = len(y) if mean else 1
    step = 1.0 / np.linalg.eigvalsh(X.T @ X / n).max()
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        v = w - step * X.T @ (X @ w - y) / n
        t = step * alpha if by_step else alpha
        w = _soft(v, t) if thresh == "soft" else np.where(np.abs(v) > t, v, 0.0)
    return w


def lasso_proximal(X, y, alpha):
    """argmin 1/(2n) ||y - X w||^2 + alpha ||w||_1 by proximal gradient descent (ISTA)."""
    return _ista(X, y, alpha)


HARD = ("the nonzero weights are not shrunk: that is hard thresholding (keep or kill). The proximal step of "
        "alpha |w| is the SOFT threshold sign(v) max(|v| - t, 0)")
NO_STEP = ("too many weights are zero: the threshold is too large. The proximal step of alpha |w| after a "
           "gradient step of size eta thresholds at eta * alpha, not alpha")
NO_MEAN = ("too few weights are zero: sklearn's Lasso has the squared loss 1/(2n) ||y - X w||^2; without the "
           "1/n the penalty counts n times less")


def judge_lasso(fit):
    X, y, alpha = _lasso_problem()
    n = len(y)
    w = np.asarray(fit(X, y, alpha), dtype=float)
    if w.shape != (X.shape[1],):
        raise Wrong(f"return the weight vector, of shape ({X.shape[1]},), not {w.shape}.")
    if not np.all(np.isfinite(w)):
        raise Wrong("the weights blew up: the gradient step must be at most 1/L, with L the largest eigenvalue "
                    "of X^T X / n.")
    sk = Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y).coef_
    if np.allclose(w, sk, rtol=0, atol=1e-5) and np.array_equal(w == 0, sk == 0):
        nz = int(np.sum(w != 0))
        return (f"Your weights equal scikit-learn's Lasso(alpha = {alpha:g}) to 1e-5, with the same "
                f"{len(w) - nz} weights exactly 0 of {len(w)}.")
    # Read the answer's optimality condition: on the support, the gradient of the loss is -alpha' sign(w)
    grad = X.T @ (X @ w - y) / n
    on = w != 0
    implied = np.median(-grad[on] * np.sign(w[on])) if on.any() else np.inf
    zeros, sk_zeros = int((~on).sum()), int(np.sum(sk == 0))
    if on.any() and implied > 1.5 * alpha:
        raise Wrong(f"{NO_STEP} ({zeros} zeros, scikit-learn has {sk_zeros}).")
    if zeros < sk_zeros and implied < 0.5 * alpha:
        raise Wrong(f"{NO_MEAN} ({zeros} zeros, scikit-learn has {sk_zeros}).")
    if on.any() and abs(implied) < 0.05 * alpha:
        raise Wrong(f"{HARD}.")
    worst = int(np.argmax(np.abs(w - sk)))
    raise Wrong(f"not scikit-learn's lasso yet: weight {worst} is {w[worst]:.4g}, Lasso gives {sk[worst]:.4g}. "
                f"More steps? Is the step 1/L, with L the largest eigenvalue of X^T X / n?")


exercise("lasso by proximal gradient", judge=judge_lasso, mistakes={
    HARD: lambda X, y, alpha: _ista(X, y, alpha, thresh="hard"),
    NO_STEP: lambda X, y, alpha: _ista(X, y, alpha, by_step=False),
    NO_MEAN: lambda X, y, alpha: _ista(X, y, alpha, mean=False),
})(lasso_proximal)
