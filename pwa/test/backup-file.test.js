// The backup file: what goes in, what comes back, and every damaged or foreign file refused.
import assert from "node:assert/strict";
import { test } from "node:test";

import { BACKUP_FORMAT, BackupError, backupDocument, needsBackup, readBackup } from "../src/backup-file.js";
import { State } from "../src/outbox.js";

const DEVICE = { device_id: "0b6f7a7e-2d9e-4a0c-9d86-2f5b6f9b1a10", token: "secret-token" };
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 0xff, 0xd9, 200, 7]);

function record(state, photos, id = crypto.randomUUID()) {
  return {
    id, kind: "species", state, createdAt: "2026-07-14T07:32:00.000Z", version: null, problem: null, server: null,
    payload: { id, kind: "species", schema_version: 1, observed_at: "2026-07-14T09:32:00+02:00",
      location: { lon: 6.6433, lat: 44.8986, accuracy_m: 12 }, data: { cd_nom: 61098, count: 3 } },
    photos,
  };
}

const photo = (done) => ({ id: crypto.randomUUID(), blob: done ? null : new Blob([JPEG], { type: "image/jpeg" }), done });

async function fileOf(records, device = DEVICE) {
  return JSON.stringify(await backupDocument(records, device), null, 1);
}

test("only what the server has not confirmed goes in: waiting, refused, and sent with photos to send", () => {
  assert.equal(needsBackup(record(State.WAITING, [])), true);
  assert.equal(needsBackup(record(State.SENDING, [])), true);
  assert.equal(needsBackup(record(State.INVALID, [])), true);
  assert.equal(needsBackup(record(State.CONFLICT, [])), true);
  assert.equal(needsBackup(record(State.SENT, [photo(true)])), false);
  assert.equal(needsBackup(record(State.SENT, [photo(true), photo(false)])), true);
});

test("a record, its photos' bytes and its state come back as they went, ids and device kept", async () => {
  const waiting = record(State.SENDING, [photo(false)]);
  const sent = record(State.SENT, [photo(true), photo(false)]);
  const text = await fileOf([waiting, sent, record(State.SENT, [photo(true)])]);
  const document = JSON.parse(text);
  assert.equal(document.format, BACKUP_FORMAT);
  assert.equal(document.records.length, 2);
  assert.match(document.records[0].photos[0].data, /^data:image\/jpeg;base64,/); // readable: the photo inside
  const restored = await readBackup(text);
  assert.deepEqual(restored.device, DEVICE);
  const [first, second] = restored.records;
  assert.equal(first.id, waiting.id);
  assert.equal(first.state, State.WAITING); // a request cut by the backup is sent again
  assert.deepEqual(first.payload, waiting.payload);
  assert.equal(first.photos[0].id, waiting.photos[0].id);
  assert.deepEqual(new Uint8Array(await first.photos[0].blob.arrayBuffer()), JPEG);
  assert.equal(first.photos[0].blob.type, "image/jpeg");
  assert.deepEqual(first.device, DEVICE);
  assert.deepEqual(second.photos.map((p) => [p.id, p.done, p.blob === null]), [
    [sent.photos[0].id, true, true],
    [sent.photos[1].id, false, false],
  ]);
});

test("a record restored from another device's backup keeps that device in the next backup", async () => {
  const other = { device_id: "5c2b1c2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f", token: "other" };
  const text = await fileOf([{ ...record(State.WAITING, []), device: other }]);
  const [restored] = (await readBackup(text)).records;
  assert.deepEqual(restored.device, other);
});

async function refusal(text) {
  try {
    await readBackup(text);
  } catch (error) {
    assert.ok(error instanceof BackupError);
    return error.code;
  }
  assert.fail("the file was accepted");
}

test("a damaged, foreign or newer file is refused with its reason", async () => {
  const text = await fileOf([record(State.WAITING, [photo(false)])]);
  const document = JSON.parse(text);
  assert.equal(await refusal(text.slice(0, text.length / 2)), "damaged"); // cut short
  assert.equal(await refusal("<html></html>"), "damaged");
  assert.equal(await refusal(JSON.stringify({ type: "FeatureCollection", features: [] })), "foreign");
  assert.equal(await refusal(JSON.stringify([document])), "foreign");
  assert.equal(await refusal(JSON.stringify({ ...document, version: 2 })), "newer");
  assert.equal(await refusal(JSON.stringify({ ...document, version: "1" })), "damaged");
  const edited = structuredClone(document);
  edited.records[0].payload.data.count = 30; // one figure changed by hand or by the disk
  assert.equal(await refusal(JSON.stringify(edited)), "damaged");
  const unsigned = structuredClone(document);
  delete unsigned.sha256;
  assert.equal(await refusal(JSON.stringify(unsigned)), "damaged");
});

test("a file whose digest matches but whose records are malformed is refused as a whole", async () => {
  const bad = [
    (r) => (r.id = "not-a-uuid"),
    (r) => (r.payload.id = crypto.randomUUID()),
    (r) => (r.kind = "heritage"),
    (r) => (r.state = "lost"),
    (r) => (r.created_at = "yesterday"),
    (r) => (r.version = 1.5),
    (r) => (r.photos = {}),
    (r) => (r.photos[0].data = "data:text/html;base64,PGI+"),
    (r) => (r.photos[0].data = "https://example.org/ibex.jpg"),
    (r) => (r.photos[0].id = r.photos[1].id),
    (r) => (r.device = { token: 7 }),
  ];
  for (const change of bad) {
    const document = await backupDocument([record(State.WAITING, [photo(false), photo(false)]), record(State.WAITING, [])], DEVICE);
    change(document.records[0]);
    document.sha256 = await digestOf(document.records); // the digest rewritten, as a forger would
    assert.equal(await refusal(JSON.stringify(document)), "damaged", change.toString());
  }
});

test("the same id twice in one file is refused", async () => {
  const twin = record(State.WAITING, []);
  const document = await backupDocument([twin, twin], DEVICE);
  assert.equal(await refusal(JSON.stringify(document)), "damaged");
});

async function digestOf(records) {
  const bytes = new TextEncoder().encode(JSON.stringify(records));
  return Buffer.from(await crypto.subtle.digest("SHA-256", bytes)).toString("base64");
}
