// One record in, one line or one JSON object out.

import { scanObject } from "./json";
import { beginRecord } from "./record";
import { buildEvent, buildInvalidEvent } from "./event";
import { writeCef } from "./format/cef";
import { writeSyslog, writeCefSyslog } from "./format/rfc5424";
import { openRecord, closeRecord } from "./format/record";
import { resetOut, outBase, outPos, setJsonMode, reserve, putByte } from "./out";

export const FORMAT_CEF: i32 = 0;
export const FORMAT_SYSLOG: i32 = 1;
export const FORMAT_CEF_SYSLOG: i32 = 2;

export let outLength: usize = 0;

/** Converts the record [ptr, ptr + len) into the shared output buffer and returns its address.
 * With `record`, the output is the JSON object for Fluent Bit; otherwise the bare line.
 * The output is NUL-terminated (outLength excludes the NUL). Never fails. */
export function convert(ptr: usize, len: usize, sec: u32, nsec: u32, format: i32, record: bool): usize {
  beginRecord(len);
  if (scanObject(ptr, len)) buildEvent(sec, nsec);
  else buildInvalidEvent(ptr, len, sec, nsec);
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
