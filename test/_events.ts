// What a record should come out as, stated from the input contract (docs/catalogue.md) and not from
// the writer: which CEF extension keys and SD-PARAMs appear, with which decoded values, and the
// RFC 5424 header. Also the record generators the hostile and receiver tests share.
import fc from "fast-check";
import { FIELDS, RECORD_KEYS, EVENTS, LAYOUTS, type CatalogueField } from "../src/_catalogue.js";
import { exampleLines } from "./_helpers.js";
import { fitsCheck } from "../src/_reference.js";

export type Pairs = [string, unknown][];

/** The JSON object the filter functions return to Fluent Bit. */
export interface Meta {
  message: string; severity: number; facility: number; hostname: string; appname: string; procid: string; msgid: string;
  event_id: string; event_name: string; cef_severity: number; unknown_event?: boolean; warning?: string; error?: string; original?: string;
}

export interface Expected {
  /** Device Vendor, Device Product, Device Version, Device Event Class ID, Name, Severity, as a CEF parser returns them */
  header: string[];
  /** CEF extension pairs, values as a CEF parser returns them */
  ext: [string, string][];
  /** the PARAMs of [segura@32473 ...], values as an RFC 5424 parser returns them */
  sd: [string, string][];
  /** MSG as an RFC 5424 parser returns it; null when there is none */
  msg: string | null;
  pri: number;
  timestamp: string | null;
  hostname: string | null;
  appname: string;
  procid: string | null;
  msgid: string | null;
}

export const SD_ID = "segura@32473";

const fieldOf = new Map<string, CatalogueField>();
for (const f of FIELDS) for (const k of [f.key, ...f.aliases]) fieldOf.set(k, f);
const roleOf = new Map<string, string>();
for (const r of RECORD_KEYS) for (const k of r.keys) roleOf.set(k, r.role);

const enc = new TextEncoder();
const bytes = (s: string): number => enc.encode(s).length;

/** The longest prefix of at most max UTF-8 bytes ending on a character boundary. */
export function utf8Prefix(s: string, max: number): string {
  if (max <= 0 || bytes(s) <= max) return s;
  let out = "";
  let n = 0;
  for (const ch of s) {
    n += bytes(ch);
    if (n > max) break;
    out += ch;
  }
  return out;
}

// ---- the documented transformations of text ------------------------------------------------
/** C0 controls other than TAB, CR and LF, and DEL: written as U+FFFD in every format. */
const OTHER_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
/** A CEF header field: CR, LF and TAB become a space, other controls U+FFFD. */
export const asHeader = (s: string): string => s.toWellFormed().replace(/[\r\n\t]/g, " ").replace(OTHER_CONTROLS, "\ufffd");
/** A CEF extension value: exact, except other controls become U+FFFD (CR and LF travel as \r and \n). */
export const asCefValue = (s: string): string => s.toWellFormed().replace(OTHER_CONTROLS, "\ufffd");
/** An SD-PARAM value or MSG: RFC 5424 has no escape for CR and LF, so a parser reads our \r and \n as
 * those two characters; other controls become U+FFFD. */
export const asSyslogText = (s: string): string => asCefValue(s).replace(/\n/g, "\\n").replace(/\r/g, "\\r");
/** HOSTNAME: a host name's characters A-Za-z0-9 . _ - (and ':' in an IPv6 address), anything else '_'. */
export const asHostname = (s: string): string | null => {
  if (s === "") return null;
  const h = utf8Prefix(s.toWellFormed(), 255);
  const v6 = fitsCheck("ipv6_address", h);
  let out = "";
  for (const ch of h) out += /^[A-Za-z0-9._-]$/.test(ch) || (ch === ":" && v6) ? ch : "_";
  return out;
};
/** PROCID, MSGID: PRINTUSASCII, anything else written as '_'. */
export const asPrintUsAscii = (s: string, max: number): string | null => {
  if (s === "") return null;
  let out = "";
  for (const ch of utf8Prefix(s.toWellFormed(), max)) out += ch >= "!" && ch <= "~" ? ch : "_";
  return out;
};

