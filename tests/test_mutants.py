"""Mutation tests in CI: every mutant of every lecture is killed by a claim or an exercise check.

Each lecture with a file ``tests/mutants/NN_name.py`` is one test (marked ``papermill``, so
the xdist workers share them out one by one): the lecture runs once, forking just before
each mutated cell, and each mutant stops at its first failing claim, so a mutant costs the
cells from its own to its kill (``mutants.run_all``, ``tests/mutants/driver.py``). The framework itself is tested first,
on a tiny notebook with one claim: a mutant that breaks the formula is killed, one
that changes nothing the claim sees survives and is reported so, one that breaks the
code (NameError) is an error, not a kill, and a mutant whose text matches twice is
refused before anything runs.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests import mutants
from tests.mutants import Mutant

LECTURES = mutants.manifest.lectures()
WITH_MUTANTS = mutants.lectures_with_mutants()
MIN_MUTANTS = 3

# ---------------------------------------------------------------- the framework, on a tiny notebook

TINY = [
    ('PROFILE = "cpu"\nSEED = 0', ["parameters"]),
    ("import math\n"
     "from genlib import check\n"
     "\n"
     "def kl(p, q):\n"
     "    return sum(pi * math.log(pi / qi) for pi, qi in zip(p, q))\n"
     "\n"
     "p, q = [0.5, 0.5], [0.9, 0.1]", []),
    ('check.claim("KL between two different distributions is positive", kl(p, q) > 0)', []),
    ('check.claim("the seed of the committed run", SEED == 0)', []),
    ('print("the end")', []),
]
KILLED = Mutant("KL with the wrong sign", "pi * math.log(pi / qi)", "-pi * math.log(pi / qi)")
SURVIVES = Mutant("another q (the claim still holds)", "[0.9, 0.1]", "[0.8, 0.2]")
ERRORS = Mutant("a misspelt module", "math.log(pi / qi)", "mth.log(pi / qi)")
TWICE = Mutant("matches twice", "pi", "p_i")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for source, tags in TINY:
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    nbformat.write(nb, folder / "00_tiny.ipynb")
    return folder


@pytest.mark.papermill
@pytest.mark.parametrize("m, verdict, says", [
    (KILLED, "killed", "ClaimFailed: Claim failed: KL between two different distributions is positive"),
    (SURVIVES, "survived", "ran to the end"),
    (ERRORS, "error", "NameError"),
], ids=["killed", "survived", "error"])
def test_the_framework_tells_killed_survived_and_error(tiny, tmp_path, m, verdict, says):
    got, detail = mutants.run("00_tiny", m, tmp_path, lectures=tiny)
    assert (got, says in detail) == (verdict, True), detail
    assert "cell 1 mutated" in detail


def test_a_mutant_that_matches_twice_is_refused_before_running(tiny):
    nb = nbformat.read(tiny / "00_tiny.ipynb", as_version=4)
    with pytest.raises(ValueError, match="occurs 3 times"):
        mutants.mutate(nb, TWICE)
    with pytest.raises(ValueError, match="occurs 0 times"):
        mutants.mutate(nb, Mutant("not in the lecture", "no such text", "x"))
    assert mutants.mutate(nb, KILLED) == 1 and "-pi * math.log" in nb.cells[1].source



@pytest.mark.papermill
def test_one_run_judges_each_mutant_as_if_it_ran_alone(tiny, tmp_path):
    """run_all forks before each mutated cell: a mutant's change stays in its own fork (the
    mutant after it, on the same cell, sees the original code), a mutant of a genlib module
    is imported instead of genlib (the fork happens before any cell imports it), and a
    mutant's own parameters reach its run only."""
    flipped = Mutant("a claim that never holds (in genlib, not the notebook)", "ok = bool(np.all(arr))",
                     "ok = not bool(np.all(arr))", module="genlib/check.py")
    seed = Mutant("the same code at another seed", "[0.9, 0.1]", "[0.9, 0.1]", params=(("SEED", 3),))
    got = mutants.run_all("00_tiny", [KILLED, SURVIVES, ERRORS, flipped, seed], tmp_path, lectures=tiny)
    assert [v for v, _ in got] == ["killed", "survived", "error", "killed", "killed"], got
    assert got[3][1].startswith("genlib/check.py mutated") and "ClaimFailed" in got[3][1], got[3]
    assert "the seed of the committed run" in got[4][1], got[4]


