// The normalized event: header values resolved against the catalogue and the ordered list of
// extension fields, each validated and truncated once. The formats in format/ only render it.

import {
  FIELD_COUNT, FIELD_RT, FIELD_CAT, FIELD_DVCHOST, FIELD_MSG, FIELD_RAWEVENT,
  ROLE_EVENT_ID, ROLE_EVENT_NAME, ROLE_SEVERITY, ROLE_TIMESTAMP, ROLE_HOST, ROLE_PRODUCT_VERSION,
  ROLE_PROCID, ROLE_FACILITY, ROLE_MSGID, ROLE_PRI, EVENTS, EVENT_COUNT, EVENT_ROW, NAMES, NAME_COUNT, STRINGS,
  isDottedFamily, DERIVED_FIELD_COUNT,
} from "./generated/catalogue";
import {
  slotOf, present, kindOf, valueOf, vPtr, vLen, vClass, extraSlot, extraKey, extraKeyLen,
  droppedKeys, fieldKey, fieldKeyLen, fieldType, fieldMax, setSlotText, setWordAt, beginRecord, repairIntoArena, arenaTake,
} from "./record";
import { KIND_STRING, KIND_NUMBER, KIND_NESTED, errCode, errAt, errorText } from "./json";
import { parseRfc3339, parseEpoch, tSec, tMicro } from "./text";
import { utf8Prefix, decimalLength, putDecimal, putDecimal13, lit } from "./out";
import { findRow } from "./table";
import { B_STOP, B_NONHOST, CLASS_UNKNOWN, CLASS_DIGITS, classOfText, zeroBytes, digitBytes, gatherBytes } from "./bytes";
import { readLine, clearLine, fromLine, truncated } from "./native";

// ---- the event -----------------------------------------------------------------------------
export let known: bool = false;
/** Index of the catalogue event (its row in EVENTS), or -1 when the record names none. */
export let eventIndex: i32 = -1;
export let invalid: bool = false;
// each text with its output class (bytes.ts), so that writers copy it whole when they can
export let classPtr: usize = 0;
export let classLen: usize = 0;
export let classClass: u8 = 0;
export let namePtr: usize = 0;
export let nameLen: usize = 0;
export let nameClass: u8 = 0;
export let catPtr: usize = 0;
export let catLen: usize = 0;
export let catClass: u8 = 0;
export let syslogSeverity: i32 = 5;
export let cefSeverity: i32 = 3;
export let facility: i32 = 1;
export let versionPtr: usize = 0;
export let versionLen: usize = 0;
export let versionClass: u8 = 0;
export let hostPtr: usize = 0;
export let hostLen: usize = 0;
let hostClass: u8 = 0;
/** The host as RFC 5424 HOSTNAME: cut to 255 bytes, then every character but A-Za-z0-9 . _ - (and
 * ':' in an IPv6 address, which is then written in lower case) as '_'. RFC 5424 allows any PRINTUSASCII, but syslog-ng rejects the whole
 * message for '[' or a ':' it cannot read as IPv6, and a HOSTNAME names a host. */
export let hostnamePtr: usize = 0;
export let hostnameLen: usize = 0;
export let hostnameClass: u8 = 0;
/** §6.2.4: HOSTNAME is at most 255 characters. */
const MAX_HOSTNAME: usize = 255;
export let procidPtr: usize = 0;
export let procidLen: usize = 0;
export let procidClass: u8 = 0;
export let msgPtr: usize = 0;
export let msgLen: usize = 0;
export let msgClass: u8 = 0;
export let hasTime: bool = false;
export let timeSec: i64 = 0;
export let timeMicro: i32 = 0;

/** Latest timestamp taken from a record: 2099-12-31T23:59:59Z. RFC 5424 allows four-digit years, but
 * rsyslog refuses a TIMESTAMP from 2100 on and then loses the rest of the header. */
const MAX_TIMESTAMP: i64 = 4102444799;
/** RFC 5424 facility when the record names none: 1 (user-level), as Segura sends. */
export const DEFAULT_FACILITY: i32 = 1;
/** Severity of an event the catalogue does not know, unless the record gives one: notice. */
export const DEFAULT_SYSLOG_SEVERITY: i32 = 5;
/** CEF severity of each syslog severity (the catalogue's rule; see docs/catalogue.md). */
const CEF_OF_SYSLOG: usize = memory.data<u8>([10, 9, 8, 7, 5, 3, 2, 1]);
/** Syslog severity of each CEF severity 0..10: the inverse bands of CEF_OF_SYSLOG. */
const SYSLOG_OF_CEF: usize = memory.data<u8>([7, 7, 6, 5, 5, 4, 4, 3, 2, 1, 0]);

