"""Run All on every real lecture's student copy reaches the end (the instructor preview,
`python -m genlib.course students --check`, is what runs them)."""
from __future__ import annotations

import pytest

from genlib.course import cli, registry


@pytest.mark.slow  # every lecture, executed as a student gets it (about 2 minutes on 2 cores)
def test_run_all_on_every_student_copy_reaches_the_end(capsys):
    """The fault: a student copy stopped at its first exercise check (in 05, 9 of 30 cells ran).
    `students --check` executes each committed copy through the runner and lists its exercises."""
    code = cli.main(["students", "--check", "--jobs", "2"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    for name in registry.lectures():
        assert f"{name}: ran to the end" in printed, printed
    states = [ln.split(None, 3) for ln in printed.splitlines() if ln.startswith("    ")]
    assert states and all(ln[:3] == ["not", "done", "yet"] for ln in states), printed
