"""Mutants of lecture 07's central formulas; each must be killed by a claim or an exercise check.

    python -m tests.mutants 07_wgan
"""
from tests.mutants import Mutant

MUTANTS = [
    # Section 3: JS averages the two KLs to the *mixture* m = (p + q) / 2.
    Mutant("JS against p + q instead of the mixture (p + q) / 2",
           "    m = (p + q) / 2\n",
           "    m = p + q\n"),
    # Section 4: W1's transport cost is the distance |x_i - x_j|, not its square.
    Mutant("the transport LP with squared distances (W2 squared, not W1)",
           "cost = np.abs(x[:, None] - x[None, :]).ravel()",
           "cost = ((x[:, None] - x[None, :]) ** 2).ravel()"),
    # Section 7: the critic maximises E_real f - E_fake f, so it minimises the negative.
    Mutant("the critic loss with the wrong sign (the critic maximises E_fake f - E_real f)",
           "return f_fake.mean() - f_real.mean()",
           "return f_real.mean() - f_fake.mean()", module="genlib/models.py"),
    # Section 7: weight clipping keeps every weight in [-c, c].
    Mutant("weight clipping ten times looser than c",
           "w.clamp_(-c, c)",
           "w.clamp_(-10 * c, 10 * c)"),
    # Section 8: the gradient penalty takes one norm per point, over its coordinates.
    Mutant("the gradient penalty's norm over the batch axis instead of each point's coordinates",
           "slopes = grad.norm(dim=1)",
           "slopes = grad.norm(dim=0)", module="genlib/models.py"),
    # Section 8: the penalty is taken at interpolates between real and fake points.
    Mutant("the gradient penalty at the real points only (no interpolation)",
           "eps = torch.rand(real.shape[0], 1)",
           "eps = torch.ones(real.shape[0], 1)", module="genlib/models.py"),
    # Exercise 1: W1 on a line is the area between the CDFs, |F_p - F_q| integrated.
    Mutant("W1 on a line without the absolute value (the signed areas cancel where the CDFs cross)",
           "return np.sum(np.abs(F_x - F_y) * np.diff(t))",
           "return np.sum((F_x - F_y) * np.diff(t))"),
    # Exercise 3: the penalty must stay in the graph, or it never shapes the critic.
    Mutant("the exercise's gradient penalty without create_graph (a constant to the optimiser)",
           "(grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)\n    return",
           "(grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat)\n    return"),
    # Section 9: the generator descends the critic's estimate (it maximises E f(G(z))).
    Mutant("the 1-D generator loss with the wrong sign (it runs away from the data)",
           "loss_g = -f(G(torch.randn(batch, 1))).mean()",
           "loss_g = f(G(torch.randn(batch, 1))).mean()"),
    # Section 9: the critic's estimate is E_real f - E_fake f.
    Mutant("the 1-D critic's estimate logged with the wrong sign",
           'log["critic"].append((f(xr).mean() - f(xf).mean()).item())',
           'log["critic"].append((f(xf).mean() - f(xr).mean()).item())'),
    # Exercise 2: the optimal 1-D plan matches the sorted samples.
    Mutant("W1 between samples without sorting (a random pairing)",
           "return np.mean(np.abs(np.sort(x) - np.sort(y)))",
           "return np.mean(np.abs(x - y))"),
    # Section 10: the comparison is fair only against a tuned GAN; at a quarter of its rate it is a straw man.
    Mutant("the GAN of the mode study at a quarter of its tuned learning rate",
           'budget[data, "nonsaturating"] = dict(steps=P.N_CRITIC * n, n_critic=1, lr=P.GAN_LR)',
           'budget[data, "nonsaturating"] = dict(steps=P.N_CRITIC * n, n_critic=1, lr=P.GAN_LR / 4)'),
]
