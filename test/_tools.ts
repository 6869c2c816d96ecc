// The programs that scripts/build-tools.mjs builds or installs under node_modules/.cache (npm test runs
// it first). A test that needs one fails, with the fix, when it is missing: none skips.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./_helpers.js";

const BIN = join(ROOT, "node_modules", ".cache", "bin");

export const TOOLS = {
  /** hosts/wamr: the module in WAMR as Fluent Bit's wasm filter calls it, and WASI commands */
  wamr: join(BIN, "segura-wamr"),
  /** the wasmtime CLI, pinned in scripts/build-tools.mjs */
  wasmtime: join(BIN, "wasmtime"),
  /** tools/vrl-parse: a VRL program (Vector's remap language) over lines */
  vrl: join(BIN, "vrl-parse"),
  /** tools/cef-elastic: Elastic's CEF decoder over lines */
  cefElastic: join(BIN, "cef-elastic"),
} as const;

export function tool(name: keyof typeof TOOLS): string {
  const path = TOOLS[name];
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`node scripts/build-tools.mjs\` (npm test does)`);
  return path;
}
