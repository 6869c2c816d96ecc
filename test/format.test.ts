// Each escaper and each limit, one table each, through the release module.
import { describe, it, expect } from "vitest";
import { convertLine } from "../src/_host.js";
import { freshHost, recordText } from "./_helpers.js";

const host = freshHost();
const line = (format: "cef" | "syslog" | "cef-syslog", rec: object): string => new TextDecoder().decode(convertLine(host, format, JSON.stringify(rec)));
/** The raw text of the last CEF extension, which the record below makes `suser`. */
const cefValue = (v: string): string => line("cef", { event_id: 16, suser: v }).split(" suser=")[1]!;
const sdValue = (v: string): string => /suser="(.*)"\]$/s.exec(line("syslog", { event_id: 16, suser: v }))![1]!;

describe("CEF extension value escaper", () => {
  it.each([
    ["plain", "plain"],
    ["a=b", "a\\=b"],
    ["a\\b", "a\\\\b"],
    ["a|b", "a|b"],
    ["two\nlines", "two\\nlines"],
    ["cr\rhere", "cr\\rhere"],
    ["crlf\r\n", "crlf\\r\\n"],
    ["tab\tkept", "tab\tkept"],
    ["nul\u0000x", "nul\ufffdx"],
    ["del\u007fx", "del\ufffdx"],
    ["x act=allow", "x act\\=allow"],
    ["\\=", "\\\\\\="],
    ["ünïcödé 😀", "ünïcödé 😀"],
    ["lone \ud800 surrogate", "lone \ufffd surrogate"],
  ])("%j -> %j", (input, expected) => {
    expect(cefValue(input)).toBe(expected);
  });
});

describe("CEF header escaper (Name of an unknown event)", () => {
  const name = (n: string): string => line("cef", { event: n }).split("|")
    .join("\u0001").replace(/\\\u0001/g, "\\|").split("\u0001")[5]!;
  it.each([
    ["plain name", "plain name"],
    ["a|b", "a\\|b"],
    ["a\\b", "a\\\\b"],
    ["a=b", "a=b"],
    ["two\nlines", "two lines"],
    ["cr\rx", "cr x"],
    ["tab\tx", "tab x"],
    ["nul\u0000x", "nul\ufffdx"],
  ])("%j -> %j", (input, expected) => {
    expect(name(input)).toBe(expected);
  });
});

describe("RFC 5424 PARAM-VALUE escaper", () => {
  it.each([
    ["plain", "plain"],
    ['a"b', 'a\\"b'],
    ["a]b", "a\\]b"],
    ["a\\b", "a\\\\b"],
    ["a=b [x y=\"z\"]", 'a=b [x y=\\"z\\"\\]'],
    ["two\nlines", "two\\nlines"],
    ["cr\rx", "cr\\rx"],
    ["nul\u0000x", "nul\ufffdx"],
  ])("%j -> %j", (input, expected) => {
    expect(sdValue(input)).toBe(expected);
  });
});

describe("RFC 5424 MSG writer", () => {
  const msg = (m: string): string => line("syslog", { event_id: 16, msg: m }).split("] ").slice(1).join("] ");
  it.each([
    ["plain text", "plain text"],
    ["two\nlines", "two\\nlines"],
    ["cr\rx", "cr\\rx"],
    ["kept \\ \" ] =", "kept \\ \" ] ="],
    ["\n<13>1 2024-01-01T00:00:00Z forged - - - - -", "\\n<13>1 2024-01-01T00:00:00Z forged - - - - -"],
    ["nul\u0000x", "nul\ufffdx"],
    ["\ufeffstarts with a BOM", "\ufffdstarts with a BOM"],
    ["BOM \ufeff inside", "BOM \ufeff inside"],
  ])("%j -> %j", (input, expected) => {
    expect(msg(input)).toBe(expected);
  });
});

describe("RFC 5424 HOSTNAME: a host name's characters (and ':' of IPv6) or the NILVALUE", () => {
  const hostname = (h: unknown): string => line("syslog", { event_id: 16, host: h }).split(" ")[2]!;
  it.each([
    ["segura-01", "segura-01"],
    ["my host", "my_host"],
    ["hôst", "h_st"],
    ["a\nb", "a_b"],
    ["", "-"],
    ['q"\\]', "q___"],
    ["host[1]", "host_1_"],
    ["10.0.0.1", "10.0.0.1"],
    ["fe80::1", "fe80::1"],
    ["host:514", "host_514"],
    ["segura_01.example-corp.com", "segura_01.example-corp.com"],
  ])("host %j -> %j", (input, expected) => {
    expect(hostname(input)).toBe(expected);
  });
});

describe("JSON record strings", () => {
  it.each([
    ['quote " and backslash \\', 'quote " and backslash \\'],
    ["nul \u0000 and bell \u0007", "nul \u0000 and bell \u0007"],
    ["tab\t", "tab\t"],
  ])("event_name %j survives the record", (input, expected) => {
    const rec = JSON.parse(recordText(host, "segura_cef", JSON.stringify({ event: input }))) as { event_name: string };
    expect(rec.event_name).toBe(expected);
  });
});

const bytes = (s: string): number => new TextEncoder().encode(s).length;

