"""Runtime: seeding, device choice, the PROFILE knob and Colab detection.

``PROFILE`` picks the size of every experiment in a lecture:

* ``cpu``  - small enough to run a lecture on a laptop CPU in well under a minute;
* ``full`` - the sizes of the papers, meant for a GPU;
* ``auto`` - ``full`` when CUDA is available, else ``cpu``.
"""
from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass

import numpy as np

PROFILE_CHOICES = ("auto", "cpu", "full")


def on_colab() -> bool:
    """True inside a Google Colab kernel."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def headless() -> bool:
    """True when no person is watching: tests, papermill, scripts.

    Set by the course's test and build commands through ``GENLIB_HEADLESS=1``.
    Progress bars are switched off headless, so executed notebooks stay
    byte-for-byte reproducible.
    """
    return os.environ.get("GENLIB_HEADLESS", "") not in ("", "0")


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a hard requirement of most lectures
        return None
    return torch


def device(prefer: str | None = None):
    """The torch device to use: CUDA when present, else CPU (never an error)."""
    torch = _torch()
    if torch is None:
        return "cpu"
    if prefer == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if prefer == "cuda":
        print("No GPU found: falling back to the CPU.")
    return torch.device("cpu")


def resolve_profile(profile: str) -> str:
    if profile not in PROFILE_CHOICES:
        raise ValueError(f"PROFILE must be one of {', '.join(PROFILE_CHOICES)}; got {profile!r}")
    if profile != "auto":
        return profile
    torch = _torch()
    return "full" if torch is not None and torch.cuda.is_available() else "cpu"


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch = _torch()
    if torch is not None:
        torch.manual_seed(seed)


@dataclass(frozen=True)
class Runtime:
    profile: str
    device: object
    seed: int
    colab: bool

    def pick(self, cpu, full):
        """Choose a size by profile: ``rt.pick(cpu=2_000, full=60_000)``."""
        return full if self.profile == "full" else cpu

    @property
    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)

    def __repr__(self) -> str:
        return f"Runtime(profile={self.profile!r}, device={str(self.device)!r}, seed={self.seed})"


def setup(profile: str = "auto", seed: int = 0, threads: int | None = 1, quiet: bool = False) -> Runtime:
    """Resolve the profile, pick the device, seed everything and fix the plotting style.

    ``threads`` caps torch's CPU threads (1 by default) so results are the same
    on every machine and the small models of the course do not lose most of
    their time synchronising threads (tens of times slower on a busy 2-core
    machine, such as CI running two notebooks at once); pass ``None`` to leave
    torch's default.
    """
    prof = resolve_profile(profile)
    dev = device()
    torch = _torch()
    if torch is not None and threads is not None and str(dev) == "cpu":
        torch.set_num_threads(threads)
    seed_everything(seed)
    from . import plots

    plots.style()
    rt = Runtime(profile=prof, device=dev, seed=seed, colab=on_colab())
    if not quiet:
        print(f"Profile {prof}, device {dev.type if hasattr(dev, 'type') else dev}, seed {seed}.")
    return rt
