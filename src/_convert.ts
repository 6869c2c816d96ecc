// One Segura record in, one output line out, through build/segura.wasm in this process.
import { FluentBitHost, convertLine, type FilterFunction } from "./_host.js";
import { CliError, EXIT, describe } from "./_errors.js";
import { RELEASE_WASM_PATH } from "./_paths.js";

/** The formats of the WASI command: bare lines, or the JSON record Fluent Bit gets (json*). */
export const FORMATS = ["cef", "syslog", "cef-syslog", "json", "json-cef", "json-syslog", "json-cef-syslog"] as const;
export type OutputFormat = (typeof FORMATS)[number];

const RECORD_FUNCTION: Partial<Record<OutputFormat, FilterFunction>> = {
  json: "segura_cef_syslog",
  "json-cef": "segura_cef",
  "json-syslog": "segura_syslog",
  "json-cef-syslog": "segura_cef_syslog",
};

const encoder = new TextEncoder();

export function loadHost(path = RELEASE_WASM_PATH): FluentBitHost {
  try {
    return FluentBitHost.fromFile(path);
  } catch (e) {
    throw new CliError(EXIT.SOFTWARE, `cannot load ${path}: ${describe(e)} (run npm run build)`);
  }
}

export class Converter {
  private readonly fn: FilterFunction | undefined;

  /** `fixedTime`: epoch seconds for records without a timestamp; otherwise the current time. */
  constructor(private readonly host: FluentBitHost, readonly format: OutputFormat, private readonly fixedTime?: number) {
    this.fn = RECORD_FUNCTION[format];
  }

  convert(record: Uint8Array): Uint8Array {
    let sec: number, nsec: number;
    if (this.fixedTime !== undefined) [sec, nsec] = [this.fixedTime, 0];
    else {
      const ms = Date.now();
      [sec, nsec] = [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
    }
    if (!this.fn) return convertLine(this.host, this.format as "cef" | "syslog" | "cef-syslog", record, sec, nsec);
    const r = this.host.call(this.fn, "segura", record, sec, nsec);
    if (r.kind !== "record") throw new CliError(EXIT.SOFTWARE, `the engine returned no record (${r.kind}: ${r.reason})`);
    return encoder.encode(r.text);
  }
}
