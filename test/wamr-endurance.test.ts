// Endurance in WAMR: one million calls through one instance of hosts/wamr, as one Fluent Bit filter
// lives, mixing valid, hostile and broken records (the largest first) across the three functions. No
// call may trap, every result must be a JSON object, and the linear memory WAMR reports must stay the
// same from call 200,000 on.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { FILTER_FUNCTIONS } from "../src/_host.js";
import { RELEASE_WASM } from "./_helpers.js";
import { BROKEN, brokenBytes, utf8 } from "./_broken.js";
import { SAMPLES, catalogueRecords, shape, fill, hostileText, recordJson } from "./_events.js";
import { WamrHost } from "./_wamr.js";

const CALLS = 1_000_000;
const WARM_UP = 200_000;
const CHECKPOINT = 100_000;

describe("WAMR endurance", () => {
  it(`${CALLS.toLocaleString("en")} calls on one instance: no trap, every result an object, flat memory after warm-up`, async () => {
    const good = [...SAMPLES, ...catalogueRecords().map(([, j]) => j)].map(utf8);
    const hostile = fc.sample(shape({ hostileKeys: true }).chain((s) =>
      fc.tuple(fc.array(hostileText, { minLength: 24, maxLength: 24 }), fc.array(hostileText, { minLength: 1, maxLength: 1 })).map(([t, h]) => fill(s, t, h))), { numRuns: 500, seed: 20 }).map((p) => utf8(recordJson(p)));
    const broken = [...BROKEN.map(([, c]) => c.input), ...fc.sample(brokenBytes, { numRuns: 300, seed: 21 })];
    const big = broken.filter((b) => b.length >= 65536);
    const small = broken.filter((b) => b.length < 65536);
    expect(big.length).toBeGreaterThan(3);

    const host = new WamrHost(RELEASE_WASM);
    const curve: [number, number][] = [];
    let problems = 0;
    let first = "";
    const start = performance.now();
    try {
      await host.each(CALLS, (i) => {
        let record: Uint8Array;
        if (i < big.length * 3) record = big[Math.floor(i / 3)]!; // every big record with every function first
        else {
          const k = i % 20;
          const j = (i * 7919) >>> 0;
          record = k < 14 ? good[j % good.length]! : k < 19 ? hostile[j % hostile.length]! : small[j % small.length]!;
        }
        return { fn: FILTER_FUNCTIONS[i % 3]!, record, sec: 1715000000 + (i & 1023), nsec: i & 0xffff };
      }, (i, r) => {
        const ok = r.status === "string" && r.bytes.length >= 2 && r.bytes[0] === 123 && r.bytes[r.bytes.length - 1] === 125;
        if (!ok) {
          problems++;
          first ||= `call ${i}: ${r.status} ${r.bytes.subarray(0, 200).toString()}`;
        }
        if ((i + 1) % CHECKPOINT === 0) curve.push([i + 1, r.memoryBytes]);
      });
    } finally {
      await host.close();
    }
    const seconds = (performance.now() - start) / 1000;
    console.log(`WAMR endurance: ${CALLS.toLocaleString("en")} calls in ${seconds.toFixed(1)} s (${Math.round(CALLS / seconds).toLocaleString("en")} calls/s through the pipe); ` +
      `linear memory (calls -> bytes): ${curve.map(([n, b]) => `${n}: ${b}`).join(", ")}`);
    expect(first).toBe("");
    expect(problems).toBe(0);
    const after = curve.filter(([n]) => n >= WARM_UP);
    expect(after.length).toBeGreaterThan(5);
    for (const [n, b] of after) expect(b, `memory at call ${n}`).toBe(after[0]![1]);
  }, 900_000);
});
