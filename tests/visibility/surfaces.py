"""THE table of reader surfaces: for each, where it is, who may read it, and which row
states it shows. tests/visibility/test_matrix.py reads every surface with every
identity over every state from this one table, and fails on any route of the URL
conf that is neither here nor named in NOT_READ with the reason it reads no record.

A new surface (a route that shows rows) is added here, with what it must show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.visibility.world import STATES, WORDS, World

IDENTITIES = (
    "anonymous",
    "reader",  # a law-firm reader: signed in, no editorial role
    "editor",
    "reviewer",
    "another user",  # a reader who follows nothing and owns none of the others' things
    "deactivated",  # a reader whose account was turned off
    "key: read",
    "key: webhooks",
    "key: read, webhooks",
    "another client",  # another API client's key, with both scopes
)
SESSIONS = ("reader", "editor", "reviewer", "another user", "deactivated")
KEYS = ("key: read", "key: webhooks", "key: read, webhooks", "another client")

LOGIN = "sign in"  # a redirect to the sign-in page
NA = "n/a"  # not a way in to this surface (the identity is not checked on it)

# The API reads keys only: a signed-in session is anonymous to it.
API_READ = {
    **dict.fromkeys(("anonymous", *SESSIONS), 401),
    "key: read": 200,
    "key: webhooks": 403,
    "key: read, webhooks": 200,
    "another client": 200,
}
API_WEBHOOKS = {**API_READ, "key: read": 403, "key: webhooks": 200}
# The portal reads sessions only; a deactivated account is signed out.
PORTAL = {
    **dict.fromkeys(("anonymous", "deactivated", *KEYS), LOGIN),
    **dict.fromkeys(("reader", "editor", "reviewer", "another user"), 200),
}

# What a surface shows of each state. News of the record (the feed, webhooks, the
# home page, a watchlist's updates) tells that a row was retired; lists and pages of
# the record as it stands do not show it. Work in a case is never shown anywhere.
RECORD = {"published": True, "retired": False, "draft": False, "proposed": False, "ended": True}
NEWS = {**RECORD, "retired": True}
WITH_RETIRED = {**RECORD, "retired": True}
IN_FORCE = {**RECORD, "ended": False}  # what binds today: an ended row does not
NEVER_ENDS = {**RECORD, "ended": None}  # jurisdictions and amendments
ONLY_PUBLISHED = {**dict.fromkeys(STATES), "published": True}  # a client's own endpoint
NO_RECORD = dict.fromkeys(STATES)  # what it lists is no row of the record


# A day in the past for `as_of`: the published act in force and its duty applying, the
# ended duty and the repealed act ended (an instrument's page still names it).
DAY = "2025-06-01"


def fixed(path: str) -> Callable[[World, str, str], str]:
    return lambda world, state, identity: path


def row(template: str) -> Callable[[World, str, str], str]:
    """A path naming the state's row of a kind: "/x/{instrument}/"."""
    return lambda world, state, identity: template.format(**world.rows[state])


def word(template: str) -> Callable[[World, str, str], str]:
    """A path searching for the state's own word: "/search/?q={word}"."""
    return lambda world, state, identity: template.format(word=WORDS[state])


def feed(world: World, state: str, identity: str) -> str:
    return f"/api/v1/changes/?after={world.start}&limit=1000"


def own(template: str, of: str) -> Callable[[World, str, str], str]:
    """A path to something of the identity's own (`of`: "tokens" or "profiles"). A
    saved profile is at a guessable address: who has none of their own (or is another
    user) asks for the reader's. A calendar's address is its secret: who has none
    asks for a made-up one."""

    def path(world: World, state: str, identity: str) -> str:
        owned = getattr(world, of)
        if of == "profiles" and (identity == "another user" or identity not in owned):
            return template.format(own=owned["reader"])
        return template.format(own=owned.get(identity, "no-such-token"))

    return path


def snapshot(name: str) -> Callable[[World, str, str], str]:
    return lambda world, state, identity: f"/api/v1/snapshots/{world.snapshot}/{name}"


def endpoint(template: str) -> Callable[[World, str, str], str]:
    return lambda world, state, identity: template.format(ours=world.endpoints["ours"].public_id)


