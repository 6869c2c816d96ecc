// The record being converted: one slot per known key, a short list of unknown keys, and the
// per-record arena that decoded values live in. Nothing here allocates per record: the slot
// tables are static and the arena only grows.

import {
  FIELD_COUNT, ROLE_COUNT, ROLE_MESSAGE, ROLE_HOST, ROLE_PRODUCT_VERSION, ROLE_FACILITY, ROLE_PROCID, ROLE_ENTERPRISE_NUMBER, KEYS, KEY_COUNT, KEY_INDEX_SIZE, KEY_INDEX_BITS, STRINGS, FIELDS,
  DERIVED_FIELD_COUNT, COMPANION_SUFFIX, COMPANION_SUFFIX_LEN, MAX_COMPANION_KEY,
} from "./generated/catalogue";
import { KIND_STRING, KIND_NULL, KIND_NESTED, FLAG_ESCAPE, FLAG_HIGH } from "./json";
import { CLASS_UNKNOWN } from "./bytes";
import { decodeInto, escapedClass } from "./text";

// ---- slots ---------------------------------------------------------------------------------
// 16 bytes each: u32 generation, u32 ptr, u32 len, u8 kind, u8 flags (0 once decoded),
// u8 set from a received line, u8 output class of the value (bytes.ts)
const SLOT: usize = 16;
export const SLOT_COUNT: i32 = FIELD_COUNT + ROLE_COUNT;
const SLOTS: usize = memory.data(<i32>SLOT * SLOT_COUNT);
// beginRecord() clears the kinds of the derived fields, ids 0-2, one store each
// @ts-ignore: a compile-time check
if (DERIVED_FIELD_COUNT != 3) ERROR("beginRecord clears 3 derived slots: update it");

/** Unknown keys kept per record; more are dropped and counted. */
export const MAX_EXTRA: i32 = 64;
/** Unknown keys must be valid CEF keys and SD-NAMEs (RFC 5424 §6.3.3 caps SD-NAME at 32). */
export const MAX_KEY_LEN: usize = 32;
// 24 bytes each: u32 keyPtr, u32 keyLen, then a slot (16)
const EXTRA: usize = 24;
const EXTRAS: usize = memory.data(<i32>EXTRA * MAX_EXTRA);
export let extraCount: i32 = 0;
export let droppedKeys: i32 = 0;
/** Unknown keys left out because they are a typed key's companion key (event.ts), which only the
 * engine writes. */
export let reservedKeys: i32 = 0;

let generation: u32 = 0;

// one bit per slot set this record, so that the fields can be listed without visiting every slot
const SET_WORDS: i32 = (SLOT_COUNT + 63) >> 6;
const SET_BITS: usize = memory.data(SET_WORDS * 8);

/** Word w of the set bits: bit i stands for slot id 64 * w + i. */
@inline export function setWordAt(w: i32): u64 {
  return load<u64>(SET_BITS + (<usize>w << 3));
}

// keys given more than once this record, each noted once in the order their repeats appear: the
// slot id of a catalogue key or role (aliases share it), or SLOT_COUNT + i for passed-through key i
/** Repeated keys noted per record; repeats of further keys are only counted. */
export const MAX_DUPLICATES: i32 = 16;
const DUPLICATES: usize = memory.data(MAX_DUPLICATES * 2);
export let duplicateCount: i32 = 0;
/** Repeats of keys past the MAX_DUPLICATES noted ones. */
export let duplicatesPast: i32 = 0;

function noteDuplicate(id: i32): void {
  for (let i = 0; i < duplicateCount; i++) if (<i32>load<u16>(DUPLICATES + (<usize>i << 1)) == id) return;
  if (duplicateCount == MAX_DUPLICATES) {
    duplicatesPast++;
    return;
  }
  store<u16>(DUPLICATES + (<usize>duplicateCount << 1), <u16>id);
  duplicateCount++;
}
/** The i-th repeated key: a slot id, or SLOT_COUNT + the index of a passed-through key. */
@inline export function duplicateAt(i: i32): i32 {
  return <i32>load<u16>(DUPLICATES + (<usize>i << 1));
}

