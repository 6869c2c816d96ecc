// The module in WAMR, called as Fluent Bit's wasm filter calls it (hosts/wamr): the goldens, the
// reference mapping on the oracle's generated records, the hostile and broken records (byte for byte
// what the V8 host gives, which hostile.test.ts reads back with the strict parsers), a trapping module
// followed by good records, and the WASI command. One WAMR instance serves each describe block.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FILTER_FUNCTIONS } from "../src/_host.js";
import { referenceConvert } from "../src/_reference.js";
import { EVENTS } from "../src/_catalogue.js";
import { exampleLines, freshHost, recordText, FORMAT_OF, RELEASE_WASM, ROOT, WASI_WASM } from "./_helpers.js";
import { recordText as recordTextArb, brokenBytes as oracleBrokenBytes } from "./_arbitraries.js";
import { nativeRecord } from "./_native-arbitraries.js";
import { BROKEN, brokenBytes } from "./_broken.js";
import { shape, fill, hostileText, recordJson } from "./_events.js";
import { WamrHost, type WamrCall, type WamrResult } from "./_wamr.js";
import { trapModule, TRAPS } from "./_trapmodule.js";
import { run } from "./_proc.js";
import { tool } from "./_tools.js";

const SEC = 1715000000;
const NSEC = 123456789;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

async function all(host: WamrHost, calls: WamrCall[]): Promise<WamrResult[]> {
  return Promise.all(calls.map((c) => host.call(c)));
}
/** The record WAMR gave back, as text: a string result, valid UTF-8, a JSON object. */
function text(r: WamrResult): string {
  expect(r.status, r.bytes.toString()).toBe("string");
  const t = strictUtf8.decode(r.bytes);
  const v = JSON.parse(t) as unknown;
  expect(v !== null && typeof v === "object" && !Array.isArray(v)).toBe(true);
  return t;
}

describe("WAMR: the goldens", () => {
  let host: WamrHost;
  beforeAll(() => { host = new WamrHost(RELEASE_WASM); });
  afterAll(() => host.close());
  const golden = (name: string): string[] => readFileSync(join(ROOT, "test", "golden", name), "utf8").split("\n").slice(0, -1);
  const samples = exampleLines();
  const fnOf = { cef: "segura_cef", syslog: "segura_syslog", "cef-syslog": "segura_cef_syslog" } as const;

  it.each(Object.entries(fnOf))("samples as %s: the message of each record is the golden line", async (format, fn) => {
    const got = await all(host, samples.map((record) => ({ fn, record })));
    expect(got.map((r) => (JSON.parse(text(r)) as { message: string }).message)).toEqual(golden(`samples.${format}.txt`));
  });

  it.each(Object.entries(fnOf))("invalid records as %s", async (format, fn) => {
    const bad = ["", "not json", "[1,2]", '{"event_id":16', '{"a":"\\x"}', '{"a":1} trailing', "{\"a\":\"ctl\u0001\"}"];
    const got = await all(host, bad.map((record) => ({ fn, record, sec: SEC })));
    expect(got.map((r) => (JSON.parse(text(r)) as { message: string }).message)).toEqual(golden(`invalid.${format}.txt`));
  });

  it.each(Object.entries(fnOf))("every catalogue event as %s", async (format, fn) => {
    // the records golden.test.ts builds: the sample of the event's layout with the event's id
    const v8 = freshHost();
    const bySample = samples.map((s) => [(JSON.parse(recordText(v8, "segura_cef", s)) as { event_id: string }).event_id, s] as const);
    const layoutSample = new Map<string, Record<string, unknown>>();
    for (const [id, s] of bySample) {
      const e = EVENTS.find((x) => x.id === id);
      if (e && !layoutSample.has(e.layout)) layoutSample.set(e.layout, JSON.parse(s) as Record<string, unknown>);
    }
    const records = EVENTS.map((e) => {
      const rec = { ...layoutSample.get(e.layout)! };
      delete rec.event;
      rec.event_id = e.id;
      return JSON.stringify(rec);
    });
    const got = await all(host, records.map((record) => ({ fn, record })));
    expect(got.map((r) => (JSON.parse(text(r)) as { message: string }).message)).toEqual(golden(`events.${format}.txt`));
  });
});

describe("WAMR = reference on the oracle's generated records", () => {
  let host: WamrHost;
  beforeAll(() => { host = new WamrHost(RELEASE_WASM); });
  afterAll(() => host.close());
  // the arbitraries and seeds of oracle.test.ts
  const generated: [string, () => [string | Uint8Array, number, number][]][] = [
    ["well-formed hostile records", () => fc.sample(fc.tuple(recordTextArb, fc.nat(2 ** 31)), { numRuns: 2500, seed: 5424 }).map(([t, s]) => [t, s, NSEC])],
    ["broken bytes", () => fc.sample(oracleBrokenBytes, { numRuns: 2500, seed: 3164 }).map((b) => [b, SEC, 0])],
    ["received Segura lines", () => fc.sample(nativeRecord, { numRuns: 3000, seed: 1024 }).map((t) => [t, SEC, NSEC])],
  ];
  const cases = generated.flatMap(([name, make]) => FILTER_FUNCTIONS.map((fn) => [name, fn, make] as const));
  it.each(cases)("%s through %s", async (_name, fn, make) => {
    const inputs = make();
    const got = await all(host, inputs.map(([record, sec, nsec]) => ({ fn, record, sec, nsec })));
    inputs.forEach(([record, sec, nsec], i) => {
      expect(text(got[i]!), `record ${i}`).toBe(referenceConvert(record, FORMAT_OF[fn], true, sec, nsec));
    });
  });
});