const TEXT_UNKNOWN_NAME = "Unknown Segura event";
const TEXT_UNKNOWN_CLASS = "unknown";
const TEXT_UNKNOWN_CATEGORY = "Unknown";
const TEXT_VERSION = "unknown";
const TEXT_INVALID_CLASS = "invalid-record";
const TEXT_INVALID_NAME = "Invalid Segura record";
const TEXT_INVALID_CATEGORY = "Invalid input";
/** Syslog severity of an invalid record: warning. */
const INVALID_SYSLOG_SEVERITY: i32 = 4;

// fixed texts as UTF-8 (AssemblyScript literals are UTF-16): lit() keeps the bytes at its result + 1
const P_UNKNOWN_NAME = lit(TEXT_UNKNOWN_NAME) + 1;
const P_UNKNOWN_CLASS = lit(TEXT_UNKNOWN_CLASS) + 1;
const P_UNKNOWN_CATEGORY = lit(TEXT_UNKNOWN_CATEGORY) + 1;
const P_VERSION = lit(TEXT_VERSION) + 1;
const P_INVALID_CLASS = lit(TEXT_INVALID_CLASS) + 1;
const P_INVALID_NAME = lit(TEXT_INVALID_NAME) + 1;
const P_INVALID_CATEGORY = lit(TEXT_INVALID_CATEGORY) + 1;
const C_UNKNOWN_NAME = classOfText(P_UNKNOWN_NAME, <usize>TEXT_UNKNOWN_NAME.length);
const C_UNKNOWN_CLASS = classOfText(P_UNKNOWN_CLASS, <usize>TEXT_UNKNOWN_CLASS.length);
const C_UNKNOWN_CATEGORY = classOfText(P_UNKNOWN_CATEGORY, <usize>TEXT_UNKNOWN_CATEGORY.length);
const C_VERSION = classOfText(P_VERSION, <usize>TEXT_VERSION.length);
const C_INVALID_CLASS = classOfText(P_INVALID_CLASS, <usize>TEXT_INVALID_CLASS.length);
const C_INVALID_NAME = classOfText(P_INVALID_NAME, <usize>TEXT_INVALID_NAME.length);
const C_INVALID_CATEGORY = classOfText(P_INVALID_CATEGORY, <usize>TEXT_INVALID_CATEGORY.length);

// ---- warnings ------------------------------------------------------------------------------
/** Room for the warning text of one record; later warnings are counted, not written. */
const WARN_CAP: usize = 1024;
const WARN: usize = memory.data(<i32>WARN_CAP);
export let warnLen: usize = 0;
let warnSkipped: i32 = 0;

function warnByte(c: u32): void {
  store<u8>(WARN + warnLen, <u8>c);
  warnLen++;
}
/** Appends "key: reason" (or just the reason) unless the buffer, less room for the closing count, is full. */
function warn(key: usize, keyLen: usize, reason: string): void {
  const sep: usize = warnLen > 0 ? 2 : 0;
  const total = sep + keyLen + (keyLen > 0 ? 2 : 0) + <usize>reason.length;
  if (warnLen + total > WARN_CAP - 40) {
    warnSkipped++;
    return;
  }
  if (sep > 0) { warnByte(59); warnByte(32); }
  for (let i: usize = 0; i < keyLen; i++) warnByte(load<u8>(key + i));
  if (keyLen > 0) { warnByte(58); warnByte(32); }
  for (let i = 0; i < reason.length; i++) warnByte(<u32>reason.charCodeAt(i));
}
/** Appends "<n><reason>"; `force` for the closing count, which has room kept for it. */
function warnNumber(n: u32, reason: string, force: bool = false): void {
  const digits = decimalLength(<u64>n);
  const sep: usize = warnLen > 0 ? 2 : 0;
  if (!force && warnLen + sep + digits + <usize>reason.length > WARN_CAP - 40) { warnSkipped++; return; }
  if (sep > 0) { warnByte(59); warnByte(32); }
  putDecimal(WARN + warnLen, digits, <u64>n);
  warnLen += digits;
  for (let i = 0; i < reason.length; i++) warnByte(<u32>reason.charCodeAt(i));
}
function finishWarnings(): void {
  if (warnSkipped > 0) warnNumber(<u32>warnSkipped, " more warnings left out", true);
}
export function warnings(): usize { return WARN; }

// ---- value checks by CEF type --------------------------------------------------------------
function isInteger(p: usize, n: usize): bool {
  let i: usize = 0;
  if (n > 0 && load<u8>(p) == 45) i = 1;
  if (n == i || n - i > 19) return false;
  for (; i < n; i++) if (<u32>load<u8>(p + i) - 48 >= 10) return false;
  return true;
}