// the arena: decoded values of this record
let arenaBase: usize = 0;
let arenaCap: usize = 0;
let arenaPos: usize = 0;

export function beginRecord(inputLen: usize): void {
  generation++;
  if (generation == 0) {
    memory.fill(SLOTS, 0, SLOT * <usize>SLOT_COUNT);
    generation = 1;
  }
  memory.fill(SET_BITS, 0, <usize>SET_WORDS * 8);
  // the writers visit the derived fields whether set or not (event.ts fieldWord): kind 0 until set,
  // so that a value left from an earlier record is never taken for a plain field (isPlainField)
  store<u8>(SLOTS, 0, 12);
  store<u8>(SLOTS + SLOT, 0, 12);
  store<u8>(SLOTS + 2 * SLOT, 0, 12);
  extraCount = 0;
  droppedKeys = 0;
  reservedKeys = 0;
  duplicateCount = 0;
  duplicatesPast = 0;
  // every decoded byte comes from at most one input byte, growing at most 3x (U+FFFD); a
  // received line (native.ts) is copied once more, unescaped, so 6x covers both
  const need = inputLen * 6 + 256;
  if (need > arenaCap) {
    if (arenaBase != 0) heap.free(arenaBase);
    arenaCap = need < 65536 ? 65536 : need;
    arenaBase = heap.alloc(arenaCap);
  }
  arenaPos = arenaBase;
}

@inline export function slotOf(id: i32): usize {
  return SLOTS + (<usize>id << 4);
}

@inline export function extraSlot(i: i32): usize {
  return EXTRAS + <usize>i * EXTRA + 8;
}
@inline export function extraKey(i: i32): usize {
  return load<u32>(EXTRAS + <usize>i * EXTRA);
}
@inline export function extraKeyLen(i: i32): usize {
  return load<u32>(EXTRAS + <usize>i * EXTRA, 4);
}

/** Bytes 12-15 of a slot as one word: kind; flags (what decoding the value needs: FLAG_ESCAPE,
 * FLAG_HIGH; 0 once decoded); set from a received line (0 here); output class (bytes.ts). */
@inline function slotMeta(kind: u8, flags: u8, cls: u8): u32 {
  return <u32>kind | (<u32>flags << 8) | (<u32>cls << 24);
}

/** The slot word for what the scanner found, cls being the scanner's class of the value: a string
 * with escapes or bytes >= 0x80 is decoded on first use (valueOf), which adds the classes of the
 * characters its escapes stand for. Nested JSON text is kept as it is written ('"' and '\\'
 * included); only its UTF-8 is repaired. */
@inline function scannedMeta(kind: u8, cls: u8): u32 {
  if (kind == KIND_NESTED) return slotMeta(KIND_NESTED, FLAG_HIGH, CLASS_UNKNOWN);
  // numbers and literals never need decoding: their class has neither bit
  return slotMeta(kind, cls & (FLAG_ESCAPE | FLAG_HIGH), cls & ~FLAG_ESCAPE);
}

@inline function storeSlot(s: usize, ptr: usize, len: usize, meta: u32): void {
  store<u32>(s, generation);
  store<u32>(s, <u32>ptr, 4);
  store<u32>(s, <u32>len, 8);
  store<u32>(s, meta, 12);
}

/** Marks catalogue slot id set this record; true when it was set already. */
@inline function markSet(id: usize): bool {
  const w = SET_BITS + ((id >> 6) << 3);
  const old = load<u64>(w);
  const bit = <u64>1 << <u64>(id & 63);
  store<u64>(w, old | bit);
  return (old & bit) != 0;
}

/** Sets a slot (catalogue or passed-through) to a value the record gives, with the given slot word;
 * a catalogue slot set before this record notes a repeated key. */
