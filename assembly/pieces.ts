// Output that depends on nothing but the catalogue event and the output mode (the CEF header's
// class, name and severity; the start of our SD-ELEMENT; the Fluent Bit
// record's msgid, event_id, event_name and cef_severity) is written once per event and kind, kept,
// and copied whole the next time. Same bytes either way:
// the kept piece is what the writer wrote.
//
//   const key = pieceKey(PIECE_...);
//   if (!putPiece(key)) { const at = pieceStart(); ...write it...; keepPiece(key, at); }

import { EVENT_COUNT } from "./generated/catalogue";
import { outBase, outPos, putRaw } from "./out";

/** The CEF header from the Device Event Class ID to the last '|', in a bare line. */
export const PIECE_CEF_HEAD: i32 = 0;
/** The same inside a JSON string (the Fluent Bit record's message). */
export const PIECE_CEF_HEAD_JSON: i32 = 1;
/** The Fluent Bit record's keys from msgid to cef_severity. */
export const PIECE_RECORD_TAIL: i32 = 2;
/** The SD-ELEMENT's start: SD-ID, event-id and event-name, in a bare line and inside a JSON string. */
export const PIECE_SD_HEAD: i32 = 3;
export const PIECE_SD_HEAD_JSON: i32 = 4;
const PIECE_KINDS: i32 = 5;

/** Longest piece kept (one length byte); a longer one is written every time. */
const MAX_PIECE: usize = 255;
/** Room for the pieces: at most EVENT_COUNT * PIECE_KINDS of them; when full, pieces are written
 * every time. */
const POOL_SIZE: usize = 16384;
const POOL: usize = memory.data(<i32>POOL_SIZE);
let poolUsed: usize = 0;
/** PIECE_AT[key]: 0, or (offset in the pool << 8) | length, offset + 1 so that 0 means none. */
const PIECE_AT: usize = memory.data(EVENT_COUNT * PIECE_KINDS * 4);

/** The key of a piece of kind for catalogue event index e (>= 0), or -1 for no catalogue event. */
export function pieceKey(e: i32, kind: i32): i32 {
  return e < 0 ? -1 : e * PIECE_KINDS + kind;
}

/** Writes the kept piece for key; false when there is none (key -1 included). */
export function putPiece(key: i32): bool {
  if (key < 0) return false;
  const at = load<u32>(PIECE_AT + (<usize>key << 2));
  if (at == 0) return false;
  putRaw(POOL + (<usize>(at >> 8) - 1), <usize>(at & 0xff));
  return true;
}

/** Where a piece starts, as an offset in the output buffer (which may move while it is written). */
export function pieceStart(): usize {
  return outPos - outBase;
}

/** Keeps what was written since pieceStart() (at) as the piece for key, when there is room. */
export function keepPiece(key: i32, at: usize): void {
  if (key < 0) return;
  const n = outPos - outBase - at;
  if (n > MAX_PIECE || poolUsed + n > POOL_SIZE) return;
  memory.copy(POOL + poolUsed, outBase + at, n);
  store<u32>(PIECE_AT + (<usize>key << 2), <u32>(((poolUsed + 1) << 8) | n));
  poolUsed += n;
}
