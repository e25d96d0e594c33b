"""Request budgets per key, and per address for anonymous requests.

A budget is a window that opens with the first request counted in it and lasts the
rate's period; every request in it adds one to a counter that expires with the
window, and a request past the limit gets 429 with Retry-After set to what is left
of the window.

Counting is one atomic step, because DRF's own throttle reads a list of times,
appends to it and writes it back: requests that read together all pass, and under
concurrent requests a key overshot its limit by about 19% (issue 24).

- With Redis as the default cache (REDIS_URL; shared by every web process) a Lua
  script increments the counter and gives a new one its expiry in one server step.
- Without Redis (process memory, as `make run` has) the same read-and-write runs
  under a lock of this process, which is all that cache is shared by. A cache
  shared by several processes that is not Redis would count loosely; the settings
  choose only Redis or process memory.

Anonymous requests are counted per client address, read as the sign-in lockout
reads it (TRUSTED_PROXIES): an X-Forwarded-For the client wrote is never believed.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.lockout import client_address
from apps.api.models import ApiKey

# Returns the count after this request and the milliseconds left in the window. The
# expiry is set whenever the key has none, not only on the first increment, so a
# counter can never outlive its window.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {count, redis.call('PTTL', KEYS[1])}
"""

_local_lock = threading.Lock()


def _count_in_redis(cache: RedisCache, key: str, window_ms: int) -> tuple[int, float]:
    stored_key = cache.make_and_validate_key(key)
    # Django's RedisCache has no public way to run a script; this is the client the
    # cache itself writes the key with, so prefixes and servers are the cache's own.
    client = cache._cache.get_client(stored_key, write=True)
    count, left_ms = client.eval(_COUNT_SCRIPT, 1, stored_key, window_ms)
    return int(count), max(int(left_ms), 0) / 1000


def _count_locally(cache, key: str, window_seconds: int) -> tuple[int, float]:
    with _local_lock:
        now = time.time()
        stored = cache.get(key)
        if stored is None or stored[1] <= now:
            count, ends_at = 1, now + window_seconds
        else:
            count, ends_at = stored[0] + 1, stored[1]
        cache.set(key, (count, ends_at), timeout=max(ends_at - now, 1))
    return count, ends_at - now


def count_request(key: str, window_seconds: int) -> tuple[int, float]:
    """Count one request under `key`: (requests in the window so far, seconds left)."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return _count_in_redis(cache, key, window_seconds * 1000)
    return _count_locally(cache, key, window_seconds)


class KeyRateThrottle(SimpleRateThrottle):
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def allow_request(self, request, view):
        keyed = isinstance(request.auth, ApiKey)
        self.scope = "key" if keyed else "anonymous"
        self.rate = settings.API_KEY_RATE if keyed else settings.API_ANONYMOUS_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        count, self.seconds_left = count_request(self.get_cache_key(request, view), self.duration)
        return count <= self.num_requests

    def wait(self):
        # Only asked after a refusal: the rest of the window the refused request fell in.
        return self.seconds_left

    def get_rate(self):
        # The rate is chosen per request in allow_request.
        return None

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request, view):
        ident = request.auth.prefix if isinstance(request.auth, ApiKey) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
