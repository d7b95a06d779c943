# %% [markdown]
# # Lecture 1 - Entropy
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-course/genmodels/blob/main/lectures/01_entropy.ipynb)
#
# **What you will learn**
#
# * the information content (surprise) $-\log p$ of an event, and why it is a logarithm;
# * entropy as the average surprise: the uncertainty of a distribution, largest for the uniform one;
# * bits and nats: the same quantity in two units;
# * entropy as the length of the shortest code (Shannon's source coding theorem), with a Huffman
#   code that you build yourself;
# * cross-entropy $H(p, q)$: the price of coding with the wrong distribution, and why it is the
#   loss of every classifier;
# * the gap $H(p, q) - H(p)$, which lecture 2 names the KL divergence.
#
# **Prerequisites**: probability basics (a distribution, an expectation, independence) and
# logarithms. Every generative model of this course (VAE, GAN, WGAN) is trained by
# minimising one of the quantities built here.
#
# **How to use this notebook.** Run the cells from top to bottom (in JupyterLab: Run > Run All Cells).
# The parameters cell below sets the sizes and the seed: to change one, edit its value there and run
# all cells again (with papermill: `-p K 6`). A wrong value stops the next cell with a message naming the
# parameter and the values it accepts. Each exercise is a code cell for you to fill in, with a check
# under it: it says "not done yet" until you write your solution, names the classic mistake when your
# answer has one, and meanwhile the cells that need your function use the course's reference.

# %% tags=["setup"]
# Set-up: on Colab this installs the course library; anywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/generative-course/genmodels@main")

# %% tags=["parameters"]
PROFILE: str = "auto"  # one of auto, cpu, full
SEED: int = 0  # random seed, an integer, at least 0
K: int = 4  # number of outcomes of the categorical distributions (widget and checks), 2 to 8
N_LETTERS: int = 20000  # length of the random English-like message we compress, an integer, at least 1000

# %%
import heapq
import math

import matplotlib.pyplot as plt
import numpy as np
import scipy.optimize
import scipy.stats
import torch
import torch.nn.functional as F
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

import genlib
from genlib import check, exercises, info, measured, report, widgets

P = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0),
                    K=genlib.integer(min=2, max=8), N_LETTERS=genlib.integer(min=1000))
rt = genlib.setup(P.PROFILE, P.SEED)
rng = rt.rng
n_random = rt.pick(cpu=5_000, full=200_000)  # random distributions for the property checks

# %% [markdown]
# ## 1. Information content: how surprising is an event?
#
# Some news tells you almost nothing ("the sun rose this morning"), some tells you a lot
# ("your cat is secretly a fox"). Information theory turns this into a number, the
# **information content** or **surprise** of an event of probability $p$. We want three things:
#
# 1. an event that is certain ($p = 1$) carries no information;
# 2. the rarer the event, the more information: $I$ decreases as $p$ grows;
# 3. for two **independent** events, learning both is worth the sum of learning each:
#    $I(p_A\,p_B) = I(p_A) + I(p_B)$, because their joint probability is the product.
#
# A product turned into a sum is the signature of the logarithm, and the minus sign makes
# it positive and decreasing. Up to the choice of unit (the base of the log), the only
# continuous function with these properties is
#
# $$I(x) = -\log p(x).$$
#
# With $\log_2$ the unit is the **bit**: a fair coin's heads is worth exactly 1 bit,
# since it halves the possibilities.

# %%
def surprise_bits(p):
    return -np.log2(p)


events = {"fair coin shows heads": 1 / 2, "a die shows six": 1 / 6,
          "two dice both show six": 1 / 36, "a lottery ticket wins (1 in 14 million)": 1 / 14e6,
          "the sun rises (p = 0.999999)": 0.999999}
for name, p in events.items():
    print(f"{name:42s} I = {surprise_bits(p):.3g} bits")
check.close("a fair coin's outcome carries exactly 1 bit", surprise_bits(0.5), 1.0)


def questions(n):
    """Yes/no questions a binary search needs to single out one of n equally likely outcomes (n a power of 2)."""
    count = 0
    while n > 1:
        n, count = n // 2, count + 1            # each answer halves the candidates
    return count


sizes = [2, 4, 8, 64, 1024, 2 ** 20]
print("one of n equally likely outcomes:", ", ".join(f"n = {n}: {questions(n)} questions" for n in sizes))
check.close("one of n = 2^k equally likely outcomes carries k bits: the questions a binary search asks",
            [surprise_bits(1 / n) for n in sizes], [questions(n) for n in sizes])

# %%
grid = np.linspace(0.001, 1, 400)
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(grid, surprise_bits(grid))
for name, p in list(events.items())[:3]:
    ax.plot([p], [surprise_bits(p)], "o")
    ax.annotate(name, (p, surprise_bits(p)), textcoords="offset points", xytext=(6, 4))
ax.set_xlabel("probability p of the event")
ax.set_ylabel("surprise -log2 p [bits]")
ax.set_title("rare events are the informative ones")
plt.show()

