"""The course runner (genlib.course run) on tiny fixture lectures in tmp_path.

One test starts kernels (two fixture lectures at once, --jobs 2); everything
else (names, parameter checks, bad input, resume bookkeeping, the report) runs
without a kernel.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from genlib import course

VALIDATE = ("import genlib\n"
            "P = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0), "
            "N=genlib.integer(min=1))")


def lecture(path: Path, *cells, params="PROFILE: str = \"auto\"  # one of auto, cpu, full\n"
                                       "SEED: int = 0  # random seed, an integer >= 0\n"
                                       "N: int = 3  # a size, an integer >= 1",
            validate=VALIDATE):
    nb = new_notebook(cells=[
        new_markdown_cell("# A fixture lecture"),
        new_code_cell(params, metadata={"tags": ["parameters"]}),
        new_code_cell(validate),
        *[new_code_cell(c) for c in cells],
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def course_dir(tmp_path):
    d = tmp_path / "lectures"
    d.mkdir()
    lecture(d / "01_alpha.ipynb",
            "from genlib import report\nreport.record('n_squared', P.N ** 2)\nreport.record('seed', P.SEED)\n"
            "print('n squared', P.N ** 2)")
    lecture(d / "02_beta.ipynb",
            "x = P.N + 1",
            "y = 1 / (P.N - P.N)  # the failing cell",
            "print('never reached')")
    lecture(d / "03_gamma.ipynb", params="SEED: int = 0", validate="import genlib\n"
            "P = genlib.validate(globals(), SEED=genlib.integer(min=0))")
    return d


def main(course_dir, *args):
    return course.main(["run", "--lectures-dir", str(course_dir), *map(str, args)])


# ----------------------------------------------------------------- names and values

def test_lecture_names_resolve_by_number_name_or_full_name():
    known = ["01_entropy", "02_kl_js", "05_vae", "06_gan", "07_wgan"]
    assert course.resolve(["02", "kl_js", "05_vae", "lectures/07_wgan.ipynb"], known) == \
        ["02_kl_js", "05_vae", "07_wgan"]
    with pytest.raises(course.UsageError, match="unknown lecture 'vae2'.*Known lectures: 01_entropy"):
        course.resolve(["vae2"], known)
    with pytest.raises(course.UsageError, match="ambiguous"):
        course.resolve(["gan"], ["06_gan", "07_gan"])


def test_values_are_read_like_papermill():
    from papermill.cli import _resolve_type  # the oracle: papermill's own -p reader

    for text in ["3", "-2", "0.5", "1e-3", "True", "False", "None", "cpu", "two", "3.0.1", ""]:
        got, want = course.parse_value(text), _resolve_type(text)
        assert got == want and type(got) is type(want), text


def test_declared_parameters_survive_an_equals_sign_in_the_comment(course_dir):
    # papermill.inspect_notebook drops 'SEED: int = 0  # ... >= 0'; the runner must not
    assert list(course.declared_parameters(course_dir / "01_alpha.ipynb")) == ["PROFILE", "SEED", "N"]


# ----------------------------------------------------------------- bad input: nothing runs

@pytest.mark.parametrize("args, message", [
    (["09_nope"], "unknown lecture '09_nope'"),
    (["-p", "EPOCHS", "3"], "unknown parameter EPOCHS: no selected lecture accepts it"),
    (["01", "-p", "N", "0"], "01_alpha: Parameter N must be an integer, at least 1; got 0"),
    (["01", "-p", "N", "two"], "01_alpha: Parameter N must be an integer, at least 1; got 'two'"),
    (["-p", "PROFILE", "gpu"], "Parameter PROFILE must be one of 'auto', 'cpu', 'full'; got 'gpu'"),
    (["--jobs", "0"], "--jobs must be an integer >= 1"),
])
def test_bad_input_stops_before_any_kernel(course_dir, tmp_path, capsys, args, message):
    out = tmp_path / "runs"
    assert main(course_dir, *args, "--out", out) == course.EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err, err
    assert not list(out.glob("*.ipynb")) if out.exists() else True


def test_per_lecture_parameters_are_strict_and_name_the_lecture(course_dir, tmp_path, capsys):
    spec = tmp_path / "params.yaml"
    spec.write_text(yaml.safe_dump({"all": {"SEED": 2}, "gamma": {"N": 4}}))
    assert main(course_dir, "--params", spec, "--out", tmp_path / "r") == course.EXIT_USAGE
    assert "03_gamma: unknown parameter N; 03_gamma accepts: SEED." in capsys.readouterr().err

    spec.write_text(yaml.safe_dump({"all": {"SEED": 2}, "01_alpha": {"N": -1}}))
    assert main(course_dir, "--params", spec, "--out", tmp_path / "r") == course.EXIT_USAGE
    assert "01_alpha: Parameter N must be an integer, at least 1; got -1." in capsys.readouterr().err

    spec.write_text("all: [1, 2")
    assert main(course_dir, "--params", spec, "--out", tmp_path / "r") == course.EXIT_USAGE
    assert "not valid YAML" in capsys.readouterr().err


def test_parameters_merge_all_then_lecture_then_command_line(course_dir, tmp_path):
    spec = tmp_path / "params.yaml"
    spec.write_text(yaml.safe_dump({"all": {"SEED": 2, "N": 5}, "01_alpha": {"N": 7, "SEED": 4}}))
    known = course.discover(course_dir)
    shared, per = course.load_params_file(spec, known)
    shared.update({"SEED": course.parse_value("9")})
    planned = course.plan(known, course_dir, shared, per)
    assert planned == {"01_alpha": {"SEED": 4, "N": 7},  # the lecture's entry beats the shared values
                       "02_beta": {"SEED": 9, "N": 5},
                       "03_gamma": {"SEED": 9}}          # N is not declared there: not passed


def test_an_unwritable_output_folder_is_refused(course_dir, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    assert main(course_dir, "01", "--out", blocker / "runs") == course.EXIT_USAGE
    assert "cannot write to the output folder" in capsys.readouterr().err


# ----------------------------------------------------------------- a real run (kernels)

def test_run_isolates_failures_writes_metrics_and_report_and_resumes(course_dir, tmp_path, capsys):
    out = tmp_path / "runs"
    code = main(course_dir, "01", "02", "-p", "N", "4", "-p", "SEED", "1", "--jobs", "2", "--out", out)
    assert code == course.EXIT_FAILED  # one lecture failed
    printed = capsys.readouterr().out

    ok = json.loads((out / "01_alpha.run.json").read_text())
    assert ok["status"] == "ok" and ok["parameters"] == {"SEED": 1, "N": 4}
    assert ok["metrics"] == {"n_squared": 16, "seed": 1}  # recorded inside the kernel, with -p values
    assert ok["wall_s"] > 0
    executed = nbformat.read(str(out / "01_alpha.ipynb"), 4)
    assert any("n squared 16" in o.get("text", "") for c in executed.cells if c.cell_type == "code"
               for o in c.get("outputs", []))

    bad = json.loads((out / "02_beta.run.json").read_text())
    assert bad["status"] == "failed"
    src = nbformat.read(str(course_dir / "02_beta.ipynb"), 4)
    failing = next(i for i, c in enumerate(src.cells) if "the failing cell" in c.source)
    assert bad["error"]["cell_index"] == failing
    assert bad["error"]["first_line"] == "y = 1 / (P.N - P.N)  # the failing cell"
    assert bad["error"]["ename"] == "ZeroDivisionError"
    assert (out / "02_beta.ipynb").exists()  # the executed notebook, with the error in it

    report = (out / "report.md").read_text()
    rows = {ln.split("|")[1].strip(): ln for ln in report.splitlines() if ln.startswith("| 0")}
    assert " ok " in rows["01_alpha"] and "n_squared=16" in rows["01_alpha"]
    assert " failed " in rows["02_beta"]
    assert f"cell {failing}" in report and "ZeroDivisionError: division by zero" in report
    assert "y = 1 / (P.N - P.N)" in report
    assert "<table>" in (out / "report.html").read_text()
    assert "02_beta: failed" in printed

    # --resume: 01 passed with the same notebook and parameters -> skipped (no kernel)
    before = (out / "01_alpha.ipynb").stat().st_mtime_ns
    assert main(course_dir, "01", "-p", "N", "4", "-p", "SEED", "1", "--resume", "--out", out) == 0
    assert "01_alpha: up to date" in capsys.readouterr().out
    assert (out / "01_alpha.ipynb").stat().st_mtime_ns == before
    assert "ok (up to date)" in (out / "report.md").read_text()


def test_resume_reruns_on_a_changed_notebook_parameters_or_failure(course_dir, tmp_path):
    out = tmp_path / "runs"
    out.mkdir()
    nb = course_dir / "01_alpha.ipynb"
    digest = course.notebook_hash(nb)
    (out / "01_alpha.ipynb").write_text("{}")
    record = {"status": "ok", "notebook_sha256": digest, "parameters": {"N": 4}}
    (out / "01_alpha.run.json").write_text(json.dumps(record))
    assert course._up_to_date(out, "01_alpha", digest, {"N": 4}) is not None
    assert course._up_to_date(out, "01_alpha", digest, {"N": 5}) is None          # other parameters
    assert course._up_to_date(out, "01_alpha", "0" * 64, {"N": 4}) is None        # notebook changed
    (out / "01_alpha.run.json").write_text(json.dumps(dict(record, status="failed")))
    assert course._up_to_date(out, "01_alpha", digest, {"N": 4}) is None          # it failed last time


def test_every_real_lecture_is_checked_in_advance():
    """The runner reads each committed lecture's parameters and runs its validation spec (no kernel)."""
    lectures = course.LECTURES
    names = course.discover(lectures)
    assert names, "no lectures found"
    for name in names:
        path = lectures / f"{name}.ipynb"
        declared = course.declared_parameters(path)
        assert {"PROFILE", "SEED"} <= set(declared), name
        assert course.check_parameters(path, name, {"PROFILE": "cpu", "SEED": 1}) == []
        (bad,) = course.check_parameters(path, name, {"PROFILE": "nonsense"})
        assert bad.startswith(f"{name}: ") and "PROFILE" in bad and "'auto', 'cpu', 'full'" in bad
        (bad,) = course.check_parameters(path, name, {"SEED": -1})
        assert "SEED" in bad and "at least 0" in bad
        (bad,) = course.check_parameters(path, name, {"SEDE": 1})
        assert f"{name}: unknown parameter SEDE" in bad
