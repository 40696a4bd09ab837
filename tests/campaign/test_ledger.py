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
