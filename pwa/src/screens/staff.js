// Staff: sign in, then the moderation queue with photos, map and flags; decide with keys or in bulk.
import { ApiError } from "../api.js";
import { h, fill } from "../dom.js";
import { enumLabel, errorText, extend, formatDate, formatLength, formatNumber, schemaTitle, t } from "../i18n.js";
import { duplicateBadge, duplicatePanel } from "../duplicates.js";
import { fieldOrder } from "../kind-builder.js";
import { createMap } from "../map.js";
import { communeName, programmeKind, schemaOf, searchTaxa, taxonByCode, taxonLabel, taxonName, whenReference } from "../reference.js";
import { signIn, signOut, signedIn, staff } from "../staff.js";
import { show as showBuilder } from "./kind-builder-screen.js";
import { show as showTeam, validatorGroups } from "./team.js";
import { threadPanel } from "../threads.js";

extend({
  fr: {
    staff: "Modération", signIn: "Se connecter", email: "Adresse e-mail", password: "Mot de passe", signOut: "Se déconnecter",
    queue: "À modérer", accept: "Valider", probable: "Probable", doubt: "Douteux", reject: "Refuser", next: "Suivante",
    previous: "Précédente", selected: (n) => `${n} sélectionnée${n > 1 ? "s" : ""}`, applyTo: "Appliquer aux sélectionnées",
    reidentify: "Ré-identifier", history: "Historique", commentFor: "Commentaire pour l'observateur",
    shortcuts: "Raccourcis : A valider · P probable · D douteux · R refuser · J/K suivante/précédente · X sélectionner",
    noPending: "Rien à modérer ici.", conflict: "Quelqu'un d'autre a modifié cette observation : elle a été rechargée.",
    decided: (n) => `${n} décision${n > 1 ? "s" : ""} enregistrée${n > 1 ? "s" : ""}`, flags: "Signalements",
    sensitive: (n) => `sensible (niveau ${n})`, absence: "absence : cherchée, non trouvée", dashboard: "Tableau de bord", status: "Statut", allProgrammes: "Tous mes programmes", select: "Sélectionner",
    flagCount: (n) => `${n} signalement${n > 1 ? "s" : ""} automatique${n > 1 ? "s" : ""}`,
    flagsHint: "Remarques automatiques pour les modérateurs : elles ne refusent rien, elles disent où regarder.",
    flag_accuracy_poor: (d) => `position précise à ${formatLength(d.accuracy_m)} seulement`,
    flag_near_territory_edge: () => "juste hors du contour simplifié du territoire : la commune est approximative",
    flag_first_in_commune: (d) => `première mention de ce taxon à ${communeName(d.commune)}`,
    flag_count_high: (d) => `${formatNumber(d.count)} individus, c'est inhabituellement beaucoup (d'habitude au plus ${formatNumber(d.usual_max)})`,
    flag_altitude_unusual: (d) => `${formatLength(d.altitude_m)}, hors de la tranche habituelle de ${formatLength(d.usual[0])} à ${formatLength(d.usual[1])} pour ce taxon`,
    flag_season_unusual: () => "ce taxon n'est d'habitude pas noté ce mois-ci",
    flag_photo_position_far: (d) => `la photo a été prise à ${formatLength(d.distance_m)} de la position de l'observation`,
    flag_photo_time_far: (d) => `la photo a été prise à ${formatNumber(d.hours, 1)} h de l'heure de l'observation`,
    flag_other: "remarque automatique",
    actor_device: "l'observateur", actor_contributor: "l'observateur", actor_staff: "un modérateur", actor_system: "le système",
    action_review: "décision", action_reidentify: "ré-identification", action_edit: "correction", action_withdraw: "retrait", action_hand_over: "confié à un autre groupe", action_first_opinion: "premier avis", action_second_opinion: "second avis", action_photo_place: "photo jugée",
    showsNoPlace: (n) => `La photo ${n} ne montre aucun lieu : la publier`, photosWithheld: "Observation publiée généralisée : ses photos restent cachées au public tant qu'elles ne sont pas cochées.",
    bulkConfirm: (n, decision) => `${decision} : ${n} observation${n > 1 ? "s" : ""} ?`, confirm: "Confirmer", cancel: "Annuler",
    bulkUndo: (n, decision, s) => `${decision} : ${n} observation${n > 1 ? "s" : ""}, envoi dans ${s} s`, singleUndo: (decision, s) => `${decision}, envoi dans ${s} s`, undo: "Annuler l'envoi", undone: "Décision annulée, rien n'a été envoyé.",
  },
  en: {
    staff: "Moderation", signIn: "Sign in", email: "Email address", password: "Password", signOut: "Sign out",
    queue: "To moderate", accept: "Accept", probable: "Probable", doubt: "Doubtful", reject: "Reject", next: "Next",
    previous: "Previous", selected: (n) => `${n} selected`, applyTo: "Apply to the selected",
    reidentify: "Re-identify", history: "History", commentFor: "Comment for the observer",
    shortcuts: "Shortcuts: A accept · P probable · D doubtful · R reject · J/K next/previous · X select",
    noPending: "Nothing to moderate here.", conflict: "Someone else changed this observation: it was reloaded.",
    decided: (n) => `${n} decision${n > 1 ? "s" : ""} saved`, flags: "Flags",
    sensitive: (n) => `sensitive (level ${n})`, absence: "absence: searched for, not found", dashboard: "Dashboard", status: "Status", allProgrammes: "All my programmes", select: "Select",
    flagCount: (n) => `${n} automatic flag${n > 1 ? "s" : ""}`,
    flagsHint: "Automatic remarks for moderators: they reject nothing, they say where to look.",
    flag_accuracy_poor: (d) => `position accurate to ${formatLength(d.accuracy_m)} only`,
    flag_near_territory_edge: () => "just outside the simplified territory outline: the commune is approximate",
    flag_first_in_commune: (d) => `first record of this taxon in ${communeName(d.commune)}`,
    flag_count_high: (d) => `${formatNumber(d.count)} individuals is unusually many (usually at most ${formatNumber(d.usual_max)})`,
    flag_altitude_unusual: (d) => `${formatLength(d.altitude_m)} is outside the usual ${formatLength(d.usual[0])} to ${formatLength(d.usual[1])} for this taxon`,
    flag_season_unusual: () => "this taxon is not usually recorded in this month",
    flag_photo_position_far: (d) => `the photo was taken ${formatLength(d.distance_m)} from the observation's position`,
    flag_photo_time_far: (d) => `the photo was taken ${formatNumber(d.hours, 1)} h from the observation's time`,
    flag_other: "automatic remark",
    actor_device: "the observer", actor_contributor: "the observer", actor_staff: "a moderator", actor_system: "the system",
    action_review: "decision", action_reidentify: "re-identification", action_edit: "correction", action_withdraw: "withdrawal", action_hand_over: "handed over to another group", action_first_opinion: "first opinion", action_second_opinion: "second opinion", action_photo_place: "photo judged",
    showsNoPlace: (n) => `Photo ${n} shows no place: publish it`, photosWithheld: "Published generalised: its photos stay hidden from the public until ticked.",
    bulkConfirm: (n, decision) => `${decision}: ${n} observation${n > 1 ? "s" : ""}?`, confirm: "Confirm", cancel: "Cancel",
    bulkUndo: (n, decision, s) => `${decision}: ${n} observation${n > 1 ? "s" : ""}, sending in ${s} s`, singleUndo: (decision, s) => `${decision}, sending in ${s} s`, undo: "Undo", undone: "Decision undone, nothing was sent.",
  },
  it: {
    staff: "Moderazione", signIn: "Accedi", email: "Indirizzo e-mail", password: "Password", signOut: "Esci",
    queue: "Da moderare", accept: "Valida", probable: "Probabile", doubt: "Dubbia", reject: "Rifiuta", next: "Successiva",
    previous: "Precedente", selected: (n) => `${n} selezionat${n > 1 ? "e" : "a"}`, applyTo: "Applica alle selezionate",
    reidentify: "Ri-identifica", history: "Cronologia", commentFor: "Commento per l'osservatore",
    shortcuts: "Scorciatoie: A valida · P probabile · D dubbia · R rifiuta · J/K successiva/precedente · X seleziona",
    noPending: "Niente da moderare qui.", conflict: "Qualcun altro ha modificato questa osservazione: è stata ricaricata.",
    decided: (n) => `${n} decision${n > 1 ? "i salvate" : "e salvata"}`, flags: "Segnalazioni",
    sensitive: (n) => `sensibile (livello ${n})`, absence: "assenza: cercata, non trovata", dashboard: "Cruscotto", status: "Stato", allProgrammes: "Tutti i miei programmi", select: "Seleziona",
    flagCount: (n) => `${n} segnalazion${n > 1 ? "i automatiche" : "e automatica"}`,
    flagsHint: "Osservazioni automatiche per i moderatori: non rifiutano nulla, dicono dove guardare.",
    flag_accuracy_poor: (d) => `posizione precisa solo a ${formatLength(d.accuracy_m)}`,
    flag_near_territory_edge: () => "appena fuori dal contorno semplificato del territorio: il comune è approssimativo",
    flag_first_in_commune: (d) => `prima segnalazione di questo taxon a ${communeName(d.commune)}`,
    flag_count_high: (d) => `${formatNumber(d.count)} individui sono insolitamente tanti (di solito al massimo ${formatNumber(d.usual_max)})`,
    flag_altitude_unusual: (d) => `${formatLength(d.altitude_m)} è fuori dalla fascia abituale da ${formatLength(d.usual[0])} a ${formatLength(d.usual[1])} per questo taxon`,
    flag_season_unusual: () => "questo taxon di solito non è segnalato in questo mese",
    flag_photo_position_far: (d) => `la foto è stata scattata a ${formatLength(d.distance_m)} dalla posizione dell'osservazione`,
    flag_photo_time_far: (d) => `la foto è stata scattata a ${formatNumber(d.hours, 1)} h dall'ora dell'osservazione`,
    flag_other: "osservazione automatica",
    actor_device: "l'osservatore", actor_contributor: "l'osservatore", actor_staff: "un moderatore", actor_system: "il sistema",
    action_review: "decisione", action_reidentify: "ri-identificazione", action_edit: "correzione", action_withdraw: "ritiro", action_hand_over: "affidata a un altro gruppo", action_first_opinion: "primo parere", action_second_opinion: "secondo parere", action_photo_place: "foto valutata",
    showsNoPlace: (n) => `La foto ${n} non mostra alcun luogo: pubblicarla`, photosWithheld: "Pubblicata generalizzata: le sue foto restano nascoste al pubblico finché non sono spuntate.",
    bulkConfirm: (n, decision) => `${decision}: ${n} osservazion${n > 1 ? "i" : "e"}?`, confirm: "Conferma", cancel: "Annulla",
    bulkUndo: (n, decision, s) => `${decision}: ${n} osservazion${n > 1 ? "i" : "e"}, invio tra ${s} s`, singleUndo: (decision, s) => `${decision}, invio tra ${s} s`, undo: "Annulla l'invio", undone: "Decisione annullata, non è stato inviato nulla.",
  },
});

