"""``compose campaign``: plan, export, run, status and contact sheet of a campaign file.

Thin commands over ``composer.campaign``; the generation client (aiohttp) is imported only by ``run``.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from composer.cli.options import library_option

if TYPE_CHECKING:
    from composer.campaign import Expansion, Plan
    from composer.campaign.run import RunStats
    from composer.library import Library

F = TypeVar("F", bound=Callable[..., Any])

CAMPAIGN_FILE = click.Path(path_type=Path, dir_okay=False, exists=True)
FOLDER = click.Path(path_type=Path, file_okay=False)


def expansion_options(func: F) -> F:
    """The options every command that reads a campaign file shares."""
    func = click.option("--yes", "confirm", is_flag=True,
                        help="Confirm a campaign that expands to more shots than its cap.")(func)
    func = click.option("--max-shots", type=click.IntRange(min=1), metavar="N",
                        help="Expansion cap (default: the file's max_shots, else 10,000).")(func)
    return library_option(func)


def budget_option(func: F) -> F:
    func = click.option("--allow-unpriced", is_flag=True,
                        help="With --budget-credits, accept shots the price table has no price for.")(func)
    return click.option("--budget-credits", type=click.FloatRange(min=0), metavar="N",
                        help="Refuse (plan) or stop starting tasks (run) beyond this many credits.")(func)


def _open(path: Path, library_dir: Path | None, max_shots: int | None, confirm: bool) -> tuple[Library, Expansion]:
    from composer.campaign import open_campaign
    from composer.library import Library

    library = Library.find(library_dir)
    return library, open_campaign(path, library, max_shots=max_shots, confirm=confirm)


def _approvals() -> Any:
    """The reader of a folder's approved stills (the review store), for motion groups."""
    from composer.review.approved import approved_frames

    return approved_frames


def _planner(library: Library) -> Any:
    from composer.campaign import Planner
    from composer.compose import Composer

    return Planner(Composer(library))


@click.group()
def campaign() -> None:
    """Plan, export, generate and review a whole campaign (see docs/campaigns.md)."""


# -- plan ----------------------------------------------------------------------------------------
@campaign.command()
@click.argument("file", type=CAMPAIGN_FILE)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="The campaign's output folder: motion groups (`from:`) animate the stills done or approved there.")
@budget_option
@expansion_options
def plan(file: Path, fmt: str, out: Path | None, budget_credits: float | None, allow_unpriced: bool,
         library_dir: Path | None, max_shots: int | None, confirm: bool) -> None:
    """Expand the campaign and print every shot with its cost estimate, per group and in total.

    A motion group's clips wait for their stills: without --out every one waits; with it, each
    still done (or approved in review) in that folder makes its clip ready.

    Example: compose campaign plan examples/campaigns/spring-collection.yaml --budget-credits 2000
    """
    from composer.campaign.chain import chain_for_plan

    library, expansion = _open(file, library_dir, max_shots, confirm)
    result = _planner(library).plan(chain_for_plan(expansion, out, _approvals()))
    click.echo(render_plan(result, fmt), nl=fmt != "csv")
    result.check_budget(budget_credits, allow_unpriced=allow_unpriced)


def render_plan(result: Plan, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.to_json(), indent=2)
    if fmt == "csv":
        from composer.campaign.plan import PLAN_FIELDS

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, PLAN_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in result.rows:
            writer.writerow({**row.as_dict(), "blocked": " | ".join(row.blocked)})
        return buffer.getvalue()
    return plan_table(result)


