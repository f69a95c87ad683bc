"""Rate limits as token buckets: pure arithmetic, the clock passed in.

State is per process (several workers each keep their own buckets), which
bounds abuse without a shared store; a shared one can replace `Buckets`
behind the same two methods.
"""

from __future__ import annotations

import math

import msgspec


class Bucket(msgspec.Struct):
    """Tokens left and when they were counted."""

    tokens: float
    at: float


class Buckets:
    """One bucket per key, refilled at `per_minute / 60` tokens a second."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._buckets: dict[str, Bucket] = {}
        self._max_keys = max_keys

    def take(self, key: str, per_minute: int, now: float) -> float:
        """Spend one token; return 0 when allowed, else the seconds to wait."""
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._buckets.clear()  # bounded memory: forget everyone rather than grow
            bucket = self._buckets[key] = Bucket(tokens=float(per_minute), at=now)
        rate = per_minute / 60.0
        bucket.tokens = min(float(per_minute), bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return math.ceil((1 - bucket.tokens) / rate) if rate > 0 else 60.0
