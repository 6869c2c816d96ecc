// The normalized event: header values resolved against the catalogue and the ordered list of
// extension fields, each validated and truncated once. The formats in format/ only render it.

import {
  FIELD_COUNT, FIELD_RT, FIELD_CAT, FIELD_DVCHOST, FIELD_MSG, FIELD_RAWEVENT,
  ROLE_EVENT_ID, ROLE_EVENT_NAME, ROLE_SEVERITY, ROLE_TIMESTAMP, ROLE_HOST, ROLE_PRODUCT_VERSION,
  ROLE_PROCID, ROLE_FACILITY, ROLE_MSGID, ROLE_PRI, ROLE_CEF_SEVERITY, ROLE_ENTERPRISE_NUMBER, EVENTS, EVENT_COUNT, EVENT_ROW, NAMES, NAME_COUNT, STRINGS,
  isDottedFamily, DERIVED_FIELD_COUNT, ROLE_KEYS, CHECK_REASONS, WARN_MOVED_TO, WARN_MOVED_TO_LEN, WARN_LEFT_OUT, WARN_LEFT_OUT_LEN,
  CHECK_INTEGER, CHECK_LONG, CHECK_PORT, CHECK_DOUBLE, CHECK_LONGITUDE, CHECK_IPV4, CHECK_IPV6, CHECK_IP, CHECK_MAC, CHECK_TIMESTAMP,
} from "./generated/catalogue";
import {
  slotOf, present, kindOf, valueOf, vPtr, vLen, vClass, extraSlot, extraKey, extraKeyLen,
  droppedKeys, reservedKeys, companionKey, companionKeyLen, fieldKey, fieldKeyLen, fieldType, fieldMax, setSlotText, setWordAt, beginRecord, repairIntoArena, arenaTake,
  duplicateCount, duplicatesPast, duplicateAt, SLOT_COUNT,
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
/** RFC 5424 MSGID: the event's class id, or empty (NILVALUE) when the record names no id at all. */
export let msgidLen: usize = 0;
/** The private enterprise number of our SD-ID (segura@<number>). */
export let penPtr: usize = 0;
export let penLen: usize = 0;
export let versionPtr: usize = 0;
export let versionLen: usize = 0;
export let versionClass: u8 = 0;
export let hostPtr: usize = 0;
export let hostLen: usize = 0;
let hostClass: u8 = 0;
/** The host as RFC 5424 HOSTNAME: cut to 255 bytes, then every character but A-Za-z0-9 . _ - (and
 * ':' in an IPv6 address) as '_'. RFC 5424 allows any PRINTUSASCII, but syslog-ng rejects the whole
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
/** Private enterprise number of the SD-ID unless the record sets one: 32473, the number RFC 5612
 * reserves for documentation (Segura has none of its own that we know of). */
const TEXT_ENTERPRISE_NUMBER = "32473";
/** §6.3.2: an SD-ID is at most 32 characters; "segura@" leaves 25 for the number. */
const MAX_ENTERPRISE_NUMBER: usize = 25;
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
const P_ENTERPRISE_NUMBER = lit(TEXT_ENTERPRISE_NUMBER) + 1;
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
function warnBytes(p: usize, n: usize): void {
  memory.copy(WARN + warnLen, p, n);
  warnLen += n;
}
/** Appends "key: <reason>, moved to <companion>", or "key: <reason>, left out" without one (cl 0). */
function warnMoved(key: usize, keyLen: usize, r: usize, rl: usize, c: usize, cl: usize): void {
  const tail = STRINGS + <usize>(cl > 0 ? WARN_MOVED_TO : WARN_LEFT_OUT);
  const tl = <usize>(cl > 0 ? WARN_MOVED_TO_LEN : WARN_LEFT_OUT_LEN);
  const sep: usize = warnLen > 0 ? 2 : 0;
  if (warnLen + sep + keyLen + 2 + rl + tl + cl > WARN_CAP - 40) {
    warnSkipped++;
    return;
  }
  if (sep > 0) { warnByte(59); warnByte(32); }
  warnBytes(key, keyLen);
  warnByte(58); warnByte(32);
  warnBytes(r, rl);
  warnBytes(tail, tl);
  warnBytes(c, cl);
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
/** One warning per key the record gave more than once (record.ts notes them while scanning). */
function warnDuplicates(): void {
  for (let i = 0; i < duplicateCount; i++) {
    const id = duplicateAt(i);
    if (id >= SLOT_COUNT) warn(extraKey(id - SLOT_COUNT), extraKeyLen(id - SLOT_COUNT), "given more than once, the last value kept");
    else if (id >= FIELD_COUNT) {
      const row = ROLE_KEYS + (<usize>(id - FIELD_COUNT) << 3);
      warn(STRINGS + <usize>load<u32>(row), <usize>load<u8>(row, 4), "given more than once, the last value kept");
    } else warn(fieldKey(id), fieldKeyLen(id), "given more than once, the last value kept");
  }
  warnSkipped += duplicatesPast;
}

function finishWarnings(): void {
  if (warnSkipped > 0) warnNumber(<u32>warnSkipped, " more warnings left out", true);
}
export function warnings(): usize { return WARN; }

// ---- value checks of typed keys ------------------------------------------------------------
// Each check accepts only text that Elastic's CEF decoder (Go's strconv.ParseInt(v, 0, 32/64),
// ParseFloat, net.ParseIP, net.ParseMAC and its timestamp layouts) reads as the same value; the rules
// are listed in docs/catalogue.md ("Typed keys"). A value that fails goes to the key's companion key.

@inline function isDigit(c: u32): bool { return c - 48 < 10; }
@inline function isHex(c: u32): bool { return c - 48 < 10 || (c | 32) - 97 < 6; }

/** Largest int32 and int64 and the largest port; a negative integer may be one more (two's complement). */
const MAX_INT32: u64 = 2147483647;
const MAX_INT64: u64 = 9223372036854775807;
const MAX_PORT: u64 = 65535;

/** -?(0|[1-9][0-9]*) of magnitude at most max (max + 1 when negative); no '-' unless signed. A
 * leading zero is refused: Go's base-0 parse reads "010" as octal 8. */
function isIntegerIn(p: usize, n: usize, max: u64, signed: bool): bool {
  let i: usize = 0;
  let neg: u64 = 0;
  if (n > 0 && load<u8>(p) == 45) {
    if (!signed) return false;
    neg = 1;
    i = 1;
  }
  // 19 digits fit a u64 (9999999999999999999 < 2^64)
  if (n == i || n - i > 19 || (load<u8>(p + i) == 48 && n - i > 1)) return false;
  let v: u64 = 0;
  for (; i < n; i++) {
    const c = <u32>load<u8>(p + i) - 48;
    if (c >= 10) return false;
    v = v * 10 + <u64>c;
  }
  return v <= max + neg;
}

// Limits of the decimal checks, CHECK_DOUBLE to CHECK_LONGITUDE, as significant digits d.ddd and a
// decimal exponent: at most 1.7976931348623157e308 (the largest double, to 17 digits), 3.4028234e38
// (the largest float, to 8 digits), 90 and 180. DECIMAL_LIMITS: u16 offset in LIMIT_DIGITS, count, exponent.
const LIMIT_DIGITS: usize = memory.data<u8>([1, 7, 9, 7, 6, 9, 3, 1, 3, 4, 8, 6, 2, 3, 1, 5, 7, 3, 4, 0, 2, 8, 2, 3, 4, 9, 1, 8]);
const DECIMAL_LIMITS: usize = memory.data<u16>([0, 17, 308, 17, 8, 38, 25, 1, 1, 26, 2, 2]);

/** -?digits(.digits)?([eE][+-]?digits)? of magnitude at most the limit: limLen digits at lim
 * (d.ddd...) times 10^limExp. */
function isNumberIn(p: usize, n: usize, lim: usize, limLen: usize, limExp: i32): bool {
  let i: usize = 0;
  if (i < n && load<u8>(p) == 45) i++;
  const d0 = i;
  while (i < n && isDigit(<u32>load<u8>(p + i))) i++;
  const intEnd = i;
  if (i == d0) return false;
  let end = i;
  if (i < n && load<u8>(p + i) == 46) {
    i++;
    const f = i;
    while (i < n && isDigit(<u32>load<u8>(p + i))) i++;
    if (i == f) return false;
    end = i;
  }
  let exp: i32 = 0;
  if (i < n && (load<u8>(p + i) | 32) == 101) {
    i++;
    let neg = false;
    if (i < n && (load<u8>(p + i) == 43 || load<u8>(p + i) == 45)) { neg = load<u8>(p + i) == 45; i++; }
    const e = i;
    // saturated: an exponent past 10^8 decides the outcome alone (no value has that many digits)
    while (i < n && isDigit(<u32>load<u8>(p + i))) { if (exp < 100000000) exp = exp * 10 + <i32>load<u8>(p + i) - 48; i++; }
    if (i == e) return false;
    if (neg) exp = -exp;
  }
  if (i != n) return false;
  // the first significant digit and its decimal exponent
  let q = d0;
  while (q < end && (load<u8>(p + q) == 48 || load<u8>(p + q) == 46)) q++;
  if (q == end) return true; // zero
  const at = <i32>q - <i32>intEnd;
  const e10 = (at < 0 ? -at - 1 : -at) + exp;
  if (e10 != limExp) return e10 < limExp;
  // same exponent: the digits from there against the limit's (zeros after its last)
  for (let j: usize = 0; q < end; q++) {
    const c = <u32>load<u8>(p + q);
    if (c == 46) continue;
    const l = j < limLen ? <u32>load<u8>(lim + j) : 0;
    if (c - 48 != l) return c - 48 < l;
    j++;
  }
  return true;
}

// IPv4 is checked on the value's bytes as two little-endian words (copied into a zeroed 16-byte
// buffer first, so nothing past the value is read and the bytes after it are 0): which bytes are
// '.', digits or '0', gathered into one bit per byte; the rules on parts are tests on those bits.
const IP_BUF: usize = memory.data(16);

/** Four parts of one to three digits, each at most 255 and without a leading zero, joined by '.'. */
function isIpv4(p: usize, n: usize): bool {
  if (n < 7 || n > 15) return false;
  store<u64>(IP_BUF, 0);
  store<u64>(IP_BUF, 0, 8);
  memory.copy(IP_BUF, p, n);
  const lo = load<u64>(IP_BUF), hi = load<u64>(IP_BUF, 8);
  const dots = gatherBytes(zeroBytes(lo ^ 0x2e2e2e2e2e2e2e2e)) | (gatherBytes(zeroBytes(hi ^ 0x2e2e2e2e2e2e2e2e)) << 8);
  const digits = gatherBytes(digitBytes(lo)) | (gatherBytes(digitBytes(hi)) << 8);
  const zeros = gatherBytes(zeroBytes(lo ^ 0x3030303030303030)) | (gatherBytes(zeroBytes(hi ^ 0x3030303030303030)) << 8);
  const all = (<u32>1 << <u32>n) - 1;
  // every byte a digit or a dot; three dots, none first, last or next to another; at most three
  // digits in a row; no part that starts with '0' and goes on
  if ((dots | digits) != all || popcnt(dots) != 3 || (dots & 1) != 0 || (dots >> <u32>(n - 1)) != 0
    || (dots & (dots >> 1)) != 0 || (digits & (digits >> 1) & (digits >> 2) & (digits >> 3)) != 0
    || (zeros & ((dots << 1) | 1) & (digits >> 1)) != 0) return false;
  // each part of three digits at most 255: the parts start where three digits in a row do
  let three = digits & (digits >> 1) & (digits >> 2);
  while (three != 0) {
    const at = IP_BUF + <usize>ctz(three);
    if (<u32>load<u8>(at) * 100 + <u32>load<u8>(at, 1) * 10 + <u32>load<u8>(at, 2) > 255 + 48 * 111) return false;
    three &= three - 1;
  }
  return true;
}

/** RFC 4291 §2.2 text form: eight groups of 1-4 hex digits joined by ':', or fewer with one "::"
 * standing for at least one group; the last two groups may be written as an IPv4 address. */
function isIpv6(p: usize, n: usize): bool {
  if (n < 2 || n > 45) return false;
  let i: usize = 0;
  let groups = 0;
  let gap = false;
  if (load<u8>(p) == 58) {
    if (load<u8>(p + 1) != 58) return false;
    gap = true;
    i = 2;
  }
  while (i < n) {
    const g = i;
    while (i < n && i - g < 4 && isHex(<u32>load<u8>(p + i))) i++;
    if (i == g) return false;
    if (i < n && load<u8>(p + i) == 46) {
      // an IPv4 address in the last 32 bits: two groups, and "::" still stands for one at least
      return (gap ? groups <= 5 : groups == 6) && isIpv4(p + g, n - g);
    }
    groups++;
    if (i == n) break;
    if (load<u8>(p + i) != 58 || groups == 8) return false;
    i++;
    if (i < n && load<u8>(p + i) == 58) {
      if (gap) return false;
      gap = true;
      i++;
    } else if (i == n) return false;
  }
  return gap ? groups <= 7 : groups == 8;
}

/** Six pairs of hex digits joined by one separator throughout, ':' or '-'. */
function isMac(p: usize, n: usize): bool {
  if (n != 17) return false;
  const sep = <u32>load<u8>(p + 2);
  if (sep != 58 && sep != 45) return false;
  for (let i: usize = 0; i < 17; i++) {
    const c = <u32>load<u8>(p + i);
    if (i % 3 == 2 ? c != sep : !isHex(c)) return false;
  }
  return true;
}

/** Month abbreviations as Go's "Jan" writes them, each with the space after it as a little-endian
 * word, and the days of each month (February 29: in a leap year, or when no year is given, which
 * Go reads as year 0, a leap year). */
const MONTHS: usize = memory.data<u32>([0x206e614a, 0x20626546, 0x2072614d, 0x20727041, 0x2079614d, 0x206e754a, 0x206c754a, 0x20677541, 0x20706553, 0x2074634f, 0x20766f4e, 0x20636544]);
const MONTH_DAYS: usize = memory.data<u8>([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);

/** Two digits at q as a number, or 100. */
function twoDigits(q: usize): u32 {
  const a = <u32>load<u8>(q) - 48, b = <u32>load<u8>(q, 1) - 48;
  return a < 10 && b < 10 ? a * 10 + b : 100;
}
/** HH:mm:ss: the largest value of each pair. */
const TIME_MAX: usize = memory.data<u8>([23, 59, 59]);

/** Epoch milliseconds, or "MMM dd[ yyyy] HH:mm:ss[.SSS][ zone]": the layouts Elastic's decoder tries
 * ("Jan _2[ 2006] 15:04:05[.000][ MST]"), written as Go writes them. */
function isTimestamp(p: usize, n: usize): bool {
  if (n > 0 && isDigit(<u32>load<u8>(p))) return isIntegerIn(p, n, MAX_INT64, false);
  if (n < 14) return false;
  let m: usize = 0;
  while (m < 12 && load<u32>(p) != load<u32>(MONTHS + (m << 2))) m++;
  // the day: "2", " 2", "02", "12"; then ' '
  let i: usize = load<u8>(p, 4) == 32 ? 5 : 4;
  let day = <u32>load<u8>(p + i) - 48;
  if (day > 9) return false;
  i++;
  if (i == 5 && isDigit(<u32>load<u8>(p + i))) day = day * 10 + <u32>load<u8>(p + i++) - 48;
  if (m == 12 || day - 1 >= <u32>load<u8>(MONTH_DAYS + m) || load<u8>(p + i++) != 32) return false;
  // a year, unless the time follows (n >= 14 leaves room to look)
  if (load<u8>(p + i + 2) != 58) {
    if (i + 13 > n || load<u8>(p + i + 4) != 32) return false;
    const hi = twoDigits(p + i), lo = twoDigits(p + i + 2);
    if (hi > 99 || lo > 99) return false;
    // February 29 needs a leap year: divisible by 4, and by 400 when by 100
    if (m == 1 && day == 29 && ((lo & 3) != 0 || (lo == 0 && (hi & 3) != 0))) return false;
    i += 5;
  }
  if (i + 8 > n) return false;
  for (let j: usize = 0; j < 3; j++) {
    if (twoDigits(p + i) > <u32>load<u8>(TIME_MAX + j) || (j < 2 && load<u8>(p + i + 2) != 58)) return false;
    i += 3;
  }
  i--;
  // exactly three fraction digits
  if (i < n && load<u8>(p + i) == 46) {
    if (i + 4 > n || twoDigits(p + i + 1) > 99 || !isDigit(<u32>load<u8>(p + i + 3))) return false;
    i += 4;
  }
  if (i == n) return true;
  // the zone: three upper-case letters, or four or five ending in 'T' that Go does not read as
  // "GMT" or "UTC" followed by more
  const z = n - i - 1;
  if (load<u8>(p + i) != 32 || z - 3 > 2) return false;
  i++;
  for (let j: usize = 0; j < z; j++) if (<u32>load<u8>(p + i + j) - 65 >= 26) return false;
  if (z == 3) return true;
  // four or five letters: the first three read as a word, so nothing past the value is read
  const g = load<u32>(p + i) & 0xffffff;
  return load<u8>(p + n - 1) == 84 && g != 0x544d47 && g != 0x435455;
}

/** Bounds of the integer checks, CHECK_INTEGER, CHECK_LONG, CHECK_PORT: MAX_INT32, MAX_INT64, MAX_PORT. */
const INTEGER_MAX: usize = memory.data<u64>([2147483647, 9223372036854775807, 65535]);

// fitsCheck() takes the checks in ranges: integers, decimals, addresses, MAC, timestamp
// @ts-ignore: a compile-time check
if (CHECK_LONG != CHECK_INTEGER + 1 || CHECK_PORT != CHECK_LONG + 1 || CHECK_DOUBLE != CHECK_PORT + 1 || CHECK_LONGITUDE != CHECK_DOUBLE + 3
  || CHECK_IPV4 != CHECK_LONGITUDE + 1 || CHECK_IPV6 != CHECK_IPV4 + 1 || CHECK_IP != CHECK_IPV6 + 1 || CHECK_MAC != CHECK_IP + 1 || CHECK_TIMESTAMP != CHECK_MAC + 1) ERROR("the order of the checks changed: update fitsCheck");

/** The n bytes at v pass check t (not CHECK_STRING). */
function fitsCheck(t: u8, v: usize, n: usize): bool {
  if (t <= CHECK_PORT) return isIntegerIn(v, n, load<u64>(INTEGER_MAX + (<usize>(t - CHECK_INTEGER) << 3)), t != CHECK_PORT);
  if (t <= CHECK_LONGITUDE) {
    const row = DECIMAL_LIMITS + <usize>(t - CHECK_DOUBLE) * 6;
    return isNumberIn(v, n, LIMIT_DIGITS + <usize>load<u16>(row), <usize>load<u16>(row, 2), <i32>load<u16>(row, 4));
  }
  if (t == CHECK_MAC) return isMac(v, n);
  if (t > CHECK_MAC) return isTimestamp(v, n);
  return (t != CHECK_IPV6 && isIpv4(v, n)) || (t != CHECK_IPV4 && isIpv6(v, n));
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
  msgidLen = <usize>load<u8>(eventRow, 14);
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
  hostnameClass = CLASS_UNKNOWN;
  const n = utf8Prefix(hostPtr, hostLen, MAX_HOSTNAME);
  const keepColon = isIpv6(hostPtr, n);
  const d = arenaTake(n);
  let o: usize = 0;
  for (let i: usize = 0; i < n; i++) {
    const c = <u32>load<u8>(hostPtr + i);
    if ((c & 0xc0) == 0x80) continue; // one '_' per character
    const ok = (c | 32) - 97 < 26 || c - 48 < 10 || c == 46 || c == 95 || c == 45 || (c == 58 && keepColon);
    store<u8>(d + o, ok ? <u8>c : 95);
    o++;
  }
  hostnamePtr = d;
  hostnameLen = o;
}

/** A received line keeps what its sender wrote: its CEF Name, its CEF severity (the CEF header's, or
 * a number in the record's `severity`), its syslog severity (the PRI's, or a keyword in `severity`).
 * The catalogue fills only what the line leaves out; for an unknown event one severity is derived
 * from the other. A kept value that differs from the catalogue's turns the kept pieces off. */
function lineSeverities(name: usize, nameN: usize, nameCls: u8): void {
  if (known && nameN > 0) {
    namePtr = name;
    nameLen = nameN;
    nameClass = nameCls;
    eventIndex = -1;
  }
  let sys = -1, cef = -1;
  if (text(slotOf(ROLE_PRI))) {
    const pri = smallInt(vPtr, vLen);
    if (pri >= 0 && pri <= 191) sys = pri & 7;
  }
  if (text(slotOf(ROLE_CEF_SEVERITY))) {
    const n = smallInt(vPtr, vLen);
    if (n >= 0 && n <= 10) cef = n;
    else warn(0, 0, "cef_severity: not 0-10, left out");
  }
  if (text(slotOf(ROLE_SEVERITY))) {
    const kw = severityKeyword(vPtr, vLen);
    const n = smallInt(vPtr, vLen);
    if (kw >= 0) { if (sys < 0) sys = kw; }
    else if (n >= 0 && n <= 10) { if (cef < 0) cef = n; }
    else warn(0, 0, "severity: not 0-10 or a syslog keyword, left out");
  }
  if (!known) {
    if (sys < 0 && cef >= 0) sys = load<u8>(SYSLOG_OF_CEF + <usize>cef);
    if (cef < 0 && sys >= 0) cef = load<u8>(CEF_OF_SYSLOG + <usize>sys);
  }
  if (sys >= 0) syslogSeverity = sys;
  if (cef >= 0 && cef != cefSeverity) {
    cefSeverity = cef;
    eventIndex = -1;
  }
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
  penPtr = P_ENTERPRISE_NUMBER;
  penLen = <usize>TEXT_ENTERPRISE_NUMBER.length;
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

/** A value moved to a companion key is text, cut as a string field of the dictionary is: at 1023 bytes. */
const MAX_MOVED_VALUE: usize = 1023;

/** Field id as the event has it, in fKey/fValue...; false when it is left out. A typed value that
 * does not pass its check is given under the field's companion key (record.ts companionKey). */
export function fieldAt(id: i32): bool {
  const s = slotOf(id);
  let v: usize = 0, n: usize = 0;
  let cls: u8 = CLASS_UNKNOWN;
  let k = fieldKey(id), kl = fieldKeyLen(id);
  let max = fieldMax(id);
  if (present(s) && load<u32>(s, 8) > 0) {
    if (load<u8>(s, 13) != 0) valueOf(s);
    v = <usize>load<u32>(s, 4);
    n = <usize>load<u32>(s, 8);
    cls = load<u8>(s, 15);
    const t = fieldType(id);
    if (t != 0 && !((kindOf(s) == KIND_STRING || kindOf(s) == KIND_NUMBER) && fitsCheck(t, v, n))) {
      // moved to the companion key, as text, with a warning; left out when there is none
      const reason = CHECK_REASONS + (<usize>t << 2);
      const ck = companionKey(id), ckl = ck == 0 ? <usize>0 : companionKeyLen(id);
      warnMoved(k, kl, STRINGS + <usize>load<u16>(reason), <usize>load<u8>(reason, 2), ck, ckl);
      if (ck == 0) return false;
      k = ck;
      kl = ckl;
      max = MAX_MOVED_VALUE;
    }
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
  if (n > max && max > 0) {
    n = utf8Prefix(v, n, max);
    // the RFC 5424 MSG carries msg whole; only CEF's msg= and the SD are cut
    warn(k, kl, id == FIELD_MSG ? "truncated to 1023 bytes in CEF (the syslog MSG keeps it whole)" : "truncated");
  }
  setField(id, k, kl, v, n, cls);
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
  if (reservedKeys > 0) warnNumber(<u32>reservedKeys, " keys left out (reserved for moved values: <typed key>Invalid)");
  finishWarnings();
}

/** Resolves a scanned record into the event. */
export function buildEvent(sec: u32, nsec: u32): void {
  resetEvent();
  setRecordTime(sec, nsec);
  readLine();
  warnDuplicates();
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
    msgidLen = idLen;
    namePtr = givenNameLen > 0 ? givenName : P_UNKNOWN_NAME;
    nameLen = givenNameLen > 0 ? givenNameLen : <usize>TEXT_UNKNOWN_NAME.length;
    nameClass = givenNameLen > 0 ? givenNameClass : C_UNKNOWN_NAME;
    catPtr = P_UNKNOWN_CATEGORY;
    catLen = <usize>TEXT_UNKNOWN_CATEGORY.length;
    catClass = C_UNKNOWN_CATEGORY;
    const ss = slotOf(ROLE_SEVERITY);
    if (!fromLine && text(ss)) {
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
  if (fromLine) lineSeverities(givenName, givenNameLen, givenNameClass);
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
  if (text(slotOf(ROLE_ENTERPRISE_NUMBER))) {
    if (isEnterpriseNumber(vPtr, vLen)) { penPtr = vPtr; penLen = vLen; }
    else warn(0, 0, "enterprise_number: not a private enterprise number (digits, parts joined by '.', at most 25), 32473 used");
  }
  if (truncated) warn(0, 0, "message: 1024 bytes or more, the size at which Segura's UDP datagrams are cut; converted as received");
}

/** Parts of digits joined by '.', none empty and none with a leading 0 ("0" itself is a part), at
 * most MAX_ENTERPRISE_NUMBER bytes in all. */
function isEnterpriseNumber(p: usize, n: usize): bool {
  if (n == 0 || n > MAX_ENTERPRISE_NUMBER) return false;
  let partLen = 0;
  let leadingZero = false;
  for (let i: usize = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (c == 46) {
      if (partLen == 0) return false;
      partLen = 0;
      continue;
    }
    if (c - 48 >= 10 || (partLen == 1 && leadingZero)) return false;
    if (partLen == 0) leadingZero = c == 48;
    partLen++;
  }
  return partLen > 0;
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
  msgidLen = classLen;
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

