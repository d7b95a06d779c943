# %% [markdown]
# # Lecture 3 - Maximum likelihood and MAP
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-course/genmodels/blob/main/lectures/03_mle_map.ipynb)
#
# **What you will learn**
#
# * the likelihood of i.i.d. data is a *product* of densities, the log-likelihood a *sum*,
#   and why we always work with the log (the product underflows; the argmax does not move);
# * maximum likelihood (MLE) for a Gaussian, by hand (closed form) and by gradient ascent in torch;
# * MLE is the same as minimising the cross-entropy, hence the KL divergence, from the data
#   to the model (the link back to lectures 1 and 2);
# * the differential entropy of a continuous distribution, and why it can be negative;
# * linear regression with Gaussian noise: MLE is least squares;
# * Bayes' rule, the prior and the posterior: MAP with a Gaussian prior on the weights is
#   ridge regression with $\lambda = \sigma^2/\tau^2$; a flat prior gives back the MLE;
#   with more data the prior matters less;
# * MAP with a Laplace prior is the lasso, whose estimate sets weights exactly to zero; you fit it
#   yourself by proximal gradient descent;
# * a coin with a Beta prior: MLE, MAP and posterior mean in closed form.
#
# **Prerequisites**: lecture 1 (entropy, cross-entropy), lecture 2 (KL divergence, forward KL);
# the Gaussian density, Bayes' rule, a little linear algebra.
#
# As in lectures 1 and 2: to change a parameter, edit its value in the parameters cell below and run all
# cells again (with papermill: `-p N_POINTS 1000`); each exercise has a check under it, and until you solve
# it the cells that need your function use the course's reference.

# %% tags=["setup"]
# Set-up: on Colab this installs the course library; anywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/generative-course/genmodels@main")

# %% tags=["parameters"]
PROFILE: str = "auto"  # one of auto, cpu, full
SEED: int = 0  # random seed, an integer, at least 0
N_POINTS: int = 300  # size of the i.i.d. sample for the Gaussian MLE, an integer, at least 2

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import scipy.optimize as opt
import scipy.stats as st
from scipy.integrate import quad
import torch
from sklearn.linear_model import Lasso, LinearRegression, Ridge
from sklearn.metrics import log_loss

import genlib
from genlib import check, exercises, info, measured, report, widgets

P = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0),
                    N_POINTS=genlib.integer(min=2))
rt = genlib.setup(P.PROFILE, P.SEED)
rng = rt.rng  # one generator for the whole lecture: every draw below comes from it

# %% [markdown]
# ## 1. The likelihood: how well does a model explain the data?
#
# We measured the heights (in cm) of a few people and want a model for them. Two candidate
# Gaussians are on the table: which one is more likely to have produced these numbers?
# Put each data point on each curve and read off its height: a candidate under which the points
# sit high up (near its centre) explains them better than one under which they lie in the tail.
#
# The **likelihood** of the parameters $\theta$ is the density of the whole data set,
# seen as a function of $\theta$. When the points are drawn independently from the same
# distribution (*i.i.d.*), the joint density factorises into a product:
#
# $$L(\theta) = p(x_1, \dots, x_n \mid \theta) = \prod_{i=1}^n p(x_i \mid \theta),
# \qquad \ell(\theta) = \log L(\theta) = \sum_{i=1}^n \log p(x_i \mid \theta).$$
#
# For a Gaussian, $\log \mathcal N(x \mid \mu, \sigma^2) = -\tfrac12 \log(2\pi\sigma^2) - \frac{(x-\mu)^2}{2\sigma^2}$.
# (Reminder: numbers printed in angle brackets, ⟨-70.1⟩, are measured on random data and move a little
# with the seed and the computer.)

# %%
def gauss_pdf(x, mu, sigma):
    return np.exp(-(x - mu) ** 2 / (2 * sigma ** 2)) / np.sqrt(2 * np.pi * sigma ** 2)


def likelihood(x, mu, sigma):
    return np.prod(gauss_pdf(x, mu, sigma))


def log_likelihood(x, mu, sigma):
    return np.sum(-0.5 * np.log(2 * np.pi * sigma ** 2) - (x - mu) ** 2 / (2 * sigma ** 2))


mu_true, sigma_true = 170.0, 8.0
x_few = rng.normal(mu_true, sigma_true, size=20)  # twenty measured heights
cand_a, cand_b = (170.0, 8.0), (155.0, 8.0)        # two candidate models (mu, sigma)

check.close("our Gaussian density is scipy.stats.norm.pdf", gauss_pdf(x_few, *cand_a), st.norm.pdf(x_few, *cand_a))
check.close("our log-likelihood is the sum of scipy's logpdf", log_likelihood(x_few, *cand_a),
            st.norm.logpdf(x_few, *cand_a).sum(), rtol=1e-10)
check.close("the log of the product is the sum of the logs", math.log(likelihood(x_few, *cand_b)),
            log_likelihood(x_few, *cand_b), rtol=1e-10)
check.claim("candidate A (mean 170) explains the heights better than candidate B (mean 155)",
            likelihood(x_few, *cand_a) > likelihood(x_few, *cand_b))
print(f"log-likelihood: A {measured(log_likelihood(x_few, *cand_a)):.3g}, B {measured(log_likelihood(x_few, *cand_b)):.3g}")

# %%
grid = np.linspace(120, 210, 400)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.0), sharey=True, layout="constrained")
for ax, (mu, sigma), name, color in zip(axes, (cand_a, cand_b), "AB", ("#2ca02c", "#ff7f0e")):
    ax.plot(grid, gauss_pdf(grid, mu, sigma), color=color, lw=2)
    ax.vlines(x_few, 0, gauss_pdf(x_few, mu, sigma), color=color, ls=":", lw=1)
    ax.plot(x_few, np.zeros_like(x_few), "o", color="k", ms=4)
    ax.set_title(f"candidate {name}: N({mu:g}, {sigma:g}$^2$)", fontsize=9)
    ax.set_xlabel("height [cm]")
axes[0].set_ylabel("density")
fig.suptitle("The likelihood multiplies the dotted heights")
plt.show()

# %% [markdown]
# ## 2. Why the log
#
# **Underflow.** Each density value here is about $0.03$; multiply a few hundred of them and the
# result drops below the smallest positive double, $\approx 4.9\times10^{-324}$: the computer
# rounds it to exactly $0$, and every model gets the same likelihood. The sum of the logs has no
# such problem. The product must vanish as soon as the log-likelihood falls below
# $\log(4.9\times10^{-324}) \approx -745$, which we can predict from the running sum.

# %%
x_many = rng.normal(mu_true, sigma_true, size=1000)
running_product = np.cumprod(gauss_pdf(x_many, *cand_a))   # L after 1, 2, ..., 1000 points
running_loglik = np.cumsum(st.norm.logpdf(x_many, *cand_a))  # scipy's logpdf as the oracle
n_zero = int(np.argmax(running_product == 0)) + 1             # first n with L == 0.0
n_pred = int(np.argmax(running_loglik < math.log(np.nextafter(0.0, 1.0)) - math.log(2))) + 1

dens32 = torch.tensor(gauss_pdf(x_many, *cand_a), dtype=torch.float32)  # torch's default precision
n_zero32 = int(torch.argmax((torch.cumprod(dens32, 0) == 0).int())) + 1

