#!/usr/bin/env node
// Launcher for the segura-siem command; the program is src/cli.ts, compiled by `npm run build`.
let cli;
try {
  cli = await import("../dist/src/cli.js");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  process.stderr.write(`segura-siem: ${e.message}\nsegura-siem: run \`npm run build\` first\n`);
  process.exit(70);
}
const code = await cli.main(process.argv.slice(2));
process.exitCode = code;
// nothing should be left running; if something is, do not hang
setTimeout(() => process.exit(code), 3000).unref();
