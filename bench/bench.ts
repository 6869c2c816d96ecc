// `npm run bench`: throughput and instruction counts of the engine, in one run, on one corpus.
//
//   node dist/bench/bench.js [--json] [--rounds N] [--records N] [--seed N] [--profile] [--dump-corpus FILE]
//
// --dump-corpus FILE: writes the corpus, one record per line, and exits (for a host outside V8, such as a WAMR build).
// --profile: instead of timing, builds the engine once more with function names (asc --debug, same
// optimisation) and prints, for each function, where its executed instructions go, by wasm function.
//
// Contenders, all fed the same generated corpus (bench/corpus.ts) with the same record time:
//   - segura_cef, segura_syslog, segura_cef_syslog: build/segura.wasm through FluentBitHost, which calls
//     the module as filter_wasm does (copy tag and record in through malloc, call, copy the
//     NUL-terminated result out, free);
//   - the host ceiling: build/bench-noop.wasm (bench/assembly/noop.ts), same ABI and allocator, returns
//     a copy of the record: the most any filter can reach through this host;
//   - plain JavaScript: referenceConvert() from src/_reference.ts, the same mapping in plain TypeScript.
// Before timing, every contender's output is checked: the engine's records must equal the reference's.
// Timing: a warm-up, then rounds; in each round every contender converts the whole corpus (repeated to
// at least ~40 ms), in a rotating order so that drift on a busy machine hits all alike, with a
// garbage collection before each sample. Each contender runs its own instance of the host (or
// reference) module, so none inherits another's JIT state. Reported: records/s and MB/s (input
// bytes) of the median round, the slowest and fastest rounds, and ratios taken within each round
// (median over rounds).
//
// Instruction counts come from an instrumented copy of the same binary (bench/instrument.ts); they do
// not depend on the machine, so they are the number to watch for the interpreter (WAMR fast-interp).
import { readFileSync, writeFileSync, statSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { FluentBitHost, FILTER_FUNCTIONS, type FilterFunction } from "../src/_host.js";
import { referenceConvert, type LineFormat } from "../src/_reference.js";
import { buildCorpus, type Corpus } from "./corpus.js";
import { instrument, selfTest, Counters, functionNames } from "./instrument.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ENGINE_WASM = join(ROOT, "build", "segura.wasm");
const NOOP_SOURCE = join(ROOT, "bench", "assembly", "noop.ts");
const NOOP_WASM = join(ROOT, "build", "bench-noop.wasm");
const INSTRUMENTED_WASM = join(ROOT, "build", "segura.counted.wasm");
const NOOP_FUNCTION = "passthrough";
const TAG = "segura.events";
const SEC = 1715000000;
const NSEC = 123456789;
const FORMAT_OF: Record<FilterFunction, LineFormat> = { segura_cef: "cef", segura_syslog: "syslog", segura_cef_syslog: "cef-syslog" };
const PROFILE_WASM = join(ROOT, "build", "segura.profile.wasm");
const MIN_SAMPLE_NS = 40e6;

// ---- options -------------------------------------------------------------------------------
function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} takes a positive integer`);
  return v;
}
const JSON_OUTPUT = process.argv.includes("--json");
const ROUNDS = option("--rounds", 11);
const RECORDS = option("--records", 4096);
const SEED = option("--seed", 5424);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

// ---- the no-op module ----------------------------------------------------------------------
function buildNoop(): void {
  const asc = join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js");
  mkdirSync(dirname(NOOP_WASM), { recursive: true });
  const r = spawnSync(process.execPath, [asc, NOOP_SOURCE, "--config", join(ROOT, "bench", "asconfig.json"), "--target", "noop"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`asc failed on ${NOOP_SOURCE}:\n${r.stdout}${r.stderr}`);
}

// ---- contenders ----------------------------------------------------------------------------
interface Contender {
  name: string;
  /** Converts the whole corpus once; returns a value that depends on every output. */
  pass(): number;
}

// Each contender gets its own instance of the host module (or of the reference module): V8 keeps
// type feedback per function, so with one shared FluentBitHost.callRaw() the first filter it saw
// would keep a monomorphic fast path to its wasm function and every other contender would pay for
// the polymorphic call site (15% in our measurements). Separate module instances (the same file
// imported under distinct URLs) give every contender the same, monomorphic code.
type HostModule = typeof import("../src/_host.js");
type ReferenceModule = typeof import("../src/_reference.js");
let instances = 0;
async function freshImport<T>(path: string): Promise<T> {
  const url = new URL(path, import.meta.url);
  url.searchParams.set("contender", String(++instances));
  return (await import(url.href)) as T;
}

async function wasmContender(name: string, module: WebAssembly.Module, fn: string, corpus: Corpus): Promise<Contender & { host: FluentBitHost }> {
  const { FluentBitHost: Host } = await freshImport<HostModule>("../src/_host.js");
  const host = new Host(module);
  return {
    name,
    host,
    pass(): number {
      let n = 0;
      for (const rec of corpus.records) n += host.callRaw(fn, TAG, rec, SEC, NSEC)!.length;
      return n;
    },
  };
}

async function jsContender(name: string, format: LineFormat, corpus: Corpus): Promise<Contender> {
  const { referenceConvert: convert } = await freshImport<ReferenceModule>("../src/_reference.js");
  return {
    name,
    pass(): number {
      let n = 0;
      for (const rec of corpus.records) n += convert(rec, format, true, SEC, NSEC).length;
      return n;
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

interface Timing { name: string; recordsPerSec: number; mbPerSec: number; nsPerRecord: number; slowest: number; fastest: number; samples: number[] }

function timeAll(contenders: Contender[], corpus: Corpus): Timing[] {
  // warm-up: long enough for the JIT tiers to settle; also sizes each sample
  const reps = contenders.map((c) => {
    for (let i = 0; i < 3; i++) c.pass();
    const t0 = process.hrtime.bigint();
    c.pass();
    const ns = Number(process.hrtime.bigint() - t0);
    return Math.max(1, Math.ceil(MIN_SAMPLE_NS / Math.max(ns, 1)));
  });
  const perRecord: number[][] = contenders.map(() => []);
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (round + k) % contenders.length;
      const c = contenders[i]!;
      gc();
      const t0 = process.hrtime.bigint();
      for (let r = 0; r < reps[i]!; r++) sink += c.pass();
      const ns = Number(process.hrtime.bigint() - t0);
      perRecord[i]!.push(ns / (reps[i]! * corpus.records.length));
    }
  }
  if (sink === 0) throw new Error("no output");
  return contenders.map((c, i) => {
    const s = [...perRecord[i]!].sort((a, b) => a - b);
    const ns = median(s);
    const bytesPerRecord = corpus.bytes / corpus.records.length;
    return {
      name: c.name,
      nsPerRecord: ns,
      recordsPerSec: 1e9 / ns,
      mbPerSec: (bytesPerRecord * 1e9) / ns / 1e6,
      slowest: 1e9 / s[s.length - 1]!,
      fastest: 1e9 / s[0]!,
      samples: perRecord[i]!.map((x) => 1e9 / x),
    };
  });
}

// ---- instruction counts --------------------------------------------------------------------
interface Count { name: string; perRecord: number; perByte: number; opsPerRecord: number; opsPerByte: number; allocatorPerRecord: number; perByteWithAllocator: number; bulkBytesPerRecord: number }

/** Runs the corpus through an instrumented instance the way FluentBitHost does, counting the
 * function's own instructions apart from the host's malloc/free calls. */
function countInstructions(host: FluentBitHost, counters: Counters, fn: string, corpus: Corpus): Count {
  const f = host.instance.exports[fn] as (...a: number[]) => number;
  const tag = new TextEncoder().encode(TAG);
  let inCall = 0, inAlloc = 0, bulk = 0, ops = 0;
  for (const rec of corpus.records) {
    counters.reset();
    const tagPtr = host.allocator.alloc(tag.length + 1);
    const recPtr = host.allocator.alloc(rec.length + 1);
    const mem = new Uint8Array(host.memory.buffer);
    mem.set(tag, tagPtr); mem[tagPtr + tag.length] = 0;
    mem.set(rec, recPtr); mem[recPtr + rec.length] = 0;
    const a = counters.instructions;
    const b0 = counters.bulkBytes;
    const o0 = counters.ops;
    f(tagPtr, tag.length, SEC, NSEC, recPtr, rec.length);
    const b = counters.instructions;
    bulk += counters.bulkBytes - b0;
    ops += counters.ops - o0;
    host.allocator.free(tagPtr);
    host.allocator.free(recPtr);
    inCall += b - a;
    inAlloc += counters.instructions - (b - a);
  }
  const n = corpus.records.length;
  return {
    name: fn, perRecord: inCall / n, perByte: inCall / corpus.bytes, opsPerRecord: ops / n, opsPerByte: ops / corpus.bytes,
    allocatorPerRecord: inAlloc / n, perByteWithAllocator: (inCall + inAlloc) / corpus.bytes, bulkBytesPerRecord: bulk / n,
  };
}

// ---- profile -------------------------------------------------------------------------------
const PROFILE_ROWS = option("--rows", 25);
function profile(corpus: Corpus): void {
  const asc = join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js");
  const r = spawnSync(process.execPath, [asc, "assembly/fluentbit.ts", "--target", "release", "--debug", "-o", PROFILE_WASM], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`asc failed:\n${r.stdout}${r.stderr}`);
  const bytes = readFileSync(PROFILE_WASM);
  const names = functionNames(bytes);
  const module = new WebAssembly.Module(instrument(bytes, true));
  for (const fn of FILTER_FUNCTIONS) {
    const host = new FluentBitHost(module);
    const counters = new Counters(host.instance.exports);
    countInstructions(host, counters, fn, corpus);
    const globals = Object.entries(host.instance.exports).filter(([k]) => k.startsWith("__fn") || k.startsWith("__calls")) as [string, WebAssembly.Global][];
    for (const [, g] of globals) g.value = 0n;
    const total = countInstructions(host, counters, fn, corpus);
    const n = corpus.records.length;
    const value = (name: string): number => Number((host.instance.exports[name] as WebAssembly.Global).value as bigint);
    const rows = globals.filter(([k]) => /^__fn\d/.test(k))
      .map(([k, g]) => {
        const i = k.slice(4);
        return [names.get(Number(i)) ?? k, Number(g.value as bigint) / n, value(`__fnops${i}`) / n, value(`__calls${i}`) / n] as const;
      })
      .filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
    const sum = rows.reduce((a, [, v]) => a + v, 0);
    process.stdout.write(`${fn}: ${fmt(total.perRecord)} instructions (${fmt(total.perByte, 2)} per input byte), ${fmt(total.opsPerRecord)} ops per record; by function, host malloc/free included (${fmt(sum)}):\n`);
    process.stdout.write(`  instructions  share       ops   calls  function\n`);
    for (const [name, v, o, calls] of rows.slice(0, PROFILE_ROWS)) process.stdout.write(`  ${fmt(v).padStart(12)}  ${fmt((100 * v) / sum, 1).padStart(5)}%  ${fmt(o).padStart(8)}  ${fmt(calls, 1).padStart(6)}  ${name}\n`);
  }
}

// ---- the run -------------------------------------------------------------------------------
function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
  const dump = process.argv.indexOf("--dump-corpus");
  if (dump >= 0) {
    const file = process.argv[dump + 1];
    if (!file) throw new Error("--dump-corpus takes a file name");
    const corpus = buildCorpus(ROOT, RECORDS, SEED);
    const dec = new TextDecoder();
    writeFileSync(file, corpus.records.map((r) => dec.decode(r)).join("\n") + "\n");
    process.stdout.write(`${file}: ${corpus.records.length} records, ${corpus.bytes} bytes\n`);
    return;
  }
  if (process.argv.includes("--profile")) {
    profile(buildCorpus(ROOT, RECORDS, SEED));
    return;
  }
  buildNoop();
  selfTest();
  const engineBytes = readFileSync(ENGINE_WASM);
  const noopBytes = readFileSync(NOOP_WASM);
  const counted = instrument(engineBytes);
  writeFileSync(INSTRUMENTED_WASM, counted);
  const countedNoop = instrument(noopBytes);
  const corpus = buildCorpus(ROOT, RECORDS, SEED);

  // one instance per filter, as Fluent Bit creates one per filter instance
  const engineModule = new WebAssembly.Module(engineBytes);
  const engines = await Promise.all(FILTER_FUNCTIONS.map((fn) => wasmContender(fn, engineModule, fn, corpus)));
  const hosts = Object.fromEntries(FILTER_FUNCTIONS.map((fn, i) => [fn, engines[i]!.host])) as Record<FilterFunction, FluentBitHost>;
  const noop = await wasmContender("ceiling (no-op wasm)", new WebAssembly.Module(noopBytes), NOOP_FUNCTION, corpus);
  const noopHost = noop.host;
  const countedModule = new WebAssembly.Module(counted);

  // the outputs tell the truth first: engine = reference, instrumented = plain, no-op = input
  const dec = new TextDecoder();
  for (const fn of FILTER_FUNCTIONS) {
    const countedHost = new FluentBitHost(countedModule);
    for (const rec of corpus.records) {
      const got = hosts[fn].callRaw(fn, TAG, rec, SEC, NSEC);
      const want = referenceConvert(rec, FORMAT_OF[fn], true, SEC, NSEC);
      if (got === null || dec.decode(got) !== want) throw new Error(`${fn}: output differs from the reference for ${dec.decode(rec)}`);
      const again = countedHost.callRaw(fn, TAG, rec, SEC, NSEC);
      if (again === null || dec.decode(again) !== want) throw new Error(`${fn}: the instrumented module's output differs for ${dec.decode(rec)}`);
    }
  }
  for (const rec of corpus.records.slice(0, 64)) {
    const got = noopHost.callRaw(NOOP_FUNCTION, TAG, rec, SEC, NSEC);
    if (got === null || got.length !== rec.length || got.some((b, i) => b !== rec[i])) throw new Error("the no-op filter does not return its input");
  }

  const contenders: Contender[] = [
    ...engines,
    noop,
    ...(await Promise.all(FILTER_FUNCTIONS.map((fn) => jsContender(`plain JS ${FORMAT_OF[fn]}`, FORMAT_OF[fn], corpus)))),
  ];
  // memory after the warm-up, and at the end: a flat line means no growth per record
  for (const c of contenders.slice(0, 4)) { c.pass(); c.pass(); }
  const memAfterWarmup = [...FILTER_FUNCTIONS.map((fn) => hosts[fn].memoryBytes), noopHost.memoryBytes];
  const timings = timeAll(contenders, corpus);
  const memAtEnd = [...FILTER_FUNCTIONS.map((fn) => hosts[fn].memoryBytes), noopHost.memoryBytes];

  const counts: Count[] = [];
  for (const fn of FILTER_FUNCTIONS) {
    const h = new FluentBitHost(countedModule);
    countInstructions(h, new Counters(h.instance.exports), fn, corpus); // first pass grows the buffers
    counts.push(countInstructions(h, new Counters(h.instance.exports), fn, corpus));
  }
  const nh = new FluentBitHost(countedNoop);
  countInstructions(nh, new Counters(nh.instance.exports), NOOP_FUNCTION, corpus);
  const noopCount = countInstructions(nh, new Counters(nh.instance.exports), NOOP_FUNCTION, corpus);

  const byName = (n: string): Timing => timings.find((t) => t.name === n)!;
  // a ratio is taken in each round, between samples taken a second or two apart, then the median
  // of the rounds: drift on a busy machine cancels out better than between two medians
  const roundRatio = (a: Timing, b: Timing): number => median(a.samples.map((x, i) => x / b.samples[i]!));
  const ceiling = byName("ceiling (no-op wasm)");
  const ratios = FILTER_FUNCTIONS.map((fn) => ({
    name: fn,
    ofCeiling: roundRatio(byName(fn), ceiling),
    ofPlainJs: roundRatio(byName(fn), byName(`plain JS ${FORMAT_OF[fn]}`)),
  }));
  const moduleBytes = statSync(ENGINE_WASM).size;
  const memory = [...FILTER_FUNCTIONS, "ceiling (no-op wasm)"].map((name, i) => ({
    name, afterWarmup: memAfterWarmup[i]!, atEnd: memAtEnd[i]!, flat: memAfterWarmup[i] === memAtEnd[i],
  }));
  const result = {
    node: process.version,
    corpus: { records: corpus.records.length, bytes: corpus.bytes, bytesPerRecord: corpus.bytes / corpus.records.length, seed: SEED, mix: corpus.mix },
    rounds: ROUNDS,
    throughput: timings.map(({ samples: _s, ...t }) => t),
    ratios,
    instructions: counts,
    ceilingInstructions: noopCount,
    module: { path: "build/segura.wasm", bytes: moduleBytes, kib: moduleBytes / 1024, noopBytes: noopBytes.length },
    memory,
  };
  if (JSON_OUTPUT) {
    process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    return;
  }
  const out: string[] = [];
  out.push(`corpus: ${fmt(corpus.records.length)} records, ${fmt(result.corpus.bytesPerRecord, 1)} bytes each on average (seed ${SEED}; ` +
    `${corpus.mix.generated} catalogue events, ${corpus.mix.samples} bundled samples, ${corpus.mix.unknown} unknown events); node ${process.version}; ${ROUNDS} rounds, median`);
  out.push("");
  out.push("throughput through FluentBitHost (V8)       records/s      MB/s   ns/record   [slowest .. fastest round]");
  for (const t of timings) {
    out.push(`  ${t.name.padEnd(40)} ${fmt(t.recordsPerSec).padStart(10)} ${fmt(t.mbPerSec, 1).padStart(9)} ${fmt(t.nsPerRecord).padStart(11)}   [${fmt(t.slowest)} .. ${fmt(t.fastest)}]`);
  }
  out.push("");
  out.push("ratios of records/s (median over rounds of the ratio within a round)   ours/ceiling   ours/plain JS");
  for (const r of ratios) out.push(`  ${r.name.padEnd(71)} ${fmt(r.ofCeiling, 2).padStart(12)} ${fmt(r.ofPlainJs, 2).padStart(15)}`);
  out.push("");
  out.push("executed wasm instructions (instrumented build; machine-independent; ops = without local.get and constants)");
  out.push("                                      instructions/record   per input byte   ops/record   per input byte   host malloc/free   per input byte with it   memory.copy/fill bytes");
  for (const c of [...counts, noopCount]) {
    const name = c.name === NOOP_FUNCTION ? "ceiling (no-op wasm)" : c.name;
    out.push(`  ${name.padEnd(36)} ${fmt(c.perRecord).padStart(19)} ${fmt(c.perByte, 2).padStart(16)} ${fmt(c.opsPerRecord).padStart(12)} ${fmt(c.opsPerByte, 2).padStart(16)} ${fmt(c.allocatorPerRecord).padStart(18)} ${fmt(c.perByteWithAllocator, 2).padStart(24)} ${fmt(c.bulkBytesPerRecord).padStart(24)}`);
  }
  out.push("");
  out.push(`module: build/segura.wasm ${fmt(moduleBytes)} bytes (${fmt(moduleBytes / 1024, 1)} KiB); no-op ${fmt(noopBytes.length)} bytes`);
  out.push("linear memory (after warm-up -> at the end):");
  for (const m of memory) out.push(`  ${m.name.padEnd(40)} ${fmt(m.afterWarmup / 1024)} KiB -> ${fmt(m.atEnd / 1024)} KiB${m.flat ? " (flat)" : " (GREW)"}`);
  process.stdout.write(out.join("\n") + "\n");
}

await main();
