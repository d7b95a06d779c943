"""genlib.gan: ToyGAN, GANView and the live trainer, against independent oracles."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from genlib import gan as G
from genlib.views import gan as V
from genlib import toy


def test_mlp_shape_and_relu():
    net = G.mlp(2, 3, width=16, depth=3)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(2, 16), (16, 16), (16, 16), (16, 3)]
    assert sum(isinstance(m, torch.nn.ReLU) for m in net) == 3
    assert net(torch.zeros(5, 2)).shape == (5, 3)
    with pytest.raises(ValueError):
        G.mlp(2, 1, depth=0)


@pytest.mark.parametrize("loss", G.LOSSES)
def test_every_loss_steps_and_keeps_finite_history(loss):
    g = G.ToyGAN("ring", loss=loss, width=16, batch=64, n_critic=2, seed=1)
    before = [p.detach().clone() for p in g.G.parameters()]
    g.step(3)
    assert g.steps == 3 and g.history["step"] == [1, 2, 3]
    assert all(math.isfinite(v) for v in g.history["loss_d"] + g.history["loss_g"])
    assert any(not torch.equal(a, b) for a, b in zip(before, g.G.parameters()))
    x = g.sample(100)
    assert x.shape == (100, 2) and np.all(np.isfinite(x))
    r = g.coverage(500)
    assert 0 <= r["modes"] <= 8 and g.history["modes"] == [r["modes"]]
    if loss == "wgan":
        assert max(p.abs().max().item() for p in g.D.parameters()) <= g.settings.clip + 1e-7


def test_losses_match_their_formulas():
    """The generator and discriminator losses against the textbook expressions in probabilities."""
    g = G.ToyGAN("ring", loss="minimax", width=8, seed=0)
    logits = torch.linspace(-4, 4, 9).unsqueeze(1)
    d = torch.sigmoid(logits)
    assert torch.allclose(g._g_loss(logits), torch.log(1 - d).mean(), atol=1e-6)
    g.set(loss="nonsaturating")
    assert torch.allclose(g._g_loss(logits), -torch.log(d).mean(), atol=1e-6)
    real, fake = g._real(32), g._real(32) + 0.3
    dr, df = torch.sigmoid(g.D(real)), torch.sigmoid(g.D(fake))
    want = -(torch.log(dr).mean() + torch.log(1 - df).mean())
    assert torch.allclose(g._d_loss(real, fake), want, atol=1e-5)
    g.set(loss="wgan")
    assert torch.allclose(g._d_loss(real, fake), g.D(fake).mean() - g.D(real).mean(), atol=1e-6)


def test_gradient_penalty_is_zero_for_a_unit_slope_critic():
    g = G.ToyGAN("ring", loss="wgan-gp", width=8, gp_lambda=10.0)
    # replace the critic with f(x) = w . x, |w| = 1: the penalty vanishes; |w| = 3 gives lambda * 4
    for norm, penalty in ((1.0, 0.0), (3.0, 40.0)):
        lin = torch.nn.Linear(2, 1)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[0.6, 0.8]]) * norm)
            lin.bias.zero_()
        g.D = lin
        real, fake = g._real(64), g._real(64) * 0.5
        base = lin(fake).mean() - lin(real).mean()
        assert g._d_loss(real, fake).item() == pytest.approx(base.item() + penalty, abs=1e-4)


def test_huge_learning_rate_raises_diverged_with_a_message():
    g = G.ToyGAN("grid", loss="nonsaturating", lr_g=1e10, lr_d=1e10, width=16, batch=64)
    from genlib.train import Diverged

    with pytest.raises(Diverged) as info:
        g.step(200)
    assert "learning rate" in str(info.value) and "lr_g = 1e+10" in str(info.value)


def test_guard_loss_stops_nan_inf_and_explosions():
    from genlib.train import Diverged

    assert G.guard_loss(1.5) == 1.5
    assert G.guard_loss(torch.tensor(-3.0)) == -3.0
    for bad in (float("nan"), float("inf"), 2e4, -2e4):
        with pytest.raises(Diverged, match="learning rate"):
            G.guard_loss(bad, "the loss", "the learning rate may be too high", step=7)
    with pytest.raises(Diverged, match="step 7"):
        G.guard_loss(1e9, step=7)
    assert G.guard_loss(5e5, limit=1e6) == 5e5


def test_set_validates_and_changes_settings():
    g = G.ToyGAN("ring", width=8)
    g.set(loss="wgan-gp", lr_g=2e-4, lr_d=3e-4, n_critic=5)
    assert (g.loss, g.n_critic) == ("wgan-gp", 5)
    assert g.opt_g.param_groups[0]["lr"] == 2e-4 and g.opt_d.param_groups[0]["lr"] == 3e-4
    for bad in ({"loss": "hinge"}, {"lr_g": 0.0}, {"lr_d": float("nan")}, {"n_critic": 0}):
        with pytest.raises(ValueError):
            g.set(**bad)
    with pytest.raises(ValueError):
        G.ToyGAN("moons")


def test_real_samples_and_scaling_follow_the_toy_set():
    g = G.ToyGAN("grid", width=8)
    x = g.real(2000)
    m = toy.grid_modes()
    d = np.sqrt(((x[:, None] - m[None]) ** 2).sum(-1)).min(1)
    assert np.mean(d <= 3 * 0.05) == pytest.approx(1 - math.exp(-4.5), abs=0.02)


def test_critic_on_is_a_probability_or_a_raw_critic():
    g = G.ToyGAN("ring", loss="minimax", width=8)
    pts = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    logits = g.D(torch.as_tensor(pts) / g.scale).squeeze(-1).detach().numpy()
    np.testing.assert_allclose(g.critic_on(pts), 1 / (1 + np.exp(-logits)), rtol=1e-5)
    g.set(loss="wgan")
    np.testing.assert_allclose(g.critic_on(pts), logits, rtol=1e-5)


def test_gradient_on_matches_finite_differences():
    g = G.ToyGAN("ring", loss="nonsaturating", width=16)
    pts = np.array([[0.3, -0.2], [1.1, 0.4]], dtype=np.float32)
    grad = g.gradient_on(pts)
    eps = 1e-3

    def gen_loss(p):  # -log D(x) for one point, in float64 through the same network
        with torch.no_grad():
            logit = g.D.double()(torch.as_tensor(p, dtype=torch.float64)[None] / g.scale)
            g.D.float()
            return F.softplus(-logit).item()

    for i, p in enumerate(pts.astype(np.float64)):
        fd = [(gen_loss(p + eps * e) - gen_loss(p - eps * e)) / (2 * eps) for e in np.eye(2)]
        np.testing.assert_allclose(grad[i], -np.array(fd), rtol=1e-3, atol=1e-5)


def test_view_draws_points_and_the_critic_heatmap():
    g = G.ToyGAN("ring", loss="minimax", width=16, seed=2)
    g.step(5)
    g.coverage(500)
    v = V.GANView(g, n_show=300, res=20, n_arrows=30)
    v.update()
    assert v.fake.get_offsets().shape == (300, 2)
    assert v.real.get_offsets().shape == (300, 2)
    with torch.no_grad():  # a generator that puts every sample at (0.5, -0.25)
        g.G_ema[-1].weight.zero_()
        g.G_ema[-1].bias.copy_(torch.tensor([0.5, -0.25]) / g.scale)
    v.update()
    np.testing.assert_allclose(v.fake.get_offsets(), np.tile([0.5, -0.25], (300, 1)), rtol=1e-6)
    img = np.asarray(v.image.get_array())
    np.testing.assert_allclose(img, g.critic_on(v.grid_points).reshape(20, 20), rtol=1e-6)
    # the image's pixel (i, j) sits at (x_j, y_i) with origin lower
    lim = v.lim
    assert v.image.get_extent() == [-lim, lim, -lim, lim] or tuple(v.image.get_extent()) == (-lim, lim, -lim, lim)
    np.testing.assert_allclose(v.grid_points[20 * 3 + 7], [np.linspace(-lim, lim, 20)[7], np.linspace(-lim, lim, 20)[3]])
    assert len(v.arrows.U) == 30
    assert v.line_d.get_xdata()[-1] == 5
    assert "step 5" in v.title.get_text()
    g.set(loss="wgan")
    v.update()
    img = np.asarray(v.image.get_array())
    assert v.image.get_clim() == pytest.approx((img.min(), img.max()))
    v.fig.canvas.draw()


def test_trainer_headless_renders_once(monkeypatch):
    monkeypatch.setenv("GENLIB_HEADLESS", "1")
    live = V.trainer(data="ring", width=16, batch=64, headless_steps=4, eval_n=200, steps_per_tick=2)
    assert live.gan.steps == 4
    bundle, _ = live._repr_mimebundle_()
    assert bundle["image/png"] and "text/plain" in bundle
    live.controls["loss"].value = "wgan-gp"
    live.controls["n_critic"].value = 3
    assert live.gan.loss == "wgan-gp" and live.gan.n_critic == 3
    live.advance()
    assert live.gan.steps == 6 and live.error is None


def test_trainer_learning_rate_controls_keep_the_exact_value(monkeypatch):
    """A log slider would snap 2e-3 to 10^-2.75; the trainer's sliders hold the value asked for."""
    monkeypatch.setenv("GENLIB_HEADLESS", "1")
    live = V.trainer(data="ring", width=8, batch=32, lr_g=2e-3, lr_d=3.3e-4, headless_steps=0, eval_n=100)
    assert live.controls["lr_g"].value == 2e-3 and live.controls["lr_d"].value == 3.3e-4
    assert live.gan.opt_g.param_groups[0]["lr"] == 2e-3 and live.gan.opt_d.param_groups[0]["lr"] == 3.3e-4
    assert live.controls["lr_g"].label == "2.0e-3"
    live.controls["lr_g"].value = 5e-4
    assert live.gan.opt_g.param_groups[0]["lr"] == 5e-4


