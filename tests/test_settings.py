"""One settings object: flag > environment > built-in default, a bad value named in one line, keys never logged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie, Reply

from composer.backends.schedule import DEFAULT_POLL, DEFAULT_RETRY, PollSchedule
from composer.cli import main
from composer.settings import DEFAULT_KIE_BASE_URL, Settings, SettingsError

REPO = Path(__file__).resolve().parent.parent


def cli(*args: str, env: dict[str, str | None] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_built_in_defaults_under_the_environment_under_the_flags(tmp_path: Path) -> None:
    assert Settings.from_env({}).poll == DEFAULT_POLL and Settings.from_env({}).retry == DEFAULT_RETRY
    assert Settings.from_env({}).kie_base_url == DEFAULT_KIE_BASE_URL and Settings.from_env({}).log is None
    env = {"COMPOSER_POLL": "initial=1,deadline=60", "COMPOSER_RETRY": "attempts=2", "COMPOSER_LIBRARY": "/lib/env",
           "KIE_BASE_URL": "http://127.0.0.1:9/", "COMPOSER_ALLOW_HOSTS": "cdn.local:8080, Other ",
           "COMPOSER_TOKEN_ESTIMATE": "1", "COMPOSER_LOG": "info", "COMPOSER_CACHE_DIR": str(tmp_path)}
    settings = Settings.from_env(env)
    assert settings.poll == PollSchedule(initial=1.0, deadline=60.0) and settings.retry.attempts == 2
    assert (settings.library, settings.library_origin) == (Path("/lib/env"), "COMPOSER_LIBRARY")
    assert settings.kie_base_url == "http://127.0.0.1:9/" and settings.allow_hosts == ("cdn.local:8080", "other")
    assert settings.token_estimate and settings.log == "info" and settings.cache_dir == tmp_path
    flagged = Settings.from_env(env, library=Path("/lib/flag"), verbose=True)
    assert (flagged.library, flagged.library_origin, flagged.log) == (Path("/lib/flag"), "--library", "debug")
    assert Settings.from_env({"COMPOSER_CACHE_DIR": "off"}).cache_dir is None
    assert Settings.from_env({"XDG_CACHE_HOME": "/x"}).cache_dir == Path("/x/composer")


def test_keys_are_held_but_never_shown() -> None:
    settings = Settings.from_env({"KIE_API_KEY": " kie-secret ", "OPENAI_API_KEY": ""})
    assert settings.api_key("kie") == "kie-secret" and settings.api_key("openai") is None
    assert "kie-secret" not in repr(settings)


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("COMPOSER_POLL", "interval=1", "COMPOSER_POLL: unknown setting 'interval' (known: deadline, initial, later, "
                                    "max_rate, switch_after)"),
    ("COMPOSER_RETRY", "attempts=many", "COMPOSER_RETRY: attempts='many' is not a number"),
    ("COMPOSER_REQUEST_DEADLINE", "api=0", "COMPOSER_REQUEST_DEADLINE: api must be a number of seconds above 0"),
    ("COMPOSER_ALLOW_HOSTS", "cdn:http", "COMPOSER_ALLOW_HOSTS: 'cdn:http' is not host or host:port"),
    ("COMPOSER_TOKEN_ESTIMATE", "maybe", "COMPOSER_TOKEN_ESTIMATE: 'maybe' is not 1 or 0 (true/false, yes/no, "
                                         "on/off)"),
    ("COMPOSER_LOG", "loud", "COMPOSER_LOG: 'loud' is not one of debug, info, warning (or off)"),
    ("KIE_BASE_URL", "api.kie.ai", "KIE_BASE_URL: 'api.kie.ai' is not an http:// or https:// URL"),
])
def test_a_bad_value_is_one_line_naming_the_variable_exit_2(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: value})
    assert str(caught.value) == message
    code, out, err = cli("list", "characters", env={variable: value})
    assert (code, out, err) == (2, "", f"Error: {message}\n")


def test_the_cli_builds_the_settings_once_from_flags_and_environment(mini_library: Path, tmp_path: Path) -> None:
    assert cli("list", "characters", env={"COMPOSER_LIBRARY": str(mini_library)})[1] == "ada\nbo\n"
    code, _, err = cli("list", "characters", env={"COMPOSER_LIBRARY": str(tmp_path / "none")})
    assert code == 1 and err == (f"Error: COMPOSER_LIBRARY {tmp_path / 'none'} is not a composer library (no "
                                 "composer.yaml, bibles/ or brand_kits/)\n")
    # the flag wins over the environment
    env = {"COMPOSER_LIBRARY": str(tmp_path / "none")}
    assert cli("--library", str(mini_library), "list", "characters", env=env)[1] == "ada\nbo\n"
    assert cli("list", "characters", "--library", str(mini_library), env=env)[1] == "ada\nbo\n"


def test_python_dash_m_composer_runs_the_cli(mini_library: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "composer", "--library", str(mini_library), "list", "characters"],
                            capture_output=True, text=True, check=False, cwd=REPO)
    assert (result.returncode, result.stdout) == (0, "ada\nbo\n"), result.stderr
    result = subprocess.run([sys.executable, "-m", "composer", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("Usage: compose ")


def test_the_package_is_typed() -> None:
    assert (REPO / "composer" / "py.typed").is_file()  # hatch ships every file of the package in the wheel


@pytest.mark.parametrize("switch", [("--verbose",), ()])
def test_verbose_logs_requests_and_retries_never_the_key(example_library: Path, tmp_path: Path,
                                                         switch: tuple[str, ...]) -> None:
    key = "kie-SECRET-LOGGED-NEVER-4711"
    with FakeKie(api_key=key) as fake:
        fake.script("createTask", Reply(500, msg=f"echoing {key}"))  # safe to re-create; echoes the key
        env: dict[str, str | None] = {**FAST_ENV, **fake.env(), "COMPOSER_LOG": None if switch else "debug"}
        code, _, err = cli(*switch, "shot", "-c", "red-curls", "-s", "castle", "--generate", "--out", str(tmp_path),
                           "--library", str(example_library), env=env)
    assert code == 0, err
    assert f"DEBUG composer.backends.kie: POST {fake.api_url}/api/v1/jobs/createTask (createTask)" in err
    assert "INFO composer.backends.retry: retry 2 of 4" in err
    assert "INFO composer.generate.lifecycle:" in err and "accepted as task" in err
    assert key not in err


def test_without_the_switch_nothing_is_logged(example_library: Path, tmp_path: Path) -> None:
    with FakeKie() as fake:
        code, _, err = cli("shot", "-c", "red-curls", "-s", "castle", "--generate", "--out", str(tmp_path),
                           "--library", str(example_library), env={**FAST_ENV, **fake.env()})
    assert code == 0, err
    assert "composer.backends" not in err and "DEBUG" not in err
