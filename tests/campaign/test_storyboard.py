"""Storyboard to film: the bundled example's approved stills become its clips' first frames.

``examples/campaigns/storyboard.yaml`` is planned and run against the fake KIE server over the
bundled library; some stills are approved (and one rejected) in the review store; the second run
animates exactly the approved ones, uploading each approved still byte-identical as its first frame.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from campaign_support import FAST, factory
from fakes.kie import FakeKie

from composer.campaign import CampaignFileError, Planner, open_campaign
from composer.campaign.chain import chain_for_plan, lineage
from composer.campaign.ledger import Ledger
from composer.campaign.run import run_campaign
from composer.campaign.sheet import make_sheets, thumbnail, tile_image, tile_lines
from composer.compose import Composer
from composer.library import Library
from composer.review.approved import approved_frames
from composer.review.store import ReviewStore

REPO = Path(__file__).resolve().parents[2]
STORYBOARD = REPO / "examples" / "campaigns" / "storyboard.yaml"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _run(out: Path, fake: FakeKie, *, approvals: bool = True) -> object:
    library = Library(REPO)
    return run_campaign(open_campaign(STORYBOARD, library), Planner(Composer(library)), out, factory(fake), FAST,
                        approvals=approved_frames if approvals else None)


def test_the_plan_shows_six_stills_and_six_clips_waiting_with_stable_ids() -> None:
    library = Library(REPO)
    expansion = open_campaign(STORYBOARD, library)
    plan = Planner(Composer(library)).plan(chain_for_plan(expansion, None, None))
    assert [row.shot.group for row in plan.rows] == ["stills"] * 6
    chains = plan.to_json()["chains"]
    assert [c["status"] for c in chains] == ["waiting"] * 6
    assert {c["still"] for c in chains} == {row.id for row in plan.rows}
    assert chains[0]["motion"] == "film-teapot-gone-57bbd57b0a"  # a motion id is derived from its still's
    again = open_campaign(STORYBOARD, library)
    assert [s.id for s in again.shots] == [s.id for s in expansion.shots]


def test_approved_stills_are_the_first_frames_uploaded_and_the_rest_wait(tmp_path: Path, fake_kie: FakeKie) -> None:
    out = tmp_path / "storyboard"
    first = _run(out, fake_kie)
    assert len(fake_kie.requests) == 6 and {b["model"] for b in fake_kie.requests} == {"gpt-image-2-image-to-image"}
    assert len(first.waiting) == 6 and all("approve it in review, then run again" in r for r in first.waiting.values())  # type: ignore[attr-defined]

    with Ledger(out, create=False) as ledger:
        stills = {e.id: out / e.files[0]["path"] for e in ledger.entries().values()}
    ids = sorted(stills)
    approved, rejected = ids[:3], ids[3]
    with ReviewStore.open(out) as store:
        for shot_id in approved:
            store.save("ann", shot_id, 1, verdict="approve")
        store.save("ann", rejected, 1, verdict="approve")
        store.save("bob", rejected, 1, verdict="reject")  # approved by one, rejected by another: not approved

    second = _run(out, fake_kie)
    clips = [b for b in fake_kie.requests if b["model"] == "sora-2-image-to-video"]
    assert len(clips) == 3 and len(fake_kie.requests) == 9  # no still is generated again
    sent = sorted(_sha(fake_kie.uploads[url]) for clip in clips for url in clip["input"]["image_urls"])
    assert sent == sorted(_sha(stills[i].read_bytes()) for i in approved)
    waiting = second.waiting  # type: ignore[attr-defined]
    assert len(waiting) == 3 and any(rejected in reason for reason in waiting.values())

    with Ledger(out, create=False) as ledger:
        links = lineage(ledger)
        entries = ledger.entries()
        done = {e.id for e in entries.values() if e.state == "done" and e.group == "film"}
    assert {links[m] for m in done} == set(approved)  # every clip records the still it animates

    clip = entries[sorted(done)[0]]
    still = entries[links[clip.id]]
    assert tile_lines(clip, still)[2] == f"clip from {still.id}"  # the sheet shows still -> motion take
    shown, first_frame = tile_image(out, clip, still, 64), tile_image(out, still, None, 64)
    assert thumbnail(out, clip, 64) is None and shown is not None and first_frame is not None
    assert shown.tobytes() == first_frame.tobytes()  # a clip's tile is its still: its first frame
    assert make_sheets(out) == [out / "contact-sheet.png"]

    third = _run(out, fake_kie)  # nothing new approved: nothing sent, nothing paid twice
    assert len(fake_kie.requests) == 9 and third.skipped == 9  # type: ignore[attr-defined]


def test_without_review_approvals_every_clip_waits(tmp_path: Path, fake_kie: FakeKie) -> None:
    stats = _run(tmp_path / "out", fake_kie, approvals=False)
    assert len(stats.waiting) == 6  # type: ignore[attr-defined]
    assert all(b["model"] != "sora-2-image-to-video" for b in fake_kie.requests)


@pytest.mark.parametrize(("group", "message"), [
    ("{from: film, target: sora-2}", "groups.clips.from: group 'film' makes clips, not stills"),
    ("{from: nope, target: sora-2}", "groups.clips.from: unknown group 'nope'"),
    ("{from: stills, target: gpt-image-2}", "groups.clips.target: target 'gpt-image-2' makes images"),
    ("{from: stills}", "a `from` group makes motion clips: name a video `target`"),
    ("{from: stills, target: sora-2, scenes: [castle]}", "a `from` group takes its shots from another group's"),
])
def test_a_bad_motion_group_is_refused_with_its_field(tmp_path: Path, group: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(STORYBOARD.read_text(encoding="utf-8") + f"  clips: {group}\n", encoding="utf-8")
    with pytest.raises(CampaignFileError) as err:
        open_campaign(path, Library(REPO))
    assert message in str(err.value)
