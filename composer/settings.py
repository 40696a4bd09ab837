"""Every setting composer takes from outside its arguments, in one frozen, typed object.

One precedence rule for every field: a command-line flag > the environment > the library's
``composer.yaml`` (``defaults:``) > the built-in default. ``Settings.from_env`` reads the
environment (the only place in composer that does) and ``with_library`` lays the library's
``defaults:`` under it; the front ends build the object once (``compose`` for each command, from
its flags and ``os.environ``; the TUI when it starts) and pass it down. Library code takes the
settings, or the values it needs, as parameters.

A value that does not parse is a ``SettingsError`` naming the variable
(``COMPOSER_POLL: unknown setting 'interval' ...``); the CLI prints it in one line and exits 2.

The variables, their meaning and defaults are tabled in docs/generation.md ("Settings").
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO, TypeVar

from composer.backends.errors import OptionError
from composer.backends.schedule import (
    DEFAULT_DEADLINES,
    DEFAULT_POLL,
    DEFAULT_RETRY,
    PollSchedule,
    RequestDeadlines,
    RetryPolicy,
)
from composer.errors import ComposerError

if TYPE_CHECKING:
    from composer.library import Library

LogLevel = Literal["debug", "info", "warning"]
LOG_LEVELS: dict[str, int] = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
DEFAULT_KIE_BASE_URL = "https://api.kie.ai"
DEFAULT_KIE_UPLOAD_BASE_URL = "https://kieai.redpandaai.co"
TRUE, FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"", "0", "false", "no", "off"})
CACHE_OFF = frozenset({"", "off", "0", "none"})
T = TypeVar("T")


class SettingsError(ComposerError):
    """A setting (an environment variable or a ``composer.yaml`` default) has a value that does not parse."""

    exit_code = 2


@dataclass(frozen=True)
class Settings:
    """Where the library is, how to reach the providers, how patiently to wait, what to log."""

    library: Path | None = None
    """Library root (``--library``, ``COMPOSER_LIBRARY``); None: the current directory when it holds
    a library, else the bundled example library."""
    library_origin: str = "--library"
    """Where ``library`` came from, for messages: ``--library`` or ``COMPOSER_LIBRARY``."""
    poll: PollSchedule = DEFAULT_POLL
    """When to poll a task (``COMPOSER_POLL``, e.g. ``initial=2.5,later=7.5,deadline=900``;
    ``--deadline`` overrides its deadline)."""
    retry: RetryPolicy = DEFAULT_RETRY
    """How often and how long to retry a transient failure (``COMPOSER_RETRY``, e.g. ``attempts=5``)."""
    deadlines: RequestDeadlines = DEFAULT_DEADLINES
    """The most one request may take (``COMPOSER_REQUEST_DEADLINE``, e.g. ``api=120,download=900``)."""
    allow_hosts: tuple[str, ...] = ()
    """``host`` or ``host:port`` entries trusted although inside the network (``COMPOSER_ALLOW_HOSTS``,
    comma-separated)."""
    kie_api_key: str | None = field(default=None, repr=False)
    """KIE's API key (``KIE_API_KEY``). Never shown, never logged."""
    openai_api_key: str | None = field(default=None, repr=False)
    """OpenAI's API key (``OPENAI_API_KEY``). Never shown, never logged."""
    kie_base_url: str = DEFAULT_KIE_BASE_URL
    """KIE's API (``KIE_BASE_URL``: a proxy, or a test fake)."""
    kie_upload_base_url: str = DEFAULT_KIE_UPLOAD_BASE_URL
    """KIE's file-upload API (``KIE_UPLOAD_BASE_URL``)."""
    openai_base_url: str | None = None
    """OpenAI's API (``OPENAI_BASE_URL``); None: the SDK's default."""
    proxies: Mapping[str, str] = field(default_factory=dict)
    """Scheme -> proxy URL, and ``no`` -> the hosts that bypass them (``HTTPS_PROXY``,
    ``HTTP_PROXY``, ``ALL_PROXY``, ``NO_PROXY``, either case, as curl reads them)."""
    cache_dir: Path | None = None
    """composer's cache of derived data (``COMPOSER_CACHE_DIR``; ``off`` turns it off; default
    ``$XDG_CACHE_HOME/composer`` or ``~/.cache/composer``). None: no cache."""
    token_estimate: bool = False
    """Count tokens by estimate, never loading tiktoken's table (``COMPOSER_TOKEN_ESTIMATE=1``)."""
    debug: bool = False
    """Show a traceback for an internal error (``COMPOSER_DEBUG=1``)."""
    log: LogLevel | None = None
    """Log requests, retries and cache decisions on stderr at this level (``--verbose`` is
    ``debug``; ``COMPOSER_LOG=debug|info``). None: no log."""
    given: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    """The fields a flag or the environment set: ``with_library`` never lays ``composer.yaml`` over them."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, library: Path | None = None,
                 verbose: bool = False) -> Settings:
        """The built-in defaults under the environment (``os.environ`` unless given) under the flags."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, variable, parse in _VARIABLES:
            raw = env.get(variable)
            if raw is not None:
                values[name] = _parsed(variable, raw, parse)
        if env.get("COMPOSER_LIBRARY"):
            values.update(library=Path(env["COMPOSER_LIBRARY"]), library_origin="COMPOSER_LIBRARY")
        given = frozenset(values)
        values["cache_dir"] = _cache_dir(env)
        values["proxies"] = _proxies(env)
        settings = cls(**values, given=given)
        return settings.with_flags(library=library, log="debug" if verbose else None)

    def with_flags(self, **flags: Any) -> Settings:
        """These settings with the flags that were given (None: not given) on top."""
        given = {name: value for name, value in flags.items() if value is not None}
        if given.get("library") is not None:
            given["library_origin"] = "--library"
        return replace(self, **given, given=self.given | set(given)) if given else self

    def with_library(self, library: Library) -> Settings:
        """These settings with the library's ``composer.yaml`` ``defaults:`` (``poll``, ``retry``,
        ``request_deadline``) in place of the built-in defaults: a field a flag or the environment set
        keeps its value, whole (``COMPOSER_POLL`` replaces the file's whole ``poll``). A value that does
        not parse is a ``SettingsError`` naming composer.yaml, its line and the field."""
        defaults = library.config.defaults
        values: dict[str, Any] = {}
        for name, key, schedule in _LIBRARY_FIELDS:
            spec: dict[str, float | None] = getattr(defaults, key)
            if spec and name not in self.given:
                text = ",".join(f"{field_name}={value}" for field_name, value in spec.items())
                values[name] = _parsed(_config_place(library, key), text, schedule)
        return replace(self, **values) if values else self

    def api_key(self, backend: str) -> str | None:
        """The key for ``kie`` or ``openai``, stripped; None when it is not set."""
        key = self.kie_api_key if backend == "kie" else self.openai_api_key if backend == "openai" else None
        return (key or "").strip() or None

    def secrets(self) -> tuple[str, ...]:
        """Every key these settings hold: what must never appear in a message or a log."""
        return tuple(k for k in (self.kie_api_key, self.openai_api_key) if k)


