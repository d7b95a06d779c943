# %% [markdown]
# # Lecture 6 - Generative adversarial networks: the minimax game
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/generative-course/genmodels/blob/main/lectures/06_gan.ipynb)
#
# **What you will learn**
#
# * the two players: a generator $G$ that turns noise $z$ into samples, and a
#   discriminator $D$ that tells real samples from generated ones;
# * the value function $V(D, G)$, and to derive the best discriminator yourself;
# * why, against the best discriminator, the generator minimises
#   $2\,\mathrm{JS}(p_\text{data}\,\|\,p_g) - \log 4$;
# * the saturating and the non-saturating generator loss, vanishing gradients when $D$ wins, and
#   why the non-saturating loss is a *reverse* KL in disguise (mode seeking);
# * mode collapse, measured by counting modes on the ring and the grid of Gaussians;
# * to write a GAN's two training steps yourself and train it on the ring; a GAN you can train
#   live, and a small GAN on real handwritten digits.
#
# **Prerequisites**: lecture 2 (KL and JS divergences, reverse-KL fits), lecture 5 (the VAE, for the
# comparison).
#
# **Conventions.** $p_\text{data}$ is the data's density and $p_g$ the generator's; $\sigma$ always
# denotes a standard deviation, and the logistic sigmoid gets its own name,
# $\operatorname{sigm}(\ell) = 1/(1 + e^{-\ell})$. Numbers printed between angle brackets, like
# ⟨0.123⟩, come from training or sampling: they change in the last digits from one computer to
# another, while every other number and every line marked ✔ (a checked claim) is the same
# everywhere.

# %% tags=["setup"]
# Set-up: on Colab this installs the course library; anywhere else it does nothing.
import sys
if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", "install -q git+https://github.com/generative-course/genmodels@main")

# %% tags=["parameters"]
PROFILE: str = "auto"  # one of auto, cpu, full
SEED: int = 0  # random seed, an integer, at least 0
STEPS: int = 1000  # generator updates of the toy GAN on the grid (section 6), an integer, at least 1
LR: float = 2e-3  # Adam learning rate of every discriminator and generator below, a positive number
SEEDS: int = 5  # seeds of the mode-collapse study (section 6), an integer, at least 1
DATASET: str = "auto"  # digits of section 9, one of auto (mnist5k in the cpu profile, mnist in the full one), digits (8x8), mnist5k (28x28, offline), mnist (70,000 28x28 digits, downloads once)

# %%
import functools
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from scipy import integrate, optimize, stats
from scipy.spatial.distance import cdist

import genlib
from genlib import check, data, exercises, gan, info, measured, metrics, models, report, toy
from genlib.views.gan import trainer

P = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0),
                    STEPS=genlib.integer(min=1), LR=genlib.number(positive=True), SEEDS=genlib.integer(min=1),
                    DATASET=genlib.choice("auto", *data.NAMES))
# These networks are tiny: one CPU thread runs them faster than two (no synchronisation).
rt = genlib.setup(P.PROFILE, P.SEED)
dataset = data.for_profile(P.DATASET, rt.profile)   # auto: 5,000 MNIST digits on a CPU, all of them in the full profile

# %% [markdown]
# ## 1. Two players
#
# Think of a counterfeiter and a police officer. The counterfeiter (the **generator** $G$)
# prints banknotes from scraps of random paper: it takes noise $z \sim p_z$ (here a standard
# Gaussian) and returns a sample $G(z)$. The officer (the **discriminator** $D$) looks at a
# note and says how likely it is to be genuine: $D(x) \in (0, 1)$, 1 for "real", 0 for "fake".
#
# * $D$ is trained by **supervised** learning: it is an ordinary binary classifier whose labels
#   (real = 1, generated = 0) we get for free.
# * $G$ never sees a label nor a real sample. Its only teacher is $D$: it changes its output
#   in the direction that makes $D$ more likely to say "real" - the gradient flows from $D$ back
#   through $G(z)$ into $G$'s weights. In that sense $G$ learns without supervision.
#
# Each gets better in turn: a sharper officer forces better forgeries, which force a sharper
# officer. The game ends when the officer can do no better than a coin flip: $D = 1/2$
# everywhere, 50 % accuracy. Unlike the VAE of lecture 5, a GAN never writes down a density
# $p_g(x)$ and never averages over reconstructions, which is why its samples tend to be sharper;
# the price is a two-player optimisation that is much harder to train than one loss.
#
# ## 2. The value function
#
# $$\min_G \max_D V(D, G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)]
#   + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))].$$
#
# $D$ pushes $V$ up (say 1 on real data, 0 on fakes: both logs reach their maximum 0);
# $G$ pushes it down and can only act on the second term. Written out for samples:

# %%
def value(d_real, d_fake):
    """V(D, G) estimated from D's outputs on real samples and on generated samples."""
    return np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake))


rng = np.random.default_rng(P.SEED)
d_real, d_fake = rng.uniform(0.05, 0.95, 100), rng.uniform(0.05, 0.95, 100)
bce = (F.binary_cross_entropy(torch.tensor(d_real), torch.ones(100, dtype=torch.float64))
       + F.binary_cross_entropy(torch.tensor(d_fake), torch.zeros(100, dtype=torch.float64))).item()
check.close("maximising V is minimising the binary cross-entropy of D with labels real = 1, fake = 0 "
            "(V = -BCE, torch as the oracle)", value(d_real, d_fake), -bce)
check.close("a coin-flip discriminator (D = 1/2 everywhere) scores V = -log 4",
            value(np.full(10, 0.5), np.full(10, 0.5)), -math.log(4))

# %% [markdown]
# **Exercise 1 - the discriminator's loss.** Write the loss the discriminator *minimises*, given
# its outputs (probabilities) on a batch of real samples and a batch of fakes (the two batches
# need not have the same size). Use means.

# %% tags=["exercise"]
def discriminator_loss(d_real, d_fake):
    ### BEGIN SOLUTION
    return -(np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake)))
    ### END SOLUTION


# %%
exercises.check("discriminator loss", discriminator_loss)

# %% [markdown]
# ## 3. The optimal discriminator
#
# Fix $G$, so that generated samples have some density $p_g$. Writing both expectations as
# integrals over $x$,
#
# $$V(D, G) = \int \big[p_\text{data}(x) \log D(x) + p_g(x) \log(1 - D(x))\big]\,dx ,$$
#
# and $D$ can choose its value at each $x$ separately: at a point where the two densities are
# $a = p_\text{data}(x)$ and $b = p_g(x)$, the best value $y = D(x) \in [0, 1]$ maximises
#
# $$f(y) = a \log y + b \log(1 - y).$$
#
# **Exercise 2 - derive the optimal discriminator.** Find the maximiser of $f$ with pencil and
# paper (where is $f'(y) = 0$? is it a maximum?), then enter your result as code: a function of
# the two densities at some points that returns the best discriminator there. The check compares
# it with $f$ maximised *numerically* at each point.

# %% tags=["exercise"]
def optimal_discriminator(p_data_x, p_g_x):
    ### BEGIN SOLUTION
    return p_data_x / (p_data_x + p_g_x)
    ### END SOLUTION