# %% [markdown]
# **Additivity, checked by experiment.** We throw two dice many times. The events
# "first die shows six" and "second die shows six" are independent, so the surprise of
# seeing both should be (up to sampling noise) the sum of the two surprises, each computed
# from observed frequencies. For a *dependent* pair, "the first die shows six" and "the
# first die shows an even number", it must fail: once we know it is a six, learning it is
# even tells us nothing new, so the pair is worth no more than the six alone.
#
# Numbers printed in angle brackets, like ⟨2.58⟩, are **measured**: they come from random draws (or
# from training, later in the course), so they change a little with the seed and from one computer to
# the next. Every other printed number is exact. The lines marked ✔ are claims the notebook checks as
# it runs: each would stop the notebook if it failed.

# %%
n_throws = rt.pick(cpu=200_000, full=2_000_000)
dice = rng.integers(1, 7, size=(n_throws, 2))
six1, six2, even1 = dice[:, 0] == 6, dice[:, 1] == 6, dice[:, 0] % 2 == 0
f_six1, f_six2, f_both = six1.mean(), six2.mean(), (six1 & six2).mean()
i_both, i_sum = surprise_bits(f_both), surprise_bits(f_six1) + surprise_bits(f_six2)
# sampling noise of the surprise of an event seen with frequency f: about sqrt((1 - f) / (n f)) / ln 2 bits
noise = math.sqrt((1 - f_both) / (n_throws * f_both)) / math.log(2)
print(f"independent: I(six, six) = {measured(i_both):.3g} bits, I(six) + I(six) = {measured(i_sum):.3g} bits "
      f"(exact: {math.log2(36):.3g})")
check.between("for independent events the surprises add (within 5 noise levels)", i_both - i_sum,
              -5 * noise, 5 * noise)
i_dep, i_dep_sum = surprise_bits((six1 & even1).mean()), surprise_bits(f_six1) + surprise_bits(even1.mean())
print(f"dependent: I(six and even) = {measured(i_dep):.3g} bits, but I(six) + I(even) = {measured(i_dep_sum):.3g} bits")
check.claim("for dependent events they do not: the pair is worth about 1 bit less than the sum",
            abs(i_dep_sum - i_dep - 1.0) < 10 * noise and i_dep < i_dep_sum - 0.5)

# %% [markdown]
# ## 2. Entropy: the average surprise
#
# The **entropy** of a distribution $p$ is the surprise we expect before the outcome is drawn:
#
# $$H(p) = \mathbb{E}_{x\sim p}\big[-\log p(x)\big] = -\sum_x p(x)\log p(x).$$
#
# It measures **uncertainty**: how hard the outcome is to predict. An outcome with
# $p(x) = 0$ never happens and contributes nothing: we use the convention $0 \log 0 = 0$
# (the limit of $p\log p$ as $p \to 0$). In code that needs care, because `0 * log(0)`
# is `0 * -inf = nan` in floating point.

# %%
def entropy_bits(p):
    p = np.asarray(p, dtype=float)
    nz = p > 0                                   # 0 log 0 = 0: skip the impossible outcomes
    return np.sum(p[nz] * np.log2(1 / p[nz]))    # sum of p(x) times the surprise log2(1/p(x))


fair, bent, two_headed = [0.5, 0.5], [0.9, 0.1], [1.0, 0.0]
for name, p in [("fair coin", fair), ("bent coin (0.9 heads)", bent), ("two-headed coin", two_headed)]:
    print(f"{name:22s} H = {entropy_bits(p):.3g} bits")
check.close("our entropy agrees with scipy.stats.entropy(base=2) on all three coins",
            [entropy_bits(p) for p in (fair, bent, two_headed)],
            [scipy.stats.entropy(p, base=2) for p in (fair, bent, two_headed)])
check.close("a two-headed coin holds no uncertainty: H = 0", entropy_bits(two_headed), 0.0)

# %% [markdown]
# "Average surprise" is meant literally: draw many outcomes from $p$, write down the surprise
# $-\log_2 p(x)$ of each, average. The law of large numbers brings the average to $H(p)$. This
# *Monte Carlo* view of an expectation returns in every later lecture.

# %%
p4 = np.array([0.5, 0.25, 0.15, 0.1])
draws = rng.choice(4, size=rt.pick(cpu=50_000, full=1_000_000), p=p4)
s = surprise_bits(p4[draws])
mc, se = s.mean(), s.std() / math.sqrt(s.size)
print(f"H(p) = {entropy_bits(p4):.3g} bits; average surprise of {s.size} draws = {measured(mc):.3g} bits")
check.between("the average surprise of samples is within 5 standard errors of H(p)",
              entropy_bits(p4), mc - 5 * se, mc + 5 * se)

# %% [markdown]
# ### The coin
#
# A coin with $p(\text{heads}) = p$ has the **binary entropy**
# $H(p) = -p\log_2 p - (1 - p)\log_2(1 - p)$. It is 0 for a coin that always lands the same way
# and largest for the fair coin: setting the derivative $\log_2\frac{1-p}{p}$ to zero gives $p = 1/2$,
# where $H = 1$ bit. Drag the slider: the curve is symmetric (heads and tails are just names)
# and flat near the top, so a slightly bent coin is almost as unpredictable as a fair one.

