// Texts of the outbox's sync state shown in the header, in every language of the app.
import { extend } from "./i18n.js";

extend({
  fr: { syncUnregistered: "En ligne — le serveur ne reconnaît plus ce téléphone ; vos observations restent ici, nouvel essai bientôt" },
  en: { syncUnregistered: "Online — the server no longer recognises this phone; your observations stay here, trying again soon" },
  it: { syncUnregistered: "Online — il server non riconosce più questo telefono; le osservazioni restano qui, nuovo tentativo a breve" },
});
