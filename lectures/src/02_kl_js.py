# %% [markdown]
# # Lecture 2 - KL and JS divergences
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-course/genmodels/blob/main/lectures/02_kl_js.ipynb)
#
# **What you will learn**
#
# * the Kullback-Leibler divergence as the extra cost of the wrong code: $\mathrm{KL}(p\|q) = H(p, q) - H(p)$;
# * why it is never negative (Jensen's inequality), and why it is still not a distance;
# * forward $\mathrm{KL}(p\|q)$ versus reverse $\mathrm{KL}(q\|p)$: covering every mode or seeking one;
# * the reverse KL estimated from samples of $q$ (the reparameterisation that lecture 5's VAE uses), and
#   its two local minima, which you find yourself;
# * the Jensen-Shannon divergence: symmetric, bounded by $\log 2$;
# * total variation, and what all of them say about distributions whose supports do not overlap
#   (the road to the Wasserstein distance of lecture 7).
#
# **Prerequisites**: lecture 1 (entropy and cross-entropy).
#
# As in lecture 1: to change a parameter, edit its value in the parameters cell below and run all
# cells again (with papermill: `-p STEPS 500`); each exercise has a check under it, and until you
# solve it the cells that need your function use the course's reference.

# %% tags=["setup"]
# Set-up: on Colab this installs the course library; anywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/generative-course/genmodels@main")

# %% tags=["parameters"]
PROFILE: str = "auto"  # one of auto, cpu, full
SEED: int = 0  # random seed, an integer, at least 0
STEPS: int = 300  # Adam steps for each Gaussian fit of the forward/reverse KL section, an integer, at least 1 (the fit claims need 200)

# %%
import math

import numpy as np
import matplotlib.pyplot as plt
import scipy.integrate
import scipy.spatial.distance
import scipy.stats
import torch
from scipy.special import xlogy

import genlib
from genlib import check, exercises, info, measured, widgets, report

P = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0), STEPS=genlib.integer(min=1))
FIT_STEPS = 200  # Adam at lr 0.1 converges in about 170 steps from any start in [-2, 2]: the fit claims need this many
rt = genlib.setup(P.PROFILE, P.SEED)
rng = rt.rng
n_pairs = rt.pick(cpu=10_000, full=200_000)  # random pairs of distributions for the property checks

# %% [markdown]
# ## 1. KL divergence: the price of the wrong code
#
# Lecture 1 ended with two numbers. If outcomes follow $p$, the best code spends on average
# $H(p) = -\sum_x p(x)\log p(x)$ nats per outcome. A code built for another distribution $q$
# spends $H(p, q) = -\sum_x p(x) \log q(x)$ nats. The difference is what the mistake costs:
#
# $$\mathrm{KL}(p\|q) = H(p, q) - H(p) = \sum_x p(x) \log\frac{p(x)}{q(x)} = \mathbb{E}_{x\sim p}\big[\log p(x) - \log q(x)\big].$$
#
# Read it point by point: $\log p(x) - \log q(x)$ is how much more surprised $q$ is than $p$ by
# the outcome $x$; the KL averages this gap over outcomes drawn from $p$, the distribution
# that really produces them. Conventions: $0 \log 0 = 0$, and $\mathrm{KL} = \infty$ as soon as
# $q(x) = 0$ somewhere $p(x) > 0$ (an outcome $q$ calls impossible happens).
#
# Since $H(p)$ does not depend on $q$, **minimising the cross-entropy over a model $q$ is the
# same as minimising $\mathrm{KL}(p\|q)$**: every classifier trained with a cross-entropy loss
# (lecture 1) is in fact minimising a KL.

# %%
def entropy(p):
    return -np.sum(xlogy(p, p), axis=-1)          # xlogy(0, 0) = 0: the 0 log 0 = 0 convention


def cross_entropy(p, q):
    return -np.sum(xlogy(p, q), axis=-1)          # +inf where p > 0 and q = 0


def kl(p, q):
    return cross_entropy(p, q) - entropy(p)


p = np.array([0.5, 0.25, 0.125, 0.125])
q = np.array([0.25, 0.25, 0.25, 0.25])
print(f"H(p) = {entropy(p):.3g}, H(p, q) = {cross_entropy(p, q):.3g}, KL(p||q) = {kl(p, q):.3g} nats")
check.close("KL(p||q) = H(p, q) - H(p) agrees with scipy.stats.entropy(p, q)", kl(p, q), scipy.stats.entropy(p, q))
check.close("... and with genlib's reference info.kl", kl(p, q), info.kl(p, q))
check.close("with q uniform on K outcomes, KL(p||q) = log K - H(p)", kl(p, q), math.log(4) - entropy(p))
check.claim("an outcome that q calls impossible makes KL infinite",
            np.isinf(kl([0.5, 0.5], [1.0, 0.0])) and np.isinf(scipy.stats.entropy([0.5, 0.5], [1.0, 0.0])))

# %% [markdown]
# The expectation form says we never need to sum over all outcomes: averaging
# $\log p(x) - \log q(x)$ over samples $x \sim p$ estimates the KL (Monte Carlo). This is how
# KL terms are estimated in practice, e.g. in the VAE of lecture 5. (Reminder: a number in angle
# brackets, ⟨0.25⟩, is measured: it moves a little with the seed and the computer.)

# %%
n_mc = rt.pick(cpu=20_000, full=1_000_000)
xs = rng.choice(len(p), size=n_mc, p=p)
gaps = np.log(p[xs]) - np.log(q[xs])
kl_mc, se = gaps.mean(), gaps.std() / math.sqrt(n_mc)
print(f"Monte Carlo estimate from {n_mc} samples: {measured(kl_mc):.3g} (standard error {measured(se):.1g}); "
      f"exact {kl(p, q):.3g}")
