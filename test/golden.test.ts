// Golden files: every message layout of Segura's tables and every catalogue event, in all three
// formats. They change only on purpose: UPDATE_GOLDEN=1 npm test, then review the diff.
import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { EVENTS, LAYOUTS } from "../src/_catalogue.js";
import { convertLine } from "../src/_host.js";
import { freshHost, exampleLines, ROOT } from "./_helpers.js";

const GOLDEN = join(ROOT, "test", "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const FORMATS = ["cef", "syslog", "cef-syslog"] as const;
const host = freshHost();
const decoder = new TextDecoder();

/** The catalogue event a sample stands for, resolved by the engine itself. */
function eventOf(line: string): string {
  return decoder.decode(convertLine(host, "cef", line)).split("|")[4]!;
}

const samples = exampleLines();
const sampleByLayout = new Map<string, Record<string, unknown>>();
for (const s of samples) {
  const e = EVENTS.find((x) => x.id === eventOf(s));
  if (e && !sampleByLayout.has(e.layout)) sampleByLayout.set(e.layout, JSON.parse(s) as Record<string, unknown>);
}

function check(name: string, lines: string[]): void {
  const path = join(GOLDEN, name);
  const text = lines.join("\n") + "\n";
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, text);
  }
  expect(text).toBe(readFileSync(path, "utf8"));
}

describe("the bundled samples cover every layout of Segura's message tables", () => {
  it.each(LAYOUTS.map((l) => [l.id, l.section] as const))("%s (%s)", (id) => {
    expect(sampleByLayout.has(id)).toBe(true);
  });
});

describe("golden files", () => {
  it.each(FORMATS)("samples (one per layout and the vendor's quirks) as %s", (format) => {
    check(`samples.${format}.txt`, samples.map((s) => decoder.decode(convertLine(host, format, s))));
  });
  it.each(FORMATS)("every catalogue event as %s", (format) => {
    const lines = EVENTS.map((e) => {
      const rec = { ...sampleByLayout.get(e.layout)! };
      delete rec.event;
      rec.event_id = e.id;
      return decoder.decode(convertLine(host, format, JSON.stringify(rec)));
    });
    check(`events.${format}.txt`, lines);
  });
  it.each(FORMATS)("invalid records as %s", (format) => {
    const bad = ["", "not json", "[1,2]", '{"event_id":16', '{"a":"\\x"}', '{"a":1} trailing', "{\"a\":\"ctl\u0001\"}"];
    check(`invalid.${format}.txt`, bad.map((b) => decoder.decode(convertLine(host, format, b, 1715000000))));
  });
});
