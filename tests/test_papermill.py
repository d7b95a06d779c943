"""Instructors run lectures with papermill: good parameters run, bad ones fail in the first cells.

Every value a lecture's ``validate`` call accepts must run to the end: each lecture runs
once with every integer parameter at its declared minimum (read from the validation
call itself, not copied here). A misspelt lower-case name (``-p epochs 2``) fails in the
validation cell, under plain papermill. Each test that executes a lecture is marked
``papermill`` and runs in a kernel of its own, so the xdist workers share them out.

What ``validate`` accepts or refuses value by value is checked in-process, by evaluating
the lecture's own validation call on its parameters cell with one value changed (no
kernel: milliseconds); one papermill run per lecture, the kinds of mistake taken in turn, shows
that the refusal also happens in the kernel, in the first cells. The student copy of each lecture
runs to the end at another seed (SEED 1): Run All works before any exercise is done, and the
claims hold at a seed other than the committed run's; that test is marked ``colab_stack`` and
runs in the Colab-stack venv (``.ci/colab_stack.sh``, the second half of ``make test``).
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from genlib.course import registry

LECTURES = registry.LECTURES
NAMES = registry.lectures()
FIRST_CELLS = 4   # a refused parameter must stop the notebook by this code cell


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


# ---------------------------------------------------------------- the lecture's own validation call

class Validation:
    """A lecture's parameters cell and validation call, evaluated in this process."""

    def __init__(self, name: str):
        nb = nbformat.read(LECTURES / f"{name}.ipynb", as_version=4)
        i = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
        self.parameters_source = nb.cells[i].source
        self.defaults = self._exec(self.parameters_source)
        self.names = [k for k in self.defaults if k.isupper()]
        for cell in nb.cells[i + 1:]:
            if cell.cell_type == "code" and "validate(" in cell.source:
                tree = ast.parse(cell.source)
                break
        else:
            raise AssertionError(f"{name}: no validate(...) call after the parameters cell")
        for k, stmt in enumerate(tree.body):
            call = next((n for n in ast.walk(stmt) if isinstance(n, ast.Call)
                         and (getattr(n.func, "attr", None) or getattr(n.func, "id", None)) == "validate"), None)
            if call is not None:
                break
        # what the cell does before the call (its imports), then the call itself
        self.prelude = compile(ast.Module(body=tree.body[:k], type_ignores=[]), f"<{name}: validation>", "exec")
        self.call = compile(ast.Expression(body=call), f"<{name}: validation>", "eval")
        self.spec_exprs = {kw.arg: compile(ast.Expression(body=kw.value), f"<{name}: {kw.arg}>", "eval")
                           for kw in call.keywords if kw.arg and kw.arg != "rules"}

    @staticmethod
    def _exec(source, ns=None):
        ns = {} if ns is None else ns
        exec(compile(source, "<parameters>", "exec"), ns)
        return {k: v for k, v in ns.items() if not k.startswith("_")}

    def namespace(self, **given):
        ns: dict = {}
        exec(compile(self.parameters_source, "<parameters>", "exec"), ns)
        ns.update(given)
        exec(self.prelude, ns)
        return ns

    def __call__(self, **given):
        """The lecture's ``validate(globals(), ...)`` with ``given`` injected as papermill would."""
        ns = self.namespace(**given)
        return eval(self.call, ns)

    def specs(self) -> dict:
        ns = self.namespace()
        return {k: eval(expr, ns) for k, expr in self.spec_exprs.items()}

    def int_parameters(self) -> list[str]:
        return [k for k in self.names if isinstance(self.defaults[k], int) and not isinstance(self.defaults[k], bool)]

    def minimum(self, name: str) -> int | None:
        """The smallest integer the spec of ``name`` accepts (None: no minimum)."""
        spec = self.specs()[name]

        def ok(v):
            try:
                spec(name, v)
                return True
            except ValueError:
                return False

        lo, hi = -10**9, self.defaults[name]
        assert ok(hi), f"the default {name} = {hi} is refused by its own spec"
        if ok(lo):
            return None
        while hi - lo > 1:   # lo refused, hi accepted: the accepted values form an interval
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if ok(mid) else (mid, hi)
        return hi

    def minimums(self) -> dict:
        return {k: self.minimum(k) for k in self.int_parameters()}


