"""Ranked full-text search over the published record: the one search readers use
(the API's search, the portal's search page and watchlists, the desk's lists).

PostgreSQL full text with English stemming ranks instruments by title (and
original-language title) above issuing body and summary, and obligations by
provision above requirement; the weighted vectors are stored, indexed columns
(StoredVector). Queries use websearch syntax ("AI Act" -draft).
Text that full text cannot split into words (Chinese, Japanese, Korean) is
matched as a substring of the titles instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Expression, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Length, Replace

from apps.instruments.models import Identifier, Instrument, LegalForce, Scheme
from apps.obligations.models import Obligation
from apps.reading import kept_results, snippets
from apps.reading.cache import kept

CONFIG = "english"
# Marks around matched words in snippets (apps.reading.snippets): plain characters,
# so no reader ever has to trust markup built from the record's text.
START, STOP = snippets.START, snippets.STOP
_UNSEGMENTED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# How many full-text matches of each kind a page ranks at most, besides the exactly
# named (_candidates): a query matching tens of thousands does not rank them all.
# The seed (165 instruments, 130 obligations) is below it, so its ranking is exact.
CANDIDATES = 500

# Points of a rank (see instruments()): an exact name outranks any text match, and
# binding law outranks guidance matched by the same words.
EXACT_NAME, SHORT_NAME, BINDING = 4.0, 2.0, 1.0

_ACRONYM_QUERY = re.compile(r"^[\w .'-]{2,60}$")
# "EO 14110", "E.O. 14110", "Executive Order 14110", "Executive Order No. 14110".
_EXECUTIVE_ORDER = re.compile(
    r"^(?:e\.?\s?o\.?|executive\s+order)\s*(?:no\.?\s*)?(\d{3,6})$", re.IGNORECASE
)


def _short_named(text: str) -> Q | None:
    """Instruments whose short name (Instrument.short_names, kept on every save) is
    `text`, case-insensitive; None when `text` cannot be one."""
    text = " ".join(text.lower().split())
    if not _ACRONYM_QUERY.match(text):
        return None
    return Q(short_names__contains=[text])


def exactly_named(text: str) -> Q:
    """Instruments whose title, original title or an identifier is `text` (an
    executive order also by "EO 14110"). The identifier owners are read here, once."""
    identifier = Q(value__iexact=text)
    order = _EXECUTIVE_ORDER.match(text)
    if order:
        identifier |= Q(scheme=Scheme.EO, value=order.group(1))
    owners = sorted(Identifier.objects.filter(identifier).values_list("instrument", flat=True))
    return Q(pk__in=owners) | Q(title__iexact=text) | Q(original_title__iexact=text)


class StoredVector(Expression):
    """The row's weighted search vector, kept by PostgreSQL in the generated column
    `search_document` (instruments 0008, obligations 0006; the weights are there).

    The column is not a model field, so it is named here against the alias of the
    query's own table, which also holds inside a subquery.
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.search_document", []


class TitleVector(Expression):
    """The vector of a row's name alone (an instrument's titles, an obligation's
    provision): the expression of the indexes of instruments 0012 and obligations
    0009, written the same way so PostgreSQL uses them."""

    output_field = SearchVectorField()
    COLUMNS = {
        "instruments_instrument": (
            "COALESCE({t}.title, '') || ' ' || COALESCE({t}.original_title, '')"
        ),
        "obligations_obligation": "COALESCE({t}.provision, '')",
    }

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        table = compiler.quote_name_unless_alias(alias)
        columns = self.COLUMNS[compiler.query.model._meta.db_table].format(t=table)
        return f"to_tsvector('english'::regconfig, {columns})", []


