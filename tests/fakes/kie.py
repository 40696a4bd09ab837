"""A fake KIE: the jobs API, the file-upload API and a result CDN, on three ports of 127.0.0.1.

It enforces the contract in ``contracts/kie-jobs-api.md``: Bearer auth on the API and upload hosts
(and *no* Authorization header on the CDN), known model ids, each model's input fields and no
others, the 20,000-character prompt limit, the documented aspect-ratio/resolution combinations,
``input_urls``/``image_urls`` that must be URLs this fake issued on upload, a state progression
over several polls, ``resultJson`` as a JSON string, and downloadable results.

Failure knobs:
- ``script(endpoint, Reply(...), ...)``: the next calls to an endpoint get these replies (any status
  or body code, ``Retry-After``, a delay, a dropped connection, raw bytes such as an HTML page, or
  a well-formed reply whose ``data`` is anything), then normal service resumes;
- ``outcome(...)``: how the next created tasks end (``success``, ``fail`` with failCode/failMsg,
  ``hang`` forever);
- ``fail_rate`` / ``rate_limit_rate``: random task failures and 429s (seeded, for campaigns);
- ``latency``: seconds a task takes; ``polls_to_finish``: polls it takes;
- ``result_content_type`` / ``result_body``: serve results that lie about their type.

Endpoints for ``script``: ``createTask``, ``recordInfo``, ``credit``, ``upload``, ``download``.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import json
import random
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from composer.settings import Settings

API_KEY = "kie-test-key-0123456789abcdef"
PROMPT_LIMIT = 20_000
RATIOS = ("auto", "1:1", "3:2", "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16",
          "2:1", "1:2", "3:1", "1:3", "21:9", "9:21")
MODELS: dict[str, dict[str, Any]] = {
    "gpt-image-2-text-to-image": {"fields": {"prompt", "aspect_ratio", "resolution"}, "urls": None},
    "gpt-image-2-image-to-image": {"fields": {"prompt", "input_urls", "aspect_ratio", "resolution"},
                                   "urls": "input_urls", "max_urls": 16},
    # KIE's Sora 2 page: one first frame of at most 10 MB.
    "sora-2-image-to-video": {"fields": {"prompt", "image_urls", "aspect_ratio", "n_frames", "remove_watermark"},
                              "urls": "image_urls", "max_urls": 1, "max_mb": 10, "video": True},
    "sora-2-text-to-video": {"fields": {"prompt", "aspect_ratio", "n_frames", "remove_watermark"}, "urls": None,
                             "video": True},
    # KIE's Kling 2.5 Turbo Pro page: one first frame in `image_url` (a single URL), duration "5" or "10".
    "kling/v2-5-turbo-image-to-video-pro": {
        "fields": {"prompt", "image_url", "tail_image_url", "duration", "negative_prompt", "cfg_scale"},
        "urls": "image_url", "single": True, "max_mb": 10, "video": True, "durations": ("5", "10")},
}
CREDITS_PER_TASK = 12


NO_DATA = object()


@dataclass
class Reply:
    """A scripted reply. ``status`` is the HTTP status; ``code`` the body's code (default: status).
    ``in_body``: answer HTTP 200 with the error only in the body's ``code`` (KIE does both)."""

    status: int = 200
    code: int | None = None
    msg: str = "scripted failure"
    retry_after: float | None = None
    delay: float = 0.0
    drop: bool = False
    in_body: bool = False
    serve: bool = False
    """After ``delay``, answer as the endpoint normally would (a slow but real reply)."""
    body: bytes | None = None
    """Answer ``status`` with these bytes instead (e.g. an HTML error page from a proxy)."""
    content_type: str = "text/html"
    data: Any = field(default_factory=lambda: NO_DATA)
    """Answer ``{"code": 200, "msg": "success", "data": data}``: a well-formed reply holding anything."""
    location: str | None = None
    """Answer ``status`` (say 302) with this ``Location`` header: a redirect."""
    trickle: float = 0.0
    """Send ``body`` one byte every ``trickle`` seconds (a server that never quite answers)."""


@dataclass
class FakeTask:
    task_id: str
    model: str
    body: dict[str, Any]
    created: float
    outcome: str = "success"
    fail_code: str = "501"
    fail_msg: str = "generation failed"
    polls: int = 0
    result_urls: list[str] = field(default_factory=list)
    ready: float | None = None
    """When the task had been polled all but once of ``polls_to_finish`` (creation, for one poll)."""
    finished: float | None = None
    """When the task finished on the fake's side (reported as completeTime), not when a poll saw it."""