def plan_table(result: Plan) -> str:
    w = max((len(row.shot.id) for row in result.rows), default=2)  # ids are readable, and as long as they need
    head = f"{'id':<{w}} {'group':<12} {'cast':<20} {'scene':<24} {'variant':<14} {'target':<12} {'mode':<15} " \
           f"{'chars':>6} {'tokens':>6} {'frames':>6} {'credits':>7} {'usd':>8}"
    lines = [head, "-" * len(head)]
    for row in result.rows:
        s = row.shot
        variant = s.variant + (f"#{s.take}" if s.take > 1 else "")
        lines.append(
            f"{s.id:<{w}} {s.group:<12} {s.cast[:20]:<20} {s.scene[:24]:<24} {variant[:14]:<14} {row.target[:12]:<12} "
            f"{row.mode:<15} {row.chars:>6} {row.tokens:>6} {len(row.reference_frames):>6} "
            f"{_num(row.cost.credits):>7} {_usd(row.cost.usd):>8}" + ("  BLOCKED" if row.blocked else "")
        )
    lines += ["", f"{'group':<16} {'images':>7} {'credits':>9} {'usd':>10}"]
    for group, totals in result.groups.items():
        lines.append(f"{group:<16} {totals.images:>7,} {totals.credits:>9,g} {_usd(totals.usd):>10}")
    total = result.total
    lines.append(f"{'total':<16} {total.images:>7,} {total.credits:>9,g} {_usd(total.usd):>10}")
    if len(result.models) > 1:  # a bake-off: what each model costs
        width = max(len(m) for m in result.models)
        lines += ["", f"{'model':<{width}} {'images':>7} {'credits':>9} {'usd':>10}"]
        lines += [f"{m:<{width}} {t.images:>7,} {t.credits:>9,g} {_usd(t.usd):>10}" for m, t in result.models.items()]
    notes = []
    if excluded := sum(result.expansion.excluded.values()):
        notes.append(f"{excluded} shot(s) removed by exclusions")
    if total.unpriced:
        notes.append(f"{total.unpriced} shot(s) have no price in the price table (counted as 0)")
    if total.blocked:
        notes.append(f"{total.blocked} shot(s) blocked by lint errors: they will not be generated")
    bases = dict.fromkeys((r.cost.basis, r.cost.source, r.cost.date) for r in result.rows if r.cost.source)
    for basis, source, date in bases:
        notes.append(f"price: {basis} ({source}{', ' + date if date else ''})")
    return "\n".join(lines + chain_lines(result) + [f"note: {n}" for n in notes])


def chain_lines(result: Plan) -> list[str]:
    """Motion groups: each still -> clip, ready or waiting, and what the clips cost."""
    from composer.campaign.chain import links

    chained = links(result.expansion.shots)
    if not chained:
        return []
    lines = ["", "chains (still -> motion):"]
    for link in chained:
        status = "ready" if link["status"] == "ready" else f"waiting: {link['reason']}"
        lines.append(f"  {link['still']} -> {link['motion']}  [{status}]")
    ready = sum(1 for link in chained if link["status"] == "ready")
    waiting = [cost for _, cost in result.waiting]
    credits = sum(c.credits or 0.0 for c in waiting)
    unpriced = sum(1 for c in waiting if c.usd is None)
    line = f"  {ready} clip(s) ready (costed above), {len(waiting)} waiting"
    if waiting:
        line += f": {credits:,g} credits more once their stills are ready"
        line += f" ({unpriced} with no price in the price table)" if unpriced else ""
    lines.append(line)
    return lines


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _usd(value: float | None) -> str:
    return "?" if value is None else f"${value:,.2f}"


# -- export --------------------------------------------------------------------------------------
@campaign.command()
@click.argument("file", type=CAMPAIGN_FILE)
@click.option("--out", type=FOLDER, required=True, help="Output folder (briefs/, manifest.csv, index.md).")
@expansion_options
def export(file: Path, out: Path, library_dir: Path | None, max_shots: int | None, confirm: bool) -> None:
    """Write every brief as prompt files, plus manifest.csv and index.md.

    Example: compose campaign export examples/campaigns/spring-collection.yaml --out spring/
    """
    from composer.campaign import export_campaign

    library, expansion = _open(file, library_dir, max_shots, confirm)
    result = export_campaign(expansion, _planner(library), out)
    total = result.plan.total
    click.echo(f"wrote {result.files:,} prompt files for {total.shots:,} shots, manifest.csv and index.md to {out} "
               f"({total.credits:,g} credits, {_usd(total.usd)} estimated)", err=True)
    if total.blocked:
        click.echo(f"Warning: {total.blocked} shot(s) blocked by lint errors (see manifest.csv)", err=True)


