"""Answer keys of lecture 06 (GANs): the discriminator's loss, the optimal discriminator
(derived by the student) and the non-saturating generator loss. The two training steps,
judged by training a GAN on the ring of 8 Gaussians, are in ``l06_gan_training``.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from scipy import optimize

from .. import gan, metrics, toy
from ..check import measured
from ..exercises import Wrong, exercise
from ..runtime import as_numpy, one_thread


# --------------------------------------------------------------------------- the discriminator's loss

def _prob_cases():
    r = np.random.default_rng(1)
    # batches of different sizes, so that a sum, or one mean over both batches, differs from the answer
    return [(r.uniform(0.05, 0.95, 8), r.uniform(0.05, 0.95, 6)) for _ in range(3)]


def _bce(p, label):
    return F.binary_cross_entropy(torch.tensor(p, dtype=torch.float64),
                                  torch.full((len(p),), float(label), dtype=torch.float64)).item()


@exercise("discriminator loss", cases=_prob_cases, what="D's outputs on batches of 8 real and 6 fake samples",
          mistakes={
              "the sign: the discriminator maximises V, so the loss it minimises is -V.":
                  lambda dr, df: np.mean(np.log(dr)) + np.mean(np.log(1 - df)),
              "real and fake are swapped: real samples get label 1 (log D), fakes label 0 (log(1 - D)).":
                  lambda dr, df: -(np.mean(np.log(df)) + np.mean(np.log(1 - dr))),
              "use the mean over each batch, not the sum.":
                  lambda dr, df: -(np.sum(np.log(dr)) + np.sum(np.log(1 - df))),
              "the two terms are two expectations: average each batch on its own (one mean over both "
              "batches weights them by their sizes).":
                  lambda dr, df: -np.mean(np.concatenate([np.log(dr), np.log(1 - df)])),
              "the fake term is log(1 - D(G(z))), not -log D(G(z)) (that is the generator's trick).":
                  lambda dr, df: -np.mean(np.log(dr)) + np.mean(np.log(df)),
              "the logs are missing: V averages log D(x) and log(1 - D(G(z))), not the probabilities.":
                  lambda dr, df: -(np.mean(dr) + np.mean(1 - df)),
          })
def discriminator_loss(d_real, d_fake):
    """-V(D, G): the binary cross-entropy with labels real = 1, fake = 0 (torch as the oracle)."""
    return _bce(d_real, 1) + _bce(d_fake, 0)


# --------------------------------------------------------------------------- D*, derived by the student

def _density_cases():
    r = np.random.default_rng(0)
    cases = [(r.uniform(0.01, 2, 7), r.uniform(0.01, 2, 7)) for _ in range(2)]
    # where only one of the two puts mass the maximiser sits at an end: D* = 0 or 1
    cases.append((np.array([0.0, 0.3, 1.2]), np.array([0.8, 0.0, 0.4])))
    return cases


@exercise("optimal discriminator", cases=_density_cases, rtol=1e-4, atol=1e-6,
          what="each value maximises p_data log D + p_g log(1 - D) numerically (scipy)",
          mistakes={
              "that is p_g / (p_data + p_g), the probability of 'fake'; D outputs the probability of 'real'.":
                  lambda a, b: b / (a + b),
              "a ratio of densities is not a probability: divide by the sum p_data + p_g.":
                  lambda a, b: np.divide(a, b, out=np.full(np.shape(a), np.inf), where=b > 0),
              "without the logs the objective p_data D + p_g (1 - D) is linear in D and its maximum sits at "
              "an end (D = 1 where p_data > p_g); keep the logs: set the derivative "
              "p_data / D - p_g / (1 - D) to zero.":
                  lambda a, b: (a > b).astype(float),
              "D* is not 1/2 in general: only where p_g = p_data.":
                  lambda a, b: np.full_like(a, 0.5),
          })
def optimal_discriminator(p_data_x, p_g_x):
    """The y in [0, 1] maximising a log y + b log(1 - y), found numerically point by point (scipy)."""
    a, b = np.broadcast_arrays(np.asarray(p_data_x, dtype=float), np.asarray(p_g_x, dtype=float))
    out = np.empty(a.shape)
    for i, (ai, bi) in enumerate(zip(a.ravel(), b.ravel())):
        def neg(y, ai=ai, bi=bi):
            return -(ai * np.log(y) + bi * np.log1p(-y))
        out.ravel()[i] = optimize.minimize_scalar(neg, bounds=(1e-12, 1 - 1e-12), method="bounded",
                                                  options={"xatol": 1e-12}).x
    return out


# --------------------------------------------------------------------------- the non-saturating G loss

def _logit_cases():
    return [(torch.tensor(np.random.default_rng(0).normal(0, 3, 16)),),
            (torch.tensor(np.random.default_rng(1).normal(0, 3, 11)),),
            # float32 and a very negative logit: -log(sigmoid(l)) overflows to inf there, softplus(-l) does not
            (torch.tensor([-120.0, -3.0, 0.0, 5.0]),)]


@exercise("non-saturating generator loss", cases=_logit_cases, what="logits from -120 to 9, float64 and float32",
          rtol=1e-5, atol=1e-6,
          mistakes={
              "that is the saturating loss log(1 - D): it goes flat when D rejects the fakes.":
                  lambda l: torch.log1p(-torch.sigmoid(l)).mean(),
              "the sign: the generator wants D(G(z)) close to 1, so it minimises -log D.":
                  lambda l: -F.softplus(-l).mean(),
              "the generator's target is 'real' (label 1): -log(1 - D) pushes its samples towards 'fake'.":
                  lambda l: F.softplus(l).mean(),
              "the logits are not probabilities: apply the sigmoid (inside softplus(-l)).":
                  lambda l: -torch.log(l.clamp_min(1e-300)).mean(),
              "the sigmoid is applied twice: softplus(-l) already means -log sigmoid(l).":
                  lambda l: F.softplus(-torch.sigmoid(l)).mean(),
              "-log(sigmoid(l)) overflows where sigmoid(l) rounds to 0 (a very negative logit): "
              "write it as softplus(-l).":
                  lambda l: -torch.log(torch.sigmoid(l)).mean(),
              "use the mean over the batch, not the sum.":
                  lambda l: F.softplus(-l).sum(),
          })
def generator_loss_nonsaturating(logits):
    """-E log D(G(z)) from D's logits: torch's binary cross-entropy with label 1."""
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
