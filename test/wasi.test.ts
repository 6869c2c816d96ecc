// The WASI command (build/segura-wasi.wasm) under Node's node:wasi: lines in, lines out, exit codes,
// and output that streams while stdin is still open.
import { describe, it, expect, beforeAll } from "vitest";
import { referenceConvert, type LineFormat } from "../src/_reference.js";
import { runWasiOn } from "../src/_wasi.js";
import { exampleLines, OUTPUT_FORMATS, WASI_WASM } from "./_helpers.js";
import { Lines, WASI_RUNNER, requireBuild, start } from "./_proc.js";

const SEC = 1715000000;
const FIXED = `--fixed-time=${SEC}`;

/** Each argument of the command and what the reference makes for it. */
const FORMAT_ARGS = OUTPUT_FORMATS;

const expected = (lines: string[], format: LineFormat, record: boolean): string[] => lines.map((l) => referenceConvert(l, format, record, SEC, 0));
const outLines = (out: Buffer): string[] => {
  const text = out.toString("utf8");
  expect(text === "" || text.endsWith("\n")).toBe(true);
  return text === "" ? [] : text.slice(0, -1).split("\n");
};

// the samples, then variants of them, so order mistakes show
const samples = exampleLines();
const input = [...samples, ...samples.map((l) => l.replace(/"spid": "(\d+)"/, '"spid": "9$1"')).reverse()];

describe("N lines in, N lines out, in order", () => {
  it.each(FORMAT_ARGS)("%s", (arg, format, record) => {
    const r = runWasiOn([arg, FIXED], input.join("\n") + "\n", WASI_WASM);
    expect(r.stderr.toString()).toBe("");
    expect(r.code).toBe(0);
    const out = outLines(r.stdout);
    expect(out).toHaveLength(input.length);
    expect(out).toEqual(expected(input, format, record));
  });

  it("a last line without LF is still a line, and CRLF endings lose their CR", () => {
    const lines = samples.slice(0, 3);
    const r = runWasiOn(["cef", FIXED], lines.join("\r\n"), WASI_WASM);
    expect(outLines(r.stdout)).toEqual(expected(lines, "cef", false));
  });
});

describe("invalid lines", () => {
  const broken = ["not json", '{"event_id": 1,', "[1, 2, 3]", '"just a string"', "", "{\"event_id\": 1} trailing", "\u00e9\u00e8 {"];
  const mixed = broken.flatMap((b, i) => [samples[i]!, b]);

  it.each(FORMAT_ARGS)("one error line each, carrying the original (%s)", (arg, format, record) => {
    const r = runWasiOn([arg, FIXED], mixed.join("\n") + "\n", WASI_WASM);
    expect(r.code).toBe(0);
    const out = outLines(r.stdout);
    expect(out).toEqual(expected(mixed, format, record));
    broken.forEach((b, i) => {
      const line = out[2 * i + 1]!;
      if (record) {
        const rec = JSON.parse(line) as { error?: string; original?: string; event_id?: string };
        expect(rec.event_id).toBe("invalid-record");
        expect(rec.error).toMatch(/^invalid JSON at byte \d+: /);
        expect(rec.original).toBe(b);
      } else {
        expect(line).toContain("invalid-record");
        if (b !== "" && /^[\w\s",{}[\]:]+$/.test(b)) expect(line).toContain(format === "syslog" ? b.replace(/["\\\]]/g, "\\$&") : b.replace(/[\\=]/g, "\\$&"));
      }
    });
  });
});

describe("large lines", () => {
  const big = JSON.stringify({ event_id: 36, timestamp: "2024-05-06T10:00:00Z", host: "segura-01", msg: "audit", note: "x".repeat(1 << 20) });
  const bigInvalid = '{"event_id": 36, "msg": "' + "y".repeat(1 << 20);

  it.each([
    ["a valid 1 MiB record", big],
    ["an invalid 1 MiB line", bigInvalid],
  ])("%s between two samples", (_name, line) => {
    expect(line.length).toBeGreaterThan(1 << 20);
    const lines = [samples[0]!, line, samples[1]!];
    for (const [arg, format, record] of [FORMAT_ARGS[0]!, FORMAT_ARGS[3]!]) {
      const r = runWasiOn([arg, FIXED], lines.join("\n") + "\n", WASI_WASM);
      expect(r.code).toBe(0);
      expect(outLines(r.stdout)).toEqual(expected(lines, format, record));
    }
  });
});

describe("exit codes", () => {
  it("empty input: no output, exit 0", () => {
    const r = runWasiOn(["cef-syslog"], "", WASI_WASM);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout.length).toBe(0);
    expect(r.stderr.length).toBe(0);
  });

  it.each([
    ["an unknown format", ["xml"]],
    ["no format", []],
    ["only a time", [FIXED]],
    ["a time that is not a number", ["cef", "--fixed-time=soon"]],
    ["a time past 2106", ["cef", "--fixed-time=4294967296"]],
    ["an unknown option", ["cef", "--verbose"]],
  ])("%s: exit 2, a message on stderr, nothing on stdout", (_name, args) => {
    const r = runWasiOn(args, samples[0]! + "\n", WASI_WASM);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr.toString()).toMatch(/^segura-wasi: |^usage: segura-wasi\.wasm </);
    if (!args.some((a) => a.startsWith("--fixed-time="))) expect(r.stderr.toString()).toContain("usage: segura-wasi.wasm <cef|syslog|cef-syslog|json|json-cef|json-syslog|json-cef-syslog>");
  });
});

describe("streaming through real pipes", () => {
  beforeAll(requireBuild);

  it("writes the line for record 1 before stdin is closed", async () => {
    const { child, exited } = start(process.execPath, [WASI_RUNNER, WASI_WASM, "cef-syslog", FIXED]);
    const out = new Lines(child.stdout!);
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    let exitedEarly = false;
    void exited.then(() => (exitedEarly = true));
    const want = expected(samples.slice(0, 3), "cef-syslog", false);

    child.stdin!.write(samples[0] + "\n");
    expect(await out.atLeast(1)).toEqual(want.slice(0, 1));
    expect(exitedEarly).toBe(false);
    expect(child.stdin!.writableEnded).toBe(false);

    child.stdin!.write(samples[1] + "\n");
    expect(await out.atLeast(2)).toEqual(want.slice(0, 2));

    child.stdin!.end(samples[2]); // the last line without its LF
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(await out.atLeast(3)).toEqual(want);
    expect(out.all).toHaveLength(3);
    expect(stderr).toBe("");
  });
});
