"""Every route of the review app through Starlette's TestClient, and every refusal."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient
from web_support import as_reviewer, csrf_of, field_of

from composer.review.store import ReviewStore

SCORES = {"fidelity": 7, "adherence": 6, "consistency": 8, "flexibility": 5, "ease_cost": 9}


def score_form(page: str, label: str, **fields: object) -> dict[str, str]:
    data = {"csrf": csrf_of(page), "view": field_of(page, "view"), "verdict": "", "note": "", "deltas": ""}
    data.update({f"score.{d}": str(v) for d, v in SCORES.items()})
    data.update({k.replace("__", "."): str(v) for k, v in fields.items()})
    return data


def post_scores(client: TestClient, shot: str, label: str, **fields: object) -> tuple[int, str]:
    page = client.get(f"/shots/{shot}").text
    response = client.post(f"/shots/{shot}/takes/{label}", data=score_form(page, label, **fields))
    return response.status_code, response.text


# -- reviewer -------------------------------------------------------------------------------------------
def test_pages_ask_who_is_reviewing_first(client: TestClient) -> None:
    for path, back in [("/", "%2F"), ("/shots/s1", "%2Fshots%2Fs1"), ("/reconcile", "%2Freconcile")]:
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/reviewer?next={back}"


def test_the_reviewer_name_is_kept_in_a_cookie(client: TestClient) -> None:
    page = client.get("/reviewer?next=/shots/s1").text
    response = client.post("/reviewer", data={"csrf": csrf_of(page), "name": "Ana Lee", "next": "/shots/s1"})
    assert response.status_code == 303 and response.headers["location"] == "/shots/s1"
    assert "composer_reviewer=" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]
    assert "reviewing as <strong>Ana Lee</strong>" in client.get("/").text


@pytest.mark.parametrize(("name", "message"), [
    ("", "reviewer: a reviewer name is required"),
    ("x" * 61, "reviewer: the name is 61 characters, at most 60"),
    ("Ana\x07", "reviewer: the name has control characters"),
])  # fmt: skip
def test_a_bad_reviewer_name_is_refused(client: TestClient, name: str, message: str) -> None:
    page = client.get("/reviewer").text
    response = client.post("/reviewer", data={"csrf": csrf_of(page), "name": name, "next": "/"})
    assert response.status_code == 400
    assert message in response.text
    assert "set-cookie" not in response.headers or "composer_reviewer" not in response.headers["set-cookie"]


def test_the_reviewer_form_only_returns_to_this_app(client: TestClient) -> None:
    page = client.get("/reviewer").text
    for target in ("//evil.example/", "https://evil.example/", "\\\\evil"):
        response = client.post("/reviewer", data={"csrf": csrf_of(page), "name": "Ana", "next": target})
        assert response.headers["location"] == "/"


# -- grid -------------------------------------------------------------------------------------------------
def test_the_grid_shows_every_shot_with_its_badges(client: TestClient) -> None:
    as_reviewer(client, "Ana")
    page = client.get("/").text
    assert "<h1>3 shots</h1>" in page
    tiles = re.findall(r'<li class="card" data-shot="([^"]+)">', page)
    assert tiles == ["h1", "h2", "s1"]
    h1 = page.split('data-shot="h1"')[1].split("</li>")[0]
    assert "2 takes" in h1 and ">blind<" in h1 and "to score" in h1
    assert re.search(r'src="/shots/h1/takes/[AB]/thumb"', h1)
    s1 = page.split('data-shot="s1"')[1].split("</li>")[0]
    assert "1 take" in s1 and "blind" not in s1 and 'src="/shots/s1/takes/take%201/thumb"' in s1
    assert "gpt-image-2" not in page and "openai" not in page  # the grid never names a model


def test_the_grid_filters_by_group_verdict_and_reviewer(client: TestClient, store: ReviewStore) -> None:
    as_reviewer(client, "Ana")
    store.save("Bo", "h2", 1, scores=SCORES, verdict="approve")
    assert _tiles(client, "/?group=solo") == ["s1"]
    assert _tiles(client, "/?verdict=approve") == ["h2"]
    assert _tiles(client, "/?verdict=none") == ["h1", "s1"]
    assert _tiles(client, "/?reviewer=Bo") == ["h2"]
    assert _tiles(client, "/?reviewer=!Bo&group=hero") == ["h1"]
    page = client.get("/").text
    assert '<span class="badge good">1 approve</span>' in page.split('data-shot="h2"')[1].split("</li>")[0]
    assert '<option value="Bo">scored by Bo</option>' in page


@pytest.mark.parametrize(("query", "message"), [
    ("group=nope", "group: no group &#39;nope&#39; in this campaign (it has hero, solo)"),
    ("verdict=maybe", "verdict: &#39;maybe&#39; is not one of approve, reject, regenerate, none"),
    ("page=0", "page: &#39;0&#39; is not a page number"),
    ("page=x", "page: &#39;x&#39; is not a page number"),
])  # fmt: skip
def test_bad_filters_are_refused(client: TestClient, query: str, message: str) -> None:
    as_reviewer(client, "Ana")
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.text


def test_the_grid_is_paged(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("composer.web.grid.PAGE_SIZE", 2)
    as_reviewer(client, "Ana")
    first = client.get("/?group=").text
    assert _tiles(client, "/") == ["h1", "h2"] and "page 1 of 2" in first and 'href="/?page=2"' in first
    assert _tiles(client, "/?page=2") == ["s1"]
    assert _tiles(client, "/?page=9") == ["s1"]  # past the end: the last page


def _tiles(client: TestClient, path: str) -> list[str]:
    return re.findall(r'<li class="card" data-shot="([^"]+)">', client.get(path).text)


# -- shot page --------------------------------------------------------------------------------------------
def test_a_blind_shot_hides_the_models_and_labels_takes_per_reviewer(client: TestClient, store: ReviewStore) -> None:
    as_reviewer(client, "Ana")
    page = client.get("/shots/h1").text
    assert "Take A" in page and "Take B" in page and ">blind<" in page
    assert "gpt-image-2" not in page and "openai" not in page and "kie" not in page
    assert "Hidden: this shot is reviewed blind" in page
    view = store.view("h1", "Ana")
    for take in view.takes:  # the image addresses carry the label, never the file name
        assert f'src="/shots/h1/takes/{take.label}/image"' in page
    assert "images/" not in page


def test_an_open_shot_shows_its_model_and_brief(client: TestClient, folder: Path) -> None:
    (folder / "briefs").mkdir(exist_ok=True)
    (folder / "briefs" / "s1.md").write_text("# Brief: s1\n\n## Cast\n\nAda <script>alert(1)</script>\n")
    as_reviewer(client, "Ana")
    page = client.get("/shots/s1").text
    assert "Take 1" in page and "gpt-image-2 on kie" in page
    assert "<h2>Cast</h2>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_scores_are_saved_per_reviewer_and_shown_again(client: TestClient, store: ReviewStore) -> None:
    as_reviewer(client, "Ana")
    status, _ = post_scores(client, "s1", "take 1", verdict="approve", note="clean")
    assert status == 303
    store.save("Bo", "s1", 1, scores={"fidelity": 2})
    page = client.get("/shots/s1?saved=take 1").text
    assert 'name="score.fidelity" min="0" max="10" step="1" value="7"' in page  # Ana's, not Bo's 2
    assert "Saved." in page and ">clean</textarea>" in page
    assert "1 other reviewer scored this shot" in page
    mine = {s.dimension: s.score for s in store.scores("s1") if s.reviewer == "Ana"}
    assert mine == SCORES
    assert {s.reviewer: s.score for s in store.scores("s1") if s.dimension == "fidelity"} == {"Ana": 7, "Bo": 2}


def test_saving_redirects_back_to_the_take(client: TestClient) -> None:
    as_reviewer(client, "Ana")
    page = client.get("/shots/s1").text
    response = client.post("/shots/s1/takes/take%201", data=score_form(page, "take 1"))
    assert response.headers["location"] == "/shots/s1?saved=take+1#take-take-1"


@pytest.mark.parametrize(("fields", "message"), [
    ({"score__fidelity": 11}, "fidelity: 11 is outside 0-10"),
    ({"score__fidelity": -1}, "fidelity: -1 is outside 0-10"),
    ({"score__adherence": "seven"}, "adherence: &#39;seven&#39; is not a number"),
    ({"score__adherence": "6.5"}, "adherence: 6.5 is not a whole number"),
    ({"verdict": "maybe"}, "verdict: &#39;maybe&#39; is not one of approve, reject, regenerate"),
    ({"note": "x" * 4001}, "note: 4,001 characters, at most 4,000"),
    ({"deltas": "colour=red"}, "--set colour: unknown delta"),
    ({"deltas": "just words"}, "expected KEY=VALUE"),
])  # fmt: skip
def test_bad_input_is_refused_and_nothing_is_saved(client: TestClient, store: ReviewStore, fields: dict[str, object],
                                                   message: str) -> None:
    as_reviewer(client, "Ana")
    status, page = post_scores(client, "s1", "take%201", **fields)
    assert status == 400
    assert message in page
    assert store.scores("s1") == [] and store.reviews("s1") == []
    if "note" not in fields:
        assert 'role="alert"' in page and "Save take take 1" in page  # the form comes back with the reason


def test_a_form_for_takes_that_changed_is_refused(client: TestClient, store: ReviewStore) -> None:
    as_reviewer(client, "Ana")
    page = client.get("/shots/s1").text
    data = score_form(page, "take 1") | {"view": "0" * 16}
    response = client.post("/shots/s1/takes/take%201", data=data)
    assert response.status_code == 409
    assert "this shot&#39;s takes changed since the page was opened" in response.text
    assert store.scores("s1") == []


def test_unknown_shots_and_takes_are_refused(client: TestClient) -> None:
    as_reviewer(client, "Ana")
    response = client.get("/shots/nope")
    assert response.status_code == 400 and "shot: unknown shot &#39;nope&#39;" in response.text
    page = client.get("/shots/s1").text
    response = client.post("/shots/s1/takes/Z", data=score_form(page, "Z"))
    assert response.status_code == 404 and "shot s1 has no take &#39;Z&#39;" in response.text


def test_a_regenerate_verdict_queues_a_rerun_with_its_delta_edits(client: TestClient, store: ReviewStore) -> None:
    as_reviewer(client, "Ana")
    status, _ = post_scores(client, "s1", "take%201", verdict="regenerate", note="four candles, not five",
                            deltas="counts=4 candles\nnegative=red; pink")
    assert status == 303
    [rerun] = store.pending_reruns()
    assert (rerun.shot_id, rerun.take, rerun.origin, rerun.reason) == ("s1", 1, "verdict", "four candles, not five")
    assert rerun.deltas == {"counts": ["4 candles"], "negative": ["red", "pink"]}
    page = client.get("/shots/s1").text
    assert "counts=4 candles\nnegative=red; pink</textarea>" in page
    assert 'value="regenerate" checked' in page


# -- reconcile -------------------------------------------------------------------------------------------
def test_reconcile_lists_divergences_and_resolves_them(client: TestClient, store: ReviewStore) -> None:
    store.save("Ana", "h1", 1, scores={"fidelity": 8}, note="sharp")
    store.save("Bo", "h1", 1, scores={"fidelity": 5})
    store.save("Bo", "h2", 1, scores={"fidelity": 5})
    store.save("Cy", "h2", 1, scores={"fidelity": 6})  # one point: within the threshold
    as_reviewer(client, "Ana")
    page = client.get("/reconcile").text
    assert "Reconcile: 1 divergence" in page
    section = page.split('<section class="divergence" data-shot="h1" data-dimension="fidelity">')[1]
    assert "3 points apart" in section
    assert "<td>Ana</td><td class=\"num\">8</td><td>sharp</td>" in section
    assert "<td>Bo</td><td class=\"num\">5</td><td></td>" in section
    label = store.view("h1", "Ana").label_of(1)
    assert f"take {label} · Image fidelity" in section
    data = {"csrf": csrf_of(page), "shot": "h1", "take": label, "view": field_of(page, "view"),
            "dimension": "fidelity", "text": ""}
    refused = client.post("/reconcile/resolve", data=data)
    assert refused.status_code == 400 and "resolution: write what was decided" in refused.text
    response = client.post("/reconcile/resolve", data=data | {"text": "8: the hands are right"})
    assert response.status_code == 303
    assert store.divergences() == []
    assert "Reconcile: 0 divergences" in client.get("/reconcile").text


def test_reconcile_rerun_queues_the_take(client: TestClient, store: ReviewStore) -> None:
    store.save("Ana", "h1", 2, scores={"adherence": 9})
    store.save("Bo", "h1", 2, scores={"adherence": 3})
    as_reviewer(client, "Ana")
    page = client.get("/reconcile").text
    data = {"csrf": csrf_of(page), "shot": "h1", "take": store.view("h1", "Ana").label_of(2),
            "view": field_of(page, "view"), "dimension": "adherence", "text": "count the candles again"}
    assert client.post("/reconcile/rerun", data=data).status_code == 303
    [rerun] = store.pending_reruns()
    assert (rerun.shot_id, rerun.take, rerun.origin, rerun.requested_by) == ("h1", 2, "reconcile", "Ana")
    page = client.get("/reconcile").text
    assert "Queued for regeneration (1)" in page and "count the candles again" in page
    assert client.post("/reconcile/delete", data=data).status_code == 404


# -- CSRF on every state-changing route -------------------------------------------------------------------
def test_every_post_route_refuses_a_form_without_its_csrf_token(client: TestClient) -> None:
    as_reviewer(client, "Ana")
    client.get("/shots/s1")  # the browser has its CSRF cookie
    posts = [r.path for r in client.app.routes if isinstance(r, Route) and "POST" in (r.methods or ())]  # type: ignore[attr-defined]
    assert set(posts) == {"/reviewer", "/shots/{shot_id}/takes/{label}", "/reconcile/{action:str}"}
    for path in ("/reviewer", "/shots/s1/takes/take%201", "/reconcile/resolve", "/reconcile/rerun"):
        for token in (None, "0" * 64):
            data = {"name": "Mallory", "score.fidelity": "0"} | ({"csrf": token} if token else {})
            response = client.post(path, data=data)
            assert response.status_code == 403, path
            assert "this form has expired or did not come from this app" in response.text


def test_state_never_changes_on_get(client: TestClient) -> None:
    for path in ("/shots/s1/takes/take%201", "/reconcile/resolve"):
        assert client.get(path).status_code == 405


# -- images ----------------------------------------------------------------------------------------------
def test_take_images_and_cached_thumbnails(client: TestClient, folder: Path) -> None:
    as_reviewer(client, "Ana")
    image = client.get("/shots/s1/takes/take%201/image")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == (folder / "images" / "s1-task-s1.png").read_bytes()
    thumb = client.get("/shots/s1/takes/take%201/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    [cached] = (folder / ".review" / "thumbs").iterdir()
    made = cached.stat().st_mtime_ns
    assert client.get("/shots/s1/takes/take%201/thumb").content == thumb.content
    assert cached.stat().st_mtime_ns == made  # made once


def test_images_need_a_reviewer(client: TestClient) -> None:
    assert client.get("/shots/s1/takes/take%201/image").status_code == 403


@pytest.mark.parametrize("recorded", ["../secret.png", "/etc/passwd.png", "images/../../secret.png",
                                      "images/out.png", "ledger.sqlite", "images/fifo.png"])
def test_only_media_files_inside_the_folder_are_served(folder: Path, recorded: str) -> None:
    """The ledger is untrusted too: a path it records that leads out (.., absolute, a symlink),
    or to something other than a regular media file, is never served."""
    (folder.parent / "secret.png").write_bytes(b"SECRET-BYTES")
    (folder / "images" / "out.png").symlink_to(folder.parent / "secret.png")
    import os

    os.mkfifo(folder / "images" / "fifo.png")
    db = sqlite3.connect(folder / "ledger.sqlite")
    db.execute("UPDATE shots SET files = ? WHERE id = 's1'", (f'[{{"path": "{recorded}", "sha256": "x"}}]',))
    db.commit()
    db.close()
    from composer.library import Library
    from composer.web.app import create_app
    from composer.web.security import Access

    with ReviewStore.open(folder, library=Library.find()) as store, \
            TestClient(create_app(folder, Access("127.0.0.1"), store=store), base_url="http://127.0.0.1",
                       follow_redirects=False) as client:
        as_reviewer(client, "Ana")
        for kind in ("image", "thumb"):
            response = client.get(f"/shots/s1/takes/take%201/{kind}")
            assert response.status_code in (403, 404), (recorded, kind)
            assert b"SECRET-BYTES" not in response.content


def test_no_route_takes_a_path(client: TestClient) -> None:
    for path in ("/files/ledger.sqlite", "/files/../secret.png", "/static/../ledger.sqlite", "/ledger.sqlite"):
        assert client.get(path).status_code == 404, path


def test_error_pages_escape_what_they_repeat(client: TestClient) -> None:
    as_reviewer(client, "Ana")
    response = client.get("/shots/%3Cimg src=x onerror=alert(1)%3E")
    assert response.status_code == 400
    assert "<img src=x" not in response.text and "&lt;img src=x onerror=alert(1)&gt;" in response.text