@pytest.fixture(scope="module")
def validations():
    return {name: Validation(name) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_every_integer_parameter_declares_its_minimum(name, validations):
    v = validations[name]
    mins = v.minimums()
    assert "SEED" in mins and mins["SEED"] == 0
    assert all(m is not None for m in mins.values()), f"{name}: integer parameters without a minimum: {mins}"
    assert set(v.spec_exprs) == set(v.names), f"{name}: validate() and the parameters cell name different parameters"
    v()   # the defaults pass


@pytest.mark.parametrize("name", NAMES)
def test_bad_values_and_misspelt_names_are_refused_in_process(name, validations):
    v = validations[name]
    cases = [(p, m - 1) for p, m in v.minimums().items() if m is not None]
    cases += [(p, -3) for p in v.int_parameters()] + [("SEED", 2.5), ("SEED", "two"), ("SEED", True)]
    for p, bad in cases:
        with pytest.raises(ValueError, match=p):
            v(**{p: bad})
    with pytest.raises(ValueError, match="Unknown parameter SEEED"):
        v(SEEED=1)
    for p in v.names:
        with pytest.raises(ValueError, match=f"Unknown parameter {p.lower()} \\(did you mean {p}\\?\\)"):
            v(**{p.lower(): v.defaults[p]})


# ---------------------------------------------------------------- in a kernel, through papermill
# What validate refuses is checked above for every lecture and every parameter, in-process. In a
# kernel, each lecture shows one kind of refusal (the kinds taken in turn, so each kind is shown by
# several lectures): the refusal happens there too, under plain papermill, in the first cells.

def _bad_profile(v):
    return {"PROFILE": "nonsense"}, lambda e: ("PROFILE" in e.evalue and "'auto'" in e.evalue
                                                and "'cpu'" in e.evalue and "'full'" in e.evalue)


def _below_minimum(v):
    p = next((p for p in v.int_parameters() if p != "SEED"), "SEED")
    return {p: v.minimum(p) - 1}, lambda e: p in e.evalue


def _misspelt(v):
    """``papermill -p epochs 2``: papermill injects ``epochs = 2``; validate refuses it and names EPOCHS."""
    p = next((p for p in v.int_parameters() if p != "SEED"), "SEED")
    return {p.lower(): v.defaults[p]}, lambda e: f"Unknown parameter {p.lower()} (did you mean {p}?)" in e.evalue


KINDS = [_bad_profile, _below_minimum, _misspelt]
REFUSALS = [(name, KINDS[i % len(KINDS)]) for i, name in enumerate(NAMES)]


@pytest.mark.papermill
@pytest.mark.parametrize("name,kind", REFUSALS, ids=[f"{n}-{k.__name__.strip('_')}" for n, k in REFUSALS])
def test_a_bad_parameter_fails_in_the_first_cells(name, kind, tmp_path, validations):
    params, names_it = kind(validations[name])
    err, failed_at = failure(name, tmp_path, **params)
    assert err.ename == "ValueError" and names_it(err), err.evalue
    assert failed_at <= FIRST_CELLS, f"failed only at code cell {failed_at}"


def test_every_kind_of_refusal_is_shown_in_a_kernel():
    assert {k for _, k in REFUSALS} == set(KINDS) or len(NAMES) < len(KINDS)


@pytest.mark.papermill
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_runs_to_the_end_with_every_integer_parameter_at_its_minimum(name, tmp_path, validations, monkeypatch):
    """Every value validate accepts runs: a claim that needs a budget is skipped visibly (check.needs).
    On the native kernel path (what runs is in question here, not on which kernels: strict nbval
    compares the outputs on ATEN_CPU_CAPABILITY=default), a third faster."""
    monkeypatch.delenv("ATEN_CPU_CAPABILITY", raising=False)   # the kernel inherits this process's environment
    mins = validations[name].minimums()
    try:
        nb = run(name, tmp_path, PROFILE="cpu", **mins)
    except pm.PapermillExecutionError as exc:
        pytest.fail(f"{name} at its minimums {mins} stopped at cell {exc.cell_index}: {exc.ename}: {exc.evalue}")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "not every code cell ran"


@pytest.mark.papermill
@pytest.mark.slow
@pytest.mark.colab_stack
@pytest.mark.parametrize("name", NAMES)
def test_the_student_copy_runs_to_the_end_at_another_seed(name, tmp_path, monkeypatch):
    """Three faults in one run: a student copy that stops at its first exercise check (Run All must
    reach the end, genlib's reference standing in for each exercise not done yet), a claim that
    holds at the committed run's seed only (the claims must hold at SEED 1 too), and a cell that
    needs a newer widget, IPython or matplotlib API than Colab's: `make test` runs this test in
    the Colab-stack venv (.ci/colab_stack.sh), on the native kernel path (the main suite runs on
    ATEN_CPU_CAPABILITY=default)."""
    monkeypatch.delenv("ATEN_CPU_CAPABILITY", raising=False)   # the kernel inherits this process's environment
    student = LECTURES / "students" / f"{name}.ipynb"
    out = tmp_path / f"{name}.student.ipynb"
    try:
        pm.execute_notebook(str(student), str(out), parameters={"SEED": 1, "PROFILE": "cpu"}, kernel_name="python3",
                            cwd=str(student.parent), progress_bar=False, log_output=False)
    except pm.PapermillExecutionError as exc:
        pytest.fail(f"the student copy of {name} at SEED 1 stopped at cell {exc.cell_index}: {exc.ename}: {exc.evalue}")
    nb = nbformat.read(out, 4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "not every code cell ran"
    text = "".join(o.get("text", "") for c in code for o in c.outputs if o.output_type == "stream")
    assert "\u2714" in text, "a lecture checks its claims"
    stubs = sum("exercise" in c.metadata.get("tags", []) for c in code)
    assert text.count("\u2610") >= stubs > 0, f"{name}: {stubs} exercises, but not each says 'not done yet'"
