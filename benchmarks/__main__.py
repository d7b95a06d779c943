import sys

from benchmarks.common import main

sys.exit(main())
