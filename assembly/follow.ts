// The WASI command's follow mode: it reads the log file itself, as `tail -F` would, and keeps a
// checkpoint, so that a restart resumes after the last line it converted.
//
//   segura-wasi.wasm cef-syslog --follow=/log/events.jsonl --state=/state/events.pos
//
// Both paths are guest paths inside directories the runtime preopens (`wasmtime run --dir
// /var/log/segura::/log --dir /var/lib/segura-siem::/state ...`).
//
// Delivery is at least once. The checkpoint is written after a line's output has been written to
// stdout, so a kill between the two repeats that one line and nothing is skipped. A partial last
// line (no LF yet) is neither converted nor counted until its LF arrives.
//
// The checkpoint names the file by its first bytes (HEAD_MAX at most, fewer while the file is
// shorter) and holds the offset after the last converted line. At start:
//   - the file still begins with those bytes and is at least that long: resume at the offset;
//   - otherwise the file was rotated or truncated while the command was down. If <file>.1 (the
//     first name logrotate gives a rotated file) matches, its rest is converted first; then the
//     current file from its start.
// While running, at the end of the data it compares the file under the path with the one it has
// open (file serial numbers, WASI `ino`): another file there means rotation, so it reads the open
// file to its end, then switches. A file shorter than what was read, or whose first bytes changed,
// was truncated (copytruncate): it starts again at 0.

@external("wasi_snapshot_preview1", "fd_prestat_get")
declare function fd_prestat_get(fd: u32, buf: usize): u32;
@external("wasi_snapshot_preview1", "fd_prestat_dir_name")
declare function fd_prestat_dir_name(fd: u32, path: usize, len: u32): u32;
@external("wasi_snapshot_preview1", "path_open")
declare function path_open(dirfd: u32, lookup: u32, path: usize, pathLen: u32, oflags: u32, rights: u64, inheriting: u64, fdflags: u32, fdOut: usize): u32;
@external("wasi_snapshot_preview1", "path_filestat_get")
declare function path_filestat_get(dirfd: u32, lookup: u32, path: usize, pathLen: u32, buf: usize): u32;
@external("wasi_snapshot_preview1", "fd_filestat_get")
declare function fd_filestat_get(fd: u32, buf: usize): u32;
@external("wasi_snapshot_preview1", "fd_pread")
declare function fd_pread(fd: u32, iovs: usize, iovsLen: u32, offset: u64, nread: usize): u32;
@external("wasi_snapshot_preview1", "fd_pwrite")
declare function fd_pwrite(fd: u32, iovs: usize, iovsLen: u32, offset: u64, nwritten: usize): u32;
@external("wasi_snapshot_preview1", "fd_close")
declare function fd_close(fd: u32): u32;
@external("wasi_snapshot_preview1", "poll_oneoff")
declare function poll_oneoff(subs: usize, events: usize, n: u32, nevents: usize): u32;
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLen: u32, nwritten: usize): u32;
@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(code: u32): void;

// WASI preview1 (witx, wasi_snapshot_preview1): errno values, rights bits, flags, struct layouts
const ESUCCESS: u32 = 0, EAGAIN: u32 = 6, EBADF: u32 = 8, EINTR: u32 = 27, ENOENT: u32 = 44;
const RIGHT_FD_READ: u64 = 1 << 1, RIGHT_FD_SEEK: u64 = 1 << 2, RIGHT_FD_WRITE: u64 = 1 << 6, RIGHT_FD_FILESTAT_GET: u64 = 1 << 21;
const LOOKUP_SYMLINK_FOLLOW: u32 = 1;
const OFLAGS_CREAT: u32 = 1;
const PREOPENTYPE_DIR: u8 = 0;
const FILESTAT_INO: usize = 8, FILESTAT_SIZE: usize = 32, FILESTAT_BYTES: usize = 64;
const SUBSCRIPTION_BYTES: usize = 48, EVENT_BYTES: usize = 32, EVENTTYPE_CLOCK: u8 = 0, CLOCK_MONOTONIC: u32 = 1;

