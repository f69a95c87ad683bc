// My impact: what my observations did for science, shareable as an image card (no positions).
import { signed } from "../api.js";
import { getMeta } from "../db.js";
import { h, fill } from "../dom.js";
import { extend, formatNumber, t } from "../i18n.js";
import { taxonName } from "../reference.js";

extend({
  fr: {
    impact: "Mon impact", sentCount: "envoyées", validatedCount: "validées", speciesCount: "espèces", cellsCount: "mailles de 10 km",
    firsts: "Premières mentions dans une commune", shareCard: "Partager ma carte", cardTitle: "Mes observations dans les Hautes-Alpes",
    impactEmpty: "Envoyez une première observation : son parcours s'affichera ici.",
    onlyValidated: "Espèces, mailles et premières mentions ne comptent que les observations validées par les modérateurs.",
    shareLink: "Partager un lien vers mon impact", stopSharing: "Arrêter le partage", linkCopied: "Lien copié.",
    shareLinkHint: "Le lien montre vos chiffres publics et vos mailles de 10 km (sans les espèces sensibles), jamais vos observations ni ce téléphone. Arrêter le partage le désactive partout.",
  },
  en: {
    impact: "My impact", sentCount: "sent", validatedCount: "validated", speciesCount: "species", cellsCount: "10 km cells",
    firsts: "First records in a commune", shareCard: "Share my card", cardTitle: "My observations in the Hautes-Alpes",
    impactEmpty: "Send a first observation: what it does will show here.",
    onlyValidated: "Species, cells and first records count only the observations validated by the moderators.",
    shareLink: "Share a link to my impact", stopSharing: "Stop sharing", linkCopied: "Link copied.",
    shareLinkHint: "The link shows your public figures and 10 km cells (without sensitive species), never your observations or this phone. Stopping the share turns it off everywhere.",
  },
  it: {
    impact: "Il mio impatto", sentCount: "inviate", validatedCount: "validate", speciesCount: "specie", cellsCount: "maglie di 10 km",
    firsts: "Prime segnalazioni in un comune", shareCard: "Condividi la mia scheda", cardTitle: "Le mie osservazioni nelle Hautes-Alpes",
    impactEmpty: "Invia una prima osservazione: qui vedrai cosa ha prodotto.",
    onlyValidated: "Specie, maglie e prime segnalazioni contano solo le osservazioni validate dai moderatori.",
    shareLink: "Condividi un link al mio impatto", stopSharing: "Interrompi la condivisione", linkCopied: "Link copiato.",
    shareLinkHint: "Il link mostra i tuoi numeri pubblici e le tue maglie di 10 km (senza le specie sensibili), mai le tue osservazioni né questo telefono. Interrompere la condivisione lo disattiva ovunque.",
  },
});

export async function show(main) {
  fill(main, h("h1", {}, t("impact")));
  if (!(await getMeta("device"))) return fill(main, h("p", {}, t("impactEmpty")));
  let impact;
  try {
    impact = await signed("/api/v1/me/impact");
  } catch {
    return fill(main, h("p", { class: "hint" }, t("needsNetwork")));
  }
  const figures = [
    [impact.sent, t("sentCount")], [impact.validated, t("validatedCount")],
    [impact.taxa.length, t("speciesCount")], [impact.cells.length, t("cellsCount")],
  ];
  fill(main, 
    h("div", { class: "figures" }, figures.map(([value, label]) =>
      h("div", { class: "figure" }, h("span", { class: "figure-value" }, formatNumber(value)), h("span", { class: "figure-label" }, label)))),
    h("p", { class: "hint only-validated" }, t("onlyValidated")),
    impact.taxa.length
      ? h("ul", { class: "checklist" }, impact.taxa.map((taxon) =>
          h("li", {}, h("a", { href: `#/atlas/taxon/${taxon.cd_ref}`, translate: "no" }, taxonName(taxon)), ` · ${formatNumber(taxon.count)}`)))
      : null,
    impact.firsts.length ? h("section", {}, h("h2", {}, t("firsts")), h("ul", {}, impact.firsts.map((f) => h("li", { translate: "no" }, f.key)))) : null,
    h("button", { type: "button", class: "big secondary", onclick: () => shareCard(figures) }, t("shareCard")),
    await shareLinkSection(),
  );
}

/** The link to my impact page (a random id made on demand, revocable), and how to stop sharing it. */
async function shareLinkSection() {
  const section = h("section", { class: "impact-link" }, h("p", { class: "hint" }, t("shareLinkHint")));
  const status = h("p", { role: "status", "aria-live": "polite" });
  const show = (share) => {
    const link = share ? h("p", {}, h("a", { href: share.url, class: "share-url", translate: "no" }, share.url)) : null;
    const action = share
      ? h("button", { type: "button", class: "secondary", onclick: () => stop() }, t("stopSharing"))
      : h("button", { type: "button", class: "secondary", onclick: () => start() }, t("shareLink"));
    section.replaceChildren(section.firstChild, ...[link, action, status].filter(Boolean));
  };
  const start = async () => {
    const share = await signed("/api/v1/me/impact/share", { method: "POST" }).catch(() => null);
    if (!share) return (status.textContent = t("needsNetwork"));
    show(share);
    if (navigator.share) await navigator.share({ url: share.url, title: t("impact") }).catch(() => {});
    else await navigator.clipboard?.writeText(share.url).then(() => (status.textContent = t("linkCopied"))).catch(() => {});
  };
  const stop = async () => {
    const stopped = await signed("/api/v1/me/impact/share", { method: "DELETE" }).then(() => true, (error) => error.status === 404);
    if (stopped) show(null);
    else status.textContent = t("needsNetwork");
  };
  show(await signed("/api/v1/me/impact/share").catch(() => null));
  return section;
}

/** Draw the figures on a card (never a position) and hand it to the share sheet or a download. */
async function shareCard(figures) {
  const canvas = document.createElement("canvas");
  canvas.width = 1080;
  canvas.height = 1080;
  const context = canvas.getContext("2d");
  context.fillStyle = "#1f4d3a";
  context.fillRect(0, 0, 1080, 1080);
  context.fillStyle = "#f4f1ea";
  context.font = "bold 64px system-ui, sans-serif";
  context.fillText(t("cardTitle"), 80, 180, 920);
  context.font = "bold 120px system-ui, sans-serif";
  figures.forEach(([value, label], i) => {
    const y = 380 + i * 170;
    context.fillText(formatNumber(value), 80, y);
    context.font = "48px system-ui, sans-serif";
    context.fillText(label, 380, y - 20);
    context.font = "bold 120px system-ui, sans-serif";
  });
  context.font = "40px system-ui, sans-serif";
  context.fillText("Cairn", 80, 1020);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const file = new File([blob], "cairn-impact.png", { type: "image/png" });
  if (navigator.canShare?.({ files: [file] })) {
    await navigator.share({ files: [file], title: t("cardTitle") }).catch(() => {});
  } else {
    h("a", { href: URL.createObjectURL(blob), download: "cairn-impact.png" }).click();
  }
}
