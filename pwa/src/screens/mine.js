// My observations: what waits, what was sent, what the moderators decided and said.
import { signed } from "../api.js";
import { allRecords, updateRecord } from "../db.js";
import { h, fill } from "../dom.js";
import { enumLabel, t } from "../i18n.js";
import { createMap } from "../map.js";
import { schemaOf, taxonByCode, vernacular } from "../reference.js";
import { onChange, refreshStatuses, syncNow, waiting } from "../sync.js";

export async function show(main) {
  const list = h("ul", { class: "records", "aria-live": "polite" });
  const heritage = await schemaOf("heritage", 1).catch(() => null);
  const draw = async () => {
    const records = await allRecords();
    list.replaceChildren(
      ...(records.length === 0
        ? [h("li", { class: "empty" }, t("noObservations"))]
        : records.map((record) => item(record, heritage, draw))),
    );
    send.hidden = waiting(records).length === 0;
  };
  const send = h("button", { type: "button", class: "big primary", onclick: () => syncNow().then(draw) }, t("sendNow"));
  const mapBox = h("div", { class: "map small", id: "mine-map" });
  fill(main, h("h1", {}, t("mine")), send, mapBox, list);
  drawMap(mapBox, await allRecords());
  const stop = onChange(draw);
  addEventListener("hashchange", stop, { once: true });
  await draw();
  refreshStatuses().catch(() => {});
}

/** My records where I made them (my own precise positions, kept on my phone). */
async function drawMap(box, records) {
  if (records.length === 0) return box.remove();
  const { L, map } = await createMap(box, [44.75, 6.6], 9);
  const points = records.map((r) => [r.payload.location.lat, r.payload.location.lon]);
  for (const [index, point] of points.entries()) {
    L.circleMarker(point, { radius: 7, weight: 2 }).bindPopup(new Date(records[index].payload.observed_at).toLocaleDateString()).addTo(map);
  }
  map.fitBounds(L.latLngBounds(points), { maxZoom: 13, padding: [20, 20] });
}

function title(record, heritage) {
  if (record.kind === "species") {
    const taxon = taxonByCode(record.payload.data.cd_nom);
    return taxon ? vernacular(taxon) : `CD_NOM ${record.payload.data.cd_nom}`;
  }
  const category = record.payload.data.category;
  return heritage ? enumLabel(heritage.properties.category, category) : category;
}

function item(record, heritage, redraw) {
  const status = record.server?.status;
  const badge = status && record.state === "sent" ? t(`status_${status}`) : t(`state_${record.state}`);
  const photosWaiting = record.photos.filter((p) => !p.done).length;
  const editable = record.state !== "sending" && (record.state !== "sent" || status === "pending");
  const actions = [];
  if (editable) {
    actions.push(h("a", { class: "button small", href: `#/record/${record.kind}?edit=${record.id}` }, t("edit")));
  }
  if (record.state === "sent" && status && status !== "withdrawn") {
    actions.push(h("button", { type: "button", class: "small danger", onclick: async () => {
      if (!confirm(t("withdrawConfirm"))) return;
      try {
        const stored = await signed(`/api/v1/observations/${record.id}/withdraw`, {
          method: "POST", body: { expected_version: record.version },
        });
        await updateRecord(record.id, (r) => {
          r.version = stored.version;
          r.server = { ...(r.server || {}), status: stored.status };
        });
      } catch (error) {
        alert(navigator.onLine ? error.message : t("needsNetwork"));
      }
      redraw();
    } }, t("withdraw")));
  }
  const problem = record.problem;
  return h("li", { class: `record state-${record.state} status-${status || "none"}`, "data-id": record.id },
    h("div", { class: "record-head" },
      h("strong", {}, title(record, heritage)),
      h("span", { class: "badge" }, badge)),
    h("p", { class: "meta" }, new Date(record.payload.observed_at).toLocaleString(document.documentElement.lang),
      photosWaiting ? ` · ${photosWaiting} ${t("photo").toLowerCase()}` : ""),
    record.server?.moderator_comment
      ? h("p", { class: "moderator" }, `${t("moderator")} : ${record.server.moderator_comment}`) : null,
    problem
      ? h("div", { class: "problem", role: "note" },
          h("p", {}, problem.detail || problem.title),
          problem.errors?.length ? h("ul", {}, problem.errors.map((e) => h("li", {}, `${e.pointer} : ${e.detail}`))) : null)
      : null,
    actions.length ? h("div", { class: "actions" }, actions) : null);
}