def _parsed(variable: str, raw: str, parse: Callable[[str, str], T]) -> T:
    try:
        return parse(variable, raw)
    except OptionError as exc:  # the schedules' own parsers name the variable already
        raise SettingsError(str(exc)) from None


def _flag(variable: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in TRUE or value in FALSE:
        return value in TRUE
    raise SettingsError(f"{variable}: {raw!r} is not 1 or 0 (true/false, yes/no, on/off)")


def _log_level(variable: str, raw: str) -> LogLevel | None:
    value = raw.strip().lower()
    if not value or value == "off":
        return None
    if value not in LOG_LEVELS:
        raise SettingsError(f"{variable}: {raw!r} is not one of {', '.join(LOG_LEVELS)} (or off)")
    level: LogLevel = "debug" if value == "debug" else "info" if value == "info" else "warning"
    return level


def _hosts(variable: str, raw: str) -> tuple[str, ...]:
    entries = []
    for entry in raw.split(","):
        entry = entry.strip().lower()
        if not entry:
            continue
        _, _, port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if port and not port.isdigit():
            raise SettingsError(f"{variable}: '{entry}' is not host or host:port")
        entries.append(entry)
    return tuple(entries)


def _text(variable: str, raw: str) -> str | None:
    return raw.strip() or None


def _url(variable: str, raw: str) -> str | None:
    value = raw.strip()
    if value and not value.startswith(("http://", "https://")):
        raise SettingsError(f"{variable}: {raw!r} is not an http:// or https:// URL")
    return value or None


def _cache_dir(env: Mapping[str, str]) -> Path | None:
    configured = env.get("COMPOSER_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in CACHE_OFF else Path(configured)
    base = env.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "composer"


def _proxies(env: Mapping[str, str]) -> dict[str, str]:
    """The proxy variables as ``urllib.request.getproxies`` reads them (on macOS and Windows, the
    system's settings too, when ``env`` is the process's own environment)."""
    if env is os.environ:
        import urllib.request  # here, not at the top: it brings http.client and ssl, which no other command needs

        return dict(urllib.request.getproxies())
    found: dict[str, str] = {}
    for lower_first in (False, True):  # the lower-case spelling wins, as in urllib
        for name, value in env.items():
            if name.lower().endswith("_proxy") and value and (name == name.lower()) == lower_first:
                found[name[:-6].lower()] = value
    return found


def _config_place(library: Library, key: str) -> str:
    """``/lib/composer.yaml:12: defaults.poll``: where a ``composer.yaml`` setting is, for its errors."""
    from composer.library import CONFIG_FILE
    from composer.yamlio import line_of

    path = library.root / CONFIG_FILE
    try:
        line = line_of(path.read_text(encoding="utf-8"), ["defaults", key])
    except OSError:
        line = None
    return f"{path}{f':{line}' if line else ''}: defaults.{key}"


_LIBRARY_FIELDS: tuple[tuple[str, str, Callable[[str, str], Any]], ...] = (
    ("poll", "poll", lambda source, spec: PollSchedule.from_spec(spec, source)),
    ("retry", "retry", lambda source, spec: RetryPolicy.from_spec(spec, source)),
    ("deadlines", "request_deadline", lambda source, spec: RequestDeadlines.from_spec(spec, source)),
)
"""The fields ``composer.yaml`` may set: field, key under ``defaults:``, parser (naming ``source``)."""

_VARIABLES: tuple[tuple[str, str, Callable[[str, str], Any]], ...] = (
    ("poll", "COMPOSER_POLL", lambda _, raw: PollSchedule.from_spec(raw)),
    ("retry", "COMPOSER_RETRY", lambda _, raw: RetryPolicy.from_spec(raw)),
    ("deadlines", "COMPOSER_REQUEST_DEADLINE", lambda _, raw: RequestDeadlines.from_spec(raw)),
    ("allow_hosts", "COMPOSER_ALLOW_HOSTS", _hosts),
    ("kie_api_key", "KIE_API_KEY", _text),
    ("openai_api_key", "OPENAI_API_KEY", _text),
    ("kie_base_url", "KIE_BASE_URL", lambda v, raw: _url(v, raw) or DEFAULT_KIE_BASE_URL),
    ("kie_upload_base_url", "KIE_UPLOAD_BASE_URL", lambda v, raw: _url(v, raw) or DEFAULT_KIE_UPLOAD_BASE_URL),
    ("openai_base_url", "OPENAI_BASE_URL", _url),
    ("token_estimate", "COMPOSER_TOKEN_ESTIMATE", _flag),
    ("debug", "COMPOSER_DEBUG", _flag),
    ("log", "COMPOSER_LOG", _log_level),
)
"""Field, environment variable, parser (raising ``SettingsError`` naming the variable)."""


def use_settings(settings: Settings, *, log_stream: TextIO | None = None) -> None:
    """Set what is process-wide (the front ends call it once, after building the settings): the
    cache folder, whether the shared token counter estimates, and the stderr log handler."""
    from composer import cache, logs, tokens

    cache.use_cache_dir(settings.cache_dir)
    tokens.use_estimate(settings.token_estimate)
    logs.enable(LOG_LEVELS[settings.log] if settings.log else None, settings.secrets(), log_stream)