@dataclass(frozen=True)
class Surface:
    name: str
    route: str | None  # the URL name it is reached by; None: no route (a webhook POST)
    path: Callable[[World, str, str], str]
    access: dict[str, int | str]  # identity -> HTTP status, LOGIN, or NA
    # state -> shown (True), not shown (False), or None: the surface has no row of
    # that state to show (no jurisdiction ends); nothing is checked of it.
    shows: dict[str, bool | None]
    # The path selects only the state's rows (a search for its word): a state not shown
    # leaves no mark of any state.
    selects: bool = False
    # Identities for whom the surface is someone else's (their watchlist, endpoint):
    # they are let in but shown none of it.
    strangers: frozenset[str] = field(default_factory=frozenset)

    def __str__(self) -> str:
        return self.name


ALL = frozenset(IDENTITIES)
WATCHER_STRANGERS = frozenset({"another user"})

SURFACES = [
    # -- the API -------------------------------------------------------------------
    Surface(
        "api jurisdictions",
        "api:jurisdiction-list",
        fixed("/api/v1/jurisdictions/?page_size=100"),
        API_READ,
        NEVER_ENDS,
    ),
    Surface(
        "api jurisdictions, retired too",
        "api:jurisdiction-list",
        fixed("/api/v1/jurisdictions/?page_size=100&retired=true"),
        API_READ,
        {**NEVER_ENDS, "retired": True},
    ),
    Surface(
        "api jurisdiction",
        "api:jurisdiction-detail",
        row("/api/v1/jurisdictions/{jurisdiction}/"),
        API_READ,
        NEVER_ENDS,
    ),
    Surface(
        "api instruments",
        "api:instrument-list",
        fixed("/api/v1/instruments/?jurisdiction=QQ"),
        API_READ,
        RECORD,
    ),
    Surface(
        "api instruments, retired too",
        "api:instrument-list",
        fixed("/api/v1/instruments/?jurisdiction=QQ&retired=true"),
        API_READ,
        WITH_RETIRED,
    ),
    Surface(
        "api instruments, include=",
        "api:instrument-list",
        fixed("/api/v1/instruments/?jurisdiction=QQ&include=obligations,amendments,events"),
        API_READ,
        RECORD,
    ),
    Surface(
        "api instrument, include=",
        "api:instrument-detail",
        row("/api/v1/instruments/{instrument}/?include=obligations,amendments,events"),
        API_READ,
        RECORD,
    ),
    Surface(
        "api instrument, as_of",
        "api:instrument-detail",
        row(f"/api/v1/instruments/{{instrument}}/?as_of={DAY}&include=obligations"),
        API_READ,
        RECORD,
    ),
    Surface(
        "api obligations, as_of",
        "api:obligation-list",
        fixed(f"/api/v1/obligations/?jurisdiction=QQ&as_of={DAY}"),
        API_READ,
        IN_FORCE,
    ),
    Surface(
        "api obligations",
        "api:obligation-list",
        fixed("/api/v1/obligations/?jurisdiction=QQ"),
        API_READ,
        RECORD,
    ),
    Surface(
        "api obligation",
        "api:obligation-detail",
        row("/api/v1/obligations/{obligation}/"),
        API_READ,
        RECORD,
    ),
    Surface(
        "api amendments",
        "api:amendment-list",
        fixed("/api/v1/amendments/?target=qqpublished-law"),
        API_READ,
        NEVER_ENDS,
    ),
    Surface(
        "api amendment",
        "api:amendment-detail",
        row("/api/v1/amendments/{amendment}/"),
        API_READ,
        NEVER_ENDS,
    ),
    Surface(
        "api search", "api:search", word("/api/v1/search/?q={word}"), API_READ, RECORD, selects=True
    ),
    Surface(
        "api compare",
        "api:compare",
        row("/api/v1/compare/?jurisdictions=EU,{jurisdiction}"),
        API_READ,
        IN_FORCE,
    ),
    Surface(
        "api coverage",
        "api:coverage",
        fixed("/api/v1/coverage/?page_size=100"),
        API_READ,
        NEVER_ENDS,
    ),
    Surface(
        "api applicability",
        "api:applicability",
        fixed("/api/v1/applicability/?market=QQ&role=provider"),
        API_READ,
        IN_FORCE,
    ),
    Surface(
        "api snapshots",
        "api:snapshots",
        fixed("/api/v1/snapshots/"),
        API_READ,
        NO_RECORD,  # their manifests: names, sizes and counts, no row
    ),
    Surface(
        "api snapshot's instruments",
        "api:snapshot-file",
        snapshot("instruments.jsonl.gz"),
        API_READ,
        RECORD,
    ),
    Surface(
        "api snapshot's obligations",
        "api:snapshot-file",
        snapshot("obligations.csv.gz"),
        API_READ,
        RECORD,
    ),
    Surface("api changes feed", "api:changes", feed, API_READ, NEWS),
    Surface(
        "webhook delivery",
        None,
        fixed(""),
        {**dict.fromkeys(IDENTITIES, NA), "key: webhooks": 200},
        NEWS,
    ),
    Surface(
        "api webhook endpoints",
        "api:webhook-list",
        fixed("/api/v1/webhooks/"),
        API_WEBHOOKS,
        ONLY_PUBLISHED,
        strangers=frozenset({"another client"}),
    ),
    Surface(
        "api webhook endpoint",
        "api:webhook-detail",
        endpoint("/api/v1/webhooks/{ours}/"),
        {**API_WEBHOOKS, "another client": 404},
        ONLY_PUBLISHED,
    ),
    Surface(
        "api webhook deliveries",
        "api:webhook-deliveries",
        endpoint("/api/v1/webhooks/{ours}/deliveries/"),
        {**API_WEBHOOKS, "another client": 404},
        NO_RECORD,
    ),
    # -- the portal ------------------------------------------------------------------
    Surface("portal home", "portal:home", fixed("/"), PORTAL, NEWS),
    Surface(
        "portal search", "portal:search", word("/search/?q={word}"), PORTAL, RECORD, selects=True
    ),
    Surface(
        "portal search, no query",
        "portal:search",
        fixed("/search/?jurisdiction=QQ"),
        PORTAL,
        RECORD,
    ),
    Surface(
        "portal search export",
        "portal:search-export",
        word("/search/export/?q={word}"),
        PORTAL,
        RECORD,
        selects=True,
    ),
    Surface(
        "portal search export, no query",
        "portal:search-export",
        fixed("/search/export/?jurisdiction=QQ"),
        PORTAL,
        RECORD,
    ),
    Surface(
        "portal instrument", "portal:instrument", row("/instruments/{instrument}/"), PORTAL, RECORD
    ),
    Surface(
        "portal instrument, as_of",
        "portal:instrument",
        row(f"/instruments/{{instrument}}/?as_of={DAY}"),
        PORTAL,
        RECORD,
    ),
    Surface(  # issue 23: the obligations table's filters keep every duty of the world
        "portal instrument, obligations filtered",
        "portal:instrument",
        row(
            "/instruments/{instrument}/?addressee=provider&risk_tier=high&applies_after=2023-01-01"
        ),
        PORTAL,
        RECORD,
    ),
    Surface(
        "portal instrument export, obligations filtered",
        "portal:instrument-export",
        row("/instruments/{instrument}/export/?addressee=provider&risk_tier=high"),
        PORTAL,
        RECORD,
    ),
    Surface(
        "portal instrument export, as_of",
        "portal:instrument-export",
        row(f"/instruments/{{instrument}}/export/?as_of={DAY}"),
        PORTAL,
        IN_FORCE,
    ),
    Surface(
        "portal instrument export",
        "portal:instrument-export",
        row("/instruments/{instrument}/export/"),
        PORTAL,
        RECORD,
    ),
    Surface(
        "portal jurisdiction",
        "portal:jurisdiction",
        row("/jurisdictions/{jurisdiction}/"),
        PORTAL,
        RECORD,
    ),
    Surface(
        "portal compare", "portal:compare", row("/compare/?j=EU&j={jurisdiction}"), PORTAL, IN_FORCE
    ),
    Surface(
        "portal compare export",
        "portal:compare-export",
        row("/compare/export/?j=EU&j={jurisdiction}&as=csv"),
        PORTAL,
        IN_FORCE,
    ),
    Surface(
        "portal watchlist",
        "portal:watchlist",
        fixed("/watchlist/"),
        PORTAL,
        NEWS,
        strangers=WATCHER_STRANGERS,
    ),
    Surface(
        "portal watchlist export",
        "portal:watchlist-export",
        fixed("/watchlist/export/"),
        PORTAL,
        RECORD,
        strangers=WATCHER_STRANGERS,
    ),
    Surface(
        "portal watchlist obligations export",
        "portal:watchlist-obligations-export",
        fixed("/watchlist/export/obligations/"),
        PORTAL,
        RECORD,
        strangers=WATCHER_STRANGERS,
    ),
    # A reader's own reports: no row of the record, only their cases' states; whose
    # reports each identity sees: tests/visibility/test_reader_actions.py.
    Surface("portal my reports", "portal:my-reports", fixed("/my-reports/"), PORTAL, NO_RECORD),
    Surface(
        "portal calendar",
        "portal:calendar",
        own("/calendar/{own}.ics", "tokens"),
        # The secret address is the way in: a made-up one, or a turned-off account's, is none.
        {
            **dict.fromkeys(IDENTITIES, 404),
            **dict.fromkeys(("reader", "editor", "reviewer", "another user"), 200),
        },
        RECORD,
        strangers=WATCHER_STRANGERS,
    ),
    Surface(
        "portal what applies",
        "portal:applicability",
        fixed("/what-applies/?markets=QQ&role=provider"),
        PORTAL,
        IN_FORCE,
    ),
    Surface(
        "portal what applies export",
        "portal:applicability-export",
        fixed("/what-applies/export/?markets=QQ&role=provider"),
        PORTAL,
        IN_FORCE,
    ),
    Surface(
        "portal saved profile",
        "portal:profile",
        own("/what-applies/profiles/{own}/", "profiles"),
        {**PORTAL, "another user": 404},
        IN_FORCE,
    ),
    Surface(
        "portal saved profile export",
        "portal:profile-export",
        own("/what-applies/profiles/{own}/export/", "profiles"),
        {**PORTAL, "another user": 404},
        IN_FORCE,
    ),
]