function isNumber(p: usize, n: usize): bool {
  let i: usize = 0;
  if (i < n && load<u8>(p) == 45) i++;
  const d0 = i;
  while (i < n && <u32>load<u8>(p + i) - 48 < 10) i++;
  if (i == d0) return false;
  if (i < n && load<u8>(p + i) == 46) {
    i++;
    const f = i;
    while (i < n && <u32>load<u8>(p + i) - 48 < 10) i++;
    if (i == f) return false;
  }
  if (i < n && (load<u8>(p + i) | 32) == 101) {
    i++;
    if (i < n && (load<u8>(p + i) == 43 || load<u8>(p + i) == 45)) i++;
    const e = i;
    while (i < n && <u32>load<u8>(p + i) - 48 < 10) i++;
    if (i == e) return false;
  }
  return i == n;
}

// IPv4 is checked on the value's bytes as two little-endian words (copied into a zeroed 16-byte
// buffer first, so nothing past the value is read and the bytes after it are 0): which bytes are
// '.', which are digits, gathered into one bit per byte; the rules on parts are tests on those bits.
const IP_BUF: usize = memory.data(16);

/** Four parts of one to three digits, each at most 255, joined by '.'. */
function isIpv4(p: usize, n: usize): bool {
  if (n < 7 || n > 15) return false;
  store<u64>(IP_BUF, 0);
  store<u64>(IP_BUF, 0, 8);
  memory.copy(IP_BUF, p, n);
  const lo = load<u64>(IP_BUF), hi = load<u64>(IP_BUF, 8);
  const dots = gatherBytes(zeroBytes(lo ^ 0x2e2e2e2e2e2e2e2e)) | (gatherBytes(zeroBytes(hi ^ 0x2e2e2e2e2e2e2e2e)) << 8);
  const digits = gatherBytes(digitBytes(lo)) | (gatherBytes(digitBytes(hi)) << 8);
  const all = (<u32>1 << <u32>n) - 1;
  // every byte a digit or a dot; three dots, none first, last or next to another; at most three
  // digits in a row
  if ((dots | digits) != all || popcnt(dots) != 3 || (dots & 1) != 0 || (dots >> <u32>(n - 1)) != 0
    || (dots & (dots >> 1)) != 0 || (digits & (digits >> 1) & (digits >> 2) & (digits >> 3)) != 0) return false;
  // each part of three digits at most 255: the parts start where three digits in a row do
  let three = digits & (digits >> 1) & (digits >> 2);
  while (three != 0) {
    const at = IP_BUF + <usize>ctz(three);
    if (<u32>load<u8>(at) * 100 + <u32>load<u8>(at, 1) * 10 + <u32>load<u8>(at, 2) > 255 + 48 * 111) return false;
    three &= three - 1;
  }
  return true;
}

/** IPv4 dotted quad, or IPv6 text (hex digits, ':' and '.' with at least one ':', at most 45). */
function isIp(p: usize, n: usize): bool {
  if (isIpv4(p, n)) return true;
  if (n < 2 || n > 45) return false;
  let colon = false;
  for (let i: usize = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (c == 58) colon = true;
    else if (!(c - 48 < 10 || (c | 32) - 97 < 6 || c == 46)) return false;
  }
  return colon;
}

function isMac(p: usize, n: usize): bool {
  if (n != 17) return false;
  for (let i: usize = 0; i < 17; i++) {
    const c = <u32>load<u8>(p + i);
    if (i % 3 == 2) { if (c != 58 && c != 45) return false; }
    else if (!(c - 48 < 10 || (c | 32) - 97 < 6)) return false;
  }
  return true;
}

/** Checks the n bytes at v against field id's CEF type t (not 0); warns and returns false when
 * they do not fit. */
function fitsType(id: i32, t: u8, kind: u8, v: usize, n: usize): bool {
  if (kind == KIND_STRING || kind == KIND_NUMBER) {
    if (t == 1 && isInteger(v, n)) return true;
    if (t == 2 && isNumber(v, n)) return true;
    if (t == 3 && isIp(v, n)) return true;
    if (t == 4 && isMac(v, n)) return true;
    if (t == 5) return true;
  }
  const k = fieldKey(id), kl = fieldKeyLen(id);
  if (t == 1) warn(k, kl, "not an integer, left out");
  else if (t == 2) warn(k, kl, "not a number, left out");
  else if (t == 3) warn(k, kl, "not an IP address, left out");
  else if (t == 4) warn(k, kl, "not a MAC address, left out");
  else warn(k, kl, "not a timestamp, left out");
  return false;
}

/** The slot's value as clean text in vPtr/vLen; false when absent or empty. */
@inline function text(s: usize): bool {
  if (!present(s)) return false;
  valueOf(s);
  return vLen > 0;
}

// ---- catalogue lookups ---------------------------------------------------------------------
let eventRow: usize = 0;

/** Events whose id is a plain number below DIRECT_IDS: DIRECT[id] = row index + 1 (0: none). */
const DIRECT_IDS: u32 = 4096;
const DIRECT: usize = memory.data(<i32>DIRECT_IDS);
function initDirect(): void {
  for (let i = 0; i < EVENT_COUNT; i++) {
    const key = load<u32>(EVENTS + <usize>i * <usize>EVENT_ROW);
    if (key % 1000 == 0 && key / 1000 < DIRECT_IDS) store<u8>(DIRECT + <usize>(key / 1000), <u8>(i + 1));
  }
}
initDirect();