check.between("the sample average of log p(x) - log q(x) is within 4 standard errors of the exact KL",
              kl(p, q), kl_mc - 4 * se, kl_mc + 4 * se)

# %% [markdown]
# ## 2. KL is never negative (Gibbs' inequality)
#
# $\log$ is concave, so Jensen's inequality $\mathbb{E}[\log Y] \le \log \mathbb{E}[Y]$ applies to
# $Y = q(x)/p(x)$ with $x \sim p$:
#
# $$-\mathrm{KL}(p\|q) = \mathbb{E}_{p}\Big[\log\frac{q(x)}{p(x)}\Big] \le \log \mathbb{E}_{p}\Big[\frac{q(x)}{p(x)}\Big]
# = \log \sum_{x: p(x) > 0} q(x) \le \log 1 = 0 .$$
#
# Equality needs $q/p$ constant where $p > 0$ and no mass of $q$ elsewhere, i.e. $q = p$. So
# $\mathrm{KL}(p\|q) \ge 0$, with $0$ only for $q = p$; equivalently $H(p, q) \ge H(p)$.
# We check both inequalities of the chain on many random pairs drawn from a Dirichlet
# distribution (which produces random probability vectors, some of them very spiky).

# %%
alpha = 0.5  # < 1: many near-zero entries, the hard cases
ps = rng.dirichlet(np.full(6, alpha), size=n_pairs)
qs = rng.dirichlet(np.full(6, alpha), size=n_pairs)
kls = kl(ps, qs)
jensen_lhs = np.sum(ps * np.log(qs / ps), axis=-1)        # E_p[log(q/p)] = -KL
jensen_rhs = np.log(np.sum(ps * (qs / ps), axis=-1))      # log E_p[q/p] = log sum q = 0 here
print(f"{n_pairs} random pairs: smallest KL {measured(kls.min()):.2g}, median {measured(np.median(kls)):.3g}, "
      f"largest {measured(kls.max()):.3g}")
check.close("our kl agrees with scipy.stats.entropy on every pair", kls, scipy.stats.entropy(ps, qs, axis=-1), rtol=1e-9)
check.claim("Jensen: E_p[log q/p] <= log E_p[q/p] on every pair", np.all(jensen_lhs <= jensen_rhs + 1e-12))
check.claim("KL(p||q) >= 0 on every pair", np.all(kls >= 0), smallest=kls.min())

# %% [markdown]
# **Zero only for $q = p$.** $\mathrm{KL}(p\|p) = 0$ is plain from the formula (every $\log\frac{p}{p}$ is 0). The
# other half, "*only* for $q = p$", says that even a tiny step away costs something. Step from $p$ to
# $q = p + \varepsilon d$ (a direction $d$ with $\sum_x d(x) = 0$, so $q$ still sums to 1). A Taylor expansion of
# $\log\frac{p}{q}$ to second order gives
#
# $$\mathrm{KL}(p\|p + \varepsilon d) = \frac{\varepsilon^2}{2}\sum_x \frac{d(x)^2}{p(x)} + O(\varepsilon^3) ,$$
#
# half the *chi-square* distance, strictly positive for every $d \ne 0$. The divergence grows like the square
# of the step: the bottom of a bowl, not the tip of a cone.

# %%
print(f"KL(p||p) = {kl(p, p):.3g}: the formula gives 0 term by term")
directions = rng.normal(size=(200, len(p)))
directions -= directions.mean(axis=1, keepdims=True)           # sum d = 0: p + eps d still sums to 1
eps = 1e-4
kl_step = kl(p, p + eps * directions)
chi2_half = 0.5 * np.sum(directions ** 2 / p, axis=-1)         # the closed-form second-order term
check.claim("KL(p||p + eps d) > 0 for every one of 200 random directions d (eps = 0.0001)", kl_step > 0,
            smallest=kl_step.min())
check.close("... and it is eps^2/2 sum d^2/p (the chi-square term) to 1 %", kl_step / eps ** 2, chi2_half, rtol=0.01)

# %% [markdown]
# ## 3. KL is not a distance
#
# A distance (a *metric*) $d$ must satisfy four axioms. KL keeps the first two and breaks the other two:
#
# | axiom | KL |
# |---|---|
# | $d(p, q) \ge 0$ | yes (section 2) |
# | $d(p, q) = 0 \iff p = q$ | yes |
# | symmetry $d(p, q) = d(q, p)$ | **no** |
# | triangle inequality $d(p, r) \le d(p, q) + d(q, r)$ | **no** |
#
# (Something with only the first two properties is sometimes called a *premetric*; that is why
# we say *divergence*.) Asymmetry comes from the weights: $\mathrm{KL}(p\|q)$ averages over $p$,
# $\mathrm{KL}(q\|p)$ over $q$. In the picture every dot is one random pair; a distance would
# put all of them on the diagonal.

# %%
p2, q2 = np.array([0.9, 0.1]), np.array([0.5, 0.5])
print(f"KL(p||q) = {kl(p2, q2):.3g}, KL(q||p) = {kl(q2, p2):.3g}")
check.close("KL(p||q) matches scipy for p = (0.9, 0.1), q = (0.5, 0.5)", kl(p2, q2), scipy.stats.entropy(p2, q2))
check.close("KL(q||p) matches scipy too", kl(q2, p2), scipy.stats.entropy(q2, p2))
check.claim("the two directions differ: KL is not symmetric", abs(kl(p2, q2) - kl(q2, p2)) > 0.1)
kls_rev = kl(qs, ps)
asym = np.mean(np.abs(kls - kls_rev) > 1e-3)
print(f"fraction of random pairs with |KL(p||q) - KL(q||p)| > 0.001: {measured(asym):.2f}")
check.between("the directions differ on most random pairs", asym, 0.9, 1.0)

