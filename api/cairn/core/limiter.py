"""Where rate-limit buckets live: this process's memory, or Redis shared by every worker.

Both implement the same token bucket as `core.buckets.Buckets`. With
`CAIRN_REDIS_URL`, several workers (or machines) share one limit per client;
if Redis cannot be reached the limiter fails open, with a warning: a broken
cache must not take the API down with it.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final, Protocol

from cairn.core.buckets import Buckets

LOG = logging.getLogger("cairn.limits")
RETRY_AFTER_FAILURE_S: Final = 5.0

# KEYS[1] the bucket; ARGV[1] tokens per minute. Server time, so workers agree on the clock.
# Returns 0 when a token was spent, else the seconds to wait (rounded up).
BUCKET_SCRIPT: Final = """
local per_minute = tonumber(ARGV[1])
local rate = per_minute / 60.0
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or per_minute
local at = tonumber(state[2]) or now
tokens = math.min(per_minute, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 120)  -- a bucket refills fully in 60 s
return wait
"""


class Limiter(Protocol):
    """Spend one token of `key`'s bucket: 0 when allowed, else the seconds to wait."""

    async def take(self, key: str, per_minute: int) -> float: ...


class MemoryLimiter:
    """Buckets in this process (each worker counts on its own)."""

    def __init__(self) -> None:
        self.buckets = Buckets()

    async def take(self, key: str, per_minute: int) -> float:
        """Spend from the in-memory bucket."""
        return self.buckets.take(key, per_minute, time.monotonic())


class RedisLimiter:
    """Buckets in Redis, updated atomically by one Lua script per request."""

    def __init__(self, url: str, client: Any = None) -> None:
        from redis.asyncio import Redis  # noqa: PLC0415  (only deployments with Redis load it)

        self.client = client or Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.script = self.client.register_script(BUCKET_SCRIPT)
        self.fallback = MemoryLimiter()
        self.down_until = 0.0

    async def take(self, key: str, per_minute: int) -> float:
        """Spend from the shared bucket; this process's own when Redis does not answer.

        After a failure Redis is left alone for a few seconds, so a hung server
        costs one timeout, not one per request.
        """
        if time.monotonic() < self.down_until:
            return await self.fallback.take(key, per_minute)
        try:
            wait = await self.script(keys=[f"cairn:rate:{key}"], args=[per_minute])
        except Exception as exc:  # noqa: BLE001  (any Redis failure: fail open, never a 500)
            LOG.warning("rate-limit store unreachable, counting in this process: %s", exc)
            self.down_until = time.monotonic() + RETRY_AFTER_FAILURE_S
            return await self.fallback.take(key, per_minute)
        return float(wait)

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()


def limiter(redis_url: str | None) -> Limiter:
    """Redis when a URL is configured, else this process's memory."""
    return RedisLimiter(redis_url) if redis_url else MemoryLimiter()