class Server(ThreadingHTTPServer):
    """A threaded HTTP server with room for many simultaneous connections: the default listen
    backlog of 5 makes the kernel reset connections when a campaign opens dozens at once."""

    daemon_threads = True
    request_queue_size = 1024


def make_png(seed: int, label: str, size: int = 16) -> bytes:
    """A real PNG whose pixels and text chunk differ per result."""
    from PIL import PngImagePlugin

    colour = ((seed * 67) % 256, (seed * 131) % 256, (seed * 197) % 256)
    info = PngImagePlugin.PngInfo()
    info.add_text("task", label)
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def make_mp4(label: str) -> bytes:
    """Enough of an MP4 to be recognised by its ``ftyp`` box (the client sniffs, it does not play)."""
    payload = label.encode()
    return (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
            + (8 + len(payload)).to_bytes(4, "big") + b"mdat" + payload)


class FakeKie:
    """The fake KIE servers. Use as a context manager; ``env()`` points the client at it."""

    def __init__(
        self, *, api_key: str = API_KEY, polls_to_finish: int = 3, latency: float = 0.0, results_per_task: int = 1,
        fail_rate: float = 0.0, rate_limit_rate: float = 0.0, seed: int = 0, balance: float = 1_000_000.0,
        poll_rate_limit: int | None = None, result_content_type: str | None = None,
        result_body: bytes | None = None,
    ) -> None:
        self.api_key = api_key
        self.polls_to_finish = polls_to_finish
        self.latency = latency
        self.results_per_task = results_per_task
        self.fail_rate = fail_rate
        self.rate_limit_rate = rate_limit_rate
        self.balance = balance
        self.poll_rate_limit = poll_rate_limit
        self.result_content_type = result_content_type
        self.result_body = result_body
        self._rng = random.Random(seed)
        self.lock = threading.Lock()
        self.tasks: dict[str, FakeTask] = {}
        self.uploads: dict[str, bytes] = {}
        """Issued download URL -> uploaded bytes."""
        self.served: dict[str, bytes] = {}
        """Result URL -> the exact bytes served for it."""
        self.calls: Counter[str] = Counter()
        self.violations: list[str] = []
        """Contract breaches the client committed that a real server would not report (e.g. sending
        the API key to the CDN). Tests assert this stays empty."""
        self.requests: list[dict[str, Any]] = []
        """createTask bodies as received."""
        self.connections: set[tuple[str, int]] = set()
        self.inflight = 0
        self.max_inflight = 0
        self.on_call: Callable[[str], None] | None = None
        """Called (from a server thread) with each API endpoint's name before it is handled."""
        self._scripts: dict[str, deque[Reply]] = {}
        self._outcomes: deque[tuple[str, str, str]] = deque()
        self._poll_times: deque[float] = deque()
        self._counter = 0
        self._servers: list[ThreadingHTTPServer] = []
        self.api_url = self.upload_url = self.cdn_url = ""

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> FakeKie:
        urls = []
        for role in ("api", "upload", "cdn"):
            server = Server(("127.0.0.1", 0), _handler(self, role))
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self._servers.append(server)
            urls.append(f"http://127.0.0.1:{server.server_address[1]}")
        self.api_url, self.upload_url, self.cdn_url = urls
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> FakeKie:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self, **extra: str) -> dict[str, str]:
        """Environment variables that send the client here (and let it fetch results from this CDN,
        which is on 127.0.0.1 like everything else here)."""
        cdn = self.cdn_url.split("//", 1)[-1]
        return {"KIE_API_KEY": self.api_key, "KIE_BASE_URL": self.api_url, "KIE_UPLOAD_BASE_URL": self.upload_url,
                "COMPOSER_ALLOW_HOSTS": cdn, **extra}

    def settings(self, **extra: str) -> Settings:
        """The settings ``env()`` makes (what a test passes instead of patching the environment)."""
        return Settings.from_env(self.env(**extra))

    # -- knobs ----------------------------------------------------------------------------------
    def script(self, endpoint: str, *replies: Reply) -> None:
        with self.lock:
            self._scripts.setdefault(endpoint, deque()).extend(replies)

    def outcome(self, outcome: str, *, times: int = 1, fail_code: str = "501", fail_msg: str = "generation failed"
                ) -> None:
        """The next ``times`` created tasks end with ``outcome``: success, fail or hang."""
        with self.lock:
            self._outcomes.extend([(outcome, fail_code, fail_msg)] * times)

    def _scripted(self, endpoint: str) -> Reply | None:
        with self.lock:
            queue = self._scripts.get(endpoint)
            return queue.popleft() if queue else None

    # -- request handling (called from server threads) ------------------------------------------
    def handle(self, request: _Request, role: str) -> None:
        with self.lock:
            self.connections.add(request.client_address)
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        request.on_answer = self._answered
        try:
            if role == "cdn":
                self._cdn(request)
            else:
                self._authorised(request, role)
        finally:
            if request.on_answer is not None:  # closed without an answer
                self._answered()

    def _answered(self) -> None:
        """Counted out before the reply is written: once a client has read a reply it may send its next
        request at once, perhaps before this thread gets past the write."""
        with self.lock:
            self.inflight -= 1

    def _authorised(self, request: _Request, role: str) -> None:
        endpoint = _endpoint(role, request.method, request.path)
        if endpoint is None:
            return request.json(404, {"code": 404, "msg": f"no route {request.method} {request.path}"})
        with self.lock:
            self.calls[endpoint] += 1
        if self.on_call is not None:
            self.on_call(endpoint)
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return request.json(401, {"code": 401, "msg": "You do not have access permissions"})
        scripted = self._scripted(endpoint)
        if scripted is not None and scripted.serve:
            time.sleep(scripted.delay)
        elif scripted is not None:
            return request.scripted(scripted)
        with self.lock:
            limited = self.rate_limit_rate and self._rng.random() < self.rate_limit_rate
        if limited or (endpoint == "recordInfo" and self._over_poll_rate()):
            return request.json(429, {"code": 429, "msg": "Rate limited"}, {"Retry-After": "0"})
        getattr(self, "_" + endpoint)(request)

    def _over_poll_rate(self) -> bool:
        if self.poll_rate_limit is None:
            return False
        now = time.monotonic()
        with self.lock:
            while self._poll_times and now - self._poll_times[0] > 1.0:
                self._poll_times.popleft()
            if len(self._poll_times) >= self.poll_rate_limit:
                return True
            self._poll_times.append(now)
        return False

    def _createTask(self, request: _Request) -> None:
        body = request.json_body()
        problem = self._check_create(body) if isinstance(body, dict) else "body must be a JSON object"
        if problem:
            return request.json(422, {"code": 422, "msg": problem})
        with self.lock:
            if self.balance < CREDITS_PER_TASK:
                return request.json(402, {"code": 402, "msg": "Insufficient credits"})
            self.balance -= CREDITS_PER_TASK
            self.requests.append(body)
            outcome, code, msg = self._outcomes.popleft() if self._outcomes else ("success", "501", "failed")
            if outcome == "success" and self.fail_rate and self._rng.random() < self.fail_rate:
                outcome = "fail"
            task = FakeTask(uuid.uuid4().hex, body["model"], body, time.monotonic(), outcome, code, msg)
            self.tasks[task.task_id] = task
        request.json(200, {"code": 200, "msg": "success", "data": {"taskId": task.task_id}})

    def _check_create(self, body: dict[str, Any]) -> str | None:
        model, fields = body.get("model"), body.get("input")
        if set(body) - {"model", "input", "callBackUrl"}:
            return f"unknown top-level fields {sorted(set(body) - {'model', 'input', 'callBackUrl'})}"
        if model not in MODELS:
            return f"model {model!r} is not supported"
        if not isinstance(fields, dict):
            return "input must be an object"
        spec = MODELS[model]
        extra = set(fields) - spec["fields"]
        if extra:
            return f"input has unknown fields {sorted(extra)}"
        prompt = fields.get("prompt")
        if not isinstance(prompt, str) or not 1 <= len(prompt) <= PROMPT_LIMIT:
            return f"prompt must be 1 to {PROMPT_LIMIT} characters"
        if spec["urls"]:
            problem = self._check_urls(spec, fields.get(spec["urls"]))
            if problem:
                return problem
        if "durations" in spec and "duration" in fields and fields["duration"] not in spec["durations"]:
            return f"duration must be one of {spec['durations']}"
        return _check_ratio(model, fields)

    def _check_urls(self, spec: dict[str, Any], value: Any) -> str | None:
        name = spec["urls"]
        if spec.get("single"):
            if not isinstance(value, str):
                return f"{name} must be one URL"
            value = [value]
        elif not isinstance(value, list) or not 1 <= len(value) <= spec["max_urls"]:
            return f"{name} must list 1 to {spec['max_urls']} URLs"
        with self.lock:
            unknown = [u for u in value if u not in self.uploads]
            sizes = [len(self.uploads.get(u, b"")) for u in value]
        if unknown:
            return f"{name} holds URLs this server did not issue: {unknown}"
        if "max_mb" in spec and max(sizes) > spec["max_mb"] * 1_000_000:
            return f"{name}: the image is larger than {spec['max_mb']} MB"
        return None

    def _recordInfo(self, request: _Request) -> None:
        task_id = parse_qs(urlsplit(request.path).query).get("taskId", [""])[0]
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                return request.json(200, {"code": 404, "msg": "task not found", "data": None})
            task.polls += 1
            if task.polls == self.polls_to_finish - 1:
                task.ready = time.monotonic()
            state = self._advance(task)
            data = {
                "taskId": task.task_id, "model": task.model, "state": state, "param": json.dumps(task.body),
                "resultJson": json.dumps({"resultUrls": task.result_urls}) if state == "success" else "",
                "failCode": task.fail_code if state == "fail" else None,
                "failMsg": task.fail_msg if state == "fail" else None,
                "costTime": 1234 if state in ("success", "fail") else None,
                "completeTime": int((task.finished or 0) * 1000) or None,
                "createTime": int(task.created * 1000), "updateTime": int(time.monotonic() * 1000),
            }
        request.json(200, {"code": 200, "msg": "success", "data": data})

    def _advance(self, task: FakeTask) -> str:
        """The task's state at this poll (called with the lock held)."""
        done = task.polls >= self.polls_to_finish and time.monotonic() - task.created >= self.latency
        if task.outcome == "hang" or not done:
            return "waiting" if task.polls == 1 else "queuing" if task.polls == 2 else "generating"
        task.finished = task.finished or max(task.created + self.latency, task.ready or task.created)
        if task.outcome == "fail":
            return "fail"
        if not task.result_urls:
            video = MODELS[task.model].get("video", False)
            for index in range(self.results_per_task):
                self._counter += 1
                label = f"{task.task_id}-{index}"
                data = make_mp4(label) if video else make_png(self._counter, label)
                url = f"{self.cdn_url}/results/{task.task_id}/{index}.{'mp4' if video else 'png'}"
                self.served[url] = self.result_body if self.result_body is not None else data
                task.result_urls.append(url)
        return "success"

    def _credit(self, request: _Request) -> None:
        with self.lock:
            balance = self.balance
        request.json(200, {"code": 200, "msg": "success", "data": balance})

    def _upload(self, request: _Request) -> None:
        if request.path.startswith("/api/file-stream-upload"):
            form = request.multipart()
            data, name = form.get("file", (None, None))
            upload_path = form.get("uploadPath", (None, None))[0]
            file_name = form.get("fileName", (None, None))[0] or name
        else:
            body = request.json_body() or {}
            raw = str(body.get("base64Data") or "").split(",")[-1]  # raw base64 or a data: URL
            data = base64.b64decode(raw) if raw else None
            upload_path, file_name = body.get("uploadPath"), body.get("fileName")
        if not isinstance(data, bytes) or not data or not upload_path:
            return request.json(400, {"success": False, "code": 400, "msg": "file and uploadPath are required"})
        file_name = file_name or "upload.bin"
        url = f"{self.cdn_url}/files/{uuid.uuid4().hex[:8]}/{file_name}"
        with self.lock:
            self.uploads[url] = data
        request.json(200, {"success": True, "code": 200, "msg": "File uploaded successfully", "data": {
            "fileName": file_name, "filePath": f"{upload_path}/{file_name}", "downloadUrl": url,
            "fileSize": len(data), "mimeType": _mime(data), "uploadedAt": "2026-11-24T12:00:00Z"}})

    def _cdn(self, request: _Request) -> None:
        if "Authorization" in request.headers:
            with self.lock:
                self.violations.append(f"Authorization header sent to the CDN for {request.path}")
        with self.lock:
            self.calls["download"] += 1
        scripted = self._scripted("download")
        if scripted is not None:
            return request.scripted(scripted)
        url = f"{self.cdn_url}{request.path}"
        with self.lock:
            data = self.served.get(url, self.uploads.get(url))
        if data is None:
            return request.raw(404, b"not found", "text/plain")
        kind = "video/mp4" if url.endswith(".mp4") else "image/png"
        request.raw(200, data, self.result_content_type or kind)


