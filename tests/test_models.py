"""genlib.models: the architectures the lectures define, the feature classifier's cache, and the
pieces of the losses, against scipy and hand-derived values."""
import numpy as np
import pytest
import torch
from scipy import stats

from genlib import models


def _linears(module):
    return [(m.in_features, m.out_features) for m in module.modules() if isinstance(m, torch.nn.Linear)]


def test_architectures_are_the_lectures():
    assert _linears(models.Autoencoder(784, 2)) == [(784, 128), (128, 64), (64, 2), (2, 64), (64, 128), (128, 784)]
    vae = models.VAE(784, 20, hidden=256, x_mean=torch.full((784,), 0.2))
    assert _linears(vae) == [(784, 256), (256, 20), (256, 20), (20, 256), (256, 784)]
    assert torch.allclose(torch.sigmoid(vae.dec[-1].bias), torch.full((784,), 0.2))   # the decoder starts at the mean
    cvae = models.VAE(64, 2, hidden=32, n_classes=10)
    assert cvae.decode(torch.zeros(3, 2), torch.tensor([0, 1, 2])).shape == (3, 64)
    assert _linears(models.generator(16, 64)) == [(16, 128), (128, 128), (128, 64)]
    assert _linears(models.discriminator(64)) == [(64, 128), (128, 128), (128, 1)]
    assert models.generator(16, 64)(torch.randn(5, 16)).min() >= 0


def test_gradient_penalty_of_a_linear_critic():
    # f(x) = w.x has gradient w everywhere: the penalty is (|w| - 1)^2 whatever the points
    critic = torch.nn.Linear(3, 1, bias=False)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[2.0, 0.0, 1.0]]))
    gp = models.gradient_penalty(critic, torch.randn(7, 3), torch.randn(7, 3))
    assert gp.item() == pytest.approx((np.sqrt(5) - 1) ** 2, rel=1e-6)
    assert models.critic_loss(torch.tensor([1.0, 3.0]), torch.tensor([0.5])).item() == pytest.approx(-1.5)


def test_gaussian_kl_matches_scipy_integral():
    mu, logvar = torch.tensor([[0.7, -0.2]]), torch.tensor([[-0.5, 0.3]])
    want = 0.0
    for m, lv in zip(mu[0].tolist(), logvar[0].tolist()):
        s = np.exp(0.5 * lv)
        x = np.linspace(m - 12 * s, m + 12 * s, 200001)
        q = stats.norm.pdf(x, m, s)
        want += np.trapezoid(q * (stats.norm.logpdf(x, m, s) - stats.norm.logpdf(x)), x)
    assert models.gaussian_kl(mu, logvar).item() == pytest.approx(want, rel=1e-6)


def test_vae_log_weights_match_scipy_densities():
    torch.manual_seed(0)
    vae = models.VAE(6, 2, hidden=5).double()
    x = torch.tensor([[1, 0, 1, 1, 0, 0], [0, 0, 0, 1, 1, 1]], dtype=torch.float64)
    lw = models.vae_log_weights(vae, x, 4, gen=torch.Generator().manual_seed(3))
    eps = torch.randn((4, 2, 2), generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    mu, logvar = vae.encode(x)
    z = (mu + torch.exp(0.5 * logvar) * eps).detach().numpy()
    p = torch.sigmoid(vae.decode(torch.from_numpy(z))).detach().numpy()
    sd = np.exp(0.5 * logvar.detach().numpy())
    want = (stats.bernoulli.logpmf(x.numpy(), p).sum(-1) + stats.norm.logpdf(z).sum(-1)
            - stats.norm.logpdf(z, mu.detach().numpy(), sd).sum(-1))
    assert lw.shape == (4, 2)
    assert np.allclose(lw.numpy(), want, rtol=1e-6)


def test_classifier_cache_is_verified(tmp_path, capsys):
    g = torch.Generator().manual_seed(0)
    x = torch.rand(200, 20, generator=g)
    y = (x[:, 0] > 0.5).long()
    m1, src1 = models.cached_classifier(x, y, tmp_path, "t", epochs=1)
    m2, src2 = models.cached_classifier(x, y, tmp_path, "t", epochs=1)
    assert (src1, src2) == ("trained", "cache")
    assert torch.equal(m1(x), m2(x))
    # a damaged file is retrained, with a message
    (tmp_path / "t.pt").write_bytes(b"not a torch file")
    _, src3 = models.cached_classifier(x, y, tmp_path, "t", epochs=1)
    assert src3 == "trained" and "damaged" in capsys.readouterr().out
    # weights that load but were changed: the checksum refuses them
    state = torch.load(tmp_path / "t.pt", weights_only=True)
    state["head.bias"] += 1.0
    torch.save(state, tmp_path / "t.pt")
    _, src4 = models.cached_classifier(x, y, tmp_path, "t", epochs=1)
    assert src4 == "trained"
    _, src5 = models.cached_classifier(x, y, tmp_path, "t", epochs=1)
    assert src5 == "cache"


def test_training_loops_lower_their_losses():
    g = torch.Generator().manual_seed(1)
    x = (torch.rand(256, 16, generator=g) < torch.linspace(0.1, 0.9, 16)).float()
    ae = models.Autoencoder(16, 4, hidden=(8, 8))
    before = ((ae(x) - x) ** 2).mean().item()
    models.train_autoencoder(ae, x, 20, seed=0)
    assert ((ae(x) - x) ** 2).mean().item() < before
    G, D = models.generator(4, 16, width=16), models.discriminator(16, width=16)
    assert models.train_gan(G, D, x, 2, 4, loss="wgan-gp", n_critic=2, lam=1.0, seed=0) > 0
