// Text helpers over linear memory: JSON string decoding with UTF-8 repair, and time.
//
// Cost: decoding copies plain runs a word at a time and stops only at escapes and bytes >= 0x80;
// the time parsers and formatter read and write two digits per step (no loops, no 64-bit division
// in the parser).

import { FLAG_ESCAPE, FLAG_HIGH, UNESCAPE } from "./json";
import { BYTE_CLASS, B_NONHOST, ONES, HIGHS, digitBytes } from "./bytes";
import { DIGIT_PAIRS } from "./out";

/** The byte classes (bytes.ts) of the characters the last decodeInto() wrote for escapes: with the
 * class the scanner found for the rest of the string, the class of the decoded text. */
export let escapedClass: u8 = 0;

@inline function hexVal(c: u32): u32 {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

@inline function put3(d: usize, cp: u32): usize {
  store<u8>(d, <u8>(0xe0 | (cp >> 12)));
  store<u8>(d, <u8>(0x80 | ((cp >> 6) & 63)), 1);
  store<u8>(d, <u8>(0x80 | (cp & 63)), 2);
  return d + 3;
}

function putCodePoint(d: usize, cp: u32): usize {
  if (cp < 0x80) { store<u8>(d, <u8>cp); return d + 1; }
  if (cp < 0x800) {
    store<u8>(d, <u8>(0xc0 | (cp >> 6)));
    store<u8>(d, <u8>(0x80 | (cp & 63)), 1);
    return d + 2;
  }
  if (cp < 0x10000) return put3(d, cp);
  store<u8>(d, <u8>(0xf0 | (cp >> 18)));
  store<u8>(d, <u8>(0x80 | ((cp >> 12) & 63)), 1);
  store<u8>(d, <u8>(0x80 | ((cp >> 6) & 63)), 2);
  store<u8>(d, <u8>(0x80 | (cp & 63)), 3);
  return d + 4;
}

/** Copies the UTF-8 sequence that starts with the byte c >= 0x80 at p (p < end), or U+FFFD for an
 * ill-formed one, replacing exactly as the WHATWG/Unicode "maximal subpart" rule does (the same
 * bytes TextDecoder produces). Returns the new d; `decodedTo` says where reading stopped. */
export let decodedTo: usize = 0;
function copySequence(p: usize, end: usize, d: usize, c: u32): usize {
  let need: i32 = 0;
  let lo: u32 = 0x80, hi: u32 = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) { need = 1; }
  else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    decodedTo = p + 1;
    return put3(d, 0xfffd);
  }
  let q = p + 1;
  for (let i = 0; i < need; i++) {
    if (q >= end) { decodedTo = q; return put3(d, 0xfffd); }
    const b = <u32>load<u8>(q);
    if (b < lo || b > hi) { decodedTo = q; return put3(d, 0xfffd); }
    lo = 0x80; hi = 0xbf;
    q++;
  }
  store<u8>(d, <u8>c);
  for (let i: usize = 1; i < q - p; i++) store<u8>(d + i, load<u8>(p + i));
  decodedTo = q;
  return d + (q - p);
}

/** Decodes the content of a JSON string (already validated by the scanner) into d as valid UTF-8:
 * escapes resolved, surrogate pairs joined, lone surrogates and ill-formed bytes become U+FFFD.
 * Raw (not a string) text passes through the UTF-8 repair only. Returns the decoded length.
 * d must have room for 3 * len bytes. Plain runs go a word at a time: each 8-byte word is stored
 * whole, then the run ends at the first backslash or byte >= 0x80 in it (found with ctz()); a word
 * is stored only while 8 input bytes remain, so the writes stay inside 3 * len. */
