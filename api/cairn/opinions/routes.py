"""A programme's second-opinion rule: read by its staff, changed by its admins."""

from __future__ import annotations

from litestar import Router, get, put
from litestar.params import JSONBody

from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.http import SlugPath
from cairn.core.problems import responses
from cairn.opinions import service
from cairn.opinions.model import SecondOpinionRule
from cairn.staff.auth import SECURITY, SignedIn


@get(
    "/programmes/{slug:str}/second-opinion",
    summary="Which taxa of a programme need two validators",
    tags=["moderation"],
    responses=responses(401, 404),
    security=SECURITY,
)
async def read_rule(slug: SlugPath, pool: DbPool, staff: SignedIn) -> SecondOpinionRule:
    """Staff of the programme; 404 for others."""
    return await service.read(pool, staff, slug)


@put(
    "/programmes/{slug:str}/second-opinion",
    summary="Name the taxa that need two validators (the programme's admins; audited)",
    description=(
        "On a record of these taxa a first `certain` or `probable` leaves it "
        "`awaiting_second_opinion` (not public); a second, different validator confirms it "
        "(published) or disagrees (`doubtful`, back in the queue). Taxa by CD_NOM (stored as "
        "their CD_REF), INPN groups, or the reference's protected / patrimonial flags."
    ),
    tags=["moderation"],
    dto=ReportingBody[SecondOpinionRule],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 422),
    status_code=200,
    security=SECURITY,
)
async def replace_rule(
    slug: SlugPath, data: JSONBody[SecondOpinionRule], pool: DbPool, staff: SignedIn
) -> SecondOpinionRule:
    """Check and store the rule with its audit entry."""
    return await service.change(pool, staff, slug, data)


router = Router(path="/", route_handlers=[read_rule, replace_rule])
"""The second-opinion feature's routes, mounted by the app factory."""
