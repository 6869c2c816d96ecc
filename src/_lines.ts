// Splits a byte stream into lines as the WASI command does: at LF, one trailing CR dropped, the
// last line kept even without its LF. With a limit, a longer line is cut to `maxLine` bytes and the
// rest of it skipped, so memory stays bounded.

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(private readonly maxLine = Infinity) {}

  /** Feeds a chunk; calls `onLine` for every line it completes. */
  push(chunk: Buffer, onLine: (line: Buffer) => void): void {
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(10, start);
      if (lf < 0) break;
      this.take(chunk.subarray(start, lf));
      this.emit(onLine);
      this.skipping = false;
      start = lf + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
    if (this.size > this.maxLine) {
      this.emit(onLine);
      this.skipping = true;
    }
  }

  /** Ends the stream: a last line without LF is still a line. */
  end(onLine: (line: Buffer) => void): void {
    if (this.size > 0) this.emit(onLine);
    this.skipping = false;
  }

  /** Bytes held for the line under way. */
  get pending(): number {
    return this.size;
  }

  private take(bytes: Buffer): void {
    if (this.skipping || bytes.length === 0) return;
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private emit(onLine: (line: Buffer) => void): void {
    if (this.skipping && this.size === 0) return;
    let line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    if (line.length > this.maxLine) line = line.subarray(0, this.maxLine);
    if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
    onLine(line);
  }
}
