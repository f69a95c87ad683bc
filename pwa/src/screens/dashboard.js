// An organisation's dashboard for its staff: figures and a CSV download (counts, never identities).
import { getMeta } from "../db.js";
import { h, fill } from "../dom.js";
import { extend, formatDate, formatNumber, t } from "../i18n.js";
import { staff } from "../staff.js";
import { barChart } from "../charts.js";
import "./staff.js"; // its texts (status, sign in)

extend({
  fr: { dashboard: "Tableau de bord", received: "Reçues par mois", backlog: "En attente", oldest: "la plus ancienne reçue le", distinctContributors: "contributeurs (appareils distincts)", topTaxa: "Espèces les plus notées", byCommune: "Par commune", downloadCsv: "Télécharger en CSV", outsideCommunes: "hors des communes du territoire" },
  en: { dashboard: "Dashboard", received: "Received per month", backlog: "Pending", oldest: "oldest received on", distinctContributors: "contributors (distinct devices)", topTaxa: "Most recorded taxa", byCommune: "Per commune", downloadCsv: "Download as CSV", outsideCommunes: "outside the territory's communes" },
  it: { dashboard: "Cruscotto", received: "Ricevute per mese", backlog: "In attesa", oldest: "la più vecchia ricevuta il", distinctContributors: "contributori (dispositivi distinti)", topTaxa: "Specie più segnalate", byCommune: "Per comune", downloadCsv: "Scarica in CSV", outsideCommunes: "fuori dai comuni del territorio" },
});

export async function show(main) {
  fill(main, h("h1", {}, t("dashboard")));
  if (!(await getMeta("staff"))) {
    return fill(main, h("p", {}, h("a", { href: "#/staff" }, t("signIn"))));
  }
  const board = await staff("/api/v1/dashboard");
  const table = (title, counts, translatable = true) => h("section", {}, h("h2", {}, title),
    h("table", {}, h("tbody", {}, counts.map((c) =>
      h("tr", {}, h("th", { scope: "row", translate: translatable ? null : "no" }, c.key), h("td", {}, formatNumber(c.count)))))));
  fill(main, 
    h("p", { class: "hint", translate: "no" }, board.programmes.join(" · ")),
    h("div", { class: "figures" },
      h("div", { class: "figure" }, h("span", { class: "figure-value" }, formatNumber(board.pending)), h("span", { class: "figure-label" },
        `${t("backlog")}${board.oldest_pending ? ` — ${t("oldest")} ${formatDate(board.oldest_pending)}` : ""}`)),
      h("div", { class: "figure" }, h("span", { class: "figure-value" }, formatNumber(board.contributors)), h("span", { class: "figure-label" }, t("distinctContributors")))),
    h("h2", {}, t("received")),
    barChart(t("received"), board.received_by_month.map((m) => m.key.slice(2)), board.received_by_month.map((m) => m.count)),
    table(t("status"), board.by_status.map((c) => ({ key: t(`status_${c.key}`), count: c.count }))),
    table(t("topTaxa"), board.top_taxa, false),
    table(t("byCommune"), board.by_commune.map((c) => (c.key === "outside" ? { ...c, key: t("outsideCommunes") } : c)), false),
    h("button", { type: "button", class: "big secondary", onclick: async () => {
      const tokens = await getMeta("staff");
      const response = await fetch("/api/v1/dashboard?format=csv", { headers: { Authorization: `Bearer ${tokens.access_token}` } });
      h("a", { href: URL.createObjectURL(await response.blob()), download: "cairn-dashboard.csv" }).click();
    } }, t("downloadCsv")),
  );
}
