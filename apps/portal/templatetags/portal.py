"""Template helpers: highlighted snippets, partial dates, safe outbound links."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from apps.core.partial_dates import format_partial
from apps.reading.search import START, STOP

register = template.Library()


@register.filter
def marked(text: str | None) -> str:
    """A search snippet: the record's text escaped, then only the match markers become <mark>."""
    if not text:
        return ""
    safe = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(safe)  # noqa: S308 - everything but the two markers was escaped above


@register.filter
def partial(value, precision: str = "day") -> str:
    return format_partial(value, precision or "day")


@register.filter
def web_link(url: str | None) -> str:
    """The URL if it is an http(s) address, else "" (no javascript: or data: links)."""
    if not url:
        return ""
    return url if urlsplit(url).scheme in {"http", "https"} else ""


@register.simple_tag(takes_context=True)
def set_param(context, name: str, value) -> str:
    """The current query string with `name` set to `value` ("" removes it); the page resets
    unless `name` is the page itself."""
    # A plain dict of lists, not QueryDict.copy(): that deep-copies, and a search page
    # calls this for each of its hundred facet links (bench/RESULTS.md, benchmark 3).
    params = dict(context["request"].GET.lists())
    if name != "page":
        params.pop("page", None)
    if value in (None, ""):
        params.pop(name, None)
    else:
        params[name] = [str(value)]
    return "?" + urlencode([(key, item) for key, items in params.items() for item in items])
