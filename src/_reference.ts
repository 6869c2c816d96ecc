// The reference mapping in plain TypeScript: strings, regular expressions and template literals,
// written for obviousness, not speed. The WebAssembly engine must produce the same bytes; the
// tests compare the two on generated records, and the benchmark uses this as its JavaScript baseline.
import { EVENTS, FIELDS, RECORD_KEYS, CEF_SEVERITY_OF_SYSLOG, CHECK_REASONS, WARN_MOVED_TO, WARN_LEFT_OUT, type CatalogueEvent } from "./_catalogue.js";

export type LineFormat = "cef" | "syslog" | "cef-syslog";

// ---- limits (see assembly/format/*.ts for the sources) -------------------------------------
const CEF_MAX_VERSION = 31;
const CEF_MAX_CLASS_ID = 1023;
const CEF_MAX_NAME = 512;
const MAX_HOSTNAME = 255;
const MAX_PROCID = 128;
const MAX_MSGID = 32;
const MAX_EXTRA = 64;
const MAX_DEPTH = 65536;
const MAX_EPOCH_SECONDS = 4102444799; // 2099-12-31T23:59:59Z: rsyslog refuses later TIMESTAMPs
const MAX_EXTRA_VALUE = 4000;
const MAX_MOVED_VALUE = 1023; // a value moved to a companion key is cut like a dictionary string
const SD_NAME = "segura";
const DEFAULT_ENTERPRISE_NUMBER = "32473";
const MAX_ENTERPRISE_NUMBER = 25;
const SYSLOG_OF_CEF = [7, 7, 6, 5, 5, 4, 4, 3, 2, 1, 0];

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const enc = new TextEncoder();
const bytesOf = (s: string): number => enc.encode(s).length;

// ---- a plain JSON reader that keeps each value's source text -------------------------------
type Kind = "string" | "number" | "true" | "false" | "null" | "nested";
interface Member { key: string; rawKey: Uint8Array; kind: Kind; text: string; fromLine?: boolean; site?: boolean }
class JsonError extends Error { constructor(readonly at: number, readonly why: string) { super(why); } }

function parseObject(b: Uint8Array): Member[] {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  let p = 0;
  const ws = (): void => { while (p < end && (b[p] === 32 || b[p] === 10 || b[p] === 13 || b[p] === 9)) p++; };
  const string = (): [number, number] => {
    // at the opening quote; returns the content span
    const start = ++p;
    for (;;) {
      if (p >= end) throw new JsonError(p, "unterminated string");
      const c = b[p]!;
      if (c === 34) break;
      if (c === 92) {
        if (p + 1 >= end) throw new JsonError(p, "unterminated string");
        const e = String.fromCharCode(b[p + 1]!);
        if (e === "u") {
          if (p + 6 > end || !/^[0-9a-fA-F]{4}$/.test(String.fromCharCode(...b.subarray(p + 2, p + 6)))) throw new JsonError(p, "invalid escape in a string");
          p += 6;
        } else if ('"\\/bfnrt'.includes(e)) p += 2;
        else throw new JsonError(p, "invalid escape in a string");
        continue;
      }
      if (c < 32) throw new JsonError(p, "control character in a string");
      p++;
    }
    p++;
    return [start, p - 1];
  };
  const number = (): void => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(String.fromCharCode(...b.subarray(p, Math.min(end, p + 400))));
    // a number longer than 400 bytes: fall back to a byte walk
    if (m && m[0].length < 400) {
      const s = m[0];
      if (!/[0-9]$/.test(s) || s === "-") throw new JsonError(p, "invalid number");
      // the regex stops early on "1." or "1e": the grammar needs digits after them
      const next = b[p + s.length];
      if ((next === 46 && !s.includes(".") && !/[eE]/.test(s)) || ((next === 101 || next === 69) && !/[eE]/.test(s))) throw new JsonError(p, "invalid number");
      p += s.length;
      return;
    }
    if (!m) throw new JsonError(p, "invalid number");
    let q = p + (b[p] === 45 ? 1 : 0);
    while (q < end && b[q]! >= 48 && b[q]! <= 57) q++;
    if (b[q] === 46) { q++; const f = q; while (q < end && b[q]! >= 48 && b[q]! <= 57) q++; if (q === f) throw new JsonError(p, "invalid number"); }
    if (b[q] === 101 || b[q] === 69) { q++; if (b[q] === 43 || b[q] === 45) q++; const f = q; while (q < end && b[q]! >= 48 && b[q]! <= 57) q++; if (q === f) throw new JsonError(p, "invalid number"); }
    p = q;
  };
  const word = (w: string): void => {
    if (p + w.length > end || String.fromCharCode(...b.subarray(p, p + w.length)) !== w) throw new JsonError(w === "false" ? p + 1 : p, "expected a value");
    p += w.length;
  };
  const scalar = (): Kind => {
    const c = b[p];
    if (c === 34) { string(); return "string"; }
    if (c === 116) { word("true"); return "true"; }
    if (c === 102) { word("false"); return "false"; }
    if (c === 110) { word("null"); return "null"; }
    if (c === 45 || (c !== undefined && c >= 48 && c <= 57)) { number(); return "number"; }
    throw new JsonError(p, "expected a value");
  };
  const nested = (): void => {
    // an explicit stack of open containers instead of recursion
    const stack: boolean[] = [b[p] === 91];
    p++;
    let expectValue = true;
    let first = true;
    for (;;) {
      ws();
      const inArray = stack[stack.length - 1]!;
      const closer = inArray ? 93 : 125;
      const endError = inArray ? "expected ',' or ']'" : "expected ',' or '}'";
      if (p >= end) throw new JsonError(p, endError);
      let c = b[p]!;
      if (!expectValue) {
        if (c === 44) { p++; expectValue = true; first = false; continue; }
        if (c === closer) { p++; stack.pop(); if (stack.length === 0) return; continue; }
        throw new JsonError(p, endError);
      }
      if (first && c === closer) {
        p++; stack.pop();
        if (stack.length === 0) return;
        expectValue = false; first = false; continue;
      }
      if (!inArray) {
        if (c !== 34) throw new JsonError(p, "expected a string key");
        string();
        ws();
        if (p >= end || b[p] !== 58) throw new JsonError(p, "expected ':' after a key");
        p++;
        ws();
        if (p >= end) throw new JsonError(p, "expected a value");
        c = b[p]!;
      }
      if (c === 123 || c === 91) {
        if (stack.length >= MAX_DEPTH) throw new JsonError(p, "nesting deeper than 65536 levels");
        stack.push(c === 91);
        p++;
        first = true;
        continue;
      }
      scalar();
      expectValue = false;
      first = false;
    }
  };

  ws();
  if (p >= end) throw new JsonError(p, "empty input");
  if (b[p] !== 123) throw new JsonError(p, "the record is not a JSON object");
  p++;
  ws();
  const members: Member[] = [];
  if (p < end && b[p] === 125) {
    p++; ws();
    if (p < end) throw new JsonError(p, "text after the closing '}'");
    return members;
  }
  for (;;) {
    if (p >= end || b[p] !== 34) throw new JsonError(p, "expected a string key");
    const [ks, ke] = string();
    ws();
    if (p >= end || b[p] !== 58) throw new JsonError(p, "expected ':' after a key");
    p++;
    ws();
    if (p >= end) throw new JsonError(p, "expected a value");
    const vs = p;
    let kind: Kind;
    if (b[p] === 123 || b[p] === 91) { nested(); kind = "nested"; } else kind = scalar();
    const raw = b.subarray(vs, p);
    const text = kind === "string" ? decodeString(raw) : utf8.decode(raw);
    members.push({ key: decodeString(b.subarray(ks - 1, ke + 1)), rawKey: b.subarray(ks, ke), kind, text });
    ws();
    if (p >= end) throw new JsonError(p, "expected ',' or '}'");
    if (b[p] === 44) { p++; ws(); continue; }
    if (b[p] === 125) {
      p++; ws();
      if (p < end) throw new JsonError(p, "text after the closing '}'");
      return members;
    }
    throw new JsonError(p, "expected ',' or '}'");
  }
}

