"""Who may reach the review app, which requests may change anything, and which files it serves.

- **Host and token** (``AccessMiddleware``): on a loopback address only ``Host: 127.0.0.1``,
  ``localhost`` or ``[::1]`` is answered (a web page elsewhere cannot reach the app by pointing
  its own domain name at 127.0.0.1, "DNS rebinding"). Any other listening address needs a token,
  printed at start: the first visit carries it as ``?token=``, which is swapped for a cookie and
  dropped from the address bar; every request without the cookie (or ``Authorization: Bearer``)
  is refused.
- **CSRF** (``csrf_token``, ``check_csrf``): every state-changing request is a POST whose form
  carries ``csrf``, an HMAC of a per-browser random cookie under a per-process key; a POST whose
  ``Origin`` is another site, or whose ``Sec-Fetch-Site`` says cross-site, is refused before it is
  read. A restarted server asks for a reload rather than trusting an old form.
- **Files** (``file_inside``): a path from a URL or a ledger is served only when it is relative,
  has no ``..``, resolves (symlinks followed) inside the campaign folder, and is a regular file.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import stat
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import URL, Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from composer.errors import ComposerError

TOKEN_COOKIE = "composer_review_token"
CSRF_COOKIE = "composer_review_csrf"
CSRF_FIELD = "csrf"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")


class Refused(ComposerError):
    """A request the app will not serve: ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and any loopback address (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Access:
    """Who may use the app: loopback needs nothing; any other address needs ``token``."""

    host: str
    token: str | None = None
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    """The per-process key the CSRF tokens are signed with."""

    def __post_init__(self) -> None:
        if self.token is None and not is_loopback(self.host):
            raise ComposerError(f"--host {self.host} is not a loopback address: it needs a token")


# -- host and token --------------------------------------------------------------------------------
class AccessMiddleware:
    """Refuses requests with a foreign ``Host`` (loopback) or without the token (any other host),
    and cross-site POSTs; swaps a ``?token=`` for a cookie."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response = self.refusal(scope)
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)

    def refusal(self, scope: Scope) -> Response | None:
        headers = Headers(scope=scope)
        if self.access.token is None and not _loopback_host_header(headers.get("host", "")):
            return _refuse("this review app answers only to localhost / 127.0.0.1", 421)
        if scope["method"] not in ("GET", "HEAD") and _cross_site(headers):
            return _refuse("cross-site request refused", 403)
        if self.access.token is None:
            return None
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query:
            return self._exchange(scope, query)
        if self._has_token(headers):
            return None
        return _refuse("this review app needs its token: open the address it printed at start (?token=...)", 401)

    def _has_token(self, headers: Headers) -> bool:
        assert self.access.token is not None
        cookies = SimpleCookie(headers.get("cookie", ""))
        given = cookies[TOKEN_COOKIE].value if TOKEN_COOKIE in cookies else ""
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        return _same(given, self.access.token)

    def _exchange(self, scope: Scope, query: dict[str, str]) -> Response:
        """``?token=`` right: set the cookie and redirect to the same address without it."""
        assert self.access.token is not None
        if not _same(query.pop("token"), self.access.token):
            return _refuse("wrong token", 401)
        url = URL(scope=scope).replace(query=urlencode(query))
        response = RedirectResponse(url.path + (f"?{url.query}" if url.query else ""), status_code=303)
        response.set_cookie(TOKEN_COOKIE, self.access.token, httponly=True, samesite="strict")
        return response


def _loopback_host_header(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.lower() in LOOPBACK_NAMES or is_loopback(name)


def _cross_site(headers: Headers) -> bool:
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")  # "null" (a sandboxed frame, a file:// page) is another site too
    if origin is None:
        return False
    return origin.split("://", 1)[-1] != headers.get("host", "")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _refuse(message: str, status: int) -> Response:
    return PlainTextResponse(f"Refused: {message}\n", status_code=status)


# -- CSRF --------------------------------------------------------------------------------------------
def csrf_nonce(request: Request) -> str:
    """This browser's CSRF cookie value (a fresh one, to be set by ``remember_csrf``, if it has none)."""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if len(nonce) != 32 or not nonce.isalnum():
        nonce = request.state.new_csrf = secrets.token_hex(16)
    return nonce


def csrf_token(access: Access, nonce: str) -> str:
    """The value forms carry: the nonce signed with the process's key."""
    return hmac.new(access.secret, nonce.encode(), hashlib.sha256).hexdigest()


def remember_csrf(request: Request, response: Response) -> None:
    """Set the CSRF cookie on ``response`` when ``csrf_nonce`` had to make one."""
    nonce = getattr(request.state, "new_csrf", None)
    if nonce:
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict")


def check_csrf(access: Access, request: Request, submitted: object) -> None:
    """Raise ``Refused`` unless ``submitted`` is this browser's signed CSRF token."""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if not nonce or not isinstance(submitted, str) or not _same(submitted, csrf_token(access, nonce)):
        raise Refused("this form has expired or did not come from this app: reload the page and send it again")


# -- files ---------------------------------------------------------------------------------------------
def file_inside(root: Path, relative: str) -> Path:
    """The regular file ``relative`` names inside ``root``, resolved; ``Refused`` otherwise."""
    if not relative or "\x00" in relative or "\\" in relative:
        raise Refused(f"not a file name: {relative!r}")
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts:
        raise Refused(f"only files inside the campaign folder are served, not {relative!r}")
    base = root.resolve()
    try:
        resolved = (base / path).resolve(strict=True)
        mode = resolved.stat().st_mode
    except (OSError, RuntimeError):  # missing, a symlink loop, unreadable
        raise Refused(f"no such file: {relative}", 404) from None
    if not resolved.is_relative_to(base):
        raise Refused(f"{relative} leads outside the campaign folder")
    if not stat.S_ISREG(mode):
        raise Refused(f"{relative} is not a regular file")
    return resolved
