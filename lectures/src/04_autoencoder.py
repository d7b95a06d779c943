# %% [markdown]
# # Lecture 4 - Autoencoders: bottlenecks, manifolds and PCA
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-course/genmodels/blob/main/lectures/04_autoencoder.ipynb)
#
# **What you will learn**
#
# * the *manifold idea*: real images fill a tiny, low-dimensional part of pixel space,
#   which is why a narrow **bottleneck** can describe them;
# * the autoencoder: an **encoder** $x \mapsto z$, a **decoder** $z \mapsto \hat x$ and a
#   reconstruction loss, read as a negative log-likelihood (MSE = Gaussian, BCE = Bernoulli);
# * a *linear* autoencoder trained with MSE finds the same subspace as PCA, and a
#   *nonlinear* one beats PCA when the bottleneck is narrow;
# * what the latent space looks like, and why a plain autoencoder is **not** a generative
#   model: its latent space has holes (the motivation for the VAE of lecture 5);
# * why a prior on the code is *not* MAP on the code: $\mathrm{KL}(q\|p)$ is a MAP-like
#   penalty *minus an entropy*, and the entropy is what keeps the code a cloud;
# * why pixel-wise MSE is a poor judge of what images look alike.
#
# **Prerequisites**: lectures 1-3 (entropy, cross-entropy, KL, maximum likelihood);
# basic PyTorch (`nn.Linear`, an optimiser step).

# %% tags=["setup"]
# Set-up: on Colab this installs the course library; anywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/generative-course/genmodels@main")

# %% tags=["parameters"]
PROFILE: str = "auto"  # one of auto, cpu, full
SEED: int = 0  # random seed, an integer, at least 0
DATASET: str = "auto"  # one of auto (MNIST: 5,000 digits in the cpu profile, all 70,000 in the full one), digits (8x8, offline, fast), mnist5k (5,000 28x28 digits, offline), mnist (70,000 digits, downloads once; about 15 min on a laptop CPU)
LATENT_DIM: int = 8  # width of the bottleneck of the main autoencoder, an integer, at least 1 and below the pixel count (784 for MNIST, 64 for digits)
EPOCHS: int = 30  # training epochs of every autoencoder, an integer from 1 to 60 (the checks on trained models need at least 20)

# %%
import numpy as np
import torch
from torch import nn
import matplotlib.pyplot as plt
import genlib
from genlib import check, data, exercises, measured, models, report, widgets
from genlib.runtime import as_numpy
from genlib.train import batches, fit

# EPOCHS stops at 60: longer, the networks below start to memorise a small training set
# (the generalisation check of section 2 is measured up to there).
P = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0),
                    DATASET=genlib.choice("auto", *data.NAMES),
                    LATENT_DIM=genlib.integer(min=1), EPOCHS=genlib.integer(min=1, max=60),
                    rules=[genlib.rule("LATENT_DIM", lambda p: p.LATENT_DIM < data.pixels(p.DATASET),
                                       lambda p: f"below the {data.pixels(p.DATASET)} pixels of an image of "
                                                 f"{'MNIST' if p.DATASET == 'auto' else p.DATASET} (a bottleneck)")])
# One CPU thread: these networks are so small that a second thread costs more in
# synchronisation than it saves (and results stay identical on every machine).
rt = genlib.setup(P.PROFILE, P.SEED)
# The checks on trained models hold from this budget on (measured on the default MNIST digits
# for SEED 0 to 19 at 30 epochs and SEED 0 to 4 at 20); below it they are skipped, visibly, and
# the lecture still runs to the end.
trained = P.EPOCHS >= 20

# %% [markdown]
# ## 1. The manifold idea
#
# A digit of $H \times W$ grey pixels is a point of $\mathbb{R}^D$, $D = HW$. Almost every
# point of that space looks like television snow: draw the pixels at random and you will
# never see a digit. Real digits are confined to a thin set that one can walk along by
# small, meaningful changes (a thicker stroke, a slant, a longer tail). The **manifold
# hypothesis** says this set is (close to) a smooth surface of low dimension $d \ll D$,
# and that a few coordinates on it describe an image almost without error.
#
# Learning such coordinates is **manifold learning**, a kind of *dimensionality reduction*
# that keeps the meaningful properties of the data. The simplest version is flat: PCA
# finds the $d$-dimensional *linear* subspace that loses the least squared error.

# %%
ds = data.load(data.for_profile(P.DATASET, rt.profile), seed=P.SEED)
print(ds.source)
# Models and their data live on rt.device (a GPU when there is one); whatever goes to
# NumPy, scikit-learn or scipy comes back to the CPU through as_numpy.
x_train, x_test = ds.x_train.to(rt.device), ds.x_test.to(rt.device)
X_train, X_test = as_numpy(ds.x_train, np.float64), as_numpy(ds.x_test, np.float64)
y_train, y_test = as_numpy(ds.y_train), as_numpy(ds.y_test)
N, D = X_train.shape
print(f"{N} training and {len(X_test)} test images of {ds.shape[0]}x{ds.shape[1]} = {D} pixels")
report.record("data_used", {"name": ds.name, "source": ds.source, "train": N, "test": len(X_test)})
# A wider network trained for longer only memorises a small training set (measured on
# digits: 512-256 wide and four times the epochs give a test error 3.5 times the training
# error). So the full profile widens the networks only where the data can feed them: the
# full MNIST.
hidden = rt.pick(cpu=(128, 64), full=(512, 256) if N >= 20000 else (128, 64))

