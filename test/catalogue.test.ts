// The catalogue is data: generated files must match it, and it must agree with Segura's own tables.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EVENTS, FIELDS, CEF_SEVERITY_OF_SYSLOG } from "../src/_catalogue.js";
import { ROOT, freshHost, recordText } from "./_helpers.js";
// @ts-expect-error: plain JavaScript module without types
import { render } from "../scripts/gen-catalogue.mjs";

const tsv = (path: string): Record<string, string>[] => {
  const [head, ...rows] = readFileSync(join(ROOT, path), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
  const cols = head!.split("\t");
  return rows.map((r) => Object.fromEntries(r.split("\t").map((c, i) => [cols[i], c])));
};

describe("generated files", () => {
  const files = render() as Record<string, string>;
  it.each(Object.keys(files))("%s is up to date with catalogue/*.tsv (run npm run gen)", (rel) => {
    expect(readFileSync(join(ROOT, rel), "utf8")).toBe(files[rel]);
  });
});

describe("the catalogue against Segura's syslog event table", () => {
  const vendor = tsv("catalogue/vendor/segura-syslog-events.tsv");
  it("has all 121 vendor rows", () => expect(vendor).toHaveLength(121));
  it.each(vendor.map((v) => [v.event_id!, v] as const))("event %s keeps its vendor name, origin and severity", (id, v) => {
    const e = EVENTS.find((x) => x.id === id);
    expect(e).toBeDefined();
    expect(e!.name).toBe(v.name);
    expect(e!.origin).toBe(v.origin);
    expect(e!.syslogSeverity).toBe(Number(v.syslog_severity));
  });
});

describe("every notification type of Segura's catalogue resolves to an event", () => {
  const seed = readFileSync(join(ROOT, "catalogue", "vendor", "segura-notification-types.txt"), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
  const host = freshHost();
  it.each(seed)("%s", (name) => {
    const out = JSON.parse(recordText(host, "segura_cef", JSON.stringify({ event: name }))) as Record<string, unknown>;
    expect(out.unknown_event).toBeUndefined();
    const e = EVENTS.find((x) => x.id === out.event_id);
    expect([e?.name.toLowerCase(), e?.notification.toLowerCase()]).toContain(name.toLowerCase());
  });
});

describe("severity rule", () => {
  it("is monotone: a more urgent syslog severity never gives a lower CEF severity", () => {
    for (let s = 1; s < 8; s++) expect(CEF_SEVERITY_OF_SYSLOG[s - 1]!).toBeGreaterThan(CEF_SEVERITY_OF_SYSLOG[s]!);
  });
  it("gives the seed's Orbit incident (priority alert) CEF 9", () => {
    expect(EVENTS.find((e) => e.id === "336.501")!.cefSeverity).toBe(9);
  });
  it.each(EVENTS.map((e) => [e.id, e] as const))("event %s follows the rule", (_id, e) => {
    expect(e.cefSeverity).toBe(CEF_SEVERITY_OF_SYSLOG[e.syslogSeverity]);
  });
});

describe("fields", () => {
  it.each(FIELDS.map((f) => [f.key] as const))("%s is a valid CEF key and SD-NAME", (key) => {
    expect(key).toMatch(/^[A-Za-z][A-Za-z0-9]{0,31}$/);
  });
});
