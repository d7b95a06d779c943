"""Instructors run lectures with papermill: good parameters run, bad ones fail in the first cells."""
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from genlib import notebooks

LECTURES = notebooks.LECTURES
NAMES = notebooks.lecture_names()


def run(name, tmp_path, **params):
    out = tmp_path / f"{name}.out.ipynb"
    pm.execute_notebook(str(LECTURES / f"{name}.ipynb"), str(out), parameters=params, kernel_name="python3",
                        cwd=str(LECTURES), progress_bar=False, log_output=False)
    return nbformat.read(out, 4)


def failure(name, tmp_path, **params):
    with pytest.raises(pm.PapermillExecutionError) as e:
        run(name, tmp_path, **params)
    err = e.value
    executed = nbformat.read(tmp_path / f"{name}.out.ipynb", 4)
    code_cells = [c for c in executed.cells if c.cell_type == "code"]
    failed_at = next(i for i, c in enumerate(code_cells)
                     if any(o.get("output_type") == "error" for o in c.get("outputs", [])))
    return err, failed_at


def int_parameters(name):
    params = pm.inspect_notebook(str(LECTURES / f"{name}.ipynb"))
    return [p for p, info in params.items() if info["inferred_type_name"] == "int" and p != "SEED"]


@pytest.mark.papermill
@pytest.mark.parametrize("name", NAMES)
def test_bad_profile_fails_in_the_first_cells(name, tmp_path):
    err, failed_at = failure(name, tmp_path, PROFILE="nonsense")
    assert err.ename == "ValueError"
    assert "PROFILE" in err.evalue and "'auto'" in err.evalue and "'cpu'" in err.evalue and "'full'" in err.evalue
    assert failed_at <= 4, f"failed only at code cell {failed_at}"


@pytest.mark.papermill
@pytest.mark.parametrize("name", NAMES)
def test_bad_counts_and_misspelt_names_fail_at_once(name, tmp_path):
    cases = [(p, -3) for p in int_parameters(name)] + [("SEED", 2.5), ("SEED", "two")]
    for p, bad in cases:
        err, failed_at = failure(name, tmp_path, **{p: bad})
        assert err.ename == "ValueError" and p in err.evalue, (p, bad, err.evalue)
        assert failed_at <= 4
    err, failed_at = failure(name, tmp_path, SEEED=1)
    assert "Unknown parameter SEEED" in err.evalue and failed_at <= 4


@pytest.mark.papermill
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_runs_with_another_seed(name, tmp_path):
    """Claims must hold for other seeds too, not just the committed run's."""
    nb = run(name, tmp_path, SEED=1, PROFILE="cpu")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not any(o.output_type == "error" for o in outputs)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "\u2714" in text, "a lecture checks its claims"
