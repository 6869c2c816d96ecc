// WASI (preview1) command: Segura JSON records on stdin, one per line; one output line per input
// line on stdout, in order, written as soon as the line is converted.
//
//   segura-wasi.wasm <cef|syslog|cef-syslog|json|json-cef|json-syslog|json-cef-syslog> [--fixed-time=SECONDS]
//
// `json` is the JSON object segura_cef_syslog returns to Fluent Bit; json-<format> picks the line.
// A record without a timestamp gets the current time, or SECONDS with --fixed-time.

import { convert, outLength, FORMAT_CEF, FORMAT_SYSLOG, FORMAT_CEF_SYSLOG } from "./engine";

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
const READ_CHUNK: usize = 65536;

function writeAll(fd: u32, ptr: usize, len: usize): void {
  while (len > 0) {
    store<u32>(IOV, <u32>ptr);
    store<u32>(IOV, <u32>len, 4);
    const err = fd_write(fd, IOV, 1, NUM);
    if (err == EINTR || err == EAGAIN) continue;
    if (err != 0) proc_exit(74); // EX_IOERR: stdout is gone
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

const USAGE = "usage: segura-wasi.wasm <cef|syslog|cef-syslog|json|json-cef|json-syslog|json-cef-syslog> [--fixed-time=SECONDS]\n";

let format: i32 = -1;
let record = false;
let fixedTime = false;
let fixedSec: u32 = 0;

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
      let p = a + 13;
      let v: u64 = 0;
      let ok = load<u8>(p) != 0;
      while (load<u8>(p) != 0) {
        const c = <u32>load<u8>(p) - 48;
        if (c >= 10 || v > 0xffffffff) { ok = false; break; }
        v = v * 10 + c;
        p++;
      }
      if (!ok || v > 0xffffffff) { say(STDERR, "segura-wasi: --fixed-time takes epoch seconds\n"); proc_exit(2); }
      fixedTime = true;
      fixedSec = <u32>v;
    } else {
      say(STDERR, "segura-wasi: unknown argument\n" + USAGE);
      proc_exit(2);
    }
  }
  if (format < 0) { say(STDERR, USAGE); proc_exit(2); }
}

function emit(line: usize, len: usize): void {
  // a line ending in CRLF is read without its CR
  if (len > 0 && load<u8>(line + len - 1) == 13) len--;
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

function main(): void {
  parseArgs();
  let cap: usize = READ_CHUNK * 2;
  let buf = heap.alloc(cap);
  let used: usize = 0; // bytes in buf
  let start: usize = 0; // first byte of the current line
  let scanned: usize = 0; // bytes already searched for LF
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
        cap <<= 1;
        buf = heap.realloc(buf, cap);
      }
    }
    store<u32>(IOV, <u32>(buf + used));
    store<u32>(IOV, <u32>(cap - used), 4);
    const err = fd_read(STDIN, IOV, 1, NUM);
    if (err == EINTR || err == EAGAIN) continue;
    const n = err == 0 ? <usize>load<u32>(NUM) : 0;
    if (n == 0) break;
    used += n;
    while (scanned < used) {
      if (load<u8>(buf + scanned) == 10) {
        emit(buf + start, scanned - start);
        start = scanned + 1;
      }
      scanned++;
    }
  }
  if (used > start) emit(buf + start, used - start);
}

main();