describe("WAMR = V8 on hostile and broken records", () => {
  let host: WamrHost;
  beforeAll(() => { host = new WamrHost(RELEASE_WASM); });
  afterAll(() => host.close());
  const v8 = freshHost();
  const hostile = fc.sample(shape({ hostileKeys: true }).chain((s) =>
    fc.tuple(fc.array(hostileText, { minLength: 24, maxLength: 24 }), fc.array(hostileText, { minLength: 1, maxLength: 1 })).map(([t, h]) => fill(s, t, h))), { numRuns: 700, seed: 4242 }).map((p) => recordJson(p));
  const sets: [string, (string | Uint8Array)[]][] = [
    ["hostile events", hostile],
    ["the broken-record table", BROKEN.map(([, c]) => c.input)],
    ["generated broken bytes", fc.sample(brokenBytes, { numRuns: 1500, seed: 1024 })],
  ];
  const cases = sets.flatMap(([name, inputs]) => FILTER_FUNCTIONS.map((fn) => [name, fn, inputs] as const));
  it.each(cases)("%s through %s", async (_name, fn, inputs) => {
    const got = await all(host, inputs.map((record) => ({ fn, record, sec: SEC, nsec: NSEC })));
    inputs.forEach((record, i) => {
      expect(text(got[i]!), `record ${i}`).toBe(strictUtf8.decode(v8.callRaw(fn, "segura.events", record, SEC, NSEC)!));
    });
  });

  it.each(BROKEN.map(([name, c]) => [name, c] as const))("%s: the error WAMR's record carries", async (_name, c) => {
    const meta = JSON.parse(text(await host.call({ fn: "segura_cef_syslog", record: c.input, sec: SEC }))) as { error?: string };
    if (c.error) expect(meta.error).toMatch(c.error);
    else expect(meta.error).toBeUndefined();
  });
});

describe("WAMR after a trap, as Fluent Bit goes on: the record is dropped, the same instance takes the next", () => {
  let dir: string;
  let host: WamrHost;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "segura-wamr-"));
    writeFileSync(join(dir, "trap.wasm"), trapModule());
    host = new WamrHost(join(dir, "trap.wasm"));
  });
  afterAll(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(TRAPS)("%s, then good records", async (record, why) => {
    const good = Array.from({ length: 50 }, (_, i) => `{"n":${i},"pad":"${"x".repeat(i * 37)}"}`);
    const before = await host.call({ fn: "filter", record: good[0]! });
    const trapped = await host.call({ fn: "filter", record });
    expect(trapped.status).toBe("trap");
    expect(trapped.bytes.toString()).toMatch(why);
    const after = await all(host, good.map((r) => ({ fn: "filter", record: r })));
    expect(after.map((r) => [r.status, r.bytes.toString()])).toEqual(good.map((g) => ["string", g]));
    // the tag and record of the trapped call were freed: the allocator started over, memory did not grow
    expect(after.at(-1)!.memoryBytes).toBe(before.memoryBytes);
  });

  it("a function the module lacks is reported, and the instance goes on", async () => {
    expect((await host.call({ fn: "segura_cef", record: "{}" })).status).toBe("no-function");
    expect((await host.call({ fn: "filter", record: "{}" })).bytes.toString()).toBe("{}");
  });
});

describe("WAMR runs the WASI command", () => {
  const samples = exampleLines();
  const small = samples.slice(0, 20);
  it.each(["cef", "syslog", "cef-syslog"] as const)("%s: 20 samples, stdin to stdout", async (format) => {
    const r = await run(tool("wamr"), ["wasi", WASI_WASM, format], { input: small.join("\n") + "\n" });
    expect(r.stderr).toBe("");
    expect(r.stdout.toString().split("\n").slice(0, -1)).toEqual(small.map((l) => referenceConvert(l, format, false, SEC, 0)));
  });
  // This WAMR copies the WASI iovecs into an app heap that it inserts after the module's initial pages,
  // which AssemblyScript's runtime takes as its own memory; WAMR 2.4.1 copies them in native memory
  // (hosts/wamr/README.md). When the crate carries a newer WAMR, this test fails: then run all samples.
  it("all samples: this WAMR runs out of its app heap (a known limit of the WAMR the crate carries)", async () => {
    const r = await run(tool("wamr"), ["wasi", WASI_WASM, "cef"], { input: samples.join("\n") + "\n" });
    expect(r.stderr).toMatch(/Exception: out of memory/);
  });
  it("an unknown argument: the usage on stderr, nothing on stdout", async () => {
    const r = await run(tool("wamr"), ["wasi", WASI_WASM, "bogus"], { input: "" });
    expect(r.stdout.toString()).toBe("");
    expect(r.stderr).toMatch(/^segura-wasi: unknown argument\nusage: /);
  });
});
