// My observations: what waits on the phone, what was sent, what the moderators decided and said.
import { ApiError, signed } from "../api.js";
import { allRecords, getMeta, updateRecord } from "../db.js";
import { markDecisionsSeen } from "../decisions.js";
import { h, fill } from "../dom.js";
import { errorReason } from "../form.js";
import { enumLabel, errorText, extend, formatDate, schemaTitle, t } from "../i18n.js";
import { createMap } from "../map.js";
import { programmeKind, schemaOf, taxonByCode, taxonName } from "../reference.js";
import { onChange, refreshStatuses, syncNow, waiting } from "../sync.js";
import { threadPanel, unreadReply } from "../threads.js";

extend({
  fr: { countedUnderAnother: "Comptée avec une autre observation de la même rencontre (même lieu, même moment)" },
  en: { countedUnderAnother: "Counted with another observation of the same sighting (same place, same moment)" },
  it: { countedUnderAnother: "Contata con un'altra osservazione dello stesso avvistamento (stesso luogo, stesso momento)" },
});

/** Threads the visitor opened, kept across redraws (a status refresh must not close one). */
const openThreads = new Map();
const SERVER_PAGE = 100; // thumbnails of the newest records sent; older ones show without one

export async function show(main) {
  openThreads.clear();
  const list = h("ul", { class: "records", "aria-live": "polite" });
  const schemas = {
    species: await schemaOf("species", 1).catch(() => null),
    heritage: await schemaOf("heritage", 1).catch(() => null),
  };
  let thumbnails = new Map();
  const draw = async () => {
    const records = await allRecords();
    list.replaceChildren(
      ...(records.length === 0
        ? [h("li", { class: "empty" }, t("noObservations"))]
        : await Promise.all(records.map(async (record) => item(record, schemas, thumbnails.get(record.id), draw, await unreadReply(record))))),
    );
    send.hidden = waiting(records).length === 0;
    await markDecisionsSeen(records);
  };
  const sendMessage = h("p", { class: "message", role: "status" });
  const send = h("button", { type: "button", class: "big primary", onclick: async () => {
    if (!navigator.onLine) return (sendMessage.textContent = t("offlineSend"));
    sendMessage.textContent = t("sendingNow");
    await syncNow().catch(() => {});
    await draw();
    const left = waiting(await allRecords()).length;
    sendMessage.textContent = left === 0 ? t("nothingToSend") : t("waitingCount", left);
  } }, t("sendNow"));
  const mapBox = h("div", { class: "map small", id: "mine-map" });
  const backupLink = h("p", { class: "footer-link" }, h("a", { href: "#/backup", id: "backup-link" }, t("backupLink")));
  fill(main, h("h1", {}, t("mine")), send, sendMessage, backupLink, mapBox, list);
  drawMap(mapBox, await allRecords());
  const stop = onChange(draw);
  addEventListener("hashchange", stop, { once: true });
  await draw();
  refreshStatuses()
    .then(serverThumbnails)
    .then((found) => {
      thumbnails = found;
      return draw();
    })
    .catch(() => {});
}

/**
 * The small photo of each record the server has, by record id. (The outbox keeps a photo's bytes
 * only until the server confirmed it; after that the server's copy is shown.)
 */
async function serverThumbnails() {
  if (!navigator.onLine || !(await getMeta("device"))) return new Map();
  const answer = await signed(`/api/v1/me/observations?limit=${SERVER_PAGE}`);
  // A record not yet public shows its photo to its device only: fetched signed, shown as a blob.
  const loaded = await Promise.all(answer.items
    .filter((item) => item.observation.photos?.length)
    .map(async (item) => {
      try {
        const response = await signed(item.observation.photos[0].urls.small, { raw: true });
        return [item.observation.id, URL.createObjectURL(await response.blob())];
      } catch {
        return null;
      }
    }));
  return new Map(loaded.filter(Boolean));
}

/** My records where I made them (my own precise positions, kept on my phone). */
async function drawMap(box, records) {
  if (records.length === 0) return box.remove();
  const { L, map } = await createMap(box, [44.75, 6.6], 9);
  const points = records.map((r) => [r.payload.location.lat, r.payload.location.lon]);
  for (const [index, point] of points.entries()) {
    L.circleMarker(point, { radius: 7, weight: 2 }).bindPopup(formatDate(records[index].payload.observed_at)).addTo(map);
  }
  map.fitBounds(L.latLngBounds(points), { maxZoom: 13, padding: [20, 20] });
}

/** What a record is about, and "searched for, not found" when it records an absence. */
function title(record, schemas) {
  const absence = record.payload.data.occurrence_status === "absent" ? kindSchema(record, schemas)?.properties?.occurrence_status : null;
  return [about(record, schemas), absence ? enumLabel(absence, "absent") : null].filter(Boolean).join(" — ");
}

/** A species by its name; a heritage item by the name typed, else its category; a protocol by its title. */
function about(record, schemas) {
  const data = record.payload.data;
  if (record.kind !== "species" && record.kind !== "heritage") {
    const taxon = data.cd_nom ? taxonByCode(data.cd_nom) : null;
    return [schemaTitle(kindSchema(record, schemas), record.kind), taxon ? taxonName(taxon) : null].filter(Boolean).join(" — ");
  }
  if (record.kind === "species") {
    const taxon = taxonByCode(data.cd_nom);
    return taxon ? taxonName(taxon) : `CD_NOM ${data.cd_nom}`;
  }
  const category = schemas.heritage ? enumLabel(schemas.heritage.properties.category, data.category) : data.category;
  return data.name ? `${data.name} (${category})` : category;
}

