// My data, in plain words: pseudonym or anonymity, a full copy, erasure.
import { deviceHeaders, signed } from "../api.js";
import { allRecords, clearAll, getMeta, setMeta } from "../db.js";
import { h, fill } from "../dom.js";
import { errorText, t } from "../i18n.js";

export async function show(main) {
  const message = h("p", { class: "message", role: "status" });
  const fail = (error, where = message) => (where.textContent = errorText(error));
  const pseudonymMessage = h("p", { class: "message", role: "status", id: "pseudonym-message" });
  const accountMessage = h("p", { class: "message", role: "status", id: "account-message" });
  const registered = Boolean(await getMeta("device"));
  let me = null;
  if (registered && navigator.onLine) me = await signed("/api/v1/me").catch(() => null);
  // The app registers this phone on its first start; there is an account to delete only once it
  // holds something: observations sent, a pseudonym, or an email account linked from here.
  const linkedEmail = await getMeta("account");
  const sentHere = (await allRecords()).some((record) => record.state === "sent");
  const hasAccount = registered && Boolean(me?.observations || me?.pseudonym || linkedEmail || sentHere);
  const pseudonym = h("input", { id: "pseudonym", type: "text", maxlength: 40, value: me?.pseudonym ?? "" });
  const email = h("input", { id: "account-email", type: "email", autocomplete: "username" });
  const password = h("input", { id: "account-password", type: "password", autocomplete: "current-password", minlength: 10 });
  const account = (path) => async () => {
    try {
      const answer = await signed(path, { method: "POST", body: { email: email.value.trim(), password: password.value } });
      await setMeta("account", answer.email);
      accountMessage.textContent = `${t("accountLinked")} ${answer.email}`;
      password.value = "";
    } catch (error) {
      fail(error, accountMessage);
    }
  };
  const choice = h("select", { id: "erase-choice" },
    h("option", { value: "anonymise" }, t("eraseKeep")),
    h("option", { value: "delete" }, t("eraseDelete")));
  fill(main, 
    h("h1", {}, t("privacy")),
    h("p", {}, t("privacyText")),
    h("form", { class: "card", onsubmit: async (event) => {
      event.preventDefault();
      try {
        const chosen = pseudonym.value.trim() || null;
        await signed("/api/v1/me", { method: "PUT", body: { pseudonym: chosen } });
        pseudonymMessage.textContent = `✓ ${chosen ? t("pseudonymSaved") : t("pseudonymCleared")}`;
      } catch (error) {
        fail(error, pseudonymMessage);
      }
    } },
      h("div", { class: "field" }, h("label", { for: "pseudonym" }, t("pseudonym")), pseudonym,
        h("p", { class: "hint" }, t("pseudonymHint"))),
      h("button", { type: "submit", class: "big" }, t("savePseudonym")),
      pseudonymMessage),
    h("section", { class: "card" },
      h("h2", {}, t("account")), h("p", { class: "hint" }, t("accountHint")),
      h("div", { class: "field" }, h("label", { for: "account-email" }, t("accountEmail")), email),
      h("div", { class: "field" }, h("label", { for: "account-password" }, t("accountPassword")), password),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "small", onclick: account("/api/v1/me/account") }, t("createAccount")),
        h("button", { type: "button", class: "small", onclick: account("/api/v1/me/account/sign-in") }, t("signInAccount"))),
      accountMessage),
    hasAccount && h("section", { class: "card" },
      h("button", { type: "button", class: "big secondary", onclick: async () => {
        try {
          const response = await fetch("/api/v1/me/export", { headers: await deviceHeaders() });
          if (!response.ok) throw Object.assign(new Error(response.statusText), { status: response.status });
          const link = h("a", { href: URL.createObjectURL(await response.blob()), download: "cairn-my-data.zip" });
          link.click();
        } catch (error) {
          fail(error);
        }
      } }, t("export"))),
    // Only a phone the server knows has something to delete there.
    hasAccount && h("section", { class: "card danger-zone" },
      h("div", { class: "field" }, h("label", { for: "erase-choice" }, t("erase")), choice),
      h("button", { type: "button", class: "big danger", onclick: async () => {
        if (!confirm(t("eraseConfirm"))) return;
        try {
          await signed(`/api/v1/me?observations=${choice.value}`, { method: "DELETE" });
          await clearAll();
          message.textContent = t("erased");
        } catch (error) {
          fail(error);
        }
      } }, t("erase"))),
    message,
  );
}
