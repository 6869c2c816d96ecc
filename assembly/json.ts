// A byte-level, single-pass, non-recursive JSON scanner for one top-level object (RFC 8259).
//
// It does not build values: it validates the whole text and hands each top-level member to
// record.ts as spans of the input (setRowString for the common member, setKnown and onMember for
// the rest). Nested objects and arrays are validated with a bit stack (no recursion, so any nesting
// up to MAX_DEPTH fits in the host's 8 KiB wasm stack).
//
// Cost: strings, nearly all of a record, go eight bytes per step as four two-byte class lookups
// (bytes.ts), which find where the string ends and, in the same pass, what its bytes will need in
// each output context; a catalogue key and the ':"' after it are recognised whole by the member
// table (record.ts matchMember); the compact layout Fluent Bit writes (no whitespace, `:"` and `,"`
// between tokens) is tested for before any whitespace is skipped. The byte at the end of the text
// is a NUL during the scan (scanObject), which stops every run, so most tests need no bound.

import { onMember, setKnown, setRowString, stringMeta, matchMember, memberId, memberValueAt } from "./record";
import { B_STOP, B_HIGH, B_NONHOST, PAIR_CLASS } from "./bytes";

export const KIND_STRING: u8 = 1;
export const KIND_NUMBER: u8 = 2;
export const KIND_TRUE: u8 = 3;
export const KIND_FALSE: u8 = 4;
export const KIND_NULL: u8 = 5;
export const KIND_NESTED: u8 = 6; // object or array, kept as its JSON text

/** The string holds a backslash escape (bytes.ts B_STOP). */
export const FLAG_ESCAPE: u8 = B_STOP;
/** The string holds bytes >= 0x80, UTF-8 to be checked (bytes.ts B_HIGH). */
export const FLAG_HIGH: u8 = B_HIGH;

/** Deepest nesting accepted inside a value (bits of the stack below). */
export const MAX_DEPTH: i32 = 65536;
const DEPTH_BITS: usize = memory.data(MAX_DEPTH / 8);

// error codes; messages in errorText()
export const E_NONE: i32 = 0;
export const E_EMPTY: i32 = 1;
export const E_NOT_OBJECT: i32 = 2;
export const E_KEY: i32 = 3;
export const E_COLON: i32 = 4;
export const E_VALUE: i32 = 5;
export const E_STRING: i32 = 6;
export const E_ESCAPE: i32 = 7;
export const E_CONTROL: i32 = 8;
export const E_NUMBER: i32 = 9;
export const E_OBJECT_END: i32 = 10;
export const E_ARRAY_END: i32 = 11;
export const E_TRAILING: i32 = 12;
export const E_DEPTH: i32 = 13;
export const E_MEMORY: i32 = 14;

export function errorText(e: i32): string {
  switch (e) {
    case E_EMPTY: return "empty input";
    case E_NOT_OBJECT: return "the record is not a JSON object";
    case E_KEY: return "expected a string key";
    case E_COLON: return "expected ':' after a key";
    case E_VALUE: return "expected a value";
    case E_STRING: return "unterminated string";
    case E_ESCAPE: return "invalid escape in a string";
    case E_CONTROL: return "control character in a string";
    case E_NUMBER: return "invalid number";
    case E_OBJECT_END: return "expected ',' or '}'";
    case E_ARRAY_END: return "expected ',' or ']'";
    case E_TRAILING: return "text after the closing '}'";
    case E_DEPTH: return "nesting deeper than 65536 levels";
    case E_MEMORY: return "no memory left to read the record";
  }
  return "invalid JSON";
}

// scanner state: where it stopped and why
export let errCode: i32 = E_NONE;
export let errAt: usize = 0;
let end: usize = 0;
/** Bytes read past the end of the text at most: the member table's three words (record.ts). */
const READ_PAST: usize = 32;
// result of the last scanString()
let strClass: u32 = 0;

@inline function fail(code: i32, at: usize): usize {
  if (errCode == E_NONE) { errCode = code; errAt = at; }
  return 0;
}

// CLASS[byte]: what a byte can be, one table lookup instead of a chain of comparisons
const C_WS: u8 = 1; // ' ', '\t', '\n', '\r'
const C_HEX: u8 = 4; // 0-9 a-f A-F
const CLASS: usize = memory.data(256);
/** UNESCAPE[c]: the character "\c" stands for (" \ / b f n r t), 0 when c may not follow '\' alone. */
export const UNESCAPE: usize = memory.data(256);

