// Real receivers for the round-trip tests: rsyslog 8.2302 (imtcp, mmpstrucdata, mmnormalize with
// liblognorm's cef field type) and syslog-ng 3.38 (syslog-parser(flags(syslog-protocol))), Debian 12's
// packages. Each runs in the foreground as an unprivileged process on a free 127.0.0.1 TCP port, with
// its own pid file, work directory and output file under a temporary directory; the configurations
// are test/receivers/*. Lines go in over TCP with newline framing; each receiver writes one JSON object
// per message it received, which this module reads back into one common shape.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, chownSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, delimiter } from "node:path";
import * as net from "node:net";
import { ROOT } from "./_helpers.js";

export const RECEIVER_DIR = join(ROOT, "test", "receivers");

/** What a receiver made of one line. Absent fields are null. */
export interface Received {
  /** the line as the receiver got it */
  raw: string;
  /** false when the receiver could not parse the line as RFC 5424 (syslog-ng) */
  syslogParsed: boolean;
  pri: number | null;
  /** RFC 3339 in UTC with six fraction digits */
  timestamp: string | null;
  hostname: string | null;
  appname: string | null;
  procid: string | null;
  msgid: string | null;
  /** SD-ID -> PARAM-NAME -> value, null when the receiver parsed no structured data */
  sd: Record<string, Record<string, string>> | null;
  msg: string | null;
  /** the CEF event, null when the receiver did not parse one (rsyslog only) */
  cef: { header: string[]; ext: Record<string, string> } | null;
}

export interface Receiver {
  readonly name: "rsyslog" | "syslog-ng";
  readonly version: string;
  readonly port: number;
  /** Sends the lines on one TCP connection and returns what the receiver wrote for each, in order. */
  send(lines: readonly string[]): Promise<Received[]>;
  stop(): Promise<void>;
}

// ---- finding the programs -------------------------------------------------------------------
const PATH_DIRS = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin"];
function which(name: string): string | undefined {
  for (const d of PATH_DIRS) {
    const p = join(d, name);
    if (d && existsSync(p)) return p;
  }
  return undefined;
}

const CACHE = join(ROOT, "node_modules", ".cache", "segura-receivers");

/** rsyslogd: the installed one, or Debian's rsyslog package unpacked under node_modules/.cache. Debian 12's
 * rsyslog and syslog-ng-core packages conflict (both provide system-log-daemon), so only one of them can be
 * installed; .ci/apt-packages installs syslog-ng-core and rsyslog's libraries, and rsyslog itself is
 * fetched with `apt-get download` and unpacked here, without installing a second system logger. */
export function findRsyslog(): { bin: string; moduleDir?: string } {
  const installed = which("rsyslogd");
  if (installed) return { bin: installed };
  const root = join(CACHE, "rsyslog");
  const bin = join(root, "usr", "sbin", "rsyslogd");
  if (!existsSync(bin)) {
    mkdirSync(CACHE, { recursive: true });
    const work = mkdtempSync(join(CACHE, "download-"));
    try {
      const dl = spawnSync("apt-get", ["download", "rsyslog"], { cwd: work, encoding: "utf8", timeout: 300_000 });
      const deb = existsSync(work) ? readdirSync(work).find((f) => f.startsWith("rsyslog_") && f.endsWith(".deb")) : undefined;
      if (dl.status !== 0 || !deb) {
        throw new Error(`rsyslogd is not installed and \`apt-get download rsyslog\` failed (status ${dl.status}): ${dl.error?.message ?? ""}${dl.stderr ?? ""}\n` +
          "Install the packages of .ci/apt-packages and run `apt-get update`, or install rsyslog.");
      }
      const unpacked = join(work, "root");
      const x = spawnSync("dpkg-deb", ["-x", join(work, deb), unpacked], { encoding: "utf8" });
      if (x.status !== 0) throw new Error(`dpkg-deb -x ${deb} failed: ${x.error?.message ?? ""}${x.stderr}`);
      rmSync(root, { recursive: true, force: true });
      renameSync(unpacked, root);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const lib = join(root, "usr", "lib");
  const arch = readdirSync(lib).find((d) => existsSync(join(lib, d, "rsyslog", "imtcp.so")));
  if (!arch) throw new Error(`no rsyslog modules under ${lib}`);
  return { bin, moduleDir: join(lib, arch, "rsyslog") };
}

export function findSyslogNg(): string {
  const bin = which("syslog-ng");
  if (!bin) throw new Error("syslog-ng is not installed: install syslog-ng-core (see .ci/apt-packages)");
  return bin;
}

export function versionOf(bin: string, args: string[]): string {
  const r = spawnSync(bin, args, { encoding: "utf8" });
  if (r.status !== 0 && !r.stdout) throw new Error(`${bin} ${args.join(" ")} failed: ${r.error?.message ?? ""}${r.stderr}`);
  return r.stdout;
}

/** The Debian version of an installed package, or undefined. */
export function debianVersion(pkg: string): string | undefined {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Version}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout ? r.stdout : undefined;
}

// ---- processes ------------------------------------------------------------------------------
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** When the tests run as root (CI), the receivers run as nobody. */
const DROP = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

export function workDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `segura-${name}-`));
  if (DROP) chownSync(dir, DROP.uid, DROP.gid);
  return dir;
}

