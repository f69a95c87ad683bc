"""An absence never counts as a presence: not in an atlas page's count, cells, phenology,
altitude bands, checklists or latest records, not in the pages listed, not in a programme's
targets seen, not in a contributor's species, firsts or cells (nor on their shared card),
and not in what the widgets ask the open data for. Real records, validated, through the app."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from cairn.core.grid import cell_code
from tests.atlas.test_atlas import at, validated
from tests.atlas.test_shared_pages import card_of, filled_cells, local, parse
from tests.factories import new_device
from tests.widgets.test_widget_pages import config_of
from tests.world import Client, add_programme, plain_taxon

FOUND_AT = (6.6433, 44.8986)
"""Briançon, where the taxon was seen (June, 1450 m)."""
SEARCHED_AT = (6.70, 44.75)
"""Another cell and commune, where it was searched for in vain (August, 2550 m)."""


async def absence(client: Client, db: asyncpg.Connection, **overrides: Any) -> uuid.UUID:
    taxon = overrides.pop("taxon", plain_taxon())
    return await validated(
        client,
        db,
        data={"cd_nom": taxon, "occurrence_status": "absent"},
        location=at(*SEARCHED_AT, altitude=2550),
        observed_at="2025-08-14T10:00:00+02:00",
        **overrides,
    )


async def presence(client: Client, db: asyncpg.Connection, **overrides: Any) -> uuid.UUID:
    record: dict[str, Any] = {
        "data": {"cd_nom": plain_taxon(), "count": 1},
        "location": at(*FOUND_AT, altitude=1450),
        "observed_at": "2025-06-14T10:00:00+02:00",
    }
    return await validated(client, db, **{**record, **overrides})


async def commune_of(db: asyncpg.Connection, observation_id: uuid.UUID) -> str:
    insee: str = await db.fetchval(
        "SELECT commune_insee FROM public_observation WHERE id = $1", observation_id
    )
    return insee


async def test_a_taxon_page_and_its_card_show_the_presences_only(
    client: Client, db: asyncpg.Connection
) -> None:
    taxon = plain_taxon()
    await presence(client, db)
    for _ in range(2):
        await absence(client, db)
    page = (await client.get(f"/api/v1/atlas/taxa/{taxon}")).json()
    assert page["count"] == 1
    assert page["months"][5] == 1 and sum(page["months"]) == 1  # June only, not August
    assert [(b["low"], b["count"]) for b in page["altitude_bands"]] == [(1400, 1)]
    found, searched = cell_code(*FOUND_AT, "10km"), cell_code(*SEARCHED_AT, "10km")
    assert [(c["code"], c["count"]) for c in page["cells"]] == [(found, 1)]
    assert page["last_seen"].startswith("2025-06-14")
    shared = await client.get(f"/atlas/taxon/{taxon}?lang=fr")
    image = await card_of(client, parse(shared.text))
    assert filled_cells(client, image, {found, searched}) == {found}


async def test_a_commune_known_by_an_absence_lists_no_species(
    client: Client, db: asyncpg.Connection
) -> None:
    searched = await absence(client, db)
    insee = await commune_of(db, searched)
    commune = (await client.get(f"/api/v1/atlas/communes/{insee}")).json()
    assert commune["species"] == [] and commune["latest"] == [] and commune["by_kind"] == []
    found = await presence(client, db, location=at(*SEARCHED_AT, altitude=2550))
    commune = (await client.get(f"/api/v1/atlas/communes/{insee}")).json()
    assert [(s["cd_ref"], s["count"]) for s in commune["species"]] == [(plain_taxon(), 1)]
    assert [latest["id"] for latest in commune["latest"]] == [str(found)]


async def test_a_taxon_recorded_only_as_absent_has_no_atlas_page_listed(
    client: Client, db: asyncpg.Connection
) -> None:
    await absence(client, db)
    sitemap = (await client.get("/sitemap.xml")).text
    assert f"/atlas/taxon/{plain_taxon()}" not in sitemap
    await presence(client, db)
    assert f"/atlas/taxon/{plain_taxon()}" in (await client.get("/sitemap.xml")).text


async def test_a_target_searched_for_in_vain_is_not_seen(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_programme(db, "mares")
    await db.execute("UPDATE programme SET target_taxa = $1 WHERE slug = 'mares'", [plain_taxon()])
    await absence(client, db, programme="mares")
    page = (await client.get("/api/v1/atlas/programmes/mares")).json()
    assert page["targets_seen"] == [] and page["count"] == 0
    await presence(client, db, programme="mares")
    page = (await client.get("/api/v1/atlas/programmes/mares")).json()
    assert page["targets_seen"] == [plain_taxon()] and page["count"] == 1


async def test_my_impact_and_its_shared_card_count_my_presences_only(
    client: Client, db: asyncpg.Connection
) -> None:
    _, headers = await new_device(client)
    await client.put("/api/v1/me", json={"pseudonym": "Chercheur05"}, headers=headers)
    searched = await absence(client, db, headers=headers)
    mine = (await client.get("/api/v1/me/impact", headers=headers)).json()
    assert (mine["sent"], mine["validated"]) == (1, 1)  # my records, absences included
    assert mine["taxa"] == [] and mine["cells"] == [] and mine["firsts"] == []
    flags = await db.fetchval("SELECT flags FROM observation WHERE id = $1", searched)
    assert "first_in_commune" not in {flag["code"] for flag in flags}
    await presence(client, db, headers=headers)
    mine = (await client.get("/api/v1/me/impact", headers=headers)).json()
    assert [t["cd_ref"] for t in mine["taxa"]] == [plain_taxon()]
    assert [t["count"] for t in mine["taxa"]] == [1]
    assert mine["cells"] == [cell_code(*FOUND_AT, "10km")]
    assert [first["count"] for first in mine["firsts"]] == [1]
    share = (await client.post("/api/v1/me/impact/share", headers=headers)).json()
    page = await client.get(local(share["url"]) + "?lang=en")
    tags = parse(page.text)
    assert tags.one("description").startswith("2 validated observations, 1 species")
    image = await card_of(client, tags)
    found, vain = cell_code(*FOUND_AT, "10km"), cell_code(*SEARCHED_AT, "10km")
    assert filled_cells(client, image, {found, vain}) == {found}


async def test_the_widgets_ask_the_open_data_for_presences_only(
    client: Client, db: asyncpg.Connection
) -> None:
    found = await presence(client, db, location=at(*SEARCHED_AT, altitude=2550))
    await absence(client, db)
    insee = await commune_of(db, found)
    pages = [
        f"/widgets/recent?near={SEARCHED_AT[0]},{SEARCHED_AT[1]}&radius_km=5&days=365",
        f"/widgets/species-of-the-month?commune={insee}",
        "/widgets/programme?programme=default",
    ]
    for widget in pages:
        config = config_of((await client.get(widget)).text)
        query = config["query"]
        assert isinstance(query, dict)
        items = (await client.get("/api/v1/observations", params=query)).json()["items"]
        assert [item["id"] for item in items] == [str(found)], widget