function setSlot(s: usize, ptr: usize, len: usize, meta: u32): void {
  if (s < SLOTS + SLOT * <usize>SLOT_COUNT) {
    const id = (s - SLOTS) >> 4;
    if (markSet(id)) noteDuplicate(<i32>id);
  }
  storeSlot(s, ptr, len, meta);
}

/** The slot word of a string value of scanner class cls (the scanner keeps a table of them). */
export function stringMeta(cls: u8): u32 {
  return scannedMeta(KIND_STRING, cls);
}

/** Sets the slot of the catalogue key of a member-table row (matchMember) to a string value, with
 * its slot word from stringMeta(): the scanner's hot path, addresses and bit taken from the row. */
@inline export function setRowString(row: usize, ptr: usize, len: usize, meta: u32): void {
  const w = <usize>load<u32>(row, 52);
  const old = load<u64>(w);
  const bit = <u64>1 << <u64>load<u8>(row, 60);
  store<u64>(w, old | bit);
  if ((old & bit) != 0) noteDuplicate(<i32>load<u16>(row, 48));
  storeSlot(<usize>load<u32>(row, 56), ptr, len, meta);
}

/** Sets a slot from what the scanner found (see scannedMeta). */
function setScanned(s: usize, kind: u8, ptr: usize, len: usize, cls: u8): void {
  setSlot(s, ptr, len, scannedMeta(kind, cls));
}

/** Sets the slot of a catalogue key (no received-line key) from what the scanner found. */
export function setKnown(id: i32, kind: u8, ptr: usize, len: usize, cls: u8): void {
  setScanned(slotOf(id), kind, ptr, len, cls);
}

/** Sets a slot from a received line unless the record's own JSON already gave that key;
 * a later value from the line replaces an earlier one from the line. */
export function setFromLine(id: i32, ptr: usize, len: usize): void {
  const s = slotOf(id);
  const current = isCurrent(s);
  if (current && load<u8>(s, 12) != KIND_NULL && load<u32>(s, 8) > 0 && load<u8>(s, 14) == 0) return;
  // a key the line gives twice is a repeat; one that fills what the JSON left empty is not
  if (current && load<u8>(s, 14) != 0) noteDuplicate(id);
  markSet(<usize>id);
  storeSlot(s, ptr, len, slotMeta(KIND_STRING, 0, CLASS_UNKNOWN));
  store<u8>(s, 1, 14);
}

/** n bytes of the arena for this record. */
export function arenaTake(n: usize): usize {
  const at = arenaPos;
  arenaPos += n;
  return at;
}

/** Sets a slot to a value that is already clean UTF-8 (used for values the engine supplies). */
export function setSlotText(id: i32, ptr: usize, len: usize): void {
  markSet(<usize>id);
  storeSlot(slotOf(id), ptr, len, slotMeta(KIND_STRING, 0, CLASS_UNKNOWN));
}


/** The slot was set this record. */
@inline export function isCurrent(s: usize): bool {
  return load<u32>(s) == generation;
}

/** A slot holds a value this record (null counts as absent). */
@inline export function present(s: usize): bool {
  return isCurrent(s) && load<u8>(s, 12) != KIND_NULL;
}
@inline export function kindOf(s: usize): u8 { return load<u8>(s, 12); }

// the value of the last valueOf() call
export let vPtr: usize = 0;
export let vLen: usize = 0;
/** Its output class (bytes.ts). */
export let vClass: u8 = 0;

/** Makes the slot's value clean UTF-8 (decoding it once into the arena) and sets vPtr/vLen. */
@inline export function valueOf(s: usize): void {
  const flags = load<u8>(s, 13);
  if (flags != 0) decodeSlot(s, flags);
  vPtr = <usize>load<u32>(s, 4);
  vLen = <usize>load<u32>(s, 8);
  vClass = load<u8>(s, 15);
}

