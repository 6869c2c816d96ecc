// The one reusable output buffer and the escapers that write into it.
//
// A value whose byte class (bytes.ts, found by the scanner) says nothing in it needs an action in
// the context at hand is copied whole (putValue, putField). Every other byte goes through
// escapeInto() with a context table: 256 one-byte actions, one per input byte. The same line can be
// written raw (WASI `cef`, `syslog` modes) or already JSON-escaped inside the `message` string of
// the record Fluent Bit receives; `jsonMode` picks the second set of tables, so no line is ever
// built twice.
//
// Cost (Fluent Bit mostly interprets the module, so every wasm instruction counts): escapeInto()
// tests eight bytes per step with four lookups in the scanner's two-byte class table (bytes.ts
// PAIR_CLASS), copies clean eight-byte blocks with one 64-bit load and store, and goes one byte at
// a time (SPECIAL: one bit per context, exact) only within a word that may need an action. Fixed texts are converted from
// AssemblyScript's UTF-16 literals once at start (lit), then copied as words. The buffer keeps
// SLACK spare bytes past every reservation, so word copies may write past the end of what they copy.

import { B_STOP, B_STOP_HI, B_PIPE, B_EQUALS, B_BRACKET, B_DEL, B_NONHOST, PAIR_CLASS } from "./bytes";

// ---- actions -------------------------------------------------------------------------------
const A_COPY: u8 = 0;
const A_BACKSLASH: u8 = 1; // write '\' then the byte
const A_LF: u8 = 2; // write the two characters \n
const A_CR: u8 = 3; // write the two characters \r
const A_REPLACE: u8 = 4; // write U+FFFD
const A_SPACE: u8 = 5; // write a space
const A_UNDERSCORE: u8 = 6; // write '_' (PRINTUSASCII fields)
const A_UESCAPE: u8 = 7; // write \u00XX (JSON strings)
const A_DROP: u8 = 8; // write nothing (UTF-8 continuation bytes in PRINTUSASCII fields)
const A_JSONQUOTE: u8 = 9; // JSON mode only: '\' then the byte (for a raw '"' or '\')

// ---- contexts ------------------------------------------------------------------------------
/** CEF header field (§ "Header"): '\' and '|' escaped; CR and LF become a space. */
export const CTX_CEF_HEADER: i32 = 0;
/** CEF extension value: '\', '=' escaped; CR, LF written as \r, \n. */
export const CTX_CEF_VALUE: i32 = 1;
/** RFC 5424 PARAM-VALUE (§6.3.3): '"', '\', ']' escaped; CR, LF written as \r, \n. */
export const CTX_SD_VALUE: i32 = 2;
/** RFC 5424 MSG: free text, CR and LF written as \r, \n so one event stays one line. */
export const CTX_MSG: i32 = 3;
/** RFC 5424 header fields (§6.2): PRINTUSASCII only; anything else becomes '_'. */
export const CTX_PRINTUSASCII: i32 = 4;
/** A JSON string (RFC 8259 §7): '"', '\' escaped, control characters as \u00XX. */
export const CTX_JSON: i32 = 5;
const CTX_COUNT: i32 = 6;

// tables[json][ctx][byte], filled once at start
const TABLES: usize = memory.data(2 * CTX_COUNT * 256);
/** SPECIAL[byte]: bit ctx when the byte is not copied as is in context ctx (raw tables); bit C_JSON
 * when, inside a JSON string, it needs escaping besides ('"', '\' and C0 controls). In JSON mode a
 * byte is copied as is exactly when neither its context bit nor C_JSON is set (see initTables). */
const SPECIAL: usize = memory.data(256);
const C_JSON: u32 = 1 << 6;

function setRange(t: usize, from: i32, to: i32, a: u8): void {
  for (let c = from; c <= to; c++) store<u8>(t + <usize>c, a);
}

