// The engine's shortcuts against the reference, where they are most likely to be wrong: a byte that
// needs escaping at every offset of a value (the scanner reads eight bytes per step and remembers
// byte classes; the writers copy a value whole when its class allows), keys at the lengths where
// the key lookup changes method, keys one byte away from catalogue keys, timestamps and IPv4
// addresses one byte away from valid ones, and the host allocator.
import { describe, it, expect } from "vitest";
import { referenceConvert } from "../src/_reference.js";
import { FILTER_FUNCTIONS, convertLine } from "../src/_host.js";
import { FIELDS, RECORD_KEYS, EVENTS } from "../src/_catalogue.js";
import fc from "fast-check";
import { freshHost, recordText, FORMAT_OF } from "./_helpers.js";
import { recordText as recordTextArb, brokenBytes } from "./_arbitraries.js";

const SEC = 1715000000;
const NSEC = 5000;

/** Record texts (JSON as Fluent Bit writes it, or with raw UTF-8) and what they exercise. */
function cases(): [string, string][] {
  const out: [string, string][] = [];
  // one character of each byte class, alone or written as an escape, at each offset of values of
  // each length from 1 to 24, in a string field (suser), a field with a limit (act, 63) and msg
  const specials: [string, string][] = [
    ["=", "="], ["|", "|"], ["]", "]"], ["DEL", "\u007f"], ["quote", '\\"'], ["backslash", "\\\\"], ["newline", "\\n"],
    ["tab", "\\t"], ["escaped e-acute", "\\u00e9"], ["raw e-acute", "é"], ["raw arrow", "➔"], ["escaped =", "\\u003d"],
    ["escaped DEL", "\\u007f"], ["space", " "], ["colon", ":"], ["slash escape", "\\/"],
  ];
  for (const key of ["suser", "act", "msg", "dvchost", "host"]) {
    for (const [name, ch] of specials) {
      for (let len = 1; len <= 24; len++) {
        for (let at = 0; at < len; at += len > 12 ? 5 : 1) {
          const value = "a".repeat(at) + ch + "b".repeat(len - at - 1);
          out.push([`${name} at ${at} of ${len} in ${key}`, `{"event_id":16,"${key}":"${value}","duser":"x"}`]);
        }
      }
    }
  }
  // values that end exactly at a word boundary, followed by keys of every length
  for (let len = 0; len <= 20; len++) {
    out.push([`value of ${len} before a key`, `{"suser":"${"v".repeat(len)}","duser":"w","sname":"n"}`]);
  }
  // every catalogue key and record key, and the same key one byte longer, shorter or changed: the
  // lookup must find the first and never the others (which pass through, or are left out)
  const keys = [...FIELDS.flatMap((f) => [f.key, ...f.aliases]), ...RECORD_KEYS.flatMap((r) => r.keys)];
  for (const k of keys) {
    const variants = [k, k + "x", k.slice(0, -1), k.slice(0, -1) + (k.endsWith("z") ? "y" : "z"), "x" + k.slice(1)];
    for (const v of variants) {
      if (v.length === 0) continue;
      out.push([`key ${v}`, `{"event_id":16,"${v}":"1.2.3.4","msg":"m"}`]);
    }
  }
  // every key with values of other kinds and layouts: a number, a literal, an object, a space
  // after the ':' or before it (the member table matches "key": and then reads the value)
  for (const k of keys) {
    for (const [what, member] of [["number", `"${k}":-12.5e+3`], ["literal", `"${k}":true`], ["object", `"${k}":{"a":[1]}`],
      ["space after", `"${k}": "v"`], ["space before", `"${k}" :"v"`]]) {
      out.push([`key ${k} with ${what}`, `{"event_id":16,${member},"msg":"m"}`]);
    }
  }
  // keys at the lengths where the lookup switches from one word to two to the long way
  for (let n = 1; n <= 34; n++) out.push([`unknown key of ${n}`, `{"${"k".repeat(n)}":"v","suser":"u"}`]);
  // records cut right after a key or its ':' (the scanner reads words past the key)
  for (const cut of ['{"suser":', '{"suser":"', '{"suser"', '{"sourceServiceName":', '{"a":1,"suser":']) out.push([`cut ${cut}`, cut]);
  // the key written with an escape, or with a raw byte >= 0x80
  out.push(["escaped key", `{"\\u0073user":"u","s\\u0075ser":"v"}`]);
  out.push(["raw high byte in a key", `{"süser":"u","suser":"v"}`]);
  // hostnames: plain, with characters a HOSTNAME may not hold, IPv6
  for (const h of ["segura-01.example.com", "segura 01", "[::1]", "fe80::1", "h:o:s:t", "a".repeat(300), "hôst", "x\\u0000y"]) {
    out.push([`host ${h.slice(0, 20)}`, `{"event_id":16,"host":"${h}"}`]);
  }
  // timestamps: RFC 3339 texts, and the same with one byte changed at each position (the parser checks
  // the date and time as whole words), epoch texts, and texts that are one byte away from either
  const stamps = ["2024-05-06T01:46:40-03:00", "2024-02-29t23:59:59.123456Z", "1999-12-31 00:00:00z", "2100-01-01T00:00:00Z",
    "2023-02-29T10:00:00Z", "2024-05-06T10:00:00.5+14:00", "1970-01-01T00:00:00Z"];
  const swaps = ["0", "9", "/", ":", "-", "T", "t", " ", "Z", "+", ".", ",", "a", "\u00e9", "*"];
  for (const t of stamps) {
    out.push([`timestamp ${t}`, `{"event_id":16,"timestamp":"${t}"}`]);
    for (let i = 0; i < 20; i++) {
      for (const ch of swaps) {
        const u = t.slice(0, i) + ch + t.slice(i + 1);
        if (u !== t) out.push([`timestamp ${u}`, `{"event_id":16,"timestamp":"${u}"}`]);
      }
    }
  }
  for (const t of ["1715000000", "1715000000123", "1715000000.25", "2024", "2024-05-06", "2024-05-06T01:46:40", "20240506T014640Z"]) {
    out.push([`timestamp ${t}`, `{"event_id":16,"timestamp":"${t}"}`]);
  }
  // IPv4 addresses (an IP-typed field): valid ones, and the same with one byte changed, dropped or doubled
  const ips = ["10.213.167.249", "255.255.255.255", "0.0.0.0", "1.2.3.4", "010.001.1.99", "199.200.250.255", "256.1.1.1",
    "1.1.1", "1.1.1.1.1", "1..1.1", ".1.1.1", "1.1.1.", "1.1.1.1000", "2001:db8::1", "1.2.3.4:80", "300.300.300.300"];
  const ipSwaps = [".", "0", "1", "2", "5", "6", "9", "a", ":", " ", "/"];
  for (const ip of ips) {
    const variants = new Set([ip]);
    for (let i = 0; i < ip.length; i++) {
      for (const ch of ipSwaps) variants.add(ip.slice(0, i) + ch + ip.slice(i + 1));
      variants.add(ip.slice(0, i) + ip.slice(i + 1));
      variants.add(ip.slice(0, i) + ip[i] + ip.slice(i));
    }
    for (const v of variants) out.push([`ip ${v}`, `{"event_id":16,"dst":"${v}"}`]);
  }
  // numbers and literals as values
  for (const v of ["0", "-1", "1.5e+3", "true", "false", "null", "[1,\"]\"]", '{"a":"|="}']) {
    out.push([`value ${v}`, `{"event_id":16,"suser":${v},"spid":${v},"cs1":${v}}`]);
  }
  return out;
}

