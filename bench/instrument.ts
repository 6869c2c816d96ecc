// Instruction counting for a WebAssembly module, by rewriting its binary.
//
// Method. Every function body is cut into straight-line segments: a segment starts at the top of the
// body and after every instruction that can transfer control or that control can reach from
// elsewhere (after `loop` and `if`: the first instruction of the body; after `else` and `end`: where
// branches and fall-through meet; after `br_if`: the fall-through path; after `br`, `br_table`,
// `return` and `unreachable`: dead code up to the next `end`). Straight-line code either runs to its
// end or leaves through its last instruction, so a segment executes all of its instructions or none
// (a trap aside). At the start of each segment we insert
//     global.get $n  i64.const <instructions in the segment>  i64.add  global.set $n
// which is stack-neutral and valid in reachable and unreachable code alike. `block`, `loop`, `else`
// and `end` are not counted: they are structure, resolved when a runtime loads or compiles the
// module (WAMR's fast interpreter emits nothing for them); every other instruction counts 1, calls
// included (the callee counts its own body). Host functions are not counted (the engine imports none).
//
// A second count, "ops", leaves out local.get and the constants (i32/i64/f32/f64.const) as well:
// WAMR's fast interpreter, which runs the module in Fluent Bit, folds those into the operands of the
// instruction that consumes them, so ops are closer to what it dispatches. Both counts are exact for
// the binary given; neither weighs instructions by cost (a load, a call, a division all count 1).
//
// memory.copy and memory.fill count as one instruction each, but their cost grows with the length;
// a third counter adds up those lengths (the operand is teed into a scratch local, then pushed
// back), so bulk bytes are reported next to instructions instead of being hidden inside them.
//
// The rewritten module exports the counters as mutable i64 globals: `__instructions`, `__ops`, `__bulk_bytes`.
// Nothing else changes (no function, type or global index moves), so the module computes the same
// results; bench.ts checks that on the whole corpus, and selfTest() checks the counts on small
// functions whose counts are worked out by hand.

/** Position of each known section id in a module (tag 13 sits before globals, data count 12 before code). */
const ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };
const SEC_TYPE = 1, SEC_IMPORT = 2, SEC_FUNCTION = 3, SEC_GLOBAL = 6, SEC_EXPORT = 7, SEC_CODE = 10;

class Reader {
  pos: number;
  constructor(readonly b: Uint8Array, pos = 0, readonly end = b.length) { this.pos = pos; }
  u8(): number {
    if (this.pos >= this.end) throw new Error("unexpected end of wasm section");
    return this.b[this.pos++]!;
  }
  u32(): number {
    let result = 0, shift = 0;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error("bad LEB128");
    }
  }
  /** Skips a signed LEB128 of any width. */
  sleb(): void {
    while ((this.u8() & 0x80) !== 0) { /* continuation */ }
  }
  skip(n: number): void { this.pos += n; }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v = Math.floor(v / 128);
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const concat = (parts: (Uint8Array | number[])[]): Uint8Array<ArrayBuffer> => {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

interface Section { id: number; body: Uint8Array }

function sections(wasm: Uint8Array): Section[] {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d || wasm[4] !== 1) throw new Error("not a wasm v1 binary");
  const r = new Reader(wasm, 8);
  const out: Section[] = [];
  while (r.pos < wasm.length) {
    const id = r.u8();
    const size = r.u32();
    out.push({ id, body: wasm.subarray(r.pos, r.pos + size) });
    r.skip(size);
  }
  return out;
}

const VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

function skipBlockType(r: Reader): void {
  const b = r.b[r.pos]!;
  if (b === 0x40 || VALTYPES.has(b)) r.skip(1);
  else r.sleb(); // a type index (s33)
}

function skipMemarg(r: Reader): void {
  const align = r.u32();
  if ((align & 0x40) !== 0) r.u32(); // multi-memory: memory index
  r.u32();
}

/** Where control may enter or leave: after these, a new segment starts. */
const ENDS_SEGMENT = new Set([0x00, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]);
/** Structure only: not counted. */
const NOT_COUNTED = new Set([0x02, 0x03, 0x05, 0x0b]);
/** Also left out of the second count ("ops"): local.get and constants, which WAMR's fast
 * interpreter folds into the operands of the instruction that uses them instead of executing. */
const FOLDED = new Set([0x20, 0x41, 0x42, 0x43, 0x44]);

interface Insert { at: number; bytes: number[] }

