"""The template sandbox: Jinja's immutable sandbox, bounded so a library template cannot exhaust
memory or time, whatever it computes.

Jinja's sandbox already keeps templates away from Python internals and caps ``range()`` at
100,000 items. What it leaves open is size: ``'x'|center(10**9)``, ``'%*s'|format(10**9, '')``,
``'{:>999999999}'.format(x)``, ``[0] * 10**9``, ``2 ** 10**10``, or a loop that builds a huge string.
The bounds, each checked *before* the operation where its result size is known in advance and on
every result after it:

- ``MAX_WIDTH``: any width or precision given to a padding or formatting operation (the
  ``center``/``indent``/``format`` filters, ``str.center``/``ljust``/``rjust``/``zfill``/
  ``expandtabs``, ``str.format``/``format_map`` specs, the ``%`` operator) and any count given to
  ``batch``/``slice``;
- ``MAX_OUTPUT`` characters: the result of every filter, call and ``*``/``%``/``+`` operation,
  each ``{{ ... }}`` output, and all output of a render together;
- ``MAX_LOOP_ITEMS``: the items of every ``range()`` a render makes, together (nested loops
  multiply), and ``MAX_POWER_BITS`` for ``**``.

A refusal is ``Refused``, which the renderer reports at the template line that caused it. The
budget is per render (a context variable, so concurrent renders do not share it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter, safe_range
from jinja2.utils import Namespace

MAX_OUTPUT = 1_000_000
"""Characters a render may produce (50 times the largest window, 20,000), and any value in it."""
MAX_WIDTH = 1_000
"""Largest width, precision or count a template may pass to a padding, format or batch operation."""
MAX_LOOP_ITEMS = 1_000_000
"""Items all the ``range()`` calls of one render may produce together."""
MAX_POWER_BITS = 10_000
"""Largest result of ``**``, in bits (about 3,000 digits)."""


class Refused(Exception):
    """A template operation over a bound; the renderer turns it into a located ``TemplateError``."""


@dataclass
class _Budget:
    output: int = 0
    loop_items: int = 0


_budget: ContextVar[_Budget] = ContextVar("composer_render_budget")


def new_budget() -> None:
    """Start the budget of one render."""
    _budget.set(_Budget())


def _spend_output(n: int) -> None:
    budget = _budget.get(None)
    if budget is None:
        return
    budget.output += n
    if budget.output > MAX_OUTPUT:
        raise Refused(f"template output exceeds {MAX_OUTPUT:,} characters")


def _check_result(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_OUTPUT:
        what = "text" if isinstance(value, str) else "list"
        raise Refused(f"template output exceeds {MAX_OUTPUT:,} characters (a {what} of {len(value):,})")
    return value


def _check_width(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
        raise Refused(f"{what} {value:,} is over the limit of {MAX_WIDTH:,}")


_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def _check_printf(template: str, args: Any) -> None:
    """Widths and precisions of a ``%`` format: literal ones, and ``*`` ones taken from ``args``."""
    stars = False
    for width, precision in _PRINTF.findall(template):
        for number in (width, precision):
            stars = stars or number == "*"
            if number.isdigit():
                _check_width(int(number), "format width")
    if stars:
        values = args if isinstance(args, tuple | list) else (args,)
        for value in values:
            _check_width(value, "format width")


def _checked_filter(name: str, check: Callable[..., None] | None, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps Jinja's pass_context/pass_environment markers
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if check is not None:
            check(*args, **kwargs)
        result = function(*args, **kwargs)
        if name in ("batch", "slice"):  # generators: materialise under the size bound
            result = list(result)
        return _check_result(result)

    return wrapper


def _first_width(what: str) -> Callable[..., None]:
    def check(value: Any = None, width: Any = 0, *args: Any, **kwargs: Any) -> None:
        _check_width(kwargs.get("width", width), what)

    return check


def _count(value: Any = None, count: Any = 0, *args: Any, **kwargs: Any) -> None:
    _check_width(kwargs.get("linecount", kwargs.get("slices", count)), "batch size")


def _format_filter(value: Any = "", *args: Any, **kwargs: Any) -> None:
    _check_printf(str(value), args or tuple(kwargs.values()))


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": _first_width("center width"),
    "indent": _first_width("indent width"),
    "wordwrap": _first_width("wrap width"),
    "truncate": _first_width("truncate length"),
    "format": _format_filter,
    "batch": _count,
    "slice": _count,
}
_STR_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class _BoundedFormatter(SandboxedFormatter):
    """``str.format`` in the sandbox, with every (resolved) field width and precision capped."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        for number in re.findall(r"\d+", format_spec):
            _check_width(int(number), "format width")
        return super().format_field(value, format_spec)


