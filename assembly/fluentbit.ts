// Fluent Bit's wasm filter ABI (filter_wasm, Event_Format json):
//   fn(tag_ptr, tag_len, time_sec, time_nsec, record_ptr, record_len) -> ptr
// The host copies tag and record in through malloc, calls, strdup()s the NUL-terminated result
// (a JSON object), then frees the tag and the record. Pick one export with Function_Name.

import { convert, outLength, FORMAT_CEF, FORMAT_SYSLOG, FORMAT_CEF_SYSLOG } from "./engine";
import { hostAlloc, hostFree } from "./hostheap";

// WAMR takes `malloc`/`free` as the module's allocator (wasm_loader.c, resolution of exported
// malloc/free); without them it would carve its own heap out of our linear memory.
export function malloc(size: usize): usize {
  return hostAlloc(size);
}

export function free(ptr: usize): void {
  if (ptr != 0) hostFree(ptr);
}

export function segura_cef(tagPtr: usize, tagLen: u32, sec: u32, nsec: u32, recordPtr: usize, recordLen: u32): usize {
  return convert(recordPtr, recordLen, sec, nsec, FORMAT_CEF, true);
}

export function segura_syslog(tagPtr: usize, tagLen: u32, sec: u32, nsec: u32, recordPtr: usize, recordLen: u32): usize {
  return convert(recordPtr, recordLen, sec, nsec, FORMAT_SYSLOG, true);
}

export function segura_cef_syslog(tagPtr: usize, tagLen: u32, sec: u32, nsec: u32, recordPtr: usize, recordLen: u32): usize {
  return convert(recordPtr, recordLen, sec, nsec, FORMAT_CEF_SYSLOG, true);
}

// For the local harness and the CLI: the bare line, without the JSON record around it.
// format: 0 CEF, 1 RFC 5424, 2 CEF in RFC 5424. The length is returned by output_length().
export function segura_line(format: i32, recordPtr: usize, recordLen: u32, sec: u32, nsec: u32): usize {
  return convert(recordPtr, recordLen, sec, nsec, format < 0 || format > 2 ? FORMAT_CEF_SYSLOG : format, false);
}

export function output_length(): usize {
  return outLength;
}
