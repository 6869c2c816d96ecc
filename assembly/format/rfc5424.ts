// RFC 5424 syslog:
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]

import {
  facility, syslogSeverity, hasTime, timeSec, timeMicro, hostnamePtr, hostnameLen, hostnameClass, procidPtr, procidLen, procidClass,
  classPtr, classLen, classClass, namePtr, nameLen, nameClass, msgPtr, msgLen, msgClass, eventIndex, msgidLen, penPtr, penLen,
  FIELD_WORDS, fieldWord, isPlainField, fieldOut, outKey, outKeyLen, fieldAt, extraAt, finishFields, fKey, fKeyLen, fValue, fLen, fClass,
} from "../event";
import {
  putValue, putLit, putAscii, lit, putRaw, putNumber, putByte, putFormatQuote, reserve, utf8Prefix, jsonMode,
  CTX_PRINTUSASCII, CTX_SD_VALUE, CTX_MSG,
} from "../out";
import { formatTimestamp } from "../text";
import { slotOf, fieldKey, fieldKeyLen, extraCount } from "../record";
import { FIELD_MSG } from "../generated/catalogue";
import { writeCef } from "./cef";
import { pieceKey, putPiece, pieceStart, keepPiece, PIECE_SD_HEAD, PIECE_SD_HEAD_JSON } from "../pieces";

/** §6.2.4: HOSTNAME is at most 255 PRINTUSASCII characters. */
export const MAX_HOSTNAME: usize = 255;
/** §6.2.5: APP-NAME is at most 48. */
export const MAX_APP_NAME: usize = 48;
/** §6.2.6: PROCID is at most 128. */
export const MAX_PROCID: usize = 128;
/** §6.2.7: MSGID is at most 32. */
export const MAX_MSGID: usize = 32;
/** APP-NAME, as Segura itself sends it. */
export const APP_NAME = "Segura";
/** §7.2.2 SD-ID of our element: a name, '@', and a private enterprise number: the record's
 * `enterprise_number`, else 32473, the number RFC 5612 reserves for documentation (event.ts);
 * receivers match on the whole SD-ID. */
export const SD_NAME = "segura";

const L_VERSION = lit(">1 ");
const L_APP_NAME = lit(" Segura");
const L_SD_ID = lit(" [segura@");
const L_NIL_SD = lit(" - ");

/** One header field: PRINTUSASCII, cut to max, or the NILVALUE '-' when empty. */
function headerField(p: usize, n: usize, cls: u8, max: usize): void {
  reserve(1);
  putByte(32);
  if (n == 0) {
    putByte(45);
    return;
  }
  putValue(p, utf8Prefix(p, n, max), cls, CTX_PRINTUSASCII);
}

export function writeHeader(): void {
  putAscii(60);
  putNumber(<u64>(facility * 8 + syslogSeverity));
  putLit(L_VERSION);
  if (hasTime) putRaw(formatTimestamp(timeSec, timeMicro), 27);
  else putAscii(45);
  headerField(hostnamePtr, hostnameLen, hostnameClass, MAX_HOSTNAME);
  putLit(L_APP_NAME); // APP_NAME
  headerField(procidPtr, procidLen, procidClass, MAX_PROCID);
  headerField(classPtr, msgidLen, classClass, MAX_MSGID);
}

function param(k: usize, kl: usize, v: usize, vl: usize, cls: u8): void {
  reserve(1);
  putByte(32);
  putRaw(k, kl);
  reserve(1);
  putByte(61);
  putFormatQuote(34);
  putValue(v, vl, cls, CTX_SD_VALUE);
  putFormatQuote(34);
}

const REPLACEMENT: usize = memory.data<u8>([0xef, 0xbf, 0xbd]); // U+FFFD

// The event's own PARAM-NAMEs carry a '-', which no field key and no passed-through key can contain
// (those are [A-Za-z][A-Za-z0-9_]*), so no field can ever repeat or shadow them.
const K_EVENT_ID: usize = memory.data<u8>([101, 118, 101, 110, 116, 45, 105, 100]); // event-id
const K_EVENT_NAME: usize = memory.data<u8>([101, 118, 101, 110, 116, 45, 110, 97, 109, 101]); // event-name

/** The event's fields as one SD-ELEMENT, msg excepted (it is the MSG). */
function writeStructuredData(): void {
  putLit(L_SD_ID); // SD_NAME and '@'
  putRaw(penPtr, penLen);
  const key = pieceKey(eventIndex, jsonMode ? PIECE_SD_HEAD_JSON : PIECE_SD_HEAD);
  if (!putPiece(key)) {
    const at = pieceStart();
    param(K_EVENT_ID, 8, classPtr, classLen, classClass);
    param(K_EVENT_NAME, 10, namePtr, nameLen, nameClass);
    keepPiece(key, at);
  }
  for (let w = 0; w < FIELD_WORDS; w++) {
    for (let bits = fieldWord(w); bits != 0; bits &= bits - 1) {
      const id = (w << 6) + <i32>ctz(bits);
      const s = slotOf(id);
      const row = fieldOut(id);
      if (id != FIELD_MSG && isPlainField(row, s)) {
        param(outKey(row), outKeyLen(row), <usize>load<u32>(s, 4), <usize>load<u32>(s, 8), load<u8>(s, 15));
      } else if (fieldAt(id) && id != FIELD_MSG) {
        param(fKey, fKeyLen, fValue, fLen, fClass);
      }
    }
  }
  for (let i = 0; i < extraCount; i++) {
    if (extraAt(i)) param(fKey, fKeyLen, fValue, fLen, fClass);
  }
  finishFields();
  putAscii(93);
}

/** RFC 5424 line: header, the event's structured data, the event text as MSG. */
export function writeSyslog(): void {
  writeHeader();
  writeStructuredData();
  if (msgLen > 0) {
    putAscii(32);
    let p = msgPtr, n = msgLen;
    if (n >= 3 && load<u8>(p) == 0xef && load<u8>(p + 1) == 0xbb && load<u8>(p + 2) == 0xbf) {
      // §6.4: a MSG that starts with U+FEFF is read as BOM + UTF-8 and the character is dropped
      putRaw(REPLACEMENT, 3);
      p += 3;
      n -= 3;
    }
    putValue(p, n, msgClass, CTX_MSG);
  }
}

/** RFC 5424 line whose MSG is the CEF line, structured data NILVALUE: what SIEM CEF connectors read. */
export function writeCefSyslog(): void {
  writeHeader();
  putLit(L_NIL_SD);
  writeCef();
}