# %%
exercises.check("optimal discriminator", optimal_discriminator)

# %% [markdown]
# The derivation, to compare with yours: $f'(y) = a/y - b/(1-y)$ is zero at $y = a/(a+b)$, and
# $f''(y) = -a/y^2 - b/(1-y)^2 < 0$, so that is the maximum:
#
# $$D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)} .$$
#
# Where only the generator puts mass ($p_\text{data} = 0$), $D^* = 0$: a sure fake.

# %%
check.close("where only the generator puts mass (p_data = 0), your D* is 0",
            exercises.solution("optimal discriminator", optimal_discriminator)(np.zeros(3), np.ones(3)), 0.0)


def d_star(p_data, p_g):
    """The discriminator that maximises V for a fixed generator."""
    return p_data / (p_data + p_g)


# an independent oracle: maximise a log y + b log(1 - y) numerically
for a, b in [(0.3, 0.9), (2.0, 0.5), (1.0, 1.0)]:
    y_best = optimize.minimize_scalar(lambda y: -(a * np.log(y) + b * np.log(1 - y)),
                                      bounds=(1e-9, 1 - 1e-9), method="bounded", options={"xatol": 1e-10}).x
    check.close(f"a log y + b log(1 - y) peaks at y = a / (a + b) for a = {a}, b = {b} (scipy)",
                y_best, d_star(a, b), rtol=1e-6, atol=1e-7)

# %% [markdown]
# Let us check this with a real network. The data are a mixture of two Gaussians in 1-D; a
# fixed "generator" is another mixture that overlaps it. We train a small MLP discriminator
# on fresh samples of both with the binary cross-entropy ($= -V$), and compare its output with
# the closed form.

# %%
DATA = dict(means=[-2.0, 2.0], stds=[0.5, 0.5])
GEN = dict(means=[-1.0, 2.5], stds=[0.8, 0.4], weights=[0.7, 0.3])


def p_data(x):
    return toy.mixture_1d_pdf(x, **DATA)


def p_g(x):
    return toy.mixture_1d_pdf(x, **GEN)


x_real = torch.tensor(toy.mixture_1d(50_000, **DATA, seed=P.SEED), dtype=torch.float32)[:, None]
x_fake = torch.tensor(toy.mixture_1d(50_000, **GEN, seed=P.SEED + 1), dtype=torch.float32)[:, None]


def d_loss_logits(logit_real, logit_fake):
    """-V(D, G) with D = sigmoid(logit); softplus keeps it exact where D is near 0 or 1."""
    return F.softplus(-logit_real).mean() + F.softplus(logit_fake).mean()


