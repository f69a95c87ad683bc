// Cairn field app: boot, navigation, network and storage state.
import "./style.css";
import { getMeta, setMeta } from "./db.js";
import { SEEN_EVENT, unseenDecisions } from "./decisions.js";
import { h } from "./dom.js";
import { LANGS, errorText, initialLanguage, setLanguage, t } from "./i18n.js";
import "./outbox-texts.js";
import "./backup-texts.js";
import { backupReasons } from "./backup.js";
import * as home from "./screens/home.js";
import { loadReference, loadStoredReference, programmeOf, rememberProgrammes, schemaOf } from "./reference.js";
import { SyncState, onChange as onSyncChange, startSync, syncStatus } from "./sync.js";

/** Screens load on demand, except the first one most visits show: it paints with no round trip. */
const SCREENS = {
  "": async () => home,
  record: () => import("./screens/record.js"),
  mine: () => import("./screens/mine.js"),
  map: () => import("./screens/openmap.js"),
  privacy: () => import("./screens/privacy.js"),
  staff: () => import("./screens/staff.js"),
  atlas: () => import("./screens/atlas.js"),
  impact: () => import("./screens/impact.js"),
  dashboard: () => import("./screens/dashboard.js"),
  backup: () => import("./screens/backup.js"),
};

/** Entries of the bottom bar; later sections (atlas, staff) add theirs here. */
const TABS = [
  ["", "tab_home", "⌂"],
  ["record/species", "tab_record", "+"],
  ["mine", "tab_mine", "☰"],
  ["map", "tab_map", "◎"],
  ["atlas", "tab_atlas", "❦"],
  ["privacy", "tab_privacy", "⚙"],
];

/** Screens of the park staff: desk tools, without the hiker's bottom bar. */
const STAFF_SCREENS = new Set(["staff", "dashboard"]);

const main = document.getElementById("main");

/** The screen to show: the hash's, or for a shared atlas address (`/atlas/taxon/61098`, a page
 * the server renders for previews and search engines) with no hash yet, that address's. */
