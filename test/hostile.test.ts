// Hostile and broken input. Generated Segura events whose attacker-controlled text carries every
// separator of both formats are read back with the strict parsers of test/_parse.ts: no forged key,
// SD-PARAM or SD-ELEMENT, values as documented, one line out per record. Broken records each give one
// valid JSON object with a clear error, and no call traps.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { FILTER_FUNCTIONS, convertLine, type FilterFunction } from "../src/_host.js";
import { EVENTS } from "../src/_catalogue.js";
import { freshHost, FORMAT_OF } from "./_helpers.js";
import { parseCef, parseSyslog, parseCefSyslog, type CefEvent, type SyslogMessage } from "./_parse.js";
import {
  shape, fill, hostileText, benignText, recordJson, expectedEvent, expectedHeaderText, SD_ID,
  type Pairs, type Meta, type Expected,
} from "./_events.js";
import { BROKEN, brokenBytes } from "./_broken.js";

const SEC = 1715000000;
const NSEC = 123456789;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** The input as text, the way `original` must carry it: invalid sequences as U+FFFD, a BOM kept. */
const lossy = (b: Uint8Array): string => new TextDecoder("utf-8", { ignoreBOM: true }).decode(b);
const host = freshHost();

/** Calls a filter function; the result must be one valid UTF-8 JSON object (Fluent Bit's rule). */
function call(fn: FilterFunction, input: string | Uint8Array, sec = SEC, nsec = NSEC): { text: string; meta: Meta } {
  const raw = host.callRaw(fn, "segura.events", input, sec, nsec); // a trap throws WebAssembly.RuntimeError here
  expect(raw, "the function returned 0").not.toBeNull();
  const text = strictUtf8.decode(raw!);
  const meta = JSON.parse(text) as Meta;
  expect(meta !== null && typeof meta === "object" && !Array.isArray(meta)).toBe(true);
  return { text, meta };
}

interface Parsed { cef?: CefEvent; syslog?: SyslogMessage }
function parseLine(fn: FilterFunction, line: string): Parsed {
  if (fn === "segura_cef") return { cef: parseCef(line) };
  if (fn === "segura_syslog") return { syslog: parseSyslog(line) };
  return parseCefSyslog(line);
}

/** The key structure of a parsed line: extension keys, SD-IDs and PARAM-NAMEs. */
function keysOf(p: Parsed): { ext: string[]; sd: string[] } {
  return {
    ext: p.cef ? p.cef.ext.map(([k]) => k) : [],
    sd: p.syslog ? p.syslog.sd.flatMap((e) => [`[${e.id}]`, ...e.params.map(([k]) => k)]) : [],
  };
}

function checkAgainst(fn: FilterFunction, p: Parsed, want: Expected, line: string): void {
  if (p.cef) {
    expect(p.cef.header, `CEF header of ${line}`).toEqual(want.header);
    expect(p.cef.ext, `CEF extension of ${line}`).toEqual(want.ext);
  }
  if (p.syslog) {
    const s = p.syslog;
    expect({ pri: s.pri, timestamp: s.timestamp, hostname: s.hostname, appname: s.appname, procid: s.procid, msgid: s.msgid, bom: s.bom }, line)
      .toEqual({ pri: want.pri, timestamp: want.timestamp, hostname: want.hostname, appname: want.appname, procid: want.procid, msgid: want.msgid, bom: false });
    if (fn === "segura_syslog") {
      expect(s.sd, `structured data of ${line}`).toEqual([{ id: SD_ID, params: want.sd }]);
      expect(s.msg, `MSG of ${line}`).toBe(want.msg);
    }
  }
}

const msgStartsWithBom = (pairs: Pairs): boolean => pairs.some(([k, v]) => k === "msg" && typeof v === "string" && v.startsWith("\ufeff"));

/** A record shape filled twice: with hostile text and with benign words. */
const hostilePair = shape({ hostileKeys: true }).chain((s) =>
  fc.record({
    hostile: fc.tuple(fc.array(hostileText, { minLength: 24, maxLength: 24 }), fc.array(hostileText, { minLength: 1, maxLength: 1 })).map(([t, h]) => fill(s, t, h)),
    benign: fc.tuple(fc.array(benignText, { minLength: 24, maxLength: 24 }), fc.array(benignText, { minLength: 1, maxLength: 1 })).map(([t, h]) => fill(s, t, h)),
  }),
// a MSG that starts with U+FEFF is a known deviation, tested on its own below
).filter(({ hostile }) => !msgStartsWithBom(hostile));

const RUNS = 700;
let casesRun = 0;

