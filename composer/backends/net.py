"""Where a backend may connect: the configured proxies, and no result fetched from inside the network.

A result URL comes from the provider's reply, so it is untrusted input: one pointing at
``127.0.0.1``, a private or link-local address (a cloud's metadata service) or ``0.0.0.0`` would
make composer fetch, and save as an image, something inside the user's network. ``HostPolicy``
refuses those addresses, checked on the literal host of every URL and redirect hop, and after DNS
resolution (``GuardedResolver``, the connection pool's resolver, so a name cannot resolve to one
address when checked and another when connected). Trusted anyway: the exact ``host:port`` of the
base URLs the user configured (``KIE_BASE_URL``, ``KIE_UPLOAD_BASE_URL``, ``OPENAI_BASE_URL``: a
proxy, or a test fake), the proxies, and the entries of ``COMPOSER_ALLOW_HOSTS`` (comma-separated ``host`` or
``host:port``), all from ``composer.settings.Settings``.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from composer.backends.errors import DownloadError

DEFAULT_PORTS = {"http": 80, "https": 443}


def env_proxy(url: str, proxies: Mapping[str, str]) -> str | None:
    """The proxy for ``url`` from ``proxies`` (``Settings.proxies``: scheme -> proxy, and ``no`` ->
    the hosts that bypass them, as ``urllib.request.getproxies`` reads ``HTTPS_PROXY`` /
    ``HTTP_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY``), or None when none applies."""
    parts = urlsplit(url)
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]  # stdlib, not in typeshed
    if not proxies or bypass(parts.hostname or "", dict(proxies)):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


class RefusedAddress(OSError):
    """A connection to an address inside the network was refused (raised in the resolver)."""


def why_internal(address: str) -> str | None:
    """``loopback``, ``private``, ``link-local`` or ``unspecified`` for such an address, else None."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for name in ("loopback", "link_local", "private", "unspecified"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    return None


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(parts.scheme, 0)


@dataclass(frozen=True)
class HostPolicy:
    """Which hosts may be inside the network: everything else must resolve to public addresses."""

    trusted: frozenset[str] = frozenset()
    """``host:port`` entries, or a bare ``host`` for any of its ports."""

    @classmethod
    def of(cls, base_urls: Iterable[str | None], allow_hosts: Iterable[str] = (),
           proxies: Mapping[str, str] | None = None) -> HostPolicy:
        """Trust the configured base URLs, the proxies and the ``COMPOSER_ALLOW_HOSTS`` entries
        (``Settings.allow_hosts``: ``host`` or ``host:port``, already checked)."""
        trusted = set()
        proxy_urls = [url for scheme, url in (proxies or {}).items() if scheme != "no"]
        for url in [*base_urls, *proxy_urls]:
            if url:
                name, number = host_port(url if "//" in url else f"http://{url}")
                trusted.add(f"{name}:{number}")
        trusted.update(entry.strip().lower() for entry in allow_hosts if entry.strip())
        return cls(frozenset(trusted))

    def allows(self, host: str, port: int) -> bool:
        host = host.lower().strip("[]")
        return host in self.trusted or f"{host}:{port}" in self.trusted

    def refusal(self, host: str, port: int, address: str) -> str | None:
        """Why a connection to ``host:port`` at ``address`` is refused, or None."""
        why = why_internal(address)
        if why is None or self.allows(host, port):
            return None
        shown = host if host == address else f"{host} ({address})"
        return (f"{shown} is a {why} address, inside the network: refused (add {host}:{port} to "
                "COMPOSER_ALLOW_HOSTS if it is yours)")

    def check_url(self, url: str, what: str) -> None:
        """Refuse ``url`` when its host is a literal address inside the network (names are checked
        when they are resolved)."""
        host, port = host_port(url)
        reason = self.refusal(host, port, host.strip("[]"))
        if reason:
            raise DownloadError(f"{what}: {reason}")


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, refusing names that resolve inside the network unless the policy trusts them."""

    def __init__(self, policy: HostPolicy) -> None:
        self.policy = policy
        self._inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET,
                      ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        for result in found:
            reason = self.policy.refusal(host, port, result["host"])
            if reason:
                raise RefusedAddress(reason)
        return found

    async def close(self) -> None:
        await self._inner.close()


def refusal_in(exc: BaseException) -> str | None:
    """The policy's reason when an aiohttp connection error came from ``GuardedResolver``."""
    cause: Any = getattr(exc, "os_error", None) or exc.__cause__
    return str(cause) if isinstance(cause, RefusedAddress) else None
