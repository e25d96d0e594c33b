"""A page's related rows, one query per relation, left on each object as a plain list.

Django's prefetch_related does the same job with more machinery per object: it
builds the `IN` filter from model instances, orders obligations through a join
to their instruments (their Meta.ordering), and keeps a queryset per object. For
a page of 100 instruments with 300 obligations, their penalties and citations,
that machinery was a sixth of the request's CPU time (bench/RESULTS.md).

The lists land where apps.api.compiled reads prefetched rows (`rows_attr`),
each child with its parent already set, in the order
Django's prefetch gives within one parent (the child model's Meta.ordering, with
the parent's own columns left out); tests/api/test_prefetch.py compares both.
The other relations go through `related`, Django's prefetch into the same lists.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models
from django.db.models import Prefetch


def rows_attr(relation: str) -> str:
    """Where a relation's rows are left as a plain list, for apps.api.compiled to read.
    Django's own prefetch cache builds one queryset per object to hold them (a fifth
    of a list request's time for 800 objects); a list costs nothing."""
    return f"{relation}_rows"


def related(relation: str, queryset=None) -> Prefetch:
    """Django's prefetch_related for the relations off the hot path, into the same lists."""
    return Prefetch(relation, queryset=queryset, to_attr=rows_attr(relation))


Kept = list[tuple[Sequence[models.Model], str]]


def children(
    parents: Sequence[models.Model],
    relation: str,
    queryset: models.QuerySet | None = None,
    kept: Kept | None = None,
) -> list[models.Model]:
    """The rows of a reverse foreign key (`relation`, e.g. "obligations") of `parents`,
    each list on its parent, each row's foreign key set to its parent; all the rows.
    `kept` records the lists, for `release`."""
    attr = rows_attr(relation)
    if kept is not None:
        kept.append((parents, attr))
    by_id = {parent.pk: parent for parent in parents}
    for parent in parents:
        setattr(parent, attr, [])
    if not by_id:
        return []
    reverse = type(parents[0])._meta.get_field(relation)
    field = reverse.field  # the child's foreign key
    model = reverse.related_model
    rows = queryset if queryset is not None else model._default_manager.all()
    # Meta.ordering within one parent: terms through the parent are the same for all.
    order = [o for o in model._meta.ordering if o.lstrip("-").split("__")[0] != field.name]
    rows = rows.filter(**{f"{field.attname}__in": list(by_id)}).order_by(*order, "pk")
    found = list(rows)
    for row in found:
        parent = by_id[getattr(row, field.attname)]
        field.set_cached_value(row, parent)
        getattr(parent, attr).append(row)
    return found


def release(kept: Kept) -> None:
    """Take the lists `children` put on their parents off again.

    A parent holds its children and each child its parent: a cycle, which only
    Python's cyclic collector frees, in full passes that took 50 to 130 ms over a
    few pages' objects (bench/RESULTS.md, the API list's p95). Without the lists,
    reference counting frees a page as soon as its response is written.
    """
    for parents, attr in kept:
        for parent in parents:
            parent.__dict__.pop(attr, None)
    kept.clear()


def cited(parents: Sequence[models.Model], relation: str = "citations") -> None:
    """The rows of a many-to-many (`relation`) of `parents`, through its join table, in
    the related model's order, each list on its parent."""
    attr = rows_attr(relation)
    for parent in parents:
        setattr(parent, attr, [])
    if not parents:
        return
    m2m = type(parents[0])._meta.get_field(relation)
    through = m2m.remote_field.through
    source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
    order = [
        f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
        for name in m2m.related_model._meta.ordering
    ]
    by_id = {parent.pk: parent for parent in parents}
    links = (
        through.objects.filter(**{f"{source}_id__in": list(by_id)})
        .select_related(target)
        .order_by(*order, "pk")
    )
    for link in links:
        getattr(by_id[getattr(link, f"{source}_id")], attr).append(getattr(link, target))
