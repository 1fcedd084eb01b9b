"""core.data and core.idx: real files, files written here, and every kind of bad file."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from core.data import FASHION_CLASSES, DataError, file_md5, load, official_md5s
from core.idx import IdxError, read_idx, write_idx
from tests.datasets import ROOT, fashion_dir, mnist_dir

STEMS = {
    "train-images-idx3-ubyte": "images",
    "train-labels-idx1-ubyte": "labels",
    "t10k-images-idx3-ubyte": "images",
    "t10k-labels-idx1-ubyte": "labels",
}


def small_arrays(n: int = 12, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    return {"images": images, "labels": labels}


def write_dataset(folder, arrays=None, gz=True, overrides=None):
    """The four IDX files in `folder`; `overrides` maps a stem to raw bytes to write instead."""
    arrays = arrays or small_arrays()
    folder.mkdir(parents=True, exist_ok=True)
    for stem, kind in STEMS.items():
        data = (overrides or {}).get(stem)
        if data is None:
            data = write_idx(arrays[kind])
            if gz:
                data = gzip.compress(data)
        (folder / (stem + (".gz" if gz else ""))).write_bytes(data)
    return arrays


# Real data ---------------------------------------------------------------------------------


def test_real_mnist_train_has_the_official_shape_and_labels():
    train = load("mnist", "train", root=mnist_dir())
    assert train.images.shape == (60000, 28, 28)
    assert train.images.dtype == np.uint8
    assert train.labels.dtype == np.int64
    assert train.labels[:12].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 3, 5]
    assert np.bincount(train.labels).tolist() == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]


def test_real_mnist_test_split():
    test = load("mnist", "test", root=mnist_dir())
    assert test.images.shape == (10000, 28, 28)
    counts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert np.bincount(test.labels).tolist() == counts
    assert test.classes == tuple("0123456789")


def test_real_mnist_image_10_is_the_notebooks_three():
    image = load("mnist", "train", root=mnist_dir()).images[10]
    # The reconstructed file reads this row within 1 grey level of the notebook's 42 118 219 166...
    assert image[4, 11:18].tolist() == [42, 118, 220, 167, 118, 118, 5]


def test_debian_fashion_mnist_loads_with_class_names():
    folder = fashion_dir()
    train = load("fashion", "train", root=folder)
    test = load("fashion", "test", root=folder)
    assert train.images.shape == (60000, 28, 28) and test.images.shape == (10000, 28, 28)
    assert train.classes == FASHION_CLASSES
    assert np.bincount(train.labels).tolist() == [6000] * 10


def test_fashion_is_found_in_debians_folder_without_a_root(tmp_path, monkeypatch):
    fashion_dir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("MNIST_TUI_DATA", raising=False)
    assert load("fashion", "test", download=False).source == str(fashion_dir())


# Files written here ---------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "raw"])
@pytest.mark.parametrize("layout", ["flat", "torchvision"])
def test_idx_files_written_here_round_trip(tmp_path, gz, layout):
    folder = tmp_path if layout == "flat" else tmp_path / "MNIST" / "raw"
    arrays = write_dataset(folder, gz=gz)
    split = load("mnist", "train", root=tmp_path)
    np.testing.assert_array_equal(split.images, arrays["images"])
    np.testing.assert_array_equal(split.labels, arrays["labels"].astype(np.int64))


def test_env_var_names_the_data_folder(tmp_path, monkeypatch):
    arrays = write_dataset(tmp_path / "d")
    monkeypatch.setenv("MNIST_TUI_DATA", str(tmp_path / "d"))
    np.testing.assert_array_equal(load("mnist", "test").images, arrays["images"])


def test_user_cache_in_torchvision_layout_is_found(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("MNIST_TUI_DATA", raising=False)
    arrays = write_dataset(tmp_path / "mnist-tui" / "mnist" / "MNIST" / "raw")
    np.testing.assert_array_equal(load("mnist", "train", download=False).labels, arrays["labels"])


def test_offline_without_data_says_how_to_get_some(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("MNIST_TUI_DATA", raising=False)
    with pytest.raises(DataError) as error:
        load("mnist", "train", download=False)
    message = str(error.value)
    assert "--data-dir" in message and "--dataset synthetic" in message
    assert str(tmp_path / "mnist-tui" / "mnist") in message
    assert "\n" not in message


def test_write_and_read_idx_agree_for_every_type():
    for dtype in (np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64):
        array = np.arange(24, dtype=dtype).reshape(2, 3, 4)
        np.testing.assert_array_equal(read_idx(write_idx(array)), array)


# Bad data: one clear line naming the file and the problem ------------------------------


def load_error(tmp_path, stem=None, data=None, gz=True, split="train") -> str:
    write_dataset(tmp_path, gz=gz, overrides={stem: data} if stem else None)
    with pytest.raises(DataError) as error:
        load("mnist", split, root=tmp_path)
    message = str(error.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_missing_label_file(tmp_path):
    write_dataset(tmp_path)
    os.remove(tmp_path / "train-labels-idx1-ubyte.gz")
    with pytest.raises(DataError, match=r"missing train-labels-idx1-ubyte\[\.gz\]"):
        load("mnist", "train", root=tmp_path)


def test_truncated_gzip(tmp_path):
    good = gzip.compress(write_idx(small_arrays()["images"]))
    message = load_error(tmp_path, "train-images-idx3-ubyte", good[: len(good) // 2])
    assert "train-images-idx3-ubyte.gz" in message and "truncated gzip" in message


def test_corrupt_gzip(tmp_path):
    good = bytearray(gzip.compress(write_idx(small_arrays()["images"])))
    good[20:40] = b"\xff" * 20
    message = load_error(tmp_path, "train-images-idx3-ubyte", bytes(good))
    assert "corrupt gzip" in message


def test_wrong_magic(tmp_path):
    data = b"\x12\x34\x56\x78" + write_idx(small_arrays()["images"])[4:]
    message = load_error(tmp_path, "train-images-idx3-ubyte", data, gz=False)
    assert "not an IDX file (magic 0x12345678" in message


def test_wrong_dimensions(tmp_path):
    data = write_idx(np.zeros((12, 32, 32), np.uint8))
    message = load_error(tmp_path, "train-images-idx3-ubyte", data, gz=False)
    assert "images are 32x32, expected 28x28" in message


def test_truncated_payload(tmp_path):
    data = write_idx(small_arrays()["images"])[:-100]
    message = load_error(tmp_path, "train-images-idx3-ubyte", data, gz=False)
    assert "truncated: header says 12x28x28" in message


def test_image_and_label_counts_differ(tmp_path):
    data = write_idx(np.zeros(11, np.uint8))
    message = load_error(tmp_path, "train-labels-idx1-ubyte", data, gz=False)
    assert "holds 12 images but train-labels-idx1-ubyte holds 11 labels" in message


def test_label_outside_0_to_9(tmp_path):
    labels = np.zeros(12, np.uint8)
    labels[5] = 12
    message = load_error(tmp_path, "train-labels-idx1-ubyte", write_idx(labels), gz=False)
    assert "label 12 at index 5 is outside 0-9" in message


def test_empty_file(tmp_path):
    message = load_error(tmp_path, "t10k-images-idx3-ubyte", b"", gz=False, split="test")
    assert "t10k-images-idx3-ubyte: empty file" in message


def test_labels_given_as_images_are_refused(tmp_path):
    data = write_idx(small_arrays()["images"])
    message = load_error(tmp_path, "train-labels-idx1-ubyte", data, gz=False)
    assert "labels must have 1 dimension(s), found 3" in message


def test_data_dir_that_does_not_exist(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load("mnist", "train", root=tmp_path / "nowhere")


def test_data_dir_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="is not a folder"):
        load("mnist", "train", root=tmp_path / "file")


def test_unreadable_file_is_reported(tmp_path):
    write_dataset(tmp_path)
    os.remove(tmp_path / "train-images-idx3-ubyte.gz")
    (tmp_path / "train-images-idx3-ubyte.gz").mkdir()  # a folder where a file should be
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz: cannot be read"):
        load("mnist", "train", root=tmp_path)


def test_empty_data_dir_names_what_it_looked_for(tmp_path):
    with pytest.raises(DataError, match=r"no mnist IDX files in .* train-images-idx3-ubyte"):
        load("mnist", "train", root=tmp_path)


def test_unknown_dataset_and_split():
    with pytest.raises(DataError, match="unknown dataset 'cifar'"):
        load("cifar", "train")
    with pytest.raises(DataError, match="unknown split 'val'"):
        load("mnist", "val")


def test_read_idx_rejects_short_headers():
    with pytest.raises(IdxError, match="too short"):
        read_idx(b"\x00\x00")
    with pytest.raises(IdxError, match="header cut short"):
        read_idx(b"\x00\x00\x08\x03\x00\x00")


# Synthetic ---------------------------------------------------------------------------------


def test_synthetic_has_mnists_shapes_and_is_deterministic():
    from core.synthetic import SEEDS, SIZES, make_digits

    first = load("synthetic", "train")
    assert first.images.shape[1:] == (28, 28) and first.images.dtype == np.uint8
    assert first.labels.dtype == np.int64
    assert set(np.unique(first.labels)) == set(range(10))
    # Drawn anew (load draws once a process): the same seed draws the same digits.
    images, labels = make_digits(SIZES["train"], SEEDS["train"])
    np.testing.assert_array_equal(first.images, images)
    np.testing.assert_array_equal(first.labels, labels)
    assert first.is_synthetic and "synthetic" in first.source
    assert not np.array_equal(load("synthetic", "test").images[:10], first.images[:10])


def test_a_change_to_loaded_synthetic_digits_does_not_reach_the_next_load():
    first = load("synthetic", "train")
    first.images[0] = 255
    first.labels[0] = -1
    again = load("synthetic", "train")
    assert not (again.images[0] == 255).all()
    assert again.labels[0] != -1


def test_importing_core_does_not_import_textual_or_torch():
    """torch is imported only when needed, and the CLI entry point loads no Textual.

    That no core module imports Textual or tui at all is tests/test_import_boundary.py.
    """
    code = (
        "import sys, core, core.data, core.render, core.synthetic, core.idx, core.show\n"
        "import tui.__main__, tui.cli, tui.cli.runs\n"
        "import core.tensorlab, core.tensorlab.index_expr\n"
        "bad = [m for m in ('textual', 'tui.app', 'torch') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_needs_download_only_when_nothing_is_named_or_cached(tmp_path, monkeypatch):
    from core.data import needs_download

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("MNIST_TUI_DATA", raising=False)
    assert needs_download("mnist")
    assert not needs_download("mnist", root=tmp_path / "named")  # a named folder is not fetched
    assert not needs_download("synthetic")
    write_dataset(tmp_path / "mnist-tui" / "mnist")
    assert not needs_download("mnist")


def test_a_data_dir_name_too_long_for_the_filesystem_is_one_line(tmp_path):
    with pytest.raises(DataError, match="cannot be used"):
        load("mnist", "train", root=tmp_path / ("a" * 300))


# Checksums of a named folder ----------------------------------------------------------------


def official(name: str) -> dict[str, str]:
    """torchvision's own md5 list, imported (slow) to check the one read from its source."""
    from torchvision import datasets

    dataset_class = {"mnist": datasets.MNIST, "fashion": datasets.FashionMNIST}[name]
    return dict(dataset_class.resources)


