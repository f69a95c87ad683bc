// Texts of the app in French, English and Italian; the browser's language first.
const TEXTS = {
  fr: {
    skip: "Aller au contenu", language: "Langue", home: "Accueil", record: "Noter", mine: "Mes observations",
    map: "Carte", privacy: "Mes données",
    online: "En ligne", offline: "Hors ligne — tout est gardé sur le téléphone",
    welcome: "Que voyez-vous ?", species: "Une espèce", speciesHint: "plante, animal, champignon",
    heritage: "Du patrimoine", heritageHint: "chapelle, cadran solaire, four, canal…",
    programme: "Programme", place: "Lieu",
    waitingCount: (n) => (n === 0 ? "Rien en attente d'envoi" : `${n} observation${n > 1 ? "s" : ""} en attente d'envoi`),
    storage: "Stockage", persisted: "protégé par le navigateur", notPersisted: "peut être effacé par le navigateur si la place manque",
    used: (u, q) => `${u} utilisés sur ${q}`,
    position: "Position", locating: "Recherche de la position…", accuracy: (m) => `précision ${m}`,
    dragHint: "Déplacez le repère si besoin.", noGeo: "Position indisponible : touchez la carte pour placer le repère.",
    taxon: "Espèce", searchTaxon: "Chercher une espèce (nom commun ou latin)", noMatch: "Aucune espèce trouvée",
    photo: "Photo", addPhoto: "Prendre ou choisir une photo", removePhoto: "Retirer la photo",
    details: "Détails", comment: "Commentaire", save: "Enregistrer", saved: "Enregistré : il partira dès qu'il y aura du réseau.",
    required: "Obligatoire", chooseTaxon: "Choisissez une espèce dans la liste.", needPosition: "Il faut une position.",
    state_waiting: "en attente", state_sending: "envoi…", state_sent: "envoyée", state_invalid: "à corriger",
    state_conflict: "en conflit",
    status_pending: "en attente de validation", status_certain: "validée", status_probable: "validée (probable)",
    status_doubtful: "douteuse", status_awaiting_second_opinion: "en attente d'un second avis", status_invalid: "refusée", status_not_assessable: "non évaluable",
    status_unknown: "inconnu", status_withdrawn: "retirée",
    moderator: "Modérateur", noObservations: "Pas encore d'observation. À vous de jouer !",
    withdraw: "Retirer", withdrawConfirm: "Retirer cette observation des données publiques ?",
    edit: "Corriger", sendNow: "Envoyer maintenant", retry: "Réessayer",
    pseudonym: "Pseudonyme public", pseudonymHint: "Vide = rester anonyme. Il apparaît sur vos observations publiques.",
    savePseudonym: "Enregistrer le pseudonyme", export: "Télécharger toutes mes données",
    erase: "Supprimer mon compte", eraseKeep: "garder mes observations, anonymisées", eraseDelete: "supprimer aussi mes observations",
    eraseConfirm: "C'est définitif. Continuer ?", erased: "Vos données ont été supprimées.",
    privacyText: "Cairn ne connaît de vous qu'un identifiant d'appareil et le pseudonyme que vous choisissez. Les positions précises des espèces sensibles ne sont jamais publiées ; les photos sont publiées sans aucune métadonnée.",
    needsNetwork: "Il faut du réseau pour cela.",
    openMap: "Observations validées", group: "Groupe", all: "Tous", since: "Depuis", loadMore: "Plus",
    generalised: "position généralisée", count: (n) => `${formatNumber(n)} observation${n > 1 ? "s" : ""}`,
    kindSpecies: "Espèce", kindHeritage: "Patrimoine", back: "Retour",
    mapUnavailable: "Fond de carte indisponible hors ligne pour cette zone.",
    account: "Compte (facultatif)", accountHint: "Pour retrouver vos observations sur un autre appareil. Sans compte, tout reste lié à ce téléphone.",
    accountEmail: "Adresse e-mail", accountPassword: "Mot de passe (10 caractères au moins)", createAccount: "Créer le compte", signInAccount: "Me connecter",
    accountLinked: "Cet appareil est lié au compte",
    staffLink: "Espace des modérateurs", impactLink: "Mon impact", targetsOfProgramme: "Espèces recherchées par le programme",
    notSent: "Pas encore envoyée — gardée sur le téléphone", sentPending: "Envoyée, en attente de validation",
    sendingNow: "Envoi en cours…", offlineSend: "Hors ligne : elle partira d'elle-même dès que le réseau revient.",
    nothingToSend: "Tout est envoyé.", decisionsNotice: (n) => `${n} observation${n > 1 ? "s ont" : " a"} reçu une décision des modérateurs.`,
    seeThem: "Voir", newDecisions: (n) => `${n} nouvelle${n > 1 ? "s" : ""} décision${n > 1 ? "s" : ""}`,
    pseudonymSaved: "Pseudonyme enregistré.", pseudonymCleared: "Pseudonyme retiré : vous restez anonyme.",
    suggestions: "Suggestions", nearbySpecies: "Vues récemment près d'ici", photoFirst: "Prendre une photo",
    photoPlace: (m) => (m ? `Position lue dans la photo (précision ${m})` : "Position lue dans la photo"), photoTime: "Heure lue dans la photo",
    moreDetails: "Plus de détails (facultatif)", observedAt: "Date et heure", chosenTaxon: "Espèce choisie",
    problemField: "Champ", refused: "Le serveur a refusé cette observation :",
    error_missing: "manquant", error_invalid: "valeur refusée", error_wrong_type: "valeur refusée", error_invalid_format: "format refusé",
    error_out_of_range: "hors des limites", error_in_future: "date dans le futur", error_too_old: "date trop ancienne",
    error_unknown_taxon: "espèce inconnue", error_unknown_item: "élément inconnu", error_implausible_position: "position impossible",
    error_outside_territory: "hors du territoire", error_not_allowed: "non accepté par ce programme", error_required: "obligatoire",
    wrongCredentials: "Adresse ou mot de passe incorrect.", tooMany: "Trop de demandes : réessayez dans une minute.",
    serverError: (status) => `Le serveur n'a pas pu répondre (erreur ${status}). Réessayez plus tard.`,
    photoOf: (name) => `Photo : ${name}`, zoomIn: "Zoomer", zoomOut: "Dézoomer", colon: " : ",
    yes: "Oui", no: "Non", error_too_short: "trop court", error_too_long: "trop long", error_unknown_field: "champ inconnu",
    photoRequired: "Une photo est obligatoire pour ce protocole.", fixFields: (n) => `${n} champ${n > 1 ? "s" : ""} à corriger`,
    tab_home: "Accueil", tab_record: "Noter", tab_mine: "Les miennes", tab_map: "Carte", tab_atlas: "Atlas", tab_privacy: "Données",
  },
  en: {
    skip: "Skip to content", language: "Language", home: "Home", record: "Record", mine: "My observations",
    map: "Map", privacy: "My data",
    online: "Online", offline: "Offline — everything is kept on the phone",
    welcome: "What do you see?", species: "A species", speciesHint: "plant, animal, fungus",
    heritage: "Heritage", heritageHint: "chapel, sundial, bread oven, canal…",
    programme: "Programme", place: "Place",
    waitingCount: (n) => (n === 0 ? "Nothing waiting to be sent" : `${n} observation${n > 1 ? "s" : ""} waiting to be sent`),
    storage: "Storage", persisted: "protected by the browser", notPersisted: "may be cleared by the browser when space runs low",
    used: (u, q) => `${u} used of ${q}`,
    position: "Position", locating: "Finding your position…", accuracy: (m) => `accurate to ${m}`,
    dragHint: "Drag the marker if needed.", noGeo: "No position: tap the map to place the marker.",
    taxon: "Species", searchTaxon: "Search a species (common or Latin name)", noMatch: "No species found",
    photo: "Photo", addPhoto: "Take or choose a photo", removePhoto: "Remove the photo",
    details: "Details", comment: "Comment", save: "Save", saved: "Saved: it will be sent as soon as there is a network.",
    required: "Required", chooseTaxon: "Choose a species from the list.", needPosition: "A position is needed.",
    state_waiting: "waiting", state_sending: "sending…", state_sent: "sent", state_invalid: "needs a fix",
    state_conflict: "conflict",
    status_pending: "waiting for validation", status_certain: "validated", status_probable: "validated (probable)",
    status_doubtful: "doubtful", status_awaiting_second_opinion: "awaiting a second opinion", status_invalid: "rejected", status_not_assessable: "not assessable",
    status_unknown: "unknown", status_withdrawn: "withdrawn",
    moderator: "Moderator", noObservations: "No observations yet. Your turn!",
    withdraw: "Withdraw", withdrawConfirm: "Withdraw this observation from the open data?",
    edit: "Correct", sendNow: "Send now", retry: "Retry",
    pseudonym: "Public pseudonym", pseudonymHint: "Empty = stay anonymous. It appears on your public observations.",
    savePseudonym: "Save pseudonym", export: "Download all my data",
    erase: "Delete my account", eraseKeep: "keep my observations, anonymised", eraseDelete: "delete my observations too",
    eraseConfirm: "This is final. Continue?", erased: "Your data has been deleted.",
    privacyText: "Cairn knows only a device id and the pseudonym you choose. Precise positions of sensitive species are never published; photos are published without any metadata.",
    needsNetwork: "This needs a network.",
    openMap: "Validated observations", group: "Group", all: "All", since: "Since", loadMore: "More",
    generalised: "generalised position", count: (n) => `${formatNumber(n)} observation${n > 1 ? "s" : ""}`,
    kindSpecies: "Species", kindHeritage: "Heritage", back: "Back",
    mapUnavailable: "Base map unavailable offline for this area.",
    account: "Account (optional)", accountHint: "To find your observations on another device. Without one, everything stays with this phone.",
    accountEmail: "Email address", accountPassword: "Password (10 characters at least)", createAccount: "Create the account", signInAccount: "Sign in",
    accountLinked: "This device is linked to the account",
    staffLink: "Moderators' area", impactLink: "My impact", targetsOfProgramme: "Species the programme is looking for",
    notSent: "Not sent yet — kept on the phone", sentPending: "Sent, waiting for validation",
    sendingNow: "Sending…", offlineSend: "Offline: it will go by itself as soon as the network is back.",
    nothingToSend: "Everything is sent.", decisionsNotice: (n) => `${n} observation${n > 1 ? "s have" : " has"} been decided by the moderators.`,
    seeThem: "See", newDecisions: (n) => `${n} new decision${n > 1 ? "s" : ""}`,
    pseudonymSaved: "Pseudonym saved.", pseudonymCleared: "Pseudonym removed: you stay anonymous.",
    suggestions: "Suggestions", nearbySpecies: "Seen recently near here", photoFirst: "Take a photo",
    photoPlace: (m) => (m ? `Position read from the photo (accurate to ${m})` : "Position read from the photo"), photoTime: "Time read from the photo",
    moreDetails: "More details (optional)", observedAt: "Date and time", chosenTaxon: "Chosen species",
    problemField: "Field", refused: "The server refused this observation:",
    error_missing: "missing", error_invalid: "value refused", error_wrong_type: "value refused", error_invalid_format: "format refused",
    error_out_of_range: "out of range", error_in_future: "date in the future", error_too_old: "date too old",
    error_unknown_taxon: "unknown species", error_unknown_item: "unknown item", error_implausible_position: "impossible position",
    error_outside_territory: "outside the territory", error_not_allowed: "not accepted by this programme", error_required: "required",
    wrongCredentials: "Wrong email address or password.", tooMany: "Too many requests: try again in a minute.",
    serverError: (status) => `The server could not answer (error ${status}). Try again later.`,
    photoOf: (name) => `Photo: ${name}`, zoomIn: "Zoom in", zoomOut: "Zoom out", colon: ": ",
    yes: "Yes", no: "No", error_too_short: "too short", error_too_long: "too long", error_unknown_field: "unknown field",
    photoRequired: "This protocol needs a photo.", fixFields: (n) => `${n} field${n > 1 ? "s" : ""} to correct`,
    tab_home: "Home", tab_record: "Record", tab_mine: "Mine", tab_map: "Map", tab_atlas: "Atlas", tab_privacy: "My data",
  },
  it: {
    skip: "Vai al contenuto", language: "Lingua", home: "Home", record: "Registra", mine: "Le mie osservazioni",
    map: "Mappa", privacy: "I miei dati",
    online: "Online", offline: "Offline — tutto resta sul telefono",
    welcome: "Cosa vedi?", species: "Una specie", speciesHint: "pianta, animale, fungo",
    heritage: "Patrimonio", heritageHint: "cappella, meridiana, forno, canale…",
    programme: "Programma", place: "Luogo",
    waitingCount: (n) => (n === 0 ? "Niente in attesa di invio" : `${n} osservazion${n > 1 ? "i" : "e"} in attesa di invio`),
    storage: "Memoria", persisted: "protetta dal browser", notPersisted: "il browser può cancellarla se manca spazio",
    used: (u, q) => `${u} usati su ${q}`,
    position: "Posizione", locating: "Ricerca della posizione…", accuracy: (m) => `precisione ${m}`,
    dragHint: "Sposta il segnaposto se serve.", noGeo: "Posizione non disponibile: tocca la mappa per posizionare il segnaposto.",
    taxon: "Specie", searchTaxon: "Cerca una specie (nome comune o latino)", noMatch: "Nessuna specie trovata",
    photo: "Foto", addPhoto: "Scatta o scegli una foto", removePhoto: "Togli la foto",
    details: "Dettagli", comment: "Commento", save: "Salva", saved: "Salvata: partirà appena c'è rete.",
    required: "Obbligatorio", chooseTaxon: "Scegli una specie dall'elenco.", needPosition: "Serve una posizione.",
    state_waiting: "in attesa", state_sending: "invio…", state_sent: "inviata", state_invalid: "da correggere",
    state_conflict: "in conflitto",
    status_pending: "in attesa di validazione", status_certain: "validata", status_probable: "validata (probabile)",
    status_doubtful: "dubbia", status_awaiting_second_opinion: "in attesa di un secondo parere", status_invalid: "rifiutata", status_not_assessable: "non valutabile",
    status_unknown: "sconosciuto", status_withdrawn: "ritirata",
    moderator: "Moderatore", noObservations: "Ancora nessuna osservazione. Tocca a te!",
    withdraw: "Ritira", withdrawConfirm: "Ritirare questa osservazione dai dati pubblici?",
    edit: "Correggi", sendNow: "Invia ora", retry: "Riprova",
    pseudonym: "Pseudonimo pubblico", pseudonymHint: "Vuoto = restare anonimi. Compare sulle tue osservazioni pubbliche.",
    savePseudonym: "Salva lo pseudonimo", export: "Scarica tutti i miei dati",
    erase: "Elimina il mio account", eraseKeep: "conserva le mie osservazioni, anonimizzate", eraseDelete: "elimina anche le mie osservazioni",
    eraseConfirm: "È definitivo. Continuare?", erased: "I tuoi dati sono stati eliminati.",
    privacyText: "Cairn conosce solo un identificativo del dispositivo e lo pseudonimo che scegli. Le posizioni precise delle specie sensibili non sono mai pubblicate; le foto sono pubblicate senza metadati.",
    needsNetwork: "Serve la rete.",
    openMap: "Osservazioni validate", group: "Gruppo", all: "Tutti", since: "Dal", loadMore: "Altro",
    generalised: "posizione generalizzata", count: (n) => `${formatNumber(n)} osservazion${n > 1 ? "i" : "e"}`,
    kindSpecies: "Specie", kindHeritage: "Patrimonio", back: "Indietro",
    mapUnavailable: "Mappa di base non disponibile offline per questa zona.",
    account: "Account (facoltativo)", accountHint: "Per ritrovare le tue osservazioni su un altro dispositivo. Senza account, tutto resta su questo telefono.",
    accountEmail: "Indirizzo e-mail", accountPassword: "Password (almeno 10 caratteri)", createAccount: "Crea l'account", signInAccount: "Accedi",
    accountLinked: "Questo dispositivo è collegato all'account",
    staffLink: "Area dei moderatori", impactLink: "Il mio impatto", targetsOfProgramme: "Specie cercate dal programma",
    notSent: "Non ancora inviata — resta sul telefono", sentPending: "Inviata, in attesa di validazione",
    sendingNow: "Invio in corso…", offlineSend: "Offline: partirà da sola appena torna la rete.",
    nothingToSend: "Tutto è stato inviato.", decisionsNotice: (n) => `${n} osservazion${n > 1 ? "i hanno" : "e ha"} ricevuto una decisione dei moderatori.`,
    seeThem: "Vedi", newDecisions: (n) => `${n} nuov${n > 1 ? "e decisioni" : "a decisione"}`,
    pseudonymSaved: "Pseudonimo salvato.", pseudonymCleared: "Pseudonimo tolto: resti anonimo.",
    suggestions: "Suggerimenti", nearbySpecies: "Viste di recente qui vicino", photoFirst: "Scatta una foto",
    photoPlace: (m) => (m ? `Posizione letta dalla foto (precisione ${m})` : "Posizione letta dalla foto"), photoTime: "Ora letta dalla foto",
    moreDetails: "Altri dettagli (facoltativi)", observedAt: "Data e ora", chosenTaxon: "Specie scelta",
    problemField: "Campo", refused: "Il server ha rifiutato questa osservazione:",
    error_missing: "mancante", error_invalid: "valore rifiutato", error_wrong_type: "valore rifiutato", error_invalid_format: "formato rifiutato",
    error_out_of_range: "fuori dai limiti", error_in_future: "data nel futuro", error_too_old: "data troppo vecchia",
    error_unknown_taxon: "specie sconosciuta", error_unknown_item: "elemento sconosciuto", error_implausible_position: "posizione impossibile",
    error_outside_territory: "fuori dal territorio", error_not_allowed: "non accettato da questo programma", error_required: "obbligatorio",
    wrongCredentials: "Indirizzo o password errati.", tooMany: "Troppe richieste: riprova tra un minuto.",
    serverError: (status) => `Il server non ha potuto rispondere (errore ${status}). Riprova più tardi.`,
    photoOf: (name) => `Foto: ${name}`, zoomIn: "Ingrandisci", zoomOut: "Riduci", colon: ": ",
    yes: "Sì", no: "No", error_too_short: "troppo corto", error_too_long: "troppo lungo", error_unknown_field: "campo sconosciuto",
    photoRequired: "Per questo protocollo serve una foto.", fixFields: (n) => `${n} camp${n > 1 ? "i" : "o"} da correggere`,
    tab_home: "Home", tab_record: "Registra", tab_mine: "Le mie", tab_map: "Mappa", tab_atlas: "Atlante", tab_privacy: "Dati",
  },
};