# %% [markdown]
# How flat is the data? The eigenvalues $\lambda_1 \ge \lambda_2 \ge \dots$ of the covariance
# matrix say how much variance each direction carries. We compute them from the singular
# values of the centred data matrix, $\lambda_i = s_i^2 / (N-1)$.

# %%
mean_image = X_train.mean(0)
s = np.linalg.svd(X_train - mean_image, compute_uv=False)
eigenvalues = s**2 / (N - 1)
explained = np.cumsum(eigenvalues) / eigenvalues.sum()
d90 = int(np.searchsorted(explained, 0.90) + 1)
print(f"{d90} of {D} directions carry 90% of the variance")

from sklearn.decomposition import PCA
check.close("our eigenvalues match scikit-learn's PCA", eigenvalues[:10], PCA(10, svd_solver="covariance_eigh").fit(X_train).explained_variance_, rtol=1e-6)
check.between("90% of the variance lives in at most half of the pixel directions", d90 / D, 0, 0.5)
report.record("d90", d90)

fig, axes = plt.subplots(1, 2, figsize=(10, 2.8), gridspec_kw={"width_ratios": [1, 1.5]})
axes[0].plot(np.arange(1, D + 1), explained, color="0.3")
axes[0].axhline(0.9, color="C3", ls="--", lw=1)
axes[0].axvline(d90, color="C3", ls="--", lw=1)
axes[0].set(xscale="log", xlabel="number of directions d", ylabel="variance explained")
rng = np.random.default_rng(P.SEED)
noise_and_digits = np.concatenate([ds.images(X_train[:4]), rng.uniform(size=(4, *ds.shape))])
axes[1].imshow(np.concatenate(list(np.pad(noise_and_digits, ((0, 0), (1, 1), (1, 1)), constant_values=1)), 1),
               cmap="gray_r", vmin=0, vmax=1)
axes[1].set(title="four digits, then four random points of pixel space", xticks=[], yticks=[])
axes[1].grid(False)
plt.show()

# %% [markdown]
# ## 2. The autoencoder
#
# An autoencoder is a network whose target is its own input. An **encoder** $f_\phi$
# squeezes $x \in \mathbb{R}^D$ through a narrow **bottleneck** into a code, the **latent
# vector** $z = f_\phi(x) \in \mathbb{R}^d$ (also called the bottleneck layer, the features or
# the hidden representation); a **decoder** $g_\theta$ maps it back to $\hat x = g_\theta(z)$.
# Both are trained to make $\hat x$ close to $x$:
#
# $$\min_{\phi,\theta}\; \frac{1}{N}\sum_{n=1}^N \ell\big(x_n,\ g_\theta(f_\phi(x_n))\big).$$
#
# Because $d < D$, the network cannot copy: it must find the few coordinates that matter.
# The prize is the *encoder* (a learned dimensionality reduction); the decoder is there
# so that the encoder can be trained. (The VAE turns this around: there the decoder is
# the prize.)
#
# **Which loss?** Read the decoder as a probability model of the image given the code,
# and train by maximum likelihood (lecture 3): minimise $-\log p(x \mid z)$.
#
# * Gaussian pixels, $p(x\mid z) = \mathcal N(x;\ \hat x,\ \sigma^2 I)$:
#   $\ -\log p(x\mid z) = \frac{1}{2\sigma^2}\lVert x-\hat x\rVert^2 + \frac D2 \log(2\pi\sigma^2)$,
#   the squared error up to a scale and a constant.
# * Bernoulli pixels with means $\hat x \in (0,1)$:
#   $\ -\log p(x\mid z) = -\sum_i \big[x_i \log \hat x_i + (1-x_i)\log(1-\hat x_i)\big]$,
#   the binary cross-entropy.

# %%
def gaussian_nll(x, x_hat, sigma=1.0):
    """-log N(x; x_hat, sigma^2 I), summed over the pixels of each image."""
    D = x.shape[-1]
    return ((x - x_hat) ** 2).sum(-1) / (2 * sigma**2) + 0.5 * D * np.log(2 * np.pi * sigma**2)

def bernoulli_nll(x, x_hat):
    """-log Bernoulli(x; x_hat), summed over the pixels: the binary cross-entropy."""
    return -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat)).sum(-1)

from scipy import stats
x_demo, x_hat_demo = X_test[:5], np.clip(X_test[5:10], 0.05, 0.95)
check.close("Gaussian NLL = squared error / (2 sigma^2) + constant (scipy.stats.norm)",
            gaussian_nll(x_demo, x_hat_demo, 0.3), -stats.norm.logpdf(x_demo, x_hat_demo, 0.3).sum(-1))
b_demo = (x_demo > 0.5).astype(float)
check.close("Bernoulli NLL = binary cross-entropy (scipy.stats.bernoulli)",
            bernoulli_nll(b_demo, x_hat_demo), -stats.bernoulli.logpmf(b_demo, x_hat_demo).sum(-1))

# %% [markdown]
# Here is the model: two small multilayer perceptrons. The decoder ends in a sigmoid, so
# that every pixel it outputs lies in $[0, 1]$ like the data. Lecture 8 puts this very model
# beside the others, so it is defined once, in the course library; this is its code:

# %%
from genlib.models import Autoencoder
models.show(Autoencoder)

