// The team: a programme's (or the platform's) admins give a role, optionally narrowed to taxon
// groups — the ornithologist validates the birds of every programme, the botanist the plants.
import { h, fill } from "../dom.js";
import { TAXON_GROUPS, errorText, extend, groupLabel, t } from "../i18n.js";
import { staff } from "../staff.js";

extend({
  fr: {
    team: "Équipe", teamHint: "Donnez un rôle à un compte existant. Des groupes cochés restreignent ce rôle aux observations de ces groupes.",
    role: "Rôle", role_viewer: "lecteur", role_moderator: "modérateur", role_admin: "administrateur", scope: "Portée",
    wholePlatform: "toute la plateforme", taxonGroups: "Groupes taxonomiques (aucun : tous)", grant: "Donner le rôle",
    granted: (email, role) => `${email} est maintenant ${role}.`, adminWhole: "Un administrateur gère toute la portée : pas de groupes.",
    validatorOf: (groups) => `Validateur de : ${groups}`,
  },
  en: {
    team: "Team", teamHint: "Give a role to an existing account. Ticked groups narrow that role to the records of those groups.",
    role: "Role", role_viewer: "viewer", role_moderator: "moderator", role_admin: "admin", scope: "Scope",
    wholePlatform: "the whole platform", taxonGroups: "Taxon groups (none: all)", grant: "Give the role",
    granted: (email, role) => `${email} is now ${role}.`, adminWhole: "An admin manages the whole scope: no groups.",
    validatorOf: (groups) => `Validator of: ${groups}`,
  },
  it: {
    team: "Squadra", teamHint: "Date un ruolo a un account esistente. I gruppi spuntati limitano il ruolo alle osservazioni di quei gruppi.",
    role: "Ruolo", role_viewer: "lettore", role_moderator: "moderatore", role_admin: "amministratore", scope: "Ambito",
    wholePlatform: "tutta la piattaforma", taxonGroups: "Gruppi tassonomici (nessuno: tutti)", grant: "Dai il ruolo",
    granted: (email, role) => `${email} ora è ${role}.`, adminWhole: "Un amministratore gestisce tutto l'ambito: niente gruppi.",
    validatorOf: (groups) => `Validatore di: ${groups}`,
  },
});

/** The groups a signed-in staff member validates, in the reader's language (none when whole). */
export function validatorGroups(me) {
  const groups = new Set(Object.values(me.taxon_groups ?? {}).flatMap((byGroup) => Object.keys(byGroup)));
  return [...groups].sort().map(groupLabel);
}

export async function show(main, me) {
  const message = h("p", { class: "message", role: "status" });
  const email = h("input", { id: "grant-email", type: "email", required: true, autocomplete: "off" });
  const role = h("select", { id: "grant-role" }, ["moderator", "viewer", "admin"].map((r) => h("option", { value: r }, t(`role_${r}`))));
  const administered = Object.entries(me.roles).filter(([, r]) => r === "admin").map(([slug]) => slug).sort();
  const scope = h("select", { id: "grant-scope" },
    me.platform_role === "admin" ? h("option", { value: "" }, t("wholePlatform")) : null,
    administered.map((slug) => h("option", { value: slug, translate: "no" }, slug)));
  const boxes = TAXON_GROUPS.map((group) => h("input", { type: "checkbox", value: group, id: `group-${group}` }));
  const groups = h("fieldset", { class: "groups" }, h("legend", {}, t("taxonGroups")),
    boxes.map((box) => h("label", { for: box.id }, box, ` ${groupLabel(box.value)}`)));
  role.addEventListener("change", () => { groups.disabled = role.value === "admin"; });
  const form = h("form", { class: "card", onsubmit: async (event) => {
    event.preventDefault();
    const body = { email: email.value.trim(), role: role.value };
    if (scope.value) body.programme = scope.value;
    if (role.value !== "admin") body.taxon_groups = boxes.filter((b) => b.checked).map((b) => b.value);
    try {
      await staff("/api/v1/grants", { method: "POST", body });
      const named = body.taxon_groups?.length ? ` — ${t("validatorOf", body.taxon_groups.map(groupLabel).join(", "))}` : "";
      message.textContent = t("granted", body.email, t(`role_${body.role}`)) + named;
    } catch (error) {
      message.textContent = errorText(error);
    }
  } },
    h("div", { class: "field" }, h("label", { for: "grant-email" }, t("email")), email),
    h("div", { class: "field" }, h("label", { for: "grant-role" }, t("role")), role),
    h("div", { class: "field" }, h("label", { for: "grant-scope" }, t("scope")), scope),
    groups, message,
    h("button", { type: "submit", class: "big primary" }, t("grant")));
  main.replaceChildren();
  fill(main, h("div", { class: "staff-head" }, h("h1", {}, t("team")),
    h("a", { class: "button small", href: "#/staff" }, t("backToQueue"))),
  h("p", { class: "hint" }, t("teamHint")), form);
}
