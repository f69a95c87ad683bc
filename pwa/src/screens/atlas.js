// The atlas: what the validated open data says about a taxon, a commune, a programme or a heritage type.
import { request } from "../api.js";
import { barChart } from "../charts.js";
import { h, fill } from "../dom.js";
import { enumLabel, extend, formatDate, formatLength, formatNumber, lang, t } from "../i18n.js";
import { createMap } from "../map.js";
import { reference, schemaOf, searchTaxa, taxonLabel, taxonName } from "../reference.js";

extend({
  fr: {
    atlas: "Atlas", atlasIntro: "Ce que les observations validées disent du territoire.", communes: "Communes",
    heritageTypes: "Patrimoine", phenology: "Observations par mois", altitudes: "Observations par tranche d'altitude",
    cells: "Mailles de 10 km où l'espèce a été vue", firstSeen: "Première observation", lastSeen: "Dernière observation",
    records: "Observations", generalisedNote: (n) => `${n} observation${n > 1 ? "s" : ""} montrée${n > 1 ? "s" : ""} à une précision réduite (espèce sensible)`,
    noAltitude: "Altitudes non publiées pour cette espèce.", speciesSeen: "Espèces vues", latest: "Dernières observations",
    targets: "Espèces cibles observées", contributors: "Contributeurs", anonymousRecords: (n) => `et ${n} observation${n > 1 ? "s" : ""} anonyme${n > 1 ? "s" : ""}`,
    conditions: "État signalé par année", photosBy: "Photo", anonymous: "anonyme", noData: "Pas encore d'observation validée.",
    months: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
  },
  en: {
    atlas: "Atlas", atlasIntro: "What validated observations say about the territory.", communes: "Communes",
    heritageTypes: "Heritage", phenology: "Observations per month", altitudes: "Observations per altitude band",
    cells: "10 km cells where the species was seen", firstSeen: "First seen", lastSeen: "Last seen",
    records: "Observations", generalisedNote: (n) => `${n} observation${n > 1 ? "s" : ""} shown at a reduced precision (sensitive species)`,
    noAltitude: "Altitudes are not published for this species.", speciesSeen: "Species seen", latest: "Latest observations",
    targets: "Target species observed", contributors: "Contributors", anonymousRecords: (n) => `and ${n} anonymous observation${n > 1 ? "s" : ""}`,
    conditions: "Condition reported per year", photosBy: "Photo", anonymous: "anonymous", noData: "No validated observation yet.",
    months: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  },
  it: {
    atlas: "Atlante", atlasIntro: "Cosa dicono le osservazioni validate sul territorio.", communes: "Comuni",
    heritageTypes: "Patrimonio", phenology: "Osservazioni per mese", altitudes: "Osservazioni per fascia di altitudine",
    cells: "Maglie di 10 km dove la specie è stata vista", firstSeen: "Prima osservazione", lastSeen: "Ultima osservazione",
    records: "Osservazioni", generalisedNote: (n) => `${n} osservazion${n > 1 ? "i mostrate" : "e mostrata"} con precisione ridotta (specie sensibile)`,
    noAltitude: "Altitudini non pubblicate per questa specie.", speciesSeen: "Specie viste", latest: "Ultime osservazioni",
    targets: "Specie obiettivo osservate", contributors: "Contributori", anonymousRecords: (n) => `e ${n} osservazion${n > 1 ? "i anonime" : "e anonima"}`,
    conditions: "Stato segnalato per anno", photosBy: "Foto", anonymous: "anonimo", noData: "Ancora nessuna osservazione validata.",
    months: ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"],
  },
});

export async function show(main, { args }) {
  const [what, key] = args;
  if (what === "taxon" && key) return taxonPage(main, key);
  if (what === "commune" && key) return communePage(main, key);
  if (what === "programme" && key) return programmePage(main, key);
  if (what === "heritage" && key) return heritagePage(main, key);
  if (what === "site" && key) return (await import("./site.js")).show(main, key);
  return index(main);
}