const STDERR: u32 = 2;
/** How long to wait at the end of the data before looking again (tail -F waits 1 s). */
const POLL_NS: u64 = 200_000_000;
/** The checkpoint names the file by at most this many of its first bytes. */
const HEAD_MAX: u32 = 1024;
const READ_CHUNK: usize = 65536; // bytes asked for per read
/** The checkpoint: one fixed-width line, rewritten in place. */
const STATE_PREFIX = "segura-wasi follow 1 offset=";
const PREFIX_BYTES = 28; // STATE_PREFIX.length, checked by openState
const OFFSET_DIGITS = 20, HEAD_DIGITS = 4, HASH_DIGITS = 16;
const STATE_BYTES = PREFIX_BYTES + OFFSET_DIGITS + 6 + HEAD_DIGITS + 6 + HASH_DIGITS + 1; // " head=", " hash=", LF

const IOV: usize = memory.data(16);
const NUM: usize = memory.data(8);
const STAT: usize = memory.data(<i32>FILESTAT_BYTES);
const SUB: usize = memory.data(<i32>SUBSCRIPTION_BYTES);
const EVENT: usize = memory.data(<i32>EVENT_BYTES);
const HEAD: usize = memory.data(<i32>HEAD_MAX);
const STATE: usize = memory.data(STATE_BYTES);

let followArgPtr: usize = 0;
let stateArgPtr: usize = 0;

function hasPrefix(p: usize, s: string): bool {
  for (let i = 0; i < s.length; i++) if (load<u8>(p + <usize>i) != <u8>s.charCodeAt(i)) return false;
  return true;
}

function cstrlen(p: usize): usize {
  let n: usize = 0;
  while (load<u8>(p + n) != 0) n++;
  return n;
}

function say(s: string): void {
  const buf = String.UTF8.encode(s);
  store<u32>(IOV, <u32>changetype<usize>(buf));
  store<u32>(IOV, <u32>buf.byteLength, 4);
  fd_write(STDERR, IOV, 1, NUM);
}

function fail(s: string): void {
  say("segura-wasi: " + s + "\n");
  proc_exit(66); // EX_NOINPUT
}

/** Takes --follow=PATH and --state=PATH (argument strings stay where args_get put them). */
export function followArg(a: usize): bool {
  if (hasPrefix(a, "--follow=")) { followArgPtr = a + 9; return true; }
  if (hasPrefix(a, "--state=")) { stateArgPtr = a + 8; return true; }
  return false;
}

/** Whether follow mode was asked for; a --state without --follow (or the reverse) is an error. */
export function following(): bool {
  if ((followArgPtr == 0) != (stateArgPtr == 0)) fail("--follow and --state go together");
  return followArgPtr != 0;
}

// ---- paths inside preopened directories ----------------------------------------------------

/** A guest path resolved to a preopened directory and the path inside it. */
class Place {
  constructor(public dir: u32, public path: usize, public len: u32) {}
}

function resolve(p: usize, what: string): Place {
  const len = cstrlen(p);
  let bestFd: u32 = 0, bestRest: usize = 0, bestLen: usize = 0, found = false;
  for (let fd: u32 = 3; ; fd++) {
    const err = fd_prestat_get(fd, NUM);
    if (err == EBADF) break;
    if (err != ESUCCESS || load<u8>(NUM) != PREOPENTYPE_DIR) continue;
    let nameLen = <usize>load<u32>(NUM, 4);
    const name = heap.alloc(nameLen + 1);
    if (fd_prestat_dir_name(fd, name, <u32>nameLen) != ESUCCESS) continue;
    while (nameLen > 1 && load<u8>(name + nameLen - 1) == 47) nameLen--; // "/log/" is "/log"
    let rest: usize = 0;
    if (nameLen == 1 && load<u8>(name) == 46 && load<u8>(p) != 47) rest = p; // "." and a relative path
    else if (nameLen < len && memory.compare(name, p, nameLen) == 0 && (load<u8>(p + nameLen) == 47 || load<u8>(name + nameLen - 1) == 47)) {
      rest = p + nameLen;
      while (load<u8>(rest) == 47) rest++;
    }
    if (rest != 0 && load<u8>(rest) != 0 && (!found || nameLen > bestLen)) {
      found = true;
      bestFd = fd;
      bestRest = rest;
      bestLen = nameLen;
    }
  }
  if (!found) fail(what + " is not inside a preopened directory (wasmtime run --dir HOST::GUEST)");
  return new Place(bestFd, bestRest, <u32>cstrlen(bestRest));
}

/** The same place with `suffix` appended to the file name. */
function withSuffix(at: Place, suffix: string): Place {
  const n = <usize>at.len + <usize>suffix.length;
  const p = heap.alloc(n + 1);
  memory.copy(p, at.path, at.len);
  for (let i = 0; i < suffix.length; i++) store<u8>(p + <usize>at.len + <usize>i, <u8>suffix.charCodeAt(i));
  store<u8>(p + n, 0);
  return new Place(at.dir, p, <u32>n);
}

