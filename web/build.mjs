#!/usr/bin/env node
// `npm run build:web`: the web client (web/src, web/styles.css, web/index.html) bundled by
// esbuild into web/dist, which the Worker serves as static assets (wrangler.toml [assets]).
// wrangler runs it too ([build] command) before `wrangler dev`, `unstable_startWorker` and
// `wrangler deploy`, so a clean clone never meets a missing web/dist.
//
// Output: dist/index.html, dist/assets/app-<hash>.js and .css (content-hashed, so they may be
// cached forever: dist/_headers says so), nothing fetched from anywhere at run time.
// Concurrent builds (a test run beside `npm start`) are safe: asset names are content
// hashes, and index.html is replaced by a rename, never half-written.
import { build } from "esbuild";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const web = dirname(fileURLToPath(import.meta.url));
const dist = join(web, "dist");
const assets = join(dist, "assets");

const result = await build({
  entryPoints: { app: join(web, "src/main.tsx") },
  bundle: true,
  minify: true,
  format: "esm",
  // Evergreen browsers: no down-levelling, so the bundle stays small.
  target: ["es2022", "chrome111", "firefox111", "safari16.4"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: assets,
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  assetNames: "[name]-[hash]",
  // The SDK loads socket.io-client only when a window picks the Socket.IO gateway: a chunk
  // of its own, never downloaded by edge users.
  splitting: true,
  // The SDK and the wire contract are shared with Node code; nothing Node-only may leak in.
  platform: "browser",
  legalComments: "none",
  sourcemap: false,
  metafile: true,
  write: false,
  logLevel: "warning",
});

await mkdir(assets, { recursive: true });
const written = new Set();
for (const file of result.outputFiles) {
  await writeFile(file.path, file.contents);
  written.add(basename(file.path));
}
// The entry's script and its stylesheet, as the metafile names them (chunks are found by the script itself).
const [entryPath, entry] = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint) ?? [];
if (!entryPath || !entry.cssBundle) throw new Error("build:web: esbuild produced no app script or stylesheet");
const url = (path) => "/" + relative(dist, path).split("\\").join("/");
const js = url(entryPath);
const css = url(entry.cssBundle);

// Only this build's files stay; older hashes would pile up in every deploy otherwise.
for (const name of await readdir(assets)) {
  if (!written.has(name)) await rm(join(assets, name), { force: true });
}

const template = await readFile(join(web, "index.html"), "utf8");
const html = template.replace("%APP_CSS%", css).replace("%APP_JS%", js);
if (html.includes("%APP_")) throw new Error("build:web: web/index.html lost a %APP_JS% or %APP_CSS% placeholder");
await replaceFile(join(dist, "index.html"), html);
await replaceFile(join(dist, "_headers"), await readFile(join(web, "headers.txt"), "utf8"));

const sizes = result.outputFiles
  .map((f) => `${relative(dist, f.path)} ${kib(f.contents.length)} (gzip ${kib(gzipSync(f.contents).length)})`)
  .join(", ");
console.log(`[build:web] ${relative(process.cwd(), dist) || "."}: ${sizes}`);

/** Write beside, then rename: a server reading the file meanwhile sees the old or the new one. */
async function replaceFile(path, text) {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
