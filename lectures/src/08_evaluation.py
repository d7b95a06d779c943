# %% [markdown]
# # Lecture 8 - Which model is best? One evaluation harness for every model of the course
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-course/genmodels/blob/main/lectures/08_evaluation.ipynb)
#
# **What you will learn**
#
# * why binary cross-entropy on grey pixels is not a likelihood, and how to report one that is:
#   exact for a per-pixel model, bounded for a VAE (the ELBO and the importance-weighted bound
#   $L_k$), in **bits per pixel** beside what gzip and PNG spend on the same images;
# * sample-quality measures computed on the features of a small digit classifier: the
#   **Fréchet distance**, the **kernel distance**, **precision and recall**, **density and
#   coverage**, and two **two-sample tests** (a classifier and an MMD permutation test);
# * every model of the course (autoencoder, VAE, GAN, WGAN-GP) on one table, beside the held-out
#   digits themselves, a **memoriser** and a **blurry mean** model built to fool the measures;
# * a divergence lab: one bimodal target fitted by one Gaussian under forward KL, reverse KL,
#   JS, the non-saturating GAN loss and $W_1$ - mode covering and mode seeking, measured;
# * a widget that breaks samples (blur, dropped classes, copies, noise) to show what each
#   measure is blind to.
#
# **Prerequisites**: lectures 1-7 (entropy and coding, KL and JS, maximum likelihood, the
# autoencoder, the VAE and its importance-weighted bound, the GAN, the Wasserstein distance).

# %% tags=["setup"]
# Set-up: on Colab this installs the course library; anywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/generative-course/genmodels@main")

# %% tags=["parameters"]
PROFILE: str = "auto"  # one of auto, cpu, full
SEED: int = 0  # random seed, a non-negative integer
DATASET: str = "mnist5k"  # one of mnist5k (5,000 digits 28x28, offline) or mnist (70,000 digits, downloads once)
EPOCHS: int = 8  # passes over the training digits, the same budget for every model, an integer, at least 1 (the checks on trained models need at least 8)
K_MAX: int = 100  # largest number of importance samples k of the bound L_k, an integer, at least 1 (the published test NLL uses 5000)
N_SAMPLES: int = 500  # samples drawn from each model for the sample measures, an integer, at least 50 and at most 1000
METRIC: str = "fd"  # the measure that orders the table: one of nll, fd, kd, precision, recall, density, coverage, c2st, copy

# %%
import math
import time
import numpy as np
import torch
import torch.nn.functional as F
import matplotlib.pyplot as plt
from scipy import integrate, linalg, optimize, stats
from scipy.special import logsumexp
import genlib
from genlib import check, data, evaluation, exercises, measured, models, report, toy, widgets

P = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0),
                    DATASET=genlib.choice("mnist5k", "mnist"), EPOCHS=genlib.integer(min=1),
                    K_MAX=genlib.integer(min=1), N_SAMPLES=genlib.integer(min=50, max=1000),
                    METRIC=genlib.choice("nll", "fd", "kd", "precision", "recall", "density",
                                                        "coverage", "c2st", "copy"))
rt = genlib.setup(P.PROFILE, P.SEED)
metric_names = ("nll", "fd", "kd", "precision", "recall", "density", "coverage", "c2st", "copy")
trained = P.EPOCHS >= 8   # the checks on trained models hold from this budget on (measured for SEED 0 to 19)
sampled = P.N_SAMPLES >= 300   # and the checks on sample measures from this many samples on

# %% [markdown]
# ## 1. Likelihood, in bits
#
# A likelihood is the one measure that every explicit model of the course can report, and
# lecture 1 told us what it means: $-\log_2 p(x)$ is the length in bits of the shortest code
# for $x$ that a coder built on $p$ can reach. For that to hold, $p$ must be a *distribution
# over the data we score*.
#
# **Grey pixels are not Bernoulli data.** Lecture 5 trained its VAE with binary cross-entropy
# on grey pixels $x \in [0, 1]$: $-\sum_j x_j \log \hat x_j + (1 - x_j)\log(1 - \hat x_j)$. As a
# loss this is fine, but $\hat x^{x}(1 - \hat x)^{1 - x}$ is not a density on $[0, 1]$: it does not
# integrate to 1, so the number is not a log-likelihood. The 105.6 nats that PyTorch's VAE
# example prints after 10 epochs and the 86.76 nats of the IWAE paper (Burda et al. 2016) are
# not on the same scale. The published numbers use **dynamically binarised** digits: every
# time an image is used, each pixel is drawn as 1 with probability its grey level. We do the same.

# %%
for p_hat in (0.1, 0.5, 0.9):
    mass, _ = integrate.quad(lambda x: p_hat ** x * (1 - p_hat) ** (1 - x), 0, 1)
    print(f"p_hat = {p_hat}: the 'density' x -> p_hat^x (1 - p_hat)^(1 - x) integrates to {mass:.3f} over [0, 1]")
check.claim("the Bernoulli formula is not a density on grey levels: its integral over [0, 1] is below 1",
            integrate.quad(lambda x: 0.3 ** x * 0.7 ** (1 - x), 0, 1)[0] < 0.99)

# %%
ds = data.load(P.DATASET, seed=P.SEED)
x_train, y_train, x_test, y_test = ds.x_train, ds.y_train, ds.x_test, ds.y_test
D = x_train.shape[1]
n_ll = rt.pick(cpu=300, full=len(x_test))     # test digits scored by the likelihoods
gen = torch.Generator().manual_seed(P.SEED)
xb_test = torch.bernoulli(x_test[:n_ll], generator=gen)   # one binarisation of the test digits, kept
print(f"{len(x_train)} training and {len(x_test)} test digits of {D} pixels; {n_ll} binarised test digits scored")

# %% [markdown]
# **The floor: a per-pixel Bernoulli model.** Each pixel is an independent coin with its own
# probability $p_j$; the maximum-likelihood $p_j$ is the mean of pixel $j$ over the (binarised)
# training digits, and its log-likelihood is exact:
# $\log p(x) = \sum_j x_j \log p_j + (1 - x_j) \log(1 - p_j)$. A model that cannot beat it has
# learnt nothing about shapes.

