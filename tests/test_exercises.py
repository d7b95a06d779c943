"""Exercise self-checks give the hint for the classic mistake; solution stripping is exact."""
import numpy as np
import pytest

from genlib.exercises import ExerciseFailed, use, verify


def ref_kl(mu, logvar):
    return 0.5 * (mu ** 2 + np.exp(logvar) - 1 - logvar)


CASES = [(np.array([0.5, -1.0]), np.array([0.2, -0.3])), (np.array([0.0]), np.array([1.0]))]
MISTAKES = {
    "you forgot the factor 1/2": lambda mu, lv: mu ** 2 + np.exp(lv) - 1 - lv,
    "the sign is flipped": lambda mu, lv: -ref_kl(mu, lv),
}


def test_correct_answer(capsys):
    assert verify("Gaussian KL", ref_kl, ref_kl, CASES, MISTAKES) is True
    assert capsys.readouterr().out == "\u2714 Gaussian KL: correct.\n"


@pytest.mark.parametrize("hint", list(MISTAKES))
def test_classic_mistakes_get_their_hint(hint):
    with pytest.raises(ExerciseFailed, match=f"Hint: {hint}"):
        verify("Gaussian KL", MISTAKES[hint], ref_kl, CASES, MISTAKES)


def test_unknown_mistake_shows_the_first_wrong_case():
    with pytest.raises(ExerciseFailed, match="your answer was"):
        verify("Gaussian KL", lambda mu, lv: mu, ref_kl, CASES, MISTAKES)


def test_not_done_yet_says_so_without_stopping_the_notebook(capsys):
    from genlib import report

    def stub(mu, lv):
        raise NotImplementedError
    assert verify("Gaussian KL stub", stub, ref_kl, CASES, MISTAKES) is False
    assert "Gaussian KL stub: not done yet" in capsys.readouterr().out
    assert report.state()["exercises"]["Gaussian KL stub"] == "not done yet"
    fn = use(False, stub, ref_kl, "Gaussian KL stub")
    assert fn is ref_kl and "reference" in capsys.readouterr().out
    assert use(True, stub, ref_kl, "Gaussian KL stub") is stub

# The solution markers and strip_solutions moved to genlib.course.students (tests/test_students.py).