def fit_discriminator(D, sample_real, sample_fake, steps, lr, batch=256):
    """Train D alone (G fixed) for `steps` Adam steps; stops with Diverged on NaN or explosion."""
    opt = torch.optim.Adam(D.parameters(), lr=lr)
    for step in range(steps):
        loss = d_loss_logits(D(sample_real(batch)), D(sample_fake(batch)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        gan.guard_loss(loss.item(), "the discriminator loss", f"the learning rate LR = {lr:g} may be too high",
                       step=step + 1)
    return D


def pool(x):
    return lambda n: x[torch.randint(0, len(x), (n,))]


genlib.seed_everything(P.SEED)
D1 = gan.mlp(1, 1, width=32, depth=2)
fit_discriminator(D1, pool(x_real), pool(x_fake), steps=rt.pick(cpu=1000, full=4000), lr=P.LR, batch=512)

xs = np.linspace(-4, 4, 401)
with torch.no_grad():
    d_learned = torch.sigmoid(D1(torch.tensor(xs, dtype=torch.float32)[:, None])).numpy().ravel()
d_exact = d_star(p_data(xs), p_g(xs))
where = (p_data(xs) + p_g(xs)) / 2 > 0.02  # where there are samples to learn from
mae = np.abs(d_learned - d_exact)[where].mean()
print(f"mean |D - D*| where the densities are not negligible: {measured(mae):.2g}")
check.between("the trained discriminator matches D* = p_data / (p_data + p_g): mean absolute error < 0.05",
              mae, high=0.05)
report.record("dstar_mae", mae)

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(xs, p_data(xs), color="C0", label="$p_{data}$")
ax.plot(xs, p_g(xs), color="C3", label="$p_g$")
ax.plot(xs, d_exact, "k--", label="$D^*$ (closed form)")
ax.plot(xs, d_learned, color="C2", label="trained $D$")
ax.set_xlabel("x")
ax.set_title("the trained discriminator against the closed form $D^*$")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.show()

# %% [markdown]
# ## 4. What the generator minimises: $2\,\mathrm{JS} - \log 4$
#
# Put $D^*$ back into $V$:
#
# $$V(G, D^*) = \mathbb{E}_{p_\text{data}}\Big[\log \tfrac{p_\text{data}}{p_\text{data}+p_g}\Big]
#   + \mathbb{E}_{p_g}\Big[\log \tfrac{p_g}{p_\text{data}+p_g}\Big]
#   = \mathrm{KL}\big(p_\text{data} \,\|\, m\big) + \mathrm{KL}\big(p_g \,\|\, m\big) - \log 4
#   = 2\,\mathrm{JS}(p_\text{data}\,\|\,p_g) - \log 4,$$
#
# with the mixture $m = (p_\text{data} + p_g)/2$ (each $\log\frac{p}{p_\text{data}+p_g}$ is
# $\log\frac{p}{m} - \log 2$). JS is symmetric and never negative, so the generator's best
# possible value is $-\log 4$, reached exactly when $p_g = p_\text{data}$, where $D^* = 1/2$.
# We check the identity twice: by quadrature of the integral (scipy) and with genlib's JS on
# finely discretised densities.

# %%
def v_at_dstar(pd, pg, lo=-15, hi=15):
    """V(G, D*) = integral of p_data log D* + p_g log(1 - D*), by quadrature."""
    def integrand(x):
        a, b = pd(x), pg(x)
        out = 0.0
        if a > 0:
            out += a * np.log(a / (a + b))
        if b > 0:
            out += b * np.log(b / (a + b))
        return out
    return integrate.quad(integrand, lo, hi, limit=400, points=[-2, 2])[0]


grid = np.linspace(-15, 15, 60_001)
pd_bins, pg_bins = p_data(grid), p_g(grid)
pd_bins, pg_bins = pd_bins / pd_bins.sum(), pg_bins / pg_bins.sum()
v_quad = v_at_dstar(p_data, p_g)
js_disc = float(info.js(pd_bins, pg_bins))
print(f"V(G, D*) = {v_quad:.3f},  2 JS - log 4 = {2 * js_disc - math.log(4):.3f}")
check.close("V(G, D*) = 2 JS(p_data || p_g) - log 4 (quadrature vs genlib.info.js on a fine grid)",
            v_quad, 2 * js_disc - math.log(4), rtol=0, atol=1e-4)
# (JS is symmetric by its formula, term by term: swapping the arguments cannot change it, so
# there is nothing to check; lecture 2 showed it.)

# the learned D gives a lower bound: V is a maximum over D, and D1 is only one D
with torch.no_grad():
    v_learned = (-d_loss_logits(D1(x_real), D1(x_fake))).item()
print(f"V(G, trained D) = {measured(v_learned):.3f} on 50,000 samples of each")
check.between("the trained D reaches V within 0.02 of its maximum V(G, D*) (and not above it, "
              "up to Monte Carlo error)", v_learned - v_quad, -0.02, 0.005)

check.close("at p_g = p_data the best discriminator is D* = 1/2 everywhere",
            d_star(p_data(xs), p_data(xs)), 0.5)
check.close("at p_g = p_data, V(G, D*) = -log 4 (quadrature)", v_at_dstar(p_data, p_data), -math.log(4),
            rtol=0, atol=1e-7)

# %% [markdown]
# Slide the generator: let $p_g$ be the data mixture shifted by $s$. The minimum of
# $V(G, D^*)$ over $s$ sits at $s = 0$ with value $-\log 4$.

# %%
shifts = np.linspace(-6, 6, 49)
v_shift = np.array([v_at_dstar(p_data, lambda x, s=s: p_data(x - s), -25, 25) for s in shifts])
best = optimize.minimize_scalar(lambda s: v_at_dstar(p_data, lambda x: p_data(x - s), -25, 25),
                                bounds=(-1.5, 1.5), method="bounded")
check.close("V(G, D*) is smallest when the generator's shift is 0 (scipy's minimiser)", best.x, 0.0,
            rtol=0, atol=1e-3)
check.close("... and that smallest value is -log 4", best.fun, -math.log(4), rtol=0, atol=1e-6)

fig, ax = plt.subplots(figsize=(6, 2.8))
ax.plot(shifts, v_shift, color="C2")
ax.axhline(-math.log(4), color="k", ls="--", lw=1, label="$-\\log 4$")
ax.axhline(0, color="0.5", ls=":", lw=1, label="$2 \\log 2 - \\log 4 = 0$")
ax.set_xlabel("shift s of $p_g$")
ax.set_ylabel("$V(G, D^*)$")
ax.set_title("$V(G, D^*)$ as the generator slides")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.show()

# %% [markdown]
# Notice the flat shoulders: once the two densities hardly overlap, JS is stuck near $\log 2$
# and moving $G$ a little changes nothing. We return to this in lecture 7.
#
# A caveat on the story "the generator minimises JS": that is only true against the *optimal*
# discriminator. In practice $D$ is a rookie officer, trained for a few steps between generator
# updates, so $G$ follows the gradient of an imperfect estimate of JS.
#
# ## 5. Saturating and non-saturating generator losses
#
# The minimax game asks $G$ to minimise $\log(1 - D(G(z)))$ (**saturating** loss). Early in
# training, fakes are easy to spot: $D(G(z)) \approx 0$, where this curve is flat. Goodfellow
# et al. proposed instead that $G$ minimise $-\log D(G(z))$ (**non-saturating** loss): the same
# fixed point, but steep exactly where $G$ is bad. With $D = \operatorname{sigm}(\ell)$ (the sigmoid
# of the network's logit $\ell$), the gradients are
#
# | loss for $G$ | $\partial/\partial D$ | $\partial/\partial \ell$ |
# |---|---|---|
# | $\log(1-D)$ (saturating) | $-1/(1-D)$ | $-D$ |
# | $-\log D$ (non-saturating) | $-1/D$ | $-(1-D)$ |
#
# What reaches $G$'s weights is the gradient through the logit: $-D \to 0$ when $D$ rejects
# the fakes confidently - the saturating loss goes silent just when it is needed.

# %%
def g_loss_saturating(d_fake):
    return np.log(1 - d_fake)


def g_loss_nonsaturating(d_fake):
    return -np.log(d_fake)


d = np.linspace(0.001, 0.999, 999)
grads = {}
for name, loss_fn in [("saturating", lambda t: torch.log(1 - torch.sigmoid(t))),
                      ("non-saturating", lambda t: -torch.log(torch.sigmoid(t)))]:
    logit = torch.logit(torch.tensor(d, dtype=torch.float64)).requires_grad_(True)
    loss_fn(logit).sum().backward()
    grads[name] = logit.grad.numpy()
    dd = torch.tensor(d, dtype=torch.float64).requires_grad_(True)
    (torch.log(1 - dd) if name == "saturating" else -torch.log(dd)).sum().backward()
    grads[name + " dD"] = dd.grad.numpy()
check.close("autograd: d/dlogit log(1 - D) = -D", grads["saturating"], -d)
check.close("autograd: d/dlogit [-log D] = -(1 - D)", grads["non-saturating"], -(1 - d))
check.close("autograd: d/dD log(1 - D) = -1/(1 - D) and d/dD [-log D] = -1/D",
            np.stack([grads["saturating dD"], grads["non-saturating dD"]]), np.stack([-1 / (1 - d), -1 / d]))
# So at D(G(z)) = 0.001 the non-saturating gradient (through the logit) is (1 - D) / D = 999 times
# the saturating one (arithmetic on the two checked formulas, shown, not checked again):
print(f"gradient ratio at D = 0.001: {grads['non-saturating'][0] / grads['saturating'][0]:.0f}")

fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), layout="constrained")
axes[0].plot(d, g_loss_saturating(d), color="C3", label="$\\log(1-D)$ saturating")
axes[0].plot(d, g_loss_nonsaturating(d), color="C2", label="$-\\log D$ non-saturating")
axes[0].set_title("generator loss")
axes[1].semilogy(d, np.abs(grads["saturating dD"]), color="C3")
axes[1].semilogy(d, np.abs(grads["non-saturating dD"]), color="C2")
axes[1].set_title("|gradient| w.r.t. D(G(z))")
axes[2].plot(d, np.abs(grads["saturating"]), color="C3")
axes[2].plot(d, np.abs(grads["non-saturating"]), color="C2")
axes[2].set_title("|gradient| w.r.t. the logit")
for ax in axes:
    ax.set_xlabel("D(G(z))")
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=2)
plt.show()

# %% [markdown]
# **Exercise 3 - the non-saturating generator loss.** Given $D$'s *logits* $\ell$ on a batch of
# generated samples ($D = \operatorname{sigm}(\ell)$), return the non-saturating generator loss
# $-\mathbb{E}\log D(G(z))$ as a torch scalar, computed stably: for a very negative logit
# $\operatorname{sigm}(\ell)$ rounds to 0 and its log to $-\infty$. (Hint: $-\log\operatorname{sigm}(\ell) =
# \log(1 + e^{-\ell}) = \mathrm{softplus}(-\ell)$, and torch has `F.softplus`.)

# %% tags=["exercise"]
def generator_loss_nonsaturating(logits):
    ### BEGIN SOLUTION
    return F.softplus(-logits).mean()
    ### END SOLUTION


# %%
exercises.check("non-saturating generator loss", generator_loss_nonsaturating)

# %% [markdown]
# ### Vanishing gradients when $D$ wins
#
# Now with networks. A 1-D generator starts far from the data (its samples sit near 6; the data
# live around $\pm 2$). We train $D$ alone for more and more steps and measure the size of the
# gradient each generator loss sends into $G$'s weights.

