// Segura's own lines, as a shipper's syslog input hands them over: the record carries `message`
// (or `log`) holding an RFC 5424 / RFC 3164 line, or just its body, which is a CEF line, a
// `key = value` body, or plain text. The line is read into the same slots a JSON record fills;
// keys the record itself carries win. See docs/native-input.md.

import {
  FIELD_COUNT, FIELD_MSG, ROLE_MESSAGE, ROLE_EVENT_ID, ROLE_EVENT_NAME, ROLE_SEVERITY, ROLE_TIMESTAMP,
  ROLE_HOST, ROLE_PROCID, ROLE_MSGID, ROLE_PRI, ROLE_IDENT, ROLE_EXTRADATA, ROLE_PRODUCT_VERSION, ROLE_CEF_SEVERITY,
} from "./generated/catalogue";
import { slotOf, present, kindOf, valueOf, vPtr, vLen, lookupKey, setFromLine, arenaTake, onlyLineKeys } from "./record";
import { KIND_STRING } from "./json";

/** Segura sends syslog over UDP in datagrams of at most 1024 bytes. */
export const UDP_DATAGRAM_MAX: usize = 1024;
/** Allowance for what a parsed record no longer shows of its line (PRI, VERSION, spaces, a TIMESTAMP moved to the record time). */
const HEADER_ALLOWANCE: usize = 32;
/** Pairs read from one line; more are ignored. */
const MAX_PAIRS: i32 = 256;
const PAIRS: usize = memory.data(MAX_PAIRS * 12); // u32 field id, u32 value start, u32 key start

export let fromLine: bool = false;
export let truncated: bool = false;
/** The record is nothing but `log` or `message` (what Fluent Bit's tail gives for a line no parser
 * took), holding JSON or text that is no Segura line: no syslog header, no CEF, no known key. The
 * engine then reads that text itself as the record (engine.ts). */
export let bareText: bool = false;

@inline function at(p: usize): u32 { return <u32>load<u8>(p); }
@inline function isDigit(c: u32): bool { return c - 48 < 10; }
@inline function isKeyChar(c: u32): bool { return (c | 32) - 97 < 26 || c - 48 < 10 || c == 95; }

/** Length of the slot's text, or 0 when absent. */
function lenOf(id: i32): usize {
  const s = slotOf(id);
  if (!present(s)) return 0;
  valueOf(s);
  return vLen;
}

function hasText(id: i32): bool { return lenOf(id) > 0; }

// the token [tokStart, tokEnd) found by token()
let tokStart: usize = 0;
let tokEnd: usize = 0;

/** Reads a token up to the next space; returns the position after that space, or 0 if the line ends first. */
function token(p: usize, end: usize): usize {
  tokStart = p;
  while (p < end && at(p) != 32) p++;
  tokEnd = p;
  return p < end ? p + 1 : 0;
}

function setToken(id: i32): void {
  const n = tokEnd - tokStart;
  if (n == 0 || (n == 1 && at(tokStart) == 45)) return; // NILVALUE
  setFromLine(id, tokStart, n);
}

/** Copies [p, end) to the arena, resolving CEF escapes (\\ \= \| \n \r; any other backslash is kept). */
function unescapeCef(p: usize, end: usize): usize {
  const d0 = arenaTake(end - p);
  let d = d0;
  while (p < end) {
    let c = at(p);
    if (c == 92 && p + 1 < end) {
      const e = at(p + 1);
      if (e == 92 || e == 61 || e == 124) { c = e; p++; }
      else if (e == 110) { c = 10; p++; }
      else if (e == 114) { c = 13; p++; }
    }
    store<u8>(d, <u8>c);
    d++;
    p++;
  }
  vLen = d - d0;
  return d0;
}

/** Skips the structured data of an RFC 5424 line at p: '-' or one or more [SD-ELEMENT]. */
function skipStructuredData(p: usize, end: usize): usize {
  if (p < end && at(p) == 45) return p + 1;
  while (p < end && at(p) == 91) {
    p++;
    while (p < end && at(p) != 93) {
      if (at(p) == 92) p++;
      p++;
    }
    if (p < end) p++;
  }
  return p;
}

/** Reads the syslog header of the line at [p, end) if there is one; returns where the body starts. */
function readHeader(p: usize, end: usize): usize {
  if (p >= end || at(p) != 60) return p;
  let q = p + 1;
  let pri: u32 = 0;
  while (q < end && isDigit(at(q)) && q - p <= 3) { pri = pri * 10 + at(q) - 48; q++; }
  if (q == p + 1 || q >= end || at(q) != 62 || pri > 191) return p;
  setFromLine(ROLE_PRI, p + 1, q - p - 1);
  q++;
  if (q + 1 < end && at(q) == 49 && at(q + 1) == 32) {
    // RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
    q += 2;
    q = token(q, end); setToken(ROLE_TIMESTAMP); if (q == 0) return end;
    q = token(q, end); setToken(ROLE_HOST); if (q == 0) return end;
    q = token(q, end); if (q == 0) return end;
    q = token(q, end); setToken(ROLE_PROCID); if (q == 0) return end;
    q = token(q, end); setToken(ROLE_MSGID); if (q == 0) return end;
    q = skipStructuredData(q, end);
    if (q < end && at(q) == 32) q++;
    if (q + 2 < end && at(q) == 0xef && at(q + 1) == 0xbb && at(q + 2) == 0xbf) q += 3;
    return q;
  }
  // RFC 3164: "Mmm dd hh:mm:ss HOST TAG: MSG" (the timestamp has no year and is not used)
  if (q + 16 <= end && at(q + 3) == 32 && at(q + 6) == 32 && at(q + 9) == 58 && at(q + 12) == 58 && at(q + 15) == 32) {
    q += 16;
    const h = token(q, end);
    if (h == 0) return end;
    setToken(ROLE_HOST);
    q = h;
    // TAG[PID]: is not part of the message
    let t = q;
    while (t < end && at(t) != 32 && at(t) != 58 && at(t) != 91) t++;
    if (t < end && at(t) == 91) {
      const pid = t + 1;
      while (t < end && at(t) != 93) t++;
      if (t < end) { setFromLine(ROLE_PROCID, pid, t - pid); t++; }
    }
    if (t + 1 < end && at(t) == 58 && at(t + 1) == 32) q = t + 2;
  }
  return q;
}

