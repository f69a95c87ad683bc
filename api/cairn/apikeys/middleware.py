"""Rate limits for the API, and researchers' API keys that raise them."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from cairn.apikeys import store as api_keys
from cairn.contributors.devices import device_token, signed_device
from cairn.core.hygiene import answer_options, refuse_nul_characters
from cairn.core.problems import ProblemError
from cairn.settings import Settings


async def limit_requests(request: Request[Any, Any, Any]) -> None:
    """Spend one token of the client's bucket (its API key's, or its IP's); 429 when empty.

    A key that is not valid is refused (401) rather than ignored, so a
    researcher notices a typo instead of silently getting the lower limit.
    A device token spends from its device's bucket and from its IP's too:
    tokens are free, so a fresh one must not buy a fresh allowance.
    """
    settings: Settings = request.app.state.settings
    key = request.headers.get("x-api-key")
    buckets = [
        (f"ip:{request.client.host if request.client else '-'}", settings.rate_limit_per_minute)
    ]
    if key:
        key_id = await api_keys.use(request.app.state.pool, key.strip())
        if key_id is None:
            raise ProblemError(401, "unauthorized", "Unauthorized", "This API key is not valid.")
        buckets = [(f"key:{key_id}", settings.api_key_rate_limit_per_minute)]
    elif device_token(request) is not None:
        device_id = await signed_device(request)
        buckets.insert(0, (f"device:{device_id}", settings.device_rate_limit_per_minute))
    for bucket, limit in buckets:
        wait = await request.app.state.limiter.take(bucket, limit)
        if wait:
            break
    if wait:
        raise ProblemError(
            429,
            "rate_limited",
            "Too many requests",
            f"Limit of {limit} requests a minute reached; retry in {wait:.0f} s."
            + ("" if key else " An API key raises the limit."),
            headers={"Retry-After": str(int(wait))},
        )


async def check_api_request(request: Request[Any, Any, Any]) -> Response[None] | None:
    """Every API request: hygiene first (NUL), then the rate limit, then an exact OPTIONS.

    A router's `before_request` replaces the app's, so the API routers run
    every check through this one hook.
    """
    await refuse_nul_characters(request)
    await limit_requests(request)
    return answer_options(request)
