// Home: what do you see? Two big choices, the programme of the QR code, what waits to be sent.
import { allRecords, getMeta } from "../db.js";
import { h, fill } from "../dom.js";
import { formatBytes, lang, schemaTitle, t } from "../i18n.js";
import { kindsOf, whenReference } from "../reference.js";
import { waiting } from "../sync.js";

export async function show(main) {
  fill(main, h("h1", {}, t("welcome"))); // at once; the rest when storage answers
  const [chosen, records, storage] = await Promise.all([getMeta("programme"), allRecords(), storageState()]);
  const choices = h("div", { class: "choices" },
    accepts(chosen, "species") && h("a", { class: "choice species", href: "#/record/species" },
      h("span", { class: "choice-title" }, t("species")), h("span", { class: "hint" }, t("speciesHint"))),
    accepts(chosen, "heritage") && h("a", { class: "choice heritage", href: "#/record/heritage" },
      h("span", { class: "choice-title" }, t("heritage")), h("span", { class: "hint" }, t("heritageHint"))));
  // The programme's own protocols, rendered from their schemas (no code per kind), once the
  // bundle is there: stored on the phone, or on a first visit when it arrives.
  if (chosen) {
    whenReference().then(() => choices.append(...kindsOf(chosen.slug).map((protocol) =>
      h("a", { class: "choice protocol", href: `#/record/${protocol.kind}`, "data-kind": protocol.kind },
        h("span", { class: "choice-title" }, schemaTitle(protocol.schema, protocol.kind))))));
  }
  const banner = chosen
    ? h("section", { class: "card programme", "aria-label": t("programme") },
        h("p", { class: "eyebrow" }, t("programme")),
        h("h2", {}, chosen.programme?.name?.[lang()] ?? chosen.slug),
        chosen.place ? h("p", {}, `${t("place")}${t("colon")}${chosen.place}`) : null)
    : null;
  main.replaceChildren();
  fill(main, 
    h("h1", {}, t("welcome")),
    banner,
    choices,
    h("p", { class: "outbox-count", role: "status" }, t("waitingCount", waiting(records).length)),
    storage,
    h("p", { class: "footer-link" }, h("a", { href: "#/impact" }, t("impactLink")), " · ", h("a", { href: "#/staff" }, t("staffLink"))),
  );
}

/** Whether the programme of the QR code (if any) takes this kind of observation. */
function accepts(chosen, kind) {
  const kinds = chosen?.programme?.kinds;
  return !kinds || kind in kinds;
}

async function storageState() {
  const persisted = (await navigator.storage?.persisted?.()) ?? false;
  const estimate = (await navigator.storage?.estimate?.()) ?? {};
  return h("section", { class: "card storage", "aria-label": t("storage") },
    h("h2", {}, t("storage")),
    h("p", {}, persisted ? t("persisted") : t("notPersisted")),
    estimate.quota ? h("p", {}, t("used", formatBytes(estimate.usage), formatBytes(estimate.quota))) : null);
}
