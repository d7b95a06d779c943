"""The course website: every lecture as a page, built with Sphinx from the executed notebooks.

    python -m genlib.course.site [--out build/site]      # what `make site` runs

The site's sources are ``docs/`` (``conf.py``, the home, instructors', contributors' and
results pages, the stylesheet). :func:`build` copies them into a staging folder beside
CONTRIBUTING.md and benchmarks/RESULTS.md (which the pages include), adds one page per
lecture of the course's list (:func:`genlib.course.registry.lectures`: a new lecture
appears with no change here) and runs Sphinx on it, offline, warnings as errors; nothing
is executed. Each lecture page is its committed instructor notebook, changed on the copy:

* the Colab badge becomes launch buttons for the *student* copy: Colab, Binder and a
  download (the copy is served with the site), from ``[tool.genlib]`` (:mod:`.colab`);
* an exercise cell (tagged ``exercise``) becomes the student's stub, shown, followed by the
  solution folded behind "Show solution" (myst-nb's ``hide-input``, closed by default);
* a widget's output becomes the static picture it already stores, with a caption saying
  that it is interactive in Jupyter;
* a markdown line that starts with ``+ `` inside a paragraph (the continuation of a
  formula) is joined to the line before: MyST would read it as a list item.

MathJax is served with the site (npm's ``mathjax``, fetched once by ``make site-deps``
into ``build/vendor``), so math renders with no network, and no page loads anything from
another host.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from . import colab, registry, students
from .registry import ROOT, UsageError

DOCS = ROOT / "docs"
OUT = ROOT / "build" / "site"
MATHJAX_VERSION = "3.2.2"
MATHJAX = ROOT / "build" / "vendor" / f"mathjax-{MATHJAX_VERSION}"
# what a page loads of MathJax: the TeX/MathML input and HTML output bundle and what it
# loads on demand (TeX extensions, fonts, the menu, assistive MathML); not the speech rules
MATHJAX_PARTS = ("es5/tex-mml-chtml.js", "es5/input", "es5/output/chtml", "es5/a11y", "es5/ui", "LICENSE")
INCLUDED = ("CONTRIBUTING.md", "benchmarks/RESULTS.md")   # pages that include them (docs/*.md)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
_PLUS_LINE = re.compile(r"^\s*\+\s")


def title_of(nb) -> str:
    """A lecture's title: the first heading of its first markdown cell, without 'Lecture N - '."""
    md = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    m = re.search(r"^#\s+(.+)$", md.source if md else "", re.M)
    return re.sub(r"^Lecture\s+\d+\s*[-:\u2013\u2014]\s*", "", m.group(1).strip()) if m else ""


def launch_links(name: str, cfg: dict) -> dict:
    """Where a lecture page's buttons go: its student copy on Colab and Binder, and its download."""
    folder = students.folder_in_repository()
    return {"colab": colab.badge_url(name, cfg["repository"], cfg["ref"], folder),
            "binder": colab.binder_url(cfg["repository"], cfg["ref"], f"{folder}/{name}.ipynb"),
            "download": f"students/{name}.ipynb"}


def _launch_html(name: str, cfg: dict) -> str:
    links = launch_links(name, cfg)
    return ("<div class=\"launch-buttons\">\n"
            f"<a class=\"launch-button\" href=\"{links['colab']}\">Open in Colab</a>\n"
            f"<a class=\"launch-button\" href=\"{links['binder']}\">Launch on Binder</a>\n"
            f"<a class=\"launch-button\" href=\"../{links['download']}\" download>Download the notebook</a>\n"
            "<span class=\"launch-note\">the student copy: exercises to fill in, no outputs</span>\n"
            "</div>")


