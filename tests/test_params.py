"""Parameter validation: wrong values fail at once, naming the parameter and what is allowed."""
import pytest

import genlib
from genlib.params import choice, integer, number, rule, validate


def test_valid_values_pass_through():
    ns = {"PROFILE": "cpu", "SEED": 3, "LR": 1}
    p = validate(ns, PROFILE=genlib.PROFILES, SEED=integer(min=0), LR=number(positive=True))
    assert p == {"PROFILE": "cpu", "SEED": 3, "LR": 1.0}
    assert p.SEED == 3 and isinstance(p.LR, float)


@pytest.mark.parametrize("value", ["nonsense", "", None, 3, "CPU"])
def test_bad_profile_names_parameter_and_choices(value):
    with pytest.raises(ValueError) as e:
        validate({"PROFILE": value}, PROFILE=genlib.PROFILES)
    msg = str(e.value)
    assert "PROFILE" in msg and "'auto'" in msg and "'cpu'" in msg and "'full'" in msg


@pytest.mark.parametrize("value", [-1, 2.5, "two", True, float("nan"), None])
def test_bad_counts(value):
    with pytest.raises(ValueError, match=r"EPOCHS must be an integer, at least 1"):
        validate({"EPOCHS": value}, EPOCHS=integer(min=1))


def test_integer_accepts_integral_floats_only_as_ints():
    # papermill injects 3 for `-p EPOCHS 3`; a float like 3.0 is a type mistake and is refused.
    with pytest.raises(ValueError):
        validate({"EPOCHS": 3.0}, EPOCHS=integer(min=1))
    assert validate({"EPOCHS": 3}, EPOCHS=integer(min=1, max=5)).EPOCHS == 3
    with pytest.raises(ValueError, match="at most 5"):
        validate({"EPOCHS": 6}, EPOCHS=integer(min=1, max=5))


@pytest.mark.parametrize("value", [0, -1e-3, float("inf"), float("nan"), "1e-3", True])
def test_bad_numbers(value):
    with pytest.raises(ValueError, match="LR must be a finite number"):
        validate({"LR": value}, LR=number(positive=True))


def test_unknown_uppercase_name_is_a_misspelling():
    with pytest.raises(ValueError, match=r"Unknown parameter EPOCH \(did you mean EPOCHS\?\); this lecture accepts: EPOCHS"):
        validate({"EPOCHS": 2, "EPOCH": 3, "np": __import__("numpy")}, EPOCHS=integer())


def test_a_lowercase_name_injected_by_papermill_is_refused():
    # `papermill -p epochs 2` puts `epochs = 2` into the notebook's globals
    with pytest.raises(ValueError, match=r"Unknown parameter epochs \(did you mean EPOCHS\?\)"):
        validate({"EPOCHS": 30, "epochs": 2}, EPOCHS=integer(min=1))
    with pytest.raises(ValueError, match=r"Unknown parameter zzz; this lecture accepts: EPOCHS"):
        validate({"EPOCHS": 30, "zzz": 2}, EPOCHS=integer(min=1))


def test_modules_functions_classes_and_ipython_names_are_not_parameters():
    import math

    ns = {"EPOCHS": 3, "math": math, "f": lambda x: x, "C": type("C", (), {}), "In": [""], "Out": {},
          "get_ipython": lambda: None, "_": 1, "__builtins__": {}}
    assert validate(ns, EPOCHS=integer(min=1)) == {"EPOCHS": 3}


def test_rules_between_parameters_name_the_parameter_and_the_allowed_values():
    pixels = {"digits": 64, "mnist": 784}
    below = rule("LATENT_DIM", lambda p: p.LATENT_DIM < pixels[p.DATASET],
                 lambda p: f"below the number of pixels of {p.DATASET} ({pixels[p.DATASET]})")
    specs = dict(DATASET=choice("digits", "mnist"), LATENT_DIM=integer(min=1))
    assert validate({"DATASET": "mnist", "LATENT_DIM": 100}, rules=[below], **specs).LATENT_DIM == 100
    with pytest.raises(ValueError, match=r"Parameter LATENT_DIM must be below the number of pixels of digits \(64\); got 100\."):
        validate({"DATASET": "digits", "LATENT_DIM": 100}, rules=[below], **specs)
    with pytest.raises(ValueError, match="LATENT_DIM must be an integer"):   # single values first
        validate({"DATASET": "digits", "LATENT_DIM": "x"}, rules=[below], **specs)


def test_missing_parameter():
    with pytest.raises(ValueError, match="SEED is missing"):
        validate({}, SEED=integer())


def test_choice():
    assert validate({"D": "mnist"}, D=choice("digits", "mnist")).D == "mnist"
    with pytest.raises(ValueError, match="D must be one of 'digits', 'mnist'"):
        validate({"D": "nope"}, D=choice("digits", "mnist"))


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
    assert runtime.resolve_profile("cpu") == "cpu"


def test_seed_everything_reproduces_torch_and_numpy():
    import numpy as np
    import torch

    genlib.seed_everything(7)
    a = (torch.randn(3), np.random.rand(3))
    genlib.seed_everything(7)
    b = (torch.randn(3), np.random.rand(3))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])