function decodeSlot(s: usize, flags: u8): void {
  const n = decodeInto(<usize>load<u32>(s, 4), <usize>load<u32>(s, 8), flags, arenaPos);
  store<u32>(s, <u32>arenaPos, 4);
  store<u32>(s, <u32>n, 8);
  store<u8>(s, 0, 13);
  store<u8>(s, load<u8>(s, 15) | escapedClass, 15);
  arenaPos += n;
}

/** Copies text into the arena with ill-formed UTF-8 replaced; returns its address, length in vLen. */
export function repairIntoArena(ptr: usize, len: usize): usize {
  const at = arenaPos;
  vLen = decodeInto(ptr, len, FLAG_HIGH, at);
  arenaPos += vLen;
  return at;
}

// ---- keys ----------------------------------------------------------------------------------

/** n bytes at a and b are equal: eight, four, two, then one at a time, never reading past either. */
function sameBytes(a: usize, b: usize, n: usize): bool {
  while (n >= 8) {
    if (load<u64>(a) != load<u64>(b)) return false;
    a += 8; b += 8; n -= 8;
  }
  if (n >= 4) {
    if (load<u32>(a) != load<u32>(b)) return false;
    a += 4; b += 4; n -= 4;
  }
  if (n >= 2) {
    if (load<u16>(a) != load<u16>(b)) return false;
    a += 2; b += 2; n -= 2;
  }
  return n == 0 || load<u8>(a) == load<u8>(b);
}

// A key is looked up by two words: its first eight bytes (zero-padded) and, when longer than eight,
// its last eight. Both, with the length, decide equality for keys up to 16 bytes; longer keys also
// compare the bytes between. The catalogue generator computes the same words and hash
// (scripts/gen-catalogue.mjs, keyWords and keyHash).
let kw0: u64 = 0;
let kw1: u64 = 0;

function keyWords(p: usize, n: usize): void {
  if (n >= 8) {
    kw0 = load<u64>(p);
    kw1 = load<u64>(p + n - 8);
    return;
  }
  kw1 = 0;
  if (p + 8 <= (<usize>memory.size() << 16)) {
    kw0 = load<u64>(p) & ((<u64>1 << (<u64>n << 3)) - 1);
    return;
  }
  let w: u64 = 0;
  for (let i: usize = 0; i < n; i++) w |= <u64>load<u8>(p + i) << (<u64>i << 3);
  kw0 = w;
}

const KEY_MUL0: u64 = 0x9e3779b97f4a7c15;
const KEY_MUL1: u64 = 0xc2b2ae3d27d4eb4f;

/** Index slot of a key's words (the top bits of its hash, scripts/gen-catalogue.mjs keyHash). */
@inline function keySlot(w0: u64, w1: u64, len: usize): u32 {
  return <u32>((((w0 ^ (w1 * KEY_MUL1)) + <u64>len) * KEY_MUL0) >> <u64>(64 - KEY_INDEX_BITS));
}

// Built at start from the catalogue's KEYS: the open-addressed index (u16 row + 1, 0: empty) and,
// per row, 24 bytes: u64 first word, u64 last word, u16 field or role id, u8 length, u8 pad, u32
// text offset, so that a lookup compares words and never the text (up to 16 bytes).
const KEY_INDEX: usize = memory.data(KEY_INDEX_SIZE * 2);
const KEY_ROWS: usize = memory.data(KEY_COUNT * 24);

function initKeyIndex(): void {
  for (let r = 0; r < KEY_COUNT; r++) {
    const src = KEYS + (<usize>r << 3);
    const off = <usize>load<u32>(src, 4);
    const len = <usize>load<u8>(src, 2);
    keyWords(STRINGS + off, len);
    const w0 = kw0, w1 = kw1;
    const row = KEY_ROWS + <usize>r * 24;
    store<u64>(row, w0);
    store<u64>(row, w1, 8);
    store<u16>(row, load<u16>(src), 16);
    store<u8>(row, <u8>len, 18);
    store<u32>(row, <u32>off, 20);
    let i = keySlot(w0, w1, len);
    while (load<u16>(KEY_INDEX + (<usize>i << 1)) != 0) i = (i + 1) & <u32>(KEY_INDEX_SIZE - 1);
    store<u16>(KEY_INDEX + (<usize>i << 1), <u16>(r + 1));
  }
}
initKeyIndex();

