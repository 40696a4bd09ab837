"""Video models are data: a target's ``motion`` block says how its KIE model takes the first frame,
lengths and aspect ratios, and the frame cap; a team adds a model in composer.yaml without code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie

from composer.backends import GenerationOptions, Job, OptionError, validate_job
from composer.backends.options import builtin_motion, kie_model_for
from composer.cli import main
from composer.library import Library

SHOT = ("shot", "--character", "red-curls", "--scene", "castle", "--generate")
KLING = """
targets:
  kling-2-5:                    # the worked example of docs/generation.md
    max_chars: 2500
    template: motion.txt.j2
    backend: kie
    model: kling/v2-5-turbo-image-to-video-pro
    kind: video
    motion:
      frame_field: image_url    # one URL, not a list
      frame_list: false
      max_frame_mb: 10
      duration_field: duration
      durations: [5, 10]
      aspect_ratios: []         # the clip follows the first frame
      input: {negative_prompt: "blur, distortion"}
"""


def cli(*args: str, env: dict[str, str], library: Path) -> Result:
    return CliRunner().invoke(main, [*args, "--library", str(library)], env={**FAST_ENV, **env})


@pytest.fixture
def team_library(example_library: Path, tmp_path: Path) -> Path:
    """The example library with the Kling target of the docs added to its composer.yaml."""
    root = tmp_path / "lib"
    shutil.copytree(example_library, root, ignore=shutil.ignore_patterns(".venv", ".git", "tests", "out", "*.egg-info"))
    with (root / "composer.yaml").open("a", encoding="utf-8") as fh:
        fh.write(KLING)
    return root


def big_png(path: Path, megabytes: float) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * int(megabytes * 1_000_000))
    return path


def test_the_builtin_sora_target_carries_its_model_as_data(example_library: Path) -> None:
    motion = Library(example_library).target("sora-2").motion
    assert motion is not None and motion == builtin_motion()["sora-2-image-to-video"]
    assert (motion.frame_field, motion.durations, motion.aspect_ratios, motion.max_frame_mb) == \
        ("image_urls", [10, 15], ["landscape", "portrait"], 10)


def test_a_sora_first_frame_over_10_mb_is_refused_before_upload(fake_kie: FakeKie, example_library: Path,
                                                                tmp_path: Path) -> None:
    frame = big_png(tmp_path / "still.png", 10.5)
    result = cli(*SHOT, "--target", "sora-2", "--frame", str(frame), "--out", str(tmp_path / "out"),
                 env=fake_kie.env(), library=example_library)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: still.png is 10.5 MB; Sora 2's first frame on KIE takes at most 10 MB: export it smaller "
        "(e.g. as JPEG or WebP)")
    assert sum(fake_kie.calls.values()) == 0


def test_a_team_adds_a_kie_video_model_in_composer_yaml(fake_kie: FakeKie, team_library: Path, frame: Path,
                                                       tmp_path: Path) -> None:
    result = cli(*SHOT, "--target", "kling-2-5", "--frame", str(frame), "--n-frames", "5", "--out",
                 str(tmp_path / "out"), env=fake_kie.env(), library=team_library)
    assert result.exit_code == 0, result.stderr
    (body,) = fake_kie.requests
    assert body["model"] == "kling/v2-5-turbo-image-to-video-pro"
    sent = body["input"]
    assert fake_kie.uploads[sent["image_url"]] == frame.read_bytes()  # one URL, as the model takes it
    assert (sent["duration"], sent["negative_prompt"]) == ("5", "blur, distortion")
    assert set(sent) == {"prompt", "image_url", "duration", "negative_prompt"}
    assert next((tmp_path / "out").glob("*.mp4")).is_file()


@pytest.mark.parametrize(("flags", "message"), [
    (("--n-frames", "15"), "n_frames 15 is not offered by kling/v2-5-turbo-image-to-video-pro on KIE "
                           "(choose 5 or 10 seconds)"),
    (("--aspect-ratio", "16:9"), "aspect ratio '16:9' is not offered by kling/v2-5-turbo-image-to-video-pro on "
                                 "KIE (it takes none: the clip follows the first frame)"),
])
def test_the_data_decides_what_a_video_model_accepts(fake_kie: FakeKie, team_library: Path, frame: Path,
                                                    tmp_path: Path, flags: tuple[str, ...], message: str) -> None:
    result = cli(*SHOT, "--target", "kling-2-5", "--frame", str(frame), *flags, "--out", str(tmp_path / "out"),
                 env=fake_kie.env(), library=team_library)
    assert result.exit_code == 1 and result.stderr.strip().splitlines()[-1] == f"Error: {message}"
    assert sum(fake_kie.calls.values()) == 0


def test_a_video_model_without_a_text_model_needs_a_first_frame(team_library: Path) -> None:
    target = Library(team_library).target("kling-2-5")
    job = Job("p", target="kling-2-5", model=target.model, kind="video", motion=target.motion)
    with pytest.raises(OptionError, match=r"^kling/v2-5-turbo-image-to-video-pro needs a first frame"):
        validate_job(job)
    sora = Job("p", target="sora-2", model="sora-2-image-to-video", kind="video")  # a record from before: built-in
    assert kie_model_for(sora) == "sora-2-text-to-video"


def test_a_job_keeps_its_motion_model_through_its_record(team_library: Path) -> None:
    target = Library(team_library).target("kling-2-5")
    job = Job("p", reference_frames=(Path("f.png"),), target="kling-2-5", model=target.model, kind="video",
              motion=target.motion, options=GenerationOptions(n_frames=10))
    assert Job.from_json(job.to_json()) == job
