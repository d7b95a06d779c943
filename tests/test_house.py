"""The house's structure: what lectures import (the kernel side of genlib) never reaches the
course tools (genlib.course), genlib has no import cycle, the tools' CLI is thin, and each
thing the course defines once is defined once."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from genlib import manifest
from genlib.course import registry

ROOT = manifest.ROOT
GENLIB = ROOT / "genlib"
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
    for src in sorted(registry.SOURCES.glob("[0-9][0-9]_*.py")):
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
    sizes = {p.name: len(p.read_text().splitlines()) for p in (GENLIB / "course").glob("*.py")}
    assert max(sizes.values()) < 400, sizes  # small modules, one job each


def _assignments(name: str) -> list[str]:
    hits = []
    for mod, path in modules().items():
        for node in ast.parse(path.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                hits.append(mod)
    return hits


def _lines_matching(pattern: str) -> list[str]:
    rx = re.compile(pattern)
    return [f"{module_name(p)}:{i}" for p in sorted(GENLIB.rglob("*.py"))
            for i, line in enumerate(p.read_text().splitlines(), 1) if rx.search(line)]


def test_each_thing_the_course_defines_once_is_defined_once():
    assert _assignments("ROOT") == ["genlib.runtime"]
    assert _assignments("PROFILES") == ["genlib.params", "genlib.runtime"]  # params.PROFILES = choice(*runtime.PROFILES)
    assert "choice(*runtime.PROFILES)" in (GENLIB / "params.py").read_text()
    assert _assignments("NAMES") == ["genlib.data"]
    assert [h.split(":")[0] for h in _lines_matching(r"\[0-9\]\[0-9\]_")] == ["genlib.course.registry"]  # the lecture list
    assert all(h.startswith("genlib.runtime:") for h in _lines_matching(r"set_num_threads")), \
        _lines_matching(r"set_num_threads")  # the thread policy: runtime.one_thread / runtime.setup


def test_tensors_become_numpy_arrays_in_one_place():
    conversions = [h for h in _lines_matching(r"\.numpy\(\)") if not h.startswith("genlib.runtime:")]
    assert conversions == [], f"tensor-to-NumPy outside genlib.runtime.as_numpy: {conversions}"
