"""``compose review DIR``: prints where it listens (and the token off loopback), opens nothing, refuses bad folders."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from web_support import BAKEOFF, campaign_folder

from composer.cli import main


@contextmanager
def serving(*args: str) -> Iterator[tuple[str, list[str]]]:
    """``compose review ARGS`` in a subprocess; yields the address it printed and its first lines."""
    env = {**os.environ, "BROWSER": "false"}  # were anything to open a browser, it would run `false`
    process = subprocess.Popen([sys.executable, "-m", "composer.cli", "review", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline()]
        while lines[-1] and not lines[-1].startswith("Ctrl-C stops"):
            lines.append(process.stdout.readline())
        found = re.search(r"at (http://\S+)", lines[0])
        assert found, (lines, process.stderr.read() if process.poll() is not None else "")
        yield found.group(1), lines
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_review_prints_its_address_and_serves_it(tmp_path: Path) -> None:
    folder = campaign_folder(tmp_path / "out", BAKEOFF)
    with serving(str(folder), "--port", "0") as (url, lines):
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        assert lines[1].strip() == "Ctrl-C stops the server."
        response = httpx.get(url, follow_redirects=False, timeout=10)
        assert response.status_code == 303 and response.headers["location"] == "/reviewer?next=%2F"
        assert httpx.get(url + "reviewer", timeout=10).status_code == 200


def test_another_host_needs_the_printed_token(tmp_path: Path) -> None:
    folder = campaign_folder(tmp_path / "out", BAKEOFF)
    with serving(str(folder), "--host", "0.0.0.0", "--port", "0") as (url, lines):
        token = re.search(r"\?token=(\S+)", url)
        assert token and lines[1].startswith(f"token: {token.group(1)} (required on every request")
        local = url.replace("0.0.0.0", "127.0.0.1")
        bare = local.split("?")[0]
        assert httpx.get(bare + "reviewer", timeout=10).status_code == 401
        with httpx.Client(timeout=10) as client:
            first = client.get(local, follow_redirects=False)
            assert first.status_code == 303 and first.headers["location"] == "/"
            assert client.get(bare + "reviewer").status_code == 200  # the cookie carries the token now


def test_a_folder_with_nothing_to_review_is_one_error_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["review", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path}: nothing to review (no campaign ledger and no `compose shot --generate` results); "
        "run `compose campaign run` or `compose shot --generate --out` first"]


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["review", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_bad_port_is_refused(tmp_path: Path, port: str) -> None:
    result = CliRunner().invoke(main, ["review", str(tmp_path), "--port", port])
    assert result.exit_code == 2 and "--port" in result.output


def test_a_port_in_use_is_one_error_line(tmp_path: Path) -> None:
    folder = campaign_folder(tmp_path / "out", BAKEOFF)
    with serving(str(folder), "--port", "0") as (url, _):
        port = url.rsplit(":", 1)[1].strip("/")
        result = CliRunner().invoke(main, ["review", str(folder), "--port", port])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