def _check_ratio(model: str, fields: dict[str, Any]) -> str | None:
    """KIE's documented option rules, written independently of the client's."""
    ratio, resolution = fields.get("aspect_ratio"), fields.get("resolution")
    if model.startswith("sora-2"):
        if ratio is not None and ratio not in ("landscape", "portrait"):
            return "aspect_ratio must be landscape or portrait"
        if "n_frames" in fields and fields["n_frames"] not in ("10", "15"):
            return 'n_frames must be "10" or "15"'
        return None
    if ratio is not None and ratio not in RATIOS:
        return f"aspect_ratio {ratio!r} is not supported"
    if resolution is not None and resolution not in ("1K", "2K", "4K"):
        return f"resolution {resolution!r} is not supported"
    if resolution in ("2K", "4K"):
        if ratio in (None, "auto", "5:4", "4:5", "3:1", "1:3", "9:21"):
            return f"aspect_ratio {ratio or 'auto'} does not support {resolution}"
        if ratio == "1:1" and resolution == "4K":
            return "aspect_ratio 1:1 does not support 4K"
    return None


def _mime(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return "image/webp" if data[8:12] == b"WEBP" else "application/octet-stream"


def _endpoint(role: str, method: str, path: str) -> str | None:
    route = urlsplit(path).path
    if role == "api":
        return {("POST", "/api/v1/jobs/createTask"): "createTask", ("GET", "/api/v1/jobs/recordInfo"): "recordInfo",
                ("GET", "/api/v1/chat/credit"): "credit"}.get((method, route))
    if role == "upload" and method == "POST" and route in ("/api/file-stream-upload", "/api/file-base64-upload"):
        return "upload"
    return None


class _Request:
    """One request, with helpers to read it and answer it."""

    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        self.handler = handler
        self.method = handler.command
        self.path = handler.path
        self.headers = handler.headers
        self.client_address = handler.client_address
        length = int(handler.headers.get("Content-Length") or 0)
        self.body = handler.rfile.read(length) if length else b""
        self.on_answer: Callable[[], None] | None = None
        """Called once, just before the reply is written."""

    def json_body(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def multipart(self) -> dict[str, tuple[Any, str | None]]:
        """Form fields by name: (bytes for files / str for fields, file name)."""
        head = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + self.body)
        fields: dict[str, tuple[Any, str | None]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            filename = part.get_filename()
            fields[str(name)] = (payload if filename else payload.decode(), filename)
        return fields

    def json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.raw(status, json.dumps(body).encode(), "application/json", headers)

    def raw(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        handler = self.handler
        if self.on_answer is not None:
            self.on_answer()
            self.on_answer = None
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def trickle(self, status: int, data: bytes, content_type: str, every: float) -> None:
        handler = self.handler
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        try:
            for index in range(len(data)):
                handler.wfile.write(data[index:index + 1])
                handler.wfile.flush()
                time.sleep(every)
        except OSError:  # the client gave up: what a deadline is for
            handler.close_connection = True

    def scripted(self, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.handler.close_connection = True
            self.handler.connection.shutdown(2)
            return
        headers = {"Retry-After": f"{reply.retry_after:g}"} if reply.retry_after is not None else {}
        if reply.location is not None:
            return self.raw(reply.status, b"", "text/plain", {**headers, "Location": reply.location})
        if reply.body is not None and reply.trickle:
            return self.trickle(reply.status, reply.body, reply.content_type, reply.trickle)
        if reply.body is not None:
            return self.raw(reply.status, reply.body, reply.content_type, headers)
        if reply.data is not NO_DATA:
            return self.json(reply.status, {"code": 200, "msg": "success", "data": reply.data}, headers)
        code = reply.code if reply.code is not None else reply.status
        status = 200 if reply.in_body else reply.status
        self.json(status, {"code": code, "msg": reply.msg, "data": None}, headers)


def _handler(fake: FakeKie, role: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in one segment: with Nagle on and the client's delayed ACK, a
        # response written in two pieces waits ~40 ms, which throttles a campaign to a crawl.
        disable_nagle_algorithm = True
        wbufsize = -1

        def do_GET(self) -> None:
            fake.handle(_Request(self), role)

        def do_POST(self) -> None:
            fake.handle(_Request(self), role)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def main() -> None:
    """Serve a fake KIE by hand: ``python tests/fakes/kie.py [--latency S] [--polls N]`` prints the
    variables to export, then serves until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--latency", type=float, default=8.0, help="seconds each task takes")
    parser.add_argument("--polls", type=int, default=2, help="polls each task takes at least")
    parser.add_argument("--outcome", choices=["success", "fail", "hang"], default="success")
    args = parser.parse_args()
    with FakeKie(latency=args.latency, polls_to_finish=args.polls) as fake:
        fake.outcome(args.outcome, times=1_000_000)
        for name, value in fake.env().items():
            print(f"export {name}={value}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
