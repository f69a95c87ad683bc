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
    position: "Position", locating: "Recherche de la position…", accuracy: (m) => `précision ${m} m`,
    dragHint: "Déplacez le repère si besoin.", noGeo: "Position indisponible : touchez la carte pour placer le repère.",
    taxon: "Espèce", searchTaxon: "Chercher une espèce (nom commun ou latin)", noMatch: "Aucune espèce trouvée",
    photo: "Photo", addPhoto: "Prendre ou choisir une photo", removePhoto: "Retirer la photo",
    details: "Détails", comment: "Commentaire", save: "Enregistrer", saved: "Enregistré : il partira dès qu'il y aura du réseau.",
    required: "Obligatoire", chooseTaxon: "Choisissez une espèce dans la liste.", needPosition: "Il faut une position.",
    state_waiting: "en attente", state_sending: "envoi…", state_sent: "envoyée", state_invalid: "à corriger",
    state_conflict: "en conflit",
    status_pending: "en attente de validation", status_certain: "validée", status_probable: "validée (probable)",
    status_doubtful: "douteuse", status_invalid: "refusée", status_not_assessable: "non évaluable",
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
    generalised: "position généralisée", count: (n) => `${n} observation${n > 1 ? "s" : ""}`,
    kindSpecies: "Espèce", kindHeritage: "Patrimoine", back: "Retour",
    mapUnavailable: "Fond de carte indisponible hors ligne pour cette zone.",
    account: "Compte (facultatif)", accountHint: "Pour retrouver vos observations sur un autre appareil. Sans compte, tout reste lié à ce téléphone.",
    accountEmail: "Adresse e-mail", accountPassword: "Mot de passe (10 caractères au moins)", createAccount: "Créer le compte", signInAccount: "Me connecter",
    accountLinked: "Cet appareil est lié au compte",
    staffLink: "Espace des modérateurs", impactLink: "Mon impact", targetsOfProgramme: "Espèces recherchées par le programme",
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
    position: "Position", locating: "Finding your position…", accuracy: (m) => `accurate to ${m} m`,
    dragHint: "Drag the marker if needed.", noGeo: "No position: tap the map to place the marker.",
    taxon: "Species", searchTaxon: "Search a species (common or Latin name)", noMatch: "No species found",
    photo: "Photo", addPhoto: "Take or choose a photo", removePhoto: "Remove the photo",
    details: "Details", comment: "Comment", save: "Save", saved: "Saved: it will be sent as soon as there is a network.",
    required: "Required", chooseTaxon: "Choose a species from the list.", needPosition: "A position is needed.",
    state_waiting: "waiting", state_sending: "sending…", state_sent: "sent", state_invalid: "needs a fix",
    state_conflict: "conflict",
    status_pending: "waiting for validation", status_certain: "validated", status_probable: "validated (probable)",
    status_doubtful: "doubtful", status_invalid: "rejected", status_not_assessable: "not assessable",
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
    generalised: "generalised position", count: (n) => `${n} observation${n > 1 ? "s" : ""}`,
    kindSpecies: "Species", kindHeritage: "Heritage", back: "Back",
    mapUnavailable: "Base map unavailable offline for this area.",
    account: "Account (optional)", accountHint: "To find your observations on another device. Without one, everything stays with this phone.",
    accountEmail: "Email address", accountPassword: "Password (10 characters at least)", createAccount: "Create the account", signInAccount: "Sign in",
    accountLinked: "This device is linked to the account",
    staffLink: "Moderators' area", impactLink: "My impact", targetsOfProgramme: "Species the programme is looking for",
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
    position: "Posizione", locating: "Ricerca della posizione…", accuracy: (m) => `precisione ${m} m`,
    dragHint: "Sposta il segnaposto se serve.", noGeo: "Posizione non disponibile: tocca la mappa per posizionare il segnaposto.",
    taxon: "Specie", searchTaxon: "Cerca una specie (nome comune o latino)", noMatch: "Nessuna specie trovata",
    photo: "Foto", addPhoto: "Scatta o scegli una foto", removePhoto: "Togli la foto",
    details: "Dettagli", comment: "Commento", save: "Salva", saved: "Salvata: partirà appena c'è rete.",
    required: "Obbligatorio", chooseTaxon: "Scegli una specie dall'elenco.", needPosition: "Serve una posizione.",
    state_waiting: "in attesa", state_sending: "invio…", state_sent: "inviata", state_invalid: "da correggere",
    state_conflict: "in conflitto",
    status_pending: "in attesa di validazione", status_certain: "validata", status_probable: "validata (probabile)",
    status_doubtful: "dubbia", status_invalid: "rifiutata", status_not_assessable: "non valutabile",
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
    generalised: "posizione generalizzata", count: (n) => `${n} osservazion${n > 1 ? "i" : "e"}`,
    kindSpecies: "Specie", kindHeritage: "Patrimonio", back: "Indietro",
    mapUnavailable: "Mappa di base non disponibile offline per questa zona.",
    account: "Account (facoltativo)", accountHint: "Per ritrovare le tue osservazioni su un altro dispositivo. Senza account, tutto resta su questo telefono.",
    accountEmail: "Indirizzo e-mail", accountPassword: "Password (almeno 10 caratteri)", createAccount: "Crea l'account", signInAccount: "Accedi",
    accountLinked: "Questo dispositivo è collegato all'account",
    staffLink: "Area dei moderatori", impactLink: "Il mio impatto", targetsOfProgramme: "Specie cercate dal programma",
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

export function enumLabel(node, value) {
  return node?.["x-enum-i18n"]?.[value]?.[current] ?? value;
}
