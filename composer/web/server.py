"""Running the review app: bind the address, say where it is, serve until Ctrl-C.

The socket is bound before anything is printed, so the address shown is one that answers (and
``--port 0`` shows the port the system chose).
"""

from __future__ import annotations

import socket
from urllib.parse import quote

import uvicorn
from starlette.applications import Starlette

from composer.errors import ComposerError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port``; a one-line ``ComposerError`` when it cannot be had."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ComposerError(f"--host {host}: not an address this machine has ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ComposerError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def address_of(sock: socket.socket, token: str | None) -> str:
    """The URL to open: ``http://host:port/``, with ``?token=`` when one is needed."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={quote(token)}" if token else "")


def make_server(app: Starlette) -> uvicorn.Server:
    """A quiet uvicorn server for ``app``: no access log, no ``Server`` header."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False)
    return uvicorn.Server(config)


def serve(app: Starlette, sock: socket.socket) -> None:
    """Serve ``app`` on ``sock`` until interrupted (uvicorn handles Ctrl-C and SIGTERM)."""
    make_server(app).run(sockets=[sock])
