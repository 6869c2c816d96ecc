// Runs the WASI command (build/segura-wasi.wasm) under Node's node:wasi (preview1), on file
// descriptors the caller gives, and returns its exit code.
import { WASI } from "node:wasi";
import { readFileSync, openSync, closeSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI_WASM_PATH } from "./_paths.js";

export interface WasiRunOptions {
  /** Arguments after argv[0], e.g. ["cef", "--fixed-time=1715000000"]. */
  args: readonly string[];
  /** Host file descriptors for the module's stdin, stdout and stderr (default 0, 1, 2). */
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** The module: a path or a compiled module (default build/segura-wasi.wasm). */
  wasm?: string | WebAssembly.Module;
  /** argv[0] as the module sees it (default the module's file name). */
  argv0?: string;
}

const compiled = new Map<string, WebAssembly.Module>();

function moduleOf(wasm: string | WebAssembly.Module): WebAssembly.Module {
  if (typeof wasm !== "string") return wasm;
  let m = compiled.get(wasm);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(wasm));
    compiled.set(wasm, m);
  }
  return m;
}

/** Runs the command to completion (synchronously: reads block) and returns its exit code. */
export function runWasi(options: WasiRunOptions): number {
  const wasm = options.wasm ?? WASI_WASM_PATH;
  const wasi = new WASI({
    version: "preview1",
    args: [options.argv0 ?? "segura-wasi.wasm", ...options.args],
    env: {},
    returnOnExit: true,
    stdin: options.stdin ?? 0,
    stdout: options.stdout ?? 1,
    stderr: options.stderr ?? 2,
  });
  const instance = new WebAssembly.Instance(moduleOf(wasm), wasi.getImportObject() as WebAssembly.Imports);
  return wasi.start(instance) ?? 0;
}

export interface WasiResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

/** Runs the command with `input` as stdin and collects stdout and stderr (through temporary files). */
export function runWasiOn(args: readonly string[], input: Uint8Array | string, wasm?: string | WebAssembly.Module): WasiResult {
  const dir = mkdtempSync(join(tmpdir(), "segura-wasi-"));
  const fds: number[] = [];
  try {
    writeFileSync(join(dir, "in"), input);
    const [i, o, e] = [openSync(join(dir, "in"), "r"), openSync(join(dir, "out"), "w"), openSync(join(dir, "err"), "w")];
    fds.push(i, o, e);
    const code = runWasi({ args, stdin: i, stdout: o, stderr: e, ...(wasm ? { wasm } : {}) });
    return { code, stdout: readFileSync(join(dir, "out")), stderr: readFileSync(join(dir, "err")) };
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}
