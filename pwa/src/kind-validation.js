// A kind's `data` checked on the phone with the server's rules, every bad field at once.
//
// The vocabulary is the one programme kinds may use (api/cairn/protocols/model.py):
// typed fields, choices, bounds, dates, `required`, `additionalProperties: false` and
// `allOf` conditions that show a field when another has a value (or hide the counts of an
// absence), plus the species kind's `not: {required}` (a count or a class, not both). Pointers and codes are
// the server's (api/cairn/core/decoding.py), so a form marks the same fields the server
// would refuse; tests/protocols/test_phone_and_server_agree.py holds them to it.

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

function pointer(...parts) {
  return parts.map((p) => "/" + String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

function isNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}

function hasType(value, type) {
  switch (type) {
    case "string": return typeof value === "string";
    case "number": return isNumber(value);
    case "integer": return isNumber(value) && Number.isInteger(value);
    case "boolean": return typeof value === "boolean";
    case "array": return Array.isArray(value);
    case "object": return value !== null && typeof value === "object" && !Array.isArray(value);
    default: return false;
  }
}

function isCalendarDate(text) {
  if (!DATE.test(text)) return false;
  const [year, month, day] = text.split("-").map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0-99 as 19xx
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function codePoints(text) {
  return [...text].length;
}

/** The errors of one value against one field's schema, as jsonschema reports them. */
function fieldErrors(field, value, where) {
  const errors = [];
  const add = (code, detail, at = where) => errors.push({ pointer: pointer(...at), code, detail });
  if (field.not && Object.keys(field.not).length === 0) add("invalid", "this field does not apply to these answers");
  if (field.type && !hasType(value, field.type)) add("wrong_type", `expected ${field.type}`);
  if (field.enum && !field.enum.some((allowed) => allowed === value)) add("not_allowed", "not one of the choices");
  if (isNumber(value)) {
    if (field.minimum !== undefined && value < field.minimum) add("out_of_range", `at least ${field.minimum}`);
    if (field.maximum !== undefined && value > field.maximum) add("out_of_range", `at most ${field.maximum}`);
  }
  if (typeof value === "string") {
    if (field.minLength !== undefined && codePoints(value) < field.minLength) add("too_short", `at least ${field.minLength} characters`);
    if (field.maxLength !== undefined && codePoints(value) > field.maxLength) add("too_long", `at most ${field.maxLength} characters`);
    if (field.format === "date" && !isCalendarDate(value)) add("invalid_format", "a date: YYYY-MM-DD");
  }
  if (Array.isArray(value)) {
    if (field.minItems !== undefined && value.length < field.minItems) add("too_short", `at least ${field.minItems}`);
    if (field.maxItems !== undefined && value.length > field.maxItems) add("too_long", `at most ${field.maxItems}`);
    if (field.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) add("invalid", "each choice once");
    if (field.items) value.forEach((item, index) => errors.push(...fieldErrors(field.items, item, [...where, index])));
  }
  return errors;
}

function conditionHolds(test, data) {
  const [[subject, expected]] = Object.entries(test.properties);
  return Object.hasOwn(data, subject) && data[subject] === expected.const;
}

/** Every error of `data` against a kind's schema: [{pointer, code, detail}], pointers under /data. */
export function validateData(schema, data, base = ["data"]) {
  if (!hasType(data, "object")) return [{ pointer: pointer(...base), code: "wrong_type", detail: "expected object" }];
  const properties = schema.properties || {};
  const errors = [];
  for (const name of schema.required || []) {
    if (!Object.hasOwn(data, name)) errors.push({ pointer: pointer(...base, name), code: "missing", detail: `\`${name}\` is required` });
  }
  for (const [name, value] of Object.entries(data)) {
    if (Object.hasOwn(properties, name)) errors.push(...fieldErrors(properties[name], value, [...base, name]));
    else if (schema.additionalProperties === false) errors.push({ pointer: pointer(...base, name), code: "unknown_field", detail: `\`${name}\` is not a field` });
  }
  for (const condition of schema.allOf || []) {
    const branch = conditionHolds(condition.if, data) ? condition.then : condition.else;
    if (branch) errors.push(...validateData({ properties: branch.properties, required: branch.required }, data, base));
  }
  const together = schema.not?.required;
  if (together?.length && together.every((name) => Object.hasOwn(data, name))) {
    errors.push({ pointer: pointer(...base), code: "invalid", detail: `not ${together.join(" and ")} together` });
  }
  const seen = new Set();
  return errors
    .filter((error) => !seen.has(`${error.pointer} ${error.code}`) && seen.add(`${error.pointer} ${error.code}`))
    .sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Whether a field is shown for the answers so far: no condition's branch that applies hides it. */
export function isShown(schema, name, data) {
  return (schema.allOf || []).every((condition) => {
    const branch = conditionHolds(condition.if, data) ? condition.then : condition.else;
    return !Object.hasOwn(branch?.properties || {}, name);
  });
}
