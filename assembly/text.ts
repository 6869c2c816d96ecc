// Text helpers over linear memory: JSON string decoding with UTF-8 repair, and time.

import { FLAG_ESCAPE } from "./json";

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

/** Copies UTF-8 at [p, end) to d up to the next backslash (when stopAtEscape), replacing every
 * ill-formed sequence with U+FFFD exactly as the WHATWG/Unicode "maximal subpart" rule does (the
 * same bytes TextDecoder produces). Returns the new d; `decodedTo` says where reading stopped. */
export let decodedTo: usize = 0;
function copyUtf8(p: usize, end: usize, d: usize, stopAtEscape: bool): usize {
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c < 0x80) {
      if (c == 92 && stopAtEscape) break;
      store<u8>(d, <u8>c);
      d++;
      p++;
      continue;
    }
    let need: i32 = 0;
    let lo: u32 = 0x80, hi: u32 = 0xbf;
    let cp: u32 = 0;
    if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2; cp = c & 0xf;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3; cp = c & 7;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      d = put3(d, 0xfffd);
      p++;
      continue;
    }
    let q = p + 1;
    let ok = true;
    for (let i = 0; i < need; i++) {
      if (q >= end) { ok = false; break; }
      const b = <u32>load<u8>(q);
      if (b < lo || b > hi) { ok = false; break; }
      lo = 0x80; hi = 0xbf;
      cp = (cp << 6) | (b & 63);
      q++;
    }
    if (ok) {
      for (let i: usize = 0; i < q - p; i++) store<u8>(d + i, load<u8>(p + i));
      d += q - p;
    } else {
      d = put3(d, 0xfffd);
    }
    p = q;
  }
  decodedTo = p;
  return d;
}

/** Decodes the content of a JSON string (already validated by the scanner) into d as valid UTF-8:
 * escapes resolved, surrogate pairs joined, lone surrogates and ill-formed bytes become U+FFFD.
 * Raw (not a string) text passes through the UTF-8 repair only. Returns the decoded length.
 * d must have room for 3 * len bytes. */
export function decodeInto(src: usize, len: usize, flags: u8, d: usize): usize {
  const start = d;
  const end = src + len;
  const escapes = (flags & FLAG_ESCAPE) != 0;
  let p = src;
  while (p < end) {
    d = copyUtf8(p, end, d, escapes);
    p = decodedTo;
    if (p >= end) break;
    // a backslash escape, validated by the scanner
    const e = <u32>load<u8>(p + 1);
    if (e != 117) {
      let c: u32 = e;
      if (e == 98) c = 8;
      else if (e == 102) c = 12;
      else if (e == 110) c = 10;
      else if (e == 114) c = 13;
      else if (e == 116) c = 9;
      store<u8>(d, <u8>c);
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
          p += 6;
          continue;
        }
      }
      u = 0xfffd;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      u = 0xfffd;
    }
    d = putCodePoint(d, u);
  }
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

function isLeap(y: i64): bool { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

function daysInMonth(y: i64, m: i64): i64 {
  if (m == 2) return isLeap(y) ? 29 : 28;
  return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
}

// results of the parsers below
export let tSec: i64 = 0;
export let tMicro: i32 = 0;

function digits(p: usize, n: i32): i32 {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
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

/** RFC 3339 date-time (§5.6), 'T', 't' or ' ' between date and time, 'Z', 'z' or ±hh:mm. */
export function parseRfc3339(p: usize, len: usize): bool {
  const end = p + len;
  if (len < 20) return false;
  const y = digits(p, 4), mo = digits(p + 5, 2), d = digits(p + 8, 2);
  const h = digits(p + 11, 2), mi = digits(p + 14, 2), s = digits(p + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return false;
  if (load<u8>(p + 4) != 45 || load<u8>(p + 7) != 45 || load<u8>(p + 13) != 58 || load<u8>(p + 16) != 58) return false;
  const sep = load<u8>(p + 10);
  if (sep != 84 && sep != 116 && sep != 32) return false;
  if (<i64>d > daysInMonth(y, mo)) return false;
  let q = p + 19;
  tMicro = 0;
  if (load<u8>(q) == 46) {
    q = fraction(q + 1, end);
    if (q == 0) return false;
  }
  if (q >= end) return false;
  let offset: i64 = 0;
  const z = load<u8>(q);
  if (z == 90 || z == 122) {
    q++;
  } else if (z == 43 || z == 45) {
    if (q + 6 != end || load<u8>(q + 3) != 58) return false;
    const oh = digits(q + 1, 2), om = digits(q + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return false;
    offset = <i64>(oh * 60 + om) * 60;
    if (z == 45) offset = -offset;
    q += 6;
  } else {
    return false;
  }
  if (q != end) return false;
  const secs = daysFromCivil(y, mo, d) * 86400 + <i64>(h * 3600 + mi * 60 + s) - offset;
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
  let f = micro;
  for (let i = 25; i >= 20; i--) {
    store<u8>(b + <usize>i, <u8>(48 + f % 10));
    f /= 10;
  }
  store<u8>(b + 26, 90);
  return b;
}

@inline function put2(p: usize, v: i32): void {
  store<u8>(p, <u8>(48 + v / 10));
  store<u8>(p, <u8>(48 + v % 10), 1);
}
