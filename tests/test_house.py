"""The house's structure: what lectures import (the kernel side of genlib) never reaches the
course tools (genlib.course), genlib has no import cycle, the tools' CLI is thin, modules are
small, and each thing the course defines once is defined once, in the whole tree (genlib,
benchmarks, tests, lectures/src, .ci, the Makefile and any other folder of Python files)."""
from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from genlib import manifest
from genlib.course import registry

ROOT = manifest.ROOT
GENLIB = ROOT / "genlib"
SKIP = {"build", "dist", "runs", "node_modules", "data"}   # top-level outputs and caches, not source
TOOLS = ("genlib.course",)
TOOL_DEPENDENCIES = ("papermill", "jupytext", "nbclient", "nbformat", "yaml")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(GENLIB.rglob("*.py"))}


def is_tool(name: str) -> bool:
    return any(name == t or name.startswith(t + ".") for t in TOOLS)


def imports_of(name: str, path: Path, known: dict) -> set[str]:
    """The genlib modules ``name`` imports, at module level or inside functions."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        found |= {t for t in targets if t in known}
    return found - {name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {n: imports_of(n, p, known) for n, p in known.items()}


def test_no_kernel_side_module_imports_the_tools():
    g = graph()
    bad = {n: sorted(t for t in deps if is_tool(t)) for n, deps in g.items() if not is_tool(n)}
    assert not {n: d for n, d in bad.items() if d}, "imports go lectures -> kernel side <- genlib.course, never back"


def test_there_is_no_import_cycle_in_genlib():
    g = graph()
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles in genlib: {cycles}"


def test_a_lectures_kernel_imports_nothing_from_the_tools_side(tmp_path):
    """Every genlib import line of every lecture, and every kernel-side module, in one kernel;
    then the kernel's sys.modules is read back."""
    lines = set()
    for src in (manifest.SOURCES / f"{name}.py" for name in manifest.lectures()):
        for node in ast.walk(ast.parse(src.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n == "genlib" or n.startswith("genlib.") for n in names):
                    lines.add(ast.unparse(node))
    assert lines, "no lecture imports genlib?"
    kernel_side = sorted(n for n in modules() if not is_tool(n))
    code = "\n".join(sorted(lines)) + "\nimport importlib\n" + "".join(
        f"importlib.import_module({n!r})\n" for n in kernel_side) + (
        "import json, sys\nprint(json.dumps(sorted(m for m in sys.modules "
        f"if m.split('.')[0] in {TOOL_DEPENDENCIES!r} or any(m == t or m.startswith(t + '.') for t in {TOOLS!r}))))")
    nb = new_notebook(cells=[new_code_cell(code)])
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(registry.LECTURES)}}).execute()
    (out,) = [o for o in nb.cells[0].outputs if o.get("name") == "stdout"]
    assert json.loads(out["text"]) == [], "a lecture's kernel imported the tools side"


def test_the_tools_cli_is_thin():
    cli = (GENLIB / "course" / "cli.py").read_text().splitlines()
    main = (GENLIB / "course" / "__main__.py").read_text().splitlines()
    assert len(cli) < 200 and len(main) < 15, (len(cli), len(main))


MAX_LINES = 400


def test_every_genlib_module_is_small():
    """One job per module (the kernel side and the tools alike): none over MAX_LINES lines."""
    sizes = {module_name(p): len(p.read_text().splitlines()) for p in sorted(GENLIB.rglob("*.py"))}
    assert not {m: n for m, n in sizes.items() if n > MAX_LINES}, sizes


# ----------------------------------------------------------------------- defined once, in the whole tree

