"""A campaign records the frame versions each shot was sent with; a changed frame makes its shots stale."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from campaign_support import run
from fakes.kie import FakeKie
from PIL import Image

from composer.campaign.ledger import _SCHEMA_V1, SCHEMA_VERSION, Ledger
from composer.campaign.run import RunSettings
from composer.campaign.status import read_status, status_text


def test_each_shot_records_the_sha256_of_the_frames_it_was_sent_with(small_campaign: Path, mini_library: Path,
                                                                     tmp_path: Path, fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    run(small_campaign, mini_library, out, fake_kie)
    frame = mini_library / "bibles/characters/frames/ada.png"
    digest = hashlib.sha256(frame.read_bytes()).hexdigest()
    entries = read_status(out).entries
    with_ada = [e for e in entries if e.cast in ("ada", "pair")]
    assert len(with_ada) == 8
    assert {tuple((f.path, f.sha256) for f in e.frames) for e in with_ada} == {((str(frame.resolve()), digest),)}
    assert all(e.frames == () for e in entries if e.cast == "bo")  # text-to-image: no frame
    assert read_status(out).stale() == []


def test_a_changed_frame_marks_its_shots_stale_in_status(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                                         fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    run(small_campaign, mini_library, out, fake_kie)
    frame = mini_library / "bibles/characters/frames/ada.png"
    Image.new("RGB", (8, 8), (200, 120, 40)).save(frame)  # Ada's frame is redrawn
    status = read_status(out)  # the ledger alone: no campaign file, no library
    stale = {e.id for e in status.stale()}
    assert stale == {e.id for e in status.entries if e.cast in ("ada", "pair")} and len(stale) == 8
    assert status.frames_changed() == {shot: [str(frame.resolve())] for shot in stale}
    text = status_text(status)
    assert "8 stale" in text
    assert f"frame changed since: {frame.resolve()}" in text
    assert sorted(status.to_json()["stale"]) == sorted(stale)
    # Running again regenerates them on request, and then nothing is stale.
    again = run(small_campaign, mini_library, out, fake_kie)
    assert len(again.stale) == 8
    run(small_campaign, mini_library, out, fake_kie, RunSettings(regenerate_stale=True, retry_delay=0.01))
    assert read_status(out).stale() == [] and read_status(out).frames_changed() == {}


def test_a_deleted_frame_is_named_as_gone(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                          fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    run(small_campaign, mini_library, out, fake_kie)
    frame = mini_library / "bibles/characters/frames/ada.png"
    frame.unlink()
    changed = read_status(out).frames_changed()
    assert len(changed) == 8 and set(map(tuple, changed.values())) == {(f"{frame.resolve()} (gone)",)}


def test_a_version_2_ledger_gains_the_frames_column(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "ledger.sqlite")
    db.executescript(_SCHEMA_V1)
    db.execute("ALTER TABLE shots ADD COLUMN qc TEXT")
    db.execute("ALTER TABLE shots ADD COLUMN needs_review INTEGER NOT NULL DEFAULT 0")
    db.execute("INSERT INTO meta VALUES ('schema', '2')")
    db.execute("INSERT INTO shots (id, grp, cast_label, scene, state, brief_hash, sent_hash, files, updated_at) "
               "VALUES ('g-1', 'g', 'ada', 'harbour', 'done', 'h', 'h', '[]', 0)")
    db.commit()
    db.close()
    with Ledger(tmp_path, create=False) as ledger:
        assert ledger.meta("schema") == str(SCHEMA_VERSION)  # every later migration ran too
        entry = ledger.get("g-1")
        assert entry is not None and entry.frames == ()  # sent before versions were recorded: nothing to compare
        assert entry.lint == ()  # planned before lint findings were kept
    assert read_status(tmp_path).stale() == []
