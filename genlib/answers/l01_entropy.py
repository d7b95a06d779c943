"""Answer keys of lecture 01 (entropy): references, the inputs the checks try, the classic mistakes."""
from __future__ import annotations

import heapq
import math

import numpy as np
import scipy.stats
import torch

from .. import info
from ..exercises import Wrong, exercise
from ..runtime import as_numpy

# --- entropy in bits ------------------------------------------------------------------------------


def _naive_plogp(p, log):
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(np.asarray(p, dtype=float) * log(np.asarray(p, dtype=float)))


@exercise("entropy in bits", what="including outcomes of probability 0",
          cases=lambda: [np.array([0.5, 0.5]), np.array([0.7, 0.2, 0.1]), np.array([0.5, 0.0, 0.5]),
                         np.array([1.0, 0.0])],
          mistakes={
              "this is in nats: use np.log2 (or divide by ln 2) to get bits.":
                  lambda p: info.entropy(p),
              "0 * log(0) gives nan in floating point: skip the outcomes with p = 0 (0 log 0 = 0).":
                  lambda p: _naive_plogp(p, np.log2),
              "an entropy is never negative: you forgot the minus sign in -sum p log p.":
                  lambda p: -info.entropy(p, base=2),
              "in nats, and with nan where p = 0: use np.log2 and skip the zero entries.":
                  lambda p: _naive_plogp(p, np.log),
              "that is the mean of -p log p over the outcomes; the entropy is their sum.":
                  lambda p: info.entropy(p, base=2) / len(p),
          })
def entropy_bits(p):
    return scipy.stats.entropy(p, base=2)


# --- cross-entropy in bits ----------------------------------------------------------------------


@exercise("cross-entropy in bits", what="including an outcome of probability 0 under p",
          cases=lambda: [(np.array([0.5, 0.5]), np.array([0.9, 0.1])),
                         (np.array([0.7, 0.2, 0.1]), np.array([0.2, 0.3, 0.5])),
                         (np.array([0.0, 0.6, 0.4]), np.array([0.3, 0.3, 0.4]))],
          mistakes={
              "the arguments are swapped: the expectation is over the data p, the log is of the code's q: -sum p log q.":
                  lambda p, q: info.cross_entropy(q, p, base=2),
              "that is H(p), the cost of the right code; the code here is built for q: -sum p log q.":
                  lambda p, q: info.entropy(p, base=2),
              "that is the gap H(p, q) - H(p) (the KL of lecture 2), not the whole cost.":
                  lambda p, q: info.kl(p, q, base=2),
              "this is in nats: use np.log2.":
                  lambda p, q: info.cross_entropy(p, q),
              "a cost is never negative: you forgot the minus sign in -sum p log q.":
                  lambda p, q: -info.cross_entropy(p, q, base=2),
          })
def cross_entropy_bits(p, q):
    # scipy's entropy plus its relative entropy: H(p) + KL(p || q)
    return scipy.stats.entropy(p, base=2) + scipy.stats.entropy(p, q, base=2)


# --- classification loss from logits ---------------------------------------------------------------


def _log_softmax(z):
    return as_numpy(torch.log_softmax(torch.tensor(np.asarray(z, dtype=float)), dim=1))


def _rows(z, y):
    return np.arange(len(y)), np.asarray(y)


def _loss_cases():
    rng = np.random.default_rng(11)
    return [(rng.normal(size=(n, c)) * 2, rng.integers(0, c, n)) for n, c in ((5, 3), (4, 4), (7, 2))]


@exercise("classification loss", what="random logits and labels",
          cases=_loss_cases,
          mistakes={
              "that is the sum over examples; the loss is the mean (divide by the number of examples).":
                  lambda z, y: -_log_softmax(z)[_rows(z, y)].sum(),
              "the logits are not probabilities: apply the softmax before the log.":
                  lambda z, y: -np.asarray(z)[_rows(z, y)].mean(),
              "you forgot the minus sign: the loss is the surprise -log q(y|x), which is positive.":
                  lambda z, y: _log_softmax(z)[_rows(z, y)].mean(),
              "that averages the surprise of every class; only the true label's probability counts.":
                  lambda z, y: -_log_softmax(z).mean(),
              "this is in bits; PyTorch's loss (and this exercise) is in nats: use the natural log.":
                  lambda z, y: -_log_softmax(z)[_rows(z, y)].mean() / math.log(2),
          })
