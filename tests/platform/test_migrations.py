"""Migrations: reversible, and the schema they produce is the committed one."""

from __future__ import annotations

import os
from pathlib import Path

from cairn.core.db import dump_schema, migrate

SNAPSHOT = Path(__file__).resolve().parents[2] / "migrations" / "schema.sql"


def test_up_down_up_gives_the_committed_schema(dsn: str) -> None:
    # `dsn` is a copy of the template, already at head.
    at_head = dump_schema(dsn)
    migrate(dsn, "base", down=True)
    at_base = dump_schema(dsn)
    assert "CREATE TABLE public.observation" not in at_base
    migrate(dsn)
    assert dump_schema(dsn) == at_head
    if os.environ.get("CAIRN_WRITE_SCHEMA"):
        SNAPSHOT.write_text(at_head)
    assert at_head == SNAPSHOT.read_text(), (
        "migrations/schema.sql differs from what the revisions produce: "
        "if the change is intended, run `make schema` and commit the file"
    )


def test_each_revision_downgrades_cleanly_one_step_at_a_time(dsn: str) -> None:
    from alembic.script import ScriptDirectory

    from cairn.core.db import alembic_config

    revisions = list(ScriptDirectory.from_config(alembic_config(dsn)).walk_revisions())
    for revision in revisions:  # newest first
        migrate(dsn, revision.down_revision or "base", down=True)
    assert "CREATE TABLE public.observation" not in dump_schema(dsn)
