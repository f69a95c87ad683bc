// The outbox engine: sends waiting observations, then their photos, exactly once.
//
// A record is only marked sent after the server answered 201/200 for it; a network
// failure or a 5xx leaves it waiting (retried with backoff); a 4xx keeps it, with the
// server's problem, for the visitor to correct. Nothing is ever deleted unconfirmed.
import { ApiError, signed } from "./api.js";
import { allRecords, getRecord, updateRecord } from "./db.js";

const MAX_BATCH = 500;
const listeners = new Set();
let timer = null;
let failures = 0;
let running = false;

export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  for (const listener of listeners) listener();
}

export function waiting(records) {
  return records.filter((r) => r.state === "waiting" || r.photos.some((p) => !p.done && r.state === "sent"));
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
  try {
    await sendObservations();
    await sendEdits();
    await sendPhotos();
    failures = 0;
  } catch (error) {
    failures += 1;
    console.warn("sync failed; will retry", error);
  } finally {
    running = false;
    changed();
    schedule();
  }
}

async function sendObservations() {
  const records = (await allRecords()).filter((r) => r.state === "waiting" && !r.version);
  for (let start = 0; start < records.length; start += MAX_BATCH) {
    const slice = records.slice(start, start + MAX_BATCH);
    for (const record of slice) await updateRecord(record.id, (r) => (r.state = "sending"));
    changed();
    let answer;
    try {
      answer = await signed("/api/v1/observations/batch", {
        method: "POST",
        body: { observations: slice.map((r) => r.payload) },
      });
    } catch (error) {
      for (const record of slice) await updateRecord(record.id, (r) => (r.state = "waiting"));
      if (error instanceof ApiError && error.final) {
        for (const record of slice) await keepWithProblem(record.id, "invalid", error.problem);
        return;
      }
      throw error;
    }
    for (const result of answer.results) {
      const record = slice[result.index];
      if (result.outcome === "created" || result.outcome === "unchanged") {
        await updateRecord(record.id, (r) => {
          r.state = "sent";
          r.problem = null;
          r.version = result.observation.version;
          r.server = { status: result.observation.status, moderator_comment: null };
        });
      } else {
        await keepWithProblem(record.id, result.outcome, result.problem || null);
      }
    }
  }
}

async function keepWithProblem(id, state, problem) {
  await updateRecord(id, (r) => {
    r.state = state;
    r.problem = problem;
  });
}

async function sendEdits() {
  const records = (await allRecords()).filter((r) => r.state === "waiting" && r.version);
  for (const record of records) {
    try {
      const stored = await signed(`/api/v1/observations/${record.id}`, {
        method: "PUT",
        body: { ...record.payload, expected_version: record.version },
      });
      await updateRecord(record.id, (r) => {
        r.state = "sent";
        r.problem = null;
        r.version = stored.version;
        r.server = { ...(r.server || {}), status: stored.status };
      });
    } catch (error) {
      if (error instanceof ApiError && error.final) {
        await keepWithProblem(record.id, error.status === 409 ? "conflict" : "invalid", error.problem);
      } else {
        throw error;
      }
    }
  }
}

async function sendPhotos() {
  const records = (await allRecords()).filter((r) => r.state === "sent" && r.photos.some((p) => !p.done));
  for (const record of records) {
    for (const photo of record.photos.filter((p) => !p.done)) {
      try {
        await signed(`/api/v1/observations/${record.id}/photos/${photo.id}`, {
          method: "PUT",
          body: photo.blob,
        });
      } catch (error) {
        if (error instanceof ApiError && error.final) {
          await updateRecord(record.id, (r) => {
            const kept = r.photos.find((p) => p.id === photo.id);
            kept.problem = error.problem;
            kept.done = true; // refused for good: keep the problem, stop retrying
          });
          continue;
        }
        throw error;
      }
      // Confirmed: the server has it, the phone can drop the bytes.
      await updateRecord(record.id, (r) => {
        const sent = r.photos.find((p) => p.id === photo.id);
        sent.done = true;
        sent.blob = null;
      });
      changed();
    }
  }
}

/** Pull statuses and moderators' comments of what this phone sent. */
export async function refreshStatuses() {
  if (!navigator.onLine) return;
  let next = "/api/v1/me/observations?limit=500";
  for (let page = 0; next && page < 10; page += 1) {
    const answer = await signed(next);
    for (const item of answer.items) {
      const local = await getRecord(item.observation.id);
      if (!local) continue;
      await updateRecord(item.observation.id, (r) => {
        r.server = { status: item.observation.status, moderator_comment: item.moderator_comment };
        if (r.state === "sent") r.version = item.observation.version;
      });
    }
    next = answer.next;
  }
  changed();
}

function schedule() {
  clearTimeout(timer);
  allRecords().then((records) => {
    if (waiting(records).length === 0) return;
    const delay = Math.min(5000 * 2 ** failures, 10 * 60 * 1000);
    timer = setTimeout(syncNow, delay);
  });
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