/** Timestamps are taken up to 2099-12-31T23:59:59Z (rsyslog refuses later years). */
const MAX_TIMESTAMP = 4102444799;
/** Unknown keys' values are cut at 4000 bytes, like cs1..cs8. */
const MAX_EXTRA_VALUE = 4000;

// ---- time ----------------------------------------------------------------------------------
interface Instant { sec: number; micro: number }
function parseTime(v: unknown): Instant | undefined {
  const text = typeof v === "number" ? JSON.stringify(v) : typeof v === "string" ? v : undefined;
  if (text === undefined) return undefined;
  let m = /^(\d{1,16})(?:\.(\d+))?$/.exec(text);
  if (m) {
    let sec = Number(m[1]);
    let micro = m[2] ? Number(m[2].slice(0, 6).padEnd(6, "0")) : 0;
    if (sec >= 1e11) { micro = (sec % 1000) * 1000 + Math.floor(micro / 1000); sec = Math.floor(sec / 1000); }
    return sec <= MAX_TIMESTAMP ? { sec, micro } : undefined;
  }
  if (typeof v !== "string") return undefined;
  m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!m) return undefined;
  const off = m[8] === "Z" ? 0 : (Number(m[10]) * 60 + Number(m[11])) * 60 * (m[9] === "-" ? -1 : 1);
  const sec = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000 - off;
  if (sec > MAX_TIMESTAMP) return undefined;
  return { sec, micro: m[7] ? Number(m[7].slice(0, 6).padEnd(6, "0")) : 0 };
}
export function rfc5424Time(t: Instant): string {
  return `${new Date(t.sec * 1000).toISOString().slice(0, 19)}.${String(t.micro).padStart(6, "0")}Z`;
}

// ---- values --------------------------------------------------------------------------------
/** The text of a JSON value as the contract keeps it: strings as they are, other scalars and nested
 * values as their JSON source text (JSON.stringify here, which is how the generators write them). */
function textOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const t = typeof v === "string" ? v : JSON.stringify(v);
  return t.length > 0 ? t : undefined;
}
/** A typed value passes its check when it is a JSON string or number whose text passes. */
const fits = (check: string, t: string, v: unknown): boolean => (typeof v === "string" || typeof v === "number") && fitsCheck(check, t);
/** Companion keys: where a typed key's value that does not fit goes; never taken from the record. */
const COMPANIONS = new Set(FIELDS.map((f) => f.companion).filter((c) => c !== ""));
/** A moved value is cut at 1023 bytes. */
const MAX_MOVED_VALUE = 1023;
const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** The record's fields as the contract lists them: catalogue fields in catalogue order (with rt, cat
 * and dvchost filled in when absent), then up to 64 plain unknown keys in order of appearance. */
export function expectedFields(pairs: Pairs, meta: Meta, recordTime: Instant): [string, string][] {
  const slots = new Map<string, unknown>();
  const roles = new Map<string, unknown>();
  const extras = new Map<string, unknown>();
  for (const [k, v] of pairs) {
    const f = fieldOf.get(k);
    if (f) slots.set(f.key, v);
    else if (roleOf.has(k)) roles.set(roleOf.get(k)!, v);
    else if (PLAIN_KEY.test(k) && !COMPANIONS.has(k) && (extras.has(k) || extras.size < 64)) extras.set(k, v);
  }
  const time = parseTime(roles.get("timestamp")) ?? recordTime;
  const host = typeof roles.get("host") === "string" ? (roles.get("host") as string) : "";
  const category = meta.unknown_event ? "Unknown" : EVENTS.find((e) => e.id === meta.event_id)!.category;
  const out: [string, string][] = [];
  for (const f of FIELDS) {
    const v = slots.get(f.key);
    let t = textOf(v);
    let key = f.key, max = f.max;
    if (t !== undefined && f.check !== "string" && !fits(f.check, t, v)) {
      if (!f.companion) continue;
      key = f.companion;
      max = MAX_MOVED_VALUE;
    }
    if (t === undefined) {
      if (f.key === "rt") t = String(time.sec * 1000 + Math.floor(time.micro / 1000));
      else if (f.key === "cat") t = category;
      else if (f.key === "dvchost" && host !== "") t = host;
      else continue;
    }
    out.push([key, max > 0 ? utf8Prefix(t.toWellFormed(), max) : t.toWellFormed()]);
  }
  for (const [k, v] of extras) {
    const t = textOf(v);
    if (t !== undefined) out.push([k, utf8Prefix(t.toWellFormed(), MAX_EXTRA_VALUE)]);
  }
  return out;
}

