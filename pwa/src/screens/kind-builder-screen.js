// The form builder: a programme's admins compose a protocol field by field, see it at phone
// size (the field app's own renderer), save it as a draft and publish it. Editing a published
// version starts the next one, prefilled; the server's problem documents land beside the
// builder field they are about.
import { ApiError } from "../api.js";
import { h, fill } from "../dom.js";
import { errorReason, schemaForm } from "../form.js";
import { errorText, extend, formatDate, schemaTitle, t } from "../i18n.js";
import { LANGS, buildSchema, codeOf, specOf } from "../kind-builder.js";
import { staff } from "../staff.js";

const BUILDER_TYPES = ["taxon", "count", "number", "choice", "choices", "yesno", "date", "text"];
const LANG_NAMES = { fr: "FR", en: "EN", it: "IT" };

extend({
  fr: {
    builder: "Formulaires des programmes", builderHint: "Composez un protocole champ par champ ; l'aperçu montre ce que verra le téléphone.",
    protocolTitle: "Titre du protocole", protocolCode: "Code du protocole", codeHint: "lettres minuscules, chiffres et _ ; il ne change plus",
    photoRequiredField: "Photo obligatoire", recordsAbsences: "Enregistre les absences (espèce cherchée, non trouvée : sans comptage)", fieldsHeading: "Champs", addField: "Ajouter le champ", newFieldType: "Type du nouveau champ",
    type_taxon: "Espèce (liste de référence)", type_count: "Comptage", type_number: "Nombre", type_choice: "Choix unique",
    type_choices: "Choix multiple", type_yesno: "Oui / non", type_date: "Date", type_text: "Texte",
    fieldTitle: (lang) => `Intitulé (${lang})`, fieldCode: "Code du champ", fieldRequired: "Obligatoire", unit: "Unité",
    minimum: "Minimum", maximum: "Maximum", choiceLabel: (n, lang) => `Choix ${n} (${lang})`, addChoice: "Ajouter un choix",
    removeChoice: (n) => `Retirer le choix ${n}`, showWhen: "Afficher seulement quand", always: "toujours affiché",
    hasValue: "a la valeur", moveUp: (name) => `Monter « ${name} »`, moveDown: (name) => `Descendre « ${name} »`,
    removeField: (name) => `Retirer « ${name} »`, fieldNumber: (n, type) => `Champ ${n} — ${type}`,
    saveDraft: "Enregistrer le brouillon", publish: "Publier", preview: "Aperçu sur téléphone",
    draftSaved: (kind, v) => `Brouillon enregistré : ${kind}, version ${v}. Publiez-le pour que les visiteurs puissent l'utiliser.`,
    published: (kind, v) => `Publié : ${kind}, version ${v}. Cette version ne changera plus.`,
    versions: "Versions", state_draft: "brouillon", state_published: "publiée", editVersion: "Modifier",
    nextVersion: (kind, v) => `Modification de ${kind} version ${v} : l'enregistrement crée une nouvelle version.`,
    noVersions: "Aucun formulaire pour ce programme.", refusedHere: "Le serveur a refusé ce formulaire : voir les champs signalés.",
    duplicateCode: "ce code est déjà pris par un autre champ", noAdmin: "Il faut être administrateur d'un programme.",
    backToQueue: "Retour à la modération", newProtocol: "Nouveau protocole", taxonPreview: "Chercher une espèce",
  },
  en: {
    builder: "Programme forms", builderHint: "Compose a protocol field by field; the preview shows what the phone will show.",
    protocolTitle: "Protocol title", protocolCode: "Protocol code", codeHint: "lower-case letters, digits and _; it never changes",
    photoRequiredField: "Photo required", recordsAbsences: "Records absences (species searched for, not found: no count)", fieldsHeading: "Fields", addField: "Add the field", newFieldType: "Type of the new field",
    type_taxon: "Species (reference list)", type_count: "Count", type_number: "Number", type_choice: "Single choice",
    type_choices: "Multiple choice", type_yesno: "Yes / no", type_date: "Date", type_text: "Text",
    fieldTitle: (lang) => `Label (${lang})`, fieldCode: "Field code", fieldRequired: "Required", unit: "Unit",
    minimum: "Minimum", maximum: "Maximum", choiceLabel: (n, lang) => `Choice ${n} (${lang})`, addChoice: "Add a choice",
    removeChoice: (n) => `Remove choice ${n}`, showWhen: "Show only when", always: "always shown",
    hasValue: "has the value", moveUp: (name) => `Move “${name}” up`, moveDown: (name) => `Move “${name}” down`,
    removeField: (name) => `Remove “${name}”`, fieldNumber: (n, type) => `Field ${n} — ${type}`,
    saveDraft: "Save the draft", publish: "Publish", preview: "Phone preview",
    draftSaved: (kind, v) => `Draft saved: ${kind}, version ${v}. Publish it so that visitors can use it.`,
    published: (kind, v) => `Published: ${kind}, version ${v}. This version will not change again.`,
    versions: "Versions", state_draft: "draft", state_published: "published", editVersion: "Edit",
    nextVersion: (kind, v) => `Editing ${kind} version ${v}: saving makes a new version.`,
    noVersions: "No form for this programme yet.", refusedHere: "The server refused this form: see the fields marked.",
    duplicateCode: "another field already has this code", noAdmin: "This needs the admin role on a programme.",
    backToQueue: "Back to moderation", newProtocol: "New protocol", taxonPreview: "Search for a species",
  },
  it: {
    builder: "Moduli dei programmi", builderHint: "Componete un protocollo campo per campo; l'anteprima mostra ciò che vedrà il telefono.",
    protocolTitle: "Titolo del protocollo", protocolCode: "Codice del protocollo", codeHint: "lettere minuscole, cifre e _; non cambia più",
    photoRequiredField: "Foto obbligatoria", recordsAbsences: "Registra le assenze (specie cercata, non trovata: senza conteggio)", fieldsHeading: "Campi", addField: "Aggiungi il campo", newFieldType: "Tipo del nuovo campo",
    type_taxon: "Specie (elenco di riferimento)", type_count: "Conteggio", type_number: "Numero", type_choice: "Scelta singola",
    type_choices: "Scelta multipla", type_yesno: "Sì / no", type_date: "Data", type_text: "Testo",
    fieldTitle: (lang) => `Etichetta (${lang})`, fieldCode: "Codice del campo", fieldRequired: "Obbligatorio", unit: "Unità",
    minimum: "Minimo", maximum: "Massimo", choiceLabel: (n, lang) => `Scelta ${n} (${lang})`, addChoice: "Aggiungi una scelta",
    removeChoice: (n) => `Togli la scelta ${n}`, showWhen: "Mostra solo quando", always: "sempre mostrato",
    hasValue: "ha il valore", moveUp: (name) => `Sposta su «${name}»`, moveDown: (name) => `Sposta giù «${name}»`,
    removeField: (name) => `Togli «${name}»`, fieldNumber: (n, type) => `Campo ${n} — ${type}`,
    saveDraft: "Salva la bozza", publish: "Pubblica", preview: "Anteprima sul telefono",
    draftSaved: (kind, v) => `Bozza salvata: ${kind}, versione ${v}. Pubblicatela perché i visitatori possano usarla.`,
    published: (kind, v) => `Pubblicato: ${kind}, versione ${v}. Questa versione non cambierà più.`,
    versions: "Versioni", state_draft: "bozza", state_published: "pubblicata", editVersion: "Modifica",
    nextVersion: (kind, v) => `Modifica di ${kind} versione ${v}: salvando si crea una nuova versione.`,
    noVersions: "Nessun modulo per questo programma.", refusedHere: "Il server ha rifiutato questo modulo: vedete i campi segnalati.",
    duplicateCode: "un altro campo ha già questo codice", noAdmin: "Serve il ruolo di amministratore di un programma.",
    backToQueue: "Torna alla moderazione", newProtocol: "Nuovo protocollo", taxonPreview: "Cerca una specie",
  },
});

