// The corpora that the SIEM-side parsers read back field for field (test/receivers.test.ts,
// test/siem-parsers.test.ts): the bundled samples, every catalogue event, generated everyday events and
// hostile events, each converted by the V8 host with the fields a parser must return.
import fc from "fast-check";
import type { FilterFunction } from "../src/_host.js";
import { freshHost, recordText } from "./_helpers.js";
import { FIELDS } from "../src/_catalogue.js";
import { typedEdge } from "./_arbitraries.js";
import { SAMPLES, catalogueRecords, expectedEvent, receiverEvent, shape, fill, recordJson, type Pairs, type Meta, type Expected } from "./_events.js";

export const SEC = 1715000000;
export const NSEC = 123456789;
const host = freshHost();

export interface Converted { name: string; pairs: Pairs; fn: FilterFunction; line: string; cefLine: string; want: Expected }

/** Runs a record through one filter function and states what it must read as. */
export function convert(name: string, pairs: Pairs, fn: FilterFunction): Converted {
  const json = recordJson(pairs);
  const meta = JSON.parse(recordText(host, fn, json, SEC, NSEC)) as Meta;
  const cefMeta = JSON.parse(recordText(host, "segura_cef", json, SEC, NSEC)) as Meta;
  return { name, pairs, fn, line: meta.message, cefLine: cefMeta.message, want: expectedEvent(pairs, meta, SEC, NSEC) };
}

const fromSample = (line: string): Pairs => Object.entries(JSON.parse(line) as Record<string, unknown>);

/** Text a SIEM sees every day: printable Unicode with the separators of both formats, TABs and line breaks. */
const everydayText = fc.string({
  minLength: 1, maxLength: 60,
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,:;/-_()'@#%&*+?!") },
    { weight: 2, arbitrary: fc.constantFrom("|", "=", "\\", "]", "[", '"', "\t", "\n", "\r", "é", "ç", "ã", "😀", "➔", "中") },
  ),
});
const generatedEvent: fc.Arbitrary<Pairs> = shape({ hostileKeys: false }).chain((s) =>
  fc.tuple(fc.array(everydayText, { minLength: 24, maxLength: 24 }), fc.constantFrom("segura-01.example.com", "10.0.0.5", "fe80::1", "pam")).map(([t, h]) => fill(s, t, [h])),
);

/** Typed keys with values at their checks' edges: most are moved to the companion key. */
const TYPED_KEYS = FIELDS.filter((f) => f.check !== "string" && f.key !== "rt").flatMap((f) => [f.key, ...f.aliases]);
const edgeEvent: fc.Arbitrary<Pairs> = fc.array(fc.tuple(fc.constantFrom(...TYPED_KEYS), typedEdge), { minLength: 1, maxLength: 8 })
  .map((pairs): Pairs => [["event_id", 16], ...pairs]);

export const CORPORA: [string, () => Pairs[]][] = [
  ["typed value at a check's edge", () => fc.sample(edgeEvent, { numRuns: 150, seed: 4291 })],
  ["bundled sample", () => SAMPLES.map(fromSample)],
  ["catalogue event", () => catalogueRecords().map(([, json]) => fromSample(json))],
  ["generated event", () => fc.sample(generatedEvent, { numRuns: 300, seed: 5425 })],
  ["hostile event", () => fc.sample(receiverEvent, { numRuns: 200, seed: 3164 })],
];