/** The event as the two formats must carry it. */
export function expectedEvent(pairs: Pairs, meta: Meta, sec: number, nsec: number): Expected {
  const recordTime = { sec, micro: Math.floor(nsec / 1000) % 1000000 };
  const fields = expectedFields(pairs, meta, recordTime);
  const roles = new Map<string, unknown>();
  for (const [k, v] of pairs) if (roleOf.has(k) && !fieldOf.has(k)) roles.set(roleOf.get(k)!, v);
  const version = textOf(roles.get("product_version")) ?? "unknown";
  const time = parseTime(roles.get("timestamp")) ?? recordTime;
  // MSG carries msg whole: the 1023-byte limit is the CEF dictionary's, for the msg= extension
  let msgText: string | undefined;
  for (const [k, v] of pairs) if (fieldOf.get(k)?.key === "msg") msgText = textOf(v);
  const msg = fields.some(([k]) => k === "msg") && msgText !== undefined ? msgText.toWellFormed() : null;
  const nil = (s: string): string | null => (s === "-" ? null : s);
  return {
    header: ["MT4", "Segura", asHeader(utf8Prefix(version, 31)), asHeader(utf8Prefix(meta.event_id, 1023)), asHeader(utf8Prefix(meta.event_name, 512)), String(meta.cef_severity)],
    ext: fields.map(([k, v]) => [k, asCefValue(v)]),
    sd: [["event-id", asSyslogText(meta.event_id)], ["event-name", asSyslogText(meta.event_name)], ...fields.filter(([k]) => k !== "msg").map(([k, v]): [string, string] => [k, asSyslogText(v)])],
    // a leading U+FEFF would read as a byte-order mark: it is written as U+FFFD
    msg: msg !== null ? asSyslogText(msg.replace(/^\ufeff/, "\ufffd")) : null,
    pri: meta.facility * 8 + meta.severity,
    timestamp: rfc5424Time(time),
    hostname: nil(meta.hostname),
    appname: meta.appname,
    procid: nil(meta.procid),
    msgid: nil(meta.msgid),
  };
}

/** The RFC 5424 header fields the metadata must carry, from the input alone. */
export function expectedHeaderText(pairs: Pairs): { hostname: string | null; procid: string | null } {
  let host = "";
  let procid = "";
  for (const [k, v] of pairs) {
    if (roleOf.get(k) === "host" && typeof v === "string" && v !== "") host = v;
    if (roleOf.get(k) === "procid" && (typeof v === "string" || typeof v === "number")) procid = textOf(v) ?? "";
  }
  return { hostname: asHostname(host), procid: asPrintUsAscii(procid, 128) };
}

// ---- records from the samples --------------------------------------------------------------
export const SAMPLES: readonly string[] = exampleLines();

/** One record per catalogue event, built from the samples: the event's layout keys with the first
 * value a sample gives each key. */
export function catalogueRecords(): [string, string][] {
  const pool = new Map<string, unknown>();
  for (const line of SAMPLES) for (const [k, v] of Object.entries(JSON.parse(line) as Record<string, unknown>)) if (!pool.has(k)) pool.set(k, v);
  return EVENTS.map((e) => {
    const layout = LAYOUTS.find((l) => l.id === e.layout)!;
    const rec: Record<string, unknown> = {
      event_id: /^\d+$/.test(e.id) ? Number(e.id) : e.id,
      timestamp: pool.get("timestamp"),
      host: pool.get("host"),
      product_version: pool.get("product_version"),
    };
    for (const k of layout.keys) rec[k] = pool.get(k) ?? `${k} of event ${e.id}`;
    return [e.id, JSON.stringify(rec)];
  });
}

