#!/usr/bin/env node
// Completes build/playground/ (tsc has put the browser modules in js/): the page, its style, the
// module and the samples, so the folder can be served as it is by any static web server.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "build", "playground");
mkdirSync(OUT, { recursive: true });
for (const [from, to] of [
  ["playground/index.html", "index.html"],
  ["playground/style.css", "style.css"],
  ["build/segura.wasm", "segura.wasm"],
  ["examples/events.jsonl", "samples.jsonl"],
]) copyFileSync(join(ROOT, from), join(OUT, to));
