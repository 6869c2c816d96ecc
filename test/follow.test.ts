// The WASI command's follow mode (--follow/--state, assembly/follow.ts): it reads a growing log file
// itself and resumes after a restart where it stopped. Run under node:wasi (bin/segura-wasi-node.mjs)
// and, when it is installed, under Wasmtime, with the same command line but the runtime's name.
//
// The converter is killed with SIGKILL (no chance to write anything on the way out), so what these
// tests show holds for a crash as much as for a restart.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { referenceConvert } from "../src/_reference.js";
import { exampleLines, WASI_WASM } from "./_helpers.js";
import { Lines, WASI_RUNNER, WASMTIME, requireBuild, run, start } from "./_proc.js";

const FORMAT = "cef-syslog";
const samples = exampleLines();
/** Distinct records: the samples again and again, each with its own sequence number first. */
const records = (from: number, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `{"seq": ${from + i}, ${samples[(from + i) % samples.length]!.slice(1)}`);
const ref = (lines: string[]): string[] => lines.map((l) => referenceConvert(l, FORMAT, false, 1715000000, 0));
const text = (lines: string[]): string => lines.map((l) => l + "\n").join("");

/** The runtimes, each as the program and the arguments before `--dir` (as `wasmtime run`). Without
 * Wasmtime its half shows as skipped, with the reason in its name. */
const RUNNERS: [name: string, cmd: string, pre: string[]][] = [
  ["node:wasi", process.execPath, [WASI_RUNNER]],
  [WASMTIME ? "wasmtime" : "wasmtime (not found: set WASMTIME or put it on PATH)", WASMTIME ?? "wasmtime", ["run"]],
];