/** A stat card; numbers with the locale's grouping. */
function figure(label, value) {
  const shown = typeof value === "number" ? formatNumber(value) : value;
  return h("div", { class: "figure" }, h("span", { class: "figure-value" }, shown), h("span", { class: "figure-label" }, label));
}

/** A condition reported on heritage, by its label ("unknown" when none was given). */
function conditionLabel(condition, key) {
  if (key === "unknown") return t("status_unknown");
  return condition ? enumLabel(condition, key) : key;
}

async function index(main) {
  const results = h("ul", { class: "taxa" });
  const search = h("input", { type: "search", id: "atlas-search", placeholder: t("searchTaxon"), autocomplete: "off",
    oninput: () => results.replaceChildren(...searchTaxa(search.value, 12).map((taxon) =>
      h("li", {}, h("a", { class: "button taxon", href: `#/atlas/taxon/${taxon.cd_ref}`, translate: "no" }, taxonLabel(taxon))))) });
  const heritage = await schemaOf("heritage", 1).catch(() => null);
  const categories = heritage?.properties.category.enum ?? [];
  fill(main, 
    h("h1", {}, t("atlas")), h("p", {}, t("atlasIntro")),
    h("div", { class: "field" }, h("label", { for: "atlas-search" }, t("taxon")), search), results,
    h("h2", {}, t("communes")),
    h("ul", { class: "chips" }, (reference()?.communes ?? []).map((c) => h("li", {}, h("a", { href: `#/atlas/commune/${c.insee}`, translate: "no" }, c.name)))),
    h("h2", {}, t("heritageTypes")),
    h("ul", { class: "chips" }, categories.map((c) => h("li", {}, h("a", { href: `#/atlas/heritage/${c}` }, enumLabel(heritage.properties.category, c))))),
  );
}