def classification_loss(logits, y):
    return torch.nn.functional.cross_entropy(torch.tensor(np.asarray(logits, dtype=float)),
                                             torch.tensor(np.asarray(y))).item()


# --- derivation: the entropy of a geometric distribution -------------------------------------------


def _binary_bits(p):
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


@exercise("entropy of a geometric", what="against the sum -sum_k P(k) log2 P(k) over k = 1 .. 20000",
          cases=lambda: [0.5, 0.2, 0.9, 0.05, 0.7],
          mistakes={
              "that is the entropy of one coin toss, h(p); the geometric waits for many tosses: divide by p "
              "(E[X] = 1/p tosses, each failure adding -log2(1 - p)).":
                  lambda p: _binary_bits(p),
              "this is in nats: use log2 (or divide by ln 2).":
                  lambda p: _binary_bits(p) / p * math.log(2),
              "the expected number of failures before the success is (1 - p)/p, the expected number of "
              "tosses is 1/p: check which one multiplies -log2(1 - p).":
                  lambda p: -np.log2(p) - (1 - p) / p ** 2 * np.log2(1 - p),
              "an entropy is never negative: check the signs of -log2 p and -log2(1 - p).":
                  lambda p: -_binary_bits(p) / p,
          })
def geometric_entropy_bits(p):
    # the numbers: scipy's pmf of the geometric on {1, 2, ...}, summed until the tail is negligible
    k = np.arange(1, 20_001)
    pk = scipy.stats.geom.pmf(k, p)
    pk = pk[pk > 0]
    return float(-(pk * np.log2(pk)).sum())


# --- a Huffman code, judged ---------------------------------------------------------------------------


def _huffman(p, key=lambda pi: pi, append=False):
    heap = [(key(pi), i, [i]) for i, pi in enumerate(p) if pi > 0]
    heapq.heapify(heap)
    code = {i: "" for _, i, _ in heap}
    if len(heap) == 1:
        code[heap[0][1]] = "0"
    tie = len(p)
    while len(heap) > 1:
        k0, _, g0 = heapq.heappop(heap)
        k1, _, g1 = heapq.heappop(heap)
        for bit, group in (("0", g0), ("1", g1)):
            for i in group:
                code[i] = code[i] + bit if append else bit + code[i]
        heapq.heappush(heap, (k0 + k1, tie, g0 + g1))
        tie += 1
    return code


def huffman_code(p):
    """Codewords (strings of 0/1) for the outcomes with p > 0, by Huffman's algorithm."""
    return _huffman(np.asarray(p, dtype=float))


def _canonical(p, lengths):
    """A canonical code with the given lengths (the shortest first): prefix-free iff Kraft holds."""
    order = sorted((int(lengths[i]), i) for i, pi in enumerate(p) if pi > 0)
    code, value, prev = {}, 0, order[0][0]
    for length, i in order:
        value <<= length - prev
        prev = length
        code[i] = format(value, f"0{length}b")[-length:]
        value += 1
    return code


def _shannon_code(p, log=np.log2):
    p = np.asarray(p, dtype=float)
    lengths = np.where(p > 0, np.ceil(-log(np.where(p > 0, p, 1.0))), 0)
    return _canonical(p, np.maximum(lengths, 1))


_ENGLISH = np.array([12.7, 9.06, 8.17, 7.51, 6.97, 6.75, 6.33, 6.09, 5.99, 4.25, 4.03, 2.78, 2.76,
                     2.41, 2.36, 2.23, 2.02, 1.97, 1.93, 1.29, 0.98, 0.77, 0.15, 0.15, 0.095, 0.074])


