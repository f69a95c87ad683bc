// ESLint 9 flat config: the recommended rules, with the globals of where each file runs.
// Formatting is not linted here: the sources keep their hand-made layout.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["dist/", "node_modules/", "dev-dist/"] },
  js.configs.recommended,
  {
    files: ["src/**/*.js"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["src/sw.js"],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    files: ["eslint.config.js", "vite.config.js", "scripts/**/*.mjs", "test/**/*.js"],
    languageOptions: { globals: { ...globals.node } },
  },
];
