"""The KIE backend against a fake KIE that enforces kie-jobs-api.md."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
from fakes.fixtures import FAST_POLL, FAST_RETRY, run
from fakes.kie import FakeKie, Reply

from composer.backends import (
    AuthError,
    Backend,
    FeatureDisabledError,
    GenerationOptions,
    GenerationResult,
    InsufficientCreditsError,
    InterruptedGenerationError,
    Job,
    NetworkError,
    OptionError,
    PollSchedule,
    PollTimeoutError,
    ProgressEvent,
    ProviderResponseError,
    QuotaExceededError,
    RateLimitedError,
    RequestRejectedError,
    Submission,
    SubmitUncertainError,
    TaskFailedError,
    make_backend,
)
from composer.backends.kie import env_proxy, result_urls
from composer.settings import Settings


def backend(fake: FakeKie, *, poll: PollSchedule = FAST_POLL, **options: Any) -> Backend:
    return make_backend("kie", fake.settings(), poll=poll, retry=FAST_RETRY, **options)


def generate(fake: FakeKie, job: Job, out: Path, *, events: list[ProgressEvent] | None = None,
             **options: Any) -> GenerationResult:
    async def go() -> GenerationResult:
        async with backend(fake, **options) as kie:
            sink = events.append if events is not None else (lambda e: None)
            submission = await kie.submit(job, progress=sink)
            return await kie.collect(submission, out, "shot", progress=sink)
    return run(go())


def test_text_to_image_end_to_end(fake_kie: FakeKie, tmp_path: Path) -> None:
    events: list[ProgressEvent] = []
    result = generate(fake_kie, Job("a fox in a great hall"), tmp_path, events=events)
    (body,) = fake_kie.requests
    assert body == {"model": "gpt-image-2-text-to-image", "input": {"prompt": "a fox in a great hall"}}
    assert result.files == [tmp_path / "shot.png"]
    assert result.files[0].read_bytes() == fake_kie.served[result.urls[0]]
    assert result.sha256 == (hashlib.sha256(fake_kie.served[result.urls[0]]).hexdigest(),)
    assert result.polls == fake_kie.polls_to_finish == 3
    states = [e.state for e in events if e.stage == "poll"]
    assert states == ["waiting", "queuing", "success"]
    assert result.cost.credits == 12 and result.timings["provider"] == pytest.approx(1.234)


def test_image_to_image_uploads_frames_and_sends_their_urls(fake_kie: FakeKie, frame: Path, tmp_path: Path) -> None:
    job = Job("Isla in the hall", reference_frames=(frame,),
              options=GenerationOptions(aspect_ratio="16:9", resolution="2K"))
    result = generate(fake_kie, job, tmp_path)
    (body,) = fake_kie.requests
    assert body["model"] == "gpt-image-2-image-to-image"
    assert body["input"]["aspect_ratio"] == "16:9" and body["input"]["resolution"] == "2K"
    (url,) = body["input"]["input_urls"]
    assert fake_kie.uploads[url] == frame.read_bytes()  # the URL KIE issued for this very file
    assert result.files[0].read_bytes() == fake_kie.served[result.urls[0]]


def test_a_shared_frame_is_uploaded_once_for_many_jobs(fake_kie: FakeKie, frame: Path, tmp_path: Path) -> None:
    async def go() -> list[GenerationResult]:
        async with backend(fake_kie) as kie:
            async def one(i: int) -> GenerationResult:
                submission = await kie.submit(Job(f"shot {i}", reference_frames=(frame,)))
                return await kie.collect(submission, tmp_path, f"shot-{i}")
            return await asyncio.gather(*(one(i) for i in range(6)))

    results = run(go())
    assert fake_kie.calls["upload"] == 1 and len(fake_kie.requests) == 6
    assert len({r.files[0] for r in results}) == 6


def test_several_results_are_numbered(tmp_path: Path) -> None:
    with FakeKie(results_per_task=2) as fake:
        result = generate(fake, Job("two takes"), tmp_path)
    assert [p.name for p in result.files] == ["shot-1.png", "shot-2.png"]
    assert [p.read_bytes() for p in result.files] == [fake.served[u] for u in result.urls]


def test_sora_image_to_video(fake_kie: FakeKie, frame: Path, tmp_path: Path) -> None:
    job = Job("she turns to the window", reference_frames=(frame,), target="sora-2", model="sora-2-image-to-video",
              kind="video", options=GenerationOptions(aspect_ratio="landscape", n_frames=10))
    result = generate(fake_kie, job, tmp_path)
    (body,) = fake_kie.requests
    assert body["model"] == "sora-2-image-to-video"
    assert body["input"]["n_frames"] == "10" and body["input"]["aspect_ratio"] == "landscape"
    assert [fake_kie.uploads[u] for u in body["input"]["image_urls"]] == [frame.read_bytes()]
    assert result.files == [tmp_path / "shot.mp4"]
    assert result.files[0].read_bytes() == fake_kie.served[result.urls[0]]


def test_invalid_options_are_refused_before_any_request(fake_kie: FakeKie, frame: Path, tmp_path: Path) -> None:
    for options in (GenerationOptions(aspect_ratio="1:1", resolution="4K"), GenerationOptions(resolution="2K"),
                    GenerationOptions(size="1024x1024")):
        with pytest.raises(OptionError):
            generate(fake_kie, Job("p", reference_frames=(frame,), options=options), tmp_path)
    assert sum(fake_kie.calls.values()) == 0


@pytest.mark.parametrize(("reply", "error", "words"), [
    (Reply(401), AuthError, "KIE_API_KEY"),
    (Reply(402, msg="Insufficient credits"), InsufficientCreditsError, "top up"),
    (Reply(422, msg="prompt: field required"), RequestRejectedError, "(422 validation error): prompt: field required"),
    (Reply(433), QuotaExceededError, "usage limit"),
    (Reply(505, msg="disabled"), FeatureDisabledError, "disabled"),
    (Reply(200, code=402, in_body=True), InsufficientCreditsError, "top up"),
])
def test_errors_that_are_not_retried(fake_kie: FakeKie, tmp_path: Path, reply: Reply, error: type[Exception],
                                     words: str) -> None:
    fake_kie.script("createTask", reply)
    with pytest.raises(error) as caught:
        generate(fake_kie, Job("p"), tmp_path)
    assert fake_kie.calls["createTask"] == 1
    assert words in str(caught.value) and "\n" not in str(caught.value)
    assert not caught.value.retryable


@pytest.mark.parametrize("reply", [
    Reply(429, retry_after=0), Reply(455), Reply(500), Reply(503), Reply(200, code=429, in_body=True),
])
def test_transient_create_errors_are_retried(fake_kie: FakeKie, tmp_path: Path, reply: Reply) -> None:
    fake_kie.script("createTask", reply, reply)
    result = generate(fake_kie, Job("p"), tmp_path)
    assert fake_kie.calls["createTask"] == 3 and len(fake_kie.requests) == 1
    assert result.files[0].is_file()


def test_retries_are_bounded(fake_kie: FakeKie, tmp_path: Path) -> None:
    fake_kie.script("createTask", *[Reply(429, retry_after=0)] * 10)
    with pytest.raises(RateLimitedError, match="rate limited by KIE"):
        generate(fake_kie, Job("p"), tmp_path)
    assert fake_kie.calls["createTask"] == FAST_RETRY.attempts


@pytest.mark.parametrize("reply", [Reply(drop=True), Reply(502), Reply(504)])
def test_a_create_whose_reply_is_lost_is_not_resent(fake_kie: FakeKie, tmp_path: Path, reply: Reply) -> None:
    fake_kie.script("createTask", reply)
    with pytest.raises(SubmitUncertainError, match="may have accepted the task"):
        generate(fake_kie, Job("p"), tmp_path)
    assert fake_kie.calls["createTask"] == 1


def test_an_unreachable_host_is_a_retryable_network_error() -> None:
    fake = FakeKie().start()
    settings = fake.settings()
    fake.stop()  # nothing listens on these ports any more

    async def go() -> None:
        async with make_backend("kie", settings, poll=FAST_POLL, retry=FAST_RETRY) as kie:
            await kie.submit(Job("p"))

    with pytest.raises(NetworkError, match=r"createTask: cannot connect to 127\.0\.0\.1") as caught:
        run(go())
    assert caught.value.retryable and not caught.value.maybe_sent


def test_poll_errors_are_retried_within_the_poll(fake_kie: FakeKie, tmp_path: Path) -> None:
    fake_kie.script("recordInfo", Reply(500), Reply(429, retry_after=0), Reply(drop=True))
    result = generate(fake_kie, Job("p"), tmp_path)
    assert result.files[0].is_file() and len(fake_kie.requests) == 1


def test_poll_failures_beyond_the_policy_keep_the_task(fake_kie: FakeKie, tmp_path: Path) -> None:
    fake_kie.script("recordInfo", *[Reply(500)] * 10)
    with pytest.raises(InterruptedGenerationError) as caught:
        generate(fake_kie, Job("p"), tmp_path)
    assert caught.value.resumable and caught.value.task_id in fake_kie.tasks


def test_fail_state_reports_fail_code_and_message(fake_kie: FakeKie, tmp_path: Path) -> None:
    fake_kie.outcome("fail", fail_code="501", fail_msg="content policy: weapons")
    with pytest.raises(TaskFailedError) as caught:
        generate(fake_kie, Job("p"), tmp_path)
    assert (caught.value.fail_code, caught.value.fail_msg) == ("501", "content policy: weapons")
    assert "failCode 501" in str(caught.value) and "content policy: weapons" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_deadline_keeps_the_task_and_collect_resumes_it_without_a_new_task(fake_kie: FakeKie,
                                                                            tmp_path: Path) -> None:
    fake_kie.outcome("hang")
    short = PollSchedule(initial=0.005, later=0.005, deadline=0.1, max_rate=None)

    async def first() -> dict[str, Any]:
        async with backend(fake_kie, poll=short) as kie:
            submission = await kie.submit(Job("p"))
            saved = submission.to_json()
            with pytest.raises(PollTimeoutError) as caught:
                await kie.collect(submission, tmp_path, "shot")
            assert caught.value.task_id == submission.task_id and caught.value.resumable
            return saved

    saved = run(first())
    fake_kie.tasks[saved["task_id"]].outcome = "success"  # the task finishes on KIE's side meanwhile

    async def later() -> GenerationResult:
        async with backend(fake_kie) as kie:  # a new process: a fresh backend and a saved submission
            return await kie.collect(Submission.from_json(json.loads(json.dumps(saved))), tmp_path, "shot")

    result = run(later())
    assert fake_kie.calls["createTask"] == 1 and result.files[0].read_bytes() == fake_kie.served[result.urls[0]]


def test_many_jobs_share_one_pool(tmp_path: Path) -> None:
    with FakeKie(latency=0.2, polls_to_finish=1) as fake:
        async def go() -> list[GenerationResult]:
            async with backend(fake, max_connections=4) as kie:
                async def one(i: int) -> GenerationResult:
                    return await kie.collect(await kie.submit(Job(f"shot {i}")), tmp_path, f"shot-{i}")
                return await asyncio.gather(*(one(i) for i in range(24)))

        results = run(go())
        assert len({r.task_id for r in results}) == 24 and all(r.files[0].is_file() for r in results)
        assert fake.max_inflight <= 4  # never more requests at once than the pool's connections
        # The tasks overlapped: some task was created before another had finished.
        spans = [(t.created, t.finished or 0.0) for t in fake.tasks.values()]
        overlap = max(sum(1 for c, f in spans if c <= start < f) for start, _ in spans)
        assert overlap >= 8
        assert fake.violations == []


def test_credits(fake_kie: FakeKie) -> None:
    fake_kie.balance = 250.0

    async def go() -> Any:
        async with backend(fake_kie) as kie:
            return await kie.credits()

    credits = run(go())
    assert credits.balance == 250.0 and credits.usd == pytest.approx(1.25)


def test_result_json_must_be_a_string_listing_urls() -> None:
    assert result_urls({"resultJson": json.dumps({"resultUrls": ["https://x/1.png"]})}, "t") == ["https://x/1.png"]
    for bad in ("", "{not json", json.dumps({"resultUrls": []}), json.dumps({"urls": ["x"]})):
        with pytest.raises(ProviderResponseError):
            result_urls({"resultJson": bad}, "t")


def test_the_fake_refuses_what_kie_refuses(fake_kie: FakeKie) -> None:
    """The fake is not a pushover: requests breaking the contract fail there too."""
    import httpx

    headers = {"Authorization": f"Bearer {fake_kie.api_key}"}
    bad = [
        {"model": "gpt-image-2", "input": {"prompt": "p"}},
        {"model": "gpt-image-2-text-to-image", "input": {"prompt": "p" * 20_001}},
        {"model": "gpt-image-2-text-to-image", "input": {"prompt": "p", "size": "1024x1024"}},
        {"model": "gpt-image-2-text-to-image", "input": {"prompt": "p", "aspect_ratio": "auto", "resolution": "2K"}},
        {"model": "gpt-image-2-image-to-image", "input": {"prompt": "p", "input_urls": ["https://elsewhere/a.png"]}},
        {"model": "sora-2-image-to-video", "input": {"prompt": "p", "image_urls": [], "n_frames": 10}},
    ]
    with httpx.Client() as client:
        for body in bad:
            reply = client.post(f"{fake_kie.api_url}/api/v1/jobs/createTask", json=body, headers=headers)
            assert reply.status_code == 422, body
        assert client.post(f"{fake_kie.api_url}/api/v1/jobs/createTask", json=bad[0]).status_code == 401
    assert fake_kie.requests == []


def test_first_poll_waits_as_long_as_the_quickest_task_took(tmp_path: Path) -> None:
    """After one task of a model finished in 0.3 s (KIE's createTime to completeTime), the next task's
    first poll comes 0.3 s after it was accepted, and finds it done; a restored submission that is
    already older than that is polled at once."""
    with FakeKie(latency=0.3, polls_to_finish=1) as fake:
        async def go() -> tuple[GenerationResult, GenerationResult, GenerationResult, float]:
            async with backend(fake) as kie:
                first = await kie.collect(await kie.submit(Job("first")), tmp_path, "first")
                second = await kie.collect(await kie.submit(Job("second")), tmp_path, "second")
                saved = (await kie.submit(Job("third"))).to_json()
                await asyncio.sleep(0.35)
                saved["submitted_at"] = "2026-01-01T00:00:00+00:00"  # accepted long ago (a resumed run)
                restored = Submission.from_json(saved)
                assert restored.age() > 3600
                start = time.monotonic()
                third = await kie.collect(restored, tmp_path, "third")
                return first, second, third, time.monotonic() - start

        first, second, third, third_took = run(go())
    task = {t.body["input"]["prompt"]: t for t in fake.tasks.values()}
    assert first.polls > 10  # no history: polled every 5 ms from the start
    finished = task["first"].finished
    assert finished is not None and finished - task["first"].created == pytest.approx(0.3, abs=0.01)
    assert second.polls == 1 and task["second"].polls == 1
    assert third.polls == 1 and third_took < 0.25  # polled at once, not 0.3 s after being restored


def test_proxies_come_from_the_environment() -> None:
    def proxy(url: str, **env: str) -> str | None:
        return env_proxy(url, Settings.from_env(env).proxies)

    assert proxy("https://api.kie.ai/api/v1/jobs/createTask") is None
    env = {"HTTPS_PROXY": "http://proxy.example:3128", "NO_PROXY": "127.0.0.1,localhost"}
    assert proxy("https://api.kie.ai/api/v1/jobs/createTask", **env) == "http://proxy.example:3128"
    assert proxy("http://127.0.0.1:8080/results/t/0.png", **env) is None
    assert proxy("http://cdn.example/results/t/0.png", **env) is None  # no HTTP_PROXY for plain http
    env["ALL_PROXY"] = "http://all.example:1080"
    assert proxy("http://cdn.example/results/t/0.png", **env) == "http://all.example:1080"
    assert proxy("https://api.kie.ai/x", https_proxy="http://lower.example:1", HTTPS_PROXY="http://upper.example:1") \
        == "http://lower.example:1"  # the lower-case spelling wins, as in urllib and curl
