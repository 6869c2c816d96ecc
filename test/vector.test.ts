// vector.toml, checked and run without Vector: its shell commands are executed exactly as written,
// with only these substitutions:
//   - paths: the Segura log becomes a temporary file, /opt/segura-siem/segura-wasi.wasm the built
//     module, and the `segura-siem` command `node bin/segura-siem.mjs`;
//   - the WebAssembly runtime: wasmtime cannot be installed here, so `wasmtime run` becomes
//     `node bin/segura-wasi-node.mjs`, which runs a WASI command the same way under node:wasi
//     (`wasmtime run MODULE ARGS...` -> `node bin/segura-wasi-node.mjs MODULE ARGS...`);
//   - ports: the sidecar listens on an ephemeral port and sends to this test's listener, both on
//     127.0.0.1. The test plays Vector's part around the commands: stdin set to null for the exec
//     source, the socket sink's newline-delimited text towards the sidecar, the socket source.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { referenceConvert, type LineFormat } from "../src/_reference.js";
import { exampleLines, ROOT, WASI_WASM } from "./_helpers.js";
import { CLI, Lines, Receiver, WASI_RUNNER, requireBuild, start, waitUntil } from "./_proc.js";
import { parseToml, type TomlTable, type TomlValue } from "./_toml.js";

const config = parseToml(readFileSync(join(ROOT, "vector.toml"), "utf8"));
const sources = config.sources as Record<string, TomlTable>;
const sinks = config.sinks as Record<string, TomlTable>;
const transforms = (config.transforms ?? {}) as Record<string, TomlTable>;
const samples = exampleLines();

const get = (t: TomlTable, path: string): TomlValue | undefined => path.split(".").reduce<TomlValue | undefined>((v, k) => (v && typeof v === "object" && !Array.isArray(v) ? v[k] : undefined), t);
const strings = (v: TomlValue | undefined): string[] => {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new Error(`not a list of strings: ${JSON.stringify(v)}`);
  return v as string[];
};
const LINE_FORMATS: Record<string, LineFormat> = { cef: "cef", syslog: "syslog", "cef-syslog": "cef-syslog" };
const ref = (lines: string[], format: LineFormat): string[] => lines.map((l) => referenceConvert(l, format, false, 1715000000, 0));
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), "segura-vector-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("vector.toml", () => {
  it("wires every input to a component that exists, and every source to something", () => {
    const ids = new Set([...Object.keys(sources), ...Object.keys(transforms)]);
    const consumed = new Set<string>();
    for (const [id, c] of Object.entries({ ...transforms, ...sinks })) {
      const inputs = strings(c.inputs);
      expect(inputs.length, id).toBeGreaterThan(0);
      for (const i of inputs) {
        expect(ids.has(i), `${id} reads from unknown component ${i}`).toBe(true);
        consumed.add(i);
      }
    }
    for (const id of ids) expect(consumed.has(id), `${id} feeds nothing`).toBe(true);
  });

  it.each(Object.entries(sinks).filter(([, s]) => s.type === "socket"))("socket sink %s sends text lines over TCP", (_id, sink) => {
    expect(sink).toMatchObject({ mode: "tcp", encoding: { codec: "text" }, framing: { method: "newline_delimited" } });
    expect(sink.address).toMatch(/^[\w.-]+:\d+$/);
  });

  it.each(Object.entries(sources).filter(([, s]) => s.type === "exec"))("exec source %s runs in streaming mode and is restarted", (_id, source) => {
    expect(source).toMatchObject({ mode: "streaming", streaming: { respawn_on_exit: true } });
    expect(strings(source.command).length).toBeGreaterThan(0);
  });

  it("the WASI pipeline keeps stderr out of the events and reads the log with tail -F", () => {
    const a = sources.segura_wasi!;
    expect(a.include_stderr).toBe(false);
    expect(strings(a.command)[2]).toMatch(/^tail -n 0 -F \S+ \| wasmtime run \S+\/segura-wasi\.wasm (cef|syslog|cef-syslog)$/);
    expect(strings(sinks.siem!.inputs)).toEqual(["segura_wasi"]);
  });

  it("the sidecar listens where to_sidecar sends, and sends where from_sidecar listens, on loopback", () => {
    const args = strings(sources.segura_sidecar!.command);
    const flag = (f: string): string => args[args.indexOf(f) + 1]!;
    expect(flag("--listen")).toBe(`tcp://${sinks.to_sidecar!.address}`);
    expect(flag("--send")).toBe(`tcp://${sources.from_sidecar!.address}`);
    expect(sinks.to_sidecar!.address).toMatch(/^127\.0\.0\.1:/);
    expect(sources.from_sidecar).toMatchObject({ type: "socket", mode: "tcp", decoding: { codec: "bytes" }, framing: { method: "newline_delimited" } });
    expect(strings(sinks.to_sidecar!.inputs)).toEqual(["segura_log"]);
    expect(sources.segura_log).toMatchObject({ type: "file", include: [expect.stringMatching(/\.jsonl$/)] });
    expect(get(sinks.siem_via_sidecar!, "inputs")).toEqual(["from_sidecar"]);
  });

  it("mentions the stdio transform pull request", () => {
    expect(readFileSync(join(ROOT, "vector.toml"), "utf8")).toMatch(/vectordotdev\/vector#24547[\s\S]{0,80}`stdio`/);
  });

  it("the samples convert the same at any time (they all carry a timestamp), so runs without --fixed-time compare", () => {
    for (const f of ["cef", "syslog", "cef-syslog"] as const) {
      expect(samples.map((l) => referenceConvert(l, f, false, 1, 0))).toEqual(ref(samples, f));
    }
  });
});

