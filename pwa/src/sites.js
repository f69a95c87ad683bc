// Monitored sites on the phone: the programme's sites from the offline bundle, nearest first, and
// the record form's picker. The bundle holds what the public sees (a sensitive site generalised).
import { setMeta } from "./db.js";
import { h } from "./dom.js";
import { extend, formatLength, t } from "./i18n.js";
import { reference, whenReference } from "./reference.js";

extend({
  fr: { site: "Site suivi", noSite: "Aucun site", sitePlaced: "Position : celle du site (en attendant le GPS)" },
  en: { site: "Monitored site", noSite: "No site", sitePlaced: "Position: the site's (until the GPS has a fix)" },
  it: { site: "Sito monitorato", noSite: "Nessun sito", sitePlaced: "Posizione: quella del sito (in attesa del GPS)" },
});

const SHOWN = 5; // the nearest few: a hiker at a pond needs that pond, not the whole list

/** The sites in use of a programme, as the bundle carries them. */
export function sitesOf(slug) {
  return (reference()?.sites ?? []).filter((site) => site.programme === slug && !site.archived);
}

/** A point of a site's public geometry ([lon, lat]): the point, or the mean of a polygon's corners. */
export function anchorOf(site) {
  const geometry = site.geometry;
  if (!geometry) return null;
  if (geometry.type === "Point") return geometry.coordinates;
  const ring = geometry.coordinates[0].slice(0, -1);
  return [0, 1].map((axis) => ring.reduce((sum, corner) => sum + corner[axis], 0) / ring.length);
}

/** Great-circle distance in metres between two [lon, lat] points (haversine). */
export function distanceM([lon0, lat0], [lon1, lat1]) {
  const rad = Math.PI / 180;
  const dp = (lat1 - lat0) * rad;
  const dl = (lon1 - lon0) * rad;
  const a = Math.sin(dp / 2) ** 2 + Math.cos(lat0 * rad) * Math.cos(lat1 * rad) * Math.sin(dl / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Sites with their distance to `position` ({lon, lat}), nearest first; unplaced ones last. */
export function nearestFirst(sites, position) {
  const measured = sites.map((site) => {
    const at = anchorOf(site);
    return { site, distance: position && at ? distanceM([position.lon, position.lat], at) : null };
  });
  return measured.sort((a, b) => (a.distance ?? Infinity) - (b.distance ?? Infinity));
}

/**
 * The record form's site step: the nearest sites of the programme as one-tap buttons; `state.site`
 * holds the choice. `chosen` is the programme a QR code chose ({slug, site}): its site is chosen
 * at once, for this record only (the hiker walks on). `editing`: a stored record being corrected.
 * Choosing a site with no position yet gives the record the site's point (`onPlace`) until a GPS
 * fix replaces it.
 */
export function sitePicker(state, { chosen, editing, onPlace }) {
  const programme = editing?.programme ?? chosen?.slug;
  const presetId = editing ? editing.site_id : chosen?.site;
  let sites = [];
  let placed = null;
  const list = h("ul", { class: "chips sites", "aria-label": t("site") });
  const note = h("p", { class: "site-note", role: "status" });
  const element = h("section", { class: "step site-step", hidden: true }, h("h2", {}, t("site")), list, note);
  const choose = (site) => {
    state.site = site;
    for (const button of list.querySelectorAll("button")) button.setAttribute("aria-pressed", String(button.dataset.site === (site?.id ?? "")));
    const at = site && anchorOf(site);
    if (at && !editing && (!state.position || state.position === placed)) {
      placed = { lon: at[0], lat: at[1], accuracy_m: null };
      state.position = placed;
      note.textContent = t("sitePlaced");
      onPlace(placed);
    }
  };
  const update = (position) => {
    const nearest = nearestFirst(sites, position);
    const shown = nearest.slice(0, SHOWN);
    if (state.site && !shown.some(({ site }) => site.id === state.site.id)) shown.push(nearest.find(({ site }) => site.id === state.site.id));
    list.replaceChildren(
      ...shown.map(({ site, distance }) => h("li", {}, h("button", {
        type: "button", class: "small", "data-site": site.id, "aria-pressed": String(state.site?.id === site.id), onclick: () => choose(site),
      }, site.name[document.documentElement.lang] ?? site.name.fr, distance === null ? "" : ` · ${formatLength(distance)}`))),
      h("li", {}, h("button", { type: "button", class: "small", "data-site": "", "aria-pressed": String(!state.site), onclick: () => choose(null) }, t("noSite"))),
    );
  };
  // On the first visit a QR code opens the form before the bundle has arrived: wait for it.
  whenReference().then(() => {
    sites = programme ? sitesOf(programme) : [];
    element.hidden = sites.length === 0;
    const preset = sites.find((site) => site.id === presetId);
    if (preset) choose(preset);
    if (preset && !editing) setMeta("programme", { ...chosen, site: null });
    update(state.position);
  });
  return { element, update };
}