function initTables(): void {
  for (let json = 0; json < 2; json++) {
    for (let ctx = 0; ctx < CTX_COUNT; ctx++) {
      const t = TABLES + <usize>((json * CTX_COUNT + ctx) << 8);
      // C0 controls and DEL are never copied: they would break a line, a parser or a C string
      setRange(t, 0, 31, A_REPLACE);
      store<u8>(t + 9, A_COPY); // TAB is kept
      store<u8>(t + 127, A_REPLACE);
      store<u8>(t + 10, A_LF);
      store<u8>(t + 13, A_CR);
      if (ctx == CTX_CEF_HEADER) {
        store<u8>(t + 92, A_BACKSLASH);
        store<u8>(t + 124, A_BACKSLASH);
        store<u8>(t + 10, A_SPACE);
        store<u8>(t + 13, A_SPACE);
        store<u8>(t + 9, A_SPACE);
      } else if (ctx == CTX_CEF_VALUE) {
        store<u8>(t + 92, A_BACKSLASH);
        store<u8>(t + 61, A_BACKSLASH);
      } else if (ctx == CTX_SD_VALUE) {
        store<u8>(t + 34, A_BACKSLASH);
        store<u8>(t + 92, A_BACKSLASH);
        store<u8>(t + 93, A_BACKSLASH);
      } else if (ctx == CTX_PRINTUSASCII) {
        setRange(t, 0, 32, A_UNDERSCORE);
        store<u8>(t + 127, A_UNDERSCORE);
        setRange(t, 0x80, 0xbf, A_DROP);
        setRange(t, 0xc0, 0xff, A_UNDERSCORE);
      } else if (ctx == CTX_JSON) {
        setRange(t, 0, 31, A_UESCAPE);
        store<u8>(t + 127, A_COPY);
        store<u8>(t + 34, A_BACKSLASH);
        store<u8>(t + 92, A_BACKSLASH);
      }
      if (json) {
        // inside a JSON string, a raw '"' or '\' that the format copies must itself be escaped,
        // and so must a control character it keeps (TAB)
        if (load<u8>(t + 34) == A_COPY) store<u8>(t + 34, A_JSONQUOTE);
        if (load<u8>(t + 92) == A_COPY) store<u8>(t + 92, A_JSONQUOTE);
        for (let c = 0; c < 32; c++) if (load<u8>(t + <usize>c) == A_COPY) store<u8>(t + <usize>c, A_UESCAPE);
      } else {
        for (let c = 0; c < 256; c++) {
          if (load<u8>(t + <usize>c) != A_COPY) store<u8>(SPECIAL + <usize>c, <u8>(<i32>load<u8>(SPECIAL + <usize>c) | (1 << ctx)));
        }
      }
    }
  }
  // the JSON-mode tables differ from the raw ones exactly on '"', '\' and C0 controls
  for (let c = 0; c < 32; c++) store<u8>(SPECIAL + <usize>c, load<u8>(SPECIAL + <usize>c) | <u8>C_JSON);
  store<u8>(SPECIAL + 34, load<u8>(SPECIAL + 34) | <u8>C_JSON);
  store<u8>(SPECIAL + 92, load<u8>(SPECIAL + 92) | <u8>C_JSON);
}
initTables();

// ---- the buffer ----------------------------------------------------------------------------
/** Bytes kept free past every reservation, for word copies that overrun. */
const SLACK: usize = 16;

export let outBase: usize = 0;
/** outBase + capacity - SLACK: reserve(n) keeps outPos + n <= outLimit. */
let outLimit: usize = 0;
export let outPos: usize = 0;
export let jsonMode: bool = false;

function grow(n: usize): void {
  const used = outPos - outBase;
  const cap0 = outBase == 0 ? <usize>0 : outLimit - outBase + SLACK;
  let cap = cap0 < 4096 ? <usize>4096 : cap0;
  while (cap < used + n + SLACK) cap <<= 1;
  outBase = outBase == 0 ? heap.alloc(cap) : heap.realloc(outBase, cap);
  outLimit = outBase + cap - SLACK;
  outPos = outBase + used;
}

/** Makes room for n more bytes (and SLACK beyond). The buffer only grows; it is reused by every record. */
@inline export function reserve(n: usize): void {
  if (outPos + n > outLimit) grow(n);
}

export function resetOut(json: bool): void {
  if (outBase == 0) grow(0);
  readLimit = (<usize>memory.size() << 16) - 16;
  outPos = outBase;
  jsonMode = json;
}

@inline export function setJsonMode(on: bool): void {
  jsonMode = on;
}

@inline export function putByte(c: u32): void {
  store<u8>(outPos, <u8>c);
  outPos++;
}

/** Reading 16 bytes at p is safe when p <= readLimit: the end of linear memory less 16, taken when
 * the record starts (memory only grows, so it stays safe). */
let readLimit: usize = 0;

/** Copies n bytes. Up to 16 as two 8-byte words when reading 16 bytes at s stays inside memory
 * (writes up to 16 bytes at d: the buffer keeps SLACK spare); longer with memory.copy, which an
 * interpreter runs as one native memmove. */