/** Splits `key=value` pairs (CEF) or `key = value` pairs (`spaced`) of known extension keys. A key
 * starts the text or follows a space; anything else, an unknown `word=` included, belongs to the
 * value before it. Text before the first key becomes msg unless the line names msg itself. */
function readPairs(p: usize, end: usize, cef: bool): i32 {
  let n = 0;
  let i = p;
  let firstKey = end;
  while (i < end) {
    const c = at(i);
    if (cef && c == 92) { i += 2; continue; }
    if ((i == p || at(i - 1) == 32) && isKeyChar(c)) {
      let j = i;
      while (j < end && isKeyChar(at(j))) j++;
      let k = j;
      if (!cef) while (k < end && at(k) == 32) k++;
      if (k < end && at(k) == 61) {
        const id = lookupKey(i, j - i);
        if (id >= 0 && id < FIELD_COUNT) {
          k++;
          if (!cef) while (k < end && at(k) == 32) k++;
          if (n < MAX_PAIRS) {
            const e = PAIRS + <usize>n * 12;
            store<u32>(e, <u32>id);
            store<u32>(e, <u32>k, 4);
            store<u32>(e, <u32>i, 8);
            n++;
          }
          if (i < firstKey) firstKey = i;
          i = k;
          continue;
        }
      }
      i = j;
      continue;
    }
    i++;
  }
  for (let x = 0; x < n; x++) {
    const e = PAIRS + <usize>x * 12;
    const v = <usize>load<u32>(e, 4);
    let stop = x + 1 < n ? <usize>load<u32>(e + 12, 8) : end;
    while (stop > v && at(stop - 1) == 32) stop--;
    if (stop == v) continue;
    const id = <i32>load<u32>(e);
    if (cef) {
      const d = unescapeCef(v, stop);
      setFromLine(id, d, vLen);
    } else {
      setFromLine(id, v, stop - v);
    }
  }
  let a = p, b = firstKey;
  while (a < b && at(a) == 32) a++;
  while (b > a && at(b - 1) == 32) b--;
  if (b > a) setFromLine(FIELD_MSG, a, b - a);
  return n;
}

/** CEF:Version|Vendor|Product|Version|Class ID|Name|Severity|Extension; returns where the extension starts, or 0. */
function readCefHeader(p: usize, end: usize): usize {
  let field = 0;
  let start = p;
  let q = p;
  while (q < end) {
    const c = at(q);
    if (c == 92) { q += 2; continue; }
    if (c == 124) {
      const d = unescapeCef(start, q);
      if (vLen > 0) {
        if (field == 3) setFromLine(ROLE_PRODUCT_VERSION, d, vLen);
        else if (field == 4) setFromLine(ROLE_EVENT_ID, d, vLen);
        else if (field == 5) setFromLine(ROLE_EVENT_NAME, d, vLen);
        else if (field == 6) setFromLine(ROLE_CEF_SEVERITY, d, vLen);
      }
      field++;
      start = q + 1;
      if (field == 7) return start;
    }
    q++;
  }
  return 0;
}

export function clearLine(): void {
  fromLine = false;
  truncated = false;
  bareText = false;
}

/** Reads the record's received line, if it has one and no JSON event of its own. */
export function readLine(): void {
  clearLine();
  const s = slotOf(ROLE_MESSAGE);
  if (!present(s) || kindOf(s) != KIND_STRING) return;
  if (hasText(ROLE_EVENT_ID) || hasText(ROLE_EVENT_NAME) || hasText(FIELD_MSG)) return;
  valueOf(s);
  const line = vPtr, end = vPtr + vLen;
  const alone = onlyLineKeys();
  if (alone) {
    let f = line;
    while (f < end && (at(f) == 32 || at(f) == 9 || at(f) == 10 || at(f) == 13)) f++;
    if (f == end || at(f) == 123) {
      // empty, or a JSON object written as a string
      bareText = true;
      return;
    }
  }
  if (vLen == 0) return;
  fromLine = true;
  const body = readHeader(line, end);
  // how long was the datagram? exact for a whole line, estimated from the parsed keys otherwise
  let size = end - line;
  if (body == line) {
    size += lenOf(ROLE_PRI) + lenOf(ROLE_TIMESTAMP) + lenOf(ROLE_HOST) + lenOf(ROLE_IDENT) + lenOf(ROLE_PROCID) + lenOf(ROLE_MSGID) + lenOf(ROLE_EXTRADATA) + HEADER_ALLOWANCE;
  }
  truncated = size >= UDP_DATAGRAM_MAX;
  let p = body;
  while (p < end && at(p) == 32) p++;
  if (p + 4 <= end && at(p) == 67 && at(p + 1) == 69 && at(p + 2) == 70 && at(p + 3) == 58) {
    const ext = readCefHeader(p, end);
    if (ext != 0) readPairs(ext, end, true);
  } else if (readPairs(p, end, false) == 0 && body == line && alone) {
    bareText = true;
  }
}
