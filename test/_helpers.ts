import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { FluentBitHost, type FilterFunction } from "../src/_host.js";
import type { LineFormat } from "../src/_reference.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const RELEASE_WASM = join(ROOT, "build", "segura.wasm");
export const WASI_WASM = join(ROOT, "build", "segura-wasi.wasm");

let compiled: WebAssembly.Module | undefined;
/** A fresh instance of the release module, as Fluent Bit creates one per filter. */
export function freshHost(): FluentBitHost {
  compiled ??= new WebAssembly.Module(readFileSync(RELEASE_WASM));
  return new FluentBitHost(compiled);
}

export const FORMAT_OF: Record<FilterFunction, LineFormat> = {
  segura_cef: "cef",
  segura_syslog: "syslog",
  segura_cef_syslog: "cef-syslog",
};

export function exampleLines(name = "events.jsonl"): string[] {
  return readFileSync(join(ROOT, "examples", name), "utf8").split("\n").filter((l) => l.length > 0);
}

/** The record a filter function returned, as text; fails the test on a drop or an error. */
export function recordText(host: FluentBitHost, fn: FilterFunction, input: string | Uint8Array, sec = 0, nsec = 0): string {
  const r = host.call(fn, "segura.events", input, sec, nsec);
  if (r.kind !== "record") throw new Error(`${fn} gave ${r.kind}: ${r.reason}`);
  return r.text;
}

/** Every output format name the WASI command and the CLI take, with the line format and whether the
 * output is the JSON record around the line. */
export const OUTPUT_FORMATS: readonly (readonly [name: string, line: LineFormat, record: boolean])[] = [
  ["cef", "cef", false],
  ["syslog", "syslog", false],
  ["cef-syslog", "cef-syslog", false],
  ["json", "cef-syslog", true],
  ["json-cef", "cef", true],
  ["json-syslog", "syslog", true],
  ["json-cef-syslog", "cef-syslog", true],
];
