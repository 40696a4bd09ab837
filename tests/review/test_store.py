"""The review store: takes, blind labels, scores per reviewer, refusals, divergences, re-runs, durability."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from review_support import campaign_folder, generate, png

from composer.campaign.ledger import SCHEMA_VERSION, Ledger
from composer.library import Library
from composer.review import ReviewError, ReviewInputError, ReviewStore
from composer.review.blind import blind_order

BAKEOFF = {"hero": ["h1@gpt-image-2", "h1@openai-gpt-image-2", "h2@gpt-image-2", "h2@openai-gpt-image-2"],
           "solo": ["s1"]}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return campaign_folder(tmp_path / "out", BAKEOFF)


@pytest.fixture
def store(folder: Path) -> Iterator[ReviewStore]:
    with ReviewStore.open(folder, library=Library.find()) as opened:
        yield opened


def test_a_ledger_from_before_reviews_gains_the_review_tables(folder: Path) -> None:
    db = sqlite3.connect(folder / "ledger.sqlite")
    assert db.execute("SELECT value FROM meta WHERE key = 'review_schema'").fetchone() is None
    db.close()
    with ReviewStore.open(folder) as store:
        assert store.count() == 3
    db = sqlite3.connect(folder / "ledger.sqlite")
    assert db.execute("SELECT value FROM meta WHERE key = 'review_schema'").fetchone() == ("2",)
    # the campaign's own schema is the campaign's business: the review tables leave it as it was
    assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (str(SCHEMA_VERSION),)
    assert db.execute("SELECT COUNT(*) FROM shots WHERE state = 'done'").fetchone() == (5,)
    db.close()
    with Ledger(folder, create=False) as ledger:  # the campaign side still reads its ledger
        assert ledger.counts()["done"] == 5


def test_review_schema_1_is_migrated_to_2_keeping_its_scores(folder: Path) -> None:
    from composer.review.schema import MIGRATIONS

    db = sqlite3.connect(folder / "ledger.sqlite")
    db.executescript(MIGRATIONS["1"])
    db.execute("INSERT INTO meta VALUES ('review_schema', '1')")
    db.commit()
    db.close()
    with ReviewStore.open(folder) as store:
        store.save("ana", "s1", 1, scores={"fidelity": 5})
    db = sqlite3.connect(folder / "ledger.sqlite")
    assert db.execute("SELECT value FROM meta WHERE key = 'review_schema'").fetchone() == ("2",)
    assert db.execute("SELECT COUNT(*) FROM review_checks").fetchone() == (0,)
    db.close()


def test_a_newer_review_schema_is_refused(folder: Path) -> None:
    ReviewStore.open(folder).close()
    db = sqlite3.connect(folder / "ledger.sqlite")
    db.execute("UPDATE meta SET value = '9' WHERE key = 'review_schema'")
    db.commit()
    db.close()
    with pytest.raises(ReviewError, match=r"review schema '9', this composer reads '2'"):
        ReviewStore.open(folder)


def test_bakeoff_contenders_are_takes_of_one_shot(store: ReviewStore) -> None:
    assert [c.id for c in store.shots()] == ["h1", "h2", "s1"]
    h1 = store.shot("h1")
    assert [(t.take, t.contender, t.backend, t.reason) for t in h1.takes] == [
        (1, "gpt-image-2", "kie", "first generation"), (2, "openai-gpt-image-2", "openai", "first generation")]
    assert h1.blind and not store.shot("s1").blind
    assert all(t.image is not None and t.image.is_file() for t in h1.takes)
    assert store.groups() == ["hero", "solo"]
    assert store.count(group="solo") == 1 and [c.id for c in store.shots(offset=1, limit=1)] == ["h2"]
    assert store.refresh() == 0  # nothing new: takes are numbered once


def test_blind_view_hides_the_model_and_shuffles_per_reviewer(store: ReviewStore) -> None:
    view = store.view("h1", "ana")
    assert view.blind and view.briefs == ()
    assert [t.label for t in view.takes] == ["A", "B"]
    assert all(t.target is None and t.backend is None and t.model is None and t.credits is None
               for t in view.takes)
    assert store.view("h1", "ana").takes == view.takes  # the same order on every visit
    orders = {tuple(t.take for t in store.view("h1", name).takes) for name in ("ana", "ben", "cy", "di", "ed")}
    assert orders == {(1, 2), (2, 1)}  # reviewers do not all see the same order
    assert blind_order("ana", "h1", [1, 2]) == [(t.label, t.take) for t in view.takes]
    open_view = store.view("s1", "ana")
    assert not open_view.blind and open_view.takes[0].target == "gpt-image-2"
    assert open_view.takes[0].label == "take 1"


def test_scores_are_per_reviewer_and_never_overwrite_another(store: ReviewStore) -> None:
    store.save("ana", "h1", 1, scores={"fidelity": 7, "adherence": 9}, note="hands fine")
    store.save("ben", "h1", 1, scores={"fidelity": 4})
    store.save("ana", "h1", 1, scores={"adherence": 8, "fidelity": None})
    got = {(s.reviewer, s.dimension): s.score for s in store.scores("h1")}
    assert got == {("ana", "adherence"): 8, ("ben", "fidelity"): 4}
    assert [(r.reviewer, r.note) for r in store.reviews("h1")] == [("ana", "hands fine")]
    assert store.count(reviewer="ben") == 1 and store.count(reviewer="!ben") == 2


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (("ana", "h1", 1), {"scores": {"fidelity": 11}}, "fidelity: 11 is outside 0-10"),
    (("ana", "h1", 1), {"scores": {"fidelity": "7.5"}}, "fidelity: 7.5 is not a whole number"),
    (("ana", "h1", 1), {"scores": {"fidelity": "high"}}, "fidelity: 'high' is not a number"),
    (("ana", "h1", 1), {"scores": {"beauty": 5}}, "score: unknown dimension 'beauty'"),
    (("ana", "nope", 1), {"scores": {"fidelity": 5}}, "shot: unknown shot 'nope'"),
    (("ana", "h1", 3), {"scores": {"fidelity": 5}}, "take: shot 'h1' has no take 3 (it has 1, 2)"),
    (("ana", "h1", 1), {"verdict": "maybe"}, "verdict: 'maybe' is not one of approve, reject, regenerate"),
    (("ana", "h1", 1), {"note": "x" * 4001}, "note: 4,001 characters, at most 4,000"),
    (("", "h1", 1), {"note": "x"}, "reviewer: a reviewer name is required"),
    (("ana", "h1", 1), {"verdict": "regenerate", "deltas": {"colour": "blue"}}, "deltas.colour: Extra inputs"),
])
def test_bad_input_is_refused_and_nothing_of_it_stored(store: ReviewStore, args: tuple[str, str, int],
                                                       kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ReviewInputError, match="^" + re.escape(message)):
        store.save(*args, **{"scores": {"adherence": 6}, **kwargs})  # type: ignore[arg-type]
    assert store.scores() == [] and store.reviews() == [] and store.pending_reruns() == []


def test_divergences_above_the_threshold_until_resolved(store: ReviewStore) -> None:
    store.save("ana", "h1", 2, scores={"fidelity": 8, "adherence": 7}, note="crisp")
    store.save("ben", "h1", 2, scores={"fidelity": 5, "adherence": 7}, note="melted text")
    store.save("cy", "h1", 2, scores={"fidelity": 7, "adherence": 8})
    found = store.divergences()
    assert [(d.shot_id, d.take, d.dimension, d.scores, d.spread) for d in found] == [
        ("h1", 2, "fidelity", {"ana": 8, "ben": 5, "cy": 7}, 3)]  # adherence spreads by 1: not above 1
    assert found[0].notes == {"ana": "crisp", "ben": "melted text"}
    store.resolve("h1", 2, "fidelity", "the text on the label is melted: 5", "ana", rerun=True)
    assert store.divergences() == []
    (rerun,) = store.pending_reruns()
    assert (rerun.shot_id, rerun.take, rerun.source, rerun.origin) == ("h1", 2, "h1@openai-gpt-image-2", "reconcile")
    with pytest.raises(ReviewInputError, match=r"^resolution: write what was decided$"):
        store.resolve("h1", 2, "adherence", "  ", "ana")


def test_a_regenerate_verdict_is_answered_by_a_new_take_with_its_lineage(folder: Path, store: ReviewStore) -> None:
    store.save("ana", "s1", 1, verdict="regenerate", note="exactly four candles, not five",
               deltas={"counts": ["4 candles"]})
    (rerun,) = store.pending_reruns()
    assert (rerun.source, rerun.deltas, rerun.reason) == ("s1", {"counts": ["4 candles"]},
                                                          "exactly four candles, not five")
    store.save("ana", "s1", 1, verdict="approve")  # changing the verdict withdraws the request
    assert store.pending_reruns() == []
    store.save("ana", "s1", 1, verdict="regenerate", note="exactly four candles, not five")
    generate(folder, "s1", task="second")
    assert store.refresh() == 1
    take = store.shot("s1").take(2)
    assert take is not None and (take.parent, take.reason) == (1, "exactly four candles, not five")
    assert take.image is not None and take.image.name == "s1-second.png"
    assert store.pending_reruns() == []
    assert store.shot("s1").take(1).image is not None  # the first take's image is still there


def test_two_reviewers_saving_at_once_lose_nothing(folder: Path) -> None:
    errors: list[BaseException] = []

    def score(name: str) -> None:
        try:
            with ReviewStore.open(folder) as mine:  # its own connection, like another process
                for shot in ("h1", "h2"):
                    for take in (1, 2):
                        for value in range(11):
                            mine.save(name, shot, take, scores={"fidelity": value, "adherence": 10 - value})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=score, args=(name,)) for name in ("ana", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with ReviewStore.open(folder) as store:
        scores = store.scores()
    assert len(scores) == 2 * 2 * 2 * 2
    assert {(s.dimension, s.score) for s in scores} == {("fidelity", 10), ("adherence", 0)}


def test_a_killed_process_keeps_what_it_acknowledged(folder: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time; from pathlib import Path; from composer.review import ReviewStore\n"
            "store = ReviewStore.open(Path(sys.argv[1]))\n"
            "store.save('ana', 'h1', 1, scores={'fidelity': 9}, verdict='approve', note='ship it')\n"
            "print('saved', flush=True)\n"
            "time.sleep(60)\n"), str(folder)],
        stdout=subprocess.PIPE, text=True, env={**os.environ})
    assert child.stdout is not None and child.stdout.readline().strip() == "saved"
    child.send_signal(signal.SIGKILL)
    child.wait()
    with ReviewStore.open(folder) as store:
        assert [(s.reviewer, s.score) for s in store.scores()] == [("ana", 9)]
        assert [(r.verdict, r.note) for r in store.reviews()] == [("approve", "ship it")]


def test_a_folder_of_shot_results_is_reviewable(tmp_path: Path) -> None:
    out = tmp_path / "shots"
    png(out / "red-curls--castle.png")
    record = {"schema": "composer.generation/1", "status": "succeeded", "backend": "kie", "target": "gpt-image-2",
              "model": "gpt-image-2", "task_id": "t1", "files": ["red-curls--castle.png"],
              "cost": {"usd": 0.06, "credits": 12}, "updated_at": "2026-12-02T06:00:00Z", "job": {}}
    (out / "red-curls--castle.generation.json").write_text(json.dumps(record), encoding="utf-8")
    (out / "red-curls--castle.md").write_text("# brief", encoding="utf-8")
    with ReviewStore.open(out) as store:
        (card,) = store.shots()
        assert (card.id, card.cast, card.scene, card.takes[0].credits) == ("red-curls--castle", "red-curls",
                                                                           "castle", 12)
        store.save("ana", card.id, 1, scores={"fidelity": 6})
        assert [b.path for b in store.view(card.id, "ana").briefs] == [out / "red-curls--castle.md"]
    assert (out / "ledger.sqlite").is_file()


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReviewError, match="nothing to review"):
        ReviewStore.open(tmp_path)


def test_refresh_reads_the_ledger_only_when_another_connection_changed_it(
        folder: Path, store: ReviewStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import composer.review.store as store_module

    reads = []
    real = store_module.found_in
    monkeypatch.setattr(store_module, "found_in", lambda f: reads.append(f) or real(f))
    assert store.refresh() == 0 and reads == []  # nothing committed since the store opened
    store.save("ana", "s1", 1, scores={"fidelity": 7}, verdict="approve")
    assert store.refresh() == 0 and reads == []  # the store's own writes add no take
    generate(folder, "s1", task="second")  # a running campaign commits a new image
    assert store.refresh() == 1 and len(reads) == 1
    assert store.refresh() == 0 and len(reads) == 1
    assert [t.take for t in store.shot("s1").takes] == [1, 2]


def test_a_folder_of_shot_results_is_read_on_every_refresh(tmp_path: Path) -> None:
    folder = tmp_path / "shots"
    record = {"status": "succeeded", "files": ["a.png"], "task_id": "t1", "updated_at": "1"}
    png(folder / "a.png")
    (folder / "a.generation.json").write_text(json.dumps(record), encoding="utf-8")
    with ReviewStore.open(folder) as store:
        assert [c.id for c in store.shots()] == ["a"]
        png(folder / "b.png")  # a new record is a file: no commit tells the store
        (folder / "b.generation.json").write_text(json.dumps({**record, "files": ["b.png"], "task_id": "t2"}),
                                                  encoding="utf-8")
        assert store.refresh() == 1 and [c.id for c in store.shots()] == ["a", "b"]
