// Staff: sign in, then the moderation queue with photos, map and flags; decide with keys or in bulk.
import { ApiError } from "../api.js";
import { h, fill } from "../dom.js";
import { extend, lang, t } from "../i18n.js";
import { createMap } from "../map.js";
import { searchTaxa, vernacular } from "../reference.js";
import { signIn, signOut, signedIn, staff } from "../staff.js";

extend({
  fr: {
    staff: "Modération", signIn: "Se connecter", email: "Adresse e-mail", password: "Mot de passe", signOut: "Se déconnecter",
    queue: "À modérer", accept: "Valider", probable: "Probable", doubt: "Douteux", reject: "Refuser", next: "Suivante",
    previous: "Précédente", selected: (n) => `${n} sélectionnée${n > 1 ? "s" : ""}`, applyTo: "Appliquer aux sélectionnées",
    reidentify: "Ré-identifier", history: "Historique", commentFor: "Commentaire pour l'observateur",
    shortcuts: "Raccourcis : A valider · P probable · D douteux · R refuser · J/K suivante/précédente · X sélectionner",
    noPending: "Rien à modérer ici.", conflict: "Quelqu'un d'autre a modifié cette observation : elle a été rechargée.",
    decided: (n) => `${n} décision${n > 1 ? "s" : ""} enregistrée${n > 1 ? "s" : ""}`, flags: "Signalements",
    sensitive: (n) => `sensible (niveau ${n})`, dashboard: "Tableau de bord", status: "Statut", allProgrammes: "Tous mes programmes", select: "Sélectionner",
  },
  en: {
    staff: "Moderation", signIn: "Sign in", email: "Email address", password: "Password", signOut: "Sign out",
    queue: "To moderate", accept: "Accept", probable: "Probable", doubt: "Doubtful", reject: "Reject", next: "Next",
    previous: "Previous", selected: (n) => `${n} selected`, applyTo: "Apply to the selected",
    reidentify: "Re-identify", history: "History", commentFor: "Comment for the observer",
    shortcuts: "Shortcuts: A accept · P probable · D doubtful · R reject · J/K next/previous · X select",
    noPending: "Nothing to moderate here.", conflict: "Someone else changed this observation: it was reloaded.",
    decided: (n) => `${n} decision${n > 1 ? "s" : ""} saved`, flags: "Flags",
    sensitive: (n) => `sensitive (level ${n})`, dashboard: "Dashboard", status: "Status", allProgrammes: "All my programmes", select: "Select",
  },
  it: {
    staff: "Moderazione", signIn: "Accedi", email: "Indirizzo e-mail", password: "Password", signOut: "Esci",
    queue: "Da moderare", accept: "Valida", probable: "Probabile", doubt: "Dubbia", reject: "Rifiuta", next: "Successiva",
    previous: "Precedente", selected: (n) => `${n} selezionat${n > 1 ? "e" : "a"}`, applyTo: "Applica alle selezionate",
    reidentify: "Ri-identifica", history: "Cronologia", commentFor: "Commento per l'osservatore",
    shortcuts: "Scorciatoie: A valida · P probabile · D dubbia · R rifiuta · J/K successiva/precedente · X seleziona",
    noPending: "Niente da moderare qui.", conflict: "Qualcun altro ha modificato questa osservazione: è stata ricaricata.",
    decided: (n) => `${n} decision${n > 1 ? "i salvate" : "e salvata"}`, flags: "Segnalazioni",
    sensitive: (n) => `sensibile (livello ${n})`, dashboard: "Cruscotto", status: "Stato", allProgrammes: "Tutti i miei programmi", select: "Seleziona",
  },
});

const KEYS = { a: "certain", p: "probable", d: "doubtful", r: "invalid" };
const STATUSES = ["pending", "doubtful", "certain", "probable", "invalid"];

