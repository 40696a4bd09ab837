"""The composer library and ``compose shot`` never import Textual; ``compose tui`` is registered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from composer.cli import COMMANDS, main

PROBE = """
import sys
from composer.cli import main
try:
    main(["shot", "--library", sys.argv[1], "--character", "ada", "--scene", "harbour"], standalone_mode=False)
finally:
    loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith(("textual.", "composer.tui")))
    print("LOADED:", ",".join(loaded), file=sys.stderr)
"""


def test_compose_shot_never_imports_textual(mini_library: Path) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, str(mini_library)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Ada (ada):" in done.stdout
    assert "LOADED: \n" in done.stderr


def test_tui_command_is_registered_and_reports_a_bad_library_in_one_line(tmp_path: Path) -> None:
    assert COMMANDS["tui"] == ("composer.cli.tui", "tui")
    result = CliRunner().invoke(main, ["tui", "--help"])
    assert result.exit_code == 0 and "--library" in result.output and "--campaign" in result.output
    result = CliRunner().invoke(main, ["tui", "--library", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: --library") and len(result.output.strip().splitlines()) == 1
