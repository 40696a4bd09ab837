"""``compose qc DIR``: the images of a campaign folder (its ledger) or a shot folder (its generation
records), each with the context of the brief it was generated from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from composer.campaign.ledger import LEDGER_FILE, Ledger
from composer.errors import ComposerError
from composer.generate import RECORD_SUFFIX, load_record
from composer.library import Library
from composer.qc.context import Expected, QcContext, context_from_brief


class FolderError(ComposerError):
    """A folder holds neither a campaign ledger nor generation records."""


def folder_items(library: Library, folder: Path) -> list[tuple[Path, QcContext]]:
    """Every generated image in ``folder`` with its context, in the order they were recorded."""
    if not folder.is_dir():
        raise FolderError(f"{folder}: not a folder")
    if (folder / LEDGER_FILE).is_file():
        return campaign_items(library, folder)
    records = sorted(folder.glob(f"*{RECORD_SUFFIX}"))
    if records:
        return [item for record in records for item in record_items(library, record)]
    raise FolderError(f"{folder}: neither a campaign folder ({LEDGER_FILE}) nor a shot folder "
                      f"(*{RECORD_SUFFIX}); name the images and --brand or --brief instead")


def campaign_items(library: Library, folder: Path) -> list[tuple[Path, QcContext]]:
    with Ledger(folder, create=False) as ledger:
        entries = [e for e in ledger.entries().values() if e.state == "done" and e.files]
    items = []
    for entry in entries:
        ctx = context_from_brief(library, folder / "briefs" / f"{entry.id}.json", _expected(entry.submission))
        items += [(folder / f["path"], ctx) for f in entry.files]
    return items


def record_items(library: Library, path: Path) -> list[tuple[Path, QcContext]]:
    """The result files of one ``<slug>.generation.json`` (``compose shot --generate``)."""
    record = load_record(path)
    brief = Path(record.brief) if record.brief else path.with_name(path.name[: -len(RECORD_SUFFIX)] + ".json")
    expected = _expected({"job": record.job})
    ctx = context_from_brief(library, brief, expected) if brief.is_file() else QcContext(expected=expected)
    return [(path.parent / name, ctx) for name in record.files]


def _expected(data: dict[str, Any] | None) -> Expected:
    job = (data or {}).get("job")
    options = job.get("options") if isinstance(job, dict) else None
    return Expected.from_options(options) if isinstance(options, dict) else Expected()


def shot_context(library: Library, folder: Path, shot_id: str) -> QcContext:
    """A campaign shot's context: its exported brief and the options it was submitted with."""
    with Ledger(folder, create=False) as ledger:
        entry = ledger.get(shot_id)
    if entry is None:
        raise FolderError(f"{folder}: no shot '{shot_id}' in the campaign ledger")
    return context_from_brief(library, folder / "briefs" / f"{entry.id}.json", _expected(entry.submission))


def shot_items(library: Library, folder: Path, shot_id: str) -> list[tuple[Path, QcContext]]:
    """The images of one shot: a campaign shot id, or a shot folder's record stem."""
    if (folder / LEDGER_FILE).is_file():
        with Ledger(folder, create=False) as ledger:
            entry = ledger.get(shot_id)
        if entry is None:
            raise FolderError(f"{folder}: no shot '{shot_id}' in the campaign ledger")
        if entry.state != "done" or not entry.files:
            return []
        return [(folder / f["path"], shot_context(library, folder, shot_id)) for f in entry.files]
    record = folder / f"{shot_id}{RECORD_SUFFIX}"
    if not record.is_file():
        raise FolderError(f"{folder}: no shot '{shot_id}' (no {record.name})")
    return record_items(library, record)