function initClass(): void {
  store<u8>(CLASS + 32, C_WS); store<u8>(CLASS + 9, C_WS); store<u8>(CLASS + 10, C_WS); store<u8>(CLASS + 13, C_WS);
  for (let c = 48; c <= 57; c++) store<u8>(CLASS + <usize>c, C_HEX);
  for (let c = 97; c <= 102; c++) store<u8>(CLASS + <usize>c, C_HEX);
  for (let c = 65; c <= 70; c++) store<u8>(CLASS + <usize>c, C_HEX);
  store<u8>(UNESCAPE + 34, 34); store<u8>(UNESCAPE + 92, 92); store<u8>(UNESCAPE + 47, 47);
  store<u8>(UNESCAPE + 98, 8); store<u8>(UNESCAPE + 102, 12); store<u8>(UNESCAPE + 110, 10);
  store<u8>(UNESCAPE + 114, 13); store<u8>(UNESCAPE + 116, 9);
}
initClass();

/** STRING_META[cls]: the slot word of a string value of class cls (record.ts stringMeta), one
 * lookup on the hot path. */
const STRING_META: usize = memory.data(256 * 4);
function initStringMeta(): void {
  for (let c = 0; c < 256; c++) store<u32>(STRING_META + (<usize>c << 2), stringMeta(<u8>c));
}
initStringMeta();

@inline function isClass(c: u32, k: u8): bool { return (load<u8>(<usize>c, CLASS) & k) != 0; }

/** The first byte at or after p (p <= end) that is not whitespace; the NUL at the end is not. */
@inline function skipWs(p: usize): usize {
  while (isClass(<u32>load<u8>(p), C_WS)) p++;
  return p;
}

/** Checks the escape at p (a backslash); returns the position after it, or 0. */
function scanEscape(p: usize): usize {
  if (p + 1 >= end) return fail(E_STRING, p);
  const e = <usize>load<u8>(p + 1);
  if (e == 117) {
    if (p + 6 > end) return fail(E_ESCAPE, p);
    if (!(isClass(load<u8>(p + 2), C_HEX) && isClass(load<u8>(p + 3), C_HEX) && isClass(load<u8>(p + 4), C_HEX) && isClass(load<u8>(p + 5), C_HEX))) return fail(E_ESCAPE, p);
    return p + 6;
  }
  if (load<u8>(e, UNESCAPE) == 0) return fail(E_ESCAPE, p);
  return p + 2;
}

/** Scans a string whose opening quote is at p - 1. Returns the position of the closing quote, or 0
 * on error. Sets strClass: the union of the byte classes of its content (bytes.ts), B_STOP when it
 * holds an escape. Eight bytes per step, as four two-byte class lookups; in the step that holds the
 * end of the run, the lookups before it say where it is, without a walk. The NUL that scanObject()
 * keeps at the end of the text stops every run there, so no step needs a bounds test. */
function scanString(p: usize): usize {
  return scanStringAt(p);
}

/** scanString(), inlined where values are scanned. */
@inline function scanStringAt(p: usize): usize {
  let cls: u32 = 0;
  while (true) {
    const m0 = <u32>load<u8>(<usize>load<u16>(p), PAIR_CLASS);
    const m1 = <u32>load<u8>(<usize>load<u16>(p, 2), PAIR_CLASS);
    const m2 = <u32>load<u8>(<usize>load<u16>(p, 4), PAIR_CLASS);
    const m3 = <u32>load<u8>(<usize>load<u16>(p, 6), PAIR_CLASS);
    const m = (m0 | m1) | (m2 | m3);
    if ((m & 3) == 0) {
      cls |= m;
      p += 8;
      continue;
    }
    // the run ends in this word: in the first pair with a stop bit
    let k = m0;
    if ((m0 & 3) == 0) {
      cls |= m0;
      p += 2;
      k = m1;
      if ((m1 & 3) == 0) {
        cls |= m1;
        p += 2;
        k = m2;
        if ((m2 & 3) == 0) {
          cls |= m2;
          p += 2;
          k = m3;
        }
      }
    }
    if ((k & 1) == 0) {
      // the second byte ends the run; the pair's other bits are the first byte's
      cls |= k & ~3;
      p++;
    }
    // the NUL kept at the end of the text
    if (p >= end) return fail(E_STRING, end);
    const c = <u32>load<u8>(p);
    if (c == 34) break;
    if (c != 92) return fail(E_CONTROL, p);
    cls |= B_STOP;
    p = scanEscape(p);
    if (p == 0) return 0;
  }
  strClass = cls;
  return p;
}

/** Scans a number at p; returns the position after it or 0. The NUL at the end of the text is no
 * digit, sign, '.' or 'e', so no test needs a bound. */
