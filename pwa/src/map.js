// Leaflet, loaded only on the screens that show a map (it is not in the app shell budget).
import { getMeta, setMeta } from "./db.js";
import { t } from "./i18n.js";

const FALLBACK = {
  tile_url: "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
  tile_attribution: "© OpenStreetMap contributors",
};

/** Runtime settings from the server (tile source), remembered for offline starts. */
export async function config() {
  try {
    const response = await fetch("/config.json");
    if (response.ok) {
      const value = await response.json();
      await setMeta("config", value);
      return value;
    }
  } catch {
    // offline: the remembered one
  }
  return (await getMeta("config")) ?? FALLBACK;
}

/** A Leaflet map in `element`, centred on [lat, lon], with the configured tiles. */
export async function createMap(element, center, zoom = 13) {
  const [{ default: L }, settings] = await Promise.all([import("./leaflet.js"), config()]);
  const map = L.map(element, { zoomControl: false, attributionControl: true }).setView(center, zoom);
  // Leaflet's own button titles are English: give them the reader's language.
  L.control.zoom({ zoomInTitle: t("zoomIn"), zoomOutTitle: t("zoomOut") }).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" translate="no">Leaflet</a>');
  const tiles = L.tileLayer(settings.tile_url, { maxZoom: 18, attribution: settings.tile_attribution });
  tiles.on("tileerror", () => element.setAttribute("data-tiles", "missing"));
  tiles.addTo(map);
  element.setAttribute("aria-label", t("map"));
  return { L, map };
}
