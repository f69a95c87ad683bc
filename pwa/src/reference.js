// Reference data kept on the phone: taxa, heritage categories, communes, kind schemas.
import { request } from "./api.js";
import { getReference, setReference } from "./db.js";
import { lang } from "./i18n.js";

let bundle = null;
let index = null;
const schemas = new Map();
let bundleArrived;
const bundleReady = new Promise((resolve) => (bundleArrived = resolve));

const NEARBY_RADIUS_DEG = 0.07; // about 5 to 8 km around the position, in the territory's latitudes
const NEARBY_DAYS = 365;
const NEARBY_LIMIT = 8;

/** Letters only, lower case, accents removed: "Gentiane de Koch" → "gentiane de koch". */
export function fold(text) {
  return (text || "")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** The bundle kept on the phone (instant, works offline); null before the first visit. */
export async function loadStoredReference() {
  const stored = await getReference("bundle");
  if (stored) useBundle(stored.data);
  return stored ?? null;
}

/** Refresh the bundle from the network when it changed (ETag); keep the stored one otherwise. */
export async function loadReference() {
  const stored = await loadStoredReference();
  if (navigator.onLine) {
    try {
      const headers = stored?.etag ? { "If-None-Match": stored.etag } : {};
      const response = await fetch("/api/v1/reference/bundle", { headers });
      if (response.status === 200) {
        const data = await response.json();
        await setReference("bundle", { etag: response.headers.get("ETag"), data });
        useBundle(data);
      }
    } catch {
      // Offline or the server is down: the stored bundle serves.
    }
  }
  return bundle;
}

function useBundle(data) {
  bundle = data;
  bundleArrived(data);
  index = data.taxa.map((taxon) => ({
    taxon,
    words: fold([taxon.scientific_name, taxon.vernacular_fr, taxon.vernacular_en, taxon.vernacular_it].join(" ")),
  }));
}

export function reference() {
  return bundle;
}

/** The bundle, once it is there (stored on the phone, or the first download). */
export function whenReference() {
  return bundle ? Promise.resolve(bundle) : bundleReady;
}

/** A commune's name from its INSEE code (the bundle has the territory's communes). */
export function communeName(insee) {
  if (!insee) return "";
  return bundle?.communes.find((commune) => commune.insee === insee)?.name ?? insee;
}

/** Taxa whose names have words starting with every word typed (accents and case ignored). */
export function searchTaxa(query, limit = 20) {
  if (!index) return [];
  const words = fold(query).split(" ").filter(Boolean);
  if (words.length === 0) return [];
  const hits = [];
  for (const entry of index) {
    const haystack = ` ${entry.words}`;
    if (words.every((word) => haystack.includes(` ${word}`))) {
      const first = ` ${fold(taxonName(entry.taxon))}`.startsWith(` ${words[0]}`) ? 0 : 1;
      hits.push([first, entry.taxon.cd_nom === entry.taxon.cd_ref ? 0 : 1, entry.taxon]);
    }
  }
  hits.sort((a, b) => a[0] - b[0] || a[1] - b[1] || taxonName(a[2]).localeCompare(taxonName(b[2])));
  return hits.slice(0, limit).map((hit) => hit[2]);
}

/**
 * The name a reader sees first: the vernacular name in their language, else the scientific name.
 * The reference data has French vernacular names only, so English and Italian readers get the
 * scientific name (no name is made up).
 */
export function taxonName(taxon) {
  return taxon[`vernacular_${lang()}`] || taxon.scientific_name || taxon.vernacular_fr;
}

/** The name first, then the other one: "Bouquetin des Alpes — Capra ibex" / "Capra ibex — Bouquetin des Alpes". */
export function taxonLabel(taxon) {
  const name = taxonName(taxon);
  const other = name === taxon.scientific_name ? taxon.vernacular_fr : taxon.scientific_name;
  return other && other !== name ? `${name} — ${other}` : name;
}

export function taxonByCode(cdNom) {
  return bundle?.taxa.find((taxon) => taxon.cd_nom === cdNom) ?? null;
}

/** A kind's JSON Schema: from memory, the network, or IndexedDB when offline. */
export async function schemaOf(kind, version = 1) {
  const key = `schema:${kind}:${version}`;
  if (schemas.has(key)) return schemas.get(key);
  let schema;
  try {
    schema = await request(`/api/v1/schemas/${kind}/${version}`);
    await setReference(key, schema);
  } catch (error) {
    schema = await getReference(key);
    if (!schema) throw error;
  }
  schemas.set(key, schema);
  return schema;
}

/** Every programme, kept on the phone, so any QR code opens its programme offline. */
export async function rememberProgrammes() {
  try {
    const programmes = await request("/api/v1/programmes");
    await Promise.all(programmes.map((programme) => setReference(`programme:${programme.slug}`, programme)));
  } catch {
    // offline: the ones kept before serve
  }
}

/** A programme (deep links), remembered for offline use. */
export async function programmeOf(slug) {
  const key = `programme:${slug}`;
  try {
    const programme = await request(`/api/v1/programmes/${encodeURIComponent(slug)}`);
    await setReference(key, programme);
    return programme;
  } catch {
    return (await getReference(key)) ?? null;
  }
}

/**
 * Species validated in the last year around a position, most recorded first, from the open data;
 * remembered on the phone, so offline the last ones found (named from the bundle) still serve.
 */
export async function recentNearby(position) {
  if (position && navigator.onLine) {
    const query = new URLSearchParams({
      kind: "species", occurrence_status: "present", limit: "500", format: "json",
      from: new Date(Date.now() - NEARBY_DAYS * 86_400_000).toISOString().slice(0, 10),
      bbox: [position.lon - NEARBY_RADIUS_DEG, position.lat - NEARBY_RADIUS_DEG,
        position.lon + NEARBY_RADIUS_DEG, position.lat + NEARBY_RADIUS_DEG].map((v) => v.toFixed(5)).join(","),
    });
    try {
      const answer = await request(`/api/v1/observations?${query}`);
      const counts = new Map();
      for (const item of answer.items) {
        if (item.taxon) counts.set(item.taxon.cd_ref, (counts.get(item.taxon.cd_ref) ?? 0) + 1);
      }
      const codes = [...counts].sort((a, b) => b[1] - a[1]).slice(0, NEARBY_LIMIT).map(([code]) => code);
      await setReference("nearby", codes);
      return codes.map(taxonByCode).filter(Boolean);
    } catch {
      // the server is out of reach: the remembered ones serve
    }
  }
  return ((await getReference("nearby")) ?? []).map(taxonByCode).filter(Boolean);
}

/** A programme's kind from the bundle: `version` given, else its last published one; null if unknown. */
export function programmeKind(kind, version = null) {
  const versions = (bundle?.kinds ?? []).filter((k) => k.kind === kind && (version === null || k.version === version));
  return versions.reduce((last, k) => (last && last.version > k.version ? last : k), null);
}

/** The last published version of each kind of a programme, as the bundle carries them. */
export function kindsOf(slug) {
  const names = new Set((bundle?.kinds ?? []).filter((k) => k.programme === slug).map((k) => k.kind));
  return [...names].sort().map((kind) => programmeKind(kind));
}