async function taxonPage(main, cdNom) {
  const page = await request(`/api/v1/atlas/taxa/${encodeURIComponent(cdNom)}?lang=${lang()}`);
  const taxon = page.taxon;
  const name = taxonName(taxon);
  document.title = `${name} — Cairn`;
  const mapBox = h("div", { class: "map small", id: "atlas-map" });
  fill(main, 
    h("h1", { translate: "no" }, name),
    h("p", { class: "meta", translate: "no" }, h("em", {}, name === taxon.scientific_name ? taxon.vernacular_fr : taxon.scientific_name), taxon.rank ? ` · ${taxon.rank}` : ""),
    taxon.parents?.length ? h("p", { class: "hint", translate: "no" }, taxon.parents.map((p) => p.scientific_name).join(" › ")) : null,
    h("div", { class: "figures" }, figure(t("records"), page.count), figure(t("firstSeen"), formatDate(page.first_seen)), figure(t("lastSeen"), formatDate(page.last_seen))),
    page.generalised ? h("p", { class: "hint" }, t("generalisedNote", page.generalised)) : null,
    h("h2", {}, t("cells")), mapBox,
    h("h2", {}, t("phenology")), barChart(t("phenology"), t("months"), page.months),
    h("h2", {}, t("altitudes")),
    page.altitude_bands
      ? barChart(t("altitudes"), page.altitude_bands.map((b) => formatLength(b.low)), page.altitude_bands.map((b) => b.count))
      : h("p", { class: "hint" }, t("noAltitude")),
    page.photos.length
      ? h("div", { class: "gallery" }, page.photos.map((p) => h("figure", {},
          h("img", { src: p.url, alt: name, loading: "lazy" }),
          h("figcaption", {}, `${t("photosBy")}${t("colon")}`, p.observer ? h("span", { translate: "no" }, p.observer) : t("anonymous"), " · ", h("span", { translate: "no" }, p.licence)))))
      : null,
  );
  const { L, map } = await createMap(mapBox, [44.75, 6.6], 8);
  if (page.cells.length) {
    const layer = L.geoJSON({ type: "FeatureCollection", features: page.cells.map((c) => ({ type: "Feature", geometry: c.geometry, properties: c })) }, {
      style: { weight: 1, color: "#1f4d3a", fillOpacity: 0.35 },
      onEachFeature: (feature, shape) => shape.bindPopup(`${feature.properties.code}${t("colon")}${formatNumber(feature.properties.count)}`),
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { maxZoom: 10 });
  }
}

async function communePage(main, insee) {
  const page = await request(`/api/v1/atlas/communes/${encodeURIComponent(insee)}`);
  document.title = `${page.name} — Cairn`;
  const heritage = await schemaOf("heritage", 1).catch(() => null);
  const mapBox = h("div", { class: "map small" });
  fill(main, 
    h("h1", { translate: "no" }, page.name),
    h("div", { class: "figures" }, page.by_kind.map((k) => figure(k.key === "species" ? t("kindSpecies") : t("kindHeritage"), k.count))),
    mapBox,
    h("h2", {}, t("speciesSeen")),
    page.species.length
      ? h("ul", { class: "checklist" }, page.species.map((s) => h("li", {}, h("a", { href: `#/atlas/taxon/${s.cd_ref}`, translate: "no" }, taxonName(s)), ` · ${formatNumber(s.count)}`)))
      : h("p", { class: "hint" }, t("noData")),
    h("h2", {}, t("heritageTypes")),
    h("ul", { class: "checklist" }, page.heritage.map((c) => h("li", {}, h("a", { href: `#/atlas/heritage/${c.key}` }, heritage ? enumLabel(heritage.properties.category, c.key) : c.key), ` · ${formatNumber(c.count)}`))),
  );
  const { L, map } = await createMap(mapBox, [44.75, 6.6], 9);
  const outline = L.geoJSON(page.outline, { style: { weight: 2, color: "#1f4d3a", fillOpacity: 0.08 } }).addTo(map);
  map.fitBounds(outline.getBounds());
}

async function programmePage(main, slug) {
  const page = await request(`/api/v1/atlas/programmes/${encodeURIComponent(slug)}`);
  const programme = page.programme;
  const programmeName = programme.name?.[lang()] ?? slug;
  document.title = `${programmeName} — Cairn`;
  const targets = programme.target_taxa ?? [];
  fill(main, 
    h("h1", {}, programmeName),
    programme.description?.[lang()] ? h("p", {}, programme.description[lang()]) : null,
    h("div", { class: "figures" }, figure(t("records"), page.count), targets.length ? figure(t("targets"), `${page.targets_seen.length} / ${targets.length}`) : null),
    page.by_month.length ? barChart(t("records"), page.by_month.map((m) => m.key.slice(2)), page.by_month.map((m) => m.count)) : h("p", { class: "hint" }, t("noData")),
    h("h2", {}, t("contributors")),
    h("ol", { class: "checklist" }, page.top_contributors.map((c) => h("li", {}, h("span", { translate: "no" }, c.pseudonym), ` · ${formatNumber(c.count)}`))),
    page.anonymous_records ? h("p", { class: "hint" }, t("anonymousRecords", page.anonymous_records)) : null,
  );
}

async function heritagePage(main, category) {
  const [page, heritage] = await Promise.all([
    request(`/api/v1/atlas/heritage/${encodeURIComponent(category)}`),
    schemaOf("heritage", 1).catch(() => null),
  ]);
  const label = heritage ? enumLabel(heritage.properties.category, category) : category;
  const condition = heritage?.properties.condition;
  document.title = `${label} — Cairn`;
  fill(main, 
    h("h1", {}, label),
    h("div", { class: "figures" }, figure(t("records"), page.count)),
    h("h2", {}, t("communes")),
    h("ul", { class: "checklist" }, page.communes.map((c) => h("li", {}, h("span", { translate: "no" }, c.key), ` · ${formatNumber(c.count)}`))),
    h("h2", {}, t("conditions")),
    page.conditions_by_year.length
      ? h("ul", { class: "checklist" }, page.conditions_by_year.map((y) =>
          h("li", {}, h("strong", {}, `${y.year}${t("colon")}`), y.conditions.map((c) => `${conditionLabel(condition, c.key)} ${formatNumber(c.count)}`).join(", "))))
      : h("p", { class: "hint" }, t("noData")),
  );
}
