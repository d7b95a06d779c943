"""Answer keys of lecture 05 (VAEs): the gap log p(x) - ELBO of the linear-Gaussian model, the KL between
two Gaussians, the KL to N(0, I), the reparameterised sample, the negative ELBO, and a VAE trained with the
student's loss (judged: the check trains it)."""
import math

import numpy as np

from ..check import measured
from ..exercises import Wrong, exercise

# ----------------------------------------------------------------------------- the gap log p(x) - ELBO
# The model of section 2: z ~ N(0, 1), x | z ~ N(w z + b, s^2); q = N(m, t^2).


def _posterior(w, b, s, x0):
    var = 1 / (1 + w**2 / s**2)
    return var * w * (x0 - b) / s**2, var


def _kl_1d(m1, v1, m2, v2):
    """KL(N(m1, v1) || N(m2, v2)), variances."""
    return 0.5 * np.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / (2 * v2) - 0.5


def _gap_cases():
    m, t = np.array([0.0, 0.5, 1.2, -1.0]), np.array([1.0, 0.3, 0.5, 2.0])
    return [(m, t, 2.0, 0.5, 0.7, 1.8),                                       # the lecture's model
            (np.array([0.3, -0.8]), np.array([0.6, 1.5]), -1.5, 0.2, 0.4, -0.3),
            (np.array([0.1]), np.array([0.8]), 0.5, -1.0, 1.3, 2.5)]


def _wrong_reversed(m, t, w, b, s, x0):
    pm, pv = _posterior(w, b, s, x0)
    return _kl_1d(pm, pv, m, t**2)


def _wrong_s_for_s2(m, t, w, b, s, x0):
    var = 1 / (1 + w**2 / s)
    return _kl_1d(m, t**2, var * w * (x0 - b) / s**2, var)


def _wrong_no_spread(m, t, w, b, s, x0):
    pm, pv = _posterior(w, b, s, x0)
    return _kl_1d(m, t**2, pm, pv) - w**2 * t**2 / (2 * s**2)


@exercise("the gap log p(x) - ELBO", cases=_gap_cases,
          what="the lecture's model and two others, 7 Gaussians q; the reference integrates the ELBO numerically",
          mistakes={
              "the gap is KL(q || posterior), q first: the ELBO averages over q, so the KL does too":
                  _wrong_reversed,
              "log p(x) - ELBO is never negative: the ELBO is a lower bound":
                  lambda m, t, w, b, s, x0: -elbo_gap(m, t, w, b, s, x0),
              "the posterior's precision is 1 + w^2 / s^2: s is a standard deviation, square it": _wrong_s_for_s2,
              "E_q[(x0 - b - w z)^2] = (x0 - b - w m)^2 + w^2 t^2: the spread of q costs reconstruction too":
                  _wrong_no_spread,
          })
def elbo_gap(m, t, w, b, s, x0):
    """Oracle: log p(x0) = log N(x0; b, w^2 + s^2) (scipy) minus the ELBO integrated numerically (scipy.quad)."""
    from scipy import integrate, stats

    def elbo(mi, ti):
        def integrand(z):
            lq = stats.norm.logpdf(z, mi, ti)
            return math.exp(lq) * (stats.norm.logpdf(z) + stats.norm.logpdf(x0, w * z + b, s) - lq)
        return integrate.quad(integrand, mi - 12 * ti, mi + 12 * ti, epsabs=1e-12, epsrel=1e-12, limit=200)[0]

    log_px = stats.norm.logpdf(x0, b, math.sqrt(w**2 + s**2))
    return log_px - np.vectorize(elbo)(np.asarray(m, float), np.asarray(t, float))


# ----------------------------------------------------------------------------- KL between two Gaussians


def _kl2_cases():
    return [(np.array([0.0, 1.0, -2.0, 0.5]), np.array([1.0, 0.5, 2.0, 0.3]),
             np.array([0.0, -1.0, 0.5, 0.5]), np.array([2.0, 1.5, 0.7, 0.3])),
            (np.array([0.4]), np.array([3.0]), np.array([-0.2]), np.array([0.8])),
            (np.array([-1.0, 2.0]), np.array([0.2, 1.0]), np.array([1.0, 2.0]), np.array([1.0, 4.0]))]


