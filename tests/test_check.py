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
    with pytest.raises(ClaimFailed, match="shapes differ"):
        check.close("shapes", [1.0, 2.0], [1.0, 2.0, 3.0])


def test_between():
    check.between("JS is at most log 2", 0.5, 0, math.log(2))
    with pytest.raises(ClaimFailed, match="value = 0.8"):
        check.between("JS is at most log 2", 0.8, 0, math.log(2))
