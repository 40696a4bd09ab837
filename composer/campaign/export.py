"""Exporting a campaign: every brief as prompt files, ``manifest.csv`` and ``index.md``.

Layout of an output folder::

    briefs/<id>.txt|.md|.json   the same three files ``compose shot --out`` writes, one set per shot
    briefs/sent/<id>--<digest>.md the brief each take was sent with (a regeneration's edits rewrite briefs/<id>.*)
    frames/<name>-<digest>.<ext> a copy of each reference frame, which the briefs and manifest name
    manifest.csv                one row a shot, for the people who live in spreadsheets
    index.md                    totals and one table per group, linking briefs (and images), for designers
    images/<id>.<ext>           generated results (``compose campaign run``)
    ledger.sqlite               what happened to every shot (``compose campaign run``)

Prompt files are what ``compose shot --out`` writes (``composer.export.prompt_files``), written
as each shot is composed, one shot after the other; the manifest and index, which say what the
folder holds, last. Every file is written whole or not at all (``composer.files``): Ctrl-C or a
failure leaves whole files and no manifest.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from composer.campaign.errors import CampaignError
from composer.campaign.expand import Expansion
from composer.campaign.ledger import FolderLock
from composer.campaign.plan import Plan, Planner, PlanRow
from composer.export import FRAMES_DIR, Handoff, copy_frames, make_folder, prompt_files, write_files
from composer.files import cannot_write, write_bytes

BRIEFS_DIR = "briefs"
IMAGES_DIR = "images"
SUPERSEDED_DIR = "superseded"
"""Below ``images/``: where a run moves a done shot's files before generating it again (nothing paid for is lost)."""


def superseded_name(path: Path, sent_hash: str | None, n: int = 0) -> str:
    """The name the ``n``-th (from 0) attempt sent with brief digest ``sent_hash`` gets in ``images/superseded/``
    (``<stem>--<digest>.png``, then ``--<digest>-2.png`` ...: a shot made again from the same brief never
    overwrites its earlier image)."""
    return f"{path.stem}--{(sent_hash or 'old')[:8]}{f'-{n + 1}' if n else ''}{path.suffix}"


SENT_DIR = "sent"
"""Below ``briefs/``: the Markdown brief of every take as it was sent (the review shows each take's own)."""


def sent_brief(shot_id: str, sent_hash: str | None) -> str:
    """Where, relative to the folder, a take sent with brief digest ``sent_hash`` keeps its brief."""
    return f"{BRIEFS_DIR}/{SENT_DIR}/{shot_id}--{(sent_hash or 'old')[:8]}.md"


def keep_sent_brief(folder: Path, shot_id: str, sent_hash: str) -> None:
    """Copy ``briefs/<id>.md`` (the brief about to be sent) to its take's ``sent_brief`` name, once.

    A regeneration with a reviewer's delta edits exports the shot again, over ``briefs/<id>.md``;
    the copy is how the earlier take's brief survives. A missing ``.md`` (a hand-pruned folder)
    leaves nothing to keep, and the take falls back to the current brief.
    """
    kept = folder / sent_brief(shot_id, sent_hash)
    if kept.is_file():
        return
    try:
        text = (folder / BRIEFS_DIR / f"{shot_id}.md").read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CampaignError(f"cannot read {folder / BRIEFS_DIR / shot_id}.md: {exc.strerror}") from None
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(kept, text, durable=False)
    except OSError as exc:
        raise CampaignError(cannot_write(kept, exc)) from None


MANIFEST = "manifest.csv"
INDEX = "index.md"

OPTION_FIELDS = ("aspect_ratio", "resolution", "size", "quality", "output_format", "n_frames")
"""The generation options, one manifest column each (empty: the provider's default)."""

MANIFEST_FIELDS = (
    "id", "group", "cast", "cast_id", "scene", "variant", "take", "target", "backend", "mode", *OPTION_FIELDS,
    "chars", "limit", "tokens", "reference_frames", "images", "credits", "usd", "blocked", "prompt_file",
    "brief_file", "output",
)  # fmt: skip


@dataclass(frozen=True)
class ExportResult:
    plan: Plan
    folder: Path
    files: int
    """Prompt files written (three per shot)."""


def output_name(row: PlanRow) -> str:
    """Where the shot's result is expected: ``images/<id>.<ext>`` (the backend picks the real extension)."""
    if row.mode.endswith("video"):
        ext = "mp4"
    else:
        fmt = row.shot.options.output_format
        ext = {"jpeg": "jpg", "webp": "webp"}.get(fmt or "", "png")
    return f"{IMAGES_DIR}/{row.id}.{ext}"