@inline function copyShort(d: usize, s: usize, n: usize): void {
  if (n <= 16 && s <= readLimit) {
    store<u64>(d, load<u64>(s));
    store<u64>(d, load<u64>(s, 8), 8);
  } else {
    memory.copy(d, s, n);
  }
}

/** Writes bytes that need no escaping in any context (ASCII keys, digits, fixed text). */
@inline export function putRaw(src: usize, len: usize): void {
  reserve(len);
  const o = outPos;
  copyShort(o, src, len);
  outPos = o + len;
}

// Fixed texts: AssemblyScript string literals are UTF-16 in the static data; each is converted to
// bytes once, at start, into LIT_POOL as [u8 length][bytes].
const LIT_POOL_SIZE: usize = 1024;
const LIT_POOL: usize = memory.data(<i32>LIT_POOL_SIZE);
let litUsed: usize = 0;

function convertText(s: usize, n: usize, d: usize): void {
  for (let i: usize = 0; i < n; i++) store<u8>(d + i, <u8>load<u16>(s + (i << 1)));
}

/** A fixed ASCII text (at most 255 bytes) for putLit(), its bytes at the result + 1; call at module
 * start only (a pool too small for the literals stops the module there, not at a record). */
export function lit(s: string): usize {
  const n = <usize>s.length;
  if (n > 255 || litUsed + n + 1 > LIT_POOL_SIZE) unreachable();
  const at = LIT_POOL + litUsed;
  store<u8>(at, <u8>n);
  convertText(changetype<usize>(s), n, at + 1);
  litUsed += n + 1;
  return at;
}

/** Writes a text made by lit(). */
export function putLit(l: usize): void {
  const n = <usize>load<u8>(l);
  reserve(n);
  const o = outPos;
  // the pool is static data, with more of it or the heap after it: two words need no read check
  if (n <= 16) {
    store<u64>(o, load<u64>(l, 1));
    store<u64>(o, load<u64>(l, 9), 8);
  } else {
    memory.copy(o, l + 1, n);
  }
  outPos = o + n;
}

/** Writes one ASCII byte. */
@inline export function putAscii(c: u32): void {
  reserve(1);
  putByte(c);
}

/** "00".."99", two bytes each: numbers written two digits per step (here and in text.ts). */
export const DIGIT_PAIRS: usize = memory.data(200);
function initDigitPairs(): void {
  for (let i = 0; i < 100; i++) {
    store<u8>(DIGIT_PAIRS + <usize>(i << 1), <u8>(48 + i / 10));
    store<u8>(DIGIT_PAIRS + <usize>(i << 1) + 1, <u8>(48 + i % 10));
  }
}
initDigitPairs();

/** Number of decimal digits of v. */
export function decimalLength(v: u64): usize {
  let n: usize = 1;
  while (v >= 100) { v /= 100; n += 2; }
  return v >= 10 ? n + 1 : n;
}

/** Writes the n = decimalLength(v) digits of v at p, two at a time from the right. */
export function putDecimal(p: usize, n: usize, v: u64): void {
  p += n;
  while (v >= 100) {
    const r = <usize>(v % 100);
    v /= 100;
    p -= 2;
    store<u16>(p, load<u16>(DIGIT_PAIRS + (r << 1)));
  }
  if (v >= 10) store<u16>(p - 2, load<u16>(DIGIT_PAIRS + (<usize>v << 1)));
  else store<u8>(p - 1, <u8>(48 + v));
}

/** Writes the 13 digits of v (10^12 <= v < 10^13) at p: the high seven and low six as 32-bit
 * numbers, two digits per step, no loop. */
export function putDecimal13(p: usize, v: u64): void {
  const hi = <u32>(v / 1000000);
  let lo = <u32>(v % 1000000);
  store<u8>(p, <u8>(48 + hi / 1000000));
  let h = hi % 1000000;
  store<u16>(p, load<u16>(DIGIT_PAIRS + (<usize>(h / 10000) << 1)), 1);
  h %= 10000;
  store<u16>(p, load<u16>(DIGIT_PAIRS + (<usize>(h / 100) << 1)), 3);
  store<u16>(p, load<u16>(DIGIT_PAIRS + (<usize>(h % 100) << 1)), 5);
  store<u16>(p, load<u16>(DIGIT_PAIRS + (<usize>(lo / 10000) << 1)), 7);
  lo %= 10000;
  store<u16>(p, load<u16>(DIGIT_PAIRS + (<usize>(lo / 100) << 1)), 9);
  store<u16>(p, load<u16>(DIGIT_PAIRS + (<usize>(lo % 100) << 1)), 11);
}