# %%
ps_grid = np.linspace(0, 1, 1001)
h_grid = np.array([entropy_bits([p, 1 - p]) for p in ps_grid])
best = scipy.optimize.minimize_scalar(lambda p: -scipy.stats.entropy([p, 1 - p], base=2),
                                      bounds=(0, 1), method="bounded", options={"xatol": 1e-8})
print(f"largest entropy on the grid: {h_grid.max():.3g} bits at p = {ps_grid[h_grid.argmax()]:.3g}")
check.close("the coin's entropy is largest at p = 1/2 (our grid)", ps_grid[h_grid.argmax()], 0.5)
check.close("... which scipy's optimiser on scipy's entropy confirms", best.x, 0.5, atol=1e-5)
print(f"symmetric: H(0.1) = {entropy_bits([0.1, 0.9]):.4g} bits = H(0.9) = {entropy_bits([0.9, 0.1]):.4g} bits")
inner = (ps_grid > 0.04) & (ps_grid < 0.96)
slope = np.gradient(h_grid, ps_grid)[inner]              # the slope of our curve, by finite differences
check.close("the slope of the curve is log2((1 - p) / p), zero only at p = 1/2", slope,
            np.log2((1 - ps_grid[inner]) / ps_grid[inner]), rtol=1e-4, atol=1e-4)
check.between("flat near the top: a coin bent to p = 0.6 keeps over 97% of the fair coin's entropy",
              entropy_bits([0.6, 0.4]), 0.97, 1.0)

# %%
import ipywidgets as W
from genlib.views.entropy import CategoricalEntropy, CoinEntropy, CrossEntropyCoin

coin = widgets.Interactive(CoinEntropy(), {"p": W.FloatSlider(value=0.5, min=0, max=1, step=0.01,
                                                               description="p(heads)")},
                           title="coin entropy")
coin

# %% [markdown]
# ### More than two outcomes
#
# With $K$ outcomes the entropy lies between two extremes:
#
# $$0 \le H(p) \le \log K ,$$
#
# 0 when one outcome is certain, $\log K$ exactly when all outcomes are equally likely: the
# uniform distribution is the hardest to predict. (Proof sketch: $\log$ is concave, so by Jensen's
# inequality $\mathbb{E}_p[\log\frac{1}{p(x)}] \le \log \mathbb{E}_p[\frac{1}{p(x)}]$, and
# $\mathbb{E}_p[\frac{1}{p(x)}] = \sum_{x:\,p(x)>0} 1$ counts the possible outcomes, at most $K$; equality
# needs $1/p(x)$ constant on all $K$ outcomes.) We check it on thousands of random distributions
# drawn from a Dirichlet distribution, the standard way to generate random probability vectors.

# %%
random_ps = rng.dirichlet(np.full(P.K, 0.7), size=n_random)
h_random = np.array([entropy_bits(p) for p in random_ps])
uniform = np.full(P.K, 1 / P.K)
print(f"K = {P.K}: log2 K = {math.log2(P.K):.3g} bits; {n_random} random distributions reach at most "
      f"{measured(h_random.max()):.3g} bits")
check.close("our entropy agrees with scipy on every random distribution", h_random,
            scipy.stats.entropy(random_ps, base=2, axis=-1), atol=1e-12)
check.claim("H(p) <= log2 K for every random distribution", np.all(h_random <= math.log2(P.K) + 1e-12),
            largest=h_random.max())
check.close("the uniform distribution reaches the ceiling: H = log2 K", entropy_bits(uniform), math.log2(P.K))
check.close("an outcome of probability 0 adds nothing: H(1/2, 1/2, 0) = H(1/2, 1/2) = 1 bit",
            entropy_bits([0.5, 0.5, 0.0]), scipy.stats.entropy([0.5, 0.5], base=2))
far = np.abs(random_ps - uniform).max(axis=1) > 0.01
check.claim("and only it: every random distribution at least 0.01 away from uniform stays clearly below",
            np.all(h_random[far] < math.log2(P.K) - 1e-5))

# %% [markdown]
# Play with $K$ weights below; they are normalised into a distribution $p = w / \sum w$. Each bar
# is labelled with its surprise $-\log_2 p(x)$; the right panel compares $H(p)$ with the ceiling
# $\log_2 K$. Try: all weights equal; one weight much larger than the rest; one weight at 0
# (its surprise is infinite, yet its contribution to $H$ is $0 \log 0 = 0$).

# %%
cat = widgets.Interactive(
    CategoricalEntropy(k=P.K),
    {f"w{i}": W.FloatSlider(value=round(1 / (i + 1), 2), min=0, max=1, step=0.01, description=f"weight {chr(65 + i)}")
     for i in range(P.K)},
    title="categorical entropy", columns=2)
cat

# %% [markdown]
# ## 3. Bits and nats
#
# The base of the logarithm only fixes the unit. Base 2 gives **bits**, the natural log gives
# **nats** (the unit of PyTorch losses and of most papers). Since $\log_2 x = \ln x / \ln 2$,
#
# $$H_{\text{bits}} = \frac{H_{\text{nats}}}{\ln 2} \approx 1.443\, H_{\text{nats}}, \qquad 1 \text{ nat} \approx 1.443 \text{ bits}.$$
#
# A change of unit rescales every entropy by the same factor, so it never changes which
# distribution is more uncertain.

