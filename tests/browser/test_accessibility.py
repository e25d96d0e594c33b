"""WCAG 2.2 AA in a real browser (issue 28): axe-core on every page of one list, the
portal as a reader and signed out, the desk as an administrator, normal and error
states, each at 1366 px and at a true 320 px CSS width (a 320 px viewport at device
scale 1, no phone emulation that would zoom a too-wide page out of sight).

One test walks the whole list on one seed load and one browser, a context per
account, and reports every failure at once: a page per test would load the seed
for each.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from django.contrib.auth.models import Group

from apps.cases import reports, services
from apps.cases.models import Kind
from apps.cases.models import State as CaseState
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.portal.models import SavedProfile, Watch
from apps.record.models import Action
from apps.sources.models import Source

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1366, 320)
PHONE = 390  # issue 23's phone: the width checked too, without axe
# axe-core's rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA; only violations come
# back (the passes of a page of 2,000 fields are megabytes).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
ANONYMOUS, READER, ADMIN = "anonymous", "reader", "admin"


@dataclass(frozen=True)
class State:
    """One page in one state: who reads it, where, and for an error state the form to
    fill and send. `shows` is text the state must show, so that an error state that
    silently stopped being one fails instead of passing unchecked. `focused`: the
    element that must hold the keyboard focus once the state is reached."""

    name: str
    who: str
    path: str
    shows: str = ""
    fill: tuple[tuple[str, str], ...] = ()
    send: str = ""  # the form to send (as form.submit(): the server's checks, not the browser's)
    focused: str = ""
    tabs: int = 0  # how many Tab presses to check the focus ring on, from the top


PAGES = (
    # The portal, signed out.
    State("sign-in", ANONYMOUS, "/accounts/login/"),
    State(
        "sign-in refused",
        ANONYMOUS,
        "/accounts/login/",
        shows="did not match",
        fill=(("#id_username", "reader"), ("#id_password", "wrong")),
        send="main form",
    ),
    State("password reset", ANONYMOUS, "/accounts/password_reset/"),
    State("invitation refused", ANONYMOUS, "/accounts/invitation/no-such-token/"),
    # The portal, as a reader.
    State("home", READER, "/", tabs=12),
    State("search", READER, "/search/?q=AI&jurisdiction=EU", focused="#h-hits", tabs=8),
    State("search, nothing found", READER, "/search/?q=qqqzzz", shows="Nothing matches"),
    State("instrument", READER, "/instruments/eu-ai-act/"),
    State("instrument, Chinese", READER, "/instruments/cn-generative-ai-measures/"),
    State("instrument, withdrawn", READER, "/instruments/eu-ai-liability-directive/"),
    State(
        "instrument, a bad day",
        READER,
        "/instruments/eu-ai-act/?as_of=1-3-2025",
        shows="Enter a date",
    ),
    # Issue 23's obligations table: filtered, filtered to nothing, a filter refused.
    State(
        "instrument, obligations filtered",
        READER,
        "/instruments/eu-ai-act/?addressee=provider&risk_tier=high&applies_after=2026-01-01",
        shows="duties match the filters",
    ),
    State(
        "instrument, no obligation matches",
        READER,
        "/instruments/eu-ai-act/?addressee=data_fiduciary",
        shows="No duty matches",
    ),
    State(
        "instrument, a bad filter",
        READER,
        "/instruments/eu-ai-act/?risk_tier=extreme&applies_after=soon",
        shows="Enter a date as YYYY-MM-DD",
    ),
    State("jurisdiction", READER, "/jurisdictions/EU/"),
    State("compare", READER, "/compare/?j=EU&j=US&j=CN"),
    State("compare, too few", READER, "/compare/?j=EU", shows="at least two"),
    State(
        "compare, five and a topic",
        READER,
        "/compare/?j=EU&j=US&j=CN&j=IN&j=SG&topic=generative-ai",
        shows="Crosswalk: generative AI",
    ),
    State("compare, unknown topic", READER, "/compare/?j=EU&j=US&topic=zz", shows="No instrument"),
    State(
        "what applies, answered",
        READER,
        "/what-applies/?markets=EU&role=provider&risk_tier=high",
        shows="Applies (",
    ),
    State(
        "what applies, bad answers",
        READER,
        "/what-applies/?markets=XX&annual_revenue_usd=lots&on=soon",
        shows="Enter an amount",
    ),
    State("saved profile", READER, "/what-applies/profiles/{profile}/"),
    State("watchlist", READER, "/watchlist/"),
    State("my reports", READER, "/my-reports/", shows="Being looked at"),
    State("report", READER, "/report/?page=/instruments/eu-ai-act/", tabs=14),
    State("report, empty", READER, "/report/?page=/", shows="required", send="main form"),
    State("password change", READER, "/accounts/password_change/"),
    State("not found", READER, "/instruments/no-such-instrument/", shows="Back to the start"),
    # The desk, as an administrator.
    State("desk", ADMIN, "/admin/"),
    State("cases", ADMIN, "/admin/cases/case/"),
    State("case", ADMIN, "/admin/cases/case/{case}/change/"),
    State(
        "approve and publish, asked",
        ADMIN,
        "/admin/cases/case/{review}/approve/",
        shows="no evidence attached",
    ),
    State(
        "approve and publish, box unticked",
        ADMIN,
        "/admin/cases/case/{review}/approve/",
        shows="Tick the box",
        send="#approve form",
    ),
    State(
        "public reason, too long",
        ADMIN,
        "/admin/cases/case/{review}/reason/",
        shows="at most 500 characters",
        fill=(("#id_public_reason", "Why " * 130),),
        send="#reason form",
    ),
    State("reader-report duties", ADMIN, "/admin/cases/reportduty/"),
    State(
        "reader-report duty, refused",
        ADMIN,
        "/admin/cases/reportduty/add/",
        shows="This field is required",
        send="#content form[method=post]",
    ),
    State(
        "proposal form, refused",
        ADMIN,
        "/admin/cases/case/{case}/propose/instrument/{act}/",
        shows="Please correct",
        fill=(("#id_title", ""),),
        send="#content form[method=post]:not([action])",
        focused="#error-summary",
    ),
    State(
        "proposal form, a bad event date",
        ADMIN,
        "/admin/cases/case/{case}/propose/instrument/{act}/",
        shows="Event 1, Date",
        fill=(('[name="events-0-date"]', "1 Aug 2024"),),
        send="#content form[method=post]:not([action])",
        focused="#error-summary",
    ),
    State("members proposal form", ADMIN, "/admin/cases/case/{case}/propose/jurisdiction/{eu}/"),
    State("new obligation form", ADMIN, "/admin/cases/case/{case}/propose/obligation/"),
    State("new amendment form", ADMIN, "/admin/cases/case/{case}/propose/amendment/"),
    State(
        "case, a refused request",
        ADMIN,
        "/admin/cases/case/{case}/propose-existing/?kind=instrument&row=x",
        shows="Choose a kind of row",
    ),
    State("instruments", ADMIN, "/admin/instruments/instrument/?q=AI"),
    State("instrument record", ADMIN, "/admin/instruments/instrument/{act}/record/"),
    State("jurisdiction record", ADMIN, "/admin/jurisdictions/jurisdiction/{eu}/record/"),
    State("verification queue", ADMIN, "/admin/cases/case/verification/"),
    State("coverage", ADMIN, "/admin/obligations/obligation/coverage/"),
    State("sources", ADMIN, "/admin/sources/source/"),
    State("source", ADMIN, "/admin/sources/source/{source}/change/"),
    State("users", ADMIN, "/admin/auth/user/"),
    State("invitation form", ADMIN, "/admin/auth/user/invite/"),
    State(
        "invitation form, refused",
        ADMIN,
        "/admin/auth/user/invite/",
        shows="This field is required",
        send="#content form[method=post]",
    ),
    State("desk, not found", ADMIN, "/admin/cases/case/99999999/change/", shows="Back to"),
)

# A scrolling region is read by keyboard when it takes the focus itself, named so that
# a screen reader says what was reached, or when it holds links or fields that Tab
# scrolls into view (Django's sidebar and change lists). Lists those that do neither.
UNREACHABLE_SCROLLERS = """() => [...document.querySelectorAll('body *')].filter(el => {
  const style = getComputedStyle(el);
  const scrolls = (/(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
    || (/(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1);
  if (!scrolls || el.matches('textarea, select')) return false;
  const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  if (el.tabIndex >= 0) return !named;
  return !el.querySelector('a[href], button, input, select, textarea, [tabindex]');
}).map(el => `${el.tagName.toLowerCase()}.${el.className}#${el.id}`)"""


# ARIA references to ids that are not on the page (a field's help and error texts then
# reach no one; axe lets a partly resolved list pass).
DANGLING = """() => [...document.querySelectorAll('[aria-describedby], [aria-labelledby]')]
  .flatMap(el => ['aria-describedby', 'aria-labelledby'].flatMap(name =>
    (el.getAttribute(name) || '').split(/\\s+/).filter(id => id && !document.getElementById(id))
      .map(id => `${el.tagName.toLowerCase()}#${el.id} ${name}=${id}`)))"""

# How wide the page is, and the outermost elements that reach past the viewport (what
# to fix when it is too wide).
TOO_WIDE = """() => {
  const limit = window.innerWidth;
  const past = [...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.right > limit + 1 && box.width > 0
      && !(el.parentElement && el.parentElement.getBoundingClientRect().right > limit + 1);
  });
  return [document.documentElement.scrollWidth, limit,
          past.slice(0, 4).map(el => `${el.tagName.toLowerCase()}.${el.className}#${el.id}`)];
}"""


# The focused element's ring: its style, width and its contrast with what surrounds it
# (the nearest background behind it, and the white gap the portal leaves inside it).
FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const channel = v => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const lum = c => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
  let node = el.parentElement, behind = [255, 255, 255];
  for (; node; node = node.parentElement) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) { behind = c; break; }
  }
  const ring = rgb(style.outlineColor);
  return {what: `${el.tagName.toLowerCase()}.${el.className}#${el.id}`, style: style.outlineStyle,
          width: parseFloat(style.outlineWidth),
          ratio: Math.min(ratio(ring, behind), ratio(ring, [255, 255, 255]))};
}"""


def _focus_rings(page, state: State) -> list[str]:
    found = []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(state.tabs):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring["what"].startswith("body."):  # past the last control: out of the page
            break
        if ring["style"] == "none" or ring["width"] < 2 or ring["ratio"] < 3:
            found.append(f"{state.name}: focus ring on {ring['what']}: {ring}")
    return found


def _facts(seeded_admin) -> dict[str, int]:
    act = Instrument.objects.get(slug="eu-ai-act")
    case = services.case_open(
        title="Correct the AI Act's summary", kind=Kind.CORRECTION, instrument=act
    )
    services.change_propose(
        case=case,
        actor=seeded_admin,
        target="instrument",
        action=Action.UPDATE,
        row=act,
        values={"summary": "The EU's horizontal AI law, corrected."},
    )
    services.case_comment(case=case, author=seeded_admin, body="Checked against the OJ.")
    return {
        "act": act.pk,
        "case": case.pk,
        "eu": Jurisdiction.objects.get(code="EU").pk,
        "source": Source.objects.order_by("pk").first().pk,
    }


@pytest.fixture
def accounts(seeded, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-1")
    reader = django_user_model.objects.create_user("reader", "reader@example.org", "pw-reader-1")
    Watch.objects.create(user=reader, kind="instrument", value="eu-ai-act", label="AI Act")
    Watch.objects.create(user=reader, kind="search", value="liability", label="liability")
    profile = SavedProfile.objects.create(user=reader, name="Our SaaS", markets=["EU", "US-CA"])
    # A report being looked at (My reports) and a case in review the admin did not
    # propose in (the approval's confirmation).
    editor = django_user_model.objects.create_user("ed", "ed@example.org", "pw-ed-1")
    editor.groups.add(Group.objects.get(name="editor"))
    report = reports.open_report(reporter=reader, message="A date is wrong.", url="", page="")
    services.case_transition(case=report, to_state=CaseState.TRIAGED, actor=editor)
    review = services.case_open(title="Correct the EO", kind=Kind.CORRECTION)
    for state in (CaseState.TRIAGED, CaseState.IN_PROGRESS):
        services.case_transition(case=review, to_state=state, actor=editor)
    services.change_propose(
        case=review,
        actor=editor,
        target="instrument",
        action=Action.UPDATE,
        row=Instrument.objects.get(slug="us-eo-14110"),
        values={"summary": "Revoked in January 2025."},
    )
    services.case_transition(case=review, to_state=CaseState.IN_REVIEW, actor=editor)
    return {**_facts(admin), "profile": profile.pk, "review": review.pk}


def _context(browser, base_url: str, who: str):
    # bypass_csp lets axe's injected script run; the pages keep sending the policy.
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": WIDTHS[0], "height": 900},
        device_scale_factor=1,
        is_mobile=False,
        bypass_csp=True,
    )
    # axe-core as the package bundles it, in every page the context opens: read and
    # compiled once per page instead of sent with every check.
    context.add_init_script(path=AXE_FILE_PATH)
    page = context.new_page()
    if who == READER:
        page.goto("/accounts/login/")
        page.fill("#id_username", "reader")
        page.fill("#id_password", "pw-reader-1")
        page.click("main button[type=submit]")
        page.wait_for_url("**/")
    elif who == ADMIN:
        page.goto("/admin/login/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", "pw-admin-1")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
    return page


def _reach(page, state: State, facts: dict[str, int]) -> None:
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto(state.path.format(**facts))
    if state.send:
        for selector, value in state.fill:
            page.fill(selector, value)
        with page.expect_navigation():
            page.eval_on_selector(state.send, "form => HTMLFormElement.prototype.submit.call(form)")
    page.wait_for_load_state("load")


def _check(page, where: str) -> list[str]:
    found = []
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    for violation in results["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
        found.append(f"{where}: {violation['id']} ({violation['impact']}) on {targets}")
    wide, viewport, culprits = page.evaluate(TOO_WIDE)
    if wide > viewport:
        found.append(f"{where}: {wide} px wide in a {viewport} px viewport, past it: {culprits}")
    for missing in page.evaluate(DANGLING):
        found.append(f"{where}: names an element that does not exist: {missing}")
    for scroller in page.evaluate(UNREACHABLE_SCROLLERS):
        found.append(f"{where}: scrolls, out of keyboard reach or unnamed: {scroller}")
    return found


def _search_by_keyboard(page) -> list[str]:
    """Issue 23's path: from the home page's search box to the first result, keys only;
    then, on a phone, the results come before the folded filters."""
    found = []
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto("/")
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "home-q":
            break
    else:
        return ["keyboard: 15 Tab presses do not reach the home page's search box"]
    page.keyboard.type("AI Act")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if page.evaluate("() => document.activeElement.id") != "h-hits":
        found.append("keyboard: after a search the focus is not on the results heading")
    first = "document.querySelector('ol.hits li a')"
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement === {first}"):
            break
    else:
        found.append("keyboard: 5 Tab presses from the results heading miss the first result")
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.goto("/search/?q=AI")
    folded, after = page.evaluate(
        """() => { const f = document.querySelector('details.facets');
        return [!f.open, f.getBoundingClientRect().top
                         > document.querySelector('ol.hits').getBoundingClientRect().top]; }"""
    )
    if not (folded and after):
        found.append(f"phone: the filters are not folded after the results ({folded}, {after})")
    return found


# Tests of a few page states each, so the two workers of a CI run share the walk (the
# longest test of the suite; browser tests all run at the end of a worker's list, where
# one long test keeps a worker busy while the other has finished): the reader's and the
# desk's states in two parts, one each second. The keyboard walk goes with the first.
PARTS = (
    (ANONYMOUS, 0, 1),
    (READER, 0, 2),
    (READER, 1, 2),
    (ADMIN, 0, 2),
    (ADMIN, 1, 2),
)


@pytest.mark.parametrize(
    ("who", "part", "parts"), PARTS, ids=[f"{w}-{p + 1}of{n}" for w, p, n in PARTS]
)
def test_every_page_passes_axe_fits_its_width_and_works_by_keyboard(
    browser, live_server, accounts, who, part, parts
):
    started = time.monotonic()
    page = _context(browser, live_server.url, who)
    failures: list[str] = []
    states = [state for state in PAGES if state.who == who][part::parts]
    assert states, who
    for state in states:
        try:
            _reach(page, state, accounts)
        except Exception as error:  # reported with the other failures
            failures.append(f"{state.name}: not reached: {error}")
            continue
        if state.shows and state.shows not in page.inner_text("body"):
            failures.append(f"{state.name}: does not show {state.shows!r} ({page.url})")
        if state.focused and not page.evaluate(
            "s => document.activeElement === document.querySelector(s)", state.focused
        ):
            failures.append(f"{state.name}: the focus is not on {state.focused}")
        failures += _focus_rings(page, state)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            failures += _check(page, f"{state.name} at {width} px")
        # A phone's width between the two: the layout alone (no axe run, it costs).
        page.set_viewport_size({"width": PHONE, "height": 800})
        wide, viewport, culprits = page.evaluate(TOO_WIDE)
        if wide > viewport:
            failures.append(f"{state.name}: {wide} px wide at {viewport} px, past it: {culprits}")
    if who == READER and part == 0:
        failures += _search_by_keyboard(page)
    page.context.close()
    took = time.monotonic() - started
    print(f"\n{who}: {len(states)} page states, {len(WIDTHS)} widths with axe, in {took:.1f} s")
    assert failures == [], "\n".join(failures)
