"""Exported prompt files for designers: ``<slug>.txt``, ``<slug>.md`` and ``<slug>.json``.

The ``.txt`` is the prompt exactly as it will be sent; the ``.json`` is the machine-readable brief
(the object ``compose shot --format json`` prints, and what ``compose generate`` reads back);
the ``.md`` is for review, with a header table. An export can be handed on as a folder: the
reference frames are copied into its ``frames/`` and the files name them by relative path (with
their SHA-256), where stdout's JSON names them by absolute path. Each file is written whole or not
at all (``composer.files``); without an fsync, since running the command again makes them again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.compose import Brief
from composer.errors import ExportError, LibraryError, ReferenceFrameError
from composer.files import cannot_write, write_bytes
from composer.frames import MAX_FRAME_BYTES
from composer.paths import read_bytes

FRAMES_DIR = "frames"
"""Where an export keeps its copies of the reference frames."""

JSON_FIELDS = (
    "prompt",
    "chars",
    "tokens",
    "tokens_exact",
    "limit",
    "target",
    "mode",
    "options",
    "reference_frames",
    "dropped",
    "warnings",
    "sources",
)


@dataclass(frozen=True)
class Handoff:
    """What an exported brief says besides the brief: its generation options, and where its
    reference frames were copied (frame -> path relative to the brief file)."""

    options: dict[str, Any] = field(default_factory=dict)
    frames: dict[Path, str] = field(default_factory=dict)

    def frame(self, path: Path | str) -> str:
        return self.frames.get(Path(path), str(path))


NO_HANDOFF = Handoff()


def brief_json(brief: Brief, handoff: Handoff = NO_HANDOFF) -> dict[str, Any]:
    """The brief as the documented JSON object, with exactly ``JSON_FIELDS``."""
    sources = brief.sources
    if handoff.frames:
        sources = [{**s, "path": handoff.frame(s["path"])} if s["kind"] == "reference_frame" else s for s in sources]
    return {
        "prompt": brief.prompt,
        "chars": brief.chars,
        "tokens": brief.tokens.tokens,
        "tokens_exact": brief.tokens.exact,
        "limit": brief.limit,
        "target": brief.target_name,
        "mode": brief.mode,
        "options": handoff.options,
        "reference_frames": [handoff.frame(p) for p in brief.reference_frames],
        "dropped": brief.dropped,
        "warnings": brief.warnings,
        "sources": sources,
    }


def read_brief_json(path: Path) -> dict[str, Any]:
    """An exported ``<slug>.json`` read back: its object, or a ``LibraryError`` naming the file (and
    the line of a JSON syntax error). What a reader needs of it, it checks itself."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LibraryError(f"cannot read brief ({exc})", path=path) from None
    except json.JSONDecodeError as exc:
        raise LibraryError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    if not isinstance(data, dict):
        raise LibraryError("expected a JSON object (an exported brief)", path=path)
    return data


def options_text(options: dict[str, Any]) -> str:
    """``aspect_ratio 21:9, resolution 2K``: generation options for people."""
    return ", ".join(f"{name} {value}" for name, value in options.items())


def brief_markdown(brief: Brief, handoff: Handoff = NO_HANDOFF) -> str:
    """The brief for review: a header table, then the sections under Markdown headings."""

    def cell(value: str) -> str:
        return value.replace("|", "\\|").replace("\n", " ")

    frames = "<br>".join(_frame_link(p, handoff) for p in brief.reference_frames) or "none"
    sources = "<br>".join(f"{s['kind']} `{s['id']}` ({s['sha256'][:12]})" for s in brief.sources)
    rows = [
        ("Target", f"{brief.target_name} ({brief.target.model})"),
        ("Characters", f"{brief.chars:,} / {brief.limit:,}"),
        ("Tokens", str(brief.tokens)),
        ("Mode", brief.mode),
        *([("Generation options", options_text(handoff.options))] if handoff.options else []),
        ("Reference frames", frames),
        ("Dropped or shortened", "; ".join(brief.dropped) or "nothing"),
        ("Warnings", "; ".join(brief.warnings) or "none"),
        ("Sources", sources),
    ]
    table = "\n".join(f"| {name} | {cell(value)} |" for name, value in rows)
    return f"# Brief: {brief.slug}\n\n| | |\n|---|---|\n{table}\n\n{brief.markdown_body()}\n"


