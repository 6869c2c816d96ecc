// Typed keys: each value check accepts only what Elastic's CEF decoder (Go's strconv / net parsers and
// its timestamp layouts) reads as the same value, and a value that does not pass is moved, as text, to
// the key's companion key (docs/catalogue.md, "Typed keys"). Every row runs through the engine and
// through the reference mapping.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { typedEdge } from "./_arbitraries.js";
import { referenceConvert, fitsCheck } from "../src/_reference.js";
import { FIELDS, CHECK_REASONS } from "../src/_catalogue.js";
import { freshHost, recordText, ROOT } from "./_helpers.js";
import { parseCef, parseSyslog } from "./_parse.js";

const host = freshHost();
const SEC = 1715000000;

interface Out { cef: [string, string][]; warning: string | undefined }
/** The record {"event_id": 16, key: value} through the engine and the reference, as CEF pairs and warning. */
function both(record: Record<string, unknown>): [engine: Out, reference: Out] {
  const text = JSON.stringify({ event_id: 16, ...record });
  const read = (json: string): Out => {
    const r = JSON.parse(json) as { message: string; warning?: string };
    return { cef: parseCef(r.message).ext, warning: r.warning };
  };
  return [read(recordText(host, "segura_cef", text, SEC)), read(referenceConvert(text, "cef", true, SEC))];
}
const text = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

