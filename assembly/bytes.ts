// Byte classes: what the scanner learns about a string while it looks for its end, so that the
// writers can copy a value whole when nothing in it needs escaping in the context at hand.
//
// PAIR[u16] is the class of two bytes at once (a load<u16> is the index): the scanner tests eight
// bytes with four lookups. Bits 0 and 1 say which of the two bytes ends a plain run of a JSON string
// ('"', '\' or a control character); the other bits are the union of both bytes' output classes.
// A byte that ends a run has no output class of its own, so for a pair whose second byte ends the
// run, the output bits are exactly the first byte's.

/** The first byte of the pair ends a plain run ('"', '\\', below 0x20). In a string's class: it held an escape. */
export const B_STOP: u8 = 1;
/** The second byte of the pair ends a plain run. */
export const B_STOP_HI: u8 = 2;
/** A byte >= 0x80: UTF-8 to be checked. */
export const B_HIGH: u8 = 4;
/** '|': escaped in a CEF header field. */
export const B_PIPE: u8 = 8;
/** '=': escaped in a CEF extension value. */
export const B_EQUALS: u8 = 16;
/** ']': escaped in an RFC 5424 PARAM-VALUE. */
export const B_BRACKET: u8 = 32;
/** DEL (0x7f): replaced everywhere. */
export const B_DEL: u8 = 64;
/** Any byte but A-Za-z0-9 . _ - (set with the bits above too): not a plain host-name character. */
export const B_NONHOST: u8 = 128;

/** The class of a value the engine did not scan: every bit, so it goes through the escaper. */
export const CLASS_UNKNOWN: u8 = 0xff;
/** The class of decimal digits. */
export const CLASS_DIGITS: u8 = 0;

/** Class of one byte, run ends in bit 0. */
export const BYTE_CLASS: usize = memory.data(256);
/** Class of two bytes, indexed by load<u16>. */
export const PAIR_CLASS: usize = memory.data(65536);

function classOf(c: i32): u8 {
  if (c == 34 || c == 92 || c < 32) return B_STOP;
  let k: u8 = 0;
  if (c >= 0x80) k |= B_HIGH;
  if (c == 124) k |= B_PIPE;
  if (c == 61) k |= B_EQUALS;
  if (c == 93) k |= B_BRACKET;
  if (c == 127) k |= B_DEL;
  const host = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 46 || c == 95 || c == 45;
  if (!host) k |= B_NONHOST;
  return k;
}

function initClasses(): void {
  for (let c = 0; c < 256; c++) store<u8>(BYTE_CLASS + <usize>c, classOf(c));
  for (let hi = 0; hi < 256; hi++) {
    const h = load<u8>(BYTE_CLASS + <usize>hi);
    // little-endian: the first byte is the low half of the index
    const hk: u8 = (h & B_STOP) != 0 ? B_STOP_HI : h;
    const row = PAIR_CLASS + (<usize>hi << 8);
    for (let lo = 0; lo < 256; lo++) store<u8>(row + <usize>lo, load<u8>(BYTE_CLASS + <usize>lo) | hk);
  }
}
initClasses();

/** Output class of n bytes at p (run-ending bytes count as B_STOP): for values the scanner did not see. */
export function classOfText(p: usize, n: usize): u8 {
  let k: u32 = 0;
  for (let i: usize = 0; i < n; i++) k |= <u32>load<u8>(<usize>load<u8>(p + i), BYTE_CLASS);
  return <u8>k;
}

// ---- eight bytes at a time (a little-endian word) -------------------------------------------

export const ONES: u64 = 0x0101010101010101;
export const HIGHS: u64 = 0x8080808080808080;
const LOW7: u64 = 0x7f7f7f7f7f7f7f7f;

/** The high bit of each byte of x that is 0, exactly. */
@inline export function zeroBytes(x: u64): u64 {
  return ~(((x & LOW7) + LOW7) | x) & HIGHS;
}
/** The high bit of each byte of x that is an ASCII digit, exactly. */
@inline export function digitBytes(x: u64): u64 {
  const a = x ^ 0x3030303030303030;
  return ~(((a & LOW7) + 0x7676767676767676) | a) & HIGHS;
}
/** One bit per byte (bit i: byte i) of a mask with only high bits set. */
@inline export function gatherBytes(m: u64): u32 {
  return <u32>(((m >> 7) * 0x0102040810204080) >> 56);
}