# %%
def grad_norm(net):
    return math.sqrt(sum(float((p.grad ** 2).sum()) for p in net.parameters()))


def new_generator(seed, offset=6.0):
    torch.manual_seed(seed)
    G = gan.mlp(1, 1, width=32, depth=2)
    with torch.no_grad():
        G[-1].bias += offset  # start far from the data
    return G


G_far = new_generator(P.SEED)
z_eval = torch.randn(2048, 1)
D2 = gan.mlp(1, 1, width=32, depth=2)


def generator_gradients():
    out = {}
    for name, loss_fn in [("saturating", lambda l: -F.softplus(l).mean()),  # log(1 - sigmoid(l))
                          ("non-saturating", lambda l: F.softplus(-l).mean())]:  # -log sigmoid(l)
        G_far.zero_grad()
        loss_fn(D2(G_far(z_eval))).backward()
        out[name] = grad_norm(G_far)
    with torch.no_grad():
        out["D(G(z))"] = torch.sigmoid(D2(G_far(z_eval))).mean().item()
    return out


def fake_far(n):
    with torch.no_grad():
        return G_far(torch.randn(n, 1))


checkpoints = [0, 10, 30, 100, 300]
rows = [generator_gradients()]
for a, b in zip(checkpoints[:-1], checkpoints[1:]):
    fit_discriminator(D2, pool(x_real), fake_far, steps=b - a, lr=P.LR)  # continue training D
    rows.append(generator_gradients())
print("D steps   mean D(G(z))   |grad| saturating   |grad| non-saturating")
for k, r in zip(checkpoints, rows):
    print(f"{k:7d}   {measured(r['D(G(z))'], '10.2g')}   {measured(r['saturating'], '15.2g')}   "
          f"{measured(r['non-saturating'], '19.2g')}")
ratio_start = rows[0]["saturating"] / rows[0]["non-saturating"]
ratio_end = rows[-1]["saturating"] / rows[-1]["non-saturating"]
# Through the logit l, log(1 - D) has gradient -D and -log D has -(1 - D): the two gradients into G
# differ by the factor D / (1 - D) of D's output on the fakes (here D hardly varies over them).
# Untrained, D says something near 1/2 and the factor is near 1 (0.2 to 2.6 over SEED 0-19: what
# an untrained D says depends on its random weights); once D wins, D -> 0 and so does the factor.
d_start = rows[0]["D(G(z))"]
check.close("before D is trained the two gradients differ by the factor D/(1 - D) of D's output on the fakes",
            ratio_start, d_start / (1 - d_start), rtol=0.02)
check.between("once D wins, the saturating gradient is over 100 times smaller than the non-saturating one",
              ratio_end, high=1e-2)
report.record("vanishing_ratio", ratio_end)

fig, ax = plt.subplots(figsize=(5, 2.8))
ax.semilogy(checkpoints, [r["saturating"] for r in rows], "o-", color="C3", label="saturating")
ax.semilogy(checkpoints, [r["non-saturating"] for r in rows], "o-", color="C2", label="non-saturating")
ax.set_xlabel("discriminator steps")
ax.set_ylabel("|gradient| into G")
ax.set_title("the gradient each loss sends into G as D wins")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.show()

# %% [markdown]
# ### Training with both losses
#
# Same start, same discriminator (the one that just won), same seed; only the generator loss
# differs. We update $G$ with plain gradient descent so that the size of its gradient matters
# (Adam rescales every gradient to a similar step size, which partly hides the difference).

# %%
def train_1d_gan(g_loss, steps, seed):
    G = new_generator(seed)
    D = gan.mlp(1, 1, width=32, depth=2)
    D.load_state_dict(D2.state_dict())
    opt_g = torch.optim.SGD(G.parameters(), lr=0.05)
    opt_d = torch.optim.Adam(D.parameters(), lr=P.LR)
    sample_real = pool(x_real)
    for step in range(steps):
        with torch.no_grad():
            fake = G(torch.randn(256, 1))
        loss_d = d_loss_logits(D(sample_real(256)), D(fake))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = g_loss(D(G(torch.randn(256, 1))))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        gan.guard_loss(loss_g.item(), "the generator loss", f"the learning rate LR = {P.LR:g} may be too high",
                       step=step + 1)
    with torch.no_grad():
        return G(torch.randn(5000, 1)).numpy().ravel()


steps_1d = rt.pick(cpu=400, full=2000)
samples_1d = {name: train_1d_gan(fn, steps_1d, P.SEED) for name, fn in
              [("saturating", lambda l: -F.softplus(l).mean()), ("non-saturating", lambda l: F.softplus(-l).mean())]}
w1 = {k: info.w1_samples(v, x_real[:5000].numpy().ravel()) for k, v in samples_1d.items()}
for k in samples_1d:
    print(f"{k:15s} generator after {steps_1d} steps: mean {measured(samples_1d[k].mean()):.2g}, "
          f"W1 to the data {measured(w1[k]):.2g}")
with torch.no_grad():
    start_1d = new_generator(P.SEED)(torch.randn(5000, 1)).mean().item()   # where both started
moved = {k: abs(v.mean() - start_1d) for k, v in samples_1d.items()}
check.between("the saturating generator has hardly moved: its samples still average above 5", samples_1d["saturating"].mean(),
              5, np.inf)
check.between("the non-saturating generator moved at least 2 units further than the saturating one (change of the "
              "sample mean)", moved["non-saturating"] - moved["saturating"], 2)

fig, ax = plt.subplots(figsize=(7, 2.8))
bins = np.linspace(-5, 8, 131)
ax.plot(xs, p_data(xs), color="C0", label="$p_{data}$")
ax.hist(samples_1d["saturating"], bins, density=True, color="C3", alpha=0.5, label="saturating G")
ax.hist(samples_1d["non-saturating"], bins, density=True, color="C2", alpha=0.5, label="non-saturating G")
ax.set_ylim(0, 1.2)
ax.set_title(f"1-D generators after {steps_1d} steps, from the same start")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.show()

# %% [markdown]
# Look at the non-saturating generator's histogram: depending on the seed, it may cover both
# data modes or pile onto one of them (and with plain gradient descent's fixed step size it can
# even overshoot past the data: at SEED 16 its samples end near -4). The next subsection says
# why it is allowed to pile onto one mode.
#
# ### What the non-saturating loss really minimises: a reverse KL
#
# Against the optimal discriminator, the saturating loss plays the game of section 4: its
# gradient is that of $2\,\mathrm{JS}(p_\text{data}\,\|\,p_g)$. The non-saturating loss is a
# different objective. Write $D^*$ for the optimal discriminator of the current generator, frozen
# while $G$ takes its step (as in training). Since $(1 - D^*)/D^* = p_g/p_\text{data}$,
#
# $$\mathrm{KL}(p_g\,\|\,p_\text{data}) = \mathbb{E}_{p_g}\Big[\log\frac{1 - D^*}{D^*}\Big]
#   = \mathbb{E}_{p_g}[\log(1 - D^*)] + \mathbb{E}_{p_g}[-\log D^*],$$
#
# and section 4 gave $\mathbb{E}_{p_\text{data}}[\log D^*] + \mathbb{E}_{p_g}[\log(1 - D^*)] =
# 2\,\mathrm{JS}(p_\text{data}\,\|\,p_g) - \log 4$. Subtracting the two (Arjovsky and Bottou, 2017):
#
# $$\mathbb{E}_{p_g}[-\log D^*] = \mathrm{KL}(p_g\,\|\,p_\text{data}) - 2\,\mathrm{JS}(p_\text{data}\,\|\,p_g)
#   + \log 4 + \mathbb{E}_{p_\text{data}}[\log D^*].$$
#
# The last term does not involve $p_g$ once $D^*$ is frozen, so the gradient the generator follows
# is that of $\mathrm{KL}(p_g\,\|\,p_\text{data}) - 2\,\mathrm{JS}(p_\text{data}\,\|\,p_g)$: a
# **reverse** KL (the generator's density first), plus a JS with the *wrong* sign. We check both
# statements on 1-D densities on a fine grid: the generator $p_g$ of section 3, moved by a shift
# $s$ and stretched by a factor $c$ around $(s, c) = (0, 1)$; $D^*$ is frozen at $(0, 1)$, and
# the gradients are central differences.

