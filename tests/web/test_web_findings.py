"""The review app shows what the machines found: pixel QC per take, the brief's lint, and asks the
brief's instruction checks on every take's form."""

from __future__ import annotations

from pathlib import Path

from fakes.kie import FakeKie
from PIL import Image
from review_support import CHECKED, campaign_folder, run_campaign_file  # importable: web_support puts it on the path
from starlette.testclient import TestClient
from web_support import BASE, as_reviewer, csrf_of, field_of

from composer.campaign.ledger import Ledger
from composer.library import Library
from composer.qc.check import check_images
from composer.qc.context import build_context
from composer.qc.hook import stored_report
from composer.review.store import ReviewStore
from composer.web.app import create_app
from composer.web.security import Access


def client_for(folder: Path, library: Library) -> TestClient:
    store = ReviewStore.open(folder, library=library)
    return TestClient(create_app(folder, Access("127.0.0.1"), store=store), base_url=BASE, follow_redirects=False)


def brake_light_report(image: Path, library: Library) -> dict[str, object]:
    """A beige scene with a 40x20 red brake light, checked by the real QC against Bramble Books."""
    scene = Image.new("RGB", (512, 512), (222, 205, 170))
    scene.paste((200, 20, 30), (300, 400, 340, 420))
    scene.save(image)
    ctx = build_context(library, brand="bramble-books")
    return stored_report(check_images([(image, ctx)]))


def test_qc_findings_show_on_the_grid_and_the_shot_page(tmp_path: Path, example_library: Path) -> None:
    library = Library(example_library)
    folder = campaign_folder(tmp_path / "out", {"hero": ["red", "clean"]})
    with Ledger(folder) as ledger:
        red = ledger.get("red")
        assert red is not None
        image = folder / red.files[0]["path"]
        ledger.done("red", red.files, 12.0, 0.06, qc=brake_light_report(image, library), needs_review=True)
    with client_for(folder, library) as client:
        as_reviewer(client, "ana")
        grid = client.get("/").text
        red_card = grid.split('data-shot="red"')[1].split("</li>")[0]
        clean_card = grid.split('data-shot="clean"')[1].split("</li>")[0]
        assert "needs review: QC 1 error" in red_card
        assert "QC" not in clean_card  # QC never ran on it: no badge claims it passed
        page = client.get("/shots/red").text
        assert "needs review: QC 1 error" in page
        assert "banned-colour" in page and "red" in page
        assert "pixel QC did not run on this take" in client.get("/shots/clean").text


def test_a_regenerated_take_does_not_borrow_the_new_takes_qc(tmp_path: Path, example_library: Path) -> None:
    library = Library(example_library)
    folder = campaign_folder(tmp_path / "out", {"hero": ["red"]})
    with ReviewStore.open(folder, library=library):
        pass  # take 1 numbered
    with Ledger(folder) as ledger:
        ledger.reset("red")
        ledger.submitting("red", "h-red", "kie")
        ledger.submitted("red", "task-2", {"job": {"prompt": "p", "target": "gpt-image-2"}}, "kie")
        image = folder / "images" / "red-task-2.png"
        ledger.done("red", [{"path": "images/red-task-2.png", "sha256": "y"}], 12.0, 0.06,
                    qc=brake_light_report(image, library), needs_review=True)
    with ReviewStore.open(folder, library=library) as store:
        first, second = store.shot("red").takes
        assert store.findings.of(first).qc is None
        assert store.findings.of(first).note == "pixel QC of an earlier take is not kept"
        found = store.findings.of(second).qc
        assert found is not None and found.errors == 1 and found.needs_review


def test_lint_findings_and_instruction_checks_on_the_shot_page(tmp_path: Path, mini_library: Path,
                                                              fake_kie: FakeKie) -> None:
    campaign = tmp_path / "checked.yaml"
    campaign.write_text(CHECKED.replace("negative: [umbrellas]", "negative: [umbrellas, gulls]"), encoding="utf-8")
    out = tmp_path / "out"
    run_campaign_file(campaign, mini_library, out, fake_kie)
    with Ledger(out, create=False) as ledger:
        (entry,) = ledger.entries().values()
    # "a gull" in the order and "no gulls" in the negatives: lint's conflict finding, kept by the plan
    assert any(f["rule"] == "conflict" and "gull" in f["message"] for f in entry.lint), entry.lint
    with client_for(out, Library(mini_library)) as client:
        as_reviewer(client, "ana")
        (shot,) = ReviewStore.open(out, library=Library(mini_library)).shots()
        warnings = sum(f["severity"] == "warning" for f in entry.lint)
        assert f"lint {warnings} warning" in client.get("/").text.split(f'data-shot="{shot.id}"')[1].split("</li>")[0]
        page = client.get(f"/shots/{shot.id}").text
        assert "<h2>Lint</h2>" in page and "conflict" in page
        for label in ("exactly 4 lobster pots", "left to right: a coiled rope, Bo, a gull", "no umbrellas"):
            assert label in page
        form = {"csrf": csrf_of(page), "view": field_of(page, "view"), "verdict": "", "note": "", "deltas": "",
                "check.count:pot": "+1", "check.avoid:umbrellas": "yes", "check.palette": ""}
        response = client.post(f"/shots/{shot.id}/takes/take 1", data=form)
        assert response.status_code == 303, response.text
        page = client.get(f"/shots/{shot.id}").text
        assert 'name="check.count:pot" step="1" value="+1"' in page
        assert 'value="yes" checked' in page
        bad = {**form, "csrf": csrf_of(page), "view": field_of(page, "view"), "check.count:pot": "lots"}
        response = client.post(f"/shots/{shot.id}/takes/take 1", data=bad)
        assert response.status_code == 400 and "count:pot: &#39;lots&#39; is not an offset" in response.text
    with ReviewStore.open(out, library=Library(mini_library)) as store:
        answers = {a.check_id: a.honoured for a in store.answers()}
    assert answers == {"count:pot": False, "avoid:umbrellas": True}