print(f"float64 product of the densities is exactly 0.0 from n = {measured(n_zero):d} points on")
print(f"float32 (torch's default) already from n = {measured(n_zero32):d}")
print(f"log-likelihood of all 1000 points: {measured(running_loglik[-1]):.3g} (finite)")
check.claim("the product of 1000 densities underflows to 0.0", running_product[-1] == 0.0)
check.between("it happens where the log-likelihood passes log(smallest double) (to one point)", n_zero - n_pred, -1, 1)
check.claim("the log-likelihood stays finite", np.all(np.isfinite(running_loglik)))
check.claim("in float32 the product dies much sooner", n_zero32 < n_zero / 4)
report.record("n_underflow_float64", n_zero)

# %% [markdown]
# **Same maximiser.** $\log$ is strictly increasing, so $L(\theta_1) > L(\theta_2)$ exactly when
# $\ell(\theta_1) > \ell(\theta_2)$: the maximum sits at the same $\theta$. We check it on a grid
# of means for the 20 heights (few enough that the product is still representable).

# %%
mu_grid = np.linspace(150, 190, 801)
L_grid = np.array([likelihood(x_few, m, sigma_true) for m in mu_grid])
ell_grid = np.array([log_likelihood(x_few, m, sigma_true) for m in mu_grid])
i_L, i_ell = int(np.argmax(L_grid)), int(np.argmax(ell_grid))

fig, axes = plt.subplots(1, 2, figsize=(9, 2.6))
axes[0].plot(mu_grid, L_grid)
axes[0].set_title("likelihood $L(\\mu)$")
axes[1].plot(mu_grid, ell_grid, color="#d62728")
axes[1].set_title("log-likelihood $\\ell(\\mu)$")
for ax in axes:
    ax.axvline(mu_grid[i_L], color="k", ls=":")
    ax.set_xlabel("$\\mu$ [cm]")
plt.show()

check.claim("L and log L peak at the same grid point", i_L == i_ell)
check.between("and that point is the grid point closest to the sample mean",
              abs(mu_grid[i_L] - x_few.mean()), 0, (mu_grid[1] - mu_grid[0]) / 2 + 1e-12)

# %% [markdown]
# ## 3. The Gaussian MLE
#
# Set the derivatives of the log-likelihood to zero (the *score equations*):
#
# $$\frac{\partial \ell}{\partial \mu} = \sum_i \frac{x_i - \mu}{\sigma^2} = 0
# \;\Rightarrow\; \hat\mu = \frac1n \sum_i x_i, \qquad
# \frac{\partial \ell}{\partial \sigma^2} = -\frac{n}{2\sigma^2} + \sum_i \frac{(x_i-\mu)^2}{2\sigma^4} = 0
# \;\Rightarrow\; \hat\sigma^2 = \frac1n \sum_i (x_i - \hat\mu)^2 .$$
#
# The MLE of the variance divides by $n$, not $n-1$: it is *biased*, $\mathbb E[\hat\sigma^2] = \frac{n-1}{n}\sigma^2$.
# Below: the closed form on `N_POINTS` heights, scipy's own fit, and plain gradient ascent in torch
# (on $\mu$ and $\log\sigma$, so that $\sigma$ stays positive), which knows nothing of the formula.

# %%
x = rng.normal(mu_true, sigma_true, size=P.N_POINTS)

mu_hat = x.mean()
var_hat = ((x - mu_hat) ** 2).mean()      # divide by n: the MLE

loc, scale = st.norm.fit(x)               # scipy's maximum-likelihood fit
check.close("closed-form mean = scipy.stats.norm.fit", mu_hat, loc, rtol=1e-10)
check.close("closed-form variance (divide by n) = scipy.stats.norm.fit", var_hat, scale ** 2, rtol=1e-8)

# Gradient ascent on the mean log-likelihood (torch, float64).
xt = torch.tensor(x)
mu_t = torch.tensor(150.0, dtype=torch.float64, requires_grad=True)
log_sigma_t = torch.tensor(math.log(20.0), dtype=torch.float64, requires_grad=True)
optimizer = torch.optim.Adam([mu_t, log_sigma_t], lr=0.5)
schedule = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.99)
path = []
for step in range(400):
    var_t = torch.exp(2 * log_sigma_t)
    mean_loglik = (-0.5 * torch.log(2 * math.pi * var_t) - (xt - mu_t) ** 2 / (2 * var_t)).mean()
    optimizer.zero_grad()
    (-mean_loglik).backward()             # ascent on l = descent on -l
    optimizer.step()
    schedule.step()
    path.append((mu_t.item(), math.exp(log_sigma_t.item())))
path = np.array(path)

check.close("gradient ascent finds the closed-form mean", mu_t.item(), mu_hat, rtol=1e-6)
check.close("gradient ascent finds the closed-form variance", torch.exp(2 * log_sigma_t).item(), var_hat, rtol=1e-5)

# The score (gradient of l) vanishes at the closed form: checked with autograd.
theta = torch.tensor([mu_hat, var_hat], dtype=torch.float64, requires_grad=True)
ell_at = (-0.5 * torch.log(2 * math.pi * theta[1]) - (xt - theta[0]) ** 2 / (2 * theta[1])).sum()
score, = torch.autograd.grad(ell_at, theta)
check.close("the score is zero at the MLE", score, np.zeros(2), atol=1e-8)
print(f"mu_hat = {measured(mu_hat):.3g} cm, sigma_hat = {measured(math.sqrt(var_hat)):.3g} cm (truth 170, 8)")
report.record("gauss_mu_hat", mu_hat)

# %%
mus, sigmas = np.linspace(145, 190, 120), np.linspace(4, 25, 100)
M, S = np.meshgrid(mus, sigmas)
# mean of (x_i - mu)^2 = mean(x^2) - 2 mu mean(x) + mu^2: the data enter only through two averages
mean_sq_dev = np.mean(x ** 2) - 2 * M * np.mean(x) + M ** 2
surface = -0.5 * np.log(2 * np.pi * S ** 2) - mean_sq_dev / (2 * S ** 2)
fig, ax = plt.subplots(figsize=(5, 3.4))
cs = ax.contour(M, S, surface, levels=np.quantile(surface, np.linspace(0.3, 0.99, 12)), cmap="viridis")
ax.plot(path[:, 0], path[:, 1], ".-", color="#d62728", ms=2, lw=0.8, label="gradient ascent")
ax.plot(mu_hat, math.sqrt(var_hat), "*", color="k", ms=12, label="closed form")
ax.set_xlabel("$\\mu$")
ax.set_ylabel("$\\sigma$")
ax.set_title("mean log-likelihood of the heights")
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# **The bias of $\hat\sigma^2$**, by Monte Carlo: draw many samples of size 5 from
# $\mathcal N(0, 1)$ and average the estimates. Dividing by $n$ gives about $4/5$ of the truth,
# dividing by $n - 1$ gives the truth. The bias fades as $n$ grows, and the MLE is what we need
# later, so we keep it.

# %%
samples = rng.normal(0.0, 1.0, size=(rt.pick(cpu=40_000, full=400_000), 5))
var_mle = samples.var(axis=1, ddof=0)
var_unbiased = samples.var(axis=1, ddof=1)
check.close("E[MLE variance] = (n-1)/n sigma^2 = 0.8 (Monte Carlo)", var_mle.mean(), 0.8, atol=0.015)
check.close("dividing by n-1 removes the bias (Monte Carlo)", var_unbiased.mean(), 1.0, atol=0.015)

