// The JSON object handed back to the host: the line in `message`, plus the keys that Fluent Bit's
// out_syslog reads through its syslog_*_key options, plus what went wrong, if anything.
//
//   {"message":"...","severity":5,"facility":1,"hostname":"-","appname":"Segura","procid":"-",
//    "msgid":"16","event_id":"16","event_name":"Session started","cef_severity":3
//    [,"unknown_event":true] [,"warning":"..."] [,"error":"...","original":"..."]}

import {
  facility, syslogSeverity, cefSeverity, hostnamePtr, hostnameLen, hostnameClass, procidPtr, procidLen, procidClass,
  classPtr, classLen, classClass, namePtr, nameLen, nameClass, known, invalid, warnLen, warnings, errLen, errorMessage, originalPtr, originalLen,
} from "../event";
import { escapeInto, putValue, putText, putU64, reserve, setJsonMode, utf8Prefix, CTX_JSON, CTX_PRINTUSASCII } from "../out";
import { MAX_HOSTNAME, MAX_PROCID, MAX_MSGID } from "./rfc5424";
import { truncated } from "../native";

/** A syslog header value as out_syslog will send it, JSON-escaped ('"' and '\' are PRINTUSASCII). */
function header(p: usize, n: usize, cls: u8, max: usize): void {
  if (n == 0) {
    putText("-");
    return;
  }
  setJsonMode(true);
  putValue(p, utf8Prefix(p, n, max), cls, CTX_PRINTUSASCII);
  setJsonMode(false);
}

/** Opens the record; the line follows, JSON-escaped. */
export function openRecord(): void {
  putText("{\"message\":\"");
}

/** Closes the message string and writes the other keys. */
export function closeRecord(): void {
  putText("\",\"severity\":");
  putU64(<u64>syslogSeverity);
  putText(",\"facility\":");
  putU64(<u64>facility);
  putText(",\"hostname\":\"");
  header(hostnamePtr, hostnameLen, hostnameClass, MAX_HOSTNAME);
  putText("\",\"appname\":\"Segura\",\"procid\":\"");
  header(procidPtr, procidLen, procidClass, MAX_PROCID);
  putText("\",\"msgid\":\"");
  header(classPtr, classLen, classClass, MAX_MSGID);
  putText("\",\"event_id\":\"");
  putValue(classPtr, classLen, classClass, CTX_JSON);
  putText("\",\"event_name\":\"");
  putValue(namePtr, nameLen, nameClass, CTX_JSON);
  putText("\",\"cef_severity\":");
  putU64(<u64>cefSeverity);
  if (!known) putText(",\"unknown_event\":true");
  if (truncated) putText(",\"truncated\":true");
  if (warnLen > 0) {
    putText(",\"warning\":\"");
    escapeInto(warnings(), warnLen, CTX_JSON);
    putText("\"");
  }
  if (invalid) {
    putText(",\"error\":\"");
    escapeInto(errorMessage(), errLen, CTX_JSON);
    putText("\",\"original\":\"");
    escapeInto(originalPtr, originalLen, CTX_JSON);
    putText("\"");
  }
  putText("}");
  reserve(1);
}