describe("hostile events read back with the strict parsers", () => {
  it.each(FILTER_FUNCTIONS)("%s: no forged key, SD-PARAM or SD-ELEMENT; values as documented; one line", (fn) => {
    fc.assert(
      fc.property(hostilePair, fc.nat(2 ** 31 - 1), ({ hostile, benign }, sec) => {
        casesRun++;
        const h = call(fn, recordJson(hostile), sec, NSEC);
        const b = call(fn, recordJson(benign), sec, NSEC);
        for (const r of [h, b]) {
          // one line: no raw CR or LF anywhere in the line
          expect(r.meta.message).not.toMatch(/[\r\n]/);
          expect(r.meta.error).toBeUndefined();
        }
        // the bare line export writes the same line
        expect(new TextDecoder().decode(convertLine(host, FORMAT_OF[fn], recordJson(hostile), sec, NSEC))).toBe(h.meta.message);
        const ph = parseLine(fn, h.meta.message);
        const pb = parseLine(fn, b.meta.message);
        expect(keysOf(ph), "the key structure of the hostile event differs from the benign one").toEqual(keysOf(pb));
        checkAgainst(fn, ph, expectedEvent(hostile, h.meta, sec, NSEC), h.meta.message);
        checkAgainst(fn, pb, expectedEvent(benign, b.meta, sec, NSEC), b.meta.message);
        // the metadata tells the same story as the line
        expect({ hostname: h.meta.hostname === "-" ? null : h.meta.hostname, procid: h.meta.procid === "-" ? null : h.meta.procid }).toEqual(expectedHeaderText(hostile));
        if (!h.meta.unknown_event) {
          const e = EVENTS.find((x) => x.id === h.meta.event_id)!;
          expect([h.meta.event_name, h.meta.cef_severity]).toEqual([e.name, e.cefSeverity]);
        }
      }),
      { numRuns: RUNS, seed: 4242 + FILTER_FUNCTIONS.indexOf(fn) },
    );
  });

  it.each(FILTER_FUNCTIONS)("%s: up to 64 unknown keys, each written exactly once with its value", (fn) => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^u[A-Za-z0-9_]{0,20}$/), { minLength: 1, maxLength: 64 }), fc.array(hostileText, { minLength: 64, maxLength: 64 }), (keys, texts) => {
        casesRun++;
        const pairs: Pairs = [["event_id", 16], ...keys.map((k, i): [string, unknown] => [k, texts[i]])];
        const { meta } = call(fn, recordJson(pairs));
        const p = parseLine(fn, meta.message);
        const want = expectedEvent(pairs, meta, SEC, NSEC);
        checkAgainst(fn, p, want, meta.message);
        const written = p.cef ? p.cef.ext.map(([k]) => k) : p.syslog!.sd[0]!.params.map(([k]) => k);
        for (const k of keys) expect(written.filter((w) => w === k)).toHaveLength(1);
      }),
      { numRuns: 150, seed: 77 },
    );
  });

  it("reports how many cases ran", () => {
    console.log(`hostile properties: ${casesRun} generated cases, each converted hostile and benign where paired`);
    expect(casesRun).toBeGreaterThanOrEqual(3 * RUNS);
  });
});

describe("a MSG that starts with U+FEFF", () => {
  // RFC 5424 reads a BOM at the start of MSG as the MSG-UTF8 marker, not as text, so the engine writes
  // a leading U+FEFF of msg as U+FFFD: the character is visibly replaced instead of silently dropped.
  const pairs: Pairs = [["event_id", 1], ["msg", "\ufeffhello"]];
  it("segura_syslog: msg \\ufeffhello reads back as \\ufffdhello, with no BOM", () => {
    const { meta } = call("segura_syslog", recordJson(pairs));
    expect(parseSyslog(meta.message)).toMatchObject({ bom: false, msg: "\ufffdhello" });
  });
});

describe("broken input: one valid JSON object per call, a clear error, no trap", () => {
  const cases = BROKEN.flatMap(([name, c]) => FILTER_FUNCTIONS.map((fn) => [name, fn, c] as const));
  it.each(cases)("%s through %s", (_name, fn, c) => {
    const { meta } = call(fn, c.input);
    expect(typeof meta.message).toBe("string");
    expect(meta.message).not.toMatch(/[\r\n]/);
    const line = parseLine(fn, meta.message); // the line of an error record is as valid as any other
    if (c.error) {
      expect(meta.error).toMatch(c.error);
      expect(meta.error).toMatch(/^invalid JSON at byte \d+: /);
      expect(meta.event_id).toBe("invalid-record");
      expect(meta.original).toBe(lossy(c.input));
      // the error travels in the line too: msg holds it, rawEvent the start of the original
      const fields = line.cef ? line.cef.ext : line.syslog!.sd[0]!.params;
      const msg = line.cef ? fields.find(([k]) => k === "msg")?.[1] : line.syslog!.msg;
      expect(msg).toBe(meta.error);
    } else {
      expect(meta.error).toBeUndefined();
      expect(meta.original).toBeUndefined();
    }
    if (c.warning) expect(meta.warning).toMatch(c.warning);
    if (c.field) {
      const [key, maxCef, maxSyslog] = c.field;
      const max = line.cef ? maxCef : maxSyslog ?? maxCef;
      const fields = line.cef ? line.cef.ext : [...line.syslog!.sd[0]!.params, ...(line.syslog!.msg !== null ? [["msg", line.syslog!.msg] as [string, string]] : [])];
      const v = fields.find(([k]) => k === key)?.[1];
      expect(v, `${key} in ${meta.message.slice(0, 200)}`).toBeDefined();
      expect(new TextEncoder().encode(v!).length).toBeLessThanOrEqual(max);
      if (key === "suser") expect(v).toBe("second");
    }
  });
});

describe("broken bytes from a generator: never a trap, always one JSON object", () => {
  it.each(FILTER_FUNCTIONS)("%s", (fn) => {
    fc.assert(
      fc.property(brokenBytes, (bytes) => {
        casesRun++;
        const { meta } = call(fn, bytes);
        expect(meta.message).not.toMatch(/[\r\n]/);
        if (meta.error !== undefined) expect(meta.original).toBe(lossy(bytes));
      }),
      { numRuns: 1500, seed: 1024 },
    );
  });
});
