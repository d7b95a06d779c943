"""Runtime: seeding, device choice, the PROFILE knob, threads.

``PROFILE`` picks the size of every experiment in a lecture:

* ``cpu``  - small enough to run a lecture on a laptop CPU in about a minute;
* ``full`` - the sizes of the papers, meant for a GPU (it also runs on a CPU, slowly);
* ``auto`` - ``full`` when CUDA is available, else ``cpu``.

The allowed profiles are the manifest's (``genlib.manifest.PROFILE_NAMES``, checked by
``genlib.PROFILES``). This module is the one place for the thread policy
(:func:`one_thread`, and ``threads=1`` in :func:`setup`) and the conversion of tensors to
NumPy (:func:`as_numpy`).
"""
from __future__ import annotations

import contextlib
import os
import random
from dataclasses import dataclass

import numpy as np

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


def as_numpy(x, dtype=None) -> np.ndarray:
    """``x`` (a tensor on any device, an array, a number or a list) as a NumPy array."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=dtype)


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
    """``auto`` -> ``full`` with a GPU, else ``cpu``; other (validated) profiles unchanged."""
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


@contextlib.contextmanager
def one_thread(dev="cpu"):
    """Run tiny CPU networks on one torch thread (the course's thread policy).

    With models and batches this small a second thread costs more in
    synchronisation than it gains (far more when the cores are shared, as in CI),
    and one thread gives the same numbers on every core count.
    """
    torch = _torch()
    cpu = torch is not None and getattr(dev, "type", str(dev)) == "cpu"
    saved = torch.get_num_threads() if cpu else None
    if cpu:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if cpu:
            torch.set_num_threads(saved)


def cap_native_threads(n: int = 1) -> None:
    """Cap the threads of the BLAS and OpenMP libraries numpy, scipy and scikit-learn call.

    The course's arrays are small: a second BLAS thread gains little, and where the cores are
    shared (two notebooks at once, CI's workers, a 2-core Colab machine busy with torch) OpenBLAS's
    threads spin waiting for each other. Measured on 2 cores: scikit-learn's logistic regression
    on 4,000 MNIST digits (lecture 05's judge) fits in 2.4 s on two BLAS threads with the machine
    idle, 3.2 s with the other core busy and 18 s beside a second notebook; on one thread, 1.3 s
    with the other core busy. The libraries already loaded are capped through threadpoolctl; those
    loaded later (scikit-learn's OpenMP, say) read the environment variables set here.
    """
    import warnings

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # threadpoolctl's notes on mixed OpenMP runtimes
        threadpool_limits(limits=n)


_JOBS: list = []


def _run_job(i: int):
    torch = _torch()
    if torch is not None:
        torch.set_num_threads(1)
    return _JOBS[i]()


def parallel_map(jobs, processes: int | None = None) -> list:
    """``[job() for job in jobs]``, with the jobs spread over the CPU cores where that is safe.

    For independent trainings that each seed themselves (``seed_everything`` first): the results
    are the same either way, only the wall time changes. Each job runs in a forked copy of this
    process on one torch thread, so nothing is pickled but the results (lambdas and functions
    defined in a notebook work), and an exception in a job is raised here. Forking is used only
    on Linux (macOS and Windows start processes differently), with more than one job and more
    than one core, and not with ``GENLIB_PROCESSES=1``; otherwise the jobs run one after another,
    here; so they do once this process has started CUDA (a forked child cannot use it). ``processes``
    (default: the cores this process may use, or ``GENLIB_PROCESSES``) caps the workers. An
    interrupt stops the workers with it. Jobs must seed themselves rather than draw from the
    caller's random state.
    """
    import multiprocessing
    import sys

    jobs = list(jobs)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    n = processes or int(os.environ.get("GENLIB_PROCESSES", "0") or 0) or cores
    n = max(1, min(int(n), len(jobs)))
    torch = _torch()
    on_gpu = torch is not None and torch.cuda.is_initialized()  # a forked child cannot use CUDA; one GPU runs them anyway
    if n == 1 or sys.platform != "linux" or on_gpu:
        return [job() for job in jobs]
    global _JOBS
    _JOBS = jobs
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:  # leaving the block terminates it
            return pool.map(_run_job, range(len(jobs)), chunksize=1)
    finally:
        _JOBS = []


@dataclass(frozen=True)
class Runtime:
    profile: str
    device: object
    seed: int

    def pick(self, cpu, full):
        """Choose a size by profile: ``rt.pick(cpu=2000, full=60000)``."""
        return full if self.profile == "full" else cpu

    @property
    def rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed)

    def __repr__(self) -> str:
        return f"Runtime(profile={self.profile!r}, device={str(self.device)!r}, seed={self.seed})"


def setup(profile: str = "auto", seed: int = 0, threads: int | None = 1, quiet: bool = False) -> Runtime:
    """Resolve the (validated) profile, pick the device, seed everything, fix the plotting style.

    ``threads`` caps torch's CPU threads (1 by default, see :func:`one_thread`) and those of the
    BLAS and OpenMP libraries numpy, scipy and scikit-learn call (:func:`cap_native_threads`);
    pass ``None`` to leave both at their defaults.
    """
    prof = resolve_profile(profile)
    dev = device()
    torch = _torch()
    if torch is not None and threads is not None and str(dev) == "cpu":
        torch.set_num_threads(threads)
    if threads is not None:
        cap_native_threads(threads)
    seed_everything(seed)
    from . import plots

    plots.style()
    plots.audit_when_asked()
    rt = Runtime(profile=prof, device=dev, seed=seed)
    if not quiet:
        print(f"Profile {prof}, device {dev.type if hasattr(dev, 'type') else dev}, seed {seed}.")
    return rt
