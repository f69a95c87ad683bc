// The form builder's model: a list of fields in, a programme kind's JSON Schema 2020-12 out.
//
// What it writes is exactly the vocabulary the server accepts for programme kinds
// (api/cairn/protocols/model.py) and the phone validates (kind-validation.js), with the
// `x-i18n` / `x-enum-i18n` labels of schemas/kinds/*. Pure: the staff screen and the
// property tests (tests/protocols/test_phone_and_server_agree.py) both call it.

export const LANGS = ["fr", "en", "it"];
export const FIELD_TYPES = ["taxon", "text", "number", "count", "choice", "choices", "yesno", "date"];
const TEXT_MAX = 500;
const COUNT_MAX = 100000;
/** The field of a kind that records absences, labelled as in the species kind (schemas/kinds). */
export const OCCURRENCE_FIELD = "occurrence_status";
const OCCURRENCE_SCHEMA = {
  type: "string", enum: ["present", "absent"], title: "Trouvée ?",
  "x-i18n": { fr: { title: "Trouvée ?" }, en: { title: "Found?" }, it: { title: "Trovata?" } },
  "x-enum-i18n": {
    present: { fr: "oui, vue ou entendue", en: "yes, seen or heard", it: "sì, vista o sentita" },
    absent: { fr: "cherchée, non trouvée", en: "searched for, not found", it: "cercata, non trovata" },
  },
};
/** The `if` of the condition an absence follows (api/cairn/observations/model.py ABSENCE_TEST). */
const ABSENCE_TEST = { properties: { [OCCURRENCE_FIELD]: { const: "absent" } }, required: [OCCURRENCE_FIELD] };

function isAbsenceTest(test) {
  return JSON.stringify(test) === JSON.stringify(ABSENCE_TEST);
}

function labels(titles) {
  return Object.fromEntries(LANGS.map((lang) => [lang, { title: titles[lang] }]));
}

/** A field's schema from the builder's description of it. */
export function fieldSchema(field) {
  const common = { title: field.titles.fr, "x-i18n": labels(field.titles) };
  const bounds = {
    ...(field.min !== undefined && field.min !== null ? { minimum: field.min } : {}),
    ...(field.max !== undefined && field.max !== null ? { maximum: field.max } : {}),
  };
  const choiceLabels = () => Object.fromEntries(field.choices.map((c) => [c.value, { fr: c.fr, en: c.en, it: c.it }]));
  switch (field.type) {
    case "taxon":
      return { type: "integer", minimum: 1, maximum: 99999999, ...common };
    case "text":
      return { type: "string", minLength: 1, maxLength: field.maxLength ?? TEXT_MAX, ...common };
    case "number":
      return { type: "number", ...bounds, ...(field.unit ? { "x-unit": field.unit } : {}), ...common };
    case "count":
      return { type: "integer", minimum: field.min ?? 0, maximum: field.max ?? COUNT_MAX, ...common };
    case "choice":
      return { type: "string", enum: field.choices.map((c) => c.value), ...common, "x-enum-i18n": choiceLabels() };
    case "choices":
      return {
        type: "array", items: { type: "string", enum: field.choices.map((c) => c.value) },
        uniqueItems: true, maxItems: field.choices.length, ...common, "x-enum-i18n": choiceLabels(),
      };
    case "yesno":
      return { type: "boolean", ...common };
    case "date":
      return { type: "string", format: "date", ...common };
    default:
      throw new Error(`unknown field type ${field.type}`);
  }
}

/**
 * The kind's schema. `spec`: {titles: {fr, en, it}, photoRequired, recordsAbsences, fields:
 * [{name, type, titles, required, unit, min, max, maxLength, choices: [{value, fr, en, it}],
 * showWhen: {field, value}}]}. A field with `showWhen` is allowed only when that field has
 * that value, and required then if it is marked required. `recordsAbsences` (with a taxon
 * field): a record may say the taxon was searched for and not found, and then has no count,
 * so no count is required.
 */
