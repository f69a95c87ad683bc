"""A thread per record: who may read and write it, what each learns, and where it never goes.

Every caller tries the thread of one record: its contributor, another device,
staff of its programme (admin, moderator, viewer), a moderator of another
programme, a validator of another taxon group, nobody. Only the first and the
staff of the record learn that a thread exists; everyone else gets the 404 of a
record that does not exist, and a refused write leaves no row.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

import asyncpg
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.conversations.model import MAX_MESSAGE, MESSAGES_PER_MINUTE, MessageIn
from tests.factories import new_device, observation_payload
from tests.world import Client, add_programme, add_staff, sign_in

PEOPLE = (
    "contributor",
    "stranger",
    "admin",
    "moderator",
    "viewer",
    "moderator_elsewhere",
    "botanist",
    "nobody",
)


class Thread:
    """A record of `default` sent by `contributor`, and everyone's headers."""

    def __init__(self, record: uuid.UUID, headers: dict[str, dict[str, str]]) -> None:
        self.record = record
        self.headers = headers
        self.url = f"/api/v1/observations/{record}/comments"


@pytest.fixture
async def thread(client: Client, db: asyncpg.Connection) -> Thread:
    await add_programme(db, "queyras")
    await add_staff(db, "admin@pne.fr", "admin", programme="default")
    await add_staff(db, "Marie.Moderatrice@pne.fr", "moderator", programme="default")
    await add_staff(db, "viewer@pne.fr", "viewer", programme="default")
    await add_staff(db, "other@queyras.fr", "moderator", programme="queyras")
    botanist = await add_staff(db, "flore@cbn.fr", None)
    await db.execute(
        "INSERT INTO staff_grant (user_id, role, taxon_groups) VALUES ($1, 'moderator', $2)",
        botanist,
        ["Angiospermes"],
    )
    _, contributor = await new_device(client)
    _, stranger = await new_device(client)
    payload = observation_payload()  # an ibex: Mammifères
    assert (await client.post("/api/v1/observations", json=payload, headers=contributor)).is_success
    headers = {
        "contributor": contributor,
        "stranger": stranger,
        "admin": await sign_in(client, "admin@pne.fr"),
        "moderator": await sign_in(client, "marie.moderatrice@pne.fr"),
        "viewer": await sign_in(client, "viewer@pne.fr"),
        "moderator_elsewhere": await sign_in(client, "other@queyras.fr"),
        "botanist": await sign_in(client, "flore@cbn.fr"),
        "nobody": {},
    }
    return Thread(uuid.UUID(payload["id"]), headers)


async def test_each_caller_reads_and_writes_only_a_thread_it_may_see(
    client: Client, db: asyncpg.Connection, thread: Thread
) -> None:
    got: dict[str, tuple[int, int, int]] = {}
    for person in PEOPLE:
        h = thread.headers[person]
        wrote = await client.post(thread.url, json={"body": f"from {person}"}, headers=h)
        read = await client.get(thread.url, headers=h)
        guessed = await client.get(f"/api/v1/observations/{uuid.uuid4()}/comments", headers=h)
        got[person] = (wrote.status_code, read.status_code, guessed.status_code)
    assert got == {
        "contributor": (201, 200, 404),
        "stranger": (404, 404, 404),
        "admin": (201, 200, 404),
        "moderator": (201, 200, 404),
        "viewer": (201, 200, 404),
        "moderator_elsewhere": (404, 404, 404),
        "botanist": (404, 404, 404),
        "nobody": (401, 401, 401),
    }
    bodies = [r["body"] for r in await db.fetch("SELECT body FROM observation_message ORDER BY id")]
    assert bodies == ["from contributor", "from admin", "from moderator", "from viewer"]
    refused = await client.get(thread.url, headers=thread.headers["stranger"])
    assert refused.json()["code"] == "not_found"
    unknown = await client.get(
        f"/api/v1/observations/{uuid.uuid4()}/comments", headers=thread.headers["stranger"]
    )
    assert refused.json().keys() == unknown.json().keys()  # the same answer as no record at all