/** Decodes one instruction at r.pos, leaving r after it. Returns [opcode, 0xfc sub-opcode or -1]. */
function step(r: Reader): [number, number] {
  const op = r.u8();
  if (op === 0x02 || op === 0x03 || op === 0x04) { skipBlockType(r); return [op, -1]; }
  if (op === 0x0c || op === 0x0d) { r.u32(); return [op, -1]; }
  if (op === 0x0e) { const n = r.u32(); for (let i = 0; i <= n; i++) r.u32(); return [op, -1]; }
  if (op === 0x10) { r.u32(); return [op, -1]; }
  if (op === 0x11) { r.u32(); r.u32(); return [op, -1]; }
  if (op === 0x1c) { const n = r.u32(); r.skip(n); return [op, -1]; }
  if (op >= 0x20 && op <= 0x26) { r.u32(); return [op, -1]; }
  if (op >= 0x28 && op <= 0x3e) { skipMemarg(r); return [op, -1]; }
  if (op === 0x3f || op === 0x40) { r.u32(); return [op, -1]; }
  if (op === 0x41 || op === 0x42) { r.sleb(); return [op, -1]; }
  if (op === 0x43) { r.skip(4); return [op, -1]; }
  if (op === 0x44) { r.skip(8); return [op, -1]; }
  if (op === 0xd0) { r.skip(1); return [op, -1]; }
  if (op === 0xd2) { r.u32(); return [op, -1]; }
  if (op === 0xfc) {
    const sub = r.u32();
    if (sub <= 7) return [op, sub];
    if (sub === 8) { r.u32(); r.u32(); return [op, sub]; }
    if (sub === 9 || sub === 13 || sub === 15 || sub === 16 || sub === 17) { r.u32(); return [op, sub]; }
    if (sub === 10 || sub === 12 || sub === 14) { r.u32(); r.u32(); return [op, sub]; }
    if (sub === 11) { r.u32(); return [op, sub]; }
    throw new Error(`unsupported 0xfc ${sub}`);
  }
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1 || (op >= 0x45 && op <= 0xc4)) return [op, -1];
  throw new Error(`unsupported opcode 0x${op.toString(16)} (SIMD, threads or another feature the engine does not enable)`);
}

/** Rewrites one function body (locals + expression). paramCount: to find the scratch local's index. */
function instrumentBody(body: Uint8Array, paramCount: number, g: Globals, fn: number): Uint8Array {
  const r = new Reader(body);
  const groups = r.u32();
  let localCount = 0;
  const localDecls: number[][] = [];
  for (let i = 0; i < groups; i++) {
    const start = r.pos;
    localCount += r.u32();
    r.u8();
    localDecls.push(Array.from(body.subarray(start, r.pos)));
  }
  const codeStart = r.pos;
  const scratch = paramCount + localCount;
  let usesScratch = false;
  const inserts: Insert[] = [];
  const add = (global: number, n: number): number[] => [0x23, ...uleb(global), 0x42, ...sleb(n), 0x7c, 0x24, ...uleb(global)];
  if (g.perFunction) inserts.push({ at: codeStart, bytes: add(g.calls + fn, 1) });
  let segStart = codeStart;
  let segCount = 0;
  let segOps = 0;
  const closeSegment = (next: number): void => {
    if (segCount > 0) {
      const bytes = add(g.instructions, segCount);
      if (segOps > 0) bytes.push(...add(g.ops, segOps));
      if (g.perFunction) bytes.push(...add(g.own + fn, segCount), ...(segOps > 0 ? add(g.ownOps + fn, segOps) : []));
      inserts.push({ at: segStart, bytes });
    }
    segStart = next;
    segCount = 0;
    segOps = 0;
  };
  while (r.pos < body.length) {
    const at = r.pos;
    const [op, sub] = step(r);
    if (!NOT_COUNTED.has(op)) {
      segCount++;
      if (!FOLDED.has(op)) segOps++;
    }
    if (op === 0xfc && (sub === 10 || sub === 11)) {
      // [.. n] -> local.tee $s; global.get $b; local.get $s; i64.extend_i32_u; i64.add; global.set $b -> [.. n]
      usesScratch = true;
      inserts.push({ at, bytes: [0x22, ...uleb(scratch), 0x23, ...uleb(g.bulk), 0x20, ...uleb(scratch), 0xad, 0x7c, 0x24, ...uleb(g.bulk)] });
    }
    if (ENDS_SEGMENT.has(op)) closeSegment(r.pos);
  }
  closeSegment(body.length);
  const parts: (Uint8Array | number[])[] = [];
  const decls = usesScratch ? [...localDecls, [1, 0x7f]] : localDecls;
  parts.push(uleb(decls.length), ...decls);
  let from = codeStart;
  inserts.sort((a, b) => a.at - b.at);
  for (const ins of inserts) {
    parts.push(body.subarray(from, ins.at), ins.bytes);
    from = ins.at;
  }
  parts.push(body.subarray(from));
  return concat(parts);
}