function route() {
  const shared = location.hash === "" && /^\/atlas\/[a-z]+\/[^/]+$/.test(location.pathname);
  const address = shared ? location.pathname : location.hash;
  const [path, query = ""] = address.replace(/^[#/]+/, "").split("?");
  const [name, ...rest] = path.split("/");
  return { name: name in SCREENS ? name : "", args: rest, query: new URLSearchParams(query) };
}

let rendering = 0;
async function render() {
  const current = route();
  const ticket = ++rendering;
  const screen = await SCREENS[current.name]();
  if (ticket !== rendering) return;
  main.replaceChildren();
  try {
    await screen.show(main, current);
  } catch (error) {
    console.error(error);
    main.replaceChildren(h("h1", {}, "Cairn"), h("p", { class: "problem", role: "alert" }, errorText(error)));
  }
  document.body.classList.toggle("staff-mode", STAFF_SCREENS.has(current.name));
  await renderTabs(current.name);
  if (current.name !== "atlas" || current.args.length === 0) {
    document.title = `Cairn — ${t(current.name === "" ? "home" : current.name)}`;
  }
}

async function renderTabs(active = route().name) {
  const nav = document.getElementById("tabs");
  nav.setAttribute("aria-label", "Navigation");
  nav.hidden = STAFF_SCREENS.has(active);
  const unseen = (await unseenDecisions()).length;
  nav.replaceChildren(
    ...TABS.map(([target, key, glyph]) =>
      h("a", { href: `#/${target}`, "aria-current": target.split("/")[0] === active ? "page" : null },
        h("span", { "aria-hidden": "true", class: "glyph" }, glyph), h("span", {}, t(key)),
        target === "mine" && unseen ? h("span", { class: "count-badge" }, h("span", { "aria-hidden": "true" }, unseen), h("span", { class: "sr" }, ` — ${t("newDecisions", unseen)}`)) : null),
    ),
  );
  renderDecisionsNotice(active, unseen);
  await renderBackupAdvice(active);
}

/** Anywhere but the backup screen itself: records at risk (waiting for days, storage the
 * browser may empty, a phone nearly full) and the way to a backup. */
async function renderBackupAdvice(active) {
  const advice = document.getElementById("advice");
  const reasons = active === "backup" || STAFF_SCREENS.has(active) ? [] : await backupReasons();
  advice.hidden = reasons.length === 0;
  advice.replaceChildren(reasons.length
    ? h("p", {}, `${t("adviceTitle")}${t("colon")}${reasons.map((reason) => t(`advice_${reason}`)).join(" ; ")}. `,
        h("a", { href: "#/backup" }, t("adviceLink")))
    : "");
}

/** On any screen but "Mine": the moderators decided since the visitor last looked. */
function renderDecisionsNotice(active, unseen) {
  const notice = document.getElementById("notice");
  notice.hidden = unseen === 0 || active === "mine" || STAFF_SCREENS.has(active);
  notice.replaceChildren(unseen ? h("p", {}, t("decisionsNotice", unseen), " ", h("a", { href: "#/mine" }, t("seeThem"))) : "");
}

/** Online, offline, or online but unable to send: the server refuses this phone's token. */
function renderNetwork() {
  const net = document.getElementById("net");
  const refused = navigator.onLine && syncStatus().state === SyncState.UNREGISTERED;
  net.textContent = refused ? t("syncUnregistered") : navigator.onLine ? t("online") : t("offline");
  net.className = navigator.onLine && !refused ? "net online" : "net offline";
}

/** The language chosen on this phone, also kept where it can be read at once (no storage wait). */
const LANG_KEY = "cairn-lang";

function quickLanguage() {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null; // storage refused (private mode): the language comes from IndexedDB a moment later
  }
}

async function chooseLanguage(value) {
  setLanguage(value);
  try {
    localStorage.setItem(LANG_KEY, value);
  } catch {
    // the choice is still kept in IndexedDB below
  }
  await setMeta("lang", value);
  document.querySelector(".skip").textContent = t("skip");
  document.getElementById("lang-label").textContent = t("language");
  document.getElementById("lang").value = value;
  renderNetwork();
  await render();
}

/** A QR code's deep link (`/?programme=…&place=…&lang=…&site=…`): remember the programme; a
 * site's code opens the record form on that site. */
async function followDeepLink() {
  const query = new URLSearchParams(location.search);
  const slug = query.get("programme");
  if (!slug) return;
  const programme = await programmeOf(slug);
  await setMeta("programme", { slug, place: query.get("place"), programme, site: query.get("site") });
  if (query.get("site") && !location.hash) location.hash = "#/record/species";
}

async function boot() {
  // The first screen's code downloads while storage opens (render() says if it cannot).
  const firstScreen = SCREENS[route().name]().catch(() => null);
  setLanguage(initialLanguage(quickLanguage()));
  document.getElementById("lang").value = document.documentElement.lang;
  document.getElementById("lang").addEventListener("change", (event) => chooseLanguage(event.target.value));
  document.querySelector(".skip").textContent = t("skip");
  document.getElementById("lang-label").textContent = t("language");
  addEventListener("online", renderNetwork);
  addEventListener("offline", renderNetwork);
  onSyncChange(renderNetwork);
  addEventListener("hashchange", render);
  renderNetwork();
  // The home screen starts drawing before storage opens (its heading needs nothing stored);
  // the others, and a QR code's link, once storage has given the reference data.
  const early = route().name === "" && !new URLSearchParams(location.search).has("programme") ? render() : null;
  const [saved] = await Promise.all([getMeta("lang"), loadStoredReference(), firstScreen]);
  await followDeepLink();
  await early;
  const language = initialLanguage(saved);
  if (language !== document.documentElement.lang) await chooseLanguage(language); // chosen before this phone kept it at hand
  else if (!early) await render(); // the first screen does not wait for the network
  await loadReference();
  await rememberProgrammes(); // a QR code's link then opens on its programme even offline
  // Both kinds' forms must open on the trail: fetch their schemas while there is a network.
  await Promise.all(["species", "heritage"].map((kind) => schemaOf(kind, 1).catch(() => null)));
  onSyncChange(() => renderTabs());
  addEventListener(SEEN_EVENT, () => renderTabs());
  startSync();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => console.warn("no service worker", error));
  }
  navigator.storage?.persist?.().catch(() => {});
  document.body.dataset.ready = "true";
}

export { LANGS };
boot();