export const LANGS = ["fr", "en", "it"];

/** Add a section's texts (e.g. the staff screens) to every language. */
export function extend(texts) {
  for (const lang of LANGS) Object.assign(TEXTS[lang], texts[lang]);
}
let current = "fr";

/** The language to start with: ?lang=, then the saved choice, then the browser's. */
export function initialLanguage(saved) {
  const asked = new URLSearchParams(location.search).get("lang");
  const browser = (navigator.languages || [navigator.language || "fr"]).map((l) => l.slice(0, 2));
  return [asked, saved, ...browser].find((l) => LANGS.includes(l)) || "fr";
}

export function setLanguage(lang) {
  current = LANGS.includes(lang) ? lang : "fr";
  document.documentElement.lang = current;
}

export function lang() {
  return current;
}

/** The text `key` in the current language (a function is called with `args`). */
export function t(key, ...args) {
  const value = TEXTS[current][key] ?? TEXTS.fr[key] ?? key;
  return typeof value === "function" ? value(...args) : value;
}

/** A JSON Schema node's title (or an enum value's label) in the current language. */
export function schemaTitle(node, fallback) {
  return node?.["x-i18n"]?.[current]?.title ?? node?.title ?? fallback;
}

/**
 * An enum value's label in the current language. Labels sit on the property itself, also for
 * an array of enum values (`threats`: the labels are beside `items`, not inside it).
 */
