"""A lock for CI, ranges for students: requirements-lock.txt agrees with the ranges it was made from.

``make test`` installs the exact versions of requirements-lock.txt (``make lock``
regenerates it with pip-tools); ``make lab``, Binder and Colab get the ranges of
requirements*.txt, which must keep admitting Colab's stack.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from genlib import manifest

ROOT = manifest.ROOT
LOCK = ROOT / "requirements-lock.txt"
# Colab's stack, which the ranges must admit (Python 3.13 is checked by requires-python).
COLAB = manifest.pins()["colab"]


def ranges(path: Path) -> list[Requirement]:
    out = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            out.append(Requirement(line))
    return out


def locked() -> dict:
    out = {}
    for line in LOCK.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            out[canonicalize_name(m.group(1))] = Version(m.group(2))
    return out


def test_the_lock_pins_every_package_exactly_and_says_how_to_regenerate_it():
    text = LOCK.read_text()
    assert "make lock" in text
    entries = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    assert entries and all(re.match(r"^[A-Za-z0-9_.\-]+==\S+$", l) for l in entries), \
        [l for l in entries if not re.match(r"^[A-Za-z0-9_.\-]+==\S+$", l)]


def test_the_lock_leaves_torch_to_the_makefile_and_holds_no_cuda_build():
    p = locked()
    assert "torch" not in p and "genlib" not in p
    cuda = sorted(n for n in p if n.startswith("nvidia-") or n == "triton")
    assert not cuda, f"the lock pulls CUDA packages (regenerate where pip finds torch's CPU build): {cuda}"
    torch = manifest.pins()["torch"]
    make = subprocess.run(["make", "-n", "setup-locked", "VENV=/nonexistent"], cwd=ROOT, capture_output=True, text=True)
    assert f'install -q "torch=={torch}"' in make.stdout, "the Makefile's TORCH is the manifest's pin"
    for req in ranges(ROOT / "requirements.txt"):
        if req.name == "torch":
            assert req.specifier.contains(torch), (req, torch)


def test_every_range_is_met_by_the_lock():
    p = locked()
    reqs = ranges(ROOT / "requirements.txt") + ranges(ROOT / "requirements-dev.txt")
    reqs += [Requirement(r) for r in manifest.read_toml()["project"]["dependencies"]]
    missing, outside = [], []
    for req in reqs:
        name = canonicalize_name(req.name)
        if name == "torch":
            continue
        if name not in p:
            missing.append(str(req))
        elif not req.specifier.contains(p[name], prereleases=True):
            outside.append(f"{req} (locked {p[name]})")
    assert not missing and not outside, f"regenerate the lock (make lock): missing {missing}, outside {outside}"


def test_the_ranges_still_admit_colab():
    reqs = {canonicalize_name(r.name): r for r in ranges(ROOT / "requirements.txt")}
    for name, version in COLAB.items():
        assert reqs[name].specifier.contains(version), f"{reqs[name]} shuts out Colab's {name} {version}"
    requires = manifest.read_toml()["project"]["requires-python"]
    assert Requirement(f"python{requires}").specifier.contains("3.13")
