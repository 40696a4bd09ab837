"""KIE's jobs API: GPT Image 2 (text- and image-to-image) and Sora 2 (image-to-video), through aiohttp.

The flow, per KIE's docs (``/work/shared/contracts/kie-jobs-api.md``): upload local reference
frames through the file-upload API, put their ``downloadUrl``s in ``input_urls`` (``image_urls`` for
Sora), ``createTask``, poll ``recordInfo`` until ``success`` or ``fail``, parse ``resultJson`` (a JSON
string), download every result URL at once (they expire in about a day).

What a reply means (a status or body ``code`` that is not 200, and which error each is) is
``kie_replies.py``; this module sends the requests and follows the task. The create call is
retried only when KIE certainly did not accept it (429, 455, 500, 503, or a connection that never
opened): a lost reply to an accepted create must not become a second paid task.

A campaign keeps dozens of tasks polling on one connection pool, so the HTTP client's cost per
request bounds how closely a run follows its tasks: aiohttp's is a fraction of httpx's
(``bench/RESULTS.md``, "Campaigns"). Before a task's first poll the backend waits as long
as the quickest task of the same model has taken so far (KIE's ``createTime`` to
``completeTime``): polling a task before any of its kind could have finished only spends requests
from KIE's 10-a-second allowance.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from composer.backends.download import DEFAULT_LIMITS, DownloadLimits, Saved, download, result_name
from composer.backends.errors import (
    DownloadError,
    GenerationError,
    InterruptedGenerationError,
    MissingKeyError,
    NetworkError,
    NoSpaceError,
    NotFoundError,
    PollTimeoutError,
    ProviderResponseError,
    ServiceUnavailableError,
    SubmitUncertainError,
    TaskFailedError,
    TransientError,
    redact,
)
from composer.backends.kie_replies import reply_data, result_urls, shape
from composer.backends.kie_requests import create_body
from composer.backends.net import GuardedResolver, HostPolicy, env_proxy
from composer.backends.options import validate_kie_job
from composer.backends.prices import PriceTable
from composer.backends.retry import OnRetry, RateLimiter, Sleep, parse_retry_after, retry_reporter, retrying
from composer.backends.schedule import (
    DEFAULT_DEADLINES,
    DEFAULT_POLL,
    DEFAULT_RETRY,
    PollSchedule,
    RequestDeadlines,
    RetryPolicy,
)
from composer.backends.types import (
    ClosingBackend,
    Cost,
    Credits,
    GenerationResult,
    Job,
    Progress,
    ProgressEvent,
    Stopwatch,
    Submission,
    no_progress,
)
from composer.frames import sniff_image_type

UPLOAD_PATH = "composer/reference-frames"
"""The ``uploadPath`` frames are stored under on KIE's temporary file storage."""
log = logging.getLogger(__name__)
CREATE_PATH = "/api/v1/jobs/createTask"
RECORD_PATH = "/api/v1/jobs/recordInfo"
CREDIT_PATH = "/api/v1/chat/credit"
UPLOAD_STREAM_PATH = "/api/file-stream-upload"
PENDING_STATES = ("waiting", "queuing", "generating")
SAFE_TO_RECREATE = (429, 455, 500, 503)
"""Statuses after which KIE has certainly not created the task, so the create may be retried."""