export const COUNTER_EXPORT = "__instructions";
export const OPS_EXPORT = "__ops";
export const BULK_EXPORT = "__bulk_bytes";

/** Where the counters sit in the global index space. own, ownOps and calls: first of one per function. */
interface Globals { instructions: number; ops: number; bulk: number; perFunction: boolean; own: number; ownOps: number; calls: number }

/** Returns the module with both counters added; see the method above. With perFunction, every
 * defined function also gets a counter of its own instructions, exported as `__fn<index>`, and
 * one of its calls, `__calls<index>` (index in the function index space; see functionNames()). */
export function instrument(wasm: Uint8Array, perFunction = false): Uint8Array<ArrayBuffer> {
  const secs = sections(wasm);
  const types: number[] = []; // param count of each type
  const funcTypes: number[] = []; // type of each function, imported ones first
  let importedGlobals = 0;
  let definedGlobals = 0;
  for (const s of secs) {
    const r = new Reader(s.body);
    if (s.id === SEC_TYPE) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        if (r.u8() !== 0x60) throw new Error("unsupported type form");
        const params = r.u32();
        r.skip(params);
        r.skip(r.u32());
        types.push(params);
      }
    } else if (s.id === SEC_IMPORT) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.name(); r.name();
        const kind = r.u8();
        if (kind === 0) funcTypes.push(r.u32());
        else if (kind === 1) { r.u8(); const f = r.u8(); r.u32(); if (f & 1) r.u32(); }
        else if (kind === 2) { const f = r.u8(); r.u32(); if (f & 1) r.u32(); }
        else if (kind === 3) { r.u8(); r.u8(); importedGlobals++; }
        else throw new Error("unsupported import kind");
      }
    } else if (s.id === SEC_FUNCTION) {
      const n = r.u32();
      for (let i = 0; i < n; i++) funcTypes.push(r.u32());
    } else if (s.id === SEC_GLOBAL) {
      definedGlobals = r.u32();
    }
  }
  const importedFuncs = funcTypes.length - (() => {
    const f = secs.find((s) => s.id === SEC_FUNCTION);
    return f ? new Reader(f.body).u32() : 0;
  })();
  const definedFuncs = funcTypes.length - importedFuncs;
  const first = importedGlobals + definedGlobals;
  const g: Globals = {
    instructions: first, ops: first + 1, bulk: first + 2, perFunction,
    own: first + 3, ownOps: first + 3 + definedFuncs, calls: first + 3 + 2 * definedFuncs,
  };
  const count = 3 + (perFunction ? 3 * definedFuncs : 0);
  const newGlobal = [0x7e, 0x01, 0x42, 0x00, 0x0b]; // (mut i64) (i64.const 0)
  const newGlobals = (): number[] => Array.from({ length: count }, () => newGlobal).flat();
  const out: (Uint8Array | number[])[] = [wasm.subarray(0, 8)];
  const emit = (id: number, body: Uint8Array | number[]): void => { out.push([id, ...uleb(body.length)], body); };
  let globalsDone = false;
  let exportsDone = false;
  const exportOf = (name: string, index: number): number[] => [...uleb(name.length), ...new TextEncoder().encode(name), 0x03, ...uleb(index)];
  const exportEntries = [exportOf(COUNTER_EXPORT, g.instructions), exportOf(OPS_EXPORT, g.ops), exportOf(BULK_EXPORT, g.bulk)];
  if (perFunction) {
    for (let i = 0; i < definedFuncs; i++) {
      const f = importedFuncs + i;
      exportEntries.push(exportOf(`__fn${f}`, g.own + i), exportOf(`__fnops${f}`, g.ownOps + i), exportOf(`__calls${f}`, g.calls + i));
    }
  }
  for (const s of secs) {
    if (!globalsDone && s.id !== 0 && ORDER[s.id]! > ORDER[SEC_GLOBAL]!) {
      emit(SEC_GLOBAL, [...uleb(count), ...newGlobals()]);
      globalsDone = true;
    }
    if (!exportsDone && s.id !== 0 && ORDER[s.id]! > ORDER[SEC_EXPORT]!) {
      emit(SEC_EXPORT, [...uleb(exportEntries.length), ...exportEntries.flat()]);
      exportsDone = true;
    }
    if (s.id === SEC_GLOBAL) {
      const r = new Reader(s.body);
      const n = r.u32();
      emit(SEC_GLOBAL, concat([uleb(n + count), s.body.subarray(r.pos), newGlobals()]));
      globalsDone = true;
    } else if (s.id === SEC_EXPORT) {
      const r = new Reader(s.body);
      const n = r.u32();
      emit(SEC_EXPORT, concat([uleb(n + exportEntries.length), s.body.subarray(r.pos), ...exportEntries]));
      exportsDone = true;
    } else if (s.id === SEC_CODE) {
      const r = new Reader(s.body);
      const n = r.u32();
      const bodies: (Uint8Array | number[])[] = [uleb(n)];
      for (let i = 0; i < n; i++) {
        const size = r.u32();
        const type = funcTypes[importedFuncs + i];
        if (type === undefined) throw new Error("function without a type");
        const nb = instrumentBody(s.body.subarray(r.pos, r.pos + size), types[type]!, g, i);
        bodies.push(uleb(nb.length), nb);
        r.skip(size);
      }
      emit(SEC_CODE, concat(bodies));
    } else {
      emit(s.id, s.body);
    }
  }
  if (!globalsDone) emit(SEC_GLOBAL, [...uleb(count), ...newGlobals()]);
  if (!exportsDone) emit(SEC_EXPORT, [...uleb(exportEntries.length), ...exportEntries.flat()]);
  const result = concat(out);
  if (!WebAssembly.validate(result)) throw new Error("the instrumented module does not validate");
  return result;
}

