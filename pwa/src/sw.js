// Service worker: the app shell precached, reference data and tiles cached for offline use.
import { ExpirationPlugin } from "workbox-expiration";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { CacheFirst, NetworkFirst } from "workbox-strategies";

self.skipWaiting();
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Every app page opens offline: the shell is one document (routes live after the #).
registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: [/^\/api\//, /^\/ogc/, /^\/widgets/, /^\/impact\//, /\/card\.png$/, /^\/(sitemap\.xml|robots\.txt)$/] }));

// Schemas, programmes and the runtime config: the network when there is one, else the last copy.
registerRoute(
  ({ url }) =>
    url.origin === self.location.origin &&
    (url.pathname.startsWith("/api/v1/schemas") || url.pathname.startsWith("/api/v1/programmes") || url.pathname === "/config.json"),
  new NetworkFirst({ cacheName: "cairn-reference", networkTimeoutSeconds: 4 }),
);

// Atlas pages seen once open again on the trail (the last copy when offline).
registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith("/api/v1/atlas/"),
  new NetworkFirst({ cacheName: "cairn-atlas", networkTimeoutSeconds: 4, plugins: [new ExpirationPlugin({ maxEntries: 200 })] }),
);

// A photo's bytes never change (its URL is their content hash); only public ones are kept:
// a photo shown to its owner or to staff only says `private, no-store`.
const publicOnly = {
  cacheWillUpdate: async ({ response }) =>
    response.status === 200 && !/private|no-store/.test(response.headers.get("Cache-Control") || "") ? response : null,
};
registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith("/api/v1/photos/"),
  new CacheFirst({ cacheName: "cairn-photos", plugins: [publicOnly, new ExpirationPlugin({ maxEntries: 300 })] }),
);

// Map tiles already seen stay available on the trail.
registerRoute(
  ({ request, url }) => request.destination === "image" && /\/\d+\/\d+\/\d+(@2x)?\.(png|jpg|jpeg|webp)$/.test(url.pathname),
  new CacheFirst({
    cacheName: "cairn-tiles",
    plugins: [new ExpirationPlugin({ maxEntries: 3000, maxAgeSeconds: 60 * 60 * 24 * 60, purgeOnQuotaError: true })],
  }),
);

// Background Sync, where the browser has it: wake a page to send the outbox.
self.addEventListener("sync", (event) => {
  if (event.tag !== "cairn-outbox") return;
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then((clients) => clients.forEach((client) => client.postMessage("cairn-sync"))),
  );
});

