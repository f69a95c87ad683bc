// Record: photo first (its EXIF position and time fill the form), then one-tap suggestions or a
// search, the position, optional details folded away; the save button always in view.
import { getMeta, getRecord, putRecord } from "../db.js";
import { h, fill } from "../dom.js";
import { schemaForm } from "../form.js";
import { formatDate, formatLength, schemaTitle, t } from "../i18n.js";
import { OCCURRENCE_FIELD } from "../kind-builder.js";
import { validateData } from "../kind-validation.js";
import { createMap } from "../map.js";
import { downscale, readExif } from "../photo.js";
import {
  loadReference, programmeKind, recentNearby, reference, schemaOf, searchTaxa, taxonByCode, taxonLabel, taxonName,
} from "../reference.js";
import { sitePicker } from "../sites.js";
import { nearlyFull } from "../space.js";
import { requestBackgroundSync, syncNow } from "../sync.js";

const GOOD_ACCURACY_M = 25;
const BRIANCON = [44.8986, 6.6433]; // where the map starts when no position is known yet
const CLOCK_SKEW_MS = 5 * 60 * 1000; // a photo time later than now (by more than this) is a wrong camera clock

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

/**
 * What to record: a bundled kind, or a programme's kind from the offline bundle, at the version
 * an edited record was made with (else the last published one). Unknown names: a species.
 */
async function kindToRecord(name, editing) {
  if (name !== "species" && name !== "heritage") {
    if (!reference()) await loadReference(); // a first visit straight to a protocol's link
    const found = programmeKind(name, editing?.payload.schema_version ?? null);
    if (found) return { kind: found.kind, version: found.version, schema: found.schema, programme: found.programme };
  }
  const kind = name === "heritage" ? "heritage" : "species";
  return { kind, version: 1, schema: await schemaOf(kind, 1), programme: null };
}

