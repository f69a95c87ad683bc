// Record: kind → position → photo → the kind's fields → save into the outbox.
import { getMeta, getRecord, putRecord } from "../db.js";
import { h, fill } from "../dom.js";
import { schemaForm } from "../form.js";
import { t } from "../i18n.js";
import { createMap } from "../map.js";
import { downscale } from "../photo.js";
import { schemaOf, searchTaxa, taxonByCode, vernacular } from "../reference.js";
import { requestBackgroundSync, syncNow } from "../sync.js";

const GOOD_ACCURACY_M = 25;
const BRIANCON = [44.8986, 6.6433]; // where the map starts when no position is known yet

/** The local time with its UTC offset, as the API wants it: 2026-07-14T09:32:00+02:00. */
export function localIso(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

export async function show(main, { args, query }) {
  const kind = args[0] === "heritage" ? "heritage" : "species";
  const editing = query.get("edit") ? await getRecord(query.get("edit")) : null;
  const schema = await schemaOf(kind, 1);
  const chosenProgramme = await getMeta("programme");
  const state = {
    position: editing ? { ...editing.payload.location } : null,
    moved: Boolean(editing),
    taxon: editing?.payload.data.cd_nom ? taxonByCode(editing.payload.data.cd_nom) : null,
    photos: editing ? editing.photos.filter((p) => !p.done) : [],
  };
  const message = h("p", { class: "message", role: "alert" });

  // 1. Position: watch until accurate enough, shown as a circle; the marker can be dragged.
  const positionText = h("p", { class: "hint", "aria-live": "polite" }, t("locating"));
  const mapBox = h("div", { class: "map small", id: "record-map" });
  const positionSection = h("section", { class: "step" }, h("h2", {}, t("position")), mapBox, positionText);
  let marker;
  let circle;
  let map;
  createMap(mapBox, state.position ? [state.position.lat, state.position.lon] : BRIANCON, 14).then(({ L, map: m }) => {
    map = m;
    marker = L.marker(state.position ? [state.position.lat, state.position.lon] : BRIANCON, {
      draggable: true, keyboard: true, title: t("position"),
      icon: L.divIcon({ className: "pin", iconSize: [28, 28], html: "<span></span>" }),
    });
    circle = L.circle(marker.getLatLng(), { radius: 0, weight: 1 });
    if (state.position) marker.addTo(map);
    circle.addTo(map);
    marker.on("dragend", () => {
      const { lat, lng } = marker.getLatLng();
      state.position = { lon: round(lng), lat: round(lat), accuracy_m: placedAccuracy(map) };
      state.moved = true;
      circle.setLatLng([lat, lng]);
    });
    map.on("click", (event) => {
      if (state.position && !state.moved) return;
      state.position = { lon: round(event.latlng.lng), lat: round(event.latlng.lat), accuracy_m: placedAccuracy(map) };
      state.moved = true;
      marker.setLatLng(event.latlng).addTo(map);
    });
  });
  let watch = null;
  if (!editing && navigator.geolocation) {
    watch = navigator.geolocation.watchPosition(
      (fix) => {
        if (state.moved) return;
        const accuracy = Math.round(fix.coords.accuracy);
        if (state.position?.accuracy_m && state.position.accuracy_m < accuracy) return;
        state.position = {
          lon: round(fix.coords.longitude),
          lat: round(fix.coords.latitude),
          accuracy_m: accuracy,
          ...(fix.coords.altitude != null ? { altitude_m: Math.round(fix.coords.altitude) } : {}),
        };
        positionText.textContent = `${t("accuracy", accuracy)} — ${t("dragHint")}`;
        if (marker && map) {
          marker.setLatLng([state.position.lat, state.position.lon]).addTo(map);
          circle.setLatLng(marker.getLatLng()).setRadius(accuracy);
          map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
        }
        if (accuracy <= GOOD_ACCURACY_M && watch !== null) navigator.geolocation.clearWatch(watch);
      },
      () => (positionText.textContent = t("noGeo")),
      { enableHighAccuracy: true, maximumAge: 10_000, timeout: 60_000 },
    );
    addEventListener("hashchange", () => watch !== null && navigator.geolocation.clearWatch(watch), { once: true });
  }

  // 2. What: a species from the offline list, or the heritage fields of the schema.
  const targets = (chosenProgramme?.programme?.target_taxa ?? []).map(taxonByCode).filter(Boolean);
  const taxonSection = kind === "species" ? taxonPicker(state, targets) : null;

  // 3. Photo: downscaled on the phone before it is stored.
  const previews = h("ul", { class: "photos" });
  const renderPhotos = () =>
    previews.replaceChildren(
      ...state.photos.map((photo) =>
        h("li", {},
          h("img", { src: URL.createObjectURL(photo.blob), alt: t("photo"), width: 96, height: 96 }),
          h("button", { type: "button", class: "small", onclick: () => {
            state.photos = state.photos.filter((p) => p !== photo);
            renderPhotos();
          } }, t("removePhoto")))),
    );
  renderPhotos();
  const fileInput = h("input", {
    type: "file", accept: "image/*", capture: "environment", id: "photo-input", class: "sr", multiple: true,
    onchange: async (event) => {
      for (const file of event.target.files) {
        state.photos.push({ id: crypto.randomUUID(), blob: await downscale(file), done: false });
      }
      event.target.value = "";
      renderPhotos();
    },
  });
  const photoSection = h("section", { class: "step" },
    h("h2", {}, t("photo")),
    fileInput,
    h("label", { for: "photo-input", class: "button secondary big" }, t("addPhoto")),
    previews);

  // 4. The kind's other fields, from its JSON Schema.
  const form = schemaForm(schema, kind === "species" ? ["cd_nom"] : ["item_id"], editing?.payload.data ?? {});
  const comment = h("textarea", { id: "comment", maxlength: 2000, rows: 2 }, editing?.payload.comment ?? "");
  const detailsSection = h("section", { class: "step" },
    h("h2", {}, t("details")), form.element,
    h("div", { class: "field" }, h("label", { for: "comment" }, t("comment")), comment));

  const save = h("button", { type: "submit", class: "big primary" }, t("save"));
  const formElement = h("form", {
    class: "record-form",
    novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      if (!state.position) return (message.textContent = t("needPosition"));
      if (kind === "species" && !state.taxon) return (message.textContent = t("chooseTaxon"));
      const data = { ...form.read(), ...(kind === "species" ? { cd_nom: state.taxon.cd_nom } : {}) };
      if (kind === "heritage" && !data.category) return (message.textContent = `${t("required")} : ${schema.properties.category.title}`);
      const payload = {
        id: editing?.id ?? crypto.randomUUID(),
        kind,
        schema_version: 1,
        observed_at: editing?.payload.observed_at ?? localIso(),
        location: Object.fromEntries(Object.entries(state.position).filter(([, v]) => v !== null && v !== undefined)),
        data,
        ...(chosenProgramme && !editing ? { programme: chosenProgramme.slug } : {}),
        ...(editing?.payload.programme ? { programme: editing.payload.programme } : {}),
        ...(comment.value.trim() ? { comment: comment.value.trim() } : {}),
      };
      await putRecord({
        ...(editing ?? { createdAt: new Date().toISOString(), version: null, server: null }),
        id: payload.id,
        kind,
        payload,
        photos: [...(editing?.photos.filter((p) => p.done) ?? []), ...state.photos],
        state: "waiting",
        problem: null,
      });
      if (watch !== null) navigator.geolocation.clearWatch(watch);
      message.textContent = t("saved");
      requestBackgroundSync();
      location.hash = "#/mine";
      syncNow().catch(() => {});
    },
  }, positionSection, taxonSection, photoSection, detailsSection, message, save);
  fill(main, h("h1", {}, kind === "species" ? t("species") : t("heritage")), formElement);
}

