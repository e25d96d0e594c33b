"""Request budgets per key, and per address for anonymous requests.

Counters live in the default cache: Redis when REDIS_URL is set (shared by
every web process), process memory otherwise. DRF answers an exhausted budget
with 429 and Retry-After.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from apps.api.models import ApiKey


class KeyRateThrottle(SimpleRateThrottle):
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def allow_request(self, request, view):
        keyed = isinstance(request.auth, ApiKey)
        self.scope = "key" if keyed else "anonymous"
        self.rate = settings.API_KEY_RATE if keyed else settings.API_ANONYMOUS_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        # The rate is chosen per request in allow_request.
        return None

    def get_cache_key(self, request, view):
        ident = request.auth.prefix if isinstance(request.auth, ApiKey) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
