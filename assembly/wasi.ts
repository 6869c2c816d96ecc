// WASI (preview1) command: Segura JSON records on stdin, one per line; one output line per input
// line on stdout, in order, written as soon as the line is converted.
//
//   segura-wasi.wasm <cef|syslog|cef-syslog|json|json-cef|json-syslog|json-cef-syslog>
//                    [--fixed-time=SECONDS] [--max-line-bytes=N] [--follow=LOG --state=CHECKPOINT]
//
// With --follow the command reads LOG itself instead of stdin, follows it across rotation and
// resumes after a restart where it stopped (follow.ts).
// `json` is the JSON object segura_cef_syslog returns to Fluent Bit; json-<format> picks the line.
// A record without a timestamp gets the current time, or SECONDS with --fixed-time.
// A line longer than N bytes (default MAX_LINE) is cut as soon as N is passed: its first N bytes,
// less a trailing run of whitespace and `}`, become one invalid-record line, the rest of it is
// skipped up to its LF, and stderr says so. Memory stays bounded whatever the input.

import { convert, outLength, FORMAT_CEF, FORMAT_SYSLOG, FORMAT_CEF_SYSLOG } from "./engine";
import { follow, followArg, following } from "./follow";

@external("wasi_snapshot_preview1", "fd_read")
declare function fd_read(fd: u32, iovs: usize, iovsLen: u32, nread: usize): u32;
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLen: u32, nwritten: usize): u32;
@external("wasi_snapshot_preview1", "args_sizes_get")
declare function args_sizes_get(argc: usize, argvBufSize: usize): u32;
@external("wasi_snapshot_preview1", "args_get")
declare function args_get(argv: usize, argvBuf: usize): u32;
@external("wasi_snapshot_preview1", "clock_time_get")
declare function clock_time_get(id: u32, precision: u64, time: usize): u32;
@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(code: u32): void;

const STDIN: u32 = 0, STDOUT: u32 = 1, STDERR: u32 = 2;
const EINTR: u32 = 27, EAGAIN: u32 = 6;
const IOV: usize = memory.data(16);
const NUM: usize = memory.data(8);
const READ_CHUNK: usize = 65536; // bytes asked for per fd_read
/** The longest line converted whole: src/_lines.ts MAX_LINE_BYTES, which gives the reasons. */
const MAX_LINE: usize = 16 * 1024 * 1024;
/** --max-line-bytes bounds: src/_args.ts MAX_LINE_RANGE. */
const MIN_LINE_LIMIT: u64 = 1024, MAX_LINE_LIMIT: u64 = 64 * 1024 * 1024;
const EX_IOERR: u32 = 74;

function writeAll(fd: u32, ptr: usize, len: usize): void {
  while (len > 0) {
    store<u32>(IOV, <u32>ptr);
    store<u32>(IOV, <u32>len, 4);
    const err = fd_write(fd, IOV, 1, NUM);
    if (err == EINTR || err == EAGAIN) continue;
    if (err != 0) proc_exit(EX_IOERR); // stdout is gone
    const n = <usize>load<u32>(NUM);
    ptr += n;
    len -= n;
  }
}

function say(fd: u32, s: string): void {
  const buf = String.UTF8.encode(s);
  writeAll(fd, changetype<usize>(buf), <usize>buf.byteLength);
}

function argEquals(p: usize, s: string): bool {
  for (let i = 0; i < s.length; i++) if (load<u8>(p + <usize>i) != <u8>s.charCodeAt(i)) return false;
  return load<u8>(p + <usize>s.length) == 0;
}

function startsWith(p: usize, s: string): bool {
  for (let i = 0; i < s.length; i++) if (load<u8>(p + <usize>i) != <u8>s.charCodeAt(i)) return false;
  return true;
}

const USAGE = "usage: segura-wasi.wasm <cef|syslog|cef-syslog|json|json-cef|json-syslog|json-cef-syslog> [--fixed-time=SECONDS] [--max-line-bytes=N] [--follow=LOG --state=CHECKPOINT]\n";

// decimal numbers for stderr, without allocating
const DIGITS: usize = memory.data(24);

function sayNumber(fd: u32, v: u64): void {
  let p = DIGITS + 24;
  do {
    store<u8>(--p, <u8>(48 + v % 10));
    v /= 10;
  } while (v != 0);
  writeAll(fd, p, DIGITS + 24 - p);
}

/** The decimal number at p (NUL-terminated), or -1 if it is not one or is over max. */
function numberArg(p: usize, max: u64): i64 {
  let v: u64 = 0;
  if (load<u8>(p) == 0) return -1;
  while (load<u8>(p) != 0) {
    const c = <u32>load<u8>(p) - 48;
    if (c >= 10) return -1;
    v = v * 10 + c;
    if (v > max) return -1;
    p++;
  }
  return <i64>v;
}

let format: i32 = -1;
let record = false;
let fixedTime = false;
let fixedSec: u32 = 0;
let maxLine: usize = MAX_LINE;
let lineNo: u64 = 0; // lines converted so far