# %% [markdown]
# ## 4. MLE = minimum cross-entropy = minimum KL to the data
#
# Divide the log-likelihood by $-n$. What is left is an average over the data, i.e. an expectation
# under the *empirical distribution* $\hat p = \frac1n\sum_i \delta_{x_i}$, where $\delta_{x_i}$ is a point mass
# at $x_i$ (all its probability on that one value), so $\hat p$ gives each data point the probability $1/n$:
#
# $$-\frac1n \ell(\theta) = -\mathbb E_{x\sim\hat p}[\log q_\theta(x)] = H(\hat p, q_\theta)
# = H(\hat p) + \mathrm{KL}(\hat p \,\|\, q_\theta).$$
#
# $H(\hat p)$ does not depend on $\theta$, so **maximising the likelihood = minimising the
# cross-entropy = minimising the forward KL** from the data to the model (lecture 2: the
# mass-covering direction). For a discrete variable this is exact. Take a loaded die: the MLE of a
# categorical distribution is the table of observed frequencies, where the KL is zero.

# %%
faces = np.arange(1, 7)
p_die = np.array([0.1, 0.1, 0.15, 0.15, 0.2, 0.3])
rolls = rng.choice(faces, size=200, p=p_die)
p_hat = np.bincount(rolls, minlength=7)[1:] / len(rolls)  # empirical distribution = the categorical MLE


def mean_loglik_die(q):
    return np.mean(np.log(q[rolls - 1]))


q_random = rng.dirichlet(np.ones(6), size=2000)
nll_random = np.array([-mean_loglik_die(q) for q in q_random])   # -(1/n) log-likelihood of each random model
check.close("-(1/n) log-likelihood = cross-entropy H(p_hat, q) (genlib.info)",
            nll_random[:5], info.cross_entropy(np.tile(p_hat, (5, 1)), q_random[:5]), rtol=1e-10)
check.close("-(1/n) log-likelihood - H(p_hat) = KL(p_hat || q), scipy's relative entropy, for 2000 random q",
            nll_random - st.entropy(p_hat), st.entropy(np.tile(p_hat, (len(q_random), 1)), q_random, axis=-1),
            rtol=1e-9, atol=1e-12)
check.claim("no random q has a smaller negative log-likelihood than the frequencies",
            nll_random >= -mean_loglik_die(p_hat), best_random=nll_random.min())

# An optimiser that knows nothing about frequencies (softmax logits, scipy) lands on them.
res = opt.minimize(lambda z: -mean_loglik_die(np.exp(z - z.max()) / np.exp(z - z.max()).sum()),
                   np.zeros(6), method="BFGS", options={"gtol": 1e-10})
q_opt = np.exp(res.x - res.x.max()) / np.exp(res.x - res.x.max()).sum()
check.close("numerical MLE of the die = observed frequencies", q_opt, p_hat, atol=1e-4)
check.between("... where the KL from the data to the model, scipy's relative entropy, is 0 (below 1e-8)",
              st.entropy(p_hat, q_opt), 0, 1e-8)

# %% [markdown]
# ### Differential entropy
#
# The step to continuous data needs the continuous counterpart of lecture 1's entropy. For a density $p$,
# the **differential entropy**, written with a lower-case $h$ because it is *not* lecture 1's entropy $H$, is
# the average surprise again, with the density in the log:
#
# $$h(p) = -\int p(x) \log p(x)\,dx = \mathbb E_{x\sim p}\big[-\log p(x)\big].$$
#
# It is *not* the limit of the discrete entropy. Cut the line into bins of width $\Delta$: bin $i$ gets
# probability $\approx p(x_i)\Delta$, and its entropy is
# $-\sum_i p(x_i)\Delta \log\big(p(x_i)\Delta\big) \approx h(p) - \log\Delta$, which grows without bound as
# $\Delta \to 0$: pinning down a real number exactly takes infinitely many bits. The differential
# entropy is what is left once the diverging
# $-\log\Delta$ is taken away, and it behaves differently in one way: **it can be negative**. A density is
# not a probability and can exceed 1, and then $-\log p(x) < 0$. The uniform density on $[0, a]$ has
# $h = \log a$, below 0 for $a < 1$. For a Gaussian, with $-\log \mathcal N(x\mid\mu,\sigma^2) = \tfrac12\log(2\pi\sigma^2)
# + \frac{(x-\mu)^2}{2\sigma^2}$ and $\mathbb E[(x-\mu)^2] = \sigma^2$,
#
# $$h\big(\mathcal N(\mu, \sigma^2)\big) = \tfrac12\log(2\pi\sigma^2) + \tfrac12 = \tfrac12 \log(2\pi e\,\sigma^2),$$
#
# whatever $\mu$, and negative as soon as $\sigma < 1/\sqrt{2\pi e} \approx 0.242$. (Among all densities with
# variance $\sigma^2$ the Gaussian has the largest $h$: the continuous cousin of "the uniform distribution is the
# most uncertain".) The same caution holds for likelihoods: the log-*density* of continuous data can be
# positive, so a log-likelihood, and the ELBO of lecture 5 (a lower bound on one), can be above zero, which a
# log-*probability* never is. `genlib.info.entropy_normal` is this formula; the next cells use it.

# %%
def gauss_entropy(sigma):
    return 0.5 * np.log(2 * np.pi * np.e * sigma ** 2)


sigmas = np.array([0.05, 0.1, 1 / math.sqrt(2 * math.pi * math.e), 0.5, 1.0, sigma_true])
print("sigma:  " + "  ".join(f"{v:7.3g}" for v in sigmas))
print("h [nats]" + "  ".join(f"{v:7.3g}" for v in gauss_entropy(sigmas)))
check.close("h = 1/2 log(2 pi e sigma^2) agrees with scipy.stats.norm(0, sigma).entropy() for every sigma",
            gauss_entropy(sigmas), st.norm(0, sigmas).entropy(), rtol=1e-12, atol=1e-12)

narrow = rng.normal(3.0, 0.1, size=rt.pick(cpu=100_000, full=1_000_000))
surprise = -st.norm.logpdf(narrow, 3.0, 0.1)                 # -log p(x) of each draw, scipy's density
h_mc, h_se = surprise.mean(), surprise.std() / math.sqrt(narrow.size)
print(f"sigma = 0.1: formula {gauss_entropy(0.1):.4g} nats, Monte Carlo average surprise {measured(h_mc):.4g} nats")
check.between("the Monte Carlo average of -log p(x) is within 5 standard errors of the formula (sigma = 0.1)",
              gauss_entropy(0.1), h_mc - 5 * h_se, h_mc + 5 * h_se)
check.between("... and it is negative: most draws have a density above 1 (5 standard errors below 0)",
              h_mc + 5 * h_se, -np.inf, 0.0)

deltas = np.array([1.0, 0.1, 0.01])
binned = []
for delta in deltas:                                    # N(0, 1) cut into bins of width delta, probabilities from the cdf
    edges = np.arange(-12, 12 + delta / 2, delta)
    binned.append(st.entropy(np.diff(st.norm.cdf(edges))))