let nextUid = 0;

/** A new field of `type`, empty; `uid` keeps its inputs' ids stable when fields move. */
function newField(type) {
  const field = { uid: ++nextUid, type, name: type === "taxon" ? "cd_nom" : "", named: type === "taxon", titles: { fr: "", en: "", it: "" }, required: type === "taxon" };
  if (type === "count") Object.assign(field, { min: 0, max: null });
  if (type === "number") Object.assign(field, { min: null, max: null, unit: "" });
  if (type === "choice" || type === "choices") field.choices = [];
  return field;
}

function emptySpec() {
  return { titles: { fr: "", en: "", it: "" }, photoRequired: false, recordsAbsences: false, fields: [] };
}

/** The spec the builder sends: numbers parsed, empty bounds and units left out. */
function cleanSpec(spec) {
  const number = (value) => (value === null || value === undefined || value === "" ? undefined : Number(value));
  return {
    ...spec,
    fields: spec.fields.map((field) => ({
      ...field,
      min: number(field.min),
      max: number(field.max),
      unit: field.unit || undefined,
      ...(field.showWhen?.field ? {} : { showWhen: undefined }),
    })),
  };
}

export async function show(main, me) {
  const programmes = Object.entries(me.roles).filter(([, role]) => role === "admin").map(([slug]) => slug).sort();
  const back = h("a", { class: "button small", href: "#/staff" }, t("backToQueue"));
  if (programmes.length === 0) return fill(main, h("div", { class: "staff-head" }, h("h1", {}, t("builder")), back), h("p", {}, t("noAdmin")));
  const state = { programme: programmes[0], kind: "", kindTyped: false, spec: emptySpec(), draft: null, basedOn: null };

  const message = h("p", { class: "message", id: "kb-message", role: "status" });
  const errorBox = (id) => h("p", { class: "field-error", id, hidden: true });
  const programmeSelect = h("select", { id: "kb-programme", onchange: async () => { state.programme = programmeSelect.value; await loadVersions(); } },
    programmes.map((slug) => h("option", { value: slug, translate: "no" }, slug)));
  const kindInput = h("input", { id: "kb-kind", type: "text", pattern: "[a-z][a-z0-9_]{0,31}", maxlength: 32, autocomplete: "off", "aria-describedby": "kb-kind-hint kb-kind-error",
    oninput: () => { state.kind = kindInput.value; state.kindTyped = true; changed(); } });
  const kindErrors = errorBox("kb-kind-error");
  const titleErrors = errorBox("kb-titles-error");
  const titleInputs = Object.fromEntries(LANGS.map((lang) => [lang, h("input", {
    id: `kb-title-${lang}`, type: "text", maxlength: 200, lang, "aria-describedby": "kb-titles-error",
    oninput: (event) => {
      state.spec.titles[lang] = event.target.value;
      if (lang === "fr" && !state.kindTyped && !state.basedOn) kindInput.value = state.kind = codeOf(event.target.value, "_", 32);
      changed();
    },
  })]));
  const photo = h("input", { id: "kb-photo", type: "checkbox", onchange: () => { state.spec.photoRequired = photo.checked; changed(); } });
  // With a species field: a record may say the species was searched for and not found.
  const absences = h("input", { id: "kb-absences", type: "checkbox", onchange: () => { state.spec.recordsAbsences = absences.checked; changed(); } });
  const basedOn = h("p", { class: "hint", role: "status" });
  const fieldList = h("ol", { class: "kb-fields", "aria-label": t("fieldsHeading") });
  const newType = h("select", { id: "kb-new-type" }, BUILDER_TYPES.map((type) => h("option", { value: type }, t(`type_${type}`))));
  const addButton = h("button", { type: "button", id: "kb-add", class: "small", onclick: () => {
    const field = newField(newType.value);
    state.spec.fields.push(field);
    drawFields();
    changed();
    document.getElementById(`kb-f${field.uid}-fr`)?.focus();
  } }, t("addField"));
  const saveButton = h("button", { type: "button", id: "kb-save", class: "primary", onclick: () => save() }, t("saveDraft"));
  const publishButton = h("button", { type: "button", id: "kb-publish", disabled: true, onclick: () => publish() }, t("publish"));
  const frame = h("div", { class: "phone-frame", id: "kb-preview" });
  const versionsList = h("ul", { class: "kb-versions" });

  /** Anything changed: the preview follows, and a saved draft must be saved again to publish. */
  function changed() {
    state.draft = null;
    publishButton.disabled = true;
    drawPreview();
  }

  function drawPreview() {
    const schema = buildSchema(cleanSpec(state.spec));
    const form = schemaForm(schema, { skip: ["cd_nom"], first: Object.keys(schema.properties), idPrefix: "preview" });
    frame.replaceChildren();
    fill(frame,
      h("h1", {}, schemaTitle(schema, state.kind)),
      state.spec.photoRequired ? h("p", { class: "button primary big camera", "aria-hidden": "true" }, t("photoFirst")) : null,
      Object.hasOwn(schema.properties, "cd_nom")
        ? h("div", { class: "field" }, h("label", { for: "preview-taxon" }, schemaTitle(schema.properties.cd_nom, "cd_nom")),
            h("input", { id: "preview-taxon", type: "search", placeholder: t("taxonPreview") }))
        : null,
      form.essential,
      h("p", {}, h("span", { class: "button big primary", "aria-hidden": "true" }, t("save"))),
    );
  }

  function drawFields() {
    fieldList.replaceChildren(...state.spec.fields.map((field, index) => fieldCard(field, index)));
  }

  /** One field's card: labels in three languages, its type's settings, its condition, moves. */
  function fieldCard(field, index) {
    const id = `kb-f${field.uid}`;
    const name = () => field.titles.fr || t(`type_${field.type}`);
    const input = (suffix, label, value, onValue, attributes = {}) => h("div", { class: "field" },
      h("label", { for: `${id}-${suffix}` }, label),
      h("input", { id: `${id}-${suffix}`, value: value ?? "", ...attributes, oninput: (event) => { onValue(event.target.value); changed(); } }));
    const titles = LANGS.map((lang) => input(lang, t("fieldTitle", LANG_NAMES[lang]), field.titles[lang], (value) => {
      field.titles[lang] = value;
      if (lang === "fr" && !field.named) {
        field.name = uniqueName(codeOf(value), field);
        const code = document.getElementById(`${id}-name`);
        if (code) code.value = field.name;
      }
    }, { type: "text", maxlength: 200, lang }));
    const code = field.type === "taxon" ? null : input("name", t("fieldCode"), field.name, (value) => { field.name = value; field.named = true; },
      { type: "text", maxlength: 40, pattern: "[a-z][a-z0-9_]{0,39}", autocomplete: "off" });
    const required = h("label", { class: "check" },
      h("input", { type: "checkbox", id: `${id}-required`, checked: field.required, disabled: field.type === "taxon",
        onchange: (event) => { field.required = event.target.checked; changed(); } }), t("fieldRequired"));
    const bounds = field.type === "number" || field.type === "count"
      ? h("div", { class: "kb-row" },
          field.type === "number" ? input("unit", t("unit"), field.unit, (value) => { field.unit = value; }, { type: "text", maxlength: 20 }) : null,
          input("min", t("minimum"), field.min, (value) => { field.min = value; }, { type: "number", step: "any" }),
          input("max", t("maximum"), field.max, (value) => { field.max = value; }, { type: "number", step: "any" }))
      : null;
    const choices = field.choices ? choiceEditor(field, id) : null;
    const card = h("li", { class: "card kb-field", "data-name": field.name, "data-index": index },
      h("h3", {}, t("fieldNumber", index + 1, t(`type_${field.type}`))),
      h("div", { class: "kb-row" }, titles), code, required, bounds, choices,
      conditionEditor(field, index, id),
      errorBox(`${id}-error`),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "small", disabled: index === 0, "aria-label": t("moveUp", name()), onclick: () => move(index, -1) }, "↑"),
        h("button", { type: "button", class: "small", disabled: index === state.spec.fields.length - 1, "aria-label": t("moveDown", name()), onclick: () => move(index, 1) }, "↓"),
        h("button", { type: "button", class: "small danger", "aria-label": t("removeField", name()), onclick: () => remove(index) }, "✕")));
    return card;
  }

  function uniqueName(base, field) {
    const taken = new Set(state.spec.fields.filter((other) => other !== field).map((other) => other.name));
    let name = base;
    for (let n = 2; taken.has(name); n += 1) name = `${base.slice(0, 37)}_${n}`;
    return name;
  }

  function choiceEditor(field, id) {
    const box = h("fieldset", { class: "field kb-choices" }, h("legend", {}, t(`type_${field.type}`)));
    const draw = () => box.replaceChildren(box.firstChild,
      ...field.choices.map((choice, n) => h("div", { class: "kb-row kb-choice" },
        LANGS.map((lang) => h("div", { class: "field" },
          h("label", { for: `${id}-c${n}-${lang}` }, t("choiceLabel", n + 1, LANG_NAMES[lang])),
          h("input", { id: `${id}-c${n}-${lang}`, type: "text", maxlength: 200, lang, value: choice[lang], oninput: (event) => {
            choice[lang] = event.target.value;
            if (lang === "fr" && !choice.fixed) choice.value = uniqueChoice(field, choice, codeOf(event.target.value, "-", 64));
            changed();
          } }))),
        h("button", { type: "button", class: "small", "aria-label": t("removeChoice", n + 1), onclick: () => {
          field.choices.splice(n, 1);
          draw();
          changed();
        } }, "✕"))),
      h("button", { type: "button", class: "small", id: `${id}-add-choice`, onclick: () => {
        field.choices.push({ value: "", fr: "", en: "", it: "" });
        draw();
        changed();
        document.getElementById(`${id}-c${field.choices.length - 1}-fr`)?.focus();
      } }, t("addChoice")));
    draw();
    return box;
  }

  function uniqueChoice(field, choice, base) {
    const taken = new Set(field.choices.filter((other) => other !== choice).map((other) => other.value));
    let value = base;
    for (let n = 2; taken.has(value); n += 1) value = `${base.slice(0, 60)}-${n}`;
    return value;
  }

  /** "Show only when [an earlier yes/no or single choice] has the value [one of its values]". */
  function conditionEditor(field, index, id) {
    const box = h("div", { class: "kb-row kb-when", "data-uid": field.uid });
    const draw = () => {
      const triggers = state.spec.fields.slice(0, index).filter((other) => (other.type === "yesno" || other.type === "choice") && !other.showWhen?.field);
      const trigger = triggers.find((other) => other.name === field.showWhen?.field);
      if (!trigger && field.showWhen?.field) field.showWhen = null;
      const subject = h("select", { id: `${id}-when`, onchange: (event) => {
        const chosen = triggers.find((other) => other.name === event.target.value);
        field.showWhen = chosen ? { field: chosen.name, value: chosen.type === "yesno" ? true : chosen.choices[0]?.value } : null;
        draw();
        changed();
      } }, h("option", { value: "" }, t("always")),
      triggers.map((other) => h("option", { value: other.name, selected: other === trigger }, other.titles.fr || other.name)));
      const values = trigger?.type === "yesno" ? [[true, t("yes")], [false, t("no")]] : (trigger?.choices ?? []).map((c) => [c.value, c.fr || c.value]);
      const value = trigger ? h("select", { id: `${id}-when-value`, onchange: (event) => {
        field.showWhen = { field: trigger.name, value: trigger.type === "yesno" ? event.target.value === "true" : event.target.value };
        changed();
      } }, values.map(([v, label]) => h("option", { value: String(v), selected: v === field.showWhen?.value }, label))) : null;
      box.replaceChildren();
      fill(box,
        h("div", { class: "field" }, h("label", { for: `${id}-when` }, t("showWhen")), subject),
        value ? h("div", { class: "field" }, h("label", { for: `${id}-when-value` }, t("hasValue")), value) : null);
    };
    box.redraw = draw;
    draw();
    return index === 0 ? h("div", { hidden: true }, box) : box;
  }

  /** Titles and choices of the conditions' triggers, after a label was typed. */
  function refreshConditions() {
    for (const box of fieldList.querySelectorAll(".kb-when")) box.redraw();
  }

  function move(index, step) {
    const fields = state.spec.fields;
    [fields[index], fields[index + step]] = [fields[index + step], fields[index]];
    drawFields();
    changed();
    fieldList.children[index + step]?.querySelector(`button[aria-label]:not([disabled])`)?.focus();
  }

  function remove(index) {
    state.spec.fields.splice(index, 1);
    drawFields();
    changed();
    addButton.focus();
  }

  function clearErrors() {
    for (const box of main.querySelectorAll(".kb-builder .field-error")) {
      box.hidden = true;
      box.textContent = "";
    }
    for (const card of fieldList.querySelectorAll(".kb-field.invalid")) card.classList.remove("invalid");
  }

  function showError(box, error) {
    box.hidden = false;
    box.textContent = [box.textContent, `${errorReason(error.code)} (${error.detail ?? error.code})`].filter(Boolean).join(" · ");
    box.closest(".kb-field")?.classList.add("invalid");
  }

  /** Each error of the server's problem document beside the builder field it points at. */
  function placeErrors(errors) {
    const spec = cleanSpec(state.spec);
    const conditional = spec.fields.filter((field) => field.showWhen);
    const requiredFields = spec.fields.filter((field) => field.required && !field.showWhen);
    const cardOf = (field) => field && document.getElementById(`kb-f${field.uid}-error`);
    const unplaced = [];
    for (const error of errors) {
      const [, top, key, sub] = (error.pointer || "").split("/").map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
      let box = null;
      if (top === "kind") box = kindErrors;
      else if (top === "schema" && (key === "title" || key === "x-i18n")) box = titleErrors;
      else if (top === "schema" && key === "properties") box = cardOf(spec.fields.find((field) => (field.type === "taxon" ? "cd_nom" : field.name) === sub));
      else if (top === "schema" && key === "allOf") box = cardOf(conditional[Number(sub)]);
      else if (top === "schema" && key === "required") box = cardOf(requiredFields[Number(sub)]);
      if (box) showError(box, error);
      else unplaced.push(error);
    }
    return unplaced;
  }

  /** Codes two fields share: the server would see one field where the builder shows two. */
  function duplicateNames() {
    const seen = new Map();
    for (const field of state.spec.fields) seen.set(field.name, [...(seen.get(field.name) ?? []), field]);
    return [...seen.values()].filter((fields) => fields.length > 1).flat();
  }

  async function save() {
    clearErrors();
    const duplicates = duplicateNames();
    for (const field of duplicates) showError(document.getElementById(`kb-f${field.uid}-error`), { code: "invalid", detail: t("duplicateCode") });
    if (duplicates.length) {
      message.textContent = t("refusedHere");
      return;
    }
    try {
      const draft = await staff(`/api/v1/programmes/${encodeURIComponent(state.programme)}/kinds`, {
        method: "POST", body: { kind: state.kind, schema: buildSchema(cleanSpec(state.spec)) },
      });
      state.draft = draft;
      publishButton.disabled = false;
      message.textContent = t("draftSaved", draft.kind, draft.version);
      await loadVersions();
    } catch (error) {
      if (!(error instanceof ApiError) || !error.problem?.errors?.length) return (message.textContent = error.problem?.detail ?? errorText(error));
      const unplaced = placeErrors(error.problem.errors);
      message.textContent = [t("refusedHere"), ...unplaced.map((e) => `${e.pointer}${t("colon")}${errorReason(e.code)}`)].join(" ");
      main.querySelector(".kb-builder .field-error:not([hidden])")?.closest(".card, .field, fieldset")?.querySelector("input, select")?.focus();
    }
  }

  async function publish() {
    if (!state.draft) return;
    const { kind, version } = state.draft;
    try {
      await staff(`/api/v1/programmes/${encodeURIComponent(state.programme)}/kinds/${kind}/${version}/publish`, { method: "POST" });
      message.textContent = t("published", kind, version);
      publishButton.disabled = true;
      state.draft = null;
      await loadVersions();
    } catch (error) {
      message.textContent = error.problem?.detail ?? errorText(error);
    }
  }

  /** Start from a version: a draft can be published as it is; saving makes the next version. */
  function open(version) {
    state.kind = kindInput.value = version.kind;
    state.kindTyped = true;
    state.basedOn = version;
    state.spec = specOf(version.schema);
    for (const field of state.spec.fields) {
      Object.assign(field, { uid: ++nextUid, named: true });
      for (const choice of field.choices ?? []) choice.fixed = true;
    }
    for (const lang of LANGS) titleInputs[lang].value = state.spec.titles[lang];
    photo.checked = state.spec.photoRequired;
    absences.checked = state.spec.recordsAbsences;
    basedOn.textContent = t("nextVersion", version.kind, version.version);
    clearErrors();
    drawFields();
    drawPreview();
    state.draft = version.state === "draft" ? version : null;
    publishButton.disabled = !state.draft;
    titleInputs.fr.focus();
  }

  async function loadVersions() {
    const versions = await staff(`/api/v1/programmes/${encodeURIComponent(state.programme)}/kinds`);
    versionsList.replaceChildren(
      ...(versions.length === 0
        ? [h("li", { class: "empty" }, t("noVersions"))]
        : versions.map((version) => h("li", { "data-kind": version.kind, "data-version": version.version, "data-state": version.state },
            h("span", { translate: "no" }, `${version.kind} v${version.version}`),
            ` — ${schemaTitle(version.schema, version.kind)} — ${t(`state_${version.state}`)} — ${formatDate(version.published_at ?? version.created_at, { time: true })} `,
            h("button", { type: "button", class: "small", "aria-label": `${t("editVersion")} ${version.kind} v${version.version}`, onclick: () => open(version) }, t("editVersion"))))),
    );
  }

  fill(main,
    h("div", { class: "staff-head" }, h("h1", {}, t("builder")), h("div", { class: "actions" }, back)),
    h("p", { class: "hint" }, t("builderHint")),
    h("div", { class: "kb-layout" },
      h("section", { class: "kb-builder", "aria-label": t("builder") },
        h("div", { class: "field" }, h("label", { for: "kb-programme" }, t("programme")), programmeSelect),
        h("fieldset", { class: "card" }, h("legend", {}, t("protocolTitle")),
          h("div", { class: "kb-row" }, LANGS.map((lang) => h("div", { class: "field" },
            h("label", { for: `kb-title-${lang}` }, `${t("protocolTitle")} (${LANG_NAMES[lang]})`), titleInputs[lang]))),
          titleErrors,
          h("div", { class: "field" }, h("label", { for: "kb-kind" }, t("protocolCode")), kindInput,
            h("span", { class: "hint", id: "kb-kind-hint" }, t("codeHint")), kindErrors),
          h("label", { class: "check" }, photo, t("photoRequiredField")),
          h("label", { class: "check" }, absences, t("recordsAbsences")),
          basedOn),
        h("h2", {}, t("fieldsHeading")),
        fieldList,
        h("div", { class: "kb-row kb-add" }, h("div", { class: "field" }, h("label", { for: "kb-new-type" }, t("newFieldType")), newType), addButton),
        h("div", { class: "actions" }, saveButton, publishButton),
        message,
        h("h2", {}, t("versions")),
        versionsList),
      h("section", { class: "kb-preview", "aria-label": t("preview") }, h("h2", {}, t("preview")), frame)),
  );
  // A label typed or a choice added: the conditions' lists follow (not while one is being chosen).
  fieldList.addEventListener("change", (event) => event.target.closest(".kb-when") || refreshConditions());
  drawPreview();
  await loadVersions();
}
