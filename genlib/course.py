"""The instructors' course runner and the student build.

Run the whole course, or some lectures, with parameters, and collect a report::

    python -m genlib.course run                          # every lecture
    python -m genlib.course run 02 kl_js 05_vae          # by number, name or full name
    python -m genlib.course run -p PROFILE cpu -p SEED 1 --jobs 2 --out runs/
    python -m genlib.course run --params params.yaml --resume

``-p NAME VALUE`` values are read like papermill's (``True``/``False``/``None``,
then int, then float, else a string). ``--params`` names a YAML file with shared
and per-lecture values: ``{all: {PROFILE: cpu}, 05_vae: {EPOCHS: 3}}``.
Precedence: the file's ``all`` < the file's lecture entry < ``-p``. A shared
value (``all`` or ``-p``) goes to the lectures that declare that parameter; a
name that no selected lecture declares is an error, and so is a per-lecture
name that its lecture does not declare.

Every parameter is checked *before* any kernel starts: the runner reads each
lecture's parameters cell and runs its validation cell's
``genlib.validate(globals(), ...)`` call in-process with the values bound, so a
misspelt name or a bad value stops the run with the lecture's own message.

Each lecture runs in its own process through papermill (kernel ``python3``, cwd
the lectures folder, ``GENLIB_HEADLESS=1``, its own ``GENLIB_RECORD_FILE``);
``--jobs N`` runs N at once. Outputs, per lecture: ``<out>/<name>.ipynb``
(executed), ``<out>/<name>.run.json`` (what the lecture recorded through ``genlib.report``,
wall time, status, parameters, the failing cell) and ``<out>/<name>.log``;
for the run: ``<out>/report.md`` and ``<out>/report.html``. A failing lecture
does not stop the others; the exit status is 0 only when every lecture passed
(1: a lecture failed; 2: bad input, nothing run). ``--resume`` skips lectures
whose last run in ``<out>`` passed with the same notebook and parameters.

Student copies, with every solution region replaced by a stub (self-checks
kept, outputs cleared); the instructor copies in ``lectures/`` are only read::

    python -m genlib.course students [--out build/students] [LECTURE ...]
"""
from __future__ import annotations