@pytest.mark.papermill
def test_a_mutant_that_hangs_is_stopped_and_the_others_still_judged(tiny, tmp_path):
    hangs = Mutant("an endless loop", "p, q = [0.5, 0.5]", "while True: pass\np, q = [0.5, 0.5]")
    got = mutants.run_all("00_tiny", [hangs, KILLED], tmp_path, timeout=2, lectures=tiny)
    assert got[0][0] == "error" and "over 2 s" in got[0][1], got[0]
    assert got[1][0] == "killed", got[1]

@pytest.mark.papermill
def test_the_command_line_fails_unless_every_mutant_is_killed(tiny, monkeypatch, capsys):
    """``python -m tests.mutants`` exits 1 when a mutant survives (the same loop CI's tests run)."""
    import runpy

    monkeypatch.setenv("GENLIB_HEADLESS", "1")
    monkeypatch.setattr(mutants, "LECTURES", tiny)
    monkeypatch.setattr(mutants, "lectures_with_mutants", lambda: ["00_tiny"])
    monkeypatch.setattr(mutants, "mutants_of", lambda name: [SURVIVES])
    monkeypatch.setattr("sys.argv", ["tests.mutants"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("tests.mutants.__main__", run_name="__main__")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "00_tiny: survived" in out and "0 killed, 1 survived, 0 error" in out


# ---------------------------------------------------------------- the lectures' own mutants

def test_every_lecture_has_its_mutants():
    """The issue asks for at least three mutants of each lecture's central formulas."""
    counts = {name: len(mutants.mutants_of(name)) if name in WITH_MUTANTS else 0 for name in LECTURES}
    short = {name: n for name, n in counts.items() if n < MIN_MUTANTS}
    assert not short, (f"lectures with fewer than {MIN_MUTANTS} mutants in tests/mutants/NN_name.py: "
                       + ", ".join(f"{k} ({v})" for k, v in short.items()))


@pytest.mark.parametrize("name", WITH_MUTANTS)
def test_each_mutant_applies_exactly_once(name, tmp_path):
    """Cheap, before anything runs: every mutant's text occurs once in the lecture's code cells."""
    assert (mutants.ROOT / "tests" / "mutants" / f"{name}.py").is_file()
    nb = nbformat.read(mutants.LECTURES / f"{name}.ipynb", as_version=4)
    problems = []
    whats = [m.what for m in mutants.mutants_of(name)]
    assert len(set(whats)) == len(whats), "two mutants share a description"
    for m in mutants.mutants_of(name):
        try:
            if m.module:
                mutants.mutate_module(m, tmp_path / f"site{len(problems)}-{whats.index(m.what)}")
            else:
                mutants.mutate(nbformat.from_dict(nb), m)
        except ValueError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


@pytest.mark.papermill
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(WITH_MUTANTS, key=lambda n: -len(mutants.mutants_of(n))))
def test_every_mutant_is_killed(name, tmp_path):
    """One test per lecture: the lecture runs once and forks before each mutated cell
    (``mutants.run_all``), so a mutant costs the cells from its own on; the failure lists
    each mutant that was not killed, with where it stopped."""
    ms = mutants.mutants_of(name)
    results = mutants.run_all(name, ms, tmp_path)
    bad = [f"mutant {m.what!r} {verdict}: {detail}" for m, (verdict, detail) in zip(ms, results) if verdict != "killed"]
    assert not bad, f"{name}: {len(bad)} of {len(ms)} mutants not killed:\n" + "\n".join(bad)
