// The outbox engine against every class of answer, with a fake `fetch` and an in-memory
// IndexedDB (fake-indexeddb): the records' states are read back from the database.
import "fake-indexeddb/auto";
import assert from "node:assert/strict";
import { afterEach, beforeEach, mock, test } from "node:test";

import { allRecords, clearAll, getMeta, getRecord, putRecord } from "../src/db.js";
import { State } from "../src/outbox.js";
import { SyncState, syncNow, syncStatus } from "../src/sync.js";

Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true, writable: true });

const BATCH = "POST /api/v1/observations/batch";
const DEVICES = "POST /api/v1/devices";

/** A JSON answer as Cairn gives it (problems as application/problem+json). */
function answer(status, body, headers = {}) {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type, ...headers } });
}

function problem(status, code, extra = {}) {
  return { type: `https://cairn.example/problems/${code}`, title: code, status, code, ...extra };
}

/**
 * A fake Cairn: it stores what a batch sends (per device token) and answers like the real
 * batch endpoint, unless a test gives an answer for the next calls to a route.
 */
class FakeCairn {
  constructor() {
    this.calls = [];
    this.stored = new Map();
    this.tokens = 0;
    this.revoked = new Set();
    this.overrides = new Map();
  }

  /** The next call(s) to `route` are answered by `respond(call)` (once, or while it returns a Response). */
  answerNext(route, respond, { times = 1 } = {}) {
    this.overrides.set(route, { respond, times });
  }

  callsTo(route) {
    return this.calls.filter((call) => call.route === route);
  }

  fetch = async (path, init = {}) => {
    const method = init.method || "GET";
    const route = `${method} ${path}`;
    const token = init.headers?.Authorization?.replace("Bearer ", "") ?? null;
    const body = typeof init.body === "string" ? JSON.parse(init.body) : init.body;
    const call = { route, token, body };
    this.calls.push(call);
    const override = this.overrides.get(route);
    if (override && override.times > 0) {
      override.times -= 1;
      const response = override.respond(call);
      if (response) return response;
    }
    if (route === DEVICES) {
      this.tokens += 1;
      return answer(201, { device_id: `device-${this.tokens}`, token: `token-${this.tokens}` });
    }
    if (token === null || this.revoked.has(token)) {
      return answer(401, problem(401, "unauthorized", { detail: "This device token is not known." }));
    }
    if (route === BATCH) return answer(200, { results: body.observations.map((o, index) => this.take(o, index)) });
    if (method === "PUT" && path.includes("/photos/")) return answer(201, { id: path.split("/").pop() });
    if (method === "PUT") return answer(200, { ...body, version: body.expected_version + 1, status: "pending" });
    return answer(404, problem(404, "not_found"));
  };

  take(observation, index) {
    const known = this.stored.get(observation.id);
    const outcome = known ? "unchanged" : "created";
    this.stored.set(observation.id, observation);
    return { index, id: observation.id, outcome, observation: { id: observation.id, version: 1, status: "pending" } };
  }
}

let cairn;
let made = 0;

/** A record as the record screen saves it. */
async function saved({ photos = [], ...fields } = {}) {
  made += 1;
  const id = crypto.randomUUID();
  const record = {
    id,
    kind: "species",
    createdAt: new Date(Date.UTC(2026, 5, 1, 8, made)).toISOString(),
    payload: { id, kind: "species", schema_version: 1, data: { cd_nom: 61098, count: made } },
    photos,
    state: State.WAITING,
    problem: null,
    version: null,
    server: null,
    ...fields,
  };
  await putRecord(record);
  return record;
}

async function states() {
  return Object.fromEntries((await allRecords()).map((r) => [r.id, r.state]));
}

/** Wait for a sync started by a timer (setImmediate is not mocked). */
async function until(check) {
  for (let turn = 0; turn < 1000; turn += 1) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail("condition not reached");
}

async function assertNoneInvalid() {
  assert.deepEqual(
    (await allRecords()).filter((r) => r.state === State.INVALID).map((r) => r.id),
    [],
    "no record may be marked invalid unless the server said so for that record",
  );
}

let timers;

beforeEach(async () => {
  // The retry timer never fires on its own here: a test moves the clock with `tick`.
  mock.timers.enable({ apis: ["setTimeout"] });
  timers = [];
  const mocked = globalThis.setTimeout;
  globalThis.setTimeout = (...args) => {
    const timer = mocked(...args);
    timers.push(timer);
    return timer;
  };
  await clearAll();
  cairn = new FakeCairn();
  globalThis.fetch = cairn.fetch;
});

afterEach(() => {
  // Node 20's mock clock misorders its queue when a later test clears a timer of an earlier
  // one (as the engine does before scheduling): clear this test's timers while they are known.
  for (const timer of timers) clearTimeout(timer);
  mock.timers.reset();
});

