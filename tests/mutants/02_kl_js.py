"""Mutants of lecture 02 (KL and JS): each must be stopped by a claim or an exercise check."""
from . import Mutant

MUTANTS = [
    Mutant("KL with its sign flipped",
           "    return cross_entropy(p, q) - entropy(p)\n",
           "    return entropy(p) - cross_entropy(p, q)\n"),
    Mutant("KL with its arguments swapped",
           "    return cross_entropy(p, q) - entropy(p)\n",
           "    return cross_entropy(q, p) - entropy(q)\n"),
    Mutant("JS without the 1/2",
           "return kl(p, mix) / 2 + kl(q, mix) / 2",
           "return kl(p, mix) + kl(q, mix)"),
    Mutant("JS against each other instead of the mixture (the symmetrised KL)",
           "return kl(p, mix) / 2 + kl(q, mix) / 2",
           "return kl(p, q) / 2 + kl(q, p) / 2"),
    Mutant("TV without the 1/2",
           "return 0.5 * np.sum(np.abs(p - q), axis=-1)",
           "return np.sum(np.abs(p - q), axis=-1)"),
    Mutant("the fits minimise the other direction of the KL",
           'loss = kl_cells(log_p, log_q) if direction == "forward" else kl_cells(log_q, log_p)',
           'loss = kl_cells(log_q, log_p) if direction == "forward" else kl_cells(log_p, log_q)'),
]
