"""Bytes produced by a database task, handed to a response as they come, memory flat."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Final

Push = Callable[[bytes], Coroutine[Any, Any, None]]
"""Where a producer hands its next chunk; it waits while the consumer is behind."""

_BUFFERED_CHUNKS: Final = 32
"""How far the producer may run ahead of a slow client before it waits."""


async def produced(produce: Callable[[Push], Awaitable[None]]) -> AsyncIterator[bytes]:
    """Run `produce` as a task and yield each chunk it pushes.

    The bounded queue makes a slow client slow the query down instead of
    filling the server's memory; a client that goes away cancels the task;
    a failed task ends the response early rather than silently short.
    """
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=_BUFFERED_CHUNKS)

    async def push(chunk: bytes) -> None:
        await queue.put(bytes(chunk))  # asyncpg may hand a view of a buffer it reuses

    async def run() -> None:
        try:
            await produce(push)
        finally:
            await queue.put(None)

    task = asyncio.create_task(run())
    try:
        while (chunk := await queue.get()) is not None:
            yield chunk
        await task
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
