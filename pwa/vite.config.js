// Cairn field app: one build, served by the API at `/`.
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { precompress } from "./scripts/precompress.mjs";

/** Brotli and gzip copies of every built text file, once the service worker is written too. */
const compressed = {
  name: "cairn-precompress",
  apply: "build",
  closeBundle: { order: "post", sequential: true, handler: () => precompress("dist") },
};

export default defineConfig({
  build: {
    target: "es2020",
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
  server: {
    // `npm run dev` against a running `cairn serve` on the default port.
    proxy: { "/api": "http://127.0.0.1:8000", "/config.json": "http://127.0.0.1:8000" },
  },
  plugins: [
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.js",
      injectRegister: false,
      registerType: "autoUpdate",
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"],
      },
      manifest: {
        id: "/",
        name: "Cairn — observer les Alpes",
        short_name: "Cairn",
        description:
          "Record species and vernacular heritage on the trails of the Hautes-Alpes, even with no signal.",
        lang: "fr",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#f4f1ea",
        theme_color: "#1f4d3a",
        categories: ["education", "travel", "science"],
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
    }),
    compressed,
  ],
});
