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
 * The kind's schema. `spec`: {titles: {fr, en, it}, photoRequired, fields: [{name, type,
 * titles, required, unit, min, max, maxLength, choices: [{value, fr, en, it}],
 * showWhen: {field, value}}]}. A field with `showWhen` is allowed only when that field has
 * that value, and required then if it is marked required.
 */
export function buildSchema(spec) {
  const properties = Object.fromEntries(spec.fields.map((field) => [field.type === "taxon" ? "cd_nom" : field.name, fieldSchema(field)]));
  const nameOf = (field) => (field.type === "taxon" ? "cd_nom" : field.name);
  const required = spec.fields.filter((f) => f.required && !f.showWhen).map(nameOf);
  const conditions = spec.fields.filter((f) => f.showWhen).map((field) => ({
    if: { properties: { [field.showWhen.field]: { const: field.showWhen.value } }, required: [field.showWhen.field] },
    ...(field.required ? { then: { required: [nameOf(field)] } } : {}),
    else: { properties: { [nameOf(field)]: { not: {} } } },
  }));
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    title: spec.titles.fr,
    "x-i18n": labels(spec.titles),
    ...(required.length ? { required } : {}),
    additionalProperties: false,
    properties,
    ...(conditions.length ? { allOf: conditions } : {}),
    ...(spec.photoRequired ? { "x-photo-required": true } : {}),
  };
}