function findEvent(key: u32): bool {
  if (key % 1000 == 0 && key / 1000 < DIRECT_IDS) {
    const i = <usize>load<u8>(DIRECT + <usize>(key / 1000));
    if (i == 0) return false;
    eventRow = EVENTS + (i - 1) * <usize>EVENT_ROW;
    return true;
  }
  const row = findRow(EVENTS, EVENT_COUNT, <usize>EVENT_ROW, key);
  if (row == 0) return false;
  eventRow = row;
  return true;
}

/** Event key of an id written as digits ("16", "336.501", "336.5", "336501") or N.ddd; 0 if none. */
function eventKeyOf(p: usize, n: usize): u32 {
  if (n == 0) return 0;
  let i: usize = 0;
  let major: u32 = 0;
  let isN = false;
  if (load<u8>(p) == 78) {
    isN = true;
    i = 1;
  } else {
    while (i < n && <u32>load<u8>(p + i) - 48 < 10) {
      if (i >= 9) return 0;
      major = major * 10 + <u32>load<u8>(p + i) - 48;
      i++;
    }
    if (i == 0) return 0;
  }
  if (i == n) {
    if (isN) return 0;
    // "336501": a family id written without its dot
    if (major >= 1000 && isDottedFamily(major / 1000)) return major;
    if (major > 4000000) return 0;
    return major * 1000;
  }
  if (load<u8>(p + i) != 46) return 0;
  i++;
  let minor: u32 = 0;
  let digits = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + i) - 48;
    if (c >= 10) return 0;
    if (digits < 3) minor = minor * 10 + c;
    else if (c != 0) return 0;
    digits++;
    i++;
  }
  if (digits == 0) return 0;
  while (digits < 3) { minor *= 10; digits++; }
  if (isN) return 0x40000000 + minor;
  if (major > 4000000) return 0;
  return major * 1000 + minor;
}

function findName(p: usize, n: usize): bool {
  let h: u32 = 0x811c9dc5;
  for (let i: usize = 0; i < n; i++) {
    let c = <u32>load<u8>(p + i);
    if (c - 65 < 26) c += 32;
    h = (h ^ c) * 0x01000193;
  }
  // a hash hit is checked against the name itself, case-insensitively
  const row = findRow(NAMES, NAME_COUNT, 12, h);
  if (row == 0 || <usize>load<u16>(row, 6) != n) return false;
  const t = STRINGS + <usize>load<u32>(row, 8);
  for (let i: usize = 0; i < n; i++) {
    let c = <u32>load<u8>(p + i);
    if (c - 65 < 26) c += 32;
    if (c != <u32>load<u8>(t + i)) return false;
  }
  eventRow = EVENTS + <usize>load<u16>(row, 4) * <usize>EVENT_ROW;
  return true;
}

function useEventRow(): void {
  known = true;
  eventIndex = <i32>((eventRow - EVENTS) / <usize>EVENT_ROW);
  classPtr = STRINGS + <usize>load<u32>(eventRow, 4);
  namePtr = STRINGS + <usize>load<u32>(eventRow, 8);
  catPtr = STRINGS + <usize>load<u16>(eventRow, 12);
  classLen = <usize>load<u8>(eventRow, 14);
  nameLen = <usize>load<u8>(eventRow, 15);
  catLen = <usize>load<u8>(eventRow, 16);
  classClass = 0;
  nameClass = load<u8>(eventRow, 18);
  catClass = load<u8>(eventRow, 19);
  const sev = load<u8>(eventRow, 17);
  syslogSeverity = sev & 15;
  cefSeverity = sev >> 4;
}

// ASCII case-insensitive equality with a lower-case literal
function equalsWord(p: usize, n: usize, w: string): bool {
  if (n != <usize>w.length) return false;
  for (let i: usize = 0; i < n; i++) {
    let c = <u32>load<u8>(p + i);
    if (c - 65 < 26) c += 32;
    if (c != <u32>w.charCodeAt(<i32>i)) return false;
  }
  return true;
}

/** Syslog severity of a keyword (RFC 5424 names and their common short forms), or -1. */
function severityKeyword(p: usize, n: usize): i32 {
  if (equalsWord(p, n, "emergency") || equalsWord(p, n, "emerg")) return 0;
  if (equalsWord(p, n, "alert")) return 1;
  if (equalsWord(p, n, "critical") || equalsWord(p, n, "crit")) return 2;
  if (equalsWord(p, n, "error") || equalsWord(p, n, "err")) return 3;
  if (equalsWord(p, n, "warning") || equalsWord(p, n, "warn")) return 4;
  if (equalsWord(p, n, "notice")) return 5;
  if (equalsWord(p, n, "informational") || equalsWord(p, n, "info")) return 6;
  if (equalsWord(p, n, "debug")) return 7;
  return -1;
}

