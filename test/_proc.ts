// Child processes and loopback TCP peers for the command-line, WASI and Vector tests.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { delimiter, join } from "node:path";
import type { Readable } from "node:stream";
import { ROOT } from "./_helpers.js";

export const CLI = join(ROOT, "bin", "segura-siem.mjs");
export const WASI_RUNNER = join(ROOT, "bin", "segura-wasi-node.mjs");

/** The wasmtime CLI: $WASMTIME, else the first `wasmtime` on PATH; undefined when there is none. */
export const WASMTIME: string | undefined = process.env.WASMTIME || pinnedWasmtime() || (process.env.PATH ?? "").split(delimiter).map((d) => join(d, "wasmtime")).find((f) => existsSync(f));
/** The pinned wasmtime that scripts/install-wasmtime.mjs (run by npm test) puts under node_modules/.cache. */
function pinnedWasmtime(): string | undefined {
  const lib = join(ROOT, "node_modules", ".cache", "wasmtime", "lib");
  if (!existsSync(lib)) return undefined;
  return readdirSync(lib).map((py) => join(lib, py, "site-packages", "wasmtime_cli", "wasmtime")).find((f) => existsSync(f));
}

/** The launchers run the compiled program; fail (not skip) with the fix when it is missing. */
export function requireBuild(): void {
  for (const f of ["dist/src/cli.js", "dist/src/_wasi.js", "build/segura.wasm", "build/segura-wasi.wasm"]) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` (npm test does)`);
  }
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command to the end with `input` on stdin (nothing: stdin is /dev/null). */
export function run(cmd: string, args: readonly string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d: Buffer) => err.push(d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} ${args.join(" ")} did not finish in ${opts.timeoutMs ?? 60_000} ms; stderr: ${Buffer.concat(err).toString()}`));
    }, opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

export const cli = (args: readonly string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> =>
  run(process.execPath, [CLI, ...args], opts);

/** Lines of a stream, as they arrive. */
export class Lines {
  readonly all: string[] = [];
  private rest = "";
  private waiters: (() => void)[] = [];
  ended = false;

  constructor(stream: Readable) {
    stream.setEncoding("utf8");
    stream.on("data", (s: string) => {
      const parts = (this.rest + s).split("\n");
      this.rest = parts.pop()!;
      this.all.push(...parts);
      this.wake();
    });
    stream.on("end", () => { this.ended = true; this.wake(); });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when at least `n` lines have arrived; fails after `ms` saying what did arrive. */
  async atLeast(n: number, ms = 20_000): Promise<string[]> {
    const deadline = Date.now() + ms;
    while (this.all.length < n) {
      if (this.ended) throw new Error(`stream ended after ${this.all.length} of ${n} lines`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.all.length} of ${n} lines after ${ms} ms`);
      await new Promise<void>((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
    return this.all.slice(0, n);
  }
}

export async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A TCP receiver on 127.0.0.1 (an ephemeral port) that keeps what each connection sent. */
export class Receiver {
  readonly connections: { chunks: Buffer[]; ended: boolean; socket: Socket }[] = [];

  private constructor(readonly server: Server, readonly port: number) {}

  static async start(port = 0): Promise<Receiver> {
    let self: Receiver | undefined;
    const server = createServer((socket) => {
      const c = { chunks: [] as Buffer[], ended: false, socket };
      self!.connections.push(c);
      socket.on("data", (d: Buffer) => c.chunks.push(d));
      socket.on("end", () => { c.ended = true; });
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(port, "127.0.0.1", resolve); });
    self = new Receiver(server, (server.address() as { port: number }).port);
    return self;
  }

  /** Everything received, over all connections, in connection order. */
  bytes(): Buffer {
    return Buffer.concat(this.connections.flatMap((c) => c.chunks));
  }

  lines(): string[] {
    const text = this.bytes().toString("utf8");
    return text === "" ? [] : text.replace(/\n$/, "").split("\n");
  }

  url(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const r = await Receiver.start();
  await r.close();
  return r.port;
}

/** Starts a long-running child; `stop` ends it (and, if it leads a process group, the group). */
export function start(cmd: string, args: readonly string[], opts: SpawnOptions = {}): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], ...opts });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, exited };
}
