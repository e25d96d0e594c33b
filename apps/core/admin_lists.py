"""Admin lists that stay fast on a large record: counted by PostgreSQL's estimate past a size.

An exact `COUNT(*)` of 300,000 obligations or 200,000 applied changes costs more
than the page it numbers, and the admin asks it on every list, search and
autocomplete. The planner already knows about how many rows a query returns
(the table's `reltuples`, or its plan's row estimate for a filtered list): past
ESTIMATE_ABOVE rows that estimate is the count, and the list says "about";
below it the count is exact and as cheap as the estimate. The filters' counts
(Django's facets) are offered only on a list counted exactly, so they stay bounded
by the same size.
"""

from __future__ import annotations

import json

from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Past this many rows (as the planner expects them) a list shows an estimate.
ESTIMATE_ABOVE = 10_000


def planner_estimate(queryset: QuerySet) -> int | None:
    """About how many rows `queryset` returns, without running it (None: not PostgreSQL)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    query = queryset.order_by().values("pk").query
    if not query.where:
        # No filter: the table's own statistics (what ANALYZE and autovacuum keep);
        # -1 when never analysed, which counts exactly (a new table is small).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            found = cursor.fetchone()
        return int(found[0]) if found else None
    try:
        sql, params = query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing (`.none()`)
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """A paginator whose count is the planner's estimate once that passes ESTIMATE_ABOVE."""

    estimate_above = ESTIMATE_ABOVE
    estimated = False

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            guess = planner_estimate(self.object_list)
            if guess is not None and guess > self.estimate_above:
                self.estimated = True
                return guess
        return super().count


def note_bounded(request, matches: QuerySet, every_match_below: int) -> None:
    """Say that the list's search was ranked among candidates (apps.reading.search), so
    the list counts them and, when there are `every_match_below` of them or more (fewer
    are every match), says they are the best of about `matches`' rows. On the
    request: the admin's ModelAdmin, which searches, is shared by every request, and
    the ChangeList, which counts, exists only once the search has run."""
    request.bounded_matches = (matches, every_match_below)


class EstimatedChangeList(ChangeList):
    """Says "about" for an estimated count, and counts the filters' choices only when exact.

    A search that ranks its rows (an annotation or alias `rank`) lists them best first,
    unless the user sorted by a column.
    """

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        if self.query and not self.params.get(ORDER_VAR) and "rank" in queryset.query.annotations:
            return ["-rank", *ordering]
        return ordering

    def get_results(self, request) -> None:
        super().get_results(request)
        self.count_is_estimate = getattr(self.paginator, "estimated", False)
        # "the best 1,000 of about 18,678": only when the matches are more than listed,
        # counted as the list itself is (exactly below ESTIMATE_ABOVE).
        matches, every_match_below = getattr(request, "bounded_matches", (None, 0))
        self.best_of, self.best_of_is_estimate = None, False
        if matches is not None and self.result_count >= every_match_below:
            about = planner_estimate(matches)
            self.best_of_is_estimate = about is not None and about > ESTIMATE_ABOVE
            if not self.best_of_is_estimate:
                about = matches.count()
            if about > self.result_count:
                self.best_of = about
        if self.count_is_estimate:
            # One count per filter choice over the whole list: not past the threshold.
            self.add_facets = False
            self.is_facets_optional = False


class LargeListAdmin:
    """Mixed into a ModelAdmin whose list may be large (see the module's docstring)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # A page an editor reads, not a dump: the search, the filters and the (estimated)
    # count find the rest. Each row costs a few ms of rendering (issue 31).
    list_per_page = 50

    def get_changelist(self, request, **kwargs):
        return EstimatedChangeList
