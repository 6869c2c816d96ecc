// Runs the WASI command (build/segura-wasi.wasm) under Node's node:wasi (preview1), on file
// descriptors the caller gives, and returns its exit code.
import { WASI } from "node:wasi";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { setFlagsFromString } from "node:v8";
import { WASI_WASM_PATH, WASI_RUNNER_PATH } from "./_paths.js";

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
  /** Preopened directories, guest path -> host path (`wasmtime run --dir HOST::GUEST`). */
  preopens?: Record<string, string>;
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

/** Node 20 calls node:wasi's functions from wasm as V8 "fast API calls", during which V8 must not
 * collect garbage. But node:wasi's allocator reports its buffers to V8 as external memory, and once
 * the module's linear memory has grown by some MiB (a long line) that report can start a full
 * collection inside fd_write: V8 then misses the frames below the call, finalises the WASI object
 * still in use, and uvwasi_destroy() aborts on the fd table mutex fd_write holds (SIGABRT, exit 134,
 * nothing on stderr); with the object kept alive from elsewhere the process crashes instead. Turning
 * fast API calls off, before the module is compiled and instantiated, sends the calls through V8's
 * ordinary callback path, where a collection is allowed. */
let fastCallsOff = false;
function offFastApiCalls(): void {
  if (fastCallsOff) return;
  setFlagsFromString("--no-turbo-fast-api-calls");
  fastCallsOff = true;
}

/** Runs the command to completion (synchronously: reads block) and returns its exit code. */
export function runWasi(options: WasiRunOptions): number {
  offFastApiCalls();
  const wasm = options.wasm ?? WASI_WASM_PATH;
  const wasi = new WASI({
    version: "preview1",
    args: [options.argv0 ?? "segura-wasi.wasm", ...options.args],
    env: {},
    returnOnExit: true,
    stdin: options.stdin ?? 0,
    stdout: options.stdout ?? 1,
    stderr: options.stderr ?? 2,
    preopens: options.preopens ?? {},
  });
  const instance = new WebAssembly.Instance(moduleOf(wasm), wasi.getImportObject() as WebAssembly.Imports);
  return wasi.start(instance) ?? 0;
}

export interface WasiResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

/** Runs the command in a child process (`node bin/segura-wasi-node.mjs MODULE ARGS...`, as a user runs
 * `wasmtime run`) with `input` as stdin, and collects stdout and stderr. One process per run: Node 20's
 * node:wasi can abort the whole process when a finished WASI instance is garbage-collected during
 * another instance's fd_write (uv_mutex_destroy in uvwasi_destroy; a collection inside a fast API
 * call, as in offFastApiCalls above), so instances are not stacked up
 * in one process. */
export function runWasiOn(args: readonly string[], input: Uint8Array | string, wasm: string = WASI_WASM_PATH): WasiResult {
  const r = spawnSync(process.execPath, [WASI_RUNNER_PATH, wasm, ...args], { input, maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status === null) throw new Error(`segura-wasi-node ended by ${r.signal}: ${r.stderr.toString()}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
