"""What KIE's replies mean: which status (or body ``code``) is which error, and the shapes of the bodies.

A call has failed when the HTTP status is not 2xx *or* the body's ``code`` is not 200 (KIE does
both): ``reply_data`` reads a reply that way. ``ERRORS`` is the table from code to error, as KIE's docs list them
(``/work/shared/contracts/kie-jobs-api.md``); a code not in it is a server error from 500 up, and
a plain ``GenerationError`` below.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from composer.backends.errors import (
    AuthError,
    FeatureDisabledError,
    GenerationError,
    InsufficientCreditsError,
    NotFoundError,
    ProviderResponseError,
    QuotaExceededError,
    RateLimitedError,
    RequestRejectedError,
    ServiceUnavailableError,
    TaskFailedError,
    TransientError,
)


class Rule(NamedTuple):
    """How one code is reported: the error class and its message (``{what}``, ``{code}`` and
    ``{detail}``, the provider's message as ``": msg"``, are filled in)."""

    error: type[GenerationError]
    message: str


ERRORS: dict[int, Rule] = {
    401: Rule(AuthError, "KIE rejected the API key (401 unauthorized): check KIE_API_KEY"),
    402: Rule(InsufficientCreditsError, "KIE: insufficient credits (402): top up at https://kie.ai/billing "
                                        "(`compose credits` shows the balance)"),
    404: Rule(NotFoundError, "{what}: not found (404){detail}"),
    422: Rule(RequestRejectedError, "KIE rejected the request (422 validation error){detail}"),
    429: Rule(RateLimitedError, "{what}: rate limited by KIE (429)"),
    433: Rule(QuotaExceededError, "KIE: the API key's usage limit is exceeded (433): raise it in the KIE "
                                  "dashboard or use another key"),
    455: Rule(ServiceUnavailableError, "{what}: KIE is under maintenance (455)"),
    501: Rule(TaskFailedError, "KIE: generation failed (501){detail}"),
    505: Rule(FeatureDisabledError, "KIE: this feature is disabled for the account (505){detail}"),
}
SERVER_ERROR = Rule(ServiceUnavailableError, "{what}: KIE server error ({code}){detail}")
OTHER = Rule(GenerationError, "{what}: KIE answered {code}{detail}")


def reply_data(status: int, reason: str | None, raw: bytes, *, what: str, host: str, retry_after: float | None,
               clean: Callable[[object], str]) -> Any:
    """The ``data`` of one reply, or the error it means: the HTTP status when it is not 2xx, else the
    body's ``code`` (and ``success: false``). ``clean`` makes the provider's text safe for a message."""
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    success = 200 <= status < 300
    if not isinstance(body, dict):
        if success:
            raise ProviderResponseError(f"{what}: {host} did not answer with a JSON object "
                                        f"(HTTP {status}); is the base URL right?")
        body = {"msg": reason}
    code = status if not success else body_code(body.get("code"), 200)
    if code == 200 and body.get("success", True) is not False:
        return body.get("data")
    raise kie_error(code, clean(body.get("msg") or body.get("message") or ""), what, retry_after)


def kie_error(code: int, msg: str, what: str, retry_after: float | None) -> GenerationError:
    """The error for a failed call: ``code`` is the HTTP status, or the body's code on a 2xx."""
    rule = ERRORS.get(code) or (SERVER_ERROR if code >= 500 else OTHER)
    text = rule.message.format(what=what, code=code, detail=f": {msg}" if msg else "")
    if rule.error is TaskFailedError:
        return TaskFailedError(text, task_id=None, fail_code=str(code), fail_msg=msg or None)
    if issubclass(rule.error, TransientError):
        return rule.error(text, status=code, retry_after=retry_after)
    return rule.error(text, status=code)


def body_code(value: object, default: int) -> int:
    """A body ``code`` as an int (KIE sends numbers; tolerate numeric strings)."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return default


def result_urls(info: dict[str, Any], task_id: str) -> list[str]:
    """The result URLs of a successful task: ``resultJson`` is a JSON *string* holding ``resultUrls``."""
    raw = info.get("resultJson")
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise ProviderResponseError(f"task {task_id}: resultJson is not valid JSON") from None
    urls = parsed.get("resultUrls") if isinstance(parsed, dict) else None
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) and u for u in urls):
        raise ProviderResponseError(f"task {task_id} succeeded but resultJson lists no resultUrls")
    return urls


def shape(value: object) -> str:
    """What a reply field holds, for a message (never its content: it may be long or echo a secret)."""
    return "nothing" if value is None else f"a {type(value).__name__}"