/** Function names from the module's name section (index -> name), when it has one. */
export function functionNames(wasm: Uint8Array): Map<number, string> {
  const names = new Map<number, string>();
  for (const s of sections(wasm)) {
    if (s.id !== 0) continue;
    const r = new Reader(s.body);
    if (r.name() !== "name") continue;
    while (r.pos < s.body.length) {
      const sub = r.u8();
      const size = r.u32();
      const end = r.pos + size;
      if (sub === 1) {
        const n = r.u32();
        for (let i = 0; i < n; i++) { const idx = r.u32(); names.set(idx, r.name()); }
      }
      r.pos = end;
    }
  }
  return names;
}

/** The counters of an instance of an instrumented module. */
export class Counters {
  private readonly n: WebAssembly.Global;
  private readonly o: WebAssembly.Global;
  private readonly b: WebAssembly.Global;
  constructor(exports: WebAssembly.Exports) {
    this.n = exports[COUNTER_EXPORT] as WebAssembly.Global;
    this.o = exports[OPS_EXPORT] as WebAssembly.Global;
    this.b = exports[BULK_EXPORT] as WebAssembly.Global;
  }
  get instructions(): number { return Number(this.n.value as bigint); }
  get ops(): number { return Number(this.o.value as bigint); }
  get bulkBytes(): number { return Number(this.b.value as bigint); }
  reset(): void { this.n.value = 0n; this.o.value = 0n; this.b.value = 0n; }
}

