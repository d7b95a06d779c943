"""Mutants of lecture 08's measures; each must be killed by a claim or an exercise check.

    python -m tests.mutants 08_evaluation
"""
from tests.mutants import Mutant

# Every mutant here is killed by a check against an oracle or a closed form, which needs no trained
# model: the smallest budget the lecture accepts kills each in a quarter of the default's time
# (the file's PARAMS: every mutant gets them, so they share one run up to their cells).
PARAMS = (("EPOCHS", 1), ("K_MAX", 10), ("N_SAMPLES", 300))

MUTANTS = [
    # Section 1: L_k is the log of the *mean* of the k weights, so log k is subtracted.
    Mutant("the importance-weighted bound without its - log k (a sum of weights, not a mean)",
           "return logsumexp(log_w, axis=0) - np.log(len(log_w))",
           "return logsumexp(log_w, axis=0)"),
    # Section 1: bits per pixel divide nats by ln 2 as well as by the pixel count.
    Mutant("bits per pixel in nats (no division by ln 2)",
           "return nats / dims / math.log(2)",
           "return nats / dims"),
    # Section 2: the Fréchet distance compares covariances through its trace term.
    Mutant("the Fréchet distance without its trace term (means only)",
           "return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))",
           "return float(np.sum((mu1 - mu2) ** 2))"),
    # Section 2: the cross term of the kernel distance counts twice.
    Mutant("the kernel distance with the cross term once instead of twice",
           "            - 2 * k(a, b).mean())",
           "            - k(a, b).mean())"),
    # Section 2: precision asks where the samples fall, recall where the data fall.
    Mutant("precision and recall swapped",
           "    return precision, recall",
           "    return recall, precision"),
    # Section 2: a classifier two-sample test is scored on the half it did not fit.
    Mutant("the C2ST scored on its training split",
           "return float((clf_nn.predict(z_score) == l_score).mean()), len(l_score)",
           "return float((clf_nn.predict(z_fit) == l_fit).mean()), len(l_score)"),
    # Section 4: reverse KL weighs the log-ratio by q, not by p.
    Mutant("reverse KL computed as forward KL",
           "return np.sum(q * np.log(q / p)) * dx",
           "return np.sum(p * np.log(p / q)) * dx"),
]