@exercise("KL between two Gaussians", cases=_kl2_cases,
          what="9 pairs of 1-D Gaussians; the reference integrates q log(q/p) numerically",
          mistakes={
              "you computed KL(p || q): the arguments are swapped (KL is not symmetric; the expectation is over "
              "the first Gaussian, and the variance you divide by is the second's)":
                  lambda m1, s1, m2, s2: kl_two_gaussians(m2, s2, m1, s1),
              "s1 and s2 are standard deviations: the variances are s1^2 and s2^2":
                  lambda m1, s1, m2, s2: 0.5 * np.log(s2 / s1) + (s1 + (m1 - m2) ** 2) / (2 * s2) - 0.5,
              "the log term is log(s2 / s1): the entropy of the first Gaussian enters with a minus":
                  lambda m1, s1, m2, s2: np.log(s1 / s2) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5,
              "the 1/2 multiplies the variance ratio and the mean term, not the log(s2 / s1)":
                  lambda m1, s1, m2, s2: 0.5 * (np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / s2**2 - 1),
              "the means matter: E_q[(z - mu2)^2] = s1^2 + (mu1 - mu2)^2":
                  lambda m1, s1, m2, s2: np.log(s2 / s1) + s1**2 / (2 * s2**2) - 0.5,
              "divide by the variance of the second Gaussian, p: its log-density holds (z - mu2)^2 / (2 s2^2)":
                  lambda m1, s1, m2, s2: np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s1**2) - 0.5,
          })
def kl_two_gaussians(mu1, s1, mu2, s2):
    """Oracle: KL(N(mu1, s1^2) || N(mu2, s2^2)) = the integral of q log(q / p), by scipy.integrate.quad."""
    from scipy import integrate, stats

    def one(a, sa, c, sc):
        def integrand(z):
            return stats.norm.pdf(z, a, sa) * (stats.norm.logpdf(z, a, sa) - stats.norm.logpdf(z, c, sc))
        return integrate.quad(integrand, a - 14 * sa, a + 14 * sa, epsabs=1e-13, epsrel=1e-12, limit=200)[0]

    return np.vectorize(one)(*(np.asarray(v, float) for v in (mu1, s1, mu2, s2)))


# ----------------------------------------------------------------------------- the KL to N(0, I)


def _torch():
    import torch
    return torch


def _kl_cases():
    torch = _torch()
    g = torch.Generator().manual_seed(1)
    return [(torch.randn(5, 3, generator=g), torch.randn(5, 3, generator=g)) for _ in range(3)]


def _kl_prior(m, lv):
    return 0.5 * (lv.exp() + m**2 - 1 - lv).sum(-1)


@exercise("Gaussian KL", cases=_kl_cases, what="3 batches of 5 codes of 3 coordinates",
          mistakes={
              "you forgot the 1/2: it multiplies the whole sum": lambda m, lv: 2 * _kl_prior(m, lv),
              "the KL is never negative: check the sign of every term (+sigma^2 + mu^2 - 1 - log sigma^2)":
                  lambda m, lv: -_kl_prior(m, lv),
              "logvar is log sigma^2, so sigma^2 = exp(logvar), not exp(2 logvar)":
                  lambda m, lv: 0.5 * ((2 * lv).exp() + m**2 - 1 - 2 * lv).sum(-1),
              "sum over the latent coordinates, do not average them": lambda m, lv: _kl_prior(m, lv) / m.shape[-1],
          })
def _gaussian_kl(mu, logvar):
    """Reference: genlib.info.kl_normal (tested against scipy) with sigma = exp(logvar / 2), summed."""
    from ..info import kl_normal
    torch = _torch()
    return kl_normal(mu, (0.5 * logvar).exp(), torch.zeros_like(mu), torch.ones_like(mu)).sum(-1)


# ----------------------------------------------------------------------------- the reparameterised sample


