"""Downloads through torchvision can be abandoned: a quit never waits for a stalled mirror."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from core.data import DataError, download_to_cache


@pytest.fixture
def stalled_mirror(monkeypatch):
    """A real HTTP mirror on loopback that accepts connections and never answers."""
    from torchvision import datasets

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not done.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    monkeypatch.setattr(datasets.MNIST, "mirrors", [f"http://127.0.0.1:{port}/"])
    yield
    done.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_a_cancelled_download_returns_at_once(stalled_mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    give_up = time.monotonic() + 1.0
    start = time.monotonic()
    with pytest.raises(DataError, match="download of mnist cancelled"):
        download_to_cache("mnist", cancelled=lambda: time.monotonic() > give_up)
    assert time.monotonic() - start < 2.5