# %%
def kl_grid(p, q, dx):
    """KL(p || q) of two densities tabulated on a grid of step dx (a Riemann sum)."""
    return float(np.sum(p * np.log(p / q)) * dx)


def js_grid(p, q, dx):
    m = (p + q) / 2
    return 0.5 * kl_grid(p, m, dx) + 0.5 * kl_grid(q, m, dx)


x_fine = np.linspace(-15, 15, 60_001)
dx = x_fine[1] - x_fine[0]
pd_fine = p_data(x_fine)


def p_g_moved(s, c):
    """The generator's density of section 3, shifted by s and stretched by c."""
    return p_g((x_fine - s) / c) / c


d_frozen = d_star(pd_fine, p_g_moved(0.0, 1.0))
NS, SAT = "E_pg[-log D*] (non-saturating)", "E_pg[log(1 - D*)] (saturating)"
objectives = {
    NS: lambda s, c: float(np.sum(p_g_moved(s, c) * -np.log(d_frozen)) * dx),
    SAT: lambda s, c: float(np.sum(p_g_moved(s, c) * np.log(1 - d_frozen)) * dx),
    "KL(p_g || p_data) - 2 JS": lambda s, c: (kl_grid(p_g_moved(s, c), pd_fine, dx)
                                             - 2 * js_grid(pd_fine, p_g_moved(s, c), dx)),
    "KL(p_data || p_g) - 2 JS": lambda s, c: (kl_grid(pd_fine, p_g_moved(s, c), dx)
                                             - 2 * js_grid(pd_fine, p_g_moved(s, c), dx)),
    "2 JS": lambda s, c: 2 * js_grid(pd_fine, p_g_moved(s, c), dx),
}
h = 1e-5
grad_at = {k: np.array([(f(h, 1) - f(-h, 1)) / (2 * h), (f(0, 1 + h) - f(0, 1 - h)) / (2 * h)])
           for k, f in objectives.items()}
print(f"{'objective (D* frozen at s = 0, c = 1)':38s} {'d/ds':>8s} {'d/dc':>8s}")
for k, g in grad_at.items():
    print(f"{k:38s} {g[0]:8.4f} {g[1]:8.4f}")
check.close("the non-saturating loss against a frozen D* has the gradient of KL(p_g || p_data) - 2 JS",
            grad_at[NS], grad_at["KL(p_g || p_data) - 2 JS"], rtol=1e-5, atol=1e-7)
check.close("the saturating loss against a frozen D* has the gradient of 2 JS (the game of section 4)",
            grad_at[SAT], grad_at["2 JS"], rtol=1e-5, atol=1e-7)
check.between("the check tells the two KLs apart: the forward KL(p_data || p_g) - 2 JS has a gradient "
              "over 20 % away", np.linalg.norm(grad_at["KL(p_data || p_g) - 2 JS"] - grad_at[NS])
              / np.linalg.norm(grad_at[NS]), 0.2)
e_log_d = float(np.sum(pd_fine * np.log(d_frozen)) * dx)
check.close("and the values: E_pg[-log D*] = KL(p_g || p_data) - 2 JS + log 4 + E_pdata[log D*]",
            objectives[NS](0, 1), objectives["KL(p_g || p_data) - 2 JS"](0, 1) + math.log(4) + e_log_d,
            rtol=0, atol=1e-8)

# %% [markdown]
# Lecture 2 fitted one Gaussian to two bumps with both KLs: the forward $\mathrm{KL}(p\,\|\,q)$
# spread the fit over both bumps (a missed bump costs $p \log(p/q)$, huge where $q \approx 0$),
# the reverse $\mathrm{KL}(q\,\|\,p)$ locked onto one of them (there, mass where $p \approx 0$ is
# what costs, and a missed bump costs nothing). The non-saturating generator inherits the reverse
# behaviour: it is **mode seeking**. Dropping a mode of the data barely changes its loss, while
# putting samples between the modes, where $D^*$ is close to 0, is heavily punished - so piling
# onto the modes it already has is a cheap way down. That is the mode collapse of the next
# section; and the non-saturating loss is still what people use (and what section 7 asks you to
# write), because its gradient does not vanish.
#
# ## 6. Mode collapse on the ring and the grid
#
# The generator is rewarded for fooling the *current* discriminator, not for covering the data.
# Putting all its mass on the one mode where $D$ is weakest pays; then $D$ learns that mode is
# suspicious and $G$ hops to another. The result is **mode collapse**: a generator that produces
# only some of the modes, or hops between them.
#
# We measure it on two standard toy sets: 8 Gaussians on a ring (std 0.01) and 25 on a 5x5 grid
# (std 0.05). Following VEEGAN and PacGAN we draw 2,500 samples; a sample is **high-quality**
# when it lies within 3 standard deviations of its nearest mode, and a mode is **captured**
# when at least one high-quality sample has it as nearest mode. A perfect sampler keeps
# $1 - e^{-9/2} = 98.9\%$ of its samples (the share of a 2-D Gaussian within 3 std) and all modes.
#
# Below: a perfect sampler on both sets, then one GAN on the grid (`STEPS` updates, the
# non-saturating loss); the ring gets a study over several seeds after that.

# %%
closed_hq = 1 - math.exp(-4.5)
check.close("the share of a 2-D standard Gaussian within radius 3 is 1 - exp(-9/2) (scipy chi2(2))",
            closed_hq, stats.chi2(2).cdf(9.0))
results = {}
for name in ["ring", "grid"]:
    sampler, modes, std = toy.TOYS[name]
    results[name, "perfect sampler"] = metrics.mode_coverage(sampler(2500, seed=P.SEED), modes(), std)
genlib.seed_everything(P.SEED)
grid_gan = gan.ToyGAN("grid", loss="nonsaturating", lr_g=P.LR, lr_d=P.LR, seed=P.SEED)
grid_gan.step(P.STEPS)
results["grid", f"GAN, {P.STEPS} steps"] = grid_gan.coverage(2500)