const KEYS = { a: "certain", p: "probable", d: "doubtful", r: "invalid" };
const UNDO_SECONDS = 5; // a bulk decision waits this long, cancellable, before it is sent
const STATUSES = ["pending", "awaiting_second_opinion", "doubtful", "certain", "probable", "invalid"];

/** A photo of a record staff may see but the public may not: fetched with the staff token. */
function staffPhoto(url, attributes) {
  const img = h("img", attributes);
  staff(url, { raw: true }).then(async (response) => { img.src = URL.createObjectURL(await response.blob()); }).catch(() => {});
  return img;
}

async function openStaffPhoto(url) {
  const response = await staff(url, { raw: true });
  window.open(URL.createObjectURL(await response.blob()), "_blank", "noopener");
}

export async function show(main, { args = [] } = {}) {
  if (!(await signedIn())) return loginForm(main, args);
  let me;
  try {
    me = await staff("/api/v1/auth/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return loginForm(main, args);
    throw error;
  }
  if (args[0] === "kinds") return showBuilder(main, me);
  if (args[0] === "team") return showTeam(main, me);
  const state = { items: [], current: 0, selected: new Set(), next: null, heldBulk: null, heldOne: null };
  const heritage = await schemaOf("heritage", 1).catch(() => null);
  const name = (item) => itemName(item, heritage);
  const message = h("p", { id: "queue-message", class: "message", role: "status" });
  const programme = h("select", { id: "programme" },
    h("option", { value: "" }, t("allProgrammes")),
    [...new Set([...Object.keys(me.roles), ...Object.keys(me.taxon_groups ?? {})])].sort()
      .map((slug) => h("option", { value: slug, translate: "no" }, slug)));
  const status = h("select", { id: "status" }, STATUSES.map((s) => h("option", { value: s }, t(`status_${s}`))));
  const counts = h("p", { class: "hint" });
  const list = h("ul", { class: "queue", "aria-label": t("queue") });
  const detail = h("section", { class: "card detail", "aria-live": "polite", "aria-label": t("details") });
  const selection = h("span", { class: "hint" });
  const bulkChoices = h("div", { class: "actions" }, ...Object.entries(KEYS).map(([, decision]) =>
    h("button", { type: "button", class: "small", onclick: () => confirmMany(decision) }, `${label(decision)} ✓`)));
  const bulkStep = h("div", { class: "actions bulk-step", role: "status", "aria-live": "polite" });
  const singleStep = h("div", { class: "actions single-step", role: "status", "aria-live": "polite" });
  const bulk = h("div", { class: "bulk" }, selection, bulkChoices, bulkStep);

  async function load() {
    const query = new URLSearchParams({ status: status.value, limit: "200" });
    if (programme.value) query.set("programme", programme.value);
    const page = await staff(`/api/v1/moderation/queue?${query}`);
    state.items = page.items.filter((i) => i.id !== state.heldOne?.id); // held: shown as decided
    state.current = Math.min(state.current, Math.max(0, page.items.length - 1));
    state.selected.clear();
    counts.textContent = Object.entries(page.counts).map(([s, n]) => `${t(`status_${s}`)}${t("colon")}${formatNumber(n)}`).join(" · ");
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
              item.photos[0] ? staffPhoto(item.photos[0].urls.small, { alt: "", width: 56, height: 56 }) : h("span", { class: "nophoto" }),
              h("button", { type: "button", class: "link", onclick: () => { state.current = index; drawList(); drawDetail(); } },
                h("strong", { translate: "no" }, name(item)),
                h("span", { class: "meta" }, ` ${formatDate(item.observed_at)}`, item.commune ? h("span", { translate: "no" }, ` · ${communeName(item.commune)}`) : null),
                item.flags.length ? h("span", { class: "flag", title: item.flags.map(flagText).join("\n") },
                  h("span", { "aria-hidden": "true" }, " ⚑ "), t("flagCount", item.flags.length)) : null,
                item.sensitivity_level > 0 ? h("span", { class: "flag" }, ` ${t("sensitive", item.sensitivity_level)}`) : null,
                isAbsence(item) ? h("span", { class: "flag absence" }, ` ${t("absence")}`) : null,
                duplicateBadge(item),
                item.awaiting_reply ? h("span", { class: "awaiting" }, h("span", { "aria-hidden": "true" }, " ✉ "), t("awaitingReply")) : null)))),
    );
    drawSelection();
  }

  function drawSelection() {
    selection.textContent = `${t("selected", state.selected.size)} — ${t("applyTo")}${t("colon").trimEnd()}`;
    bulk.hidden = state.selected.size === 0 && !state.heldBulk;
    bulkChoices.hidden = Boolean(state.heldBulk);
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
          taxonLabel(taxon))))));
    const historyBox = h("ol", { class: "history" });
    const mapBox = h("div", { class: "map small" });
    const pair = await duplicatePanel(item, { name, photo: staffPhoto, done: (text) => {
      message.textContent = text;
      load();
    } });
    if (state.items[state.current] !== item) return; // the moderator moved on meanwhile
    detail.replaceChildren(); // then `fill`, which skips the parts a record lacks (no comment, no flags)
    fill(detail,
      h("h2", { translate: "no" }, name(item)),
      isAbsence(item) ? h("p", { class: "absence" }, t("absence")) : null, // a moderator judges a search, not a sighting
      h("p", { class: "meta" }, `${formatDate(item.observed_at, { time: true })} · `,
        item.commune ? h("span", { translate: "no" }, `${communeName(item.commune)} · `) : null,
        h("span", { translate: "no" }, item.programme), ` · ${t("status")}${t("colon")}${t(`status_${item.status}`)}`),
      h("div", { class: "gallery" }, item.photos.map((photo, index) =>
        h("figure", {},
          h("a", { href: "#", onclick: (event) => { event.preventDefault(); openStaffPhoto(photo.urls.original); } }, staffPhoto(photo.urls.large, { alt: name(item) })),
          generalised(item) ? h("figcaption", {}, h("label", {},
            h("input", { type: "checkbox", class: "shows-no-place", checked: photo.shows_no_place, onchange: (event) => judgePhoto(item, photo, event.target) }),
            ` ${t("showsNoPlace", index + 1)}`)) : null))),
      item.photos.length && generalised(item) ? h("p", { class: "hint" }, t("photosWithheld")) : null,
      mapBox,
      answers(item),
      item.comment ? h("blockquote", { translate: "no" }, item.comment) : null,
      item.flags.length
        ? h("div", {}, h("h3", {}, `⚑ ${t("flagCount", item.flags.length)}`), h("p", { class: "hint" }, t("flagsHint")),
            h("ul", { class: "flags" }, item.flags.map((f) => h("li", {}, flagText(f)))))
        : null,
      pair,
      h("div", { class: "field" }, h("label", { for: "moderator-comment" }, t("commentFor")), comment),
      h("div", { class: "actions decisions" },
        ...Object.entries(KEYS).map(([key, decision]) =>
          h("button", { type: "button", class: decision === "invalid" ? "danger" : "primary", "aria-keyshortcuts": key.toUpperCase(), onclick: () => decide(decision) }, label(decision)))),
      h("div", { class: "field" }, h("label", { for: "reidentify" }, t("reidentify")), taxonSearch, taxa),
      h("details", { ontoggle: async (event) => {
        if (!event.target.open) return;
        const events = await staff(`/api/v1/observations/${item.id}/history`);
        historyBox.replaceChildren(...events.map(historyLine));
      } }, h("summary", {}, t("history")), historyBox),
      h("details", { class: "messages", open: item.awaiting_reply }, h("summary", {}, t("messages"), item.awaiting_reply ? ` — ${t("awaitingReply")}` : ""),
        threadPanel(item.id, staff, { canHide: mayModerate(me, item), onChange: (thread) => {
          if (thread.awaiting_reply === item.awaiting_reply) return;
          item.awaiting_reply = thread.awaiting_reply;
          drawList();
        } })),
    );
    createMap(mapBox, [item.location.lat, item.location.lon], 13).then(({ L, map }) => {
      L.circleMarker([item.location.lat, item.location.lon], { radius: 8 }).addTo(map);
      if (item.location.accuracy_m) L.circle([item.location.lat, item.location.lon], { radius: item.location.accuracy_m }).addTo(map);
    }).catch(() => {});
    detail.dataset.id = item.id;
    detail.querySelectorAll("textarea").forEach((box) => box.addEventListener("keydown", (event) => event.stopPropagation()));
    taxonSearch.addEventListener("keydown", (event) => event.stopPropagation());
  }

  /** One decision: the record leaves the list at once, the decision is held a few seconds with
   * an undo (as bulk decisions are), then sent; a next decision sends the held one first. */
  function decide(decision, cdNom) {
    const item = state.items[state.current];
    if (!item) return;
    state.heldOne?.send();
    const comment = detail.querySelector("#moderator-comment")?.value.trim() || null;
    const body = { status: decision, expected_version: item.version, comment, ...(cdNom ? { cd_nom: cdNom } : {}) };
    const held = holdDecision(singleStep, (left) => t("singleUndo", label(decision), left), {
      send: async () => {
        if (state.heldOne === held) state.heldOne = null;
        singleStep.replaceChildren(t("sendingNow"));
        try {
          await staff(`/api/v1/observations/${item.id}/reviews`, { method: "POST", body });
          message.textContent = t("decided", 1);
        } catch (error) {
          message.textContent = error instanceof ApiError && error.status === 409 ? t("conflict") : errorText(error);
        }
        if (!state.heldOne) singleStep.replaceChildren(); // else the step is the next decision's now
        await load();
      },
      undone: () => {
        state.heldOne = null;
        singleStep.replaceChildren();
        message.textContent = t("undone");
        load();
      },
    });
    held.id = item.id;
    state.heldOne = held;
    state.items = state.items.filter((i) => i.id !== item.id);
    state.current = Math.min(state.current, Math.max(0, state.items.length - 1));
    drawList();
    drawDetail();
  }

  /** A bulk decision: confirmed first, then held for a few seconds with an undo, then sent. */
  function confirmMany(decision) {
    const count = state.selected.size;
    bulkStep.replaceChildren(
      h("span", {}, t("bulkConfirm", count, label(decision))),
      h("button", { type: "button", class: "small primary", onclick: () => holdMany(decision) }, t("confirm")),
      h("button", { type: "button", class: "small", onclick: () => bulkStep.replaceChildren() }, t("cancel")));
  }

  function holdMany(decision) {
    const ids = [...state.selected];
    const versions = Object.fromEntries(state.items.filter((i) => state.selected.has(i.id)).map((i) => [i.id, i.version]));
    state.heldBulk = holdDecision(bulkStep, (left) => t("bulkUndo", ids.length, label(decision), left), {
      send: () => {
        state.heldBulk = null;
        bulkStep.replaceChildren();
        return decideMany(ids, versions, decision);
      },
      undone: () => {
        state.heldBulk = null;
        bulkStep.replaceChildren();
        message.textContent = t("undone");
        drawSelection();
      },
    });
    drawSelection();
  }

  async function decideMany(ids, versions, decision) {
    try {
      const answer = await staff("/api/v1/reviews/bulk", { method: "POST", body: { ids, status: decision, expected_versions: versions } });
      const done = answer.results.filter((r) => r.outcome === "decided").length;
      message.textContent = t("decided", done) + (done < ids.length ? ` — ${t("conflict")}` : "");
    } catch (error) {
      message.textContent = errorText(error);
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
  addEventListener("hashchange", () => {
    document.removeEventListener("keydown", onKey);
    state.heldBulk?.send(); // leaving the screen: a confirmed decision still goes, as mail clients do
    state.heldOne?.send();
  }, { once: true });
  programme.addEventListener("change", load);
  status.addEventListener("change", load);
  fill(main, 
    h("div", { class: "staff-head" }, h("h1", {}, t("staff")),
      h("div", { class: "actions" },
        h("a", { class: "button small", href: "#/dashboard" }, t("dashboard")),
        Object.values(me.roles).includes("admin") ? h("a", { class: "button small", href: "#/staff/kinds" }, t("builder")) : null,
        Object.values(me.roles).includes("admin") ? h("a", { class: "button small", href: "#/staff/team" }, t("team")) : null,
        h("button", { type: "button", class: "small", onclick: async () => { await signOut(); location.reload(); } }, t("signOut")))),
    h("p", { class: "hint" }, h("span", { translate: "no" }, me.display_name), ` — ${t("shortcuts")}`),
    validatorGroups(me).length ? h("p", { class: "hint validator" }, t("validatorOf", validatorGroups(me).join(", "))) : null,
    h("div", { class: "filters" },
      h("div", { class: "field" }, h("label", { for: "programme" }, t("programme")), programme),
      h("div", { class: "field" }, h("label", { for: "status" }, t("status")), status)),
    counts, message, singleStep, bulk, h("div", { class: "staff-grid" }, list, detail));
  await load();
}

/** Hold a decision UNDO_SECONDS in `step`, counting down with an undo button; `send` when the
 * time is up (or at once through `held.send()`), `undone` when the moderator takes it back. */
function holdDecision(step, text, { send, undone }) {
  let left = UNDO_SECONDS;
  const countdown = h("span", {}, text(left));
  const held = {
    send: () => {
      clearInterval(held.timer);
      return send();
    },
    timer: setInterval(() => {
      left -= 1;
      if (left <= 0) held.send();
      else countdown.textContent = text(left);
    }, 1000),
  };
  step.replaceChildren(countdown, h("button", { type: "button", class: "small primary undo", onclick: () => {
    clearInterval(held.timer);
    undone();
  } }, t("undo")));
  return held;
}

/** A record the public sees generalised: its photos wait for a moderator's judgement. */
function generalised(item) {
  return item.sensitivity_level > 0 || item.geoprivacy === "obscured";
}

/** Publish (or withhold again) one photo of a generalised record; the box shows the server's answer. */
async function judgePhoto(item, photo, box) {
  try {
    const record = await staff(`/api/v1/observations/${item.id}/photos/${photo.id}/shows-no-place`, { method: "PUT", body: { shows_no_place: box.checked } });
    Object.assign(item, record);
  } catch {
    box.checked = !box.checked;
  }
}

/** Whether the signed-in person decides on this record: on its whole programme, or its taxon group. */
function mayModerate(me, item) {
  const roles = [me.roles[item.programme], me.taxon_groups?.[item.programme]?.[item.taxon?.group]];
  return roles.some((role) => role === "moderator" || role === "admin");
}

function label(decision) {
  return { certain: t("accept"), probable: t("probable"), doubtful: t("doubt"), invalid: t("reject") }[decision];
}

/** A species by the reader's name for it; a heritage item by the name typed, else its category;
 * a programme's protocol without a taxon by its title. */
function itemName(item, heritage) {
  if (item.taxon) return taxonName(taxonByCode(item.taxon.cd_nom) ?? item.taxon);
  if (item.kind !== "species" && item.kind !== "heritage") return schemaTitle(programmeKind(item.kind, item.schema_version)?.schema, item.kind);
  const category = item.data.category && heritage ? enumLabel(heritage.properties.category, item.data.category) : item.data.category;
  if (item.data.name) return category ? `${item.data.name} (${category})` : item.data.name;
  return category ?? t(item.kind === "heritage" ? "kindHeritage" : "kindSpecies");
}

function isAbsence(item) {
  return item.data?.occurrence_status === "absent";
}

/** A programme protocol's answers, in its fields' order and the reader's language (once the
 * bundle that carries its schema is there: a first visit fetches it after the queue shows). */
function answers(item) {
  const box = h("section", { class: "answers", hidden: true });
  whenReference().then(() => {
    const schema = programmeKind(item.kind, item.schema_version)?.schema;
    if (!schema) return;
    const rows = fieldOrder(schema).filter((name) => name !== "cd_nom" && item.data[name] !== undefined).map((name) =>
      [h("dt", {}, schemaTitle(schema.properties[name], name)), answerText(schema.properties[name], item.data[name])]);
    fill(box, h("h3", {}, schemaTitle(schema, item.kind)), h("dl", {}, rows.flat()));
    box.hidden = false;
  });
  return box;
}

function answerText(node, value) {
  if (typeof value === "boolean") return h("dd", {}, value ? t("yes") : t("no"));
  if (Array.isArray(value)) return h("dd", {}, value.map((v) => enumLabel(node, v)).join(", "));
  if (typeof value === "number") return h("dd", {}, `${formatNumber(value, 6)}${node["x-unit"] ? ` ${node["x-unit"]}` : ""}`);
  if (node.enum) return h("dd", {}, enumLabel(node, value));
  return h("dd", { translate: "no" }, value); // a date (ISO), or text the observer typed
}

/** An automatic flag in the reader's language, from its code and figures (the server's sentence is English). */
function flagText(flag) {
  const key = `flag_${flag.code}`;
  const text = t(key, flag.detail ?? {});
  return text === key ? `${t("flag_other")} (${flag.code})` : text;
}

/** "28 nov. 2026, 14:05 — un modérateur : décision → validée « Merci »", in the reader's time zone. */
function historyLine(event) {
  const status = event.after?.status ? ` → ${t(`status_${event.after.status}`)}` : "";
  return h("li", {},
    `${formatDate(event.occurred_at, { time: true })} — ${t(`actor_${event.actor_kind}`)}${t("colon")}${t(`action_${event.action}`)}${status}`,
    event.comment ? h("span", { translate: "no" }, ` « ${event.comment} »`) : null);
}

/** Sign in, then the screen asked for (the queue, or the form builder). */
function loginForm(main, args) {
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
        await show(main, { args });
      } catch (error) {
        message.textContent = errorText(error);
      }
    } },
      h("div", { class: "field" }, h("label", { for: "email" }, t("email")), email),
      h("div", { class: "field" }, h("label", { for: "password" }, t("password")), password),
      message,
      h("button", { type: "submit", class: "big primary" }, t("signIn"))));
}
