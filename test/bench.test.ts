// The benchmark still runs and reports what it promises (on a small corpus: this checks the tool,
// not the speed; speed is read from `npm run bench`). The module's size budget is checked here too.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, RELEASE_WASM } from "./_helpers.js";

interface BenchCount { name: string; perRecord: number; perByte: number; opsPerRecord: number; allocatorPerRecord: number; perByteWithAllocator: number }
interface BenchJson {
  corpus: { records: number; bytes: number };
  throughput: { name: string; recordsPerSec: number }[];
  ratios: { name: string; ofCeiling: number; ofPlainJs: number }[];
  instructions: BenchCount[];
  module: { bytes: number };
  memory: { name: string; flat: boolean }[];
}

/** The module budget of the speed issue: at most 64 KiB. */
const MODULE_BUDGET = 64 * 1024;

describe("npm run bench (one round over 64 records)", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "dist", "bench", "bench.js"), "--json", "--records", "64", "--rounds", "1"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  it("exits 0 with its JSON report (it first checks every output against the reference)", () => {
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
  const report = (): BenchJson => JSON.parse(r.stdout) as BenchJson;
  it.each(["segura_cef", "segura_syslog", "segura_cef_syslog"])("%s: records/s, ratios and executed instructions", (fn) => {
    const j = report();
    expect(j.corpus.records).toBe(64);
    expect(j.throughput.find((t) => t.name === fn)!.recordsPerSec).toBeGreaterThan(0);
    const ratio = j.ratios.find((x) => x.name === fn)!;
    expect(ratio.ofCeiling).toBeGreaterThan(0);
    expect(ratio.ofPlainJs).toBeGreaterThan(0);
    const c = j.instructions.find((x) => x.name === fn)!;
    expect(c.perRecord).toBeGreaterThan(1000);
    expect(c.perByte).toBeCloseTo((c.perRecord * j.corpus.records) / j.corpus.bytes, 6);
    expect(c.opsPerRecord).toBeLessThan(c.perRecord);
    // the host's malloc/free are counted apart, and with the rest in perByteWithAllocator
    expect(c.allocatorPerRecord).toBeGreaterThan(0);
    expect(c.perByteWithAllocator).toBeCloseTo(((c.perRecord + c.allocatorPerRecord) * j.corpus.records) / j.corpus.bytes, 6);
    expect(j.memory.find((m) => m.name === fn)!.flat).toBe(true);
  });
  it("reports the module's size, within the 64 KiB budget", () => {
    const bytes = statSync(RELEASE_WASM).size;
    expect(report().module.bytes).toBe(bytes);
    expect(bytes).toBeLessThanOrEqual(MODULE_BUDGET);
  });
});