let root: string;
beforeAll(() => {
  requireBuild();
  root = mkdtempSync(join(tmpdir(), "segura-follow-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let serial = 0;
/** A log directory and a state directory, and the command line that follows log/events.jsonl. */
function place(): { log: string; state: string; args: string[] } {
  const d = join(root, String(serial++));
  mkdirSync(join(d, "log"), { recursive: true });
  mkdirSync(join(d, "state"));
  return {
    log: join(d, "log", "events.jsonl"),
    state: join(d, "state", "events.pos"),
    args: ["--dir", `${join(d, "log")}::/log`, "--dir", `${join(d, "state")}::/state`, WASI_WASM, FORMAT, "--follow=/log/events.jsonl", "--state=/state/events.pos"],
  };
}

/** One converter after another on the same files; everything they wrote, in order. */
class Converter {
  readonly out: string[] = [];
  readonly err: string[] = [];
  private current: { lines: Lines; errs: Lines; kill: () => Promise<void> } | undefined;
  private seen = 0;
  restarts = 0;

  constructor(private readonly cmd: string, private readonly args: string[]) {}

  start(): void {
    const { child, exited } = start(this.cmd, this.args, { stdio: ["ignore", "pipe", "pipe"] });
    const lines = new Lines(child.stdout!);
    const errs = new Lines(child.stderr!);
    this.current = {
      lines,
      errs,
      kill: async () => {
        child.kill("SIGKILL");
        await exited;
        await new Promise((r) => setTimeout(r, 20)); // the last bytes of the pipe
      },
    };
  }

  private collect(): void {
    const c = this.current!;
    this.out.push(...c.lines.all.slice(this.seen));
    this.seen = c.lines.all.length;
  }

  /** Waits until all converters together wrote at least n lines. */
  async atLeast(n: number, ms = 30_000): Promise<void> {
    const c = this.current!;
    const before = this.out.length - this.seen;
    await c.lines.atLeast(n - before, ms);
    this.collect();
  }

  /** Waits for the running converter's first line on stderr. */
  async said(): Promise<string> {
    return (await this.current!.errs.atLeast(1))[0]!;
  }

  async kill(): Promise<void> {
    await this.current!.kill();
    this.collect();
    this.err.push(...this.current!.errs.all);
    this.seen = 0;
    this.current = undefined;
    this.restarts++;
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const offsetIn = (state: string): number => Number(/offset=(\d+)/.exec(readFileSync(state, "utf8"))![1]);

/** The output with the lines a restart repeated taken out. The records are all different, so a
 * line equal to the one before it is a repeat. */
function withoutRepeats(out: string[]): { lines: string[]; repeats: number } {
  const lines = out.filter((l, i) => i === 0 || l !== out[i - 1]);
  return { lines, repeats: out.length - lines.length };
}

describe.each(RUNNERS)("follow mode under %s", (name, cmd, pre) => {
  // npm test installs the pinned wasmtime (scripts/install-wasmtime.mjs): missing, it fails, never skips
  if (name.includes("not found")) return void it("needs wasmtime", () => { throw new Error("wasmtime not found: run node scripts/install-wasmtime.mjs"); });
  it("a restart in the middle of a growing file loses nothing and repeats at most one line", async () => {
    const p = place();
    const all = records(0, 600);
    writeFileSync(p.log, text(all.slice(0, 100)));
    const c = new Converter(cmd, [...pre, ...p.args]);
    c.start();
    await c.atLeast(100);
    let written = 100;
    for (let round = 0; round < 3; round++) {
      // records keep coming, a partial one last; the converter is killed while they do
      for (let i = 0; i < 5; i++) {
        appendFileSync(p.log, text(all.slice(written, written + 20)));
        written += 20;
        await pause(5);
      }
      appendFileSync(p.log, all[written]!.slice(0, 40));
      await c.atLeast(written - 60);
      await c.kill();
      // written while it is down, the partial record finished
      appendFileSync(p.log, all[written]!.slice(40) + "\n" + text(all.slice(written + 1, written + 50)));
      written += 50;
      c.start();
    }
    appendFileSync(p.log, text(all.slice(written)));
    await c.atLeast(all.length);
    await pause(300);
    await c.kill();
    const { lines, repeats } = withoutRepeats(c.out);
    expect(lines).toEqual(ref(all));
    expect(repeats).toBeLessThanOrEqual(3);
    expect(offsetIn(p.state)).toBe(Buffer.byteLength(text(all)));
  });

  it("rotation while running: the old file is read to its end, then the new one from its start", async () => {
    const p = place();
    const c = new Converter(cmd, [...pre, ...p.args]);
    c.start();
    expect(await c.said()).toMatch(/waiting for the log file/); // no log yet: it waits for one
    const first = records(0, 10), late = records(10, 2), second = records(12, 10);
    writeFileSync(p.log, text(first));
    await c.atLeast(10);
    renameSync(p.log, p.log + ".1");
    appendFileSync(p.log + ".1", text(late)); // the writer had not reopened yet
    writeFileSync(p.log, text(second));
    await c.atLeast(22);
    await pause(300);
    await c.kill();
    expect(c.out).toEqual(ref([...first, ...late, ...second]));
  });

  it("rotation while down: the rest of <file>.1 first, then the new file", async () => {
    const p = place();
    const c = new Converter(cmd, [...pre, ...p.args]);
    const before = records(0, 10), rest = records(10, 5), next = records(15, 5);
    writeFileSync(p.log, text(before));
    c.start();
    await c.atLeast(10);
    await pause(300); // the checkpoint after the last line (without it, that line may come again)
    await c.kill();
    appendFileSync(p.log, text(rest));
    renameSync(p.log, p.log + ".1");
    writeFileSync(p.log, text(next));
    c.start();
    await c.atLeast(20);
    await pause(300);
    await c.kill();
    expect(c.out).toEqual(ref([...before, ...rest, ...next]));
  });

  it.each([
    ["shorter than before", 3],
    ["longer than before", 30],
  ])("truncation while running (copytruncate), written again %s: read from the start", async (_what, n) => {
    const p = place();
    const c = new Converter(cmd, [...pre, ...p.args]);
    const before = records(0, 10), after = records(100, n);
    writeFileSync(p.log, text(before));
    c.start();
    await c.atLeast(10);
    await pause(300); // at the end of the data, where it looks for truncation
    truncateSync(p.log, 0);
    appendFileSync(p.log, text(after));
    await c.atLeast(10 + n);
    await pause(300);
    await c.kill();
    expect(c.out).toEqual(ref([...before, ...after]));
    expect(c.err.join("\n")).toMatch(/truncated/);
  });

  it("truncation while down: the new content from its start", async () => {
    const p = place();
    const c = new Converter(cmd, [...pre, ...p.args]);
    const before = records(0, 10), after = records(100, 12);
    writeFileSync(p.log, text(before));
    c.start();
    await c.atLeast(10);
    await pause(300); // the checkpoint after the last line (without it, that line may come again)
    await c.kill();
    writeFileSync(p.log, text(after));
    c.start();
    await c.atLeast(22);
    await pause(300);
    await c.kill();
    expect(c.out).toEqual(ref([...before, ...after]));
  });

  it("a partial last line waits for its LF, and is not counted in the checkpoint until then", async () => {
    const p = place();
    const c = new Converter(cmd, [...pre, ...p.args]);
    const [a, b] = records(0, 2) as [string, string];
    writeFileSync(p.log, a + "\n" + b.slice(0, 50));
    c.start();
    await c.atLeast(1);
    await pause(700); // several looks at the file
    expect(c.out).toEqual(ref([a]));
    expect(offsetIn(p.state)).toBe(Buffer.byteLength(a) + 1);
    appendFileSync(p.log, b.slice(50) + "\n");
    await c.atLeast(2);
    await pause(300); // the checkpoint follows the line's output
    await c.kill();
    expect(c.out).toEqual(ref([a, b]));
    expect(offsetIn(p.state)).toBe(Buffer.byteLength(a + b) + 2);
  });

  it("a line longer than --max-line-bytes is converted cut, the rest of it skipped, and the lines after it come through", async () => {
    const p = place();
    const c = new Converter(cmd, [...pre, ...p.args, "--max-line-bytes=1024"]);
    const [a, b] = records(0, 2) as [string, string];
    const long = `{"event_id": 1, "msg": "${"x".repeat(200_000)}"}`;
    writeFileSync(p.log, a + "\n" + long.slice(0, 100_000));
    c.start();
    await c.atLeast(2); // the cut line comes as soon as the limit is passed, not at its LF
    appendFileSync(p.log, long.slice(100_000) + "\n" + b + "\n");
    await c.atLeast(3);
    await pause(300);
    await c.kill();
    expect(c.out).toHaveLength(3);
    expect([c.out[0], c.out[2]]).toEqual(ref([a, b]));
    expect(c.out[1]).toMatch(/invalid-record/);
    expect(c.out[1]!.length).toBeLessThan(3000);
    expect(c.err.join("\n")).toMatch(/line 2 is longer than 1024 bytes/);
    expect(offsetIn(p.state)).toBe(Buffer.byteLength(a + long + b) + 3);
  });

  it("a state file that holds no checkpoint: says so, and reads the log from its start", async () => {
    const p = place();
    writeFileSync(p.state, "offset=12\n");
    const lines = records(0, 5);
    writeFileSync(p.log, text(lines));
    const c = new Converter(cmd, [...pre, ...p.args]);
    c.start();
    await c.atLeast(5);
    await c.kill();
    expect(c.out).toEqual(ref(lines));
    expect(c.err.join("\n")).toMatch(/does not hold a checkpoint/);
  });

  it.each([
    ["--follow without --state", (a: string[]) => a.filter((x) => !x.startsWith("--state=")), /--follow and --state go together/],
    ["a path outside the preopened directories", (a: string[]) => a.map((x) => (x.startsWith("--follow=") ? "--follow=/elsewhere/events.jsonl" : x)), /not inside a preopened directory/],
  ])("%s is an error", async (_what, edit, message) => {
    const r = await run(cmd, [...pre, ...edit(place().args)], { timeoutMs: 20_000 });
    expect(r.code).toBe(66);
    expect(r.stderr).toMatch(message);
    expect(r.stdout.length).toBe(0);
  });
});