import argparse
import ast
import copy
import datetime as _dt
import hashlib
import html
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The checkout's lectures; when genlib is installed non-editable (repo2docker
# >= 2025.12 runs `pip install .` after requirements.txt), the ones under the
# current folder.
LECTURES = ROOT / "lectures" if (ROOT / "lectures").is_dir() else Path.cwd() / "lectures"
KERNEL = "python3"
PROGRESS = "@@genlib-course "   # prefix of the worker's progress lines on stdout
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input: nothing is run, the message says what to fix."""


# --------------------------------------------------------------------------- lectures

def discover(lectures_dir: Path = LECTURES) -> list[str]:
    """Lecture names (``NN_name``) of the notebooks in ``lectures_dir``, sorted."""
    return sorted(p.stem for p in Path(lectures_dir).glob("[0-9][0-9]_*.ipynb"))


def resolve(names, known: list[str]) -> list[str]:
    """Map ``02``, ``02_kl_js``, ``kl_js`` or ``lectures/02_kl_js.ipynb`` to lecture names."""
    out, errors = [], []
    for raw in names:
        key = Path(str(raw)).name
        if key.endswith(".ipynb"):
            key = key[: -len(".ipynb")]
        hits = [k for k in known if k == key]
        if not hits:
            hits = [k for k in known if k.split("_", 1)[0] == key or k.split("_", 1)[-1] == key]
        if len(hits) == 1:
            if hits[0] not in out:
                out.append(hits[0])
        elif not hits:
            errors.append(f"unknown lecture {raw!r}")
        else:
            errors.append(f"ambiguous lecture {raw!r} (matches {', '.join(hits)})")
    if errors:
        raise UsageError("; ".join(errors) + f". Known lectures: {', '.join(known) or '(none)'}.")
    return out


def parse_value(text: str):
    """A ``-p`` value, read as papermill reads it: bool/None, int, float, else str."""
    if text == "True":
        return True
    if text == "False":
        return False
    if text == "None":
        return None
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
        raise UsageError(f"parameters file {path} is not valid YAML: {exc}") from None
    data = data or {}
    if not isinstance(data, dict):
        raise UsageError(f"parameters file {path} must map 'all' and lecture names to parameters; "
                         f"got a {type(data).__name__}.")
    shared, per = {}, {}
    for key, values in data.items():
        if values is None:
            values = {}
        if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
            raise UsageError(f"parameters file {path}: '{key}' must map parameter names to values.")
        if str(key) == "all":
            shared.update(values)
        else:
            (name,) = resolve([str(key)], known)
            per.setdefault(name, {}).update(values)
    return shared, per


def notebook_hash(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def declared_parameters(path) -> dict:
    """``{name: default source}`` of the names assigned in the cell tagged ``parameters``.

    Read with ``ast`` rather than papermill's line matcher, which drops a line
    holding a second ``=`` (``SEED: int = 0  # an integer >= 0`` is skipped).
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    i = _tagged(nb, "parameters")
    if i is None:
        return {}
    src = nb.cells[i].source
    try:
        tree = ast.parse(src)
    except SyntaxError as exc:
        raise UsageError(f"{Path(path).stem}: its parameters cell is not valid Python: {exc}") from None
    out = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        value = getattr(node, "value", None)
        for t in targets:
            if isinstance(t, ast.Name):
                out[t.id] = ast.get_source_segment(src, value) if value is not None else None
    return out


def _tagged(nb, tag):
    return next((i for i, c in enumerate(nb.cells) if tag in c.get("metadata", {}).get("tags", [])), None)


def _validate_call(source: str):
    """``(imports, call)`` of the first ``validate(...)`` call in ``source``, or None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name == "validate":
                imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
                return ast.Module(body=imports, type_ignores=[]), ast.Expression(body=node)
    return None


def check_parameters(path, name: str, given: dict) -> list[str]:
    """Problems with ``given`` for lecture ``name`` (empty when all is well).

    Unknown names are reported against the parameters cell; values are checked
    by running the lecture's own ``validate(globals(), ...)`` call in-process on
    the parameters cell's defaults overridden by ``given``.
    """
    import nbformat

    declared = declared_parameters(path)
    unknown = [k for k in given if k not in declared]
    if unknown:
        return [f"{name}: unknown parameter {k}; {name} accepts: {', '.join(declared) or '(none)'}."
                for k in unknown]
    nb = nbformat.read(str(path), as_version=4)
    i = _tagged(nb, "parameters")
    if i is None:
        return []
    ns: dict = {}
    try:
        exec(compile(nb.cells[i].source, f"<{name}: parameters cell>", "exec"), ns)
    except Exception as exc:  # the lecture's own bug: report, do not crash the runner
        return [f"{name}: its parameters cell does not run: {type(exc).__name__}: {exc}"]
    ns.update(given)
    for cell in nb.cells[i + 1:]:
        if cell.cell_type != "code":
            continue
        found = _validate_call(cell.source)
        if found is None:
            continue
        imports, call = found
        try:
            exec(compile(imports, f"<{name}: validation cell>", "exec"), ns)
            eval(compile(call, f"<{name}: validation cell>", "eval"), ns)
        except ValueError as exc:
            return [f"{name}: {exc}"]
        except Exception as exc:  # cannot evaluate the spec here; the kernel will check
            print(f"note: {name}: parameters not checked in advance ({type(exc).__name__}: {exc}).",
                  file=sys.stderr)
        break
    return []


# --------------------------------------------------------------------------- planning

def plan(names: list[str], lectures_dir: Path, shared: dict, per: dict) -> dict:
    """``{lecture: parameters}``, every name and value checked; raises UsageError."""
    declared = {n: declared_parameters(lectures_dir / f"{n}.ipynb") for n in names}
    errors = []
    for key in shared:
        if not any(key in d for d in declared.values()):
            where = "; ".join(f"{n}: {', '.join(d) or '(none)'}" for n, d in declared.items())
            errors.append(f"unknown parameter {key}: no selected lecture accepts it ({where}).")
    out = {}
    for n in names:
        params = {k: v for k, v in shared.items() if k in declared[n]}
        params.update(per.get(n, {}))
        errors += check_parameters(lectures_dir / f"{n}.ipynb", n, params)
        out[n] = params
    if errors:
        raise UsageError("\n".join(errors))
    return out


def _writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to the output folder {out}: {exc.strerror or exc}.") from None


def _up_to_date(out: Path, name: str, digest: str, params: dict):
    path = out / f"{name}.run.json"
    try:
        old = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    same = (old.get("status") == "ok" and old.get("notebook_sha256") == digest
            and old.get("parameters") == json.loads(json.dumps(params))
            and (out / f"{name}.ipynb").exists())
    return old if same else None


# --------------------------------------------------------------------------- the worker

def _emit(event: dict) -> None:
    sys.stdout.write(PROGRESS + json.dumps(event) + "\n")
    sys.stdout.flush()


def _progress_engine():
    from papermill.engines import NBClientEngine

    class ProgressEngine(NBClientEngine):
        """papermill's nbclient engine that reports each finished cell on stdout."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            total = len(nb_man.nb.cells)
            _emit({"event": "start", "total": total})
            done = nb_man.cell_complete

            def cell_complete(cell, cell_index=None, **kw):
                result = done(cell, cell_index=cell_index, **kw)
                _emit({"event": "cell", "index": cell_index, "total": total})
                return result

            nb_man.cell_complete = cell_complete
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    return ProgressEngine


def _first_line(source: str) -> str:
    return next((ln.strip() for ln in source.splitlines() if ln.strip()), "")


def _lecture_cell_index(lecture_path: str, source: str, fallback):
    import nbformat

    nb = nbformat.read(lecture_path, as_version=4)
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code" and c.source == source:
            return i
    return fallback


def _worker(spec: dict) -> int:
    """Execute one lecture (in its own process) and write its result file."""
    import papermill
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError

    papermill_engines.register("genlib-progress", _progress_engine())
    result: dict = {"status": "ok"}
    try:
        papermill.execute_notebook(
            spec["input"], spec["output"], parameters=spec["parameters"], kernel_name=spec["kernel"],
            cwd=spec["cwd"], progress_bar=False, log_output=False, engine_name="genlib-progress",
            execution_timeout=spec["timeout"], start_timeout=120)
    except PapermillExecutionError as exc:
        result = {"status": "failed", "error": {
            "cell_index": _lecture_cell_index(spec["input"], exc.source, exc.cell_index),
            "execution_count": exc.exec_count, "first_line": _first_line(exc.source),
            "ename": exc.ename, "evalue": exc.evalue}}
    except Exception as exc:  # kernel died, timeout, unreadable notebook...
        result = {"status": "error", "error": {"ename": type(exc).__name__, "evalue": str(exc).strip()}}
    Path(spec["result"]).write_text(json.dumps(result))
    return 0


# --------------------------------------------------------------------------- running

def _tqdm():
    from tqdm.auto import tqdm

    return tqdm


def _run_one(name, params, lectures_dir: Path, out: Path, work: Path, timeout, kernel, slot, bars, lock):
    lecture = lectures_dir / f"{name}.ipynb"
    recorded, result_file, log = work / f"{name}.recorded.json", work / f"{name}.result.json", out / f"{name}.log"
    for f in (recorded, result_file):
        f.unlink(missing_ok=True)
    spec = {"input": str(lecture), "output": str(out / f"{name}.ipynb"), "parameters": params,
            "cwd": str(lectures_dir), "timeout": timeout, "kernel": kernel, "result": str(result_file)}
    env = dict(os.environ, GENLIB_HEADLESS="1", GENLIB_RECORD_FILE=str(recorded), PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    tqdm = _tqdm()
    with lock:
        bar = tqdm(total=0, desc=f"{name:<16.16}", unit="cell", position=slot + 1, leave=False, disable=None)
    t0 = time.perf_counter()
    started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "genlib.course", "_worker", json.dumps(spec)],
                                stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=str(lectures_dir))
        bars["procs"][name] = proc
        for line in proc.stdout:
            if not line.startswith(PROGRESS):
                continue
            event = json.loads(line[len(PROGRESS):])
            with lock:
                bar.total = event["total"]
                bar.n = 0 if event["event"] == "start" else event["index"] + 1
                bar.refresh()
        code = proc.wait()
    wall = time.perf_counter() - t0
    with lock:
        bar.close()
    try:
        result = json.loads(result_file.read_text())
    except (OSError, ValueError):
        tail = log.read_text().strip().splitlines()[-3:] if log.exists() else []
        result = {"status": "error", "error": {"ename": "WorkerDied",
                                               "evalue": f"exit status {code}. " + " | ".join(tail)}}
    try:
        kept = json.loads(recorded.read_text())
    except (OSError, ValueError):
        kept = {}
    metrics = kept.get("metrics", {})
    record = {"lecture": name, "status": result["status"], "wall_s": round(wall, 2), "started": started,
              "parameters": params, "notebook_sha256": notebook_hash(lecture), "metrics": metrics,
              "record": kept}
    if "error" in result:
        record["error"] = result["error"]
    (out / f"{name}.run.json").write_text(json.dumps(record, indent=2, sort_keys=True, default=str))
    for f in (recorded, result_file):
        f.unlink(missing_ok=True)
    return record


