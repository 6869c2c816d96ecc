// Where the sidecar's lines go: stdout, or a TCP receiver that it reconnects to when it drops,
// giving up after a set time. Bounded: write() says when to stop reading, 'writable' when to resume.
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { CliError, EXIT, describe } from "./_errors.js";
import { formatEndpoint, type Endpoint } from "./_endpoint.js";
import { connectTcp } from "./_sink.js";
import { connectTls } from "./_tls.js";

const HIGH_WATER = 1 << 20; // bytes queued before the inbound connections are paused
const MAX_BACKOFF_MS = 5000;

export class Upstream extends EventEmitter<{ writable: []; fatal: [CliError] }> {
  private socket: Socket | undefined;
  private queue: Buffer[] = [];
  private queued = 0;
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

  start(): void {
    if (this.target) { this.connect(); return; }
    process.stdout.on("drain", () => this.pump());
    process.stdout.on("error", (e) => this.fatal(new CliError(EXIT.IOERR, `cannot write to stdout: ${describe(e)}`)));
  }

  /** Queues a chunk; false means: stop reading until 'writable'. */
  write(chunk: Buffer): boolean {
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.pump();
    return this.hasRoom();
  }

  private out(): NodeJS.WritableStream & { writableNeedDrain: boolean } | undefined {
    return this.target ? this.socket : process.stdout;
  }

  private hasRoom(): boolean {
    const out = this.out();
    return out !== undefined && !out.writableNeedDrain && this.queued < HIGH_WATER;
  }

  private pump(): void {
    const out = this.out();
    while (out && !out.writableNeedDrain && this.queue.length) {
      const chunk = this.queue.shift()!;
      this.queued -= chunk.length;
      out.write(chunk);
    }
    if (this.hasRoom()) this.emit("writable");
  }

  private connect(): void {
    this.timer = undefined;
    (this.target!.tls ? connectTls : connectTcp)(this.target!, 5000).then(
      (socket) => {
        if (this.closing) { socket.destroy(); return; }
        this.socket = socket;
        if (this.attempts > 0) this.log(`connected to ${this.name}`);
        this.attempts = 0;
        this.backoff = 250;
        let reason: unknown;
        socket.on("error", (e) => { reason = e; });
        socket.on("drain", () => this.pump());
        socket.on("close", () => {
          this.socket = undefined;
          if (this.closing) return;
          this.log(`lost the connection to ${this.name}: ${reason ? describe(reason) : "closed by the receiver"}; reconnecting`);
          this.downSince = Date.now();
          this.timer = setTimeout(() => this.connect(), 100);
        });
        this.pump();
      },
      (e: unknown) => this.retry(e),
    );
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

  /** Sends what is queued (waiting up to `graceMs`), then closes; returns the bytes left undelivered. */
  async close(graceMs = 5000): Promise<number> {
    const deadline = Date.now() + graceMs;
    for (let out = this.out(); out && !this.failed && (this.queue.length || out.writableNeedDrain) && Date.now() < deadline; out = this.out()) {
      await new Promise((r) => setTimeout(r, 20));
    }
    this.closing = true;
    clearTimeout(this.timer);
    const left = this.queued;
    const socket = this.socket;
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