# %%
p_pixel = x_train.mean(0).clamp(1e-3, 1 - 1e-3).double()   # E[binarised pixel] = its grey level

def log_lik_pixels(x, p):
    return (x * torch.log(p) + (1 - x) * torch.log1p(-p)).sum(-1)

nll_pixels = -log_lik_pixels(xb_test.double(), p_pixel)
check.close("per-pixel log-likelihood = scipy.stats.bernoulli.logpmf summed over the pixels",
            -nll_pixels[:20], stats.bernoulli.logpmf(xb_test[:20].numpy(), p_pixel.numpy()).sum(1), rtol=1e-9)
print(f"per-pixel Bernoulli model: test NLL {nll_pixels.mean().item():.2f} nats per digit")

# %% [markdown]
# **A VAE's likelihood is only bounded.** Lecture 5 derived the ELBO and the importance-weighted
# bound: with $k$ draws $z_i \sim q(z|x)$ and weights $w_i = p(x, z_i) / q(z_i|x)$,
#
# $$L_k = \mathbb E\Big[\log \frac1k \sum_{i=1}^k w_i\Big], \qquad \mathrm{ELBO} = L_1 \le L_{10} \le \dots \le \log p(x),$$
#
# and $L_k \to \log p(x)$ as $k \to \infty$. In code, from a $(k, n)$ array of log-weights
# (log-sum-exp keeps the sum of tiny numbers representable):

# %%
def iwae_bound(log_w):
    """L_k per column of a (k, n) array of log-weights."""
    return logsumexp(log_w, axis=0) - np.log(len(log_w))

# %% [markdown]
# First on a model where $\log p(x)$ is known: a linear-Gaussian model $z \sim \mathcal N(0, I_2)$,
# $x | z \sim \mathcal N(Wz + b, s^2 I_5)$, so that $x \sim \mathcal N(b, WW^\top + s^2 I)$ exactly
# (scipy's multivariate normal). The proposal $q$ is the prior itself, a poor guess of the
# posterior, so the ELBO is loose and the bound has room to rise.

# %%
rng = np.random.default_rng(P.SEED)
W_lin, b_lin, s_lin = rng.normal(size=(5, 2)), rng.normal(size=5), 0.6
x_lin = rng.multivariate_normal(b_lin, W_lin @ W_lin.T + s_lin ** 2 * np.eye(5), size=20)
log_px_lin = stats.multivariate_normal(b_lin, W_lin @ W_lin.T + s_lin ** 2 * np.eye(5)).logpdf(x_lin)
ks = [1, 10, 100, 1000]
z_lin = rng.normal(size=(20000, 2))
# q = prior, so log w = log p(x|z): one row per draw, one column per x
log_w_lin = stats.norm.logpdf(x_lin[None, :, :], (z_lin @ W_lin.T + b_lin)[:, None, :], s_lin).sum(-1)
# each L_k averaged over the 20000 / k disjoint blocks of k draws
bounds_lin = [iwae_bound(log_w_lin.reshape(-1, k, 20).transpose(1, 0, 2).reshape(k, -1)).mean() for k in ks]
for k, v in zip(ks, bounds_lin):
    print(f"k = {k:5d}: L_k = {measured(v):.3f} nats (mean over 20 points)")
print(f"exact mean log p(x) = {log_px_lin.mean():.3f} nats")
check.close("our iwae_bound matches genlib's reference", iwae_bound(log_w_lin[:10]),
            evaluation.iwae_bound(log_w_lin[:10]), rtol=1e-12)
check.between("L_k rises with k from 1 to 10 to 100 (the smaller step, nats)", np.diff(bounds_lin[:3]).min(), 0)
check.between("L_10 stays below the exact log p(x) (scipy; the gap in nats)", log_px_lin.mean() - bounds_lin[1], 0)
check.close("L_1000 is within 0.1 nats of log p(x)", bounds_lin[-1], log_px_lin.mean(), atol=0.1, rtol=0)

# %% [markdown]
# Now a VAE with lecture 5's architecture (`genlib.models.VAE`: one hidden layer of 256 units
# each way, a 20-dimensional code, Bernoulli pixels), trained on digits binarised afresh at
# every batch. Numbers in angle brackets, like ⟨1.23⟩, are *measured*: they come out of
# training or sampling and move in their last digits from one machine to another.

# %%
genlib.seed_everything(P.SEED)
EPOCHS_FULL = P.EPOCHS
vae = models.VAE(D, 20, hidden=256, x_mean=x_train.mean(0))
vae_seconds = models.train_vae(vae, x_train, P.EPOCHS, seed=P.SEED)
vae.eval()