/** check, the key it is tried on, values it accepts, values it moves. */
type Table = [check: string, key: string, accept: unknown[], reject: unknown[]];
const TABLES: Table[] = [
  ["integer", "spid",
    ["0", "7", "-1", "-0", "2147483647", "-2147483648", 90211, -5],
    ["2147483648", "-2147483649", 2147483648, "010", "00", "-01", "+1", "0x1F", "0b1", "1e3", "1.0", 1.5, "1_000", " 1", "1 ", "ssh", "１", "99999999999999999999", "-", true, { a: 1 }, [1]]],
  ["long", "cn1",
    ["0", "-5", "9223372036854775807", "-9223372036854775808", 1715000000000],
    ["9223372036854775808", "-9223372036854775809", "12345678901234567890", "07", "0x10", "1e2", "1.5", "x"]],
  ["port", "dpt",
    ["0", "22", "443", 443, "65535", 65535],
    ["65536", "70000", 70000, "-1", -1, "-0", "022", "ssh", "22/tcp", "8e1", "0x16", "2.2e1"]],
  ["float", "cfp1",
    ["0", "-1.5", "3.25", "1e5", "3.4028234e38", "-3.4028234e38", "340282340000000000000000000000000000000", "0.0000001", "1e-50", "0e999", 46.7916],
    ["3.4028235e38", "1e39", "-3.5e38", "1e400", 1e300, "NaN", "Inf", "-Infinity", ".5", "5.", "1e", "1e+", "0x1p3", "1,5", "+1", "--1", "1.2.3"]],
  ["latitude", "slat",
    ["90", "-90", "-23.6261", "0", "90.000", "9e1", "0.9e2", "900e-1", -23.6261],
    ["90.0001", "-90.5", "91", "1e2", 100, "9.00001e1", "north", "1e400"]],
  ["longitude", "slong",
    ["180", "-180", "-46.6388", "1.8e2", "179.9999", -46.6388],
    ["180.0000001", "-181", "181", "1e3", "1.80000001e2", "west"]],
  ["ipv4_address", "dst",
    ["10.0.0.1", "0.0.0.0", "255.255.255.255", "127.0.0.1", "192.168.100.200", "1.2.3.4"],
    ["001.002.003.004", "1.2.3.04", "01.2.3.4", "256.1.1.1", "1.2.3.256", "1.2.3", "1.2.3.4.5", ".10.156", ".0.1", "1..2.3", "1.2.3.", "localhost", "fe80::1", "::ffff:1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/24", "1.2.3.4:22", 1234, "１.2.3.4"]],
  ["ipv6_address", "c6a1",
    ["::", "::1", "fe80::1", "2001:db8::7", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "1::8", "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1::2:3:4:5:1.2.3.4", "::1.2.3.4", "ABCD:ef01::", "0001:0:0::1", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"],
    ["1.2.3.4", ":", ":::", "1:::2", "1::2::3", ":1::", "1::2:", ":1:2:3:4:5:6:7:8", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:01.2.3.4", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5", "00001::", "fe80::1%eth0", "[::1]", "g::1", "::ffff:1.2.3.4.5", "1:2"]],
  ["ip_address", "originIP",
    ["10.0.0.1", "::1", "2001:db8::7", "::ffff:10.0.0.1"],
    [".10.156", ".0.1", "localhost", "001.2.3.4", "1:2", "fe80::1%eth0", "10.0.0.1/8"]],
  ["mac_address", "smac",
    ["00:11:22:33:44:55", "AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff"],
    ["00:11-22:33:44:55", "00-11:22:33:44:55", "00:11:22:33:44", "00:11:22:33:44:55:66", "001122334455", "00:11:22:33:44:5g", "00.11.22.33.44.55", "0011.2233.4455", "0:11:22:33:44:55"]],
  ["timestamp", "start",
    ["1715000000000", "0", 1715000000000, "May  6 10:00:00", "May 6 10:00:00", "May 06 10:00:00", "May 16 10:00:00.123", "May 16 2024 10:00:00", "May 16 2024 10:00:00.123 UTC",
      "Feb 29 10:00:00", "Feb 29 2024 10:00:00", "Feb 29 2000 10:00:00", "Jan 2 10:00:00 GMT", "Jan 2 10:00:00 BRT", "Jan 2 10:00:00 AEST", "Jan 2 10:00:00 ABCDT", "Dec 31 2099 23:59:59.999 UTC", "Jan 2 0000 00:00:00", "Nov 30 1999 12:34:56", "Feb 29 1996 00:00:00"],
    ["2024-05-06T10:00:00Z", "-5", "-0", "0x10", "01715000000000", "9223372036854775808", "1715000000000.5", "Feb 30 10:00:00", "Feb 29 2023 10:00:00", "Feb 29 1900 10:00:00", "Apr 31 10:00:00",
      "Jan 32 10:00:00", "Jan 0 10:00:00", "Jan 00 10:00:00", "Jan : 10:00:00", "jan 2 10:00:00", "JAN 2 10:00:00", "January 2 10:00:00", "Jan  12 10:00:00", "Jan   2 10:00:00", "Jan 2 24:00:00", "Jan 2 23:60:00",
      "Jan 2 23:59:60", "Jan 2 9:00:00", "Jan 2 10:00:00.12", "Jan 2 10:00:00.1234", "Jan 2 10:00:00 ABCD", "Jan 2 10:00:00 GMTT", "Jan 2 10:00:00 UTCT", "Jan 2 10:00:00 ABCDEF",
      "Jan 2 10:00:00 utc", "Jan 2 10:00:00 UT", "Jan 2 10:00:00 +0300", "Jan 2 10:00:00  UTC", "Jan 2 10:00:00 ", "Jan 2 24 10:00:00", "Jan 2 10:00", "Jan 2 202 10:00:00", "yesterday"]],
];

describe.each(TABLES)("check %s (on %s)", (check, key, accept, reject) => {
  const field = FIELDS.find((f) => f.key === key)!;
  it(`is the check of ${key}`, () => expect([field.check, field.companion]).toEqual([check, `${key}Invalid`]));
  it.each(accept.map((v) => [text(v), v] as const))("accepts %s", (_t, v) => {
    if (typeof v === "string") expect(fitsCheck(check, v)).toBe(true);
    for (const out of both({ [key]: v })) {
      expect(out.cef.filter(([k]) => k.startsWith(key))).toEqual([[key, text(v)]]);
      expect(out.warning).toBeUndefined();
    }
  });
  it.each(reject.map((v) => [text(v), v] as const))("moves %s", (_t, v) => {
    if (typeof v === "string") expect(fitsCheck(check, v)).toBe(false);
    for (const out of both({ [key]: v })) {
      expect(out.cef.filter(([k]) => k.startsWith(key))).toEqual([[`${key}Invalid`, text(v)]]);
      expect(out.warning).toBe(`${key}: ${CHECK_REASONS[check]}, moved to ${key}Invalid`);
    }
  });
});

// No key of the CEF dictionary has the plain double check today (its doubles are latitudes,
// longitudes or 32-bit floats); the reference's check is pinned here.
describe("check double (reference only: no key uses it)", () => {
  it.each(["0", "-1.5", "1e308", "1.7976931348623157e308", "-1.7976931348623157e308", "1e-400", "0e99999"])("accepts %s", (v) => expect(fitsCheck("double", v)).toBe(true));
  it.each(["1.7976931348623158e308", "1e309", "2e308", "NaN", ".5", "1e", "x"])("refuses %s", (v) => expect(fitsCheck("double", v)).toBe(false));
  it("is the check of no key", () => expect(FIELDS.filter((f) => f.check === "double")).toEqual([]));
});

describe("moved values", () => {
  it("Segura's own spellings move as their key does (dport, latitude)", () => {
    for (const out of both({ dport: "ssh", latitude: "north" })) {
      expect(out.cef.filter(([k]) => /^(dpt|slat)/.test(k))).toEqual([["dptInvalid", "ssh"], ["slatInvalid", "north"]]);
      expect(out.warning).toBe("dpt: not a port number 0-65535, moved to dptInvalid; slat: not a latitude -90 to 90, moved to slatInvalid");
    }
  });
  it("take the typed key's place in the output order", () => {
    for (const out of both({ dpt: 22, dst: "localhost", src: "10.0.0.1", suser: "admin", note: "x" })) {
      expect(out.cef.map(([k]) => k)).toEqual(["rt", "cat", "suser", "src", "dstInvalid", "dpt", "note"]);
    }
  });
  it("are escaped like any value, in CEF and in structured data", () => {
    const text = JSON.stringify({ event_id: 16, dst: 'a=b\\c"d]e\nf' });
    for (const fn of ["segura_syslog", "segura_cef"] as const) {
      const engine = JSON.parse(recordText(host, fn, text, SEC)) as { message: string };
      expect(engine.message).toBe(JSON.parse(referenceConvert(text, fn === "segura_cef" ? "cef" : "syslog", true, SEC)).message);
      if (fn === "segura_cef") expect(parseCef(engine.message).ext).toContainEqual(["dstInvalid", 'a=b\\c"d]e\nf']);
      else expect(parseSyslog(engine.message).sd[0]!.params).toContainEqual(["dstInvalid", 'a=b\\c"d]e\\nf']);
    }
  });
  it("are cut at 1023 bytes on a character boundary, with a warning", () => {
    for (const out of both({ dst: "é".repeat(600) })) {
      expect(out.cef.find(([k]) => k === "dstInvalid")![1]).toBe("é".repeat(511));
      expect(out.warning).toBe("dst: not an IPv4 address, moved to dstInvalid; dstInvalid: truncated");
    }
  });
  it("keep nested JSON as its text", () => {
    for (const out of both({ dpt: { port: 22 } })) expect(out.cef).toContainEqual(["dptInvalid", '{"port":22}']);
  });
  it("are left out, with a warning, for the one typed key whose companion would pass 32 characters", () => {
    const long = FIELDS.filter((f) => f.check !== "string" && !f.companion).map((f) => f.key);
    expect(long).toEqual(["destinationTranslatedAddress"]);
    for (const out of both({ destinationTranslatedAddress: "localhost" })) {
      expect(out.cef.filter(([k]) => k.startsWith("destinationTranslatedAddress"))).toEqual([]);
      expect(out.warning).toBe("destinationTranslatedAddress: not an IPv4 address, left out");
    }
  });
  it("come from received lines too (Segura's truncated addresses)", () => {
    const line = "CEF:0|MT4|Segura|3.27.0-4|16|Session started|3| suser=admin src=.10.156 dst=10.0.0.9 dpt=22";
    for (const out of both({ message: line, event_id: undefined })) {
      expect(out.cef.filter(([k]) => /^(src|dst|dpt)/.test(k))).toEqual([["srcInvalid", ".10.156"], ["dst", "10.0.0.9"], ["dpt", "22"]]);
      expect(out.warning).toBe("src: not an IPv4 address, moved to srcInvalid");
    }
  });
});

describe("companion keys in the record are reserved", () => {
  it("a companion key given by the record is left out and counted", () => {
    for (const out of both({ dstInvalid: "forged", dst: "10.0.0.1", cn1Invalid: "x" })) {
      expect(out.cef.filter(([k]) => k.endsWith("Invalid"))).toEqual([]);
      expect(out.warning).toBe("2 keys left out (reserved for moved values: <typed key>Invalid)");
    }
  });
  it("so a moved value is never doubled or shadowed", () => {
    for (const out of both({ dstInvalid: "forged", dst: "localhost" })) {
      expect(out.cef.filter(([k]) => k.startsWith("dst"))).toEqual([["dstInvalid", "localhost"]]);
    }
  });
  it.each(["dportInvalid", "suserInvalid", "Invalid", "dstinvalid", "dstInvalidx"])("%s is no companion key and passes through", (key) => {
    for (const out of both({ [key]: "v" })) {
      expect(out.cef).toContainEqual([key, "v"]);
      expect(out.warning).toBeUndefined();
    }
  });
});

describe("engine = reference on every typed key, with values at the checks' edges", () => {
  const typed = FIELDS.filter((f) => f.check !== "string").flatMap((f) => [f.key, ...f.aliases, f.companion].filter((k) => k !== ""));
  it("segura_cef", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...typed), fc.oneof(typedEdge, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))), { minLength: 1, maxLength: 6 }), (pairs) => {
        const text = JSON.stringify(Object.fromEntries([["event_id", 16], ...pairs]));
        expect(recordText(host, "segura_cef", text, SEC)).toBe(referenceConvert(text, "cef", true, SEC));
      }),
      { numRuns: 5000, seed: 4291 },
    );
  });
  it("one value at a time, on one key of each check", () => {
    const keys = TABLES.map(([, key]) => key);
    fc.assert(
      fc.property(fc.constantFrom(...keys), typedEdge, (key, v) => {
        const text = JSON.stringify({ event_id: 16, [key]: v });
        expect(recordText(host, "segura_cef", text, SEC)).toBe(referenceConvert(text, "cef", true, SEC));
      }),
      { numRuns: 20000, seed: 4292 },
    );
  });
});