export function decodeInto(src: usize, len: usize, flags: u8, d: usize): usize {
  const start = d;
  let cls: u32 = 0;
  const end = src + len;
  // bytes that stop a plain run: '\' when there are escapes, >= 0x80 when there are high bytes
  const escapes = (flags & FLAG_ESCAPE) != 0;
  const bsMask: u64 = escapes ? HIGHS : 0;
  const highMask: u64 = (flags & FLAG_HIGH) != 0 ? HIGHS : 0;
  let p = src;
  while (p < end) {
    if (p + 8 <= end) {
      const x = load<u64>(p);
      const b = x ^ 0x5c5c5c5c5c5c5c5c;
      const hit = (((b - ONES) & ~b) & bsMask) | (x & highMask);
      store<u64>(d, x);
      if (hit == 0) {
        p += 8;
        d += 8;
        continue;
      }
      const k = <usize>(ctz(hit) >> 3);
      p += k;
      d += k;
    }
    const c = <u32>load<u8>(p);
    if (c < 0x80 && (c != 92 || !escapes)) {
      store<u8>(d, <u8>c);
      d++;
      p++;
      continue;
    }
    if (c >= 0x80) {
      d = copySequence(p, end, d, c);
      p = decodedTo;
      continue;
    }
    // a backslash escape, validated by the scanner
    const e = <usize>load<u8>(p + 1);
    if (e != 117) {
      const u = <usize>load<u8>(e, UNESCAPE);
      store<u8>(d, <u8>u);
      cls |= <u32>load<u8>(u, BYTE_CLASS);
      d++;
      p += 2;
      continue;
    }
    let u = (hexVal(load<u8>(p + 2)) << 12) | (hexVal(load<u8>(p + 3)) << 8) | (hexVal(load<u8>(p + 4)) << 4) | hexVal(load<u8>(p + 5));
    p += 6;
    if (u >= 0xd800 && u <= 0xdbff) {
      // a high surrogate joins only with a following \uDC00-\uDFFF
      if (p + 6 <= end && load<u8>(p) == 92 && load<u8>(p + 1) == 117) {
        const l = (hexVal(load<u8>(p + 2)) << 12) | (hexVal(load<u8>(p + 3)) << 8) | (hexVal(load<u8>(p + 4)) << 4) | hexVal(load<u8>(p + 5));
        if (l >= 0xdc00 && l <= 0xdfff) {
          d = putCodePoint(d, 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00));
          cls |= B_NONHOST;
          p += 6;
          continue;
        }
      }
      u = 0xfffd;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      u = 0xfffd;
    }
    cls |= u < 0x80 ? <u32>load<u8>(<usize>u, BYTE_CLASS) : <u32>B_NONHOST;
    d = putCodePoint(d, u);
  }
  escapedClass = <u8>cls;
  return d - start;
}

// ---- time ----------------------------------------------------------------------------------

