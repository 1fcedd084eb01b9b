"""MNIST-style datasets as NumPy arrays: where to find them, how to read them, what can go wrong.

Reading stays in NumPy so that browsing never pays for importing torch (about 2-3 s on a 2-core
machine). Downloads, mirrors and md5 checks are torchvision's own and are imported only when a
download is really needed.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import io
import os
import stat
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from core.errors import last_line
from core.files import NotAFileError, describe_kind, open_regular
from core.idx import EmptyIdx, IdxError, read_idx_stream

DATASETS = ("mnist", "fashion", "synthetic")
SPLITS = ("train", "test")

MNIST_CLASSES = tuple(str(d) for d in range(10))
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

# The IDX base names are the same for MNIST and Fashion-MNIST.
FILE_STEMS = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}
# torchvision's folder names under a root: <root>/MNIST/raw, <root>/FashionMNIST/raw.
TORCHVISION_FOLDERS = {"mnist": "MNIST", "fashion": "FashionMNIST"}
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
DATA_ENV = "MNIST_TUI_DATA"
PIXELS = 28 * 28
GZIP_MAGIC = b"\x1f\x8b"
GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib reads the gzip header and trailer
GZIP_CHECK_AHEAD = 64 << 20  # bytes unpacked past a bad IDX header to tell a corrupt gzip


class DataError(Exception):
    """A dataset could not be found or read; the message is one line meant for the user."""


@dataclass(frozen=True, eq=False)  # arrays inside: compare splits by identity, not by value
class Split:
    """One split of a dataset: images (N, 28, 28) uint8 and labels (N,) int64."""

    name: str
    split: str
    images: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]
    source: str
    # The .gz files of a folder the user named whose md5 is not the official download's.
    unofficial_files: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def checksum_note(self) -> str | None:
        """One line naming the files unlike the official downloads, or None."""
        if not self.unofficial_files:
            return None
        files = ", ".join(self.unofficial_files)
        title = DATASET_TITLES.get(self.name, self.name)
        one = len(self.unofficial_files) == 1
        verb, them = ("differs", "it as it is") if one else ("differ", "them as they are")
        return (
            f"{files} in {self.source} {verb} from the official {title} download "
            f"(torchvision's md5 list); using {them}"
        )

    @property
    def is_synthetic(self) -> bool:
        return self.name == "synthetic"


def cache_dir() -> Path:
    """The per-user folder where downloads land (platformdirs; honours XDG_CACHE_HOME)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("mnist-tui", appauthor=False))


def classes_for(name: str) -> tuple[str, ...]:
    return FASHION_CLASSES if name == "fashion" else MNIST_CLASSES


def load(
    name: str,
    split: str,
    root: str | os.PathLike | None = None,
    download: bool = True,
    cancelled: Callable[[], bool] | None = None,
) -> Split:
    """Load one split of `name` ("mnist", "fashion" or "synthetic") as NumPy arrays."""
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)}")
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}: choose train or test")
    if name == "synthetic":
        from core.synthetic import synthetic_arrays  # Pillow, only when asked for

        images, labels, source = synthetic_arrays(split)
        return Split(name, split, images, labels, MNIST_CLASSES, source)

    folder = find_folder(name, root, download=download, cancelled=cancelled)
    images_path = find_file(folder, split, "images")
    labels_path = find_file(folder, split, "labels")
    images = read_idx_file(images_path, kind="images")
    labels = read_idx_file(labels_path, kind="labels")
    if len(images) != len(labels):
        raise DataError(
            f"{images_path.name} holds {len(images):,} images but {labels_path.name} "
            f"holds {len(labels):,} labels"
        )
    bad = np.flatnonzero(labels > 9)
    if bad.size:
        raise DataError(
            f"{labels_path}: label {int(labels[bad[0]])} at index {int(bad[0])} is outside 0-9"
        )
    named = root is not None or bool(os.environ.get(DATA_ENV))
    return Split(
        name=name,
        split=split,
        images=images,
        labels=labels.astype(np.int64),
        classes=classes_for(name),
        source=str(folder),
        # Downloads are md5-checked by torchvision as they arrive; a named folder is checked here.
        unofficial_files=unofficial_files(name, folder) if named else (),
    )


