// The host ABI of Fluent Bit's filter_wasm (flb_wasm.c, Event_Format json), with no Node.js
// dependency, so the command line and the browser playground call the module the same way: tag and
// record copied in NUL-terminated through the module's allocator, the call, the result read as a
// NUL-terminated string, then the tag and the record freed, in that order.

export type FilterFunction = "segura_cef" | "segura_syslog" | "segura_cef_syslog";
export const FILTER_FUNCTIONS: readonly FilterFunction[] = ["segura_cef", "segura_syslog", "segura_cef_syslog"];

/** What Fluent Bit does with a result: keep the parsed object, drop the record, or log an error. */
export type FilterResult =
  | { kind: "record"; text: string; record: Record<string, unknown> }
  | { kind: "drop"; reason: string }
  | { kind: "error"; reason: string; text?: string };

interface Allocator {
  alloc(size: number): number;
  free(ptr: number): void;
  name: string;
}

type Exports = Record<string, WebAssembly.ExportValue>;

/** The allocator WAMR would pick, by the rules of wasm_loader.c: an exported malloc(i32)->i32,
 * or __new(i32,i32)->i32 together with __retain/__pin(i32)->i32; free, __release or __unpin
 * (i32)->() to free. Later exports overwrite earlier ones, as the loader's loop does. */
export function detectAllocator(module: WebAssembly.Module, exports: Exports): Allocator | undefined {
  let malloc: string | undefined;
  let retain: string | undefined;
  let free: string | undefined;
  const names = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
  const arity = (n: string): number => (exports[n] as (...a: unknown[]) => unknown).length;
  for (const name of names) {
    if (name === "malloc" && arity(name) === 1) malloc = name;
    else if (name === "__new" && arity(name) === 2) {
      const r = names.find((n) => (n === "__retain" || n === "__pin") && arity(n) === 1);
      if (r) { malloc = name; retain = r; } else malloc = undefined;
    } else if ((name === "free" || name === "__release" || name === "__unpin") && arity(name) === 1) free = name;
  }
  if (!malloc || !free) return undefined;
  const m = exports[malloc] as (...a: number[]) => number;
  const f = exports[free] as (p: number) => void;
  const r = retain ? (exports[retain] as (p: number) => number) : undefined;
  return {
    name: `${malloc}/${retain ? retain + "/" : ""}${free}`,
    alloc: r ? (size) => r(m(size, 0)) : (size) => m(size),
    free: (p) => f(p),
  };
}

const encoder = new TextEncoder();
/** Fatal: a result that is not valid UTF-8 is reported, not silently repaired. */
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class FluentBitHost {
  readonly module: WebAssembly.Module;
  readonly instance: WebAssembly.Instance;
  readonly allocator: Allocator;
  readonly memory: WebAssembly.Memory;

  /** `instance`: one already made from `wasm` (a browser instantiates asynchronously). */
  constructor(wasm: Uint8Array | WebAssembly.Module, instance?: WebAssembly.Instance) {
    this.module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
    this.instance = instance ?? new WebAssembly.Instance(this.module, {});
    const exports = this.instance.exports as Exports;
    const allocator = detectAllocator(this.module, exports);
    if (!allocator) throw new Error("the module exports no allocator WAMR recognises (malloc/free or __new/__pin/__unpin)");
    this.allocator = allocator;
    this.memory = exports.memory as WebAssembly.Memory;
  }

  /** Linear memory size in bytes. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Copies bytes into the module's memory through its allocator, NUL-terminated, as Fluent Bit does. */
  copyIn(bytes: Uint8Array): number {
    const ptr = this.allocator.alloc(bytes.length + 1);
    const mem = new Uint8Array(this.memory.buffer);
    mem.set(bytes, ptr);
    mem[ptr + bytes.length] = 0;
    return ptr;
  }

  /** Calls a filter function and returns the raw NUL-terminated result bytes (null for 0). Traps propagate. */
  callRaw(fn: string, tag: string, record: Uint8Array | string, sec = 0, nsec = 0): Uint8Array | null {
    const f = this.instance.exports[fn];
    if (typeof f !== "function") throw new Error(`the module has no function ${fn}`);
    const tagBytes = encoder.encode(tag);
    const recBytes = typeof record === "string" ? encoder.encode(record) : record;
    const tagPtr = this.copyIn(tagBytes);
    const recPtr = this.copyIn(recBytes);
    let out: Uint8Array | null = null;
    try {
      const ptr = (f as (...a: number[]) => number)(tagPtr, tagBytes.length, sec >>> 0, nsec >>> 0, recPtr, recBytes.length) >>> 0;
      if (ptr !== 0) {
        const mem = new Uint8Array(this.memory.buffer);
        let end = ptr;
        while (end < mem.length && mem[end] !== 0) end++;
        out = mem.slice(ptr, end); // strdup
      }
    } finally {
      this.allocator.free(tagPtr);
      this.allocator.free(recPtr);
    }
    return out;
  }

  /** Calls a filter function and applies Fluent Bit's rules to what it returns. */
  call(fn: FilterFunction, tag: string, record: Uint8Array | string, sec = 0, nsec = 0): FilterResult {
    const raw = this.callRaw(fn, tag, record, sec, nsec);
    if (raw === null) return { kind: "drop", reason: "the function returned 0" };
    if (raw.length === 0) return { kind: "drop", reason: "the function returned an empty string" };
    let text: string;
    try {
      text = decoder.decode(raw);
    } catch {
      return { kind: "error", reason: "the result is not valid UTF-8" };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { kind: "error", reason: `invalid JSON: ${(e as Error).message}`, text };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return { kind: "error", reason: "not a JSON object", text };
    return { kind: "record", text, record: value as Record<string, unknown> };
  }
}

const LINE_FORMAT_CODE = { cef: 0, syslog: 1, "cef-syslog": 2 } as const;

/** Converts one record to a bare line through the module's segura_line export (no JSON record). */
export function convertLine(host: FluentBitHost, format: keyof typeof LINE_FORMAT_CODE, record: Uint8Array | string, sec = 0, nsec = 0): Uint8Array {
  const x = host.instance.exports as Record<string, (...a: number[]) => number>;
  const bytes = typeof record === "string" ? encoder.encode(record) : record;
  const ptr = host.copyIn(bytes);
  try {
    const out = x.segura_line!(LINE_FORMAT_CODE[format], ptr, bytes.length, sec >>> 0, nsec >>> 0) >>> 0;
    const len = x.output_length!() >>> 0;
    return new Uint8Array(host.memory.buffer).slice(out, out + len);
  } finally {
    host.allocator.free(ptr);
  }
}
