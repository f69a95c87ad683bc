// Backup: save what the server has not confirmed to a file, restore such a file here.
import { BackupError, backupContents, backupReasons, restoreBackup, saveBackup } from "../backup.js";
import "../backup-texts.js";
import { getMeta } from "../db.js";
import { h, fill } from "../dom.js";
import { formatBytes, formatDate, t } from "../i18n.js";
import { iosOutsideHomeScreen } from "../space.js";
import { syncNow } from "../sync.js";

export async function show(main) {
  const contents = h("p", { id: "backup-contents", role: "status" });
  const last = h("p", { class: "hint" });
  const saveMessage = h("p", { class: "message", role: "status", id: "backup-message" });
  const restoreMessage = h("p", { class: "message", role: "status", id: "restore-message" });
  const describe = async () => {
    const { records, photos } = await backupContents();
    contents.textContent = t("backupContents", records, photos);
    save.disabled = records === 0;
    const previous = await getMeta("lastBackup");
    last.textContent = previous ? t("backupLast", formatDate(previous.at, { time: true })) : "";
  };
  const save = h("button", { type: "button", class: "big primary", id: "backup-save", onclick: async () => {
    const { records, bytes } = await saveBackup();
    saveMessage.textContent = `✓ ${t("backupSaved", records, formatBytes(bytes))}`;
    await describe();
  } }, t("backupSave"));
  const restore = h("input", { type: "file", id: "backup-restore", accept: "application/json,.json", onchange: async (event) => {
    const [file] = event.target.files;
    event.target.value = "";
    if (!file) return;
    try {
      const { added, already } = await restoreBackup(file);
      restoreMessage.className = "message";
      restoreMessage.textContent = `✓ ${t("backupRestored", added, already)}`;
      syncNow().catch(() => {});
    } catch (error) {
      console.error(error);
      restoreMessage.className = "message problem";
      restoreMessage.textContent = error instanceof BackupError ? t(`backup_${error.code}`) : t("backupRestoreFailed");
    }
    await describe();
  } });
  const reasons = await backupReasons();
  fill(main,
    h("h1", {}, t("backup")),
    h("p", {}, t("backupIntro")),
    reasons.length ? h("section", { class: "card advice", "aria-label": t("adviceTitle") },
      h("h2", {}, t("adviceTitle")), h("ul", {}, reasons.map((reason) => h("li", {}, t(`advice_${reason}`))))) : null,
    contents, last, save, saveMessage, h("p", { class: "hint" }, t("backupPrivate")),
    h("section", { class: "card" },
      h("h2", {}, t("backupRestoreTitle")),
      h("div", { class: "field" }, h("label", { for: "backup-restore" }, t("backupRestoreLabel")), restore),
      restoreMessage),
    iosOutsideHomeScreen() ? homeScreenHowTo() : null);
  await describe();
}

/** iOS has no install prompt: the three taps that put Cairn on the home screen, where it keeps its storage. */
export function homeScreenHowTo() {
  return h("section", { class: "card ios-install", id: "ios-install" },
    h("h2", {}, t("iosTitle")), h("ol", {}, t("iosSteps").map((step) => h("li", {}, step))));
}