class IdIn(Expression):
    """`id = ANY(%s)`: the row is one of `ids`, sent as one array parameter.

    Django's `pk__in` writes one placeholder per id: for a page ranked among 1,500
    candidates the driver then spent about 10 ms splitting each statement's
    parameters, and PostgreSQL planned a list of 1,500 constants in every count,
    estimate and page that repeats it (bench/RESULTS.md, issue 31)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, ids: list[int]):
        super().__init__()
        self.ids = list(ids)

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.id = ANY(%s)", [self.ids]


@dataclass(frozen=True)
class Results:
    instruments: QuerySet[Instrument]
    obligations: QuerySet[Obligation]


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=CONFIG)


def _marked_text(column: str, query: SearchQuery) -> SearchHeadline:
    """`column` with every match marked (the whole text: snippets.excerpt cuts it),
    its own guillemets made quotation marks first so the markers are only ours."""
    text = Replace(Replace(F(column), Value(START), Value("“")), Value(STOP), Value("”"))
    return SearchHeadline(
        text, query, config=CONFIG, start_sel=START, stop_sel=STOP, highlight_all=True
    )


def _points(exact: Q, short: Q | None) -> Case:
    whens = [When(exact, then=Value(EXACT_NAME))]
    if short is not None:
        whens.append(When(short, then=Value(SHORT_NAME)))
    return Case(*whens, default=Value(0.0), output_field=FloatField())


_BINDING = Case(
    When(legal_force=LegalForce.BINDING, then=Value(BINDING)),
    default=Value(0.0),
    output_field=FloatField(),
)


def instruments(
    text: str,
    base: QuerySet[Instrument] | None = None,
    among: list[int] | None = None,
    exact: Q | None = None,
) -> QuerySet[Instrument]:
    """Every instrument matching `text`, best first, each with its `rank` and the
    `snippet` of its summary. The rank adds up, in this order of weight:

    - EXACT_NAME when `text` is its title, original title or an identifier, or
      SHORT_NAME when it is one of its short names ("AI Act", "AILD");
    - BINDING when it is binding law, so an act comes before the guidance about it
      that the same words match;
    - how well the text matches (ts_rank scaled into [0, 1), titles weigh most),
      or, for a title in a script full text cannot split, how much of the title
      the words are.

    `among`: ids already known to match (ranked_slice's candidates), ranked
    without asking the indexes again; `exact`: exactly_named(text), when the
    caller has it already.
    """
    rows = base if base is not None else Instrument.objects.published()
    text = " ".join(text.split())
    exact = exact if exact is not None else exactly_named(text)
    if _UNSEGMENTED.search(text):
        found = Q(original_title__icontains=text) | Q(title__icontains=text)
        closeness = Value(float(len(text))) / Greatest(
            Length("original_title"), Value(len(text)), output_field=FloatField()
        )
        return (
            rows.filter(found | exact)
            .annotate(rank=_points(exact, None) + _BINDING + closeness, snippet=F("original_title"))
            .order_by("-rank", "title", "pk")
        )
    query = _query(text)
    short = _short_named(text)
    named = exact | short if short is not None else exact
    return (
        rows.annotate(document=StoredVector())
        # `document @@ query OR short_names @> ... OR id = ANY(...) ...`: each an index.
        .filter(Q(document=query) | named if among is None else IdIn(among))
        .annotate(
            rank=_points(exact, short)
            + _BINDING
            + SearchRank(F("document"), query, normalization=Value(32)),
            snippet=_marked_text("summary", query),
        )
        .order_by("-rank", "title", "pk")
    )


def obligations(
    text: str, base: QuerySet[Obligation] | None = None, among: list[int] | None = None
) -> QuerySet[Obligation]:
    """Every obligation matching `text` (or `among`, as instruments()), best first."""
    rows = base if base is not None else Obligation.objects.published()
    query = _query(" ".join(text.split()))
    return (
        rows.select_related("instrument")
        .annotate(document=StoredVector())
        .filter(Q(document=query) if among is None else IdIn(among))
        .annotate(
            rank=SearchRank(F("document"), query),
            snippet=_marked_text("requirement", query),
        )
        .order_by("-rank", "pk")
    )


def candidate_limit(stop: int) -> int:
    """How many matches of each kind _candidates reads for a page ending at `stop`: the
    next multiple of CANDIDATES. Fewer candidates than this are every match."""
    return CANDIDATES * -(-stop // CANDIDATES)


def _candidates(rows: QuerySet, text: str, stop: int, exact: Q | None) -> list[int]:
    """The ids a page of `rows` (a search for `text`, under any facets) is ranked
    among: the exactly named instruments, then at most CANDIDATES matches each of
    binding instruments whose titles match, of rows whose names match (titles,
    provisions: where ts_rank weighs words most) and of any match, each read through
    an index until it has enough. Below CANDIDATES matches that is every match.
    The pages within the first CANDIDATES rows share one set, so paging through
    them neither repeats nor skips a row; a page further down takes the next
    multiple of CANDIDATES. One statement."""
    limit = candidate_limit(stop)
    query = _query(text)
    rows = rows.order_by()
    pool = rows.values("pk")
    titled = rows.annotate(name_document=TitleVector()).filter(name_document=query)
    parts = [titled.values("pk")[:limit], pool[:limit]]
    if rows.model is Instrument:
        short = _short_named(text)
        named = exact | short if short is not None else exact
        binding = titled.filter(legal_force=LegalForce.BINDING).values("pk")
        parts += [pool.filter(named), binding[:limit]]
    statements = [part.query.sql_with_params() for part in parts]
    sql = " UNION ".join(f"({part})" for part, _ in statements)
    params = [p for _, part_params in statements for p in part_params]
    # Each part takes the first rows its index scan meets, so the set is the same for
    # every page of one record only if the scan is: parallel workers would hand rows
    # over in any order, and page 2 could repeat a row of page 1.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def among_candidates(rows: QuerySet, text: str, stop: int, exact: Q | None = None) -> QuerySet:
    """`rows` (a search for `text`) ranked among the candidates of its first `stop` rows
    (_candidates) instead of among every match: the same first `stop` rows, each with
    its `rank` and `snippet`, for a few times CANDIDATES rows read instead of all.
    `rows` itself when there is nothing to bound (no text, a script full text cannot
    split, a search that matches nothing)."""
    text = " ".join(text.split())
    if not text or _UNSEGMENTED.search(text) or rows.query.is_empty():
        return rows
    if rows.model is not Instrument:
        exact = None
    elif exact is None:
        exact = exactly_named(text)
    among = _candidates(rows, text, stop, exact)
    related = rows.query.select_related
    if exact is not None:
        bounded = instruments(text, Instrument.objects.all(), among=among, exact=exact)
    else:
        bounded = obligations(text, Obligation.objects.all(), among=among)
    bounded.query.select_related = related  # the caller's joins (a jurisdiction's name)
    return bounded


def ranked_slice(
    rows: QuerySet, start: int, stop: int, text: str = "", exact: Q | None = None
) -> list:
    """rows[start:stop] of a search for `text` (rows' own order when `text` is
    empty), with their snippets cut to show (apps.reading.snippets). `exact`:
    exactly_named(text), when the caller has it already.

    A ranked page is chosen among a bounded set of candidates (_candidates), so a
    query matching tens of thousands of rows ranks at most a few times CANDIDATES
    of them, found by their ids (asked again with the full-text condition,
    PostgreSQL reads every match to keep 20). Then ids first: sorting only ids and
    ranks is cheap, sorting whole rows spilled to disk (bench/RESULTS.md)."""
    text = " ".join(text.split())
    unsegmented = bool(_UNSEGMENTED.search(text))
    rows = among_candidates(rows, text, stop, exact)
    ids = list(rows.values_list("pk", flat=True)[start:stop])
    by_id = {row.pk: row for row in rows.filter(pk__in=ids)}
    shown = [by_id[pk] for pk in ids if pk in by_id]
    for row in shown:
        if hasattr(row, "snippet"):
            marked = row.snippet or ""
            if unsegmented:
                marked = snippets.mark_substring(marked, text)
            row.snippet = snippets.excerpt(marked)
    return shown


def search(text: str) -> Results:
    return Results(instruments(text), obligations(text))


@dataclass(frozen=True)
class Hits:
    instruments: list[Instrument]
    obligations: list[Obligation]


def hits(text: str, limit: int) -> Hits:
    """The `limit` best instruments and obligations for `text`, each with its `rank`
    and `snippet` (matched words between START and STOP), best first; kept under
    the record's version (apps.reading.cache), as the portal's pages are."""
    text = " ".join(text.split())
    computed: list[Hits] = []

    def compute() -> bytes:
        exact = exactly_named(text)  # read once for the match and the ranking
        found = instruments(text, exact=exact).select_related(None)
        computed.append(
            Hits(
                ranked_slice(found, 0, limit, text, exact),
                ranked_slice(obligations(text), 0, limit, text),
            )
        )
        return kept_results.encode(
            {
                "instruments": kept_results.shown(computed[0].instruments),
                "obligations": kept_results.shown(computed[0].obligations),
            }
        )

    body, _ = kept("search-hits", (text, limit), compute)
    if computed:
        return computed[0]
    data = kept_results.decode(body)
    return Hits(
        kept_results.rows_again(data["instruments"], Instrument.objects.published()),
        kept_results.rows_again(
            data["obligations"], Obligation.objects.published().select_related("instrument")
        ),
    )
