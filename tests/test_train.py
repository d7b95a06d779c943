"""genlib.train: guards, minibatches, the loop, callbacks, the progress bar."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from genlib import train


def test_guard_passes_finite_values_and_names_the_bad_one():
    assert train.guard(1.5) == 1.5
    assert train.guard(torch.tensor(2.0)) == 2.0
    assert isinstance(train.guard(torch.tensor(3)), float)
    for bad in (float("nan"), float("inf"), -math.inf, torch.tensor(float("nan"))):
        with pytest.raises(train.Diverged, match="kl became") as ei:
            train.guard(bad, what="kl", hint="lower the learning rate")
        assert "lower the learning rate" in str(ei.value)
    assert issubclass(train.Diverged, FloatingPointError)
    with pytest.raises(train.Diverged, match="loss became nan at step 7; the learning rate may be too high"):
        train.guard(float("nan"), step=7)


def _model_step(lr):
    torch.manual_seed(0)
    x = torch.randn(64, 3)
    w_true = torch.tensor([1.0, -2.0, 0.5])
    y = x @ w_true
    w = torch.zeros(3, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)

    def step(batch):
        xb, yb = batch
        loss = ((xb @ w - yb) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return {"loss": loss, "w0": float(w[0].detach())}

    return x, y, w, w_true, step


def test_fit_trains_and_logs_epoch_means():
    x, y, w, w_true, step = _model_step(lr=0.1)
    hist = train.fit(step, train.batches(x, y, batch_size=16), epochs=30)
    assert len(hist) == 30 and len(hist.series("loss")) == 30
    assert hist.series("loss")[-1] < 1e-3 * hist.series("loss")[0]
    np.testing.assert_allclose(w.detach().numpy(), w_true.numpy(), atol=1e-2)  # closed-form oracle
    assert hist.last == hist.epochs[-1] and set(hist.last) == {"loss", "w0"}
    assert not hist.stopped_early


def test_epoch_logs_are_means_over_batches():
    seen = []

    def step(batch):
        (xb,) = batch
        seen.append(float(xb.sum()))
        return {"s": xb.sum()}

    x = torch.arange(10.0)
    hist = train.fit(step, train.batches(x, batch_size=4, shuffle=False), epochs=1)
    assert hist.series("s") == [pytest.approx(np.mean([0 + 1 + 2 + 3, 4 + 5 + 6 + 7, 8 + 9]))]


def test_fit_stops_on_divergence_naming_the_key():
    x, y, w, w_true, step = _model_step(lr=50.0)  # far beyond 2 / L: blows up
    with pytest.raises(train.Diverged, match=r"loss became (nan|inf) at step \d+ \(epoch \d+\); too big a step"):
        train.fit(step, train.batches(x, y, batch_size=16), epochs=200, hint="too big a step")

    def bad(batch):
        return {"loss": 1.0, "grad_norm": float("nan")}

    with pytest.raises(train.Diverged, match="grad_norm became nan at step 1 "):
        train.fit(bad, train.batches(torch.zeros(4)), epochs=1)


def test_callbacks_see_every_epoch_and_can_stop_early():
    calls = []
    x = torch.zeros(8)
    step = lambda b: {"loss": 1.0}
    hist = train.fit(step, train.batches(x, batch_size=4), epochs=5,
                     callbacks=[lambda e, logs: calls.append((e, dict(logs)))])
    assert [e for e, _ in calls] == [0, 1, 2, 3, 4] and calls[0][1] == {"loss": 1.0}
    stop_at_2 = lambda e, logs: e < 2
    other = []
    hist = train.fit(step, train.batches(x, batch_size=4), epochs=10,
                     callbacks=[stop_at_2, lambda e, logs: other.append(e)])
    assert len(hist) == 3 and hist.stopped_early and other == [0, 1, 2]
    # None (the usual return of a callback) does not stop
    hist = train.fit(step, train.batches(x), epochs=3, callbacks=[lambda e, logs: None])
    assert len(hist) == 3 and not hist.stopped_early


@pytest.mark.parametrize("n,bs,drop", [(10, 3, False), (10, 3, True), (12, 4, False), (5, 8, False)])
def test_batches_cover_every_row_once(n, bs, drop):
    x = torch.arange(n)
    y = torch.arange(n) * 10
    data = train.batches(x, y, batch_size=bs, seed=3, drop_last=drop)
    for epoch in range(3):
        got = list(data(epoch))
        xs = torch.cat([b[0] for b in got])
        ys = torch.cat([b[1] for b in got])
        assert torch.equal(ys, xs * 10)  # rows stay aligned across tensors
        if drop:
            assert all(len(b[0]) == bs for b in got) and len(xs) == n - n % bs
            assert len(set(xs.tolist())) == len(xs)
        else:
            assert sorted(xs.tolist()) == list(range(n))
        assert len(got) == data.n_batches


def test_batches_are_deterministic_and_reshuffled_per_epoch():
    x = torch.arange(100)
    a, b, c = train.batches(x, seed=1), train.batches(x, seed=1), train.batches(x, seed=2)
    order = lambda d, e: torch.cat([t for (t,) in d(e)]).tolist()
    torch.manual_seed(123)  # the global RNG plays no part
    first = order(a, 0)
    torch.manual_seed(999)
    assert first == order(b, 0)
    assert first != order(a, 1) and first != order(c, 0)
    assert order(train.batches(x, shuffle=False), 0) == list(range(100))
    with pytest.raises(ValueError, match="same length"):
        train.batches(torch.zeros(3), torch.zeros(4))


def test_progress_bar_off_when_headless(monkeypatch, capsys):
    step = lambda b: {"loss": 1.0}
    monkeypatch.setenv("GENLIB_HEADLESS", "1")
    train.fit(step, train.batches(torch.zeros(4)), epochs=3, desc="quiet run")
    cap = capsys.readouterr()
    assert cap.err == "" and cap.out == ""
    monkeypatch.setenv("GENLIB_HEADLESS", "0")
    train.fit(step, train.batches(torch.zeros(4)), epochs=3, desc="loud run")
    cap = capsys.readouterr()
    assert "loud run" in cap.err + cap.out


def test_progress_in_a_saved_notebook_ends_at_its_final_state():
    """The fault: a plain papermill run kept a frozen "0/30" bar (tqdm's widget text is captured
    when it is displayed). In a kernel the bar is one output updated through its display id."""
    import os

    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(
        "import torch\nfrom genlib import train\n"
        "hist = train.fit(lambda b: {'loss': 0.5}, train.batches(torch.zeros(8), batch_size=4), epochs=7, desc='demo')")])
    env = {k: v for k, v in os.environ.items() if k != "GENLIB_HEADLESS"}  # a person could be watching
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        for attempt in range(2):   # a kernel on TCP can lose its port to a neighbour's kernel at start-up
            try:
                NotebookClient(nb, timeout=120, kernel_name="python3").execute()
                break
            except RuntimeError as exc:
                if attempt or "Kernel died before replying" not in str(exc):
                    raise
    finally:
        os.environ.clear()
        os.environ.update(saved)
    outputs = nb.cells[0].outputs
    assert len(outputs) == 1 and outputs[0]["output_type"] == "display_data", outputs
    text = outputs[0]["data"]["text/plain"]
    assert text.startswith("demo: 7/7 epochs") and "loss=0.5" in text
    assert "0/7" not in text and "application/vnd.jupyter.widget-view+json" not in outputs[0]["data"]
    assert '<progress value="7" max="7"' in outputs[0]["data"]["text/html"]
    nbformat.validate(nb)
