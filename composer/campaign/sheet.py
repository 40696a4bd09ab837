"""The contact sheet: every shot of a campaign folder as a labelled thumbnail, for review at a glance.

Thumbnails come from the files the ledger records for done shots; a shot that is not done (or a
video, which Pillow cannot open) gets a grey tile saying so, so gaps are as visible as results.
Each tile is labelled with the shot id, its cast and its scene (and variant; a motion clip of a ``from``
group instead names the still it animates, and shows that still, its first frame), and carries its pixel QC
badge (``QC 2 errors`` in red: needs review; ``QC 1 warning`` in amber; ``QC ok`` in green). Big campaigns are
split into pages (``contact-sheet-1.png``...); every page is written whole or not at all.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from composer import images
from composer.campaign.chain import lineage
from composer.campaign.errors import CampaignError
from composer.campaign.ledger import Entry, Ledger
from composer.errors import ImageError
from composer.files import cannot_write, writing
from composer.generate.inspection import summarise

SHEET_NAME = "contact-sheet"
BACKGROUND = (250, 249, 246)
TILE = (226, 223, 216)
INK = (28, 26, 31)
MUTED = (110, 106, 100)
STATE_COLOURS = {"failed": (176, 58, 46), "uncertain": (176, 120, 30), "blocked": (176, 58, 46)}
QC_COLOURS = {"error": (176, 38, 46), "warning": (168, 112, 20), "ok": (46, 120, 70)}


@dataclass(frozen=True)
class SheetLayout:
    columns: int = 10
    thumb: int = 240
    """Thumbnail box in pixels (images are fitted inside, keeping their aspect ratio)."""
    per_page: int = 200
    gap: int = 12
    label_lines: int = 3
    font_size: int = 13

    @property
    def label_height(self) -> int:
        return self.label_lines * (self.font_size + 4) + 6


def make_sheets(folder: Path, layout: SheetLayout = SheetLayout(), *, out: Path | None = None) -> list[Path]:
    """Write the contact sheet page(s) for the campaign in ``folder``; return their paths."""
    with Ledger(folder, create=False) as ledger:
        every = ledger.entries()
        entries = [e for e in every.values() if e.in_plan]
        title = ledger.meta("title") or Path(ledger.meta("campaign") or folder.name).stem
        stills = {clip: every[still] for clip, still in lineage(ledger).items() if still in every}
    if not entries:
        raise CampaignError(f"{folder}: the ledger records no shots yet; run `compose campaign run` first")
    pages = [entries[i : i + layout.per_page] for i in range(0, len(entries), layout.per_page)]
    target = out or folder
    paths = []
    for number, page in enumerate(pages, start=1):
        name = f"{SHEET_NAME}.png" if len(pages) == 1 else f"{SHEET_NAME}-{number}.png"
        heading = f"{title}: {len(entries)} shots" + (f", page {number} of {len(pages)}" if len(pages) > 1 else "")
        image = render_page(folder, page, layout, heading, stills)
        paths.append(save_png(image, target / name))
    return paths


@dataclass(frozen=True)
class PageLayout:
    """Where everything goes on one page: each group starts a new row under its own heading."""

    width: int
    height: int
    tiles: list[tuple[int, int]]
    """Top-left corner of each entry's thumbnail, in entry order."""
    headings: list[tuple[str, int]]
    """(group heading, y) for each group on the page."""


def page_layout(entries: list[Entry], layout: SheetLayout) -> PageLayout:
    columns = min(layout.columns, len(entries))
    cell_w, cell_h = layout.thumb + layout.gap, layout.thumb + layout.label_height + layout.gap
    heading_h = layout.font_size + 6 + layout.gap
    y = layout.font_size + 7 + 2 * layout.gap  # below the page title
    tiles: list[tuple[int, int]] = []
    headings: list[tuple[str, int]] = []
    groups = Counter(e.group for e in entries)
    column = 0
    for index, entry in enumerate(entries):
        if index == 0 or entry.group != entries[index - 1].group:
            if column:  # finish the previous group's row
                y += cell_h
            headings.append((f"{entry.group} ({groups[entry.group]})", y))
            y += heading_h
            column = 0
        tiles.append((layout.gap + column * cell_w, y))
        column += 1
        if column == columns:
            y += cell_h
            column = 0
    height = y + (cell_h if column else 0) + layout.gap
    return PageLayout(layout.gap + columns * cell_w, height, tiles, headings)


