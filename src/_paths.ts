// Where the package's files are, from the compiled module (dist/src) or the source (src) alike.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The nearest directory above this module that holds package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export const RELEASE_WASM_PATH = join(packageRoot(), "build", "segura.wasm");
export const WASI_WASM_PATH = join(packageRoot(), "build", "segura-wasi.wasm");
/** `node bin/segura-wasi-node.mjs MODULE ARGS...` runs a WASI command as `wasmtime run MODULE ARGS...` does. */
export const WASI_RUNNER_PATH = join(packageRoot(), "bin", "segura-wasi-node.mjs");