def _join_plus_lines(text: str) -> str:
    lines, out, fenced = text.split("\n"), [], False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if (not fenced and out and out[-1].strip() and _PLUS_LINE.match(line)
                and not _PLUS_LINE.match(out[-1])):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def _widget_outputs(output) -> list:
    """A widget's output as its stored picture and a caption (no 'Loading widget...')."""
    data = output.get("data", {})
    if WIDGET_MIME not in data:
        return [output]
    if "image/png" not in data:
        raise ValueError("a widget output without its static picture (image/png): rebuild the lecture")
    text = "".join(data.get("text/plain", ""))
    m = re.match(r"\s*\[([^:\]]+):", text)
    what = m.group(1).strip() if m else "this widget"
    meta = {"image/png": dict(output.get("metadata", {}).get("image/png", {}))}
    picture = nbformat.v4.new_output("display_data", data={"image/png": data["image/png"]}, metadata=meta)
    # the picture says under it that it is interactive in Jupyter; the caption says where to go
    caption = (f"<p class=\"widget-caption\"><strong>Interactive in Jupyter</strong> ({what}): open the notebook "
               "with the buttons at the top of the page to move its controls.</p>")
    return [picture, nbformat.v4.new_output("display_data", data={"text/html": caption})]


def page_notebook(nb, name: str, cfg: dict):
    """The lecture ``nb`` (an executed instructor notebook) as its web page; changes a copy."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata.pop("widgets", None)
    md = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if md is None:
        raise ValueError(f"{name}: a lecture starts with a markdown cell holding its title")
    if _BADGE.search(md.source):
        md.source = _BADGE.sub(lambda _: "\n" + _launch_html(name, cfg) + "\n", md.source, count=1)
    else:
        head, _, rest = md.source.partition("\n")
        md.source = f"{head}\n\n{_launch_html(name, cfg)}\n\n{rest}"
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _join_plus_lines(cell.source)
        elif cell.cell_type == "code":
            cell.outputs = [o for out in cell.outputs for o in _widget_outputs(out)]
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code" and set(colab.TAGS) & set(tags):
            continue                                   # installs genlib on Colab: nothing to read here
        if cell.cell_type == "code" and "exercise" in tags:
            stub = nbformat.v4.new_code_cell(students.strip_solutions(cell.source),
                                             metadata={"tags": ["exercise"]})
            solution = [line for line in cell.source.split("\n")
                        if line.strip() not in (students.BEGIN, students.END)]
            cell.source = "\n".join(solution)
            cell.metadata["tags"] = [t for t in tags if t != "exercise"] + ["solution", "hide-input"]
            cells += [stub, cell]
        else:
            cells.append(cell)
    nb.cells = cells
    return nb


def _lecture_table(entries, cfg: dict) -> str:
    rows = ["| # | Lecture | Open the student copy |", "|---|---|---|"]
    for n, (name, title) in enumerate(entries, 1):
        links = launch_links(name, cfg)
        number = name.split("_", 1)[0].lstrip("0") or str(n)
        rows.append(f"| {number} | {{doc}}`{title} <lectures/{name}>` | "
                    f"<a href=\"{links['colab']}\">Colab</a> \u00b7 <a href=\"{links['binder']}\">Binder</a> "
                    f"\u00b7 <a href=\"{links['download']}\" download>download</a> |")
    toctree = "\n".join(f"lectures/{name}" for name, _ in entries)
    return "\n".join(rows) + f"\n\n```{{toctree}}\n:hidden:\n:caption: Lectures\n\n{toctree}\n```\n"


def _parameters(entries) -> str:
    """Each lecture's parameters cell, as the instructors' page shows it."""
    parts = []
    for name, title in entries:
        nb = nbformat.read(registry.LECTURES / f"{name}.ipynb", as_version=4)
        i = registry.tagged(nb, "parameters")
        if i is None:
            continue
        parts.append(f"### {name}: {title}\n\n```python\n{nb.cells[i].source.strip()}\n```\n")
    return "\n".join(parts)


def _copy_mathjax(dest: Path) -> None:
    if not (MATHJAX / "es5" / "tex-mml-chtml.js").is_file():
        raise UsageError(f"MathJax {MATHJAX_VERSION} is not in {MATHJAX}: run `make site-deps` once "
                         "(it fetches npm's mathjax package; the site is then built offline).")
    for part in MATHJAX_PARTS:
        src, to = MATHJAX / part, dest / part.removeprefix("es5/")
        to.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, to)


def stage(work: Path, cfg: dict | None = None) -> Path:
    """Write the site's Sphinx sources into ``work``; return the folder to build (``work/docs``)."""
    cfg = cfg or colab.config()
    if work.exists():
        shutil.rmtree(work)
    src = work / "docs"
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns("__pycache__", "_build"))
    for rel in INCLUDED:
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, work / rel)
    names = registry.lectures()
    if not names:
        raise UsageError("the course lists no lectures (lectures/src is empty?)")
    entries = []
    for name in names:
        path = registry.LECTURES / f"{name}.ipynb"
        copy = registry.STUDENTS / f"{name}.ipynb"
        for p in (path, copy):
            if not p.is_file():
                raise UsageError(f"{name}: {p} is missing; build it with `python -m genlib.course build {name}`.")
        nb = nbformat.read(path, as_version=4)
        entries.append((name, title_of(nb) or name))
        (src / "lectures").mkdir(exist_ok=True)
        nbformat.write(page_notebook(nb, name, cfg), src / "lectures" / f"{name}.ipynb")
        (src / "_extra" / "students").mkdir(parents=True, exist_ok=True)
        shutil.copy2(copy, src / "_extra" / "students" / f"{name}.ipynb")
    gen = src / "_generated"
    gen.mkdir(exist_ok=True)
    (gen / "lectures.md").write_text(_lecture_table(entries, cfg))
    (gen / "parameters.md").write_text(_parameters(entries))
    (gen / "site.json").write_text(json.dumps({**cfg, "lectures": entries}, indent=1))
    _copy_mathjax(src / "_static" / "mathjax")
    return src


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def build(out: Path = OUT, work: Path | None = None, cfg: dict | None = None, quiet: bool = True) -> dict:
    """Build the site into ``out``; return what was built: seconds (wall), cpu_seconds (this process
    and Sphinx's), pages, bytes, files, lectures."""
    out = Path(out)
    work = Path(work) if work is not None else out.parent / (out.name + "-src")
    t0, cpu0 = time.perf_counter(), _cpu()
    src = stage(work, cfg)
    if out.exists():
        shutil.rmtree(out)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in os.environ.get(
        "PYTHONPATH", "").split(os.pathsep) if p]))
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-b", "html", "-d", str(work / "doctrees"),
           "-j", "1", str(src), str(out)] + (["-q"] if quiet else [])
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"the site build failed (warnings are errors):\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}")
    seconds, cpu = time.perf_counter() - t0, _cpu() - cpu0
    files = [p for p in out.rglob("*") if p.is_file()]
    return {"seconds": seconds, "cpu_seconds": cpu, "pages": len(pages(out)),
            "bytes": sum(p.stat().st_size for p in files), "files": len(files),
            "lectures": [name for name, _ in json.loads((src / "_generated" / "site.json").read_text())["lectures"]],
            "out": str(out)}


def pages(out: Path = OUT) -> list[Path]:
    """The site's HTML pages (not the theme's template fragments under ``_static``)."""
    return sorted(p for p in Path(out).rglob("*.html") if "_static" not in p.relative_to(out).parts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m genlib.course.site", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(OUT), help="where the site goes (default build/site)")
    args = ap.parse_args(argv)
    try:
        got = build(Path(args.out))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"site: {got['out']}/index.html: {got['pages']} pages ({len(got['lectures'])} lectures), "
          f"{got['bytes'] / 1e6:.1f} MB in {got['files']} files, built in {got['seconds']:.1f} s "
          f"({got['cpu_seconds']:.1f} CPU-s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
