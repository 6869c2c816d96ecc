// The shipped Fluent Bit configurations name functions the module exports and keys the record carries.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FILTER_FUNCTIONS, type FilterFunction } from "../src/_host.js";
import { freshHost, recordText, ROOT, exampleLines } from "./_helpers.js";

/** key -> value pairs of a classic (.conf) or YAML Fluent Bit file, lower-cased keys, in order. */
function settings(file: string): [string, string][] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const out: [string, string][] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    const m = file.endsWith(".yaml") ? /^-?\s*([A-Za-z_]+):\s*(\S.*)$/.exec(line) : /^([A-Za-z_]+)\s+(\S.*)$/.exec(line);
    if (m) out.push([m[1]!.toLowerCase(), m[2]!.trim()]);
  }
  return out;
}

const host = freshHost();
const record = JSON.parse(recordText(host, "segura_cef", exampleLines()[0]!)) as Record<string, unknown>;

describe.each(["fluent-bit.conf", "fluent-bit.yaml"])("%s", (file) => {
  const s = settings(file);
  it("loads the wasm filter with a function the module exports", () => {
    const fn = s.find(([k]) => k === "function_name")?.[1];
    expect(FILTER_FUNCTIONS).toContain(fn as FilterFunction);
    expect(typeof host.instance.exports[fn!]).toBe("function");
    expect(s.some(([k, v]) => k === "name" && v === "wasm")).toBe(true);
  });
  it("points every out_syslog syslog_*_key at a key of the returned record", () => {
    const keys = s.filter(([k]) => /^syslog_.*_key$/.test(k));
    expect(keys.length).toBeGreaterThanOrEqual(7);
    for (const [, v] of keys) expect(Object.keys(record)).toContain(v);
  });
  it("raises out_syslog's 2048-byte default message size", () => {
    expect(Number(s.find(([k]) => k === "syslog_maxsize")?.[1])).toBeGreaterThanOrEqual(65536);
  });
  it("sends over TCP with RFC 5424", () => {
    expect(s).toContainEqual(["mode", "tcp"]);
    expect(s).toContainEqual(["syslog_format", "rfc5424"]);
  });
});

describe("every filter function returns the keys out_syslog reads", () => {
  it.each(FILTER_FUNCTIONS)("%s", (fn) => {
    const r = JSON.parse(recordText(host, fn, exampleLines()[0]!)) as Record<string, unknown>;
    expect(Object.keys(r).slice(0, 10)).toEqual(["message", "severity", "facility", "hostname", "appname", "procid", "msgid", "event_id", "event_name", "cef_severity"]);
    expect(typeof r.severity).toBe("number");
    expect(typeof r.facility).toBe("number");
  });
});
