// Broken records: a table of the ways a record can be broken, and a generator of broken bytes. Shared by
// the hostile, Fluent Bit failure-mode and endurance tests.
import fc from "fast-check";

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const cat = (...parts: (string | number[])[]): Uint8Array => {
  const chunks = parts.map((p) => (typeof p === "string" ? utf8(p) : new Uint8Array(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
};
const MIB = 1 << 20;

export interface BrokenCase {
  input: Uint8Array;
  /** the error the record must carry; null: the record is valid JSON and must not carry one */
  error: RegExp | null;
  /** a warning the record must carry */
  warning?: RegExp;
  /** for valid records: a key the line must carry, and its value's length in bytes at most in CEF
   * (and in RFC 5424, when different) */
  field?: [string, number, number?];
}

export const BROKEN: [string, BrokenCase][] = [
  ["empty input", { input: utf8(""), error: /^invalid JSON at byte 0: empty input$/ }],
  ["only whitespace", { input: utf8(" \t\r\n"), error: /: empty input$/ }],
  ["only NUL bytes", { input: new Uint8Array(16), error: /: empty input$/ }],
  ["an array", { input: utf8('[{"event_id":1}]'), error: /^invalid JSON at byte 0: the record is not a JSON object$/ }],
  ["a string", { input: utf8('"event_id"'), error: /not a JSON object/ }],
  ["a number", { input: utf8("16"), error: /not a JSON object/ }],
  ["null", { input: utf8("null"), error: /not a JSON object/ }],
  ["true", { input: utf8("true"), error: /not a JSON object/ }],
  ["truncated after a key", { input: utf8('{"event_id":'), error: /expected a value/ }],
  ["truncated inside a string", { input: utf8('{"event_id":16,"msg":"Session st'), error: /unterminated string/ }],
  ["truncated before the closing brace", { input: utf8('{"event_id":16'), error: /expected ',' or '}'/ }],
  ["truncated inside a nested value", { input: utf8('{"a":{"b":[1,2'), error: /expected ',' or ']'/ }],
  ["text after the object", { input: utf8('{"event_id":16} {"event_id":17}'), error: /text after the closing '}'/ }],
  ["a trailing comma", { input: utf8('{"event_id":16,}'), error: /expected a string key/ }],
  ["single quotes", { input: utf8("{'event_id':16}"), error: /expected a string key/ }],
  ["an invalid escape", { input: utf8('{"msg":"a\\qb"}'), error: /invalid escape in a string/ }],
  ["a short \\u escape", { input: utf8('{"msg":"a\\u12"}'), error: /invalid escape in a string/ }],
  ["a raw control character in a string", { input: utf8('{"msg":"a\u0001b"}'), error: /control character in a string/ }],
  ["a raw line feed in a string", { input: utf8('{"msg":"a\nb"}'), error: /control character in a string/ }],
  ["NaN", { input: utf8('{"cnt":NaN}'), error: /expected a value/ }],
  ["a leading plus", { input: utf8('{"cnt":+1}'), error: /expected a value/ }],
  ["a bare decimal point", { input: utf8('{"cnt":1.}'), error: /invalid number/ }],
  ["10,000 levels of nesting (allowed)", { input: utf8('{"event_id":16,"deep":' + "[".repeat(10000) + "]".repeat(10000) + "}"), error: null, field: ["deep", 20000] }],
  ["10,000 levels of objects (allowed)", { input: utf8('{"event_id":16,"deep":' + '{"a":'.repeat(10000) + "1" + "}".repeat(10000) + "}"), error: null, field: ["deep", 60001] }],
  ["100,000 levels of nesting", { input: utf8('{"deep":' + "[".repeat(100000) + "]".repeat(100000) + "}"), error: /nesting deeper than 65536 levels/ }],
  ["100,000 unclosed brackets", { input: utf8('{"deep":' + "[".repeat(100000)), error: /nesting deeper than 65536 levels/ }],
  // CEF's msg= is cut at 1023 bytes; RFC 5424's MSG has no limit and carries msg whole
  ["a 1 MiB msg", { input: utf8(`{"event_id":16,"msg":"${"m".repeat(MIB)}"}`), error: null, warning: /msg: truncated/, field: ["msg", 1023, MIB] }],
  ["a 1 MiB unknown value", { input: utf8(`{"event_id":16,"note":"${"n".repeat(MIB)}"}`), error: null, field: ["note", MIB] }],
  ["a 1 MiB broken record", { input: utf8(`{"event_id":16,"msg":"${"m".repeat(MIB)}`), error: /unterminated string/ }],
  ["10,000 keys", { input: utf8("{" + Array.from({ length: 10000 }, (_, i) => `"k${i}":"v${i}"`).join(",") + "}"), error: null, warning: /9936 keys left out/ }],
  ["duplicate keys (the last one wins)", { input: utf8('{"event_id":16,"suser":"first","suser":"second"}'), error: null, field: ["suser", 6] }],
  ["a number far out of range in an integer field", { input: utf8('{"event_id":16,"spid":1e400}'), error: null, warning: /spid: not a 32-bit integer, moved to spidInvalid/, field: ["spidInvalid", 5] }],
  ["a 30-digit integer", { input: utf8('{"event_id":16,"cnt":123456789012345678901234567890}'), error: null, warning: /cnt: not a 32-bit integer, moved to cntInvalid/ }],
  ["an event id out of range", { input: utf8('{"event_id":1e308}'), error: null }],
  ["a timestamp out of range", { input: utf8('{"event_id":16,"timestamp":99999999999999999}'), error: null, warning: /timestamp: not RFC 3339/ }],
  ["a negative timestamp", { input: utf8('{"event_id":16,"timestamp":-1}'), error: null, warning: /timestamp: not RFC 3339/ }],
  ["invalid UTF-8 in a value", { input: cat('{"event_id":16,"msg":"a', [0xff, 0xfe], 'b"}'), error: null, field: ["msg", 8] }],
  ["an overlong encoding", { input: cat('{"event_id":16,"msg":"', [0xc0, 0xaf], '"}'), error: null, field: ["msg", 6] }],
  ["an encoded surrogate", { input: cat('{"event_id":16,"msg":"', [0xed, 0xa0, 0x80], '"}'), error: null, field: ["msg", 9] }],
  ["a multi-byte character cut short", { input: cat('{"event_id":16,"msg":"', [0xe2, 0x9e], '"}'), error: null, field: ["msg", 6] }],
  ["invalid UTF-8 in a key", { input: cat('{"event_id":16,"', [0xff], '":"x"}'), error: null, warning: /1 keys left out/ }],
  ["invalid UTF-8 outside strings", { input: cat('{"event_id":16', [0xff], "}"), error: /expected ',' or '}'/ }],
  ["a lone surrogate escape", { input: utf8('{"event_id":16,"msg":"\\ud800x"}'), error: null, field: ["msg", 4] }],
  ["a NUL escape", { input: utf8('{"event_id":16,"msg":"a\\u0000b"}'), error: null, field: ["msg", 5] }],
  ["a byte order mark before the object", { input: cat([0xef, 0xbb, 0xbf], '{"event_id":16}'), error: /not a JSON object/ }],
];

/** Bytes that are not a record: random bytes, JSON with junk spliced in, and deep unclosed nesting. */
export const brokenBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(fc.json(), fc.nat(), fc.uint8Array({ maxLength: 6 })).map(([j, at, junk]) => {
    const b = utf8(j);
    const cut = b.length ? at % b.length : 0;
    return cat([...b.subarray(0, cut)], [...junk], [...b.subarray(cut)]);
  }),
  fc.tuple(fc.constantFrom("[", "{", '{"a":[', '{"a":{"b":'), fc.integer({ min: 1, max: 70000 })).map(([open, n]) => utf8('{"x":' + open.repeat(n))),
);
