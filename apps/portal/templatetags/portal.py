"""Template helpers: highlighted snippets, partial dates, safe outbound links."""

from __future__ import annotations

import re
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


# Runs of Chinese, Japanese or Korean script in a label otherwise in English (citation
# titles such as "中华人民共和国网络安全法 (Cybersecurity Law of the PRC)"): a run starts and
# ends on a letter of those scripts or their punctuation, and may hold spaces (Korean
# separates words), digits and quotes.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KANA = "\u3040-\u30ff"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_PUNCT = "\u3000-\u303f\uff00-\uffef\u201c\u201d\u00b7"
_LETTERS = f"{_HAN}{_KANA}{_HANGUL}"
_RUN = re.compile(f"[{_LETTERS}](?:[{_LETTERS}{_PUNCT}\\s\\d]*[{_LETTERS}{_PUNCT}])?")


def _language_of(run: str) -> str:
    if re.search(f"[{_HANGUL}]", run):
        return "ko"
    return "ja" if re.search(f"[{_KANA}]", run) else "zh"


_NAMES = {"zh": "Chinese", "ja": "Japanese", "ko": "Korean"}


@register.filter
def language_of(text: str | None) -> dict:
    """The language of a text kept in the source's own words, when it is not English:
    {"code", "name", "whole"}; `whole` when nothing but that script's run (and
    punctuation) is in it. Empty for English text."""
    runs = _RUN.findall(text or "")
    if not runs:
        return {}
    code = _language_of("".join(runs))
    rest = _RUN.sub("", text or "")
    whole = not re.search(r"[A-Za-z]", rest)
    return {"code": code, "name": _NAMES[code], "whole": whole}


@register.filter
def with_lang(text: str | None) -> str:
    """The text escaped, each run of Chinese, Japanese or Korean in a <span lang>, so that
    a screen reader reads it in that language and a browser picks a font for it (WCAG
    3.1.2). Han alone is taken for Chinese; with kana, Japanese; with Hangul, Korean."""
    if not text:
        return ""
    out, last = [], 0
    for match in _RUN.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f'<span lang="{_language_of(match.group())}">{escape(match.group())}</span>')
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of the text is escaped above


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