def md5_of(path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


@pytest.mark.parametrize("name", ["mnist", "fashion"])
def test_the_md5_list_is_torchvisions_read_without_importing_it(name):
    assert official_md5s(name) == official(name)
    assert len(official_md5s(name)) == 4
    assert official_md5s("synthetic") == {}


def test_loading_a_named_folder_checks_md5s_without_importing_torch(tmp_path):
    write_dataset(tmp_path / "d")
    code = (
        "import sys\n"
        "from core.data import load\n"
        f"split = load('mnist', 'test', root={str(tmp_path / 'd')!r})\n"
        "print(split.checksum_note is not None, [m for m in ('torch', 'torchvision') "
        "if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True []"


def copy_real_mnist(folder):
    folder.mkdir()
    for path in mnist_dir().glob("*.gz"):
        shutil.copyfile(path, folder / path.name)
    return folder


def test_a_changed_file_in_a_named_folder_is_noted_once_in_one_line_and_still_loads(tmp_path):
    folder = copy_real_mnist(tmp_path / "mnist")
    labels = folder / "t10k-labels-idx1-ubyte.gz"
    original = load("mnist", "test", root=folder).labels
    # The same labels, gzipped again: the content is intact but the file is not the official one.
    labels.write_bytes(gzip.compress(gzip.decompress(labels.read_bytes()), mtime=0))
    test = load("mnist", "test", root=folder)
    np.testing.assert_array_equal(test.labels, original)  # refused nothing
    note = test.checksum_note
    assert note is not None and "\n" not in note
    assert "from the official MNIST download (torchvision's md5 list); using " in note
    expected = official("mnist")
    differing = sorted(p.name for p in folder.glob("*.gz") if md5_of(p) != expected[p.name])
    assert "t10k-labels-idx1-ubyte.gz" in differing
    named = note.split(f" in {folder} ")[0].split(", ")
    assert sorted(named) == differing  # exactly the files that differ, each once
    assert load("mnist", "train", root=folder).checksum_note == note  # the folder's one verdict


def test_the_real_folder_is_noted_exactly_for_the_files_unlike_the_official_ones():
    folder = mnist_dir()
    expected = official("mnist")
    differing = [p.name for p in sorted(folder.glob("*.gz")) if md5_of(p) != expected[p.name]]
    note = load("mnist", "test", root=folder).checksum_note
    if not differing:
        assert note is None
    else:  # ../shared/data/mnist's training images are a reconstruction, not the download
        assert note is not None
        assert sorted(note.split(f" in {folder} ")[0].split(", ")) == sorted(differing)


def test_unpacked_files_and_unnamed_folders_are_not_compared(tmp_path, monkeypatch):
    write_dataset(tmp_path / "plain", gz=False)
    assert load("mnist", "test", root=tmp_path / "plain").checksum_note is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("MNIST_TUI_DATA", raising=False)
    write_dataset(tmp_path / "mnist-tui" / "mnist")  # the cache: torchvision checked it
    assert load("mnist", "test", download=False).checksum_note is None
    monkeypatch.setenv("MNIST_TUI_DATA", str(tmp_path / "mnist-tui" / "mnist"))  # named now
    note = load("mnist", "test").checksum_note
    assert note is not None and note.startswith(
        "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
        "t10k-labels-idx1-ubyte.gz in "
    )


def test_an_md5_is_computed_once_per_path_size_and_modification_time(tmp_path):
    path = tmp_path / "f.gz"
    path.write_bytes(b"first")
    first = file_md5(path)
    assert first == hashlib.md5(b"first", usedforsecurity=False).hexdigest()
    stamp = path.stat().st_mtime_ns
    path.write_bytes(b"FIRST")  # same size; put the old time back: the cached verdict stands
    os.utime(path, ns=(stamp, stamp))
    assert file_md5(path) == first
    path.write_bytes(b"second")  # another size: computed again
    assert file_md5(path) == hashlib.md5(b"second", usedforsecurity=False).hexdigest()