/** Field or role id of the key whose words (see keyWords) are w0, w1, of len bytes at ptr, or -1:
 * the hash of the words picks a slot in the open-addressed index, probed linearly until the key or
 * an empty slot. */
@inline function lookupWords(w0: u64, w1: u64, len: usize, ptr: usize): i32 {
  let i = keySlot(w0, w1, len);
  let id = -1;
  while (true) {
    const r = <usize>load<u16>(KEY_INDEX + (<usize>i << 1));
    if (r == 0) break;
    const row = KEY_ROWS + (r - 1) * 24;
    if (load<u64>(row) == w0 && load<u64>(row, 8) == w1 && <usize>load<u8>(row, 18) == len
      && (len <= 16 || sameBytes(STRINGS + <usize>load<u32>(row, 20) + 8, ptr + 8, len - 16))) {
      id = <i32>load<u16>(row, 16);
      break;
    }
    i = (i + 1) & <u32>(KEY_INDEX_SIZE - 1);
  }
  return id;
}

// ---- the member table ----------------------------------------------------------------------
// The scanner's common member is a catalogue key written compactly: "key": and the value (what
// Fluent Bit writes). The member table matches those bytes, key and '":' together, as up to three
// little-endian words under masks, so that the scanner needs neither to find the key's closing
// quote first nor to test the ':' after it. Every pattern has at least four bytes: a hash of the
// first four picks the row, and keys that share them (host, hostname; event, event_id, ...) share a
// chain of rows (open addressing, linear probing), filled record keys first, then the fields in
// catalogue order, so that the common keys come first in theirs. Keys of one byte or over 22, and
// the received-line keys (message, log), are not in it: they go the long way (lookupKey).

/** Longest key in the member table: its pattern, the key and '":', fills three words. */
export const MEMBER_MAX_KEY: usize = 22;
const MEMBER_BITS: u64 = 9;
const MEMBER_SIZE: usize = 1 << <usize>MEMBER_BITS;
const MEMBER_MUL: u64 = 0xc2b2ae3d27d4eb4f;
/** MEMBER_MASK[w]: the low w bytes of a word. */
const MEMBER_MASK: usize = memory.data(9 * 8);
// rows of 64 bytes: u64 pattern and mask of each of three words (an unused word: both 0; a free
// row: pattern 1, mask 0, which nothing matches), u16 field or role id, u8 key length + 2 (where
// the value starts), u8 1 when used, then for setRowString: u32 address of the key's set-bit word,
// u32 address of its slot, u8 its bit in the word
const MEMBER_ROWS: usize = memory.data(<i32>(MEMBER_SIZE * 64));

/** The first row of the chain for the first four bytes of a pattern (the low half of x). */
@inline function memberSlot(x: u64): usize {
  return <usize>(((x & 0xffffffff) * MEMBER_MUL) >> (64 - MEMBER_BITS));
}
@inline function memberRow(i: usize): usize {
  return MEMBER_ROWS + (i << 6);
}

// the pattern of one key while the table is built
const PATTERN: usize = memory.data(32);

function patternOf(r: i32): usize {
  const src = KEYS + (<usize>r << 3);
  const len = <usize>load<u8>(src, 2);
  memory.fill(PATTERN, 0, 32);
  memory.copy(PATTERN, STRINGS + <usize>load<u32>(src, 4), len);
  store<u8>(PATTERN + len, 34);
  store<u8>(PATTERN + len + 1, 58);
  return len + 2;
}

function memberEligible(r: i32): bool {
  const src = KEYS + (<usize>r << 3);
  const len = <usize>load<u8>(src, 2);
  return len >= 2 && len <= MEMBER_MAX_KEY && <i32>load<u16>(src) != ROLE_MESSAGE;
}

