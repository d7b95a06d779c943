"""genlib: the thin library behind the generative-models course.

The mathematics a lecture teaches lives in the lecture. genlib carries the
plumbing a lecture's kernel uses: parameters, runtime (seed, device, profile),
data, plots, widgets, training loops, metrics, claim checks, and the reference
implementations those checks compare against.

The course tools (the runner, run reports, the student and notebook builds, the
Colab rewrite) live in the subpackage ``genlib.course``; no lecture imports it.
"""
from .params import validate, choice, integer, number, rule, PROFILES
from .runtime import setup, seed_everything, device, headless, parallel_map
from .check import claim, close, between, measured, ClaimFailed



def __getattr__(name):
    if name == "__version__":  # the one version: [project] version in pyproject.toml (genlib.manifest.pins)
        from .manifest import pins

        return pins()["version"]
    raise AttributeError(f"module 'genlib' has no attribute {name!r}")


__all__ = [
    "validate", "choice", "integer", "number", "rule", "PROFILES",
    "setup", "seed_everything", "device", "headless", "parallel_map",
    "claim", "close", "between", "measured", "ClaimFailed",
]