# Routes that read no row of the record, each with why; or actions, with the test that
# holds who may take them.
NOT_READ = {
    "health": "the service's health, no record",
    "ops-heartbeat": "operators' heartbeat, no record",
    "favicon.ico": "an icon",
    "admin:*": "the editors' desk (staff only): tests/cases and tests/*/test_admin*.py",
    "api:index": "the API's index of versions, no record",
    "api:v1-index": "v1's index of resources, no record",
    "api:schema": "the API's description, public by design (tests/api/test_schema_strict.py)",
    "api:swagger": "the API's documentation page",
    "api:redoc-bundle": "the documentation page's script",
    "api:redoc": "the API's documentation page",
    "api:<unknown>": "any other /api/ path: a 404 problem (tests/api/test_errors.py)",
    "accept-invitation": "an invitation's sign-up (tests/accounts/test_invitations.py)",
    "login": "signing in",
    "logout": "signing out",
    "password_change": "an account's password",
    "password_change_done": "an account's password",
    "password_reset": "an account's password (tests/accounts/test_password_reset.py)",
    "password_reset_done": "an account's password",
    "password_reset_confirm": "an account's password",
    "password_reset_complete": "an account's password",
    "portal:follow": "an action: tests/visibility/test_reader_actions.py",
    "portal:unfollow": "an action on one's own watches: tests/visibility/test_reader_actions.py",
    "portal:report": "an action: opens a reader-request case (tests/portal/test_watching.py)",
    "portal:profile-save": "an action (tests/portal/test_saved_profiles.py)",
    "portal:profile-follow": "an action on one's own profile (tests/portal/test_saved_profiles.py)",
    "portal:profile-delete": "an action on one's own profile (tests/portal/test_saved_profiles.py)",
}