# -- run -----------------------------------------------------------------------------------------
@campaign.command()
@click.argument("file", type=CAMPAIGN_FILE)
@click.option("--out", type=FOLDER, required=True, help="Output folder (images/, briefs/, ledger.sqlite...).")
@click.option("--concurrency", type=click.IntRange(min=1, max=256), default=4, show_default=True,
              help="Most tasks in flight at once.")
@budget_option
@click.option("--regenerate-stale", is_flag=True, help="Generate again done shots whose brief has changed.")
@click.option("--retry-uncertain", is_flag=True,
              help="Send again shots whose create request may have been accepted (might pay twice).")
@click.option("--regenerate", is_flag=True,
              help="Generate again, as a new take, the shots the review asked for (regenerate verdicts, "
                   "reconcile re-runs), with the reviewers' delta edits.")
@expansion_options
def run(file: Path, out: Path, concurrency: int, budget_credits: float | None, allow_unpriced: bool,
        regenerate_stale: bool, retry_uncertain: bool, regenerate: bool, library_dir: Path | None,
        max_shots: int | None, confirm: bool) -> None:
    """Generate every shot, resuming from the folder's ledger: nothing lost, nothing paid twice.

    Keys and base URLs come from KIE_API_KEY / OPENAI_API_KEY (and KIE_BASE_URL...); polling and
    retries can be tuned with COMPOSER_POLL and COMPOSER_RETRY, as for `compose generate`.

    Example: compose campaign run spring.yaml --out spring/ --concurrency 8 --budget-credits 2000
    """
    from composer.backends import PollSchedule, RetryPolicy, make_backend
    from composer.campaign.run import RunSettings, incomplete, run_campaign
    from composer.review.regenerate import lineage, reviewed

    library, expansion = _open(file, library_dir, max_shots, confirm)
    review = reviewed(expansion, out, regenerate=regenerate, library=library)
    if regenerate:
        click.echo(f"regenerate: {len(review.sources)} shot(s) the review asked for again", err=True)
        if review.dropped:
            click.echo(f"Warning: the campaign no longer has {', '.join(review.dropped)}: not regenerated", err=True)
    poll = PollSchedule.from_spec(os.environ.get("COMPOSER_POLL"))
    retry = RetryPolicy.from_spec(os.environ.get("COMPOSER_RETRY"))
    from composer.qc.hook import CampaignInspector

    settings = RunSettings(concurrency=concurrency, budget_credits=budget_credits, allow_unpriced=allow_unpriced,
                           regenerate_stale=regenerate_stale, retry_uncertain=retry_uncertain,
                           regenerate=review.sources, inspect=CampaignInspector(library, out))

    def backends(name: str) -> Any:
        return make_backend(name, poll=poll, retry=retry, library_root=library.root,
                            max_connections=concurrency + 4)

    display = RunDisplay()
    try:
        stats = run_campaign(review.expansion, _planner(library), out, backends, settings,
                             on_update=display.update, on_ready=display.start, approvals=_approvals())
    finally:
        display.stop()
    click.echo(run_summary(stats), err=True)
    for take in lineage(out, review.pending, library):
        click.echo(f"take {take.take} of {take.shot_id} (regenerates take {take.parent}): {take.reason}", err=True)
    if (error := incomplete(stats, out)) is not None:
        raise error