export async function waitForPort(port: number, child: ChildProcess, log: () => string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the receiver exited (${child.exitCode ?? child.signalCode}) before listening:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port }, () => { s.end(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`the receiver did not listen on 127.0.0.1:${port} within ${ms} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const b = readFileSync(file);
  let n = 0;
  for (const c of b) if (c === 10) n++;
  return n;
}

class RunningReceiver implements Receiver {
  private consumed = 0;
  constructor(
    readonly name: "rsyslog" | "syslog-ng",
    readonly version: string,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly out: string,
    private readonly log: () => string,
    private readonly normalize: (record: Record<string, unknown>) => Received,
  ) {}

  async send(lines: readonly string[]): Promise<Received[]> {
    for (const l of lines) if (/[\r\n]/.test(l)) throw new Error(`a line to send contains CR or LF: ${JSON.stringify(l.slice(0, 200))}`);
    await new Promise<void>((resolve, reject) => {
      const s = net.connect({ host: "127.0.0.1", port: this.port }, () => {
        s.end(lines.map((l) => l + "\n").join(""), () => resolve());
      });
      s.on("error", reject);
    });
    const want = this.consumed + lines.length;
    const until = Date.now() + 60_000;
    let have = countLines(this.out);
    while (have < want) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.log()}`);
      if (Date.now() > until) throw new Error(`${this.name} wrote ${have - this.consumed} of ${lines.length} messages within 60 s:\n${this.log()}`);
      await new Promise((r) => setTimeout(r, 50));
      have = countLines(this.out);
    }
    // give a receiver that splits a line into several messages the time to write the extra ones
    await new Promise((r) => setTimeout(r, 150));
    have = countLines(this.out);
    if (have !== want) throw new Error(`${this.name} wrote ${have - this.consumed} messages for ${lines.length} lines`);
    const text = readFileSync(this.out, "utf8").split("\n").slice(this.consumed, want);
    this.consumed = want;
    const got = text.map((l) => this.normalize(JSON.parse(l) as Record<string, unknown>));
    // one connection, one worker: the receiver keeps the order; the raw line proves which is which
    got.forEach((r, i) => {
      if (r.raw !== lines[i]) throw new Error(`${this.name} message ${i} is not line ${i} as sent:\n  sent ${JSON.stringify(lines[i]!.slice(0, 300))}\n  got  ${JSON.stringify(r.raw.slice(0, 300))}`);
    });
    return got;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function startProcess(bin: string, args: string[], env: Record<string, string>, cwd: string): { child: ChildProcess; log: () => string } {
  const child = spawn(bin, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], ...(DROP ?? {}) });
  let log = "";
  child.stdout!.on("data", (d: Buffer) => { log += d.toString(); });
  child.stderr!.on("data", (d: Buffer) => { log += d.toString(); });
  child.on("error", (e) => { log += `spawn error: ${e.message}\n`; });
  return { child, log: () => log.slice(-4000) };
}