// ---- generators ----------------------------------------------------------------------------
/** Text an attacker controls: every separator of both formats, line breaks, NUL and other controls,
 * lone surrogates, long runs, and text that looks like CEF or syslog. Never empty. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 40, unit: fc.constantFrom("|", "=", "\\", "]", "[", '"', " ", "\r", "\n", "\t", "\u0000", "\u0001", "\u001b", "\u007f", "\u0085", "a", "Z", "0", "é", "😀", "➔", "\ud800", "\udfff", "<", ">", "-", "@", ":") }) },
  { weight: 2, arbitrary: fc.constantFrom(
    "x CEF:0|MT4|Segura|1|2|3|10| act=allow", " act=allow", "act=allow", '[a b="c"]', '"] [x@1 y="z"', "] [origin ip=\"1.2.3.4\"]",
    "\n<13>1 2024-01-01T00:00:00Z forged Segura - 1 - forged", "\r\nCEF:0|x|y|z|1|forged|10| act=allow", "a\\=b", "\\", "=", "|", "]", '"',
    "x ", " x", " ", "  ", "\t", "\\n", "\\r", "\\|", "\\/", "a\\", "k=", " k=v k2=", "%{cef}", "#011", "\u2028\u2029", "\ufffd") },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("=", "\\", "|", "]", '"', " ", "\n", "a"), fc.integer({ min: 100, max: 3000 })).map(([c, n]) => c.repeat(n)) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 40 }) },
);

/** Short ASCII words: the benign counterpart of hostile text, for comparing key sets. */
export const benignText: fc.Arbitrary<string> = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);

/** Hostile text short enough for the receivers' configured message sizes. */
export const receiverText: fc.Arbitrary<string> = hostileText.filter((s) => bytes(s) < 8000);

const STRING_FIELDS = FIELDS.filter((f) => f.type === "string" && f.key !== "msg");
/** Valid values of each check (test/types.test.ts has the edges). */
const TYPED_VALUE: Record<string, fc.Arbitrary<unknown>> = {
  integer: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }).map(String)),
  long: fc.oneof(fc.integer(), fc.integer().map(String)),
  port: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }).map(String)),
  double: fc.oneof(fc.constantFrom(-23.6261, 46.7916, 0, 1.5), fc.constantFrom("-23.6261", "1e5", "3.25")),
  float: fc.oneof(fc.constantFrom(-23.6261, 46.7916, 0, 1.5), fc.constantFrom("-23.6261", "1e5", "3.25")),
  latitude: fc.oneof(fc.constantFrom(-23.6261, 46.7916, 0, 90), fc.constantFrom("-23.6261", "-90", "3.25")),
  longitude: fc.oneof(fc.constantFrom(-46.6388, 180, 0, 1.5), fc.constantFrom("-46.6388", "-180", "3.25")),
  ipv4_address: fc.ipV4(),
  ipv6_address: fc.constantFrom("::1", "fe80::1", "2001:db8::7"),
  ip_address: fc.oneof(fc.ipV4(), fc.constantFrom("::1", "2001:db8::7")),
  mac_address: fc.constantFrom("00:11:22:33:44:55", "AA-BB-CC-DD-EE-FF"),
  timestamp: fc.constantFrom("1715000000000", "May  6 10:00:00", "May 06 2024 10:00:00.123 UTC"),
};
const TYPED_FIELDS = FIELDS.filter((f) => TYPED_VALUE[f.check] !== undefined && f.key !== "rt");

/** Where a value goes in a record shape: a text slot takes generated text, a typed slot a valid value. */
export type Slot = { key: string; text: true } | { key: string; text: false; value: unknown };

export interface ShapeOptions {
  /** key names that are not plain identifiers (they are dropped, never written) */
  hostileKeys: boolean;
}

/** A record's shape: which keys, and which of them carry text. Host names, versions, the event name of an
 * unknown event, msg, string fields and unknown keys are text slots. */