test("201: each record is sent once, and a second sync sends nothing again", async () => {
  const records = [await saved(), await saved()];
  await syncNow();
  await syncNow();
  assert.equal(cairn.callsTo(BATCH).length, 1);
  for (const record of records) {
    const stored = await getRecord(record.id);
    assert.equal(stored.state, State.SENT);
    assert.equal(stored.version, 1);
    assert.equal(stored.server.status, "pending");
  }
  assert.equal(syncStatus().state, SyncState.IDLE);
  assert.equal(syncStatus().retryInMs, null, "nothing waits, so no retry is scheduled");
});

test("200 unchanged (sent before, the answer was lost): the record is sent, not doubled", async () => {
  const record = await saved();
  cairn.stored.set(record.id, record.payload);
  await syncNow();
  assert.equal((await getRecord(record.id)).state, State.SENT);
  assert.equal(cairn.stored.size, 1);
});

test("409 per item: that record is kept as a conflict, the others are sent", async () => {
  const [clash, fine] = [await saved(), await saved()];
  cairn.stored.set(clash.id, { other: "content" });
  cairn.answerNext(BATCH, ({ body }) =>
    answer(200, {
      results: body.observations.map((o, index) =>
        o.id === clash.id ? { index, id: o.id, outcome: "conflict" } : cairn.take(o, index),
      ),
    }),
  );
  await syncNow();
  const kept = await getRecord(clash.id);
  assert.equal(kept.state, State.CONFLICT);
  assert.deepEqual(kept.payload, clash.payload, "the local copy is kept as it was");
  assert.equal((await getRecord(fine.id)).state, State.SENT);
  await assertNoneInvalid();
});

test("409 to a correction: the record is a conflict with the server's problem", async () => {
  const record = await saved({ state: State.WAITING, version: 2 });
  cairn.answerNext(`PUT /api/v1/observations/${record.id}`, () =>
    answer(409, problem(409, "conflict", { detail: "The version moved on." })),
  );
  await syncNow();
  const kept = await getRecord(record.id);
  assert.equal(kept.state, State.CONFLICT);
  assert.equal(kept.problem.detail, "The version moved on.");
});

test("422 per item: only that record is invalid, with its errors kept for display", async () => {
  const [bad, good] = [await saved(), await saved()];
  const errors = [{ pointer: "/observations/0/location", code: "outside_territory", detail: "Outside the territory" }];
  cairn.answerNext(BATCH, ({ body }) =>
    answer(200, {
      results: body.observations.map((o, index) =>
        o.id === bad.id
          ? { index, id: o.id, outcome: "invalid", problem: problem(422, "validation_failed", { errors }) }
          : cairn.take(o, index),
      ),
    }),
  );
  await syncNow();
  const refused = await getRecord(bad.id);
  assert.equal(refused.state, State.INVALID);
  assert.deepEqual(refused.problem.errors, errors);
  assert.equal((await getRecord(good.id)).state, State.SENT);
  assert.equal(syncStatus().state, SyncState.IDLE);
});

test("422 to a correction (a request about one record): that record is invalid with its errors", async () => {
  const record = await saved({ version: 1 });
  const errors = [{ pointer: "/data/count", code: "minimum", detail: "must be ≥ 1" }];
  cairn.answerNext(`PUT /api/v1/observations/${record.id}`, () =>
    answer(422, problem(422, "validation_failed", { errors })),
  );
  await syncNow();
  const kept = await getRecord(record.id);
  assert.equal(kept.state, State.INVALID);
  assert.deepEqual(kept.problem.errors, errors);
});

test("422 to a whole batch (not about any one item): every record stays waiting", async () => {
  await saved();
  await saved();
  cairn.answerNext(BATCH, () => answer(422, problem(422, "validation_failed", { errors: [{ pointer: "/observations" }] })));
  await syncNow();
  assert.deepEqual(new Set(Object.values(await states())), new Set([State.WAITING]));
  assert.equal(syncStatus().state, SyncState.RETRYING);
});

test("401: the device registers again and the records are sent once, with the new token", async () => {
  const records = [await saved(), await saved()];
  await syncNow(); // registers token-1
  const later = await saved();
  cairn.revoked.add("token-1");
  await syncNow();
  assert.equal(cairn.callsTo(DEVICES).length, 2);
  assert.equal((await getMeta("device")).token, "token-2");
  const batches = cairn.callsTo(BATCH);
  assert.deepEqual(batches.map((b) => b.token), ["token-1", "token-1", "token-2"]);
  assert.deepEqual(batches[2].body.observations.map((o) => o.id), [later.id]);
  for (const record of [...records, later]) assert.equal((await getRecord(record.id)).state, State.SENT);
  assert.equal(cairn.stored.size, 3);
});

test("401 again after registering anew: records stay waiting and the UI is told", async () => {
  await saved();
  cairn.answerNext(BATCH, () => answer(401, problem(401, "unauthorized")), { times: 2 });
  await syncNow();
  assert.equal(cairn.callsTo(DEVICES).length, 2, "one registration, one re-registration, no more");
  assert.deepEqual(Object.values(await states()), [State.WAITING]);
  assert.equal(syncStatus().state, SyncState.UNREGISTERED);
  assert.equal(syncStatus().problem.code, "unauthorized");
});