/**
 * A hand-placed pin is as accurate as a finger on the map: the ground width of about
 * 24 screen pixels at this zoom (the server asks every position for its accuracy).
 */
function placedAccuracy(map) {
  const size = map.getSize();
  const centre = map.containerPointToLatLng([size.x / 2, size.y / 2]);
  const beside = map.containerPointToLatLng([size.x / 2 + 24, size.y / 2]);
  return Math.max(5, Math.round(map.distance(centre, beside)));
}

function round(value) {
  return Math.round(value * 1e6) / 1e6;
}

function taxonPicker(state, targets) {
  const results = h("ul", { class: "taxa", role: "listbox", id: "taxon-results", "aria-label": t("taxon") });
  const chosen = h("p", { class: "chosen", "aria-live": "polite" }, state.taxon ? label(state.taxon) : "");
  // The programme's target species come first: one tap on the trail.
  const quick = targets.length
    ? h("ul", { class: "chips targets", "aria-label": t("targetsOfProgramme") }, targets.map((taxon) =>
        h("li", {}, h("button", { type: "button", class: "small", onclick: () => {
          state.taxon = taxon;
          chosen.textContent = label(taxon);
        } }, vernacular(taxon)))))
    : null;
  const input = h("input", {
    type: "search", id: "taxon-search", autocomplete: "off", placeholder: t("searchTaxon"),
    "aria-controls": "taxon-results",
    oninput: () => {
      const found = searchTaxa(input.value);
      results.replaceChildren(
        ...(found.length === 0 && input.value.trim()
          ? [h("li", { class: "empty" }, t("noMatch"))]
          : found.map((taxon) =>
              h("li", { role: "option" },
                h("button", { type: "button", class: "taxon", onclick: () => {
                  state.taxon = taxon;
                  chosen.textContent = label(taxon);
                  results.replaceChildren();
                  input.value = "";
                } }, label(taxon))))),
      );
    },
  });
  return h("section", { class: "step" },
    h("h2", {}, h("label", { for: "taxon-search" }, t("taxon"))), quick, input, chosen, results);
}

function label(taxon) {
  const name = vernacular(taxon);
  return name === taxon.scientific_name ? name : `${name} — ${taxon.scientific_name}`;
}