def vae_bounds(model, x, ks, chunk=20):
    """L_k for each k in ks, per image, from one set of max(ks) draws (prefixes for smaller k)."""
    out = {k: [] for k in ks}
    g = torch.Generator().manual_seed(P.SEED)
    step = max(1, chunk * 100 // max(ks))
    for i in range(0, len(x), step):
        lw = models.vae_log_weights(model, x[i:i + step], max(ks), gen=g).double().numpy()
        for k in ks:
            out[k].append(iwae_bound(lw[:k]))
    return {k: np.concatenate(v) for k, v in out.items()}

ks_vae = sorted({k for k in (1, 10, 100, 1000, 5000) if k <= P.K_MAX} | {P.K_MAX})
t0 = time.perf_counter()
L_vae = vae_bounds(vae, xb_test, ks_vae)
bound_seconds = time.perf_counter() - t0
for k in ks_vae:
    print(f"VAE: -L_{k:<5d} = {measured(-L_vae[k].mean()):.2f} nats per digit")
nll_vae = -L_vae[P.K_MAX].mean()
print(f"training {measured(vae_seconds):.1f} s, bounds {measured(bound_seconds):.1f} s")
if check.needs(trained and len(ks_vae) >= 3, "the VAE's bound checks need EPOCHS of at least 8 and K_MAX of at least 100"):
    check.between("on digits too, L_k rises with k: L_1 < L_10 < L_100 (the smallest step, nats)",
                  min(L_vae[10].mean() - L_vae[1].mean(), L_vae[100].mean() - L_vae[10].mean()), 0)
    check.between("the VAE beats the per-pixel floor by more than 40 nats per digit",
                  nll_pixels.mean().item() - nll_vae, 40)
report.record("vae_test_nll_nats", nll_vae)
report.record("vae_train_seconds", vae_seconds)

# %% [markdown]
# **In bits per pixel, beside real compressors.** Dividing nats per image by $D \ln 2$ gives
# bits per pixel, the unit of lecture 1's coding view. A binarised digit costs 1 bit per pixel
# stored raw; gzip (on the packed bits of each image) and PNG (a 1-bit image file each) are
# what a general-purpose coder spends on the same test digits. The models code better because
# they know what digits look like; what PNG and gzip pay on top is headers and ignorance.

# %%
def bits_per_dim(nats, dims):
    return nats / dims / math.log(2)

comp = evaluation.compressed_bits_per_dim(xb_test.numpy().astype(np.uint8))
rows = [("raw bits", 1.0, False), ("PNG, 1 bit per pixel", comp["png"], False), ("gzip on packed bits", comp["gzip"], False),
        ("per-pixel Bernoulli (exact)", bits_per_dim(nll_pixels.mean().item(), D), False),
        (f"VAE, -L_{P.K_MAX} (a bound)", bits_per_dim(nll_vae, D), True)]
for name, v, m in rows:
    print(f"{name:30s} {measured(v) if m else v:.3f} bits per pixel")
check.close("bits per pixel = nats / (D ln 2), against genlib's reference", bits_per_dim(nll_vae, D),
            evaluation.bits_per_dim(nll_vae, D), rtol=1e-12)
if check.needs(trained, "the VAE's coding claim needs EPOCHS of at least 8"):
    check.between("the VAE's code is shorter than gzip's and PNG's (ratio of bits, VAE over the better)",
                  bits_per_dim(nll_vae, D) / min(comp["gzip"], comp["png"]), high=0.6)
report.record("vae_bits_per_dim", bits_per_dim(nll_vae, D))

# %% [markdown]
# **The published yardstick.** Burda et al. (2016) report 86.76 nats for a one-layer VAE on the
# full, dynamically binarised MNIST, scored with $k = 5{,}000$ after 3,280 epochs. Our cpu run
# trains a few seconds on 4,000 digits, so its number is far above; the full profile
# (`DATASET="mnist"`, `K_MAX=5000`, more epochs) is where the comparison means something.

# %%
published = 86.76
print(f"{ds.name}, {P.EPOCHS} epochs, k = {P.K_MAX}: test NLL {measured(nll_vae):.2f} nats; "
      f"published {published} nats (full MNIST, 3,280 epochs); "
      f"difference {measured(nll_vae - published):+.2f} nats; training took {measured(vae_seconds):.0f} s")

# %% [markdown]
# ## 2. Sample quality without an ImageNet network
#
# GANs have no likelihood at all, so the field judges samples. The standard FID feeds images to
# an ImageNet classifier (Inception-v3) and compares the statistics of its features. We have no
# such network offline, and digits are not ImageNet: we train a **small digit classifier** (one
# hidden layer of 256 units, then 64 features, then 10 classes) and use its 64 features.
# Published MNIST FIDs use other features and are not comparable with ours: we compare models
# only with each other. The classifier is trained once and kept in the data cache with a
# checksum; a damaged file is retrained, never trusted.

# %%
t0 = time.perf_counter()
clf, clf_source = models.cached_classifier(x_train, y_train, data.data_dir(),
                                           tag=f"features_{ds.name}_seed{P.SEED}", seed=P.SEED)
acc_clf = (clf(x_test).argmax(1) == y_test).float().mean().item()
# (clf_source says "cache" or "trained": where the weights came from this time)
print(f"feature classifier: test accuracy {measured(acc_clf):.3f}, {measured(time.perf_counter() - t0):.1f} s")
check.between("the feature classifier reads digits: test accuracy above 85 %", acc_clf, 0.85)

@torch.no_grad()
def features(x):
    return clf.features(torch.as_tensor(x, dtype=torch.float32)).numpy().astype(np.float64)

# %% [markdown]
# **Fréchet distance.** Fit a Gaussian to each feature sample and take the Wasserstein-2
# distance between the two Gaussians (squared), which has a closed form:
#
# $$\mathrm{FD} = \|\mu_1 - \mu_2\|^2 + \operatorname{tr}\big(\Sigma_1 + \Sigma_2 - 2(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2})^{1/2}\big).$$
#
# The first term compares the means, the trace term the spreads and shapes.

# %%
def frechet(mu1, s1, mu2, s2):
    covmean = linalg.sqrtm(s1 @ s2).real          # (S1 S2)^1/2 has the trace of the symmetric form above
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))

def fd(a, b, eps=1e-6):
    """FD between two feature samples; eps on the diagonals keeps a singular covariance (fewer distinct
    samples than features) from making the matrix square root ill-defined."""
    ridge = eps * np.eye(a.shape[1])
    return frechet(a.mean(0), np.cov(a, rowvar=False) + ridge, b.mean(0), np.cov(b, rowvar=False) + ridge)

m1, m2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
sd1, sd2 = np.array([1.0, 2.0, 0.5]), np.array([3.0, 0.5, 0.5])
check.close("FD of two diagonal Gaussians = |m1 - m2|² + sum (sd1 - sd2)² (the closed form)",
            frechet(m1, np.diag(sd1 ** 2), m2, np.diag(sd2 ** 2)), np.sum((m1 - m2) ** 2) + np.sum((sd1 - sd2) ** 2))