def test_trainer_buttons_status_and_first_frame(monkeypatch):
    monkeypatch.setenv("GENLIB_HEADLESS", "1")
    live = V.trainer(data="grid", width=8, batch=32, headless_steps=0, eval_n=200, steps_per_tick=7)
    assert [b.description for b in (live.play_button, live.pause_button, live.step_button)] == \
        ["Play", "Pause", "Step 7"]
    assert live.status.value.startswith("step 0") and "/25 modes" in live.status.value
    assert live.view.hint_loss.get_visible()          # the empty loss panel says what will appear
    live.step_button.click()
    assert live.gan.steps == 7 and "step 7 " in live.status.value and "steps/s" in live.status.value
    r = live.gan.history
    assert f"{r['modes'][-1]}/25 modes" in live.status.value and f"{100 * r['hq'][-1]:.0f}% HQ" in live.status.value
    assert not live.view.hint_loss.get_visible()
    live.start()
    assert live.playing
    live.pause()
    assert not live.playing


def test_trainer_says_diverged_inside_the_widget_and_resets(monkeypatch):
    monkeypatch.setenv("GENLIB_HEADLESS", "1")
    live = V.trainer(data="grid", loss="minimax", lr_g=0.1, lr_d=0.1, width=32, batch=64, headless_steps=0,
                     eval_n=200, steps_per_tick=20)
    for _ in range(20):
        live.advance()
        if live.error:
            break
    assert live.error and "diverged:" in live.status.value and "learning rate" in live.status.value
    assert live.view.banner.get_visible() and live.view.banner.get_text().startswith("diverged")
    steps = live.gan.steps
    live.advance()
    assert live.gan.steps == steps                      # stopped
    live.controls["lr_g"].value = live.controls["lr_d"].value = 1e-3
    live.reset_button.click()
    assert live.error is None and live.gan.steps == 0 and live.gan.diverged is None
    live.advance()
    assert live.gan.steps == 20 and not live.view.banner.get_visible()


