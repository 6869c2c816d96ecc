// fast-check generators of Segura records: benign, hostile, and broken.
import fc from "fast-check";
import { FIELDS, RECORD_KEYS, EVENTS } from "../src/_catalogue.js";

const KNOWN_KEYS = [...FIELDS.flatMap((f) => [f.key, ...f.aliases]), ...RECORD_KEYS.flatMap((r) => r.keys)];

/** Text an attacker controls: separators of every format, line breaks, NUL, lone surrogates, look-alikes. */
export const hostileText = fc.oneof(
  fc.string({ unit: fc.constantFrom("|", "=", "\\", "]", "[", '"', " ", "\r", "\n", "\t", "\u0000", "\u007f", "a", "é", "😀", "\ud800", "\udfff", "<", ">", "-") }),
  fc.constantFrom("x CEF:0|MT4|Segura|1|2|3|10|act=allow", " act=allow", '[a b="c"]', "\n<13>1 - - - - - forged", "a\\=b", "\\", "=", "x ", " x", "\\n"),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
);

/** Values at the edges of the typed keys' checks (docs/catalogue.md, "Typed keys"), and each of them
 * with one character inserted, removed or replaced. */
const TYPED_EDGES = [
  "0", "-0", "00", "010", "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
  "-9223372036854775809", "65535", "65536", "70000", "0x1F", "1e3", "1.5", "3.4028234e38", "3.4028235e38", "1.7976931348623157e308",
  "1.7976931348623158e308", "1e400", "1e-400", "90", "90.0001", "-90", "180", "-180.5", "0.9e2", "900e-1",
  "1.2.3.4", "001.002.003.004", "255.255.255.255", "256.0.0.1", ".10.156", ".0.1", "localhost", "::", "::1", "fe80::1",
  "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "1::2:3:4:5:6:1.2.3.4", "fe80::1%eth0", "[::1]",
  "00:11:22:33:44:55", "00:11-22:33:44:55", "AA-BB-CC-DD-EE-FF", "1715000000000", "May  6 10:00:00", "May 06 2024 10:00:00.123 UTC",
  "Feb 29 10:00:00", "Feb 29 2023 10:00:00", "Feb 29 2000 10:00:00", "Jan 2 10:00:00 ABCT", "Jan 2 10:00:00 GMTT", "Dec 31 2099 23:59:59",
];
export const typedEdge: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TYPED_EDGES),
  fc.tuple(fc.constantFrom(...TYPED_EDGES), fc.nat(), fc.nat(2), fc.constantFrom("0", "1", "9", ".", ":", "-", "e", "f", "g", " ", "T", "Z")).map(([v, at, how, c]) => {
    const i = at % (v.length + 1);
    return how === 0 ? v.slice(0, i) + c + v.slice(i) : how === 1 ? v.slice(0, i) + v.slice(i + 1) : v.slice(0, i) + c + v.slice(i + 1);
  }),
);

const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: typedEdge },
  { weight: 6, arbitrary: hostileText },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((j) => JSON.parse(j) as unknown) },
  { weight: 1, arbitrary: fc.constantFrom("10.0.0.1", "::1", "fe80::1", "00:11:22:33:44:55", "1715000000", "1715000000123", "2024-05-06T10:00:00Z", "2024-02-30T10:00:00Z", "336.5", "336501", "N.005", "N.5", "alert", "7", "11", "-3") },
);

const key = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...KNOWN_KEYS) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,34}$/) },
  { weight: 1, arbitrary: hostileText },
);

const eventId = fc.oneof(
  fc.constantFrom(...EVENTS.map((e) => e.id)),
  fc.constantFrom(...EVENTS.map((e) => e.id)).map((id) => (/^\d+$/.test(id) ? Number(id) : id)),
  hostileText,
);

/** A record as key/value pairs (duplicates allowed). */
export const recordPairs: fc.Arbitrary<[string, unknown][]> = fc.tuple(
  fc.option(eventId, { nil: undefined }),
  fc.array(fc.tuple(key, jsonValue), { maxLength: 24 }),
).map(([id, pairs]) => (id === undefined ? pairs : [["event_id", id] as [string, unknown], ...pairs]));

/** Serializes pairs as a JSON object, sometimes with \u escapes, \/ and odd whitespace. */
export function serialize(pairs: [string, unknown][], style: number): string {
  const ws = [" ", "", "\n\t ", "\r\n"][style % 4]!;
  const str = (s: string): string => {
    let j = JSON.stringify(s);
    if (style & 4) j = j.replace(/[a-z]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
    if (style & 8) j = j.replace(/\//g, "\\/");
    return j;
  };
  const val = (v: unknown): string => (typeof v === "string" ? str(v) : JSON.stringify(v) ?? "null");
  return "{" + ws + pairs.map(([k, v]) => `${str(k)}${ws}:${ws}${val(v)}`).join("," + ws) + ws + "}";
}

export const recordText = fc.tuple(recordPairs, fc.nat(15)).map(([p, s]) => serialize(p, s));

/** Bytes that are mostly a record but may be cut short, spliced, or carry bytes that are not UTF-8. */
export const brokenBytes = fc.tuple(recordText, fc.nat(), fc.uint8Array({ maxLength: 8 }), fc.nat(3)).map(([text, at, junk, how]) => {
  const b = new TextEncoder().encode(text);
  const cut = b.length === 0 ? 0 : at % b.length;
  if (how === 0) return b.subarray(0, cut);
  const out = new Uint8Array(b.length + junk.length);
  out.set(b.subarray(0, cut));
  out.set(junk, cut);
  out.set(b.subarray(cut), cut + junk.length);
  return out;
});