/** Opens a file for reading; -1 when it does not exist. */
function openLog(at: Place): i32 {
  const err = path_open(at.dir, LOOKUP_SYMLINK_FOLLOW, at.path, at.len, 0, RIGHT_FD_READ | RIGHT_FD_SEEK | RIGHT_FD_FILESTAT_GET, 0, 0, NUM);
  if (err == ENOENT) return -1;
  if (err != ESUCCESS) fail("cannot open the log file (WASI errno " + err.toString() + ")");
  return <i32>load<u32>(NUM);
}

function fileSize(fd: u32): u64 {
  if (fd_filestat_get(fd, STAT) != ESUCCESS) fail("cannot stat the log file");
  return load<u64>(STAT + FILESTAT_SIZE);
}

function fileIno(fd: u32): u64 {
  if (fd_filestat_get(fd, STAT) != ESUCCESS) fail("cannot stat the log file");
  return load<u64>(STAT + FILESTAT_INO);
}

/** The serial number of the file now at `at`, or 0 when there is none. */
function inoAt(at: Place): u64 {
  if (path_filestat_get(at.dir, LOOKUP_SYMLINK_FOLLOW, at.path, at.len, STAT) != ESUCCESS) return 0;
  return load<u64>(STAT + FILESTAT_INO);
}

/** Reads up to len bytes at offset; 0 at the end of the data. */
function pread(fd: u32, ptr: usize, len: usize, offset: u64): usize {
  for (;;) {
    store<u32>(IOV, <u32>ptr);
    store<u32>(IOV, <u32>len, 4);
    const err = fd_pread(fd, IOV, 1, offset, NUM);
    if (err == EINTR || err == EAGAIN) continue;
    if (err != ESUCCESS) fail("cannot read the log file (WASI errno " + err.toString() + ")");
    return <usize>load<u32>(NUM);
  }
}

function sleep(ns: u64): void {
  memory.fill(SUB, 0, SUBSCRIPTION_BYTES);
  store<u8>(SUB + 8, EVENTTYPE_CLOCK);
  store<u32>(SUB + 16, CLOCK_MONOTONIC);
  store<u64>(SUB + 24, ns); // relative timeout
  poll_oneoff(SUB, EVENT, 1, NUM);
}

// ---- the checkpoint ------------------------------------------------------------------------

/** FNV-1a (64 bit) of no bytes: the hash of an empty head. */
const FNV_BASIS: u64 = 0xcbf29ce484222325;
/** FNV-1a (64 bit) of the file's first `len` bytes; false when the file has fewer. */
let headHash: u64 = FNV_BASIS;
function hashHead(fd: u32, len: u32): bool {
  let got: usize = 0;
  while (got < <usize>len) {
    const n = pread(fd, HEAD + got, <usize>len - got, <u64>got);
    if (n == 0) return false;
    got += n;
  }
  let h: u64 = FNV_BASIS;
  for (let i: usize = 0; i < <usize>len; i++) h = (h ^ <u64>load<u8>(HEAD + i)) * 0x100000001b3;
  headHash = h;
  return true;
}

let stateFd: u32 = 0;
let savedOffset: u64 = 0, savedHead: u32 = 0, savedHash: u64 = 0;

function putDecimal(p: usize, v: u64, digits: i32): void {
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(p + <usize>i, <u8>(48 + v % 10));
    v /= 10;
  }
}

function getDecimal(p: usize, digits: i32): i64 {
  let v: u64 = 0;
  for (let i = 0; i < digits; i++) {
    const c = <u32>load<u8>(p + <usize>i) - 48;
    if (c >= 10) return -1;
    v = v * 10 + c;
  }
  return <i64>v;
}