async def test_the_contributor_never_learns_who_among_staff_wrote(
    client: Client, thread: Thread
) -> None:
    await client.post(
        thread.url, json={"body": "Is it an ibex?"}, headers=thread.headers["contributor"]
    )
    await client.post(
        thread.url, json={"body": "Yes, a young male."}, headers=thread.headers["moderator"]
    )
    mine = await client.get(thread.url, headers=thread.headers["contributor"])
    assert [
        (m["author"], m["author_name"], m["mine"], m["body"]) for m in mine.json()["messages"]
    ] == [
        ("contributor", None, True, "Is it an ibex?"),
        ("staff", None, False, "Yes, a young male."),
    ]
    assert "moderatrice" not in mine.text.lower()
    staff_view = await client.get(thread.url, headers=thread.headers["admin"])
    assert [(m["author"], m["author_name"]) for m in staff_view.json()["messages"]] == [
        ("contributor", None),
        ("staff", "Marie.Moderatrice"),
    ]


async def test_the_queue_marks_a_record_whose_contributor_waits_for_an_answer(
    client: Client, thread: Thread
) -> None:
    async def marked() -> bool:
        queue = await client.get("/api/v1/moderation/queue", headers=thread.headers["moderator"])
        [item] = queue.json()["items"]
        return bool(item["awaiting_reply"])

    async def last_reply() -> Any:
        mine = await client.get("/api/v1/me/observations", headers=thread.headers["contributor"])
        return mine.json()["items"][0]["last_reply_at"]

    assert not await marked()
    await client.post(thread.url, json={"body": "Any news?"}, headers=thread.headers["contributor"])
    assert await marked()
    assert await last_reply() is None
    answer = await client.post(thread.url, json={"body": "Soon."}, headers=thread.headers["viewer"])
    assert not await marked()
    assert await last_reply() == answer.json()["created_at"]
    thread_now = await client.get(thread.url, headers=thread.headers["contributor"])
    assert thread_now.json()["awaiting_reply"] is False


async def test_a_moderator_hides_an_abusive_message_and_the_trail_says_so(
    client: Client, db: asyncpg.Connection, thread: Thread
) -> None:
    rude = await client.post(
        thread.url, json={"body": "you idiots"}, headers=thread.headers["contributor"]
    )
    message_id = rude.json()["id"]
    hide_url = f"{thread.url}/{message_id}/hide"
    reason = {"reason": "insult"}
    refused = {
        person: (
            await client.post(hide_url, json=reason, headers=thread.headers[person])
        ).status_code
        for person in ("viewer", "moderator_elsewhere", "botanist", "contributor", "nobody")
    }
    assert refused == {
        "viewer": 403,
        "moderator_elsewhere": 404,
        "botanist": 404,
        "contributor": 401,
        "nobody": 401,
    }
    hidden = await client.post(hide_url, json=reason, headers=thread.headers["moderator"])
    assert hidden.status_code == 200
    assert (hidden.json()["hidden"], hidden.json()["body"]) == (True, "you idiots")
    seen = (await client.get(thread.url, headers=thread.headers["contributor"])).json()
    assert [(m["hidden"], m["body"]) for m in seen["messages"]] == [(True, None)]
    assert seen["awaiting_reply"] is False  # a hidden message owes no answer
    trail = await db.fetch(
        "SELECT action, subject, after FROM staff_audit WHERE action = 'message_hide'"
    )
    assert [(r["subject"], r["after"]) for r in trail] == [
        (f"observation {thread.record}", {"message_id": message_id, "reason": "insult"})
    ]
    other = await client.post(
        f"{thread.url}/{message_id + 1000}/hide", json=reason, headers=thread.headers["moderator"]
    )
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "too_short"),
        ("x" * (MAX_MESSAGE + 1), "too_long"),
        ("bell\x07", "invalid_format"),
        ("nul\x00", "invalid_format"),
    ],
)
async def test_a_bad_message_is_a_problem_document_and_writes_nothing(
    client: Client, db: asyncpg.Connection, thread: Thread, body: str, code: str
) -> None:
    answer = await client.post(
        thread.url, json={"body": body}, headers=thread.headers["contributor"]
    )
    assert answer.status_code in {400, 422}
    assert answer.headers["content-type"] == "application/problem+json"
    if answer.status_code == 422:
        assert {e["pointer"] for e in answer.json()["errors"]} == {"/body"}
    assert await db.fetchval("SELECT count(*) FROM observation_message") == 0