binned = np.array(binned)
print("bin width:                " + "  ".join(f"{d:6.3g}" for d in deltas))
print("entropy of the bins:      " + "  ".join(f"{v:6.3g}" for v in binned) + "  (nats: grows like -log width)")
print("entropy + log(bin width): " + "  ".join(f"{v:6.4g}" for v in binned + np.log(deltas))
      + f"  -> h(N(0, 1)) = {gauss_entropy(1.0):.4g}")
check.close("the entropy of finer and finer bins, plus log(bin width), tends to h (bin width 0.01, scipy's cdf)",
            binned[-1] + math.log(deltas[-1]), gauss_entropy(1.0), rtol=1e-4)

# %% [markdown]
# For continuous data the split above breaks down, but not because of $H(\hat p)$: $\hat p$ is discrete, and with
# $n$ distinct points $H(\hat p) = \log n$. What fails is the comparison of a discrete $\hat p$ with a density
# $q_\theta$: $\hat p$ puts mass on single points, where $q_\theta$ has none, so $\mathrm{KL}(\hat p\,\|\,q_\theta) = +\infty$
# for every $\theta$, and the differential entropy of $\hat p$, a sum of spikes, is $h(\hat p) = -\infty$: the
# finite cross-entropy $-\frac1n\ell(\theta)$ is $\infty - \infty$. The argument survives in the limit: by the law of
# large numbers, $-\frac1n\ell(\theta) \to -\mathbb E_p[\log q_\theta(x)] = h(p) + \mathrm{KL}(p\,\|\,q_\theta)$, with
# the differential entropy $h(p)$ in place of $H$: still a constant that does not depend on $\theta$, so
# maximum likelihood still minimises the forward KL. For Gaussians both terms have closed forms; a large
# sample reproduces them.

# %%
big = rng.normal(mu_true, sigma_true, size=rt.pick(cpu=200_000, full=2_000_000))
q_mu, q_sigma = 165.0, 10.0  # some model that is not the truth
avg_nll = -np.mean(st.norm.logpdf(big, q_mu, q_sigma))
closed = float(gauss_entropy(sigma_true) + info.kl_normal(mu_true, sigma_true, q_mu, q_sigma))
check.close("average negative log-likelihood -> h(p) + KL(p || q) (closed forms)", avg_nll, closed, rtol=2e-3)
counts = np.unique(big, return_counts=True)[1]            # how often each distinct value occurs
check.close("the empirical distribution of the n distinct draws is discrete, with H(p_hat) = log n (scipy)",
            st.entropy(counts / big.size), math.log(big.size), rtol=1e-12)

# %% [markdown]
# ## 5. Linear regression by maximum likelihood = least squares
#
# Now the model predicts $y$ from features: $y_i = \phi(x_i)^\top w + \varepsilon_i$ with
# $\varepsilon_i \sim \mathcal N(0, \sigma^2)$ i.i.d. Here $\phi(x) = (1, x, x^2, \dots, x^d)$: a polynomial,
# whose constant term is a weight like the others. The negative log-likelihood is
#
# $$-\ell(w) = \frac{1}{2\sigma^2}\,\lVert y - \Phi w\rVert^2 + \frac n2 \log(2\pi\sigma^2),$$
#
# so for any fixed $\sigma$ the MLE of $w$ minimises the **sum of squared errors**: MSE is what the
# Gaussian noise assumption turns into. We *minimise the negative* log-likelihood rather than maximise
# the log-likelihood only by convention (optimisers minimise); here it is a convex quadratic in $w$,
# so the stationary point is the global optimum. Setting the gradient to zero gives the normal equations
# $\Phi^\top\Phi\, w = \Phi^\top y$; the MLE of the noise variance is the mean squared residual.

# %%
def features(x, degree):
    return x[:, None] ** np.arange(degree + 1)  # columns 1, x, ..., x^degree


def mle_weights(Phi, y):
    return np.linalg.solve(Phi.T @ Phi, Phi.T @ y)


noise = 0.3
x_reg = rng.uniform(-1, 1, size=30)
y_reg = np.sin(np.pi * x_reg) + noise * rng.normal(size=30)
Phi = features(x_reg, 3)
w_mle = mle_weights(Phi, y_reg)

check.close("MLE weights = numpy.linalg.lstsq", w_mle, np.linalg.lstsq(Phi, y_reg, rcond=None)[0], rtol=1e-8)
check.close("MLE weights = sklearn LinearRegression (fit_intercept=False: the 1 is a feature)",
            w_mle, LinearRegression(fit_intercept=False).fit(Phi, y_reg).coef_, rtol=1e-8, atol=1e-10)


def neg_loglik(params):  # built from scipy's logpdf, with log sigma free as well
    w, log_s = params[:-1], params[-1]
    return -st.norm.logpdf(y_reg, Phi @ w, math.exp(log_s)).sum()


res = opt.minimize(neg_loglik, np.zeros(Phi.shape[1] + 1), method="BFGS", options={"gtol": 1e-9})
check.close("numerically maximising the Gaussian likelihood gives the least-squares weights",
            res.x[:-1], w_mle, rtol=1e-4, atol=1e-5)
check.close("and the noise variance MLE is the mean squared residual", math.exp(2 * res.x[-1]),
            np.mean((y_reg - Phi @ w_mle) ** 2), rtol=1e-4)

# %% [markdown]
# ## 6. MAP: a prior on the weights
#
# MLE trusts the data completely. With few points and a flexible model (degree 7 and 10 points,
# say) it bends through the noise. **Bayes' rule** turns a prior belief $p(w)$ into a posterior:
#
# $$\underbrace{p(w \mid y, X)}_{\text{posterior}} =
# \frac{\overbrace{p(y \mid X, w)}^{\text{likelihood}}\;\overbrace{p(w)}^{\text{prior}}}
# {\underbrace{p(y \mid X)}_{\text{evidence}}}, \qquad
# p(y\mid X) = \int p(y\mid X, w)\,p(w)\,dw .$$
#
# The evidence does not depend on $w$, so the **maximum a posteriori** (MAP) estimate maximises
# likelihood $\times$ prior. With the prior $w \sim \mathcal N(0, \tau^2 I)$ ("weights are small"):
#
# $$-\log p(w\mid y, X) = \frac{1}{2\sigma^2}\lVert y - \Phi w\rVert^2 + \frac{1}{2\tau^2}\lVert w\rVert^2 + \text{const}
# \;\propto\; \lVert y - \Phi w\rVert^2 + \frac{\sigma^2}{\tau^2}\lVert w\rVert^2 .$$
#
# That is **ridge regression** with $\lambda = \sigma^2/\tau^2$ (noise variance over prior variance):
# $w_{\text{MAP}} = (\Phi^\top\Phi + \lambda I)^{-1}\Phi^\top y$. A tight prior (small $\tau$) or noisy
# data (large $\sigma$) means strong shrinkage.

# %%
def map_weights(Phi, y, sigma, tau):
    lam = sigma ** 2 / tau ** 2
    return np.linalg.solve(Phi.T @ Phi + lam * np.eye(Phi.shape[1]), Phi.T @ y)


degree, n_small, tau = 7, 10, 1.0
Phi7 = features(x_reg[:n_small], degree)
y7 = y_reg[:n_small]
w_map = map_weights(Phi7, y7, noise, tau)


def neg_log_posterior(w):  # likelihood and prior, both from scipy.stats
    return -(st.norm.logpdf(y7, Phi7 @ w, noise).sum() + st.norm.logpdf(w, 0.0, tau).sum())