a_cov, b_cov = rng.normal(size=(8, 8)), rng.normal(size=(8, 8))
s_a, s_b = a_cov @ a_cov.T / 8 + 0.1 * np.eye(8), b_cov @ b_cov.T / 8 + 0.1 * np.eye(8)
check.close("FD on random covariances = genlib's eigenvalue route (no sqrtm)",
            frechet(np.zeros(8), s_a, np.ones(8), s_b), evaluation.frechet_gaussians(np.zeros(8), s_a, np.ones(8), s_b, eps=0),
            rtol=1e-6)

# %% [markdown]
# **Kernel distance (KID).** The squared MMD of lecture 7's family of distances, with the cubic
# polynomial kernel $k(a, b) = (a^\top b / d + 1)^3$, estimated without bias (the diagonal terms
# $k(x_i, x_i)$ are left out). Unlike FD it assumes no Gaussian, and its estimate is unbiased at
# any sample size, so it can go slightly negative when two samples match.

# %%
def kd(a, b):
    k = lambda u, v: (u @ v.T / u.shape[1] + 1) ** 3
    kaa, kbb, n, m = k(a, a), k(b, b), len(a), len(b)
    return ((kaa.sum() - np.trace(kaa)) / (n * (n - 1)) + (kbb.sum() - np.trace(kbb)) / (m * (m - 1))
            - 2 * k(a, b).mean())

check.close("our kernel distance = genlib's reference (tested against a brute-force sum)",
            kd(f_toy_a := rng.normal(size=(40, 6)), f_toy_b := rng.normal(0.3, 1.2, size=(30, 6))),
            evaluation.kernel_distance(f_toy_a, f_toy_b), rtol=1e-9)

# %% [markdown]
# **Precision and recall** (Kynkäänniemi et al. 2019). Around each real feature vector draw a
# ball reaching its $k$-th nearest real neighbour ($k = 3$): their union estimates the real
# manifold. *Precision* is the share of generated points that land inside it (are the samples
# realistic?); *recall* swaps the roles, the share of real points inside the generated manifold
# (is the data's variety covered?). **Density and coverage** (Naeem et al. 2020, $k = 5$) use
# only the real balls, which outliers among the samples cannot inflate: density counts how many
# real balls hold each sample (about 1 for a perfect model), coverage the share of real balls
# that hold at least one sample.