/** RFC 5424 facility names (Table 1) in the spelling syslog tools use, at their codes 0-23. */
const FACILITY_NAMES: StaticArray<string> = [
  "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
  "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5",
  "local6", "local7",
];

/** Facility code of a name, case-insensitive, or -1. */
function facilityKeyword(p: usize, n: usize): i32 {
  for (let i = 0; i < FACILITY_NAMES.length; i++) if (equalsWord(p, n, FACILITY_NAMES[i])) return i;
  return -1;
}

/** A small non-negative integer written as plain digits, or -1. */
function smallInt(p: usize, n: usize): i32 {
  if (n == 0 || n > 3) return -1;
  let v = 0;
  for (let i: usize = 0; i < n; i++) {
    const c = <i32>load<u8>(p + i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function hostnameFromHost(): void {
  if ((hostClass & (B_STOP | B_NONHOST)) == 0 && hostLen <= MAX_HOSTNAME) {
    // only host-name characters: as it is
    hostnamePtr = hostPtr;
    hostnameLen = hostLen;
    hostnameClass = hostClass;
    return;
  }
  const n = utf8Prefix(hostPtr, hostLen, MAX_HOSTNAME);
  const keepColon = isIp(hostPtr, n);
  const d = arenaTake(n);
  let o: usize = 0;
  for (let i: usize = 0; i < n; i++) {
    const c = <u32>load<u8>(hostPtr + i);
    if ((c & 0xc0) == 0x80) continue; // one '_' per character
    const ok = (c | 32) - 97 < 26 || c - 48 < 10 || c == 46 || c == 95 || c == 45 || (c == 58 && keepColon);
    // an IPv6 address in lower case (RFC 5952 §4.3): no HOSTNAME reads "CEF:", where a parser looking
    // for the first "CEF:" of the line (Elastic's decode_cef) would start
    store<u8>(d + o, !ok ? 95 : keepColon && c - 65 < 26 ? <u8>(c | 32) : <u8>c);
    o++;
  }
  hostnamePtr = d;
  hostnameLen = o;
  // A-Za-z0-9 . _ - and an IPv6 address's ':' only: written as they are (the ':' that PROCID and
  // MSGID replace stays here)
  hostnameClass = 0;
}

// ---- building ------------------------------------------------------------------------------
const RT_BUF: usize = memory.data(24);

function resetEvent(): void {
  known = false;
  eventIndex = -1;
  invalid = false;
  syslogSeverity = DEFAULT_SYSLOG_SEVERITY;
  cefSeverity = load<u8>(CEF_OF_SYSLOG + <usize>DEFAULT_SYSLOG_SEVERITY);
  facility = DEFAULT_FACILITY;
  versionPtr = P_VERSION;
  versionLen = <usize>TEXT_VERSION.length;
  versionClass = C_VERSION;
  hostLen = 0;
  hostnameLen = 0;
  procidLen = 0;
  msgLen = 0;
  hasTime = false;
  warnLen = 0;
  warnSkipped = 0;
  clearLine();
}

function setRecordTime(sec: u32, nsec: u32): void {
  if (sec == 0 && nsec == 0) return;
  hasTime = true;
  timeSec = <i64>sec;
  timeMicro = <i32>(nsec / 1000) % 1000000;
}

/** Writes rt (epoch milliseconds) into RT_BUF; returns its length. */
function rtText(): usize {
  const v = <u64>timeSec * 1000 + <u64>(timeMicro / 1000);
  // 13 digits from 2001-09-09 on (the common case), through the general writer otherwise
  if (v >= 1000000000000 && v < 10000000000000) {
    putDecimal13(RT_BUF, v);
    return 13;
  }
  const n = decimalLength(v);
  putDecimal(RT_BUF, n, v);
  return n;
}

/** Longest value of an unknown key, as for cs1..cs8: receivers bound structured data (rsyslog keeps
 * 65,535 bytes of it and copies each value into a 32 KiB buffer; syslog-ng cuts values at 65,535). */
const MAX_EXTRA_VALUE: usize = 4000;

/** "message" or "log": the keys of a received line (record-keys.tsv, role message). */
function isLineKey(p: usize, n: usize): bool {
  return sameAscii(p, n, "message") || sameAscii(p, n, "log");
}

/** Exact equality with an ASCII literal. */
function sameAscii(p: usize, n: usize, w: string): bool {
  if (n != <usize>w.length) return false;
  for (let i = 0; i < w.length; i++) if (<u32>load<u8>(p + <usize>i) != <u32>w.charCodeAt(i)) return false;
  return true;
}

// ---- the fields ----------------------------------------------------------------------------
// A format walks the event's extension fields once, in catalogue order (the set bits of the slots,
// a word at a time: for w below FIELD_WORDS, the bits of fieldWord(w), lowest first), then the
// passed-through keys (extraAt), then calls finishFields().
// A plain string field within its limit is written by the format directly (isPlainField); any
// other goes through fieldAt(), which validates, truncates and warns as the field is reached, so
// the warnings come out in field order. The derived fields (rt, cat, dvchost), filled in when
// absent, are always visited.

/** Words of set bits that hold catalogue fields. */
export const FIELD_WORDS: i32 = (FIELD_COUNT + 63) >> 6;
const DERIVED_BITS: u64 = (<u64>1 << <u64>DERIVED_FIELD_COUNT) - 1;
/** Bits of the last field word that are fields (the ids after them are roles). */
const LAST_WORD_BITS: u64 = (FIELD_COUNT & 63) == 0 ? <u64>-1 : (<u64>1 << <u64>(FIELD_COUNT & 63)) - 1;

/** The catalogue fields of set-bit word w to visit: those the record set, and the derived ones. */
@inline export function fieldWord(w: i32): u64 {
  let bits = setWordAt(w);
  if (w == 0) bits |= DERIVED_BITS;
  if (w == FIELD_WORDS - 1) bits &= LAST_WORD_BITS;
  return bits;
}

/** FIELD_OUT[id], 16 bytes, what the formats write for field id: u32 address and u16 length of the
 * key as a PARAM-NAME, u16 PLAIN_MAX (below), u32 address and u16 length of the key as a CEF
 * extension key with its separators, " key=" (the catalogue holds it so). PLAIN_MAX: the longest
 * value a format may write directly (the field's limit, 0xffff when it has none) for a string-typed
 * field; 0 for a typed field, which always goes through fieldAt(). msg is plain too, for CEF;
 * structured data leaves it out (it is the MSG) and takes it through fieldAt(), which notes it
 * for the MSG. Rows are as long as slots (record.ts), so both are found by the same shift. */
const FIELD_OUT: usize = memory.data(FIELD_COUNT * 16);
function initFieldOut(): void {
  for (let id = 0; id < FIELD_COUNT; id++) {
    const row = FIELD_OUT + (<usize>id << 4);
    store<u32>(row, <u32>fieldKey(id));
    store<u16>(row, <u16>fieldKeyLen(id), 4);
    store<u32>(row, <u32>(fieldKey(id) - 1), 8);
    store<u16>(row, <u16>(fieldKeyLen(id) + 2), 12);
    if (fieldType(id) != 0) continue;
    const max = fieldMax(id);
    store<u16>(row, <u16>(max == 0 ? 0xffff : max), 6);
  }
}
initFieldOut();

/** The FIELD_OUT row of field id. */
@inline export function fieldOut(id: i32): usize { return FIELD_OUT + (<usize>id << 4); }
/** The key as a PARAM-NAME in a FIELD_OUT row. */
@inline export function outKey(row: usize): usize { return <usize>load<u32>(row); }
@inline export function outKeyLen(row: usize): usize { return <usize>load<u16>(row, 4); }
/** The key as " key=" in a FIELD_OUT row. */
@inline export function outCefKey(row: usize): usize { return <usize>load<u32>(row, 8); }
@inline export function outCefKeyLen(row: usize): usize { return <usize>load<u16>(row, 12); }

/** The slot s of field id (visited by the walk, so set this record or a derived field, whose kind is
 * 0 until set: record.ts beginRecord) holds a plain JSON string (no escapes, no bytes >= 0x80) of 1
 * to PLAIN_MAX bytes (row: fieldOut(id)): the format writes it as it is, after checking its class. */
@inline export function isPlainField(row: usize, s: usize): bool {
  return (load<u16>(s, 12) == <u16>KIND_STRING) && <usize>load<u32>(s, 8) - 1 < <usize>load<u16>(row, 6);
}

/** Its key. For a catalogue field the catalogue holds " key=" around it (fieldKey). */
export let fKey: usize = 0;
export let fKeyLen: usize = 0;
/** Its value, cut to the field's limit, and the value's output class (bytes.ts). */
export let fValue: usize = 0;
export let fLen: usize = 0;
export let fClass: u8 = 0;

/** Field id as the event has it, in fKey/fValue...; false when it is left out. */
export function fieldAt(id: i32): bool {
  const s = slotOf(id);
  let v: usize = 0, n: usize = 0;
  let cls: u8 = CLASS_UNKNOWN;
  if (present(s) && load<u32>(s, 8) > 0) {
    if (load<u8>(s, 13) != 0) valueOf(s);
    v = <usize>load<u32>(s, 4);
    n = <usize>load<u32>(s, 8);
    cls = load<u8>(s, 15);
    const t = fieldType(id);
    if (t != 0 && !fitsType(id, t, kindOf(s), v, n)) return false;
  } else if (id == FIELD_RT && hasTime) {
    v = RT_BUF;
    n = rtText();
    cls = CLASS_DIGITS;
  } else if (id == FIELD_CAT) {
    v = catPtr;
    n = catLen;
    cls = catClass;
  } else if (id == FIELD_DVCHOST && hostLen > 0) {
    v = hostPtr;
    n = hostLen;
    cls = hostClass;
  } else {
    return false;
  }
  if (id == FIELD_MSG) {
    msgPtr = v;
    msgLen = n;
    msgClass = cls;
  }
  const max = fieldMax(id);
  if (n > max && max > 0) {
    n = utf8Prefix(v, n, max);
    // the RFC 5424 MSG carries msg whole; only CEF's msg= and the SD are cut
    warn(fieldKey(id), fieldKeyLen(id), id == FIELD_MSG ? "truncated to 1023 bytes in CEF (the syslog MSG keeps it whole)" : "truncated");
  }
  setField(id, fieldKey(id), fieldKeyLen(id), v, n, cls);
  return true;
}

@inline function setField(id: i32, k: usize, kl: usize, v: usize, n: usize, cls: u8): void {
  fKey = k;
  fKeyLen = kl;
  fValue = v;
  fLen = n;
  fClass = cls;
}

/** Passed-through key i as the event has it, in fKey/fValue...; false when it is left out. */
export function extraAt(i: i32): bool {
  const s = extraSlot(i);
  if (!text(s)) return false;
  // the line that was read is not repeated as a field
  if (fromLine && isLineKey(extraKey(i), extraKeyLen(i))) return false;
  let n = vLen;
  if (n > MAX_EXTRA_VALUE) {
    n = utf8Prefix(vPtr, n, MAX_EXTRA_VALUE);
    warn(extraKey(i), extraKeyLen(i), "truncated");
  }
  setField(-1, extraKey(i), extraKeyLen(i), vPtr, n, vClass);
  return true;
}

/** After the last field: the warnings are complete. */
export function finishFields(): void {
  if (droppedKeys > 0) warnNumber(<u32>droppedKeys, " keys left out (not a plain identifier of up to 32 characters, or over 64 unknown keys)");
  finishWarnings();
}

/** Resolves a scanned record into the event. */
export function buildEvent(sec: u32, nsec: u32): void {
  resetEvent();
  setRecordTime(sec, nsec);
  readLine();
  // identity: id first, then the catalogue name
  let idPtr: usize = 0, idLen: usize = 0;
  let idClass: u8 = 0;
  const sid = slotOf(ROLE_EVENT_ID);
  if (text(sid) && kindOf(sid) != KIND_NESTED) {
    idPtr = vPtr;
    idLen = vLen;
    idClass = vClass;
    const key = eventKeyOf(vPtr, vLen);
    if (key != 0 && findEvent(key)) useEventRow();
  }
  let givenName: usize = 0, givenNameLen: usize = 0;
  let givenNameClass: u8 = 0;
  const sname = slotOf(ROLE_EVENT_NAME);
  if (text(sname) && kindOf(sname) == KIND_STRING) {
    givenName = vPtr;
    givenNameLen = vLen;
    givenNameClass = vClass;
    if (!known && findName(vPtr, vLen)) useEventRow();
  }
  if (fromLine && !known) {
    // a received line: its MSGID, then its text as a catalogue name
    const sm = slotOf(ROLE_MSGID);
    if (text(sm) && !(vLen == 1 && load<u8>(vPtr) == 45)) {
      if (idLen == 0) { idPtr = vPtr; idLen = vLen; idClass = vClass; }
      const key = eventKeyOf(vPtr, vLen);
      if (key != 0 && findEvent(key)) useEventRow();
    }
    if (!known && text(slotOf(FIELD_MSG)) && findName(vPtr, vLen)) useEventRow();
  }
  if (!known) {
    classPtr = idLen > 0 ? idPtr : P_UNKNOWN_CLASS;
    classLen = idLen > 0 ? idLen : <usize>TEXT_UNKNOWN_CLASS.length;
    classClass = idLen > 0 ? idClass : C_UNKNOWN_CLASS;
    namePtr = givenNameLen > 0 ? givenName : P_UNKNOWN_NAME;
    nameLen = givenNameLen > 0 ? givenNameLen : <usize>TEXT_UNKNOWN_NAME.length;
    nameClass = givenNameLen > 0 ? givenNameClass : C_UNKNOWN_NAME;
    catPtr = P_UNKNOWN_CATEGORY;
    catLen = <usize>TEXT_UNKNOWN_CATEGORY.length;
    catClass = C_UNKNOWN_CATEGORY;
    const ss = slotOf(ROLE_SEVERITY);
    if (text(ss)) {
      const kw = severityKeyword(vPtr, vLen);
      const num = smallInt(vPtr, vLen);
      if (kw >= 0) {
        syslogSeverity = kw;
        cefSeverity = load<u8>(CEF_OF_SYSLOG + <usize>kw);
      } else if (num >= 0 && num <= 10) {
        cefSeverity = num;
        syslogSeverity = load<u8>(SYSLOG_OF_CEF + <usize>num);
      } else {
        warn(0, 0, "severity: not 0-10 or a syslog keyword, notice used");
      }
    }
  }
  // time: the record's timestamp, else the time the host gave
  const st = slotOf(ROLE_TIMESTAMP);
  if (text(st)) {
    const k = kindOf(st);
    let ok = false;
    // RFC 3339 needs 20 bytes and '-' at 4, which no epoch number has
    if (k == KIND_STRING && vLen >= 20 && load<u8>(vPtr, 4) == 45) ok = parseRfc3339(vPtr, vLen);
    else if (k == KIND_NUMBER || k == KIND_STRING) ok = parseEpoch(vPtr, vLen);
    if (ok && tSec > MAX_TIMESTAMP) ok = false;
    if (ok) {
      hasTime = true;
      timeSec = tSec;
      timeMicro = tMicro;
    } else {
      warn(0, 0, "timestamp: not RFC 3339 or epoch seconds/milliseconds up to 2099-12-31, record time used");
    }
  }
  const sh = slotOf(ROLE_HOST);
  if (text(sh) && kindOf(sh) == KIND_STRING) {
    hostPtr = vPtr;
    hostLen = vLen;
    hostClass = vClass;
    hostnameFromHost();
  }
  const sv = slotOf(ROLE_PRODUCT_VERSION);
  if (text(sv) && (kindOf(sv) == KIND_STRING || kindOf(sv) == KIND_NUMBER)) { versionPtr = vPtr; versionLen = vLen; versionClass = vClass; }
  const sp = slotOf(ROLE_PROCID);
  if (text(sp) && (kindOf(sp) == KIND_STRING || kindOf(sp) == KIND_NUMBER)) { procidPtr = vPtr; procidLen = vLen; procidClass = vClass; }
  const sf = slotOf(ROLE_FACILITY);
  if (text(sf)) {
    let f = smallInt(vPtr, vLen);
    if (f < 0) f = facilityKeyword(vPtr, vLen);
    if (f >= 0 && f <= 23) facility = f;
    else warn(0, 0, "facility: not 0-23 or a facility name, 1 (user) used");
  } else if (text(slotOf(ROLE_PRI))) {
    const pri = smallInt(vPtr, vLen);
    if (pri >= 0 && pri <= 191) facility = pri >> 3;
  }
  if (truncated) warn(0, 0, "message: 1024 bytes or more, the size at which Segura's UDP datagrams are cut; converted as received");
}

// error text of an invalid record: "invalid JSON at byte N: reason"
const ERR: usize = memory.data(128);
export let errLen: usize = 0;
export function errorMessage(): usize { return ERR; }

export let originalPtr: usize = 0;
export let originalLen: usize = 0;

/** Builds the event that stands for a record that is not a JSON object. */
export function buildInvalidEvent(input: usize, len: usize, sec: u32, nsec: u32): void {
  resetEvent();
  setRecordTime(sec, nsec);
  invalid = true;
  known = true;
  classPtr = P_INVALID_CLASS;
  classLen = <usize>TEXT_INVALID_CLASS.length;
  classClass = C_INVALID_CLASS;
  namePtr = P_INVALID_NAME;
  nameLen = <usize>TEXT_INVALID_NAME.length;
  nameClass = C_INVALID_NAME;
  catPtr = P_INVALID_CATEGORY;
  catLen = <usize>TEXT_INVALID_CATEGORY.length;
  catClass = C_INVALID_CATEGORY;
  syslogSeverity = INVALID_SYSLOG_SEVERITY;
  cefSeverity = load<u8>(CEF_OF_SYSLOG + <usize>INVALID_SYSLOG_SEVERITY);
  // message
  errLen = 0;
  const head = "invalid JSON at byte ";
  for (let i = 0; i < head.length; i++) store<u8>(ERR + errLen++, <u8>head.charCodeAt(i));
  const at = <u64>(errAt - input);
  const digits = decimalLength(at);
  putDecimal(ERR + errLen, digits, at);
  errLen += digits;
  store<u8>(ERR + errLen++, 58);
  store<u8>(ERR + errLen++, 32);
  const why = errorText(errCode);
  for (let i = 0; i < why.length; i++) store<u8>(ERR + errLen++, <u8>why.charCodeAt(i));
  // the record's fields start over: only rt, cat, msg and rawEvent (the original, UTF-8 repaired)
  beginRecord(len);
  originalPtr = repairIntoArena(input, len);
  originalLen = vLen;
  setSlotText(FIELD_MSG, ERR, errLen);
  if (originalLen > 0) setSlotText(FIELD_RAWEVENT, originalPtr, originalLen);
}