describe("engine = reference at the scanner's and writers' boundaries", () => {
  const host = freshHost();
  const all = cases();
  it.each(FILTER_FUNCTIONS)("%s on the boundary cases", (fn) => {
    let compared = 0;
    for (const [name, text] of all) {
      const want = referenceConvert(text, FORMAT_OF[fn], true, SEC, NSEC);
      const got = recordText(host, fn, text, SEC, NSEC);
      if (got !== want) expect({ name, text, got }).toEqual({ name, text, got: want });
      compared++;
    }
    expect(compared).toBe(all.length);
    expect(compared).toBeGreaterThan(5000);
  });
  // bare lines are written raw (no JSON string around them): other bytes need an action there
  it.each(["cef", "syslog", "cef-syslog"] as const)("bare %s lines on the boundary cases", (format) => {
    let compared = 0;
    for (const [name, text] of all) {
      const want = referenceConvert(text, format, false, SEC, NSEC);
      const got = new TextDecoder().decode(convertLine(host, format, text, SEC, NSEC));
      if (got !== want) expect({ name, text, got }).toEqual({ name, text, got: want });
      compared++;
    }
    expect(compared).toBeGreaterThan(5000);
  });
});

describe("pieces kept per catalogue event (pieces.ts) are the bytes the writers write", () => {
  // every catalogue event, by id and by name, twice, through every function and every bare-line
  // format on one instance, interleaved: the first use writes and keeps a piece, the later ones
  // copy it; JSON-string and bare-line pieces of the same event must not be mixed up
  it("every event, every output, first and later uses", () => {
    const host = freshHost();
    const formats = ["cef", "syslog", "cef-syslog"] as const;
    let compared = 0;
    for (let round = 0; round < 2; round++) {
      for (const e of EVENTS) {
        for (const text of [`{"event_id":"${e.id}","suser":"u"}`, `{"event":${JSON.stringify(e.name)},"host":"h"}`]) {
          for (const fn of FILTER_FUNCTIONS) {
            expect(recordText(host, fn, text, SEC, NSEC)).toBe(referenceConvert(text, FORMAT_OF[fn], true, SEC, NSEC));
            compared++;
          }
          for (const format of formats) {
            expect(new TextDecoder().decode(convertLine(host, format, text, SEC, NSEC))).toBe(referenceConvert(text, format, false, SEC, NSEC));
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(2 * EVENTS.length * 2 * 6);
  });
});

describe("a record's length is its end, whatever follows it in memory", () => {
  // the scanner reads whole words: bytes after the record, here a '"' that would complete ':"', or a
  // '}' that would close the object, must not change the result
  const cases: [string, string][] = [
    ['{"suser":', '"x"}'], ['{"suser":"', 'x"}'], ['{"event_id":16,"suser":"ab', 'c"}'], ['{"suser":"a"', "}"],
    ['{"sourceServiceName":', '"x"}'], ['{"dst":"10.0.0.1","suser"', ':"x"}'],
    // a catalogue key cut by the end of the record, the rest of it after the end
    ['{"event_id":16,"sus', 'er":"x"}'], ['{"event_id":16,"suser', '":"x"}'], ['{"sourceServiceNam', 'e":"x"}'],
    ['{"suser":"a",', '"duser":"b"}'], ['{"suser":"a"', ',"duser":"b"}'],
  ];
  /** segura_cef on the first `len` bytes of `bytes`, the rest left in memory right after them. */
  const convertPrefix = (host: ReturnType<typeof freshHost>, bytes: Uint8Array, len: number): string => {
    const ex = host.instance.exports as Record<string, (...a: number[]) => number>;
    const tag = ex.malloc!(2);
    const ptr = ex.malloc!(bytes.length + 1);
    const mem0 = new Uint8Array(host.memory.buffer);
    mem0.set(bytes, ptr);
    mem0[ptr + bytes.length] = 0;
    const out = ex.segura_cef!(tag, 1, SEC, NSEC, ptr, len);
    const mem = new Uint8Array(host.memory.buffer);
    let end = out;
    while (mem[end] !== 0) end++;
    const text = new TextDecoder().decode(mem.subarray(out, end));
    ex.free!(tag);
    ex.free!(ptr);
    return text;
  };
  it.each(cases)("%s followed by %s", (record, after) => {
    const bytes = new TextEncoder().encode(record + after);
    expect(convertPrefix(freshHost(), bytes, new TextEncoder().encode(record).length)).toBe(referenceConvert(record, "cef", true, SEC, NSEC));
  });
  it.each(['{"event_id":16,"suser":"u","msg":"at the end of memory"}', '{"suser":"unterminated', '{"msg":"x"} ', '{"event_id":16,"c6a1":"::ffff:1.2.3.4","start":"Jan 2 10:00:00 ABCT","dpt":"x"}'])("%s ending at the last byte of memory", (record) => {
    // a page the module's heap does not know of (grown by the host once the heap is set up and the
    // engine's buffers are allocated), the record in its last bytes: the scanner must neither read
    // past memory nor lose the record
    const host = freshHost();
    const ex = host.instance.exports as Record<string, (...a: number[]) => number>;
    const tag = ex.malloc!(2);
    recordText(host, "segura_cef", '{"event_id":16}', SEC, NSEC);
    const bytes = new TextEncoder().encode(record);
    const pages = host.memory.grow(1);
    const ptr = (pages + 1) * 65536 - bytes.length;
    new Uint8Array(host.memory.buffer).set(bytes, ptr);
    const out = ex.segura_cef!(tag, 1, SEC, NSEC, ptr, bytes.length);
    const mem = new Uint8Array(host.memory.buffer);
    let e = out;
    while (mem[e] !== 0) e++;
    expect(new TextDecoder().decode(mem.subarray(out, e))).toBe(referenceConvert(record, "cef", true, SEC, NSEC));
    // the engine grew memory by the one page it needs after the record
    expect(host.memory.buffer.byteLength).toBe((pages + 2) * 65536);
    // the record's bytes are as they were
    expect([...mem.subarray(ptr, ptr + bytes.length)]).toEqual([...bytes]);
  });
  it("generated records and broken bytes, followed by generated bytes", () => {
    const host = freshHost();
    const tail = fc.uint8Array({ minLength: 1, maxLength: 24 }).map((b) => b.map((x) => [34, 92, 125, 44, 58, 48, 97, 0x80, x][x % 9]!));
    const input = fc.oneof(recordTextArb.map((t) => new TextEncoder().encode(t)), brokenBytes);
    fc.assert(
      fc.property(input, tail, (rec, after) => {
        const bytes = new Uint8Array(rec.length + after.length);
        bytes.set(rec);
        bytes.set(after, rec.length);
        expect(convertPrefix(host, bytes, rec.length)).toBe(referenceConvert(rec, "cef", true, SEC, NSEC));
      }),
      { numRuns: 3000, seed: 1918 },
    );
  });
});

describe("the host allocator (exported malloc/free)", () => {
  const sizes = [0, 1, 15, 16, 17, 63, 64, 65, 500, 4096, 4097, 65536, (1 << 20) - 17, 1 << 20, (1 << 20) + 1, 3 << 20];
  it.each(sizes)("malloc(%i) gives a 16-byte aligned block that holds the size, reused after free", (size) => {
    const host = freshHost();
    const malloc = host.instance.exports.malloc as (n: number) => number;
    const free = host.instance.exports.free as (p: number) => void;
    const a = malloc(size);
    expect(a).not.toBe(0);
    expect(a % 16).toBe(0);
    const mem = new Uint8Array(host.memory.buffer);
    expect(a + size).toBeLessThanOrEqual(mem.length);
    // the block holds its size: a second live block does not overlap it
    const b = malloc(size);
    expect(b === a).toBe(false);
    expect(b >= a + size || b + size <= a).toBe(true);
    free(a);
    free(b);
    // freed blocks come back: memory does not grow over many rounds
    const before = host.memory.buffer.byteLength;
    for (let i = 0; i < 200; i++) {
      const x = malloc(size);
      const y = malloc(7);
      free(x);
      free(y);
    }
    expect(host.memory.buffer.byteLength).toBe(before);
  });
  it("refuses a request over 1 GiB with 0 instead of trapping", () => {
    const host = freshHost();
    const malloc = host.instance.exports.malloc as (n: number) => number;
    expect(malloc(0x40000001)).toBe(0);
    expect(malloc(0x40000000)).toBe(0);
    expect(malloc(0xffffffff)).toBe(0);
  });
  it("frees blocks given in any order, and free(0) does nothing", () => {
    const host = freshHost();
    const malloc = host.instance.exports.malloc as (n: number) => number;
    const free = host.instance.exports.free as (p: number) => void;
    free(0);
    const blocks = [5, 70, 700, 7000, 70000, 5, 70].map((n) => malloc(n));
    expect(new Set(blocks).size).toBe(blocks.length);
    for (const i of [3, 0, 6, 1, 5, 2, 4]) free(blocks[i]!);
    // the same sizes again reuse the freed blocks
    const again = [5, 70, 700, 7000, 70000, 5, 70].map((n) => malloc(n));
    expect(new Set(again)).toEqual(new Set(blocks));
  });
});
