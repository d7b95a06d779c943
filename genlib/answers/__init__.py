"""The answer keys of the lectures' exercises, one module per lecture (``l05_vae.py`` for 05).

Each module registers its exercises with :func:`genlib.exercises.exercise`: the reference
answer, the inputs a check tries and the classic mistakes it names (for an exercise that
builds or trains something, a judge). Keeping them here, out of the notebook, means a
student meets the exercise before its answer; :func:`genlib.exercises.check` looks them up
by name. Every module in this package is loaded, so a new lecture adds its file and
nothing else.
"""
import importlib
import pkgutil

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    importlib.import_module(f"{__name__}.{_info.name}")
