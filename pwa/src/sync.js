// The outbox engine: sends waiting observations, then corrections, then photos, exactly once.
//
// What an answer does to a record is decided by one pure rule (outbox.js `transition`):
// only the server's word about that one record makes it SENT, INVALID or CONFLICT.
// This module does the I/O the rule asks for: register the device again after a 401,
// split a batch after a 413, back off (or wait the server's Retry-After) otherwise.
// Nothing is ever deleted unconfirmed.
import { registerAgain, signed } from "./api.js";
import { allRecords, getRecord, updateRecord } from "./db.js";
import { Answer, Next, State, classifyFailure, classifyItem, retryDelayMs, transition, unconfirmed } from "./outbox.js";

const MAX_BATCH = 500;
const BATCH_PATH = "/api/v1/observations/batch";

/** How the last run went, for the UI; records stay waiting in each of these. */
export const SyncState = Object.freeze({
  IDLE: "idle", // everything that could be sent was sent
  RETRYING: "retrying", // no network, or the server asked to wait: the next run is on a timer
  UNREGISTERED: "unregistered", // the server refused this phone's token and no new one could be had
});

const listeners = new Set();
let timer = null;
let failures = 0;
let running = false;
let status = Object.freeze({ state: SyncState.IDLE, problem: null, retryInMs: null });

export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  for (const listener of listeners) listener();
}

/** The last run's outcome: `state` (a SyncState), the server's `problem`, and `retryInMs`. */
export function syncStatus() {
  return status;
}

/** Records with something still to send: the record itself, or photos of a sent record. */
export function waiting(records) {
  return records.filter((r) => unconfirmed(r) || (r.state === State.SENT && r.photos.some((p) => !p.done)));
}

/** Ends a run: nothing more can be sent now. `state` is what the UI is told. */
class RetryLater extends Error {
  constructor(cause, state = SyncState.RETRYING) {
    super(`sync stopped: ${state}`, { cause });
    this.state = state;
  }
}

/** Run one sync, one at a time across tabs (Web Locks) and within this page. */
export async function syncNow() {
  if (!navigator.onLine) return;
  if (navigator.locks) {
    await navigator.locks.request("cairn-sync", { ifAvailable: true }, async (lock) => {
      if (lock) await syncOnce();
    });
  } else {
    await syncOnce();
  }
}

async function syncOnce() {
  if (running) return;
  running = true;
  // `skipped`: a record was left waiting while others went on; `reregistered`: once per run.
  const run = { skipped: false, reregistered: false };
  let retryAfterSeconds = null;
  try {
    await sendObservations(run);
    await sendEdits(run);
    await sendPhotos(run);
    failures = run.skipped ? failures + 1 : 0;
    status = { state: run.skipped ? SyncState.RETRYING : SyncState.IDLE, problem: null };
  } catch (error) {
    failures += 1;
    const stop = error instanceof RetryLater ? error : new RetryLater(error);
    if (stop !== error) console.warn("sync failed; will retry", error);
    retryAfterSeconds = stop.cause?.retryAfterSeconds ?? null;
    status = { state: stop.state, problem: stop.cause?.problem ?? null };
  } finally {
    running = false;
    await schedule(retryAfterSeconds);
    changed();
  }
}

/**
 * Send one request about `count` records and follow the transition of a failed answer:
 * `settle(outcome, problem)` writes the records' new state, a 401 re-registers the device
 * and sends again, a 413 of several records calls `split`. Returns `{ body }` when the
 * server accepted the request, null otherwise.
 */
async function exchange(run, request) {
  const { count, aboutOneRecord, send, settle, split } = request;
  try {
    return { body: await send() };
  } catch (error) {
    const outcome = transition(classifyFailure(error, aboutOneRecord), count);
    await settle(outcome, error?.problem ?? null);
    follow(run, outcome, error);
    if (outcome.next === Next.REREGISTER) {
      await reregister(run, error);
      return exchange(run, request);
    }
    if (outcome.next === Next.SPLIT) await split();
    return null;
  }
}

/** The run-wide part of a transition: remember a skipped record, or stop the run. */
function follow(run, outcome, error) {
  if (outcome.next === Next.SKIP) run.skipped = true;
  if (outcome.next === Next.RETRY_LATER) throw new RetryLater(error);
}

/** A 401: the token was revoked or lost. Register once per run; a second 401 stops the run. */
async function reregister(run, error) {
  if (run.reregistered) throw new RetryLater(error, SyncState.UNREGISTERED);
  run.reregistered = true;
  try {
    await registerAgain();
  } catch (failure) {
    throw new RetryLater(failure, SyncState.UNREGISTERED);
  }
}

/** Write a transition's outcome on records; `stored` is the server's copy when it took them. */
async function settleRecords(records, outcome, problem, stored = null) {
  for (const record of records) {
    await updateRecord(record.id, (r) => {
      r.state = outcome.state;
      if (outcome.state === State.SENT) {
        r.problem = null;
        r.version = stored.version;
        r.server = { ...(r.server || {}), status: stored.status };
        // Photos the server already holds (sent from another copy of this record): not sent again.
        const held = new Set((stored.photos ?? []).map((photo) => photo.id));
        for (const photo of r.photos.filter((p) => held.has(p.id))) Object.assign(photo, { done: true, blob: null, problem: null });
      } else if (outcome.keepsProblem) {
        r.problem = problem;
      }
    });
  }
}

