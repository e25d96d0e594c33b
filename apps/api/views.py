"""The four resources of the published record, read-only."""

from __future__ import annotations

from functools import cached_property

from django.db.models import Prefetch
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from apps.amendments.models import Amendment, Effect
from apps.api import filters, prefetch, serializers
from apps.api.base import ApiView
from apps.api.problems import bad
from apps.api.renderers import INSTRUMENT_RENDERERS, LIST_RENDERERS
from apps.instruments.models import Instrument, InstrumentParty
from apps.jurisdictions.models import Jurisdiction, Membership
from apps.obligations.models import Obligation
from apps.reading.obligation_lists import LawOn
from apps.reading.on_a_day import as_of_many, with_status_on

# Columns no serializer of this module writes.
# (An instrument's provenance is read: its check state tells "not checked since the seed"
# from "never checked".)
UNREAD = ("provenance_note", "created_at", "short_names", "first_event_on")
# What a check state shows of the citation behind it (serializers.CheckCitationSerializer).
CHECK_CITATION = tuple(f"verified_against__{name}" for name in ("key", "url", "title", "locator"))
UNREAD_OBLIGATION = ("provenance", "provenance_note", "created_at", "needs_review")
READ = tuple(f.name for f in Instrument._meta.concrete_fields if f.name not in UNREAD)

INCLUDE = OpenApiParameter(
    "include", OpenApiTypes.STR, description="Comma-separated related data to embed."
)
RETIRED = OpenApiParameter(
    "retired", OpenApiTypes.BOOL, description="true: also rows retired from the record."
)
AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="As it stood on this day (default: today), e.g. `2025-01-01`.",
)
FORMATS = (
    " Every list also answers `?format=csv` (one row per result; a `Link` header names"
    " the next page)."
)


def described(
    list_summary: str, list_text: str, one_summary: str, one_text: str, *, on_a_day=False
):
    """What a resource's list and detail say in the schema, the docs pages and a
    generated client (otherwise DRF's own docstrings would stand in for them)."""
    one = [AS_OF] if on_a_day else []
    return extend_schema_view(
        list=extend_schema(summary=list_summary, description=list_text + FORMATS),
        retrieve=extend_schema(summary=one_summary, description=one_text, parameters=one),
    )


@extend_schema(parameters=[INCLUDE, RETIRED])
class Resource(viewsets.ViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiView):
    read_cache = True  # the published record only
    model = None
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    filter_backends = [DjangoFilterBackend]

    renderer_classes = LIST_RENDERERS

    def base_queryset(self):
        rows = self.model.objects.all()
        return rows if self.with_retired else rows.published()

    def get_object(self):
        found = self.lookup(self.base_queryset_for_detail(), self.kwargs["id"])
        if found is None:
            raise Http404(
                f"No published {self.model._meta.verbose_name} has the id {self.kwargs['id']!r}."
            )
        self.check_object_permissions(self.request, found)
        return found

    def base_queryset_for_detail(self):
        return self.get_queryset()

    def lookup(self, rows, stable_id: str):
        raise NotImplementedError


@described(
    "List jurisdictions",
    "Countries, subnational units, groups (the EU) and forums the record tracks, paged, "
    "each with its coverage and when it was last checked. Example: "
    "`?kind=supranational&include=members` lists the groups with their members over time.",
    "One jurisdiction",
    "A jurisdiction by its code (`EU`, `US-CA`). Example: `/api/v1/jurisdictions/FR/"
    "?include=member_of` shows the groups France belongs to.",
)
class JurisdictionView(Resource):
    model = Jurisdiction
    serializer_class = serializers.JurisdictionSerializer
    filterset_class = filters.JurisdictionFilter
    includes = ("members", "member_of", "citations")

    def get_queryset(self):
        rows = self.base_queryset().select_related("parent", "verified_against")
        membership = Membership.objects.select_related("group", "member")
        lookups = {
            "members": prefetch.related("memberships", membership),
            "member_of": prefetch.related("member_of", membership),
            "citations": prefetch.related("citations"),
        }
        return rows.prefetch_related(*(lookups[name] for name in self.include))

    def lookup(self, rows, stable_id):
        return rows.filter(code=stable_id).first()


def amendments_queryset():
    return (
        Amendment.objects.published()
        .select_related("source_instrument", "source_jurisdiction", "target_instrument")
        .prefetch_related(prefetch.related("citations"))
    )