function insertMember(r: i32): void {
  const n = patternOf(r);
  const x = load<u64>(PATTERN);
  let i = memberSlot(x);
  while (load<u8>(memberRow(i), 51) != 0) i = (i + 1) & (MEMBER_SIZE - 1);
  const row = memberRow(i);
  for (let j: usize = 0; j < 3; j++) {
    const left = n > j * 8 ? n - j * 8 : 0;
    const mask = load<u64>(MEMBER_MASK + ((left < 8 ? left : 8) << 3));
    store<u64>(row + (j << 4), load<u64>(PATTERN + (j << 3)) & mask);
    store<u64>(row + (j << 4), mask, 8);
  }
  const id = <usize>load<u16>(KEYS + (<usize>r << 3));
  store<u16>(row, <u16>id, 48);
  store<u8>(row, <u8>n, 50);
  store<u8>(row, 1, 51);
  store<u32>(row, <u32>(SET_BITS + ((id >> 6) << 3)), 52);
  store<u32>(row, <u32>(SLOTS + (id << 4)), 56);
  store<u8>(row, <u8>(id & 63), 60);
}

// while the table is built: the keys of each id as a list (KEYS is in hash order), u16 row + 1
const KEYS_OF_ID: usize = memory.data(SLOT_COUNT * 2);
const NEXT_KEY: usize = memory.data(KEY_COUNT * 2);

/** Inserts the keys of field or role id. */
function insertMembersOf(id: i32): void {
  for (let r = <i32>load<u16>(KEYS_OF_ID + (<usize>id << 1)); r != 0; r = <i32>load<u16>(NEXT_KEY + (<usize>(r - 1) << 1))) {
    if (memberEligible(r - 1)) insertMember(r - 1);
  }
}

function initMemberTable(): void {
  for (let w: usize = 0; w <= 8; w++) store<u64>(MEMBER_MASK + (w << 3), w == 8 ? <u64>-1 : (<u64>1 << (<u64>w << 3)) - 1);
  for (let i: usize = 0; i < MEMBER_SIZE; i++) store<u64>(memberRow(i), 1);
  for (let r = KEY_COUNT - 1; r >= 0; r--) {
    const at = KEYS_OF_ID + (<usize>load<u16>(KEYS + (<usize>r << 3)) << 1);
    store<u16>(NEXT_KEY + (<usize>r << 1), load<u16>(at));
    store<u16>(at, <u16>(r + 1));
  }
  // the record keys first, then the fields in catalogue order: keys that share their first four
  // bytes share a chain, and the common ones come first in it
  for (let id = FIELD_COUNT; id < SLOT_COUNT; id++) insertMembersOf(id);
  for (let id = 0; id < FIELD_COUNT; id++) insertMembersOf(id);
}
initMemberTable();

/** The member table's row for the member at k (just after the key's opening quote) when it is a
 * catalogue key written "key": with nothing between, else 0. Reads up to 24 bytes at k. The row
 * holds the key's field or role id (memberId) and where the value starts (memberValueAt), right
 * after the ':'. */
@inline export function matchMember(k: usize): usize {
  const x = load<u64>(k);
  let i = memberSlot(x);
  while (true) {
    const row = memberRow(i);
    if ((x & load<u64>(row, 8)) == load<u64>(row) && (load<u64>(k, 8) & load<u64>(row, 24)) == load<u64>(row, 16)
      && (load<u64>(row, 40) == 0 || (load<u64>(k, 16) & load<u64>(row, 40)) == load<u64>(row, 32))) return row;
    if (load<u8>(row, 51) == 0) return 0;
    i = (i + 1) & (MEMBER_SIZE - 1);
  }
  return 0;
}
@inline export function memberId(row: usize): i32 { return <i32>load<u16>(row, 48); }
@inline export function memberValueAt(row: usize, k: usize): usize { return k + <usize>load<u8>(row, 50); }