/** Decimal digits of v: a single digit (severities, facility) in one store, more measured then
 * written two at a time. */
export function putNumber(v: u64): void {
  if (v < 10) {
    reserve(1);
    putByte(<u32>v + 48);
    return;
  }
  const n = decimalLength(v);
  reserve(n);
  putDecimal(outPos, n, v);
  outPos += n;
}


/** Writes a '"' or '\' that is part of the format itself (SD quotes), JSON-escaped when needed. */
@inline export function putFormatQuote(c: u32): void {
  reserve(2);
  let o = outPos;
  if (jsonMode) { store<u8>(o, 92); o++; }
  store<u8>(o, <u8>c);
  outPos = o + 1;
}

const HEX: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** OR of the classes of the four byte pairs at p (bytes.ts PAIR_CLASS). */
@inline function pairClass8(p: usize): u32 {
  return (<u32>load<u8>(<usize>load<u16>(p), PAIR_CLASS) | <u32>load<u8>(<usize>load<u16>(p, 2), PAIR_CLASS))
    | (<u32>load<u8>(<usize>load<u16>(p, 4), PAIR_CLASS) | <u32>load<u8>(<usize>load<u16>(p, 6), PAIR_CLASS));
}

/** Writes byte c as action a says at o; returns the new o. */
function act(o: usize, c: u32, a: u32, json: bool): usize {
  if (a == A_BACKSLASH) {
    if (json) {
      store<u8>(o, 92); store<u8>(o, 92, 1); o += 2;
      if (c == 92 || c == 34) { store<u8>(o, 92); o++; }
    } else {
      store<u8>(o, 92); o++;
    }
    store<u8>(o, <u8>c);
    return o + 1;
  }
  if (a == A_LF || a == A_CR) {
    store<u8>(o, 92); o++;
    if (json) { store<u8>(o, 92); o++; }
    store<u8>(o, a == A_LF ? 110 : 114);
    return o + 1;
  }
  if (a == A_REPLACE) {
    store<u8>(o, 0xef); store<u8>(o, 0xbf, 1); store<u8>(o, 0xbd, 2);
    return o + 3;
  }
  if (a == A_SPACE) { store<u8>(o, 32); return o + 1; }
  if (a == A_UNDERSCORE) { store<u8>(o, 95); return o + 1; }
  if (a == A_UESCAPE) {
    store<u8>(o, 92); store<u8>(o, 117, 1); store<u8>(o, 48, 2); store<u8>(o, 48, 3);
    store<u8>(o, load<u8>(HEX + <usize>(c >> 4)), 4);
    store<u8>(o, load<u8>(HEX + <usize>(c & 15)), 5);
    return o + 6;
  }
  if (a == A_JSONQUOTE) {
    store<u8>(o, 92); store<u8>(o, <u8>c, 1);
    return o + 2;
  }
  if (a == A_COPY) { store<u8>(o, <u8>c); return o + 1; }
  return o; // A_DROP writes nothing
}

/** OR of the classes (SPECIAL) of the n (< 8) bytes at p. */
@inline function specialTail(p: usize, n: usize): u32 {
  let m: u32 = 0;
  switch (<i32>n) {
    case 7: m |= <u32>load<u8>(<usize>load<u8>(p, 6), SPECIAL);
    case 6: m |= <u32>load<u8>(<usize>load<u8>(p, 5), SPECIAL);
    case 5: m |= <u32>load<u8>(<usize>load<u8>(p, 4), SPECIAL);
    case 4: m |= <u32>load<u8>(<usize>load<u8>(p, 3), SPECIAL);
    case 3: m |= <u32>load<u8>(<usize>load<u8>(p, 2), SPECIAL);
    case 2: m |= <u32>load<u8>(<usize>load<u8>(p, 1), SPECIAL);
    case 1: m |= <u32>load<u8>(<usize>load<u8>(p), SPECIAL);
  }
  return m;
}

