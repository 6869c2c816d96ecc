// The command line: `convert` and `serve`, their flags, and what is wrong with a bad one.
import { UsageError } from "./_errors.js";
import { FORMATS, type OutputFormat } from "./_convert.js";
import { FRAMINGS, type Framing } from "./_framing.js";
import { parseTcpUrl, type Endpoint } from "./_endpoint.js";
import { MAX_LINE_BYTES } from "./_lines.js";

/** --max-line-bytes: from 1 KiB to 64 MiB, the largest record the engine was run with in every format
 * (a 200 MiB one exhausts its memory). assembly/wasi.ts takes the same range. */
export const MAX_LINE_RANGE = [1024, 64 * 1024 * 1024] as const;
/** --idle-timeout default, seconds: a connection that sends nothing this long is closed. */
export const IDLE_TIMEOUT = 60;

export interface CommonOptions {
  format: OutputFormat;
  framing: Framing;
  fixedTime: number | undefined;
  send: Endpoint | undefined;
  maxLineBytes: number;
}
export interface ConvertOptions extends CommonOptions {
  inputs: string[];
  out: string | undefined;
  progress: boolean;
}
export interface ServeOptions extends CommonOptions {
  listen: Endpoint;
  retryFor: number;
  maxConnections: number;
  /** Seconds; 0: never. */
  idleTimeout: number;
}
export type Command =
  | { kind: "help"; topic: "convert" | "serve" | undefined }
  | { kind: "version" }
  | { kind: "convert"; options: ConvertOptions }
  | { kind: "serve"; options: ServeOptions };

function oneOf<T extends string>(flag: string, list: readonly T[], v: string): T {
  if ((list as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`${flag} takes one of ${list.join(", ")}, not '${v}'`);
}

function integer(flag: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, not '${v}'`);
  return Number(v);
}

const SHORT: Record<string, string> = { "-f": "--format", "-o": "--out", "-h": "--help" };
const VALUED = new Set(["--format", "--framing", "--fixed-time", "--send", "--out", "--listen", "--max-line-bytes", "--retry-for", "--max-connections", "--idle-timeout"]);
const FLAGS = {
  convert: new Set(["--format", "--framing", "--fixed-time", "--send", "--out", "--max-line-bytes", "--no-progress", "--help"]),
  serve: new Set(["--format", "--framing", "--fixed-time", "--send", "--listen", "--max-line-bytes", "--retry-for", "--max-connections", "--idle-timeout", "--help"]),
};

/** Splits the words after the command into flags (with their values) and operands. */
function scan(command: "convert" | "serve", words: string[]): { flags: Map<string, string>; operands: string[] } {
  const flags = new Map<string, string>();
  const operands: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "--") { operands.push(...words.slice(i + 1)); break; }
    if (!w.startsWith("-") || w === "-") { operands.push(w); continue; }
    const eq = w.indexOf("=");
    const name = SHORT[w] ?? (eq > 0 && w.startsWith("--") ? w.slice(0, eq) : w);
    if (!FLAGS[command].has(name)) throw new UsageError(`unknown option '${w}' for ${command}`);
    let value = "";
    if (VALUED.has(name)) {
      if (eq > 0 && w.startsWith("--")) value = w.slice(eq + 1);
      else if (i + 1 < words.length) value = words[++i]!;
      else throw new UsageError(`${name} needs a value`);
    } else if (eq > 0) throw new UsageError(`${name} takes no value`);
    if (flags.has(name)) throw new UsageError(`${name} given twice`);
    flags.set(name, value);
  }
  return { flags, operands };
}

function common(f: Map<string, string>): CommonOptions {
  const fixed = f.get("--fixed-time");
  const send = f.get("--send");
  return {
    format: oneOf("--format", FORMATS, f.get("--format") ?? "cef-syslog"),
    framing: oneOf("--framing", FRAMINGS, f.get("--framing") ?? "lf"),
    fixedTime: fixed === undefined ? undefined : integer("--fixed-time", fixed, 0, 0xffffffff),
    send: send === undefined ? undefined : parseTcpUrl("--send", send, false),
    maxLineBytes: integer("--max-line-bytes", f.get("--max-line-bytes") ?? String(MAX_LINE_BYTES), ...MAX_LINE_RANGE),
  };
}

export function parseCommandLine(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" && (rest[0] === "convert" || rest[0] === "serve") ? rest[0] : undefined;
    return { kind: "help", topic };
  }
  if (first === "--version" || first === "-V") return { kind: "version" };
  if (first !== "convert" && first !== "serve") throw new UsageError(`unknown command '${first}' (commands: convert, serve)`);
  const { flags, operands } = scan(first, rest);
  if (flags.has("--help")) return { kind: "help", topic: first };
  if (first === "convert") {
    const out = flags.get("--out");
    const c = common(flags);
    if (out !== undefined && c.send) throw new UsageError("--out and --send cannot be used together");
    if (out === "") throw new UsageError("--out needs a file name");
    const inputs = operands.length ? operands : ["-"];
    if (inputs.filter((i) => i === "-").length > 1) throw new UsageError("stdin ('-') can be read only once");
    return { kind: "convert", options: { ...c, inputs, out, progress: !flags.has("--no-progress") } };
  }
  if (operands.length) throw new UsageError(`serve takes no file operands ('${operands[0]}')`);
  const listen = flags.get("--listen");
  if (listen === undefined) throw new UsageError("serve needs --listen tcp://HOST:PORT");
  return {
    kind: "serve",
    options: {
      ...common(flags),
      listen: parseTcpUrl("--listen", listen, true),
      retryFor: integer("--retry-for", flags.get("--retry-for") ?? "60", 0, 86400 * 365),
      maxConnections: integer("--max-connections", flags.get("--max-connections") ?? "64", 1, 10000),
      idleTimeout: integer("--idle-timeout", flags.get("--idle-timeout") ?? String(IDLE_TIMEOUT), 0, 86400),
    },
  };
}