fig, ax = plt.subplots(figsize=(4, 3.6))
ax.loglog(kls[:2000], kls_rev[:2000], ".", ms=2, alpha=0.5)
lim = [1e-2, 1e2]
ax.plot(lim, lim, "k--", lw=1, label="symmetric would be here")
ax.set_xlim(lim); ax.set_ylim(lim)
ax.set_xlabel("KL(p||q)"); ax.set_ylabel("KL(q||p)"); ax.legend(loc="upper left")
ax.set_title("2000 random pairs: off the diagonal")
plt.show()

# %% [markdown]
# **The triangle inequality fails.** For two Gaussians with the same variance the KL has a
# closed form, $\mathrm{KL}(\mathcal N(\mu_1, \sigma^2)\|\mathcal N(\mu_2, \sigma^2)) = (\mu_1-\mu_2)^2 / (2\sigma^2)$:
# a *squared* distance. Squares break the triangle inequality: with means $0, 1, 2$ and $\sigma = 1$,
# the direct route costs $2$ while the detour through the middle costs $\frac12 + \frac12 = 1$.

# %%
def kl_same_variance(mu1, mu2, sigma):
    return (mu1 - mu2) ** 2 / (2 * sigma ** 2)


def kl_quad(mu1, mu2, sigma):          # the oracle: integrate p log(p / q) numerically (scipy)
    f = lambda x: scipy.stats.norm.pdf(x, mu1, sigma) * (scipy.stats.norm.logpdf(x, mu1, sigma)
                                                         - scipy.stats.norm.logpdf(x, mu2, sigma))
    return scipy.integrate.quad(f, mu1 - 30 * sigma, mu1 + 30 * sigma, epsabs=1e-13)[0]


pairs = [(0.0, 2.0, 1.0), (0.0, 1.0, 1.0), (1.0, 2.0, 1.0), (-1.0, 2.5, 0.7)]
check.close("the closed form (mu1 - mu2)^2 / (2 sigma^2) agrees with numerical integration (scipy quad)",
            [kl_same_variance(*t) for t in pairs], [kl_quad(*t) for t in pairs], rtol=1e-7)
check.close("... and with genlib's general Gaussian KL", [kl_same_variance(*t) for t in pairs],
            [info.kl_normal(m1, s_, m2, s_) for m1, m2, s_ in pairs])
z = rng.normal(0.0, 1.0, size=n_mc)
mc = np.mean(scipy.stats.norm.logpdf(z, 0, 1) - scipy.stats.norm.logpdf(z, 2, 1))
check.close("... and with a Monte Carlo estimate of E_p[log p - log q]", kl_same_variance(0.0, 2.0, 1.0), mc, rtol=0.05)
direct = kl_same_variance(0.0, 2.0, 1.0)
detour = kl_same_variance(0.0, 1.0, 1.0) + kl_same_variance(1.0, 2.0, 1.0)
print(f"so the triangle inequality breaks: KL(0 -> 2) = {direct:.3g} > KL(0 -> 1) + KL(1 -> 2) = {detour:.3g}")

# %% [markdown]
# The same happens between discrete distributions. We search random triples for the largest
# violation and confirm it with scipy.

# %%
a, b, c = (rng.dirichlet(np.ones(3), size=n_pairs) for _ in range(3))
violation = kl(a, c) - kl(a, b) - kl(b, c)
i = int(np.argmax(violation))
pa, pb, pc = a[i], b[i], c[i]
def show(v):
    return "(" + ", ".join(f"{measured(x):.2f}" for x in v) + ")"


print(f"p = {show(pa)}, q = {show(pb)}, r = {show(pc)}")
print(f"KL(p||r) = {measured(kl(pa, pc)):.3g} > KL(p||q) + KL(q||r) = {measured(kl(pa, pb) + kl(pb, pc)):.3g}")
check.claim("scipy confirms: this triple breaks the triangle inequality",
            scipy.stats.entropy(pa, pc) > scipy.stats.entropy(pa, pb) + scipy.stats.entropy(pb, pc) + 0.1)
print(f"fraction of random triples that break it: {measured(np.mean(violation > 0)):.2f}")

# %% [markdown]
# ## 4. Forward or reverse KL? Fitting one Gaussian to two modes
#
# When we *fit* a model $q_\theta$ to a target $p$ by minimising a KL, the order of the
# arguments changes the answer.
#
# * **Forward** $\mathrm{KL}(p\|q_\theta) = \sum_x p(x)\log\frac{p(x)}{q_\theta(x)}$ averages over $p$. Where
#   $p(x) > 0$ and $q_\theta(x) \to 0$ the term explodes, so $q_\theta$ must put mass *everywhere* $p$
#   does: it is **mass-covering** (zero-avoiding). Minimising it is maximum likelihood
#   (next lecture).
# * **Reverse** $\mathrm{KL}(q_\theta\|p) = \sum_x q_\theta(x)\log\frac{q_\theta(x)}{p(x)}$ averages over $q_\theta$. Wherever
#   $q_\theta$ puts no mass nothing is paid, but $q_\theta$ is punished hard for mass where $p$ is
#   small. So $q_\theta$ shrinks onto the region it can explain well: it is **mode-seeking**
#   (zero-forcing). Variational inference and the VAE (lecture 5) minimise this direction.
#
# Take a two-mode $p$ (a mixture of two Gaussians) and a single Gaussian
# $q = \mathcal N(\mu, \sigma^2)$, which cannot match it. We discretise both densities on a fine grid
# (each cell gets the probability `log_softmax` of the log-density), so each KL is an exact sum,
# and let Adam minimise each direction.

# %%
grid = torch.linspace(-12, 12, 961, dtype=torch.float64)
w = torch.tensor([0.4, 0.6], dtype=torch.float64)      # mode weights
m = torch.tensor([-2.5, 2.5], dtype=torch.float64)     # mode means
s = torch.tensor([0.6, 0.75], dtype=torch.float64)     # mode standard deviations


