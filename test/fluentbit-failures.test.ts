// The Fluent Bit failure modes we know. filter_wasm keeps one instance for the life of the filter: a
// result that is not valid JSON after a valid one crashes Fluent Bit (a double free), so no batch of
// good and bad records may ever produce one; and bad records must leave no trace in the instance, so a
// good record after thousands of bad ones gives the same bytes as on a fresh instance.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { FILTER_FUNCTIONS, type FluentBitHost, type FilterFunction } from "../src/_host.js";
import { freshHost } from "./_helpers.js";
import { BROKEN, brokenBytes, utf8 } from "./_broken.js";
import { SAMPLES, catalogueRecords, shape, fill, hostileText, recordJson } from "./_events.js";

const SEC = 1715000000;
const NSEC = 5;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** One call as Fluent Bit sees it: the bytes up to the NUL must be one valid UTF-8 JSON object. */
function resultOf(host: FluentBitHost, fn: FilterFunction, input: Uint8Array): string {
  const raw = host.callRaw(fn, "segura.events", input, SEC, NSEC);
  if (raw === null) throw new Error(`${fn} returned 0`);
  const text = strictUtf8.decode(raw);
  const v = JSON.parse(text) as unknown;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`${fn} returned JSON that is not an object: ${text.slice(0, 200)}`);
  if (typeof (v as { message?: unknown }).message !== "string") throw new Error(`${fn} returned an object without a message: ${text.slice(0, 200)}`);
  return text;
}

const GOOD = [...SAMPLES, ...catalogueRecords().map(([, j]) => j)].map(utf8);
const HOSTILE = fc.sample(shape({ hostileKeys: true }).chain((s) =>
  fc.tuple(fc.array(hostileText, { minLength: 24, maxLength: 24 }), fc.array(hostileText, { minLength: 1, maxLength: 1 })).map(([t, h]) => fill(s, t, h))), { numRuns: 300, seed: 99 }).map((p) => utf8(recordJson(p)));
const BAD = [...BROKEN.map(([, c]) => c.input), ...fc.sample(brokenBytes, { numRuns: 300, seed: 7 })];

describe("a batch mixing good and bad records never gives an invalid result", () => {
  const record = fc.oneof(fc.constantFrom(...GOOD), fc.constantFrom(...HOSTILE), fc.constantFrom(...BAD));
  it.each(FILTER_FUNCTIONS)("%s: generated batches on one long-lived instance", (fn) => {
    const host = freshHost();
    let calls = 0;
    fc.assert(
      fc.property(fc.array(record, { minLength: 10, maxLength: 60 }), (batch) => {
        for (const input of batch) { resultOf(host, fn, input); calls++; }
      }),
      { numRuns: 200, seed: 2024 },
    );
    expect(calls).toBeGreaterThan(3000);
  });

  it.each(FILTER_FUNCTIONS)("%s: every broken case right after a valid result, and the valid one again after it", (fn) => {
    const host = freshHost();
    for (const good of GOOD.slice(0, 40)) {
      const first = resultOf(host, fn, good);
      for (const [, c] of BROKEN) {
        resultOf(host, fn, c.input);
        expect(resultOf(host, fn, good)).toBe(first);
      }
    }
  });
});

describe("thousands of consecutive bad records do not degrade later good ones", () => {
  it.each(FILTER_FUNCTIONS)("%s: same bytes as a fresh instance after 5,000 bad records", (fn) => {
    const fresh = freshHost();
    const want = GOOD.map((g) => resultOf(fresh, fn, g));
    const worn = freshHost();
    const before = worn.memoryBytes;
    for (let i = 0; i < 5000; i++) resultOf(worn, fn, i % 2 ? BAD[i % BAD.length]! : HOSTILE[i % HOSTILE.length]!);
    const after = worn.memoryBytes;
    const got = GOOD.map((g) => resultOf(worn, fn, g));
    expect(got.filter((g, i) => g !== want[i]).length).toBe(0);
    console.log(`${fn}: memory ${before} bytes fresh, ${after} bytes after 5,000 bad records`);
    // and once more, to see the instance settles: a second round adds no memory
    for (let i = 0; i < 5000; i++) resultOf(worn, fn, i % 2 ? BAD[i % BAD.length]! : HOSTILE[i % HOSTILE.length]!);
    expect(worn.memoryBytes).toBe(after);
    expect(GOOD.map((g) => resultOf(worn, fn, g))).toEqual(want);
  });
});
