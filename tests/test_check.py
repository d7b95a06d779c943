"""Claim checks print one stable line on success and raise with the numbers on failure."""
import math

import numpy as np
import pytest

from genlib import check
from genlib.check import ClaimFailed


def test_close_passes_and_prints_one_line(capsys):
    check.close("log 4 = 2 log 2", math.log(4), 2 * math.log(2))
    assert capsys.readouterr().out == "\u2714 log 4 = 2 log 2\n"


def test_close_fails_with_numbers():
    with pytest.raises(ClaimFailed, match=r"Claim failed: pi is 3 \(actual = 3.14159, expected = 3"):
        check.close("pi is 3", math.pi, 3.0)


def test_inf_equals_inf_but_nan_never_passes():
    check.close("KL on disjoint supports is infinite", np.inf, np.inf)
    with pytest.raises(ClaimFailed):
        check.close("nan is not a number", np.nan, np.nan)
    with pytest.raises(ClaimFailed):
        check.claim("nan comparisons are false", np.nan > 0)


def test_arrays_and_torch():
    import torch

    check.close("elementwise", torch.tensor([1.0, 2.0]), np.array([1.0, 2.0]))
    with pytest.raises(ClaimFailed):
        check.close("one element off", [1.0, 2.0], [1.0, 2.1])
    with pytest.raises(ValueError, match="shapes differ"):
        check.close("shapes", [1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="shapes differ"):   # broadcastable is not enough
        check.close("shapes", np.ones((2, 3)), np.ones(3))
    check.close("a single number on one side is compared with every element", [0.0, 1e-12], 0.0)


def test_between():
    check.between("JS is at most log 2", 0.5, 0, math.log(2))
    with pytest.raises(ClaimFailed, match="value = 0.8"):
        check.between("JS is at most log 2", 0.8, 0, math.log(2))


@pytest.mark.parametrize("call", [
    lambda: check.claim("nothing to check", np.array([], dtype=bool)),
    lambda: check.close("nothing to compare", [], []),
    lambda: check.close("nothing to compare", np.zeros(0), 1.0),
    lambda: check.between("nothing in range", [], 0, 1),
])
def test_empty_input_is_refused_because_the_check_could_not_fail(call):
    with pytest.raises(ValueError, match="empty"):
        call()


def test_measured_values_print_in_brackets_and_never_inside_a_claim():
    m = check.measured(0.016394)
    assert f"loss {m:.2f} nats" == "loss \u27e80.02\u27e9 nats"
    assert str(check.measured(np.float32(2.5))) == "\u27e82.5\u27e9"
    assert check.measured(1234.5, ".0f") == "\u27e81234\u27e9" or check.measured(1234.5, ".0f") == "\u27e81235\u27e9"
    with pytest.raises(ValueError, match="measured"):
        check.claim(f"the loss is {m:.2f}", True)
    with pytest.raises(ValueError, match="measured"):
        check.between(f"HQ {m:.0%}", 0.5, 0, 1)


def test_checks_record_what_they_compared():
    from genlib import report

    n = len(report.state()["claims"])
    check.between("a share", np.array([0.2, 0.9, 0.5]), 0.1, 1.0)
    check.close("two numbers", 1.0, 1.0 + 1e-7, rtol=1e-6)
    claims = report.state()["claims"][n:]
    assert claims[0]["kind"] == "between" and claims[0]["value"] == 0.9 and claims[0]["low"] == 0.1 and claims[0]["n"] == 3
    assert claims[1]["kind"] == "close" and 0.09 < claims[1]["value"] < 0.11 and claims[1]["high"] == 1.0


def test_needs_skips_visibly(capsys):
    assert check.needs(True, "needs nothing") is True
    assert capsys.readouterr().out == ""
    assert check.needs(False, "the fit claim needs EPOCHS of at least 10") is False
    assert capsys.readouterr().out == "\u2298 skipped: the fit claim needs EPOCHS of at least 10\n"