/** Latest instant RFC 5424 can write (FULL-DATE has four year digits): 9999-12-31T23:59:59Z. */
export const MAX_EPOCH_SECONDS: i64 = 253402300799;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: i64, m: i64, d: i64): i64 {
  y -= <i64>(m <= 2);
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = (153 * mp + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(y: i32): bool { return ((y & 3) == 0 && y % 100 != 0) || y % 400 == 0; }

// days in each month of a common year, January first
const MONTH_DAYS: usize = memory.data<u8>([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);

function daysInMonth(y: i32, m: i32): i32 {
  if (m == 2) return isLeap(y) ? 29 : 28;
  return <i32>load<u8>(MONTH_DAYS + <usize>(m - 1));
}

// results of the parsers below
export let tSec: i64 = 0;
export let tMicro: i32 = 0;

/** The two decimal digits at p as a number, or -1. */
@inline function d2(p: usize): i32 {
  const a = <u32>load<u8>(p) - 48, b = <u32>load<u8>(p, 1) - 48;
  return a < 10 && b < 10 ? <i32>(a * 10 + b) : -1;
}

/** Reads up to six fraction digits at [p, end) as microseconds; returns the position after all digits, or 0. */
function fraction(p: usize, end: usize): usize {
  const f = p;
  let micro = 0;
  let n = 0;
  while (p < end && <u32>load<u8>(p) - 48 < 10) {
    if (n < 6) { micro = micro * 10 + <i32>(load<u8>(p) - 48); n++; }
    p++;
  }
  if (p == f) return 0;
  while (n < 6) { micro *= 10; n++; }
  tMicro = micro;
  return p;
}

// The fixed part of an RFC 3339 date-time, YYYY-MM-DDTHH:MM:SS, is checked as three little-endian
// words: the separators against constants, every digit position at once (digitsOnly) after the
// separators are replaced by '0'.
const ZEROS: u64 = 0x3030303030303030;
/** Bytes 4 and 7 of "YYYY-MM-", and the '-' they must hold. */
const DATE_SEPS: u64 = 0xff0000ff00000000;
const DATE_DASHES: u64 = 0x2d00002d00000000;
/** Bytes 2 and 5 of "DDTHH:MM": the date-time separator (checked on its own) and a ':'. */
const MID_SEPS: u64 = 0x0000ff0000ff0000;
const MID_COLON: u64 = 0x00003a0000000000;
const MID_COLON_MASK: u64 = 0x0000ff0000000000;

/** Every byte of w is an ASCII digit. */
@inline function digitsOnly(w: u64): bool {
  return digitBytes(w) == HIGHS;
}

/** The two digits at p (already checked) as a number. */
@inline function pairAt(p: usize): i32 {
  const w = <i32>load<u16>(p) - 0x3030;
  return (w & 0xff) * 10 + (w >> 8);
}

/** RFC 3339 date-time (§5.6), 'T', 't' or ' ' between date and time, 'Z', 'z' or ±hh:mm. */
export function parseRfc3339(p: usize, len: usize): bool {
  const end = p + len;
  if (len < 20) return false;
  // "YYYY-MM-", "DDTHH:MM", ":SS" and the byte after it (len >= 20: all inside the text)
  const a = load<u64>(p);
  const b = load<u64>(p, 8);
  const c = load<u32>(p, 16);
  if ((a & DATE_SEPS) != DATE_DASHES || (b & MID_COLON_MASK) != MID_COLON || (c & 0xff) != 58) return false;
  if (!digitsOnly((a & ~DATE_SEPS) | (ZEROS & DATE_SEPS)) || !digitsOnly((b & ~MID_SEPS) | (ZEROS & MID_SEPS))) return false;
  if (!digitsOnly(<u64>((c & 0x00ffff00) | 0x30000030) | (ZEROS & 0xffffffff00000000))) return false;
  const sep = <u32>(b >> 16) & 0xff;
  if ((sep | 32) != 116 && sep != 32) return false;
  const y = pairAt(p) * 100 + pairAt(p + 2), mo = pairAt(p + 5), d = pairAt(p + 8);
  const h = pairAt(p + 11), mi = pairAt(p + 14), s = pairAt(p + 17);
  if (<u32>(mo - 1) >= 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  if (d > daysInMonth(y, mo)) return false;
  let q = p + 19;
  tMicro = 0;
  if (load<u8>(q) == 46) {
    q = fraction(q + 1, end);
    if (q == 0) return false;
  }
  if (q >= end) return false;
  let offset = 0;
  const z = load<u8>(q);
  if ((z | 32) == 122) {
    q++;
  } else if (z == 43 || z == 45) {
    if (q + 6 != end || load<u8>(q + 3) != 58) return false;
    const oh = d2(q + 1), om = d2(q + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return false;
    offset = (oh * 60 + om) * 60;
    if (z == 45) offset = -offset;
    q += 6;
  } else {
    return false;
  }
  if (q != end) return false;
  const secs = daysFromCivil(y, mo, d) * 86400 + <i64>(h * 3600 + mi * 60 + s - offset);
  if (secs < 0 || secs > MAX_EPOCH_SECONDS) return false;
  tSec = secs;
  return true;
}

/** Epoch seconds or milliseconds as plain digits with an optional fraction ("1700000000",
 * "1700000000.25", "1700000000123"). A value of 1e11 or more is read as milliseconds. */
export function parseEpoch(p: usize, len: usize): bool {
  const end = p + len;
  let q = p;
  let v: i64 = 0;
  while (q < end && <u32>load<u8>(q) - 48 < 10) {
    if (q - p >= 16) return false;
    v = v * 10 + <i64>(load<u8>(q) - 48);
    q++;
  }
  if (q == p) return false;
  tMicro = 0;
  const ms = v >= 100000000000;
  if (q < end) {
    if (load<u8>(q) != 46) return false;
    q = fraction(q + 1, end);
    if (q != end) return false;
  }
  if (ms) {
    tMicro = <i32>(v % 1000) * 1000 + tMicro / 1000;
    v /= 1000;
  }
  if (v > MAX_EPOCH_SECONDS) return false;
  tSec = v;
  return true;
}

const TS_BUF: usize = memory.data(32);

/** Writes YYYY-MM-DDTHH:MM:SS.ffffffZ (27 bytes) for the given instant into a static buffer. */
export function formatTimestamp(sec: i64, micro: i32): usize {
  const days = sec / 86400;
  let rem = <i32>(sec % 86400);
  // civil_from_days
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  let y = yoe + era * 400;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  const b = TS_BUF;
  put2(b, <i32>(y / 100));
  put2(b + 2, <i32>(y % 100));
  store<u8>(b + 4, 45);
  put2(b + 5, <i32>m);
  store<u8>(b + 7, 45);
  put2(b + 8, <i32>d);
  store<u8>(b + 10, 84);
  put2(b + 11, rem / 3600);
  store<u8>(b + 13, 58);
  rem %= 3600;
  put2(b + 14, rem / 60);
  store<u8>(b + 16, 58);
  put2(b + 17, rem % 60);
  store<u8>(b + 19, 46);
  put2(b + 20, micro / 10000);
  put2(b + 22, (micro / 100) % 100);
  put2(b + 24, micro % 100);
  store<u8>(b + 26, 90);
  return b;
}

@inline function put2(p: usize, v: i32): void {
  store<u16>(p, load<u16>(DIGIT_PAIRS + <usize>(v << 1)));
}
