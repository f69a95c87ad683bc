// The backup file: every record the server has not confirmed, its photos and its state, as one
// JSON document a person can read. Pure: no IndexedDB, no DOM (the node tests run it as is).
//
// Records keep their UUIDs, so a restored record the original phone already sent is answered
// 200 and stored once; photos keep theirs, so the server never takes one twice. The device's
// token travels with them: the server lets only the device that sent a record add its photos.
// A digest over the records tells a damaged file from a good one before anything is written.
import { State } from "./outbox.js";

export const BACKUP_FORMAT = "cairn-backup";
export const BACKUP_VERSION = 1;

/** Why a file was refused: the code names the reason shown to the hiker (`backup_<code>`). */
export class BackupError extends Error {
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.code = code;
  }
}

/** A record the server has not confirmed, or whose photos it has not all received. */
export function needsBackup(record) {
  return record.state !== State.SENT || record.photos.some((photo) => !photo.done);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATES = new Set(Object.values(State));
const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/]*={0,2})$/;

function base64(bytes) {
  let binary = "";
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}

async function dataUrl(blob) {
  return `data:${blob.type || "image/jpeg"};base64,${base64(new Uint8Array(await blob.arrayBuffer()))}`;
}

function blobOf(url) {
  const [, type, encoded] = DATA_URL.exec(url);
  const binary = atob(encoded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
}

async function digest(records) {
  const bytes = new TextEncoder().encode(JSON.stringify(records));
  return base64(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/** A record as the file holds it: a photo still to send carries its bytes, a sent one only its id. */
async function fileRecord(record) {
  return {
    id: record.id,
    kind: record.kind,
    state: record.state,
    created_at: record.createdAt,
    version: record.version ?? null,
    problem: record.problem ?? null,
    server: record.server ?? null,
    payload: record.payload,
    device: record.device ?? null,
    photos: await Promise.all(record.photos.map(async (photo) => (photo.done
      ? { id: photo.id, done: true }
      : { id: photo.id, done: false, data: await dataUrl(photo.blob) }))),
  };
}

/** The backup document of `records` (those that need one) and this phone's device identity. */
export async function backupDocument(records, device, now = new Date()) {
  const kept = await Promise.all(records.filter(needsBackup).map(fileRecord));
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    created_at: now.toISOString(),
    device: device ? { device_id: device.device_id, token: device.token } : null,
    records: kept,
    sha256: await digest(kept),
  };
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isDevice(value) {
  return isObject(value) && typeof value.device_id === "string" && typeof value.token === "string";
}

/** Every check of one record; the first that fails names it. */
function recordProblem(record) {
  if (!isObject(record) || typeof record.id !== "string" || !UUID.test(record.id)) return "id";
  if (!isObject(record.payload) || record.payload.id !== record.id) return "payload";
  if (typeof record.kind !== "string" || record.payload.kind !== record.kind) return "kind";
  if (!STATES.has(record.state)) return "state";
  if (typeof record.created_at !== "string" || Number.isNaN(Date.parse(record.created_at))) return "created_at";
  if (record.version !== null && !Number.isInteger(record.version)) return "version";
  if (record.device != null && !isDevice(record.device)) return "device";
  if (!Array.isArray(record.photos)) return "photos";
  const photoIds = new Set();
  for (const photo of record.photos) {
    if (!isObject(photo) || typeof photo.id !== "string" || !UUID.test(photo.id) || photoIds.has(photo.id)) return "photos";
    photoIds.add(photo.id);
    if (typeof photo.done !== "boolean") return "photos";
    if (!photo.done && (typeof photo.data !== "string" || !DATA_URL.test(photo.data))) return "photos";
  }
  return null;
}

/** The outbox record a file record becomes: its photos as Blobs again, its sender's device named. */
function outboxRecord(record, device) {
  return {
    device: record.device ?? device,
    id: record.id,
    kind: record.kind,
    state: record.state === State.SENDING ? State.WAITING : record.state, // no request is under way here
    createdAt: record.created_at,
    version: record.version,
    problem: record.problem ?? null,
    server: record.server ?? null,
    payload: record.payload,
    photos: record.photos.map((photo) => (photo.done
      ? { id: photo.id, blob: null, done: true }
      : { id: photo.id, blob: blobOf(photo.data), done: false })),
  };
}

/**
 * A backup file's text checked from end to end: `{ records, device }` ready for the outbox (each
 * record naming the device that made it, null when unknown), or a
 * BackupError (`damaged`, `foreign`, `newer`) before anything was written.
 */
export async function readBackup(text) {
  let document;
  try {
    document = JSON.parse(text);
  } catch {
    throw new BackupError("damaged", "not JSON");
  }
  if (!isObject(document) || document.format !== BACKUP_FORMAT) throw new BackupError("foreign", "not a Cairn backup");
  if (!Number.isInteger(document.version) || document.version < 1) throw new BackupError("damaged", "no version");
  if (document.version > BACKUP_VERSION) throw new BackupError("newer", `version ${document.version}`);
  if (!Array.isArray(document.records) || typeof document.sha256 !== "string") throw new BackupError("damaged", "no records");
  if ((await digest(document.records)) !== document.sha256) throw new BackupError("damaged", "digest differs");
  const ids = new Set();
  for (const [index, record] of document.records.entries()) {
    const problem = recordProblem(record);
    if (problem) throw new BackupError("damaged", `record ${index}: ${problem}`);
    if (ids.has(record.id)) throw new BackupError("damaged", `record ${index}: id twice`);
    ids.add(record.id);
  }
  const device = document.device ?? null;
  if (device !== null && !isDevice(device)) throw new BackupError("damaged", "device");
  return { records: document.records.map((record) => outboxRecord(record, device)), device };
}
