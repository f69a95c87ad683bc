"""Anonymous contributor devices and their bearer tokens."""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from litestar import Request, post
from litestar.datastructures import State
from litestar.di import NamedDependency

from cairn.contributors import store as devices
from cairn.contributors.model import DeviceCreated, is_device_token
from cairn.core.deps import DbPool
from cairn.core.problems import ProblemError, responses

OptionalDevice = NamedDependency[UUID | None]
"""A route parameter named `device`: the submitting device, if the request names one."""


def device_token(request: Request[Any, Any, State]) -> str | None:
    """The bearer token of the request if it looks like a device's (not a staff JWT)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and is_device_token(token) else None


async def signed_device(request: Request[Any, Any, State]) -> UUID:
    """The device of a request's device token, looked up once per request; 401 if unknown."""
    cached: UUID | None = request.state.get("device_id")
    if cached is not None:
        return cached
    token = device_token(request)
    device_id = None if token is None else await devices.by_token(request.app.state.pool, token)
    if device_id is None:
        raise ProblemError(401, "unauthorized", "Unauthorized", "This device token is not known.")
    request.state.device_id = device_id
    return device_id


async def provide_device(request: Request[Any, Any, State]) -> UUID | None:
    """The device a bearer token names; None without one; 401 for a bad one."""
    if not request.headers.get("authorization", "").partition(" ")[2].strip():
        return None
    if device_token(request) is None:
        raise ProblemError(
            401, "unauthorized", "Unauthorized", "Send `Authorization: Bearer <device token>`."
        )
    return await signed_device(request)


HOW_TO_GET_A_DEVICE: Final = (
    "Contributor writes are signed by a device: register one with POST /api/v1/devices "
    "(free and anonymous, no personal data) and send `Authorization: Bearer <token>`."
)


async def require_device(device: OptionalDevice) -> UUID:
    """The signed device; 401 `device_token_required`, saying how to get one, without a token."""
    if device is None:
        raise ProblemError(
            401,
            "device_token_required",
            "Device token required",
            HOW_TO_GET_A_DEVICE,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return device


SignedDevice = NamedDependency[UUID]
"""A route parameter named `me`: the device that must sign the request."""


@post(
    "/devices",
    summary="Register an anonymous device; its secret token is shown once",
    tags=["contributors"],
    responses=responses(429),
    status_code=201,
)
async def register_device(pool: DbPool) -> DeviceCreated:
    """No personal data: a random id and a token the server keeps only hashed."""
    device_id, token = await devices.create(pool)
    return DeviceCreated(device_id=str(device_id), token=token)
