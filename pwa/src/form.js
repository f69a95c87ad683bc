// A kind's JSON Schema rendered as form fields, titles and enum labels in the visitor's language.
import { h } from "./dom.js";
import { enumLabel, schemaTitle, t } from "./i18n.js";

/**
 * Fields for every property except `skip`. The required ones and those named in `first` go in
 * `essential`; the others in `optional` (the record screen folds them away). `read()` gives the
 * values typed; `missing()` the titles of required fields left empty.
 */
export function schemaForm(schema, { skip = [], first = [], initial = {} } = {}) {
  const required = new Set(schema.required || []);
  const readers = [];
  const essential = [];
  const optional = [];
  for (const [name, node] of Object.entries(schema.properties || {})) {
    if (skip.includes(name)) continue;
    const field = schemaField(name, node, required.has(name), initial[name]);
    if (!field) continue; // identifiers and formats the visitor does not type (e.g. an inventory uuid)
    (required.has(name) || first.includes(name) ? essential : optional).push(field.element);
    readers.push(field.read);
  }
  const read = () => Object.fromEntries(readers.map((reader) => reader()).filter(Boolean));
  const missing = () => {
    const values = read();
    return [...required].filter((name) => !skip.includes(name) && values[name] === undefined)
      .map((name) => schemaTitle(schema.properties[name], name));
  };
  return {
    essential: h("div", { class: "fields" }, essential),
    optional: h("div", { class: "fields" }, optional),
    read,
    missing,
  };
}

/** One property as a field: its element and a reader giving [name, value] or null when empty. */
function schemaField(name, node, isRequired, initial) {
  const id = `field-${name}`;
  const label = schemaTitle(node, name) + (isRequired ? ` (${t("required")})` : "");
  if (node.type === "array" && node.items?.enum) {
    const boxes = node.items.enum.map((value) =>
      h("label", { class: "check" },
        h("input", { type: "checkbox", value, checked: (initial || []).includes(value) }),
        enumLabel(node, value)),
    );
    return {
      element: h("fieldset", { class: "field" }, h("legend", {}, label), boxes),
      read: () => {
        const chosen = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
        return chosen.length ? [name, chosen] : null;
      },
    };
  }
  let input;
  if (node.enum) {
    input = h("select", { id, required: isRequired },
      h("option", { value: "" }, "—"),
      node.enum.map((value) => h("option", { value, selected: initial === value }, enumLabel(node, value))));
  } else if (node.type === "integer" || node.type === "number") {
    input = h("input", {
      id, type: "number", inputmode: node.type === "integer" ? "numeric" : "decimal", min: node.minimum, max: node.maximum,
      step: node.type === "integer" ? 1 : "any", value: initial ?? "",
    });
  } else if (node.type === "string" && !node.format) {
    input = h("input", { id, type: "text", maxlength: node.maxLength, value: initial ?? "" });
  } else {
    return null;
  }
  return {
    element: h("div", { class: "field" }, h("label", { for: id }, label), input),
    read: () => {
      if (input.value === "") return null;
      const value = node.type === "integer" ? Number.parseInt(input.value, 10) : node.type === "number" ? Number(input.value) : input.value;
      return [name, value];
    },
  };
}