# %%
def entropy_nats(p):
    p = np.asarray(p, dtype=float)
    nz = p > 0
    return np.sum(p[nz] * np.log(1 / p[nz]))


print(f"fair coin: {entropy_nats(fair):.3g} nats = {entropy_nats(fair) / math.log(2):.3g} bits")
check.close("H_bits = H_nats / ln 2 on the random distributions, against scipy with base=2",
            np.array([entropy_nats(p) for p in random_ps[:500]]) / math.log(2),
            scipy.stats.entropy(random_ps[:500], base=2, axis=-1), atol=1e-12)
check.close("... and against scipy in nats (its default)", entropy_nats(p4), scipy.stats.entropy(p4))
order_bits = np.argsort(h_random[:500], kind="stable")
order_nats = np.argsort([entropy_nats(p) for p in random_ps[:500]], kind="stable")
print("the 500 distributions ranked by entropy: the same order in bits and in nats:",
      np.array_equal(order_bits, order_nats))

# %% [markdown]
# ## 4. Entropy is the length of the best code
#
# Why "bits"? Suppose we must send a long message of letters drawn from $p$ over a wire that
# carries 0s and 1s. A **prefix code** gives each letter a codeword, none the prefix of another,
# so the stream decodes without separators. Frequent letters should get short codewords, rare
# ones long codewords: the ideal length of the codeword of $x$ is exactly its surprise,
# $-\log_2 p(x)$ bits, and the expected length is then $H(p)$.
#
# Shannon's **source coding theorem**: no prefix code has an expected length below $H(p)$ bits per
# letter, and rounding the ideal lengths up gives a code within one bit of it,
# $H(p) \le L < H(p) + 1$. **Huffman's algorithm** finds the best code with whole-bit codewords:
#
# 1. start with one group per letter $x$ with $p(x) > 0$, each with an empty codeword and weight $p(x)$;
# 2. take the two groups of smallest weight; put a `0` in **front** of the codeword of every letter of the
#    first, a `1` in front of every letter of the second, and merge them into one group whose weight is
#    the sum;
# 3. repeat until one group is left (a single possible letter still gets a one-bit codeword, `"0"`).
#
# Each merge adds one bit to the letters inside, so the rare letters, merged early and often, get the
# long codewords.
#
# **Exercise (in the text): build the Huffman code.** Write `huffman_code(p)`: it returns a dict
# mapping each outcome `i` with `p[i] > 0` to its codeword, a string of `"0"` and `"1"`. A *heap*
# (`heapq.heappush`, `heapq.heappop`) hands you the two smallest weights cheaply; store
# `(weight, tie_breaker, list_of_letters)` tuples in it. The check builds codes for five
# distributions (among them the English letters below) and verifies that each is prefix-free, that
# its mean length $L$ obeys $H \le L < H + 1$, and that no prefix code is shorter. Until your code
# passes, the rest of the lecture uses the course's reference.

# %% tags=["exercise"]
def huffman_code(p):
    """Codewords (strings of 0/1) for the outcomes with p > 0, by Huffman's algorithm."""
    ### BEGIN SOLUTION
    heap = [(pi, i, [i]) for i, pi in enumerate(p) if pi > 0]
    heapq.heapify(heap)
    code = {i: "" for _, i, _ in heap}
    if len(heap) == 1:                        # a single possible letter still needs one bit
        code[heap[0][1]] = "0"
    tie = len(p)
    while len(heap) > 1:
        p0, _, group0 = heapq.heappop(heap)   # the two least likely groups...
        p1, _, group1 = heapq.heappop(heap)
        for i in group0:
            code[i] = "0" + code[i]           # ...each get one more leading bit
        for i in group1:
            code[i] = "1" + code[i]
        heapq.heappush(heap, (p0 + p1, tie, group0 + group1))
        tie += 1
    return code
    ### END SOLUTION

# %%
exercises.check("Huffman code", huffman_code)

# %%
build_code = exercises.solution("Huffman code", huffman_code)   # your code once its check passes


def expected_length(p, code):
    return sum(pi * len(code[i]) for i, pi in enumerate(p) if pi > 0)


dyadic = [0.5, 0.25, 0.125, 0.125]
code = build_code(dyadic)
print("Huffman code for", dyadic, "->", [code[i] for i in range(4)])
check.close("for probabilities that are powers of 1/2, Huffman meets the entropy exactly (1.75 bits)",
            expected_length(dyadic, code), scipy.stats.entropy(dyadic, base=2))

# %% [markdown]
# A real example: English letters (approximate frequencies in English text). A fixed-length
# code needs $\lceil\log_2 26\rceil = 5$ bits per letter. We build the Huffman code, compress a random
# message of `N_LETTERS` letters drawn with these frequencies, decode it again, and count bits.

# %%
letters = "etaoinshrdlcumwfgypbvkjxqz"
freq = np.array([12.7, 9.06, 8.17, 7.51, 6.97, 6.75, 6.33, 6.09, 5.99, 4.25, 4.03, 2.78, 2.76,
                 2.41, 2.36, 2.23, 2.02, 1.97, 1.93, 1.29, 0.98, 0.77, 0.15, 0.15, 0.095, 0.074])
