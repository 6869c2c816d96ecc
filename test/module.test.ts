// The module's boundary: what it exports and imports, and how a WAMR host finds its allocator.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import binaryen from "binaryen";
import { detectAllocator } from "../src/_host.js";
import { RELEASE_WASM, WASI_WASM, freshHost } from "./_helpers.js";

describe("build/segura.wasm", () => {
  const mod = new WebAssembly.Module(readFileSync(RELEASE_WASM));
  it("imports nothing (Fluent Bit links no host functions for it)", () => {
    expect(WebAssembly.Module.imports(mod)).toEqual([]);
  });
  it("exports the allocator, the three filters, the line helpers and memory, and no AssemblyScript runtime", () => {
    expect(WebAssembly.Module.exports(mod).map((e) => e.name).sort()).toEqual(
      ["free", "malloc", "memory", "output_length", "segura_cef", "segura_cef_syslog", "segura_line", "segura_syslog"],
    );
  });
  it("is found by WAMR's allocator rules as malloc/free", () => {
    expect(freshHost().allocator.name).toBe("malloc/free");
  });
  it("fits the size budget (64 KiB)", () => {
    expect(readFileSync(RELEASE_WASM).length).toBeLessThanOrEqual(64 * 1024);
  });
});

describe("build/segura-wasi.wasm", () => {
  it("imports only WASI preview1 and exports _start and memory", () => {
    const mod = new WebAssembly.Module(readFileSync(WASI_WASM));
    expect(new Set(WebAssembly.Module.imports(mod).map((i) => i.module))).toEqual(new Set(["wasi_snapshot_preview1"]));
    expect(WebAssembly.Module.exports(mod).map((e) => e.name).sort()).toEqual(["_start", "memory"]);
  });
});

/** A module exporting functions of the given names and signatures ("i" = (i32)->i32, "ii" = (i32,i32)->i32, "v" = (i32)->()). */
function moduleWith(exports: [string, "i" | "ii" | "v"][]): [WebAssembly.Module, WebAssembly.Exports] {
  const m = new binaryen.Module();
  m.setMemory(1, 1, "memory");
  for (const [name, sig] of exports) {
    const params = sig === "ii" ? binaryen.createType([binaryen.i32, binaryen.i32]) : binaryen.i32;
    const result = sig === "v" ? binaryen.none : binaryen.i32;
    const body = sig === "v" ? m.nop() : m.i32.const(64);
    m.addFunction(name, params, result, [], body);
    m.addFunctionExport(name, name);
  }
  const wasm = new WebAssembly.Module(m.emitBinary());
  m.dispose();
  return [wasm, new WebAssembly.Instance(wasm, {}).exports];
}

describe("allocator detection follows WAMR's loader", () => {
  it.each([
    ["malloc/free", [["malloc", "i"], ["free", "v"]], "malloc/free"],
    ["AssemblyScript __new/__pin/__unpin", [["__new", "ii"], ["__pin", "i"], ["__unpin", "v"]], "__new/__pin/__unpin"],
    ["__new with the older __retain/__release", [["__new", "ii"], ["__retain", "i"], ["__release", "v"]], "__new/__retain/__release"],
    ["__new without __pin is no allocator", [["__new", "ii"], ["__unpin", "v"]], undefined],
    ["malloc without free is no allocator", [["malloc", "i"]], undefined],
    ["malloc of the wrong signature is ignored", [["malloc", "ii"], ["free", "v"]], undefined],
    ["the later export wins, as in the loader's loop", [["malloc", "i"], ["__new", "ii"], ["__pin", "i"], ["free", "v"]], "__new/__pin/free"],
  ] as const)("%s", (_n, exports, expected) => {
    const [mod, inst] = moduleWith(exports as unknown as [string, "i" | "ii" | "v"][]);
    expect(detectAllocator(mod, inst as Record<string, WebAssembly.ExportValue>)?.name).toBe(expected);
  });
});
