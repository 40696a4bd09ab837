"""A fake OpenAI Images API that validates every request against OpenAI's own OpenAPI schemas.

``POST /v1/images/generations`` (JSON) is validated against ``CreateImageRequest`` and
``POST /v1/images/edits`` (multipart) against ``CreateImageEditRequest``, both from
``contracts/openai-images.openapi.json`` (openai/openai-openapi, unchanged), with ``jsonschema``.
The fake is stricter in one way the real API also is: an unknown field is refused. Multipart
fields are strings on the wire; they are converted to the schema's types before validation, and
every uploaded image must really be a PNG, JPEG or WebP. Replies are checked against
``ImagesResponse`` too, so the fake cannot drift from the contract either.

OpenAI's image-generation guide adds rules per model that the schema does not carry, and the fake
enforces them as the API does (``GUIDE_RULES``): gpt-image-2 refuses ``input_fidelity`` (it cannot
be changed), transparent backgrounds, and sizes under 655,360 pixels in total.

Knobs: ``script(endpoint, Reply(...))`` for the next calls to ``generations`` or ``edits`` (any
status and error code, ``Retry-After``, a delay, a dropped connection); ``usage=False`` to omit
usage.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import json
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import jsonschema
from PIL import Image

from composer.settings import Settings
from fakes.kie import Server

API_KEY = "sk-test-openai-0123456789abcdef"
SPEC_PATH = Path(__file__).resolve().parent / "contracts" / "openai-images.openapi.json"
PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
GUIDE_RULES = {model: {"input_fidelity": False, "transparent": False, "min_pixels": 655_360}
               for model in ("gpt-image-2", "gpt-image-2-2026-04-21")}
"""What OpenAI's image-generation guide (checked 2026-12-02) says each model refuses."""


@dataclass
class Reply:
    """A scripted error reply in OpenAI's ``ErrorResponse`` shape."""

    status: int = 500
    code: str | None = None
    message: str = "scripted failure"
    type: str = "server_error"
    retry_after: float | None = None
    delay: float = 0.0
    drop: bool = False
    body: bytes | None = None
    """Answer ``status`` with these bytes instead (e.g. an HTML page), as ``content_type``."""
    content_type: str = "text/html"
    json_body: Any = None
    """Answer ``status`` with this JSON instead (e.g. a 200 whose fields have the wrong types)."""


def _validator(spec: dict[str, Any], name: str) -> jsonschema.protocols.Validator:
    root = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    return jsonschema.Draft202012Validator(root)