def _frame_link(path: Path, handoff: Handoff) -> str:
    """A copied frame as a link the recipient can open; any other as its path on this machine."""
    if path in handoff.frames:
        return f"[{Path(handoff.frames[path]).name}]({handoff.frames[path]})"
    return f"`{path}`"


def brief_json_text(brief: Brief, handoff: Handoff = NO_HANDOFF) -> str:
    """``brief_json`` as text, indented by two spaces, non-ASCII kept as it is.

    The same bytes as ``json.dumps(..., indent=2, ensure_ascii=False)`` (tested), from orjson:
    the standard library's indenting encoder is pure Python and took three times as long, which a
    10,000-shot campaign export pays on every brief. Imported here, not at the top: ``compose
    shot`` prints text by default and never needs it.
    """
    import orjson

    return orjson.dumps(brief_json(brief, handoff), option=orjson.OPT_INDENT_2).decode()


def render_output(brief: Brief, fmt: str) -> str:
    """The brief in one of the CLI's output formats: text, md or json."""
    if fmt == "json":
        return brief_json_text(brief)
    if fmt == "md":
        return brief_markdown(brief)
    return brief.prompt


def prompt_files(brief: Brief, out_dir: Path, handoff: Handoff = NO_HANDOFF) -> dict[Path, str]:
    """``<slug>.txt``, ``.md`` and ``.json`` in ``out_dir``, with their text."""
    slug = brief.slug
    return {
        out_dir / f"{slug}.txt": brief.prompt,
        out_dir / f"{slug}.md": brief_markdown(brief, handoff),
        out_dir / f"{slug}.json": brief_json_text(brief, handoff) + "\n",
    }


def frame_copy_name(frame: Path, sha256: str) -> str:
    """``red-curls-1a2b3c4d.png``: the frame's name with its digest, so two frames never share a copy."""
    return f"{frame.stem}-{sha256[:8]}{frame.suffix.lower()}"


def copy_frames(brief: Brief, frames_dir: Path, *, relative_to: Path) -> dict[Path, str]:
    """Copy the brief's reference frames into ``frames_dir`` (a copy already there is kept: its name
    holds its digest); return frame -> its copy's path relative to ``relative_to``."""
    digests = {s["path"]: s["sha256"] for s in brief.sources if s["kind"] == "reference_frame"}
    copies: dict[Path, str] = {}
    for frame in brief.reference_frames:
        copy = frames_dir / frame_copy_name(frame, digests[str(frame)])
        if not copy.is_file():
            make_folder(frames_dir)
            data = read_bytes(frame, root=None, limit=MAX_FRAME_BYTES, error=ReferenceFrameError)
            write_files({copy: data})
        copies[frame] = Path(os.path.relpath(copy, relative_to)).as_posix()
    return copies


def write_files(files: dict[Path, str] | dict[Path, bytes], *, durable: bool = False) -> None:
    """Write each file (text as UTF-8) whole or not at all (``composer.files``); a failure is one ``ExportError``."""
    for path, content in files.items():
        try:
            write_bytes(path, content.encode("utf-8") if isinstance(content, str) else content, durable=durable)
        except OSError as exc:
            raise ExportError(cannot_write(path, exc)) from None


def make_folder(folder: Path) -> None:
    """Create ``folder`` and its parents if missing; a failure is one ``ExportError``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {folder}: {exc.strerror}") from None


def save_document(path: Path, text: str) -> None:
    """Write one file that cannot be made again (a generation record, a file a person edits): its
    folder created if missing, whole or not at all, fsynced. A failure is one ``ExportError``."""
    make_folder(path.parent)
    write_files({path: text}, durable=True)


def export_prompt_files(brief: Brief, out_dir: Path, *, options: dict[str, Any] | None = None) -> list[Path]:
    """Write ``<slug>.txt``, ``.md`` and ``.json`` into ``out_dir`` (created if missing), with copies
    of the reference frames in ``out_dir/frames``; return the prompt files' paths."""
    make_folder(out_dir)
    frames = copy_frames(brief, out_dir / FRAMES_DIR, relative_to=out_dir)
    files = prompt_files(brief, out_dir, Handoff(options or {}, frames))
    write_files(files)
    return list(files)
