"""The README's "Storyboard to film" walkthrough runs as written: every command of its code blocks,
in a copy of the bundled library, against the fake KIE server (``compose review DIR`` serves the
browser app, so it is only started and stopped)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie
from frames_support import REPO

SECTION = re.compile(r"^## Storyboard to film\n(.*?)^## ", re.S | re.M)
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
SERVE = "compose review storyboard/"


def _commands() -> list[str]:
    section = SECTION.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert section is not None
    return [line for block in BLOCK.findall(section.group(1)) for line in block.splitlines() if line.strip()]


def test_the_walkthrough_commands_work_as_written(library: Path, fake_kie: FakeKie) -> None:
    commands = _commands()
    assert any(c.startswith("compose frame promote") for c in commands)
    env = {**os.environ, **FAST_ENV, **fake_kie.env(), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    for command in commands:
        if command.split("#")[0].strip() == SERVE:
            serve = subprocess.Popen([*command.split("#")[0].split(), "--port", "0"], cwd=library, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                assert serve.stdout is not None and serve.stdout.readline().startswith("Reviewing storyboard")
            finally:
                serve.terminate()
                serve.wait(10)
            continue
        done = subprocess.run(["bash", "-c", command], cwd=library, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    frames = library / "bibles/characters/frames"
    still = library / "storyboard/images/stills-teapot-gone-8bcda4ff93.png"
    assert (frames / "bear-1.png").read_bytes() == still.read_bytes()
    clips = [b for b in fake_kie.requests if b["model"] == "sora-2-image-to-video"]
    assert len(clips) == 3  # the two approved stills, and the one named by shot id
