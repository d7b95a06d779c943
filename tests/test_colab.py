"""Colab: badge and install cell come from [tool.genlib]; the install cell acts on Colab only."""
from __future__ import annotations

import importlib.metadata
import shlex
import sys
import tomllib
import types
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from packaging.requirements import Requirement

from genlib import manifest
from genlib.course import colab, notebooks, registry


def pyproject_table():  # the oracle: the standard library's TOML reader
    return tomllib.loads(manifest.PYPROJECT.read_text())["tool"]["genlib"]


class FakeIPython:
    def __init__(self):
        self.calls = []

    def run_line_magic(self, magic, line):
        self.calls.append((magic, line))


@pytest.fixture
def fake_colab(monkeypatch):
    """A stand-in google.colab with an ``output`` module that records its calls."""
    calls = []
    output = types.ModuleType("google.colab.output")
    output.enable_custom_widget_manager = lambda: calls.append("enable_custom_widget_manager")
    google = types.ModuleType("google")
    gcolab = types.ModuleType("google.colab")
    gcolab.output = output
    google.colab = gcolab
    for name, mod in [("google", google), ("google.colab", gcolab), ("google.colab.output", output)]:
        monkeypatch.setitem(sys.modules, name, mod)
    return calls


def run_install_cell(source, ipywidgets_version, monkeypatch):
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda dist: ipywidgets_version if dist == "ipywidgets" else real(dist))
    shell = FakeIPython()
    exec(compile(source, "<install cell>", "exec"), {"get_ipython": lambda: shell})
    return shell.calls


def test_config_is_read_from_pyproject():
    table = pyproject_table()
    assert colab.config() == {"repository": table["repository"], "ref": table["ref"]}


@pytest.mark.parametrize("version, enabled", [("7.7.1", []), ("8.1.5", ["enable_custom_widget_manager"])])
def test_on_colab_installs_pinned_non_editable_and_enables_widgets_only_for_ipywidgets_8(
        fake_colab, monkeypatch, version, enabled):
    cfg = colab.config()
    calls = run_install_cell(colab.install_source(**cfg), version, monkeypatch)
    assert len(calls) == 1
    magic, line = calls[0]
    assert magic == "pip"
    args = shlex.split(line)  # what the shell hands to pip
    assert args[0] == "install" and not {"-e", "--editable", "-U", "--upgrade"} & set(args)
    reqs = [Requirement(a) for a in args[1:] if not a.startswith("-")]
    assert len(reqs) == 1 and reqs[0].name == "genlib"
    assert reqs[0].url == f"git+https://github.com/{cfg['repository']}@{cfg['ref']}"  # pinned to the ref
    assert fake_colab == enabled  # Colab renders ipywidgets 7 natively; 8 needs its custom manager


def test_outside_colab_the_install_cell_does_nothing(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    calls = run_install_cell(colab.install_source(**colab.config()), "8.1.5", monkeypatch)
    assert calls == []
    # and it needs no IPython at all: a plain interpreter runs it
    exec(compile(colab.install_source(**colab.config()), "<install cell>", "exec"), {})


def test_built_lectures_carry_the_configured_badge_and_install_cell():
    cfg = pyproject_table()
    for name in registry.lectures():
        nb = notebooks.read_source(name)
        first = nb.cells[0]
        assert first.cell_type == "markdown"
        url = f"https://colab.research.google.com/github/{cfg['repository']}/blob/{cfg['ref']}/lectures/{name}.ipynb"
        assert url in first.source
        cells = [c for c in nb.cells if set(colab.TAGS) & set(c.metadata.get("tags", []))]
        assert len(cells) == 1 and cells[0].source == colab.install_source(cfg["repository"], cfg["ref"])
        assert f"git+https://github.com/{cfg['repository']}@{cfg['ref']}" in cells[0].source


def test_rewrite_replaces_any_old_badge_and_adds_a_missing_one():
    nb = new_notebook(cells=[
        new_markdown_cell("# T\n\n[![Open In Colab](x.svg)](https://colab.research.google.com/github/old/repo/blob/v0/lectures/01_t.ipynb)"),
        new_code_cell("pass", metadata={"tags": ["install"]})])
    colab.rewrite(nb, "01_t", "me/course", "v2")
    assert "old/repo" not in nb.cells[0].source
    assert "https://colab.research.google.com/github/me/course/blob/v2/lectures/01_t.ipynb" in nb.cells[0].source
    assert "git+https://github.com/me/course@v2" in nb.cells[1].source

    nb = new_notebook(cells=[new_markdown_cell("# T\nintro"), new_code_cell("pass", metadata={"tags": ["install"]})])
    colab.rewrite(nb, "01_t", "me/course", "v2")
    assert nb.cells[0].source.splitlines()[0] == "# T"
    assert colab.badge_markdown("01_t", "me/course", "v2") in nb.cells[0].source


def test_bad_configuration_is_refused(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# T"), new_code_cell("pass")])
    with pytest.raises(ValueError, match="no code cell tagged 'install'"):
        colab.rewrite(nb, "01_t", "me/course", "v2")
    with pytest.raises(ValueError, match="owner/name"):
        colab.install_source("not a repo; rm -rf /", "main")
    with pytest.raises(ValueError, match="ref"):
        colab.install_source("me/course", "main\"; echo")
    bad = tmp_path / "pyproject.toml"
    bad.write_text("[tool.genlib]\nrepository = \"me/course\"\n")
    with pytest.raises(ValueError, match="must set ref"):
        colab.config(bad)


def test_the_old_setup_tag_is_still_recognised_and_binder_opens_the_student_copies():
    nb = new_notebook(cells=[new_markdown_cell("# T"), new_code_cell("pass", metadata={"tags": ["setup"]})])
    colab.rewrite(nb, "01_t", "me/course", "v2", folder="lectures/students")
    assert "blob/v2/lectures/students/01_t.ipynb" in nb.cells[0].source
    assert nb.cells[1].source == colab.install_source("me/course", "v2")
    assert "urlpath=lab/tree/lectures/students" in colab.binder_badge_markdown("me/course", "v2")


def test_the_manifest_reads_its_pins_without_tomllib_as_on_python_3_10(monkeypatch):
    oracle = tomllib.loads(manifest.PYPROJECT.read_text())
    monkeypatch.setitem(sys.modules, "tomllib", None)   # `import tomllib` now fails, as on Python 3.10
    got = manifest.read_toml()
    assert got["project"]["version"] == oracle["project"]["version"]
    for key in ("repository", "ref", "torch"):
        assert got["tool"]["genlib"][key] == oracle["tool"]["genlib"][key]
