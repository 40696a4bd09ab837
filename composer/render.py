"""Rendering templates into a fragment tree the length guard can cut without re-rendering.

Templates are plain text rendered in a sandbox (no Python internals), with undefined names as
errors and no autoescaping. They mark their structure with two call blocks::

    {% call section("scene", "Scene") %} ... {% endcall %}
    {% call part("scene.props", optional=True, priority=20) %} ... {% endcall %}

``section`` adds a heading (``SCENE:`` in the prompt, ``## Scene`` in Markdown); ``part`` does not.
Both take ``optional`` (the guard may drop it), ``priority`` (lower goes first) and ``summary``
(a short form the guard may substitute before dropping anything). Unmarked text is required.

One render produces text with invisible markers around each block; ``parse`` turns it into a tree
of ``Fragment``s, and ``serialize`` writes the tree out under any set of cuts, which is how the
guard measures and applies cuts without calling Jinja again.
"""

from __future__ import annotations

import hashlib
import os
import re
import traceback
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path

from composer.cache import cache_dir
from composer.errors import TemplateError
from composer.paths import read_bytes
from composer.sandbox import MAX_OUTPUT, Refused, Sandbox, new_budget
from composer.yamlio import MAX_YAML_BYTES

MAX_TEMPLATE_BYTES = MAX_YAML_BYTES
"""Largest template file read (2 MB; the bundled brief template is about 5 KB)."""

BEGIN, SEP, END = "\ue000", "\ue001", "\ue002"
_MARKER_CHARS = str.maketrans("", "", BEGIN + SEP + END)
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n\n\n+")

Cut = Literal["summary", "drop"]
HeadingStyle = Literal["text", "markdown"]


@dataclass
class Fragment:
    """A marked block of a rendered brief."""

    id: str
    title: str | None = None
    optional: bool = False
    priority: int = 50
    summary: str | None = None
    children: list[str | Fragment] = field(default_factory=list)

    def walk(self) -> Iterator[Fragment]:
        yield self
        for child in self.children:
            if isinstance(child, Fragment):
                yield from child.walk()


@dataclass(frozen=True)
class Rendered:
    """A rendered brief: its fragment tree and the template files it read."""

    root: Fragment
    templates: list[tuple[Path, str]]
    """Each template file used, with its SHA-256."""


def plain_text(value: Any) -> Any:
    """Template data with the private marker characters removed, so no asset can forge a fragment."""
    if isinstance(value, str):
        return value.translate(_MARKER_CHARS)
    if isinstance(value, dict):
        return {plain_text(k): plain_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_text(v) for v in value]
    return value


class _LibraryLoader(jinja2.BaseLoader):
    """Templates from a library's folders, each read through ``composer.paths`` inside its library
    (the folder's parent): a template, an include or an import that is a symlink out of the library
    is refused, as are non-UTF-8 text, the brief's private marker characters, and files over the cap.
    Remembers the file and SHA-256 behind each template name it served."""

    def __init__(self, searchpath: list[Path]) -> None:
        self.searchpath = searchpath
        self.files: dict[str, tuple[Path, str]] = {}

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses '..' and absolute names
        for folder in self.searchpath:
            path = folder.joinpath(*pieces)
            if os.path.lexists(path):  # a broken link or a FIFO here is an error, not a fallback
                break
        else:
            raise jinja2.TemplateNotFound(template)
        data = read_bytes(path, root=folder.parent, limit=MAX_TEMPLATE_BYTES, error=TemplateError)
        source = _template_text(data, path)
        self.files[template] = (path, hashlib.sha256(data).hexdigest())
        mtime = os.stat(path).st_mtime_ns
        return source, str(path), lambda: _mtime(path) == mtime


def _mtime(path: Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _template_text(data: bytes, path: Path) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the "
                            "file as UTF-8", path=path, line=data[: exc.start].count(b"\n") + 1) from None
    marker = next((c for c in (BEGIN, SEP, END) if c in text), None)
    if marker is not None:
        at = text.index(marker)
        raise TemplateError(f"template text contains a stray fragment marker (U+{ord(marker):04X}, a character "
                            "composer reserves to mark fragments); remove it", path=path,
                            line=text[:at].count("\n") + 1)
    return text