def _range(*args: int) -> range:
    items = safe_range(*args)  # Jinja's own cap on one range
    budget = _budget.get(None)
    if budget is not None:
        budget.loop_items += len(items)
        if budget.loop_items > MAX_LOOP_ITEMS:
            raise Refused(f"loops over more than {MAX_LOOP_ITEMS:,} items in one render")
    return items


def _finalize(value: Any) -> Any:
    """Every ``{{ ... }}`` output passes here: it counts toward the render's output budget."""
    if isinstance(value, str):
        _spend_output(len(value))
    return value


def _bounded_join(parts: Any) -> str:
    """Jinja's join of a macro's or call block's output, and of ``~``: built, then bounded."""
    return str(_check_result("".join(map(str, parts))))


class _Namespace(Namespace):
    """``namespace()``, whose attributes are bounded like any other value (a loop could double one)."""

    def __setitem__(self, name: str, value: Any) -> None:
        super().__setitem__(name, _check_result(value))


class _Template(jinja2.Template):
    @classmethod
    def _from_namespace(cls, environment: jinja2.Environment, namespace: Any, globals: Any) -> jinja2.Template:
        namespace["str_join"] = _bounded_join  # what the compiled code calls for `~`
        return super()._from_namespace(environment, namespace, globals)



_DICT_ATTRIBUTES = frozenset(dir(dict))


class Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with the bounds above, and a fast path for the plain-dict template data.

    ``brand.name`` on a dict that has the key ``name`` (and no attribute of that name) is exactly
    what Jinja returns after its attribute lookup fails; skipping that failed lookup saves a raised
    exception per access, which is most of the sandbox's cost on a long brief.
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    concat = staticmethod(_bounded_join)
    template_class = _Template

    requested: set[str]
    """Template names loaded since the last reset, includes and imports too (cached or not)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=_finalize, **options)
        self.globals["range"] = _range
        self.globals["namespace"] = _Namespace
        self.globals.pop("lipsum", None)  # lipsum(n) generates n paragraphs: nothing a brief needs
        self.filters = {name: _checked_filter(name, _FILTER_CHECKS.get(name), f) for name, f in self.filters.items()}
        self.requested = set()

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:
        self.requested.add(name)
        return super()._load_template(name, globals)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_OUTPUT:
                    raise Refused(f"template output exceeds {MAX_OUTPUT:,} characters ({len(seq):,} x {n:,})")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
            if right > 0 and left.bit_length() * right > MAX_POWER_BITS:
                raise Refused(f"{left} ** {right} is over the limit of {MAX_POWER_BITS:,} bits")
        elif operator == "%" and isinstance(left, str):
            _check_printf(left, right)
        return _check_result(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        width_method = getattr(__obj, "__name__", None) in _STR_WIDTH_METHODS
        if width_method and isinstance(getattr(__obj, "__self__", None), str):
            for value in (*args, *kwargs.values()):
                _check_width(value, f"{__obj.__name__} width")
        for value in (*args, *kwargs.values()):  # a macro calling itself with a doubled string
            _check_result(value)
        return _check_result(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if super().wrap_str_format(value) is None:
            return None
        text: str = value.__self__
        formatter = _BoundedFormatter(self)
        is_map = value.__name__ == "format_map"

        def bounded_format(*args: Any, **kwargs: Any) -> str:
            if is_map and (kwargs or len(args) != 1):
                raise TypeError("format_map() takes exactly one positional argument")
            fields: Mapping[str, Any] = args[0] if is_map else kwargs
            positional: Sequence[Any] = () if is_map else args
            return str(_check_result(formatter.vformat(text, positional, fields)))

        return functools.update_wrapper(bounded_format, value)