def _rep_cases():
    torch = _torch()
    g = torch.Generator().manual_seed(2)
    return [tuple(torch.randn(4, 3, generator=g) for _ in range(3)) for _ in range(3)]


@exercise("reparameterised sample", cases=_rep_cases, what="3 batches of 4 codes of 3 coordinates",
          mistakes={
              "the noise is scaled by the standard deviation exp(logvar / 2), not the variance exp(logvar)":
                  lambda m, lv, e: m + lv.exp() * e,
              "logvar is a log: exponentiate it (sigma = exp(logvar / 2))": lambda m, lv, e: m + lv * e,
              "sigma = exp(logvar / 2): halve logvar, then exponentiate": lambda m, lv, e: m + 0.5 * lv * e,
              "the mean is added, not multiplied": lambda m, lv, e: m * (0.5 * lv).exp() * e,
          })
def reparameterise(mu, logvar, eps):
    return mu + logvar.exp().sqrt() * eps


# ----------------------------------------------------------------------------- the negative ELBO


def _bce(x, logits):
    torch = _torch()
    return -(x * torch.log(torch.sigmoid(logits)) + (1 - x) * torch.log(1 - torch.sigmoid(logits)))


def _nelbo_cases():
    torch = _torch()
    g = torch.Generator().manual_seed(4)
    return [(torch.rand(6, 10, generator=g), torch.randn(6, 10, generator=g),
             torch.randn(6, 2, generator=g), torch.randn(6, 2, generator=g)) for _ in range(3)]


@exercise("negative ELBO", cases=_nelbo_cases, what="3 batches of 6 images of 10 pixels, 2-D codes",
          mistakes={
              "sum the cross-entropy over pixels: a mean over pixels divides the reconstruction term by D "
              "(like a KL weight of D)": lambda x, l, m, lv: (_bce(x, l).mean(-1) + _kl_prior(m, lv)).mean(),
              "the loss is reconstruction error PLUS the KL (the ELBO subtracts the KL)":
                  lambda x, l, m, lv: (_bce(x, l).sum(-1) - _kl_prior(m, lv)).mean(),
              "you returned the ELBO; the loss to minimise is its negative":
                  lambda x, l, m, lv: -(_bce(x, l).sum(-1) + _kl_prior(m, lv)).mean(),
              "average over the batch, do not sum": lambda x, l, m, lv: (_bce(x, l).sum(-1) + _kl_prior(m, lv)).sum(),
          })
def negative_elbo(x, logits, mu, logvar):
    """Reference: the binary cross-entropy written out with sigmoid and log, plus the closed-form KL."""
    return (_bce(x, logits).sum(-1) + _kl_prior(mu, logvar)).mean()


# ----------------------------------------------------------------------------- a VAE trained with the student's loss
#
# The student writes vae_loss(model, x): encode, reparameterise, decode, and the negative ELBO of the batch
# (Bernoulli decoder, closed-form KL), averaged over the images. The judge first reads the loss on probe
# models whose decoder ignores z (so the value is exact whatever noise is drawn): it fits the loss as
# a * reconstruction + c * KL + e and names what a and c say (KL dropped, KL with the wrong sign, a mean
# over pixels, the ELBO itself). A loss that is a squared error rather than a cross-entropy is the Gaussian
# likelihood where the decoder is Bernoulli. Then it trains a small VAE on the 8x8 digits with the loss
# (seed 0, 30 epochs, a few seconds) and measures the test ELBO itself, with the closed-form KL.

ELBO_TARGET = -26.5    # nats per 8x8 test digit; the reference reaches -25.1 to -25.2 (SEED 0-3); a mean over pixels -27.2

HINT_NO_KL = "the KL term is missing"
HINT_KL_SIGN = "the KL enters with the wrong sign"
HINT_PIXEL_MEAN = "you averaged the reconstruction term over the pixels"
HINT_GAUSSIAN = "your reconstruction term is a squared error"
HINT_ELBO = "you return the ELBO itself"