def export_campaign(expansion: Expansion, planner: Planner, folder: Path) -> ExportResult:
    """Compose every shot and write its prompt files, then the manifest and index (folder locked)."""
    with FolderLock(folder, purpose="campaign export"):
        plan = write_plan_files(expansion, planner, folder)
    return ExportResult(plan, folder, 3 * len(plan.rows))


def write_plan_files(expansion: Expansion, planner: Planner, folder: Path) -> Plan:
    """Plan every shot, writing its prompt files as it is composed; then ``manifest.csv`` and ``index.md``.

    Nothing is held per shot but its ``PlanRow``: a big export never has every brief in memory.
    """
    briefs_dir = folder / BRIEFS_DIR
    make_folder(briefs_dir)
    rows = []
    copied: dict[Path, str] = {}  # frame -> its copy, relative to the briefs: each frame is copied once
    for row, brief in planner.stream(expansion):
        if any(frame not in copied for frame in brief.reference_frames):
            copied.update(copy_frames(brief, folder / FRAMES_DIR, relative_to=briefs_dir))
        handoff = Handoff(row.shot.options.model_dump(exclude_none=True), copied)
        write_files(prompt_files(brief, briefs_dir, handoff))
        rows.append(row)
    plan = Plan(expansion, rows, planner.waiting(expansion))
    write_listing(plan, folder, {frame: copy.removeprefix("../") for frame, copy in copied.items()})
    return plan


def write_listing(plan: Plan, folder: Path, frames: dict[Path, str]) -> None:
    """``manifest.csv`` and ``index.md`` for a plan, each whole or not at all; ``frames`` maps each
    reference frame to its copy, relative to the folder."""
    write_files({folder / MANIFEST: manifest_csv(plan, frames), folder / INDEX: index_markdown(plan)})


def manifest_row(row: PlanRow, frames: dict[Path, str]) -> list[object]:
    s = row.shot
    options = s.options.model_dump()
    return [
        s.id, s.group, "+".join([*s.spec.characters, *s.spec.products]), s.cast, s.scene, s.variant, s.take,
        row.target, row.backend, row.mode, *("" if options[o] is None else options[o] for o in OPTION_FIELDS),
        row.chars, row.limit, row.tokens, ";".join(frames[Path(f)] for f in row.reference_frames), 1,
        _num(row.cost.credits), _num(row.cost.usd), " | ".join(row.blocked), f"{BRIEFS_DIR}/{s.id}.txt",
        f"{BRIEFS_DIR}/{s.id}.md", output_name(row),
    ]  # fmt: skip


def manifest_csv(plan: Plan, frames: dict[Path, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_FIELDS)
    writer.writerows(manifest_row(row, frames) for row in plan.rows)
    return buffer.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def index_markdown(plan: Plan) -> str:
    """The campaign for designers: totals per group, then each group's shots with links."""
    campaign = plan.expansion.campaign
    title = campaign.name or plan.expansion.source.path.stem
    total = plan.total
    lines = [f"# {title}", ""]
    if campaign.description:
        lines += [campaign.description.strip(), ""]
    lines += [
        f"{total.shots:,} shots, {total.images:,} images, {total.credits:,g} credits, ${total.usd:,.2f} "
        f"(estimated from the price table{'; ' + str(total.unpriced) + ' unpriced' if total.unpriced else ''}"
        f"{'; ' + str(total.blocked) + ' blocked by lint errors' if total.blocked else ''}).",
        "",
        "| Group | Shots | Credits | USD |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| [{g}](#{g.lower()}) | {t.shots:,} | {t.credits:,g} | ${t.usd:,.2f} |" for g, t in plan.groups.items()]
    for group in plan.groups:
        lines += ["", f"## {group}", ""]
        description = campaign.groups[group].description if group in campaign.groups else ""
        if description:
            lines += [description.strip(), ""]
        lines += ["| Shot | Cast | Scene | Variant | Chars | Mode | Brief | Image |",
                  "|---|---|---|---|---:|---|---|---|"]
        for row in plan.rows:
            if row.shot.group != group:
                continue
            s = row.shot
            variant = s.variant + (f" take {s.take}" if s.take > 1 else "")
            flag = " **blocked**" if row.blocked else ""
            lines.append(
                f"| `{s.id}`{flag} | {_cell(s.cast)} | {s.scene} | {_cell(variant)} | {row.chars:,} | {row.mode} | "
                f"[md]({BRIEFS_DIR}/{s.id}.md) · [txt]({BRIEFS_DIR}/{s.id}.txt) | [image]({output_name(row)}) |"
            )
    return "\n".join(lines) + "\n"
