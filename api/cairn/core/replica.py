"""Reading from a streaming replica without serving stale data for longer than a bound.

Open-data routes read from `DATABASE_READ_URL` while the replica keeps up. Once a
check (every `CAIRN_REPLICA_CHECK_S`), Cairn notes the primary's WAL position
and asks the replica how far it has replayed. The replica is *fresh* when it has
replayed everything the primary had written `CAIRN_REPLICA_MAX_LAG_S` seconds
before; otherwise open reads go to the primary until it catches up. A change
committed on the primary (a withdrawal, a rule that generalises a record) is
therefore served stale for at most max lag + check interval, whatever the
replica does (paused, cut off, far behind).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable

import asyncpg

LOG = logging.getLogger("cairn.replica")

Mark = tuple[float, int]
"""(instant in seconds, the primary's WAL position in bytes then)."""


def is_fresh(marks: deque[Mark], replayed: int | None, now: float, max_lag: float) -> bool:
    """Whether a replica that replayed up to `replayed` lags by at most `max_lag` seconds.

    The bar is the newest mark at least `max_lag` old; while none is that old
    (just started), the oldest mark, which is stricter. `replayed` None: the
    server is not a standby (a primary given as its own replica) and is always fresh.
    """
    if replayed is None:
        return True
    if not marks:
        return False
    old_enough = [lsn for at, lsn in marks if at <= now - max_lag]
    bar = old_enough[-1] if old_enough else marks[0][1]
    return replayed >= bar


class ReplicaRouter:
    """Chooses, for each open read, the replica's pool or the primary's."""

    def __init__(
        self,
        primary: asyncpg.Pool,
        replica: asyncpg.Pool,
        max_lag: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.replica = replica
        self.max_lag = max_lag
        self.fresh = False
        """Set by `check`; False until the first check, so nothing stale is served at start."""
        self._clock = clock
        self._marks: deque[Mark] = deque()

    def pool(self) -> asyncpg.Pool:
        """Where the next open read goes."""
        return self.replica if self.fresh else self.primary

    async def check(self) -> bool:
        """Mark the primary's position, read the replica's, decide (unreachable: stale)."""
        now = self._clock()
        written = await self.primary.fetchval("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
        self._marks.append((now, int(written)))
        while len(self._marks) > 1 and self._marks[1][0] <= now - self.max_lag:
            self._marks.popleft()  # the bar only needs the newest mark older than max_lag
        try:
            replayed = await self.replica.fetchval(
                "SELECT CASE WHEN pg_is_in_recovery() "
                "THEN pg_last_wal_replay_lsn() - '0/0'::pg_lsn END"
            )
        except (OSError, asyncpg.PostgresError) as exc:
            LOG.warning("replica unreachable, reading from the primary: %s", exc)
            self.fresh = False
            return self.fresh
        fresh = is_fresh(
            self._marks, None if replayed is None else int(replayed), now, self.max_lag
        )
        if fresh != self.fresh:
            LOG.info(
                "replica %s",
                "caught up: open reads use it" if fresh else "lags: open reads use the primary",
            )
        self.fresh = fresh
        return fresh

    async def follow(self, interval: float) -> None:
        """Check every `interval` seconds until cancelled."""
        while True:
            await self.check()
            await asyncio.sleep(interval)
