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
    const m = file.endsWith(".yaml") ? /^-?\s*([A-Za-z_.]+):\s*(\S.*)$/.exec(line) : /^([A-Za-z_.]+)\s+(\S.*)$/.exec(line);
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

/** Size settings as Fluent Bit reads them: 64K, 16M, 1048576. */
function bytes(v: string | undefined): number {
  const m = /^(\d+)([KMG]?)B?$/i.exec(v ?? "");
  if (!m) return NaN;
  return Number(m[1]) * ({ "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as Record<string, number>)[m[2]!.toUpperCase()]!;
}

describe.each(["fluent-bit.conf", "fluent-bit.yaml"])("%s loses nothing at the edges", (file) => {
  const s = settings(file);
  const get = (k: string): string | undefined => s.find(([key]) => key === k)?.[1];
  it("reads lines of Segura's largest records whole (8 MiB and more), and skips, not stalls on, longer ones", () => {
    expect(bytes(get("buffer_max_size"))).toBeGreaterThanOrEqual(16 * 1024 ** 2);
    expect(bytes(get("buffer_chunk_size"))).toBeGreaterThanOrEqual(32 * 1024);
    expect(get("skip_long_lines")?.toLowerCase()).toBe("on");
  });
  it("keeps tail offsets in a DB under SEGURA_STATE_DIR, so a restart sends nothing twice", () => {
    expect(get("db")).toMatch(/^\$\{SEGURA_STATE_DIR\}\//);
  });
  it("queues on disk under SEGURA_STATE_DIR and retries without limit, so a SIEM outage loses nothing", () => {
    expect(get("storage.path")).toMatch(/^\$\{SEGURA_STATE_DIR\}\//);
    expect(get("storage.type")).toBe("filesystem");
    expect(get("retry_limit")).toBe("no_limits");
  });
  it("lets out_syslog send the longest line the engine writes", () => {
    expect(Number(get("syslog_maxsize"))).toBeGreaterThanOrEqual(1024 * 1024);
  });
});

describe.each(["fluent-bit.conf", "fluent-bit.yaml"])("%s: the per-site values of its commented modify filter", (file) => {
  // the commented block, as an operator uncomments it: "Add key value" / "- key value" lines
  const text = readFileSync(join(ROOT, file), "utf8");
  const block = text.slice(text.indexOf("name", text.search(/#\s*(\[FILTER\]|- name: modify)/)));
  const adds = [...block.matchAll(/^\s*#\s*(?:Add\s+|-\s+)([a-z_]+)\s+(\S+)\s*$/gm)].map((m) => [m[1]!, m[2]!] as const);
  it("sets host, product_version, facility and enterprise_number", () => {
    expect(adds.map(([k]) => k).sort()).toEqual(["enterprise_number", "facility", "host", "product_version"]);
  });
  it("each value is read by the engine, and a record's own value still wins (modify Add only adds)", () => {
    const base = { event_id: 16, suser: "stlee" };
    const added = { ...Object.fromEntries(adds), ...base };
    const r = JSON.parse(recordText(host, "segura_syslog", JSON.stringify(added))) as Record<string, string | number>;
    const v = Object.fromEntries(adds);
    expect(r.hostname).toBe(v.host);
    expect(r.facility).toBe(20); // local4
    expect(String(r.message)).toMatch(new RegExp(`^<165>1 \\S+ ${v.host!.replace(/\./g, "\\.")} Segura - 16 \\[segura@${v.enterprise_number} `));
    const cef = JSON.parse(recordText(host, "segura_cef", JSON.stringify(added))) as Record<string, string>;
    expect(cef.message.startsWith(`CEF:0|MT4|Segura|${v.product_version}|16|`)).toBe(true);
    expect(r.warning).toBeUndefined();
    const own = JSON.parse(recordText(host, "segura_syslog", JSON.stringify({ ...added, host: "own-host" }))) as Record<string, string>;
    expect(own.hostname).toBe("own-host");
  });
});
