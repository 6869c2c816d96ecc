// vector.toml, checked and run without Vector: the exec sources' commands are executed exactly as
// written, with only these substitutions:
//   - paths: the Segura log directory and the checkpoint directory become temporary ones,
//     /opt/segura-siem/... the built module and bin/segura-wasi-node.mjs, `node` this Node;
//   - the WebAssembly runtime: `wasmtime run` is run as written when wasmtime is installed ($WASMTIME
//     or PATH), and again as `node bin/segura-wasi-node.mjs`, which runs a WASI command the same way
//     under node:wasi (`wasmtime run --dir D MODULE ARGS...` -> `node bin/segura-wasi-node.mjs --dir D
//     MODULE ARGS...`).
// The test plays Vector's part around the commands: stdin set to null, stdout read line by line,
// the command killed and started again as respawn_on_exit does.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { referenceConvert, type LineFormat } from "../src/_reference.js";
import { exampleLines, ROOT, WASI_WASM } from "./_helpers.js";
import { Lines, WASI_RUNNER, WASMTIME, requireBuild } from "./_proc.js";
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

  const EXEC = ["segura_wasi", "segura_wasi_node"];
  it.each(EXEC)("%s keeps stderr out of the events and follows the log with a checkpoint in a preopened directory", (id) => {
    const source = sources[id]!;
    expect(source.include_stderr).toBe(false);
    const args = strings(source.command);
    expect(args.filter((a) => a.startsWith("--follow="))).toEqual(["--follow=/log/events.jsonl"]);
    expect(args.filter((a) => a.startsWith("--state="))).toEqual([expect.stringMatching(/^--state=\/state\/[\w-]+\.pos$/)]);
    const dirs = args.flatMap((a, i) => (args[i - 1] === "--dir" ? [a] : []));
    expect(dirs).toEqual(["/var/log/segura::/log", "/var/lib/segura-siem::/state"]);
    expect(args[args.findIndex((a) => a.endsWith("segura-wasi.wasm")) + 1]).toMatch(/^(cef|syslog|cef-syslog)$/);
  });

  it("the two ways keep their own checkpoints and each feeds its own sink", () => {
    const state = (id: string): string => strings(sources[id]!.command).find((a) => a.startsWith("--state="))!;
    expect(state("segura_wasi")).not.toBe(state("segura_wasi_node"));
    expect(strings(sources.segura_wasi!.command).slice(0, 2)).toEqual(["wasmtime", "run"]);
    expect(strings(sources.segura_wasi_node!.command)[0]).toBe("node");
    expect(strings(sinks.siem!.inputs)).toEqual(["segura_wasi"]);
    expect(strings(sinks.siem_via_node!.inputs)).toEqual(["segura_wasi_node"]);
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

/** An exec source's command with the paths (and, for Wasmtime without Wasmtime, the runtime) replaced. */
function substituted(id: string, base: string, runtime: "wasmtime" | "node"): string[] {
  const command = strings(sources[id]!.command);
  const SUBSTITUTIONS: [string, string][] = [
    ["/var/log/segura::", join(base, "segura") + "::"],
    ["/var/lib/segura-siem::", join(base, "state") + "::"],
    ["/opt/segura-siem/segura-wasi.wasm", WASI_WASM],
    ["/opt/segura-siem/build/segura-wasi.wasm", WASI_WASM],
    ["/opt/segura-siem/bin/segura-wasi-node.mjs", WASI_RUNNER],
  ];
  const used = new Set<string>();
  let args = command.map((a) => SUBSTITUTIONS.reduce((x, [from, to]) => {
    if (!x.startsWith(from)) return x;
    used.add(from);
    return to + x.slice(from.length);
  }, a));
  // both directories and the module, wherever the way puts it
  expect(used).toEqual(new Set(SUBSTITUTIONS.map(([from]) => from).filter((from) => command.some((a) => a.startsWith(from)))));
  expect([...used].filter((u) => u.endsWith("::"))).toHaveLength(2);
  expect([...used].filter((u) => u.endsWith(".wasm"))).toHaveLength(1);
  if (args[0] === "node") args[0] = process.execPath;
  else if (args[0] === "wasmtime" && runtime === "node") args = [process.execPath, WASI_RUNNER, ...args.slice(2)];
  else if (args[0] === "wasmtime") args[0] = WASMTIME!;
  return args;
}

const RUNS: [id: string, runtime: "wasmtime" | "node"][] = [["segura_wasi", "node"], ["segura_wasi_node", "node"]];
if (WASMTIME) RUNS.push(["segura_wasi", "wasmtime"]);

describe.each(RUNS)("the exec source %s's command, as written (run by %s)", (id, runtime) => {
  it("follows the log: records written after it started, while it was down, and across rotation come out converted, in order", async () => {
    const base = join(dir, `${id}-${runtime}`);
    mkdirSync(join(base, "segura"), { recursive: true });
    mkdirSync(join(base, "state"));
    const log = join(base, "segura", "events.jsonl");
    const [cmd, ...args] = substituted(id, base, runtime);
    const format = LINE_FORMATS[args[args.findIndex((a) => a === WASI_WASM) + 1]!]!;
    const out: string[] = [];
    // Vector: stdin null, stdout read line by line, stderr apart
    const launch = (): { lines: Lines; err: Lines; stop: () => Promise<void> } => {
      const child = spawn(cmd!, args, { stdio: ["ignore", "pipe", "pipe"] });
      const exited = new Promise((r) => child.once("exit", r));
      const lines = new Lines(child.stdout!);
      return {
        lines,
        err: new Lines(child.stderr!),
        stop: async () => {
          await new Promise((r) => setTimeout(r, 300)); // its checkpoint after the last line
          child.kill("SIGKILL");
          await exited;
          out.push(...lines.all);
        },
      };
    };
    let run = launch();
    // the log does not exist yet; the command says so and waits for it
    expect((await run.err.atLeast(1))[0]).toMatch(/waiting for the log file/);
    const half = 20;
    writeFileSync(log, samples.slice(0, half).join("\n") + "\n");
    expect(await run.lines.atLeast(half)).toEqual(ref(samples.slice(0, half), format));
    await run.stop();

    // written while the command is down (Vector starts it again after respawn_interval_secs)
    appendFileSync(log, samples.slice(half).join("\n") + "\n");
    run = launch();
    await run.lines.atLeast(samples.length - half);

    // rotation: the file moves away and a new one starts
    renameSync(log, log + ".1");
    writeFileSync(log, samples.slice(0, 3).join("\n") + "\n");
    await run.lines.atLeast(samples.length - half + 3);
    await run.stop();
    expect(out).toEqual(ref([...samples, ...samples.slice(0, 3)], format));
  });
});