p_en = freq / freq.sum()
code_en = build_code(p_en)
shannon_lengths = np.ceil(-np.log2(p_en))                  # the ideal lengths, rounded up

message = rng.choice(26, size=P.N_LETTERS, p=p_en)
bits = "".join(code_en[i] for i in message)
decoder, decoded, word = {w: i for i, w in code_en.items()}, [], ""
for b in bits:                                           # prefix code: read until a codeword matches
    word += b
    if word in decoder:
        decoded.append(decoder[word])
        word = ""

h_en = entropy_bits(p_en)
l_huff, l_shannon = expected_length(p_en, code_en), float(p_en @ shannon_lengths)
bits_per_letter = len(bits) / P.N_LETTERS
print(f"entropy {h_en:.3g} bits/letter | Huffman {l_huff:.3g} | rounded-up ideal lengths {l_shannon:.3g} | fixed length 5")
print(f"the {P.N_LETTERS}-letter message took {measured(bits_per_letter):.3g} bits per letter")
lengths = np.array([len(code_en[i]) for i in range(26)])
se_len = lengths[message].std() / math.sqrt(P.N_LETTERS)
check.claim("the compressed message decodes to the original (a prefix code)", np.array_equal(decoded, message))
check.claim("Kraft's inequality holds for both codes: sum 2^-length <= 1",
            np.sum(2.0 ** -lengths) <= 1 + 1e-12 and np.sum(2.0 ** -shannon_lengths) <= 1 + 1e-12)
check.claim("source coding theorem: H <= L(Huffman) <= L(rounded-up ideal lengths) < H + 1",
            h_en <= l_huff <= l_shannon < h_en + 1, H=h_en, huffman=l_huff, shannon=l_shannon)
check.between("the message's bits per letter are within 5 standard errors of Huffman's expected length",
              bits_per_letter, l_huff - 5 * se_len, l_huff + 5 * se_len)
report.record("english_entropy_bits", h_en)
report.record("english_huffman_bits", l_huff)

# %%
order = np.argsort(-p_en)
fig, ax = plt.subplots(figsize=(8, 3))
x = np.arange(26)
ax.bar(x - 0.2, -np.log2(p_en[order]), width=0.4, label="ideal length -log2 p(x)")
ax.bar(x + 0.2, lengths[order], width=0.4, label="Huffman codeword length")
ax.set_xticks(x, [letters[i] for i in order])
ax.set_ylabel("bits")
ax.set_title(f"English letters: H = {h_en:.3g} bits, Huffman {l_huff:.3g} bits per letter")
ax.legend()
plt.show()

# %% [markdown]
# ## 5. Cross-entropy: coding with the wrong distribution
#
# Now the code is built for a distribution $q$ (our *model*), but the letters really come from
# $p$ (the *data*). Letter $x$ costs $-\log_2 q(x)$ bits, and on average we pay the
# **cross-entropy**
#
# $$H(p, q) = \mathbb{E}_{x\sim p}\big[-\log q(x)\big] = -\sum_x p(x) \log q(x).$$
#
# The expectation is over the true $p$, the surprise is the model's. Two facts to keep:
#
# * **Gibbs' inequality**: $H(p, q) \ge H(p)$, with equality only for $q = p$. No code beats the
#   one built for the truth.
# * $H(p, p) = H(p)$, **not 0**: a perfect model still pays for the real randomness of the data.
#   What vanishes at $q = p$ is the *excess* $H(p, q) - H(p)$.
#
# It is not symmetric either: $H(p, q) \ne H(q, p)$ in general. And if $q(x) = 0$ for an $x$ that
# does happen, $H(p, q) = \infty$: a model that calls a real event impossible cannot code it at all.

