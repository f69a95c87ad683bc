// A record's thread with the moderators: the panel both sides use, and which replies are unread.
import { getMeta, setMeta } from "./db.js";
import { h, fill } from "./dom.js";
import { errorText, extend, formatDate, t } from "./i18n.js";

extend({
  fr: {
    messages: "Messages", newReply: "nouvelle réponse", writeMessage: "Votre message", sendMessage: "Envoyer",
    noMessages: "Aucun message. Une question sur cette observation ? Écrivez aux modérateurs.",
    author_contributor: "Observateur", author_staff: "Modérateur", you: "Vous", hiddenMessage: "Message masqué par la modération.",
    hide: "Masquer", hideReason: "Pourquoi masquer ce message ?", awaitingReply: "attend une réponse", messageTooLong: "2 000 caractères au plus.",
  },
  en: {
    messages: "Messages", newReply: "new reply", writeMessage: "Your message", sendMessage: "Send",
    noMessages: "No messages. A question about this observation? Write to the moderators.",
    author_contributor: "Observer", author_staff: "Moderator", you: "You", hiddenMessage: "Message hidden by the moderators.",
    hide: "Hide", hideReason: "Why hide this message?", awaitingReply: "awaits an answer", messageTooLong: "2,000 characters at most.",
  },
  it: {
    messages: "Messaggi", newReply: "nuova risposta", writeMessage: "Il vostro messaggio", sendMessage: "Invia",
    noMessages: "Nessun messaggio. Una domanda su questa osservazione? Scrivete ai moderatori.",
    author_contributor: "Osservatore", author_staff: "Moderatore", you: "Voi", hiddenMessage: "Messaggio nascosto dalla moderazione.",
    hide: "Nascondi", hideReason: "Perché nascondere questo messaggio?", awaitingReply: "attende una risposta", messageTooLong: "Al massimo 2000 caratteri.",
  },
});

const SEEN_KEY = "seenReplies";
const MAX_MESSAGE = 2000;

/** Whether staff wrote in this record's thread since the visitor last opened it. */
export async function unreadReply(record) {
  const at = record.server?.last_reply_at;
  if (!at) return false;
  const seen = (await getMeta(SEEN_KEY)) ?? {};
  return seen[record.id] !== at;
}

async function markReplySeen(record) {
  const at = record.server?.last_reply_at;
  if (!at) return;
  const seen = (await getMeta(SEEN_KEY)) ?? {};
  seen[record.id] = at;
  await setMeta(SEEN_KEY, seen);
}

/**
 * The thread of one record: its messages (always as text, never markup) and a box to write.
 * `call` is `signed` (the visitor's device) or `staff`; `record` (visitor side) is marked read;
 * `canHide` shows the moderators' hide button.
 */
export function threadPanel(observationId, call, { record = null, canHide = false, onChange = () => {} } = {}) {
  const url = `/api/v1/observations/${observationId}/comments`;
  const list = h("ol", { class: "thread", "aria-live": "polite" });
  const message = h("p", { class: "message", role: "status" });
  const box = h("textarea", { id: `message-${observationId}`, rows: 3, maxlength: MAX_MESSAGE });
  const who = (m) => (m.mine ? t("you") : m.author_name ? `${t("author_staff")} — ${m.author_name}` : t(`author_${m.author}`));
  async function load() {
    const thread = await call(url);
    list.replaceChildren(...(thread.messages.length === 0 ? [h("li", { class: "empty" }, t("noMessages"))] : thread.messages.map((m) =>
      h("li", { class: `message-${m.author}${m.hidden ? " hidden-message" : ""}`, "data-id": m.id },
        h("p", { class: "meta" }, `${who(m)} · ${formatDate(m.created_at, { time: true })}`),
        h("p", { class: "body", translate: "no" }, m.body ?? t("hiddenMessage")),
        m.hidden && m.body ? h("p", { class: "hint" }, t("hiddenMessage")) : null,
        canHide && !m.hidden ? h("button", { type: "button", class: "small", onclick: () => hide(m.id) }, t("hide")) : null))));
    if (record) await markReplySeen(record);
    onChange(thread);
  }
  async function hide(messageId) {
    const reason = prompt(t("hideReason"));
    if (!reason) return;
    try {
      await call(`${url}/${messageId}/hide`, { method: "POST", body: { reason } });
      await load();
    } catch (error) {
      message.textContent = errorText(error);
    }
  }
  const form = h("form", { class: "thread-form", onsubmit: async (event) => {
    event.preventDefault();
    const body = box.value.trim();
    if (!body) return;
    if (body.length > MAX_MESSAGE) return (message.textContent = t("messageTooLong"));
    try {
      await call(url, { method: "POST", body: { body } });
      box.value = "";
      message.textContent = "";
      await load();
    } catch (error) {
      message.textContent = errorText(error);
    }
  } },
    h("label", { for: box.id }, t("writeMessage")), box, message,
    h("button", { type: "submit", class: "small primary" }, t("sendMessage")));
  const panel = h("section", { class: "thread-panel", "aria-label": t("messages") });
  fill(panel, list, form);
  load().catch((error) => { message.textContent = errorText(error); fill(panel, message); });
  return panel;
}