function openState(at: Place): void {
  const err = path_open(at.dir, LOOKUP_SYMLINK_FOLLOW, at.path, at.len, OFLAGS_CREAT, RIGHT_FD_READ | RIGHT_FD_WRITE | RIGHT_FD_SEEK | RIGHT_FD_FILESTAT_GET, 0, 0, NUM);
  if (err != ESUCCESS) fail("cannot open or create the --state file (WASI errno " + err.toString() + ")");
  stateFd = load<u32>(NUM);
  // the fixed parts of the line, once
  if (STATE_PREFIX.length != PREFIX_BYTES) fail("internal: checkpoint layout");
  for (let i = 0; i < STATE_PREFIX.length; i++) store<u8>(STATE + <usize>i, <u8>STATE_PREFIX.charCodeAt(i));
  const tags = " head=" + "0".repeat(HEAD_DIGITS) + " hash=";
  for (let i = 0; i < tags.length; i++) store<u8>(STATE + <usize>(PREFIX_BYTES + OFFSET_DIGITS + i), <u8>tags.charCodeAt(i));
  store<u8>(STATE + <usize>STATE_BYTES - 1, 10);
}

/** Reads the checkpoint: false when there is none (a new state file) or it cannot be read. */
function readState(): bool {
  const buf = heap.alloc(STATE_BYTES);
  const n = pread(stateFd, buf, STATE_BYTES, 0);
  if (n == 0) return false;
  let ok = n == STATE_BYTES && memory.compare(buf, STATE, STATE_PREFIX.length) == 0;
  const offset = getDecimal(buf + STATE_PREFIX.length, OFFSET_DIGITS);
  const head = getDecimal(buf + PREFIX_BYTES + OFFSET_DIGITS + 6, HEAD_DIGITS);
  let hash: u64 = 0;
  const h = buf + PREFIX_BYTES + OFFSET_DIGITS + 6 + HEAD_DIGITS + 6;
  for (let i = 0; i < HASH_DIGITS; i++) {
    const c = <u32>load<u8>(h + <usize>i);
    const d = c - 48 < 10 ? c - 48 : c - 97 < 6 ? c - 87 : 16;
    if (d == 16) ok = false;
    hash = (hash << 4) | <u64>d;
  }
  if (!ok || offset < 0 || head < 0 || head > <i64>HEAD_MAX || <u64>head > <u64>offset) {
    say("segura-wasi: the --state file does not hold a checkpoint; the log is read from its start\n");
    return false;
  }
  savedOffset = <u64>offset;
  savedHead = <u32>head;
  savedHash = hash;
  return true;
}

function writeState(offset: u64, head: u32, hash: u64): void {
  putDecimal(STATE + STATE_PREFIX.length, offset, OFFSET_DIGITS);
  putDecimal(STATE + PREFIX_BYTES + OFFSET_DIGITS + 6, <u64>head, HEAD_DIGITS);
  const h = STATE + PREFIX_BYTES + OFFSET_DIGITS + 6 + HEAD_DIGITS + 6;
  for (let i = HASH_DIGITS - 1; i >= 0; i--) {
    const d = <u32>((hash >> (<u64>(HASH_DIGITS - 1 - i) * 4)) & 15);
    store<u8>(h + <usize>i, <u8>(d < 10 ? 48 + d : 87 + d));
  }
  let put: usize = 0;
  while (put < <usize>STATE_BYTES) {
    store<u32>(IOV, <u32>(STATE + put));
    store<u32>(IOV, <u32>(<usize>STATE_BYTES - put), 4);
    const err = fd_pwrite(stateFd, IOV, 1, <u64>put, NUM);
    if (err == EINTR || err == EAGAIN) continue;
    if (err != ESUCCESS) fail("cannot write the --state file (WASI errno " + err.toString() + ")");
    put += <usize>load<u32>(NUM);
  }
}

/** Whether the open file is the one the checkpoint names. */
function matches(fd: u32): bool {
  return fileSize(fd) >= savedOffset && hashHead(fd, savedHead) && headHash == savedHash;
}

// ---- reading ---------------------------------------------------------------------------------

let buf: usize = 0;
let cap: usize = 0;
let used: usize = 0; // bytes in buf; buf[0] is the file's byte at `done`
let done: u64 = 0; // the offset of buf[0]: after the last converted line, or inside a line being skipped
let head: u32 = 0; // how many first bytes of the file the checkpoint names
let skipping = false; // inside a line that was cut: its bytes are dropped up to its LF
let maxLine: usize = 0;
let emitLine: (line: usize, len: usize) => void = (line: usize, len: usize): void => {};

/** The checkpoint moves to `offset`, the start of the next line. */
function advance(fd: u32, offset: u64): void {
  if (head < HEAD_MAX && offset > <u64>head) {
    head = offset < <u64>HEAD_MAX ? <u32>offset : HEAD_MAX;
    hashHead(fd, head);
  }
  writeState(offset, head, headHash);
}