# %%
def cross_entropy_bits(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    nz = p > 0                                   # outcomes that never happen cost nothing
    with np.errstate(divide="ignore"):           # q(x) = 0 for a possible x: an infinite surprise
        return np.sum(p[nz] * np.log2(1 / q[nz]))


random_qs = rng.dirichlet(np.full(P.K, 0.7), size=n_random)
ce = np.array([cross_entropy_bits(p, q) for p, q in zip(random_ps, random_qs)])
oracle = scipy.stats.entropy(random_ps, base=2, axis=-1) + scipy.stats.entropy(random_ps, random_qs, base=2, axis=-1)
gap = ce - h_random
print(f"{n_random} random pairs: the excess H(p, q) - H(p) ranges from {measured(gap.min()):.2g} "
      f"to {measured(gap.max()):.3g} bits")
check.close("our cross-entropy agrees with scipy (entropy + relative entropy) on every pair", ce, oracle, rtol=1e-9)
check.claim("Gibbs: H(p, q) >= H(p) on every random pair", np.all(ce >= h_random - 1e-12), smallest_gap=gap.min())
check.close("H(p, p) = H(p) (scipy's entropy), not 0", [cross_entropy_bits(p, p) for p in random_ps[:100]],
            scipy.stats.entropy(random_ps[:100], base=2, axis=-1))
check.claim("H(p, q) is not symmetric: H(p, q) != H(q, p) for most pairs",
            np.mean([abs(cross_entropy_bits(p, q) - cross_entropy_bits(q, p)) > 1e-3
                     for p, q in zip(random_ps[:200], random_qs[:200])]) > 0.9)
check.claim("a model that calls a real outcome impossible pays infinitely", np.isinf(cross_entropy_bits(fair, two_headed)))

# %% [markdown]
# The same holds for real codes. We compress our English message with codes built for the
# wrong distribution $q$: the letter frequencies read backwards (the code thinks 'z' is the most
# common letter). With the rounded-up ideal lengths $\lceil -\log_2 q(x)\rceil$ the source coding
# theorem now reads $H(p, q) \le L < H(p, q) + 1$: the cross-entropy replaces the entropy.

# %%
q_wrong = p_en[::-1].copy()
code_wrong = build_code(q_wrong)
huffman_wrong = sum(len(code_wrong[i]) for i in message) / P.N_LETTERS
lengths_wrong = np.ceil(-np.log2(q_wrong))[message]      # rounded-up ideal lengths for q, letter by letter
shannon_wrong, se_wrong = lengths_wrong.mean(), lengths_wrong.std() / math.sqrt(P.N_LETTERS)
ce_en = cross_entropy_bits(p_en, q_wrong)
print(f"bits per letter of the message: Huffman code for the truth {measured(bits_per_letter):.3g}, "
      f"Huffman code for the wrong q {measured(huffman_wrong):.3g}, rounded-up ideal lengths for q {measured(shannon_wrong):.3g}")
print(f"H(p) = {h_en:.3g} and H(p, q) = {ce_en:.3g} bits per letter")
check.claim("the wrong code costs more on the same message", huffman_wrong > bits_per_letter + 1)
check.between("with lengths rounded up from -log2 q, the cost lies in [H(p, q), H(p, q) + 1) (up to 5 standard errors)",
              shannon_wrong, ce_en - 5 * se_wrong, ce_en + 1 + 5 * se_wrong)

# %% [markdown]
# Below, a coin that really lands heads with probability $p$ is coded for a coin with
# probability $q$. The curve is $H(p, q)$ as a function of $q$; the dashed floor is $H(p)$. The
# curve touches the floor only at $q = p$, and the red segment is the price of the mismatch.
# Push $q$ towards 0 or 1 while $p$ is not: the price explodes.

# %%
ce_coin = widgets.Interactive(
    CrossEntropyCoin(),
    {"p": W.FloatSlider(value=0.8, min=0, max=1, step=0.01, description="true p"),
     "q": W.FloatSlider(value=0.4, min=0.01, max=0.99, step=0.01, description="model q")},
    title="cross-entropy of a coin")
ce_coin

# %% [markdown]
# ## 6. Cross-entropy is the classification loss
#
# A classifier outputs, for an input $x$, a distribution $q_\theta(y\mid x)$ over the classes (a
# softmax of scores, the *logits*). The "true distribution" of a training example is one-hot:
# all its mass on the observed label $y$. Its cross-entropy with the model collapses to a single
# term, the model's surprise at the right answer:
#
# $$H(\text{onehot}(y), q_\theta(\cdot\mid x)) = -\log q_\theta(y\mid x).$$
#
# Averaged over the $n$ training pairs this is the **cross-entropy loss** (log loss, negative
# log-likelihood) that `torch.nn.functional.cross_entropy` and `sklearn.metrics.log_loss` compute:
#
# $$\mathcal{L}(\theta) = \frac{1}{n}\sum_{i=1}^n -\log q_\theta(y_i\mid x_i).$$
#
# Minimising it makes the observed labels as unsurprising as possible, that is, it maximises the
# likelihood of the data (lecture 3). We train a tiny logistic regression (a linear layer + softmax)
# on two features of the iris flowers, with the loss written by hand, then compare with the
# library losses and with scikit-learn's own fit.
#
# One line of it is numerics, not information theory: `log_softmax` computes $\log q$ directly,
# $\ell_y - \log\sum_k e^{\ell_k}$, instead of `torch.log(torch.softmax(...))`. The setosa flowers
# are separable from the others, so the unpenalised fit lets its weights grow (checked below) and
# its logits far apart; a softmax then rounds some probabilities to exactly 0, whose log is
# $-\infty$, and $0 \cdot (-\infty)$ is NaN. Written as log of softmax, this fit diverged to NaN at
# one seed in twenty (SEED 9); `log_softmax` never rounds $q$ to 0.

# %%
iris = load_iris()
X_np = iris.data[:, :2]                                  # sepal length and width: the classes overlap
X_np = (X_np - X_np.mean(0)) / X_np.std(0)
y_np = iris.target
X, y = torch.tensor(X_np), torch.tensor(y_np)


def cross_entropy_loss(logits, y):
    log_q = torch.log_softmax(logits, dim=1)             # log of the model's distribution over classes
    onehot = F.one_hot(y, num_classes=logits.shape[1]).to(log_q.dtype)
    return -(onehot * log_q).sum(dim=1).mean()          # H(onehot, q), averaged over the examples


genlib.seed_everything(P.SEED)
model = torch.nn.Linear(2, 3).double()
opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=500, tolerance_grad=1e-10,
                        tolerance_change=1e-14, line_search_fn="strong_wolfe")