class FakeOpenAI:
    """The fake Images API. Use as a context manager; ``env()`` points the SDK at it."""

    def __init__(self, *, api_key: str = API_KEY, usage: bool = True, encode_as: str | None = None) -> None:
        self.api_key = api_key
        self.usage = usage
        self.encode_as = encode_as
        """Encode images in this format whatever ``output_format`` asked (and the reply claims)."""
        spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
        self.schemas = spec["components"]["schemas"]
        self.validators = {name: _validator(spec, name) for name in
                           ("CreateImageRequest", "CreateImageEditRequest", "ImagesResponse")}
        self.lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.requests: list[dict[str, Any]] = []
        """Validated request bodies (multipart files as ``{"filename", "content_type", "size"}``)."""
        self.rejections: list[str] = []
        """Why requests were refused (schema errors), for assertions."""
        self.served: list[bytes] = []
        self._scripts: dict[str, deque[Reply]] = {}
        self._server: Server | None = None
        self.base_url = ""
        self._counter = 0

    def start(self) -> FakeOpenAI:
        self._server = Server(("127.0.0.1", 0), _handler(self))
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self, **extra: str) -> dict[str, str]:
        return {"OPENAI_API_KEY": self.api_key, "OPENAI_BASE_URL": self.base_url, **extra}

    def settings(self, **extra: str) -> Settings:
        """The settings ``env()`` makes (what a test passes instead of patching the environment)."""
        return Settings.from_env(self.env(**extra))

    def script(self, endpoint: str, *replies: Reply) -> None:
        with self.lock:
            self._scripts.setdefault(endpoint, deque()).extend(replies)

    # -- handling -------------------------------------------------------------------------------
    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        endpoint = {"/v1/images/generations": "generations", "/v1/images/edits": "edits"}.get(handler.path)
        if handler.command != "POST" or endpoint is None:
            return _error(handler, 404, "not_found", f"Unknown path {handler.path}", "invalid_request_error")
        with self.lock:
            self.calls[endpoint] += 1
            queue = self._scripts.get(endpoint)
            scripted = queue.popleft() if queue else None
        if handler.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(handler, 401, "invalid_api_key", "Incorrect API key provided.", "invalid_request_error")
        if scripted is not None:
            return _scripted(handler, scripted)
        try:
            instance = self._parse(endpoint, handler.headers.get("Content-Type", ""), body)
        except ValueError as exc:
            with self.lock:
                self.rejections.append(str(exc))
            return _error(handler, 400, None, str(exc), "invalid_request_error")
        _json(handler, 200, self._respond(instance))

    def _parse(self, endpoint: str, content_type: str, body: bytes) -> dict[str, Any]:
        if endpoint == "generations":
            if not content_type.startswith("application/json"):
                raise ValueError(f"images/generations expects JSON, got {content_type}")
            instance = json.loads(body)
            schema = "CreateImageRequest"
        else:
            if not content_type.startswith("multipart/form-data"):
                raise ValueError(f"images/edits (multipart) expects multipart/form-data, got {content_type}")
            instance = self._multipart(content_type, body)
            schema = "CreateImageEditRequest"
        known = set(self.schemas[schema]["properties"])
        unknown = sorted(set(instance) - known)
        if unknown:
            raise ValueError(f"Unknown parameter: '{unknown[0]}'.")
        errors = sorted(self.validators[schema].iter_errors(_for_schema(instance)), key=str)
        if errors:
            where = ".".join(str(p) for p in errors[0].absolute_path) or "body"
            raise ValueError(f"Invalid value for '{where}': {errors[0].message}")
        _check_guide_rules(instance)
        with self.lock:
            self.requests.append({"endpoint": endpoint, **instance})
        return instance

    def _multipart(self, content_type: str, body: bytes) -> dict[str, Any]:
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        instance: dict[str, Any] = {}
        properties = self.schemas["CreateImageEditRequest"]["properties"]
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            data = part.get_payload(decode=True)
            if part.get_filename() is not None:
                if not (data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8\xff") or data[8:12] == b"WEBP"):
                    raise ValueError(f"Invalid image file for '{name}': not a PNG, JPEG or WebP image")
                value: Any = {"filename": part.get_filename(), "content_type": part.get_content_type(),
                              "size": len(data)}
            else:
                value = _typed(data.decode(), properties.get(name.removesuffix("[]"), {}))
            if name.endswith("[]"):  # the SDK sends arrays as repeated `name[]` fields
                instance.setdefault(name[:-2], []).append(value)
            else:
                instance[name] = value
        return instance

    def _respond(self, instance: dict[str, Any]) -> dict[str, Any]:
        fmt = instance.get("output_format") or "png"
        images = []
        for _ in range(int(instance.get("n") or 1)):
            with self.lock:
                self._counter += 1
                seed = self._counter
            buffer = io.BytesIO()
            colour = ((seed * 53) % 256, (seed * 97) % 256, 40)
            Image.new("RGB", (16, 16), colour).save(buffer, PIL_FORMATS[self.encode_as or fmt])
            with self.lock:
                self.served.append(buffer.getvalue())
            images.append({"b64_json": base64.b64encode(buffer.getvalue()).decode()})
        reply: dict[str, Any] = {"created": int(time.time()), "data": images, "output_format": fmt,
                                 "background": "opaque"}
        if instance.get("size") in ("1024x1024", "1024x1536", "1536x1024"):
            reply["size"] = instance["size"]
        if instance.get("quality") in ("low", "medium", "high"):
            reply["quality"] = instance["quality"]
        if self.usage:
            image_in = 765 * len(instance.get("image", [])) if isinstance(instance.get("image"), list) else 0
            text_in = max(1, len(str(instance.get("prompt", ""))) // 4)
            reply["usage"] = {"input_tokens": text_in + image_in, "output_tokens": 4160,
                              "total_tokens": text_in + image_in + 4160,
                              "input_tokens_details": {"text_tokens": text_in, "image_tokens": image_in},
                              "output_tokens_details": {"image_tokens": 4160, "text_tokens": 0}}
        errors = list(self.validators["ImagesResponse"].iter_errors(reply))
        assert not errors, f"the fake's own reply breaks ImagesResponse: {errors[0].message}"
        return reply


def _check_guide_rules(instance: dict[str, Any]) -> None:
    """The guide's per-model rules, which the schema does not carry."""
    model = str(instance.get("model") or "")
    rules = GUIDE_RULES.get(model)
    if rules is None:
        return
    if "input_fidelity" in instance and not rules["input_fidelity"]:
        raise ValueError(f"Invalid value for 'input_fidelity': {model} does not support changing input fidelity.")
    if instance.get("background") == "transparent" and not rules["transparent"]:
        raise ValueError(f"Invalid value for 'background': {model} does not support transparent backgrounds.")
    match = re.fullmatch(r"(\d+)x(\d+)", str(instance.get("size") or ""))
    if match and int(match[1]) * int(match[2]) < rules["min_pixels"]:
        raise ValueError(f"Invalid value for 'size': {model} needs at least {rules['min_pixels']} pixels in total.")


def _typed(text: str, schema: dict[str, Any]) -> Any:
    """A multipart string as the type its schema wants (multipart carries only strings)."""
    types = {s.get("type") for s in schema.get("anyOf", [schema])}
    if "integer" in types and text.lstrip("-").isdigit():
        return int(text)
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    return text


def _for_schema(instance: dict[str, Any]) -> dict[str, Any]:
    """Files become the "binary" strings the schema describes them as."""
    def one(value: Any) -> Any:
        return "<binary>" if isinstance(value, dict) and "filename" in value else value
    return {k: [one(v) for v in value] if isinstance(value, list) else one(value) for k, value in instance.items()}


def _json(handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


def _error(handler: BaseHTTPRequestHandler, status: int, code: str | None, message: str, kind: str,
           headers: dict[str, str] | None = None) -> None:
    _json(handler, status, {"error": {"message": message, "type": kind, "param": None, "code": code}}, headers)


def _scripted(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    if reply.delay:
        time.sleep(reply.delay)
    if reply.drop:
        handler.close_connection = True
        handler.connection.shutdown(2)
        return
    headers = {"Retry-After": f"{reply.retry_after:g}"} if reply.retry_after is not None else {}
    if reply.body is not None:
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        handler.wfile.write(reply.body)
        return
    if reply.json_body is not None:
        return _json(handler, reply.status, reply.json_body, headers)
    _error(handler, reply.status, reply.code, reply.message, reply.type, headers)


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in one segment: with Nagle on and the client's delayed ACK, a
        # response written in two pieces waits ~40 ms, which throttles a campaign to a crawl.
        disable_nagle_algorithm = True
        wbufsize = -1

        def do_POST(self) -> None:
            fake.handle(self)

        def do_GET(self) -> None:
            fake.handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
