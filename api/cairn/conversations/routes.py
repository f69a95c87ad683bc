"""A record's thread: its contributor (device token) and its staff (access token) only.

Anyone else, signed in or not as someone who may not see the record, gets the
404 of a record that does not exist; without any credential, a 401.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Router, get, post
from litestar.params import FromPath, JSONBody

from cairn.contributors.devices import device_token, signed_device
from cairn.conversations import service
from cairn.conversations.model import MESSAGES_PER_MINUTE, HideIn, Message, MessageIn, Thread
from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.problems import ProblemError, responses
from cairn.staff.auth import SECURITY, SignedIn, provide_staff
from cairn.staff.model import Staff


async def _who(request: Request[Any, Any, Any]) -> service.Who:
    """The record's contributor (a device token) or a staff member; 401 for neither."""
    if device_token(request) is not None:
        return await signed_device(request)
    return await provide_staff(request)


async def _spend(request: Request[Any, Any, Any], who: service.Who) -> None:
    """One message from this author's allowance a minute (across threads), else 429."""
    author = f"staff:{who.id}" if isinstance(who, Staff) else f"device:{who}"
    wait = await request.app.state.limiter.take(f"message:{author}", MESSAGES_PER_MINUTE)
    if wait:
        raise ProblemError(
            429,
            "rate_limited",
            "Too many messages",
            f"At most {MESSAGES_PER_MINUTE} messages a minute; retry in {wait:.0f} s.",
            headers={"Retry-After": str(max(1, int(wait)))},
        )


@get(
    "/observations/{observation_id:uuid}/comments",
    summary="A record's thread: its contributor and its staff write to each other",
    description=(
        "For the record's contributor (device token, any device of their account) and the "
        "staff whose scope holds it; anyone else gets 404, as for a record that does not "
        "exist. A contributor never sees who among the staff wrote, nor the text of a hidden "
        "message. Never part of the open data."
    ),
    tags=["conversations"],
    responses=responses(401, 404),
    security=SECURITY,
)
async def read_thread(
    request: Request[Any, Any, Any], observation_id: FromPath[UUID], pool: DbPool
) -> Thread:
    """The caller's view of the thread."""
    return await service.read(pool, await _who(request), observation_id)


@post(
    "/observations/{observation_id:uuid}/comments",
    summary="Write in a record's thread (plain text, up to 2,000 characters)",
    description=(
        f"At most {MESSAGES_PER_MINUTE} messages a minute per author (429 with Retry-After). "
        "The text is stored and shown as plain text; control characters are refused."
    ),
    tags=["conversations"],
    dto=ReportingBody[MessageIn],
    return_dto=None,
    responses=responses(400, 401, 404, 422, 429),
    status_code=201,
    security=SECURITY,
)
async def write_message(
    request: Request[Any, Any, Any],
    observation_id: FromPath[UUID],
    data: JSONBody[MessageIn],
    pool: DbPool,
) -> Message:
    """Authorise, spend the allowance, append."""
    who = await _who(request)
    await _spend(request, who)
    return await service.write(pool, who, observation_id, data.body)


@post(
    "/observations/{observation_id:uuid}/comments/{message_id:int}/hide",
    summary="Hide an abusive message (moderators of the record; audited)",
    tags=["conversations"],
    dto=ReportingBody[HideIn],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 422),
    status_code=200,
    security=SECURITY,
)
async def hide_message(
    observation_id: FromPath[UUID],
    message_id: FromPath[int],
    data: JSONBody[HideIn],
    pool: DbPool,
    staff: SignedIn,
) -> Message:
    """The message stays in the thread, its text withheld from the contributor."""
    return await service.hide(pool, staff, observation_id, message_id, data.reason)


router = Router(path="/", route_handlers=[read_thread, write_message, hide_message])
"""The conversations feature's routes, mounted by the app factory."""