export function shape(opts: ShapeOptions): fc.Arbitrary<{ id: Slot; slots: Slot[] }> {
  const known = fc.constantFrom(...EVENTS.map((e) => e.id)).map((id): Slot => ({ key: "event_id", text: false, value: /^\d+$/.test(id) ? Number(id) : id }));
  const unknown = fc.constant<Slot>({ key: "event_id", text: true });
  const stringField = fc.constantFrom(...STRING_FIELDS).chain((f) => fc.constantFrom(f.key, ...f.aliases)).map((key): Slot => ({ key, text: true }));
  const typedFields = TYPED_FIELDS;
  const typedField = fc.constantFrom(...typedFields).chain((f) => fc.tuple(fc.constant(f.key), TYPED_VALUE[f.check]!)).map(([key, value]): Slot => ({ key, text: false, value }));
  const extraKey = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,31}$/).filter((k) => !fieldOf.has(k) && !roleOf.has(k));
  const extra = extraKey.map((key): Slot => ({ key, text: true }));
  const badKey = fc.oneof(hostileText, fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{32,40}$/), fc.constantFrom("a-b", "1abc", "_x", "a.b", "a b", "a=b", "a|b", "a]b", "é"))
    .filter((k) => !PLAIN_KEY.test(k) && !fieldOf.has(k) && !roleOf.has(k))
    .map((key): Slot => ({ key, text: true }));
  const optional = (key: string): fc.Arbitrary<Slot[]> => fc.boolean().map((b) => (b ? [{ key, text: true } as Slot] : []));
  return fc.record({
    id: fc.oneof({ weight: 3, arbitrary: known }, { weight: 1, arbitrary: unknown }),
    name: optional("event"),
    host: optional("host"),
    version: optional("product_version"),
    procid: optional("procid"),
    msg: optional("msg"),
    fields: fc.array(fc.oneof({ weight: 4, arbitrary: stringField }, { weight: 2, arbitrary: typedField }, { weight: 2, arbitrary: extra }, { weight: opts.hostileKeys ? 1 : 0, arbitrary: badKey }), { maxLength: 14 }),
    // up to 2099-12-31: rsyslog refuses later years (docs/guarantees.md)
    time: fc.oneof(fc.integer({ min: 0, max: 4102444799 }).map((s): Slot => ({ key: "timestamp", text: false, value: s })), fc.constant<Slot | null>(null)),
  }).map((r) => {
    const slots: Slot[] = [...r.name, ...r.host, ...r.version, ...r.procid, ...r.msg, ...r.fields, ...(r.time ? [r.time] : [])];
    // one slot per destination: an alias and its key would overwrite each other
    const seen = new Set<string>();
    const unique = slots.filter((s) => {
      const dest = fieldOf.get(s.key)?.key ?? roleOf.get(s.key) ?? s.key;
      if (seen.has(dest)) return false;
      seen.add(dest);
      return true;
    });
    return { id: r.id, slots: unique };
  });
}

/** Fills a shape's text slots. Host names come from hostText, everything else from text. */
export function fill(s: { id: Slot; slots: Slot[] }, texts: string[], hostTexts: string[]): Pairs {
  let i = 0;
  let h = 0;
  const value = (slot: Slot): unknown => (slot.text ? (slot.key === "host" ? hostTexts[h++ % hostTexts.length] : texts[i++ % texts.length]) : slot.value);
  return [[s.id.key, value(s.id)], ...s.slots.map((slot): [string, unknown] => [slot.key, value(slot)])];
}

/** A record as JSON text (JSON.stringify, so lone surrogates travel as \u escapes). */
export const recordJson = (pairs: Pairs): string => "{" + pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",") + "}";

/** Host names, plain and hostile (HOSTNAME keeps only a host name's characters). */
export const receiverHost: fc.Arbitrary<string> = fc.oneof(
  receiverText,
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.\-]{0,40}$/),
  fc.domain(),
  fc.constantFrom("fe80::1", "2001:db8::7", "10.0.0.1", "segura_01"),
);

/** Events the receivers must round-trip: receiver-safe hostile text in every text slot. */
export const receiverEvent: fc.Arbitrary<Pairs> = shape({ hostileKeys: true }).chain((s) =>
  fc.tuple(fc.array(receiverText, { minLength: 24, maxLength: 24 }), fc.array(receiverHost, { minLength: 1, maxLength: 1 })).map(([t, h]) => fill(s, t, h)),
);