# %%
def pairwise(a, b):
    """Euclidean distances between the rows of a and of b: |a|² + |b|² - 2 a·b, without an n x m x d array."""
    return np.sqrt(np.clip((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T, 0, None))

def knn_radius(a, k):
    return np.sort(pairwise(a, a), axis=1)[:, k]    # column 0 is the point itself

def precision_recall(real, fake, k=3):
    d = pairwise(real, fake)                          # real x fake
    precision = (d <= knn_radius(real, k)[:, None]).any(0).mean()
    recall = (d <= knn_radius(fake, k)[None, :]).any(1).mean()
    return precision, recall

# %% [markdown]
# Checked on two feature samples whose precision and recall differ: real test digits against a
# "model" that draws only zeros and ones (the digits 0 and 1 of the held-out split).

# %%
ref_idx, held_idx = np.arange(len(x_test)) % 2 == 0, np.arange(len(x_test)) % 2 == 1
f_ref = features(x_test[ref_idx][:P.N_SAMPLES])              # the reference: half the test split
f_train = features(x_train)
narrow = features(x_test[held_idx][(y_test[held_idx] <= 1)])
pr_ours = precision_recall(f_ref, narrow)
pr_ref = evaluation.prdc(f_ref, narrow)
print(f"zeros and ones only: precision {measured(pr_ours[0]):.2f}, recall {measured(pr_ours[1]):.2f}")
check.close("precision and recall = genlib's reference (tested against the papers' definitions)",
            np.array(pr_ours), [pr_ref["precision"], pr_ref["recall"]], rtol=1e-12)
if check.needs(sampled, "the precision and recall claim needs N_SAMPLES of at least 300"):
    check.between("two classes of ten: precision stays well above recall (precision minus recall)",
                  pr_ours[0] - pr_ours[1], 0.1)

# %% [markdown]
# ## Two-sample tests
#
# A distance needs a scale; a **test** answers a yes-or-no question: could these two samples
# come from the same distribution? The **classifier two-sample test** (Lopez-Paz and Oquab 2017)
# labels the samples 0 and 1, fits a classifier on one half and scores it on the *other* half.
# If the distributions are equal, no classifier beats a coin on fresh data: the held-out
# accuracy is about $\mathcal N(\tfrac12, \tfrac1{4 n_\text{test}})$. We use the 1-nearest-neighbour
# classifier, which needs no training and no tuning (and which, scored on its own training
# points, would always be right: the held-out split is what makes the test honest).

# %%
def c2st_1nn(a, b, seed):
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier
    z, label = np.concatenate([a, b]), np.r_[np.zeros(len(a)), np.ones(len(b))]
    z_fit, z_score, l_fit, l_score = train_test_split(z, label, test_size=0.5, stratify=label, random_state=seed)
    clf_nn = KNeighborsClassifier(n_neighbors=1).fit(z_fit, l_fit)
    return float((clf_nn.predict(z_score) == l_score).mean()), len(l_score)

# %% [markdown]
# The **MMD permutation test** computes the unbiased MMD² with a Gaussian kernel whose width is
# the median distance between points (the median heuristic), then shuffles the labels: the
# p-value is the share of shuffles whose MMD² reaches the observed one.

# %%
def mmd_test(a, b, n_perm=200, seed=0):
    z = np.concatenate([a, b])
    d2 = ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
    h = np.median(np.sqrt(d2[np.triu_indices(len(z), 1)]))
    kz, n = np.exp(-d2 / (2 * h * h)), len(a)

    def stat(idx):
        kk = kz[np.ix_(idx, idx)]
        kaa, kbb = kk[:n, :n], kk[n:, n:]
        return ((kaa.sum() - np.trace(kaa)) / (n * (n - 1)) + (kbb.sum() - np.trace(kbb)) / (len(b) * (len(b) - 1))
                - 2 * kk[:n, n:].mean())

    observed = stat(np.arange(len(z)))
    g = np.random.default_rng(seed)
    null = np.array([stat(g.permutation(len(z))) for _ in range(n_perm)])
    return observed, (1 + np.sum(null >= observed)) / (1 + n_perm)

# %% [markdown]
# Both ways, on lecture 6's ring of 8 Gaussians and on digits: two samples of the same
# distribution, then two that differ (the ring against a blob at its centre; real digits
# against the same digits blurred).

# %%
from scipy.ndimage import gaussian_filter

def blur(x, sigma):
    imgs = np.asarray(x).reshape(-1, 28, 28)
    return gaussian_filter(imgs, sigma=(0, sigma, sigma)).reshape(len(imgs), -1)

n_toy = 400
ring_a, ring_b = toy.ring(n_toy, seed=P.SEED, std=0.05), toy.ring(n_toy, seed=P.SEED + 1000, std=0.05)
blob = np.random.default_rng(P.SEED).normal(0, 0.5, size=(n_toy, 2))
f_held = features(x_test[held_idx][:P.N_SAMPLES])
f_blur = features(blur(x_test[held_idx][:P.N_SAMPLES].numpy(), 1.5))
pairs = {"ring vs ring": (ring_a, ring_b, True), "ring vs blob": (ring_a, blob, False),
         "digits vs digits": (f_ref, f_held, True), "digits vs blurred digits": (f_ref, f_blur, False)}
tests = {}
for name, (a, b, same) in pairs.items():
    acc, n_score = c2st_1nn(a, b, P.SEED)
    mmd2, p_mmd = mmd_test(a[:200], b[:200], seed=P.SEED)
    tests[name] = (acc, n_score, p_mmd, same)
    print(f"{name:26s} C2ST accuracy {measured(acc):.3f}   MMD p-value {measured(p_mmd):.3f}")
ref_c2st = evaluation.c2st(f_ref, f_blur, seed=P.SEED)["accuracy"]
check.close("our 1-NN C2ST = genlib's reference", tests["digits vs blurred digits"][0], ref_c2st, rtol=1e-12)
check.close("our MMD test = genlib's reference (statistic and p-value)", mmd_test(ring_a[:60], blob[:60], 50, P.SEED),
            [evaluation.mmd_permutation_test(ring_a[:60], blob[:60], 50, P.SEED)[k] for k in ("mmd2", "p_value")], rtol=1e-9)
null_z = max(abs(acc - 0.5) * 2 * math.sqrt(n) for acc, n, _, same in tests.values() if same)
check.between("same distribution: the C2ST accuracy stays within 4 null standard deviations of 1/2", null_z, high=4)
if check.needs(sampled, "the claim on different digits needs N_SAMPLES of at least 300"):
    check.between("different distributions: the C2ST accuracy lies over 6 null standard deviations above 1/2 (the lowest)",
                  min((acc - 0.5) * 2 * math.sqrt(n) for acc, n, _, same in tests.values() if not same), 6)
check.between("and the MMD test's p-value is the smallest possible, 1/201 (the largest)",
              max(p for _, _, p, same in tests.values() if not same), high=1 / 201)

# %% [markdown]
# One p-value on equal samples says little (under the null it is uniform on $[0, 1]$); many do.
# Twenty pairs of rings, each tested with 100 shuffles: their mean p-value should be near 1/2.

# %%
null_p = [mmd_test(toy.ring(60, seed=P.SEED + 10 + i, std=0.05), toy.ring(60, seed=P.SEED + 50 + i, std=0.05),
                   n_perm=100, seed=i)[1] for i in range(20)]
print(f"mean p-value over 20 equal pairs: {measured(np.mean(null_p)):.2f}")
check.between("under the null, MMD p-values average near 1/2 (the mean of 20)", np.mean(null_p), 0.25, 0.75)

# %% [markdown]
# ## 3. Every model on one table
#
# The course's models, each with the architecture of its lecture (`genlib.models`), trained on the
# same digits with the same budget: `EPOCHS` passes over the training images in batches of 64 (a
# GAN's pass counts its discriminator's batches; the WGAN-GP takes 2 critic steps per generator
# step, gradient penalty weight 1, learning rate 1e-3 like the GAN). Beside them, three
# reference rows:
#
# * **held-out digits**: the other half of the test split, what a perfect model scores;
# * a **memoriser**: it "samples" by replaying training images. Its samples are real digits, so
#   every sample measure loves it; only a comparison with the *training* set catches it: the
#   **copy ratio**, the median distance of its samples to their nearest training image over the
#   same for held-out digits (about 1 for a model as new as fresh data, 0 for a copier). Its
#   likelihood of a test digit is zero: $-\log p = \infty$;
# * a **blurry mean** model: a mixture of ten per-pixel Bernoulli models, one per class (the
#   class's mean image), whose likelihood is exact. Its "samples" are its mean images.
#
# The autoencoder is not a generative model by itself; we sample it (lecture 4) by decoding codes
# drawn from a Gaussian fitted to the training codes. The VAE is the one of section 1; the
# likelihood column (binarised test digits, nats) exists only where a model has one.

# %%
Z_GAN = 32
budget = {}
genlib.seed_everything(P.SEED)
ae = models.Autoencoder(D, 20)
budget["autoencoder"] = models.train_autoencoder(ae, x_train, P.EPOCHS, seed=P.SEED)
genlib.seed_everything(P.SEED)
G_gan, D_gan = models.generator(Z_GAN, D, width=128), models.discriminator(D, width=128)
budget["GAN"] = models.train_gan(G_gan, D_gan, x_train, P.EPOCHS, Z_GAN, lr=1e-3, seed=P.SEED)
genlib.seed_everything(P.SEED)
G_wgan, D_wgan = models.generator(Z_GAN, D, width=128), models.discriminator(D, width=128)
budget["WGAN-GP"] = models.train_gan(G_wgan, D_wgan, x_train, P.EPOCHS, Z_GAN, loss="wgan-gp", n_critic=2, lam=1.0,
                                     lr=1e-3, seed=P.SEED)
budget["VAE"] = vae_seconds

class_means = torch.stack([x_train[y_train == c].mean(0) for c in range(10)]).clamp(1e-3, 1 - 1e-3).double()
class_weights = torch.bincount(y_train, minlength=10).double() / len(y_train)
nll_blurry = -torch.logsumexp(torch.log(class_weights) + log_lik_pixels(xb_test.double()[:, None, :], class_means), 1)

g = torch.Generator().manual_seed(P.SEED)
n = P.N_SAMPLES
with torch.no_grad():
    codes = ae.encoder(x_train)
    chol = torch.linalg.cholesky(torch.cov(codes.T) + 1e-5 * torch.eye(codes.shape[1]))
    samples = {
        "held-out digits": x_test[held_idx][:n],
        "memoriser": x_train[torch.randperm(len(x_train), generator=g)[:n]],
        "blurry mean": class_means.float()[torch.multinomial(class_weights, n, replacement=True, generator=g)],
        "autoencoder": ae.decoder(codes.mean(0) + torch.randn(n, codes.shape[1], generator=g) @ chol.T),
        "VAE": torch.sigmoid(vae.decode(torch.randn(n, 20, generator=g))),
        "GAN": G_gan(torch.randn(n, Z_GAN, generator=g)),
        "WGAN-GP": G_wgan(torch.randn(n, Z_GAN, generator=g)),
    }
nll = {"held-out digits": math.nan, "memoriser": math.inf, "blurry mean": nll_blurry.mean().item(),
       "autoencoder": math.nan, "VAE": nll_vae, "GAN": math.nan, "WGAN-GP": math.nan}

fig, axes = plt.subplots(len(samples), 10, figsize=(7.5, 6.6))
for row, (name, s) in zip(axes, samples.items()):
    for ax, img in zip(row, s[:10]):
        ax.imshow(img.reshape(28, 28).numpy(), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
fig.suptitle("ten samples of each model")
plt.show()

# %%
t0 = time.perf_counter()
table = {}
for name, s in samples.items():
    f = features(s)
    acc, _ = c2st_1nn(f_ref, f, P.SEED)
    pr = precision_recall(f_ref, f)
    dc = evaluation.prdc(f_ref, f)
    table[name] = {"nll": nll[name], "fd": fd(f_ref, f), "kd": kd(f_ref, f), "precision": pr[0], "recall": pr[1],
                   "density": dc["density"], "coverage": dc["coverage"], "c2st": acc,
                   "copy": evaluation.copy_ratio(f, f_train, f_held)}
lower_better = {"nll", "fd", "kd", "c2st"}
order = sorted(table, key=lambda m: (math.isnan(table[m][P.METRIC]),
                                     table[m][P.METRIC] * (1 if P.METRIC in lower_better else -1)))
print(f"{'model':16s}" + "".join(f"{c:>11s}" for c in metric_names))
for name in table:   # each measured cell is 9 characters wide inside its brackets, so the columns never shift
    cells = ["-" if math.isnan(v) else "inf" if math.isinf(v) else format(measured(v), ">9.3g")
             for v in (table[name][c] for c in metric_names)]
    print(f"{name:16s}" + "".join(f"{c:>11s}" for c in cells))
# the order depends on measured values, so it is printed as one (in brackets)
print(f"best to worst by {P.METRIC}: {measured(', '.join(order), 's')}")
print(f"(measures {measured(time.perf_counter() - t0):.1f} s; training s: "
      + ", ".join(f"{k} {measured(v):.1f}" for k, v in budget.items()) + ")")
report.record("table", {m: {c: (None if not math.isfinite(v) else v) for c, v in row.items()} for m, row in table.items()})
report.record("train_seconds", budget)

# %% [markdown]
# What the table says, checked as rankings rather than numbers:

# %%
models_trained = ["autoencoder", "VAE", "GAN", "WGAN-GP", "blurry mean"]
T = table
if check.needs(sampled, "the table's claims need N_SAMPLES of at least 300"):
    check.between("the held-out digits have a lower FD than every model (ratio of FDs, the closest model)",
                  T["held-out digits"]["fd"] / min(T[m]["fd"] for m in models_trained), high=0.5)
    # not below the GANs': trained long (the full profile, 100 epochs of the full MNIST) the WGAN-GP
    # reached the memoriser's FD (20.7 against 21.1): FD cannot tell a copier from a good generator
    check.between("the memoriser's FD is below half of the autoencoder's, the VAE's and the blurry mean's",
                  T["memoriser"]["fd"] / min(T[m]["fd"] for m in ("autoencoder", "VAE", "blurry mean")), high=0.5)
    check.between("the copy ratio catches it: the memoriser's is 0, the held-out digits' about 1 (their difference)",
                  T["held-out digits"]["copy"] - T["memoriser"]["copy"], 0.7)
    check.between("the C2ST cannot tell the memoriser from fresh digits (null standard deviations from 1/2)",
                  abs(T["memoriser"]["c2st"] - 0.5) * 2 * math.sqrt(n), high=4)
if check.needs(sampled and trained, "the claims on trained models need EPOCHS of at least 8 and N_SAMPLES of at least 300"):
    # not the WGAN-GP's: trained long (the full profile) it came close to fooling the 1-NN classifier
    # (0.57, about 3 null standard deviations above 1/2, SEED 0)
    check.between("but it tells the autoencoder, the VAE, the GAN and the blurry mean from real digits (the lowest accuracy)",
                  min(T[m]["c2st"] for m in ("autoencoder", "VAE", "GAN", "blurry mean")), 0.6)
    check.claim("likelihood and samples disagree: the memoriser ranks in the top three by FD, last by likelihood",
                sorted(T, key=lambda m: T[m]["fd"]).index("memoriser") <= 2 and math.isinf(T["memoriser"]["nll"]))
    check.between("the blurry mean's likelihood beats the per-pixel floor (nats per digit)",
                  nll_pixels.mean().item() - T["blurry mean"]["nll"], 10)
    check.between("yet its ten mean images cover far less of the data than the VAE's samples (coverage ratio)",
                  T["blurry mean"]["coverage"] / T["VAE"]["coverage"], high=0.7)
    check.between("and the VAE's likelihood beats the blurry mean's (nats per digit)",
                  T["blurry mean"]["nll"] - T["VAE"]["nll"], 10)

# %% [markdown]
# Theis et al. (2016) made these points in general: likelihood and sample quality are largely
# independent. The memoriser has perfect samples and no likelihood; the blurry mean has a decent
# likelihood and ten samples. Trained long (the full profile: 100 epochs of the full MNIST), the
# WGAN-GP reached the memoriser's FD (20.7 against 21.1, SEED 0): FD alone cannot tell a good
# generator from a copier; the copy ratio can. The same WGAN-GP nearly fooled the classifier
# two-sample test too (an accuracy of 0.57 where the other models scored 0.75 or more): a
# test that a good generator can pass is a yardstick, a test that every model fails is a
# fence. And here precision is blind to the blurry mean: its mean images
# sit at the centre of their class in the classifier's feature space, which is inside the real
# manifold. Every measure sees through its features; recall, coverage and the two-sample tests
# see what precision misses.
#
# ## 4. A divergence lab: mode covering and mode seeking
#
# Lecture 2 drew it; now we measure it. The target is a bimodal mixture
# $p = \tfrac12\mathcal N(-2, 0.5^2) + \tfrac12\mathcal N(2, 0.5^2)$, the model a single
# Gaussian $q = \mathcal N(\mu, \sigma^2)$, fitted by minimising each divergence on a fine grid:
#
# * forward KL$(p\|q)$ = maximum likelihood: it pays dearly where $p > 0$ and $q \approx 0$;
# * reverse KL$(q\|p)$: it pays where $q > 0$ and $p \approx 0$;
# * JS, the value of the GAN's game at the optimal discriminator (lecture 6), from two starts;
# * the non-saturating generator loss $-\mathbb E_q \log D^*(x)$ at the optimal discriminator
#   $D^* = p / (p + q)$ (lecture 6);
# * $W_1$ (lecture 7), from the two quantile functions.
#
# We measure what each fit does: its mean, its width, and the mass it puts on each mode.

# %%
xs = np.linspace(-9, 9, 6001)
dx = xs[1] - xs[0]
p_mix = toy.mixture_1d_pdf(xs, [-2.0, 2.0], [0.5, 0.5])
u = np.linspace(0.0005, 0.9995, 2000)
p_quant = np.interp(u, np.cumsum(p_mix) * dx, xs)

def divergence(name, mu, log_sigma):
    q = stats.norm.pdf(xs, mu, math.exp(log_sigma)) + 1e-300
    p = p_mix + 1e-300
    if name == "forward KL":
        return np.sum(p * np.log(p / q)) * dx
    if name == "reverse KL":
        return np.sum(q * np.log(q / p)) * dx
    m = (p + q) / 2
    if name == "JS":
        return 0.5 * np.sum(p * np.log(p / m)) * dx + 0.5 * np.sum(q * np.log(q / m)) * dx
    if name == "NS GAN":
        return -np.sum(q * np.log(p / (p + q))) * dx
    return np.mean(np.abs(p_quant - stats.norm.ppf(u, mu, math.exp(log_sigma))))   # W1

fits, values = {}, {}
for name, start in (("forward KL", 0.5), ("reverse KL", 0.5), ("JS", 0.5), ("JS", 0.0), ("NS GAN", 0.5), ("W1", 0.5)):
    res = optimize.minimize(lambda t: divergence(name, *t), x0=[start, 0.0], method="Nelder-Mead",
                            options={"xatol": 1e-6, "fatol": 1e-10, "maxiter": 4000})
    mu, sd = res.x[0], math.exp(res.x[1])
    right = stats.norm.sf(0, mu, sd)
    label = name if start == 0.5 else f"{name}, mu from 0"
    fits[label], values[label] = (mu, sd, max(right, 1 - right)), res.fun
    print(f"{label:16s} mu {measured(mu):+.2f}  sigma {measured(sd):.2f}  "
          f"mass on its heavier side {measured(max(right, 1 - right)):.2f}  value {measured(res.fun):.3f}")
sd_p = math.sqrt(4 + 0.25)
check.close("forward KL = maximum likelihood: the fit matches p's mean 0 and standard deviation sqrt(4.25)",
            fits["forward KL"][:2], [0.0, sd_p], atol=2e-3, rtol=0)
check.between("reverse KL seeks one mode: over 95 % of q's mass on one side", fits["reverse KL"][2], 0.95)
check.between("and the non-saturating GAN loss too", fits["NS GAN"][2], 0.95)
check.between("forward KL covers both modes: its mass splits evenly (the heavier side)", fits["forward KL"][2], high=0.55)
check.between("reverse KL's width matches one mode's (sigma over 0.5)", fits["reverse KL"][1] / 0.5, 0.8, 1.25)
check.between("started near a mode, JS seeks that mode as well", fits["JS"][2], 0.95)
check.between("started between the modes, JS covers both (the heavier side's mass)", fits["JS, mu from 0"][2], high=0.55)
check.between("and that covering fit has the lower JS: the mode-seeking one is a local minimum (difference)",
              values["JS"] - values["JS, mu from 0"], 1e-3)
check.between("W1 covers both modes (the heavier side's mass)", fits["W1"][2], high=0.55)
report.record("divergence_fits", {k: list(v) for k, v in fits.items()})

# %%
fig, ax = plt.subplots(figsize=(7, 3.2))
ax.fill_between(xs, p_mix, color="0.85", label="target p")
for name, (mu, sd, _) in fits.items():
    ax.plot(xs, stats.norm.pdf(xs, mu, sd), label=name)
ax.set_xlim(-6, 6)
ax.set_xlabel("x")
ax.set_title("one Gaussian fitted to two modes, by five objectives (JS from two starts)")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.show()

# %% [markdown]
# Forward KL (maximum likelihood, and so the VAE's objective) spreads one Gaussian over both
# modes and puts its peak where $p$ has almost no mass: the blurry average. Reverse KL and the
# non-saturating GAN loss pick one mode and fit it sharply: mode seeking, the mode collapse of
# lectures 6 and 7. JS, the GAN's game at its optimal discriminator, has two minima: a wide one
# that covers both modes (the lower, global one) and a narrow one on a mode (a local minimum);
# started near a mode, the descent stays there. $W_1$ covers both modes like forward KL, with a
# slightly narrower Gaussian: it measures how far mass must move, and a Gaussian on one mode
# leaves half the mass 4 units away.
#
# ## 5. A widget that breaks samples
#
# Start from held-out digits and break them: blur them, drop digit classes, replace a fraction
# by copies of training images, add pixel noise. Every measure is recomputed on each change
# (on 300 samples). Find what each one is blind to: which measure does not move when you drop
# classes? When you copy training digits?

# %%
import ipywidgets as W
from genlib.views.evaluation import BrokenSamples

breaker = BrokenSamples(x_test[held_idx][:300].numpy(), y_test[held_idx][:300].numpy(), x_test[ref_idx][:300].numpy(),
                        x_train[:1000].numpy(), features, seed=P.SEED)
broken = widgets.Interactive(breaker, {
    "blur": W.FloatSlider(value=0.0, min=0, max=3, step=0.25, description="blur"),
    "classes": W.IntSlider(value=10, min=1, max=10, description="classes kept"),
    "copied": W.FloatSlider(value=0.0, min=0, max=1, step=0.1, description="copied"),
    "noise": W.FloatSlider(value=0.0, min=0, max=0.5, step=0.05, description="noise"),
}, title="break the samples", columns=2)
broken

# %% [markdown]
# ## Exercises
#
# **Exercise 1 - bits per pixel.** Write `to_bits_per_dim(nats, dims)`: a negative
# log-likelihood in nats per image, as bits per pixel.

# %% tags=["exercise"]
def to_bits_per_dim(nats, dims):
    ### BEGIN SOLUTION
    return nats / (dims * math.log(2))
    ### END SOLUTION

# %%
exercises.check("bits per dimension", to_bits_per_dim)

# %% [markdown]
# **Exercise 2 - the importance-weighted bound.** Given log-weights of shape `(k, n)` (one column
# per image), return $L_k$ for each image, computed stably.

# %% tags=["exercise"]
def my_iwae_bound(log_w):
    ### BEGIN SOLUTION
    return logsumexp(log_w, axis=0) - math.log(log_w.shape[0])
    ### END SOLUTION

# %%
exercises.check("importance-weighted bound", my_iwae_bound)

# %% [markdown]
# **Exercise 3 - the Fréchet distance from its formula.** Write `my_frechet(a, b)` for two
# feature samples (rows are samples): fit a mean and a covariance to each (`np.cov(..., rowvar=False)`,
# the unbiased one) and return the Fréchet distance. The check tries it on samples whose means,
# spreads and shapes all differ; the cell below then uses it to rank this lecture's models.

# %% tags=["exercise"]
def my_frechet(a, b):
    ### BEGIN SOLUTION
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2).real
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean))
    ### END SOLUTION

