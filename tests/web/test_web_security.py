"""The review app's guard, on its own: host and token, cross-site POSTs, CSRF tokens, file paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from composer.errors import ComposerError
from composer.web.security import (
    CSRF_COOKIE,
    TOKEN_COOKIE,
    Access,
    AccessMiddleware,
    Refused,
    check_csrf,
    csrf_token,
    file_inside,
    is_loopback,
)


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"{request.method} ok {request.url.query}")


def guarded(access: Access, base_url: str = "http://127.0.0.1:8765") -> TestClient:
    app = Starlette(routes=[Route("/", hello, methods=["GET", "POST"]), Route("/shots/x", hello)],
                    middleware=[Middleware(AccessMiddleware, access=access)])
    return TestClient(app, base_url=base_url, follow_redirects=False)


# -- host and token ------------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2", "[::1]"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "", "::"])
def test_other_addresses_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_a_non_loopback_host_without_a_token_is_refused() -> None:
    with pytest.raises(ComposerError, match=r"--host 0\.0\.0\.0 is not a loopback address: it needs a token"):
        Access("0.0.0.0")


@pytest.mark.parametrize("base", ["http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"])
def test_loopback_answers_its_own_names(base: str) -> None:
    assert guarded(Access("127.0.0.1"), base).get("/").text == "GET ok "


def test_loopback_refuses_a_foreign_host_header() -> None:
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 gets nothing."""
    response = guarded(Access("127.0.0.1")).get("/", headers={"Host": "evil.example:8765"})
    assert response.status_code == 421
    assert "answers only to localhost" in response.text


def test_a_token_is_required_on_every_request() -> None:
    client = guarded(Access("0.0.0.0", token="s3cret-token"), "http://192.0.2.7:8765")
    for path in ("/", "/shots/x", "/static/review.css", "/files/images/a.png"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert "needs its token" in response.text
    assert client.post("/", data={"a": "1"}).status_code == 401


def test_the_token_in_the_address_becomes_a_cookie_and_leaves_the_address() -> None:
    client = guarded(Access("0.0.0.0", token="s3cret-token"), "http://192.0.2.7:8765")
    response = client.get("/shots/x?page=2&token=s3cret-token")
    assert response.status_code == 303
    assert response.headers["location"] == "/shots/x?page=2"
    cookie = response.headers["set-cookie"]
    assert f"{TOKEN_COOKIE}=s3cret-token" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/shots/x?page=2").text == "GET ok page=2"  # the client kept the cookie


def test_a_wrong_token_is_refused() -> None:
    client = guarded(Access("0.0.0.0", token="s3cret-token"), "http://192.0.2.7:8765")
    assert client.get("/?token=guess").status_code == 401
    client.cookies.set(TOKEN_COOKIE, "s3cret-tokem")
    assert client.get("/").status_code == 401


def test_a_bearer_token_is_accepted() -> None:
    client = guarded(Access("0.0.0.0", token="s3cret-token"), "http://192.0.2.7:8765")
    assert client.get("/", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert client.get("/", headers={"Authorization": "Bearer nope"}).status_code == 401


# -- cross-site requests ---------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "http://127.0.0.1:9999"},  # another app on this machine: another origin
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])  # fmt: skip
def test_cross_site_posts_are_refused_before_they_are_read(headers: dict[str, str]) -> None:
    response = guarded(Access("127.0.0.1")).post("/", data={"a": "1"}, headers=headers)
    assert response.status_code == 403
    assert response.text == "Refused: cross-site request refused\n"


def test_same_origin_posts_pass_the_guard() -> None:
    client = guarded(Access("127.0.0.1"))
    headers = {"Origin": "http://127.0.0.1:8765", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/", data={"a": "1"}, headers=headers).text == "POST ok "


# -- CSRF tokens ---------------------------------------------------------------------------------------
def _request_with(cookie: str | None) -> Request:
    headers = [(b"cookie", f"{CSRF_COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers, "query_string": b""})


def test_csrf_token_matches_only_its_own_browser_and_process() -> None:
    access, other_process = Access("127.0.0.1"), Access("127.0.0.1")
    nonce = "a" * 32
    check_csrf(access, _request_with(nonce), csrf_token(access, nonce))
    for request, token in [
        (_request_with(nonce), csrf_token(other_process, nonce)),  # a restarted server
        (_request_with("b" * 32), csrf_token(access, nonce)),  # another browser's form
        (_request_with(None), csrf_token(access, nonce)),  # no cookie at all
        (_request_with(nonce), ""),
        (_request_with(nonce), None),
    ]:
        with pytest.raises(Refused, match="this form has expired or did not come from this app"):
            check_csrf(access, request, token)


# -- files -------------------------------------------------------------------------------------------
@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "campaign"
    (root / "images").mkdir(parents=True)
    (root / "images" / "a.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"outside")
    return root


def test_a_file_inside_is_served(folder: Path) -> None:
    assert file_inside(folder, "images/a.png") == (folder / "images" / "a.png").resolve()


@pytest.mark.parametrize("relative", ["../secret.png", "images/../../secret.png", "/etc/passwd", "", "a\x00b",
                                      "images\\..\\..\\secret.png"])
def test_traversal_and_absolute_paths_are_refused(folder: Path, relative: str) -> None:
    with pytest.raises(Refused) as caught:
        file_inside(folder, relative)
    assert caught.value.status == 403


def test_a_symlink_leading_out_is_refused(folder: Path) -> None:
    (folder / "images" / "link.png").symlink_to(folder.parent / "secret.png")
    (folder / "out").symlink_to(folder.parent)
    for relative in ("images/link.png", "out/secret.png"):
        with pytest.raises(Refused, match="leads outside the campaign folder"):
            file_inside(folder, relative)


def test_a_symlink_staying_inside_is_followed(folder: Path) -> None:
    (folder / "images" / "again.png").symlink_to("a.png")
    assert file_inside(folder, "images/again.png") == (folder / "images" / "a.png").resolve()


def test_missing_files_loops_and_non_files_are_refused(folder: Path) -> None:
    (folder / "images" / "loop.png").symlink_to("loop.png")
    os.mkfifo(folder / "images" / "fifo.png")
    (folder / "images" / "dir.png").mkdir()
    assert _status(folder, "images/missing.png") == 404
    assert _status(folder, "images/loop.png") == 404
    assert _status(folder, "images/fifo.png") == 403
    assert _status(folder, "images/dir.png") == 403


def _status(folder: Path, relative: str) -> int:
    with pytest.raises(Refused) as caught:
        file_inside(folder, relative)
    return caught.value.status
