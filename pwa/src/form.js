// A kind's JSON Schema rendered as form fields, titles in the visitor's language.
import { h } from "./dom.js";
import { enumLabel, schemaTitle, t } from "./i18n.js";

/** Fields for every property except `skip`; returns the fieldset and a reader of its values. */
export function schemaForm(schema, skip = [], initial = {}) {
  const required = new Set(schema.required || []);
  const readers = [];
  const fields = [];
  for (const [name, node] of Object.entries(schema.properties || {})) {
    if (skip.includes(name)) continue;
    const id = `field-${name}`;
    const label = schemaTitle(node, name) + (required.has(name) ? ` (${t("required")})` : "");
    if (node.type === "array" && node.items?.enum) {
      const boxes = node.items.enum.map((value) =>
        h("label", { class: "check" },
          h("input", { type: "checkbox", value, checked: (initial[name] || []).includes(value) }),
          enumLabel(node.items, value) || enumLabel(node, value)),
      );
      fields.push(h("fieldset", { class: "field" }, h("legend", {}, label), boxes));
      readers.push(() => {
        const chosen = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
        return chosen.length ? [name, chosen] : null;
      });
      continue;
    }
    let input;
    if (node.enum) {
      input = h("select", { id, required: required.has(name) },
        h("option", { value: "" }, "—"),
        node.enum.map((value) => h("option", { value, selected: initial[name] === value }, enumLabel(node, value))));
    } else if (node.type === "integer" || node.type === "number") {
      input = h("input", {
        id, type: "number", inputmode: "numeric", min: node.minimum, max: node.maximum,
        step: node.type === "integer" ? 1 : "any", value: initial[name] ?? "",
      });
    } else if (node.type === "string" && !node.format) {
      input = h("input", { id, type: "text", maxlength: node.maxLength, value: initial[name] ?? "" });
    } else {
      continue; // identifiers and formats the visitor does not type (e.g. an inventory uuid)
    }
    fields.push(h("div", { class: "field" }, h("label", { for: id }, label), input));
    readers.push(() => {
      if (input.value === "") return null;
      return [name, node.type === "integer" ? Number.parseInt(input.value, 10) : node.type === "number" ? Number(input.value) : input.value];
    });
  }
  const read = () => Object.fromEntries(readers.map((reader) => reader()).filter(Boolean));
  return { element: h("div", { class: "fields" }, fields), read };
}
