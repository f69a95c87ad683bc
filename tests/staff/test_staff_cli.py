"""`cairn create-user` and `cairn grant` make the first admin, who can then sign in."""

from __future__ import annotations

import os
import subprocess

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.platform.test_cli import CAIRN


def cairn(dsn: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": dsn}
    return subprocess.run(
        [CAIRN, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


async def test_the_first_admin(
    dsn: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    password = "a long enough passphrase"
    made = cairn(
        dsn,
        "create-user",
        "Chief@PNE.fr",
        "--name",
        "Chief",
        "--password-stdin",
        stdin=password + "\n",
    )
    assert made.returncode == 0, made.stderr
    granted = cairn(dsn, "grant", "chief@pne.fr", "admin", "--platform")
    assert granted.returncode == 0, granted.stderr
    assert "admin of the whole platform" in granted.stdout
    moderator = cairn(dsn, "grant", "chief@pne.fr", "moderator", "--programme", "demo")
    assert moderator.returncode == 0, moderator.stderr

    response = await client.post(
        "/api/v1/auth/login", json={"email": "chief@pne.fr", "password": password}
    )
    assert response.status_code == 200
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
    )
    assert me.json()["platform_role"] == "admin"
    assert me.json()["roles"] == {"default": "admin", "demo": "admin"}  # strongest role wins

    trail = await client.get(
        "/api/v1/staff/audit",
        headers={"Authorization": f"Bearer {response.json()['access_token']}"},
    )
    assert trail.status_code == 200
    entries = sorted(trail.json(), key=lambda e: e["id"])
    assert [(e["action"], e["subject"], e["actor_id"]) for e in entries] == [
        ("account_create", "chief@pne.fr", None),
        ("grant", "chief@pne.fr", None),
        ("grant", "chief@pne.fr", None),
    ], "the command line leaves the same trail as the API, by no signed-in actor"
    assert [e["after"]["role"] for e in entries[1:]] == ["admin", "moderator"]
    assert entries[2]["after"]["programme"] == "demo"


def test_refusals_are_messages(dsn: str) -> None:
    assert (
        "at least 12"
        in cairn(
            dsn, "create-user", "a@b.fr", "--name", "A", "--password-stdin", stdin="short\n"
        ).stderr
    )
    assert (
        "not an email"
        in cairn(
            dsn, "create-user", "nobody", "--name", "A", "--password-stdin", stdin="x" * 20
        ).stderr
    )
    cairn(dsn, "create-user", "a@b.fr", "--name", "A", "--password-stdin", stdin="x" * 20)
    cases = [
        (["create-user", "a@b.fr", "--name", "A", "--password-stdin"], "exists already"),
        (["grant", "nobody@b.fr", "admin", "--platform"], "no account"),
        (["grant", "a@b.fr", "admin", "--programme", "nowhere"], "no programme nowhere"),
        (["grant", "a@b.fr", "admin"], "exactly one of"),
        (["grant", "a@b.fr", "owner", "--platform"], "Invalid value"),
    ]
    for args, needle in cases:
        result = cairn(dsn, *args, stdin="x" * 20)
        assert result.returncode != 0
        assert needle in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


async def test_a_grant_narrowed_to_a_taxon_group(
    dsn: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    password = "a long enough passphrase"
    made = cairn(
        dsn,
        "create-user",
        "orni@lpo.fr",
        "--name",
        "Orni",
        "--password-stdin",
        stdin=password + "\n",
    )
    assert made.returncode == 0, made.stderr
    unknown = cairn(
        dsn, "grant", "orni@lpo.fr", "moderator", "--platform", "--taxon-group", "Dragons"
    )
    assert unknown.returncode != 0
    assert "no taxon of the reference is in 'Dragons'" in unknown.stderr
    granted = cairn(
        dsn, "grant", "orni@lpo.fr", "moderator", "--platform", "--taxon-group", "Oiseaux"
    )
    assert granted.returncode == 0, granted.stderr
    assert "moderator of the whole platform for Oiseaux" in granted.stdout
    token = (
        await client.post("/api/v1/auth/login", json={"email": "orni@lpo.fr", "password": password})
    ).json()["access_token"]
    me = (await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})).json()
    assert me["roles"] == {}
    assert me["taxon_groups"] == {
        "default": {"Oiseaux": "moderator"},
        "demo": {"Oiseaux": "moderator"},
    }
    assert await db.fetchval(
        "SELECT after->'taxon_groups' FROM staff_audit WHERE action = 'grant'"
    ) == ["Oiseaux"]
