// My data, in plain words: pseudonym or anonymity, a full copy, erasure.
import { deviceHeaders, signed } from "../api.js";
import { clearAll, getMeta } from "../db.js";
import { h, fill } from "../dom.js";
import { t } from "../i18n.js";

export async function show(main) {
  const message = h("p", { class: "message", role: "status" });
  const fail = (error) => (message.textContent = navigator.onLine ? error.message : t("needsNetwork"));
  const registered = Boolean(await getMeta("device"));
  let me = null;
  if (registered && navigator.onLine) me = await signed("/api/v1/me").catch(() => null);
  const pseudonym = h("input", { id: "pseudonym", type: "text", maxlength: 40, value: me?.pseudonym ?? "" });
  const choice = h("select", { id: "erase-choice" },
    h("option", { value: "anonymise" }, t("eraseKeep")),
    h("option", { value: "delete" }, t("eraseDelete")));
  fill(main, 
    h("h1", {}, t("privacy")),
    h("p", {}, t("privacyText")),
    h("form", { class: "card", onsubmit: async (event) => {
      event.preventDefault();
      try {
        await signed("/api/v1/me", { method: "PUT", body: { pseudonym: pseudonym.value.trim() || null } });
        message.textContent = "✓";
      } catch (error) {
        fail(error);
      }
    } },
      h("div", { class: "field" }, h("label", { for: "pseudonym" }, t("pseudonym")), pseudonym,
        h("p", { class: "hint" }, t("pseudonymHint"))),
      h("button", { type: "submit", class: "big" }, t("savePseudonym"))),
    h("section", { class: "card" },
      h("button", { type: "button", class: "big secondary", onclick: async () => {
        try {
          const response = await fetch("/api/v1/me/export", { headers: await deviceHeaders() });
          if (!response.ok) throw new Error(response.statusText);
          const link = h("a", { href: URL.createObjectURL(await response.blob()), download: "cairn-my-data.zip" });
          link.click();
        } catch (error) {
          fail(error);
        }
      } }, t("export"))),
    h("section", { class: "card danger-zone" },
      h("div", { class: "field" }, h("label", { for: "erase-choice" }, t("erase")), choice),
      h("button", { type: "button", class: "big danger", onclick: async () => {
        if (!confirm(t("eraseConfirm"))) return;
        try {
          if (registered) {
            await signed(`/api/v1/me?observations=${choice.value}`, { method: "DELETE" });
          }
          await clearAll();
          message.textContent = t("erased");
        } catch (error) {
          fail(error);
        }
      } }, t("erase"))),
    message,
  );
}