def test_a_generator_collapsed_to_a_point_counts_as_diverged():
    """lr 0.1 with the clipped critic: no NaN, but every z goes to one point and the losses flatten."""
    g = G.ToyGAN("grid", width=16, batch=64)
    with torch.no_grad():
        g.G[-1].weight.zero_()
    from genlib.train import Diverged

    with pytest.raises(Diverged, match="single point"):
        V.collapsed_to_a_point(g)
    V.collapsed_to_a_point(G.ToyGAN("grid", width=16, batch=64))  # an untrained generator spreads


def test_trainer_that_diverges_headless_shows_it_instead_of_raising(monkeypatch):
    monkeypatch.setenv("GENLIB_HEADLESS", "1")
    live = V.trainer(data="grid", loss="wgan", lr_g=0.1, lr_d=0.1, width=32, batch=64, headless_steps=200,
                     eval_n=200)
    assert live.error and live.gan.diverged and "diverged:" in live.status.value
    assert live.view.banner.get_visible()
    bundle, _ = live._repr_mimebundle_()
    assert bundle["image/png"]


def test_settings_are_checked_in_one_place_and_say_what_they_accept():
    assert G.ToyGAN("ring", width=8, seed=0).settings.seed == 0          # 0 is a seed
    with pytest.raises(ValueError, match=r"seed must be an integer, at least 0; got -1"):
        G.Settings(seed=-1)
    with pytest.raises(ValueError, match=r"batch must be an integer, at least 1; got 0"):
        G.ToyGAN("ring", batch=0)
    with pytest.raises(ValueError, match=r"ema must be in \[0, 1\)"):
        G.Settings(ema=1.0)
    with pytest.raises(TypeError):
        G.ToyGAN("ring", widht=8)                                       # a misspelt setting is no setting
    s = G.Settings(loss="wgan-gp", width=8, n_critic=5, seed=3)
    a, b = G.ToyGAN("ring", s), G.ToyGAN("ring", loss="wgan-gp", width=8, n_critic=5, seed=3)
    assert a.settings == b.settings and (a.loss, a.n_critic) == ("wgan-gp", 5)
    assert all(torch.equal(p, q) for p, q in zip(a.G.parameters(), b.G.parameters()))
    a.set(lr_g=2e-4)
    assert a.settings.lr_g == a.lr_g == 2e-4 and s.lr_g == 1e-3         # the settings object itself never changes
