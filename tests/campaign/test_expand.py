"""Campaign files: expansion, stable ids, exclusions, quotas, the cap, and every kind of bad input."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml
from campaign_support import SMALL, expansion_of, write

from composer.campaign import CampaignFileError, CapExceededError
from composer.campaign.expand import legacy_shot_id, matrix_size, shot_id_for
from composer.shot import ShotSpec
from composer.tui.campaign_file import append_shot


def ids_by_coordinates(path: Path, library: Path) -> dict[tuple[str, str, str, str, int], str]:
    return {(s.group, s.cast, s.scene, s.variant, s.take): s.id for s in expansion_of(path, library).shots}


def test_a_matrix_expands_to_cast_x_scenes_x_variants(small_campaign: Path, mini_library: Path) -> None:
    expansion = expansion_of(small_campaign, mini_library)
    assert len(expansion.shots) == 3 * 1 * 4 == matrix_size(expansion.campaign)
    pair = [s for s in expansion.shots if s.cast == "pair"]
    assert {s.variant for s in pair} == {"wide", "close", "dawn", "dusk"}
    assert all(s.spec.characters == ["ada", "bo"] and s.spec.scene == "harbour" for s in pair)
    close = next(s for s in pair if s.variant == "close")
    assert close.spec.deltas.framing == "close-up"
    assert close.options.aspect_ratio == "1:1" and close.options.resolution == "1K"  # variant over campaign
    assert len({s.id for s in expansion.shots}) == 12
    assert all(re.fullmatch(r"portraits-[a-z0-9.-]+-[0-9a-f]{10}", s.id) for s in expansion.shots)
    assert re.fullmatch(r"portraits-pair-harbour-close-[0-9a-f]{10}", close.id)  # readable: cast, scene, variant
    assert all(s.spec.name == s.id for s in expansion.shots)  # prompt files are named by shot id


def test_ids_are_the_digest_of_cast_scene_variant_and_take(small_campaign: Path, mini_library: Path) -> None:
    """The formula is a contract: every ledger and exported file name depends on these exact bytes."""
    for shot in expansion_of(small_campaign, mini_library).shots:
        identity = {"cast": shot.cast, "scene": shot.scene, "variant": shot.variant, "take": shot.take}
        blob = json.dumps(identity, sort_keys=True, separators=(",", ":")).encode()
        digest = hashlib.sha256(blob).hexdigest()[:10]
        assert shot.id == f"portraits-{shot.cast}-{shot.scene}-{shot.variant}-{digest}"
        assert legacy_shot_id(shot.id, shot.group) == f"portraits-{digest}"  # the id ledgers held before words
    assert shot.spec.references == [] and shot.spec.deltas.lighting == "last light"


def test_ids_depend_on_content_not_position(tmp_path: Path, mini_library: Path) -> None:
    before = ids_by_coordinates(write(tmp_path / "a.yaml", SMALL), mini_library)
    data = yaml.safe_load(SMALL)
    group = data["groups"]["portraits"]
    group["variants"].reverse()  # reorder
    group["cast"] = ["pair", "ada"]  # drop bo, reorder
    group["variants"][0]["deltas"]["framing"] = "edited"  # edit a variant's deltas
    data["groups"] = {"extra": {"cast": ["bo"], "scenes": ["harbour"]}, "portraits": group}  # a group first
    after = ids_by_coordinates(write(tmp_path / "b.yaml", yaml.safe_dump(data)), mini_library)
    kept = {key: value for key, value in before.items() if key[1] != "bo"}
    assert {key: after[key] for key in kept} == kept
    assert len(after) == len(kept) + 1


def test_takes_are_shots_of_their_own_with_stable_first_take(tmp_path: Path, mini_library: Path) -> None:
    one = ids_by_coordinates(write(tmp_path / "a.yaml", SMALL), mini_library)
    three = ids_by_coordinates(write(tmp_path / "b.yaml", SMALL.replace("scenes: [harbour]",
                                                                        "scenes: [harbour]\n    images: 3")),
                               mini_library)
    assert len(three) == 3 * len(one)
    assert all(three[key] == value for key, value in one.items())  # take 1 keeps its id


def test_exclusions_remove_exactly_the_pairs(tmp_path: Path, mini_library: Path) -> None:
    path = write(tmp_path / "c.yaml", SMALL + "exclusions:\n  - [pair, close]\n  - [bo, dusk]\n")
    expansion = expansion_of(path, mini_library)
    # [bo, dusk] names the character bo, so it removes both "bo" and "pair" at dusk.
    removed = {(s.cast, s.variant) for s in expansion_of(write(tmp_path / "d.yaml", SMALL), mini_library).shots} - {
        (s.cast, s.variant) for s in expansion.shots}
    assert removed == {("pair", "close"), ("bo", "dusk"), ("pair", "dusk")}
    assert expansion.excluded == {0: 1, 1: 2}


def test_explicit_shots_saved_by_the_tui_form_a_campaign(tmp_path: Path, mini_library: Path) -> None:
    path = tmp_path / "saved.yaml"
    append_shot(path, ShotSpec(characters=["ada"], scene="harbour", deltas={"action": "mending a net"}))
    append_shot(path, ShotSpec(characters=["bo"], scene="harbour", name="bo-harbour"))
    shots = expansion_of(path, mini_library).shots
    assert [(s.group, s.cast, s.spec.deltas.action) for s in shots] == [
        ("shots", "ada", "mending a net"), ("shots", "bo", None)]
    assert len({s.id for s in shots}) == 2


def test_the_same_explicit_shot_twice_is_refused(tmp_path: Path, mini_library: Path) -> None:
    path = tmp_path / "saved.yaml"
    for _ in range(2):
        append_shot(path, ShotSpec(characters=["ada"], scene="harbour"))
    with pytest.raises(CampaignFileError, match=r"saved.yaml:1: shots: two shots of group 'shots' are the same"):
        expansion_of(path, mini_library)


def test_unknown_ids_are_all_reported_at_once_with_lines(tmp_path: Path, mini_library: Path) -> None:
    text = """\
