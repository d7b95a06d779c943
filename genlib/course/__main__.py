"""``python -m genlib.course ...``: see :mod:`genlib.course.cli`."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