_ENV_VERSION = 2
"""Bump when the environment's options change: compiled templates are cached per version."""


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates on disk (keyed by source checksum), saving the compile on every cold start."""
    folder = cache_dir()
    if folder is None:
        return None
    folder = folder / f"jinja-{jinja2.__version__}-{_ENV_VERSION}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


class Renderer:
    """A sandboxed Jinja environment over a library's template folders."""

    def __init__(self, template_dirs: list[Path]) -> None:
        self._loader = _LibraryLoader(template_dirs)
        self.env = Sandbox(
            loader=self._loader,
            bytecode_cache=_bytecode_cache(),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(self, template_name: str, context: dict[str, Any]) -> Rendered:
        specs: list[Fragment] = []
        seen: set[str] = set()

        def block(
            fragment_id: str,
            title: str | None,
            optional: bool,
            priority: int,
            summary: str | None,
            caller: Callable[[], str],
        ) -> str:
            if fragment_id in seen:
                raise TemplateError(f"fragment id '{fragment_id}' is used twice; ids must be unique")
            seen.add(fragment_id)
            specs.append(Fragment(str(fragment_id), title, bool(optional), int(priority), summary))
            return f"{BEGIN}{len(specs) - 1}{SEP}{caller()}{END}"

        def section(
            fragment_id: str,
            title: str,
            *,
            optional: bool = False,
            priority: int = 50,
            summary: str | None = None,
            caller: Callable[[], str],
        ) -> str:
            return block(fragment_id, title, optional, priority, summary, caller)

        def part(
            fragment_id: str,
            *,
            optional: bool = False,
            priority: int = 50,
            summary: str | None = None,
            caller: Callable[[], str],
        ) -> str:
            return block(fragment_id, None, optional, priority, summary, caller)

        self.env.requested = set()
        new_budget()
        try:
            template = self.env.get_template(template_name)
            text = _render_bounded(template, {**context, "section": section, "part": part})
            return Rendered(parse(text, specs), [self._loader.files[name] for name in sorted(self.env.requested)])
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(exc.message or "syntax error", path=exc.filename, line=exc.lineno) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(
                f"template '{exc.name}' not found in {', '.join(map(str, self._loader.searchpath))}",
                path=self._top(template_name),
            ) from None
        except Exception as exc:
            raise self._error(exc, template_name) from None

    def _top(self, template_name: str) -> Path | None:
        return self._loader.files[template_name][0] if template_name in self._loader.files else None

    def _error(self, exc: Exception, template_name: str) -> Exception:
        """The located ``TemplateError`` for an error raised while rendering, naming the template."""
        top = self._top(template_name)
        if isinstance(exc, TemplateError):
            return _located(exc, exc.reason, top) if exc.path is None else exc
        reason = _REASONS.get(type(exc))
        if reason is not None:  # checked before their base classes (RecursionError is a RuntimeError)
            if isinstance(exc, RecursionError) and _while_compiling(exc):
                reason = _REASONS[SyntaxError]
            return _located(exc, reason, top)
        if isinstance(exc, SecurityError):
            return _located(exc, f"template may not reach Python internals ({exc})", top)
        if isinstance(exc, jinja2.UndefinedError):
            return _located(exc, f"undefined variable: {exc.message}", top)
        if isinstance(exc, Refused):
            return _located(exc, str(exc), top)
        if isinstance(exc, jinja2.TemplateError | TypeError | ValueError | OverflowError | ArithmeticError):
            return _located(exc, f"template failed: {exc}", top)
        return exc  # composer's own bug: the internal-error path


_REASONS: dict[type[BaseException], str] = {
    RecursionError: "template recursion too deep (a macro or include that calls itself?)",
    IndentationError: "template is nested too deeply to compile (blocks inside blocks, over 100 levels)",
    SyntaxError: "template is nested too deeply to compile (parentheses or blocks inside each other)",
    MemoryError: "template needs too much memory to compile or render (nested too deeply?)",
}


def _while_compiling(exc: BaseException) -> bool:
    """Whether ``exc`` was raised by Jinja's lexer, parser or compiler rather than by template code."""
    return any(f.filename.endswith(_COMPILER_FILES) for f in traceback.extract_tb(exc.__traceback__))


_COMPILER_FILES = tuple(f"jinja2{os.sep}{name}.py" for name in ("lexer", "parser", "compiler", "optimizer"))


def _render_bounded(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render, refusing as soon as the output passes ``MAX_OUTPUT`` (at the line producing it)."""
    parts: list[str] = []
    size = 0
    stream = template.generate(context)
    assert isinstance(stream, Generator)
    for part in stream:
        size += len(part)
        if size > MAX_OUTPUT:
            stream.throw(Refused(f"template output exceeds {MAX_OUTPUT:,} characters"))
        parts.append(part)
    return "".join(parts)


def _located(exc: BaseException, message: str, fallback: Path | None = None) -> TemplateError:
    """Locate a render-time error at the template line Jinja mapped into the traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if frames:
        return TemplateError(message, path=frames[-1].filename, line=frames[-1].lineno)
    return TemplateError(message, path=fallback)


def parse(text: str, specs: list[Fragment]) -> Fragment:
    """Rebuild the fragment tree from marked text.

    Markers are found with ``str.find`` (a C scan) rather than a regular expression: briefs are long
    and markers few (bench/RESULTS.md, "Compose throughput").
    """
    root = Fragment("brief")
    stack = [root]
    pos = 0
    begin, end = text.find(BEGIN), text.find(END)
    while begin != -1 or end != -1:
        at = end if begin == -1 or (end != -1 and end < begin) else begin
        if at > pos:
            stack[-1].children.append(text[pos:at])
        if at == begin:
            sep = text.find(SEP, at)
            index = text[at + 1 : sep]
            if sep == -1 or not index.isdigit() or int(index) >= len(specs):
                raise TemplateError("template text contains a stray fragment marker (U+E000)")
            fragment = specs[int(index)]
            stack[-1].children.append(fragment)
            stack.append(fragment)
            pos = sep + 1
            begin = text.find(BEGIN, pos)
        else:
            if len(stack) == 1:
                raise TemplateError("template text contains a stray fragment marker (U+E002)")
            stack.pop()
            pos = at + 1
            end = text.find(END, pos)
    if pos < len(text):
        root.children.append(text[pos:])
    if len(stack) > 1:
        raise TemplateError(f"fragment '{stack[-1].id}' was never closed (stray marker in template text)")
    return root


def serialize(root: Fragment, cuts: dict[str, Cut] | None = None, headings: HeadingStyle = "text") -> str:
    """The brief as text under ``cuts`` (fragment id -> summary or drop), whitespace normalised."""
    raw = _write(root, cuts or {}, headings)
    if " \n" in raw or "\t\n" in raw:  # plain substring checks first: a regex scan costs more
        raw = _TRAILING_SPACE.sub("\n", raw)
    if "\n\n\n" in raw:  # one pass (repeated str.replace until none is left took twice as long)
        raw = _BLANK_LINES.sub("\n\n", raw)
    return raw.strip()


def _write(fragment: Fragment, cuts: dict[str, Cut], headings: HeadingStyle) -> str:
    cut = cuts.get(fragment.id)
    if cut == "drop":
        return ""
    if cut == "summary" and fragment.summary is not None:
        body = fragment.summary.strip() + "\n"
    else:
        body = "".join([c if isinstance(c, str) else _write(c, cuts, headings) for c in fragment.children])
    if fragment.title is None:
        return body
    if not body.strip():
        return ""  # a section whose every part was dropped loses its heading too
    heading = f"## {fragment.title}" if headings == "markdown" else f"{fragment.title.upper()}:"
    return f"\n{heading}\n{body.strip(chr(10))}\n\n"
