#!/usr/bin/env node
// Runs a WASI (preview1) command module under Node's node:wasi, the way `wasmtime run` does:
//
//   node bin/segura-wasi-node.mjs build/segura-wasi.wasm cef-syslog < events.jsonl
//
// i.e. `wasmtime run MODULE ARGS...` with `wasmtime run` replaced by `node bin/segura-wasi-node.mjs`.
// The module gets this process's stdin, stdout and stderr; its exit code is this process's.
// For hosts without a WebAssembly runtime, and for the tests (test/vector.test.ts).
const hide = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  // node:wasi announces itself as experimental on every start; that line is not the module's output
  if (String(warning).includes("WASI")) return;
  return hide.call(process, warning, ...rest);
};
const [module_, ...args] = process.argv.slice(2);
if (!module_) {
  process.stderr.write("usage: segura-wasi-node.mjs MODULE.wasm [ARGS...]\n");
  process.exit(2);
}
let wasi;
try {
  wasi = await import("../dist/src/_wasi.js");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  process.stderr.write(`segura-wasi-node: ${e.message}\nsegura-wasi-node: run \`npm run build\` first\n`);
  process.exit(70);
}
process.exitCode = wasi.runWasi({ wasm: module_, argv0: module_, args });