def _huffman_inputs():
    rng = np.random.default_rng(7)
    return [("a dyadic p", np.array([0.5, 0.25, 0.125, 0.125])),
            ("p = (0.4, 0.3, 0.2, 0.1)", np.array([0.4, 0.3, 0.2, 0.1])),
            ("a p with a zero", np.array([0.05, 0.6, 0.0, 0.2, 0.15])),
            ("a random p on 9 outcomes", rng.dirichlet(np.full(9, 0.5))),
            ("English letters", _ENGLISH / _ENGLISH.sum())]


NOT_PREFIX_FREE = "a codeword is the beginning of another, so the bit stream cannot be decoded (not prefix-free)"
TOO_SHORT = ("these codewords are too short for any prefix code: sum 2^-length exceeds 1 (Kraft). "
             "Lengths in nats? The ideal length of x is -log2 p(x) bits, not -ln p(x)")
TOO_LONG = "the mean length is a bit or more above the entropy: merge the two LEAST likely groups first"
NOT_SHORTEST = ("a valid prefix code within a bit of H, but not the shortest one: rounded-up lengths "
                "ceil(-log2 p) are Shannon's code; Huffman's merges do better")


def _lengths(code, p):
    return np.array([len(code[i]) for i, pi in enumerate(p) if pi > 0])


def judge_huffman(make_code):
    runs = []
    for label, p in _huffman_inputs():
        code = make_code(p)
        try:
            words = {int(i): code[i] for i, pi in enumerate(p) if pi > 0}
        except (KeyError, TypeError, IndexError):
            raise Wrong(f"on {label}: the answer must be a dict giving a codeword for every outcome i with "
                        f"p[i] > 0.") from None
        if not all(isinstance(w, str) and w and set(w) <= {"0", "1"} for w in words.values()):
            raise Wrong(f"on {label}: every codeword must be a non-empty string of 0s and 1s.")
        runs.append((label, p, words))
    for label, p, words in runs:
        ws = sorted(words.values())
        clash = next(((a, b) for a, b in zip(ws, ws[1:]) if b.startswith(a)), None)
        if clash is not None:
            kraft = sum(2.0 ** -len(w) for w in ws)
            if kraft > 1 + 1e-12:
                raise Wrong(f"on {label}: {TOO_SHORT} (here the sum is {kraft:.3g}).")
            raise Wrong(f"on {label}: {NOT_PREFIX_FREE}: '{clash[0]}' starts '{clash[1]}'. Each merge puts "
                        f"its bit in FRONT of the codewords of the group.")
    for label, p, words in runs:
        h, mean_len = entropy_bits(p), float(p[p > 0] @ _lengths(words, p))
        if mean_len >= h + 1:
            raise Wrong(f"on {label}: {TOO_LONG} (H = {h:.4g}, your mean length L = {mean_len:.4g} bits).")
    for label, p, words in runs:
        mean_len = float(p[p > 0] @ _lengths(words, p))
        best = float(p[p > 0] @ _lengths(huffman_code(p), p))
        if mean_len > best + 1e-9:
            raise Wrong(f"on {label}: {NOT_SHORTEST} (L = {mean_len:.4g} bits, Huffman's {best:.4g}).")
    label, p, words = runs[-1]
    h, mean_len = entropy_bits(p), float(p[p > 0] @ _lengths(words, p))
    return (f"On {len(runs)} distributions the code is prefix-free, as short as Huffman's, and "
            f"H <= L < H + 1 (English letters: H = {h:.4g}, L = {mean_len:.4g} bits per letter).")


exercise("Huffman code", judge=judge_huffman, mistakes={
    NOT_PREFIX_FREE: lambda p: _huffman(np.asarray(p, dtype=float), append=True),
    TOO_SHORT: lambda p: _shannon_code(p, log=np.log),
    TOO_LONG: lambda p: _huffman(np.asarray(p, dtype=float), key=lambda pi: -pi),
    NOT_SHORTEST: lambda p: _shannon_code(p),
})(huffman_code)