class RunDisplay:
    """A rich progress bar on stderr: done/failed/remaining, credits and ETA."""

    def __init__(self) -> None:
        self.progress: Any = None
        self.task: Any = None

    def start(self, stats: RunStats) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        click.echo(f"{stats.total:,} shot(s) to generate or collect; {stats.skipped:,} already done"
                   + (f", {len(stats.stale)} stale (kept)" if stats.stale else "")
                   + (f", {len(stats.uncertain)} uncertain (kept)" if stats.uncertain else "")
                   + (f", {len(stats.blocked)} blocked" if stats.blocked else ""), err=True)
        self.progress = Progress(
            BarColumn(bar_width=24), TextColumn("{task.fields[counts]}"), TextColumn("{task.fields[credits]}"),
            TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True), transient=False,
        )
        self.task = self.progress.add_task("campaign", total=max(stats.total, 1), counts="", credits="")
        self.progress.start()
        self.update(stats)

    def update(self, stats: RunStats) -> None:
        if self.progress is None:
            return
        counts = f"{stats.done} done · {stats.failed} failed · {stats.running} running · {stats.remaining} left"
        self.progress.update(self.task, completed=stats.total - stats.remaining, counts=counts,
                             credits=f"{stats.credits:,g} credits")

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def run_summary(stats: RunStats) -> str:
    parts = [f"{stats.done} generated", f"{stats.skipped} already done"]
    if stats.failed:
        parts.append(f"{stats.failed} failed")
    if stats.not_started:
        parts.append(f"{stats.not_started} not started")
    if stats.waiting:
        parts.append(f"{len(stats.waiting)} motion shot(s) waiting for their stills")
    line = f"campaign run: {', '.join(parts)}; {stats.credits:,g} credits spent or committed in this folder"
    if stats.stop_reason:
        line += f"\nstopped starting tasks: {stats.stop_reason}"
    for shot_id, error in list(stats.errors.items())[:10]:
        line += f"\n  {shot_id}: {error}"
    if len(stats.errors) > 10:
        line += f"\n  ... and {len(stats.errors) - 10} more (compose campaign status)"
    for shot_id, reason in list(stats.waiting.items())[:10]:
        line += f"\n  waiting: {shot_id}: {reason}"
    if len(stats.waiting) > 10:
        line += f"\n  ... and {len(stats.waiting) - 10} more waiting (compose campaign plan FILE --out FOLDER)"
    return line


# -- status --------------------------------------------------------------------------------------
@campaign.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--recheck", "recheck_file", type=CAMPAIGN_FILE, metavar="FILE",
              help="Compose the campaign file again to find shots whose brief changed since (stale).")
@expansion_options
def status(folder: Path, fmt: str, recheck_file: Path | None, library_dir: Path | None, max_shots: int | None,
           confirm: bool) -> None:
    """What is done, running, failed and stale in FOLDER, and what it cost."""
    from composer.campaign.status import read_status, recheck, status_text

    result = read_status(folder)
    if recheck_file is not None:
        from composer.review.regenerate import reviewed

        library, expansion = _open(recheck_file, library_dir, max_shots, confirm)
        rows = _planner(library).plan(reviewed(expansion, folder, regenerate=False, library=library).expansion).rows
        result = recheck(result, {row.id: row.brief_hash for row in rows})
    click.echo(json.dumps(result.to_json(), indent=2) if fmt == "json" else status_text(result))


# -- sheet ---------------------------------------------------------------------------------------
@campaign.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--columns", type=click.IntRange(min=1, max=50), default=10, show_default=True)
@click.option("--thumb", type=click.IntRange(min=48, max=1024), default=240, show_default=True,
              help="Thumbnail size in pixels.")
@click.option("--per-page", type=click.IntRange(min=1), default=200, show_default=True,
              help="Shots per sheet; more make several pages.")
@click.option("--out", type=FOLDER, help="Folder for the sheet(s) (default: FOLDER).")
def sheet(folder: Path, columns: int, thumb: int, per_page: int, out: Path | None) -> None:
    """A contact sheet PNG: every shot as a thumbnail labelled with its id, cast and scene."""
    from composer.campaign.sheet import SheetLayout, make_sheets

    for path in make_sheets(folder, SheetLayout(columns=columns, thumb=thumb, per_page=per_page), out=out):
        click.echo(f"wrote {path}", err=True)
