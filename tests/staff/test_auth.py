"""Staff sign-in: passwords, access tokens, refresh rotation, logout, the signing key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import asyncpg
import jwt
import pytest

from cairn.core.clock import now
from cairn.settings import Settings, SettingsError, signing_key
from cairn.staff.model import access_token
from tests.world import PASSWORD, Client, add_staff


async def login(client: Client, email: str, password: str = PASSWORD) -> dict[str, object]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    return {"status": response.status_code, **response.json()}


async def me(client: Client, token: object) -> int:
    return (
        await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code


async def test_login_gives_tokens_and_me_shows_roles(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "Mod@PNE.fr", "moderator", programme="default")
    tokens = await login(client, "mod@pne.fr")
    assert tokens["status"] == 200
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 900
    response = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 200
    assert response.json()["roles"] == {"default": "moderator"}
    assert response.json()["email"] == "mod@pne.fr"
    stored = await db.fetchval("SELECT password_hash FROM staff_user")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    digest = await db.fetchval("SELECT token_hash FROM refresh_token")
    assert tokens["refresh_token"].encode() not in bytes(digest)  # type: ignore[union-attr]


async def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    wrong = await login(client, "mod@pne.fr", "not the password")
    unknown = await login(client, "nobody@pne.fr")
    assert wrong["status"] == unknown["status"] == 401
    assert wrong["detail"] == unknown["detail"]
    await db.execute("UPDATE staff_user SET active = false")
    assert (await login(client, "mod@pne.fr"))["status"] == 401


async def test_refresh_rotates_and_logout_revokes(client: Client, db: asyncpg.Connection) -> None:
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    first = await login(client, "mod@pne.fr")
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert refreshed.status_code == 200
    second = refreshed.json()
    assert await me(client, second["access_token"]) == 200
    replay = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert replay.status_code == 401  # a refresh token works once

    out = await client.post("/api/v1/auth/logout", json={"refresh_token": second["refresh_token"]})
    assert out.status_code == 204
    after = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert after.status_code == 401


async def test_logout_everywhere_revokes_every_session(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    laptop, phone = await login(client, "mod@pne.fr"), await login(client, "mod@pne.fr")
    out = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": laptop["refresh_token"], "everywhere": True}
    )
    assert out.status_code == 204
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]}
    )
    assert again.status_code == 401


async def test_bad_access_tokens_are_401_with_a_challenge(
    client: Client, db: asyncpg.Connection, settings: Settings
) -> None:
    user = await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    key = signing_key(settings)
    expired = access_token(user, key, now() - timedelta(hours=1), timedelta(minutes=15))
    forged = access_token(
        user, "another key of at least thirty-two chars", now(), timedelta(minutes=15)
    )
    refresh_typed = jwt.encode(
        {"sub": str(user), "typ": "refresh", "exp": now() + timedelta(minutes=5)}, key
    )
    for token in (expired, forged, refresh_typed, "garbage"):
        response = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert await me(client, access_token(user, key, now(), timedelta(minutes=15))) == 200
    await db.execute("DELETE FROM staff_user")
    assert await me(client, access_token(user, key, now(), timedelta(minutes=15))) == 401


def test_the_generated_key_survives_restarts(tmp_path: Path) -> None:
    settings = Settings.from_env({"CAIRN_DATA_DIR": str(tmp_path)})
    first = signing_key(settings)
    assert len(first) >= 32
    assert signing_key(Settings.from_env({"CAIRN_DATA_DIR": str(tmp_path)})) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    configured = "k" * 40
    assert signing_key(Settings.from_env({"CAIRN_SECRET_KEY": configured})) == configured
    with pytest.raises(SettingsError, match="CAIRN_SECRET_KEY"):
        Settings.from_env({"CAIRN_SECRET_KEY": "short"})


async def test_repeated_failures_lock_an_email_for_a_while(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    for email in ("mod@pne.fr", "ghost@pne.fr"):  # known or not, the same answers
        answers = [(await login(client, email, "guess"))["status"] for _ in range(5)]
        assert answers == [401] * 5
        locked = await client.post(
            "/api/v1/auth/login", json={"email": email.upper(), "password": PASSWORD}
        )
        assert locked.status_code == 429
        assert locked.json()["code"] == "rate_limited"
        assert 0 < int(locked.headers["retry-after"]) <= 900
    await db.execute("UPDATE login_attempt SET last_failed_at = last_failed_at - interval '16 min'")
    assert (await login(client, "mod@pne.fr", "guess"))["status"] == 401  # a new count starts
    assert (await login(client, "mod@pne.fr"))["status"] == 200
    # mod's count cleared by the success, ghost's expired with the window
    assert await db.fetchval("SELECT count(*) FROM login_attempt") == 0


async def test_changing_ones_password_signs_every_session_out(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    tokens = await login(client, "mod@pne.fr")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    new = "another long passphrase"
    wrong = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "nope", "new_password": new},
        headers=headers,
    )
    assert wrong.status_code == 403
    short = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=headers,
    )
    assert short.status_code == 422
    assert short.json()["errors"][0]["pointer"] == "/new_password"
    changed = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": new},
        headers=headers,
    )
    assert changed.status_code == 204
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status_code == 401
    assert (await login(client, "mod@pne.fr"))["status"] == 401
    assert (await login(client, "mod@pne.fr", new))["status"] == 200


async def test_stale_rows_do_not_pile_up(client: Client, db: asyncpg.Connection) -> None:
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    await login(client, "mod@pne.fr")
    await db.execute("UPDATE refresh_token SET expires_at = now() - interval '1 day'")
    await login(client, "mod@pne.fr")
    assert await db.fetchval("SELECT count(*) FROM refresh_token") == 1
    await login(client, "old-guess@pne.fr", "x")
    await db.execute("UPDATE login_attempt SET last_failed_at = now() - interval '1 hour'")
    await login(client, "new-guess@pne.fr", "x")
    assert await db.fetchval("SELECT count(*) FROM login_attempt") == 1