function parseArgs(): void {
  args_sizes_get(NUM, NUM + 4);
  const argc = load<u32>(NUM), size = load<u32>(NUM, 4);
  const argv = heap.alloc(<usize>argc * 4 + 4);
  const buf = heap.alloc(<usize>size + 1);
  args_get(argv, buf);
  for (let i: u32 = 1; i < argc; i++) {
    const a = <usize>load<u32>(argv + <usize>i * 4);
    if (argEquals(a, "cef")) format = FORMAT_CEF;
    else if (argEquals(a, "syslog")) format = FORMAT_SYSLOG;
    else if (argEquals(a, "cef-syslog") || argEquals(a, "json")) { format = FORMAT_CEF_SYSLOG; record = argEquals(a, "json"); }
    else if (argEquals(a, "json-cef")) { format = FORMAT_CEF; record = true; }
    else if (argEquals(a, "json-syslog")) { format = FORMAT_SYSLOG; record = true; }
    else if (argEquals(a, "json-cef-syslog")) { format = FORMAT_CEF_SYSLOG; record = true; }
    else if (startsWith(a, "--fixed-time=")) {
      const v = numberArg(a + 13, 0xffffffff);
      if (v < 0) { say(STDERR, "segura-wasi: --fixed-time takes epoch seconds\n"); proc_exit(2); }
      fixedTime = true;
      fixedSec = <u32>v;
    } else if (startsWith(a, "--max-line-bytes=")) {
      const v = numberArg(a + 17, MAX_LINE_LIMIT);
      if (v < <i64>MIN_LINE_LIMIT) { say(STDERR, "segura-wasi: --max-line-bytes takes a whole number from 1024 to 67108864\n"); proc_exit(2); }
      maxLine = <usize>v;
    } else if (!followArg(a)) {
      say(STDERR, "segura-wasi: unknown argument\n" + USAGE);
      proc_exit(2);
    }
  }
  if (format < 0) { say(STDERR, USAGE); proc_exit(2); }
}

/** How much of an over-long line is converted: src/_lines.ts cutLength, which gives the reason. */
function cutLength(line: usize, len: usize): usize {
  let end = len < maxLine ? len : maxLine;
  for (; end > 0; end--) {
    const b = load<u8>(line + end - 1);
    if (b != 0x7d && b != 0x20 && b != 0x09 && b != 0x0d && b != 0) break;
  }
  return end;
}

/** Converts one line (without its LF) and writes the result with an LF. */
function emit(line: usize, len: usize): void {
  // a line ending in CRLF is read without its CR
  if (len > 0 && load<u8>(line + len - 1) == 13) len--;
  lineNo++;
  if (len > maxLine) {
    len = cutLength(line, len);
    say(STDERR, "segura-wasi: line ");
    sayNumber(STDERR, lineNo);
    say(STDERR, " is longer than ");
    sayNumber(STDERR, <u64>maxLine);
    say(STDERR, " bytes: its first ");
    sayNumber(STDERR, <u64>len);
    say(STDERR, " bytes are converted as an invalid record, the rest is skipped\n");
  }
  let sec: u32 = fixedSec, nsec: u32 = 0;
  if (!fixedTime) {
    clock_time_get(0, 1000, NUM);
    const ns = load<u64>(NUM);
    sec = <u32>(ns / 1000000000);
    nsec = <u32>(ns % 1000000000);
  }
  const out = convert(line, len, sec, nsec, format, record);
  store<u8>(out + outLength, 10); // the NUL becomes the line's LF
  writeAll(STDOUT, out, outLength + 1);
}

/** True once the line under way [line, line + len), still without its LF, is over the limit. The byte
 * after the limit may be the CR of a CRLF ending, so it alone does not count. */
function overLimit(line: usize, len: usize): bool {
  return len > maxLine + 1 || (len == maxLine + 1 && load<u8>(line + len - 1) != 13);
}

function main(): void {
  parseArgs();
  if (following()) { follow(emit, maxLine); return; }
  // the buffer holds at most one line within the limit (and its CR) plus one read
  const most: usize = maxLine + 1 + READ_CHUNK;
  let cap: usize = READ_CHUNK * 2;
  let buf = heap.alloc(cap);
  let used: usize = 0; // bytes in buf
  let start: usize = 0; // first byte of the current line
  let scanned: usize = 0; // bytes already searched for LF
  let skipping = false; // inside a line that was cut: drop bytes up to its LF
  while (true) {
    if (cap - used < READ_CHUNK) {
      // keep the partial line, then make room
      if (start > 0) {
        memory.copy(buf, buf + start, used - start);
        used -= start;
        scanned -= start;
        start = 0;
      }
      if (cap - used < READ_CHUNK) {
        cap = cap << 1 < most ? cap << 1 : most;
        buf = heap.realloc(buf, cap);
      }
    }
    // one bounded read at a time: wasmtime answers ENOMEM to a read of 128 MiB
    store<u32>(IOV, <u32>(buf + used));
    store<u32>(IOV, <u32>READ_CHUNK, 4);
    const err = fd_read(STDIN, IOV, 1, NUM);
    if (err == EINTR || err == EAGAIN) continue;
    if (err != 0) {
      say(STDERR, "segura-wasi: cannot read stdin (WASI errno ");
      sayNumber(STDERR, <u64>err);
      say(STDERR, ")\n");
      proc_exit(EX_IOERR);
    }
    const n = <usize>load<u32>(NUM);
    if (n == 0) break;
    used += n;
    while (scanned < used) {
      if (load<u8>(buf + scanned) == 10) {
        if (skipping) skipping = false;
        else emit(buf + start, scanned - start);
        start = scanned + 1;
      }
      scanned++;
    }
    if (skipping) start = used;
    else if (overLimit(buf + start, used - start)) {
      emit(buf + start, used - start);
      skipping = true;
      start = used;
    }
  }
  if (!skipping && used > start) emit(buf + start, used - start);
}

main();
