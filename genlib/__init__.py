"""genlib: the thin library behind the generative-models course.

The mathematics a lecture teaches lives in the lecture. genlib carries the
plumbing: parameters, runtime (seed, device, profile), data, plots, widgets,
training loops, metrics, claim checks, and the reference implementations
those checks compare against.
"""
from .params import validate, choice, integer, number, flag, PROFILES
from .runtime import setup, seed_everything, device, on_colab, headless
from .check import claim, close, between, ClaimFailed

__version__ = "0.1.0"

__all__ = [
    "validate", "choice", "integer", "number", "flag", "PROFILES",
    "setup", "seed_everything", "device", "on_colab", "headless",
    "claim", "close", "between", "ClaimFailed",
]
