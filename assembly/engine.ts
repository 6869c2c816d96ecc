// One record in, one line or one JSON object out.

import { scanObject } from "./json";
import { beginRecord, slotOf, valueOf, vPtr, vLen, present, setSlotText, siteRole, siteRoleCount } from "./record";
import { ROLE_MESSAGE } from "./generated/catalogue";
import { bareText } from "./native";
import { buildEvent, buildInvalidEvent } from "./event";
import { writeCef } from "./format/cef";
import { writeSyslog, writeCefSyslog } from "./format/rfc5424";
import { openRecord, closeRecord } from "./format/record";
import { resetOut, outBase, outPos, setJsonMode, reserve, putByte } from "./out";

export const FORMAT_CEF: i32 = 0;
export const FORMAT_SYSLOG: i32 = 1;
export const FORMAT_CEF_SYSLOG: i32 = 2;

export let outLength: usize = 0;

// A record that is nothing but `log` or `message` holding JSON or text that is no Segura line
// (native.ts bareText): the text itself is read as the record, once. Fluent Bit's tail without a
// parser gives such records, and so does its json parser for a line it rejects.
let textBase: usize = 0;
let textCap: usize = 0;
/** Room after the copied text: the scanner keeps a NUL just past the record. */
const TEXT_SLACK: usize = 64;

// the per-site values of the bare record, kept after the text: u32 offset, u32 length (0: none)
const SITE: usize = memory.data(8 * 8);

function readBareText(sec: u32, nsec: u32, recordLen: usize): void {
  // the text, then the per-site values, each no longer than the record they came from
  const need = recordLen * 2 + TEXT_SLACK;
  if (need > textCap) {
    if (textBase != 0) heap.free(textBase);
    textCap = need < 4096 ? 4096 : need;
    textBase = heap.alloc(textCap);
  }
  valueOf(slotOf(ROLE_MESSAGE));
  const n = vLen;
  memory.copy(textBase, vPtr, n);
  store<u8>(textBase + n, 0);
  let at = n + TEXT_SLACK;
  for (let i = 0; i < siteRoleCount(); i++) {
    const s = slotOf(siteRole(i));
    let len: usize = 0;
    if (present(s)) {
      valueOf(s);
      len = vLen;
      memory.copy(textBase + at, vPtr, len);
    }
    store<u32>(SITE + (<usize>i << 3), <u32>at);
    store<u32>(SITE + (<usize>i << 3), <u32>len, 4);
    at += len;
  }
  beginRecord(n);
  if (!scanObject(textBase, n)) {
    buildInvalidEvent(textBase, n, sec, nsec);
    return;
  }
  // the text's own keys win; the record's per-site values fill what it leaves out
  for (let i = 0; i < siteRoleCount(); i++) {
    const len = <usize>load<u32>(SITE + (<usize>i << 3), 4);
    if (len > 0 && !present(slotOf(siteRole(i)))) setSlotText(siteRole(i), textBase + <usize>load<u32>(SITE + (<usize>i << 3)), len);
  }
  buildEvent(sec, nsec);
}

/** Converts the record [ptr, ptr + len) into the shared output buffer and returns its address.
 * With `record`, the output is the JSON object for Fluent Bit; otherwise the bare line.
 * The output is NUL-terminated (outLength excludes the NUL). Never fails. */
export function convert(ptr: usize, len: usize, sec: u32, nsec: u32, format: i32, record: bool): usize {
  beginRecord(len);
  if (scanObject(ptr, len)) {
    buildEvent(sec, nsec);
    if (bareText) readBareText(sec, nsec, len);
  } else {
    buildInvalidEvent(ptr, len, sec, nsec);
  }
  resetOut(record);
  if (record) openRecord();
  if (format == FORMAT_CEF) writeCef();
  else if (format == FORMAT_SYSLOG) writeSyslog();
  else writeCefSyslog();
  if (record) {
    // the rest of the record is plain JSON, not a line inside a string
    setJsonMode(false);
    closeRecord();
  }
  reserve(1);
  putByte(0);
  outLength = outPos - outBase - 1;
  return outBase;
}
