"""The ledger stores what was sent once, and reads back exactly what was stored, old rows too."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from composer.backends.types import GenerationOptions, Job, Submission
from composer.campaign.ledger import Ledger

PROMPT = "SCENE:\nA marble terrace at golden hour, the perfume bottle centred.\n" * 100


def kie_submission() -> dict[str, object]:
    job = Job(prompt=PROMPT, reference_frames=(Path("bibles/products/frames/perfume-bottle.png"),),
              options=GenerationOptions(aspect_ratio="4:5"))
    request = {"model": "gpt-image-2-image-to-image",
               "input": {"prompt": PROMPT, "input_urls": ["https://files.example/perfume-bottle.png"],
                         "aspect_ratio": "4:5"}}
    return Submission(job, "kie", "gpt-image-2-image-to-image", "task-1", request,
                      uploads={"bibles/products/frames/perfume-bottle.png": "https://files.example/perfume-bottle.png"},
                      ).to_json()


def planned_ledger(folder: Path) -> Ledger:
    ledger = Ledger(folder)
    ledger.plan([{"id": "g-1", "group": "g", "cast": "perfume-bottle", "scene": "terrace", "variant": "",
                  "take": 1, "brief_hash": "h", "credits": 12.0, "blocked": None}])
    return ledger


def stored(folder: Path) -> str:
    db = sqlite3.connect(folder / "ledger.sqlite")
    try:
        return str(db.execute("SELECT submission FROM shots WHERE id = 'g-1'").fetchone()[0])
    finally:
        db.close()


def test_a_submission_is_stored_with_its_prompt_once_and_read_back_whole(tmp_path: Path) -> None:
    submission = kie_submission()
    with planned_ledger(tmp_path) as ledger:
        ledger.submitted("g-1", "task-1", submission, "kie")
        entry = ledger.get("g-1")
    assert entry is not None and entry.submission == submission
    assert Submission.from_json(entry.submission).request["input"]["prompt"] == PROMPT
    text, escaped = stored(tmp_path), json.dumps(PROMPT)[1:-1]
    assert text.count(escaped) == 1 and len(text) < len(escaped) * 1.2  # it was stored twice: 2x the prompt


def test_rows_stored_with_the_prompt_twice_still_read_back(tmp_path: Path) -> None:
    submission = kie_submission()
    with planned_ledger(tmp_path) as ledger:
        ledger.db.execute("UPDATE shots SET state = 'submitted', submission = ? WHERE id = 'g-1'",
                          (json.dumps(submission),))  # what earlier versions wrote
        entry = ledger.get("g-1")
    assert entry is not None and entry.submission == submission


def test_a_version_1_ledger_is_migrated_in_place_and_keeps_its_rows(tmp_path: Path) -> None:
    from composer.campaign.ledger import _SCHEMA_V1, SCHEMA_VERSION

    db = sqlite3.connect(tmp_path / "ledger.sqlite")
    db.executescript(_SCHEMA_V1)  # what composer wrote before the schema had versions past 1
    db.execute("INSERT INTO meta VALUES ('schema', '1')")
    db.execute("INSERT INTO shots (id, grp, cast_label, scene, state, brief_hash, files, credits, updated_at) "
               "VALUES ('g-1', 'g', 'ada', 'harbour', 'done', 'h', '[{\"path\": \"images/g-1.png\"}]', 12, 0)")
    db.commit()
    db.close()
    with Ledger(tmp_path, create=False) as ledger:  # a reader (`campaign status`) migrates too
        assert ledger.meta("schema") == str(SCHEMA_VERSION)
        entry = ledger.get("g-1")
        assert entry is not None and entry.state == "done" and entry.credits == 12
        assert entry.qc is None and entry.needs_review is False
        ledger.done("g-1", entry.files, 12, 0.06, qc={"sharpness": 0.2, "error": "blurred"}, needs_review=True)
    with Ledger(tmp_path) as ledger:
        entry = ledger.get("g-1")
        assert entry is not None and entry.qc == {"sharpness": 0.2, "error": "blurred"} and entry.needs_review


def test_a_ledger_from_a_newer_composer_is_refused_in_one_line(tmp_path: Path) -> None:
    import pytest

    from composer.campaign import LedgerError

    with planned_ledger(tmp_path) as ledger:
        ledger.set_meta(schema="99")
    with pytest.raises(LedgerError, match=r"ledger schema '99', this composer reads up to 4"):
        Ledger(tmp_path)
