"""The course's digit models, defined once: the lectures that introduce them show this source.

* :class:`Autoencoder` - lecture 04's autoencoder (two ReLU MLPs, sigmoid output);
* :class:`VAE` - lecture 05's VAE (one hidden layer each way, Gaussian code, one logit per
  pixel; optional class input for the CVAE), with :func:`gaussian_kl`;
* :func:`generator`, :func:`discriminator` - lecture 06's digit GAN (``genlib.gan.mlp`` with a
  sigmoid on the generator), also the WGAN-GP's networks of lecture 07 on digits, with
  :func:`critic_loss` and :func:`gradient_penalty` (lecture 07);
* :class:`DigitClassifier` - lecture 08's feature network, and :func:`cached_classifier`,
  which trains it once and keeps it in the data cache with a checksum;
* ``train_*``: the same budget for every model (lecture 08): ``epochs`` passes of the
  training images in batches of ``batch``; a GAN's pass counts its discriminator's batches.
"""
from __future__ import annotations

import hashlib
import io
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .gan import mlp
from .runtime import as_numpy

__all__ = ["show", "Autoencoder", "VAE", "gaussian_kl", "generator", "discriminator", "critic_loss", "gradient_penalty",
           "DigitClassifier", "cached_classifier", "train_autoencoder", "train_vae", "train_gan", "vae_log_weights"]


def show(*objects) -> None:
    """Print the source of the definitions a lecture takes from here, so the student reads the code that runs."""
    import inspect

    print("\n\n".join(inspect.getsource(o).rstrip() for o in objects))


class Autoencoder(nn.Module):
    def __init__(self, D, d, hidden=(128, 64)):
        super().__init__()
        h1, h2 = hidden
        self.encoder = nn.Sequential(nn.Linear(D, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(),
                                     nn.Linear(h2, d))
        self.decoder = nn.Sequential(nn.Linear(d, h2), nn.ReLU(), nn.Linear(h2, h1), nn.ReLU(),
                                     nn.Linear(h1, D), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


class VAE(nn.Module):
    def __init__(self, d, latent, hidden=256, n_classes=0, x_mean=None):
        super().__init__()
        x_mean = torch.full((d,), 0.5) if x_mean is None else x_mean
        self.n_classes = n_classes
        self.enc = nn.Sequential(nn.Linear(d + n_classes, hidden), nn.ReLU())
        self.enc_mu = nn.Linear(hidden, latent)
        self.enc_logvar = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent + n_classes, hidden), nn.ReLU(), nn.Linear(hidden, d))
        # Two cheap starts: the encoder reads centred pixels, and the decoder's output
        # bias is the logit of the mean image, so an untrained decoder already draws the mean image.
        self.register_buffer("x_mean", x_mean.detach().clone())
        p = x_mean.clamp(1e-3, 1 - 1e-3)
        with torch.no_grad():
            self.dec[-1].bias.copy_(torch.log(p) - torch.log1p(-p))

    def _with(self, v, y):  # a CVAE appends the one-hot class
        return v if y is None else torch.cat([v, nn.functional.one_hot(y, self.n_classes).to(v)], -1)

    def encode(self, x, y=None):
        h = self.enc(self._with(x - self.x_mean, y))
        return self.enc_mu(h), self.enc_logvar(h)

    def decode(self, z, y=None):
        return self.dec(self._with(z, y))          # one logit per pixel


def gaussian_kl(mu, logvar):
    """KL(N(mu, exp(logvar)) || N(0, I)), summed over the last axis."""
    return 0.5 * (logvar.exp() + mu**2 - 1 - logvar).sum(-1)


def generator(z_dim: int, d: int, width: int = 128, depth: int = 2) -> nn.Sequential:
    """Lecture 06's digit generator: an MLP from z to d pixels, then a sigmoid."""
    return nn.Sequential(mlp(z_dim, d, width=width, depth=depth), nn.Sigmoid())


def discriminator(d: int, width: int = 128, depth: int = 2) -> nn.Sequential:
    """Lecture 06's digit discriminator (one logit), also the WGAN-GP's critic (one score)."""
    return mlp(d, 1, width=width, depth=depth)


def critic_loss(f_real, f_fake):
    """The critic minimises E f(fake) - E f(real), i.e. maximises the W1 estimate."""
    return f_fake.mean() - f_real.mean()


def gradient_penalty(critic, real, fake):
    """WGAN-GP: (||grad f(x_hat)|| - 1)^2 at random points x_hat on segments between real and fake."""
    eps = torch.rand(real.shape[0], 1)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    slopes = grad.norm(dim=1)  # ||grad f(x_hat)||, one per point
    return ((slopes - 1) ** 2).mean()


class DigitClassifier(nn.Module):
    """A small MLP digit classifier; ``features`` is its last hidden layer (lecture 08's feature space)."""

    def __init__(self, d: int = 784, hidden: int = 256, n_features: int = 64, n_classes: int = 10):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, n_features), nn.ReLU())
        self.head = nn.Linear(n_features, n_classes)
        self.num_features = n_features

    def features(self, x):
        return self.body(x)

    def forward(self, x):
        return self.head(self.body(x))


def _batches(n, batch, gen):
    perm = torch.randperm(n, generator=gen)
    return [perm[i:i + batch] for i in range(0, n - batch + 1, batch)] or [perm]


