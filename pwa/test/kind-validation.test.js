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
