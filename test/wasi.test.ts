// The WASI command (build/segura-wasi.wasm) under Node's node:wasi: lines in, lines out, exit codes,
// and output that streams while stdin is still open.
import { describe, it, expect, beforeAll } from "vitest";
import { referenceConvert, type LineFormat } from "../src/_reference.js";
import { runWasiOn } from "../src/_wasi.js";
import { MAX_LINE_BYTES } from "../src/_lines.js";
import { cli } from "./_proc.js";
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

describe("lines of any length: one line out each, and the next lines come through", () => {
  const KiB = 1024;
  /** A valid record of exactly `n` bytes. */
  const recordOf = (n: number): string => {
    const head = '{"event_id": 36, "msg": "';
    return head + "x".repeat(n - head.length - 2) + '"}';
  };
  const cutNote = (n: number, kept: number): string => `segura-wasi: line ${n} is longer than ${MAX_LINE_BYTES} bytes: its first ${kept} bytes are converted as an invalid record, the rest is skipped\n`;

  // node:wasi aborted the process (SIGABRT, nothing on stderr) on lines of about 4 MiB and more
  it.each([
    ["4095 KiB", 4095 * KiB, false],
    ["4096 KiB", 4096 * KiB, false],
    ["4097 KiB", 4097 * KiB, false],
    ["8 MiB", 8192 * KiB, false],
    ["16 MiB, the limit", 16384 * KiB, false],
    ["16 MiB and 1 KiB", 16385 * KiB, true],
  ])("a record of %s between two samples", (_name, size, cut) => {
    expect(MAX_LINE_BYTES).toBe(16384 * KiB);
    const long = recordOf(size);
    const r = runWasiOn(["cef", FIXED], [samples[0], long, samples[1]].join("\n") + "\n", WASI_WASM);
    expect(r.code).toBe(0);
    const out = outLines(r.stdout);
    expect(out).toHaveLength(3);
    expect([out[0], out[2]]).toEqual(expected([samples[0]!, samples[1]!], "cef", false));
    // a cut record is an invalid-record event made of its first MAX_LINE_BYTES bytes
    expect(out[1]).toBe(expected([cut ? long.slice(0, MAX_LINE_BYTES) : long], "cef", false)[0]);
    expect(out[1]!.includes("|invalid-record|")).toBe(cut);
    expect(r.stderr.toString()).toBe(cut ? cutNote(2, MAX_LINE_BYTES) : "");
  });

  const LIMIT = 1024;
  const pad = (head: string, n: number, tail = ""): string => head + " ".repeat(n - head.length - tail.length) + tail;
  const edges: [string, string, number][] = [
    // name, line, bytes of it converted (-1: all of it)
    ["exactly the limit", recordOf(LIMIT), -1],
    ["the limit and a CRLF ending", recordOf(LIMIT) + "\r", -1],
    ["one byte over", recordOf(LIMIT + 1), LIMIT],
    ["a whole record padded with spaces past the limit", pad('{"event_id": 36}', LIMIT + 10), '{"event_id": 36'.length],
    ["a record whose '}' ends at the limit, text after it", pad('{"event_id": 36, "x": {"y": 1', LIMIT, "}}") + "trailing", '{"event_id": 36, "x": {"y": 1'.length],
    ["nothing but '}'", "}".repeat(LIMIT + 1), 0],
  ];

  it.each(edges)("%s: the WASI command and convert cut it alike, never into a whole record", async (_name, line, kept) => {
    const input = [samples[0], line, samples[2]].join("\n") + "\n";
    const r = runWasiOn(["json-cef", FIXED, `--max-line-bytes=${LIMIT}`], input, WASI_WASM);
    expect(r.code).toBe(0);
    const out = outLines(r.stdout);
    const body = line.endsWith("\r") ? line.slice(0, -1) : line;
    const converted = kept < 0 ? body : body.slice(0, kept);
    expect(out).toEqual(expected([samples[0]!, converted, samples[2]!], "cef", true));
    if (kept >= 0) {
      expect((JSON.parse(out[1]!) as { event_id: string }).event_id).toBe("invalid-record");
      expect(r.stderr.toString()).toBe(cutNote(2, kept).replace(String(MAX_LINE_BYTES), String(LIMIT)));
    } else expect(r.stderr.toString()).toBe("");
    const c = await cli(["convert", "-f", "json-cef", "--fixed-time", String(SEC), "--max-line-bytes", String(LIMIT)], { input });
    expect(c.code).toBe(0);
    expect(c.stdout.toString()).toBe(r.stdout.toString());
  });

  it("a 64 MiB line is skipped through without holding it: one line out, then the rest", () => {
    const huge = '{"event_id": 36, "msg": "' + "z".repeat(64 * 1024 * KiB);
    const r = runWasiOn(["cef", FIXED], huge + "\n" + samples[3] + "\n", WASI_WASM);
    expect(r.code).toBe(0);
    expect(outLines(r.stdout)).toEqual(expected([huge.slice(0, MAX_LINE_BYTES), samples[3]!], "cef", false));
  });

  it.each([["too small", "1023"], ["too large", String(64 * 1024 * KiB + 1)], ["not a number", "4M"]])("--max-line-bytes %s: exit 2", (_name, v) => {
    const r = runWasiOn(["cef", `--max-line-bytes=${v}`], samples[0]! + "\n", WASI_WASM);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr.toString()).toBe("segura-wasi: --max-line-bytes takes a whole number from 1024 to 67108864\n");
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