def train_classifier(x, y, epochs: int = 8, batch: int = 64, lr: float = 2e-3, seed: int = 0) -> DigitClassifier:
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = DigitClassifier(x.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for idx in _batches(len(x), batch, gen):
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


def _digest(state) -> str:
    h = hashlib.sha256()
    for k in sorted(state):
        h.update(k.encode())
        h.update(np.ascontiguousarray(as_numpy(state[k])).tobytes())
    return h.hexdigest()


def cached_classifier(x, y, folder, tag: str, epochs: int = 8, seed: int = 0, verbose: bool = True):
    """The feature classifier trained on (x, y), from ``folder/<tag>.pt`` when its checksum holds.

    The weights are loaded with ``weights_only=True`` and their SHA-256 is compared with the one
    written beside them; a missing, unreadable or damaged cache is retrained (and rewritten),
    never trusted. Returns (model, where it came from: "cache" or "trained").
    """
    from pathlib import Path

    folder = Path(folder)
    path, meta = folder / f"{tag}.pt", folder / f"{tag}.json"
    try:
        want = json.loads(meta.read_text())
        state = torch.load(io.BytesIO(path.read_bytes()), weights_only=True)
        if want.get("sha256") != _digest(state) or want.get("shape") != list(x.shape[1:]):
            raise ValueError("checksum mismatch")
        model = DigitClassifier(x.shape[1])
        model.load_state_dict(state)
        return model.eval(), "cache"
    except FileNotFoundError:
        pass
    except Exception as e:  # a damaged cache: say so, then retrain
        if verbose:
            print(f"the cached feature classifier {path.name} is damaged ({type(e).__name__}); retraining it")
    model = train_classifier(x, y, epochs=epochs, seed=seed)
    state = model.state_dict()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save(state, tmp)
        tmp.replace(path)
        meta.write_text(json.dumps({"sha256": _digest(state), "shape": list(x.shape[1:]), "epochs": epochs,
                                    "seed": seed}))
    except OSError:  # a read-only cache folder: the model still works, it is only not kept
        pass
    return model, "trained"


def train_autoencoder(model, x, epochs, batch=64, lr=3e-3, seed=0):
    """Adam on the pixel MSE (lecture 04's loss); returns the seconds spent."""
    t0, gen = time.perf_counter(), torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for idx in _batches(len(x), batch, gen):
            loss = ((model(x[idx]) - x[idx]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return time.perf_counter() - t0


def train_vae(model, x, epochs, batch=64, lr=1e-3, seed=0, binarise=True):
    """Adam on the negative ELBO (Bernoulli decoder, lecture 05), on digits binarised afresh at every
    batch (a pixel is 1 with probability its grey level) when ``binarise``; returns the seconds spent."""
    t0, gen = time.perf_counter(), torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        for idx in _batches(len(x), batch, gen):
            xb = torch.bernoulli(x[idx], generator=gen) if binarise else x[idx]
            mu, logvar = model.encode(xb)
            z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=gen)
            rec = -F.binary_cross_entropy_with_logits(model.decode(z), xb, reduction="none").sum(-1)
            loss = (gaussian_kl(mu, logvar) - rec).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return time.perf_counter() - t0


def train_gan(G, D, x, epochs, z_dim, loss="nonsaturating", batch=64, lr=2e-4, n_critic=1, lam=10.0, seed=0):
    """Lecture 06's GAN (non-saturating loss) or lecture 07's WGAN-GP (``loss="wgan-gp"``), Adam(0.5, 0.9).

    An epoch is one pass of the real images through the discriminator or critic, so a WGAN-GP
    with ``n_critic`` critic steps per generator step makes ``n_critic`` times fewer generator steps.
    Returns the seconds spent.
    """
    t0, gen = time.perf_counter(), torch.Generator().manual_seed(seed)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.9))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.9))
    step = 0
    for _ in range(epochs):
        for idx in _batches(len(x), batch, gen):
            real = x[idx]
            with torch.no_grad():
                fake = G(torch.randn(len(idx), z_dim, generator=gen))
            if loss == "wgan-gp":
                loss_d = critic_loss(D(real), D(fake)) + lam * gradient_penalty(D, real, fake)
            else:
                loss_d = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            step += 1
            if step % n_critic:
                continue
            out = D(G(torch.randn(batch, z_dim, generator=gen)))
            loss_g = -out.mean() if loss == "wgan-gp" else F.softplus(-out).mean()
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
    return time.perf_counter() - t0


@torch.no_grad()
def vae_log_weights(model, x, k, gen=None):
    """log p(x|z) + log p(z) - log q(z|x) for k draws z ~ q(z|x) per image: shape (k, n), in nats."""
    mu, logvar = model.encode(x)
    std = torch.exp(0.5 * logvar)
    eps = torch.randn((k, *mu.shape), generator=gen, dtype=mu.dtype)
    z = mu + std * eps
    log_px_z = -F.binary_cross_entropy_with_logits(model.decode(z), x.expand(k, *x.shape), reduction="none").sum(-1)
    log_pz = (-0.5 * z ** 2).sum(-1) - 0.5 * z.shape[-1] * torch.log(torch.tensor(2 * torch.pi))
    log_qz = (-0.5 * eps ** 2 - 0.5 * logvar).sum(-1) - 0.5 * z.shape[-1] * torch.log(torch.tensor(2 * torch.pi))
    return log_px_z + log_pz - log_qz