@described(
    "List instruments",
    "Laws, regulations, orders and guidance, paged, with their derived status. Filters "
    "combine; `as_of` gives each status as it stood that day. Example: "
    "`?jurisdiction=FR&jurisdiction_scope=memberships&status=in_force` is everything in "
    "force that binds France, its own law and the EU's. `Accept: application/ld+json` "
    "(or `?format=jsonld`) answers each instrument as schema.org `Legislation`.",
    "One instrument",
    "An instrument by its slug, with its status (on `as_of` when given). Example: "
    "`/api/v1/instruments/eu-ai-liability-directive/?as_of=2025-01-01` answers the "
    "directive as it stood on 1 January 2025 (proposed). `Accept: application/ld+json` "
    "(or `?format=jsonld`) answers schema.org `Legislation` with its obligations as parts; "
    "`?format=csv` one CSV row.",
    on_a_day=True,
)
class InstrumentView(Resource):
    model = Instrument
    serializer_class = serializers.InstrumentSerializer
    filterset_class = filters.InstrumentFilter
    includes = ("identifiers", "events", "parties", "obligations", "amendments", "citations")
    detail_parameters = frozenset({"as_of"})
    # What schema.org Legislation is built from (apps.api.renderers.legislation).
    jsonld_includes = ("identifiers", "events", "amendments", "obligations")

    @property
    def include(self) -> list[str]:
        wanted = super().include
        renderer = getattr(self.request, "accepted_renderer", None)
        if getattr(renderer, "format", None) == "jsonld":
            wanted += [name for name in self.jsonld_includes if name not in wanted]
        return wanted

    renderer_classes = INSTRUMENT_RENDERERS

    @property
    def as_of(self):
        raw = self.request.query_params.get("as_of")
        if not raw:
            return None
        form = filters.InstrumentFilter(self.request.query_params).form
        form.is_valid()
        if "as_of" in form.errors:
            raise bad("as_of", " ".join(form.errors["as_of"]))
        return form.cleaned_data["as_of"]

    def get_queryset(self):
        # Only what the serializer writes: a page builds hundreds of model objects,
        # and each costs time in proportion to its columns (bench/RESULTS.md).
        rows = self.base_queryset().select_related("jurisdiction", "verified_against")
        rows = rows.only(*READ, "jurisdiction__code", *CHECK_CITATION)
        include = set(self.include)
        lookups = []
        if "events" in include or self.as_of:
            lookups.append("events")
        if "parties" in include:
            parties = InstrumentParty.objects.select_related("jurisdiction")
            lookups.append(prefetch.related("parties", parties))
        if "citations" in include:
            lookups.append(prefetch.related("citations"))
        if "amendments" in include or self.as_of:
            lookups.append(Prefetch("incoming_amendments", queryset=amendments_queryset()))
        if "amendments" in include:
            lookups.append(Prefetch("outgoing_amendments", queryset=amendments_queryset()))
        return rows.prefetch_related(*lookups)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = self.request.query_params.get("status")
        if self.as_of and status:
            # The candidates are already narrowed by the other filters, and
            # get_queryset prefetched what the derivation reads.
            queryset = with_status_on(queryset, self.as_of, status)
        return queryset

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.attach(page)
        self.attach_as_of(page)
        return page

    def attach(self, rows):
        """Identifiers and obligations (with their penalties and citations), read for
        the whole page with apps.api.prefetch rather than prefetch_related."""
        if not rows:
            return
        include = set(self.include)
        kept = self.attached = []
        if "identifiers" in include:
            prefetch.children(rows, "identifiers", kept=kept)
        if "obligations" in include and not self.as_of:
            published = Obligation.objects.published().defer(*UNREAD_OBLIGATION).with_fine_keys()
            obligations = prefetch.children(rows, "obligations", published, kept=kept)
            prefetch.children(obligations, "penalties", kept=kept)
            prefetch.cited(obligations)
            self.as_they_stand(rows, published)

    def as_they_stand(self, rows, published):
        """Each instrument's obligations as they stand today, as the obligation list
        shows them (apps.reading.obligation_lists): amended, and without those an
        amendment adds later."""
        law = LawOn(published.filter(instrument__in=[row.pk for row in rows]))
        listed = prefetch.rows_attr("obligations")
        stored = []
        for row in rows:
            stored += getattr(row, listed)
            derived = (law.derive(o, penalties=o.penalties_rows) for o in getattr(row, listed))
            setattr(row, listed, [d for d in derived if d.exists])
        # The derived penalties are the ones to write, not the stored rows' list
        # (apps.api.compiled reads that list first, through the derived obligation).
        prefetch.release([(stored, prefetch.rows_attr("penalties"))])

    def finalize_response(self, request, response, *args, **kwargs):
        # The response holds plain data by now: free the page's objects (prefetch.release).
        prefetch.release(getattr(self, "attached", []))
        return super().finalize_response(request, response, *args, **kwargs)

    def attach_as_of(self, rows):
        if rows and self.as_of:
            for state in as_of_many(list(rows), self.as_of):
                state.instrument.api_as_of = state

    def get_object(self):
        found = super().get_object()
        self.attach([found])
        self.attach_as_of([found])
        return found

    def lookup(self, rows, stable_id):
        return rows.filter(slug=stable_id).first()