losses = []


def closure():
    opt.zero_grad()
    loss = cross_entropy_loss(model(X), y)
    loss.backward()
    losses.append(loss.item())
    return loss


opt.step(closure)
with torch.no_grad():
    logits = model(X)
    ours = cross_entropy_loss(logits, y).item()
    probs = torch.softmax(logits, 1).numpy()
sk = LogisticRegression(C=1e8, max_iter=5000, tol=1e-10).fit(X_np, y_np)  # C huge: no penalty, plain MLE
sk_loss = log_loss(y_np, sk.predict_proba(X_np))
print(f"loss before training {measured(losses[0]):.3g} nats, after {measured(ours):.3g} nats "
      f"(guessing uniformly costs log 3 = {math.log(3):.3g}); training accuracy {measured((probs.argmax(1) == y_np).mean()):.2f}")
check.close("the hand-written loss equals torch.nn.functional.cross_entropy", ours, F.cross_entropy(logits, y).item(), rtol=1e-10)
check.between("setosa is separable, so the unpenalised weights grow far beyond the data's scale (largest |weight|, above 20)",
              model.weight.abs().max().item(), 20)
check.close("... and sklearn.metrics.log_loss on the same predictions", ours, log_loss(y_np, probs), rtol=1e-8)
check.close("... and genlib's info.cross_entropy averaged over the examples", ours,
            info.cross_entropy(np.eye(3)[y_np], probs).mean(), rtol=1e-10)
check.close("minimising it by hand reaches scikit-learn's maximum-likelihood fit", ours, sk_loss, rtol=1e-4)
check.between("training lowered the loss well below uniform guessing (under 3/4 of log 3 nats)",
              ours, 0, 0.75 * math.log(3))
report.record("iris_logreg_loss_nats", ours)

# %%
xx, yy = np.meshgrid(np.linspace(-2.5, 3, 200), np.linspace(-2.5, 3.2, 200))
with torch.no_grad():
    grid_q = torch.softmax(model(torch.tensor(np.c_[xx.ravel(), yy.ravel()])), 1).numpy()
fig, axes = plt.subplots(1, 2, figsize=(9.4, 3.6), layout="constrained")
axes[0].contourf(xx, yy, grid_q.argmax(1).reshape(xx.shape), levels=[-0.5, 0.5, 1.5, 2.5],
                 colors=["#1f77b4", "#d62728", "#2ca02c"], alpha=0.15)
for c, name in enumerate(iris.target_names):
    axes[0].scatter(*X_np[y_np == c].T, s=12, label=name, color=["#1f77b4", "#d62728", "#2ca02c"][c])
axes[0].set_xlabel("sepal length (standardised)")
axes[0].set_ylabel("sepal width (standardised)")
axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
axes[0].set_title("decision regions of the fitted model")
surprise = -np.log(probs[np.arange(len(y_np)), y_np])
axes[1].hist(surprise, bins=30)
axes[1].axvline(ours, color="k", ls="--", label=f"mean = loss = {ours:.3g}")
axes[1].set_xlabel("-log q(y | x) of each training example [nats]")
axes[1].set_title("the loss is the average surprise")
axes[1].legend(loc="upper right")
plt.show()

# %% [markdown]
# The same principle in its simplest form: a coin (no input $x$). We saw $n_h$ heads in $n$ throws,
# so the data distribution is $\hat p = (n_h/n, 1 - n_h/n)$. The model $q$ minimising $H(\hat p, q)$ is
# the one that puts $q(\text{heads}) = n_h/n$: the observed frequency, the maximum-likelihood estimate.

# %%
throws = rng.random(rt.pick(cpu=50, full=500)) < 0.3
p_hat = np.array([throws.mean(), 1 - throws.mean()])
fit = scipy.optimize.minimize_scalar(lambda q: cross_entropy_bits(p_hat, [q, 1 - q]), bounds=(1e-6, 1 - 1e-6),
                                     method="bounded", options={"xatol": 1e-10})
print(f"{throws.sum()} heads in {throws.size} throws; the cross-entropy is smallest at q = {measured(fit.x):.3g}")
check.close("the q that minimises H(p_hat, q) is the observed frequency of heads", fit.x, throws.mean(), atol=1e-6)
check.close("and there H(p_hat, q) = H(p_hat): no q does better", fit.fun, entropy_bits(p_hat), atol=1e-9)

# %% [markdown]
# ## 7. Towards lecture 2: the gap is the KL divergence
#
# Everything above splits the cost of a model $q$ in two:
#
# $$H(p, q) = \underbrace{H(p)}_{\text{randomness of the data: no model removes it}} + \underbrace{H(p, q) - H(p)}_{\text{the price of the wrong model}\ \ge\ 0} .$$
#
# The second term is the **Kullback-Leibler divergence** $\mathrm{KL}(p\|q) = \sum_x p(x)\log\frac{p(x)}{q(x)}$.
# Since $H(p)$ does not depend on the model, minimising the cross-entropy loss and minimising
# $\mathrm{KL}(p\|q)$ are the same thing. Lecture 2 studies this divergence: why it is never negative,
# why $\mathrm{KL}(p\|q) \ne \mathrm{KL}(q\|p)$, and the Jensen-Shannon divergence that GANs minimise.