def _vae_class():
    torch = _torch()
    nn = torch.nn

    class SmallVAE(nn.Module):
        """The judge's VAE: one hidden layer each way; decode returns one logit per pixel."""

        def __init__(self, D, latent=2, hidden=128):
            super().__init__()
            self.enc = nn.Sequential(nn.Linear(D, hidden), nn.ReLU())
            self.enc_mu, self.enc_logvar = nn.Linear(hidden, latent), nn.Linear(hidden, latent)
            self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, D))

        def encode(self, x):
            h = self.enc(x)
            return self.enc_mu(h), self.enc_logvar(h)

        def decode(self, z):
            return self.dec(z)
    return SmallVAE


def _probe_class():
    torch = _torch()
    nn = torch.nn

    class Probe(nn.Module):
        """Linear encoder; a decoder whose logits do not depend on z (its output is exact)."""

        def __init__(self, D, latent, g):
            super().__init__()
            self.A = nn.Parameter(0.3 * torch.randn(D, latent, generator=g, dtype=torch.float64))
            self.B = nn.Parameter(0.3 * torch.randn(D, latent, generator=g, dtype=torch.float64))
            self.bias = nn.Parameter(torch.randn(D, generator=g, dtype=torch.float64))

        def encode(self, x):
            return x @ self.A, x @ self.B - 0.5

        def decode(self, z):
            return self.bias.expand(z.shape[:-1] + self.bias.shape) + 0 * z.sum(-1, keepdim=True)
    return Probe


def _probe(loss):
    """The student's loss on 8 probes, and the reference's pieces: Bernoulli NLL, KL, squared errors."""
    torch = _torch()
    Probe = _probe_class()
    g = torch.Generator().manual_seed(7)
    rows, values = [], []
    for i in range(8):
        D, B = 12, 5
        model = Probe(D, 2, g)
        x = torch.rand(B, D, generator=g, dtype=torch.float64)
        with torch.no_grad():
            mu, logvar = model.encode(x)
            logits = model.decode(mu)
            bern = _bce(x, logits).sum(-1).mean()
            kl = _kl_prior(mu, logvar).mean()
            sse = ((x - torch.sigmoid(logits)) ** 2).sum(-1).mean()
            sse_logits = ((x - logits) ** 2).sum(-1).mean()
        value = loss(model, x)
        values.append(float(value.detach() if hasattr(value, "detach") else value))
        rows.append((float(bern), float(kl), float(sse), float(sse_logits)))
    return np.array(rows), np.array(values), D, B


def _fit(features, values):
    X = np.column_stack([features, np.ones(len(values))])
    coef = np.linalg.lstsq(X, values, rcond=None)[0]
    resid = np.abs(X @ coef - values).max()
    return coef, resid <= 1e-6 * max(1.0, np.abs(values).max())


def _near(a, b):
    return abs(a - b) <= 1e-4 * max(1.0, abs(b))


def _diagnose(loss):
    """Raise Wrong for a recognised mistake; return when the loss is the negative ELBO or unknown."""
    rows, values, D, B = _probe(loss)
    (a, c, e), clean = _fit(rows[:, :2], values)
    if clean and _near(e, 0):
        if _near(a, 1) and _near(c, 1):
            return
        if _near(a, 1) and _near(c, 0):
            raise Wrong(f"{HINT_NO_KL}: without it nothing keeps the codes near the prior, so decoded prior draws "
                        f"land in holes (lecture 4); the loss is reconstruction + KL(q(z|x) || p(z)).")
        if _near(a, 1) and _near(c, -1):
            raise Wrong(f"{HINT_KL_SIGN}: the ELBO is reconstruction MINUS the KL, so its negative, the loss, adds it; "
                        f"subtracting it rewards codes far from the prior.")
        if _near(a, 1 / D) and _near(c, 1):
            raise Wrong(f"{HINT_PIXEL_MEAN}: log p(x|z) is a sum over the pixels; a mean divides it by D, the same as "
                        f"a KL weight of D, and the codes collapse to the prior.")
        if _near(a, -1) and _near(c, -1):
            raise Wrong(f"{HINT_ELBO}: the optimiser minimises, so the loss is the negative ELBO.")
        if _near(a, B) and _near(c, B):
            raise Wrong("you summed over the batch: average the per-image negative ELBO over the images.")
        raise Wrong(f"your loss is {a:.3g} x the Bernoulli reconstruction error + {c:.3g} x the KL + {e:.3g}; the "
                    f"negative ELBO is 1 x + 1 x + 0.")
    for col in (2, 3):
        (a, c, e), clean = _fit(rows[:, [col, 1]], values)
        if clean and a > 0:
            raise Wrong(f"{HINT_GAUSSIAN}: that is the Gaussian likelihood, but this decoder is Bernoulli, its "
                        f"outputs are logits: the reconstruction term is the binary cross-entropy with logits, "
                        f"summed over the pixels.")