export async function show(main, { args, query }) {
  const editing = query.get("edit") ? await getRecord(query.get("edit")) : null;
  const { kind, version, schema, programme: kindProgramme } = await kindToRecord(args[0], editing);
  const bundled = kindProgramme === null;
  const withTaxon = Object.hasOwn(schema.properties ?? {}, "cd_nom"); // species, and programme kinds naming one
  const absences = Object.hasOwn(schema.properties ?? {}, OCCURRENCE_FIELD); // "searched for, not found" allowed
  const chosenProgramme = await getMeta("programme");
  const state = {
    position: editing ? { ...editing.payload.location } : null,
    moved: Boolean(editing), // a position set by hand or read from a photo: the GPS no longer moves it
    taxon: editing?.payload.data.cd_nom ? taxonByCode(editing.payload.data.cd_nom) : null,
    photos: editing ? editing.photos.filter((p) => !p.done) : [],
    observedAt: null, // a photo's EXIF time, when it has one
  };
  const message = h("p", { class: "message", role: "alert" });

  // 1. Position: watch until accurate enough, shown as a circle; the marker can be dragged.
  const positionText = h("p", { class: "hint", "aria-live": "polite" }, t("locating"));
  const mapBox = h("div", { class: "map small", id: "record-map" });
  const positionSection = h("section", { class: "step" }, h("h2", {}, t("position")), mapBox, positionText);
  let marker;
  let circle;
  let map;
  const showPosition = () => {
    if (!marker || !map || !state.position) return;
    marker.setLatLng([state.position.lat, state.position.lon]).addTo(map);
    circle.setLatLng(marker.getLatLng()).setRadius(state.position.accuracy_m ?? 0);
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
  };
  const sites = sitePicker(state, { chosen: chosenProgramme, editing: editing?.payload, onPlace: showPosition });
  createMap(mapBox, state.position ? [state.position.lat, state.position.lon] : BRIANCON, 14).then(({ L, map: m }) => {
    map = m;
    marker = L.marker(state.position ? [state.position.lat, state.position.lon] : BRIANCON, {
      draggable: true, keyboard: true, title: t("position"),
      icon: L.divIcon({ className: "pin", iconSize: [28, 28], html: "<span></span>" }),
    });
    circle = L.circle(marker.getLatLng(), { radius: 0, weight: 1 });
    if (state.position) marker.addTo(map);
    circle.addTo(map);
    showPosition();
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
  let suggestNearby = () => {};
  if (!editing && navigator.geolocation) {
    watch = navigator.geolocation.watchPosition(
      (fix) => {
        if (state.moved) return;
        const accuracy = Math.round(fix.coords.accuracy);
        if (state.position?.accuracy_m && state.position.accuracy_m < accuracy) return;
        const first = !state.position;
        state.position = {
          lon: round(fix.coords.longitude),
          lat: round(fix.coords.latitude),
          accuracy_m: accuracy,
          ...(fix.coords.altitude != null ? { altitude_m: Math.round(fix.coords.altitude) } : {}),
        };
        positionText.textContent = `${t("accuracy", formatLength(accuracy))} — ${t("dragHint")}`;
        showPosition();
        sites.update(state.position);
        if (first) suggestNearby(state.position);
        if (accuracy <= GOOD_ACCURACY_M && watch !== null) navigator.geolocation.clearWatch(watch);
      },
      () => {
        if (!state.moved) positionText.textContent = t("noGeo");
      },
      { enableHighAccuracy: true, maximumAge: 10_000, timeout: 60_000 },
    );
    addEventListener("hashchange", () => watch !== null && navigator.geolocation.clearWatch(watch), { once: true });
  }

  // 2. Photo first: the camera opens; the EXIF position and time, when present, fill the form.
  const photoNote = h("p", { class: "photo-note", role: "status" });
  const spaceNote = h("p", { class: "space-note", role: "alert" });
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
  const useExif = (exif) => {
    if (editing) return; // a correction keeps the place and time it was sent with
    const said = [];
    if (exif.lat !== null) {
      state.position = {
        lon: exif.lon, lat: exif.lat,
        // No error written by the camera: as precise as a pin placed on the map at this zoom.
        accuracy_m: exif.accuracy_m ?? (map ? placedAccuracy(map) : null),
        ...(exif.altitude_m !== null ? { altitude_m: exif.altitude_m } : {}),
      };
      state.moved = true;
      showPosition();
      positionText.textContent = t("dragHint");
      said.push(t("photoPlace", state.position.accuracy_m == null ? null : formatLength(state.position.accuracy_m)));
      suggestNearby(state.position);
    }
    if (exif.takenAt && exif.takenAt.getTime() <= Date.now() + CLOCK_SKEW_MS) {
      state.observedAt = exif.takenAt;
      said.push(`${t("photoTime")}${t("colon")}${formatDate(exif.takenAt, { time: true })}`);
    }
    photoNote.textContent = said.join(" · ");
  };
  const fileInput = h("input", {
    type: "file", accept: "image/*", capture: "environment", id: "photo-input", class: "sr", multiple: true,
    onchange: async (event) => {
      const files = [...event.target.files];
      event.target.value = "";
      if (files.length && !state.photos.length) useExif(await readExif(files[0]));
      for (const file of files) {
        state.photos.push({ id: crypto.randomUUID(), blob: await downscale(file), done: false });
      }
      renderPhotos();
      // Told now, while the record is still in the form, not after the phone refused to keep it.
      if (await nearlyFull(state.photos.reduce((sum, photo) => sum + photo.blob.size, 0))) {
        spaceNote.replaceChildren(t("spaceLowPhoto"), " ", h("a", { href: "#/backup" }, t("adviceLink")));
      }
    },
  });
  const photoSection = h("section", { class: "step photo-step" },
    fileInput,
    h("label", { for: "photo-input", class: "button primary big camera" }, state.photos.length ? t("addPhoto") : t("photoFirst")),
    schema["x-photo-required"] === true ? h("p", { class: "hint" }, t("photoRequired")) : null,
    photoNote,
    spaceNote,
    previews);

  // 3. What: one-tap suggestions, then a search; or the heritage fields that matter most.
  const targets = (chosenProgramme?.programme?.target_taxa ?? []).map(taxonByCode).filter(Boolean);
  const picker = withTaxon ? taxonPicker(state, targets) : null;
  if (picker) {
    suggestNearby = (position) => recentNearby(position).then(picker.showNearby);
    recentNearby(null).then(picker.showNearby); // the last ones found, offline too
  }

  // A programme's protocol shows every field at once: its admins chose each one. A species
  // shows whether it was found beside the taxon (an absence hides the counts).
  const form = schemaForm(schema, {
    skip: withTaxon ? ["cd_nom"] : ["item_id"],
    first: kind === "heritage" ? ["name"] : bundled ? [OCCURRENCE_FIELD] : Object.keys(schema.properties),
    initial: editing?.payload.data ?? {},
  });
  const comment = h("textarea", { id: "comment", maxlength: 2000, rows: 2 }, editing?.payload.comment ?? "");
  const whatSection = bundled
    ? (withTaxon ? [picker.element, absences ? h("section", { class: "step" }, form.essential) : null] : h("section", { class: "step" }, form.essential))
    : [picker?.element, h("section", { class: "step protocol" }, form.essential)];
  const detailsSection = h("details", { class: "step more", open: Boolean(editing) },
    h("summary", {}, t("moreDetails")),
    bundled && withTaxon && !absences ? form.essential : null,
    form.optional,
    h("div", { class: "field" }, h("label", { for: "comment" }, t("comment")), comment));

  const save = h("button", { type: "submit", class: "big primary" }, t("save"));
  const formElement = h("form", {
    class: "record-form",
    novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      if (withTaxon && !state.taxon) return (message.textContent = t("chooseTaxon"));
      const data = { ...form.read(), ...(withTaxon ? { cd_nom: state.taxon.cd_nom } : {}) };
      if (!bundled || absences) {
        // The server's own rules, every bad field at once, each shown beside its field.
        const errors = validateData(schema, data);
        form.showErrors(errors);
        const photoMissing = schema["x-photo-required"] === true && state.photos.length === 0 && !editing?.photos.length;
        if (errors.length || photoMissing) {
          message.textContent = [errors.length ? t("fixFields", errors.length) : null, photoMissing ? t("photoRequired") : null]
            .filter(Boolean).join(" — ");
          formElement.querySelector("[aria-invalid=true]")?.focus();
          return;
        }
      }
      const missing = form.missing();
      if (missing.length) return (message.textContent = `${t("required")}${t("colon")}${missing.join(", ")}`);
      if (!state.position) return (message.textContent = t("needPosition"));
      if (state.position.accuracy_m == null && map) state.position.accuracy_m = placedAccuracy(map);
      const payload = {
        id: editing?.id ?? crypto.randomUUID(),
        kind,
        schema_version: version,
        observed_at: editing?.payload.observed_at ?? localIso(state.observedAt ?? new Date()),
        location: Object.fromEntries(Object.entries(state.position).filter(([, v]) => v !== null && v !== undefined)),
        data,
        ...(bundled && chosenProgramme && !editing ? { programme: chosenProgramme.slug } : {}),
        ...(!bundled && !editing ? { programme: kindProgramme } : {}),
        ...(editing?.payload.programme ? { programme: editing.payload.programme } : {}),
        ...(comment.value.trim() ? { comment: comment.value.trim() } : {}),
        ...(state.site ? { site_id: state.site.id } : {}),
      };
      try {
        await putRecord({
          ...(editing ?? { createdAt: new Date().toISOString(), version: null, server: null }),
          id: payload.id,
          kind,
          payload,
          photos: [...(editing?.photos.filter((p) => p.done) ?? []), ...state.photos],
          state: "waiting",
          problem: null,
        });
      } catch (error) {
        // Nothing was stored: the form keeps everything typed and every photo, and says why.
        console.error(error);
        return (message.textContent = t(error?.name === "QuotaExceededError" ? "storageFull" : "storageFailed"));
      }
      if (watch !== null) navigator.geolocation.clearWatch(watch);
      message.textContent = t("saved");
      requestBackgroundSync();
      location.hash = "#/mine";
      syncNow().catch(() => {});
    },
  }, photoSection, whatSection, sites.element, positionSection, detailsSection, message,
  h("div", { class: "save-bar" }, save));
  const heading = bundled ? t(kind) : schemaTitle(schema, kind);
  fill(main, h("h1", {}, heading), formElement);
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

/** Suggestions (the programme's targets, then species seen nearby) as one-tap chips, then a search. */
function taxonPicker(state, targets) {
  const results = h("ul", { class: "taxa", role: "listbox", id: "taxon-results", "aria-label": t("taxon") });
  const chosenName = h("span", { translate: "no" }, state.taxon ? taxonLabel(state.taxon) : "");
  const chosen = h("p", { class: "chosen", "aria-live": "polite" }, chosenName);
  const chips = h("ul", { class: "chips suggestions", "aria-label": t("suggestions") });
  const choose = (taxon) => {
    state.taxon = taxon;
    chosenName.textContent = `✓ ${taxonLabel(taxon)}`;
    for (const chip of chips.querySelectorAll("button")) chip.setAttribute("aria-pressed", String(chip.dataset.cdNom === String(taxon.cd_nom)));
  };
  const chip = (taxon, group) =>
    h("li", { class: group }, h("button", {
      type: "button", class: "small", translate: "no", "data-cd-nom": taxon.cd_nom,
      "aria-pressed": String(state.taxon?.cd_nom === taxon.cd_nom), onclick: () => choose(taxon),
    }, taxonName(taxon)));
  const showNearby = (nearby) => {
    const shown = new Set(targets.map((taxon) => taxon.cd_nom));
    chips.replaceChildren(
      ...targets.map((taxon) => chip(taxon, "target")),
      ...nearby.filter((taxon) => !shown.has(taxon.cd_nom)).map((taxon) => chip(taxon, "nearby")),
    );
    chipsBox.hidden = chips.children.length === 0;
    nearbyLabel.hidden = nearby.length === 0;
  };
  const targetsLabel = targets.length ? h("span", {}, t("targetsOfProgramme")) : null;
  const nearbyLabel = h("span", { hidden: true }, `${targets.length ? " · " : ""}${t("nearbySpecies")}`);
  const chipsBox = h("div", { class: "suggested", hidden: true }, h("p", { class: "hint" }, targetsLabel, nearbyLabel), chips);
  showNearby([]);
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
                h("button", { type: "button", class: "taxon", translate: "no", onclick: () => {
                  choose(taxon);
                  results.replaceChildren();
                  input.value = "";
                } }, taxonLabel(taxon))))),
      );
    },
  });
  const element = h("section", { class: "step" },
    h("h2", {}, h("label", { for: "taxon-search" }, t("taxon"))), chipsBox, input, chosen, results);
  return { element, showNearby };
}
