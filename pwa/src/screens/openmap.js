// The open map: validated observations of the territory, at their public precision.
import { request } from "../api.js";
import { h, fill } from "../dom.js";
import { enumLabel, errorText, formatDate, groupLabel, lang, t } from "../i18n.js";
import { createMap } from "../map.js";
import { schemaOf, taxonName, whenReference } from "../reference.js";

const PAGES = 5;

export async function show(main) {
  const group = h("select", { id: "group" }, h("option", { value: "" }, t("all")));
  // The species list may still be on its way on a first visit: fill the groups when it arrives.
  whenReference().then((bundle) => {
    const groups = [...new Set(bundle.taxa.map((taxon) => taxon.group).filter(Boolean))]
      .map((value) => [value, groupLabel(value)])
      .sort((a, b) => a[1].localeCompare(b[1], lang()));
    group.append(...groups.map(([value, label]) => h("option", { value }, label)));
  });
  const since = h("input", { id: "since", type: "date" });
  const programmes = await request("/api/v1/programmes").catch(() => []);
  const programme = h("select", { id: "programme-filter" }, h("option", { value: "" }, t("all")),
    programmes.map((p) => h("option", { value: p.slug }, p.name?.[lang()] ?? p.slug)));
  const count = h("p", { class: "hint", role: "status" });
  const box = h("div", { class: "map large", id: "open-map" });
  fill(main, 
    h("h1", {}, t("openMap")),
    h("div", { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "group" }, t("group")), group),
      h("div", { class: "field" }, h("label", { for: "since" }, t("since")), since),
      h("div", { class: "field" }, h("label", { for: "programme-filter" }, t("programme")), programme)),
    box, count);
  const heritage = await schemaOf("heritage", 1).catch(() => null);
  const categoryLabel = (category) => category && (heritage ? enumLabel(heritage.properties.category, category) : category);
  const { L, map } = await createMap(box, [44.75, 6.6], 9);
  const layer = L.layerGroup().addTo(map);
  const load = async () => {
    layer.clearLayers();
    const bounds = map.getBounds();
    const query = new URLSearchParams({
      format: "geojson", limit: "500", occurrence_status: "present", // the map of what was found
      bbox: [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v) => v.toFixed(5)).join(","),
    });
    if (since.value) query.set("from", since.value);
    if (programme.value) query.set("programme", programme.value);
    let next = `/api/v1/observations?${query}`;
    let shown = 0;
    try {
      for (let page = 0; next && page < PAGES; page += 1) {
        const answer = await request(next);
        for (const feature of answer.features) {
          const props = feature.properties;
          if (group.value && props.taxon?.group !== group.value) continue;
          if (!feature.geometry) continue;
          const [lon, lat] = feature.geometry.coordinates;
          const generalised = Boolean(props.generalisation);
          const shape = generalised
            ? L.circle([lat, lon], { radius: props.location?.uncertainty_m || 5000, weight: 1, dashArray: "4" })
            : L.circleMarker([lat, lon], { radius: 6, weight: 2 });
          const name = props.taxon ? taxonName(props.taxon) : categoryLabel(props.attributes?.category) ?? props.kind;
          shape.bindPopup(`${escapeHtml(name)}<br>${escapeHtml(formatDate(props.observed_at))}${generalised ? `<br><em>${escapeHtml(t("generalised"))}</em>` : ""}`);
          shape.addTo(layer);
          shown += 1;
        }
        next = answer.links?.find?.((link) => link.rel === "next")?.href ?? answer.next ?? null;
      }
      count.textContent = t("count", shown);
    } catch (error) {
      count.textContent = errorText(error);
    }
  };
  group.addEventListener("change", load);
  since.addEventListener("change", load);
  programme.addEventListener("change", load);
  map.on("moveend", load);
  await load();
}

function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