test("401 and the registration fails too: records stay waiting, UNREGISTERED", async () => {
  await saved();
  await syncNow();
  cairn.revoked.add("token-1");
  await saved();
  cairn.answerNext(DEVICES, () => answer(503, problem(503, "service_unavailable")));
  await syncNow();
  assert.ok(Object.values(await states()).includes(State.WAITING));
  await assertNoneInvalid();
  assert.equal(syncStatus().state, SyncState.UNREGISTERED);
});

test("413: the batch is split in halves until the server takes it; every record arrives once", async () => {
  const records = [];
  for (let i = 0; i < 5; i += 1) records.push(await saved());
  const tooLarge = ({ body }) => (body.observations.length > 2 ? answer(413, problem(413, "body_too_large")) : null);
  cairn.answerNext(BATCH, tooLarge, { times: 10 });
  await syncNow();
  assert.deepEqual(cairn.callsTo(BATCH).map((b) => b.body.observations.length), [5, 3, 2, 1, 2]);
  assert.equal(cairn.stored.size, 5);
  for (const record of records) assert.equal((await getRecord(record.id)).state, State.SENT);
});

test("413 for a single record: it stays waiting with the reason shown; the others are sent", async () => {
  const huge = await saved();
  const small = await saved();
  cairn.answerNext(
    BATCH,
    ({ body }) =>
      body.observations.some((o) => o.id === huge.id) ? answer(413, problem(413, "body_too_large")) : null,
    { times: 10 },
  );
  await syncNow();
  const kept = await getRecord(huge.id);
  assert.equal(kept.state, State.WAITING);
  assert.equal(kept.problem.code, "body_too_large");
  assert.equal((await getRecord(small.id)).state, State.SENT);
  assert.equal(syncStatus().state, SyncState.RETRYING);
});

test("429: records stay waiting and the next try waits the server's Retry-After", async () => {
  await saved();
  cairn.answerNext(BATCH, () => answer(429, problem(429, "rate_limited"), { "Retry-After": "7" }));
  await syncNow();
  assert.deepEqual(Object.values(await states()), [State.WAITING]);
  assert.equal(syncStatus().state, SyncState.RETRYING);
  assert.equal(syncStatus().retryInMs, 7000);
  mock.timers.tick(6999);
  assert.equal(cairn.callsTo(BATCH).length, 1, "not before Retry-After");
  mock.timers.tick(1);
  await until(async () => Object.values(await states())[0] === State.SENT);
  assert.equal(cairn.callsTo(BATCH).length, 2);
});

test("500: records stay waiting, the problem is shown, the next try backs off", async () => {
  await saved();
  cairn.answerNext(BATCH, () => answer(500, problem(500, "internal_error")));
  await syncNow();
  assert.deepEqual(Object.values(await states()), [State.WAITING]);
  assert.equal(syncStatus().problem.code, "internal_error");
  assert.ok(syncStatus().retryInMs >= 10000, "at least the first backoff step");
  await syncNow();
  assert.deepEqual(Object.values(await states()), [State.SENT]);
  assert.equal(syncStatus().state, SyncState.IDLE);
});

test("no network: records stay waiting, nothing is marked", async () => {
  await saved();
  globalThis.fetch = async () => {
    throw new TypeError("Failed to fetch");
  };
  await syncNow();
  assert.deepEqual(Object.values(await states()), [State.WAITING]);
  assert.equal(syncStatus().state, SyncState.RETRYING);
});

test("a record left SENDING by a page closed mid-request is sent on the next start", async () => {
  const record = await saved({ state: State.SENDING });
  await syncNow();
  assert.equal((await getRecord(record.id)).state, State.SENT);
});

test("photos go after their record, once each; the phone then drops the bytes", async () => {
  const photo = { id: crypto.randomUUID(), blob: new Blob([new Uint8Array([0xff, 0xd8])], { type: "image/jpeg" }), done: false };
  const record = await saved({ photos: [photo] });
  await syncNow();
  await syncNow();
  const routes = cairn.calls.map((c) => c.route).filter((r) => r !== DEVICES);
  assert.deepEqual(routes, [BATCH, `PUT /api/v1/observations/${record.id}/photos/${photo.id}`]);
  const [kept] = (await getRecord(record.id)).photos;
  assert.equal(kept.done, true);
  assert.equal(kept.blob, null);
});

test("a photo answered 500 is kept with its bytes and tried again", async () => {
  const photo = { id: crypto.randomUUID(), blob: new Blob([new Uint8Array([1])], { type: "image/jpeg" }), done: false };
  const record = await saved({ photos: [photo] });
  const path = `PUT /api/v1/observations/${record.id}/photos/${photo.id}`;
  cairn.answerNext(path, () => answer(503, problem(503, "service_unavailable")));
  await syncNow();
  let [kept] = (await getRecord(record.id)).photos;
  assert.equal(kept.done, false);
  assert.ok(kept.blob);
  await syncNow();
  [kept] = (await getRecord(record.id)).photos;
  assert.equal(kept.done, true);
  assert.equal(cairn.callsTo(path).length, 2);
});