/** Drops the first n bytes of buf. */
function consume(n: usize): void {
  memory.copy(buf, buf + n, used - n);
  used -= n;
  done += <u64>n;
}

/** Converts the complete lines in buf, advancing the checkpoint after each one; a line in progress
 * that passes maxLine is converted cut (the emitter says so) and the rest of it skipped. */
function drainLines(fd: u32, from: usize): void {
  let start: usize = 0;
  for (let i = from; i < used; i++) {
    if (load<u8>(buf + i) != 10) continue;
    if (skipping) skipping = false;
    else emitLine(buf + start, i - start);
    start = i + 1;
    advance(fd, done + <u64>start);
  }
  if (start > 0) consume(start);
  if (skipping) consume(used);
  else if (used > maxLine + 1 || (used == maxLine + 1 && load<u8>(buf + used - 1) != 13)) {
    // the byte after the limit may be the CR of a CRLF ending, so it alone does not count
    emitLine(buf, used);
    skipping = true;
    consume(used);
  }
}

/** Reads what the file holds now from the checkpoint on; false when it held nothing new. */
function readSome(fd: u32): bool {
  if (cap - used < READ_CHUNK) {
    cap = used + READ_CHUNK * 2;
    buf = heap.realloc(buf, cap);
  }
  // one bounded read at a time: the buffer holds at most maxLine + 1 bytes and one read
  const n = pread(fd, buf + used, READ_CHUNK, done + <u64>used);
  if (n == 0) return false;
  const from = used;
  used += n;
  drainLines(fd, from);
  return true;
}

/** Starts a file at `offset`; the checkpoint now names it. */
function begin(fd: u32, offset: u64, headLen: u32, hash: u64): void {
  used = 0;
  done = offset;
  head = headLen;
  headHash = hash;
  skipping = false;
  writeState(done, head, headHash);
}

/** Converts the rest of a file that will not grow any more, a last line without LF included. */
function finish(fd: u32): void {
  while (readSome(fd)) {}
  if (used > 0 && !skipping) emitLine(buf, used);
  consume(used);
  skipping = false;
  advance(fd, done);
}

function waitFor(at: Place): u32 {
  let fd = openLog(at);
  if (fd < 0) {
    say("segura-wasi: waiting for the log file to appear\n");
    while ((fd = openLog(at)) < 0) sleep(POLL_NS);
  }
  return <u32>fd;
}

/** Follows the log, converting each line with `emit`; a line is converted whole up to `lineLimit`
 * bytes. Never returns. */
export function follow(emit: (line: usize, len: usize) => void, lineLimit: usize): void {
  emitLine = emit;
  maxLine = lineLimit;
  const log = resolve(followArgPtr, "--follow");
  openState(resolve(stateArgPtr, "--state"));
  cap = READ_CHUNK * 2;
  buf = heap.alloc(cap);

  let fd = waitFor(log);
  if (!readState()) begin(fd, 0, 0, FNV_BASIS);
  else if (matches(fd)) begin(fd, savedOffset, savedHead, savedHash);
  else {
    // rotated (or truncated) while the command was down: the rest of the old file comes first
    const old = openLog(withSuffix(log, ".1"));
    if (old >= 0 && matches(<u32>old)) {
      begin(<u32>old, savedOffset, savedHead, savedHash);
      finish(<u32>old);
    }
    if (old >= 0) fd_close(<u32>old);
    begin(fd, 0, 0, FNV_BASIS);
  }

  let rotated = false;
  for (;;) {
    if (readSome(fd)) continue;
    if (rotated) {
      // the old file was read to its end after the new one appeared: switch
      finish(fd);
      fd_close(fd);
      fd = waitFor(log);
      begin(fd, 0, 0, FNV_BASIS);
      rotated = false;
      continue;
    }
    sleep(POLL_NS);
    // before reading on: truncated (copytruncate), or truncated and written again past where it
    // was read, leaves a file shorter than what was read, or with other first bytes
    const kept = headHash;
    const same = fileSize(fd) >= done + <u64>used && hashHead(fd, head) && headHash == kept;
    headHash = kept;
    if (!same) {
      say("segura-wasi: the log file was truncated; reading it from its start\n");
      begin(fd, 0, 0, FNV_BASIS);
      continue;
    }
    const now = inoAt(log);
    if (now != 0 && now != fileIno(fd)) rotated = true; // one more read of the old file, then switch
  }
}