/** A JSON string token (with its quotes) as well-formed text: lone surrogates become U+FFFD. */
function decodeString(token: Uint8Array): string {
  return (JSON.parse(utf8.decode(token)) as string).toWellFormed();
}

// ---- escapers, one per context -------------------------------------------------------------
const CONTROLS_BUT_TAB = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function escapeCefHeader(s: string): string {
  return s.replace(/[\\|]/g, (c) => "\\" + c).replace(/[\r\n\t]/g, " ").replace(CONTROLS_BUT_TAB, "\ufffd");
}
export function escapeCefValue(s: string): string {
  return s.replace(/[\\=]/g, (c) => "\\" + c).replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(CONTROLS_BUT_TAB, "\ufffd");
}
export function escapeSdValue(s: string): string {
  return s.replace(/["\\\]]/g, (c) => "\\" + c).replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(CONTROLS_BUT_TAB, "\ufffd");
}
export function escapeMsg(s: string): string {
  return s.replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(CONTROLS_BUT_TAB, "\ufffd");
}
export function printUsAscii(s: string): string {
  let out = "";
  for (const ch of s) out += ch >= "!" && ch <= "~" ? ch : "_";
  return out;
}
export function escapeJson(s: string): string {
  return s.replace(/["\\]/g, (c) => "\\" + c).replace(/[\u0000-\u001f]/g, (c) => "\\u00" + c.charCodeAt(0).toString(16).padStart(2, "0"));
}
/** The longest prefix of s of at most max UTF-8 bytes that ends on a character boundary (max 0: all). */
export function utf8Prefix(s: string, max: number): string {
  if (max === 0 || bytesOf(s) <= max) return s;
  let out = "";
  let n = 0;
  for (const ch of s) {
    const w = bytesOf(ch);
    if (n + w > max) break;
    out += ch;
    n += w;
  }
  return out;
}

// ---- event resolution ----------------------------------------------------------------------
const byKey = new Map<number, CatalogueEvent>();
const byName = new Map<string, CatalogueEvent>();
function eventKey(id: string): number {
  const m = /^(N|\d+)(?:\.(\d{3}))?$/.exec(id)!;
  const minor = m[2] ? Number(m[2]) : 0;
  return m[1] === "N" ? 0x40000000 + minor : Number(m[1]) * 1000 + minor;
}
for (const e of [...EVENTS].sort((a, b) => eventKey(a.id) - eventKey(b.id))) {
  byKey.set(eventKey(e.id), e);
  for (const n of [e.name, e.notification]) if (n && !byName.has(n.toLowerCase())) byName.set(n.toLowerCase(), e);
}
const families = new Set(EVENTS.filter((e) => /^\d+\.\d{3}$/.test(e.id)).map((e) => Number(e.id.split(".")[0])));

function lookupId(text: string): CatalogueEvent | undefined {
  let m = /^N\.(\d+)$/.exec(text);
  if (m) return parseMinor(m[1]!) === undefined ? undefined : byKey.get(0x40000000 + parseMinor(m[1]!)!);
  m = /^(\d{1,9})(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const major = Number(m[1]);
  if (m[2] === undefined) {
    if (major >= 1000 && families.has(Math.floor(major / 1000))) return byKey.get(major);
    return byKey.get(major * 1000);
  }
  const minor = parseMinor(m[2]);
  if (minor === undefined || major > 4000000) return undefined;
  return byKey.get(major * 1000 + minor);
}
/** "5" -> 500, "01" -> 10, "5000" -> 500; digits past the third must be zeros. */
function parseMinor(d: string): number | undefined {
  if (d.length > 3 && !/^0+$/.test(d.slice(3))) return undefined;
  return Number(d.slice(0, 3).padEnd(3, "0"));
}

const lowerAscii = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const SEVERITY_WORDS: Record<string, number> = { emergency: 0, emerg: 0, alert: 1, critical: 2, crit: 2, error: 3, err: 3, warning: 4, warn: 4, notice: 5, informational: 6, info: 6, debug: 7 };

// ---- time ----------------------------------------------------------------------------------
interface Instant { sec: number; micro: number }
function micros(frac: string | undefined): number {
  return frac ? Number(frac.slice(0, 6).padEnd(6, "0")) : 0;
}
function parseEpoch(s: string): Instant | undefined {
  const m = /^(\d{1,16})(?:\.(\d+))?$/.exec(s);
  if (!m) return undefined;
  let v = BigInt(m[1]!);
  let micro = micros(m[2]);
  if (v >= 100000000000n) {
    micro = Number(v % 1000n) * 1000 + Math.floor(micro / 1000);
    v /= 1000n;
  }
  if (v > BigInt(MAX_EPOCH_SECONDS)) return undefined;
  return { sec: Number(v), micro };
}
function parseRfc3339(s: string): Instant | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (mo! < 1 || mo! > 12 || d! < 1 || h! > 23 || mi! > 59 || se! > 59) return undefined;
  const dim = new Date(Date.UTC(y!, mo!, 0)).getUTCDate(); // days in month (0th day of the next)
  if (y! < 100) return undefined; // Date.UTC maps 0-99 to 1900s; such years are before 1970 anyway
  if (d! > dim) return undefined;
  let offset = 0;
  if (!m[8]) {
    const oh = Number(m[10]), om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (oh * 60 + om) * 60 * (m[9] === "-" ? -1 : 1);
  }
  const sec = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!) / 1000 - offset;
  if (sec < 0 || sec > MAX_EPOCH_SECONDS) return undefined;
  return { sec, micro: micros(m[7]) };
}
function formatTimestamp(t: Instant): string {
  const iso = new Date(t.sec * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}.${String(t.micro).padStart(6, "0")}Z`;
}

// ---- the event -----------------------------------------------------------------------------
interface Event {
  known: boolean; invalid: boolean; classId: string; name: string; category: string;
  syslogSeverity: number; cefSeverity: number; facility: number; version: string;
  host: string; procid: string; time: Instant | undefined; fields: [string, string][];
  msg: string | undefined; warnings: string[]; error?: string; original?: string; truncated?: boolean;
  /** RFC 5424 MSGID: the class id, or "" (NILVALUE) when the record names no id at all. */
  msgid: string;
  enterpriseNumber: string;
  /** The record was only `message`/`log` holding this text, to be read as the record itself. */
  bare?: string;
  /** Its per-site values, which the text's own keys override. */
  site?: Member[];
}

/** Per-site values an operator adds to every record; beside them a record is still a bare line. */
const SITE_ROLES = ["host", "product_version", "facility", "procid", "enterprise_number"];

// ---- value checks of typed keys (docs/catalogue.md, "Typed keys") ----------------------------
const INTEGER = /^-?(0|[1-9][0-9]*)$/;
/** An integer from min to max; no '-' at all when min is 0 or more ("-0" included). */
const integerIn = (min: bigint, max: bigint) => (s: string): boolean =>
  INTEGER.test(s) && (min < 0n || !s.startsWith("-")) && BigInt(s) >= min && BigInt(s) <= max;
/** A decimal number whose magnitude is at most limit (as a decimal string, d.ddd...e+x). */
const numberAtMost = (limit: string) => (s: string): boolean => {
  const m = /^-?([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(s);
  return m !== null && decimalCompare(m[1]! + "." + (m[2] ?? ""), Number(m[3] ?? 0), limit) <= 0;
};
/** Compares the magnitude of "int.frac" x 10^exp with a limit written d.ddd...e+x: -1, 0 or 1. */
function decimalCompare(mantissa: string, exp: number, limit: string): number {
  const [int, frac] = mantissa.split(".") as [string, string];
  const digits = (int + frac).replace(/^0+/, "");
  if (digits === "") return -1;
  // the decimal exponent of the first significant digit
  const e10 = int.length - (int + frac).length + digits.length - 1 + exp;
  const [ld, le] = limit.split("e") as [string, string];
  const lim = ld.replace(".", "");
  if (e10 !== Number(le)) return e10 < Number(le) ? -1 : 1;
  const width = Math.max(digits.length, lim.length);
  const a = digits.padEnd(width, "0"), b = lim.padEnd(width, "0");
  return a < b ? -1 : a > b ? 1 : 0;
}
function isIpv4(s: string): boolean {
  return /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/.test(s);
}
/** RFC 4291 text form: the IPv4 tail counts as two groups; "::" stands for one group or more. */
function isIpv6(s: string): boolean {
  if (!s.includes(":")) return false;
  let head = s;
  if (s.includes(".")) {
    const at = s.lastIndexOf(":");
    if (!isIpv4(s.slice(at + 1))) return false;
    head = s.slice(0, at + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
}
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** Epoch milliseconds, or one of the layouts Elastic's decoder tries: "Jan _2[ 2006] 15:04:05[.000][ MST]". */
function isTimestamp(s: string): boolean {
  if (/^[0-9]/.test(s)) return integerIn(0n, 2n ** 63n - 1n)(s);
  const m = /^([A-Z][a-z]{2}) ( [1-9]|[1-9]|0[1-9]|[12][0-9]|3[01])(?: ([0-9]{4}))? ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{3})?(?: ([A-Z]{3}|(?!GMT|UTC)[A-Z]{3,4}T))?$/.exec(s);
  if (!m || !MONTHS.includes(m[1]!)) return false;
  // the day within the month; Go reads a missing year as year 0, a leap year
  const year = m[3] === undefined ? 0 : Number(m[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][MONTHS.indexOf(m[1]!)]!;
  return Number(m[2]) <= days;
}
const TYPE_CHECKS: Record<string, (s: string) => boolean> = {
  integer: integerIn(-(2n ** 31n), 2n ** 31n - 1n),
  long: integerIn(-(2n ** 63n), 2n ** 63n - 1n),
  port: integerIn(0n, 65535n),
  double: numberAtMost("1.7976931348623157e308"),
  float: numberAtMost("3.4028234e38"),
  latitude: numberAtMost("9e1"),
  longitude: numberAtMost("1.8e2"),
  ipv4_address: isIpv4,
  ipv6_address: isIpv6,
  ip_address: (s) => isIpv4(s) || isIpv6(s),
  mac_address: (s) => /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(s),
  timestamp: isTimestamp,
};
/** The text passes the value check of that name (exported for the tests). */
export function fitsCheck(check: string, text: string): boolean {
  return TYPE_CHECKS[check]!(text);
}

const fieldByKey = new Map<string, number>();
FIELDS.forEach((f, i) => { fieldByKey.set(f.key, i); for (const a of f.aliases) fieldByKey.set(a, i); });
const companionKeys = new Set(FIELDS.map((f) => f.companion).filter((c) => c !== ""));
const roleByKey = new Map<string, string>();
for (const r of RECORD_KEYS) for (const k of r.keys) roleByKey.set(k, r.role);

const roleName = new Map<string, string>();
for (const r of RECORD_KEYS) roleName.set(r.role, r.keys[0]!);

/** Keys given more than once, each noted once in the order their repeats appear; past
 * MAX_REPEATS keys, repeats are only counted. */
const MAX_REPEATS = 16;
class Repeats {
  readonly keys: string[] = [];
  past = 0;
  note(key: string): void {
    if (this.keys.includes(key)) return;
    if (this.keys.length === MAX_REPEATS) this.past++;
    else this.keys.push(key);
  }
}

const WARN_CAP = 1024;
/** Warnings share a buffer of WARN_CAP bytes, 40 of them kept for the closing count. */
function addWarning(ev: Event, text: string, skipped: { n: number }): void {
  const len = bytesOf(ev.warnings.join("; "));
  if (len + (len > 0 ? 2 : 0) + bytesOf(text) > WARN_CAP - 40) { skipped.n++; return; }
  ev.warnings.push(text);
}

function buildEvent(members: Member[], recordTime: Instant | undefined): Event {
  const slots = new Map<number, Member>();
  const roles = new Map<string, Member>();
  const extras = new Map<string, Member>();
  let dropped = 0;
  let reserved = 0;
  const repeats = new Repeats();
  for (const m of members) {
    const f = fieldByKey.get(m.key);
    if (f !== undefined) {
      if (slots.has(f)) repeats.note(FIELDS[f]!.key);
      slots.set(f, m);
      continue;
    }
    const r = roleByKey.get(m.key);
    const plain = utf8.decode(m.rawKey) === m.key && !m.rawKey.includes(92);
    if (r !== undefined) {
      if (roles.has(r) && !m.site) repeats.note(roleName.get(r)!);
      roles.set(r, m);
      // message/log also stays a plain field, for records whose line is not read
      if (r !== "message" || !plain) continue;
    }
    if (!plain || !/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(m.key)) { dropped++; continue; }
    // a companion key is written only for a value moved from its typed key
    if (companionKeys.has(m.key)) { reserved++; continue; }
    if (extras.has(m.key) && r === undefined) repeats.note(m.key);
    if (extras.has(m.key) || extras.size < MAX_EXTRA) extras.set(m.key, m);
    else dropped++;
  }
  const present = (m: Member | undefined): m is Member => m !== undefined && m.kind !== "null" && m.text.length > 0;
  const alone = dropped === 0 && members.every((m) => { const r = roleByKey.get(m.key); return r === "message" || SITE_ROLES.includes(r!); });
  const line = readLine(slots, roles, repeats, alone);
  const skipped = { n: 0 };
  const ev: Event = {
    known: false, invalid: false, classId: "unknown", name: "Unknown Segura event", category: "Unknown",
    syslogSeverity: 5, cefSeverity: CEF_SEVERITY_OF_SYSLOG[5]!, facility: 1, version: "unknown",
    host: "", procid: "", time: recordTime, fields: [], msg: undefined, warnings: [], msgid: "", enterpriseNumber: DEFAULT_ENTERPRISE_NUMBER,
  };
  for (const k of repeats.keys) addWarning(ev, `${k}: given more than once, the last value kept`, skipped);
  skipped.n += repeats.past;
  const useEvent = (e: CatalogueEvent): void => {
    Object.assign(ev, { known: true, classId: e.id, msgid: e.id, name: e.name, category: e.category, syslogSeverity: e.syslogSeverity, cefSeverity: e.cefSeverity });
  };
  const id = roles.get("event_id");
  let idText = "";
  if (present(id) && id.kind !== "nested") {
    idText = id.text;
    const e = lookupId(id.text);
    if (e) useEvent(e);
  }
  const nm = roles.get("event_name");
  let givenName = "";
  if (present(nm) && nm.kind === "string") {
    givenName = nm.text;
    const e = byName.get(lowerAscii(nm.text));
    if (!ev.known && e) useEvent(e);
  }
  if (line.fromLine && !ev.known) {
    const msgid = roles.get("msgid");
    if (present(msgid) && msgid.text !== "-") {
      if (!idText) idText = msgid.text;
      const e = lookupId(msgid.text);
      if (e) useEvent(e);
    }
    const msg = slots.get(fieldByKey.get("msg")!);
    const e = present(msg) ? byName.get(lowerAscii(msg.text)) : undefined;
    if (!ev.known && e) useEvent(e);
  }
  if (!ev.known) {
    if (idText) ev.classId = idText;
    ev.msgid = idText;
    if (givenName) ev.name = givenName;
    const sv = roles.get("severity");
    if (!line.fromLine && present(sv)) {
      const kw = SEVERITY_WORDS[lowerAscii(sv.text)];
      const num = /^\d{1,3}$/.test(sv.text) ? Number(sv.text) : -1;
      if (kw !== undefined && Object.hasOwn(SEVERITY_WORDS, lowerAscii(sv.text))) {
        ev.syslogSeverity = kw;
        ev.cefSeverity = CEF_SEVERITY_OF_SYSLOG[kw]!;
      } else if (num >= 0 && num <= 10) {
        ev.cefSeverity = num;
        ev.syslogSeverity = SYSLOG_OF_CEF[num]!;
      } else addWarning(ev, "severity: not 0-10 or a syslog keyword, notice used", skipped);
    }
  }
  if (line.fromLine) lineSeverities(ev, roles, givenName, skipped);
  const ts = roles.get("timestamp");
  if (present(ts)) {
    const t = ts.kind === "number" || ts.kind === "string" ? parseEpoch(ts.text) ?? (ts.kind === "string" ? parseRfc3339(ts.text) : undefined) : undefined;
    if (t) ev.time = t;
    else addWarning(ev, "timestamp: not RFC 3339 or epoch seconds/milliseconds up to 2099-12-31, record time used", skipped);
  }
  const host = roles.get("host");
  if (present(host) && host.kind === "string") ev.host = host.text;
  const ver = roles.get("product_version");
  if (present(ver) && (ver.kind === "string" || ver.kind === "number")) ev.version = ver.text;
  const pid = roles.get("procid");
  if (present(pid) && (pid.kind === "string" || pid.kind === "number")) ev.procid = pid.text;
  const fac = roles.get("facility");
  const pri = roles.get("pri");
  if (present(fac)) {
    const f = /^\d{1,3}$/.test(fac.text) ? Number(fac.text) : FACILITY_NAMES.indexOf(lowerAscii(fac.text));
    if (f >= 0 && f <= 23) ev.facility = f;
    else addWarning(ev, "facility: not 0-23 or a facility name, 1 (user) used", skipped);
  } else if (present(pri)) {
    const p = /^\d{1,3}$/.test(pri.text) ? Number(pri.text) : -1;
    if (p >= 0 && p <= 191) ev.facility = p >> 3;
  }
  const pen = roles.get("enterprise_number");
  if (present(pen)) {
    if (/^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/.test(pen.text) && bytesOf(pen.text) <= MAX_ENTERPRISE_NUMBER) ev.enterpriseNumber = pen.text;
    else addWarning(ev, "enterprise_number: not a private enterprise number (digits, parts joined by '.', at most 25), 32473 used", skipped);
  }
  if (line.truncated) {
    ev.truncated = true;
    addWarning(ev, "message: 1024 bytes or more, the size at which Segura's UDP datagrams are cut; converted as received", skipped);
  }
  listFields(ev, slots, extras, dropped, skipped, line.fromLine, reserved);
  if (line.bare !== undefined) {
    ev.bare = line.bare;
    ev.site = SITE_ROLES.map((r) => roles.get(r)).filter((m): m is Member => m !== undefined && m.kind !== "null" && m.text.length > 0);
  }
  return ev;
}

/** A received line keeps what its sender wrote: CEF Name, CEF severity (header's or a number in
 * `severity`), syslog severity (PRI's or a keyword in `severity`); the catalogue fills the rest,
 * and for an unknown event one severity is derived from the other. */
function lineSeverities(ev: Event, roles: Map<string, Member>, givenName: string, skipped: { n: number }): void {
  const present = (m: Member | undefined): m is Member => m !== undefined && m.kind !== "null" && m.text.length > 0;
  const small = (t: string): number => (/^\d{1,3}$/.test(t) ? Number(t) : -1);
  if (ev.known && givenName) ev.name = givenName;
  let sys = -1, cef = -1;
  const pri = roles.get("pri");
  if (present(pri)) { const p = small(pri.text); if (p >= 0 && p <= 191) sys = p & 7; }
  const cs = roles.get("cef_severity");
  if (present(cs)) {
    const n = small(cs.text);
    if (n >= 0 && n <= 10) cef = n;
    else addWarning(ev, "cef_severity: not 0-10, left out", skipped);
  }
  const sv = roles.get("severity");
  if (present(sv)) {
    const word = lowerAscii(sv.text);
    const n = small(sv.text);
    if (Object.hasOwn(SEVERITY_WORDS, word)) { if (sys < 0) sys = SEVERITY_WORDS[word]!; }
    else if (n >= 0 && n <= 10) { if (cef < 0) cef = n; }
    else addWarning(ev, "severity: not 0-10 or a syslog keyword, left out", skipped);
  }
  if (!ev.known) {
    if (sys < 0 && cef >= 0) sys = SYSLOG_OF_CEF[cef]!;
    if (cef < 0 && sys >= 0) cef = CEF_SEVERITY_OF_SYSLOG[sys]!;
  }
  if (sys >= 0) ev.syslogSeverity = sys;
  if (cef >= 0) ev.cefSeverity = cef;
}

function listFields(ev: Event, slots: Map<number, Member>, extras: Map<string, Member>, dropped: number, skipped: { n: number }, fromLine = false, reserved = 0): void {
  FIELDS.forEach((f, i) => {
    const m = slots.get(i);
    let v: string;
    let key = f.key;
    let max = f.max;
    if (m && m.kind !== "null" && m.text.length > 0) {
      if (f.check !== "string" && !((m.kind === "string" || m.kind === "number") && fitsCheck(f.check, m.text))) {
        // moved, as text, to the companion key; left out when the key has none
        const why = `${f.key}: ${CHECK_REASONS[f.check]}`;
        if (!f.companion) { addWarning(ev, why + WARN_LEFT_OUT, skipped); return; }
        addWarning(ev, why + WARN_MOVED_TO + f.companion, skipped);
        key = f.companion;
        max = MAX_MOVED_VALUE;
      }
      v = m.text;
    } else if (f.key === "rt" && ev.time) v = String(ev.time.sec * 1000 + Math.floor(ev.time.micro / 1000));
    else if (f.key === "cat") v = ev.category;
    else if (f.key === "dvchost" && ev.host) v = ev.host;
    else return;
    if (f.key === "msg") ev.msg = v;
    if (max > 0 && bytesOf(v) > max) {
      v = utf8Prefix(v, max);
      addWarning(ev, f.key === "msg" ? "msg: truncated to 1023 bytes in CEF (the syslog MSG keeps it whole)" : `${key}: truncated`, skipped);
    }
    ev.fields.push([key, v]);
  });
  for (const [k, m] of extras) {
    if (m.kind === "null" || m.text.length === 0) continue;
    if (fromLine && (k === "message" || k === "log")) continue; // the line that was read is not repeated
    let v = m.text;
    if (bytesOf(v) > MAX_EXTRA_VALUE) {
      v = utf8Prefix(v, MAX_EXTRA_VALUE);
      addWarning(ev, `${k}: truncated`, skipped);
    }
    ev.fields.push([k, v]);
  }
  if (dropped > 0) addWarning(ev, `${dropped} keys left out (not a plain identifier of up to 32 characters, or over 64 unknown keys)`, skipped);
  if (reserved > 0) addWarning(ev, `${reserved} keys left out (reserved for moved values: <typed key>Invalid)`, skipped);
  if (skipped.n > 0) ev.warnings.push(`${skipped.n} more warnings left out`);
}

function invalidEvent(input: Uint8Array, err: JsonError, recordTime: Instant | undefined): Event {
  const original = utf8.decode(input);
  const error = `invalid JSON at byte ${err.at}: ${err.why}`;
  const ev: Event = {
    known: true, invalid: true, classId: "invalid-record", name: "Invalid Segura record", category: "Invalid input",
    syslogSeverity: 4, cefSeverity: CEF_SEVERITY_OF_SYSLOG[4]!, facility: 1, version: "unknown",
    host: "", procid: "", time: recordTime, fields: [], msg: undefined, warnings: [], error, original,
    msgid: "invalid-record", enterpriseNumber: DEFAULT_ENTERPRISE_NUMBER,
  };
  const slots = new Map<number, Member>();
  const text = (t: string): Member => ({ key: "", rawKey: new Uint8Array(), kind: "string", text: t });
  slots.set(fieldByKey.get("msg")!, text(error));
  if (original.length > 0) slots.set(fieldByKey.get("rawEvent")!, text(original));
  listFields(ev, slots, new Map(), 0, { n: 0 });
  return ev;
}

// ---- received lines (Segura's own CEF / syslog, as a shipper's syslog input keeps them) ------
const FACILITY_NAMES = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"];
const UDP_DATAGRAM_MAX = 1024;
const HEADER_ALLOWANCE = 32;
const MAX_PAIRS = 256;

/** Reads `message` (or `log`) when the record has no event of its own; fills slots the JSON left empty. */
interface LineRead { fromLine: boolean; truncated: boolean; bare?: string }
/** Reads `message` (or `log`) when the record has no event of its own; fills slots the JSON left
 * empty. `bare`: the record is nothing but that key, holding JSON or text that is no Segura line
 * (no syslog header, no CEF, no known key), which is then read as the record itself. */
function readLine(slots: Map<number, Member>, roles: Map<string, Member>, repeats: Repeats, alone: boolean): LineRead {
  const has = (m: Member | undefined): boolean => m !== undefined && m.kind !== "null" && m.text.length > 0;
  const message = roles.get("message");
  const msgField = fieldByKey.get("msg")!;
  if (!message || message.kind !== "string") return { fromLine: false, truncated: false };
  if (has(roles.get("event_id")) || has(roles.get("event_name")) || has(slots.get(msgField))) return { fromLine: false, truncated: false };
  if (alone && /^[ \t\n\r]*(\{|$)/.test(message.text)) return { fromLine: false, truncated: false, bare: message.text };
  if (message.text.length === 0) return { fromLine: false, truncated: false };
  const b = enc.encode(message.text);
  const text = (from: number, to: number): string => utf8.decode(b.subarray(from, to));
  const fromLine = (t: string): Member => ({ key: "", rawKey: new Uint8Array(), kind: "string", text: t, fromLine: true });
  const jsonGave = (m: Member | undefined): boolean => has(m) && !m!.fromLine;
  const setRole = (role: string, t: string): void => {
    const had = roles.get(role);
    if (jsonGave(had)) return;
    if (had?.fromLine) repeats.note(roleName.get(role)!);
    roles.set(role, fromLine(t));
  };
  const setField = (id: number, t: string): void => {
    const had = slots.get(id);
    if (jsonGave(had)) return;
    // a key the line gives twice is a repeat; one that fills what the JSON left empty is not
    if (had?.fromLine) repeats.note(FIELDS[id]!.key);
    slots.set(id, fromLine(t));
  };
  const unescape = (t: string): string => t.replace(/\\([\\=|nr])/g, (_m, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c));

  // the syslog header, if the line has one
  let body = 0;
  const end = b.length;
  const hdr = /^<(\d{1,3})>/.exec(text(0, Math.min(end, 5)));
  if (hdr && Number(hdr[1]) <= 191) {
    setRole("pri", hdr[1]!);
    let q = hdr[0].length;
    if (b[q] === 49 && b[q + 1] === 32 && q + 1 < end) {
      q += 2;
      const roleOfToken = ["timestamp", "host", "", "procid", "msgid"];
      body = -1;
      for (const role of roleOfToken) {
        let e = q;
        while (e < end && b[e] !== 32) e++;
        const tok = text(q, e);
        if (role && tok !== "" && tok !== "-") setRole(role, tok);
        if (e >= end) { body = end; break; }
        q = e + 1;
      }
      if (body === -1) {
        if (b[q] === 45) q++;
        else while (b[q] === 91) {
          q++;
          while (q < end && b[q] !== 93) { if (b[q] === 92) q++; q++; }
          if (q < end) q++;
        }
        if (b[q] === 32) q++;
        if (b[q] === 0xef && b[q + 1] === 0xbb && b[q + 2] === 0xbf && q + 2 < end) q += 3;
        body = q;
      }
    } else {
      body = q;
      if (q + 16 <= end && b[q + 3] === 32 && b[q + 6] === 32 && b[q + 9] === 58 && b[q + 12] === 58 && b[q + 15] === 32) {
        q += 16;
        let e = q;
        while (e < end && b[e] !== 32) e++;
        if (e >= end) body = end;
        else {
          const host = text(q, e);
          if (host !== "" && host !== "-") setRole("host", host);
          q = e + 1;
          let t = q;
          while (t < end && b[t] !== 32 && b[t] !== 58 && b[t] !== 91) t++;
          if (t < end && b[t] === 91) {
            const pid = t + 1;
            while (t < end && b[t] !== 93) t++;
            if (t < end) { setRole("procid", text(pid, t)); t++; }
          }
          if (t + 1 < end && b[t] === 58 && b[t + 1] === 32) q = t + 2;
          body = q;
        }
      }
    }
  }
  let size = end;
  if (body === 0) {
    const len = (role: string): number => { const m = roles.get(role); return has(m) ? bytesOf(m!.text) : 0; };
    size += len("pri") + len("timestamp") + len("host") + len("ident") + len("procid") + len("msgid") + len("extradata") + HEADER_ALLOWANCE;
  }
  const truncated = size >= UDP_DATAGRAM_MAX;

  let p = body;
  while (p < end && b[p] === 32) p++;
  const isCef = text(p, p + 4) === "CEF:";
  let ext = p;
  if (isCef) {
    // CEF:Version|Vendor|Product|Version|Class ID|Name|Severity|Extension
    let field = 0;
    let start = p;
    let q = p;
    ext = -1;
    while (q < end) {
      if (b[q] === 92) { q += 2; continue; }
      if (b[q] === 124) {
        const v = unescape(text(start, q));
        const role = ["", "", "", "product_version", "event_id", "event_name", "cef_severity"][field];
        if (v && role) setRole(role, v);
        field++;
        start = q + 1;
        if (field === 7) { ext = start; break; }
      }
      q++;
    }
    if (ext === -1) return { fromLine: true, truncated };
  }
  // key=value (CEF) or key = value pairs of known extension keys
  const pairs: { id: number; value: number; key: number }[] = [];
  let firstKey = end;
  let i = ext;
  const keyChar = (c: number | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(String.fromCharCode(c));
  while (i < end) {
    if (isCef && b[i] === 92) { i += 2; continue; }
    if ((i === ext || b[i - 1] === 32) && keyChar(b[i])) {
      let j = i;
      while (j < end && keyChar(b[j])) j++;
      let k = j;
      if (!isCef) while (k < end && b[k] === 32) k++;
      if (k < end && b[k] === 61) {
        const id = fieldByKey.get(text(i, j));
        if (id !== undefined) {
          k++;
          if (!isCef) while (k < end && b[k] === 32) k++;
          if (pairs.length < MAX_PAIRS) pairs.push({ id, value: k, key: i });
          if (i < firstKey) firstKey = i;
          i = k;
          continue;
        }
      }
      i = j;
      continue;
    }
    i++;
  }
  pairs.forEach((pair, x) => {
    let stop = x + 1 < pairs.length ? pairs[x + 1]!.key : end;
    while (stop > pair.value && b[stop - 1] === 32) stop--;
    if (stop === pair.value) return;
    const v = text(pair.value, stop);
    setField(pair.id, isCef ? unescape(v) : v);
  });
  const lead = text(ext, firstKey).replace(/^ +| +$/g, "");
  if (lead) setField(msgField, lead);
  if (alone && !isCef && body === 0 && pairs.length === 0) return { fromLine: true, truncated, bare: message.text };
  return { fromLine: true, truncated };
}

// ---- rendering -----------------------------------------------------------------------------
function cefLine(ev: Event): string {
  const head = ["CEF:0", "MT4", "Segura", utf8Prefix(ev.version, CEF_MAX_VERSION), utf8Prefix(ev.classId, CEF_MAX_CLASS_ID), utf8Prefix(ev.name, CEF_MAX_NAME)]
    .map((h, i) => (i < 3 ? h : escapeCefHeader(h))).join("|");
  return `${head}|${ev.cefSeverity}|` + ev.fields.map(([k, v]) => ` ${k}=${escapeCefValue(v)}`).join("");
}
const headerField = (s: string, max: number): string => (s ? printUsAscii(utf8Prefix(s, max)) : "-");
/** HOSTNAME: cut to 255 bytes, then all but A-Za-z0-9 . _ - (and ':' in an IPv6 address) as '_'. */
function hostnameField(host: string): string {
  if (!host) return "-";
  const h = utf8Prefix(host, MAX_HOSTNAME);
  const keepColon = isIpv6(h);
  return [...h].map((ch) => (/^[A-Za-z0-9._-]$/.test(ch) || (ch === ":" && keepColon) ? ch : "_")).join("");
}
function syslogHeader(ev: Event): string {
  const ts = ev.time ? formatTimestamp(ev.time) : "-";
  return `<${ev.facility * 8 + ev.syslogSeverity}>1 ${ts} ${hostnameField(ev.host)} Segura ${headerField(ev.procid, MAX_PROCID)} ${headerField(ev.msgid, MAX_MSGID)}`;
}
function syslogLine(ev: Event): string {
  const params = [["event-id", ev.classId], ["event-name", ev.name], ...ev.fields.filter(([k]) => k !== "msg")];
  const sd = `[${SD_NAME}@${ev.enterpriseNumber}` + params.map(([k, v]) => ` ${k}="${escapeSdValue(v!)}"`).join("") + "]";
  // a MSG starting with U+FEFF would be read as a byte-order mark and lose that character
  const msg = ev.msg?.startsWith("\ufeff") ? "\ufffd" + ev.msg.slice(1) : ev.msg;
  return `${syslogHeader(ev)} ${sd}` + (msg ? ` ${escapeMsg(msg)}` : "");
}

function line(ev: Event, format: LineFormat): string {
  if (format === "cef") return cefLine(ev);
  if (format === "syslog") return syslogLine(ev);
  return `${syslogHeader(ev)} - ${cefLine(ev)}`;
}

function recordJson(ev: Event, text: string): string {
  let out = `{"message":"${escapeJson(text)}","severity":${ev.syslogSeverity},"facility":${ev.facility}`;
  out += `,"hostname":"${escapeJson(hostnameField(ev.host))}","appname":"Segura","procid":"${escapeJson(headerField(ev.procid, MAX_PROCID))}"`;
  out += `,"msgid":"${escapeJson(headerField(ev.msgid, MAX_MSGID))}","event_id":"${escapeJson(ev.classId)}","event_name":"${escapeJson(ev.name)}","cef_severity":${ev.cefSeverity}`;
  if (!ev.known) out += `,"unknown_event":true`;
  if (ev.truncated) out += `,"truncated":true`;
  if (ev.warnings.length) out += `,"warning":"${escapeJson(ev.warnings.join("; "))}"`;
  if (ev.invalid) out += `,"error":"${escapeJson(ev.error!)}","original":"${escapeJson(ev.original!)}"`;
  return out + "}";
}

/** Converts one record as the engine does: the bare line, or with `record` the JSON object for Fluent Bit. */
export function referenceConvert(input: Uint8Array | string, format: LineFormat, record: boolean, sec = 0, nsec = 0): string {
  const bytes = typeof input === "string" ? enc.encode(input) : input;
  const recordTime = sec === 0 && nsec === 0 ? undefined : { sec, micro: Math.floor(nsec / 1000) % 1000000 };
  const read = (b: Uint8Array, site: Member[] = []): Event => {
    let members: Member[];
    try {
      members = parseObject(b);
    } catch (e) {
      if (!(e instanceof JsonError)) throw e;
      return invalidEvent(b, e, recordTime);
    }
    // the text's own keys win; the record's per-site values fill what it leaves out
    const has = (r: string): boolean => members.some((m) => roleByKey.get(m.key) === r && m.kind !== "null" && m.text.length > 0);
    const fill = site.filter((m) => !has(roleByKey.get(m.key)!)).map((m) => ({ ...m, kind: "string" as Kind, site: true }));
    return buildEvent([...members, ...fill], recordTime);
  };
  let ev = read(bytes);
  if (ev.bare !== undefined) ev = read(enc.encode(ev.bare), ev.site);
  const text = line(ev, format);
  return record ? recordJson(ev, text) : text;
}
