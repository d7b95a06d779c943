"""Mutants of lecture 05's central formulas; each must be killed by a claim or an exercise check.

    python -m tests.mutants 05_vae
"""
from tests.mutants import Mutant

# Every mutant runs on the 8x8 digits for 30 epochs: the lecture's formulas and claims are the same
# code for every DATASET, and its default (5,000 MNIST digits of 28x28 pixels, 20 epochs) takes
# several times as long. The claims hold on both: each was swept over SEED 0-19 (the digits at 30
# epochs were the default until 2026-12-07).
PARAMS = (("DATASET", "digits"), ("EPOCHS", 30))

MUTANTS = [
    # Section 2: E_q[(x0 - b - w z)^2] = (x0 - b - w m)^2 + w^2 t^2; the variance term is
    # what the identity log p(x) = ELBO + KL(q || posterior) needs.
    Mutant("the expected squared error without the variance of q (E[z^2] taken as m^2)",
           "((x0 - b - w * m) ** 2 + w**2 * t**2)",
           "((x0 - b - w * m) ** 2)"),
    # Section 2: the exact posterior's variance.
    Mutant("the posterior variance with s where s^2 goes",
           "post_var = 1 / (1 + w**2 / s**2)",
           "post_var = 1 / (1 + w**2 / s)"),
    # Section 3: the closed-form KL to N(0, I).
    Mutant("the Gaussian KL without its 1/2",
           "return 0.5 * (logvar.exp() + mu**2 - 1 - logvar).sum(-1)",
           "return (logvar.exp() + mu**2 - 1 - logvar).sum(-1)"),
    Mutant("the Gaussian KL without its entropy term (-log sigma^2 dropped: MAP's penalty only)",
           "return 0.5 * (logvar.exp() + mu**2 - 1 - logvar).sum(-1)",
           "return 0.5 * (logvar.exp() + mu**2 - 1).sum(-1)"),
    # Section 5: the likelihoods, summed over pixels.
    Mutant("the Bernoulli log-likelihood with the wrong sign of the logits for x = 0",
           "(1 - x) * logsig(-logits)",
           "(1 - x) * logsig(logits)"),
    Mutant("the Gaussian log-likelihood without the 1/2 of the squared error",
           "-0.5 * ((x - mean) / sigma) ** 2",
           "-((x - mean) / sigma) ** 2"),
    # Section 9: the importance-weighted bound averages the weights (log-mean-exp, not log-sum-exp).
    Mutant("the IWAE bound with a log-sum-exp where the log-mean-exp goes",
           "return (torch.logsumexp(blocks, 1) - math.log(k)).mean(0)",
           "return torch.logsumexp(blocks, 1).mean(0)"),
    # Section 7: the KL pulls the codes' mean to 0; without it (a plain autoencoder's loss) the codes drift.
    Mutant("the training loss without its KL term (beta silently 0)",
           "loss = -(recon - beta * kl).mean()",
           "loss = -recon.mean()"),
    # Section 11: the AAE's encoder must try to have its codes called prior draws.
    Mutant("the AAE's encoder step with the discriminator's label for codes (it helps D instead of fooling it)",
           "loss_g = bce(d_codes, torch.ones_like(d_codes))",
           "loss_g = bce(d_codes, torch.zeros_like(d_codes))"),
    # Section 11: the density-ratio trick reads the KL from the discriminator's logit.
    Mutant("the discriminator's probability where its logit goes",
           "kl_from_disc = disc.decision_function(",
           "kl_from_disc = disc.predict_proba("),
    # Section 7: the warp of N(0, I) onto a ring needs the normal CDF to make the angle uniform.
    Mutant("the ring's angle from the normal density instead of its CDF",
           "angle = 2 * np.pi * stats.norm.cdf(z_blob[:, 1])",
           "angle = 2 * np.pi * stats.norm.pdf(z_blob[:, 1])"),
    # Section 11: q(z) is the MEAN of the N posteriors; without the 1/N, I(x; z) exceeds the KL it is part of.
    Mutant("the aggregate posterior as the sum of the posteriors (log N forgotten)",
           "return torch.logsumexp(comp, 1) - math.log(len(mu))",
           "return torch.logsumexp(comp, 1)"),
]