@given(st.text(min_size=1, max_size=MAX_MESSAGE + 20))
def test_a_body_is_accepted_exactly_when_it_is_plain_text_of_the_right_length(body: str) -> None:
    plain = 1 <= len(body) <= MAX_MESSAGE and not any(
        (ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in body
    )
    raw = msgspec.json.encode({"body": body})
    if plain:
        assert msgspec.json.decode(raw, type=MessageIn).body == body
    else:
        with pytest.raises(msgspec.ValidationError, match=r"\$\.body"):
            msgspec.json.decode(raw, type=MessageIn)


async def test_plain_text_comes_back_exactly_as_written(client: Client, thread: Thread) -> None:
    body = "<b>not bold</b> & 'quotes' \"too\"\n\tÉcrins 🐐 — <script>alert(1)</script>"
    await client.post(thread.url, json={"body": body}, headers=thread.headers["admin"])
    messages = (await client.get(thread.url, headers=thread.headers["contributor"])).json()
    assert messages["messages"][-1]["body"] == body


async def test_messages_are_rate_limited_per_author(
    client: Client, db: asyncpg.Connection, thread: Thread
) -> None:
    h = thread.headers["contributor"]
    answers = [
        (await client.post(thread.url, json={"body": f"{i}"}, headers=h)).status_code
        for i in range(MESSAGES_PER_MINUTE + 1)
    ]
    assert answers == [201] * MESSAGES_PER_MINUTE + [429]
    limited = await client.post(thread.url, json={"body": "again"}, headers=h)
    assert int(limited.headers["retry-after"]) >= 1
    assert await db.fetchval("SELECT count(*) FROM observation_message") == MESSAGES_PER_MINUTE
    # Staff have their own allowance.
    staff = await client.post(thread.url, json={"body": "ok"}, headers=thread.headers["admin"])
    assert staff.status_code == 201


async def test_a_thread_is_never_open_data_only_in_the_contributors_export_and_erased_with_them(
    client: Client, db: asyncpg.Connection, thread: Thread
) -> None:
    secret = "the nest is behind the third larch"
    await client.post(thread.url, json={"body": secret}, headers=thread.headers["contributor"])
    await client.post(
        thread.url, json={"body": "thanks, noted"}, headers=thread.headers["moderator"]
    )
    version = await db.fetchval("SELECT version FROM observation WHERE id = $1", thread.record)
    decided = await client.post(
        f"/api/v1/observations/{thread.record}/reviews",
        json={"status": "certain", "expected_version": version},
        headers=thread.headers["moderator"],
    )
    assert decided.status_code == 200
    for path in (
        "/api/v1/observations",
        "/api/v1/observations?format=csv",
        "/api/v1/observations?format=geojson",
        f"/api/v1/observations/{thread.record}",
    ):
        public = await client.get(path)
        assert public.status_code == 200
        assert str(thread.record) in public.text
        assert secret not in public.text and "thanks, noted" not in public.text
    archive = await client.get("/api/v1/exports/dwca")
    with zipfile.ZipFile(io.BytesIO(archive.content)) as dwca:
        assert all(secret.encode() not in dwca.read(name) for name in dwca.namelist())

    export = await client.get("/api/v1/me/export", headers=thread.headers["contributor"])
    with zipfile.ZipFile(io.BytesIO(export.content)) as mine:
        [record] = json.loads(mine.read("observations.json"))
    assert [(m["author"], m["author_name"], m["body"]) for m in record["messages"]] == [
        ("contributor", None, secret),
        ("staff", None, "thanks, noted"),
    ]
    stranger_export = await client.get("/api/v1/me/export", headers=thread.headers["stranger"])
    assert secret.encode() not in stranger_export.content

    erased = await client.delete(
        "/api/v1/me?observations=anonymise", headers=thread.headers["contributor"]
    )
    assert erased.status_code == 204
    left = await db.fetch("SELECT author_kind, body FROM observation_message ORDER BY id")
    assert [(r["author_kind"], r["body"]) for r in left] == [("staff", "thanks, noted")]
