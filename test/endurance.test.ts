// Endurance: 10 million calls through one FluentBitHost, as one Fluent Bit filter instance would
// live, mixing valid, hostile and broken records across all three functions. No call may trap, every
// result must be a JSON object, and linear memory must stop growing once every kind of record has been
// seen. SEGURA_ENDURANCE_CALLS sets another count (at least 2,000,000, so the warm-up fits).
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { FILTER_FUNCTIONS } from "../src/_host.js";
import { freshHost } from "./_helpers.js";
import { BROKEN, brokenBytes, utf8 } from "./_broken.js";
import { SAMPLES, catalogueRecords, shape, fill, hostileText, recordJson } from "./_events.js";

const CALLS = Number(process.env.SEGURA_ENDURANCE_CALLS ?? 10_000_000);
const WARM_UP = 1_000_000;
const CHECKPOINT = 250_000;
const BIG_EVERY = 100_003;

describe("endurance", () => {
  it(`${CALLS.toLocaleString("en")} calls on one instance: no trap, every result an object, flat memory after warm-up`, () => {
    expect(CALLS).toBeGreaterThanOrEqual(2 * WARM_UP);
    // the record bytes, computed once, so the loop costs little more than the calls
    const good = [...SAMPLES, ...catalogueRecords().map(([, j]) => j)].map(utf8);
    const hostile = fc.sample(shape({ hostileKeys: true }).chain((s) =>
      fc.tuple(fc.array(hostileText, { minLength: 24, maxLength: 24 }), fc.array(hostileText, { minLength: 1, maxLength: 1 })).map(([t, h]) => fill(s, t, h))), { numRuns: 1000, seed: 10 }).map((p) => utf8(recordJson(p)));
    const broken = [...BROKEN.map(([, c]) => c.input), ...fc.sample(brokenBytes, { numRuns: 500, seed: 11 })];
    const small = broken.filter((b) => b.length < 65536);
    const big = broken.filter((b) => b.length >= 65536);
    expect(big.length).toBeGreaterThan(3);

    const host = freshHost();
    const fns = FILTER_FUNCTIONS;
    const decoder = new TextDecoder();
    const curve: [number, number][] = [[0, host.memoryBytes]];
    let traps = 0;
    let invalid = 0;
    let firstProblem = "";
    const start = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const fn = fns[i % 3]!;
      let input: Uint8Array;
      // every big record with every function first (the warm-up sees the largest inputs), then one now and then
      if (i < big.length * 3) input = big[Math.floor(i / 3)]!;
      else if (i % BIG_EVERY === 0) input = big[(i / BIG_EVERY) % big.length]!;
      else {
        const k = i % 20;
        const j = (i * 7919) >>> 0;
        input = k < 14 ? good[j % good.length]! : k < 19 ? hostile[j % hostile.length]! : small[j % small.length]!;
      }
      let out: Uint8Array | null;
      try {
        out = host.callRaw(fn, "segura.events", input, 1715000000 + (i & 1023), i & 0xffff);
      } catch (e) {
        traps++;
        if (!firstProblem) firstProblem = `call ${i} (${fn}) trapped: ${(e as Error).message}`;
        if (traps >= 10) break;
        continue;
      }
      if (out === null || out.length < 2 || out[0] !== 123 || out[out.length - 1] !== 125) {
        invalid++;
        if (!firstProblem) firstProblem = `call ${i} (${fn}) returned ${out === null ? "0" : decoder.decode(out.subarray(0, 200))}`;
      } else if (i % 9973 === 0) {
        const v = JSON.parse(decoder.decode(out)) as { message?: unknown };
        if (typeof v.message !== "string") { invalid++; firstProblem ||= `call ${i}: no message`; }
      }
      if ((i + 1) % CHECKPOINT === 0 || i + 1 === big.length * 3) curve.push([i + 1, host.memoryBytes]);
    }
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `endurance: ${CALLS.toLocaleString("en")} calls in ${seconds.toFixed(1)} s (${Math.round(CALLS / seconds).toLocaleString("en")} calls/s), ` +
      `${traps} traps, ${invalid} invalid results\nlinear memory (calls -> bytes):\n` +
      curve.map(([n, b]) => `  ${String(n).padStart(10)} ${String(b).padStart(10)}`).join("\n"),
    );
    expect(firstProblem).toBe("");
    expect(traps).toBe(0);
    expect(invalid).toBe(0);
    const afterWarmUp = curve.filter(([n]) => n >= WARM_UP);
    expect(afterWarmUp.length).toBeGreaterThan(1);
    for (const [n, b] of afterWarmUp) expect(b, `memory at call ${n}`).toBe(afterWarmUp[0]![1]);
  }, 1_800_000);

  it("1,000,000 calls of everyday traffic (no record over 64 KiB) on one instance: memory flat after 200,000", () => {
    const good = [...SAMPLES, ...catalogueRecords().map(([, j]) => j)].map(utf8);
    const hostile = fc.sample(shape({ hostileKeys: true }).chain((s) =>
      fc.tuple(fc.array(hostileText, { minLength: 24, maxLength: 24 }), fc.array(hostileText, { minLength: 1, maxLength: 1 })).map(([t, h]) => fill(s, t, h))), { numRuns: 500, seed: 12 }).map((p) => utf8(recordJson(p)));
    const small = [...BROKEN.map(([, c]) => c.input), ...fc.sample(brokenBytes, { numRuns: 200, seed: 13 })].filter((b) => b.length < 65536);
    const host = freshHost();
    const curve: [number, number][] = [[0, host.memoryBytes]];
    let traps = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const k = i % 20;
      const j = (i * 7919) >>> 0;
      const input = k < 14 ? good[j % good.length]! : k < 19 ? hostile[j % hostile.length]! : small[j % small.length]!;
      try {
        const out = host.callRaw(FILTER_FUNCTIONS[i % 3]!, "segura.events", input, 1715000000, 0);
        if (out === null || out[0] !== 123) throw new Error(`call ${i}: not an object`);
      } catch (e) {
        if (!(e instanceof WebAssembly.RuntimeError)) throw e;
        traps++;
      }
      if ((i + 1) % 100_000 === 0) curve.push([i + 1, host.memoryBytes]);
    }
    console.log(`everyday traffic, linear memory (calls -> bytes): ${curve.map(([n, b]) => `${n}: ${b}`).join(", ")}`);
    expect(traps).toBe(0);
    for (const [n, b] of curve.filter(([n]) => n >= 200_000)) expect(b, `memory at call ${n}`).toBe(curve[2]![1]);
  }, 600_000);
});
