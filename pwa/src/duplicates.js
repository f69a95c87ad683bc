// Near-duplicates in the staff queue: a record and the one it may repeat, side by side, and the
// moderator's mark that counts one under the other (or on its own again).
import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { errorText, extend, formatDate, formatLength, t } from "./i18n.js";
import { staff } from "./staff.js";

extend({
  fr: {
    possibleDuplicate: "Doublon possible", duplicateHint: "Même espèce à moins de 100 m (incertitudes comprises) et 30 min, ou même élément du patrimoine le même jour, dans ce programme.",
    thisRecord: "Cette observation", otherRecord: "L'autre observation", markDuplicate: "Celle-ci est un doublon de l'autre",
    markOtherDuplicate: "L'autre est un doublon de celle-ci", countedUnder: "Comptée comme doublon d'une autre observation :",
    countAlone: "La compter à part", duplicateMarked: "Doublon enregistré : seule l'autre observation est publiée.",
    duplicateUndone: "L'observation est de nouveau comptée à part.", otherUnavailable: "L'autre observation n'est plus lisible.",
  },
  en: {
    possibleDuplicate: "Possible duplicate", duplicateHint: "The same species within 100 m (uncertainties included) and 30 min, or the same heritage item the same day, in this programme.",
    thisRecord: "This observation", otherRecord: "The other observation", markDuplicate: "This one is a duplicate of the other",
    markOtherDuplicate: "The other is a duplicate of this one", countedUnder: "Counted as a duplicate of another observation:",
    countAlone: "Count it on its own", duplicateMarked: "Duplicate saved: only the other observation is published.",
    duplicateUndone: "The observation is counted on its own again.", otherUnavailable: "The other observation can no longer be read.",
  },
  it: {
    possibleDuplicate: "Possibile doppione", duplicateHint: "La stessa specie entro 100 m (incertezze comprese) e 30 min, o lo stesso elemento del patrimonio lo stesso giorno, in questo programma.",
    thisRecord: "Questa osservazione", otherRecord: "L'altra osservazione", markDuplicate: "Questa è un doppione dell'altra",
    markOtherDuplicate: "L'altra è un doppione di questa", countedUnder: "Contata come doppione di un'altra osservazione:",
    countAlone: "Contarla a parte", duplicateMarked: "Doppione registrato: solo l'altra osservazione è pubblicata.",
    duplicateUndone: "L'osservazione è di nuovo contata a parte.", otherUnavailable: "L'altra osservazione non è più leggibile.",
  },
});

/** The queue line's mark for a record that may repeat another. */
export function duplicateBadge(item) {
  return item.possible_duplicate ? h("span", { class: "flag duplicate-flag" }, ` ⧉ ${t("possibleDuplicate")}`) : null;
}

async function markAs(id, of, expectedVersion) {
  await staff(`/api/v1/observations/${id}/duplicate`, { method: "POST", body: { of, expected_version: expectedVersion } });
}

/** One record's column: what a moderator compares (photo, name, when, how precise, status). */
function column(record, heading, name, photo) {
  return h("div", { class: "pair-record", "data-id": record.id },
    h("h4", {}, heading),
    record.photos[0] ? photo(record.photos[0].urls.small, { alt: name(record), width: 120, height: 120 }) : null,
    h("p", {}, h("strong", { translate: "no" }, name(record))),
    h("p", { class: "meta" }, formatDate(record.observed_at, { time: true }),
      record.location.accuracy_m != null ? ` · ± ${formatLength(record.location.accuracy_m)}` : ""),
    h("p", { class: "meta" }, t(`status_${record.status}`)));
}

/**
 * The detail's duplicate section, or null: the pair side by side with the two marks, or, for a
 * record already counted under another, the way back. `done(text)` reloads the queue.
 */
export async function duplicatePanel(item, { name, photo, done }) {
  const act = (action, text) => async () => {
    try {
      await action();
      done(text);
    } catch (error) {
      done(error instanceof ApiError && error.status === 409 ? t("conflict") : errorText(error));
    }
  };
  if (item.duplicate_of) {
    return h("section", { class: "duplicate-pair" },
      h("p", {}, t("countedUnder"), " ", h("code", { translate: "no" }, item.duplicate_of)),
      h("button", { type: "button", class: "small", id: "count-alone", onclick: act(() => markAs(item.id, null, item.version), t("duplicateUndone")) },
        t("countAlone")));
  }
  if (!item.possible_duplicate) return null;
  let other;
  try {
    other = await staff(`/api/v1/observations/${item.possible_duplicate}`);
  } catch {
    return h("section", { class: "duplicate-pair" }, h("h3", {}, `⧉ ${t("possibleDuplicate")}`), h("p", {}, t("otherUnavailable")));
  }
  return h("section", { class: "duplicate-pair", "aria-label": t("possibleDuplicate") },
    h("h3", {}, `⧉ ${t("possibleDuplicate")}`),
    h("p", { class: "hint" }, t("duplicateHint")),
    h("div", { class: "pair" }, column(item, t("thisRecord"), name, photo), column(other, t("otherRecord"), name, photo)),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "small", id: "mark-duplicate", onclick: act(() => markAs(item.id, other.id, item.version), t("duplicateMarked")) },
        t("markDuplicate")),
      h("button", { type: "button", class: "small", id: "mark-other-duplicate", onclick: act(() => markAs(other.id, item.id, other.version), t("duplicateMarked")) },
        t("markOtherDuplicate"))));
}
