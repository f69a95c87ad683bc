import assert from "node:assert/strict";
import { test } from "node:test";
import { codeOf, fieldOrder } from "../src/kind-builder.js";

test("codes come from labels: accents and punctuation gone, the server's patterns kept", () => {
  assert.equal(codeOf("Sens de traversée"), "sens_de_traversee");
  assert.equal(codeOf("Nombre d'individus"), "nombre_d_individus");
  assert.equal(codeOf("3 pieds en fleur"), "f_3_pieds_en_fleur"); // a field name starts with a letter
  assert.equal(codeOf("Vers la mare", "-", 64), "vers-la-mare");
  assert.equal(codeOf("2 à 10", "-", 64), "2-a-10"); // a choice value may start with a digit
  assert.equal(codeOf("Comptage amphibiens — passage route", "_", 32), "comptage_amphibiens_passage_rout");
  assert.equal(codeOf("—"), "");
});

test("the fields' order is x-order's, whatever order the keys came back in", () => {
  const properties = { b: {}, a: {}, c: {} };
  assert.deepEqual(fieldOrder({ properties, "x-order": ["c", "a", "b"] }), ["c", "a", "b"]);
  assert.deepEqual(fieldOrder({ properties }), ["b", "a", "c"]); // a bundled kind: its file's order
  assert.deepEqual(fieldOrder({ properties, "x-order": ["a"] }), ["a", "b", "c"]);
});
