// Splits a byte stream into lines as the WASI command does: at LF, one trailing CR dropped, the
// last line kept even without its LF. A line longer than the limit is cut as soon as the limit is
// passed and the rest of it skipped up to its LF, so memory stays bounded whatever the input.

/** The longest line converted whole by `convert`, `serve` and the WASI command (bytes, not counting
 * the LF and a CR before it). 16 MiB, the line length the shipped Fluent Bit configs read whole
 * (tail's Buffer_Max_Size), so a record converts alike on every path; far above what Segura writes
 * (records of a few KiB, values of some MiB such as command output; its syslog export stops at
 * 1024 bytes). assembly/wasi.ts has the same number (MAX_LINE). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** How much of an over-long line is converted: its first `max` bytes, less any trailing run of JSON
 * whitespace, NUL and `}`. What is left cannot be a complete JSON object (one ends in `}`), so a cut
 * line always becomes an invalid-record event, never a record that looks whole. */
export function cutLength(line: Uint8Array, max: number): number {
  let end = Math.min(line.length, max);
  for (; end > 0; end--) {
    const b = line[end - 1];
    if (b !== 0x7d && b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x00) break;
  }
  return end;
}

/** Called for every line; `cut` is true for a line longer than the limit (then `line` is the part cutLength keeps). */
export type OnLine = (line: Buffer, cut: boolean) => void;

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(private readonly maxLine = MAX_LINE_BYTES) {}

  /** Feeds a chunk; calls `onLine` for every line it completes, and for a line once it passes the limit. */
  push(chunk: Buffer, onLine: OnLine): void {
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(10, start);
      if (lf < 0) break;
      this.take(chunk.subarray(start, lf));
      if (!this.skipping) this.emit(onLine);
      this.skipping = false;
      start = lf + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
    // past the limit: a CR in the byte after the limit may still be the line's CRLF ending
    if (this.size > this.maxLine + 1 || (this.size === this.maxLine + 1 && this.lastByte() !== 13)) {
      this.emit(onLine);
      this.skipping = true;
    }
  }

  /** Ends the stream: a last line without LF is still a line. */
  end(onLine: OnLine): void {
    if (this.size > 0) this.emit(onLine);
    this.skipping = false;
  }

  /** Bytes held for the line under way. */
  get pending(): number {
    return this.size;
  }

  private lastByte(): number {
    const last = this.parts[this.parts.length - 1]!;
    return last[last.length - 1]!;
  }

  private take(bytes: Buffer): void {
    if (this.skipping || bytes.length === 0) return;
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private emit(onLine: OnLine): void {
    let line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    if (line.length <= this.maxLine) onLine(line, false);
    else onLine(line.subarray(0, cutLength(line, this.maxLine)), true);
  }
}