describe("the TOML reader", () => {
  it.each([
    ['a = """x"""', /multi-line strings/],
    ["[[t]]", /arrays of tables/],
    ["a = 1\na = 2", /defined twice/],
    ["a = 2024-01-01", /unsupported value/],
    ['a = "x', /unterminated string/],
    ["a = [1, 2", /expected ','/],
  ])("rejects %j", (text, why) => {
    expect(() => parseToml(text)).toThrow(why);
  });

  it("reads tables, dotted keys, strings, numbers, arrays and comments", () => {
    const t = parseToml('top = 1_000 # c\n[x.y]\na.b = "q\\"\\u00e9" # c\nc = [\n  \'lit\\\\\', # c\n  2.5,\n]\nd = { e = true }\n');
    expect(t).toEqual({ top: 1000, x: { y: { a: { b: 'q"\u00e9' }, c: ["lit\\\\", 2.5], d: { e: true } } } });
  });
});

describe("way A: the exec source's command, as written", () => {
  it("follows the log: records written after it started come out converted, in order, across rotation", async () => {
    const command = strings(sources.segura_wasi!.command);
    mkdirSync(join(dir, "segura"));
    const log = join(dir, "segura", "events.jsonl");
    const SUBSTITUTIONS: [string, string][] = [
      ["wasmtime run", `${quote(process.execPath)} ${quote(WASI_RUNNER)}`],
      ["/opt/segura-siem/segura-wasi.wasm", quote(WASI_WASM)],
      ["/var/log/segura/events.jsonl", quote(log)],
    ];
    const script = SUBSTITUTIONS.reduce((s, [from, to]) => {
      expect(s).toContain(from);
      return s.split(from).join(to);
    }, command[2]!);
    const format = LINE_FORMATS[/segura-wasi\.wasm (\S+)$/.exec(command[2]!)![1]!]!;
    expect(command.slice(0, 2)).toEqual(["sh", "-c"]);

    // Vector: stdin null, stdout read line by line; its own process group, so it can be ended whole
    const child = spawn(command[0]!, [command[1]!, script], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    const out = new Lines(child.stdout!);
    const err = new Lines(child.stderr!);
    try {
      // the log does not exist yet; tail says so, then reads it from its start when it appears
      await err.atLeast(1);
      expect(err.all[0]).toMatch(/cannot open .*events\.jsonl.*No such file/);
      const half = 20;
      writeFileSync(log, samples.slice(0, half).join("\n") + "\n");
      expect(await out.atLeast(half)).toEqual(ref(samples.slice(0, half), format));

      appendFileSync(log, samples.slice(half).join("\n") + "\n");
      expect(await out.atLeast(samples.length)).toEqual(ref(samples, format));

      // rotation: the file moves away and a new one starts
      renameSync(log, log + ".1");
      writeFileSync(log, samples.slice(0, 3).join("\n") + "\n");
      expect(await out.atLeast(samples.length + 3)).toEqual(ref([...samples, ...samples.slice(0, 3)], format));
      expect(out.all).toHaveLength(samples.length + 3);
    } finally {
      process.kill(-child.pid!, "SIGTERM"); // as Vector's shutdown, but for the whole pipeline
    }
  });
});

describe("way B: file -> socket sink -> the sidecar command, as written -> socket source", () => {
  it("converts every record sent by the socket sink and delivers the lines to the socket source", async () => {
    const command = strings(sources.segura_sidecar!.command);
    expect(command[0]).toBe("segura-siem");
    const listen = `tcp://${sinks.to_sidecar!.address}`;
    const back = `tcp://${sources.from_sidecar!.address}`;
    const socketSource = await Receiver.start(); // plays from_sidecar
    const args = command.slice(1).map((a) => (a === listen ? "tcp://127.0.0.1:0" : a === back ? socketSource.url() : a));
    expect(args).toContain(socketSource.url());
    expect(args).toContain("tcp://127.0.0.1:0");
    const format = LINE_FORMATS[args[args.indexOf("--format") + 1]!]!;

    const { child, exited } = start(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const err = new Lines(child.stderr!);
    try {
      const port = Number(/listening on tcp:\/\/127\.0\.0\.1:(\d+)/.exec((await err.atLeast(1))[0]!)?.[1]);
      expect(port).toBeGreaterThan(0);

      // plays to_sidecar: each record as read from the file, LF-terminated (codec text, newline framing)
      const stream = Buffer.from(samples.join("\n") + "\n");
      const socketSink = connect(port, "127.0.0.1");
      await new Promise((r) => socketSink.once("connect", r));
      socketSink.write(stream.subarray(0, 1000)); // a TCP segment boundary in the middle of a record
      await new Promise((r) => setTimeout(r, 50));
      socketSink.write(stream.subarray(1000));

      await waitUntil(() => socketSource.lines().length >= samples.length, 15_000, "the converted lines");
      expect(socketSource.lines()).toEqual(ref(samples, format));
      socketSink.end();

      child.kill("SIGTERM"); // Vector stops the exec source's command this way
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(socketSource.lines()).toHaveLength(samples.length);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await socketSource.close();
    }
  });
});