export function enumLabel(node, value) {
  const labels = node?.["x-enum-i18n"] ?? node?.items?.["x-enum-i18n"];
  return labels?.[value]?.[current] ?? value;
}

/** The reader's locale for this language: the browser's own variant (fr-CH, en-GB) when it has one. */
export function locale() {
  const browser = navigator.languages || [navigator.language || current];
  return browser.find((tag) => tag.slice(0, 2) === current) ?? current;
}

/** A date (and time) in the reader's locale and time zone: "28 nov. 2026, 14:05". */
export function formatDate(value, { time = false } = {}) {
  if (!value) return "—";
  const date = value instanceof Date ? value : new Date(value);
  const style = time ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
  return new Intl.DateTimeFormat(locale(), style).format(date);
}

/** A number with the locale's decimal mark and grouping: 14,6 · 1 326 · 14.6. */
export function formatNumber(value, fractionDigits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: fractionDigits }).format(value);
}

/** Metres below a kilometre, kilometres above: "12 m", "14,6 km". */
export function formatLength(metres) {
  const km = metres >= 1000;
  return new Intl.NumberFormat(locale(), {
    style: "unit", unit: km ? "kilometer" : "meter", unitDisplay: "short", maximumFractionDigits: km ? 1 : 0,
  }).format(km ? metres / 1000 : metres);
}

