// A kind's JSON Schema rendered as form fields, titles and enum labels in the visitor's language.
//
// The same renderer serves the bundled kinds, every programme kind (no code per kind) and the
// staff form builder's phone-size preview. Conditions (`allOf` if/else) show and hide fields
// live; `showErrors` puts each of the validator's errors next to its field.
import { h } from "./dom.js";
import { enumLabel, schemaTitle, t } from "./i18n.js";
import { fieldOrder } from "./kind-builder.js";
import { isShown } from "./kind-validation.js";

/**
 * Fields for every property except `skip`. The required ones and those named in `first` go in
 * `essential`; the others in `optional` (the record screen folds them away). `read()` gives the
 * values typed (hidden fields left out); `missing()` the titles of required fields left empty.
 */
export function schemaForm(schema, { skip = [], first = [], initial = {}, idPrefix = "field" } = {}) {
  const required = new Set(schema.required || []);
  const conditional = new Set((schema.allOf || []).flatMap((c) => c.then?.required || []));
  const fields = new Map();
  const essential = [];
  const optional = [];
  for (const name of fieldOrder(schema)) {
    const node = schema.properties[name];
    if (skip.includes(name)) continue;
    const field = schemaField(`${idPrefix}-${name}`, name, node, required.has(name) || conditional.has(name), initial[name]);
    if (!field) continue; // identifiers and formats the visitor does not type (e.g. an inventory uuid)
    (required.has(name) || first.includes(name) ? essential : optional).push(field.element);
    fields.set(name, field);
  }
  const values = () => Object.fromEntries([...fields.values()].map((field) => field.read()).filter(Boolean));
  /** Hide the fields whose condition does not hold for the answers so far. */
  const refresh = () => {
    const answers = values();
    for (const [name, field] of fields) field.element.hidden = !isShown(schema, name, answers);
  };
  const read = () => {
    refresh();
    return Object.fromEntries([...fields].filter(([, field]) => !field.element.hidden).map(([, field]) => field.read()).filter(Boolean));
  };
  const missing = () => {
    const answers = read();
    return [...required].filter((name) => !skip.includes(name) && answers[name] === undefined)
      .map((name) => schemaTitle(schema.properties[name], name));
  };
  /** Each error ({pointer: "/data/name…", code}) beside its field; the others are returned. */
  const showErrors = (errors) => {
    const elsewhere = [];
    for (const field of fields.values()) field.mark([]);
    const byField = new Map();
    for (const error of errors) {
      const name = decodeSegment((error.pointer || "").split("/")[2] ?? "");
      if (fields.has(name)) byField.set(name, [...(byField.get(name) ?? []), error]);
      else elsewhere.push(error);
    }
    for (const [name, found] of byField) fields.get(name).mark(found);
    return elsewhere;
  };
  const essentialBox = h("div", { class: "fields" }, essential);
  const optionalBox = h("div", { class: "fields" }, optional);
  for (const box of [essentialBox, optionalBox]) {
    box.addEventListener("input", refresh);
    box.addEventListener("change", refresh);
  }
  refresh();
  return { essential: essentialBox, optional: optionalBox, read, missing, showErrors };
}

function decodeSegment(segment) {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** An error's reason in the reader's language, from its stable code. */
export function errorReason(code) {
  const key = `error_${code}`;
  const text = t(key);
  return text === key ? t("error_invalid") : text;
}

/**
 * One property as a field: its element, a reader giving [name, value] or null when empty, and
 * `mark(errors)` that shows the errors under it (or clears them).
 */
function schemaField(id, name, node, isRequired, initial) {
  const errorId = `${id}-error`;
  const errorText = h("p", { class: "field-error", id: errorId, hidden: true });
  const label = schemaTitle(node, name) + (node["x-unit"] ? ` (${node["x-unit"]})` : "") + (isRequired ? ` (${t("required")})` : "");
  const control = fieldControl(id, name, node, initial);
  if (!control) return null;
  const element = control.group
    ? h("fieldset", { class: "field", "data-field": name, "aria-describedby": errorId }, h("legend", {}, label), control.inputs, errorText)
    : h("div", { class: "field", "data-field": name }, h("label", { for: id }, label), control.inputs, errorText);
  if (!control.group) control.inputs.setAttribute("aria-describedby", errorId);
  return {
    element,
    read: control.read,
    mark: (errors) => {
      errorText.hidden = errors.length === 0;
      errorText.textContent = errors.map((e) => errorReason(e.code)).join(" · ");
      element.classList.toggle("invalid", errors.length > 0);
      for (const input of element.querySelectorAll("input, select")) {
        if (errors.length) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    },
  };
}

function fieldControl(id, name, node, initial) {
  if (node.type === "array" && node.items?.enum) {
    const boxes = node.items.enum.map((value) =>
      h("label", { class: "check" },
        h("input", { type: "checkbox", value, checked: (initial || []).includes(value) }),
        enumLabel(node, value)),
    );
    return {
      group: true,
      inputs: boxes,
      read: () => {
        const chosen = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
        return chosen.length ? [name, chosen] : null;
      },
    };
  }
  if (node.type === "boolean") {
    const choices = [[true, t("yes")], [false, t("no")]].map(([value, text]) =>
      h("label", { class: "check" },
        h("input", { type: "radio", name: id, id: `${id}-${value ? "yes" : "no"}`, value: String(value), checked: initial === value }), text));
    return {
      group: true,
      inputs: h("div", { class: "yesno" }, choices),
      read: () => {
        const chosen = choices.map((c) => c.querySelector("input")).find((i) => i.checked);
        return chosen ? [name, chosen.value === "true"] : null;
      },
    };
  }
  let input;
  if (node.enum) {
    input = h("select", { id },
      h("option", { value: "" }, "—"),
      node.enum.map((value) => h("option", { value, selected: initial === value }, enumLabel(node, value))));
  } else if (node.type === "integer" || node.type === "number") {
    input = h("input", {
      id, type: "number", inputmode: node.type === "integer" ? "numeric" : "decimal", min: node.minimum, max: node.maximum,
      step: node.type === "integer" ? 1 : "any", value: initial ?? "",
    });
  } else if (node.type === "string" && node.format === "date") {
    input = h("input", { id, type: "date", value: initial ?? "" });
  } else if (node.type === "string" && !node.format) {
    input = h("input", { id, type: "text", maxlength: node.maxLength, value: initial ?? "" });
  } else {
    return null;
  }
  return {
    group: false,
    inputs: input,
    read: () => {
      if (input.value === "") return null;
      // An integer typed as "2.5" stays 2.5: the validator says so rather than rounding silently.
      const value = node.type === "integer" || node.type === "number" ? Number(input.value) : input.value;
      return [name, value];
    },
  };
}