def log_normal(x, mu, sigma):
    return -0.5 * ((x - mu) / sigma) ** 2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)


def log_cells(log_density):
    return torch.log_softmax(log_density, -1)          # log-probability of each grid cell


log_p = log_cells(torch.logsumexp(torch.log(w)[:, None] + log_normal(grid, m[:, None], s[:, None]), 0))


def kl_cells(log_a, log_b):
    return (log_a.exp() * (log_a - log_b)).sum()       # KL(a || b) on the grid


def fit(direction, mu0, steps=P.STEPS, lr=0.1):
    mu = torch.tensor(float(mu0), dtype=torch.float64, requires_grad=True)
    log_sigma = torch.zeros((), dtype=torch.float64, requires_grad=True)   # start at sigma = 1
    opt = torch.optim.Adam([mu, log_sigma], lr=lr)
    for _ in range(steps):
        log_q = log_cells(log_normal(grid, mu, log_sigma.exp()))
        loss = kl_cells(log_p, log_q) if direction == "forward" else kl_cells(log_q, log_p)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return mu.item(), log_sigma.exp().item()


genlib.seed_everything(P.SEED)
mu0 = float(rng.normal(0.0, 1.0))          # the same random start for both directions
fwd = fit("forward", mu0)
rev = fit("reverse", mu0)
print(f"forward fit: mu = {measured(fwd[0]):.3g}, sigma = {measured(fwd[1]):.3g}")
print(f"reverse fit: mu = {measured(rev[0]):.3g}, sigma = {measured(rev[1]):.3g}")

# %%
def log_q_of(fit_):
    return log_cells(log_normal(grid, torch.tensor(fit_[0], dtype=torch.float64),
                                torch.tensor(fit_[1], dtype=torch.float64)))


dx = float(grid[1] - grid[0])
gx = grid.numpy()
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True, layout="constrained")
for ax, (name, f, obj) in zip(axes, [("forward KL(p||q)", fwd, "covers both modes"),
                                    ("reverse KL(q||p)", rev, "seeks one mode")]):
    ax.fill_between(gx, log_p.exp().numpy() / dx, color="C0", alpha=0.3, label="p (two modes)")
    ax.plot(gx, log_q_of(f).exp().numpy() / dx, color="C3", lw=2, label="q fitted")
    ax.set_xlim(-7, 7); ax.set_title(f"minimise {name}:\n{obj}"); ax.set_xlabel("x")
axes[0].set_ylabel("density")
axes[1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))   # outside the axes, off the data
plt.show()

# %% [markdown]
# **Forward KL matches moments.** For a Gaussian $q$,
# $\mathrm{KL}(p\|q) = \text{const} + \log\sigma + \mathbb{E}_p[(x-\mu)^2]/(2\sigma^2)$; setting its
# derivatives to zero gives $\mu = \mathbb{E}_p[x]$ and $\sigma^2 = \mathrm{Var}_p[x]$. For the
# mixture these are $\sum_k w_k m_k$ and $\sum_k w_k (s_k^2 + m_k^2) - \mu^2$. And because forward KL
# is cross-entropy up to a constant, the same $q$ is the **maximum-likelihood** Gaussian for
# samples of $p$ (scipy's `norm.fit`), up to sampling noise.
#
# **Reverse KL sits on one mode.** Its optimum is (nearly) the Gaussian of one component, with
# $\mathrm{KL}(q\|p) \approx -\log w_k$: the price of ignoring the other mode's weight.

# %%
wn, mn, sn = (t.numpy() for t in (w, m, s))
mean_p = np.sum(wn * mn)
std_p = math.sqrt(np.sum(wn * (sn ** 2 + mn ** 2)) - mean_p ** 2)
print(f"moments of p: mean {mean_p:.3g}, std {std_p:.3g}")
converged = check.needs(P.STEPS >= FIT_STEPS, f"the claims about the fits need STEPS of at least {FIT_STEPS}")
samples = np.where(rng.random(n_mc) < wn[0], rng.normal(mn[0], sn[0], n_mc), rng.normal(mn[1], sn[1], n_mc))
mle_mu, mle_sigma = scipy.stats.norm.fit(samples)
k = int(np.argmin(np.abs(mn - rev[0])))      # the mode the reverse fit chose
kl_rev_fit = kl_cells(log_q_of(rev), log_p).item()
print(f"the reverse fit is nearest the mode at {mn[k]:.1f} (weight {wn[k]:.2g}, std {sn[k]:.2g}); "
      f"there KL(q||p) = {measured(kl_rev_fit):.3g}, and -log {wn[k]:.2g} = {-math.log(wn[k]):.3g}")
if converged:
    check.between("forward-KL fit: mu = mean of p (moment matching, within 0.002)", fwd[0] - mean_p, -2e-3, 2e-3)
    check.between("forward-KL fit: sigma = std of p (moment matching, within 0.2 %)", fwd[1] / std_p - 1, -2e-3, 2e-3)
    check.between("forward-KL fit = maximum likelihood on samples of p (mu, within 4 standard errors)",
                  fwd[0] - mle_mu, -4 * std_p / math.sqrt(n_mc), 4 * std_p / math.sqrt(n_mc))
    check.between("forward-KL fit = maximum likelihood on samples of p (sigma, within 4 standard errors)",
                  fwd[1] - mle_sigma, -4 * std_p / math.sqrt(2 * n_mc), 4 * std_p / math.sqrt(2 * n_mc))
    check.between("reverse-KL fit: mu within 0.05 of one mode", abs(rev[0] - mn[k]), 0, 0.05)
    check.between("reverse-KL fit: sigma = that mode's std (within 3 %)", rev[1] / sn[k] - 1, -0.03, 0.03)
    check.between("reverse-KL fit: KL(q||p) = -log(weight of the chosen mode) (within 0.01)",
                  kl_rev_fit + math.log(wn[k]), -0.01, 0.01)

