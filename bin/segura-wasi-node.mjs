#!/usr/bin/env node
// Runs a WASI (preview1) command module under Node's node:wasi, the way `wasmtime run` does:
//
//   node bin/segura-wasi-node.mjs build/segura-wasi.wasm cef-syslog < events.jsonl
//
//   node bin/segura-wasi-node.mjs --dir /var/log/segura::/log build/segura-wasi.wasm cef-syslog --follow=/log/...
//
// i.e. `wasmtime run [--dir HOST[::GUEST]]... MODULE ARGS...` with `wasmtime run` replaced by
// `node bin/segura-wasi-node.mjs`. `--dir` preopens a host directory under a guest path (the host
// path itself without `::GUEST`), as Wasmtime's option does.
// The module gets this process's stdin, stdout and stderr; its exit code is this process's.
// For hosts without a WebAssembly runtime, and for the tests (test/vector.test.ts).
const hide = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  // node:wasi announces itself as experimental on every start; that line is not the module's output
  if (String(warning).includes("WASI")) return;
  return hide.call(process, warning, ...rest);
};
const argv = process.argv.slice(2);
const preopens = {};
while (argv[0] === "--dir" || argv[0]?.startsWith("--dir=")) {
  const spec = argv[0] === "--dir" ? argv.splice(0, 2)[1] : argv.shift().slice(6);
  if (!spec) break;
  const at = spec.indexOf("::");
  preopens[at < 0 ? spec : spec.slice(at + 2)] = at < 0 ? spec : spec.slice(0, at);
}
const [module_, ...args] = argv;
if (!module_ || module_.startsWith("-")) {
  process.stderr.write("usage: segura-wasi-node.mjs [--dir HOST[::GUEST]]... MODULE.wasm [ARGS...]\n");
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
process.exitCode = wasi.runWasi({ wasm: module_, argv0: module_, args, preopens });
