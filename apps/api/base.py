"""What every API view shares: known parameters only, `include=`, caching headers."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework import generics

from apps.api import kept
from apps.api.pagination import Pages
from apps.api.problems import bad

logger = logging.getLogger("apps.api.requests")

# Parameters every list understands besides its filters.
COMMON = {"format", "include", "page", "page_size", "retired"}


class ApiView(generics.GenericAPIView):
    includes: tuple[str, ...] = ()  # what `include=` may name on this resource
    extra_parameters: frozenset[str] = frozenset()
    detail_parameters: frozenset[str] = frozenset()
    pagination_class = Pages
    # Reads of the published record say True: they are answered from the read cache
    # (apps/api/kept.py). Off by default, because a view whose answer depends on who
    # asks (a client's webhooks) or on rows outside the record must not be shared.
    read_cache = False
    _kept_under: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_parameters(request)
        # Asked only once the caller may read and the parameters are known: a refusal
        # is never served from, nor kept in, the cache.
        if self.read_cache:
            self._kept_under = kept.look(request)

    def handle_exception(self, exc):
        if isinstance(exc, kept.Kept):
            return exc.response()
        return super().handle_exception(exc)

    def check_parameters(self, request) -> None:
        if self.kwargs.get(getattr(self, "lookup_url_kwarg", None) or "pk") is not None:
            known = {"format", "include", "retired"} | set(self.detail_parameters)
        else:
            known = set(COMMON) | set(self.extra_parameters)
            if getattr(self, "filterset_class", None) is not None:
                known |= set(self.filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise bad(
                unknown[0], f"unknown parameter; this endpoint takes {', '.join(sorted(known))}"
            )
        retired = request.query_params.get("retired")
        if retired not in (None, "true", "false"):
            raise bad("retired", "true or false")

    @property
    def include(self) -> list[str]:
        raw = self.request.query_params.get("include", "")
        # A name given twice is embedded once (the schema's pattern lets clients repeat it).
        wanted = list(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
        unknown = [name for name in wanted if name not in self.includes]
        if unknown:
            allowed = ", ".join(self.includes) or "nothing"
            raise bad("include", f"unknown {unknown[0]!r}; this resource can include {allowed}")
        return wanted

    @property
    def with_retired(self) -> bool:
        return self.request.query_params.get("retired") == "true"

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "include": self.include}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Anonymous readers may share a cache's copy only when anonymous reads are
        # allowed; a keyed client's copy is its own. Either revalidates by ETag.
        if request.method == "GET" and response.status_code == 200:
            if settings.API_ANONYMOUS_READ and request.auth is None:
                patch_cache_control(response, public=True, max_age=60)
            else:
                patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Authorization", "Accept"))
        if self._kept_under is not None:
            kept.keep(self._kept_under, response)
        # Every request is attributed to its client (and key) in the log.
        key = getattr(request, "auth", None)
        logger.info(
            "%s %s %s client=%s key=%s",
            request.method,
            request.get_full_path(),
            response.status_code,
            getattr(getattr(key, "client", None), "name", "anonymous"),
            getattr(key, "prefix", "-"),
        )
        return response
