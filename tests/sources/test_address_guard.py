"""The address guard's own rules, each shown where it is the only thing that refuses.

``fetch`` judges every host a second time when it opens a connection, so a test that
only goes through ``fetch`` still passes when ``check_url`` is broken. But
``check_url`` is also the validator of a Source's URL: if it lets
``http://127.0.0.1/`` through, an editor can save it. These tests call the guard
functions directly; where the watcher relies on them (the URL field's validator,
redirects) is tests/sources/test_address_guard_in_use.py.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from apps.core.addresses import AddressRefused, check_url, is_public_ip
from apps.core.addresses import check_host as _check_host
from apps.sources.fetching import fetch
from tests.sources.test_fetching import routed_network as routed_network  # a fixture

NOT_PUBLIC = "is not a public address"
ONLY_HTTP = "only http and https URLs are fetched"

# (url, what the address is). Every one of these hosts is a syntactically valid IP
# literal, so the refusal can only come from the address rule.
NON_PUBLIC_LITERALS = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.255.255.254/", "loopback, end of 127/8"),
    ("http://[::1]/", "IPv6 loopback"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "IPv6 unspecified"),
    ("http://10.0.0.1/", "private 10/8"),
    ("http://172.16.0.1/", "private 172.16/12"),
    ("http://192.168.1.1/", "private 192.168/16"),
    ("http://[fd00::1]/", "unique local fc00::/7"),
    ("http://169.254.169.254/latest/meta-data/", "link-local (cloud metadata)"),
    ("http://[fe80::1]/", "IPv6 link-local"),
    ("http://[fec0::1]/", "IPv6 site-local"),
    ("http://100.64.0.1/", "carrier-grade NAT 100.64/10"),
    ("http://192.88.99.1/", "6to4 relay anycast 192.88.99.0/24"),
    ("http://192.0.0.1/", "IETF protocol assignments 192.0.0.0/24"),
    ("http://192.0.2.1/", "documentation TEST-NET-1"),
    ("http://198.51.100.7/", "documentation TEST-NET-2"),
    ("http://203.0.113.9/", "documentation TEST-NET-3"),
    ("http://[2001:db8::1]/", "IPv6 documentation"),
    ("http://[3fff::1]/", "IPv6 documentation 3fff::/20"),
    ("http://198.18.0.1/", "benchmarking 198.18/15"),
    ("http://224.0.0.1/", "multicast"),
    ("http://239.255.255.250/", "multicast (SSDP)"),
    ("http://[ff02::1]/", "IPv6 multicast, link scope"),
    ("http://[ff0e::1]/", "IPv6 multicast, global scope"),
    ("http://240.0.0.1/", "reserved 240/4"),
    ("http://255.255.255.255/", "limited broadcast"),
    ("http://[4000::1]/", "reserved IPv6 outside 2000::/3"),
    ("http://[8000::1]/", "reserved IPv6 outside 2000::/3"),
    ("http://[5f00::1]/", "IPv6 SRv6 SIDs 5f00::/16"),
    ("http://[100::1]/", "IPv6 discard-only"),
    ("http://[2001::1]/", "Teredo 2001::/32"),
    ("http://[::ffff:127.0.0.1]/", "IPv4-mapped loopback"),
    ("http://[::ffff:7f00:1]/", "IPv4-mapped loopback, hex spelling"),
    ("http://[::ffff:169.254.169.254]/", "IPv4-mapped link-local"),
    ("http://[::ffff:192.88.99.1]/", "IPv4-mapped 6to4 relay"),
    ("http://[::127.0.0.1]/", "IPv4-compatible (deprecated)"),
    ("http://[64:ff9b::a9fe:a9fe]/", "NAT64 of link-local"),
    ("http://[64:ff9b:1::1]/", "local-use NAT64"),
    ("http://[2002:7f00:1::]/", "6to4 of loopback"),
    ("http://[2002:c058:6301::]/", "6to4 of the 6to4 relay"),
]


@pytest.mark.parametrize(
    "url", [u for u, _ in NON_PUBLIC_LITERALS], ids=[w for _, w in NON_PUBLIC_LITERALS]
)
def test_check_url_refuses_a_non_public_address_literal(url: str) -> None:
    with pytest.raises(AddressRefused, match=NOT_PUBLIC) as refused:
        check_url(url)

    assert refused.value.reason == "refused"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1./",
        "http://127.0.0.1.:8080/",
        "http://10.0.0.1./",
        "http://192.88.99.1./",
        "http://0x7f.1./",
        "http://2130706433./",
    ],
)
def test_check_url_refuses_a_non_public_address_with_a_trailing_dot(url: str) -> None:
    with pytest.raises(AddressRefused, match=NOT_PUBLIC):
        check_url(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1../", "http://127.0.0.1.../", "http://a.b../"])
def test_check_url_refuses_a_host_with_more_than_one_trailing_dot(url: str) -> None:
    # "127.0.0.1.." is no IP literal, and must not pass as the name "127.0.0.1".
    with pytest.raises(AddressRefused) as refused:
        check_url(url, allow_private=True)

    assert refused.value.reason == "bad_url"


@pytest.mark.parametrize("url", ["http://127.0.0.1../", "http://example.org../"])
def test_fetch_refuses_a_host_with_an_empty_label_instead_of_crashing(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before the fix this reached getaddrinfo, whose UnicodeError escaped fetch.
    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)

    with pytest.raises(AddressRefused) as refused:
        fetch(url, allow_private=True)

    assert refused.value.reason == "bad_url"


@pytest.mark.parametrize(
    "url",
    [
        "http://0x7f.0.0.1/",
        "http://0X7F.0.0.1/",
        "http://0x7f000001/",
        "http://0x7f.1/",
        "http://2130706433/",
        "http://017700000001/",
        "http://127.1/",
        "http://0xa9fea9fe/",
        "http://0/",
    ],
)
def test_check_url_refuses_loopback_and_metadata_in_numeric_spellings(url: str) -> None:
    with pytest.raises(AddressRefused, match=NOT_PUBLIC):
        check_url(url)


@pytest.mark.parametrize(
    ("host", "means"),
    [
        ("0177.0.0.1", "127.0.0.1"),  # octal; httpx refuses this URL before the guard
        ("0177.1", "127.0.0.1"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("0300.0250.0.1", "192.168.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x0a.0.0.1", "10.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0177.0.0.1.", "127.0.0.1"),
    ],
)
def test_the_host_check_reads_numeric_spellings_as_the_address_they_mean(
    host: str, means: str
) -> None:
    # Read as decimal, 0177.0.0.1 would be 177.0.0.1, a public address.
    with pytest.raises(AddressRefused, match=NOT_PUBLIC) as refused:
        _check_host(host, False)

    assert refused.value.reason == "refused"
    _check_host(host, True)  # a valid address, so only the address rule refused it


def test_a_numeric_spelling_httpx_rejects_is_still_refused_by_check_url() -> None:
    with pytest.raises(AddressRefused, match="not a valid URL"):
        check_url("http://0177.0.0.1/", allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://[fe80::1%25eth0]/",
        "http://[fd00::1%25eth0]/",
        "http://[2606:4700:4700::1111%25eth0]/",
        "http://[2606:4700:4700::1111%eth0]/",
        "http://[2606:4700:4700::1111%251]/",
    ],
)
def test_check_url_refuses_a_scoped_ipv6_address_whatever_its_scope(url: str) -> None:
    with pytest.raises(AddressRefused, match=NOT_PUBLIC):
        check_url(url)


def test_a_scope_id_makes_an_otherwise_public_ipv6_address_not_public() -> None:
    assert is_public_ip(ipaddress.IPv6Address("2606:4700:4700::1111"))
    assert not is_public_ip(ipaddress.IPv6Address("2606:4700:4700::1111%eth0"))
    assert not is_public_ip(ipaddress.IPv6Address("2606:4700:4700::1111%1"))


@pytest.mark.parametrize(
    ("address", "public"),
    [
        # 93.184.216.34, public, and 169.254.169.254, the metadata service, embedded
        # as IPv4-mapped, NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
        ("::ffff:93.184.216.34", True),
        ("64:ff9b::5db8:d822", True),
        ("2002:5db8:d822::1", True),
        ("::ffff:169.254.169.254", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("2002:a9fe:a9fe::1", False),
    ],
)
def test_an_address_embedding_an_ipv4_address_is_judged_by_the_one_it_embeds(
    address: str, public: bool
) -> None:
    assert is_public_ip(ipaddress.IPv6Address(address)) is public


@pytest.mark.parametrize(
    "address",
    ["192.88.99.1", "192.88.99.255", "4000::1", "::ffff:192.88.99.1", "fd00::1%eth0", "fec0::1"],
)
def test_is_public_ip_refuses_ranges_python_may_call_global(address: str) -> None:
    assert not is_public_ip(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://example.org/etc/passwd",
        "ftp://example.org/pub/",
        "gopher://example.org:70/1",
        "javascript:alert(1)",
        "data:text/plain,hello",
        "ws://example.org/",
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_check_url_refuses_every_scheme_but_http_and_https(url: str, allow_private: bool) -> None:
    with pytest.raises(AddressRefused, match=ONLY_HTTP):
        check_url(url, allow_private=allow_private)


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pw@example.org/",
        "http://user@example.org/",
        "http://:pw@example.org/",
        "http://127.0.0.1@example.org/",
        "http://example.org@127.0.0.1/",
        "http://example.org\\@127.0.0.1/",
    ],
)
@pytest.mark.parametrize("allow_private", [False, True])
def test_check_url_refuses_credentials_in_the_url(url: str, allow_private: bool) -> None:
    with pytest.raises(AddressRefused, match="credentials"):
        check_url(url, allow_private=allow_private)


@pytest.mark.parametrize("url", ["http:///etc/passwd", "http://", "https://:443/"])
@pytest.mark.parametrize("allow_private", [False, True])
def test_check_url_refuses_a_url_without_a_host(url: str, allow_private: bool) -> None:
    with pytest.raises(AddressRefused, match="no host") as refused:
        check_url(url, allow_private=allow_private)

    assert refused.value.reason == "bad_url"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://LOCALHOST./",
        "http://api.localhost/",
        "http://printer.local/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://router.home.arpa/",
        "http://intranet/",
    ],
)
def test_check_url_refuses_local_names(url: str) -> None:
    with pytest.raises(AddressRefused) as refused:
        check_url(url)

    assert refused.value.reason == "refused"


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/",
        "https://93.184.216.34:8443/path?q=1",
        "http://93.184.216.34./",
        "http://[2606:4700:4700::1111]/",
        "http://[::ffff:93.184.216.34]/",
        "https://www.federalregister.gov/api/v1/documents/E9-2486.json?x=1",
        "https://www.federalregister.gov./api/v1/documents.json",
        "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024R1689",
        "HTTPS://API.CONGRESS.GOV/v3/bill/118/hr/1",
    ],
)
def test_check_url_accepts_public_addresses_and_names_without_resolving_them(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[object] = []

    def no_network(*args: object, **kwargs: object) -> None:
        lookups.append(args)
        raise OSError("check_url must not touch the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)

    check_url(url)

    assert lookups == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://127.0.0.1./",
        "http://[::1]/",
        "http://10.0.0.1/",
        "http://169.254.169.254/",
        "http://0x7f000001/",
        "http://[fe80::1%25eth0]/",
        "http://localhost:8000/",
        "http://intranet/",
    ],
)
def test_allow_private_lets_a_local_address_or_name_pass(url: str) -> None:
    check_url(url, allow_private=True)
    with pytest.raises(AddressRefused):
        check_url(url, allow_private=False)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("0x.0.0.1", "0.0.0.1"),  # "0x" alone is zero, as inet_aton reads it
        ("0x7f.0x.0x.0x1", "127.0.0.1"),
        ("010.0.0.1", "8.0.0.1"),  # a leading zero means octal
        ("0", "0.0.0.0"),  # noqa: S104 (one number is the whole address; nothing binds)
    ],
)
def test_the_ipv4_reader_takes_each_numeric_form_as_resolvers_do(host, address):
    from apps.core.addresses import _parse_ipv4

    assert str(_parse_ipv4(host)) == address


@pytest.mark.parametrize("host", ["08.0.0.1", "1.09.0.1", "1.2.3.4.5", "256.0.0.1"])
def test_the_ipv4_reader_refuses_a_number_no_resolver_reads(host):
    from apps.core.addresses import _parse_ipv4

    with pytest.raises(ValueError):
        _parse_ipv4(host)


def test_the_ipv4_reader_leaves_names_and_nothing_alone():
    from apps.core.addresses import _parse_ipv4

    assert _parse_ipv4("") is None
    assert _parse_ipv4("example.org") is None


@pytest.mark.parametrize("host", ["1.256.0.1", "1.2.256.1", "1.2.3.256", "1.16777216"])
def test_the_ipv4_reader_refuses_a_part_too_large_for_its_place(host):
    from apps.core.addresses import _parse_ipv4

    with pytest.raises(ValueError):
        _parse_ipv4(host)


def test_an_ipv6_literal_is_read_with_or_without_brackets_and_keeps_its_scope():
    from apps.core.addresses import literal_ip as _literal_ip

    assert str(_literal_ip("[::1]")) == "::1"
    assert _literal_ip("fe80::1%25eth0").scope_id == "eth0"


def test_an_ipv6_literal_loses_only_its_brackets_before_it_is_read():
    from apps.core.addresses import literal_ip as _literal_ip

    # "X" is no hex digit: were more than the brackets stripped, "[X::1]" would
    # read as ::1 instead of being no address at all.
    with pytest.raises(ValueError):
        _literal_ip("[X::1]")
    with pytest.raises(ValueError):
        _literal_ip("[::1]X")


@pytest.mark.parametrize(
    ("url", "reason", "message"),
    [
        ("http:///path", "bad_url", "the URL has no host"),
        ("http://1.2.3.256/", "bad_url", "not a valid URL: Invalid IPv4 address"),
        ("http://exa_mple!.org/", "bad_url", "'exa_mple!.org' is not a valid host name"),
        ("http://localhost/", "refused", "localhost is a local name"),
        ("http://intranet/", "refused", "intranet is not a fully qualified name"),
        ("http://[::1]/", "refused", "::1 is not a public address"),
        ("http://user:pw@example.org/", "refused", "URLs with credentials (user:password@)"),
    ],
)
def test_each_refusal_says_why_with_its_reason(url, reason, message):
    with pytest.raises(AddressRefused) as refused:
        check_url(url)
    assert refused.value.reason == reason
    assert str(refused.value).startswith(message)


def test_a_number_that_is_no_address_is_refused_as_a_bad_url_by_the_host_check():
    with pytest.raises(AddressRefused) as refused:
        _check_host("1.2.3.256", False)
    assert refused.value.reason == "bad_url"
    assert str(refused.value) == "'1.2.3.256' is not a valid address"