// ---- self-test -----------------------------------------------------------------------------
// A module written byte by byte, with counts worked out by hand.
//
// (func $sum (param $n i32) (result i32) (local $s i32)          ;; counts 12 per turn, 4 to leave
//   block  loop
//     local.get $n  i32.eqz  br_if 1                               ;; 3
//     local.get $s  local.get $n  i32.add  local.set $s            ;; 4
//     local.get $n  i32.const 1  i32.sub  local.set $n  br 0       ;; 5
//   end  end
//   local.get $s)                                                  ;; 1       => 12 n + 4
// (func $pick (param i32) (result i32)
//   local.get 0  if (result i32)  i32.const 10                     ;; 2 + 1   => 3 when non-zero
//   else  i32.const 20  i32.const 1  i32.add  end)                 ;; 2 + 3   => 5 when zero
// (func $table (param i32) (result i32)
//   block block block local.get 0 br_table 0 1 2 end               ;; 2
//   i32.const 100 return end                                       ;; +2 => 4 for 0
//   i32.const 200 return end                                       ;; +2 => 4 for 1
//   i32.const 300)                                                 ;; +1 => 3 for 2 and above
// (func $both (result i32) i32.const 1 call $pick i32.const 0 call $pick i32.add)  ;; 5 + 3 + 5 = 13
// (func $fill (param i32)  i32.const 0  i32.const 7  local.get 0  memory.fill)     ;; 4, bulk += n
const SELF_TEST_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // types: 0 (i32)->i32, 1 ()->i32, 2 (i32)->()
  0x01, 0x0e, 0x03, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00,
  // functions
  0x03, 0x06, 0x05, 0x00, 0x00, 0x00, 0x01, 0x02,
  // memory: 1 page
  0x05, 0x03, 0x01, 0x00, 0x01,
  // exports: sum pick table both fill
  0x07, 0x24, 0x05,
  0x03, 0x73, 0x75, 0x6d, 0x00, 0x00,
  0x04, 0x70, 0x69, 0x63, 0x6b, 0x00, 0x01,
  0x05, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x00, 0x02,
  0x04, 0x62, 0x6f, 0x74, 0x68, 0x00, 0x03,
  0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x04,
  // code
  0x0a, 0x69, 0x05,
  // $sum
  0x21, 0x01, 0x01, 0x7f,
  0x02, 0x40, 0x03, 0x40,
  0x20, 0x00, 0x45, 0x0d, 0x01,
  0x20, 0x01, 0x20, 0x00, 0x6a, 0x21, 0x01,
  0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00,
  0x0b, 0x0b,
  0x20, 0x01, 0x0b,
  // $pick
  0x0f, 0x00,
  0x20, 0x00, 0x04, 0x7f, 0x41, 0x0a, 0x05, 0x41, 0x14, 0x41, 0x01, 0x6a, 0x0b, 0x0b,
  // $table
  0x1d, 0x00,
  0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x20, 0x00, 0x0e, 0x02, 0x00, 0x01, 0x02, 0x0b,
  0x41, 0xe4, 0x00, 0x0f, 0x0b,
  0x41, 0xc8, 0x01, 0x0f, 0x0b,
  0x41, 0xac, 0x02, 0x0b,
  // $both
  0x0b, 0x00,
  0x41, 0x01, 0x10, 0x01, 0x41, 0x00, 0x10, 0x01, 0x6a, 0x0b,
  // $fill
  0x0b, 0x00,
  0x41, 0x00, 0x41, 0x07, 0x20, 0x00, 0xfc, 0x0b, 0x00, 0x0b,
]);

/** Checks the counter against hand-counted functions; throws on any difference. */
export function selfTest(): void {
  const plain = new WebAssembly.Instance(new WebAssembly.Module(SELF_TEST_MODULE), {});
  const inst = new WebAssembly.Instance(new WebAssembly.Module(instrument(SELF_TEST_MODULE)), {});
  const c = new Counters(inst.exports);
  type F = (...a: number[]) => number;
  // [function, arguments, instructions, ops, bulk bytes]; ops by hand: $sum 7 n + 2, $pick 1 or 2,
  // $table 2 or 1, $both 3 + 1 + 2, $fill 1
  const cases: [string, number[], number, number, number][] = [
    ["sum", [0], 4, 2, 0], ["sum", [1], 16, 9, 0], ["sum", [10], 124, 72, 0], ["sum", [1000], 12004, 7002, 0],
    ["pick", [1], 3, 1, 0], ["pick", [0], 5, 2, 0],
    ["table", [0], 4, 2, 0], ["table", [1], 4, 2, 0], ["table", [2], 3, 1, 0], ["table", [9], 3, 1, 0],
    ["both", [], 13, 6, 0],
    ["fill", [100], 4, 1, 100], ["fill", [0], 4, 1, 0],
  ];
  for (const [name, args, want, wantOps, wantBulk] of cases) {
    c.reset();
    const got = (inst.exports[name] as F)(...args);
    const expect = (plain.exports[name] as F)(...args);
    if (got !== expect) throw new Error(`instrumented ${name}(${args.join(",")}) returned ${got}, not ${expect}`);
    if (c.instructions !== want || c.ops !== wantOps || c.bulkBytes !== wantBulk) {
      throw new Error(`instruction counter self-test: ${name}(${args.join(",")}) counted ${c.instructions} instructions, ${c.ops} ops and ${c.bulkBytes} bulk bytes, expected ${want}, ${wantOps} and ${wantBulk}`);
    }
  }
}
