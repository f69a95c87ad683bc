// IndexedDB through `idb`: the outbox (nothing leaves it unconfirmed), settings and reference data.
import { openDB } from "idb";

const NAME = "cairn";
const VERSION = 1;

let opened;

export function db() {
  opened ??= openDB(NAME, VERSION, {
    upgrade(database) {
      // One record per observation: its payload, its photos (Blobs) and its sync state.
      const outbox = database.createObjectStore("outbox", { keyPath: "id" });
      outbox.createIndex("state", "state");
      database.createObjectStore("meta");
      database.createObjectStore("reference");
    },
  });
  return opened;
}

export async function getMeta(key) {
  return (await db()).get("meta", key);
}

export async function setMeta(key, value) {
  return (await db()).put("meta", value, key);
}

export async function deleteMeta(key) {
  return (await db()).delete("meta", key);
}

export async function allRecords() {
  const records = await (await db()).getAll("outbox");
  return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function getRecord(id) {
  return (await db()).get("outbox", id);
}

export async function putRecord(record) {
  return (await db()).put("outbox", record);
}

/** Change a record in one transaction, so two tabs or timers never lose each other's update. */
export async function updateRecord(id, change) {
  const tx = (await db()).transaction("outbox", "readwrite");
  const record = await tx.store.get(id);
  if (record) {
    change(record);
    await tx.store.put(record);
  }
  await tx.done;
  return record;
}

export async function deleteRecord(id) {
  return (await db()).delete("outbox", id);
}

export async function clearAll() {
  const database = await db();
  await Promise.all(["outbox", "meta"].map((store) => database.clear(store)));
}

export async function getReference(key) {
  return (await db()).get("reference", key);
}

export async function setReference(key, value) {
  return (await db()).put("reference", value, key);
}

/**
 * Put a backup's records into the outbox in one transaction: all of them or, if anything fails,
 * none. A record this install already holds stays as it is (it knows at least as much). The
 * backup's device becomes this install's when the install holds no record yet (a new phone, an
 * emptied browser); a record of another device keeps that device, to be sent under it (the
 * server takes a record's photos and corrections only from the device that sent it).
 * Returns how many records were added and how many were already here.
 */
export async function restoreRecords(records, device) {
  const tx = (await db()).transaction(["outbox", "meta"], "readwrite");
  const outbox = tx.objectStore("outbox");
  const meta = tx.objectStore("meta");
  let own = await meta.get("device");
  if (device && own?.token !== device.token && (await outbox.count()) === 0) {
    own = device;
    await meta.put(device, "device");
  }
  let added = 0;
  try {
    for (const { device: sender, ...record } of records) {
      if (await outbox.getKey(record.id)) continue;
      await outbox.put(sender && sender.token !== own?.token ? { ...record, device: sender } : record);
      added += 1;
    }
  } catch (error) {
    tx.abort(); // a put refused by the browser's code (not its disk) would otherwise commit the others
    throw error;
  }
  await tx.done;
  return { added, already: records.length - added };
}
