// The JSON object handed back to the host: the line in `message`, plus the keys that Fluent Bit's
// out_syslog reads through its syslog_*_key options, plus what went wrong, if anything.
//
//   {"message":"...","severity":5,"facility":1,"hostname":"-","appname":"Segura","procid":"-",
//    "msgid":"16","event_id":"16","event_name":"Session started","cef_severity":3
//    [,"unknown_event":true] [,"warning":"..."] [,"error":"...","original":"..."]}

import {
  facility, syslogSeverity, cefSeverity, hostnamePtr, hostnameLen, hostnameClass, procidPtr, procidLen, procidClass,
  classPtr, classLen, classClass, namePtr, nameLen, nameClass, known, invalid, eventIndex, msgidLen, warnLen, warnings, errLen, errorMessage, originalPtr, originalLen,
} from "../event";
import { escapeInto, putValue, putLit, putAscii, lit, putNumber, reserve, setJsonMode, utf8Prefix, outPos, CTX_JSON, CTX_PRINTUSASCII } from "../out";
import { MAX_HOSTNAME, MAX_PROCID, MAX_MSGID } from "./rfc5424";
import { truncated } from "../native";
import { pieceKey, putPiece, pieceStart, keepPiece, PIECE_RECORD_TAIL } from "../pieces";

const L_OPEN = lit("{\"message\":\"");
const L_SEVERITY = lit("\",\"severity\":");
/** L_SEVERITY, a digit, L_FACILITY, a digit, L_HOSTNAME: one copy and two digit stores when both
 * numbers have one digit (always for the severity, 0-7; nearly always for the facility). */
const L_SEVERITY_FACILITY = lit("\",\"severity\":0,\"facility\":0,\"hostname\":\"");
const AT_SEVERITY: usize = 13;
const AT_FACILITY: usize = 26;
const L_FACILITY = lit(",\"facility\":");
const L_HOSTNAME = lit(",\"hostname\":\"");
const L_PROCID = lit("\",\"appname\":\"Segura\",\"procid\":\"");
const L_MSGID = lit("\",\"msgid\":\"");
const L_EVENT_ID = lit("\",\"event_id\":\"");
const L_EVENT_NAME = lit("\",\"event_name\":\"");
const L_CEF_SEVERITY = lit("\",\"cef_severity\":");
const L_UNKNOWN_EVENT = lit(",\"unknown_event\":true");
const L_TRUNCATED = lit(",\"truncated\":true");
const L_WARNING = lit(",\"warning\":\"");
const L_ERROR = lit(",\"error\":\"");
const L_ORIGINAL = lit("\",\"original\":\"");

/** A syslog header value as out_syslog will send it, JSON-escaped ('"' and '\' are PRINTUSASCII). */
function header(p: usize, n: usize, cls: u8, max: usize): void {
  if (n == 0) {
    putAscii(45);
    return;
  }
  setJsonMode(true);
  putValue(p, utf8Prefix(p, n, max), cls, CTX_PRINTUSASCII);
  setJsonMode(false);
}

/** Opens the record; the line follows, JSON-escaped. */
export function openRecord(): void {
  putLit(L_OPEN);
}

/** Closes the message string and writes the other keys. */
export function closeRecord(): void {
  if (facility < 10) {
    const o = outPos;
    putLit(L_SEVERITY_FACILITY);
    store<u8>(o + AT_SEVERITY, <u8>(48 + syslogSeverity));
    store<u8>(o + AT_FACILITY, <u8>(48 + facility));
  } else {
    putLit(L_SEVERITY);
    putNumber(<u64>syslogSeverity);
    putLit(L_FACILITY);
    putNumber(<u64>facility);
    putLit(L_HOSTNAME);
  }
  header(hostnamePtr, hostnameLen, hostnameClass, MAX_HOSTNAME);
  putLit(L_PROCID);
  header(procidPtr, procidLen, procidClass, MAX_PROCID);
  // msgid to cef_severity: the same for every record of a catalogue event (pieces.ts)
  const key = pieceKey(eventIndex, PIECE_RECORD_TAIL);
  if (!putPiece(key)) {
    const at = pieceStart();
    putLit(L_MSGID);
    header(classPtr, msgidLen, classClass, MAX_MSGID);
    putLit(L_EVENT_ID);
    putValue(classPtr, classLen, classClass, CTX_JSON);
    putLit(L_EVENT_NAME);
    putValue(namePtr, nameLen, nameClass, CTX_JSON);
    putLit(L_CEF_SEVERITY);
    putNumber(<u64>cefSeverity);
    keepPiece(key, at);
  }
  if (!known) putLit(L_UNKNOWN_EVENT);
  if (truncated) putLit(L_TRUNCATED);
  if (warnLen > 0) {
    putLit(L_WARNING);
    escapeInto(warnings(), warnLen, CTX_JSON);
    putAscii(34);
  }
  if (invalid) {
    putLit(L_ERROR);
    escapeInto(errorMessage(), errLen, CTX_JSON);
    putLit(L_ORIGINAL);
    escapeInto(originalPtr, originalLen, CTX_JSON);
    putAscii(34);
  }
  putAscii(125);
  reserve(1);
}
