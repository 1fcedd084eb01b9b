"""Downloads through torchvision: its mirrors, md5 sums and gzip extraction, nothing re-written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path


class DownloadCancelled(Exception):
    """The caller stopped waiting for the download."""


def download_dataset(name: str, target: Path, cancelled: Callable[[], bool] | None = None) -> None:
    """Fetch the four IDX files of `name` into `target/<Name>/raw`, md5-checked, with progress.

    The download runs in a daemon thread that `cancelled` can abandon: a network read cannot be
    interrupted, and a user who quits must not wait for a slow mirror.
    """
    failure: list[BaseException] = []

    def fetch() -> None:
        try:
            from torchvision import datasets

            dataset_class = {"mnist": datasets.MNIST, "fashion": datasets.FashionMNIST}[name]
            target.mkdir(parents=True, exist_ok=True)
            # download=True runs torchvision's own download(): each mirror in turn, each file's
            # md5 checked, extracted under <target>/<Name>/raw, progress on stderr.
            dataset_class(root=str(target), train=True, download=True)
        except BaseException as err:  # handed to the caller's thread below
            failure.append(err)

    thread = threading.Thread(target=fetch, name=f"download-{name}", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.2)
        if cancelled is not None and cancelled():
            raise DownloadCancelled(name)
    if failure:
        raise failure[0]
