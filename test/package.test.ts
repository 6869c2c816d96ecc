// The package as a user gets it: `npm pack`, then `npm install -g` of the tarball into a fresh prefix
// with an empty cache and --offline (so nothing can come from the network and nothing is built), then
// the installed command converts the samples exactly as the checkout does.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./_helpers.js";
import { Lines, cli, requireBuild, run, start } from "./_proc.js";

const SAMPLES_FILE = join(ROOT, "examples", "events.jsonl");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
/** npm's own settings from `npm test` (npm_config_*, lifecycle variables) would leak into the inner npm. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));

let dir: string;
let packed: { filename: string; size: number; unpackedSize: number; files: { path: string; size: number }[] };
let installed: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), "segura-package-"));
  // --ignore-scripts: prepack would run `npm run build`, which `npm test` has just done
  const out = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, env, encoding: "utf8" });
  packed = (JSON.parse(out) as (typeof packed)[])[0]!;
  const prefix = join(dir, "prefix");
  execFileSync("npm", ["install", "-g", "--prefix", prefix, "--offline", "--cache", join(dir, "cache"), "--no-audit", "--no-fund", join(dir, packed.filename)], { env, encoding: "utf8" });
  installed = join(prefix, "bin", "segura-siem");
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm pack", () => {
  it("names the tarball after the package and version", () => expect(packed.filename).toBe(`${pkg.name}-${pkg.version}.tgz`));

  it.each(["bin/segura-siem.mjs", "bin/segura-wasi-node.mjs", "dist/src/cli.js", "dist/src/_abi.js", "build/segura.wasm", "build/segura-wasi.wasm", "build/SHA256SUMS", "build/playground/index.html", "build/playground/segura.wasm", "build/playground/js/playground/app.js", "README.md", "package.json"])(
    "carries %s", (path) => expect(packed.files.map((f) => f.path)).toContain(path));

  it("carries the modules byte for byte as built", () => {
    for (const m of ["build/segura.wasm", "build/segura-wasi.wasm"]) {
      expect(packed.files.find((f) => f.path === m)?.size).toBe(readFileSync(join(ROOT, m)).length);
    }
  });

  it("leaves out the sources of the engine, the tests and the benchmark", () => {
    const bad = packed.files.map((f) => f.path).filter((p) => /^(assembly|test|bench|src|scripts|node_modules|dist\/bench|\.ci)\//.test(p));
    expect(bad).toEqual([]);
  });
});

describe("npm install -g of the tarball, offline, in a fresh prefix", () => {
  it("installs the command", () => expect(existsSync(installed)).toBe(true));

  it.each(["cef", "syslog", "cef-syslog", "json"])("convert --format %s writes what the checkout writes", async (format) => {
    const args = ["convert", "--format", format, "--fixed-time", "1715000000", SAMPLES_FILE];
    const got = await run(installed, args, { env });
    const want = await cli(args);
    expect(got).toMatchObject({ code: 0, stderr: "" });
    expect(want.code).toBe(0);
    expect(got.stdout.length).toBeGreaterThan(0);
    expect(got.stdout.equals(want.stdout)).toBe(true);
  });

  it("serves the playground page from the installed files", async () => {
    const p = start(installed, ["playground", "--port", "0"], { env });
    try {
      const [first] = await new Lines(p.child.stdout!).atLeast(1);
      const url = /^playground at (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(first!)?.[1];
      expect(url).toBeDefined();
      expect(await (await fetch(url!)).text()).toBe(readFileSync(join(ROOT, "playground", "index.html"), "utf8"));
      expect(Buffer.from(await (await fetch(url! + "segura.wasm")).arrayBuffer()).equals(readFileSync(join(ROOT, "build", "segura.wasm")))).toBe(true);
    } finally {
      p.child.kill("SIGTERM");
      expect((await p.exited).code).toBe(0);
    }
  });

  it("--version prints the version and the checksums of the modules it installed", async () => {
    const got = await run(installed, ["--version"], { env });
    expect(got).toMatchObject({ code: 0, stderr: "" });
    expect(got.stdout.toString()).toBe(`segura-siem ${pkg.version}\n${readFileSync(join(ROOT, "build", "SHA256SUMS"), "utf8")}`);
  });
});