/** Escapes len bytes at src into the buffer for context ctx. src is valid UTF-8. */
export function escapeInto(src: usize, len: usize, ctx: i32): void {
  // worst case: every byte becomes \u00XX (6) or, in JSON mode, a 3-byte sequence escaped twice
  reserve(len * 6);
  let o = outPos;
  const json = jsonMode;
  const mask = (<u32>1 << <u32>ctx) | (json ? C_JSON : 0);
  // the same test on two bytes at once (bytes.ts PAIR_CLASS): the context's classes and a run end
  // in either byte ('"', '\\' and controls, which JSON mode escapes), a superset of mask
  const pairMask = <u32>load<u8>(CTX_CLASS + <usize>ctx) | B_STOP | B_STOP_HI;
  const end = src + len;
  let p = src;
  while (true) {
    // eight bytes at a time while no pair of them may need an action
    while (p + 8 <= end) {
      if ((pairClass8(p) & pairMask) != 0) break;
      store<u64>(o, load<u64>(p));
      p += 8;
      o += 8;
    }
    const n = end - p;
    if (n == 0) break;
    // a clean tail shorter than a word goes as one word (the buffer has slack past the reservation)
    if (n < 8 && (specialTail(p, n) & mask) == 0 && p <= readLimit) {
      store<u64>(o, load<u64>(p));
      o += n;
      break;
    }
    // otherwise one byte at a time, within this word, up to and including the next byte that
    // needs an action (the pair test may have flagged a byte that needs none here)
    const t = TABLES + (<usize>((json ? CTX_COUNT : <i32>0) + ctx) << 8);
    const stop = n < 8 ? end : p + 8;
    while (p < stop) {
      const c = <u32>load<u8>(p);
      p++;
      if ((<u32>load<u8>(<usize>c, SPECIAL) & mask) != 0) {
        o = act(o, c, <u32>load<u8>(t + <usize>c), json);
        break;
      }
      store<u8>(o, <u8>c);
      o++;
    }
  }
  outPos = o;
}

// The byte classes (bytes.ts) that need an action in context ctx, inside a JSON string or not (the
// bytes JSON escapes are all B_STOP, which every context has). A function of constants, so that a
// writer called with a constant context tests the class against a constant.
@inline function ctxClass(ctx: i32): u32 {
  return ctx == CTX_CEF_HEADER ? B_STOP | B_PIPE | B_DEL
    : ctx == CTX_CEF_VALUE ? B_STOP | B_EQUALS | B_DEL
    : ctx == CTX_SD_VALUE ? B_STOP | B_BRACKET | B_DEL
    : ctx == CTX_MSG ? B_STOP | B_DEL
    // conservative: '_' ':' and the like take the escaper
    : ctx == CTX_PRINTUSASCII ? B_STOP | B_NONHOST
    : B_STOP; // CTX_JSON
}

/** ctxClass() of each context, for writers called with a context that is not a constant. */
const CTX_CLASS: usize = memory.data(8);
function initCtxClass(): void {
  for (let ctx = 0; ctx <= CTX_JSON; ctx++) store<u8>(CTX_CLASS + <usize>ctx, <u8>ctxClass(ctx));
}
initCtxClass();

/** Writes len bytes at src for context ctx: copied whole when the value's class (bytes.ts) says
 * nothing in it needs an action there, else through escapeInto(). */
export function putValue(src: usize, len: usize, cls: u8, ctx: i32): void {
  if ((<u32>cls & <u32>load<u8>(CTX_CLASS + <usize>ctx)) != 0) escapeInto(src, len, ctx);
  else putRaw(src, len);
}

/** Writes kl bytes at k as they are (a key and its separator, in static data: copied as two words
 * with no read-limit check when they fit in 16), then n bytes at v for context ctx, with one
 * reservation when the value needs no escaping. */
@inline export function putField(k: usize, kl: usize, v: usize, n: usize, cls: u8, ctx: i32): void {
  if ((<u32>cls & ctxClass(ctx)) != 0) {
    putRaw(k, kl);
    escapeInto(v, n, ctx);
    return;
  }
  reserve(kl + n);
  const o = outPos;
  if (kl <= 16) {
    store<u64>(o, load<u64>(k));
    store<u64>(o, load<u64>(k, 8), 8);
  } else {
    memory.copy(o, k, kl);
  }
  copyShort(o + kl, v, n);
  outPos = o + kl + n;
}

/** Length of the longest prefix of the UTF-8 text at src that fits in max bytes without splitting a character. */
export function utf8Prefix(src: usize, len: usize, max: usize): usize {
  if (max == 0 || len <= max) return len;
  let n = max;
  while (n > 0 && (load<u8>(src + n) & 0xc0) == 0x80) n--;
  return n;
}