/** Records by the device that sends them: this phone's (key "") or a restored backup's. */
function bySender(records) {
  const groups = new Map();
  for (const record of records) {
    const key = record.device?.token ?? "";
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  return [...groups.values()];
}

async function sendObservations(run) {
  const records = (await allRecords()).filter((r) => unconfirmed(r) && !r.version);
  for (const group of bySender(records)) {
    for (let start = 0; start < group.length; start += MAX_BATCH) {
      await sendBatch(run, group.slice(start, start + MAX_BATCH));
    }
  }
}

async function sendBatch(run, records) {
  await settleRecords(records, { state: State.SENDING, keepsProblem: false });
  changed();
  const answer = await exchange(run, {
    count: records.length,
    aboutOneRecord: false,
    send: () => signed(BATCH_PATH, {
      method: "POST", device: records[0].device, body: { observations: records.map((r) => r.payload) },
    }),
    settle: (outcome, problem) => settleRecords(records, outcome, problem),
    split: async () => {
      const middle = Math.ceil(records.length / 2);
      await sendBatch(run, records.slice(0, middle));
      await sendBatch(run, records.slice(middle));
    },
  });
  if (!answer) return;
  // The batch answers each item on its own: only that item's result decides its fate.
  for (const result of answer.body.results) {
    const outcome = transition(classifyItem(result.outcome), 1);
    await settleRecords([records[result.index]], outcome, result.problem ?? null, result.observation);
    follow(run, outcome, null);
  }
}

async function sendEdits(run) {
  const records = (await allRecords()).filter((r) => r.state === State.WAITING && r.version);
  for (const record of records) {
    const answer = await exchange(run, {
      count: 1,
      aboutOneRecord: true,
      send: () =>
        signed(`/api/v1/observations/${record.id}`, {
          method: "PUT",
          device: record.device,
          body: { ...record.payload, expected_version: record.version },
        }),
      settle: (outcome, problem) => settleRecords([record], outcome, problem),
    });
    if (answer) await settleRecords([record], transition(Answer.STORED, 1), null, answer.body);
  }
}

/** A photo's outcome: sent (drop the bytes), refused for good (keep them and the reason), or waiting. */
async function settlePhoto(recordId, photoId, outcome, problem) {
  await updateRecord(recordId, (r) => {
    const photo = r.photos.find((p) => p.id === photoId);
    if (outcome.state === State.SENT) {
      photo.done = true;
      photo.blob = null;
      photo.problem = null;
    } else if (outcome.state === State.INVALID || outcome.state === State.CONFLICT) {
      photo.done = true;
      photo.problem = problem;
    } else if (outcome.keepsProblem) {
      photo.problem = problem;
    }
  });
}

async function sendPhotos(run) {
  const records = (await allRecords()).filter((r) => r.state === State.SENT && r.photos.some((p) => !p.done));
  for (const record of records) {
    for (const photo of record.photos.filter((p) => !p.done)) {
      const answer = await exchange(run, {
        count: 1,
        aboutOneRecord: true,
        send: () => signed(`/api/v1/observations/${record.id}/photos/${photo.id}`, { method: "PUT", device: record.device, body: photo.blob }),
        settle: (outcome, problem) => settlePhoto(record.id, photo.id, outcome, problem),
      });
      if (answer) await settlePhoto(record.id, photo.id, transition(Answer.STORED, 1), null);
      changed();
    }
  }
}

/** Pull statuses and moderators' comments of what this phone sent. */
export async function refreshStatuses() {
  if (!navigator.onLine) return;
  const restored = new Map((await allRecords()).filter((r) => r.device).map((r) => [r.device.token, r.device]));
  await refreshStatusesOf(undefined);
  // A backup's device the server no longer knows (erased since) leaves its records as they were.
  for (const device of restored.values()) await refreshStatusesOf(device).catch(() => {});
  changed();
}

/** Statuses of what one device sent: this phone's (`device` undefined) or a restored backup's. */
async function refreshStatusesOf(device) {
  let next = "/api/v1/me/observations?limit=500";
  for (let page = 0; next && page < 10; page += 1) {
    const answer = await signed(next, { device });
    for (const item of answer.items) {
      const local = await getRecord(item.observation.id);
      if (!local) continue;
      await updateRecord(item.observation.id, (r) => {
        r.server = {
          status: item.observation.status,
          moderator_comment: item.moderator_comment,
          counted_under_another: item.counted_under_another,
          last_reply_at: item.last_reply_at,
        };
        if (r.state === State.SENT) r.version = item.observation.version;
      });
    }
    next = answer.next;
  }
}

/** The next run, when something still waits: after the server's Retry-After, else a backoff. */
async function schedule(retryAfterSeconds) {
  clearTimeout(timer);
  timer = null;
  if (waiting(await allRecords()).length === 0) {
    status = Object.freeze({ ...status, retryInMs: null });
    return;
  }
  const delay = retryDelayMs(failures, retryAfterSeconds);
  status = Object.freeze({ ...status, retryInMs: delay });
  timer = setTimeout(() => syncNow().catch(() => {}), delay);
}

/** Sync on start, when the network comes back, when the app comes to the front, and on a timer. */
export function startSync() {
  addEventListener("online", () => syncNow().then(refreshStatuses).catch(() => {}));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncNow().catch(() => {});
  });
  navigator.serviceWorker?.addEventListener("message", (event) => {
    if (event.data === "cairn-sync") syncNow().catch(() => {});
  });
  syncNow()
    .then(refreshStatuses)
    .catch(() => {});
}

/** Ask for a Background Sync where the browser has it (a bonus, never relied on). */
export async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register("cairn-outbox");
  } catch {
    // Not supported or not allowed: the timers and events above still send.
  }
}

export { getRecord };
