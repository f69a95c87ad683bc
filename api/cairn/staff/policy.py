"""Who among staff may do what, where: the one authorisation policy.

Every staff action is named here with the role it needs and the scope it needs
it on (a programme, an organisation, or the whole platform). Routes and the CLI
ask `require` or `programmes_for`; a refusal is one `ForbiddenError`, turned
into a 403 problem document in one place. A scope the caller has no role on at
all answers 404 instead (see `require_visible`), so slugs and ids of other
programmes cannot be probed.
"""

from __future__ import annotations

from typing import Final, Literal

from cairn.core.errors import ForbiddenError, NotFoundError
from cairn.staff.model import Role, Staff
from cairn.staff.scope import RecordScope, record_scope

ProgrammeAction = Literal[
    "read_records", "moderate", "reopen_decisions", "administer_programme", "read_dashboard"
]
"""Actions on the records or the settings of one programme."""

PlatformAction = Literal[
    "read_rules", "change_rules", "create_organisation", "read_audit", "create_account"
]
"""Actions that are not bound to one programme."""

PROGRAMME_ROLES: Final[dict[ProgrammeAction, Role]] = {
    "read_records": "viewer",
    "read_dashboard": "viewer",
    "moderate": "moderator",
    "reopen_decisions": "admin",
    "administer_programme": "admin",
}

_RECORDS: Final = frozenset({"read_records", "moderate"})
"""Actions on records, which a grant narrowed to taxon groups gives too."""

_WHY: Final[dict[str, str]] = {
    "read_records": "Reading these records needs the viewer role on their programme.",
    "read_dashboard": "The dashboard needs the viewer role on a programme.",
    "moderate": "Deciding needs the moderator role on this programme.",
    "reopen_decisions": "Reopening a decision needs the admin role on this programme.",
    "administer_programme": "This needs the admin role on the programme.",
    "read_rules": "Reading sensitivity rules needs a staff role.",
    "change_rules": "Changing sensitivity rules needs the platform admin role.",
    "create_organisation": "Creating an organisation needs the platform admin role.",
    "read_audit": "The audit trail is for platform admins.",
    "create_account": "Creating accounts needs an admin role.",
    "administer_organisation": "This needs the admin role on the organisation.",
}


def programmes_for(staff: Staff, action: ProgrammeAction, only: str | None = None) -> list[str]:
    """The programmes on which `staff` may do `action` (optionally narrowed to `only`)."""
    programmes = staff.programmes(PROGRAMME_ROLES[action])
    if only is not None:
        return [only] if only in programmes else []
    return programmes


def scope_for(
    staff: Staff,
    action: Literal["read_records", "moderate", "reopen_decisions"],
    only: str | None = None,
) -> RecordScope:
    """The records on which `staff` may do `action`, whole programmes and taxon groups."""
    return record_scope(staff, PROGRAMME_ROLES[action]).narrowed(only)


def allowed(staff: Staff, action: ProgrammeAction | PlatformAction, scope: str | None) -> bool:
    """Whether `staff` may do `action` on `scope` (a programme slug, or None for platform)."""
    if action in PROGRAMME_ROLES:
        role = PROGRAMME_ROLES[action]
        if scope is not None:
            return staff.can(scope, role)
        return (
            not record_scope(staff, role).is_empty()
            if action in _RECORDS
            else bool(staff.programmes(role))
        )
    if action == "read_rules":
        return bool(staff.roles) or bool(staff.group_roles) or staff.platform_role is not None
    if action == "create_account":
        return (
            staff.is_platform_admin()
            or bool(staff.organisations_administered)
            or bool(staff.programmes("admin"))
        )
    return staff.is_platform_admin()


def require(
    staff: Staff, action: ProgrammeAction | PlatformAction, scope: str | None = None
) -> None:
    """Refuse with a 403 problem unless `staff` may do `action` on `scope`."""
    if not allowed(staff, action, scope):
        raise ForbiddenError(_WHY[action])


def require_visible(staff: Staff, programme: str) -> None:
    """Staff without any role on a programme get 404, as if it did not exist."""
    if not staff.sees(programme):
        raise NotFoundError(f"no programme {programme}")


def require_organisation_admin(staff: Staff, organisation: str) -> None:
    """Refuse unless `staff` administers `organisation` (platform admins do)."""
    if not staff.administers(organisation):
        raise ForbiddenError(_WHY["administer_organisation"])


def may_manage_grants(
    staff: Staff,
    organisation: str | None,
    programme_organisation: str | None,
    programme: str | None,
) -> bool:
    """Whether `staff` administers a grant's scope: a programme, an organisation, or everything.

    `programme_organisation` is the organisation that runs `programme` (its admins reach it).
    """
    if staff.is_platform_admin():
        return True
    if programme is not None:
        return programme_organisation is not None and (
            staff.can(programme, "admin") or staff.administers(programme_organisation)
        )
    return organisation is not None and staff.administers(organisation)
