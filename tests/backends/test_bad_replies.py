"""Issue 14.1: once KIE may have accepted a task, a malformed reply never makes it "failed" (and paid again).

A create reply that cannot be read is ``uncertain`` (never re-sent without --force); a malformed poll
is retried like a 5xx, and if it stays malformed the task is ``incomplete``, to collect with --resume.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie, Reply

from composer.cli import main

SLUG = "red-curls--castle"
SHOT = ("shot", "--character", "red-curls", "--scene", "castle", "--generate")
HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


def cli(*args: str, env: dict[str, Any], library: Path) -> Result:
    return CliRunner().invoke(main, [*args, "--library", str(library)], env={**FAST_ENV, **env})


def record(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / f"{SLUG}.generation.json").read_text(encoding="utf-8"))
    return data


def last_line(result: Result) -> str:
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("reply", [
    Reply(200, body=HTML),                              # a proxy's page with status 200
    Reply(200, body=b'{"code": 200, "data": {"taskId"', content_type="application/json"),  # cut short
    Reply(data={"taskId": 123456}),                     # taskId not a string
    Reply(data={"id": "abc"}),                          # no taskId at all
    Reply(data=["abc"]),
], ids=["html", "truncated-json", "numeric-task-id", "no-task-id", "data-list"])
def test_an_unreadable_create_reply_is_uncertain_and_never_resent(reply: Reply, fake_kie: FakeKie,
                                                                   example_library: Path, tmp_path: Path) -> None:
    fake_kie.script("createTask", reply)
    result = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    assert result.exit_code == 1 and last_line(result).startswith("Error: ")
    assert "may have accepted the task" in last_line(result)
    assert f"`compose generate {tmp_path / SLUG}.generation.json --resume --force`" in last_line(result)
    assert record(tmp_path)["status"] == "uncertain"
    again = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    assert again.exit_code == 1 and "may have been accepted" in last_line(again)
    assert fake_kie.calls["createTask"] == 1


MALFORMED_POLLS = [
    Reply(200, body=HTML),
    Reply(data=[{"state": "success"}]),
    Reply(data={"state": "success", "resultJson": "{not json"}),
    Reply(data={"state": "success", "resultJson": json.dumps({"resultUrls": "https://cdn.example/a.png"})}),
]
POLL_IDS = ["html", "data-list", "result-json-not-json", "result-urls-a-string"]


@pytest.mark.parametrize("reply", MALFORMED_POLLS, ids=POLL_IDS)
def test_one_malformed_poll_is_retried_like_a_5xx(reply: Reply, fake_kie: FakeKie, example_library: Path,
                                                  tmp_path: Path) -> None:
    fake_kie.script("recordInfo", reply)
    result = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    assert result.exit_code == 0, result.stderr
    assert record(tmp_path)["status"] == "succeeded" and (tmp_path / f"{SLUG}.png").is_file()
    assert fake_kie.calls["createTask"] == 1 and fake_kie.calls["recordInfo"] >= 2


@pytest.mark.parametrize("reply", MALFORMED_POLLS, ids=POLL_IDS)
def test_a_poll_that_stays_malformed_leaves_the_task_to_collect(reply: Reply, fake_kie: FakeKie,
                                                                example_library: Path, tmp_path: Path) -> None:
    fake_kie.script("recordInfo", *[reply] * 4)  # every try of FAST_RETRY's four
    result = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    rec = record(tmp_path)
    assert result.exit_code == 1 and rec["status"] == "incomplete" and rec["task_id"] in fake_kie.tasks
    assert (f"nothing is lost: `compose generate {tmp_path / SLUG}.generation.json --resume` collects task "
            f"{rec['task_id']}") in last_line(result)
    again = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    assert again.exit_code == 1 and "accepted but not collected" in last_line(again)
    resumed = cli("generate", str(tmp_path / f"{SLUG}.generation.json"), "--resume", env=fake_kie.env(),
                  library=example_library)
    assert resumed.exit_code == 0, resumed.stderr
    assert fake_kie.calls["createTask"] == 1 and (tmp_path / f"{SLUG}.png").is_file()