describe("limits, truncated on a UTF-8 boundary", () => {
  // each row: record, how to read the value back from the CEF/syslog line, the limit in bytes
  const cef = (rec: object): string => line("cef", rec);
  const ext = (key: string) => (l: string): string => new RegExp(` ${key}=(.*?)(?= [A-Za-z0-9]+=|$)`).exec(l)![1]!;
  const hdr = (i: number) => (l: string): string => l.split("|")[i]!;
  const sys = (i: number) => (l: string): string => l.split(" ")[i]!;
  it.each([
    ["msg (CEF dictionary: 1023)", (v: string) => cef({ event_id: 16, msg: v }), ext("msg"), 1023],
    ["act (63)", (v: string) => cef({ event_id: 16, act: v }), ext("act"), 63],
    ["cs1 (4000)", (v: string) => cef({ event_id: 16, cs1: v }), ext("cs1"), 4000],
    ["dvchost from host (100)", (v: string) => cef({ event_id: 16, host: v }), ext("dvchost"), 100],
    ["Device Version (31)", (v: string) => cef({ event_id: 16, product_version: v }), hdr(3), 31],
    ["Device Event Class ID (1023)", (v: string) => cef({ event_id: v }), hdr(4), 1023],
    ["Name (512)", (v: string) => cef({ event: v }), hdr(5), 512],
    ["HOSTNAME (255)", (v: string) => line("syslog", { event_id: 16, host: v }), sys(2), 255],
    ["PROCID (128)", (v: string) => line("syslog", { event_id: 16, procid: v }), sys(4), 128],
    ["MSGID (32)", (v: string) => line("syslog", { event_id: v }), sys(5), 32],
  ] as const)("%s", (_name, make, read, limit) => {
    const ascii = "x".repeat(limit + 50);
    expect(read(make(ascii))).toBe("x".repeat(limit));
    expect(read(make("x".repeat(limit)))).toBe("x".repeat(limit));
    // a two-byte character that would straddle the limit is left out whole
    const straddle = "x".repeat(limit - 1) + "é" + "tail";
    const got = read(make(straddle));
    expect(got).toBe("x".repeat(limit - 1));
    expect(bytes(got)).toBeLessThanOrEqual(limit);
  });
});

describe("severity", () => {
  it.each([
    [{ event_id: 16 }, "3", 13],
    [{ event_id: "336.501" }, "9", 9],
    [{ event_id: 12 }, "8", 10],
    [{ event_id: "9999", severity: 10 }, "10", 8],
    [{ event_id: "9999", severity: "alert" }, "9", 9],
    [{ event_id: "9999", severity: "Warning" }, "5", 12],
    [{ event_id: "9999", severity: 99 }, "3", 13],
    [{ event_id: "9999" }, "3", 13],
    [{ event_id: 16, facility: 4 }, "3", 37],
  ])("%j -> CEF %s, PRI %i", (rec, cef, pri) => {
    expect(line("cef", rec).split("|")[6]).toBe(cef);
    expect(line("syslog", rec)).toMatch(new RegExp(`^<${pri}>1 `));
  });
});

describe("event identification", () => {
  const id = (rec: object): string => line("cef", rec).split("|")[4]!;
  it.each([
    [{ event_id: 16 }, "16"],
    [{ event_id: "16" }, "16"],
    [{ event_id: "336.501" }, "336.501"],
    [{ event_id: 336.501 }, "336.501"],
    [{ event_id: 336501 }, "336.501"],
    [{ event_id: "336501" }, "336.501"],
    [{ event_id: 336.5 }, "336.500"],
    [{ event_id: 1695.01 }, "1695.010"],
    [{ event_id: "1695.001" }, "1695.001"],
    [{ event_id: "N.005" }, "N.005"],
    [{ event: "Session started" }, "16"],
    [{ event: "SESSION STARTED" }, "16"],
    [{ event: "Command detected - High Criticality" }, "12"],
    [{ event: "Panic Button" }, "N.005"],
    [{ event_id: "777", event: "Session started" }, "16"],
    [{ event_id: "777" }, "777"],
    [{}, "unknown"],
  ])("%j -> %s", (rec, expected) => {
    expect(id(rec)).toBe(expected);
  });
});

describe("timestamps", () => {
  const ts = (t: unknown, sec = 0): string =>
    new TextDecoder().decode(convertLine(host, "syslog", JSON.stringify({ event_id: 16, timestamp: t }), sec)).split(" ")[1]!;
  it.each([
    ["2024-05-06T10:02:55-03:00", "2024-05-06T13:02:55.000000Z"],
    ["2024-05-06T10:02:55.5Z", "2024-05-06T10:02:55.500000Z"],
    ["2024-05-06 10:02:55.1234567+01:30", "2024-05-06T08:32:55.123456Z"],
    [1715000000, "2024-05-06T12:53:20.000000Z"],
    [1715000000123, "2024-05-06T12:53:20.123000Z"],
    ["1715000000.25", "2024-05-06T12:53:20.250000Z"],
    ["2099-12-31T23:59:59Z", "2099-12-31T23:59:59.000000Z"],
    ["2100-01-01T00:00:00Z", "-"],
    ["2024-02-30T10:00:00Z", "-"],
    ["1969-12-31T23:59:59Z", "-"],
    ["yesterday", "-"],
  ])("%j -> %s", (t, expected) => {
    expect(ts(t)).toBe(expected);
  });
  it("falls back to the record time the host gives", () => {
    expect(ts("not a time", 1715000000)).toBe("2024-05-06T12:53:20.000000Z");
  });
});
