"""Parameter validation: wrong values fail at once, naming the parameter and what is allowed."""
import pytest

import genlib
from genlib.params import choice, flag, integer, number, validate


def test_valid_values_pass_through():
    ns = {"PROFILE": "cpu", "SEED": 3, "LR": 1, "BIG": True}
    p = validate(ns, PROFILE=genlib.PROFILES, SEED=integer(min=0), LR=number(positive=True), BIG=flag())
    assert p == {"PROFILE": "cpu", "SEED": 3, "LR": 1.0, "BIG": True}
    assert p.SEED == 3 and isinstance(p.LR, float)


@pytest.mark.parametrize("value", ["nonsense", "", None, 3, "CPU"])
def test_bad_profile_names_parameter_and_choices(value):
    with pytest.raises(ValueError) as e:
        validate({"PROFILE": value}, PROFILE=genlib.PROFILES)
    msg = str(e.value)
    assert "PROFILE" in msg and "'auto'" in msg and "'cpu'" in msg and "'full'" in msg


@pytest.mark.parametrize("value", [-1, 2.5, "two", True, float("nan"), None])
def test_bad_counts(value):
    with pytest.raises(ValueError, match=r"EPOCHS must be an integer >= 1"):
        validate({"EPOCHS": value}, EPOCHS=integer(min=1))


def test_integer_accepts_integral_floats_only_as_ints():
    # papermill injects 3 for `-p EPOCHS 3`; a float like 3.0 is a type mistake and is refused.
    with pytest.raises(ValueError):
        validate({"EPOCHS": 3.0}, EPOCHS=integer(min=1))
    assert validate({"EPOCHS": 3}, EPOCHS=integer(min=1, max=5)).EPOCHS == 3
    with pytest.raises(ValueError, match="<= 5"):
        validate({"EPOCHS": 6}, EPOCHS=integer(min=1, max=5))


@pytest.mark.parametrize("value", [0, -1e-3, float("inf"), float("nan"), "1e-3", True])
def test_bad_numbers(value):
    with pytest.raises(ValueError, match="LR must be a finite number"):
        validate({"LR": value}, LR=number(positive=True))


def test_unknown_uppercase_name_is_a_misspelling():
    with pytest.raises(ValueError, match=r"Unknown parameter EPOCH; this lecture accepts: EPOCHS"):
        validate({"EPOCHS": 2, "EPOCH": 3, "lowercase_ok": 1, "np": __import__("numpy")}, EPOCHS=integer())


def test_missing_parameter():
    with pytest.raises(ValueError, match="SEED is missing"):
        validate({}, SEED=integer())


def test_choice_and_flag():
    assert validate({"D": "mnist"}, D=choice("digits", "mnist")).D == "mnist"
    with pytest.raises(ValueError, match="D must be one of 'digits', 'mnist'"):
        validate({"D": "nope"}, D=choice("digits", "mnist"))
    with pytest.raises(ValueError, match="True or False"):
        validate({"F": 1}, F=flag())


def test_runtime_profile_and_device_fall_back_to_cpu(monkeypatch, capsys):
    import torch

    from genlib import runtime

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    rt = runtime.setup("auto", seed=5)
    assert rt.profile == "cpu" and str(rt.device) == "cpu" and rt.seed == 5
    assert rt.pick(cpu=1, full=2) == 1
    assert "Profile cpu, device cpu, seed 5." in capsys.readouterr().out
    assert str(runtime.device("cuda")) == "cpu"
    assert "falling back to the CPU" in capsys.readouterr().out
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert runtime.resolve_profile("auto") == "full"
    with pytest.raises(ValueError, match="PROFILE must be one of auto, cpu, full"):
        runtime.resolve_profile("gpu")


def test_seed_everything_reproduces_torch_and_numpy():
    import numpy as np
    import torch

    genlib.seed_everything(7)
    a = (torch.randn(3), np.random.rand(3))
    genlib.seed_everything(7)
    b = (torch.randn(3), np.random.rand(3))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])
