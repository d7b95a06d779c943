"""The output contract of the notebooks (CONTRIBUTING.md, "Reproducible outputs").

Exact outputs are compared strictly; measured values are printed by
``genlib.check.measured`` between angle brackets, and the nbval sanitizer masks
what lies between them and nothing else. These tests hold the sanitizer to that:
it leaves every claim line of every lecture intact, and no cell escapes the
comparison through ``nbval-ignore-output``.
"""
import configparser
import json
import re
from pathlib import Path

import pytest

from genlib import check, manifest

ROOT = manifest.ROOT
CFG = ROOT / "tests" / "nbval_sanitize.cfg"
NOTEBOOKS = manifest.notebooks()
MARKS = (check.OK, check.SKIPPED, "\u2610")   # a claim held, a claim skipped, an exercise not done


def rules():
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(CFG, encoding="utf-8")
    return [(name, re.compile(cfg[name]["regex"]), cfg[name]["replace"]) for name in cfg.sections()]


def sanitize(text):
    for _, rx, rep in rules():
        text = rx.sub(rep, text)
    return text


def stream_lines(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
                for line in text.splitlines():
                    yield i, line


def test_the_sanitizer_masks_a_measured_value_and_keeps_the_sentence():
    line = f"test loss {check.measured(105.31):.1f} nats after {check.measured(7)} epochs (exact: 3 layers)"
    assert sanitize(line) == "test loss \u27e8measured\u27e9 nats after \u27e8measured\u27e9 epochs (exact: 3 layers)"
    assert sanitize("KL = 0.016, HQ 57.6%") == "KL = 0.016, HQ 57.6%"   # a bare number is compared


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_claim_line_survives_the_sanitizer(path):
    claims = [(i, line) for i, line in stream_lines(path) if line.startswith(MARKS)]
    assert claims, f"{path.name} checks no claims"
    changed = [(i, line) for i, line in claims if sanitize(line) != line]
    assert not changed, f"the sanitizer would change these claim lines: {changed[:3]}"


def test_no_rule_can_match_a_claim_line():
    # a claim's text may not hold the brackets (genlib.check refuses it), so the
    # measured-value rule can never reach inside one; the other rules must not match text
    for name, rx, _ in rules():
        if name == "measured values":
            with pytest.raises(ValueError):
                check.claim(f"a claim with {check.measured(1.0)}", True)
            continue
        sample = f"{check.OK} KL(p||q) = 0.5108 nats on 10,000 pairs; 25/25 modes, 96.1 % HQ, step 500"
        assert rx.search(sample) is None, name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_cell_is_excused_from_the_comparison(path):
    nb = json.loads(path.read_text())
    tagged = [i for i, c in enumerate(nb["cells"]) if "nbval-ignore-output" in c.get("metadata", {}).get("tags", [])]
    assert not tagged, f"cells {tagged} are tagged nbval-ignore-output; print measured values with check.measured"