def render_page(folder: Path, entries: list[Entry], layout: SheetLayout, heading: str,
                stills: dict[str, Entry] | None = None) -> Image.Image:
    """One page; ``stills`` maps a motion shot's id to its still's entry (the lineage: a clip's tile
    shows its still, which is the clip's first frame, and says which still it animates)."""
    stills = stills or {}
    font = ImageFont.load_default(size=layout.font_size)
    bold = ImageFont.load_default(size=layout.font_size + 3)
    title_font = ImageFont.load_default(size=layout.font_size + 7)
    page = page_layout(entries, layout)
    sheet = Image.new("RGB", (page.width, page.height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.text((layout.gap, layout.gap), heading, fill=INK, font=title_font)
    for text, y in page.headings:
        draw.text((layout.gap, y), text, fill=INK, font=bold)
    # Decoding is the slow part and Pillow releases the GIL while it decodes: a few threads help.
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) * 2)) as pool:
        thumbs = list(pool.map(lambda e: tile_image(folder, e, stills.get(e.id), layout.thumb), entries))
    for entry, thumb, at in zip(entries, thumbs, page.tiles, strict=True):
        _tile(draw, sheet, entry, thumb, at, layout, font, stills.get(entry.id))
    return sheet


def _tile(
    draw: ImageDraw.ImageDraw,
    sheet: Image.Image,
    entry: Entry,
    thumb: Image.Image | None,
    at: tuple[int, int],
    layout: SheetLayout,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    still: Entry | None = None,
) -> None:
    x, y = at
    size = layout.thumb
    if thumb is not None:
        sheet.paste(thumb, (x + (size - thumb.width) // 2, y + (size - thumb.height) // 2))
    else:
        draw.rectangle((x, y, x + size - 1, y + size - 1), fill=TILE)
        state = "video (not previewed)" if entry.state == "done" else entry.state.replace("composed", "not generated")
        colour = STATE_COLOURS.get(entry.state, MUTED)
        box = draw.textbbox((0, 0), state, font=font)
        draw.text((x + (size - box[2]) // 2, y + size // 2 - layout.font_size), state, fill=colour, font=font)
    _badge(draw, entry, at, font)
    label_y = y + size + 4
    for line, colour in zip(tile_lines(entry, still), (INK, MUTED, MUTED), strict=True):
        draw.text((x, label_y), _fit(draw, line, font, size), fill=colour, font=font)
        label_y += layout.font_size + 4


def _badge(draw: ImageDraw.ImageDraw, entry: Entry, at: tuple[int, int],
           font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> None:
    """The shot's pixel QC result in the tile's top-left corner: red needs review, amber warnings, green ok."""
    summary = summarise(entry.qc, entry.needs_review) if entry.state == "done" else None
    if summary is None:
        return
    x, y = at
    box = draw.textbbox((x + 6, y + 4), summary.badge, font=font)
    draw.rectangle((box[0] - 4, box[1] - 3, box[2] + 4, box[3] + 3), fill=QC_COLOURS[summary.level])
    draw.text((x + 6, y + 4), summary.badge, fill=(255, 255, 255), font=font)


def tile_lines(entry: Entry, still: Entry | None = None) -> tuple[str, str, str]:
    """A tile's label: the shot id, its cast, and its scene (a clip: the still it animates)."""
    scene = entry.scene + (f" / {entry.variant}" if entry.variant else "")
    scene += f" #{entry.take}" if entry.take > 1 else ""
    return entry.id, entry.cast, f"clip from {still.id}" if still is not None else scene


def tile_image(folder: Path, entry: Entry, still: Entry | None, box: int) -> Image.Image | None:
    """The shot's thumbnail; a done clip (which Pillow cannot preview) shows its still, its first frame."""
    thumb = thumbnail(folder, entry, box)
    if thumb is None and still is not None and entry.state == "done":
        return thumbnail(folder, still, box)
    return thumb


def thumbnail(folder: Path, entry: Entry, box: int) -> Image.Image | None:
    """The shot's first image, fitted inside ``box`` x ``box``; None when there is none to show."""
    if entry.state != "done" or not entry.files:
        return None
    try:  # composer.images: never a FIFO, a bomb or a broken file; JPEGs decoded at reduced scale
        small = images.thumbnail(folder / entry.files[0]["path"], (box, box))
    except ImageError:
        return None
    return ImageOps.contain(small, (box, box))  # up to fit the box, for a small image


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def save_png(image: Image.Image, path: Path) -> Path:
    """Save whole or not at all (``composer.files``; no fsync: the sheet is made again by asking)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with writing(path, durable=False) as staged:
            image.save(staged.file, format="PNG", optimize=False)
    except OSError as exc:
        raise CampaignError(cannot_write(path, exc)) from None
    return path
