"""`compose campaign run --regenerate`: a review's regenerate verdicts and re-runs made as new takes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie
from fakes.openai_images import FakeOpenAI
from review_support import CHECKED

from composer.campaign.ledger import Ledger
from composer.cli import main
from composer.review import ReviewStore


@pytest.fixture
def env(fake_kie: FakeKie, monkeypatch: pytest.MonkeyPatch) -> FakeKie:
    for name, value in {**fake_kie.env(), **FAST_ENV}.items():
        monkeypatch.setenv(name, value)
    return fake_kie


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    path = tmp_path / "checked.yaml"
    path.write_text(CHECKED, encoding="utf-8")
    return path


def run(campaign: Path, out: Path, library: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["campaign", "run", str(campaign), "--out", str(out), "--library",
                                       str(library), *extra])
    return result.exit_code, result.stderr


def creates(fake: FakeKie) -> int:
    return fake.calls["createTask"]


def first_run_and_verdict(campaign: Path, out: Path, library: Path) -> str:
    """One shot generated, then a reviewer asks for it again with 3 pots instead of 4."""
    assert run(campaign, out, library)[0] == 0
    with ReviewStore.open(out) as store:
        (card,) = store.shots()
        store.save("ana", card.id, 1, scores={"fidelity": 4}, verdict="regenerate", note="four pots, wanted three",
                   deltas={"counts": ["3 lobster pots"]})
    return card.id


def test_regenerate_makes_take_2_with_the_edits_and_never_pays_twice(campaign: Path, mini_library: Path,
                                                                     tmp_path: Path, env: FakeKie) -> None:
    out = tmp_path / "out"
    shot = first_run_and_verdict(campaign, out, mini_library)
    assert creates(env) == 1

    code, err = run(campaign, out, mini_library, "--regenerate")
    assert code == 0, err
    assert "regenerate: 1 shot(s) the review asked for again" in err
    assert f"take 2 of {shot} (regenerates take 1): four pots, wanted three" in err
    assert creates(env) == 2
    prompt = env.requests[-1]["input"]["prompt"]
    assert "Exactly 3 lobster pots" in prompt and "4 lobster pots" not in prompt  # the count replaced, not added
    assert "Exactly 3 lobster pots" in (out / "briefs" / f"{shot}.txt").read_text(encoding="utf-8")

    with ReviewStore.open(out) as store:
        one, two = store.shot(shot).takes
        assert (two.take, two.parent, two.reason) == (2, 1, "four pots, wanted three")
        assert one.image is not None and one.image.is_file() and "superseded" in one.image.parts
        assert two.image is not None and two.image.is_file() and two.image != one.image
        assert store.pending_reruns() == []
        assert [(r.take, r.done_take) for r in store.answered_reruns()] == [(1, 2)]
        assert [s.reviewer for s in store.scores(shot)] == ["ana"]  # take 1's scores are kept, on take 1
    with Ledger(out, create=False) as ledger:
        assert len(ledger.tasks()) == 2  # every provider task kept

    code, err = run(campaign, out, mini_library, "--regenerate")  # asked again: nothing is queued
    assert code == 0 and "regenerate: 0 shot(s)" in err and "0 generated, 1 already done" in err
    code, err = run(campaign, out, mini_library)  # a plain run: the edited brief is the shot's brief, not stale
    assert code == 0 and "stale" not in err and creates(env) == 2


def test_an_interrupted_regenerate_is_collected_not_sent_again(campaign: Path, mini_library: Path, tmp_path: Path,
                                                               env: FakeKie, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    shot = first_run_and_verdict(campaign, out, mini_library)
    env.polls_to_finish = 10_000  # accepted, never finished within this run's polling deadline
    monkeypatch.setenv("COMPOSER_POLL", "initial=0.005,later=0.01,switch_after=0.05,deadline=0.3,max_rate=none")
    code, err = run(campaign, out, mini_library, "--regenerate")
    assert code == 1 and creates(env) == 2, err
    with ReviewStore.open(out) as store:
        assert len(store.shot(shot).takes) == 1 and len(store.pending_reruns()) == 1

    env.polls_to_finish = 1
    monkeypatch.setenv("COMPOSER_POLL", FAST_ENV["COMPOSER_POLL"])
    code, err = run(campaign, out, mini_library, "--regenerate")
    assert code == 0, err
    assert creates(env) == 2  # the paid-for task was collected
    assert f"take 2 of {shot} (regenerates take 1): four pots, wanted three" in err
    with ReviewStore.open(out) as store:
        assert store.pending_reruns() == [] and store.shot(shot).take(2) is not None


def test_regenerate_keeps_to_the_budget(campaign: Path, mini_library: Path, tmp_path: Path, env: FakeKie) -> None:
    out = tmp_path / "out"
    first_run_and_verdict(campaign, out, mini_library)
    code, err = run(campaign, out, mini_library, "--regenerate", "--budget-credits", "12")
    assert code == 1 and creates(env) == 1
    assert err.strip().splitlines()[-1] == (f"Error: 12 of the 12-credit budget are already spent or committed in "
                                            f"{out}; the 0 left buy no image (12 credits)")


def test_a_reconcile_rerun_is_regenerated_too(campaign: Path, mini_library: Path, tmp_path: Path,
                                              env: FakeKie) -> None:
    out = tmp_path / "out"
    assert run(campaign, out, mini_library)[0] == 0
    with ReviewStore.open(out) as store:
        (card,) = store.shots()
        store.save("ana", card.id, 1, scores={"fidelity": 8})
        store.save("ben", card.id, 1, scores={"fidelity": 3})
        assert [d.spread for d in store.divergences()] == [5]
        store.resolve(card.id, 1, "fidelity", "the gull is cut off: make it again", "ana", rerun=True)
    code, err = run(campaign, out, mini_library, "--regenerate")
    assert code == 0, err
    assert f"take 2 of {card.id} (regenerates take 1): reconcile (fidelity): the gull is cut off" in err
    assert creates(env) == 2
    prompt = env.requests[-1]["input"]["prompt"]
    assert "Exactly 4 lobster pots" in prompt  # no delta edits: the same brief, made again

    with ReviewStore.open(out) as store:  # the same brief made a third time: every image is kept
        store.save("ben", card.id, 2, verdict="regenerate", note="still cut off")
    code, err = run(campaign, out, mini_library, "--regenerate")
    assert code == 0 and f"take 3 of {card.id} (regenerates take 2): still cut off" in err
    with ReviewStore.open(out) as store:
        images = [t.image for t in store.shot(card.id).takes]
    assert all(i is not None and i.is_file() for i in images)
    assert len({i.read_bytes() for i in images if i is not None}) == 3


def test_each_take_keeps_the_brief_it_was_sent_with(campaign: Path, mini_library: Path, tmp_path: Path,
                                                    env: FakeKie) -> None:
    from starlette.testclient import TestClient

    from composer.web.app import create_app
    from composer.web.security import Access

    out = tmp_path / "out"
    shot = first_run_and_verdict(campaign, out, mini_library)
    assert run(campaign, out, mini_library, "--regenerate")[0] == 0
    with ReviewStore.open(out) as store:
        one, two = store.shot(shot).takes
        assert one.brief is not None and two.brief is not None and one.brief != two.brief
        assert "sent" in one.brief.parts and "4 lobster pots" in one.brief.read_text(encoding="utf-8")
        assert "Exactly 3 lobster pots" in two.brief.read_text(encoding="utf-8")
        assert [(b.labels, b.path) for b in store.view(shot, "bo").briefs] == [(("take 1",), one.brief),
                                                                               (("take 2",), two.brief)]
        client = TestClient(create_app(out, Access("127.0.0.1"), store=store), base_url="http://127.0.0.1:8765")
        client.cookies.set("composer_reviewer", "bo")
        page = client.get(f"/shots/{shot}")
    assert page.status_code == 200, page.text
    first, second = page.text.index("As sent for take 1"), page.text.index("As sent for take 2")
    assert "4 lobster pots" in page.text[first:second] and "Exactly 3 lobster pots" in page.text[second:]


def test_a_rerun_of_the_same_brief_on_openai_is_a_new_take(mini_library: Path, tmp_path: Path, env: FakeKie,
                                                          fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """OpenAI answers without a task id: the take is told apart by the ledger's send count."""
    for name, value in fake_openai.env().items():
        monkeypatch.setenv(name, value)
    campaign = tmp_path / "openai.yaml"
    campaign.write_text(CHECKED.replace('options: {aspect_ratio: "1:1", resolution: 1K}\n', "")
                        .replace("    cast: [bo]\n", "    cast: [bo]\n    backend: openai\n"), encoding="utf-8")
    out = tmp_path / "out"
    code, err = run(campaign, out, mini_library)
    assert code == 0, err
    with ReviewStore.open(out) as store:
        (card,) = store.shots()
        store.save("ana", card.id, 1, verdict="regenerate", note="again, as it is")
    code, err = run(campaign, out, mini_library, "--regenerate")
    assert code == 0, err
    assert f"take 2 of {card.id} (regenerates take 1): again, as it is" in err
    with ReviewStore.open(out) as store:
        assert [(t.take, t.backend) for t in store.shot(card.id).takes] == [(1, "openai"), (2, "openai")]
    assert sum(fake_openai.calls.values()) == 2


def test_a_regenerated_take_is_checked_against_its_edited_brief(campaign: Path, mini_library: Path, tmp_path: Path,
                                                                env: FakeKie) -> None:
    out = tmp_path / "out"
    shot = first_run_and_verdict(campaign, out, mini_library)  # take 1: 4 pots; the edit asks for 3
    assert run(campaign, out, mini_library, "--regenerate")[0] == 0
    with ReviewStore.open(out) as store:
        one, two = store.shot(shot).takes
        labels = {t.take: [c.label for c in store.take_checks(t) if c.kind == "count"] for t in (one, two)}
        assert labels == {1: ["exactly 4 lobster pots"], 2: ["exactly 3 lobster pots"]}
        (count,) = [c for c in store.take_checks(two) if c.kind == "count"]
        assert count.expected == 3
        store.save("bo", shot, 2, checks={count.id: "0"})
        assert [(a.take, a.label, a.honoured) for a in store.answers(shot)] == [(2, "exactly 3 lobster pots", True)]