def load_splits(
    name: str,
    root: str | os.PathLike | None = None,
    download: bool = True,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[Split, Split]:
    """Both splits of `name`, train then test, from the same folder."""
    return (
        load(name, "train", root, download, cancelled),
        load(name, "test", root, download, cancelled),
    )


# --- Checksums of a folder the user named ---------------------------------------------------------

MD5_CHUNK = 1 << 20
DATASET_TITLES = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}
_md5s: dict[tuple[str, int, int], str] = {}  # (resolved path, size, mtime_ns) -> md5 hex digest
_md5s_lock = threading.Lock()  # loads of both splits may run in two workers at once


@functools.cache
def official_md5s(name: str) -> dict[str, str]:
    """torchvision's md5 sums of `name`'s four .gz downloads, by file name; {} if unknown.

    Read from torchvision's source (its `resources` list in datasets/mnist.py) rather than by
    importing it: `import torchvision.datasets` loads torch, 8 s cold on a 2-core machine,
    while parsing the one file takes milliseconds.
    """
    try:
        spec = importlib.util.find_spec("torchvision")
        locations = list(spec.submodule_search_locations or []) if spec else []
        if not locations:
            return {}
        tree = ast.parse((Path(locations[0]) / "datasets" / "mnist.py").read_text())
    except (ImportError, ValueError, OSError, SyntaxError):
        return {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == TORCHVISION_FOLDERS.get(name):
            for item in node.body:
                if not isinstance(item, ast.Assign):
                    continue
                if any(isinstance(t, ast.Name) and t.id == "resources" for t in item.targets):
                    try:
                        return {str(f): str(md5) for f, md5 in ast.literal_eval(item.value)}
                    except (ValueError, TypeError, SyntaxError):
                        return {}
    return {}


def file_md5(path: Path) -> str:
    """The md5 of a file, computed once for each (path, size, modification time)."""
    info = path.stat()
    key = (str(path.resolve()), info.st_size, info.st_mtime_ns)
    with _md5s_lock:
        if key in _md5s:
            return _md5s[key]
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as file:
        while chunk := file.read(MD5_CHUNK):
            digest.update(chunk)
    with _md5s_lock:
        _md5s[key] = digest.hexdigest()
    return _md5s[key]


def unofficial_files(name: str, folder: Path) -> tuple[str, ...]:
    """The files in `folder` whose md5 differs from the official list, by name.

    The list is of the .gz downloads, so only .gz files are compared; files stored unpacked
    have no official sum to compare with. A file that cannot be read is left to the reader's
    own error.
    """
    official = official_md5s(name)
    differing = []
    for (split, kind), stem in FILE_STEMS.items():
        expected = official.get(f"{stem}.gz")
        try:
            path = find_file(folder, split, kind)
            if expected is None or path.suffix != ".gz" or file_md5(path) == expected:
                continue
        except (DataError, OSError):
            continue
        differing.append(path.name)
    return tuple(differing)


def check_trainable(images: np.ndarray, labels: np.ndarray, name: str) -> None:
    """Refuse data the 784-input, 10-class network cannot take, in one line, before any use.

    load() already guarantees this for files; arrays handed to fit() directly come here too,
    because the C step indexes by label and pixel without checking.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if len(images) == 0:
        raise DataError(f"the {name} split has no images")
    if images.dtype != np.uint8 or images.ndim < 2 or images[0].size != PIXELS:
        raise DataError(
            f"{name} images must be uint8 28x28 (784 pixels), got {images.dtype} {images.shape}"
        )
    if labels.shape != images.shape[:1]:
        raise DataError(f"{name} has {len(images)} images but {labels.size} labels")
    if not np.issubdtype(labels.dtype, np.integer) or not (
        labels.min() >= 0 and labels.max() < len(MNIST_CLASSES)
    ):
        raise DataError(
            f"{name} labels must be whole numbers 0..{len(MNIST_CLASSES) - 1}, "
            f"got {labels.min()}..{labels.max()}"
        )


def candidate_folders(name: str, root: str | os.PathLike | None) -> list[tuple[Path, bool]]:
    """Where to look, in order, each with whether it was named explicitly by the user."""
    if root is not None:
        return [(Path(root).expanduser(), True)]
    if os.environ.get(DATA_ENV):
        return [(Path(os.environ[DATA_ENV]).expanduser(), True)]
    folders = [(cache_dir() / name, False)]
    if name == "fashion":
        folders.append((DEBIAN_FASHION, False))
    return folders


def find_folder(
    name: str,
    root: str | os.PathLike | None,
    download: bool = True,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """The first folder holding the four IDX files, downloading into the cache if none does."""
    for base, explicit in candidate_folders(name, root):
        folder = data_folder_in(base, name)
        if folder is not None:
            return folder
        if explicit:
            check_folder_readable(base)
            missing = FILE_STEMS["train", "images"]
            raise DataError(
                f"no {name} IDX files in {base} (looked for {missing}[.gz] and the rest, "
                f"flat or under {TORCHVISION_FOLDERS[name]}/raw)"
            )
    if download:
        return download_to_cache(name, cancelled)
    raise DataError(no_data_message(name))


def needs_download(name: str, root: str | os.PathLike | None = None) -> bool:
    """True when loading `name` would download: no folder was named and none holds the files."""
    if name == "synthetic":
        return False
    folders = candidate_folders(name, root)
    if any(explicit for _, explicit in folders):
        return False
    return all(data_folder_in(base, name) is None for base, _ in folders)


def check_folder_readable(base: Path) -> None:
    try:
        check_folder(base)
    except OSError as err:  # a name too long, a broken mount: still one line
        raise DataError(f"data folder {base} cannot be used ({err.strerror or err})") from err


def check_folder(base: Path) -> None:
    if not base.exists():
        raise DataError(f"data folder {base} does not exist")
    if not base.is_dir():
        raise DataError(f"data folder {base} is not a folder")
    if not os.access(base, os.R_OK | os.X_OK):
        raise DataError(f"data folder {base} cannot be read (permission denied)")


def data_folder_in(base: Path, name: str) -> Path | None:
    """`base` itself or torchvision's `<base>/<Name>/raw`, whichever has a training-image file."""
    for folder in (base, base / TORCHVISION_FOLDERS[name] / "raw"):
        try:
            if any(p.exists() for p in file_candidates(folder, FILE_STEMS["train", "images"])):
                return folder
        except PermissionError as err:
            raise DataError(f"data folder {folder} cannot be read (permission denied)") from err
        except OSError as err:
            raise DataError(f"data folder {folder} cannot be used ({err.strerror or err})") from err
    return None


def file_candidates(folder: Path, stem: str) -> list[Path]:
    # Some mirrors spell the names with a dot ("train-images.idx3-ubyte").
    dotted = stem.replace("-idx", ".idx")
    return [folder / f"{s}{ext}" for s in (stem, dotted) for ext in ("", ".gz")]


def find_file(folder: Path, split: str, kind: str) -> Path:
    """The first of the file's names present in `folder`; it must be a regular file."""
    stem = FILE_STEMS[split, kind]
    for path in file_candidates(folder, stem):
        try:
            if path.exists():
                check_regular_file(path)
                return path
        except OSError as err:
            raise DataError(f"{path}: cannot be used ({err.strerror or err})") from err
    raise DataError(f"missing {stem}[.gz] in {folder}")


def check_regular_file(path: Path) -> None:
    """Refuse a folder, FIFO, device or socket where an IDX file should be, before opening it."""
    try:
        info = os.stat(path)
    except OSError:
        return  # gone or unreadable: open_idx_file says which, in the same words as ever
    if not stat.S_ISREG(info.st_mode):
        kind = describe_kind(info.st_mode)
        raise DataError(f"{path}: cannot be read (it is {kind}, not a regular file)")


def open_idx_file(path: Path) -> io.BufferedReader:
    """Open a regular file for reading; anything else is one DataError line, at once."""
    try:
        return open_regular(path)
    except NotAFileError as err:
        raise DataError(f"{path}: cannot be read ({err.strerror})") from err
    except PermissionError as err:
        raise DataError(f"{path}: cannot be read (permission denied)") from err
    except OSError as err:
        raise DataError(f"{path}: cannot be read ({err.strerror or err})") from err


def read_idx_file(path: Path, kind: str) -> np.ndarray:
    """Read an IDX file (gzipped or not) and check it holds what `kind` needs.

    The header is read first and only the payload it declares after it (core.idx), so a
    gzip that unpacks to far more than its header says is refused having read at most that.
    """
    path = Path(path)
    with open_idx_file(path) as file:
        array = _read_idx(path, file)
    expected_ndim, what = (3, "images") if kind == "images" else (1, "labels")
    if array.dtype != np.uint8:
        raise DataError(f"{path}: {what} must be unsigned bytes, found {array.dtype}")
    if array.ndim != expected_ndim:
        raise DataError(
            f"{path}: {what} must have {expected_ndim} dimension(s), found {array.ndim} "
            f"(shape {array.shape})"
        )
    if kind == "images" and array.shape[1:] != (28, 28):
        raise DataError(f"{path}: images are {array.shape[1]}x{array.shape[2]}, expected 28x28")
    if len(array) == 0:
        raise DataError(f"{path}: holds no {what}")
    return array


def _read_idx(path: Path, file: io.BufferedReader) -> np.ndarray:
    try:
        size = os.fstat(file.fileno()).st_size
        if size == 0:
            raise DataError(f"{path}: empty file")
        if file.read(2) != GZIP_MAGIC:
            file.seek(0)
            return read_idx_stream(file, size)
        file.seek(0)
        unpacked = Gunzip(file)
        try:
            return read_idx_stream(unpacked)
        except EmptyIdx as err:
            raise DataError(f"{path}: empty file inside the gzip") from err
        except IdxError:
            # Garbled bytes may be a corrupt gzip that zlib has not caught yet: say so if
            # zlib does within a bounded look further on (its CRC check ends each member).
            unpacked.skip(GZIP_CHECK_AHEAD)
            raise
    except IdxError as err:
        raise DataError(f"{path}: {err}") from err
    except EOFError as err:
        raise DataError(f"{path}: truncated gzip (the file ends before its data does)") from err
    except zlib.error as err:
        raise DataError(f"{path}: corrupt gzip ({err})") from err
    except MemoryError as err:
        raise DataError(f"{path}: not enough memory to read it") from err
    except OSError as err:
        raise DataError(f"{path}: cannot be read ({err.strerror or err})") from err


class Gunzip:
    """A gzip file's content as a stream that unpacks only as many bytes as are asked for.

    zlib checks each member's header, CRC-32 and length; members may follow one another, as
    gzip allows. Truncation raises EOFError, corruption zlib.error. Memory stays at what a
    read asks for plus one CHUNK of compressed input, however far the data would unpack.
    """

    CHUNK = 1 << 20

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.unzip = zlib.decompressobj(GZIP_WBITS)
        self.pending = b""  # compressed bytes read from the file but not yet given to zlib

    def read(self, count: int) -> bytes:
        buffer = bytearray(count)
        return bytes(buffer[: self.readinto(buffer)])

    def readinto(self, buffer: bytearray | memoryview) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view):
            data = self._unpack(len(view) - done)
            if not data:
                break
            view[done : done + len(data)] = data
            done += len(data)
        return done

    def skip(self, count: int) -> None:
        """Unpack and drop up to `count` bytes, a chunk at a time (zlib checks them)."""
        scratch = memoryview(bytearray(min(count, self.CHUNK)))
        while count > 0:
            got = self.readinto(scratch[:count])
            if not got:
                return
            count -= got

    def _unpack(self, limit: int) -> bytes:
        """At most `limit` (> 0) more bytes of content; b"" at the end of the last member."""
        while True:
            if self.unzip.eof:  # a member ended: another one may follow
                self.pending = self.unzip.unused_data or self.pending or self.file.read(self.CHUNK)
                if not self.pending:
                    return b""
                self.unzip = zlib.decompressobj(GZIP_WBITS)
            data = self.unzip.unconsumed_tail or self.pending or self.file.read(self.CHUNK)
            self.pending = b""
            if not data:
                raise EOFError("the gzip stream ends inside a member")
            out = self.unzip.decompress(data, limit)
            if out:
                return out


def no_data_message(name: str) -> str:
    return (
        f"no {name} data found and none could be downloaded: pass --data-dir DIR "
        f"(the four IDX files), set {DATA_ENV}, put them in {cache_dir() / name}, "
        f"or use --dataset synthetic"
    )


def download_to_cache(name: str, cancelled: Callable[[], bool] | None = None) -> Path:
    """Download with torchvision's mirrors, md5 checks and extraction into the user cache."""
    from core.download import DownloadCancelled, download_dataset

    target = cache_dir() / name
    try:
        download_dataset(name, target, cancelled)
    except DownloadCancelled as err:
        raise DataError(f"download of {name} cancelled") from err
    except Exception as err:  # any network or filesystem failure becomes one line
        raise DataError(f"{no_data_message(name)} ({last_line(err)})") from err
    folder = data_folder_in(target, name)
    if folder is None:
        raise DataError(no_data_message(name))
    return folder
