// Where the sidecar's lines go: stdout, or a TCP receiver that it reconnects to when it drops,
// giving up after a set time. Bounded: write() says when to stop reading, 'writable' when to resume.
//
// Over TCP one batch of whole lines is written at a time, and the next only once the kernel has
// taken all of it, so the sidecar always knows which lines went to which connection. TCP confirms
// nothing a receiver's application read: when a connection fails, the lines written to it may or
// may not have arrived, and are counted and logged, never written again (that could duplicate
// them without anyone knowing). Lines not yet written are kept and go to the next connection.
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { CliError, EXIT, describe } from "./_errors.js";
import { formatEndpoint, type Endpoint } from "./_endpoint.js";
import { connectTcp } from "./_sink.js";

const HIGH_WATER = 1 << 20; // bytes queued before the inbound connections are paused
const BATCH = 256 * 1024; // bytes written to the connection at once, at most (unless one chunk is more)
const MAX_BACKOFF_MS = 5000;

const lines = (n: number): string => `${n} line${n === 1 ? "" : "s"}`;

interface Chunk {
  bytes: Buffer;
  lines: number;
}

/** Lines written to one connection: in full (the kernel took them) and the batch being written. */
interface Connection {
  socket: Socket;
  opened: Date;
  lines: number;
  bytes: number;
  writing: Chunk | undefined;
}

export class Upstream extends EventEmitter<{ writable: []; fatal: [CliError] }> {
  private conn: Connection | undefined;
  private queue: Chunk[] = [];
  private queued = 0;
  private queuedLines = 0;
  /** Lines written to connections that then failed: delivery unknown. */
  private unconfirmed = 0;
  private downSince = Date.now();
  private backoff = 250;
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private failed = false;

  constructor(private readonly target: Endpoint | undefined, private readonly retryForMs: number, private readonly log: (m: string) => void) {
    super();
  }

  get name(): string {
    return this.target ? formatEndpoint(this.target) : "stdout";
  }

  /** Lines written to connections that then failed (see above). */
  get unconfirmedLines(): number {
    return this.unconfirmed;
  }

  start(): void {
    if (this.target) { this.connect(); return; }
    process.stdout.on("drain", () => this.pump());
    process.stdout.on("error", (e) => this.fatal(new CliError(EXIT.IOERR, `cannot write to stdout: ${describe(e)}`)));
  }

  /** Queues a chunk of `lines` whole lines; false means: stop reading until 'writable'. */
  write(bytes: Buffer, lines: number): boolean {
    this.queue.push({ bytes, lines });
    this.queued += bytes.length;
    this.queuedLines += lines;
    this.pump();
    return this.hasRoom();
  }

  private hasRoom(): boolean {
    if (this.queued >= HIGH_WATER) return false;
    return this.target ? this.conn !== undefined : !process.stdout.writableNeedDrain;
  }

  private take(): Chunk {
    const c = this.queue.shift()!;
    this.queued -= c.bytes.length;
    this.queuedLines -= c.lines;
    return c;
  }

  private pump(): void {
    if (!this.target) {
      while (!process.stdout.writableNeedDrain && this.queue.length) process.stdout.write(this.take().bytes);
    } else if (this.conn && !this.conn.writing && this.queue.length) {
      const parts = [this.take()];
      let size = parts[0]!.bytes.length;
      while (this.queue.length && size + this.queue[0]!.bytes.length <= BATCH) {
        parts.push(this.take());
        size += parts.at(-1)!.bytes.length;
      }
      const batch: Chunk = { bytes: parts.length === 1 ? parts[0]!.bytes : Buffer.concat(parts.map((p) => p.bytes), size), lines: parts.reduce((n, p) => n + p.lines, 0) };
      const conn = this.conn;
      conn.writing = batch;
      conn.socket.write(batch.bytes, (err) => {
        if (err || conn.writing !== batch) return; // counted when the connection closes
        conn.writing = undefined;
        conn.lines += batch.lines;
        conn.bytes += batch.bytes.length;
        this.pump();
      });
    }
    if (this.hasRoom()) this.emit("writable");
  }

  private connect(): void {
    this.timer = undefined;
    connectTcp(this.target!, 5000).then(
      (socket) => {
        if (this.closing) { socket.destroy(); return; }
        const conn: Connection = { socket, opened: new Date(), lines: 0, bytes: 0, writing: undefined };
        this.conn = conn;
        if (this.attempts > 0) this.log(`connected to ${this.name}`);
        this.attempts = 0;
        this.backoff = 250;
        let reason: unknown;
        socket.on("error", (e) => { reason = e; });
        socket.on("close", () => {
          this.conn = undefined;
          if (this.closing) return;
          this.log(`lost the connection to ${this.name}: ${reason ? describe(reason) : "closed by the receiver"}; ${this.account(conn)}; reconnecting`);
          this.downSince = Date.now();
          this.timer = setTimeout(() => this.connect(), 100);
        });
        this.pump();
      },
      (e: unknown) => this.retry(e),
    );
  }

  /** What a failed connection leaves unknown, in words, and adds it to the count. */
  private account(conn: Connection): string {
    const writing = conn.writing?.lines ?? 0;
    this.unconfirmed += conn.lines + writing;
    const since = conn.opened.toISOString().replace(/\.\d+Z$/, "Z");
    const part = writing ? `, and ${writing} more were being written when it failed` : "";
    return `${lines(conn.lines)} (${conn.bytes} bytes) had been written to it in full since ${since}${part}; TCP does not confirm delivery, so any of these the receiver had not read are lost, and they are not sent again; ${lines(this.queuedLines)} not yet written wait for the next connection`;
  }

  private retry(reason: unknown): void {
    if (this.closing || this.failed) return;
    this.attempts++;
    const down = Date.now() - this.downSince;
    if (down >= this.retryForMs) {
      this.fatal(new CliError(EXIT.UNAVAILABLE, `cannot reach ${this.name} for ${Math.round(down / 1000)} s: ${describe(reason)}; giving up`));
      return;
    }
    if (this.attempts === 1 || this.attempts % 10 === 0) this.log(`cannot connect to ${this.name}: ${describe(reason)}; retrying (attempt ${this.attempts})`);
    this.timer = setTimeout(() => this.connect(), Math.min(this.backoff, Math.max(0, this.retryForMs - down)));
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }

  private fatal(e: CliError): void {
    if (this.failed) return;
    this.failed = true;
    this.emit("fatal", e);
  }

  private busy(): boolean {
    if (this.queue.length) return true;
    return this.target ? this.conn?.writing !== undefined : process.stdout.writableNeedDrain;
  }

  /** Sends what is queued (waiting up to `graceMs`), then closes; returns the lines left unwritten. */
  async close(graceMs = 5000): Promise<number> {
    const deadline = Date.now() + graceMs;
    while (!this.failed && this.busy() && (this.conn || !this.target) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    this.closing = true;
    clearTimeout(this.timer);
    const left = this.queuedLines + (this.conn?.writing?.lines ?? 0);
    const socket = this.conn?.socket;
    if (socket) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { socket.destroy(); resolve(); }, 2000);
        socket.once("close", () => { clearTimeout(t); resolve(); });
        socket.end();
      });
    }
    return left;
  }
}
