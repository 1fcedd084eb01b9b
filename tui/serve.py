"""`mnist-tui serve`: the same app in a web browser, through textual-serve.

Each browser tab that connects gets its own app process, started as `python -m tui` with the
options given to `serve` (dataset, data folder, theme...). The address is checked before the
server starts, so a port in use or a host that does not resolve is one line, not a traceback.
textual-serve and its web stack are imported only when serving: they cost start-up time that
the other commands should not pay.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import ipaddress
import logging
import re
import shlex
import socket
import sys
from typing import TYPE_CHECKING

from core.config import settings

if TYPE_CHECKING:
    from aiohttp import web

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# How long an app process gets to exit once its tab has gone, before it is killed.
APP_EXIT_GRACE_S = 5.0
# Flags of the app itself (not of TrainConfig) that the served app is started with too.
APP_FLAGS = ("checkpoint", "runs", "screen", "theme")


# A host a proxy may forward: a name or IPv4 address, or a bracketed IPv6 one, and a port.
FORWARDED_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")


class ServeError(Exception):
    """Why the server cannot start, in one line."""


def port_number(text: str) -> int:
    """An argparse type: a TCP port a server can listen on (0, "any free port", is refused
    because the URL printed before listening would then be wrong)."""
    try:
        port = int(text, 10)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number in 1..65535, got {text!r}")
    return port


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="the address to listen on; 0.0.0.0 lets other machines connect "
        f"(default: {DEFAULT_HOST})",
    )
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help=f"(default: {DEFAULT_PORT})"
    )


def app_argv(args: argparse.Namespace) -> list[str]:
    """The app's own options as given to `serve`, as a command line for the app."""
    given = vars(args)
    argv: list[str] = []
    for setting in settings():
        if setting.name not in given:  # not typed: the app's default applies there too
            continue
        if setting.kind is bool:
            argv += [] if given[setting.name] else [setting.off_flag]
        else:
            argv += [setting.flag, str(given[setting.name])]  # str(float) round-trips exactly
    for name in APP_FLAGS:
        if given.get(name) is not None:
            argv += [f"--{name}", given[name]]
    return argv


# This app as a module of this Python. -P keeps the current folder off sys.path: `-m` would
# put it first, and a folder holding a `core/` or `tui/` package of its own (any Python
# project) would shadow the app's, every tab hanging on its splash.
APP_MODULE = (sys.executable, "-P", "-m", "tui")


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs per browser tab: this app, this Python."""
    return shlex.join([*APP_MODULE, *app_argv(args)])


def url_for(host: str, port: int) -> str:
    """The address to open: a wildcard host is reachable here through the loopback address."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    try:
        if ipaddress.ip_address(shown).version == 6:
            shown = f"[{shown}]"
    except ValueError:  # a host name, used as typed
        pass
    return f"http://{shown}:{port}"


def check_address(host: str, port: int) -> None:
    """Bind the address once, so that what would fail in the server fails here, in one line."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        reason = err.strerror if isinstance(err, socket.gaierror) else "not a valid name"
        shown = host if host and not host.isspace() and " " not in host else repr(host)
        raise ServeError(f"--host {shown}: cannot use this address ({reason})") from None
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
            try:
                probe.bind(address)
            except OSError as err:
                raise ServeError(bind_problem(host, port, err)) from None


def bind_problem(host: str, port: int, err: OSError) -> str:
    if err.errno == errno.EADDRINUSE:
        return f"port {port} is already in use on {host} (choose another with --port)"
    if err.errno == errno.EACCES:
        return f"port {port} needs more privileges than this user has (use one above 1023)"
    if err.errno == errno.EADDRNOTAVAIL:
        return f"--host {host}: not an address of this machine"
    return f"cannot listen on {host}:{port}: {err.strerror or err}"


def make_server(command: str, host: str, port: int):
    """textual-serve's Server, made quiet and right about the address it gives browsers."""
    import textual_serve.server as served
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    class ReapedAppService(AppService):
        """One tab's app process, waited for when its tab ends.

        textual-serve stops reading once the app closes its output but never waits for the
        process. Its pipes are then closed by the garbage collector whenever it runs: after
        Ctrl-C that can be once the event loop has closed, which prints a traceback (or a
        warning that the loop handling the pid is closed) on the way out.
        """

        async def run(self) -> None:
            open_tabs.add(self)
            try:
                await super().run()
            finally:
                open_tabs.discard(self)
                await reap(self._process)

    open_tabs: set[ReapedAppService] = set()

    # The server makes one AppService per websocket, by this module-level name.
    setattr(served, "AppService", ReapedAppService)  # noqa: B010  (mypy refuses to rebind a class)

    class AppServer(Server):
        def initialize_logging(self) -> None:
            super().initialize_logging()
            # A line per request buries what matters (an app that failed to start) under noise.
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

        async def on_startup(self, app: web.Application) -> None:
            pass  # the URL is printed before serving; no banner

        async def on_shutdown(self, app: web.Application) -> None:
            # Ask every open tab's app to quit, as closing the tab does. Left alone, aiohttp
            # waits for their websockets to end by themselves: Ctrl-C with a tab open took
            # 23 s to return to the prompt.
            tabs = [tab.stop() for tab in list(open_tabs)]
            await asyncio.gather(*tabs, return_exceptions=True)

        async def handle_index(self, request: web.Request):
            # textual-serve writes public_url into the page as the websocket's address. The
            # address this browser reached us by always works; the bind address may not
            # (0.0.0.0 is not somewhere a browser can connect to).
            self.public_url = browser_origin(request)
            return await super().handle_index(request)

    return AppServer(command, host=host, port=port, title="mnist-tui")


def browser_origin(request: web.Request) -> str:
    """The origin the browser asked for the page by. Behind a proxy that terminates TLS it is
    the proxy's, as the proxy says in Forwarded (RFC 7239) or X-Forwarded-Proto/-Host: an https
    page may not open a ws:// websocket, so the scheme must come through. A malformed value
    there is ignored, since it is written into the page."""
    forwarded = request.forwarded[0] if request.forwarded else {}
    proto = forwarded.get("proto") or first_value(request.headers.get("X-Forwarded-Proto"))
    host = forwarded.get("host") or first_value(request.headers.get("X-Forwarded-Host"))
    origin = request.url.origin()
    scheme = proto.lower() if proto and proto.lower() in ("http", "https") else origin.scheme
    if host and FORWARDED_HOST.fullmatch(host):
        return f"{scheme}://{host}"
    return str(origin.with_scheme(scheme))


def first_value(header: str | None) -> str | None:
    """The value the first proxy wrote into an X-Forwarded-* header (one per proxy)."""
    return header.split(",")[0].strip() if header else None


async def reap(process: asyncio.subprocess.Process | None) -> None:
    """Close the app's input and wait for it to exit (killing it after a grace period), so
    that every pipe and the child watcher are done with while the event loop still runs."""
    if process is None:
        return
    if process.stdin is not None:
        process.stdin.close()
    try:
        await asyncio.wait_for(process.wait(), APP_EXIT_GRACE_S)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):  # it exited in the meantime
            process.kill()
        await process.wait()


def serve(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; raises ServeError for an address that cannot be used."""
    check_address(args.host, args.port)
    server = make_server(app_command(args), args.host, args.port)
    print(f"mnist-tui is served at {url_for(args.host, args.port)} (Ctrl-C stops it)", flush=True)
    try:
        server.serve()
    except OSError as err:  # lost the race for the port since check_address
        raise ServeError(bind_problem(args.host, args.port, err)) from None
    return 0