# %%
exercises.check("Fréchet distance", my_frechet)

# %%
import warnings

frechet_used = exercises.solution("Fréchet distance", my_frechet)
with warnings.catch_warnings():   # a collapsed model's features have a (nearly) singular covariance: sqrtm warns
    warnings.simplefilter("ignore", linalg.LinAlgWarning)
    ranked = sorted((m for m in samples if m != "blurry mean"),   # ten distinct images: a singular covariance
                    key=lambda m: frechet_used(f_ref, features(samples[m])))
print(f"models from the lowest FD to the highest: {measured(', '.join(ranked), 's')}")

# %% [markdown]
# **Exercise 4 - a classifier two-sample test.** Write `my_c2st(a, b, seed)`: label `a` 0 and `b`
# 1, split the pooled points in half (stratified, `random_state=seed`), fit any classifier on
# one half and return its accuracy on the other. The judge runs it on equal and on separable
# samples, and on a case where scoring the wrong half gives it away.

# %% tags=["exercise"]
def my_c2st(a, b, seed):
    ### BEGIN SOLUTION
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier
    z, label = np.concatenate([a, b]), np.r_[np.zeros(len(a)), np.ones(len(b))]
    z_fit, z_score, l_fit, l_score = train_test_split(z, label, test_size=0.5, stratify=label, random_state=seed)
    return float((KNeighborsClassifier(n_neighbors=1).fit(z_fit, l_fit).predict(z_score) == l_score).mean())
    ### END SOLUTION

