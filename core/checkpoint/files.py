"""Checkpoints on disk: written atomically, read with weights_only=True, checked before use.

A file is refused before torch reads it when it is not a regular file or its archive would
unpack to more than it holds, and refused after when what it holds fails core/checkpoint/checks.py.
"""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import torch

from core.checkpoint.checks import check_checkpoint, is_text, show
from core.checkpoint.format import FIELD_TYPES, FORMAT, VERSION, Checkpoint, CheckpointError
from core.errors import first_line, os_error_reason
from core.files import NotAFileError, atomic_write, open_regular


def save(path: str | os.PathLike, checkpoint: Checkpoint) -> None:
    """Write atomically (core.files): a crash or a full disk leaves the old file as it was."""
    path = Path(path)
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "model": checkpoint.model,
        "optimizer": checkpoint.optimizer,
        "config": checkpoint.config,
        "epoch": checkpoint.epoch,
        "history": checkpoint.history,
        "rng": checkpoint.rng,
    }
    try:
        atomic_write(path, lambda file: torch.save(payload, file))
    except OSError as err:
        raise CheckpointError(
            f"cannot write checkpoint {path}: {os_error_reason(path, err)}"
        ) from err
    except RuntimeError as err:  # torch.save reports a full disk as RuntimeError
        raise CheckpointError(f"cannot write checkpoint {path}: {first_line(err)}") from err


def load(path: str | os.PathLike) -> Checkpoint:
    """Read a checkpoint onto the CPU, refusing anything that is not plain, well-formed data.

    Everything is checked against the checkpoint's own config (see check_checkpoint); a run
    that resumes from it checks it against its own config with check_compatible.
    """
    path = Path(path)
    payload = _read(path)
    if not isinstance(payload, dict) or not is_text(payload.get("format"), FORMAT):
        raise CheckpointError(f"{path} is not an mnist-tui checkpoint")
    version = payload.get("version")
    if type(version) is not int or version != VERSION:
        raise CheckpointError(
            f"{path} is checkpoint version {show(version)}; this mnist-tui reads version {VERSION}"
        )
    missing = [key for key in FIELD_TYPES if key not in payload]
    if missing:
        raise CheckpointError(f"{path} is missing {', '.join(missing)}")
    for key, expected in FIELD_TYPES.items():
        if not isinstance(payload[key], expected) or isinstance(payload[key], bool):
            raise CheckpointError(
                f"{path}: {key} should be {expected.__name__}, found {type(payload[key]).__name__}"
            )
    checkpoint = Checkpoint(
        model=payload["model"],
        optimizer=payload["optimizer"],
        config=payload["config"],
        epoch=payload["epoch"],
        history=payload["history"],
        rng=payload.get("rng"),
    )
    check_checkpoint(checkpoint, path)
    return checkpoint


def _read(path: Path) -> Any:
    try:
        file = open_regular(path)  # a FIFO, /dev/zero or a folder would hang or fail torch.load
    except FileNotFoundError as err:
        raise CheckpointError(f"no checkpoint at {path}") from err
    except NotAFileError as err:
        raise CheckpointError(f"cannot read checkpoint {path}: {err}") from err
    except OSError as err:
        raise CheckpointError(f"cannot read checkpoint {path}: {err.strerror or err}") from err
    with file:
        _check_archive(file, path)
        try:
            return torch.load(file, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as err:
            # weights_only refuses to import any global it does not know (os.system, a class),
            # so a payload carrying code ends here; other unpickling errors are plain corruption.
            if "unsupported global" in str(err).lower():
                raise CheckpointError(
                    f"{path} holds objects other than tensors and plain values; refused to load it"
                ) from err
            raise CheckpointError(
                f"{path} is corrupt or not a torch file (unreadable pickle)"
            ) from err
        except Exception as err:
            # What torch says here is about its own internals (a zip reader's error code, a
            # paragraph on how files get damaged): nothing a user can act on beyond this.
            raise CheckpointError(f"{path} is corrupt or not a torch file") from err


def _check_archive(file: BinaryIO, path: Path) -> None:
    """Refuse a zip whose entries would unpack to more than the file holds, before torch.load.

    torch.save stores its entries uncompressed, so they add up to less than the file; torch's
    reader would inflate a compressed entry to whatever size it declares (a zip bomb). What
    is not a zip is left to torch.load to name.
    """
    size = os.fstat(file.fileno()).st_size
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        entries = []
    finally:
        file.seek(0)
    packed = [entry.filename for entry in entries if entry.compress_type != zipfile.ZIP_STORED]
    if packed:
        raise CheckpointError(
            f"{path}: {show(packed[0])} is compressed, which torch.save never does; "
            "refused to unpack it"
        )
    claimed = sum(entry.file_size for entry in entries)
    if claimed > size:
        raise CheckpointError(
            f"{path}: its entries claim {claimed:,} bytes but the file has {size:,}; refused"
        )