@described(
    "List obligations",
    "Duties instruments impose, paged, as they stand today or as they applied on `as_of`: "
    "amended by the amendments in effect that day. Example: "
    "`?addressee=provider&applies_on=2026-08-02&include=penalties` lists the providers' "
    "duties that apply on 2 August 2026, with their penalties.",
    "One obligation",
    "An obligation by its id (`<instrument slug>:<key>`, e.g. "
    "`eu-ai-act:article-5-prohibited-practices`), as it stands today or on `as_of`; "
    "`include=history` adds the changes that made it so and those pending.",
    on_a_day=True,
)
class ObligationView(Resource):
    """Obligations as they stand today, or as they applied on `as_of`: amended by the
    amendments in effect that day, filtered and ordered on those values
    (apps.reading.obligation_lists)."""

    model = Obligation
    serializer_class = serializers.ObligationSerializer
    filterset_class = filters.ObligationFilter
    includes = ("penalties", "citations", "history")
    detail_parameters = frozenset({"as_of"})

    @cached_property
    def asked(self) -> dict:
        """The request's filters, read (the filter backend has refused bad values)."""
        form = filters.ObligationFilter(self.request.query_params).form
        form.is_valid()
        if "as_of" in form.errors:
            raise bad("as_of", " ".join(form.errors["as_of"]))
        return form.cleaned_data

    def get_queryset(self):
        rows = self.base_queryset().select_related("instrument").with_fine_keys()
        # Penalties always: the derivation reads them (an amendment may replace them).
        lookups = ["penalties"]
        if "citations" in self.include:
            lookups.append(prefetch.related("citations"))
        return rows.prefetch_related(*lookups)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        self.law = LawOn(queryset, self.asked.get("as_of"))
        queryset = self.law.select(queryset, filters.wanted(self.asked))
        ordering = self.asked.get("ordering") or []
        if any(term.lstrip("-") == "applies_from" for term in ordering):
            queryset = self.law.ordered_by_date(queryset, ordering)
        return queryset

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else [self.law.derive(row) for row in page]

    def finalize_response(self, request, response, *args, **kwargs):
        self.__dict__.pop("law", None)  # its rows go with the response, not with the view
        return super().finalize_response(request, response, *args, **kwargs)

    def get_object(self):
        found = super().get_object()
        on = self.asked.get("as_of")
        derived = LawOn(Obligation.objects.filter(pk=found.pk), on).derive(found)
        if not derived.exists:
            raise Http404(
                f"The obligation {self.kwargs['id']!r} is not law on {derived.on.isoformat()}: "
                "an amendment adds it later, or is only proposed (see the amendments' effects)."
            )
        return derived

    def lookup(self, rows, stable_id):
        slug, _, key = stable_id.partition(":")
        return rows.filter(instrument__slug=slug, key=key).first()


@described(
    "List amendments",
    "What one instrument does to another (amends, repeals, corrects, implements ...), "
    "paged; a proposed one has `pending` true and no `effective_on`. Example: "
    "`?effective_from=2025-01-01&effective_to=2025-12-31` lists those that took effect in "
    "2025.",
    "One amendment",
    "An amendment by its key; `include=effects` says what it does to which obligation.",
)
class AmendmentView(Resource):
    model = Amendment
    serializer_class = serializers.AmendmentSerializer
    filterset_class = filters.AmendmentFilter
    includes = ("citations", "effects")

    def get_queryset(self):
        rows = self.base_queryset().select_related(
            "source_instrument", "source_jurisdiction", "target_instrument"
        )
        effects = Effect.objects.select_related("obligation__instrument")
        lookups = {
            "citations": prefetch.related("citations"),
            "effects": prefetch.related("effects", effects),
        }
        return rows.prefetch_related(*(lookups[name] for name in self.include))

    def lookup(self, rows, stable_id):
        return rows.filter(key=stable_id).first()
