// Brotli and gzip copies of the built text files, written next to them (`x.js.br`, `x.js.gz`):
// the server sends the smallest one the browser accepts, with no compression work per request.
// Vite runs it after each build; `node scripts/precompress.mjs DIR` runs it on any folder.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { argv } from "node:process";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const TEXT = /\.(html|js|mjs|css|svg|json|webmanifest)$/;

/** Every text file under `folder` gets a `.br` and a `.gz` sibling, when they are smaller. */
export function precompress(folder) {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) {
      precompress(path);
      continue;
    }
    if (!TEXT.test(name)) continue;
    const body = readFileSync(path);
    const copies = {
      br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
      gz: gzipSync(body, { level: 9 }),
    };
    for (const [suffix, copy] of Object.entries(copies)) {
      if (copy.length < body.length) writeFileSync(`${path}.${suffix}`, copy);
    }
  }
}

if (argv[1] === fileURLToPath(import.meta.url)) precompress(argv[2]);
