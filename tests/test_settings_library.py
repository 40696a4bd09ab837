"""The library's ``composer.yaml`` layer of the settings: flag > environment > composer.yaml > built-in."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from composer.backends.schedule import DEFAULT_DEADLINES, DEFAULT_RETRY, PollSchedule, RequestDeadlines
from composer.cli import main
from composer.cli.options import cli_settings, open_library
from composer.errors import LibraryError
from composer.generate.jobs import GenerateSettings
from composer.library import Library
from composer.settings import Settings, SettingsError

CONFIG = """name: mini
defaults:
  brand: acme
  style: wash
  poll: {initial: 1, deadline: 600}
  retry:
    attempts: 2
  request_deadline: {api: 30}
"""


def library_with(root: Path, config: str) -> Library:
    (root / "composer.yaml").write_text(config, encoding="utf-8")
    return Library(root)


def test_composer_yaml_lies_under_the_environment_and_over_the_built_in(mini_library: Path) -> None:
    library = library_with(mini_library, CONFIG)
    settings = Settings.from_env({}).with_library(library)
    assert settings.poll == PollSchedule(initial=1.0, deadline=600.0)
    assert settings.retry.attempts == 2 and settings.retry.max_delay == DEFAULT_RETRY.max_delay
    assert settings.deadlines == RequestDeadlines(api=30.0, download=DEFAULT_DEADLINES.download)
    # a variable replaces the file's whole schedule; the fields it does not touch keep the file's
    env = Settings.from_env({"COMPOSER_POLL": "initial=5", "COMPOSER_REQUEST_DEADLINE": "download=60"})
    layered = env.with_library(library)
    assert layered.poll == PollSchedule(initial=5.0) and layered.retry.attempts == 2
    assert layered.deadlines == RequestDeadlines(download=60.0)
    # the --deadline flag is over all of them
    assert GenerateSettings.of(layered, deadline=50).poll.deadline == 50
    assert GenerateSettings.of(settings).poll.deadline == 600


def test_a_library_without_them_keeps_the_built_in_defaults(mini_library: Path) -> None:
    settings = Settings.from_env({})
    assert settings.with_library(Library(mini_library)) == settings


@pytest.mark.parametrize(("entry", "message"), [
    ("poll: {interval: 1}", "defaults.poll: unknown setting 'interval' (known: deadline, initial, later, max_rate, "
                            "switch_after)"),
    ("request_deadline: {api: 0}", "defaults.request_deadline: api must be a number of seconds above 0"),
])
def test_a_bad_value_names_composer_yaml_its_line_and_the_field(mini_library: Path, entry: str, message: str) -> None:
    library = library_with(mini_library, f"name: mini\ndefaults:\n  brand: acme\n  {entry}\n")
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({}).with_library(library)
    assert str(caught.value) == f"{mini_library / 'composer.yaml'}:4: {message}"
    result = CliRunner().invoke(main, ["list", "characters", "--library", str(mini_library)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"Error: {mini_library / 'composer.yaml'}:4: {message}\n"


def test_a_value_that_is_not_a_number_is_a_located_library_error(mini_library: Path) -> None:
    library = library_with(mini_library, "name: mini\ndefaults:\n  retry: {attempts: many}\n")
    with pytest.raises(LibraryError) as caught:
        Settings.from_env({}).with_library(library)
    assert caught.value.line == 3 and caught.value.field is not None and "retry" in caught.value.field


def test_a_command_sees_the_library_defaults_once_it_opens_the_library(mini_library: Path) -> None:
    library_with(mini_library, CONFIG)

    @click.command()
    def probe() -> None:
        before = cli_settings().poll.deadline
        open_library(mini_library)
        click.echo(f"{before} {cli_settings().poll.deadline} {cli_settings().retry.attempts}")

    result = CliRunner().invoke(probe, [], env={"COMPOSER_RETRY": "attempts=7"})
    assert result.exit_code == 0, result.output
    assert result.stdout == "900.0 600.0 7\n"