class KieBackend(ClosingBackend):
    """GPT Image 2 and Sora 2 through KIE. One ``aiohttp.ClientSession`` (one pool) per instance,
    opened on first use inside the event loop that uses it."""

    name = "kie"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str,
        upload_base_url: str,
        poll: PollSchedule = DEFAULT_POLL,
        retry: RetryPolicy = DEFAULT_RETRY,
        prices: PriceTable | None = None,
        limits: DownloadLimits = DEFAULT_LIMITS,
        max_connections: int = 64,
        timeout: float = 60.0,
        deadlines: RequestDeadlines = DEFAULT_DEADLINES,
        allow_hosts: Iterable[str] = (),
        proxies: Mapping[str, str] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not api_key:
            raise MissingKeyError("no KIE API key: set KIE_API_KEY (get one at https://kie.ai/api-key)")
        self._key = api_key
        self.base_url = base_url.rstrip("/")
        self.upload_base_url = upload_base_url.rstrip("/")
        self.proxies: Mapping[str, str] = proxies or {}
        """Scheme -> proxy (``Settings.proxies``)."""
        self.hosts = HostPolicy.of([self.base_url, self.upload_base_url], allow_hosts, self.proxies)
        """Results come from public addresses only, unless configured here (``net.py``)."""
        self.deadlines = deadlines
        self.poll = poll
        self.retry = retry
        self.prices = prices or PriceTable.load()
        self.limits = limits
        self._sleep = sleep
        self._poll_limiter = RateLimiter(poll.max_rate)
        self._uploads: dict[str, str] = {}
        self._upload_locks: dict[str, asyncio.Lock] = {}
        self._quickest: dict[str, float] = {}
        """Provider model -> the shortest time a task of it took (KIE's createTime to completeTime)."""
        self._max_connections = max_connections
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._proxies: dict[str, str | None] = {}

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def session(self) -> aiohttp.ClientSession:
        """The connection pool, opened on first use (aiohttp binds it to the running event loop)."""
        if self._session is None:
            # No default Authorization header: downloads go to a CDN that must never see the key.
            # ``connect`` covers waiting for a free connection too. Not ``trust_env``: it reads ~/.netrc
            # on a thread for every request (and a netrc entry would clash with our header); the
            # proxies (``Settings.proxies``) are looked up once per host by ``proxy_for`` instead.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections, resolver=GuardedResolver(self.hosts)),
                timeout=aiohttp.ClientTimeout(total=self.deadlines.api, connect=self._timeout,
                                              sock_connect=min(self._timeout, 15.0), sock_read=self._timeout),
            )
        return self._session

    @property
    def slots(self) -> asyncio.Semaphore:
        """Held for every request: aiohttp's connector limit alone can be exceeded when connections
        are released and taken at once (aio-libs/aiohttp#4936; seen here as 5-7 of a pool of 4)."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max_connections)
        return self._slots

    def proxy_for(self, url: str) -> str | None:
        """The proxy the settings name for ``url``'s host (remembered per host)."""
        host = urlsplit(url).netloc
        if host not in self._proxies:
            self._proxies[host] = env_proxy(url, self.proxies)
        return self._proxies[host]

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._slots = None

    # -- pure -----------------------------------------------------------------------------------
    def validate(self, job: Job) -> None:
        validate_kie_job(job)

    def build_request(self, job: Job, urls: list[str]) -> dict[str, Any]:
        """The createTask body for ``job`` with its frames at ``urls``."""
        return create_body(job, urls)

    def preview_request(self, job: Job) -> dict[str, Any]:
        return self.build_request(job, [f"<upload of {p}>" for p in job.reference_frames])

    def estimate_cost(self, job: Job) -> Cost:
        return self.prices.kie_cost(job)

    # -- HTTP -----------------------------------------------------------------------------------
    def _message(self, text: object) -> str:
        """Provider text made safe for a one-line message: no key, no newlines, bounded."""
        line = " ".join(str(text).split())
        line = redact(line, (self._key,))
        return line if len(line) <= 300 else line[:297] + "..."

    async def _call(self, method: str, url: str, what: str, **kwargs: Any) -> Any:
        """One API request; returns the body's ``data`` or raises a classified ``GenerationError``."""
        host = urlsplit(url).netloc
        log.debug("%s %s (%s)", method, url, what)  # the key is a header: never part of the line
        try:
            async with self.slots, self.session.request(
                method, url, headers={"Authorization": f"Bearer {self._key}"}, proxy=self.proxy_for(url), **kwargs
            ) as response:
                status, reason, raw = response.status, response.reason, await response.read()
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            log.debug("%s %s: HTTP %s, %d bytes", method, url, status, len(raw))
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise NetworkError(f"{what}: cannot connect to {host} ({type(exc).__name__})", maybe_sent=False) from None
        except TimeoutError:
            raise NetworkError(f"{what}: {host} timed out (a request may take {self.deadlines.api:g} s in all: "
                               "COMPOSER_REQUEST_DEADLINE)", maybe_sent=True) from None
        except aiohttp.ClientError as exc:
            raise NetworkError(f"{what}: connection to {host} failed ({type(exc).__name__})", maybe_sent=True) from None
        return reply_data(status, reason, raw, what=what, host=host, retry_after=retry_after, clean=self._message)

    def _on_retry(self, progress: Progress) -> OnRetry:
        return retry_reporter(progress, self.retry)

    # -- uploads --------------------------------------------------------------------------------
    async def upload(self, path: Path, *, progress: Progress = no_progress) -> str:
        """Upload a reference frame once per backend (by content) and return its ``downloadUrl``."""
        data = await asyncio.to_thread(path.read_bytes)
        digest = hashlib.sha256(data).hexdigest()
        lock = self._upload_locks.setdefault(digest, asyncio.Lock())
        async with lock:  # many jobs share a character's frame: the first uploads it, the rest wait
            if digest in self._uploads:
                return self._uploads[digest]
            mime = sniff_image_type(data[:16]) or "application/octet-stream"
            name = f"{digest[:12]}-{path.name}"
            url = f"{self.upload_base_url}{UPLOAD_STREAM_PATH}"

            async def send() -> Any:
                form = aiohttp.FormData()  # a fresh form for every try: aiohttp consumes it when sending
                form.add_field("file", data, filename=name, content_type=mime)
                form.add_field("uploadPath", UPLOAD_PATH)
                form.add_field("fileName", name)
                return await self._call("POST", url, f"uploading {path.name}", data=form)

            result = await retrying(send, self.retry, on_retry=self._on_retry(progress), sleep=self._sleep)
            download_url = result.get("downloadUrl") if isinstance(result, dict) else None
            if not isinstance(download_url, str) or not download_url.startswith(("http://", "https://")):
                raise ProviderResponseError(f"uploading {path.name}: KIE's reply has no downloadUrl")
            progress(ProgressEvent("upload", f"uploaded {path.name}"))
            self._uploads[digest] = download_url
            return download_url

    # -- submit ---------------------------------------------------------------------------------
    async def submit(self, job: Job, *, progress: Progress = no_progress) -> Submission:
        self.validate(job)
        watch = Stopwatch()
        frames = list(job.reference_frames)
        if frames:
            progress(ProgressEvent("upload", f"uploading {len(frames)} reference frame(s) to KIE"))
        urls = list(await asyncio.gather(*(self.upload(p, progress=progress) for p in frames)))
        body = self.build_request(job, urls)
        progress(ProgressEvent("submit", f"creating a {body['model']} task"))
        data = await retrying(lambda: self._create_once(body), self.retry,
                              on_retry=self._on_retry(progress), sleep=self._sleep)
        # KIE's docs spell the id taskId; some of its pages say task_id.
        task_id = (data.get("taskId") or data.get("task_id")) if isinstance(data, dict) else None
        if not isinstance(task_id, str) or not task_id:
            # A 200 reply KIE sent for this create: the task may exist and be billed.
            raise SubmitUncertainError(f"createTask: KIE answered but its reply holds no taskId ({shape(data)}); "
                                       "it may have accepted the task: check the KIE dashboard "
                                       "(https://kie.ai/logs) before sending it again")
        progress(ProgressEvent("submitted", f"KIE accepted task {task_id}", task_id=task_id))
        return Submission(job=job, backend=self.name, model=body["model"], task_id=task_id, request=body,
                          uploads={str(p): u for p, u in zip(frames, urls, strict=True)},
                          submit_seconds=watch())

    async def _create_once(self, body: dict[str, Any]) -> Any:
        uncertain = ("KIE may have accepted the task but its reply was lost ({}); check the KIE dashboard "
                     "(https://kie.ai/logs) before sending it again")
        try:
            return await self._call("POST", f"{self.base_url}{CREATE_PATH}", "createTask", json=body)
        except NetworkError as exc:
            if exc.maybe_sent:
                raise SubmitUncertainError(uncertain.format(exc)) from None
            raise
        except ServiceUnavailableError as exc:
            if exc.status not in SAFE_TO_RECREATE:
                raise SubmitUncertainError(uncertain.format(exc)) from None
            raise
        except ProviderResponseError as exc:  # a reply arrived but cannot be read: it may say "accepted"
            raise SubmitUncertainError(uncertain.format(exc)) from None

    # -- collect --------------------------------------------------------------------------------
    async def record_info(self, task_id: str) -> dict[str, Any]:
        """One ``recordInfo`` request (paced to the schedule's ``max_rate``)."""
        await self._poll_limiter.wait()
        data = await self._call("GET", f"{self.base_url}{RECORD_PATH}", f"polling task {task_id}",
                                params={"taskId": task_id})
        if data is None:
            raise NotFoundError(f"KIE has no task {task_id} (tasks expire; re-send the brief)", task_id=task_id)
        if not isinstance(data, dict):
            raise ProviderResponseError(f"polling task {task_id}: KIE's reply holds {shape(data)}, not a task record",
                                        task_id=task_id)
        return data

    async def _poll_once(self, task_id: str) -> tuple[dict[str, Any], list[str]]:
        """One poll: the task's record, and its result URLs once it has succeeded (an unreadable
        ``resultJson`` is a malformed reply like any other, so it is asked for again)."""
        info = await self.record_info(task_id)
        return info, result_urls(info, task_id) if info.get("state") == "success" else []

    async def wait(
        self, task_id: str, *, first_poll_after: float = 0.0, progress: Progress = no_progress
    ) -> tuple[dict[str, Any], list[str], int]:
        """Poll until the task succeeds (its record, result URLs and the number of polls), fails, or the
        deadline passes; the first poll comes ``first_poll_after`` seconds from now."""
        watch, polls = Stopwatch(), 0
        on_retry = self._on_retry(progress)
        if first_poll_after > 0:
            await self._sleep(min(first_poll_after, self.poll.deadline))
        while True:
            try:
                info, urls = await retrying(lambda: self._poll_once(task_id), self.retry, on_retry=on_retry,
                                            sleep=self._sleep)
            except TransientError as exc:
                raise InterruptedGenerationError(f"polling task {task_id} failed: {exc}", task_id=task_id) from None
            polls += 1
            state, elapsed = str(info.get("state") or "unknown"), watch()
            progress(ProgressEvent("poll", f"task {task_id}: {state}", task_id=task_id, state=state,
                                   elapsed=elapsed))
            if state == "success":
                return info, urls, polls
            if state == "fail":
                code, msg = info.get("failCode"), self._message(info.get("failMsg") or "no reason given")
                raise TaskFailedError(f"KIE task {task_id} failed (failCode {code}): {msg}", task_id=task_id,
                                      fail_code=None if code is None else str(code), fail_msg=msg)
            remaining = self.poll.deadline - elapsed
            if remaining <= 0:
                raise PollTimeoutError(f"KIE task {task_id} is still '{state}' after {elapsed:.0f} s "
                                       f"(deadline {self.poll.deadline:.0f} s)", task_id=task_id)
            await self._sleep(min(self.poll.interval(elapsed), remaining))

    async def collect(
        self, submission: Submission, out_dir: Path, stem: str, *, progress: Progress = no_progress
    ) -> GenerationResult:
        task_id = submission.task_id
        if not task_id:
            raise GenerationError("this submission has no KIE task id to collect")
        watch = Stopwatch()
        quickest = self._quickest.get(submission.model, 0.0)
        info, urls, polls = await self.wait(task_id, first_poll_after=quickest - submission.age(),
                                            progress=progress)
        self._learn(submission.model, info)
        waited = watch()
        progress(ProgressEvent("download", f"downloading {len(urls)} result(s)", task_id=task_id))
        saved = await self._download_all(urls, out_dir, stem, submission, progress)
        timings = {"submit": submission.submit_seconds, "wait": waited, "download": watch() - waited}
        if isinstance(info.get("costTime"), int | float):
            timings["provider"] = float(info["costTime"]) / 1000.0
        return GenerationResult(backend=self.name, model=submission.model, task_id=task_id,
                                files=[s.path for s in saved], urls=urls, timings=timings,
                                cost=self.estimate_cost(submission.job), polls=polls,
                                sha256=tuple(s.sha256 for s in saved))

    def _learn(self, model: str, info: dict[str, Any]) -> None:
        """Remember how long the quickest task of ``model`` took, from KIE's own createTime and completeTime."""
        created, completed = info.get("createTime"), info.get("completeTime")
        if isinstance(created, int | float) and isinstance(completed, int | float) and completed >= created:
            took = (completed - created) / 1000.0
            self._quickest[model] = min(self._quickest.get(model, math.inf), took)

    async def _download_all(
        self, urls: list[str], out_dir: Path, stem: str, submission: Submission, progress: Progress
    ) -> list[Saved]:
        on_retry = self._on_retry(progress)
        results = await asyncio.gather(
            *(download(self.session, url, out_dir, result_name(stem, i, len(urls)), kind=submission.job.kind,
                       limits=self.limits, retry=self.retry, on_retry=on_retry, proxy_for=self.proxy_for,
                       hosts=self.hosts, deadline=self.deadlines.download,
                       slots=self.slots)
              for i, url in enumerate(urls)),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        for failure in failures:
            if not isinstance(failure, GenerationError):
                raise failure
        if failures:
            first = failures[0]
            kind = NoSpaceError if any(isinstance(f, NoSpaceError) for f in failures) else DownloadError
            raise kind(f"task {submission.task_id} finished but {len(failures)} of {len(urls)} "
                                f"download(s) failed: {first}", task_id=submission.task_id, result_urls=urls)
        return [r for r in results if isinstance(r, Saved)]

    # -- account --------------------------------------------------------------------------------
    async def credits(self) -> Credits:
        data = await retrying(lambda: self._call("GET", f"{self.base_url}{CREDIT_PATH}", "reading the balance"),
                              self.retry, sleep=self._sleep)
        if isinstance(data, dict):  # tolerate {"credits": n} as well as a bare number
            data = data.get("credits", data.get("balance"))
        if not isinstance(data, int | float):
            raise ProviderResponseError("KIE's credit reply holds no number")
        rate = self.prices.credit_usd()
        return Credits(balance=float(data), usd=float(data) * rate if rate is not None else None)
