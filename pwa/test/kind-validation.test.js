import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSchema } from "../src/kind-builder.js";
import { isShown, validateData } from "../src/kind-validation.js";

const titles = (fr) => ({ fr, en: fr, it: fr });
const schema = buildSchema({
  titles: titles("Comptage"),
  fields: [
    { name: "alive", type: "count", titles: titles("Vivants"), required: true },
    { name: "crushed", type: "yesno", titles: titles("Écrasés trouvés") },
    { name: "crushed_count", type: "count", titles: titles("Écrasés"), required: true, min: 1, showWhen: { field: "crushed", value: true } },
    { name: "seen_on", type: "date", titles: titles("Date") },
  ],
});

test("a valid record has no errors", () => {
  assert.deepEqual(validateData(schema, { alive: 3, crushed: true, crushed_count: 1, seen_on: "2026-03-01" }), []);
});

test("every bad field at once, with the server's pointers and codes", () => {
  const errors = validateData(schema, { alive: -1, crushed_count: 2, seen_on: "2026-02-30", colour: "x" });
  assert.deepEqual(errors.map((e) => [e.pointer, e.code]), [
    ["/data/alive", "out_of_range"],
    ["/data/colour", "unknown_field"],
    ["/data/crushed_count", "invalid"],
    ["/data/seen_on", "invalid_format"],
  ]);
  assert.deepEqual(validateData(schema, { alive: 1, crushed: true }).map((e) => [e.pointer, e.code]), [["/data/crushed_count", "missing"]]);
});

test("a conditional field is shown only when its condition holds", () => {
  assert.equal(isShown(schema, "crushed_count", { crushed: false }), false);
  assert.equal(isShown(schema, "crushed_count", { crushed: true }), true);
  assert.equal(isShown(schema, "alive", {}), true);
});

const withAbsences = buildSchema({
  titles: titles("Mare"),
  recordsAbsences: true,
  fields: [
    { name: "cd_nom", type: "taxon", titles: titles("Espèce"), required: true },
    { name: "adults", type: "count", titles: titles("Adultes"), required: true },
    { name: "wet", type: "yesno", titles: titles("En eau") },
  ],
});

test("a protocol that records absences: no count on an absence, and the form hides the counts", () => {
  assert.deepEqual(withAbsences["x-order"], ["cd_nom", "occurrence_status", "adults", "wet"]);
  assert.deepEqual(withAbsences.required, ["cd_nom"]); // a count is never required where absences are recorded
  assert.deepEqual(validateData(withAbsences, { cd_nom: 259, occurrence_status: "absent", wet: true }), []);
  assert.deepEqual(validateData(withAbsences, { cd_nom: 259, occurrence_status: "absent", adults: 2 }).map((e) => [e.pointer, e.code]),
    [["/data/adults", "invalid"]]);
  assert.deepEqual(validateData(withAbsences, { cd_nom: 259, adults: 2 }), []);
  assert.equal(isShown(withAbsences, "adults", { occurrence_status: "absent" }), false);
  assert.equal(isShown(withAbsences, "adults", { occurrence_status: "present" }), true);
  assert.equal(isShown(withAbsences, "wet", { occurrence_status: "absent" }), true);
});

test("a count and an abundance class together are refused at /data, as the server does", () => {
  const species = { type: "object", properties: { count: { type: "integer" }, abundance_class: { type: "string" } }, not: { required: ["count", "abundance_class"] } };
  assert.deepEqual(validateData(species, { count: 2, abundance_class: "1" }).map((e) => [e.pointer, e.code]), [["/data", "invalid"]]);
  assert.deepEqual(validateData(species, { count: 2 }), []);
});