print(f"{'data':5s} {'sampler':20s} {'modes':>7s} {'high quality':>13s}")
for (name, who), r in results.items():
    if who == "perfect sampler":  # numpy's sampler and a distance test: exact on every machine
        modes_s, hq_s = f"{r['modes']:3d}", f"{100 * r['hq']:.3g}"
    else:  # a trained GAN: measured
        modes_s, hq_s = f"{measured(r['modes'], '3d')}", f"{measured(100 * r['hq'], '5.3g')}"
    print(f"{name:5s} {who:20s} {modes_s:>5}/{len(toy.TOYS[name][1]()):<3d} {hq_s:>12}%")
se = math.sqrt(closed_hq * (1 - closed_hq) / 2500)
for name in ["ring", "grid"]:
    r = results[name, "perfect sampler"]
    check.claim(f"{name}: the perfect sampler captures every mode and keeps 98.9 % of its samples "
                f"(within 4 standard errors)",
                r["modes"] == len(toy.TOYS[name][1]()) and abs(r["hq"] - closed_hq) < 4 * se)
g = results["grid", f"GAN, {P.STEPS} steps"]
check.between("grid: the GAN keeps at least 10 points fewer high-quality samples than the perfect sampler",
              g["hq"], high=closed_hq - 0.10)


def earth_movers(a, b):
    """The mean distance moved when the points of a are matched one to one with those of b, at least
    cost (exact optimal transport, scipy): the Wasserstein distance W1 of lecture 7."""
    cost = cdist(a, b)
    rows, cols = optimize.linear_sum_assignment(cost)
    return cost[rows, cols].mean()


real_500 = toy.grid(500, seed=P.SEED + 1)
w_trained = earth_movers(grid_gan.sample(500), real_500)
w_untrained = earth_movers(gan.ToyGAN("grid", loss="nonsaturating", seed=P.SEED).sample(500), real_500)
print(f"distance to the data (earth mover's, 500 points): untrained generator {measured(w_untrained, '.2f')}, "
      f"after {P.STEPS} steps {measured(w_trained, '.2f')}")
# Over SEED 0-19 the ratio ranged from 0.21 to 0.63: at some seeds 1,000 steps leave the GAN on a few
# of the 25 modes (SEED 14: 4 modes, ratio 0.63), at most it is below 0.4.
if check.needs(P.STEPS >= 1000, "the GAN's progress is checked from STEPS 1000 on"):
    check.between("grid: yet the GAN has learnt: its samples are at least a quarter closer to the data than its "
                  "untrained generator's (earth mover's distance ratio, below 0.75)", w_trained / w_untrained, high=0.75)
report.record("grid_modes", g["modes"])
report.record("grid_hq", g["hq"])

fig, axes = plt.subplots(1, 2, figsize=(8.5, 3.6), layout="constrained")
real = toy.grid(1000, seed=P.SEED)
fake = grid_gan.sample(1000)
ax = axes[0]
ax.scatter(real[:, 0], real[:, 1], s=3, color="C0", label="data")
ax.scatter(fake[:, 0], fake[:, 1], s=3, color="C3", alpha=0.5, label="GAN")
ax.set_xlim(-5.5, 5.5)
ax.set_ylim(-5.5, 5.5)
ax.set_aspect("equal")
ax.set_title(f"grid: samples after {P.STEPS} steps")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), markerscale=4)
ax = axes[1]
per_mode = results["grid", f"GAN, {P.STEPS} steps"]["per_mode"]
ax.bar(np.arange(len(per_mode)), per_mode, color="C3")
ax.axhline(2500 * closed_hq / len(per_mode), color="k", ls="--", lw=1)
ax.set_title("grid: high-quality samples per mode")
ax.set_xlabel("mode")
plt.show()

# %% [markdown]
# The dashed line is what a perfect sampler would put on each mode. One run proves little,
# though: whether a GAN drops modes depends on its seed. So let us measure collapse the way
# it should be measured, over several seeds.
#
# ### Mode collapse, measured over seeds
#
# Two set-ups on the ring, each trained for 600 generator updates from `SEEDS` seeds (5 by
# default; `SEED` is the first):
#
# * **A, prone to collapse**: the saturating (minimax) loss with a learning rate 2.5 times `LR`
#   (5e-3), and samples taken from the generator as it is at the end;
# * **B**: the same loss at `LR`, and samples from a running average of the generator's
#   recent weights (an exponential moving average with decay 0.99, `ToyGAN`'s default).
#   Averaging smooths out the hopping from mode to mode that a fast generator does.
#
# For each seed we count the high-quality samples of every mode; a mode with none is **lost**.
# Whether a mode holding a handful of samples is lost or not is a matter of luck, so the count of
# lost modes is a noisy statistic. A steadier one says on how many modes the good samples really
# sit: the **effective number of modes** $e^{H}$, with $H$ the entropy of the high-quality
# samples' shares over the 8 modes. It is 8 for an even spread, $k$ for an even spread over $k$
# modes, 1 for a single mode, and a mode holding a few samples barely moves it.

# %%
STUDY_STEPS = 600
SETUPS = {"A: minimax, lr 2.5 LR, no averaging": dict(loss="minimax", lr_g=2.5 * P.LR, lr_d=2.5 * P.LR, ema=0.0),
          "B: minimax, lr LR, averaged G": dict(loss="minimax", lr_g=P.LR, lr_d=P.LR, ema=0.99)}
study_seeds = list(range(P.SEED, P.SEED + P.SEEDS))
n_ring = len(toy.ring_modes())


def per_mode(setup, seed):
    """Train one set-up from one seed: its high-quality samples per mode of the ring."""
    g = gan.ToyGAN("ring", seed=seed, **SETUPS[setup])
    g.step(STUDY_STEPS)
    return g.coverage(2500)["per_mode"]


# the runs are independent (each ToyGAN draws from a generator of its own): genlib.parallel_map trains
# them side by side, one per CPU core, with the same results as one after another
study_runs = [(setup, s) for setup in SETUPS for s in study_seeds]
found = genlib.parallel_map([functools.partial(per_mode, setup, s) for setup, s in study_runs])
counts = {setup: np.array([c for (st, _), c in zip(study_runs, found) if st == setup]) for setup in SETUPS}  # (seeds, 8)
lost = {setup: (c == 0).sum(1) for setup, c in counts.items()}


def effective_modes(c):
    """exp(entropy) of the high-quality samples' shares over the modes (0 when there are none)."""
    if c.sum() == 0:
        return 0.0
    share = c[c > 0] / c.sum()
    return float(np.exp(-(share * np.log(share)).sum()))


eff = {setup: np.array([effective_modes(row) for row in c]) for setup, c in counts.items()}
check.close("the effective number of modes of the perfect sampler's ring is 8 (scipy's entropy)",
            effective_modes(results["ring", "perfect sampler"]["per_mode"]),
            math.exp(stats.entropy(results["ring", "perfect sampler"]["per_mode"])), rtol=1e-9)

for setup, c in counts.items():
    print(setup)
    print(f"  seed | {'high-quality samples per mode (of 2,500)':<55} | lost | effective modes")
    for s, row, k, e in zip(study_seeds, c, lost[setup], eff[setup]):
        print(f"  {s:4d} | " + " ".join(measured(v, "4d") for v in row) + f" | {measured(k, '4d')} | {measured(e, '.1f')}")
    print(f"  on average over {len(study_seeds)} seeds: {measured(lost[setup].mean(), '.1f')} of {n_ring} modes lost, "
          f"{measured(eff[setup].mean(), '.1f')} effective modes")