# %% [markdown]
# Is the grid result the optimum of the *continuous* reverse KL? An independent check: scipy
# integrates $\int q \log(q/p)\,dx$ with adaptive quadrature, and Nelder-Mead, started from our
# answer, should not move away.

# %%
from scipy import integrate, optimize


def reverse_kl_quad(theta):
    mu, log_sigma = theta
    sigma = math.exp(log_sigma)

    def log_gauss(x, m_, s_):
        return -0.5 * ((x - m_) / s_) ** 2 - math.log(s_) - 0.5 * math.log(2 * math.pi)

    def integrand(x):     # q(x) (log q(x) - log p(x)), with the continuous densities
        log_q = log_gauss(x, mu, sigma)
        log_px = np.logaddexp(math.log(wn[0]) + log_gauss(x, mn[0], sn[0]), math.log(wn[1]) + log_gauss(x, mn[1], sn[1]))
        return math.exp(log_q) * (log_q - log_px)

    return integrate.quad(integrand, mu - 12 * sigma, mu + 12 * sigma, limit=200)[0]


best = optimize.minimize(reverse_kl_quad, [rev[0], math.log(rev[1])], method="Nelder-Mead",
                         options={"xatol": 1e-4, "fatol": 1e-9})
print(f"scipy's optimum: mu = {measured(best.x[0]):.3g}, sigma = {measured(math.exp(best.x[1])):.3g}")
if converged:
    check.between("scipy's optimum of the continuous reverse KL: same mu (within 0.02)", rev[0] - best.x[0], -0.02, 0.02)
    check.between("... and same sigma (within 2 %)", rev[1] / math.exp(best.x[1]) - 1, -0.02, 0.02)
    check.claim("each fit wins its own objective: forward fit has the smaller KL(p||q)",
                kl_cells(log_p, log_q_of(fwd)) < kl_cells(log_p, log_q_of(rev)))
    check.claim("... and the reverse fit has the smaller KL(q||p)",
                kl_cells(log_q_of(rev), log_p) < kl_cells(log_q_of(fwd), log_p))

# %% [markdown]
# The reverse KL has **two** local minima, one per mode; which one gradient descent finds depends
# on where it starts. Started left of the valley and right of it, the two runs land on different
# modes, and the heavier mode gives the lower KL (the global minimum).

# %%
left, right = fit("reverse", -1.0), fit("reverse", 1.0)
kl_left = kl_cells(log_q_of(left), log_p).item()
kl_right = kl_cells(log_q_of(right), log_p).item()
print(f"start at -1 -> mu = {measured(left[0]):.2f}, KL(q||p) = {measured(kl_left):.3g};  "
      f"start at +1 -> mu = {measured(right[0]):.2f}, KL(q||p) = {measured(kl_right):.3g}")
if converged:
    check.between("the two starts reach the two modes (within 0.05)", np.array([left[0], right[0]]) - mn, -0.05, 0.05)
    check.claim("the heavier mode (weight 0.6) is the better reverse-KL fit", (kl_right < kl_left) == (wn[1] > wn[0]))
report.record("forward_fit_mu", fwd[0])
report.record("forward_fit_sigma", fwd[1])
report.record("reverse_fit_kl", kl_rev_fit)

# %% [markdown]
# **Which one to use?** If $q$ must put mass everywhere the data can be (density estimation,
# maximum likelihood), minimise the forward KL, and accept a blurry $q$ when the model family is too
# simple. If it is enough that $q$ explains well the part it covers (approximating a posterior,
# lecture 5), the reverse KL is the convenient one: it is an average over $q$, so it needs samples
# of $q$ and the density of $p$ only up to a constant factor (which is all we know of a posterior),
# and gives a sharp $q$ that may ignore modes.
#
# **Play with it.** Move the modes, change their separation and weights: both fits re-converge
# (a few dozen Adam steps from where they were). Bring the modes close and the two fits agree;
# move them apart and the forward fit widens while the reverse fit locks onto a single mode and
# stays there, even after you make that mode the lighter one.

# %%
import ipywidgets as W
from genlib.views.divergences import ModeFits, SlidingApart

mode_fits = widgets.Interactive(
    ModeFits(),
    {"center": W.FloatSlider(value=0.0, min=-2, max=2, step=0.1, description="center"),
     "separation": W.FloatSlider(value=5.0, min=0, max=7, step=0.1, description="separation"),
     "weight": W.FloatSlider(value=0.4, min=0.05, max=0.95, step=0.05, description="left weight")},
    title="forward vs reverse KL fits", columns=3)
mode_fits

# %% [markdown]
# ## 5. Jensen-Shannon divergence: symmetric and bounded
#
# Compare each distribution with their average $m = \frac12(p + q)$:
#
# $$\mathrm{JS}(p\|q) = \tfrac12\,\mathrm{KL}(p\|m) + \tfrac12\,\mathrm{KL}(q\|m).$$
#
# Swapping $p$ and $q$ leaves $m$ and the sum unchanged, so JS is **symmetric**. Since $m$ is
# positive wherever $p$ or $q$ is, it is always **finite**, and it is **bounded**:
# $\frac{p}{m} = \frac{2p}{p + q} \le 2$, so $\mathrm{KL}(p\|m) \le \log 2$ and
# $0 \le \mathrm{JS} \le \log 2$ (one bit), with $\log 2$ exactly when $p$ and $q$ never put mass on the
# same outcome. It is $0$ only when $p = q$.

# %%
def js(p, q):
    mix = (p + q) / 2
    return kl(p, mix) / 2 + kl(q, mix) / 2


