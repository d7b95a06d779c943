"""Parameters for a run: ``-p`` values, parameter files, and the pre-check.

``-p NAME VALUE`` values are read like papermill's (``True``/``False``/``None``, then
int, then float, else a string). ``--params`` names a YAML file with shared and
per-lecture values: ``{all: {PROFILE: cpu}, 05_vae: {EPOCHS: 3}}``. Precedence: the
file's ``all`` < the file's lecture entry < ``-p``. A shared value goes to the lectures
that declare it; a name that no selected lecture declares is an error, and so is a
per-lecture name that its lecture does not declare.

The pre-check runs before any kernel starts. It reads the lecture's ``parameters``
cell, binds the given values over its defaults, runs the validation cell's own
imports and evaluates its whole ``genlib.validate(globals(), ..., rules=[...])``
call, cross-parameter rules included. So every constraint a lecture declares stops a
bad run with the lecture's own one-line message. A call that cannot be evaluated
here is reported loudly (the kernel will still check it).
"""
from __future__ import annotations

import ast
import os
from pathlib import Path

from .registry import UsageError, resolve, tagged


def parse_value(text: str):
    """A ``-p`` value, read as papermill reads it: bool/None, int, float, else str."""
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def load_params_file(path, known: list[str]) -> tuple[dict, dict]:
    """``(shared, per_lecture)`` from a YAML file ``{all: {...}, <lecture>: {...}}``."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as exc:
        raise UsageError(f"cannot read parameters file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"parameters file {path} is not valid YAML: {' '.join(str(exc).split())}") from None
    data = data or {}
    if not isinstance(data, dict):
        raise UsageError(f"parameters file {path} must map 'all' and lecture names to parameters; "
                         f"got a {type(data).__name__}.")
    shared, per = {}, {}
    for key, values in data.items():
        values = {} if values is None else values
        if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
            raise UsageError(f"parameters file {path}: '{key}' must map parameter names to values.")
        if str(key) == "all":
            shared.update(values)
        else:
            (name,) = resolve([str(key)], known)
            per.setdefault(name, {}).update(values)
    return shared, per


def _read(path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def declared_parameters(path) -> dict:
    """``{name: default source}`` of the names assigned in the cell tagged ``parameters``.

    Read with ``ast`` rather than papermill's line matcher, which drops a line
    holding a second ``=`` (``SEED: int = 0  # an integer >= 0`` is skipped).
    """
    nb = _read(path)
    i = tagged(nb, "parameters")
    if i is None:
        return {}
    src = nb.cells[i].source
    try:
        tree = ast.parse(src)
    except SyntaxError as exc:
        raise UsageError(f"{Path(path).stem}: its parameters cell is not valid Python: {exc}") from None
    out = {}
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        for t in targets:
            if isinstance(t, ast.Name):
                value = getattr(node, "value", None)
                out[t.id] = ast.get_source_segment(src, value) if value is not None else None
    return out


def _is_validate(node) -> bool:
    f = node.func
    return (f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)) == "validate"


def validation_call(cells) -> tuple[ast.Module, ast.Expression] | None:
    """``(imports, call)``: the first ``validate(...)`` call in ``cells`` (sources) and the
    top-level imports that come before it, in these cells."""
    imports = []
    for source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for stmt in tree.body:
            call = next((n for n in ast.walk(stmt) if isinstance(n, ast.Call) and _is_validate(n)), None)
            if call is not None:
                return ast.Module(body=imports, type_ignores=[]), ast.Expression(body=call)
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                imports.append(stmt)
    return None


def precheck(path, name: str, given: dict) -> tuple[list[str], list[str]]:
    """``(errors, warnings)`` for running lecture ``name`` with ``given``.

    Unknown names are reported against the parameters cell; values by evaluating the
    lecture's own ``validate(globals(), ...)`` call, rules included, in this process
    on the parameters cell's defaults overridden by ``given``.
    """
    declared = declared_parameters(path)
    unknown = [k for k in given if k not in declared]
    if unknown:
        return [f"{name}: unknown parameter {k}; {name} accepts: {', '.join(declared) or '(none)'}."
                for k in unknown], []
    nb = _read(path)
    i = tagged(nb, "parameters")
    if i is None:
        return [], []
    ns: dict = {}
    try:
        exec(compile(nb.cells[i].source, f"<{name}: parameters cell>", "exec"), ns)
    except Exception as exc:  # the lecture's own bug: report it, do not crash the runner
        return [f"{name}: its parameters cell does not run: {type(exc).__name__}: {exc}"], []
    ns.update(given)
    found = validation_call([c.source for c in nb.cells[i + 1:] if c.cell_type == "code"])
    if found is None:
        return [], [f"{name}: no genlib.validate(globals(), ...) call after its parameters cell; "
                    f"its parameters are NOT checked."]
    imports, call = found
    saved = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"  # the lecture's imports may include pyplot: no window here
    try:
        exec(compile(imports, f"<{name}: validation cell>", "exec"), ns)
        eval(compile(call, f"<{name}: validation cell>", "eval"), ns)
    except ValueError as exc:
        return [f"{name}: {' '.join(str(exc).split())}"], []
    except Exception as exc:
        return [], [f"{name}: its validate(...) call could not be evaluated before the run "
                    f"({type(exc).__name__}: {exc}); its parameters are checked only in the kernel."]
    finally:  # not for the kernels started later: theirs is the inline backend
        if saved is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = saved
    return [], []


def plan(names: list[str], lectures_dir: Path, shared: dict, per: dict) -> tuple[dict, list[str]]:
    """``({lecture: parameters}, warnings)``, every name and value checked; raises UsageError."""
    declared = {n: declared_parameters(Path(lectures_dir) / f"{n}.ipynb") for n in names}
    errors, warnings = [], []
    for key in shared:
        if not any(key in d for d in declared.values()):
            where = "; ".join(f"{n}: {', '.join(d) or '(none)'}" for n, d in declared.items())
            errors.append(f"unknown parameter {key}: no selected lecture accepts it ({where}).")
    out = {}
    for n in names:
        params = {k: v for k, v in shared.items() if k in declared[n]}
        params.update(per.get(n, {}))
        bad, noted = precheck(Path(lectures_dir) / f"{n}.ipynb", n, params)
        errors += bad
        warnings += noted
        out[n] = params
    if errors:
        raise UsageError("\n".join(errors))
    return out, warnings