target: gpt-image-3
cast:
  solo: {characters: [adaa]}
shots:
  - characters: [bo]
    scene: harbor
groups:
  g:
    cast: [solo, nobody]
    scenes: [harbour, castle]
exclusions:
  - [solo, moon]
"""
    with pytest.raises(CampaignFileError) as caught:
        expansion_of(write(tmp_path / "bad.yaml", text), mini_library)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path / 'bad.yaml'}: 6 problems: ")
    expected = [
        "line 1: target: unknown target 'gpt-image-3' (did you mean 'gpt-image-2'?)",
        "line 3: cast.solo.characters.0: unknown character 'adaa' (did you mean 'ada'?)",
        "line 6: shots.0.scene: unknown scene 'harbor' (did you mean 'harbour'?)",
        "line 9: groups.g.cast.1: unknown cast 'nobody'",
        "line 10: groups.g.scenes.1: unknown scene 'castle' (known: harbour)",
        "line 12: exclusions.0.1: exclusion names unknown id 'moon'",
    ]
    positions = [message.index(item) for item in expected]
    assert positions == sorted(positions)


def test_schema_errors_are_located(tmp_path: Path, mini_library: Path) -> None:
    text = "groups:\n  g:\n    scenes: [harbour]\n    cats: [x]\n    images: 0\nexclusions:\n  - [a]\n"
    with pytest.raises(CampaignFileError) as caught:
        expansion_of(write(tmp_path / "bad.yaml", text), mini_library)
    message = str(caught.value)
    assert "line 4: groups.g.cats: unknown field" in message
    assert "line 5: groups.g.images: Input should be greater than or equal to 1" in message
    assert "line 7: exclusions.0: List should have at least 2 items" in message


@pytest.mark.parametrize(
    ("pair", "reason"),
    [
        ("[ada, castle]", "exclusions.1.1: exclusion names unknown id 'castle'"),
        ("[close, solo]", "exclusions.1: exclusion [close, solo] excludes nothing: no shot combines them"),
    ],
)
def test_an_exclusion_naming_nothing_is_an_error(tmp_path: Path, mini_library: Path, pair: str, reason: str) -> None:
    text = SMALL + "  solo:\n    cast: [bo]\n    scenes: [harbour]\n"
    text += f"exclusions:\n  - [ada, wide]\n  - {pair}\n"
    with pytest.raises(CampaignFileError, match=re.escape(reason)):
        expansion_of(write(tmp_path / "x.yaml", text), mini_library)


def test_an_unused_library_id_in_an_exclusion_is_named_as_such(tmp_path: Path, mini_library: Path) -> None:
    text = SMALL.replace("cast: [ada, bo, pair]", "cast: [ada]") + "exclusions:\n  - [ada, bo]\n"
    with pytest.raises(CampaignFileError, match="exclusion names 'bo', which no shot of this campaign uses"):
        expansion_of(write(tmp_path / "x.yaml", text), mini_library)


def test_quotas_bound_images_per_id(tmp_path: Path, mini_library: Path) -> None:
    ok = SMALL + "quotas:\n  - {each: character, min: 8, max: 8}\n  - {of: [ada, bo], max: 4}\n"
    assert len(expansion_of(write(tmp_path / "ok.yaml", ok), mini_library).shots) == 12
    bad = SMALL + "quotas:\n  - {each: character, max: 7}\n  - {of: [pair], min: 5}\n"
    with pytest.raises(CampaignFileError) as caught:
        expansion_of(write(tmp_path / "bad.yaml", bad), mini_library)
    message = str(caught.value)
    assert "character 'ada' gets 8 images, above the max of 7" in message
    assert "character 'bo' gets 8 images, above the max of 7" in message
    assert "pair gets 4 images, below the min of 5" in message


def test_the_cap_refuses_a_runaway_matrix_unless_confirmed(tmp_path: Path, mini_library: Path) -> None:
    path = write(tmp_path / "big.yaml", SMALL.replace("scenes: [harbour]", "scenes: [harbour]\n    images: 100"))
    with pytest.raises(CapExceededError, match=r"expands to 1,200 shots \(before exclusions\), over the cap of 1,000"):
        expansion_of(path, mini_library, max_shots=1000)
    assert len(expansion_of(path, mini_library, max_shots=1000, confirm=True).shots) == 1200
    capped = write(tmp_path / "capped.yaml", "max_shots: 11\n" + SMALL)
    with pytest.raises(CapExceededError, match="over the cap of 11"):
        expansion_of(capped, mini_library)


def test_the_default_cap_is_ten_thousand(tmp_path: Path, mini_library: Path) -> None:
    ten_k = SMALL.replace("scenes: [harbour]", "scenes: [harbour]\n    images: 834")  # 12 x 834 = 10,008
    with pytest.raises(CapExceededError, match="over the cap of 10,000"):
        expansion_of(write(tmp_path / "big.yaml", ten_k), mini_library)


def test_ids_read_as_what_the_shot_is() -> None:
    digest = "[0-9a-f]{10}"
    assert re.fullmatch(rf"hero-no7-carrara-marble-overhead-detail-{digest}",
                        shot_id_for("hero", {"cast": "no7", "scene": "carrara-marble-overhead", "variant": "detail",
                                             "take": 1}))
    assert re.fullmatch(rf"hero-no7-marble-take2-{digest}",
                        shot_id_for("hero", {"cast": "no7", "scene": "marble", "variant": "", "take": 2}))
    # An explicit shot's slug: '+' and '--' become single hyphens, case is folded.
    assert re.fullmatch(rf"shots-ada-bo-harbour-{digest}", shot_id_for("shots", {"shot": "Ada+bo--harbour", "take": 1}))
    long = shot_id_for("g", {"cast": "a" * 50, "scene": "b" * 50, "variant": "", "take": 1})
    assert re.fullmatch(rf"g-{'a' * 50}-{digest}", long)  # the words stop at a hyphen, within 80 characters