# %%
kl_bits = scipy.stats.entropy(random_ps, random_qs, base=2, axis=-1)   # scipy's relative entropy
check.close("H(p, q) - H(p) is scipy's relative entropy sum p log(p / q) on every random pair", gap, kl_bits,
            rtol=1e-8, atol=1e-12)
check.close("... and genlib's reference info.kl", gap, info.kl(random_ps, random_qs, base=2), rtol=1e-8, atol=1e-12)
on_iris = info.kl(np.eye(3)[y_np], probs).mean()
check.close("for one-hot labels H(p) = 0, so the iris loss is itself an average KL", ours, on_iris, rtol=1e-10)

# %% [markdown]
# ## Exercises
#
# Under each exercise, a check tries your function on a few inputs against the course's reference. It
# names the classic mistake when your answer makes one, and otherwise shows the smallest input where your
# answer differs.
#
# ### Exercise 1: entropy in bits
#
# Write `my_entropy_bits(p)` for a probability vector `p` (a NumPy array that may contain zeros).
# Watch the unit and the outcomes with probability 0.

# %% tags=["exercise"]
def my_entropy_bits(p):
    p = np.asarray(p, dtype=float)
    ### BEGIN SOLUTION
    nz = p > 0
    return -np.sum(p[nz] * np.log2(p[nz]))
    ### END SOLUTION

# %%
exercises.check("entropy in bits", my_entropy_bits)

# %% [markdown]
# ### Exercise 2: cross-entropy, in the right order
#
# Write `my_cross_entropy_bits(p, q)`: the average number of bits paid when outcomes come from
# `p` and the code is built for `q` (assume `q > 0` wherever `p > 0`).

# %% tags=["exercise"]
def my_cross_entropy_bits(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    ### BEGIN SOLUTION
    nz = p > 0
    return -np.sum(p[nz] * np.log2(q[nz]))
    ### END SOLUTION

# %%
exercises.check("cross-entropy in bits", my_cross_entropy_bits)

# %% [markdown]
# ### Exercise 3: the classification loss from logits
#
# Write `my_classification_loss(logits, y)` for a NumPy array of scores `logits` (shape `n x C`)
# and integer labels `y`: the mean over examples of $-\log \mathrm{softmax}(\text{logits})_{y}$, in nats.
# (For numerical stability subtract each row's maximum before exponentiating; it changes nothing else.)

# %% tags=["exercise"]
def my_classification_loss(logits, y):
    logits = np.asarray(logits, dtype=float)
    ### BEGIN SOLUTION
    z = logits - logits.max(axis=1, keepdims=True)
    log_q = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -log_q[np.arange(len(y)), y].mean()
    ### END SOLUTION

# %%
exercises.check("classification loss", my_classification_loss)

# %% [markdown]
# ### Exercise 4 (a derivation): the entropy of a geometric distribution
#
# Toss a coin with $P(\text{heads}) = p$ until the first heads; let $X$ be the number of tosses. Then
# $P(X = k) = (1-p)^{k-1} p$ for $k = 1, 2, \dots$: infinitely many outcomes, yet a finite entropy.
# Derive $H(X)$ in bits with pen and paper, then type your closed form into `geometric_entropy_bits(p)`;
# the check compares it with the infinite sum $-\sum_k P(X=k)\log_2 P(X=k)$ computed numerically.
#
# *Hint.* The surprise of $X = k$ is $-\log_2 p - (k - 1)\log_2(1 - p)$, linear in $k$; take its expectation
# with $\mathbb E[X] = 1/p$. Then compare your result with the binary entropy of one toss, $H(p)$ of
# section 2: what does the ratio mean?

# %% tags=["exercise"]
def geometric_entropy_bits(p):
    ### BEGIN SOLUTION
    return (-p * np.log2(p) - (1 - p) * np.log2(1 - p)) / p
    ### END SOLUTION

# %%
exercises.check("entropy of a geometric", geometric_entropy_bits)

# %% [markdown]
# ## Summary
#
# * The **surprise** of an event is $-\log p$: zero for certain events, large for rare ones, and
#   additive over independent events (we checked both halves of that, with dice).
# * **Entropy** $H(p) = -\sum p\log p$ is the average surprise, the uncertainty of $p$: 0 for a certain
#   outcome, at most $\log K$, reached only by the uniform distribution (1 bit for a fair coin).
# * **Bits** (log base 2) and **nats** (natural log) differ by the factor $\ln 2$.
# * $H(p)$ is the length of the shortest code: Huffman codes reach $H \le L < H + 1$ bits per letter.
# * **Cross-entropy** $H(p, q) = -\sum p \log q$ is the cost of coding data from $p$ with a code built
#   for $q$; $H(p, q) \ge H(p)$ with equality only at $q = p$, and $H(p, p) = H(p)$, not 0.
# * The classification loss is a cross-entropy: the average surprise of the model at the true labels.
#   Minimising it is maximum likelihood (lecture 3).
# * The excess $H(p, q) - H(p)$ is the **KL divergence**, the subject of lecture 2.