def run(names: list[str], planned: dict, lectures_dir: Path, out: Path, jobs: int = 1, resume: bool = False,
        timeout: float | None = 1800, kernel: str = KERNEL) -> list[dict]:
    """Execute ``names`` (parameters already checked) and return one record each."""
    work = out / ".work"
    work.mkdir(parents=True, exist_ok=True)
    records: dict = {}
    todo = []
    for n in names:
        old = _up_to_date(out, n, notebook_hash(lectures_dir / f"{n}.ipynb"), planned[n]) if resume else None
        if old is not None:
            old["resumed"] = True
            records[n] = old
            print(f"{n}: up to date (ok, {old.get('wall_s', 0):.1f} s), skipped")
        else:
            todo.append(n)
    tqdm = _tqdm()
    lock = threading.RLock()
    state = {"procs": {}}
    overall = tqdm(total=len(todo), desc="course", unit="lecture", position=0, disable=None)
    slots = list(range(max(1, jobs)))[::-1]

    def task(n):
        with lock:
            slot = slots.pop()
        try:
            rec = _run_one(n, planned[n], lectures_dir, out, work, timeout, kernel, slot, state, lock)
        except Exception as exc:  # the runner's own trouble (cannot start a process...): this lecture only
            rec = {"lecture": n, "status": "error", "wall_s": 0.0, "parameters": planned[n], "metrics": {},
                   "error": {"ename": type(exc).__name__, "evalue": str(exc)}}
        finally:
            with lock:
                slots.append(slot)
        with lock:
            overall.update(1)
            msg = f"{n}: {rec['status']} in {rec['wall_s']:.1f} s"
            if rec.get("error"):
                e = rec["error"]
                where = f" at cell {e['cell_index']} ({e['first_line']!r})" if "cell_index" in e else ""
                msg += f"{where}: {e['ename']}: {_short(e['evalue'])}"
            tqdm.write(msg, file=sys.stdout)
        return rec

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        for rec in pool.map(task, todo):
            records[rec["lecture"]] = rec
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in list(state["procs"].values()):
            if proc.poll() is None:
                proc.terminate()
        raise
    finally:
        pool.shutdown(wait=True)
        overall.close()
        try:
            work.rmdir()
        except OSError:
            pass
    return [records[n] for n in names]


