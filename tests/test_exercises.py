"""Exercise self-checks: the right answer passes, every known wrong answer gets its hint,
an unknown one gets the smallest failing input, rounded; a stub says "not done yet"."""
import numpy as np
import pytest

from genlib import exercises, report
from genlib.exercises import ExerciseFailed, Wrong, check, exercise, solution


def ref_kl(mu, logvar):
    return 0.5 * (mu ** 2 + np.exp(logvar) - 1 - logvar)


MISTAKES = {
    "you forgot the factor 1/2": lambda mu, lv: mu ** 2 + np.exp(lv) - 1 - lv,
    "the sign is flipped": lambda mu, lv: -ref_kl(mu, lv),
}
exercise("test: Gaussian KL", what="a test exercise",
         cases=lambda: [(np.array([0.5, -1.0, 2.0]), np.array([0.2, -0.3, 0.1])), (np.array([0.3]), np.array([1.0]))],
         mistakes=MISTAKES)(ref_kl)


def _judge(fit):
    value = fit(3)
    if value < 0:
        raise Wrong("the value must be positive: did you flip the sign?")
    return "value within range"


exercise("test: judged", judge=_judge, mistakes={"flip the sign": lambda n: -n})(lambda n: n)


def test_correct_answer(capsys):
    assert check("test: Gaussian KL", ref_kl) is None
    out = capsys.readouterr().out
    assert out.startswith("\u2714 test: Gaussian KL: correct (checked against the reference on 2 inputs")
    assert report.state()["exercises"]["test: Gaussian KL"] == "done"
    assert solution("test: Gaussian KL", ref_kl) is ref_kl


@pytest.mark.parametrize("hint", list(MISTAKES))
def test_classic_mistakes_get_their_hint(hint):
    with pytest.raises(ExerciseFailed, match=f"Hint: {hint}"):
        check("test: Gaussian KL", MISTAKES[hint])


def test_unknown_mistake_shows_the_smallest_failing_input_rounded():
    with pytest.raises(ExerciseFailed) as e:
        check("test: Gaussian KL", lambda mu, lv: mu / 3)
    msg = str(e.value)
    assert "none of the classic mistakes" in msg
    assert "Smallest input where it differs: ([0.3], [1.])" in msg
    assert "your answer: [0.1]" in msg and "expected:    [0.4041]" in msg


def test_wrong_answer_renders_without_a_traceback():
    with pytest.raises(ExerciseFailed) as e:
        check("test: Gaussian KL", MISTAKES["the sign is flipped"])
    lines = e.value._render_traceback_()
    text = "\n".join(lines)
    assert "Traceback" not in text and "exercises.py" not in text
    assert "Hint: the sign is flipped" in text


def test_not_done_yet_says_so_and_the_reference_stands_in(capsys):
    def stub(mu, lv):
        raise NotImplementedError
    exercise("test: stub", cases=lambda: [(np.zeros(1), np.zeros(1))])(ref_kl)
    assert check("test: stub", stub) is None
    out = capsys.readouterr().out
    assert "test: stub: not done yet" in out
    assert report.state()["exercises"]["test: stub"] == "not done yet"
    assert solution("test: stub", stub) is ref_kl
    assert "reference" in capsys.readouterr().out


def test_judged_exercise():
    check("test: judged", lambda n: n)
    with pytest.raises(ExerciseFailed, match="flip the sign"):
        check("test: judged", lambda n: -n)


def test_registration_errors():
    with pytest.raises(ValueError, match="either cases or a judge"):
        exercise("test: neither")
    with pytest.raises(ValueError, match="registered twice"):
        exercise("test: Gaussian KL", cases=lambda: [(1,)])(ref_kl)
    with pytest.raises(KeyError, match="no exercise named"):
        exercises.lookup("no such exercise")


# Every exercise of the course: its reference passes its own check, and each classic mistake it
# lists is named by the check (function exercises by comparison, judged ones by their judge).
# A judged exercise's reference trains a model; the instructor notebook runs exactly that check
# on its solution, and strict nbval reproduces its verdict, so here only the function
# exercises' references run (milliseconds), and every known wrong answer of both kinds.
COURSE = [n for n in exercises.names() if not n.startswith("test: ")]
FUNCTIONS = [n for n in COURSE if exercises.lookup(n).judge is None]
KNOWN_WRONG = [(n, h) for n in COURSE for h in exercises.lookup(n).mistakes]


def test_the_course_has_judged_and_function_exercises():
    assert FUNCTIONS and len(FUNCTIONS) < len(COURSE)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_course_reference_passes(name, capsys):
    check(name, exercises.lookup(name).reference)
    assert capsys.readouterr().out.startswith(f"\u2714 {name}: correct")


@pytest.mark.parametrize("name,hint", KNOWN_WRONG)
def test_course_wrong_answers_get_their_hint(name, hint):
    with pytest.raises(ExerciseFailed) as e:
        check(name, exercises.lookup(name).mistakes[hint])
    assert hint in str(e.value)
