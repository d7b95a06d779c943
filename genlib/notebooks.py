"""Deprecated alias of the course tools' notebook build: use ``python -m genlib.course build|check``.

Kept only for the merge window: other branches (and ``tests/test_papermill.py``) still
call ``python -m genlib.notebooks build`` or read ``LECTURES`` / ``lecture_names()``
here. It belongs to the tools side (``genlib.course``); no lecture imports it. Delete it
once nothing does.
"""
import sys

from .course.registry import LECTURES, lectures as lecture_names  # noqa: F401


def main(argv=None) -> int:
    from .course.cli import main as course_main

    return course_main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
