"""Reading a posted form: every POST passes the CSRF check here, with bounded sizes.

Each field is read as text (a file upload where text was expected is refused), and the form as a
whole is bounded (fields, bytes), so a hostile request cannot make the app hold much in memory.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request

from composer.web.security import CSRF_FIELD, Refused, check_csrf
from composer.web.state import state_of

MAX_FIELDS = 200
MAX_FIELD_BYTES = 64 * 1024


async def posted_form(request: Request) -> FormData:
    """The request's form, after the CSRF check; ``Refused`` (403) when the check fails."""
    form = await request.form(max_files=0, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
    check_csrf(state_of(request).access, request, form.get(CSRF_FIELD))
    return form


def text_field(form: FormData, name: str) -> str:
    """The field's text ('' when absent); ``Refused`` (400) for an upload or an oversized value."""
    value = form.get(name, "")
    if not isinstance(value, str):
        raise Refused(f"{name}: expected text", 400)
    if len(value) > MAX_FIELD_BYTES:
        raise Refused(f"{name}: too long", 400)
    return value
