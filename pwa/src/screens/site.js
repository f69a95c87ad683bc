// A monitored site in the atlas: its visits over time (public records only), as a chart.
import { request } from "../api.js";
import { barChart } from "../charts.js";
import { h, fill } from "../dom.js";
import { extend, formatDate, lang, t } from "../i18n.js";

extend({
  fr: { siteVisits: "Individus comptés par visite", siteRecords: "Observations par visite", siteLastCondition: "Dernier état signalé", siteGeneralised: "Position publiée à une précision réduite (site sensible)" },
  en: { siteVisits: "Individuals counted per visit", siteRecords: "Observations per visit", siteLastCondition: "Last condition reported", siteGeneralised: "Position published at a reduced precision (sensitive site)" },
  it: { siteVisits: "Individui contati per visita", siteRecords: "Osservazioni per visita", siteLastCondition: "Ultimo stato segnalato", siteGeneralised: "Posizione pubblicata con precisione ridotta (sito sensibile)" },
});

/** The atlas page of site `id`: counts when the records give one, else how many records. */
export async function show(main, id) {
  const { site, visits } = await request(`/api/v1/atlas/sites/${encodeURIComponent(id)}/history`);
  const name = site.name[lang()] ?? site.name.fr;
  document.title = `${name} — Cairn`;
  const counted = visits.some((visit) => visit.count !== null);
  const labels = visits.map((visit) => formatDate(visit.date));
  const values = visits.map((visit) => (counted ? visit.count ?? 0 : visit.records));
  const lastCondition = [...visits].reverse().find((visit) => visit.condition)?.condition;
  fill(main,
    h("h1", {}, name),
    site.description?.[lang()] ? h("p", {}, site.description[lang()]) : null,
    site.generalisation ? h("p", { class: "hint" }, t("siteGeneralised")) : null,
    visits.length ? barChart(t(counted ? "siteVisits" : "siteRecords"), labels, values) : h("p", { class: "hint" }, t("noData")),
    lastCondition ? h("p", {}, `${t("siteLastCondition")}${t("colon")}${lastCondition}`) : null,
  );
}
