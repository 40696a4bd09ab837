"""Import hygiene: the layers contract holds, and what each entry point loads stays what it needs.

The contract (``[tool.importlinter]`` in pyproject.toml) says which package may import which; the
subprocess probes say what an import actually loads at run time (lazy imports included).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FRONT_END_STACKS = ("textual", "starlette", "uvicorn", "aiohttp", "httpx", "openai", "numpy", "PIL")


def loaded(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_layers_contract_is_kept() -> None:
    code = "import sys\nfrom importlinter.cli import lint_imports\nsys.exit(lint_imports(no_cache=True, no_logo=True))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("module", ["composer", "composer.compose", "composer.export", "composer.validate",
                                    "composer.campaign.plan", "composer.campaign.status"])
def test_the_pipeline_loads_no_front_end_network_or_pixel_stack(module: str) -> None:
    assert loaded(f"import {module}", FRONT_END_STACKS) == []


def test_importing_the_library_does_not_import_textual() -> None:
    assert loaded("import composer, composer.compose, composer.tui.session", ("textual",)) == []


def test_the_backend_packages_import_no_http_stack() -> None:
    code = "import composer.backends, composer.generate, composer.cli.generate"
    assert loaded(code, ("aiohttp", "httpx", "openai", "textual")) == []


def test_the_tui_does_not_import_the_cli() -> None:
    assert loaded("import composer.tui.app, composer.tui.generation", ("composer.cli",)) == []


def test_settings_load_only_the_schedules_of_the_backends() -> None:
    """Every command builds the settings; they need the poll/retry schedules, not the backends."""
    heavy = ("composer.backends.types", "composer.backends.options", "composer.backends.prices",
             "composer.backends.make", "composer.backends.kie")
    assert loaded("import composer.settings", heavy) == []
    assert loaded("from composer.backends import Job", heavy) == ["composer.backends.types"]


def test_campaign_status_reads_qc_reports_without_the_pixel_checks() -> None:
    """QC sits above campaigns (it reads ledgers): a status or a contact sheet never imports it."""
    assert loaded("import composer.campaign.status, composer.campaign.sheet", ("composer.qc",)) == []
