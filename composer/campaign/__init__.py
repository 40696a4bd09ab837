"""Campaigns: a whole shoot in one YAML file, planned, priced, exported, generated and reviewed.

    from composer.campaign import open_campaign, Planner, export_campaign
    expansion = open_campaign(Path("spring.yaml"), library)       # validated, expanded shots
    plan = Planner(Composer(library)).plan(expansion)             # briefs composed and priced
    print(plan.total.images, plan.total.credits, plan.total.usd)

Modules: ``models`` (the file's schema), ``load`` (reading, id checks), ``expand`` (matrices, stable
ids, exclusions, quotas, cap), ``plan`` (cost), ``export`` (prompt files, manifest.csv, index.md),
``ledger`` (SQLite ledger, folder lock), ``run`` (the async runner), ``status``, ``sheet``.
"""

from __future__ import annotations

from pathlib import Path

from composer.campaign.errors import (
    BudgetError,
    CampaignError,
    CampaignFileError,
    CapExceededError,
    LedgerError,
)
from composer.campaign.expand import Expansion, Shot, expand
from composer.campaign.export import export_campaign
from composer.campaign.load import CampaignSource, load_campaign
from composer.campaign.models import Campaign
from composer.campaign.plan import Plan, Planner, PlanRow
from composer.library import Library


def open_campaign(path: Path, library: Library, *, max_shots: int | None = None, confirm: bool = False) -> Expansion:
    """Load, check and expand a campaign file: every problem is raised before anything is composed."""
    return expand(load_campaign(path, library), max_shots=max_shots, confirm=confirm)


__all__ = [
    "BudgetError",
    "Campaign",
    "CampaignError",
    "CampaignFileError",
    "CampaignSource",
    "CapExceededError",
    "Expansion",
    "LedgerError",
    "Plan",
    "PlanRow",
    "Planner",
    "Shot",
    "expand",
    "export_campaign",
    "load_campaign",
    "open_campaign",
]