# %%
exercises.check("classifier two-sample test", my_c2st)

# %% [markdown]
# ## Summary
#
# * A likelihood is a code length: report it in nats or bits per pixel on *binarised* digits
#   (BCE on grey pixels is not one). A per-pixel model is the floor; a VAE's ELBO and its
#   importance-weighted bounds $L_k$ rise towards $\log p(x)$ as $k$ grows; the VAE codes test
#   digits in a fraction of what gzip or PNG need.
# * Sample measures live in a feature space, and what they see depends on it: FD compares
#   Gaussians fitted to the features, the kernel distance makes no such assumption, precision
#   and recall (density and coverage) separate realism from variety, and two-sample tests give
#   a p-value. Features from another network give other numbers: compare models only with each
#   other.
# * One table, every model: the held-out digits set the target, the memoriser fools every sample
#   measure but the copy ratio and has no likelihood, the blurry mean has a likelihood and
#   little variety. No single number ranks generative models; each measure is blind somewhere.
# * Forward KL covers modes, reverse KL and the GAN's losses seek them: the divergences of
#   lecture 2 explain the blur of VAEs and the mode collapse of GANs.
#
# **Further**: annealed importance sampling for decoder-based likelihoods (Wu et al. 2017),
# precision-recall curves (Sajjadi et al. 2018), FID's bias at small sample sizes (Chong and
# Forsyth 2020), and the feature choice for FID (Kynkäänniemi et al. 2023).
