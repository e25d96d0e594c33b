"""Page-numbered lists with a hard ceiling on the page size, refused rather than clamped."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import PageNumberPagination

from apps.api.problems import bad


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise bad("page_size", "a whole number of at least 1")
        if int(raw) > self.max_page_size:
            raise bad("page_size", f"at most {self.max_page_size}")
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        return parameters
