// Backups: write the file, restore one, and say when one is wise (records waiting for days,
// storage the browser may empty, a phone nearly full, iOS Safari outside the home screen).
import { BackupError, backupDocument, needsBackup, readBackup } from "./backup-file.js";
import { allRecords, getMeta, restoreRecords, setMeta } from "./db.js";
import { unconfirmed } from "./outbox.js";
import { iosOutsideHomeScreen, nearlyFull } from "./space.js";

const STALE_MS = 3 * 24 * 60 * 60 * 1000; // Safari empties a site's storage after 7 days unvisited

/**
 * Why a backup is wise now, as reason codes (`advice_<code>` in the texts); none when nothing on
 * the phone waits for the server.
 */
export async function backupReasons(now = Date.now()) {
  const records = (await allRecords()).filter(needsBackup);
  if (records.length === 0) return [];
  const reasons = [];
  if (records.some((r) => unconfirmed(r) && now - Date.parse(r.createdAt) > STALE_MS)) reasons.push("stale");
  if ((await navigator.storage?.persisted?.()) === false) reasons.push("not_persisted");
  if (await nearlyFull()) reasons.push("space_low");
  if (iosOutsideHomeScreen()) reasons.push("ios_tab");
  return reasons;
}

/** What a backup would hold now: records and photos still to send. */
export async function backupContents() {
  const records = (await allRecords()).filter(needsBackup);
  return { records: records.length, photos: records.flatMap((r) => r.photos).filter((p) => !p.done).length };
}

/** Build the backup file and hand it to the browser's download; returns what it holds. */
export async function saveBackup() {
  const now = new Date();
  const backup = await backupDocument(await allRecords(), await getMeta("device"), now);
  const file = new Blob([JSON.stringify(backup, null, 1)], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(file);
  link.download = `cairn-backup-${now.toISOString().slice(0, 16).replace(/[T:]/g, "-")}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000); // the download has its copy by then
  await setMeta("lastBackup", { at: now.toISOString(), records: backup.records.length });
  return { records: backup.records.length, bytes: file.size };
}

/** Check a chosen file, then put all its records in the outbox at once: `{ added, already }`. */
export async function restoreBackup(file) {
  const { records, device } = await readBackup(await file.text());
  return restoreRecords(records, device);
}

export { BackupError };
