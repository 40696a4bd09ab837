"""compose review export / import: the blank scorecard, the round trip, and files refused whole."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_support import campaign_folder

from composer.cli import main
from composer.review import ReviewStore

SHOTS = {"hero": ["h1@gpt-image-2", "h1@openai-gpt-image-2"], "solo": ["s1"]}
DIMS = ["fidelity", "adherence", "consistency", "flexibility", "ease_cost"]
HEADER = ["shot_id", "take", "reviewer", *DIMS, "verdict", "note"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return campaign_folder(tmp_path / "out", SHOTS)


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_fresh_campaign_exports_the_blank_scorecard(folder: Path) -> None:
    code, out, _ = cli("review", "export", str(folder))
    assert code == 0
    assert out.splitlines()[0] == ",".join(HEADER)
    assert [(r["shot_id"], r["take"], r["reviewer"], r["fidelity"]) for r in rows(out)] == [
        ("h1", "1", "", ""), ("h1", "2", "", ""), ("s1", "1", "", "")]


def test_export_then_import_round_trips(folder: Path, tmp_path: Path) -> None:
    with ReviewStore.open(folder) as store:
        store.save("ana", "h1", 1, scores={"fidelity": 7, "adherence": 9}, verdict="approve", note="fine, \"crisp\"")
        store.save("ben", "h1", 1, scores={"fidelity": 4}, verdict="regenerate", note="hands\nmelted")
        store.save("ana", "s1", 1, scores={d: 10 for d in DIMS})
    code, before, _ = cli("review", "export", str(folder))
    assert code == 0 and len(rows(before)) == 4  # ana and ben on h1/1, nobody on h1/2, ana on s1
    card = tmp_path / "card.csv"
    card.write_text(before, encoding="utf-8")
    fresh = tmp_path / "fresh"
    shutil.copytree(folder, fresh, ignore=shutil.ignore_patterns("ledger.sqlite*"))
    campaign_folder(fresh, SHOTS)  # the same shots, no reviews yet
    code, out, _ = cli("review", "import", str(fresh), str(card))
    assert (code, out) == (0, f"imported 3 rows from {card}\n")
    assert cli("review", "export", str(fresh))[1] == before
    code, as_json, _ = cli("review", "export", str(fresh), "--format", "json")
    data = json.loads(as_json)
    assert data["columns"] == HEADER and data["rows"][0]["fidelity"] == 7 and data["rows"][1]["note"] == "hands\nmelted"


def test_an_empty_cell_changes_nothing(folder: Path, tmp_path: Path) -> None:
    with ReviewStore.open(folder) as store:
        store.save("ana", "h1", 1, scores={"fidelity": 7}, verdict="approve", note="keep me")
    card = tmp_path / "card.csv"
    card.write_text("shot_id,take,reviewer,adherence,verdict\nh1,1,ana,5,\n", encoding="utf-8")
    assert cli("review", "import", str(folder), str(card))[0] == 0
    with ReviewStore.open(folder) as store:
        assert {s.dimension: s.score for s in store.scores()} == {"fidelity": 7, "adherence": 5}
        assert [(r.verdict, r.note) for r in store.reviews()] == [("approve", "keep me")]


@pytest.mark.parametrize(("body", "message"), [
    ("shot_id,take,reviewer,fidelity,colour\nh1,1,ana,5,red\n",
     "row 1, column 5 'colour': not a scorecard column"),
    ("shot_id,reviewer,fidelity\nh1,ana,5\n", "row 1: the column 'take' is missing"),
    ("shot_id,take,reviewer,fidelity\nh1,1,ana,5\nh9,1,ana,5\n", "row 3, column shot_id: unknown shot 'h9'"),
    ("shot_id,take,reviewer,fidelity\nh1,1,ana,5\nh1,3,ana,5\n", "row 3, column take: shot 'h1' has no take '3'"),
    ("shot_id,take,reviewer,fidelity\nh1,1,ana,5\nh1,2,ben,11\n", "row 3, column fidelity: 11 is outside 0-10"),
    ("shot_id,take,reviewer,fidelity\nh1,1,ana,five\n", "row 2, column fidelity: 'five' is not a number"),
    ("shot_id,take,reviewer,verdict\nh1,1,ana,maybe\n", "row 2, column verdict: 'maybe' is not one of"),
    ("shot_id,take,reviewer,fidelity\nh1,1,,5\n", "row 2, column reviewer: the row has values but no reviewer"),
    ("shot_id,take,reviewer,fidelity\nh1,1,ana,5\nh1,1,ana,6\n", "row 3: repeats row 2"),
    ("shot_id,take,reviewer,check:palette\nh1,1,ana,yes\n",
     "row 2, column check:palette: shot 'h1' has no such instruction check"),
])
def test_a_bad_scorecard_is_refused_whole(folder: Path, tmp_path: Path, body: str, message: str) -> None:
    card = tmp_path / "bad.csv"
    card.write_text(body, encoding="utf-8")
    code, out, err = cli("review", "import", str(folder), str(card))
    assert code == 1 and out == ""
    assert err.startswith(f"Error: {card}: {message}") and err.count("\n") == 1
    with ReviewStore.open(folder) as store:
        assert store.scores() == [] and store.reviews() == []  # not even the good rows before the bad one


def test_export_to_a_file(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "cards" / "blank.csv"
    code, out, err = cli("review", "export", str(folder), "--out", str(target))
    assert (code, out, err) == (0, "", f"wrote {target}\n")
    assert target.read_text(encoding="utf-8").startswith("shot_id,take,reviewer,fidelity")


def test_a_folder_with_nothing_to_review_is_refused(tmp_path: Path) -> None:
    code, _, err = cli("review", "export", str(tmp_path))
    assert code == 1 and err.startswith(f"Error: {tmp_path}: nothing to review")