report.record("collapse_lost_A", float(lost[list(SETUPS)[0]].mean()))
report.record("collapse_lost_B", float(lost[list(SETUPS)[1]].mean()))

lost_a, lost_b = lost[list(SETUPS)[0]], lost[list(SETUPS)[1]]
eff_a, eff_b = eff[list(SETUPS)[0]], eff[list(SETUPS)[1]]
if check.needs(P.SEEDS >= 5 and math.isclose(P.LR, 2e-3),
               "the claims about mode collapse were measured with SEEDS of at least 5 and LR = 2e-3"):
    check.between("set-up A collapses: averaged over the seeds, its high-quality samples sit on fewer than "
                  "4 effective modes of the 8", eff_a.mean(), high=4)
    check.between("set-up B spreads its samples over at least 1.5 more effective modes than set-up A "
                  "(averaged over the seeds)", eff_b.mean() - eff_a.mean(), 1.5)
    check.between("set-up B loses fewer modes than set-up A (summed over the seeds)",
                  lost_b.sum() / max(lost_a.sum(), 1), high=0.7)

from matplotlib.colors import LogNorm

fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
cmap = plt.get_cmap("viridis").copy()
cmap.set_under("white")  # no high-quality sample at all: a lost mode
norm = LogNorm(vmin=1, vmax=max(2, max(c.max() for c in counts.values())))
for ax, (setup, c) in zip(axes, counts.items()):
    im = ax.imshow(np.where(c > 0, c, 0.5), cmap=cmap, norm=norm, aspect="auto")
    ax.set_xticks(range(n_ring))
    ax.set_yticks(range(len(study_seeds)), [str(s) for s in study_seeds])
    ax.set_xlabel("mode of the ring")
    ax.set_ylabel("seed")
    ax.set_title(setup.split(":")[0] + ": high-quality samples per mode")
    ax.grid(False)
fig.colorbar(im, ax=axes, label="samples (white: none, mode lost)")
plt.show()

# %% [markdown]
# Each row is a seed; a white cell is a lost mode (the colour scale is logarithmic, so even a
# handful of samples shows). Set-up A's few good samples sit on a few modes, different ones
# from seed to seed: on most seeds it loses several modes, and its effective number of modes is
# small. Set-up B, which changes only the learning rate and where the samples come from, keeps
# most modes on most seeds - but not on every one: a single seed proves little either way, which
# is why the claims average over seeds. Neither is a cure: published numbers with
# the same protocol (much longer training) have a plain GAN capture 1 to 6 of the 8 ring modes
# and 3 to 17 of the 25 grid modes; PacGAN, which lets $D$ judge several samples at once,
# reaches 7.8 and 24.8. Lecture 7 shows what WGAN-GP does.
#
# ## 7. Your turn: write a GAN's two training steps
#
# **Exercise 4 - train a GAN on the ring.** Everything is in place to write a GAN yourself. Write
# its two updates, one step each:
#
# * `d_step(D, G, opt_d, real, z)`: one update of the discriminator on a batch of real points and
#   the fakes $G(z)$, minimising $-V$. `D` returns **logits** $\ell$ ($D(x) = \operatorname{sigm}(\ell)$),
#   so write $-\log D(x)$ as `F.softplus(-logit)` and $-\log(1 - D(G(z)))$ as `F.softplus(logit)`.
#   This step trains $D$ only: the fakes must not carry gradients back into $G$.
# * `g_step(D, G, opt_g, z)`: one update of the generator with the **non-saturating** loss
#   $-\mathbb{E}\log D(G(z))$ (exercise 3). This step trains $G$ only, and leaves $D$ exactly as
#   it found it: no change and no gradient left in $D$'s weights (freeze them with
#   `D.requires_grad_(False)` while the loss backpropagates, then `D.requires_grad_(True)`), or
#   they would add into $D$'s next update.
#
# Each clears its optimiser's gradients (`opt.zero_grad()`), backpropagates, steps, and returns the
# loss as a number (`loss.item()`). The check first tries each function once on small networks and
# names the classic mistakes (the saturating loss, a swapped label, a missing detach, gradients
# left in $D$, a sigmoid applied twice); then it trains a GAN with your two functions on the ring
# of 8 Gaussians for 1,200 steps from your `SEED` (networks as in section 6, samples from the
# running average of $G$'s weights) and counts the modes it captures: at least 6 of 8 pass.

# %% tags=["exercise"]
def d_step(D, G, opt_d, real, z):
    ### BEGIN SOLUTION
    with torch.no_grad():
        fake = G(z)  # no gradient back into G
    loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()  # -log D(x) - log(1 - D(G(z)))
    opt_d.zero_grad()
    loss.backward()
    opt_d.step()
    return loss.item()
    ### END SOLUTION


def g_step(D, G, opt_g, z):
    ### BEGIN SOLUTION
    D.requires_grad_(False)  # G's loss leaves no gradient in D
    loss = F.softplus(-D(G(z))).mean()  # -log D(G(z)), the non-saturating loss
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    D.requires_grad_(True)
    return loss.item()
    ### END SOLUTION


# %%
exercises.check("GAN training steps", (d_step, g_step))

# %% [markdown]
# Section 9 trains a GAN on handwritten digits with your two functions.
#
# ## 8. Train one yourself, live
#
# **Play** trains continuously, **Pause** stops, **Step 20** trains 20 generator updates and
# stops; **Reset** starts over from fresh networks with the settings shown. The status line
# says the step, the speed (steps per second), the modes captured and the share of
# high-quality samples (from 1,000 samples, the protocol of section 6). Blue points are data,
# red points are $G(z)$; the background is $D(x)$ (red where $D$ says "real", blue where it
# says "fake"; for the WGAN losses, the critic's value), and the arrows show where the
# generator's gradient pushes each generated point. The curves track both losses and the mode
# coverage. If training breaks down (a loss turns NaN or explodes, or every $z$ lands on one
# point), the trainer stops and says "diverged" and why. Things to try:
#
# * switch the loss to `minimax` (saturating) early in training: the arrows shrink;
# * raise the discriminator's learning rate, or its number of steps per generator step,
#   and watch $D$ win; lower it and watch $G$ wander; push both rates to 0.1 and watch it diverge;
# * switch to `wgan-gp` with 5 D steps and both learning rates at 1.0e-3: measured from seeds 0
#   to 4, the status line reached 21 to 25 of the 25 modes within 60 CPU-seconds of Play (about a
#   minute on a 2-core laptop); lecture 7 explains why this helps.
#
# (Run headless, the trainer trains a fixed number of steps and shows one picture.)

# %%
live = trainer(data="grid", loss="nonsaturating", lr_g=P.LR, lr_d=P.LR, seed=P.SEED,
               headless_steps=rt.pick(cpu=100, full=1000))
live

