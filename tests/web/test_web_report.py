"""The report page: the figures of ``compose review report`` (checked against hand-computed means),
by target, backend or group, the honoured counts, the divergences, and the chart as a PNG."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fakes.kie import FakeKie
from PIL import Image
from review_support import answered_checks, score_the_sample
from starlette.testclient import TestClient
from web_support import BASE, as_reviewer

from composer.review.store import ReviewStore
from composer.web.app import create_app
from composer.web.security import Access


@pytest.fixture
def scored(store: ReviewStore) -> ReviewStore:
    """The sample scores (review_support.score_the_sample: hand-computed means in its docstring)."""
    score_the_sample(store)
    return store


def row_of(page: str, key: str) -> str:
    found = re.search(rf'<tr data-row="{re.escape(key)}">(.*?)</tr>', page, re.S)
    assert found, f"no report row {key}"
    return found.group(1)


def cell(row: str, name: str) -> str:
    found = re.search(rf'<td class="num" {name}[^>]*>([^<]*)</td>', row)
    assert found, f"no cell {name}"
    return found.group(1)


def test_the_report_needs_a_reviewer_first(client: TestClient) -> None:
    response = client.get("/report")
    assert response.status_code == 303 and response.headers["location"] == "/reviewer?next=%2Freport"
    assert client.get("/report/chart.png").status_code == 403


def test_the_report_shows_the_hand_computed_figures_unblinded(client: TestClient, scored: ReviewStore) -> None:
    as_reviewer(client, "ana")
    assert 'href="/report"' in client.get("/").text  # linked from the grid's header
    page = client.get("/report").text
    assert "it unblinds the review" in page
    kie, openai = row_of(page, "gpt-image-2"), row_of(page, "openai-gpt-image-2")
    assert cell(kie, 'data-dimension="fidelity"') == "6.67 ±2.05"  # mean 20/3, pstdev of (7, 9, 4)
    assert cell(kie, 'data-dimension="adherence"') == "2.00 ±0.00"
    assert cell(kie, 'data-dimension="consistency"') == "-"
    assert cell(openai, 'data-dimension="fidelity"') == "4.00 ±1.00"
    assert cell(kie, "data-approved") == "2/3" and cell(openai, "data-approved") == "1/2"
    assert cell(kie, "data-cost") == "$0.09 / 18 cr"  # 3 x $0.06 and 3 x 12 credits over 2 approved
    assert cell(openai, "data-cost") == "$0.42"
    divergences = page.split("Divergences to reconcile (2)")[1]
    for shot, take, scores in [("h1", 1, "ana 8, ben 6"), ("h2", 2, "ana 1, ben 5")]:
        assert re.search(rf'<a href="/shots/{shot}">{shot}</a></td><td class="num">{take}</td>'
                         rf"<td>Image fidelity</td>\s*<td>{scores}</td>", divergences)
    assert 'href="/reconcile"' in divergences
    assert '<img class="chart" src="/report/chart.png?by=target"' in page


def test_the_report_by_group_and_by_backend(client: TestClient, scored: ReviewStore) -> None:
    as_reviewer(client, "ana")
    page = client.get("/report?by=group").text
    assert "by group</h1>" in page and re.findall(r'<tr data-row="([^"]+)">', page) == ["hero", "solo"]
    hero = row_of(page, "hero")  # fidelity per take: 7, 5, 9, 3 -> mean 6, sd sqrt(5)
    assert cell(hero, 'data-dimension="fidelity"') == "6.00 ±2.24" and cell(hero, "data-approved") == "2/4"
    assert cell(row_of(page, "solo"), 'data-dimension="fidelity"') == "4.00 ±0.00"
    assert '<img class="chart" src="/report/chart.png?by=group"' in page
    backend = client.get("/report?by=backend").text
    assert re.findall(r'<tr data-row="([^"]+)">', backend) == ["kie", "openai"]


@pytest.mark.parametrize("path", ["/report?by=model", "/report/chart.png?by=model"])
def test_a_bad_grouping_is_refused(client: TestClient, path: str) -> None:
    as_reviewer(client, "ana")
    response = client.get(path)
    assert response.status_code == 400
    assert "by: &#39;model&#39; is not one of target, backend, group" in response.text


def test_the_chart_is_a_png_of_the_means_and_writes_nothing(client: TestClient, scored: ReviewStore,
                                                            folder: Path) -> None:
    as_reviewer(client, "ana")
    before = sorted(p.relative_to(folder) for p in folder.rglob("*") if "thumb" not in p.parts)
    response = client.get("/report/chart.png?by=backend")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "PNG" and image.size == (1000, 560)
        colours = {image.convert("RGB").getpixel((x, 400)) for x in range(70, 970)}
    assert (0x4C, 0x72, 0xB0) in colours and (0xDD, 0x84, 0x52) in colours  # a bar for each backend
    assert sorted(p.relative_to(folder) for p in folder.rglob("*") if "thumb" not in p.parts) == before


def test_the_report_counts_instructions_honoured(tmp_path: Path, mini_library: Path, fake_kie: FakeKie) -> None:
    out = answered_checks(tmp_path, mini_library, fake_kie)
    with ReviewStore.open(out) as store, TestClient(create_app(out, Access("127.0.0.1"), store=store),
                                                    base_url=BASE, follow_redirects=False) as client:
        as_reviewer(client, "ana")
        page = client.get("/report").text
    honoured = page.split('data-honoured="gpt-image-2"')[1].split("</section>")[0]
    assert "<li>exactly 4 lobster pots: <strong>1/3</strong></li>" in honoured
    assert "<li>no umbrellas: <strong>2/3</strong></li>" in honoured
    assert "by kind: counts 1/3, do-not-include items 2/3" in honoured