res = opt.minimize(neg_log_posterior, np.zeros(degree + 1), method="BFGS", options={"gtol": 1e-10})
check.close("ridge with lambda = sigma^2/tau^2 maximises likelihood x prior (scipy optimiser)",
            w_map, res.x, rtol=1e-4, atol=1e-5)
check.close("MAP = sklearn Ridge(alpha = sigma^2/tau^2, fit_intercept=False)", w_map,
            Ridge(alpha=noise ** 2 / tau ** 2, fit_intercept=False).fit(Phi7, y7).coef_, rtol=1e-6, atol=1e-9)

# %% [markdown]
# **The intercept.** sklearn's default `Ridge(fit_intercept=True)` does *not* shrink the intercept:
# in Bayesian terms it puts a flat prior on $w_0$ and the Gaussian prior on the rest. That is MAP
# with prior precision $0$ on the constant column, which we can write just as easily:

# %%
lam = noise ** 2 / tau ** 2
precision = np.ones(degree + 1)
precision[0] = 0.0                                   # flat prior on the intercept
w_map_free0 = np.linalg.solve(Phi7.T @ Phi7 + lam * np.diag(precision), Phi7.T @ y7)
sk = Ridge(alpha=lam, fit_intercept=True).fit(Phi7[:, 1:], y7)
check.close("flat prior on w0 = sklearn Ridge with fit_intercept=True",
            w_map_free0, np.r_[sk.intercept_, sk.coef_], rtol=1e-6, atol=1e-9)

# %%
grid_x = np.linspace(-1, 1, 200)
G = features(grid_x, degree)
fig, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
ax.plot(grid_x, np.sin(np.pi * grid_x), "--", color="0.5", lw=1, label="truth")
ax.plot(x_reg[:n_small], y7, "o", color="k", ms=4)
ax.plot(grid_x, G @ np.linalg.lstsq(Phi7, y7, rcond=None)[0], color="#1f77b4", label="MLE (least squares)")
for t, c in ((1.0, "#d62728"), (0.3, "#ff7f0e"), (0.05, "#9467bd")):
    ax.plot(grid_x, G @ map_weights(Phi7, y7, noise, t), color=c, label=f"MAP, tau = {t:g}")
ax.set_ylim(-2, 2)
ax.set_title("degree 7, 10 points: the prior pulls the fit towards w = 0")
ax.set_xlabel("x")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))   # outside the axes: off the curves
plt.show()

# %% [markdown]
# ### Play: prior strength and the amount of data
#
# Drag $\tau$ (prior standard deviation, log scale) and $n$ (points used, from a fixed pool).
# Small $\tau$ squeezes the weights into the grey band and flattens the curve towards the prior
# mean $0$; large $\tau$ lets MAP coincide with the MLE. With fewer than 8 points the MLE is not even
# unique (the blue curve is the minimum-norm one); the prior makes the problem well posed. With
# many points, try a small $\tau$: the data win anyway.

# %%
import ipywidgets as W
from genlib.views.mle import PriorStrength

prior_view = PriorStrength(degree=7, sigma=noise, n_max=60, seed=P.SEED)
prior_widget = widgets.Interactive(
    prior_view,
    {"tau": W.FloatLogSlider(value=0.3, base=10, min=-2, max=2, step=0.05, description="tau"),
     "n": W.IntSlider(value=8, min=1, max=60, description="n points")},
    title="MAP vs MLE")
prior_widget

# %% [markdown]
# ## 7. MLE is MAP with a flat prior
#
# As $\tau\to\infty$ the prior $\mathcal N(0,\tau^2 I)$ spreads out until it is flat (uniform):
# $\log p(w)$ becomes a constant, $\lambda = \sigma^2/\tau^2 \to 0$, and MAP turns into MLE. So MLE is the
# special case of MAP that claims to know nothing about $w$, which is what we fall back on when we
# have no prior worth stating. Along the
# way the MAP weights approach the MLE monotonically. (With fewer points than weights, the limit
# picks the minimum-norm least-squares solution among the infinitely many MLEs.)

# %%
taus = np.logspace(-2, 4, 13)
w_mle3 = mle_weights(Phi, y_reg)
dist = np.array([np.linalg.norm(map_weights(Phi, y_reg, noise, t) - w_mle3) for t in taus])
check.claim("||w_MAP - w_MLE|| shrinks monotonically as tau grows", np.all(np.diff(dist) < 0), dist=dist)
check.close("at tau = 1e4 (an almost flat prior) MAP = MLE", map_weights(Phi, y_reg, noise, 1e4), w_mle3, rtol=1e-6, atol=1e-8)

# %% [markdown]
# The prior can also be read as **extra data**: $\lambda\lVert w\rVert^2 = \sum_j (\sqrt\lambda\, w_j - 0)^2$ is the
# squared error of $p$ pseudo-observations "$\sqrt\lambda\, w_j = 0$". So MAP is least squares on the data
# stacked with these fake points. This form is also the numerically safe one when $\lambda$ is tiny and
# $\Phi^\top\Phi$ is singular (fewer points than weights), so we use it to follow the $\tau\to\infty$ limit there.

# %%
def map_weights_stacked(Phi, y, sigma, tau):
    p = Phi.shape[1]
    lam = sigma ** 2 / tau ** 2
    A = np.vstack([Phi, math.sqrt(lam) * np.eye(p)])       # the data, then p pseudo-points
    return np.linalg.lstsq(A, np.r_[y, np.zeros(p)], rcond=None)[0]


check.close("MAP = least squares with p pseudo-observations sqrt(lambda) w_j = 0",
            map_weights_stacked(Phi7, y7, noise, tau), w_map, rtol=1e-7, atol=1e-9)

Phi_under, y_under = features(x_reg[:5], degree), y_reg[:5]   # 5 points, 8 weights: no unique MLE
w_pinv = np.linalg.pinv(Phi_under) @ y_under
check.close("with 5 points and 8 weights, MAP(tau -> inf) -> minimum-norm least squares (pinv)",
            map_weights_stacked(Phi_under, y_under, noise, 1e7), w_pinv, rtol=0, atol=1e-4 * np.abs(w_pinv).max())