/** Field or role id of the key of len bytes at ptr, or -1. */
export function lookupKey(ptr: usize, len: usize): i32 {
  keyWords(ptr, len);
  return lookupWords(kw0, kw1, len, ptr);
}

/** [A-Za-z][A-Za-z0-9_]{0,31}: safe as a CEF key and as an SD-NAME. */
function validExtraKey(ptr: usize, len: usize): bool {
  if (len == 0 || len > MAX_KEY_LEN) return false;
  for (let i: usize = 0; i < len; i++) {
    const c = <u32>load<u8>(ptr + i);
    const alpha = (c | 32) - 97 < 26;
    if (i == 0 ? !alpha : !(alpha || c - 48 < 10 || c == 95)) return false;
  }
  return true;
}

/** The key of len bytes at k is a typed key's companion key. */
function isCompanionKey(k: usize, len: usize): bool {
  // every companion key ends as COMPANION_SUFFIX does
  if (load<u8>(k + len - 1) != load<u8>(STRINGS + <usize>(COMPANION_SUFFIX + COMPANION_SUFFIX_LEN - 1))) return false;
  for (let id = 0; id < FIELD_COUNT; id++) {
    const c = companionKey(id);
    if (c != 0 && companionKeyLen(id) == len && sameBytes(c, k, len)) return true;
  }
  return false;
}

/** Called by the scanner for a member whose key is plain text (no escapes, no bytes >= 0x80) and
 * that it has looked up already (id, -1 when unknown). Later duplicates win, as in JSON.parse. */
export function onPlainMember(id: i32, k: usize, kLen: usize, kind: u8, v: usize, vLen: usize, vClass: u8): void {
  if (id >= 0) {
    setScanned(slotOf(id), kind, v, vLen, vClass);
    // message/log is also kept as a plain field, for records whose line is not read (event.ts)
    if (id != ROLE_MESSAGE) return;
  }
  // unknown keys pass through under their own name when it is a safe identifier
  if (!validExtraKey(k, kLen)) {
    droppedKeys++;
    return;
  }
  if (isCompanionKey(k, kLen)) {
    reservedKeys++;
    return;
  }
  for (let i = 0; i < extraCount; i++) {
    if (extraKeyLen(i) == kLen && sameBytes(extraKey(i), k, kLen)) {
      setScanned(extraSlot(i), kind, v, vLen, vClass);
      // message/log: its repeat is noted on the role already
      if (id < 0) noteDuplicate(SLOT_COUNT + i);
      return;
    }
  }
  if (extraCount >= MAX_EXTRA) {
    droppedKeys++;
    return;
  }
  const e = EXTRAS + <usize>extraCount * EXTRA;
  store<u32>(e, <u32>k);
  store<u32>(e, <u32>kLen, 4);
  setScanned(e + 8, kind, v, vLen, vClass);
  extraCount++;
}

/** Called by the scanner for any other member: the key is decoded first. A key written with
 * escapes still names a catalogue key, but never passes through as an unknown one. */
export function onMember(k: usize, kLen: usize, kClass: u8, kind: u8, v: usize, vLen: usize, vClass: u8): void {
  const kFlags = kClass & (FLAG_ESCAPE | FLAG_HIGH);
  if (kFlags != 0) {
    const n = decodeInto(k, kLen, kFlags, arenaPos);
    k = arenaPos;
    kLen = n;
    arenaPos += n;
  }
  const id = lookupKey(k, kLen);
  if ((kFlags & FLAG_ESCAPE) == 0) {
    onPlainMember(id, k, kLen, kind, v, vLen, vClass);
    return;
  }
  if (id >= 0) setScanned(slotOf(id), kind, v, vLen, vClass);
  else droppedKeys++;
}

