// The one reusable output buffer and the escapers that write into it.
//
// Every byte of every output line passes through escapeInto() with a context table: 256 one-byte
// actions, one per input byte. The same line can be written raw (WASI `cef`, `syslog` modes) or
// already JSON-escaped inside the `message` string of the record Fluent Bit receives; `jsonMode`
// picks the second set of tables, so no line is ever built twice.

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
// three bytes per context that force the slow path besides controls and DEL (SWAR fast path)
const SPECIALS: usize = memory.data(2 * CTX_COUNT * 3);

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
      }
      const s = SPECIALS + <usize>((json * CTX_COUNT + ctx) * 3);
      // unused places repeat the first special (or NUL, which the control check covers anyway)
      let n: usize = 0;
      for (let c = 32; c < 127 && n < 3; c++) {
        if (load<u8>(t + <usize>c) != A_COPY) {
          store<u8>(s + n, <u8>c);
          n++;
        }
      }
      for (let i = n; i < 3; i++) store<u8>(s + i, load<u8>(s));
    }
  }
}
initTables();

// ---- the buffer ----------------------------------------------------------------------------
export let outBase: usize = 0;
let outCap: usize = 0;
export let outPos: usize = 0;
export let jsonMode: bool = false;

/** Makes room for n more bytes. The buffer only grows; it is reused by every record. */
export function reserve(n: usize): void {
  if (outPos + n <= outBase + outCap) return;
  const used = outPos - outBase;
  let cap = outCap < 4096 ? <usize>4096 : outCap;
  while (cap < used + n) cap <<= 1;
  outBase = outBase == 0 ? heap.alloc(cap) : heap.realloc(outBase, cap);
  outCap = cap;
  outPos = outBase + used;
}

export function resetOut(json: bool): void {
  reserve(0);
  outPos = outBase;
  jsonMode = json;
}

export function setJsonMode(on: bool): void {
  jsonMode = on;
}

@inline export function putByte(c: u32): void {
  store<u8>(outPos, <u8>c);
  outPos++;
}

/** Writes bytes that need no escaping in any context (ASCII keys, digits, fixed text). */
export function putRaw(src: usize, len: usize): void {
  reserve(len);
  memory.copy(outPos, src, len);
  outPos += len;
}

/** Writes a fixed ASCII string literal. */
export function putText(s: string): void {
  const n = <usize>s.length;
  reserve(n);
  for (let i: usize = 0; i < n; i++) store<u8>(outPos + i, <u8>load<u16>(changetype<usize>(s) + (i << 1)));
  outPos += n;
}

/** Decimal digits of v, measured then written right to left. */
export function putU64(v: u64): void {
  let n: usize = 1;
  let t = v;
  while (t >= 10) { t /= 10; n++; }
  reserve(n);
  let p = outPos + n;
  do {
    p--;
    store<u8>(p, <u8>(48 + v % 10));
    v /= 10;
  } while (v != 0);
  outPos += n;
}

/** Writes a '"' or '\' that is part of the format itself (SD quotes), JSON-escaped when needed. */
export function putFormatQuote(c: u32): void {
  reserve(2);
  if (jsonMode) putByte(92);
  putByte(c);
}

const HEX: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

// SWAR helpers over 8 bytes (little-endian): flags the first byte equal to b / below 0x20 exactly
const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
@inline function zeroByte(x: u64): u64 { return (x - ONES) & ~x & HIGHS; }
@inline function hasByte(x: u64, b: u64): u64 { return zeroByte(x ^ (b * ONES)); }
@inline function belowSpace(x: u64): u64 { return (x - 0x2020202020202020) & ~x & HIGHS; }

/** Escapes len bytes at src into the buffer for context ctx. src is valid UTF-8. */
export function escapeInto(src: usize, len: usize, ctx: i32): void {
  // worst case: every byte becomes \u00XX (6) or, in JSON mode, a 3-byte sequence escaped twice
  reserve(len * 6 + 8);
  const sel = (<i32>jsonMode * CTX_COUNT + ctx);
  const t = TABLES + <usize>(sel << 8);
  const s = SPECIALS + <usize>(sel * 3);
  const c1 = <u64>load<u8>(s), c2 = <u64>load<u8>(s, 1), c3 = <u64>load<u8>(s, 2);
  const swar = ctx != CTX_PRINTUSASCII;
  const end = src + len;
  let p = src;
  let o = outPos;
  while (p < end) {
    if (swar) {
      while (p + 8 <= end) {
        const x = load<u64>(p);
        const hit = belowSpace(x) | hasByte(x, c1) | hasByte(x, c2) | hasByte(x, c3) | hasByte(x, 0x7f);
        if (hit == 0) {
          store<u64>(o, x);
          p += 8;
          o += 8;
          continue;
        }
        const k = <usize>(ctz(hit) >> 3);
        for (let i: usize = 0; i < k; i++) store<u8>(o + i, load<u8>(p + i));
        p += k;
        o += k;
        break;
      }
      if (p >= end) break;
    }
    const c = <u32>load<u8>(p);
    p++;
    const a = load<u8>(t + <usize>c);
    if (a == A_COPY) {
      store<u8>(o, <u8>c);
      o++;
    } else if (a == A_BACKSLASH) {
      if (jsonMode) {
        store<u8>(o, 92); store<u8>(o, 92, 1); o += 2;
        if (c == 92 || c == 34) { store<u8>(o, 92); o++; }
      } else {
        store<u8>(o, 92); o++;
      }
      store<u8>(o, <u8>c); o++;
    } else if (a == A_LF || a == A_CR) {
      store<u8>(o, 92); o++;
      if (jsonMode) { store<u8>(o, 92); o++; }
      store<u8>(o, a == A_LF ? 110 : 114); o++;
    } else if (a == A_REPLACE) {
      store<u8>(o, 0xef); store<u8>(o, 0xbf, 1); store<u8>(o, 0xbd, 2); o += 3;
    } else if (a == A_SPACE) {
      store<u8>(o, 32); o++;
    } else if (a == A_UNDERSCORE) {
      store<u8>(o, 95); o++;
    } else if (a == A_UESCAPE) {
      store<u8>(o, 92); store<u8>(o, 117, 1); store<u8>(o, 48, 2); store<u8>(o, 48, 3);
      store<u8>(o, load<u8>(HEX + <usize>(c >> 4)), 4);
      store<u8>(o, load<u8>(HEX + <usize>(c & 15)), 5);
      o += 6;
    } else if (a == A_JSONQUOTE) {
      store<u8>(o, 92); store<u8>(o, <u8>c, 1); o += 2;
    }
    // A_DROP writes nothing
  }
  outPos = o;
}

/** Length of the longest prefix of the UTF-8 text at src that fits in max bytes without splitting a character. */
export function utf8Prefix(src: usize, len: usize, max: usize): usize {
  if (max == 0 || len <= max) return len;
  let n = max;
  while (n > 0 && (load<u8>(src + n) & 0xc0) == 0x80) n--;
  return n;
}
