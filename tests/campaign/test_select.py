"""Shot selection is a pure function of (plan, ledger entries, settings): no server, no event loop."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from campaign_support import expansion_of, planner_for

from composer.campaign.ledger import Entry, State
from composer.campaign.plan import Plan
from composer.campaign.select import RunSettings, select_shots
from composer.generate.lifecycle import Resend, next_step


@pytest.fixture
def plan(small_campaign: Path, mini_library: Path) -> Plan:
    return planner_for(mini_library).plan(expansion_of(small_campaign, mini_library))


def entry(shot_id: str, state: State, *, brief_hash: str, sent_hash: str | None = None, task_id: str | None = None,
          in_plan: bool = True) -> Entry:
    return Entry(id=shot_id, group="portraits", cast="ada", scene="harbour", variant="", take=1, state=state,
                 brief_hash=brief_hash, sent_hash=sent_hash, backend="kie", task_id=task_id,
                 submission={"task_id": task_id} if task_id else None, attempts=1, est_credits=12.0, credits=None,
                 usd=None, files=[], error=None, blocked=None, in_plan=in_plan, updated_at=0.0)


def test_a_fresh_plan_submits_every_shot_in_plan_order(plan: Plan) -> None:
    selection = select_shots(plan, {}, RunSettings())
    assert [(w.kind, w.id) for w in selection.work] == [("submit", row.id) for row in plan.rows]
    assert (selection.skipped, selection.stale, selection.uncertain, selection.blocked) == (0, [], [], [])


def test_every_state_is_routed_by_the_never_pay_twice_rules(plan: Plan) -> None:
    a, b, c, d, e, f, g = plan.rows[:7]
    entries = {
        a.id: entry(a.id, "done", brief_hash=a.brief_hash, sent_hash=a.brief_hash),
        b.id: entry(b.id, "done", brief_hash=b.brief_hash, sent_hash="old-brief"),  # stale
        c.id: entry(c.id, "submitted", brief_hash=c.brief_hash, sent_hash=c.brief_hash, task_id="t-c"),
        d.id: entry(d.id, "submitting", brief_hash=d.brief_hash, sent_hash=d.brief_hash),  # killed mid-create
        e.id: entry(e.id, "uncertain", brief_hash=e.brief_hash, sent_hash=e.brief_hash),
        f.id: entry(f.id, "failed", brief_hash=f.brief_hash, sent_hash=f.brief_hash),
        g.id: entry(g.id, "submitted", brief_hash=g.brief_hash, sent_hash=g.brief_hash),  # OpenAI: no task id
        "dropped": entry("dropped", "submitted", brief_hash="x", task_id="t-dropped", in_plan=False),
        "dropped-done": entry("dropped-done", "done", brief_hash="y", in_plan=False),
    }
    selection = select_shots(plan, entries, RunSettings())
    collected = [(w.id, w.row is None) for w in selection.work if w.kind == "collect"]
    assert collected == [("dropped", True), (c.id, False)]  # paid-for tasks first, dropped shots too
    submitted = [w.id for w in selection.work if w.kind == "submit"]
    assert submitted == [f.id, *(row.id for row in plan.rows[7:])]
    assert selection.skipped == 2 and selection.stale == [b.id]
    assert selection.uncertain == [d.id, e.id, g.id]
    assert selection.interrupted == [d.id, g.id]  # to be marked uncertain: e already is


def test_settings_allow_paying_again_only_for_what_they_name(plan: Plan) -> None:
    a, b = plan.rows[:2]
    entries = {
        a.id: entry(a.id, "done", brief_hash=a.brief_hash, sent_hash="old-brief"),
        b.id: entry(b.id, "uncertain", brief_hash=b.brief_hash, sent_hash=b.brief_hash),
    }
    stale = select_shots(plan, entries, RunSettings(regenerate_stale=True))
    assert a.id in [w.id for w in stale.work] and stale.uncertain == [b.id]
    retry = select_shots(plan, entries, RunSettings(retry_uncertain=True))
    assert b.id in [w.id for w in retry.work] and retry.stale == [a.id]


def test_blocked_shots_are_never_selected(plan: Plan) -> None:
    first = replace(plan.rows[0], blocked=("no yellow",))
    blocked = Plan(plan.expansion, [first, *plan.rows[1:]])
    selection = select_shots(blocked, {}, RunSettings())
    assert selection.blocked == [first.id] and first.id not in [w.id for w in selection.work]


def test_the_rules_are_the_same_for_a_single_shot() -> None:
    assert next_step("accepted", has_task=True) == "collect"
    assert next_step("accepted", has_task=True, resend=Resend(accepted=True)) == "submit"
    assert next_step("accepted", has_task=False) == "refuse"  # a synchronous provider billed lost images
    for phase in ("submitting", "uncertain"):
        assert next_step(phase, has_task=False) == "refuse"
        assert next_step(phase, has_task=False, resend=Resend(uncertain=True)) == "submit"
    assert next_step("done", has_task=True) == "skip"
    assert next_step("done", has_task=True, resend=Resend(done=True)) == "submit"
    assert next_step("new", has_task=False) == next_step("failed", has_task=True) == "submit"


def test_a_shot_the_review_asks_for_again_is_sent_and_a_paid_task_of_it_collected(plan: Plan) -> None:
    a, b, c = plan.rows[:3]
    entries = {
        a.id: entry(a.id, "done", brief_hash=a.brief_hash, sent_hash=a.brief_hash),
        b.id: entry(b.id, "submitted", brief_hash=b.brief_hash, sent_hash=b.brief_hash, task_id="t-b"),
        c.id: entry(c.id, "done", brief_hash=c.brief_hash, sent_hash=c.brief_hash),
    }
    selection = select_shots(plan, entries, RunSettings(regenerate=frozenset([a.id, b.id])))
    work = {w.id: w.kind for w in selection.work}
    assert (work[a.id], work[b.id], c.id in work) == ("submit", "collect", False)
