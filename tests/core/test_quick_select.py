"""QuickSelect writes the markup Django's Select writes, without a template per option."""

from django import forms
from django.test.html import parse_html

from apps.core.quick_select import QuickSelect

CHOICES = [
    ("", "---------"),
    ("day", "day"),
    ("a&b", 'Tom & "Jerry" <script>'),
    ("Grouped", [("x", "ex"), ("y", "why")]),
]


def _both(value, attrs=None, **kw):
    django = forms.Select(choices=CHOICES, **kw).render("kind", value, attrs)
    quick = QuickSelect(choices=CHOICES, **kw).render("kind", value, attrs)
    return parse_html(django), parse_html(quick), quick


def test_it_writes_what_djangos_select_writes_selection_groups_and_escaping_included():
    for value in ("", "day", "a&b", "y", None):
        django, quick, _ = _both(value, {"id": "id_kind", "required": True})
        assert quick == django, value


def test_it_escapes_labels_and_values():
    _, _, html = _both("a&b")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'value="a&amp;b" selected' in html