# --------------------------------------------------------------------------- report

def _short(text, n=200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _fmt(v) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return _short(v, 40)
    return f"{v:.4g}"


def _rows(records, key_metrics=6):
    rows = []
    for r in records:
        status = r["status"] + (" (up to date)" if r.get("resumed") else "")
        params = ", ".join(f"{k}={v}" for k, v in r.get("parameters", {}).items()) or "defaults"
        items = list(r.get("metrics", {}).items())
        metrics = ", ".join(f"{k}={_fmt(v)}" for k, v in items[:key_metrics])
        if len(items) > key_metrics:
            metrics += f", \u2026 (+{len(items) - key_metrics} in {r['lecture']}.run.json)"
        rows.append((r["lecture"], status, f"{r.get('wall_s', 0):.1f}", params, metrics or "\u2014"))
    return rows


def _revision() -> str:
    """The checkout's commit (with ``+changes`` when the tree is dirty), or ''."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return sha + (" +changes" if sha and dirty else "")


def write_report(records, out: Path, title="Course run") -> tuple[Path, Path]:
    """``report.md`` and ``report.html`` in ``out``: one row per lecture, then the failures."""
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rev = _revision()
    if rev:
        when += f", genlib at {rev}"
    n_ok = sum(r["status"] == "ok" for r in records)
    total = sum(r.get("wall_s", 0) for r in records if not r.get("resumed"))
    head = ["Lecture", "Status", "Time (s)", "Parameters", "Key metrics"]
    rows = _rows(records)
    failed = [r for r in records if r["status"] != "ok"]

    def md_cell(s):
        return str(s).replace("|", "\\|").replace("\n", " ")

    md = [f"# {title}", "", f"{when}: {n_ok} of {len(records)} lectures passed; "
          f"{total:.1f} s of lecture time in this run.", "",
          "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    if failed:
        md += ["", "## Failures"]
        for r in failed:
            e = r.get("error", {})
            md += ["", f"### {r['lecture']}", ""]
            if "cell_index" in e:
                md.append(f"- cell {e['cell_index']} (In [{e.get('execution_count')}]): `{md_cell(e['first_line'])}`")
            md.append(f"- error: `{md_cell(e.get('ename', '?'))}: {md_cell(_short(e.get('evalue', ''), 500))}`")
            md.append(f"- executed notebook: [{r['lecture']}.ipynb]({r['lecture']}.ipynb), "
                      f"log: [{r['lecture']}.log]({r['lecture']}.log)")
    md_path = out / "report.md"
    md_path.write_text("\n".join(md) + "\n")

    esc = html.escape
    h = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title>",
         "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.ok{color:#080}.bad{color:#b00}</style>",
         "</head><body>", f"<h1>{esc(title)}</h1>",
         f"<p>{esc(when)}: {n_ok} of {len(records)} lectures passed; {total:.1f} s of lecture time in this run.</p>",
         "<table><tr>" + "".join(f"<th>{esc(c)}</th>" for c in head) + "</tr>"]
    for r, row in zip(records, rows):
        cls = "ok" if r["status"] == "ok" else "bad"
        cells = [f"<a href=\"{esc(row[0])}.ipynb\">{esc(row[0])}</a>", f"<span class=\"{cls}\">{esc(row[1])}</span>"]
        cells += [esc(c) for c in row[2:]]
        h.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    h.append("</table>")
    if failed:
        h.append("<h2>Failures</h2>")
        for r in failed:
            e = r.get("error", {})
            h.append(f"<h3>{esc(r['lecture'])}</h3><ul>")
            if "cell_index" in e:
                h.append(f"<li>cell {e['cell_index']} (In [{esc(str(e.get('execution_count')))}]): "
                         f"<code>{esc(e['first_line'])}</code></li>")
            h.append(f"<li>error: <code>{esc(e.get('ename', '?'))}: {esc(_short(e.get('evalue', ''), 500))}</code></li>")
            h.append(f"<li><a href=\"{esc(r['lecture'])}.log\">log</a></li></ul>")
    h.append("</body></html>")
    html_path = out / "report.html"
    html_path.write_text("\n".join(h) + "\n")
    return md_path, html_path


# --------------------------------------------------------------------------- students

def student_copy(nb, name: str = "lecture"):
    """A copy of ``nb`` with every solution region stubbed out and all outputs cleared."""
    from .exercises import BEGIN, strip_solutions

    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    n = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tagged = "exercise" in cell.metadata.get("tags", [])
        if BEGIN in cell.source:
            try:
                cell.source = strip_solutions(cell.source)
            except ValueError as exc:
                raise UsageError(f"{name}: cell {i}: {exc}") from None
            n += 1
        elif tagged:
            print(f"note: {name}: cell {i} is tagged 'exercise' but has no '{BEGIN}' region.", file=sys.stderr)
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
    nb.metadata["genlib"] = {"student_copy": True, "exercises": n}
    return nb, n


def build_students(names, lectures_dir: Path, out: Path, colab_folder: str | None = None) -> list[tuple[str, int]]:
    """Write student copies of ``names`` into ``out``.

    ``colab_folder`` (say ``students``) points each copy's Colab badge at
    ``<folder>/<name>.ipynb`` in the configured repository, where the copies are
    published; without it the badge still opens the instructor copy.
    """
    import nbformat

    from . import colab

    _writable(out)
    cfg = colab.config() if colab_folder else None
    done = []
    for n in names:
        src = lectures_dir / f"{n}.ipynb"
        nb, count = student_copy(nbformat.read(str(src), as_version=4), n)
        if cfg:
            try:
                colab.rewrite(nb, n, folder=colab_folder.strip("/"), **cfg)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        if out.resolve() == lectures_dir.resolve():
            raise UsageError("the student build must not overwrite the instructor copies; choose another --out.")
        nbformat.write(nb, str(out / f"{n}.ipynb"))
        done.append((n, count))
    return done


# --------------------------------------------------------------------------- command line

def _parser():
    ap = argparse.ArgumentParser(prog="python -m genlib.course",
                                 description="Run the course's lectures, or build the student copies.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="execute lectures with papermill and write a report",
                       description=__doc__.split("\n\n")[1] if __doc__ else None)
    r.add_argument("lectures", nargs="*", help="lectures to run: 02, 02_kl_js or kl_js (default: all)")
    r.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="a parameter for every lecture that declares it (repeatable)")
    r.add_argument("--params", metavar="YAML", help="parameters file: {all: {...}, 05_vae: {...}}")
    r.add_argument("--jobs", "-j", type=int, default=1, help="lectures run at once (default 1)")
    r.add_argument("--out", default="runs", help="output folder (default runs/)")
    r.add_argument("--resume", action="store_true", help="skip lectures whose outputs are up to date")
    r.add_argument("--timeout", type=float, default=1800, help="seconds allowed per cell (default 1800)")
    r.add_argument("--lectures-dir", default=str(LECTURES), help=argparse.SUPPRESS)
    s = sub.add_parser("students", help="write student copies: solutions stubbed, outputs cleared")
    s.add_argument("lectures", nargs="*", help="lectures (default: all)")
    s.add_argument("--out", default="build/students", help="output folder (default build/students/)")
    s.add_argument("--colab-folder", metavar="FOLDER",
                   help="point the Colab badges at FOLDER/<name>.ipynb of the repository (where the copies are published)")
    s.add_argument("--lectures-dir", default=str(LECTURES), help=argparse.SUPPRESS)
    return ap


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_worker"]:
        return _worker(json.loads(argv[1]))
    args = _parser().parse_args(argv)
    lectures_dir = Path(args.lectures_dir).resolve()
    out = Path(args.out)
    try:
        known = discover(lectures_dir)
        if not known:
            raise UsageError(f"no lectures (NN_name.ipynb) in {lectures_dir}.")
        names = resolve(args.lectures, known) if args.lectures else known
        if args.cmd == "students":
            for n, count in build_students(names, lectures_dir, out, args.colab_folder):
                print(f"{n}: {count} exercise{'s' if count != 1 else ''} stubbed -> {out / (n + '.ipynb')}")
            return EXIT_OK
        if args.jobs < 1:
            raise UsageError(f"--jobs must be an integer >= 1; got {args.jobs}.")
        shared, per = load_params_file(args.params, known) if args.params else ({}, {})
        shared.update({k: parse_value(v) for k, v in args.parameter})
        planned = plan(names, lectures_dir, shared, per)
        _writable(out)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for key in shared:
        takers = [n for n in names if key in planned[n]]
        if len(takers) < len(names):
            print(f"note: {key} goes to {', '.join(takers)} only (the others do not declare it).")
    records = run(names, planned, lectures_dir, out, jobs=args.jobs, resume=args.resume, timeout=args.timeout)
    md, _ = write_report(records, out)
    bad = [r["lecture"] for r in records if r["status"] != "ok"]
    print(f"{len(records) - len(bad)} of {len(records)} lectures passed; report: {md}")
    if bad:
        print(f"failed: {', '.join(bad)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
