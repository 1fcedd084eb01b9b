"""Downloads through torchvision can be abandoned: a quit never waits for a stalled mirror."""

from __future__ import annotations

import socket
import threading

import pytest

from core.data import DataError, download_to_cache


@pytest.fixture
def stalled_mirror(monkeypatch):
    """A real HTTP mirror on loopback that never answers; yields the connections it accepted."""
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
    yield accepted
    done.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_a_cancelled_download_returns_while_the_mirror_hangs(stalled_mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    raised: list[BaseException] = []

    def download() -> None:
        try:
            # Cancelled once the download has reached the mirror, which never answers.
            download_to_cache("mnist", cancelled=lambda: bool(stalled_mirror))
        except BaseException as err:
            raised.append(err)

    caller = threading.Thread(target=download, daemon=True)
    caller.start()
    caller.join(timeout=60)  # a hang guard, not a speed claim
    assert not caller.is_alive(), "the cancelled download kept waiting for the mirror"
    assert stalled_mirror, "the download never reached the mirror"
    assert isinstance(raised[0], DataError)
    assert "download of mnist cancelled" in str(raised[0])