function scanNumber(p: usize): usize {
  const start = p;
  if (load<u8>(p) == 45) p++;
  let c = <u32>load<u8>(p);
  if (c == 48) {
    p++;
  } else if (c - 49 < 9) {
    while (<u32>load<u8>(p) - 48 < 10) p++;
  } else {
    return fail(E_NUMBER, start);
  }
  if (load<u8>(p) == 46) {
    p++;
    const f = p;
    while (<u32>load<u8>(p) - 48 < 10) p++;
    if (p == f) return fail(E_NUMBER, start);
  }
  if ((load<u8>(p) | 32) == 101) {
    p++;
    if (load<u8>(p) == 43 || load<u8>(p) == 45) p++;
    const f = p;
    while (<u32>load<u8>(p) - 48 < 10) p++;
    if (p == f) return fail(E_NUMBER, start);
  }
  return p;
}

/** Checks the four bytes at p against a little-endian word ("true", "null", "alse"). */
function scanWord(p: usize, word: u32): usize {
  if (p + 4 > end || load<u32>(p) != word) return fail(E_VALUE, p);
  return p + 4;
}

@inline function pushDepth(depth: i32, isArray: bool): void {
  const at = DEPTH_BITS + <usize>(depth >> 3);
  const bit = <u8>(1 << <u8>(depth & 7));
  store<u8>(at, isArray ? load<u8>(at) | bit : load<u8>(at) & ~bit);
}
@inline function isArrayAt(depth: i32): bool {
  return (load<u8>(DEPTH_BITS + <usize>(depth >> 3)) & <u8>(1 << <u8>(depth & 7))) != 0;
}

/** Scans a scalar value at p (not an object or array); returns the end or 0. */
function scanScalar(p: usize, c: u32): usize {
  if (c == 34) {
    const q = scanString(p + 1);
    return q == 0 ? 0 : q + 1;
  }
  if (c == 116) return scanWord(p, 0x65757274); // true
  if (c == 102) return scanWord(p + 1, 0x65736c61); // f + alse
  if (c == 110) return scanWord(p, 0x6c6c756e); // null
  if (c == 45 || c - 48 < 10) return scanNumber(p);
  return fail(E_VALUE, p);
}

/** Validates the object or array that opens at p; returns the position after it or 0. */
function scanNested(p: usize): usize {
  let depth = 0;
  pushDepth(0, load<u8>(p) == 91);
  p++;
  let expectValue = true; // right after an opener: a value, a key or the closer
  let first = true;
  while (true) {
    p = skipWs(p);
    if (p >= end) return fail(isArrayAt(depth) ? E_ARRAY_END : E_OBJECT_END, p);
    let c = <u32>load<u8>(p);
    const inArray = isArrayAt(depth);
    if (!expectValue) {
      // after a value: ',' or the closer
      if (c == 44) {
        p++;
        expectValue = true;
        first = false;
        continue;
      }
      if ((inArray && c == 93) || (!inArray && c == 125)) {
        p++;
        if (depth == 0) return p;
        depth--;
        continue;
      }
      return fail(inArray ? E_ARRAY_END : E_OBJECT_END, p);
    }
    if (first && ((inArray && c == 93) || (!inArray && c == 125))) {
      p++;
      if (depth == 0) return p;
      depth--;
      expectValue = false;
      first = false;
      continue;
    }
    if (!inArray) {
      if (c != 34) return fail(E_KEY, p);
      const q = scanString(p + 1);
      if (q == 0) return 0;
      p = skipWs(q + 1);
      if (p >= end || load<u8>(p) != 58) return fail(E_COLON, p);
      p = skipWs(p + 1);
      if (p >= end) return fail(E_VALUE, p);
      c = <u32>load<u8>(p);
    }
    if (c == 123 || c == 91) {
      if (depth + 1 >= MAX_DEPTH) return fail(E_DEPTH, p);
      depth++;
      pushDepth(depth, c == 91);
      p++;
      first = true;
      continue;
    }
    const q = scanScalar(p, c);
    if (q == 0) return 0;
    p = q;
    expectValue = false;
    first = false;
  }
  return 0;
}

// where nextMember() found the next key's opening quote
let nextAt: usize = 0;

/** After a member's value at p, in any layout but the compact one: ',' then the next key (its quote
 * at nextAt: true), or '}' and nothing after it (false, errCode E_NONE), or an error (false). */
function nextMember(p: usize): bool {
  p = skipWs(p);
  if (p >= end) { fail(E_OBJECT_END, p); return false; }
  const d = load<u8>(p);
  if (d == 44) {
    p = skipWs(p + 1);
    if (p >= end || load<u8>(p) != 34) { fail(E_KEY, p); return false; }
    nextAt = p;
    return true;
  }
  if (d == 125) {
    p = skipWs(p + 1);
    if (p < end) fail(E_TRAILING, p);
    return false;
  }
  fail(E_OBJECT_END, p);
  return false;
}