def _loss_of(x, logits, mu, logvar):
    torch = _torch()
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)
    return bce, 0.5 * (logvar.exp() + mu**2 - 1 - logvar).sum(-1)


def _test_elbo(model, x, samples=10):
    torch = _torch()
    with torch.no_grad():
        mu, logvar = model.encode(x)
        recon = torch.stack([-_loss_of(x, model.decode(mu + (0.5 * logvar).exp() * torch.randn_like(mu)), mu, logvar)[0]
                             for _ in range(samples)]).mean(0)
        return float((recon - _kl_prior(mu, logvar)).mean())


def _train_vae(loss, epochs=30, lr=3e-3, batch_size=64, seed=0):
    """Train the judge's VAE on the 8x8 digits with ``loss(model, x)``; return it and its test ELBO."""
    from ..data.loaders import _digits
    from ..runtime import seed_everything
    torch = _torch()
    ds = _digits(0)
    seed_everything(seed)
    model = _vae_class()(ds.dim)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for idx in torch.randperm(len(ds.x_train)).split(batch_size):
            value = loss(model, ds.x_train[idx])
            opt.zero_grad()
            value.backward()
            opt.step()
    return model, _test_elbo(model, ds.x_test)


def judge_vae_loss(loss):
    _diagnose(loss)
    _, elbo = _train_vae(loss)
    if not np.isfinite(elbo) or elbo < ELBO_TARGET:
        raise Wrong(f"trained with your loss, the VAE's test ELBO is {elbo:.1f} nats per digit; the target is "
                    f"{ELBO_TARGET:g}. Check each piece: one reparameterised sample z = mu + exp(logvar / 2) eps, "
                    f"the cross-entropy with logits summed over the pixels, the closed-form KL, a mean over the batch.")
    # the measured number on a line of its own: the verdict line is compared exactly
    return (f"Its test ELBO is above the target, {ELBO_TARGET:g} nats.\n"
            f"a VAE trained with your loss reaches a test ELBO of {measured(elbo):.1f} nats per 8x8 digit")


def _mistake(recon_weight=1.0, kl_weight=1.0, gaussian=False):
    torch = _torch()

    def loss(model, x):
        mu, logvar = model.encode(x)
        z = mu + (0.5 * logvar).exp() * torch.randn_like(mu)
        logits = model.decode(z)
        if gaussian:
            recon = ((x - torch.sigmoid(logits)) ** 2).sum(-1)
        else:
            recon = torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none")
            recon = recon.mean(-1) if recon_weight != 1.0 else recon.sum(-1)
        return (recon + kl_weight * 0.5 * (logvar.exp() + mu**2 - 1 - logvar).sum(-1)).mean()
    return loss


@exercise("a VAE trained with your loss", judge=judge_vae_loss, mistakes={
    HINT_NO_KL: _mistake(kl_weight=0.0),
    HINT_KL_SIGN: _mistake(kl_weight=-1.0),
    HINT_PIXEL_MEAN: _mistake(recon_weight=0.0),
    HINT_GAUSSIAN: _mistake(gaussian=True),
})
def vae_loss(model, x):
    """The reference: one reparameterised sample, Bernoulli cross-entropy summed over pixels, closed-form KL."""
    torch = _torch()
    mu, logvar = model.encode(x)
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    bce, kl = _loss_of(x, model.decode(z), mu, logvar)
    return (bce + kl).mean()
