"""`mnist-tui serve`: the app's options reach the served app; a bad address is one line."""

from __future__ import annotations

import select
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.datasets import ROOT
from tui.cli import main
from tui.cli.config_flags import config_from_args
from tui.cli.open_app import start_mode
from tui.cli.parser import build_parser
from tui.serve import APP_MODULE, app_command, url_for


def served_argv(*argv: str) -> list[str]:
    """The command line textual-serve would run per browser tab for `serve ARGV`."""
    return shlex.split(app_command(build_parser().parse_args(["serve", *argv])))


def test_the_served_app_gets_the_options_given_to_serve():
    argv = served_argv(
        "--dataset", "fashion", "--data-dir", "my data", "--lr", "0.01", "--theme", "nord",
        "--checkpoint", "run.pt", "--port", "9001", "--host", "0.0.0.0",
    )  # fmt: skip
    assert tuple(argv[: len(APP_MODULE)]) == APP_MODULE
    app = build_parser().parse_args(argv[len(APP_MODULE) :])
    assert app.command is None  # the app itself, not `serve` again
    assert (app.theme, app.checkpoint) == ("nord", "run.pt")
    config = config_from_args(app)
    assert (config.dataset, config.data_dir, config.lr) == ("fashion", "my data", 0.01)
    assert "--port" not in argv and "--host" not in argv


def test_serve_can_open_every_tab_on_a_screen_of_choice():
    argv = served_argv("--screen", "lesson")
    app = build_parser().parse_args(argv[len(APP_MODULE) :])
    assert start_mode(app) == "lesson"


def test_options_not_given_are_left_to_the_apps_defaults():
    assert tuple(served_argv()) == APP_MODULE


def test_the_served_app_starts_from_a_folder_holding_core_and_tui_packages(tmp_path):
    """Served from inside another Python project, each tab's app is still this one."""
    for name in ("core", "tui"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise ImportError('not the app')\n")
    result = subprocess.run(
        [*served_argv(), "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mnist-tui ")


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000"),
        ("0.0.0.0", "http://127.0.0.1:8000"),
        ("::", "http://[::1]:8000"),
        ("localhost", "http://localhost:8000"),
    ],
)
def test_the_printed_url_is_one_a_browser_here_can_open(host, url):
    assert url_for(host, 8000) == url


def one_line_failure(capsys, argv: list[str]) -> str:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.out == ""
    return captured.err


def test_a_port_in_use_is_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = one_line_failure(capsys, ["serve", "--dataset", "synthetic", "--port", str(port)])
    assert (
        err
        == f"mnist-tui: port {port} is already in use on 127.0.0.1 (choose another with --port)\n"
    )


@pytest.mark.parametrize(
    ("host", "wording"),
    [("no-such-host.invalid", "cannot use this address"), ("192.0.2.1", "not an address")],
)
def test_a_host_that_cannot_be_listened_on_is_one_line(capsys, host, wording):
    err = one_line_failure(capsys, ["serve", "--dataset", "synthetic", "--host", host])
    assert err.startswith(f"mnist-tui: --host {host}: {wording}")


@pytest.mark.parametrize("port", ["0", "65536", "-1", "http"])
def test_a_port_out_of_range_is_refused_by_the_parser(capsys, port):
    with pytest.raises(SystemExit) as exit_:
        main(["serve", f"--port={port}"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --port: must be a port number in 1..65535, got {port!r}" in err
    assert err.count("\n") == 1


def wait_until_listening(port: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def first_line(process: subprocess.Popen, timeout_s: float = 60) -> str:
    """The server's first line of output, or a failure (not a hang) if it never comes."""
    ready, _, _ = select.select([process.stdout], [], [], timeout_s)
    assert ready, f"the server printed nothing in {timeout_s:.0f} s"
    return process.stdout.readline()


def served_page(port: int, headers: dict[str, str]) -> str:
    request = urllib.request.Request(f"http://localhost:{port}/", headers=headers)
    return urllib.request.urlopen(request, timeout=30).read().decode()


def test_serve_prints_the_url_serves_the_page_and_ctrl_c_stops_it_quietly():
    with socket.socket() as probe:  # a port free now; the server takes it a moment later
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--dataset", "synthetic", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = first_line(process)
        assert line == f"mnist-tui is served at http://127.0.0.1:{port} (Ctrl-C stops it)\n"
        wait_until_listening(port)
        # The page tells the browser where the app's websocket is: the address it came by.
        page = urllib.request.urlopen(f"http://localhost:{port}/", timeout=30).read().decode()
        assert f'data-session-websocket-url="ws://localhost:{port}/ws"' in page
        # Behind a proxy that terminates TLS, the page is https and its websocket must be wss.
        for headers in (
            {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "gpu.example.org"},
            {"Forwarded": 'proto=https;host="gpu.example.org"'},
        ):
            page = served_page(port, headers)
            assert 'data-session-websocket-url="wss://gpu.example.org/ws"' in page, headers
        # Only the scheme forwarded: the host the browser used, with wss.
        page = served_page(port, {"X-Forwarded-Proto": "https"})
        assert f'data-session-websocket-url="wss://localhost:{port}/ws"' in page
        # A host that is not one (it is written into the page) is ignored.
        page = served_page(port, {"X-Forwarded-Host": 'x"><script>'})
        assert f'data-session-websocket-url="ws://localhost:{port}/ws"' in page
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0 and out == "" and err == ""
