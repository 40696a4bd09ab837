"""Exported prompt files for designers: ``<slug>.txt``, ``<slug>.md`` and ``<slug>.json``.

The ``.txt`` is the prompt exactly as it will be sent; the ``.json`` is the machine-readable brief
(the same object ``compose shot --format json`` prints, and what ``compose generate`` reads back);
the ``.md`` is for review, with a header table. All three are written atomically: each goes to a
temporary file in the same folder and is renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from composer.compose import Brief
from composer.errors import ExportError

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


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(files: dict[Path, str]) -> None:
    """Write every file through a temp file and rename; on failure, leave no temp file behind."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((temp, path))
            os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; prompt files are for sharing
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        for temp, path in staged:
            os.replace(temp, path)
    except OSError as exc:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {exc.filename or 'prompt files'}: {exc.strerror}") from None


def export_prompt_files(brief: Brief, out_dir: Path) -> list[Path]:
    """Write ``<slug>.txt``, ``.md`` and ``.json`` into ``out_dir``; return their paths."""
    files = prompt_files(brief, out_dir)
    write_atomic(files)
    return list(files)
