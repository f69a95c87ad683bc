"""A trail QR code and poster can target a site: the link names it, and only a site in use."""

from __future__ import annotations

import uuid

import asyncpg

from tests import qrdecode
from tests.sites.helpers import BRIANCON, make_site, site_admin
from tests.world import Client, add_programme

BASE = "http://127.0.0.1:8000"


async def test_a_code_and_a_poster_open_the_app_on_the_site(
    client: Client, db: asyncpg.Connection
) -> None:
    admin = await site_admin(client, db)
    site = await make_site(client, admin, BRIANCON, name="Mare du Prorel")
    code = await client.get(
        "/api/v1/share/qr",
        params={"programme": "default", "site": site["id"], "place": "Mare", "format": "png"},
    )
    assert code.status_code == 200, code.text
    [link] = qrdecode.decode(qrdecode.png(code.content))
    assert qrdecode.link_parts(link) == (
        BASE,
        "/",
        {"programme": "default", "place": "Mare", "site": site["id"]},
    )
    poster = await client.get(
        "/api/v1/share/poster", params={"programme": "default", "site": site["id"], "format": "svg"}
    )
    assert poster.status_code == 200, poster.text
    [printed] = qrdecode.decode(qrdecode.svg(poster.content))
    assert qrdecode.link_parts(printed)[2] == {"programme": "default", "site": site["id"]}


async def test_a_code_targets_only_a_site_in_use_of_its_programme(
    client: Client, db: asyncpg.Connection
) -> None:
    admin = await site_admin(client, db)
    site = await make_site(client, admin, BRIANCON)
    await add_programme(db, "queyras")
    archived = await make_site(client, admin, BRIANCON, name="Ancienne")
    await client.patch(
        f"/api/v1/programmes/default/sites/{archived['id']}", json={"archived": True}, headers=admin
    )
    for programme, target in [
        ("queyras", site["id"]),
        ("default", archived["id"]),
        ("default", str(uuid.uuid4())),
        ("default", "not-a-uuid"),
    ]:
        answer = await client.get(
            "/api/v1/share/qr", params={"programme": programme, "site": target}
        )
        assert answer.status_code == 422, (programme, target)
        assert [e["pointer"] for e in answer.json()["errors"]] == ["/query/site"]
