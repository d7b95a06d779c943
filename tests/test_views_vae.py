"""Views of lecture 05 (VAE): drive update() and read the artists back."""

import numpy as np
import pytest
import torch

from genlib.views.vae import ElboTraining, LatentDecoder, tile


def test_tile_places_each_image_where_expected():
    imgs = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    out = tile(imgs, ncols=2, pad=-1)
    assert out.shape == (3 * 3 - 1, 2 * 4 - 1)
    for i in range(5):
        r, c = divmod(i, 2)
        np.testing.assert_array_equal(out[r * 3:r * 3 + 2, c * 4:c * 4 + 3], imgs[i])
    assert out[2, 0] == -1 and out[0, 3] == -1      # separators
    np.testing.assert_array_equal(out[6:8, 4:7], -1)  # the empty sixth slot
    with pytest.raises(ValueError):
        tile(np.zeros((4, 4)))


def test_elbo_training_draws_curves_and_images():
    view = ElboTraining(shape=(8, 8), n_images=4, ncols=2)
    epoch = np.arange(1, 6)
    recon = np.array([-40.0, -35, -32, -31, -30.5])
    kl = np.array([1.0, 2, 3, 3.5, 3.7])
    imgs = np.random.default_rng(0).random((4, 8, 8))
    view.update(epoch=epoch, elbo=recon - kl, recon=recon, kl=kl, images=imgs)
    x, y = view.line_elbo.get_data()
    np.testing.assert_allclose(x, epoch)
    np.testing.assert_allclose(y, recon - kl)
    np.testing.assert_allclose(view.line_recon.get_data()[1], recon)
    np.testing.assert_allclose(view.line_kl.get_data()[1], -kl)   # drawn as the ELBO's second term
    # the ELBO is the sum of the two drawn terms
    np.testing.assert_allclose(view.line_recon.get_data()[1] + view.line_kl.get_data()[1], y)
    lo, hi = view.ax_curve.get_ylim()
    assert lo <= min(y.min(), recon.min(), -kl.max()) and hi >= max(recon.max(), -kl.min())
    np.testing.assert_allclose(np.asarray(view.im.get_array()), tile(imgs, 2))
    assert "epoch 5" in view.curve_title.get_text()
    view.fig.canvas.draw()


def test_elbo_training_pulls_from_source_when_called_without_state():
    state = {"epoch": [1], "elbo": [-3.0], "recon": [-2.0], "kl": [1.0], "images": np.ones((4, 8, 8))}
    view = ElboTraining(source=lambda: state, n_images=4)
    view.update()
    np.testing.assert_allclose(view.line_elbo.get_data()[1], [-3.0])
    assert np.asarray(view.im.get_array()).max() == 1.0
    ElboTraining(n_images=4).update()  # no source, no state: nothing to draw, no error


def test_latent_decoder_shows_the_decoded_image_and_marks_z():
    # an oracle decoder whose output is known in closed form
    W = np.random.default_rng(1).normal(size=(10, 3, 16))

    def decode(label, z):
        return 1 / (1 + np.exp(-(z @ W[label]))).reshape(4, 4)

    view = LatentDecoder(decode, latent_dim=3, shape=(4, 4))
    view.update(label=7, z1=0.5, z2=-1.0, z3=2.0)
    expected = 1 / (1 + np.exp(-(np.array([0.5, -1.0, 2.0]) @ W[7])))
    np.testing.assert_allclose(np.asarray(view.im.get_array()).ravel(), expected)
    x, y = view.marker.get_data()
    assert (float(x[0]), float(y[0])) == (0.5, -1.0)
    assert view.img_title.get_text() == "class 7"
    view.update(label=2)  # missing coordinates are 0
    np.testing.assert_allclose(np.asarray(view.im.get_array()).ravel(), 0.5)
    with pytest.raises(ValueError):
        view.update(label=0, z4=1.0)
    with pytest.raises(ValueError):
        view.update(label=0, w=1.0)


def test_random_states_are_valid():
    rng = np.random.default_rng(0)
    for _ in range(5):
        st = ElboTraining.random_state(rng)
        ElboTraining(n_images=16).update(**st)
        np.testing.assert_allclose(st["elbo"], np.asarray(st["recon"]) - np.asarray(st["kl"]))
        st = LatentDecoder.random_state(rng)
        assert 0 <= st["label"] < 10 and abs(st["z1"]) <= 3 and abs(st["z2"]) <= 3
        LatentDecoder(lambda label, z: np.zeros((8, 8)), latent_dim=2).update(**st)


def test_cvae_decode_and_redraw():
    # a decoder the size of the lecture's CVAE (2 + 10 -> 256 -> 784); speed is measured by
    # benchmarks/widgets.py, not here
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(12, 256), torch.nn.ReLU(), torch.nn.Linear(256, 784))

    def decode(label, z):
        with torch.no_grad():
            inp = torch.cat([torch.as_tensor(z, dtype=torch.float32),
                             torch.nn.functional.one_hot(torch.tensor(label), 10).float()])
            return torch.sigmoid(net(inp)).reshape(28, 28).numpy()

    view = LatentDecoder(decode, latent_dim=2, shape=(28, 28))
    rng = np.random.default_rng(0)
    n_artists = len(view.fig.findobj())
    for _ in range(5):
        view.update(**LatentDecoder.random_state(rng))
        view.fig.canvas.draw()
    assert len(view.fig.findobj()) == n_artists


def test_bench_instance_decodes_like_the_lecture():
    view = LatentDecoder.bench_instance()
    img = view.update(**LatentDecoder.random_state(np.random.default_rng(0)))
    assert img.shape == (28, 28) and 0 <= img.min() and img.max() <= 1
