"""Issue 14.2 and 14.3: no request without a total deadline, and no result fetched from inside the network."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie, Reply, make_png

from composer.cli import main

SLUG = "red-curls--castle"
SHOT = ("shot", "--character", "red-curls", "--scene", "castle", "--generate")


class Internal:
    """A server inside the network (say, a router's admin page) that serves an image to anyone."""

    def __init__(self) -> None:
        self.hits: list[dict[str, str]] = []
        image = make_png(9, "internal")
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(dict(self.headers))
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(image)))
                self.end_headers()
                self.wfile.write(image)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def internal() -> Iterator[Internal]:
    server = Internal()
    yield server
    server.close()


def cli(*args: str, env: dict[str, Any], library: Path) -> Result:
    return CliRunner().invoke(main, [*args, "--library", str(library)], env={**FAST_ENV, **env})


def last_line(result: Result) -> str:
    return result.stderr.strip().splitlines()[-1]


def succeeded_with(url: str) -> Reply:
    return Reply(data={"state": "success", "resultJson": json.dumps({"resultUrls": [url]})})


def status(out: Path) -> str:
    return str(json.loads((out / f"{SLUG}.generation.json").read_text(encoding="utf-8"))["status"])


def test_a_result_url_on_a_loopback_address_is_refused(fake_kie: FakeKie, internal: Internal,
                                                       example_library: Path, tmp_path: Path) -> None:
    fake_kie.script("recordInfo", succeeded_with(f"http://127.0.0.1:{internal.port}/admin/backup.png"))
    result = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    assert result.exit_code == 1
    assert (f"127.0.0.1 is a loopback address, inside the network: refused (add 127.0.0.1:{internal.port} to "
            "COMPOSER_ALLOW_HOSTS if it is yours)") in last_line(result)
    assert internal.hits == [] and not (tmp_path / f"{SLUG}.png").exists()
    assert status(tmp_path) == "incomplete"  # paid for: kept to collect, never "failed"


def test_a_redirect_into_the_network_is_refused_at_the_hop(fake_kie: FakeKie, internal: Internal,
                                                           example_library: Path, tmp_path: Path) -> None:
    fake_kie.script("download", *[Reply(302, location=f"http://127.0.0.1:{internal.port}/x.png")] * 4)
    result = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    assert result.exit_code == 1 and "127.0.0.1 is a loopback address" in last_line(result)
    assert internal.hits == [] and not (tmp_path / f"{SLUG}.png").exists()


def test_a_name_that_resolves_into_the_network_is_refused(fake_kie: FakeKie, internal: Internal,
                                                          example_library: Path, tmp_path: Path) -> None:
    fake_kie.script("recordInfo", succeeded_with(f"http://localhost:{internal.port}/x.png"))
    result = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    assert result.exit_code == 1 and "localhost (127.0.0.1) is a loopback address" in last_line(result)
    assert internal.hits == []


def test_allowed_hosts_are_fetched_without_the_key(fake_kie: FakeKie, internal: Internal, example_library: Path,
                                                   tmp_path: Path) -> None:
    fake_kie.script("recordInfo", succeeded_with(f"http://localhost:{internal.port}/x.png"))
    allow = f"{fake_kie.env()['COMPOSER_ALLOW_HOSTS']}, localhost"  # a bare host: any of its ports
    result = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(COMPOSER_ALLOW_HOSTS=allow),
                 library=example_library)
    assert result.exit_code == 0, result.stderr
    assert len(internal.hits) == 1 and "Authorization" not in internal.hits[0]
    assert (tmp_path / f"{SLUG}.png").read_bytes() == make_png(9, "internal")


def test_a_trickling_create_reply_meets_the_request_deadline(fake_kie: FakeKie, example_library: Path,
                                                             tmp_path: Path) -> None:
    body = json.dumps({"code": 200, "msg": "success", "data": {"taskId": "t" * 200}}).encode()
    fake_kie.script("createTask", Reply(body=body, content_type="application/json", trickle=0.05))
    result = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(COMPOSER_REQUEST_DEADLINE="api=0.5"),
                 library=example_library)
    assert result.exit_code == 1
    assert "createTask" in last_line(result) and "a request may take 0.5 s in all" in last_line(result)
    assert status(tmp_path) == "uncertain" and fake_kie.calls["createTask"] == 1  # never re-sent


@pytest.mark.parametrize("endpoint", ["recordInfo", "download"])
def test_a_trickling_poll_or_download_is_cut_and_retried(endpoint: str, fake_kie: FakeKie, example_library: Path,
                                                         tmp_path: Path) -> None:
    fake_kie.script(endpoint, Reply(body=b"x" * 10_000, content_type="image/png", trickle=0.05))
    env = fake_kie.env(COMPOSER_REQUEST_DEADLINE="api=0.5,download=0.5")
    result = cli(*SHOT, "--out", str(tmp_path), env=env, library=example_library)
    assert result.exit_code == 0, result.stderr
    assert status(tmp_path) == "succeeded" and fake_kie.calls["createTask"] == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


def test_the_job_deadline_covers_a_request_that_never_ends(fake_kie: FakeKie, example_library: Path,
                                                           tmp_path: Path) -> None:
    fake_kie.script("recordInfo", Reply(body=b"x" * 10_000, content_type="text/html", trickle=0.05))
    result = cli(*SHOT, "--deadline", "1", "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    assert result.exit_code == 1
    assert "the job's deadline of 1 s passed (--deadline)" in last_line(result)
    assert "--resume` collects task" in last_line(result) and status(tmp_path) == "incomplete"