/** The schema a record was made with: a bundled kind's, or its programme kind's version. */
function kindSchema(record, schemas) {
  return schemas[record.kind] ?? programmeKind(record.kind, record.payload.schema_version)?.schema ?? null;
}

/** Where the record stands, as an icon and words: waiting on the phone and sent look different. */
function standing(record) {
  const status = record.server?.status;
  if (record.state === "sent" && record.server.counted_under_another) return ["⧉", t("countedUnderAnother")];
  if (record.state === "sent" && status === "pending") return ["✓", t("sentPending")];
  if (record.state === "sent" && status) {
    const icons = { certain: "★", probable: "★", doubtful: "?", invalid: "✗", withdrawn: "⊘" };
    return [icons[status] ?? "•", t(`status_${status}`)];
  }
  if (record.state === "waiting") return ["◷", t("notSent")];
  if (record.state === "sending") return ["⇡", t("sendingNow")];
  return ["⚠", t(`state_${record.state}`)];
}

/** Keep the phone's copy in step with what the server answered about a record. */
async function remember(id, stored) {
  await updateRecord(id, (r) => {
    r.version = stored.version;
    r.server = { ...(r.server || {}), status: stored.status };
  });
}

/**
 * Withdraw a sent record. The phone's version can lag behind the server's (a correction
 * whose answer arrived late, a moderator's decision): the 409 carries the current record,
 * and the hiker's confirmed wish to withdraw holds whatever changed, so retry once with it.
 */
async function withdraw(record) {
  const attempt = (version) => signed(`/api/v1/observations/${record.id}/withdraw`, {
    method: "POST", device: record.device, body: { expected_version: version },
  });
  try {
    await remember(record.id, await attempt(record.version));
  } catch (error) {
    const current = error instanceof ApiError && error.status === 409 ? error.problem?.extra?.current : null;
    if (!current) throw error;
    await remember(record.id, current);
    if (current.status !== "withdrawn") await remember(record.id, await attempt(current.version));
  }
}

function item(record, schemas, serverThumbnail, redraw, unread) {
  const status = record.server?.status;
  const [icon, words] = standing(record);
  const photosWaiting = record.photos.filter((p) => !p.done).length;
  const localPhoto = record.photos.find((p) => p.blob);
  const thumbnail = localPhoto ? URL.createObjectURL(localPhoto.blob) : serverThumbnail;
  const editable = record.state !== "sending" && (record.state !== "sent" || status === "pending");
  const actions = [];
  if (editable) {
    actions.push(h("a", { class: "button small", href: `#/record/${record.kind}?edit=${record.id}` }, t("edit")));
  }
  if (record.state === "sent" && status && status !== "withdrawn") {
    actions.push(h("button", { type: "button", class: "small danger", onclick: async () => {
      if (!confirm(t("withdrawConfirm"))) return;
      try {
        await withdraw(record);
      } catch (error) {
        alert(errorText(error));
      }
      redraw();
    } }, t("withdraw")));
  }
  const thread = h("div", { class: "thread-slot" }, openThreads.get(record.id));
  if (record.state === "sent") {
    actions.push(h("button", { type: "button", class: "small", "aria-expanded": String(openThreads.has(record.id)), onclick: (event) => {
      event.currentTarget.querySelector(".count-badge")?.remove();
      if (openThreads.has(record.id)) openThreads.delete(record.id);
      else openThreads.set(record.id, threadPanel(record.id, signed, { record }));
      event.currentTarget.setAttribute("aria-expanded", String(openThreads.has(record.id)));
      thread.replaceChildren(...(openThreads.has(record.id) ? [openThreads.get(record.id)] : []));
    } }, t("messages"), unread && !openThreads.has(record.id) ? h("span", { class: "count-badge reply-badge" }, h("span", { "aria-hidden": "true" }, "1"), h("span", { class: "sr" }, ` — ${t("newReply")}`)) : null));
  }
  const name = title(record, schemas);
  return h("li", { class: `record state-${record.state} status-${status || "none"}`, "data-id": record.id },
    thumbnail ? h("img", { class: "thumb", src: thumbnail, alt: t("photoOf", name), width: 64, height: 64 }) : null,
    h("div", { class: "record-body" },
      h("div", { class: "record-head" },
        h("strong", { translate: "no" }, name),
        h("span", { class: "badge" }, h("span", { "aria-hidden": "true" }, `${icon} `), words)),
      h("p", { class: "meta" }, formatDate(record.payload.observed_at, { time: true }),
        photosWaiting ? ` · ${photosWaiting} ${t("photo").toLowerCase()}` : ""),
      record.server?.moderator_comment
        ? h("p", { class: "moderator" }, `${t("moderator")}${t("colon")}`, h("span", { translate: "no" }, record.server.moderator_comment)) : null,
      record.problem ? problemBox(record.problem, kindSchema(record, schemas)) : null,
      actions.length ? h("div", { class: "actions" }, actions) : null, thread));
}

/** The server's refusal in the reader's language: each field by its name, each reason by its code. */
function problemBox(problem, schema) {
  const errors = problem.errors ?? [];
  return h("div", { class: "problem", role: "note" },
    h("p", {}, t("refused")),
    errors.length
      ? h("ul", {}, errors.map((error) => h("li", {},
          `${fieldName(error.pointer, schema)}${t("colon")}${errorReason(error.code)} `,
          h("code", { translate: "no" }, error.pointer))))
      : null);
}

function fieldName(pointer, schema) {
  const [, top, name] = (pointer || "").split("/");
  if (top === "location") return t("position");
  if (top === "observed_at") return t("observedAt");
  if (top === "programme") return t("programme");
  if (top === "comment") return t("comment");
  if (top === "data" && name && schema?.properties?.[name]) return schemaTitle(schema.properties[name], name);
  return t("problemField");
}