jss = js(ps, qs)
print(f"JS on {n_pairs} random pairs: from {measured(jss.min()):.2g} to {measured(jss.max()):.3g} "
      f"(log 2 = {math.log(2):.3g})")
check.close("our JS matches scipy (scipy's jensenshannon returns the square root of JS)",
            jss, scipy.spatial.distance.jensenshannon(ps, qs, axis=-1) ** 2, rtol=1e-6, atol=1e-12)
check.close("JS is symmetric: our JS(p || q) equals scipy's JS(q || p), arguments swapped, on every pair",
            jss, scipy.spatial.distance.jensenshannon(qs, ps, axis=-1) ** 2, rtol=1e-6, atol=1e-12)
check.between("0 <= JS <= log 2 on every pair", jss, 0, math.log(2))
disjoint_p, disjoint_q = np.array([0.3, 0.7, 0.0, 0.0]), np.array([0.0, 0.0, 0.5, 0.5])
check.close("disjoint supports: JS = log 2 exactly", js(disjoint_p, disjoint_q), math.log(2), rtol=1e-12)
check.claim("... while KL(p||q) is infinite there", np.isinf(kl(disjoint_p, disjoint_q)))

# %% [markdown]
# **Zero only for $q = p$**, as for KL: $\mathrm{JS}(p\|p) = 0$ term by term, and a small step $q = p + \varepsilon d$
# moves $m$ by only $\varepsilon d/2$, so each KL to the mixture is $\frac12 (\varepsilon/2)^2 \sum d^2/p$ and
#
# $$\mathrm{JS}(p\,\|\,p + \varepsilon d) \approx \frac{\varepsilon^2}{8} \sum_x \frac{d(x)^2}{p(x)} ,$$
#
# a quarter of the KL for the same step: near $p$, JS is a gentler bowl than KL.

# %%
js_step = js(p, p + eps * directions)
check.claim("JS(p || p + eps d) > 0 for every one of the 200 random directions", js_step > 0, smallest=js_step.min())
check.close("... and it is eps^2/8 sum d^2/p, a quarter of the KL's chi-square term, to 1 %",
            js_step / eps ** 2, chi2_half / 4, rtol=0.01)

# %% [markdown]
# Is JS a distance, then? Not quite: it is symmetric, but it still breaks the triangle
# inequality. Take $p = (1, 0)$, $r = (0, 1)$ and $q = (\frac12, \frac12)$ half-way: by hand,
# $\mathrm{JS}(p\|q) = \mathrm{JS}(q\|r) = \frac34 \log\frac43 \approx 0.216$ but
# $\mathrm{JS}(p\|r) = \log 2 \approx 0.693 > 0.432$. Its **square root**, however, *is* a metric
# (Endres and Schindelin, 2003); that is the quantity scipy calls `jensenshannon`.

# %%
e0, half, e1 = np.array([1.0, 0.0]), np.array([0.5, 0.5]), np.array([0.0, 1.0])
check.close("JS((1,0) || (1/2,1/2)) = 3/4 log(4/3)", js(e0, half), 0.75 * math.log(4 / 3))
check.claim("JS breaks the triangle inequality", js(e0, e1) > js(e0, half) + js(half, e1))
worst = np.max(np.sqrt(js(a, c)) - np.sqrt(js(a, b)) - np.sqrt(js(b, c)))
check.claim("sqrt(JS) (ours) satisfies it on every random triple", worst <= 1e-12, worst=worst)
dist = scipy.spatial.distance.jensenshannon

# %% [markdown]
# JS is where GANs come from (lecture 6): if a discriminator $D$ must tell samples of $p$ from
# samples of $q$, the best one is $D^*(x) = \frac{p(x)}{p(x) + q(x)}$, and the GAN objective at
# $D^*$ equals $\mathbb{E}_p[\log D^*] + \mathbb{E}_q[\log(1 - D^*)] = 2\,\mathrm{JS}(p\|q) - \log 4$.

# %%
d_star = ps / (ps + qs)
v_at_best = np.sum(ps * np.log(d_star), -1) + np.sum(qs * np.log(1 - d_star), -1)
check.close("GAN value at the best discriminator = 2 JS - log 4 on every pair", v_at_best,
            2 * scipy.spatial.distance.jensenshannon(ps, qs, axis=-1) ** 2 - math.log(4), rtol=1e-9, atol=1e-12)

# %% [markdown]
# ## 6. Total variation: the largest disagreement about any event
#
# The total variation distance asks: over all events $A$ (sets of outcomes), how differently can
# $p$ and $q$ score one of them?
#
# $$\mathrm{TV}(p, q) = \max_A |P(A) - Q(A)| = \tfrac12 \sum_x |p(x) - q(x)|.$$
#
# The maximum is reached by $A = \{x : p(x) > q(x)\}$, which collects every positive difference;
# half the $L_1$ distance follows because the positive and negative differences cancel overall.
# TV is a true metric, lies in $[0, 1]$, and equals $1$ for disjoint supports. With 8 outcomes there
# are only $2^8 = 256$ events, so we can check the maximum by brute force.

# %%
def tv(p, q):
    return 0.5 * np.sum(np.abs(p - q), axis=-1)


p8, q8 = rng.dirichlet(np.ones(8)), rng.dirichlet(np.ones(8))
events = (np.arange(2 ** 8)[:, None] >> np.arange(8)) & 1      # every subset of 8 outcomes, as 0/1 rows
gaps_a = np.abs(events @ p8 - events @ q8)                      # |P(A) - Q(A)| for each event A
best_event = events[np.argmax(gaps_a)]
print(f"TV = {measured(tv(p8, q8)):.3g}; best event (1 = in A): {best_event}")
check.close("TV = max over all 256 events of |P(A) - Q(A)| (brute force)", tv(p8, q8), gaps_a.max())
check.claim("the best event is {x : p(x) > q(x)} (or its complement)",
            np.array_equal(best_event, p8 > q8) or np.array_equal(best_event, p8 < q8))
