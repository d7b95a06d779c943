"""Each committed lecture holds its source's cells, its outputs and no widget state."""
import json
from pathlib import Path

import pytest

from genlib.course import colab, notebooks, registry

NAMES = registry.lectures()


def test_every_source_has_a_notebook_and_back():
    assert registry.discover(registry.LECTURES) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_matches_source(name):
    assert name not in notebooks.out_of_date([name]), f"rebuild it: python -m genlib.course build {name}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_clean_and_executed(name):
    nb = json.loads((registry.LECTURES / f"{name}.ipynb").read_text())
    assert "widgets" not in nb["metadata"], "strip metadata.widgets"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c.get("outputs") is not None for c in code)
    assert any(c["outputs"] for c in code), "committed without outputs"
    assert not any(o.get("output_type") == "error" for c in code for o in c["outputs"])
    tags = [t for c in code for t in c["metadata"].get("tags", [])]
    assert "parameters" in tags and set(colab.TAGS) & set(tags)
    assert Path(registry.LECTURES / f"{name}.ipynb").stat().st_size < 3_000_000
