// Where converted lines go: stdout, a file, or a TCP receiver; writes wait when the other side is slow.
import { createWriteStream, openSync } from "node:fs";
import { connect, type Socket } from "node:net";
import type { Writable } from "node:stream";
import { CliError, EXIT, describe, errnoOf } from "./_errors.js";
import { formatEndpoint, type Endpoint } from "./_endpoint.js";

export interface Sink {
  /** Resolves once the stream takes more (at once unless its buffer is full); for TCP, once the whole
   * chunk has been written to the connection (handed to the kernel). */
  write(chunk: Buffer): Promise<void>;
  /** Flushes and closes; resolves when the bytes have left this process. */
  close(): Promise<void>;
}

/** A write or close that failed: the output is gone. */
export class SinkError extends CliError {}

class StreamSink implements Sink {
  protected failure: unknown;

  constructor(private readonly stream: Writable, protected readonly what: string, private readonly owned: boolean) {
    stream.on("error", (e) => { this.failure ??= e; });
  }

  protected check(): void {
    if (this.failure !== undefined) throw this.fail(this.failure);
  }

  fail(e: unknown): SinkError {
    return new SinkError(EXIT.IOERR, errnoOf(e) === "EPIPE" ? "" : `cannot write to ${this.what}: ${describe(e)}`);
  }

  async write(chunk: Buffer): Promise<void> {
    this.check();
    if (this.stream.write(chunk)) return;
    await this.settle("drain");
  }

  async close(): Promise<void> {
    this.check();
    if (this.owned) {
      this.stream.end();
      await this.settle("finish");
    } else if (this.stream.writableNeedDrain) await this.settle("drain");
  }

  /** Waits for `event`, or fails on an error or an early close. */
  protected settle(event: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: unknown): void => {
        this.stream.off(event, ok).off("error", bad).off("close", closed);
        if (err === undefined) resolve();
        else reject(this.fail(err));
      };
      const ok = (): void => done();
      const bad = (e: unknown): void => done(e);
      const closed = (): void => done(this.failure ?? Object.assign(new Error("closed"), { code: "EPIPE" }));
      this.stream.on(event, ok).on("error", bad).on("close", closed);
    });
  }
}

export function stdoutSink(): Sink {
  return new StreamSink(process.stdout, "stdout", false);
}

/** Creates (truncates) the file at once, so a bad path fails before any input is read. */
export function fileSink(path: string): Sink {
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (e) {
    throw new CliError(EXIT.CANTCREAT, `cannot create ${path}: ${describe(e)}`);
  }
  return new StreamSink(createWriteStream(path, { fd }), path, true);
}

/** Opens a TCP connection; rejects with the system error (ECONNREFUSED, ETIMEDOUT, ...). */
export function connectTcp(target: Endpoint, timeoutMs = 10_000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error("connection timed out"), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    const failed = (e: Error): void => {
      clearTimeout(timer);
      reject(e);
    };
    socket.once("error", failed);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", failed);
      socket.setKeepAlive(true, 30_000);
      socket.resume(); // a syslog receiver sends nothing; whatever it sends is dropped
      resolve(socket);
    });
  });
}

class TcpSink extends StreamSink {
  constructor(private readonly socket: Socket, target: Endpoint) {
    super(socket, formatEndpoint(target), true);
  }

  override fail(e: unknown): SinkError {
    return new SinkError(EXIT.IOERR, `connection to ${this.what} lost: ${describe(e)}`);
  }

  /** One chunk at a time, resolving when the kernel has taken all of it, so that what was written
   * in full is known when the connection fails. */
  override async write(chunk: Buffer): Promise<void> {
    this.check();
    await new Promise<void>((resolve, reject) => {
      const closed = (): void => reject(this.fail(this.failure ?? Object.assign(new Error("closed"), { code: "EPIPE" })));
      this.socket.once("close", closed);
      this.socket.write(chunk, (err) => {
        this.socket.off("close", closed);
        if (err) reject(this.fail(this.failure ?? err));
        else resolve();
      });
    });
  }

  override async close(): Promise<void> {
    await super.close(); // our FIN is sent once every byte is handed to the kernel
    if (this.socket.closed) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { this.socket.destroy(); resolve(); }, 2000);
      this.socket.once("close", () => { clearTimeout(t); resolve(); });
    });
  }
}

export async function tcpSink(target: Endpoint): Promise<Sink> {
  try {
    return new TcpSink(await connectTcp(target), target);
  } catch (e) {
    throw new CliError(EXIT.UNAVAILABLE, `cannot connect to ${formatEndpoint(target)}: ${describe(e)}`);
  }
}