# %% [markdown]
# ## 8. A Laplace prior: the lasso
#
# The Gaussian is not the only prior. The **Laplace** prior $p(w_j) = \frac{1}{2b} e^{-|w_j|/b}$ (scale $b$,
# variance $2b^2$) has a sharp peak at 0 and heavier tails: it expects most weights to be small and a few to
# be large. It does *not* believe that any weight is exactly 0: it is a density, with no mass on the single
# value 0, so a weight drawn from it is 0 with probability 0. Its negative log is $|w_j|/b$ plus a constant, so
#
# $$-\log p(w\mid y, X) = \frac{1}{2\sigma^2}\lVert y - Xw\rVert^2 + \frac1b\lVert w\rVert_1 + \text{const}
# \;\propto\; \tfrac12\lVert y - Xw\rVert^2 + \frac{\sigma^2}{b}\lVert w\rVert_1 .$$
#
# That is the **lasso** (L1-penalised least squares) with penalty $t = \sigma^2/b$. The $\lvert\cdot\rvert$ has a
# kink at 0, and the kink is what sets weights of the MAP *estimate* exactly to zero: the sparsity belongs to
# the estimate (the single most probable $w$), not to the prior's beliefs. Minimise over one weight $w_j$ with the
# others fixed: with $r_j$ the residual without feature $j$, the minimiser of
# $\tfrac12\lVert r_j - x_j w_j\rVert^2 + t|w_j|$ is
#
# $$w_j = \frac{S_t(x_j^\top r_j)}{\lVert x_j\rVert^2}, \qquad S_t(v) = \operatorname{sign}(v)\max(|v| - t, 0),$$
#
# the **soft threshold**: a correlation with the residual smaller than $t$ gives exactly 0. Sweeping over the
# weights until nothing moves (*coordinate descent*) finds the MAP; the objective is convex, so it is the
# global one. The ridge penalty $\frac{\sigma^2}{\tau^2}\lVert w\rVert^2$ has no kink: its coordinate step
# *divides* by $\lVert x_j\rVert^2 + \lambda$, shrinking every weight and zeroing none.
#
# scikit-learn's `Lasso` minimises $\frac{1}{2n}\lVert y - Xw\rVert^2 + \alpha\lVert w\rVert_1$. Multiplying our
# objective by $\sigma^2/n$ shows that it is the same problem with $\alpha = \sigma^2/(n b)$: mind the $1/n$.
#
# The test: 12 features, of which only the first 3 matter, and a prior with $b = 0.02$.

# %%
def soft_threshold(v, t):
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)   # exactly 0 whenever |v| <= t


def map_laplace(X, y, sigma, b, sweeps=300):
    """MAP with the prior w_j ~ Laplace(0, b): argmin 1/2 ||y - X w||^2 + (sigma^2 / b) ||w||_1."""
    t = sigma ** 2 / b
    w, r = np.zeros(X.shape[1]), y.astype(float).copy()   # r = y - X w
    col_sq = (X ** 2).sum(axis=0)
    for _ in range(sweeps):
        for j in range(X.shape[1]):
            r += X[:, j] * w[j]                               # the residual without feature j
            w[j] = soft_threshold(X[:, j] @ r, t) / col_sq[j]
            r -= X[:, j] * w[j]
    return w


n_l, sigma_l, b_l = 100, 0.5, 0.02
w_true = np.r_[2.0, -1.5, 1.0, np.zeros(9)]
X_l = rng.normal(size=(n_l, len(w_true)))
y_l = X_l @ w_true + sigma_l * rng.normal(size=n_l)
w_lasso = map_laplace(X_l, y_l, sigma_l, b_l)
sk_lasso = Lasso(alpha=sigma_l ** 2 / (n_l * b_l), fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X_l, y_l)
check.close("MAP with a Laplace prior = sklearn Lasso(alpha = sigma^2 / (n b), fit_intercept=False)",
            w_lasso, sk_lasso.coef_, rtol=1e-6, atol=1e-8)
check.claim("... with the same weights exactly 0", (w_lasso == 0) == (sk_lasso.coef_ == 0))


def neg_log_posterior_laplace(w):     # likelihood and prior from scipy.stats: no formula of ours inside
    return -(st.norm.logpdf(y_l, X_l @ w, sigma_l).sum() + st.laplace.logpdf(w, 0.0, b_l).sum())


steps = 1e-3 * rng.normal(size=(500, len(w_true)))
rise = np.array([neg_log_posterior_laplace(w_lasso + d) for d in steps]) - neg_log_posterior_laplace(w_lasso)
check.claim("no small random step from it lowers scipy's negative log-posterior (500 steps)", rise > 0,
            smallest_rise=rise.min())

tau_same = math.sqrt(2) * b_l                         # a Gaussian prior with the Laplace prior's variance 2 b^2
w_ridge = map_weights(X_l, y_l, sigma_l, tau_same)
zeros_lasso, zeros_ridge = int(np.sum(w_lasso[3:] == 0)), int(np.sum(w_ridge == 0))
print(f"of the 9 irrelevant weights the lasso sets {zeros_lasso} exactly to 0; "
      f"ridge (same prior variance) sets {zeros_ridge} of all 12 to 0, its smallest |w| is {measured(np.abs(w_ridge).min()):.2g}")
check.between("the lasso sets at least 6 of the 9 irrelevant weights exactly to 0", zeros_lasso, 6)
check.claim("... and keeps the 3 that matter (none of them 0)", np.all(w_lasso[:3] != 0))
check.claim("ridge with a Gaussian prior of the same variance only shrinks: no weight is exactly 0", zeros_ridge == 0)
report.record("lasso_zeros_of_9", zeros_lasso)

# %%
fig, axes = plt.subplots(1, 2, figsize=(9.6, 4.0), layout="constrained", gridspec_kw={"width_ratios": [2, 3]})
wg = np.linspace(-0.12, 0.12, 481)
axes[0].plot(wg, st.laplace.pdf(wg, 0, b_l), color="#d62728", label=f"Laplace(0, b = {b_l:g})")
axes[0].plot(wg, st.norm.pdf(wg, 0, tau_same), color="#1f77b4", label="Gaussian, same variance")
axes[0].set_xlabel("weight w")
axes[0].set_ylabel("prior density")
axes[0].set_title("two priors: a peak at 0, or a bump")
axes[0].set_ylim(0, 0.8 / b_l)                      # headroom above the Laplace peak 1 / (2b) for the legend
axes[0].legend(loc="upper left")
idx = np.arange(len(w_true))
for shift, (vals, name, c) in zip((-0.27, 0.0, 0.27), ((w_true, "truth", "0.5"), (w_ridge, "ridge (MAP, Gaussian prior)", "#1f77b4"),
                                                      (w_lasso, "lasso (MAP, Laplace prior)", "#d62728"))):
    axes[1].bar(idx + shift, vals, width=0.27, color=c, label=name)
