"""The course's benchmarks: each module runs the lectures (or their pieces) it measures and
fails when it misses a target. ``python -m benchmarks [NAME ...]`` is ``make bench``
(:func:`benchmarks.common.main`); ``python -m benchmarks.NAME`` runs one."""
