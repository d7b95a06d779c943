"""Mutants of lecture 06's central formulas; each must be killed by a claim or an exercise check.

    python -m tests.mutants 06_gan
"""
from tests.mutants import Mutant

MUTANTS = [
    # Section 2: V(D, G) = E log D(x) + E log(1 - D(G(z))).
    Mutant("V(D, G) with log D(G(z)) where log(1 - D(G(z))) goes",
           "return np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake))",
           "return np.mean(np.log(d_real)) + np.mean(np.log(d_fake))"),
    # Exercise 1: the discriminator's loss is -V, with a mean over each batch.
    Mutant("exercise 1's loss with sums where the means go",
           "return -(np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake)))",
           "return -(np.sum(np.log(d_real)) + np.sum(np.log(1 - d_fake)))"),
    # Exercise 2: D* from the two densities, derived by the student.
    Mutant("exercise 2's D* as a ratio of densities",
           "return p_data_x / (p_data_x + p_g_x)",
           "return p_data_x / p_g_x"),
    # Section 3: the optimal discriminator is p_data / (p_data + p_g).
    Mutant("D* inverted: the probability of 'fake', p_g / (p_data + p_g)",
           "    return p_data / (p_data + p_g)",
           "    return p_g / (p_data + p_g)"),
    # Section 3: the discriminator's loss is -V; real samples get label 1.
    Mutant("the discriminator trained with the labels swapped (real = 0, fake = 1)",
           "return F.softplus(-logit_real).mean() + F.softplus(logit_fake).mean()",
           "return F.softplus(logit_real).mean() + F.softplus(-logit_fake).mean()"),
    # Section 4: V(G, D*) integrates p_g log(p_g / (p_data + p_g)).
    Mutant("V(G, D*) with log D* in the generator's term where log(1 - D*) goes",
           "out += b * np.log(b / (a + b))",
           "out += b * np.log(a / (a + b))"),
    # Section 5: the saturating loss is log(1 - D), whose gradient through the logit is -D.
    Mutant("the saturating loss written as the non-saturating one",
           '[("saturating", lambda t: torch.log(1 - torch.sigmoid(t))),',
           '[("saturating", lambda t: -torch.log(torch.sigmoid(t))),'),
    # Exercise 3: the non-saturating loss from logits, softplus(-l).
    Mutant("exercise 3's loss as the saturating log(1 - D)",
           "    return F.softplus(-logits).mean()",
           "    return -F.softplus(logits).mean()"),
    # Section 5: against a frozen D*, the non-saturating loss follows KL(p_g || p_data) - 2 JS.
    Mutant("the non-saturating loss paired with the forward KL(p_data || p_g)",
           '"KL(p_g || p_data) - 2 JS": lambda s, c: (kl_grid(p_g_moved(s, c), pd_fine, dx)',
           '"KL(p_g || p_data) - 2 JS": lambda s, c: (kl_grid(pd_fine, p_g_moved(s, c), dx)'),
    Mutant("JS on the grid without its halves",
           "return 0.5 * kl_grid(p, m, dx) + 0.5 * kl_grid(q, m, dx)",
           "return kl_grid(p, m, dx) + kl_grid(q, m, dx)"),
]
MUTANTS += [
    # Section 6: a mode is lost when it receives no high-quality sample.
    Mutant("modes captured counted as modes lost",
           "lost = {setup: (c == 0).sum(1) for setup, c in counts.items()}",
           "lost = {setup: (c > 0).sum(1) for setup, c in counts.items()}"),
    # Exercise 4: the generator's step with the non-saturating loss, the discriminator's with real = 1.
    Mutant("exercise 4's generator step with the saturating loss",
           "loss = F.softplus(-D(G(z))).mean()  # -log D(G(z)), the non-saturating loss",
           "loss = -F.softplus(D(G(z))).mean()  # -log D(G(z)), the non-saturating loss"),
    Mutant("exercise 4's discriminator step without detaching the fakes",
           "        fake = G(z)  # no gradient back into G",
           "        fake = G(z)  # no gradient back into G\n    fake = G(z)"),
    # Section 5: log(1 - D) and -log D send gradients in the ratio D / (1 - D).
    Mutant("the gradient study's saturating loss written as the non-saturating one",
           '("saturating", lambda l: -F.softplus(l).mean()),  # log(1 - sigmoid(l))',
           '("saturating", lambda l: F.softplus(-l).mean()),  # log(1 - sigmoid(l))'),
    # Section 5: only the non-saturating generator moves away from its start.
    Mutant("the 1-D training with the saturating loss for both generators",
           '("non-saturating", lambda l: F.softplus(-l).mean())]}',
           '("non-saturating", lambda l: -F.softplus(l).mean())]}'),
    # Section 6: the grid GAN has learnt (its samples are far closer to the data than at the start).
    Mutant("the grid GAN left untrained (one step where STEPS go)",
           "grid_gan.step(P.STEPS)",
           "grid_gan.step(1)"),
]
