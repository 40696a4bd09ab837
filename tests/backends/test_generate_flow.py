"""`compose shot --generate`, `compose generate`, `compose credits`: end to end against the fakes.

Nothing is lost: the record is on disk before the first request, a task KIE accepted is never
created twice, and every failure ends in one line that says what to do.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes.fixtures import FAST_ENV, FAST_POLL, FAST_RETRY, run
from fakes.kie import FakeKie, Reply
from fakes.openai_images import FakeOpenAI
from fakes.openai_images import Reply as FakeReply

from composer.backends import Job, ProgressEvent, make_backend
from composer.cli import main
from composer.generate import ExistingGenerationError, Lifecycle, check_existing, load_record, resume_record, run_job

SLUG = "red-curls--castle"
SHOT = ("shot", "--character", "red-curls", "--scene", "castle")


def cli(*args: str, env: dict[str, Any], library: Path) -> Result:
    return CliRunner().invoke(main, [*args, "--library", str(library)], env={**FAST_ENV, **env})


def error_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and lines[-1].startswith("Error: "), result.stderr
    return lines[-1]


def record(out: Path, stem: str = SLUG) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / f"{stem}.generation.json").read_text(encoding="utf-8"))
    return data


def test_compose_shot_generate_end_to_end(fake_kie: FakeKie, example_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli(*SHOT, "--generate", "--out", str(out), env=fake_kie.env(), library=example_library)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["frames", *(f"{SLUG}{s}" for s in
                                                                (".generation.json", ".json", ".md", ".png", ".txt"))]
    rec = record(out)
    (url,) = rec["result_urls"]
    assert (out / f"{SLUG}.png").read_bytes() == fake_kie.served[url]  # byte-identical to what KIE served
    (sent,) = fake_kie.requests
    assert rec["request"] == sent and sent["model"] == "gpt-image-2-image-to-image"
    assert sent["input"]["prompt"] == (out / f"{SLUG}.txt").read_text(encoding="utf-8") == result.stdout.rstrip("\n")
    (frame_url,) = sent["input"]["input_urls"]
    frame = example_library / "bibles/characters/frames/red-curls.png"
    assert fake_kie.uploads[frame_url] == frame.read_bytes()
    assert rec["status"] == "succeeded" and rec["task_id"] in fake_kie.tasks and rec["backend"] == "kie"
    assert rec["files"] == [f"{SLUG}.png"] and rec["cost"]["credits"] == 12 and rec["cost"]["usd"] == 0.06
    assert {"submit", "wait", "download", "total"} <= set(rec["timings"])
    assert f"task {rec['task_id']} saved in" in result.stderr and "success" in result.stderr
    # The exact path of the result, ready for the Sora handoff (issue 15).
    assert f"result: {out / SLUG}.png (to animate it: --target sora-2 --frame {out / SLUG}.png)\n" in result.stderr


def test_the_record_is_on_disk_before_the_first_request(fake_kie: FakeKie, example_library: Path,
                                                        tmp_path: Path) -> None:
    seen: list[tuple[str, bool]] = []
    fake_kie.on_call = lambda endpoint: seen.append((endpoint, (tmp_path / f"{SLUG}.generation.json").is_file()))
    fake_kie.script("createTask", Reply(401))
    result = cli(*SHOT, "--generate", "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    line = error_line(result)
    assert "KIE rejected the API key (401 unauthorized): check KIE_API_KEY" in line
    assert f"the request is saved in {tmp_path / SLUG}.generation.json" in line
    assert seen[0] == ("upload", True)
    rec = record(tmp_path)
    assert rec["status"] == "pending" and rec["task_id"] is None and rec["error"]["type"] == "AuthError"
    assert rec["request"]["input"]["prompt"] == (tmp_path / f"{SLUG}.txt").read_text(encoding="utf-8")
    assert rec["estimate"]["credits"] == 12


def test_deadline_then_resume_collects_without_a_second_task(fake_kie: FakeKie, example_library: Path,
                                                             tmp_path: Path) -> None:
    fake_kie.outcome("hang")
    env = {**fake_kie.env(), "COMPOSER_POLL": "initial=0.005,later=0.005,deadline=0.2,max_rate=none"}
    line = error_line(cli(*SHOT, "--generate", "--out", str(tmp_path), env=env, library=example_library))
    rec = record(tmp_path)
    task_id = rec["task_id"]
    assert rec["status"] == "incomplete" and rec["error"]["type"] == "PollTimeoutError"
    assert f"nothing is lost: `compose generate {tmp_path / SLUG}.generation.json --resume` collects task {task_id}" \
        in line
    assert not (tmp_path / f"{SLUG}.png").exists()

    # A second plain run must not pay for another task.
    line = error_line(cli(*SHOT, "--generate", "--out", str(tmp_path), env=fake_kie.env(), library=example_library))
    assert "accepted but not collected" in line and "--resume" in line
    assert fake_kie.calls["createTask"] == 1

    fake_kie.tasks[task_id].outcome = "success"  # KIE finishes it meanwhile
    result = cli("generate", str(tmp_path / f"{SLUG}.json"), "--resume", env=fake_kie.env(), library=example_library)
    assert result.exit_code == 0, result.stderr
    assert fake_kie.calls["createTask"] == 1
    rec = record(tmp_path)
    assert rec["status"] == "succeeded" and rec["task_id"] == task_id
    assert (tmp_path / f"{SLUG}.png").read_bytes() == fake_kie.served[rec["result_urls"][0]]
    assert result.stdout.strip() == str(tmp_path / f"{SLUG}.png")

    polls = fake_kie.calls["recordInfo"]
    again = cli("generate", str(tmp_path / f"{SLUG}.generation.json"), "--resume", env=fake_kie.env(),
                library=example_library)
    assert again.exit_code == 0 and "already complete" in again.stderr
    assert fake_kie.calls["recordInfo"] == polls and fake_kie.calls["createTask"] == 1


def test_a_finished_generation_is_not_replaced_without_force(fake_kie: FakeKie, example_library: Path,
                                                             tmp_path: Path) -> None:
    args = (*SHOT, "--generate", "--out", str(tmp_path))
    assert cli(*args, env=fake_kie.env(), library=example_library).exit_code == 0
    first = (tmp_path / f"{SLUG}.png").read_bytes()
    line = error_line(cli(*args, env=fake_kie.env(), library=example_library))
    assert f"{tmp_path / SLUG}.png holds an earlier generation: pass --force" in line
    assert fake_kie.calls["createTask"] == 1 and (tmp_path / f"{SLUG}.png").read_bytes() == first
    assert cli(*args, "--force", env=fake_kie.env(), library=example_library).exit_code == 0
    assert fake_kie.calls["createTask"] == 2 and (tmp_path / f"{SLUG}.png").read_bytes() != first


def test_generate_sends_an_edited_brief_unchanged(fake_kie: FakeKie, example_library: Path, tmp_path: Path) -> None:
    assert cli(*SHOT, "--out", str(tmp_path), env={}, library=example_library).exit_code == 0
    brief = tmp_path / f"{SLUG}.json"
    data = json.loads(brief.read_text(encoding="utf-8"))
    data["prompt"] = data["prompt"].replace("Medieval castle", "Moonlit castle") + "\nEdited by a designer."
    brief.write_text(json.dumps(data), encoding="utf-8")
    result = cli("generate", str(brief), "--aspect-ratio", "3:2", env=fake_kie.env(), library=example_library)
    assert result.exit_code == 0, result.stderr
    (sent,) = fake_kie.requests
    assert sent["input"]["prompt"] == data["prompt"] and sent["input"]["aspect_ratio"] == "3:2"
    assert f"Warning: {SLUG}.txt differs from the prompt in {SLUG}.json" in result.stderr
    assert result.stdout.strip() == str(tmp_path / f"{SLUG}.png")


def test_shot_generate_exports_the_options_it_sends(fake_kie: FakeKie, example_library: Path, tmp_path: Path) -> None:
    args = (*SHOT, "--generate", "--aspect-ratio", "21:9", "--resolution", "2K", "--out", str(tmp_path))
    assert cli(*args, env=fake_kie.env(), library=example_library).exit_code == 0
    (sent,) = fake_kie.requests
    assert (sent["input"]["aspect_ratio"], sent["input"]["resolution"]) == ("21:9", "2K")
    exported = json.loads((tmp_path / f"{SLUG}.json").read_text(encoding="utf-8"))
    assert exported["options"] == {"aspect_ratio": "21:9", "resolution": "2K"}
    assert "21:9" in (tmp_path / f"{SLUG}.md").read_text(encoding="utf-8")


def test_generate_sends_the_options_the_brief_records(fake_kie: FakeKie, example_library: Path,
                                                      tmp_path: Path) -> None:
    assert cli(*SHOT, "--out", str(tmp_path), env={}, library=example_library).exit_code == 0
    brief = tmp_path / f"{SLUG}.json"
    data = json.loads(brief.read_text(encoding="utf-8"))
    brief.write_text(json.dumps({**data, "options": {"aspect_ratio": "16:9", "resolution": "2K"}}), encoding="utf-8")
    assert cli("generate", str(brief), env=fake_kie.env(), library=example_library).exit_code == 0
    args = ("generate", str(brief), "--aspect-ratio", "1:1", "--force")
    assert cli(*args, env=fake_kie.env(), library=example_library).exit_code == 0
    recorded, flagged = fake_kie.requests
    assert (recorded["input"]["aspect_ratio"], recorded["input"]["resolution"]) == ("16:9", "2K")
    assert (flagged["input"]["aspect_ratio"], flagged["input"]["resolution"]) == ("1:1", "2K")  # a flag wins


@pytest.mark.parametrize(("options", "message"), [
    ({"aspect": "16:9"}, "options.aspect: unknown generation option"),
    ({"n_frames": "ten"}, "options.n_frames: expected a whole number"),
    (["16:9"], "options: expected an object of generation options"),
])  # fmt: skip
def test_bad_options_in_a_brief_are_refused_naming_the_field(fake_kie: FakeKie, example_library: Path,
                                                             tmp_path: Path, options: object, message: str) -> None:
    assert cli(*SHOT, "--out", str(tmp_path), env={}, library=example_library).exit_code == 0
    brief = tmp_path / f"{SLUG}.json"
    brief.write_text(json.dumps({**json.loads(brief.read_text(encoding="utf-8")), "options": options}),
                     encoding="utf-8")
    result = cli("generate", str(brief), env=fake_kie.env(), library=example_library)
    assert result.exit_code != 0 and fake_kie.requests == []
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert str(brief) in line and message in line, line


def test_an_edited_brief_over_the_limit_is_refused_before_sending(fake_kie: FakeKie, example_library: Path,
                                                                  tmp_path: Path) -> None:
    assert cli(*SHOT, "--out", str(tmp_path), env={}, library=example_library).exit_code == 0
    brief = tmp_path / f"{SLUG}.json"
    data = json.loads(brief.read_text(encoding="utf-8"))
    brief.write_text(json.dumps({**data, "prompt": "x" * 20_001}), encoding="utf-8")
    line = error_line(cli("generate", str(brief), env=fake_kie.env(), library=example_library))
    assert "20,001 characters; GPT Image 2 on KIE accepts at most 20,000" in line
    assert sum(fake_kie.calls.values()) == 0 and not (tmp_path / f"{SLUG}.generation.json").exists()


def test_a_broken_brief_file_is_a_located_error(example_library: Path, tmp_path: Path) -> None:
    brief = tmp_path / "b.json"
    brief.write_text('{"prompt": "p",\n "target": 3}', encoding="utf-8")
    assert error_line(cli("generate", str(brief), env={}, library=example_library)) == \
        f"Error: {brief}: target: required field is missing or not a str"
    brief.write_text('{"prompt": "p",\n "target": }', encoding="utf-8")
    assert error_line(cli("generate", str(brief), env={}, library=example_library)).startswith(
        f"Error: {brief}:2: not valid JSON")


def test_estimate_sends_nothing_and_needs_no_key(fake_kie: FakeKie, example_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli(*SHOT, "--estimate", "--resolution", "1K", "--out", str(out),
                 env={"KIE_API_KEY": None, "KIE_BASE_URL": fake_kie.api_url}, library=example_library)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("estimate: ~$0.06 (12 credits x $0.005; seed article")
    assert "[kie gpt-image-2, 1 reference frame(s)]" in result.stdout
    assert sum(fake_kie.calls.values()) == 0 and not out.exists()


def test_missing_key_is_one_line_and_writes_nothing(example_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli(*SHOT, "--generate", "--out", str(out), env={"KIE_API_KEY": None}, library=example_library)
    assert error_line(result) == "Error: no API key for the kie backend: set KIE_API_KEY"
    assert not out.exists()


def test_credits(fake_kie: FakeKie, example_library: Path) -> None:
    fake_kie.balance = 1234.5
    result = cli("credits", env=fake_kie.env(), library=example_library)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "KIE balance: 1,234.50 credits (~$6.17)"


def test_sora_motion_handoff(fake_kie: FakeKie, example_library: Path, frame: Path, tmp_path: Path) -> None:
    args = (*SHOT, "--target", "sora-2", "--generate", "--aspect-ratio", "portrait", "--n-frames", "15")
    result = cli(*args, "--out", str(tmp_path / "a"), env=fake_kie.env(), library=example_library)
    assert result.exit_code == 0, result.stderr
    stem = "red-curls--castle--" + next((tmp_path / "a").glob("*.mp4")).stem.split("--")[-1]
    rec = record(tmp_path / "a", stem)
    assert rec["model"] == "sora-2-image-to-video" and len(result.stdout) <= 2500 + 1
    sent = fake_kie.requests[0]["input"]
    assert (sent["aspect_ratio"], sent["n_frames"]) == ("portrait", "15") and sent["prompt"] == result.stdout.rstrip()
    bible_frame = example_library / "bibles/characters/frames/red-curls.png"
    assert [fake_kie.uploads[u] for u in sent["image_urls"]] == [bible_frame.read_bytes()]
    video = tmp_path / "a" / f"{stem}.mp4"
    assert video.read_bytes() == fake_kie.served[rec["result_urls"][0]]
    # Pixel QC checks stills: a clip is not reported as an unreadable image, nor marked for review.
    assert rec.get("qc") is None and not rec.get("needs_review") and "unreadable" not in result.stderr

    # --frame locks a still generated earlier as the first frame instead.
    result = cli(*args, "--frame", str(frame), "--out", str(tmp_path / "b"), env=fake_kie.env(),
                 library=example_library)
    assert result.exit_code == 0, result.stderr
    assert [fake_kie.uploads[u] for u in fake_kie.requests[1]["input"]["image_urls"]] == [frame.read_bytes()]


def test_frame_is_only_for_video_targets(example_library: Path, frame: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    line = error_line(cli(*SHOT, "--generate", "--frame", str(frame), "--out", str(out), env={},
                          library=example_library))
    assert "--frame is for video targets" in line and not out.exists()


def test_openai_backend_from_the_cli(fake_openai: FakeOpenAI, example_library: Path, tmp_path: Path) -> None:
    result = cli(*SHOT, "--generate", "--backend", "openai", "--size", "1024x1536", "--quality", "low",
                 "--out", str(tmp_path), env=fake_openai.env(), library=example_library)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / f"{SLUG}.png").read_bytes() == fake_openai.served[0]
    (request,) = fake_openai.requests
    # OpenAI's guide: gpt-image-2 takes no input_fidelity (the fake refuses it as the API does).
    assert request["endpoint"] == "edits" and "input_fidelity" not in request and fake_openai.rejections == []
    rec = record(tmp_path)
    assert rec["backend"] == "openai" and rec["usage"]["output_tokens"] == 4160 and rec["cost"]["estimated"] is False


def test_moderation_refusal_is_one_final_line_naming_the_brief(fake_openai: FakeOpenAI, example_library: Path,
                                                               tmp_path: Path) -> None:
    fake_openai.script("edits", *[FakeReply(400, code="moderation_blocked", type="image_generation_user_error",
                                            message="Your request was rejected by the safety system.")] * 3)
    line = error_line(cli(*SHOT, "--generate", "--backend", "openai", "--out", str(tmp_path),
                          env=fake_openai.env(), library=example_library))
    assert line == (f"Error: {tmp_path / SLUG}.json: OpenAI's moderation refused the prompt (moderation_blocked: "
                    "Your request was rejected by the safety system.); this is final and was not retried: "
                    "reword the brief")
    assert fake_openai.calls["edits"] == 1 and record(tmp_path)["error"]["type"] == "ModerationBlockedError"


def test_openai_size_under_the_minimum_is_refused_before_sending(fake_openai: FakeOpenAI, example_library: Path,
                                                                 tmp_path: Path) -> None:
    line = error_line(cli(*SHOT, "--generate", "--backend", "openai", "--size", "768x768", "--out", str(tmp_path),
                          env=fake_openai.env(), library=example_library))
    assert line == ("Error: size 768x768 is 589,824 pixels; gpt-image-2 needs at least 655,360 in total "
                    "(e.g. 1024x1024 or 1024x640)")
    assert sum(fake_openai.calls.values()) == 0 and not tmp_path.joinpath(f"{SLUG}.generation.json").exists()


def test_a_failed_download_is_resumable(example_library: Path, tmp_path: Path) -> None:
    with FakeKie(result_content_type="image/jpeg") as fake:  # the CDN lies about what it serves
        line = error_line(cli(*SHOT, "--generate", "--out", str(tmp_path), env=fake.env(), library=example_library))
        assert "claims to be image/jpeg but is image/png" in line and "--resume" in line
        rec = record(tmp_path)
        assert rec["status"] == "incomplete" and len(rec["result_urls"]) == 1
        assert sorted(p.name for p in tmp_path.iterdir() if p.suffix not in (".json", ".txt", ".md")) == ["frames"]
        assert [p.suffix for p in (tmp_path / "frames").iterdir()] == [".png"]  # the reference frame's copy only
        fake.result_content_type = None
        result = cli("generate", str(tmp_path / f"{SLUG}.json"), "--resume", env=fake.env(), library=example_library)
        assert result.exit_code == 0, result.stderr
        assert fake.calls["createTask"] == 1 and (tmp_path / f"{SLUG}.png").is_file()


def test_a_fail_state_is_reported_and_recorded(fake_kie: FakeKie, example_library: Path, tmp_path: Path) -> None:
    fake_kie.outcome("fail", fail_code="400", fail_msg="Your prompt was flagged by the safety system")
    line = error_line(cli(*SHOT, "--generate", "--out", str(tmp_path), env=fake_kie.env(), library=example_library))
    assert "failed (failCode 400): Your prompt was flagged by the safety system" in line
    rec = record(tmp_path)
    assert rec["status"] == "failed" and rec["error"]["fail_code"] == "400"
    # A failed task is over: sending the brief again is allowed without --force.
    assert cli(*SHOT, "--generate", "--out", str(tmp_path), env=fake_kie.env(), library=example_library).exit_code == 0


def test_ctrl_c_while_polling_keeps_the_task(fake_kie: FakeKie, tmp_path: Path) -> None:
    fake_kie.polls_to_finish = 1000

    async def interrupted() -> None:
        async with make_backend("kie", fake_kie.settings(), poll=FAST_POLL, retry=FAST_RETRY) as kie:
            me = asyncio.current_task()
            assert me is not None

            def cancel_on_poll(event: ProgressEvent) -> None:
                if event.stage == "poll":
                    me.cancel()

            with pytest.raises(asyncio.CancelledError):
                await run_job(kie, Job("p"), tmp_path, "shot", progress=cancel_on_poll)

    run(interrupted())
    rec = load_record(tmp_path / "shot.generation.json")
    assert rec.status == "incomplete" and rec.task_id in fake_kie.tasks and rec.error is not None
    assert rec.error.type == "Interrupted"
    with pytest.raises(ExistingGenerationError, match="accepted but not collected"):
        check_existing(tmp_path, "shot", force=False)

    fake_kie.polls_to_finish = 1

    async def resumed() -> Any:
        async with make_backend("kie", fake_kie.settings(), poll=FAST_POLL, retry=FAST_RETRY) as kie:
            return await resume_record(kie, tmp_path / "shot.generation.json")

    result = run(resumed())
    assert fake_kie.calls["createTask"] == 1 and result.files == [tmp_path / "shot.png"]


def cancel_during_create(fake_kie: FakeKie, out: Path, policy: Lifecycle) -> None:
    """Run one job and cancel it (what Ctrl-C does) while its create request is in flight."""
    async def interrupted() -> None:
        async with make_backend("kie", fake_kie.settings(), poll=FAST_POLL, retry=FAST_RETRY) as kie:
            job = asyncio.ensure_future(run_job(kie, Job("p"), out, "shot", policy=policy))
            while fake_kie.calls["createTask"] == 0:
                await asyncio.sleep(0.005)
            job.cancel()
            with pytest.raises(asyncio.CancelledError):
                await job

    run(interrupted())


def test_ctrl_c_during_create_keeps_the_task_once_it_answers(fake_kie: FakeKie, tmp_path: Path) -> None:
    """As in a campaign: the in-flight create may answer within the grace period, and its task is kept."""
    fake_kie.script("createTask", Reply(delay=0.3, serve=True))
    cancel_during_create(fake_kie, tmp_path, Lifecycle(submit_grace=10))
    rec = load_record(tmp_path / "shot.generation.json")
    assert rec.status == "incomplete" and rec.task_id in fake_kie.tasks
    with pytest.raises(ExistingGenerationError, match="accepted but not collected"):
        check_existing(tmp_path, "shot", force=False)

    async def resumed() -> Any:
        async with make_backend("kie", fake_kie.settings(), poll=FAST_POLL, retry=FAST_RETRY) as kie:
            return await resume_record(kie, tmp_path / "shot.generation.json")

    assert run(resumed()).files == [tmp_path / "shot.png"] and fake_kie.calls["createTask"] == 1


def test_ctrl_c_during_create_is_uncertain(fake_kie: FakeKie, tmp_path: Path) -> None:
    """A create still unanswered when the grace period ends may have been accepted: uncertain."""
    fake_kie.script("createTask", Reply(200, delay=0.3))  # a slow create; cancelled while in flight
    cancel_during_create(fake_kie, tmp_path, Lifecycle(submit_grace=0.01))
    rec = load_record(tmp_path / "shot.generation.json")
    assert rec.status == "uncertain" and rec.task_id is None
    with pytest.raises(ExistingGenerationError, match="may have been accepted"):
        check_existing(tmp_path, "shot", force=False)

    async def resend(force: bool) -> Any:
        async with make_backend("kie", fake_kie.settings(), poll=FAST_POLL, retry=FAST_RETRY) as kie:
            return await resume_record(kie, tmp_path / "shot.generation.json", force=force)

    with pytest.raises(ExistingGenerationError, match="--force"):
        run(resend(False))
    assert run(resend(True)).files == [tmp_path / "shot.png"]


def test_a_version_1_record_still_reads_and_its_uncertain_flag_still_holds(tmp_path: Path) -> None:
    path = tmp_path / "shot.generation.json"
    path.write_text(json.dumps({
        "schema": "composer.generation/1", "status": "pending", "uncertain": True, "backend": "kie",
        "target": "gpt-image-2", "model": "gpt-image-2", "task_id": None, "job": Job("p").to_json(),
        "request": {"model": "gpt-image-2-text-to-image", "input": {"prompt": "p"}},
        "estimate": {"usd": 0.06, "credits": 12, "basis": "12 credits x $0.005"},
    }), encoding="utf-8")
    assert load_record(path).status == "uncertain"
    with pytest.raises(ExistingGenerationError, match="may have been accepted"):
        check_existing(tmp_path, "shot", force=False)
