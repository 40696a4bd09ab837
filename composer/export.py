"""Exported prompt files for designers: ``<slug>.txt``, ``<slug>.md`` and ``<slug>.json``.

The ``.txt`` is the prompt exactly as it will be sent; the ``.json`` is the machine-readable brief
(the same object ``compose shot --format json`` prints, and what ``compose generate`` reads back);
the ``.md`` is for review, with a header table. Each is written whole or not at all
(``composer.files``); without an fsync, since running the command again makes them again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from composer.compose import Brief
from composer.errors import ExportError
from composer.files import cannot_write, write_text

JSON_FIELDS = (
    "prompt",
    "chars",
    "tokens",
    "tokens_exact",
    "limit",
    "target",
    "mode",
    "reference_frames",
    "dropped",
    "warnings",
    "sources",
)


def brief_json(brief: Brief) -> dict[str, Any]:
    """The brief as the documented JSON object, with exactly ``JSON_FIELDS``."""
    return {
        "prompt": brief.prompt,
        "chars": brief.chars,
        "tokens": brief.tokens.tokens,
        "tokens_exact": brief.tokens.exact,
        "limit": brief.limit,
        "target": brief.target_name,
        "mode": brief.mode,
        "reference_frames": [str(p) for p in brief.reference_frames],
        "dropped": brief.dropped,
        "warnings": brief.warnings,
        "sources": brief.sources,
    }


def brief_markdown(brief: Brief) -> str:
    """The brief for review: a header table, then the sections under Markdown headings."""

    def cell(value: str) -> str:
        return value.replace("|", "\\|").replace("\n", " ")

    frames = "<br>".join(f"`{p}`" for p in brief.reference_frames) or "none"
    sources = "<br>".join(f"{s['kind']} `{s['id']}` ({s['sha256'][:12]})" for s in brief.sources)
    rows = [
        ("Target", f"{brief.target_name} ({brief.target.model})"),
        ("Characters", f"{brief.chars:,} / {brief.limit:,}"),
        ("Tokens", str(brief.tokens)),
        ("Mode", brief.mode),
        ("Reference frames", frames),
        ("Dropped or shortened", "; ".join(brief.dropped) or "nothing"),
        ("Warnings", "; ".join(brief.warnings) or "none"),
        ("Sources", sources),
    ]
    table = "\n".join(f"| {name} | {cell(value)} |" for name, value in rows)
    return f"# Brief: {brief.slug}\n\n| | |\n|---|---|\n{table}\n\n{brief.markdown_body()}\n"


def brief_json_text(brief: Brief) -> str:
    """``brief_json`` as text, indented by two spaces, non-ASCII kept as it is.

    The same bytes as ``json.dumps(..., indent=2, ensure_ascii=False)`` (tested), from orjson:
    the standard library's indenting encoder is pure Python and took three times as long, which a
    10,000-shot campaign export pays on every brief. Imported here, not at the top: ``compose
    shot`` prints text by default and never needs it.
    """
    import orjson

    return orjson.dumps(brief_json(brief), option=orjson.OPT_INDENT_2).decode()


def render_output(brief: Brief, fmt: str) -> str:
    """The brief in one of the CLI's output formats: text, md or json."""
    if fmt == "json":
        return brief_json_text(brief)
    if fmt == "md":
        return brief_markdown(brief)
    return brief.prompt


def prompt_files(brief: Brief, out_dir: Path) -> dict[Path, str]:
    """``<slug>.txt``, ``.md`` and ``.json`` in ``out_dir``, with their text."""
    slug = brief.slug
    return {
        out_dir / f"{slug}.txt": brief.prompt,
        out_dir / f"{slug}.md": brief_markdown(brief),
        out_dir / f"{slug}.json": brief_json_text(brief) + "\n",
    }


def write_files(files: dict[Path, str], *, durable: bool = False) -> None:
    """Write each file whole or not at all (``composer.files``); a failure is one ``ExportError``."""
    for path, text in files.items():
        try:
            write_text(path, text, durable=durable)
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


def export_prompt_files(brief: Brief, out_dir: Path) -> list[Path]:
    """Write ``<slug>.txt``, ``.md`` and ``.json`` into ``out_dir`` (created if missing); return their paths."""
    make_folder(out_dir)
    files = prompt_files(brief, out_dir)
    write_files(files)
    return list(files)
