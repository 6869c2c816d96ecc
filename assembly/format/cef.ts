// CEF (ArcSight Common Event Format, implementation standard rev. 25):
//   CEF:Version|Device Vendor|Device Product|Device Version|Device Event Class ID|Name|Severity|Extension

import {
  classPtr, classLen, classClass, namePtr, nameLen, nameClass, cefSeverity, eventIndex, versionPtr, versionLen, versionClass,
  FIELD_WORDS, fieldWord, isPlainField, fieldOut, outCefKey, outCefKeyLen, fieldAt, extraAt, finishFields, fKey, fKeyLen, fValue, fLen, fClass,
} from "../event";
import { slotOf, extraCount } from "../record";
import { putLit, putAscii, lit, putValue, putField, putRaw, putNumber, putByte, reserve, utf8Prefix, jsonMode, CTX_CEF_HEADER, CTX_CEF_VALUE } from "../out";
import { pieceKey, putPiece, pieceStart, keepPiece, PIECE_CEF_HEAD, PIECE_CEF_HEAD_JSON } from "../pieces";

/** Device Vendor and Device Product: fixed, well inside the standard's 63 characters. */
export const CEF_VENDOR = "MT4";
export const CEF_PRODUCT = "Segura";
/** Device Version: at most 31 characters. */
export const CEF_MAX_VERSION: usize = 31;
/** Device Event Class ID: at most 1023 characters. */
export const CEF_MAX_CLASS_ID: usize = 1023;
/** Name: at most 512 characters. */
export const CEF_MAX_NAME: usize = 512;

function headerField(p: usize, n: usize, cls: u8, max: usize): void {
  putValue(p, utf8Prefix(p, n, max), cls, CTX_CEF_HEADER);
  reserve(1);
  putByte(124);
}

const L_CEF_START = lit("CEF:0|MT4|Segura|");

/** Writes the CEF line of the current event. Severity is always an integer 0-10. */
export function writeCef(): void {
  putLit(L_CEF_START); // version 0, CEF_VENDOR, CEF_PRODUCT
  headerField(versionPtr, versionLen, versionClass, CEF_MAX_VERSION);
  // class, name and severity: the same for every record of a catalogue event (pieces.ts)
  const key = pieceKey(eventIndex, jsonMode ? PIECE_CEF_HEAD_JSON : PIECE_CEF_HEAD);
  if (!putPiece(key)) {
    const at = pieceStart();
    headerField(classPtr, classLen, classClass, CEF_MAX_CLASS_ID);
    headerField(namePtr, nameLen, nameClass, CEF_MAX_NAME);
    putNumber(<u64>cefSeverity);
    putAscii(124);
    keepPiece(key, at);
  }
  // one space after the last '|': valid for every CEF parser (space separates extension pairs)
  // and keeps liblognorm 2.0.6 from eating the first key's first character
  for (let w = 0; w < FIELD_WORDS; w++) {
    for (let bits = fieldWord(w); bits != 0; bits &= bits - 1) {
      const id = (w << 6) + <i32>ctz(bits);
      const s = slotOf(id);
      const row = fieldOut(id);
      if (isPlainField(row, s)) {
        putField(outCefKey(row), outCefKeyLen(row), <usize>load<u32>(s, 4), <usize>load<u32>(s, 8), load<u8>(s, 15), CTX_CEF_VALUE);
      } else if (fieldAt(id)) {
        putField(fKey - 1, fKeyLen + 2, fValue, fLen, fClass, CTX_CEF_VALUE);
      }
    }
  }
  for (let i = 0; i < extraCount; i++) {
    if (!extraAt(i)) continue;
    putAscii(32);
    putRaw(fKey, fKeyLen);
    putAscii(61);
    putValue(fValue, fLen, fClass, CTX_CEF_VALUE);
  }
  finishFields();
}