// ---- rsyslog --------------------------------------------------------------------------------
export async function startRsyslog(): Promise<Receiver> {
  const { bin, moduleDir } = findRsyslog();
  const version = versionOf(bin, ["-v"]).split("\n")[0]!.trim();
  const dir = workDir("rsyslog");
  const out = join(dir, "out.jsonl");
  const port = await freePort();
  const env = { SEGURA_RX_DIR: dir, SEGURA_RX_PORT: String(port), SEGURA_RX_OUT: out, SEGURA_RX_RULEBASE: join(RECEIVER_DIR, "segura-cef.rulebase") };
  const args = ["-n", "-f", join(RECEIVER_DIR, "rsyslog.conf"), "-i", join(dir, "rsyslogd.pid"), ...(moduleDir ? ["-M", moduleDir] : [])];
  const check = spawnSync(bin, ["-N1", ...args.slice(1)], { env: { ...process.env, ...env }, encoding: "utf8", ...(DROP ?? {}) });
  if (check.status !== 0) throw new Error(`rsyslogd -N1 rejects test/receivers/rsyslog.conf:\n${check.stdout}${check.stderr}`);
  const { child, log } = startProcess(bin, args, env, dir);
  await waitForPort(port, child, log);
  return new RunningReceiver("rsyslog", version, port, child, dir, out, log, normalizeRsyslog);
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const nil = (v: string | null): string | null => (v === null || v === "-" || v === "" ? null : v);

function normalizeRsyslog(d: Record<string, unknown>): Received {
  const parsed = (d.parsed ?? {}) as Record<string, unknown>;
  const cef = parsed.cef as Record<string, unknown> | undefined;
  const syslog = d.version === "1";
  return {
    raw: str(d.raw) ?? "",
    syslogParsed: syslog,
    pri: syslog ? Number(d.pri) : null,
    timestamp: syslog ? utcMicros(str(d.timestamp)) : null,
    hostname: syslog ? nil(str(d.hostname)) : null,
    appname: syslog ? nil(str(d.appname)) : null,
    procid: syslog ? nil(str(d.procid)) : null,
    msgid: syslog ? nil(str(d.msgid)) : null,
    sd: (parsed["rfc5424-sd"] as Record<string, Record<string, string>> | undefined) ?? null,
    msg: syslog ? str(d.msg) : null,
    cef: cef
      ? { header: ["DeviceVendor", "DeviceProduct", "DeviceVersion", "SignatureID", "Name", "Severity"].map((k) => String(cef[k])), ext: (cef.Extensions ?? {}) as Record<string, string> }
      : null,
  };
}

/** An RFC 3339 timestamp as UTC with six fraction digits. */
function utcMicros(t: string | null): string | null {
  if (t === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/.exec(t);
  if (!m) return `unreadable timestamp ${t}`;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return `${new Date(ms).toISOString().slice(0, 19)}.${(m[2] ?? "").padEnd(6, "0")}Z`;
}

// ---- syslog-ng ------------------------------------------------------------------------------
export async function startSyslogNg(): Promise<Receiver> {
  const bin = findSyslogNg();
  const version = versionOf(bin, ["--version"]).split("\n")[0]!.trim();
  const dir = workDir("syslog-ng");
  const out = join(dir, "out.jsonl");
  const port = await freePort();
  const env = { SEGURA_RX_PORT: String(port), SEGURA_RX_OUT: out };
  const args = [
    "-F", "-f", join(RECEIVER_DIR, "syslog-ng.conf"), `--persist-file=${join(dir, "syslog-ng.persist")}`, `--pidfile=${join(dir, "syslog-ng.pid")}`,
    `--control=${join(dir, "syslog-ng.ctl")}`, "--no-caps",
  ];
  const check = spawnSync(bin, ["--syntax-only", "-f", join(RECEIVER_DIR, "syslog-ng.conf")], { env: { ...process.env, ...env }, encoding: "utf8", ...(DROP ?? {}) });
  if (check.status !== 0) throw new Error(`syslog-ng --syntax-only rejects test/receivers/syslog-ng.conf:\n${check.stdout}${check.stderr}`);
  const { child, log } = startProcess(bin, args, env, dir);
  await waitForPort(port, child, log);
  return new RunningReceiver("syslog-ng", version, port, child, dir, out, log, normalizeSyslogNg);
}

function normalizeSyslogNg(d: Record<string, unknown>): Received {
  const ok = d.parse === "ok";
  const sdata = (d._SDATA ?? null) as Record<string, Record<string, string>> | null;
  const unix = str(d.UNIXTIME);
  const m = unix ? /^(\d+)\.(\d{6})$/.exec(unix) : null;
  return {
    raw: str(d.raw) ?? "",
    syslogParsed: ok,
    pri: ok ? Number(d.PRI) : null,
    timestamp: ok && m ? `${new Date(Number(m[1]) * 1000).toISOString().slice(0, 19)}.${m[2]}Z` : null,
    hostname: ok ? nil(str(d.HOST)) : null,
    appname: ok ? nil(str(d.PROGRAM)) : null,
    procid: ok ? nil(str(d.PID)) : null,
    msgid: ok ? nil(str(d.MSGID)) : null,
    sd: ok ? sdata : null,
    msg: ok ? str(d.MESSAGE) ?? "" : null,
    cef: null,
  };
}
