"""The records a staff member may act on: whole programmes, and taxon groups within others.

A validator of the Oiseaux reaches the bird records of the programmes their
grant covers and nothing else of them: every staff read and write of records
filters on one `RecordScope`, in SQL, so a plant answers a bird validator 404
exactly like a record that does not exist. A record's group is that of its
current taxon, so a re-identification into another group hands it over.
"""

from __future__ import annotations

from typing import Final

import msgspec

from cairn.staff.model import ROLE_RANK, Role, Staff

SEPARATOR: Final = "/"
"""Joins a programme slug and a group name in one key (slugs never hold a slash)."""


class RecordScope(msgspec.Struct, frozen=True):
    """Programmes reached whole, and `programme/group` keys reached for one group's records."""

    programmes: list[str]
    groups: list[str]

    def covers(self, programme: str, group: str | None) -> bool:
        """Whether a record of `programme` whose taxon is in `group` is in scope."""
        return programme in self.programmes or (
            group is not None and f"{programme}{SEPARATOR}{group}" in self.groups
        )

    def narrowed(self, programme: str | None) -> RecordScope:
        """The part of the scope in one programme (the whole scope for None)."""
        if programme is None:
            return self
        prefix = f"{programme}{SEPARATOR}"
        return RecordScope(
            [p for p in self.programmes if p == programme],
            [key for key in self.groups if key.startswith(prefix)],
        )

    def reached_programmes(self) -> list[str]:
        """Every programme some of whose records are in scope."""
        return sorted({*self.programmes, *(key.partition(SEPARATOR)[0] for key in self.groups)})

    def is_empty(self) -> bool:
        """Whether no record at all is in scope."""
        return not self.programmes and not self.groups


def record_scope(staff: Staff, at_least: Role) -> RecordScope:
    """The records on which `staff` holds `at_least` that role, whole or by taxon group."""
    whole = staff.programmes(at_least)
    return RecordScope(
        whole,
        sorted(
            f"{programme}{SEPARATOR}{group}"
            for programme, groups in staff.group_roles.items()
            if programme not in whole
            for group, role in groups.items()
            if ROLE_RANK[role] >= ROLE_RANK[at_least]
        ),
    )


def in_scope(alias: str, programmes_arg: str, groups_arg: str) -> str:
    """SQL: the record `alias` is in the scope whose two lists are `programmes_arg`, `groups_arg`.

    The group is read from the record's current taxon (`taxon.group2_inpn`);
    a record without a taxon (heritage) is reached only through a whole programme.
    """
    return f"""({alias}.programme = ANY({programmes_arg}::text[])
        OR (cardinality({groups_arg}::text[]) > 0 AND EXISTS (
            SELECT 1 FROM taxon scope_taxon
             WHERE scope_taxon.cd_nom = {alias}.taxon_cd_nom
               AND {alias}.programme || '{SEPARATOR}' || scope_taxon.group2_inpn
                   = ANY({groups_arg}::text[]))))"""
