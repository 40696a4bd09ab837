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
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from composer.errors import TemplateError

BEGIN, SEP, END = "\ue000", "\ue001", "\ue002"
_MARKER_CHARS = str.maketrans("", "", BEGIN + SEP + END)
_MARKER_RE = re.compile(f"{BEGIN}(\\d+){SEP}|{END}")
_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")

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


def _strip_markers(value: Any) -> Any:
    """Finalizer: interpolated values can never forge a fragment marker."""
    return value.translate(_MARKER_CHARS) if isinstance(value, str) else value


class _RecordingLoader(jinja2.FileSystemLoader):
    """A file loader that remembers every file it served, for the brief's source list."""

    def __init__(self, searchpath: list[Path]) -> None:
        super().__init__([str(p) for p in searchpath])
        self.used: dict[str, tuple[Path, str]] = {}

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        self.used[template] = (Path(filename), hashlib.sha256(Path(filename).read_bytes()).hexdigest())
        return source, filename, uptodate


class Renderer:
    """A sandboxed Jinja environment over a library's template folders."""

    def __init__(self, template_dirs: list[Path]) -> None:
        self._loader = _RecordingLoader(template_dirs)
        self.env = ImmutableSandboxedEnvironment(
            loader=self._loader,
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=_strip_markers,
        )

    def render(self, template_name: str, context: dict[str, Any]) -> Rendered:
        specs: list[Fragment] = []

        def block(
            fragment_id: str,
            title: str | None,
            optional: bool,
            priority: int,
            summary: str | None,
            caller: Callable[[], str],
        ) -> str:
            if any(spec.id == fragment_id for spec in specs):
                raise TemplateError(f"fragment id '{fragment_id}' is used twice; ids must be unique")
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

        try:
            template = self.env.get_template(template_name)
            text = template.render({**context, "section": section, "part": part})
        except TemplateError:
            raise
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(exc.message or "syntax error", path=exc.filename, line=exc.lineno) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(
                f"template '{exc.name}' not found in {', '.join(map(str, self._loader.searchpath))}"
            ) from None
        except SecurityError as exc:
            raise _located(exc, f"template may not reach Python internals ({exc})") from None
        except jinja2.UndefinedError as exc:
            raise _located(exc, f"undefined variable: {exc.message}") from None
        except (jinja2.TemplateError, TypeError, ValueError) as exc:
            raise _located(exc, f"template failed: {exc}") from None
        used = list(self._loader.used.values())
        self._loader.used.clear()
        return Rendered(parse(text, specs), used)


def _located(exc: BaseException, message: str) -> TemplateError:
    """Locate a render-time error at the template line Jinja mapped into the traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if frames:
        return TemplateError(message, path=frames[-1].filename, line=frames[-1].lineno)
    return TemplateError(message)


def parse(text: str, specs: list[Fragment]) -> Fragment:
    """Rebuild the fragment tree from marked text."""
    root = Fragment("brief")
    stack = [root]
    pos = 0
    for match in _MARKER_RE.finditer(text):
        if match.start() > pos:
            stack[-1].children.append(text[pos : match.start()])
        pos = match.end()
        if match.group(1) is not None:
            fragment = specs[int(match.group(1))]
            stack[-1].children.append(fragment)
            stack.append(fragment)
        else:
            stack.pop()
    if pos < len(text):
        root.children.append(text[pos:])
    return root


def serialize(root: Fragment, cuts: dict[str, Cut] | None = None, headings: HeadingStyle = "text") -> str:
    """The brief as text under ``cuts`` (fragment id -> summary or drop), whitespace normalised."""
    raw = _write(root, cuts or {}, headings)
    raw = _TRAILING_SPACE.sub("\n", raw)
    return _BLANK_RUNS.sub("\n\n", raw).strip()


def _write(fragment: Fragment, cuts: dict[str, Cut], headings: HeadingStyle) -> str:
    cut = cuts.get(fragment.id)
    if cut == "drop":
        return ""
    if cut == "summary" and fragment.summary is not None:
        body = fragment.summary.strip() + "\n"
    else:
        body = "".join(c if isinstance(c, str) else _write(c, cuts, headings) for c in fragment.children)
    if fragment.title is None:
        return body
    if not body.strip():
        return ""  # a section whose every part was dropped loses its heading too
    heading = f"## {fragment.title}" if headings == "markdown" else f"{fragment.title.upper()}:"
    return f"\n{heading}\n{body.strip(chr(10))}\n\n"