# %% [markdown]
# ## 9. A GAN on real handwritten digits
#
# The same game on handwritten digits (`DATASET`; by default 5,000 MNIST digits of 28x28 pixels
# that ship with the course, the full 70,000 in the full profile), pixel values in [0, 1]. The
# generator maps 16 Gaussian numbers to the pixels through a sigmoid; the discriminator is an
# MLP classifier. Both are trained with **your** two steps from section 7 (or genlib's, until
# that exercise passes).

# %%
ds = data.load(dataset, seed=P.SEED)
X = ds.x_train
n_pixels = X.shape[1]
Z_DIM = 16
my_d_step, my_g_step = exercises.solution("GAN training steps", (d_step, g_step))
genlib.seed_everything(P.SEED)
G_dig = models.generator(Z_DIM, n_pixels)   # defined once in the course library (lecture 8 uses them too)
D_dig = models.discriminator(n_pixels)
opt_g = torch.optim.Adam(G_dig.parameters(), lr=P.LR, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D_dig.parameters(), lr=P.LR, betas=(0.5, 0.999))
for step in range(rt.pick(cpu=1000, full=10_000)):
    loss_d = my_d_step(D_dig, G_dig, opt_d, X[torch.randint(0, len(X), (128,))], torch.randn(128, Z_DIM))
    loss_g = my_g_step(D_dig, G_dig, opt_g, torch.randn(128, Z_DIM))
    gan.guard_loss(loss_d, "the digits discriminator loss", f"the learning rate LR = {P.LR:g} may be too high",
                   step=step + 1)

with torch.no_grad():
    samples = G_dig(torch.randn(1000, Z_DIM)).numpy()
fig, axes = plt.subplots(4, 10, figsize=(8, 3.4))
for ax, img in zip(axes.ravel(), samples):
    ax.imshow(img.reshape(ds.shape), cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
fig.suptitle(f"generated digits ({ds.name})")
plt.show()

# %% [markdown]
# Are these digits, or just blobs? An independent yardstick: the distance from each image to
# its nearest training digit (scikit-learn's `NearestNeighbors`). Real held-out digits set the
# scale; images made by shuffling the pixels of real digits (same grey levels, no shape) are
# the baseline a generator must beat.

# %%
from sklearn.neighbors import NearestNeighbors

nn_index = NearestNeighbors(n_neighbors=1).fit(X.numpy())
held_out = ds.x_test.numpy()[:1000]
shuffled = np.random.default_rng(P.SEED).permutation(held_out.ravel()).reshape(held_out.shape)
dist = {name: float(nn_index.kneighbors(v)[0].mean()) for name, v in
        [("held-out real digits", held_out), ("GAN samples", samples), ("shuffled pixels", shuffled)]}
for k, v in dist.items():
    shown = measured(v) if k == "GAN samples" else v
    print(f"{k:22s} mean distance to the nearest training digit: {shown:.2g}")
check.between("GAN samples are far closer to real digits than shuffled pixels are (less than 75 % of the distance)",
              dist["GAN samples"] / dist["shuffled pixels"], high=0.75)
report.record("digits_nn_distance", dist["GAN samples"])

# %% [markdown]
# Small moves in $z$ give small changes in the image: walking on a straight line between two
# noise vectors morphs one generated digit into another.

# %%
torch.manual_seed(P.SEED)
z0, z1 = torch.randn(2, Z_DIM)
t = torch.linspace(0, 1, 10)[:, None]
with torch.no_grad():
    path = G_dig((1 - t) * z0 + t * z1).numpy()
    pairs = G_dig(torch.randn(200, Z_DIM)).numpy()
step_change = np.linalg.norm(np.diff(path, axis=0), axis=1).mean()
random_change = np.linalg.norm(pairs[:100] - pairs[100:], axis=1).mean()
print(f"mean change between neighbours on the path: {measured(step_change):.2g}; "
      f"between random samples: {measured(random_change):.2g}")
check.between("neighbouring images on the latent path differ far less than random pairs of samples (under half)",
              step_change / random_change, high=0.5)
fig, axes = plt.subplots(1, 10, figsize=(8, 1.3))
for ax, img in zip(axes, path):
    ax.imshow(img.reshape(ds.shape), cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
fig.suptitle("a straight line in z, from $z_0$ (left) to $z_1$ (right)")
plt.show()

# %% [markdown]
# ## Summary
#
# * A GAN is a game: $D$ is a classifier of real vs generated samples, $G$ learns only through
#   $D$'s gradient. $V(D, G) = \mathbb{E}\log D(x) + \mathbb{E}\log(1 - D(G(z)))$.
# * For a fixed $G$, the best discriminator is $D^* = p_\text{data}/(p_\text{data}+p_g)$ (a
#   trained MLP got within a few hundredths of it), and then $V(G, D^*) = 2\,\mathrm{JS} - \log 4$,
#   smallest ($-\log 4$, with $D^* = 1/2$) exactly when $p_g = p_\text{data}$.
# * The saturating loss $\log(1 - D(G(z)))$ sends almost no gradient once $D$ wins; the
#   non-saturating $-\log D(G(z))$ keeps the signal and is what people use.
# * Against $D^*$ the non-saturating loss follows the gradient of
#   $\mathrm{KL}(p_g\,\|\,p_\text{data}) - 2\,\mathrm{JS}$: a reverse KL, mode seeking, like the
#   reverse-KL fits of lecture 2.
# * GANs drop modes; counting modes and high-quality samples on the ring and the grid makes it
#   measurable, and measuring over several seeds makes it a fact rather than an anecdote.
# * You wrote a GAN's two training steps; trained on the ring, it captured most of the 8 modes.
# * The discriminator is a general tool for matching distributions we can only sample from.
#   The adversarial autoencoder (AAE) keeps a VAE-like encoder and decoder but replaces the KL
#   term by a discriminator between codes and prior samples. The ELBO did not need a closed-form
#   KL (a Monte Carlo estimate works, as lecture 5 itself used); what the AAE changes is that the
#   prior need only be *sampled* (no density to evaluate), and that it matches the **aggregate**
#   posterior $q(z) = \mathbb{E}_{p_\text{data}(x)}[q(z \mid x)]$ to $p(z)$, rather than pulling
#   each $q(z \mid x)$ towards $p(z)$.
# * Since 2014 the game has been played with many variations: DCGAN (convolutional networks),
#   InfoGAN (interpretable codes), text-to-image GANs, CycleGAN and StarGAN (translation between
#   image domains), Progressive GAN (growing the resolution), and the Wasserstein GANs.
#
# **Next: lecture 7.** When the data and the generator live on disjoint supports, as images on
# thin manifolds do, JS is stuck at $\log 2$ however far apart they are, so $V(G, D^*)$ is flat
# and the gradient vanishes. Below: the generator shifted ever further from the data.

# %%
far = [v_at_dstar(p_data, lambda x, s=s: p_data(x - s), -40, 40) for s in (12.0, 16.0)]
check.close("for far-apart supports V(G, D*) sits at 2 log 2 - log 4 = 0 (JS = log 2) whatever the distance",
            far, [0.0, 0.0], rtol=0, atol=1e-6)
print("Lecture 7 replaces JS with the Wasserstein distance, which keeps growing with the distance.")