check.close("TV matches genlib's reference", tv(p8, q8), info.tv(p8, q8))
check.close("disjoint supports: TV = 1", tv(disjoint_p, disjoint_q), 1.0)

# %% [markdown]
# The divergences are tied together. **Pinsker's inequality** bounds TV by KL,
# $\mathrm{TV} \le \sqrt{\mathrm{KL}/2}$, and JS is squeezed by TV:
# $\frac12\mathrm{TV}^2 \le \mathrm{JS} \le \mathrm{TV}\,\log 2$. So a small KL or JS forces a small TV;
# but the converse fails for KL, which can be infinite while TV is anything up to 1.

# %%
tvs = tv(ps, qs)
check.claim("Pinsker: TV <= sqrt(KL(p||q) / 2) on every pair", np.all(tvs <= np.sqrt(kls / 2) + 1e-12))
check.claim("TV^2 / 2 <= JS <= TV log 2 on every pair",
            np.all(tvs ** 2 / 2 <= jss + 1e-12) and np.all(jss <= tvs * math.log(2) + 1e-12))

# %% [markdown]
# ## 7. Sliding two distributions apart
#
# Now the situation of a GAN early in training (lectures 6 and 7): the model's samples land
# where the data is not, and in high dimensions the two supports easily miss each other. Take a
# bump $p$ and the same bump shifted right by $t$, and watch each quantity as the supports separate:
#
# * **KL** is infinite as soon as $p$ has mass where $q$ has none, long before the supports are
#   disjoint (with compact bumps, at once);
# * **JS** climbs to $\log 2$ and **TV** to $1$, and then they stop: once the supports are
#   disjoint, they cannot tell a small gap from a huge one, and their gradient with respect to $t$
#   is zero;
# * the **Wasserstein-1** distance (the least average distance mass must travel to turn $p$
#   into $q$, lecture 7) equals $t$ and keeps growing: it still says *how far*.
#
# The *gaussian* shape has full support: KL stays finite, $\mathrm{KL} = t^2 / (2 \cdot 0.5^2)$, but grows
# without bound, while JS and TV saturate again.

# %%
slide = SlidingApart()
for t in (3.0, 5.0):                 # the bumps live on [-1, 1] and [t-1, t+1]: disjoint for t >= 2
    p_t, q_t, shift = slide.pair(t, "bump")
    print(f"shift {shift:.1f}: KL = {kl(p_t, q_t)}, JS = {js(p_t, q_t):.3g}, TV = {tv(p_t, q_t):.3g}, "
          f"W1 = {scipy.stats.wasserstein_distance(slide.x, slide.x, p_t, q_t):.3g}")
    check.claim(f"shift {t:g}: KL = inf (scipy agrees)", np.isinf(kl(p_t, q_t)) and np.isinf(scipy.stats.entropy(p_t, q_t)))
    check.close(f"shift {t:g}: JS = log 2 (scipy)", js(p_t, q_t), dist(p_t, q_t) ** 2, rtol=1e-9)
    check.close(f"shift {t:g}: JS = log 2 exactly", js(p_t, q_t), math.log(2), rtol=1e-12)
    check.close(f"shift {t:g}: TV = 1", tv(p_t, q_t), 1.0)
    check.close(f"shift {t:g}: W1 = shift, for the widget's W1 and for scipy.stats.wasserstein_distance",
                [slide.update(shift=t, shape="bump")["W1"], scipy.stats.wasserstein_distance(slide.x, slide.x, p_t, q_t)],
                shift, rtol=1e-6)
p3, q3, _ = slide.pair(3.0, "bump")
p5, q5, _ = slide.pair(5.0, "bump")
check.claim("from shift 3 to shift 5, JS and TV do not move (no gradient to follow) while W1 grows by 2",
            math.isclose(js(p3, q3), js(p5, q5), rel_tol=1e-12) and math.isclose(tv(p3, q3), tv(p5, q5), rel_tol=1e-12)
            and abs(scipy.stats.wasserstein_distance(slide.x, slide.x, p5, q5)
                    - scipy.stats.wasserstein_distance(slide.x, slide.x, p3, q3) - 2.0) < 1e-6)
p_g, q_g, shift = slide.pair(2.0, "gaussian")
check.close("gaussian shape at shift 2: KL = t^2 / (2 * 0.5^2) = 8", kl(p_g, q_g), shift ** 2 / (2 * 0.5 ** 2), rtol=1e-3)

# %%
sliding = widgets.Interactive(
    slide,
    {"shift": W.FloatSlider(value=1.0, min=0, max=6, step=0.1, description="shift t"),
     "shape": W.Dropdown(options=["bump", "gaussian"], value="bump", description="shape")},
    title="sliding p and q apart", columns=2)
sliding

# %% [markdown]
# ## Exercises
#
# Under each exercise, a check tries your answer against the course's reference and names the classic
# mistake when it sees one.
#
# **Exercise 1 - KL divergence.** Write `kl_divergence(p, q)` for two NumPy probability vectors
# with no zero entries, in nats. Watch the order of the arguments and the base of the logarithm.

