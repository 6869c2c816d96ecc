// A client of hosts/wamr in filter mode: one long-lived process holding one WAMR instance, called the
// way Fluent Bit's wasm filter calls it (see hosts/wamr/host.c for the frames). Calls are queued in
// order; each resolves to what WAMR gave back and the size of linear memory after the call.
import { spawn, type ChildProcess } from "node:child_process";
import { tool } from "./_tools.js";

export type WamrStatus = "string" | "trap" | "bad-address" | "no-function";
const STATUS: readonly WamrStatus[] = ["string", "trap", "bad-address", "no-function"];

export interface WamrResult {
  status: WamrStatus;
  /** the copied result (status "string") or WAMR's exception text (status "trap") */
  bytes: Buffer;
  memoryBytes: number;
}

export interface WamrCall {
  fn: string;
  record: string | Uint8Array;
  tag?: string;
  sec?: number;
  nsec?: number;
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const field = (v: string | Uint8Array): Buffer[] => {
  const b = typeof v === "string" ? Buffer.from(v, "utf8") : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return [u32(b.length), b];
};

export class WamrHost {
  private readonly child: ChildProcess;
  private readonly pending: { resolve: (r: WamrResult) => void; reject: (e: Error) => void }[] = [];
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private stderr = "";
  private failed: Error | undefined;
  private corked = false;

  constructor(readonly wasm: string) {
    this.child = spawn(tool("wamr"), ["filter", wasm], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout!.on("data", (d: Buffer) => this.receive(d));
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.child.on("error", (e) => this.fail(e));
    this.child.on("close", (code, signal) => this.fail(new Error(`segura-wamr ended (${code ?? signal}): ${this.stderr}`)));
    this.child.stdin!.on("error", (e) => this.fail(e));
  }

  /** One call through the instance. */
  call(c: WamrCall): Promise<WamrResult> {
    if (this.failed) return Promise.reject(this.failed);
    const frame = Buffer.concat([...field(c.fn), ...field(c.tag ?? "segura.events"), u32(c.sec ?? 0), u32(c.nsec ?? 0), ...field(c.record)]);
    return new Promise<WamrResult>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      // the frames of one turn of the event loop go out in one write
      if (!this.corked) {
        this.corked = true;
        this.child.stdin!.cork();
        process.nextTick(() => { this.corked = false; this.child.stdin!.uncork(); });
      }
      this.child.stdin!.write(frame);
    });
  }

  /** Calls in order, at most `window` in flight, so that a million calls do not all sit in memory. */
  each(count: number, make: (i: number) => WamrCall, seen: (i: number, r: WamrResult) => void, window = 2048): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      const issue = (): void => {
        const i = next++;
        this.call(make(i)).then((r) => {
          seen(i, r);
          if (++done === count) resolve();
          else if (next < count) issue();
        }).catch(reject);
      };
      if (count === 0) resolve();
      while (next < count && next < window) issue();
    });
  }

  /** Ends the process (end of input) and waits for it. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once("close", () => resolve());
      this.child.stdin!.end();
    });
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const p of this.pending.splice(0)) p.reject(this.failed);
  }

  private receive(d: Buffer): void {
    this.buffered.push(d);
    this.bufferedBytes += d.length;
    if (this.bufferedBytes < 9) return;
    let buf = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    let o = 0;
    while (buf.length - o >= 9) {
      const len = buf.readUInt32LE(o + 1);
      if (buf.length - o < 9 + len) break;
      const code = buf[o]!;
      const status = STATUS[code];
      const result: WamrResult = { status: status!, bytes: Buffer.from(buf.subarray(o + 5, o + 5 + len)), memoryBytes: buf.readUInt32LE(o + 5 + len) };
      o += 9 + len;
      const p = this.pending.shift();
      if (!p || !status) {
        this.fail(new Error(`segura-wamr sent ${p ? `an unknown status ${code}` : "a result nobody asked for"}`));
        return;
      }
      p.resolve(result);
    }
    buf = buf.subarray(o);
    this.buffered = buf.length ? [buf] : [];
    this.bufferedBytes = buf.length;
  }
}
