"""Mutants of lecture 01 (entropy): each must be stopped by a claim or an exercise check."""
from . import Mutant

MUTANTS = [
    Mutant("the surprise in nats where bits are asked",
           "    return -np.log2(p)\n",
           "    return -np.log(p)\n"),
    Mutant("the surprise without its minus sign",
           "    return -np.log2(p)\n",
           "    return np.log2(p)\n"),
    Mutant("the entropy in nats where bits are asked",
           "return np.sum(p[nz] * np.log2(1 / p[nz]))    # sum of p(x) times the surprise log2(1/p(x))",
           "return np.sum(p[nz] * np.log(1 / p[nz]))    # sum of p(x) times the surprise log2(1/p(x))"),
    Mutant("the entropy without the 0 log 0 = 0 convention",
           "    nz = p > 0                                   # 0 log 0 = 0: skip the impossible outcomes",
           "    nz = p >= 0                                  # 0 log 0 = 0: skip the impossible outcomes"),
    Mutant("cross-entropy with its arguments swapped",
           "return np.sum(p[nz] * np.log2(1 / q[nz]))",
           "return np.sum(q[nz] * np.log2(1 / p[nz]))"),
    Mutant("the classification loss summed over the examples instead of averaged",
           "return -(onehot * torch.log(q)).sum(dim=1).mean()",
           "return -(onehot * torch.log(q)).sum(dim=1).sum()"),
    Mutant("Huffman merging the two most likely groups instead of the least likely",
           "heap = [(pi, i, [i]) for i, pi in enumerate(p) if pi > 0]",
           "heap = [(-pi, i, [i]) for i, pi in enumerate(p) if pi > 0]"),
]