export async function show(main) {
  if (!(await signedIn())) return loginForm(main);
  let me;
  try {
    me = await staff("/api/v1/auth/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return loginForm(main);
    throw error;
  }
  const state = { items: [], current: 0, selected: new Set(), next: null };
  const message = h("p", { class: "message", role: "status" });
  const programme = h("select", { id: "programme" },
    h("option", { value: "" }, t("allProgrammes")),
    Object.keys(me.roles).sort().map((slug) => h("option", { value: slug }, slug)));
  const status = h("select", { id: "status" }, STATUSES.map((s) => h("option", { value: s }, t(`status_${s}`))));
  const counts = h("p", { class: "hint" });
  const list = h("ul", { class: "queue", "aria-label": t("queue") });
  const detail = h("section", { class: "card detail", "aria-live": "polite", "aria-label": t("details") });
  const selection = h("span", { class: "hint" });
  const bulk = h("div", { class: "actions bulk" }, selection,
    ...Object.entries(KEYS).map(([, decision]) =>
      h("button", { type: "button", class: "small", onclick: () => decideMany(decision) }, `${label(decision)} ✓`)));

  async function load() {
    const query = new URLSearchParams({ status: status.value, limit: "200" });
    if (programme.value) query.set("programme", programme.value);
    const page = await staff(`/api/v1/moderation/queue?${query}`);
    state.items = page.items;
    state.current = Math.min(state.current, Math.max(0, page.items.length - 1));
    state.selected.clear();
    counts.textContent = Object.entries(page.counts).map(([s, n]) => `${t(`status_${s}`)} : ${n}`).join(" · ");
    drawList();
    await drawDetail();
  }

  function drawList() {
    list.replaceChildren(
      ...(state.items.length === 0
        ? [h("li", { class: "empty" }, t("noPending"))]
        : state.items.map((item, index) =>
            h("li", { class: index === state.current ? "queue-item current" : "queue-item", "data-id": item.id },
              h("input", { type: "checkbox", "aria-label": `${t("select")} ${name(item)}`, checked: state.selected.has(item.id),
                onchange: (event) => { event.target.checked ? state.selected.add(item.id) : state.selected.delete(item.id); drawSelection(); } }),
              item.photos[0] ? h("img", { src: item.photos[0].urls.small, alt: "", width: 56, height: 56, loading: "lazy" }) : h("span", { class: "nophoto" }),
              h("button", { type: "button", class: "link", onclick: () => { state.current = index; drawList(); drawDetail(); } },
                h("strong", {}, name(item)), h("span", { class: "meta" }, ` ${item.observed_at.slice(0, 10)} · ${item.commune ?? ""}`),
                item.flags.length ? h("span", { class: "flag" }, ` ⚑ ${item.flags.length}`) : null,
                item.sensitivity_level > 0 ? h("span", { class: "flag" }, ` ${t("sensitive", item.sensitivity_level)}`) : null)))),
    );
    drawSelection();
  }

  function drawSelection() {
    selection.textContent = `${t("selected", state.selected.size)} — ${t("applyTo")} :`;
    bulk.hidden = state.selected.size === 0;
  }

  async function drawDetail() {
    const item = state.items[state.current];
    if (!item) return detail.replaceChildren();
    const comment = h("textarea", { id: "moderator-comment", rows: 2, maxlength: 4000 }, item.moderator_comment ?? "");
    const taxonSearch = h("input", { type: "search", id: "reidentify", placeholder: t("searchTaxon"), autocomplete: "off" });
    const taxa = h("ul", { class: "taxa" });
    taxonSearch.addEventListener("input", () =>
      taxa.replaceChildren(...searchTaxa(taxonSearch.value, 8).map((taxon) =>
        h("li", {}, h("button", { type: "button", class: "taxon", onclick: () => decide(item.status === "pending" ? "certain" : item.status, taxon.cd_nom) },
          `${vernacular(taxon)} — ${taxon.scientific_name}`)))));
    const historyBox = h("ol", { class: "history" });
    const mapBox = h("div", { class: "map small" });
    detail.replaceChildren(
      h("h2", {}, name(item)),
      h("p", { class: "meta" }, `${item.observed_at} · ${item.programme} · ${t("status")} : ${t(`status_${item.status}`)}`),
      h("div", { class: "gallery" }, item.photos.map((photo) =>
        h("a", { href: photo.urls.original, target: "_blank", rel: "noopener" }, h("img", { src: photo.urls.large, alt: name(item), loading: "lazy" })))),
      mapBox,
      item.comment ? h("blockquote", {}, item.comment) : null,
      item.flags.length ? h("div", {}, h("h3", {}, t("flags")), h("ul", { class: "flags" }, item.flags.map((f) => h("li", {}, f.message)))) : null,
      h("div", { class: "field" }, h("label", { for: "moderator-comment" }, t("commentFor")), comment),
      h("div", { class: "actions decisions" },
        ...Object.entries(KEYS).map(([key, decision]) =>
          h("button", { type: "button", class: decision === "invalid" ? "danger" : "primary", "aria-keyshortcuts": key.toUpperCase(), onclick: () => decide(decision) }, label(decision)))),
      h("div", { class: "field" }, h("label", { for: "reidentify" }, t("reidentify")), taxonSearch, taxa),
      h("details", { ontoggle: async (event) => {
        if (!event.target.open) return;
        const events = await staff(`/api/v1/observations/${item.id}/history`);
        historyBox.replaceChildren(...events.map((e) => h("li", {}, `${e.occurred_at.slice(0, 16)} — ${e.actor_kind} ${e.action} → ${e.after?.status ?? ""} ${e.comment ? `« ${e.comment} »` : ""}`)));
      } }, h("summary", {}, t("history")), historyBox),
    );
    createMap(mapBox, [item.location.lat, item.location.lon], 13).then(({ L, map }) => {
      L.circleMarker([item.location.lat, item.location.lon], { radius: 8 }).addTo(map);
      if (item.location.accuracy_m) L.circle([item.location.lat, item.location.lon], { radius: item.location.accuracy_m }).addTo(map);
    }).catch(() => {});
    detail.dataset.id = item.id;
    detail.querySelector("textarea").addEventListener("keydown", (event) => event.stopPropagation());
    taxonSearch.addEventListener("keydown", (event) => event.stopPropagation());
  }

  async function decide(decision, cdNom) {
    const item = state.items[state.current];
    if (!item) return;
    const comment = detail.querySelector("#moderator-comment")?.value.trim() || null;
    try {
      await staff(`/api/v1/observations/${item.id}/reviews`, {
        method: "POST",
        body: { status: decision, expected_version: item.version, comment, ...(cdNom ? { cd_nom: cdNom } : {}) },
      });
      message.textContent = t("decided", 1);
    } catch (error) {
      message.textContent = error instanceof ApiError && error.status === 409 ? t("conflict") : error.message;
    }
    await load();
  }

  async function decideMany(decision) {
    const ids = [...state.selected];
    const versions = Object.fromEntries(state.items.filter((i) => state.selected.has(i.id)).map((i) => [i.id, i.version]));
    try {
      const answer = await staff("/api/v1/reviews/bulk", { method: "POST", body: { ids, status: decision, expected_versions: versions } });
      const done = answer.results.filter((r) => r.outcome === "decided").length;
      message.textContent = t("decided", done) + (done < ids.length ? ` — ${t("conflict")}` : "");
    } catch (error) {
      message.textContent = error.message;
    }
    await load();
  }

  function onKey(event) {
    if (event.target.closest?.("input, textarea, select") || event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key.toLowerCase();
    if (KEYS[key]) decide(KEYS[key]);
    else if (key === "j" || key === "arrowdown") move(1);
    else if (key === "k" || key === "arrowup") move(-1);
    else if (key === "x") {
      const item = state.items[state.current];
      if (item) state.selected.has(item.id) ? state.selected.delete(item.id) : state.selected.add(item.id);
      drawList();
    } else return;
    event.preventDefault();
  }

  function move(step) {
    state.current = Math.max(0, Math.min(state.items.length - 1, state.current + step));
    drawList();
    drawDetail();
  }

  document.addEventListener("keydown", onKey);
  addEventListener("hashchange", () => document.removeEventListener("keydown", onKey), { once: true });
  programme.addEventListener("change", load);
  status.addEventListener("change", load);
  fill(main, 
    h("div", { class: "staff-head" }, h("h1", {}, t("staff")),
      h("div", { class: "actions" },
        h("a", { class: "button small", href: "#/dashboard" }, t("dashboard")),
        h("button", { type: "button", class: "small", onclick: async () => { await signOut(); location.reload(); } }, t("signOut")))),
    h("p", { class: "hint" }, `${me.display_name} — ${t("shortcuts")}`),
    h("div", { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "programme" }, t("programme")), programme),
      h("div", { class: "field" }, h("label", { for: "status" }, t("status")), status)),
    counts, message, bulk, h("div", { class: "staff-grid" }, list, detail));
  await load();
}

function label(decision) {
  return { certain: t("accept"), probable: t("probable"), doubtful: t("doubt"), invalid: t("reject") }[decision];
}

function name(item) {
  if (item.taxon) return (lang() === "fr" && item.taxon.vernacular_fr) || item.taxon.scientific_name;
  return item.data.category ?? item.kind;
}

function loginForm(main) {
  const message = h("p", { class: "message", role: "alert" });
  const email = h("input", { id: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: "password", type: "password", autocomplete: "current-password", required: true });
  fill(main, 
    h("h1", {}, t("staff")),
    h("form", { class: "card", onsubmit: async (event) => {
      event.preventDefault();
      try {
        await signIn(email.value.trim(), password.value);
        main.replaceChildren();
        await show(main);
      } catch (error) {
        message.textContent = navigator.onLine ? error.message : t("needsNetwork");
      }
    } },
      h("div", { class: "field" }, h("label", { for: "email" }, t("email")), email),
      h("div", { class: "field" }, h("label", { for: "password" }, t("password")), password),
      message,
      h("button", { type: "submit", class: "big primary" }, t("signIn"))));
}