# %% tags=["exercise"]
def kl_divergence(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    ### BEGIN SOLUTION
    return np.sum(p * np.log(p / q))
    ### END SOLUTION

# %%
exercises.check("KL divergence", kl_divergence)

# %% [markdown]
# **Exercise 2 - JS from KL.** Using your `kl_divergence`, write `js_divergence(p, q)` (in nats).

# %% tags=["exercise"]
def js_divergence(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    ### BEGIN SOLUTION
    mix = (p + q) / 2
    return kl_divergence(p, mix) / 2 + kl_divergence(q, mix) / 2
    ### END SOLUTION

# %%
exercises.check("JS divergence", js_divergence)

# %% [markdown]
# **Exercise 3 - total variation by events.** Write `tv_by_events(p, q)` that returns
# $\max_A |P(A) - Q(A)|$ *without* the $L_1$ formula: sum the differences over the best event
# $A = \{x: p(x) > q(x)\}$.

# %% tags=["exercise"]
def tv_by_events(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    ### BEGIN SOLUTION
    in_a = p > q
    return p[in_a].sum() - q[in_a].sum()
    ### END SOLUTION

# %%
exercises.check("TV by events", tv_by_events)

# %% [markdown]
# **Exercise 4 - a derivation: KL between two exponential distributions.** The exponential distribution
# with rate $\lambda > 0$ has the density $\lambda e^{-\lambda x}$ on $x \ge 0$ and the mean $1/\lambda$. Derive
# $\mathrm{KL}(\mathrm{Exp}(\lambda_p)\,\|\,\mathrm{Exp}(\lambda_q))$ in nats with pen and paper, then type
# your closed form into `kl_exponential(rate_p, rate_q)`. The check compares it with the integral
# $\int_0^\infty p(x)\log\frac{p(x)}{q(x)}\,dx$ computed numerically.
#
# *Hint.* $\log p(x) - \log q(x) = \log\frac{\lambda_p}{\lambda_q} - (\lambda_p - \lambda_q)\,x$ is linear in $x$, so its
# average under $p$ needs only $\mathbb E_p[x]$. Check your answer: it must be 0 when $\lambda_p = \lambda_q$, and it
# is not symmetric.

# %% tags=["exercise"]
def kl_exponential(rate_p, rate_q):
    ### BEGIN SOLUTION
    return math.log(rate_p / rate_q) + rate_q / rate_p - 1
    ### END SOLUTION

# %%
exercises.check("KL between exponentials", kl_exponential)

# %% [markdown]
# **Exercise 5 - reverse KL from samples, and both of its minima.** In section 4 we summed the KL
# over a grid. That is impossible in more than a few dimensions, and for a posterior we know $p$ only up
# to a constant factor. Lecture 5's VAE instead estimates the reverse KL from samples of $q$:
#
# $$\mathrm{KL}(q\|p) = \mathbb E_{x\sim q}\big[\log q(x) - \log p(x)\big] \approx
# \frac1S \sum_{s=1}^S \big[\log q(x_s) - \log p(x_s)\big], \qquad x_s = \mu + \sigma\,\varepsilon_s,\ \ \varepsilon_s \sim \mathcal N(0, 1).$$
#
# Writing the samples as $\mu + \sigma\varepsilon$ (the *reparameterisation*) makes the estimate a differentiable
# function of $\mu$ and $\sigma$, so Adam can descend it. An unknown constant in $\log p$ shifts the estimate but
# not its gradient. Complete `fit_reverse_kl(log_p, mu0)`: `log_p` is a torch function giving the
# unnormalised log-density of section 4's two-mode target at a tensor of points; each step draws
# `n_samples` fresh $\varepsilon$, builds the Monte Carlo loss and takes one Adam step. The check runs your
# function from $\mu_0 = -1$ and from $\mu_0 = +1$: the reverse KL has one local minimum per mode, so the two
# starts must end on the two different modes, each with that mode's standard deviation.

# %% tags=["exercise"]
def fit_reverse_kl(log_p, mu0, steps=400, n_samples=128, lr=0.05):
    mu = torch.tensor(float(mu0), dtype=torch.float64, requires_grad=True)
    log_sigma = torch.zeros((), dtype=torch.float64, requires_grad=True)   # start at sigma = 1
    opt = torch.optim.Adam([mu, log_sigma], lr=lr)
    for _ in range(steps):
        ### BEGIN SOLUTION
        eps = torch.randn(n_samples, dtype=torch.float64)
        x = mu + log_sigma.exp() * eps                     # samples of q that carry the gradient
        loss = (log_normal(x, mu, log_sigma.exp()) - log_p(x)).mean()   # KL(q || p) + a constant
        opt.zero_grad()
        loss.backward()
        opt.step()
        ### END SOLUTION
    return mu.item(), log_sigma.exp().item()

# %%
exercises.check("reverse KL by sampling", fit_reverse_kl)

# %% [markdown]
# ## Summary
#
# * $\mathrm{KL}(p\|q) = H(p, q) - H(p) = \mathbb{E}_p[\log p - \log q] \ge 0$ (Jensen), zero only for
#   $q = p$; infinite when $q$ misses part of $p$'s support.
# * KL is not a distance: it is asymmetric and breaks the triangle inequality (it behaves like a
#   *squared* distance).
# * Fitting a too-simple $q$: the forward $\mathrm{KL}(p\|q)$ covers all modes (for a Gaussian: matches
#   the mean and variance, the maximum-likelihood fit); the reverse $\mathrm{KL}(q\|p)$ picks one mode.
# * $\mathrm{JS}$ is symmetric, finite, between $0$ and $\log 2$; $\sqrt{\mathrm{JS}}$ is a metric; at the
#   best discriminator the GAN objective is $2\,\mathrm{JS} - \log 4$.
# * $\mathrm{TV} = \max_A |P(A) - Q(A)| = \frac12\|p - q\|_1 \in [0, 1]$; Pinsker ties it to KL.
# * On disjoint supports KL $= \infty$, JS $= \log 2$, TV $= 1$ whatever the gap; only the
#   Wasserstein distance still measures it (lecture 7).
#
# **Next: lecture 3 - MLE and MAP.** We saw that minimising the forward KL to $p$ is minimising a
# cross-entropy, and that it gave the same Gaussian as `norm.fit`. Lecture 3 makes this precise:
# maximising the likelihood of data is minimising the KL from the data's empirical distribution
# to the model, and adding a prior turns it into MAP estimation.
