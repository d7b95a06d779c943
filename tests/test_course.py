"""The course runner (python -m genlib.course run) on tiny fixture lectures in tmp_path.

One test starts kernels (two fixture lectures at once, --jobs 2); everything else
(names, the pre-check with the lecture's own validate call and rules, bad input, resume
bookkeeping, the report) runs without a kernel. Signals are tested in test_interrupts.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from genlib.course import cli, parameters, records, registry, summary
from genlib.course.registry import UsageError

VALIDATE = ("import genlib\n"
            "P = genlib.validate(globals(), PROFILE=genlib.PROFILES, SEED=genlib.integer(min=0), "
            "N=genlib.integer(min=1))")
PARAMS = ("PROFILE: str = \"auto\"  # one of auto, cpu, full\n"
          "SEED: int = 0  # random seed, an integer >= 0\n"
          "N: int = 3  # a size, an integer >= 1")
# A lecture with a cross-parameter rule that needs the lecture's own import (genlib.data),
# like lectures 04 and 05: the bottleneck must be narrower than the image.
RULE_PARAMS = "DATASET: str = \"digits\"  # one of digits, mnist5k, mnist\nLATENT_DIM: int = 8  # an integer, at least 1"
RULE_VALIDATE = ("import numpy as np\nimport genlib\nfrom genlib import data\n\n"
                 "P = genlib.validate(globals(), DATASET=genlib.choice(*data.NAMES), LATENT_DIM=genlib.integer(min=1),\n"
                 "                    rules=[genlib.rule(\"LATENT_DIM\", lambda p: p.LATENT_DIM < data.PIXELS[p.DATASET],\n"
                 "                                       lambda p: f\"below the {data.PIXELS[p.DATASET]} pixels of {p.DATASET}\")])\n"
                 "rt = genlib.setup(\"cpu\", 0, quiet=True)")


def lecture(path: Path, *cells, params=PARAMS, validate=VALIDATE):
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
    lecture(d / "04_delta.ipynb", params=RULE_PARAMS, validate=RULE_VALIDATE)
    lecture(d / "05_offline.ipynb",  # full MNIST asked for, no source reachable: the fallback must show
            "from genlib import data\n\ndef offline(*args, **kw):\n    raise OSError('no network (fixture)')\n\n"
            f"data.sources._download = offline\nds = data.load('mnist', root={str(tmp_path / 'empty-cache')!r})\nprint(ds)")
    return d


def main(course_dir, *args):
    return cli.main(["run", "--lectures-dir", str(course_dir), *map(str, args)])


# ----------------------------------------------------------------- names and values

def test_lecture_names_resolve_by_number_name_or_full_name():
    known = ["01_entropy", "02_kl_js", "05_vae", "06_gan", "07_wgan"]
    assert registry.resolve(["02", "kl_js", "05_vae", "lectures/07_wgan.ipynb"], known) == \
        ["02_kl_js", "05_vae", "07_wgan"]
    with pytest.raises(UsageError, match="unknown lecture 'vae2'.*Known lectures: 01_entropy"):
        registry.resolve(["vae2"], known)
    with pytest.raises(UsageError, match="ambiguous"):
        registry.resolve(["gan"], ["06_gan", "07_gan"])


def test_values_are_read_like_papermill():
    from papermill.cli import _resolve_type  # the oracle: papermill's own -p reader

    for text in ["3", "-2", "0.5", "1e-3", "True", "False", "None", "cpu", "two", "3.0.1", ""]:
        got, want = parameters.parse_value(text), _resolve_type(text)
        assert got == want and type(got) is type(want), text


def test_declared_parameters_survive_an_equals_sign_in_the_comment(course_dir):
    # papermill.inspect_notebook drops 'SEED: int = 0  # ... >= 0'; the runner must not
    assert list(parameters.declared_parameters(course_dir / "01_alpha.ipynb")) == ["PROFILE", "SEED", "N"]


# ----------------------------------------------------------------- bad input: nothing runs

@pytest.mark.parametrize("args, message", [
    (["09_nope"], "unknown lecture '09_nope'"),
    (["-p", "EPOCHS", "3"], "unknown parameter EPOCHS: no selected lecture accepts it"),
    (["01", "-p", "N", "0"], "01_alpha: Parameter N must be an integer, at least 1; got 0."),
    (["01", "-p", "N", "two"], "01_alpha: Parameter N must be an integer, at least 1; got 'two'."),
    (["01", "-p", "PROFILE", "gpu"], "01_alpha: Parameter PROFILE must be one of 'auto', 'cpu', 'full'; got 'gpu'."),
    (["--jobs", "0"], "--jobs must be an integer >= 1"),
    # the LATENT_DIM fault: a rule of validate(), evaluated with the lecture's own imports
    (["04", "-p", "LATENT_DIM", "100000"], "04_delta: Parameter LATENT_DIM must be below the 64 pixels of digits; "
                                           "got 100000."),
    (["04", "-p", "DATASET", "mnist5k", "-p", "LATENT_DIM", "784"], "below the 784 pixels of mnist5k; got 784."),
])
def test_bad_input_stops_before_any_kernel_with_one_clear_line(course_dir, tmp_path, capsys, args, message):
    out = tmp_path / "runs"
    assert main(course_dir, *args, "--out", out) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "TypeError" not in err
    assert not out.exists()  # nothing was run, nothing written


def test_the_precheck_evaluates_rules_and_reports_what_it_cannot_evaluate(course_dir, capsys):
    path = course_dir / "04_delta.ipynb"
    assert parameters.precheck(path, "04_delta", {"LATENT_DIM": 63}) == ([], [])
    (bad,), _ = parameters.precheck(path, "04_delta", {"LATENT_DIM": 64})
    assert bad == "04_delta: Parameter LATENT_DIM must be below the 64 pixels of digits; got 64."
    odd = lecture(course_dir / "05_odd.ipynb", validate="import genlib\n"
                  "P = genlib.validate(globals(), N=LIMITS)  # a name defined nowhere before the call",
                  params="N: int = 3")
    errors, warnings = parameters.precheck(odd, "05_odd", {"N": 2})
    assert errors == [] and "05_odd: its validate(...) call could not be evaluated" in warnings[0]
    assert "NameError" in warnings[0]
    none = lecture(course_dir / "06_none.ipynb", validate="x = 1", params="N: int = 3")
    assert "NOT checked" in parameters.precheck(none, "06_none", {})[1][0]


def test_per_lecture_parameters_are_strict_and_name_the_lecture(course_dir, tmp_path, capsys):
    spec = tmp_path / "params.yaml"
    spec.write_text(yaml.safe_dump({"all": {"SEED": 2}, "gamma": {"N": 4}}))
    assert main(course_dir, "--params", spec, "--out", tmp_path / "r") == cli.EXIT_USAGE
    assert "03_gamma: unknown parameter N; 03_gamma accepts: SEED." in capsys.readouterr().err

    spec.write_text(yaml.safe_dump({"all": {"SEED": 2}, "01_alpha": {"N": -1}}))
    assert main(course_dir, "01", "--params", spec, "--out", tmp_path / "r") == cli.EXIT_USAGE
    assert "01_alpha: Parameter N must be an integer, at least 1; got -1." in capsys.readouterr().err

    spec.write_text("all: [1, 2")
    assert main(course_dir, "--params", spec, "--out", tmp_path / "r") == cli.EXIT_USAGE
    assert "not valid YAML" in capsys.readouterr().err


def test_parameters_merge_all_then_lecture_then_command_line(course_dir, tmp_path):
    spec = tmp_path / "params.yaml"
    spec.write_text(yaml.safe_dump({"all": {"SEED": 2, "N": 5}, "01_alpha": {"N": 7, "SEED": 4}}))
    known = registry.discover(course_dir)[:3]
    shared, per = parameters.load_params_file(spec, known)
    shared.update({"SEED": parameters.parse_value("9")})
    planned, warnings = parameters.plan(known, course_dir, shared, per)
    assert planned == {"01_alpha": {"SEED": 4, "N": 7},  # the lecture's entry beats the shared values
                       "02_beta": {"SEED": 9, "N": 5},
                       "03_gamma": {"SEED": 9}}          # N is not declared there: not passed
    assert warnings == []


def test_an_unwritable_output_folder_is_refused(course_dir, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    assert main(course_dir, "01", "--out", blocker / "runs") == cli.EXIT_USAGE
    assert "cannot write to the output folder" in capsys.readouterr().err


def test_run_help_ends_in_a_sentence_not_a_literal_block(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    text = capsys.readouterr().out
    assert "report::" not in text and not text.rstrip().endswith("::")
    assert "interrupted" in text and "validate" in text


# ----------------------------------------------------------------- a real run (kernels)

def test_run_isolates_failures_writes_records_and_report_and_resumes(course_dir, tmp_path, capsys):
    out = tmp_path / "runs"
    code = main(course_dir, "01", "02", "05", "-p", "N", "4", "-p", "SEED", "1", "--jobs", "2", "--out", out)
    assert code == cli.EXIT_FAILED  # one lecture failed
    printed = capsys.readouterr().out

    ok = json.loads((out / "01_alpha.run.json").read_text())
    assert ok["status"] == "ok" and ok["parameters"] == {"SEED": 1, "N": 4}
    assert ok["record"]["metrics"] == {"n_squared": 16, "seed": 1}  # recorded inside the kernel, with -p values
    assert ok["wall_s"] > 0
    executed = nbformat.read(str(out / "01_alpha.ipynb"), 4)
    assert any("n squared 16" in o.get("text", "") for c in executed.cells if c.cell_type == "code"
               for o in c.get("outputs", []))
    log = (out / "01_alpha.log").read_text()
    assert "without encryption" not in log and "WARNING" not in log  # the IPC transport: a quiet kernel

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
    assert "02_beta: failed" in printed
    # data provenance: the lecture asked for mnist, ran on mnist5k, and nobody may read that as a plain ok
    assert "05_offline: ok, fallback: mnist5k" in printed and "| ok, fallback: mnist5k |" in rows["05_offline"]
    (used,) = json.loads((out / "05_offline.run.json").read_text())["record"]["data"]
    assert used["asked"] == "mnist" and used["used"] == "mnist5k" and "no network (fixture)" in used["fallback"]
    shown = nbformat.read(str(out / "05_offline.ipynb"), 4).cells[-1].outputs
    assert "Dataset('mnist5k' instead of 'mnist'" in "".join(o.get("text", "") for o in shown)
    assert sorted(p.name for p in out.iterdir()) == [  # nothing else is left in the folder
        "01_alpha.ipynb", "01_alpha.log", "01_alpha.run.json",
        "02_beta.ipynb", "02_beta.log", "02_beta.run.json",
        "05_offline.ipynb", "05_offline.log", "05_offline.run.json", "report.md"]

    # --resume: 01 passed with the same notebook and parameters -> skipped (no kernel);
    # report.md still covers 02 (run earlier, failed), not only this invocation's lecture
    before = (out / "01_alpha.ipynb").stat().st_mtime_ns
    assert main(course_dir, "01", "-p", "N", "4", "-p", "SEED", "1", "--resume", "--out", out) == 0
    assert "01_alpha: up to date" in capsys.readouterr().out
    assert (out / "01_alpha.ipynb").stat().st_mtime_ns == before
    report = (out / "report.md").read_text()
    assert "ok (up to date)" in report and "| 02_beta | failed |" in report


def test_resume_reruns_on_a_changed_notebook_parameters_or_an_unfinished_run(course_dir, tmp_path):
    out = tmp_path / "runs"
    out.mkdir()
    digest = records.notebook_hash(course_dir / "01_alpha.ipynb")
    (out / "01_alpha.ipynb").write_text("{}")
    good = {"status": "ok", "notebook_sha256": digest, "parameters": {"N": 4}}
    records.write(out, "01_alpha", good)
    assert records.up_to_date(out, "01_alpha", digest, {"N": 4}) is not None
    assert records.up_to_date(out, "01_alpha", digest, {"N": 5}) is None          # other parameters
    assert records.up_to_date(out, "01_alpha", "0" * 64, {"N": 4}) is None        # notebook changed
    for status in ("failed", "running", "interrupted", "error"):
        records.write(out, "01_alpha", dict(good, status=status))
        assert records.up_to_date(out, "01_alpha", digest, {"N": 4}) is None      # it did not pass last time
    # a run's start invalidates the old result, notebook and log included
    records.write(out, "01_alpha", good)
    (out / "01_alpha.log").write_text("old log")
    records.invalidate(out, "01_alpha", {"parameters": {"N": 4}, "runner_pid": 1})
    assert records.read(out, "01_alpha")["status"] == "running"
    assert not (out / "01_alpha.ipynb").exists() and not (out / "01_alpha.log").exists()
    # a runner killed outright (SIGKILL) leaves "running": the next run calls it interrupted
    assert records.mark_stale(out) == ["01_alpha"] and records.read(out, "01_alpha")["status"] == "interrupted"


def test_report_shows_a_fallback_and_covers_every_lecture_in_the_folder(tmp_path):
    out = tmp_path / "runs"
    out.mkdir()
    data_used = {"asked": "mnist", "used": "mnist5k", "fallback": "train-labels-idx1-ubyte.gz not in ... "
                 "and could not download it from any source", "source": "FALLBACK ...", "files": {}}
    records.write(out, "04_ae", {"lecture": "04_ae", "status": "ok", "wall_s": 3.0, "parameters": {"DATASET": "mnist"},
                                 "record": {"metrics": {"loss": 0.5}, "data": [data_used]}})
    records.write(out, "05_vae", {"lecture": "05_vae", "status": "interrupted", "wall_s": 1.0,
                                  "error": {"ename": "Interrupted", "evalue": "stopped by SIGTERM"}})
    assert records.status_text(records.read(out, "04_ae")) == "ok, fallback: mnist5k"
    text = summary.write(out, [records.read(out, "04_ae")]).read_text()
    rows = {ln.split("|")[1].strip(): ln for ln in text.splitlines() if ln.startswith("| 0")}
    assert "| ok, fallback: mnist5k |" in rows["04_ae"] and "mnist5k (asked for mnist)" in rows["04_ae"]
    assert "| interrupted |" in rows["05_vae"]  # written by another invocation: still reported
    assert "0 of 2 lectures in this folder passed" not in text and "1 of 2 lectures in this folder passed" in text
    assert "### 04_ae: ok, fallback: mnist5k" in text and "asked for mnist, used mnist5k" in text


def test_every_real_lecture_is_checked_in_advance():
    """The runner reads each committed lecture's parameters and evaluates its validate call (no kernel)."""
    lectures = registry.LECTURES
    names = registry.discover(lectures)
    assert names == registry.lectures(), "one lecture list: lectures/src and lectures/*.ipynb agree"
    for name in names:
        path = lectures / f"{name}.ipynb"
        declared = parameters.declared_parameters(path)
        assert {"PROFILE", "SEED"} <= set(declared), name
        assert parameters.precheck(path, name, {"PROFILE": "cpu", "SEED": 1}) == ([], []), name
        (bad,), _ = parameters.precheck(path, name, {"PROFILE": "nonsense"})
        assert bad.startswith(f"{name}: ") and "PROFILE" in bad and "'auto', 'cpu', 'full'" in bad
        (bad,), _ = parameters.precheck(path, name, {"SEED": -1})
        assert "SEED" in bad and "at least 0" in bad
        (bad,), _ = parameters.precheck(path, name, {"SEDE": 1})
        assert f"{name}: unknown parameter SEDE" in bad


@pytest.mark.parametrize("name", [n for n in registry.lectures()
                                  if "LATENT_DIM" in parameters.declared_parameters(registry.LECTURES / f"{n}.ipynb")])
def test_the_bottleneck_rule_of_a_real_lecture_stops_latent_dim_100000_in_advance(name):
    """The fault as an instructor met it: -p LATENT_DIM 100000 passed the pre-check, then failed in the kernel."""
    errors, warnings = parameters.precheck(registry.LECTURES / f"{name}.ipynb", name, {"LATENT_DIM": 100000})
    assert warnings == [] and len(errors) == 1, (errors, warnings)
    assert errors[0].startswith(f"{name}: Parameter LATENT_DIM must be ") and errors[0].endswith("got 100000.")