/** Scans the record [start, start + len). Calls onMember() for each top-level member. Returns false
 * on invalid JSON (errCode, errAt say where). Trailing NUL bytes count as the end of the text.
 *
 * For the scan, the byte at the end of the text is a NUL (a byte that ends every string run), so
 * that the string scanner's eight-byte steps never pass it and need no bounds test; the byte that
 * was there is put back before returning. Fluent Bit's records end in that NUL already. */
export function scanObject(start: usize, len: usize): bool {
  errCode = E_NONE;
  errAt = 0;
  end = start + len;
  while (end > start && load<u8>(end - 1) == 0) end--;
  // the NUL and the words read up to it, and past it from a key near the end (READ_PAST), must lie
  // in memory: a record at the very end of memory gets one more page after it
  if (end + READ_PAST > (<usize>memory.size() << 16) && memory.grow(1) < 0) {
    fail(E_MEMORY, end);
    return false;
  }
  const saved = load<u8>(end);
  store<u8>(end, 0);
  const ok = scanMembers(start);
  store<u8>(end, saved);
  return ok;
}

function scanMembers(start: usize): bool {
  let p = skipWs(start);
  if (p >= end) { fail(E_EMPTY, p); return false; }
  if (load<u8>(p) != 123) { fail(E_NOT_OBJECT, p); return false; }
  p = skipWs(p + 1);
  if (p < end && load<u8>(p) == 125) {
    p = skipWs(p + 1);
    if (p < end) { fail(E_TRAILING, p); return false; }
    return true;
  }
  if (p >= end || load<u8>(p) != 34) { fail(E_KEY, p); return false; }
  while (true) {
    // p is at the opening quote of a key. The common member is taken straight through: a catalogue
    // key, then ':' and a string value written compactly (what Fluent Bit writes), then ',"' before
    // the next key. The member table (record.ts matchMember) recognises "key": whole; every
    // catalogue key is a plain identifier, so a match holds no escape or control character. Its
    // words may reach past the end of the text (at most READ_PAST bytes): a member that takes in
    // the NUL at the end matches no row and goes the long way, which stops at that NUL.
    const k = p + 1;
    const row = matchMember(k);
    let id: i32;
    let kq: usize;
    let kClass: u8;
    if (row != 0) {
      p = memberValueAt(row, k);
      if (load<u8>(p) == 34) {
        const vs = p + 1;
        const ve = scanStringAt(vs);
        if (ve == 0) return false;
        setRowString(row, vs, ve - vs, load<u32>(STRING_META + (strClass << 2)));
        p = ve + 1;
        if (load<u16>(p) == 0x222c) {
          p++;
          continue;
        }
        if (!nextMember(p)) return errCode == E_NONE;
        p = nextAt;
        continue;
      }
      // a catalogue key with another value (a number, mostly), or a string after whitespace
      id = memberId(row);
      kq = p - 2;
      kClass = 0;
    } else {
      // any other member: the key is scanned, then looked up by onMember()
      id = -1;
      kq = scanString(k);
      if (kq == 0) return false;
      kClass = <u8>strClass;
      p = kq + 1;
      if (load<u8>(p) == 58) p++;
      else {
        p = skipWs(p);
        if (p >= end || load<u8>(p) != 58) { fail(E_COLON, p); return false; }
        p++;
      }
    }
    {
      if (p >= end) { fail(E_VALUE, p); return false; }
      let c = <u32>load<u8>(p);
      if (c <= 32) {
        p = skipWs(p);
        if (p >= end) { fail(E_VALUE, p); return false; }
        c = <u32>load<u8>(p);
      }
      let kind: u8;
      let vs = p, ve: usize;
      let vClass: u8 = 0;
      if (c == 34) {
        ve = scanString(p + 1);
        if (ve == 0) return false;
        kind = KIND_STRING;
        vs = p + 1;
        vClass = <u8>strClass;
        p = ve + 1;
      } else if (c == 123 || c == 91) {
        ve = scanNested(p);
        if (ve == 0) return false;
        kind = KIND_NESTED;
        // nested text is kept whole (record.ts setSlot)
        vClass = 0;
        p = ve;
      } else {
        ve = scanScalar(p, c);
        if (ve == 0) return false;
        if (c == 116) kind = KIND_TRUE;
        else if (c == 102) kind = KIND_FALSE;
        else if (c == 110) kind = KIND_NULL;
        else {
          kind = KIND_NUMBER;
          vClass = B_NONHOST; // '+' in an exponent
        }
        p = ve;
      }
      if (id >= 0) setKnown(id, kind, vs, ve - vs, vClass);
      else onMember(k, kq - k, kClass, kind, vs, ve - vs, vClass);
    }
    // compact: ',' and the next key's quote (p <= end: the NUL at the end is neither)
    if (load<u16>(p) == 0x222c) {
      p++;
      continue;
    }
    if (!nextMember(p)) return errCode == E_NONE;
    p = nextAt;
  }
  return false;
}
