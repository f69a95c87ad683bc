// Moderators' decisions the visitor has not looked at yet: a badge on "Mine" and a notice until seen.
import { allRecords, getMeta, setMeta } from "./db.js";

const SEEN_KEY = "seenDecisions";
export const SEEN_EVENT = "cairn-decisions-seen";

function decided(record) {
  const status = record.server?.status;
  return record.state === "sent" && Boolean(status) && status !== "pending" && status !== "withdrawn";
}

/** Records whose decided status the visitor has not seen on "My observations" yet. */
export async function unseenDecisions() {
  const seen = (await getMeta(SEEN_KEY)) ?? {};
  return (await allRecords()).filter((record) => decided(record) && seen[record.id] !== record.server.status);
}

/** The visitor has seen these records' current statuses. */
export async function markDecisionsSeen(records) {
  const seen = (await getMeta(SEEN_KEY)) ?? {};
  let changed = false;
  for (const record of records.filter(decided)) {
    if (seen[record.id] !== record.server.status) {
      seen[record.id] = record.server.status;
      changed = true;
    }
  }
  if (!changed) return;
  await setMeta(SEEN_KEY, seen);
  dispatchEvent(new Event(SEEN_EVENT));
}
