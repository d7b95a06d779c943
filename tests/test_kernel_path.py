"""The training lectures on a second kernel path: strict nbval with ATEN_CPU_CAPABILITY=default.

PyTorch picks its CPU kernels (AVX-512, AVX2, none) by what the CPU offers; the last
bit of a float, which a few hundred optimiser steps turn into the second printed digit,
depends on that choice. ``ATEN_CPU_CAPABILITY=default`` forces the plain kernels: it
stands in for another machine. Each training lecture is compared strictly with its
committed outputs (the sanitizer masks only ``measured`` values) in a pytest of its
own, started with that variable, so its kernel inherits it.

Which lectures: 04-08 train networks. 01 and 02 also fit small models, but on this
machine kind they print exactly the same text under both kernel paths (compared cell by
cell with papermill, before the sanitizer), so a second pass would add ~30 s of CPU and
no check. 03 fits in closed form.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from genlib import manifest

ROOT = manifest.ROOT
TRAINING = ["04_autoencoder", "05_vae", "06_gan", "07_wgan", "08_evaluation"]


@pytest.mark.papermill
@pytest.mark.slow
@pytest.mark.parametrize("name", TRAINING)
def test_strict_outputs_on_the_default_kernel_path(name):
    nb = ROOT / "lectures" / f"{name}.ipynb"
    assert nb.is_file(), f"{nb} is missing"
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default", GENLIB_HEADLESS="1")
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q", "--nbval",
           str(nb.relative_to(ROOT)), "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
           "--nbval-cell-timeout=600"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    tail = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, (f"ATEN_CPU_CAPABILITY=default {' '.join(cmd[2:])} exited "
                                  f"{proc.returncode}:\n{tail}")
