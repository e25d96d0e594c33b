"""Serializers' output written by a plan made once per serializer, not field by field.

A page of 100 instruments with their obligations, penalties, citations and
identifiers is some 8,000 field values. DRF finds each one through
`Field.get_attribute` and `Field.to_representation`, with checks every value
pays for; that was three quarters of a list request's CPU time
(bench/RESULTS.md). `plan(serializer)` reads the serializer's declared fields
once and returns a function that writes one row: the same keys, in the same
order, with the same values, which tests/api/test_compiled.py checks against
DRF's own output for every resource and include. Fields this module has no
shortcut for keep their own `to_representation`.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.db.models.manager import BaseManager
from rest_framework import fields, serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from apps.api.prefetch import rows_attr

Row = Callable[[Any], dict[str, Any]]


def plan(serializer: serializers.Serializer) -> Row:
    """A function writing `serializer.to_representation(obj)` for one object."""
    steps = [(f.field_name, _step(f, serializer)) for f in serializer._readable_fields]

    def write(obj) -> dict[str, Any]:
        return {name: step(obj) for name, step in steps}

    return write


def _step(field: fields.Field, serializer: serializers.Serializer) -> Callable[[Any], Any]:
    if isinstance(field, serializers.SerializerMethodField):
        return getattr(serializer, field.method_name)
    read = _reader(field)
    if isinstance(field, serializers.ListSerializer):
        child = plan(field.child)
        listed = rows_attr(field.source)

        def many(obj):
            value = getattr(obj, listed, None)
            if value is None:
                value = read(obj)
            if value is None:
                return None
            if isinstance(value, BaseManager):
                value = value.all()
            return [child(item) for item in value]

        return many
    if isinstance(field, serializers.Serializer):
        one = plan(field)
        return lambda obj: None if (value := read(obj)) is None else one(value)
    out = _writer(field)
    return lambda obj: None if (value := read(obj)) is None else out(value)


def _writer(field: fields.Field) -> Callable[[Any], Any]:
    """What `field.to_representation` does with a value that is not None."""
    kind = type(field)
    if kind in (fields.CharField, fields.URLField, fields.SlugField, fields.EmailField):
        return str
    if kind is fields.IntegerField:
        return int
    if kind is fields.DateField:
        output = getattr(field, "format", api_settings.DATE_FORMAT)
        if isinstance(output, str) and output.lower() == fields.ISO_8601:
            return lambda value: (value or None) if isinstance(value, str) else value.isoformat()
    if kind is fields.ListField and type(field.child) is fields.CharField:
        return lambda value: [None if item is None else str(item) for item in value]
    return field.to_representation


def _reader(field: fields.Field) -> Callable[[Any], Any]:
    """What `field.get_attribute` finds, for the sources these serializers use: a
    dotted path of attributes, a method called (as DRF calls simple callables), and a
    missing link (None halfway) giving the field's default or None."""
    attrs = field.source_attrs
    if attrs == ["*"] or not attrs:
        return lambda obj: obj
    path = attrgetter(".".join(attrs))

    def read(obj):
        try:
            value = path(obj)
        except AttributeError:
            # The path through a missing row (a null foreign key): DRF's rules.
            if field.default is not empty:
                return field.get_default()
            if field.allow_null:
                return None
            raise
        if callable(value) and not isinstance(value, BaseManager):
            return value()
        return value

    return read
