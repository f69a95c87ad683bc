"""The moderation queue: order by need, keyset pages, filters, counts."""

from __future__ import annotations

import asyncpg
import pytest

from tests.world import Client, add_staff, load_taxa, plain_taxon, sign_in, submit

FLAG = [{"code": "out_of_range", "message": "far from known records", "detail": {}}]


@pytest.fixture
async def headers(client: Client, db: asyncpg.Connection) -> dict[str, str]:
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    return await sign_in(client, "mod@pne.fr")


async def test_flagged_and_sensitive_first_then_the_longest_waiting(
    client: Client, db: asyncpg.Connection, headers: dict[str, str]
) -> None:
    ids = [await submit(client) for _ in range(6)]
    await db.execute("UPDATE observation SET sensitivity_level = 0, flags = '[]'")
    await db.execute(
        "UPDATE observation SET flags = $2::jsonb WHERE id = ANY($1)", [ids[4], ids[5]], FLAG
    )
    await db.execute(
        "UPDATE observation SET sensitivity_level = 2 WHERE id = ANY($1)", [ids[3], ids[5]]
    )
    response = await client.get("/api/v1/moderation/queue", headers=headers)
    assert response.status_code == 200, response.text
    order = [item["id"] for item in response.json()["items"]]
    both, either, neither = [ids[5]], [ids[3], ids[4]], [ids[0], ids[1], ids[2]]
    assert order[0] == str(both[0])
    assert set(order[1:3]) == {str(i) for i in either}
    assert order[3:] == [str(i) for i in neither]  # received order, the oldest first
    assert response.json()["counts"] == {"pending": 6}


async def test_pages_cover_the_queue_once(
    client: Client, db: asyncpg.Connection, headers: dict[str, str]
) -> None:
    ids = {str(await submit(client)) for _ in range(11)}
    await db.execute(
        "UPDATE observation SET flags = $1::jsonb WHERE id IN (SELECT id FROM observation LIMIT 4)",
        FLAG,
    )
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/moderation/queue", params=params, headers=headers)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(seen) == len(ids)
    assert set(seen) == ids


async def test_filters_and_counts(
    client: Client, db: asyncpg.Connection, headers: dict[str, str]
) -> None:
    taxon = plain_taxon()
    await load_taxa(db, [taxon])
    group = await db.fetchval("SELECT group2_inpn FROM taxon WHERE cd_nom = $1", taxon)
    near = await submit(client)
    far = await submit(client, location={"lon": 6.9264, "lat": 44.7972, "accuracy_m": 10})
    decided = await submit(client, observed_at="2025-05-01T08:00:00+02:00")
    # Start from no automatic flags and no sensitivity, to test each filter alone.
    await db.execute("UPDATE observation SET flags = '[]', sensitivity_level = 0")
    await db.execute(
        "UPDATE observation SET taxon_cd_nom = $2, taxon_cd_ref = $2 WHERE id = $1", far, taxon
    )
    await db.execute("UPDATE observation SET status = 'certain' WHERE id = $1", decided)
    await db.execute("UPDATE observation SET flags = $2::jsonb WHERE id = $1", near, FLAG)

    async def ids(**params: object) -> list[str]:
        response = await client.get("/api/v1/moderation/queue", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(bbox="6.9,44.7,7.0,44.9") == [str(far)]
    assert await ids(flagged="true") == [str(near)]
    assert await ids(flag="out_of_range") == [str(near)]
    assert await ids(flagged="false") == [str(far)]
    assert await ids(taxon_group=group) == [str(far)]
    assert await ids(taxon=taxon) == [str(far)]
    assert await ids(status="certain") == [str(decided)]
    assert set(await ids(status=["certain", "pending"])) == {str(near), str(far), str(decided)}
    assert await ids(
        **{"from": "2025-01-01T00:00:00Z", "to": "2025-12-31T00:00:00Z", "status": "certain"}
    ) == [str(decided)]
    assert await ids(kind="heritage") == []
    counts = (await client.get("/api/v1/moderation/queue", headers=headers)).json()["counts"]
    assert counts == {"pending": 2, "certain": 1}


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"cursor": "not-a-cursor"}, "/cursor"),
        ({"bbox": "1,2,3"}, "/bbox"),
        ({"bbox": "7,45,6,44"}, "/bbox"),
        ({"status": "approved"}, "/status"),
        ({"from": "2025-01-01T00:00:00"}, "/from"),
    ],
)
async def test_bad_filters_are_422_with_their_pointer(
    client: Client, headers: dict[str, str], params: dict[str, str], pointer: str
) -> None:
    response = await client.get("/api/v1/moderation/queue", params=params, headers=headers)
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == [pointer]


async def test_a_bad_limit_is_a_400(client: Client, headers: dict[str, str]) -> None:
    response = await client.get("/api/v1/moderation/queue", params={"limit": 1000}, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "/limit"
