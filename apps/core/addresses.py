"""The address guard: which URLs and addresses an outgoing request may point at.

Source URLs (typed in by editors) and webhook endpoints (typed in by API clients)
are untrusted. ``check_url`` judges a URL's syntax (http(s) only, no credentials,
no non-public IP literal in any spelling resolvers accept, no local name);
``is_public_ip`` judges each address a name resolves to, at connect time
(apps.core.http_guard). Kept apart from the HTTP client so the rules can be read,
tested and mutation-tested on their own.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that only ever mean "this machine" or "this network" (RFC 6761, RFC 6762,
# RFC 8375, and the cloud providers' metadata names under .internal).
_LOCAL_NAME_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa")
_HOSTNAME_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$")
_IPV4_PART_RE = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")

# Ranges a source can never legitimately live in, beyond what ``is_global`` already
# says; listed explicitly because ``is_global`` has changed between Python releases.
_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(net)
    for net in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4",
    )
)  # fmt: skip
_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(net)
    for net in (
        "::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
        "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)  # fmt: skip
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class FetchError(Exception):
    """A fetch that produced no usable response; ``reason`` says which kind of failure.

    Reasons: refused, timeout, too_large, too_many_redirects, http_error, connection,
    bad_url. Messages never contain response bodies or query strings (API keys).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class AddressRefused(FetchError):
    """The URL, or an address its host resolves to, is not allowed."""

    def __init__(self, message: str, *, reason: str = "refused") -> None:
        super().__init__(reason, message)


def is_public_ip(ip: IPAddress) -> bool:
    """True when connecting to ``ip`` reaches the public internet and nothing else.

    Addresses that embed an IPv4 address (IPv4-mapped, NAT64 64:ff9b::/96, 6to4
    2002::/16) are judged by the embedded address, because that is where the packets
    end up. IPv4-compatible addresses (::a.b.c.d) are deprecated and always refused.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        if ip.ipv4_mapped is not None:
            return is_public_ip(ip.ipv4_mapped)
        if ip in _NAT64:
            return is_public_ip(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None:
            return is_public_ip(ip.sixtofour)
        blocked: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network] = _BLOCKED_V6
    else:
        blocked = _BLOCKED_V4
    if any(ip in net for net in blocked):
        return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback
    )


def _parse_ipv4_part(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)  # ValueError for 08, 09: such a host is not a valid address
    return int(part)


def _parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Parse the IPv4 spellings that inet_aton and browsers accept (127.1, 0x7f000001,
    2130706433, 0177.0.0.1). Returns None for names; raises ValueError for hosts that
    end in a number but are no valid address, as the URL standard does."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not _IPV4_PART_RE.match(parts[-1]):
        return None
    if len(parts) > 4 or not all(_IPV4_PART_RE.match(p) for p in parts):
        raise ValueError(host)
    numbers = [_parse_ipv4_part(p) for p in parts]
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError(host)
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def literal_ip(host: str) -> IPAddress | None:
    """The address a host literal denotes, or None when the host is a name."""
    if ":" in host:
        return ipaddress.IPv6Address(host.strip("[]").replace("%25", "%"))
    return _parse_ipv4(host)


def check_host(host: str, allow_private: bool) -> None:
    """Refuse a host (a name or an IP literal, as it appears in a URL) that must not be
    connected to; the client runs it again on the host of every new connection."""
    if not host:
        raise AddressRefused("the URL has no host", reason="bad_url")
    try:
        ip = literal_ip(host)
    except ValueError:
        raise AddressRefused(f"{host!r} is not a valid address", reason="bad_url") from None
    if ip is not None:
        if not allow_private and not is_public_ip(ip):
            raise AddressRefused(f"{host} is not a public address")
        return
    # Only one trailing dot (the DNS root) is dropped, as _parse_ipv4 does: stripping
    # them all let "127.0.0.1.." pass as the name "127.0.0.1", and a host with an empty
    # label is no name at all (getaddrinfo raises UnicodeError on it, not OSError).
    name = host.lower().removesuffix(".")
    if not _HOSTNAME_RE.match(name):
        raise AddressRefused(f"{host!r} is not a valid host name", reason="bad_url")
    if allow_private:
        return
    if name == "localhost" or name.endswith(_LOCAL_NAME_SUFFIXES):
        raise AddressRefused(f"{name} is a local name")
    if "." not in name:
        # Single-label names are completed with the resolver's search domains, which
        # is how internal hosts are usually reached.
        raise AddressRefused(f"{name} is not a fully qualified name")


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Refuse URLs that must not be fetched; syntax only (no DNS, no socket)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise AddressRefused(f"not a valid URL: {exc}", reason="bad_url") from None
    if parsed.scheme not in ("http", "https"):
        raise AddressRefused(f"only http and https URLs are fetched, not {parsed.scheme!r}")
    if parsed.userinfo:
        raise AddressRefused("URLs with credentials (user:password@) are not fetched")
    check_host(parsed.raw_host.decode("ascii"), allow_private)