axes[1].axhline(0, color="k", lw=0.8)
axes[1].set_xticks(idx)
axes[1].set_xlabel("weight index (only 0, 1, 2 matter)")
axes[1].set_title("the lasso zeroes the irrelevant weights;\nridge shrinks them all")
axes[1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
plt.show()

# %% [markdown]
# ## 9. With more data the prior matters less
#
# The likelihood term grows with $n$ (one squared error per point) while the prior term stays the
# same size. So the gap between MAP and MLE should shrink roughly like $1/n$. We fit a cubic with the
# prior $\tau = 1$ on growing data sets.

# %%
ns = np.array([20, 200, 2_000, 20_000])
x_pool = rng.uniform(-1, 1, size=ns[-1])
y_pool = np.sin(np.pi * x_pool) + noise * rng.normal(size=ns[-1])
gaps = []
for n in ns:
    Phi_n = features(x_pool[:n], 3)
    gaps.append(np.linalg.norm(map_weights(Phi_n, y_pool[:n], noise, 1.0) - mle_weights(Phi_n, y_pool[:n])))
gaps = np.array(gaps)
slope = np.polyfit(np.log(ns), np.log(gaps), 1)[0]

fig, ax = plt.subplots(figsize=(4.5, 3))
ax.loglog(ns, gaps, "o-", label="$\\|w_{MAP} - w_{MLE}\\|$")
ax.loglog(ns, gaps[0] * ns[0] / ns, "--", color="0.5", label="$\\propto 1/n$")
ax.set_xlabel("number of points n")
ax.set_title("the prior's pull fades with n")
ax.legend()
plt.show()

check.claim("the MAP-MLE gap shrinks as n grows", np.all(np.diff(gaps) < 0), gaps=gaps)
check.between("roughly like 1/n (log-log slope between -1.3 and -0.7)", slope, -1.3, -0.7)
report.record("map_mle_gap_slope", slope)

# %% [markdown]
# ## 10. The discrete counterpart: a coin with a Beta prior
#
# Toss a coin $n$ times and see $k$ heads. The likelihood of $p = P(\text{heads})$ is
# $p^k(1-p)^{n-k}$; its log, $k\log p + (n-k)\log(1-p)$, has zero derivative at $\hat p_{\text{MLE}} = k/n$.
# Three heads in three tosses give $\hat p = 1$: "this coin never lands tails", which few of us believe.
#
# A **Beta(a, b) prior**, $p(p) \propto p^{a-1}(1-p)^{b-1}$, encodes that belief. Multiplying by the
# likelihood gives a posterior of the same family, $\text{Beta}(a + k,\; b + n - k)$ (the Beta prior is
# *conjugate* to the coin). Its mode is the MAP and its mean the posterior mean:
#
# $$\hat p_{\text{MAP}} = \frac{k + a - 1}{n + a + b - 2}, \qquad
# \mathbb E[p \mid k] = \frac{k + a}{n + a + b}.$$
#
# The prior acts like $a-1$ extra heads and $b-1$ extra tails seen before the experiment; with
# $a = b = 1$ (flat prior) MAP and MLE coincide. Averaged over the tosses, the negative Bernoulli
# log-likelihood is the *binary cross-entropy*, the loss lecture 4 uses for black-and-white pixels.

# %%
def coin_mle(k, n):
    return k / n


def coin_map(k, n, a, b):
    return (k + a - 1) / (n + a + b - 2)


def coin_posterior_mean(k, n, a, b):
    return (k + a) / (n + a + b)


k, n, a, b = 3, 3, 2.0, 2.0
post = st.beta(a + k, b + n - k)
print(f"{k} heads in {n}: MLE {coin_mle(k, n):.3g}, MAP {coin_map(k, n, a, b):.3g}, "
      f"posterior mean {coin_posterior_mean(k, n, a, b):.3g}")

unnormalised = lambda p: p ** k * (1 - p) ** (n - k) * st.beta.pdf(p, a, b)  # likelihood x prior
evidence = quad(unnormalised, 0, 1, epsabs=1e-13, epsrel=1e-12)[0]  # p(k): the normalising constant
p_grid = np.linspace(0.01, 0.99, 50)
check.close("likelihood x prior / evidence = Beta(a+k, b+n-k) density (scipy)",
            unnormalised(p_grid) / evidence, post.pdf(p_grid), rtol=1e-7)
mode = opt.minimize_scalar(lambda p: -post.pdf(p), bounds=(0, 1), method="bounded", options={"xatol": 1e-10}).x
check.close("MAP = the mode of scipy's Beta posterior", coin_map(k, n, a, b), mode, atol=1e-6)
check.close("posterior mean = scipy.stats.beta(a+k, b+n-k).mean()", coin_posterior_mean(k, n, a, b), post.mean(), rtol=1e-12)
k_f, n_f = 7, 10                                      # a case where the likelihood peaks inside (0, 1)
peak = opt.minimize_scalar(lambda p: -st.binom.logpmf(k_f, n_f, p), bounds=(0, 1), method="bounded",
                           options={"xatol": 1e-10}).x
check.close("flat prior Beta(1, 1): MAP and MLE are both the peak of scipy's binomial likelihood (7 heads in 10)",
            [coin_map(k_f, n_f, 1.0, 1.0), coin_mle(k_f, n_f)], peak, atol=1e-6)

tosses = rng.random(10_000) < 0.7

# The Bernoulli negative log-likelihood per toss is the binary cross-entropy (BCE) of lecture 4.
p_model = 0.6
bernoulli_nll = -np.mean(tosses * np.log(p_model) + (1 - tosses) * np.log(1 - p_model))
check.close("Bernoulli negative log-likelihood per toss = binary cross-entropy (sklearn log_loss)",
            bernoulli_nll, log_loss(tosses, np.full(len(tosses), p_model), labels=[False, True]), rtol=1e-10)
for m in (10, 100, 1000, 10_000):
    km = int(tosses[:m].sum())
    check.between(f"after {m} tosses |MAP - MLE| <= max(a-1, b-1)/(n+a+b-2)",
                  abs(coin_map(km, m, a, b) - coin_mle(km, m)), high=max(a - 1, b - 1) / (m + a + b - 2))

# %% [markdown]
# ### Play: heads, tails and the prior
#
# Dashed: the prior; blue: the likelihood (normalised to integrate to 1); red: the posterior. Watch
# the MAP (red line) sit between the prior's mode and the MLE (dotted), and move to the MLE as tosses
# pile up. Raise $a$ and $b$ together for a stubborn belief in a fair coin.

# %%
from genlib.views.mle import BetaCoin

coin_widget = widgets.Interactive(
    BetaCoin(),
    {"heads": W.IntSlider(value=3, min=0, max=50, description="heads"),
     "tails": W.IntSlider(value=0, min=0, max=50, description="tails"),
     "a": W.FloatSlider(value=2.0, min=1.0, max=20.0, step=0.5, description="prior a"),
     "b": W.FloatSlider(value=2.0, min=1.0, max=20.0, step=0.5, description="prior b")},
    title="coin with a Beta prior", columns=2)
coin_widget

# %% [markdown]
# ## Exercises
#
# Under each exercise, a check tries your answer against the course's reference and names the classic
# mistake when it sees one.
#
# **Exercise 1 (the Gaussian negative log-likelihood with a log-variance).** Neural networks that output
# a variance usually output its logarithm, `log_var` $=\log\sigma^2$, which can be any real number (lecture 5's
# VAE encoder does this). Write the *negative* log-likelihood of a sample `x` under
# $\mathcal N(\mu, \sigma^2)$, summed over the points, in terms of `mu` and `log_var`. Keep every constant.

# %% tags=["exercise"]
def gaussian_nll(x, mu, log_var):
    x = np.asarray(x, dtype=float)
    ### BEGIN SOLUTION
    return 0.5 * np.sum(np.log(2 * np.pi) + log_var + (x - mu) ** 2 / np.exp(log_var))
    ### END SOLUTION

# %%
exercises.check("Gaussian NLL", gaussian_nll)

# %% [markdown]
# **Exercise 2 (a prior that is not centred at zero).** Suppose an earlier study suggests the weights are
# near `m`, and we encode that as the prior $w\sim\mathcal N(m, \tau^2 I)$ (on *all* weights; `Phi` already
# holds the column of ones), with noise std `sigma`. Return the MAP weights. Write the negative log-posterior,
# set its gradient to zero, and solve.

# %% tags=["exercise"]
def map_weights_prior_mean(Phi, y, sigma, tau, m):
    ### BEGIN SOLUTION
    lam = sigma ** 2 / tau ** 2
    p = Phi.shape[1]
    return np.linalg.solve(Phi.T @ Phi + lam * np.eye(p), Phi.T @ y + lam * m)
    ### END SOLUTION

# %%
exercises.check("MAP with a prior mean", map_weights_prior_mean)

# %% [markdown]
# **Exercise 3 (a die with a Dirichlet prior).** The Beta prior of the coin generalises to $K$ outcomes: the
# Dirichlet prior $p(\pi)\propto\prod_k \pi_k^{\alpha_k-1}$. After observing `counts` $n_k$ the posterior is
# Dirichlet($\alpha_k + n_k$). Return the MAP estimate of the probabilities $\pi$ (all $\alpha_k > 1$).
# Hint: it is the posterior's mode, and it must sum to 1.

# %% tags=["exercise"]
def dirichlet_map(counts, alpha):
    counts, alpha = np.asarray(counts, dtype=float), np.asarray(alpha, dtype=float)
    ### BEGIN SOLUTION
    return (counts + alpha - 1) / (counts.sum() + alpha.sum() - len(alpha))
    ### END SOLUTION

# %%
exercises.check("Dirichlet MAP", dirichlet_map)

# %% [markdown]
# **Exercise 4 (a derivation: the rate of a Poisson process with a Gamma prior).** A help desk counts the
# calls in each of $n$ hours: $x_1, \dots, x_n$, modelled as i.i.d. Poisson counts with rate $\lambda$,
# $P(x\mid\lambda) = \lambda^x e^{-\lambda}/x!$. Before counting we believed $\lambda \sim \mathrm{Gamma}(a, b)$ with shape $a > 1$ and
# *rate* $b$: $p(\lambda) \propto \lambda^{a-1} e^{-b\lambda}$. Derive the MAP estimate of $\lambda$ with pen and paper, then type
# it into `poisson_rate_map(x, a, b)` (`x` a NumPy array of counts). The check compares it with the maximum
# of scipy's Poisson log-likelihood plus its Gamma log-prior, found numerically.
#
# *Hint.* Write $\log p(x_1, \dots, x_n\mid\lambda) + \log p(\lambda)$, keeping only the terms with $\lambda$: they are
# $c_1\log\lambda - c_2\lambda$ for two numbers $c_1, c_2$ made of the data and the prior. Set the derivative to zero. As for
# the coin, the prior reads as pseudo-data: how many extra hours, and how many extra calls?

# %% tags=["exercise"]
def poisson_rate_map(x, a, b):
    x = np.asarray(x)
    ### BEGIN SOLUTION
    return (x.sum() + a - 1) / (len(x) + b)
    ### END SOLUTION

# %%
exercises.check("Poisson rate MAP", poisson_rate_map)

# %% [markdown]
# **Exercise 5 (the lasso by proximal gradient descent).** Section 8 found the MAP under a Laplace prior by
# coordinate descent. A second algorithm, which scales to neural networks, is **proximal gradient descent**
# (ISTA). Split scikit-learn's objective into a smooth part and the kink:
#
# $$\underbrace{\frac{1}{2n}\lVert y - Xw\rVert^2}_{f(w),\ \text{smooth}} + \underbrace{\alpha\lVert w\rVert_1}_{\text{the kink}} .$$
#
# Each iteration takes a gradient step on $f$ alone, $v = w - \eta\,\nabla f(w)$ with $\nabla f(w) = \frac1n X^\top(Xw - y)$,
# then the *proximal step* of the penalty: the point nearest to $v$ once the penalty $\eta\alpha\lVert w\rVert_1$ is paid,
# which is the soft threshold of section 8 applied to each coordinate, $w = S_{\eta\alpha}(v)$. With the step
# $\eta = 1/L$, where $L$ is the largest eigenvalue of $X^\top X / n$ (`np.linalg.eigvalsh`), the iterations converge to
# the lasso's minimum. Write `lasso_proximal(X, y, alpha)` (no intercept) with enough steps that it matches
# `sklearn.linear_model.Lasso(alpha, fit_intercept=False)` to $10^{-5}$: the check runs it on 80 points and 10
# features of unequal scales, and compares the weights and which of them are exactly 0.

# %% tags=["exercise"]
def lasso_proximal(X, y, alpha, steps=3000):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    ### BEGIN SOLUTION
    n = len(y)
    eta = 1.0 / np.linalg.eigvalsh(X.T @ X / n).max()
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        v = w - eta * X.T @ (X @ w - y) / n                 # gradient step on the squared loss
        w = soft_threshold(v, eta * alpha)                   # proximal step of alpha ||w||_1
    return w
    ### END SOLUTION

# %%
exercises.check("lasso by proximal gradient", lasso_proximal)

# %% [markdown]
# ## Summary
#
# * Likelihood = product of the densities of i.i.d. points; log-likelihood = sum. Work with the log:
#   the product underflows after a few hundred points (a few dozen in float32), and the argmax is unchanged.
# * Gaussian MLE: the sample mean and the variance with $1/n$ (biased by $(n-1)/n$); gradient ascent and
#   scipy agree with the formula.
# * Maximising the likelihood = minimising the cross-entropy $H(\hat p, q_\theta)$ = minimising the forward
#   $\mathrm{KL}(\hat p\,\|\,q_\theta)$ to the data.
# * The differential entropy $h(p) = -\int p \log p$ of a density is not the limit of the discrete entropy
#   (binning adds $-\log\Delta$) and can be negative; for a Gaussian it is $\frac12\log(2\pi e\sigma^2)$.
# * Gaussian noise turns MLE for regression into least squares (MSE).
# * Posterior $\propto$ likelihood $\times$ prior; the evidence is a constant for MAP. A Gaussian prior
#   $\mathcal N(0,\tau^2 I)$ gives ridge with $\lambda=\sigma^2/\tau^2$; a flat prior ($\tau\to\infty$) gives MLE
#   back; with more data the prior's pull fades like $1/n$.
# * A Laplace prior gives the lasso, penalty $\frac{\sigma^2}{b}\lVert w\rVert_1$ (sklearn's $\alpha = \sigma^2/(nb)$): the prior
#   puts no mass on 0, but the kink of $|w|$ at 0 sets weights of the MAP estimate exactly to zero, where ridge only
#   shrinks them.
# * The prior can be read as pseudo-data: $p$ fake observations $\sqrt\lambda\,w_j = 0$ for ridge, $a-1$ heads and
#   $b-1$ tails for the coin.
# * Coin with a Beta(a, b) prior: MLE $k/n$, MAP $(k+a-1)/(n+a+b-2)$, posterior mean $(k+a)/(n+a+b)$; the
#   Bernoulli negative log-likelihood per toss is the binary cross-entropy.
#
# **Next.** Lecture 4 trains an autoencoder by minimising a reconstruction error: with a Gaussian (MSE) or
# Bernoulli (cross-entropy) decoder this is exactly the maximum likelihood of this lecture, and like the
# MLE it fits the training data with no prior on the code it learns. Lecture 5's VAE
# puts a prior on the latent code $z$, but it does not pick the single best $z$ as MAP picks the best $w$: it
# *integrates* $z$ out, and maximises the ELBO, a lower bound on the log-evidence $\log p(x)$ that MAP could
# ignore here. Its KL term, $\mathrm{KL}(q\,\|\,p) = -\mathbb E_q[\log p(z)] - h(q)$, has two parts: the first pulls
# the code towards the prior's centre, much as a penalty on weights does, and the second is the differential
# entropy of $q$, which rewards spread and has no MAP counterpart. Its reconstruction term is a
# log-likelihood again.