export function buildSchema(spec) {
  const nameOf = (field) => (field.type === "taxon" ? "cd_nom" : field.name);
  const absences = Boolean(spec.recordsAbsences) && spec.fields.some((field) => field.type === "taxon");
  const counts = spec.fields.filter((field) => field.type === "count").map(nameOf);
  const needed = (field) => field.required && !(absences && field.type === "count");
  const properties = Object.fromEntries(spec.fields.flatMap((field) => [
    [nameOf(field), fieldSchema(field)],
    ...(absences && field.type === "taxon" ? [[OCCURRENCE_FIELD, OCCURRENCE_SCHEMA]] : []),
  ]));
  const required = spec.fields.filter((f) => needed(f) && !f.showWhen).map(nameOf);
  const conditions = spec.fields.filter((f) => f.showWhen).map((field) => ({
    if: { properties: { [field.showWhen.field]: { const: field.showWhen.value } }, required: [field.showWhen.field] },
    ...(needed(field) ? { then: { required: [nameOf(field)] } } : {}),
    else: { properties: { [nameOf(field)]: { not: {} } } },
  }));
  if (absences && counts.length) {
    conditions.push({ if: ABSENCE_TEST, then: { properties: Object.fromEntries(counts.map((name) => [name, { not: {} }])) } });
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    title: spec.titles.fr,
    "x-i18n": labels(spec.titles),
    ...(required.length ? { required } : {}),
    additionalProperties: false,
    properties,
    "x-order": Object.keys(properties), // the server stores JSONB, which keeps no key order
    ...(conditions.length ? { allOf: conditions } : {}),
    ...(spec.photoRequired ? { "x-photo-required": true } : {}),
  };
}

/** A code from a label: "Sens de traversée" → "sens_de_traversee" (`sep` "-" for choice values). */
export function codeOf(text, sep = "_", max = 40) {
  const words = (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const code = words.join(sep).slice(0, max).replace(/[-_]+$/, "");
  return sep === "_" && /^[0-9]/.test(code) ? `f_${code}`.slice(0, max) : code;
}

/** The fields' names in the order the form shows them: `x-order` when the schema has one. */
export function fieldOrder(schema) {
  const names = Object.keys(schema.properties || {});
  const order = (schema["x-order"] || []).filter((name) => names.includes(name));
  return [...order, ...names.filter((name) => !order.includes(name))];
}

function typeOf(name, node) {
  if (name === "cd_nom") return "taxon";
  if (node.type === "boolean") return "yesno";
  if (node.type === "array") return "choices";
  if (node.type === "integer") return "count";
  if (node.type === "number") return "number";
  if (node.enum) return "choice";
  return node.format === "date" ? "date" : "text";
}

/**
 * The builder's description of a schema it wrote (or one written by hand in the same
 * vocabulary): editing a published version starts the next one from it.
 */
export function specOf(schema) {
  const required = new Set(schema.required || []);
  const conditions = new Map((schema.allOf || []).filter((condition) => !isAbsenceTest(condition.if)).flatMap((condition) =>
    Object.keys(condition.else?.properties || {}).map((name) => [name, condition])));
  const titlesOf = (node) => Object.fromEntries(LANGS.map((lang) => [lang, node["x-i18n"]?.[lang]?.title ?? node.title ?? ""]));
  const recordsAbsences = Object.hasOwn(schema.properties || {}, OCCURRENCE_FIELD);
  const names = fieldOrder(schema).filter((name) => name !== OCCURRENCE_FIELD);
  const fields = names.map((name) => [name, schema.properties[name]]).map(([name, node]) => {
    const type = typeOf(name, node);
    const condition = conditions.get(name);
    const field = { name, type, titles: titlesOf(node), required: required.has(name) || Boolean(condition?.then?.required?.includes(name)) };
    if (type === "number" || type === "count") Object.assign(field, { min: node.minimum, max: node.maximum });
    if (type === "number" && node["x-unit"]) field.unit = node["x-unit"];
    if (type === "text") field.maxLength = node.maxLength;
    if (type === "choice" || type === "choices") {
      const labels = node["x-enum-i18n"] || {};
      field.choices = (node.items?.enum ?? node.enum).map((value) => ({ value, ...Object.fromEntries(LANGS.map((lang) => [lang, labels[value]?.[lang] ?? ""])) }));
    }
    if (condition) {
      const [[subject, expected]] = Object.entries(condition.if.properties);
      field.showWhen = { field: subject, value: expected.const };
    }
    return field;
  });
  return { titles: titlesOf(schema), photoRequired: schema["x-photo-required"] === true, recordsAbsences, fields };
}