const BYTE_UNITS = { fr: ["o", "Ko", "Mo", "Go"], en: ["B", "KB", "MB", "GB"], it: ["B", "KB", "MB", "GB"] };

/** A size in the units of the language (Ko in French, KB in English and Italian). */
export function formatBytes(bytes) {
  if (!bytes && bytes !== 0) return "?";
  const units = BYTE_UNITS[current];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatNumber(value, unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/**
 * The INPN group of a taxon (the reference data names them in French) in the reader's language.
 * These are names of groups of living things, not species names.
 */
const GROUPS = {
  Amphibiens: { en: "Amphibians", it: "Anfibi" },
  Angiospermes: { en: "Flowering plants", it: "Angiosperme" },
  Annélides: { en: "Annelids", it: "Anellidi" },
  Arachnides: { en: "Arachnids", it: "Aracnidi" },
  Bivalves: { en: "Bivalves", it: "Bivalvi" },
  Crustacés: { en: "Crustaceans", it: "Crostacei" },
  Fougères: { en: "Ferns", it: "Felci" },
  Gastéropodes: { en: "Gastropods", it: "Gasteropodi" },
  Gymnospermes: { en: "Gymnosperms", it: "Gimnosperme" },
  Insectes: { en: "Insects", it: "Insetti" },
  Lichens: { en: "Lichens", it: "Licheni" },
  Mammifères: { en: "Mammals", it: "Mammiferi" },
  Mousses: { en: "Mosses", it: "Muschi" },
  Myriapodes: { en: "Myriapods", it: "Miriapodi" },
  Oiseaux: { en: "Birds", it: "Uccelli" },
  Poissons: { en: "Fish", it: "Pesci" },
  Reptiles: { en: "Reptiles", it: "Rettili" },
};

/** The INPN group names the reference's taxa carry (what a validator's grant may name). */
export const TAXON_GROUPS = Object.keys(GROUPS);

export function groupLabel(group) {
  return GROUPS[group]?.[current] ?? group;
}

/** What went wrong with a call to the server, in the reader's language. */
export function errorText(error) {
  if (!navigator.onLine || error instanceof TypeError) return t("needsNetwork");
  const status = error?.status;
  if (status === 401) return t("wrongCredentials");
  if (status === 429) return t("tooMany");
  if (status === 422 || status === 400) return t("refused");
  return t("serverError", status ?? "?");
}