// ---- against Go's parsers, called as Elastic's CEF decoder calls them -----------------------------
/** test/gocheck built once per version of its source, under node_modules/.cache. */
function goCheck(): string {
  const src = join(ROOT, "test", "gocheck");
  const hash = createHash("sha256").update(readFileSync(join(src, "main.go"))).update(readFileSync(join(src, "go.mod"))).digest("hex").slice(0, 16);
  const dir = join(ROOT, "node_modules", ".cache", "segura-gocheck");
  const bin = join(dir, `gocheck-${hash}`);
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync("go", ["build", "-o", bin, "."], { cwd: src, encoding: "utf8", timeout: 300_000, env: { ...process.env, GOTOOLCHAIN: "local", GOPROXY: "off", GOFLAGS: "" } });
    if (r.status !== 0) throw new Error(`go build test/gocheck failed: ${r.error?.message ?? r.stderr}`);
  }
  return bin;
}
/** The Go type Elastic's decoder reads each check's keys as (ports are its integers, latitudes its doubles). */
const GO_TYPE: Record<string, string> = {
  integer: "integer", long: "long", port: "integer", double: "double", float: "float", latitude: "double", longitude: "double",
  ipv4_address: "ip", ipv6_address: "ip", ip_address: "ip", mac_address: "mac", timestamp: "timestamp",
};
function goReads(bin: string, rows: [check: string, value: string][]): boolean[] {
  const input = rows.map(([c, v]) => JSON.stringify([GO_TYPE[c], v])).join("\n") + "\n";
  const r = spawnSync(bin, [], { input, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`gocheck: ${r.stderr}`);
  return r.stdout.trim().split("\n").map((l) => l === "1");
}

/** Values Go's parsers read but the checks refuse: Go reads them as another number than the text says
 * (octal, hex, binary, "_" separators) or rounds them into range, or accepts spellings and ranges
 * other readers do not (a port over 65535, a latitude over 90, an IPv6 text in an IPv4 key, MAC
 * addresses without ':' or '-', lower-case months, odd spacing, fractions of other than three digits). */
const STRICTER_THAN_GO: [string, string][] = [
  ["integer", "010"], ["integer", "00"], ["integer", "-01"], ["integer", "+1"], ["integer", "0x1F"], ["integer", "0b1"], ["integer", "1_000"],
  ["long", "07"], ["long", "0x10"],
  ["port", "65536"], ["port", "70000"], ["port", "-1"], ["port", "-0"], ["port", "022"], ["port", "0x16"],
  ["float", "3.4028235e38"], ["float", "NaN"], ["float", "Inf"], ["float", "-Infinity"], ["float", ".5"], ["float", "5."], ["float", "0x1p3"], ["float", "+1"],
  ["latitude", "90.0001"], ["latitude", "-90.5"], ["latitude", "91"], ["latitude", "1e2"], ["latitude", "9.00001e1"],
  ["longitude", "180.0000001"], ["longitude", "-181"], ["longitude", "181"], ["longitude", "1e3"], ["longitude", "1.80000001e2"],
  ["ipv4_address", "fe80::1"], ["ipv4_address", "::ffff:1.2.3.4"], ["ipv6_address", "1.2.3.4"],
  ["mac_address", "001122334455"], ["mac_address", "0011.2233.4455"],
  ["timestamp", "-5"], ["timestamp", "-0"], ["timestamp", "0x10"], ["timestamp", "01715000000000"], ["timestamp", "jan 2 10:00:00"], ["timestamp", "JAN 2 10:00:00"],
  ["timestamp", "Jan  12 10:00:00"], ["timestamp", "Jan   2 10:00:00"], ["timestamp", "Jan 2 9:00:00"], ["timestamp", "Jan 2 10:00:00.12"],
  ["timestamp", "Jan 2 10:00:00.1234"], ["timestamp", "Jan 2 10:00:00  UTC"],
];

describe("every value a check accepts is one Go's parsers read (as Elastic's CEF decoder calls them)", () => {
  const bin = goCheck();
  const checks = Object.keys(GO_TYPE);
  it("the accept columns of the tables above", () => {
    const rows = TABLES.flatMap(([check, , accept]) => accept.map((v): [string, string] => [check, text(v)]));
    const read = goReads(bin, rows);
    expect(rows.filter((_r, i) => !read[i])).toEqual([]);
  });
  it("of the reject columns, Go reads only the values the checks refuse on purpose", () => {
    const rows = TABLES.flatMap(([check, , , reject]) => reject.filter((v) => typeof v === "string").map((v): [string, string] => [check, v as string]));
    const read = goReads(bin, rows);
    expect(rows.filter((_r, i) => read[i])).toEqual(STRICTER_THAN_GO);
  });
  it("generated values at the checks' edges", () => {
    const values = fc.sample(fc.tuple(fc.constantFrom(...checks), fc.oneof(typedEdge, fc.string({ unit: fc.constantFrom(..."0123456789.:-+eEaAfFxX JanFebDecGMTUC"), maxLength: 30 }))), { numRuns: 40000, seed: 1917 });
    const accepted = values.filter(([c, v]) => fitsCheck(c, v));
    expect(accepted.length).toBeGreaterThan(1000);
    const read = goReads(bin, accepted);
    expect(accepted.filter((_r, i) => !read[i])).toEqual([]);
  });
});