# %%
def mse_per_pixel(x_hat, x):
    return ((x_hat - x) ** 2).mean()


def train_autoencoder(model, x, epochs, lr=3e-3, batch_size=64, desc="autoencoder"):
    """Adam on the pixel MSE, with a cosine learning-rate decay; returns the History."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    decay = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)

    def step(batch):
        (xb,) = batch
        loss = mse_per_pixel(model(xb), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return {"mse": loss}

    return fit(step, batches(x, batch_size=batch_size, seed=P.SEED), epochs,
               callbacks=[lambda epoch, logs: decay.step()], desc=desc)


@torch.no_grad()
def test_mse(model, x, centre=None):
    """Mean squared error per pixel on x (optionally a model trained on x - centre)."""
    x = x if centre is None else x - centre
    return float(mse_per_pixel(model(x), x))

# %%
genlib.seed_everything(P.SEED)
ae = Autoencoder(D, P.LATENT_DIM, hidden).to(rt.device)
history = train_autoencoder(ae, x_train, P.EPOCHS, desc=f"autoencoder d={P.LATENT_DIM}")
ae_train, ae_test = test_mse(ae, x_train), test_mse(ae, x_test)
mean_only = float(((X_test - mean_image) ** 2).mean())  # the best "code" of size 0: the mean image
print(f"d = {P.LATENT_DIM}: MSE per pixel {measured(ae_train):.3g} (train), {measured(ae_test):.3g} (test); "
      f"the mean image alone: {mean_only:.3g}")
if check.needs(trained, "the checks on the trained autoencoder need EPOCHS of at least 20"):
    check.between(f"the {P.LATENT_DIM}-D code reconstructs held-out digits better than the mean image, the best "
                  "code of size 0 (below 0.85x its error)", ae_test / mean_only, 0, 0.85)
    check.between("it generalises: test error within 0.8-1.6x the training error", ae_test / ae_train, 0.8, 1.6)
report.record("ae_train_mse", ae_train)
report.record("ae_test_mse", ae_test)
report.record("mean_image_test_mse", mean_only)

with torch.no_grad():
    recon = as_numpy(ae(x_test[:10]))
fig, axes = plt.subplots(1, 2, figsize=(10, 2.4), gridspec_kw={"width_ratios": [1, 2.2]})
axes[0].plot(np.arange(1, len(history) + 1), history.series("mse"), color="0.3")
axes[0].set(xlabel="epoch", ylabel="training MSE per pixel", yscale="log")
grid = np.concatenate([np.concatenate(list(ds.images(X_test[:10])), 1), np.concatenate(list(ds.images(recon)), 1)], 0)
axes[1].imshow(grid, cmap="gray_r", vmin=0, vmax=1)
axes[1].set(title=f"test digits (top) and their reconstructions through a {P.LATENT_DIM}-D code", xticks=[], yticks=[])
axes[1].grid(False)
plt.show()

# %% [markdown]
# ## 3. A linear autoencoder is PCA
#
# Remove the nonlinearities: $z = W_e (x - \bar x)$, $\hat x = \bar x + W_d z$. The best
# rank-$d$ map in squared error is known in closed form (Eckart-Young): project onto the
# top $d$ principal directions. So a linear autoencoder trained with MSE should reach
# PCA's error, and the columns of its decoder $W_d$ should span PCA's subspace -
# although not necessarily as the principal axes themselves: any invertible mix
# $W_d A$, $A^{-1} W_e$ reconstructs equally well, so only the *subspace* is determined.
#
# We compare subspaces with **principal angles** (all zero when two subspaces coincide;
# `scipy.linalg.subspace_angles`). Both models see centred data, as PCA does.

# %%
class LinearAutoencoder(nn.Module):
    def __init__(self, D, d):
        super().__init__()
        self.encoder = nn.Linear(D, d)
        self.decoder = nn.Linear(d, D)

    def forward(self, x):
        return self.decoder(self.encoder(x))  # no nonlinearity anywhere: a linear map of rank d


def fit_pca(d):
    """PCA with d components, fitted on the training digits exactly: the top eigenvectors of the D x D
    covariance (the covariance_eigh solver, fast when there are far more images than pixels; the default
    solver may randomise)."""
    return PCA(d, svd_solver="covariance_eigh").fit(X_train)


def pca_mse(pca, X_eval):
    """MSE per pixel of reconstructing X_eval through a fitted PCA."""
    return float(((pca.inverse_transform(pca.transform(X_eval)) - X_eval) ** 2).mean())


from scipy.linalg import subspace_angles
sizes = [2, 4, 8]
centre = x_train.mean(0)
rows = {}
for d in sizes:
    genlib.seed_everything(P.SEED)
    lin = LinearAutoencoder(D, d).to(rt.device)
    # a high rate: at 1e-2, one seed in five stalled near a saddle (the 1st and 3rd directions, not the 2nd)
    train_autoencoder(lin, x_train - centre, 2 * P.EPOCHS, lr=3e-2, desc=f"linear d={d}")
    pca = fit_pca(d)
    p_train, p_test = pca_mse(pca, X_train), pca_mse(pca, X_test)
    angles = np.degrees(subspace_angles(as_numpy(lin.decoder.weight, np.float64), pca.components_.T))
    rows[d] = dict(pca_train=p_train, pca_test=p_test, lin_train=test_mse(lin, x_train, centre),
                   lin_test=test_mse(lin, x_test, centre), angle=angles.max(), gap=eigenvalues[d - 1] / eigenvalues[d])
    print(f"d = {d:2d}: PCA {p_train:.3g}, linear AE {measured(rows[d]['lin_train']):.3g} (train MSE per pixel); "
          f"largest principal angle {measured(angles.max()):.2g} deg; "
          f"eigenvalue ratio lambda_d / lambda_d+1 = {rows[d]['gap']:.2g}")

if check.needs(trained, "the checks on the trained linear autoencoders need EPOCHS of at least 20"):
    for d in sizes:
        check.close(f"d = {d}: the linear AE reaches PCA's training error (within 3%)", rows[d]["lin_train"], rows[d]["pca_train"], rtol=0.03)
    clear_gap = max(sizes, key=lambda d: rows[d]["gap"])  # always check the size with the clearest gap
    for d in sizes:
        if rows[d]["gap"] > 1.3 or d == clear_gap:
            check.between(f"d = {d}: the decoder spans PCA's subspace (largest principal angle below 10 deg)", rows[d]["angle"], 0, 10)
report.record("linear_ae_vs_pca", {d: {"linear_ae_train": rows[d]["lin_train"], "pca_train": rows[d]["pca_train"],
                                       "angle_deg": rows[d]["angle"]} for d in sizes})

# %% [markdown]
# Where $\lambda_d$ and $\lambda_{d+1}$ are nearly equal (a ratio close to 1), the $d$-th and
# $(d{+}1)$-th directions are almost interchangeable: tilting the subspace between them
# costs almost nothing, so gradient descent has little reason to settle, and the last
# principal angle can stay large although the error matches. That is why the angle check
# is made only where the eigenvalue gap is clear.
#
# ## 4. A nonlinear autoencoder beats PCA at small sizes
#
# PCA is the best *flat* description. The digit manifold is curved, and a nonlinear
# encoder/decoder can follow the curve: at a narrow bottleneck it should reconstruct
# *held-out* digits better than any linear projection. The gain comes from the hidden
# layers: a nonlinearity in the code alone (a tanh after $W_e$, one layer each way) still
# ends at PCA's error, a classical result (Bourlard and Kamp, 1988). And the bottleneck,
# not the size of the hidden layers, is what limits it: a wider code should cut the error.

# %%
ae_by_size = {P.LATENT_DIM: ae}
for d in sorted(set(sizes) - {P.LATENT_DIM}):
    genlib.seed_everything(P.SEED)
    ae_by_size[d] = Autoencoder(D, d, hidden).to(rt.device)
    train_autoencoder(ae_by_size[d], x_train, P.EPOCHS, desc=f"autoencoder d={d}")

recon_test = {}  # test MSE per pixel by latent size, for the run record
print(" d | PCA test | linear AE test | nonlinear AE test   (MSE per pixel)")
for d in sorted(set(sizes) | {P.LATENT_DIM}):
    p_test = rows[d]["pca_test"] if d in rows else pca_mse(fit_pca(d), X_test)
    recon_test[d] = {"pca": p_test, "linear_ae": rows[d]["lin_test"] if d in rows else None,
                     "nonlinear_ae": test_mse(ae_by_size[d], x_test)}
    lin_test = f"{measured(rows[d]['lin_test']):.3g}" if d in rows else "-"
    print(f"{d:2d} | {p_test:8.3g} | {lin_test:>14} | {measured(recon_test[d]['nonlinear_ae']):.3g}")
report.record("recon_test_mse", recon_test)

nonlin2, pca2 = recon_test[2]["nonlinear_ae"], recon_test[2]["pca"]
if check.needs(trained, "the comparisons of trained autoencoders need EPOCHS of at least 20"):
    check.between("d = 2: the nonlinear AE beats PCA on held-out digits by more than 10%", nonlin2 / pca2, 0, 0.9)
    check.between("the bottleneck limits it: widening the code from d = 2 to d = 8 cuts the nonlinear AE's "
                  "test error by more than 15%", recon_test[8]["nonlinear_ae"] / recon_test[2]["nonlinear_ae"], 0, 0.85)

# %% [markdown]
# ## 5. The latent space
#
# With $d = 2$ we can look at the codes directly. Each test digit becomes a point,
# coloured by its label (which the autoencoder never saw).

# %%
ae2 = ae_by_size[2]
with torch.no_grad():
    codes = as_numpy(ae2.encoder(x_test))
    codes_train = as_numpy(ae2.encoder(x_train))
fig, ax = plt.subplots(figsize=(5.5, 4.5))
sc = ax.scatter(codes[:, 0], codes[:, 1], c=y_test, cmap="tab10", s=8, vmin=-0.5, vmax=9.5)
fig.colorbar(sc, ax=ax, ticks=range(10), label="label")
ax.set(xlabel="$z_1$", ylabel="$z_2$", title="2-D codes of the test digits")
plt.show()

from sklearn.neighbors import KNeighborsClassifier
knn_acc = KNeighborsClassifier(10).fit(codes_train, y_train).score(codes, y_test)
print(f"a 10-nearest-neighbour classifier on the 2-D codes: {measured(knn_acc):.0%} test accuracy")
if check.needs(trained, "the clustering check needs EPOCHS of at least 20"):
    check.between("labels cluster in the 2-D code (k-NN accuracy far above the 10% of chance)", knn_acc, 0.4, 1)

# %% [markdown]
# Move the cross through the latent space and watch the decoder's output. Near the
# clusters you see clean digits; between and beyond them, the decoder still answers,
# but with blends and smudges it never had to produce.

# %%
import ipywidgets as W
from genlib.views.autoencoder import LatentExplorer

@torch.no_grad()
def decode2(z):
    return as_numpy(ae2.decoder(torch.as_tensor(z, dtype=torch.float32, device=rt.device)[None])[0])

lo, hi = codes.min(0), codes.max(0)
explorer = widgets.Interactive(
    LatentExplorer(codes, y_test, decode2, ds.shape, z1=float(np.median(codes[:, 0])), z2=float(np.median(codes[:, 1]))),
    {"z1": W.FloatSlider(value=float(np.median(codes[:, 0])), min=float(lo[0]), max=float(hi[0]), step=float(hi[0] - lo[0]) / 100, description="z1"),
     "z2": W.FloatSlider(value=float(np.median(codes[:, 1])), min=float(lo[1]), max=float(hi[1]), step=float(hi[1] - lo[1]) / 100, description="z2")},
    title="latent explorer")
explorer

# %% [markdown]
# ## 6. Holes: why an autoencoder is not a generative model
#
# An autoencoder stores a *point* per image, not a distribution. Nothing in its loss
# asks the codes to fill the latent space, or says what a code between two digits should
# decode to. Let us walk on a straight line between the codes of two test digits of
# different classes, $z_t = (1-t) z_a + t z_b$, decode every step, and measure how far
# each decoded image is from the data: the distance to its nearest *training* image
# (the nearest neighbour comes from `sklearn.neighbors.NearestNeighbors`).
#
# The endpoints are reconstructions of real digits, so they lie near the data. If the
# codes between them were meaningful, the path would stay near the data too.

# %%
from sklearn.neighbors import NearestNeighbors
nearest = NearestNeighbors(n_neighbors=1).fit(X_train)

def distance_to_data(images):
    return nearest.kneighbors(images)[0][:, 0]

ts = np.linspace(0, 1, 11)
rng = np.random.default_rng(P.SEED)
pairs = [(a, b) for a, b in rng.integers(0, len(X_test), size=(400, 2)) if y_test[a] != y_test[b]][:200]
t_col = torch.tensor(ts, dtype=torch.float32, device=rt.device)[:, None]
with torch.no_grad():
    z_test = ae.encoder(x_test)
    path_dist = []
    for a, b in pairs:
        z_path = (1 - t_col) * z_test[a] + t_col * z_test[b]
        path_dist.append(distance_to_data(as_numpy(ae.decoder(z_path), np.float64)))
path_dist = np.array(path_dist)  # (pairs, steps)
mean_path = path_dist.mean(0)
print("mean distance to the nearest training image along the path:", ", ".join(f"{measured(v):.2f}" for v in mean_path))
mid_over_ends = float(mean_path[5] / max(mean_path[0], mean_path[-1]))
# In one dimension a straight path between two codes runs over the codes of the digits
# in between, and random codes land on the one curve the decoder knows: there are few
# holes to find (measured: random codes no farther than reconstructions for 3 seeds in 5),
# so these checks are made from LATENT_DIM = 2 on.
holes_checked = trained and P.LATENT_DIM >= 2
if check.needs(holes_checked, "the checks on holes need EPOCHS of at least 20 and LATENT_DIM of at least 2"):
    check.between("decoded midpoints lie farther from the data than both endpoints (mean over 200 pairs)",
                  mid_over_ends, 1, np.inf)
frac_worse = float(np.mean(path_dist[:, 5] > np.maximum(path_dist[:, 0], path_dist[:, -1])))
print(f"for {measured(frac_worse):.0%} of the pairs the midpoint is farther from the data than both ends")
report.record("interp_mid_over_ends", mid_over_ends)

# %% [markdown]
# The same holes appear when we try to *generate*: draw codes at random from a Gaussian
# with the mean and covariance of the training codes (the most natural guess, since the
# autoencoder gives us no distribution) and decode them.

# %%
with torch.no_grad():
    z_train = as_numpy(ae.encoder(x_train), np.float64)
    z_rand = rng.multivariate_normal(z_train.mean(0), np.atleast_2d(np.cov(z_train.T)), size=len(X_test))
    generated = as_numpy(ae.decoder(torch.tensor(z_rand, dtype=torch.float32, device=rt.device)), np.float64)
    reconstructed = as_numpy(ae(x_test), np.float64)
d_gen, d_rec = np.median(distance_to_data(generated)), np.median(distance_to_data(reconstructed))
print(f"median distance to the nearest training image: reconstructions {measured(d_rec):.2f}, "
      f"decoded random codes {measured(d_gen):.2f}")
if check.needs(holes_checked, "the checks on holes need EPOCHS of at least 20 and LATENT_DIM of at least 2"):
    check.between("decoded random codes lie farther from the data than reconstructions (median distances)",
                  d_gen / d_rec, 1, np.inf)
report.record("random_over_recon", float(d_gen / d_rec))

# %%
from genlib.views.autoencoder import Interpolation
a, b = pairs[int(np.argmax(path_dist[:, 5] - np.maximum(path_dist[:, 0], path_dist[:, -1])))]
with torch.no_grad():
    line_images = as_numpy(ae.decoder((1 - t_col) * z_test[a] + t_col * z_test[b]), np.float64)
fig, axes = plt.subplots(2, 1, figsize=(9, 3.2))
axes[0].imshow(np.concatenate(list(ds.images(line_images)), 1), cmap="gray_r", vmin=0, vmax=1)
axes[0].set(title=f"decoded path from a {y_test[a]} (t = 0) to a {y_test[b]} (t = 1)", xticks=[], yticks=[])
axes[1].imshow(np.concatenate(list(ds.images(generated[:11])), 1), cmap="gray_r", vmin=0, vmax=1)
axes[1].set(title="decoded random codes", xticks=[], yticks=[])
for ax in axes:
    ax.grid(False)
plt.show()

interp = widgets.Interactive(Interpolation(line_images, distance_to_data(line_images), ds.shape),
                             {"t": W.FloatSlider(value=0.0, min=0, max=1, step=0.1, description="t")},
                             title="latent interpolation")
interp

# %% [markdown]
# ## 7. A prior on the code is not MAP on the code
#
# The fix is to make the code *probabilistic*: encode each image as a small cloud
# $q(z\mid x) = \mathcal N\big(\mu(x), \operatorname{diag}\sigma^2(x)\big)$ rather than a point,
# and pull every cloud towards one known prior $p(z) = \mathcal N(0, I)$, so that the clouds
# of neighbouring digits overlap, the space between them is filled, and codes drawn from
# $p(z)$ decode to digits. That is the variational autoencoder of lecture 5.
#
# It is tempting to read that prior as the MAP estimation of lecture 3, moved from the
# weights to the code. The analogy holds only halfway. MAP keeps *one point* and adds its
# negative log-prior to the loss: with $w \sim \mathcal N(0, \tau^2 I)$ and noise of variance
# $\sigma^2$, it adds $\lVert w\rVert^2 / 2\tau^2$ to $\lVert y - \Phi w\rVert^2 / 2\sigma^2$
# (ridge, with $\lambda = \sigma^2/\tau^2$). The VAE never picks a best code: it *integrates
# the code out*, $p_\theta(x) = \int p(z)\, p_\theta(x\mid z)\, dz$, and the prior enters its
# objective through $\mathrm{KL}(q\,\|\,p)$, which splits in two:
#
# $$\mathrm{KL}(q\,\|\,p) = \mathbb E_q\big[\log q(z) - \log p(z)\big]
#   = \underbrace{-\mathbb E_q[\log p(z)]}_{\text{cross-entropy } H(q,\,p)} \;-\; \underbrace{h(q)}_{\text{entropy}} .$$
#
# $h(q) = -\mathbb E_q[\log q(z)]$ is the differential entropy of lecture 3, section 4 (it can be
# negative). For our Gaussians in $d$ dimensions both terms are closed forms:
#
# $$H(q, p) = \tfrac12\Big(\lVert\mu\rVert^2 + \textstyle\sum_j \sigma_j^2\Big) + \tfrac d2 \log 2\pi ,
# \qquad h(q) = \textstyle\sum_j \log\sigma_j + \tfrac d2 \log(2\pi e) .$$
#
# * The **cross-entropy** is MAP's penalty $-\log p(z)$, *averaged over the cloud*. Its
#   $\tfrac12\lVert\mu\rVert^2$ is a ridge penalty on the centre, with the ridge gradient
#   $\partial/\partial\mu = \mu$: that part is like MAP. Its $\tfrac12\sum_j\sigma_j^2$ pushes every
#   cloud to shrink.
# * The **entropy** has no counterpart in MAP. A point estimate is a cloud of width 0, and
#   $-h(q) = -\sum_j \log\sigma_j + \text{const}$ grows without bound as $\sigma_j \to 0$. It is
#   the entropy that keeps $\sigma > 0$. Without it the cross-entropy alone would be
#   smallest at $\sigma = 0$: every cloud would collapse to its centre, and we would be back
#   to an autoencoder with a ridge penalty on its codes, holes and all.
#
# In each dimension the two balance where $\partial_\sigma\big[\tfrac12\sigma^2 - \log\sigma\big] = \sigma - 1/\sigma = 0$,
# at $\sigma = 1$, the prior's own width. (In the VAE the reconstruction term then pulls
# $\sigma$ below 1, so that a code still says which digit it came from.) The two terms as code:

# %%
def prior_cross_entropy(mu, sigma):
    """H(q, p) = -E_q[log p(z)] for q = N(mu, diag sigma^2), p = N(0, I); z runs along the last axis."""
    d = mu.shape[-1]
    return 0.5 * (mu**2 + sigma**2).sum(-1) + 0.5 * d * np.log(2 * np.pi)

def gaussian_entropy(sigma):
    """Differential entropy h(q) of N(mu, diag sigma^2); it does not depend on mu."""
    d = sigma.shape[-1]
    return np.log(sigma).sum(-1) + 0.5 * d * np.log(2 * np.pi * np.e)

def kl_to_prior(mu, sigma):
    """KL(q || p) = H(q, p) - h(q)."""
    return prior_cross_entropy(mu, sigma) - gaussian_entropy(sigma)


from scipy import integrate, optimize
rng_kl = np.random.default_rng(1)
mu_kl, sigma_kl = rng_kl.normal(size=(4, 3)), rng_kl.uniform(0.1, 2.0, size=(4, 3))  # 4 clouds in 3-D

def expectation_1d(f, m, s):
    """E[f(z)] for z ~ N(m, s^2), by numerical integration (scipy.integrate.quad)."""
    return integrate.quad(lambda z: stats.norm.pdf(z, m, s) * f(z), m - 12 * s, m + 12 * s)[0]

# The dimensions of q and p are independent, so both terms add up over them.
ce_quad = np.array([sum(expectation_1d(lambda z: -stats.norm.logpdf(z), m, s) for m, s in zip(mr, sr))
                    for mr, sr in zip(mu_kl, sigma_kl)])
check.close("cross-entropy H(q, p) = the integral of -q(z) log p(z) (scipy.integrate.quad)",
            prior_cross_entropy(mu_kl, sigma_kl), ce_quad, rtol=1e-7)
check.close("entropy h(q) = scipy.stats.norm(mu, sigma).entropy(), summed over dimensions",
            gaussian_entropy(sigma_kl), stats.norm(mu_kl, sigma_kl).entropy().sum(-1))
q_kl = torch.distributions.Normal(torch.tensor(mu_kl), torch.tensor(sigma_kl))
p_kl = torch.distributions.Normal(torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64))
check.close("KL(q || p) = cross-entropy - entropy (torch.distributions.kl_divergence)",
            kl_to_prior(mu_kl, sigma_kl), as_numpy(torch.distributions.kl_divergence(q_kl, p_kl).sum(-1)))

def best_width(objective):
    """The sigma in [0.001, 5] that minimises objective(mu = 0, sigma) in one dimension (scipy)."""
    return optimize.minimize_scalar(lambda s: objective(np.zeros(1), np.array([s])), bounds=(1e-3, 5),
                                    method="bounded", options={"xatol": 1e-8}).x

check.close("the KL is smallest at sigma = 1, the width of the prior (sigma - 1/sigma = 0)",
            best_width(kl_to_prior), 1.0, rtol=1e-5)
check.close("the cross-entropy alone is smallest at the narrowest cloud allowed: a point, as in MAP",
            best_width(prior_cross_entropy), 1e-3, rtol=1e-3)

widths = np.linspace(0.05, 3, 300)[:, None]
fig, ax = plt.subplots(figsize=(6.2, 3.4))
ax.plot(widths[:, 0], prior_cross_entropy(np.zeros_like(widths), widths), color="C0",
        label="cross-entropy $H(q, p)$: MAP's penalty, averaged")
ax.plot(widths[:, 0], -gaussian_entropy(widths), color="C2", label="minus the entropy, $-h(q)$: no MAP counterpart")
ax.plot(widths[:, 0], kl_to_prior(np.zeros_like(widths), widths), color="k", lw=2,
        label="their sum, $\\mathrm{KL}(q\\,\\|\\,p)$")
ax.plot([1], [kl_to_prior(np.zeros(1), np.ones(1))], "o", color="C3", ms=7, label="KL's minimum, $\\sigma = 1$")
ax.axhline(0, color="0.6", lw=0.8)
ax.set(xlabel="width $\\sigma$ of a one-dimensional cloud $q = \\mathcal{N}(0, \\sigma^2)$, prior $p = \\mathcal{N}(0, 1)$",
       ylabel="nats", ylim=(-2.5, 5), title="what the prior does to the width of a code's cloud")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
plt.show()

# %% [markdown]
# The cross-entropy would squeeze each cloud to a point; the entropy would spread it
# without end; the KL settles at the prior's width. That entropy term is what the VAE adds
# to an autoencoder, and what no penalty on a single code can supply.
#
# ## 8. Why pixel MSE misleads
#
# The squared error compares images pixel by pixel, in place. Move a digit one pixel to
# the right and almost every stroke pixel lands on background: the error is large, although
# a person sees the same digit. Erase a patch of the stroke and the error is smaller,
# although the digit is visibly damaged.

# %%
from sklearn.metrics import mean_squared_error

def shift_right(images, k=1):
    out = np.zeros_like(images)
    out[..., k:] = images[..., :-k]
    return out

def erase_inkiest_patch(images, size):
    """Set to 0 the size x size square holding the most ink, in each image."""
    out = images.copy()
    for img in out:
        ink = np.lib.stride_tricks.sliding_window_view(img, (size, size)).sum((-1, -2))
        r, c = np.unravel_index(np.argmax(ink), ink.shape)
        img[r:r + size, c:c + size] = 0
    return out

imgs = ds.images(X_test)
shifted, damaged = shift_right(imgs), erase_inkiest_patch(imgs, max(2, ds.shape[0] // 5))
mse_shift = ((shifted - imgs) ** 2).mean((1, 2))
mse_damage = ((damaged - imgs) ** 2).mean((1, 2))
i = int(np.argmax(mse_shift - mse_damage > 0))  # the first test digit where it happens
print(f"test digit {i}: MSE of the shifted copy {mse_shift[i]:.3g}, of the damaged copy {mse_damage[i]:.3g}")
check.close("our MSE agrees with scikit-learn's mean_squared_error", [mse_shift[i], mse_damage[i]],
            [mean_squared_error(imgs[i].ravel(), shifted[i].ravel()), mean_squared_error(imgs[i].ravel(), damaged[i].ravel())])
frac = float(np.mean(mse_shift > mse_damage))
print(f"the one-pixel shift costs more than the damage for {frac:.0%} of the test digits")
check.claim("for most test digits a one-pixel shift has a larger MSE than erasing a patch of stroke", frac > 0.8, fraction=frac)
report.record("shift_beats_damage_fraction", frac)

fig, axes = plt.subplots(1, 3, figsize=(7, 2.6))
for ax, img, name in zip(axes, [imgs[i], shifted[i], damaged[i]],
                         ["original", f"shifted 1 px: MSE {mse_shift[i]:.3f}", f"damaged: MSE {mse_damage[i]:.3f}"]):
    ax.imshow(img, cmap="gray_r", vmin=0, vmax=1)
    ax.set(title=name, xticks=[], yticks=[])
    ax.grid(False)
plt.show()

# %% [markdown]
# An autoencoder trained with MSE is therefore pushed to be *safe in pixel space*: when
# unsure where a stroke goes, it paints a faint blur over all the likely places, because a
# blur costs less squared error than a sharp stroke one pixel off. That is one reason its
# reconstructions (and a VAE's samples) look blurry, and one motivation for the learned
# critics of GANs (lectures 6 and 7).
#
# ## 9. Exercises
#
# **Exercise 1 (the reconstruction loss).** The Gaussian negative log-likelihood of
# section 2 *sums* the squared error over the pixels of an image; over a minibatch we
# *average* across images. Write `recon_loss(x, x_hat)` for a batch of shape `(B, D)`:
# the per-image sum of squared errors, averaged over the batch.

# %% tags=["exercise"]
def recon_loss(x, x_hat):
    ### BEGIN SOLUTION
    return ((x - x_hat) ** 2).sum(-1).mean()
    ### END SOLUTION

# %%
exercises.check("reconstruction loss", recon_loss)

# %% [markdown]
# **Exercise 2 (PCA reconstruction).** Given the training mean `mu` (shape `(D,)`) and the
# top-$d$ principal directions as the rows of `V` (shape `(d, D)`, orthonormal), write
# `pca_reconstruct(X, mu, V)`: encode $z = V(x-\mu)$, decode $\hat x = \mu + V^\top z$.

# %% tags=["exercise"]
def pca_reconstruct(X, mu, V):
    ### BEGIN SOLUTION
    return (X - mu) @ V.T @ V + mu
    ### END SOLUTION

# %%
exercises.check("PCA reconstruction", pca_reconstruct)

# %% [markdown]
# **Exercise 3 (an autoencoder that beats PCA).** Build it yourself. Write
# `beat_pca(x_train, x_test)` that
#
# * makes a model with a **2-D code**: `model.encoder` maps a batch of images to codes of
#   shape `(B, 2)`, `model.decoder` maps codes back to images, `model(x)` is the two in a row
#   (`nn.Sequential(OrderedDict(encoder=..., decoder=...))` does that);
# * trains it with your own loop (Adam on the MSE per pixel, minibatches of 64: no
#   `train_autoencoder` this time);
# * returns `(model, ae_test, pca_test)`: your model, its test MSE per pixel, and the test MSE
#   per pixel of PCA with 2 components fitted on `x_train`, which you compute yourself with
#   `np.linalg.svd`.
#
# Your autoencoder must have a test error at least 10% below PCA's. The check hands your
# function the 8x8 digits (a fixed split, so it takes seconds whatever `DATASET` is),
# recomputes both errors and tells you what went wrong if it fails.

# %% tags=["exercise"]
from collections import OrderedDict

def beat_pca(x_train, x_test):
    ### BEGIN SOLUTION
    D = x_train.shape[1]
    encoder = nn.Sequential(nn.Linear(D, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 2))
    decoder = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, D),
                            nn.Sigmoid())
    model = nn.Sequential(OrderedDict(encoder=encoder, decoder=decoder))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(25):
        for idx in torch.randperm(len(x_train)).split(64):
            xb = x_train[idx]
            loss = ((model(xb) - xb) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        ae_test = float(((model(x_test) - x_test) ** 2).mean())
    X_tr, X_te = x_train.double().numpy(), x_test.double().numpy()
    mu = X_tr.mean(0)                                             # PCA centres the data
    V = np.linalg.svd(X_tr - mu, full_matrices=False)[2][:2]      # the top 2 directions, as rows
    pca_test = float((((X_te - mu) @ V.T @ V + mu - X_te) ** 2).mean())
    return model, ae_test, pca_test
    ### END SOLUTION

# %%
exercises.check("an autoencoder that beats PCA", beat_pca)

# %% [markdown]
# ## Summary
#
# * Real digits occupy a thin, low-dimensional part of pixel space; a bottleneck of a few
#   numbers keeps most of what matters (90% of the variance in few directions).
# * An autoencoder learns an encoder and a decoder by minimising a reconstruction loss,
#   which is a negative log-likelihood: MSE for Gaussian pixels, BCE for Bernoulli pixels.
# * A linear autoencoder with MSE recovers PCA's error and subspace; a nonlinear one follows
#   the curved manifold and beats PCA at a narrow bottleneck.
# * The codes cluster by label, but the latent space has holes: interpolations and random
#   codes decode off the data. A plain autoencoder compresses; it does not generate.
# * A VAE's prior is not MAP on the code: $\mathrm{KL}(q\|p) = H(q, p) - h(q)$. The
#   cross-entropy is MAP's penalty averaged over the cloud (a ridge on its centre); the
#   entropy has no MAP counterpart and is what keeps each code a cloud rather than a point.
# * Pixel MSE judges a one-pixel shift worse than visible damage.
#
# **Next**: lecture 5 makes the code a distribution with a prior, derives the ELBO, and
# turns the autoencoder into a generative model: the VAE.