def _checkout_files() -> list[Path]:
    """Every file git tracks or would track (what a clean clone holds, plus new files); where git
    cannot answer, every file under the root. Ignored outputs (genlib.egg-info, caches) are left out."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return sorted(ROOT.rglob("*"))
    return sorted(ROOT / f for f in listed.split("\0") if f)


def tree_files(*suffixes: str) -> list[Path]:
    """The tree's source files (no hidden folder such as .venv or .git, no outputs or caches), with
    the given suffixes; ``""`` also takes files with none (the Makefile, the .ci scripts)."""
    out = []
    for p in _checkout_files():
        rel = p.relative_to(ROOT).parts
        if not p.is_file() or any(part.startswith(".") and part != ".ci" for part in rel) or rel[0] in SKIP \
                or rel[:2] == ("lectures", "students") or "__pycache__" in rel:
            continue
        if p.suffix in suffixes or (p.suffix == "" and "" in suffixes):
            out.append(p)
    return out


CODE = (".py", ".sh", ".cfg", "")   # where a fact could be restated in code (prose and data files aside)


def _tree_assignments(name: str) -> dict[str, ast.expr]:
    """Module-level assignments of ``name`` in every Python file of the tree: file -> value."""
    hits = {}
    for path in tree_files(".py"):
        for node in ast.parse(path.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
                hits[path.relative_to(ROOT).as_posix()] = node.value
    return hits


def _tree_lines(pattern: str, suffixes=CODE) -> list[str]:
    rx = re.compile(pattern)
    return [f"{p.relative_to(ROOT).as_posix()}:{i}" for p in tree_files(*suffixes)
            if p.resolve() != Path(__file__).resolve()
            for i, line in enumerate(p.read_text(errors="replace").splitlines(), 1) if rx.search(line)]


def _files(hits: list[str]) -> set[str]:
    return {h.rsplit(":", 1)[0] for h in hits}


def test_the_tree_is_what_the_rules_read():
    py = {p.relative_to(ROOT).as_posix() for p in tree_files(".py")}
    assert {"genlib/manifest.py", "benchmarks/common.py", "tests/test_house.py", "lectures/src/01_entropy.py"} <= py
    assert not any(p.startswith((".venv", "lectures/students")) for p in py)
    assert {".ci/colab_stack.sh", "Makefile"} <= {p.relative_to(ROOT).as_posix() for p in tree_files(*CODE)}


def test_the_root_and_the_checkout_are_known_in_one_place():
    # the oracle: git's own idea of the checkout
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=Path(__file__).parent, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert manifest.ROOT.resolve() == Path(top).resolve() and manifest.CHECKOUT
    computed = {f: ast.unparse(v) for f, v in _tree_assignments("ROOT").items()
                if not (isinstance(v, ast.Attribute) and v.attr == "ROOT")}   # `ROOT = manifest.ROOT` is an alias
    assert computed.keys() == {"genlib/manifest.py"}, computed
    assert _files(_tree_lines(r"__file__\)?(\.resolve\(\))?\.(parent\.parent|parents\[)")) <= {"genlib/manifest.py"}, \
        _tree_lines(r"__file__\)?(\.resolve\(\))?\.(parent\.parent|parents\[)")   # the root, computed again
    assert _files(_tree_lines(r"pyproject\.toml\"?\)?\.is_file|PYPROJECT\.is_file")) == {"genlib/manifest.py"}  # one checkout test


def test_the_lecture_list_comes_from_the_manifest():
    hits = _tree_lines(r"\[0-9\]\[0-9\]_")
    assert _files(hits) == {"genlib/manifest.py"}, hits   # no other glob of the lectures, in any language
    assert manifest.lectures() and manifest.discover(manifest.LECTURES) == manifest.lectures()


def test_each_thing_the_course_defines_once_is_defined_once():
    assert list(_tree_assignments("PROFILES")) == ["genlib/params.py"]       # genlib.PROFILES, the check
    assert list(_tree_assignments("PROFILE_NAMES")) == ["genlib/manifest.py"]  # the names it checks
    names = _files(_tree_lines(r"[\"']auto[\"'],\s*[\"']cpu[\"'],\s*[\"']full[\"']"))
    assert {f for f in names if not f.startswith("tests/")} == {"genlib/manifest.py"}  # tests quote the message
    assert [f for f in _tree_assignments("NAMES") if f.startswith("genlib/")] == ["genlib/data/loaders.py"]
    threads = _tree_lines(r"set_num_threads")
    assert _files(threads) == {"genlib/runtime.py"}, threads   # the thread policy: runtime.one_thread / runtime.setup


# Verbs that name a different job in each room (a benchmark's main, a runner's run); any other public
# function of genlib and benchmarks is defined in one module only.
ROOM_VERBS = {"main", "run", "execute", "measure", "build", "write", "load", "claim", "out_of_date",
              "show"}   # show: what a matplotlib backend must define, and models.show


def test_no_function_of_genlib_or_the_benchmarks_is_written_twice():
    where: dict[str, list[str]] = {}
    for path in tree_files(".py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("tests/", "lectures/")):
            continue   # tests and lectures define their own helpers and answers
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                where.setdefault(node.name, []).append(rel)
    twice = {n: f for n, f in where.items() if len(f) > 1 and n not in ROOM_VERBS}
    assert not twice, f"defined in more than one module: {twice}"
    for name in ("resolve", "parse_value", "seeds_arg", "free_port", "lectures", "pins"):
        assert len(where.get(name, [])) == 1, (name, where.get(name))


def test_the_pins_are_stated_once():
    pins = manifest.pins()
    assert pins["ref"] == f"v{pins['version']}", "[tool.genlib] ref is the release tag of [project] version"
    import genlib

    assert genlib.__version__ == pins["version"]
    for what, value in [("version", pins["version"]), ("torch", pins["torch"]), ("Colab's torch", pins["colab"]["torch"])]:
        hits = _tree_lines(re.escape(value))
        assert not hits, f"{what} {value} restated outside pyproject.toml: {hits}"


def test_tensors_become_numpy_arrays_in_one_place():
    conversions = [h for h in _tree_lines(r"\.numpy\(\)", (".py",)) if h.startswith("genlib/")
                   and not h.startswith("genlib/runtime.py:")]
    assert conversions == [], f"tensor-to-NumPy outside genlib.runtime.as_numpy: {conversions}"