// Per-site values an operator adds to every record (Fluent Bit's modify filter, Vector's remap):
// a record of nothing but these and `log`/`message` is still a bare line (native.ts bareText).
const SITE_ROLES: StaticArray<i32> = [ROLE_HOST, ROLE_PRODUCT_VERSION, ROLE_FACILITY, ROLE_PROCID, ROLE_ENTERPRISE_NUMBER];
export function siteRoleCount(): i32 { return SITE_ROLES.length; }
export function siteRole(i: i32): i32 { return SITE_ROLES[i]; }
/** Per set-bit word, the bits a bare line may have: the line keys' role and the per-site roles. */
const BARE_BITS: usize = memory.data(SET_WORDS * 8);
function initBareBits(): void {
  const ids = SITE_ROLES.length;
  for (let i = -1; i < ids; i++) {
    const id = i < 0 ? ROLE_MESSAGE : SITE_ROLES[i];
    const w = BARE_BITS + (<usize>(id >> 6) << 3);
    store<u64>(w, load<u64>(w) | (<u64>1 << <u64>(id & 63)));
  }
}
initBareBits();

/** The record's keys are `message`/`log` (any spelling of that role) and per-site values only. */
export function onlyLineKeys(): bool {
  if (droppedKeys != 0) return false;
  for (let w = 0; w < SET_WORDS; w++) {
    if ((setWordAt(w) & ~load<u64>(BARE_BITS + (<usize>w << 3))) != 0) return false;
  }
  // message/log also pass through as plain keys
  for (let i = 0; i < extraCount; i++) {
    if (lookupKey(extraKey(i), extraKeyLen(i)) != ROLE_MESSAGE) return false;
  }
  return true;
}

// ---- catalogue field rows ------------------------------------------------------------------
@inline export function fieldKey(id: i32): usize { return STRINGS + <usize>load<u32>(FIELDS + <usize>id * 8); }
@inline export function fieldKeyLen(id: i32): usize { return <usize>load<u8>(FIELDS + <usize>id * 8, 4); }
@inline export function fieldType(id: i32): u8 { return load<u8>(FIELDS + <usize>id * 8, 5); }
@inline export function fieldMax(id: i32): usize { return <usize>load<u16>(FIELDS + <usize>id * 8, 6); }

// ---- companion keys ------------------------------------------------------------------------
// A typed field's value that does not pass its check is written under its companion key, the key
// and COMPANION_SUFFIX (event.ts fieldAt). Built here at start, each as " keyInvalid=" so that a
// format writes it as it writes a catalogue key (fKey - 1, fKeyLen + 2); COMPANION_AT[id] is the
// offset of the key in COMPANIONS, 0 when the field has none: a string field, or a companion longer
// than an SD-NAME may be (RFC 5424 §6.3.3).
const SUFFIX_LEN: usize = <usize>COMPANION_SUFFIX_LEN;
const COMPANIONS: usize = memory.data(FIELD_COUNT * (MAX_COMPANION_KEY + 2));
const COMPANION_AT: usize = memory.data(FIELD_COUNT * 2);

function initCompanions(): void {
  let c: usize = 0;
  for (let id = 0; id < FIELD_COUNT; id++) {
    const kl = fieldKeyLen(id);
    if (fieldType(id) == 0 || kl + SUFFIX_LEN > <usize>MAX_COMPANION_KEY) continue;
    const at = COMPANIONS + c;
    store<u8>(at, 32);
    memory.copy(at + 1, fieldKey(id), kl);
    memory.copy(at + 1 + kl, STRINGS + <usize>COMPANION_SUFFIX, SUFFIX_LEN);
    store<u8>(at + 1 + kl + SUFFIX_LEN, 61);
    store<u16>(COMPANION_AT + (<usize>id << 1), <u16>(c + 1));
    c += kl + SUFFIX_LEN + 2;
  }
}
initCompanions();

/** The companion key of field id (0 when none) and its length. */
@inline export function companionKey(id: i32): usize {
  const off = <usize>load<u16>(COMPANION_AT + (<usize>id << 1));
  return off == 0 ? 0 : COMPANIONS + off;
}
@inline export function companionKeyLen(id: i32): usize { return fieldKeyLen(id) + SUFFIX_LEN; }
