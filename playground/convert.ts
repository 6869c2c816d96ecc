// What the playground shows for one input line: the module's output in every format, and that
// output taken apart (CEF header and extension, RFC 5424 header and SD-PARAMs). Calls the module
// through the same ABI as the command line (src/_abi.ts); no DOM here.
import { FluentBitHost, type FilterFunction } from "../src/_abi.js";
import { FIELDS } from "../src/_catalogue.js";

/** The formats shown side by side, in this order. ECS and OCSF become entries here once the engine
 * writes them; everything else (columns, download choices) follows this table. */
export const FORMATS = [
  { id: "cef", label: "CEF", fn: "segura_cef" },
  { id: "syslog", label: "RFC 5424", fn: "segura_syslog" },
  { id: "cef-syslog", label: "CEF in RFC 5424", fn: "segura_cef_syslog" },
] as const satisfies readonly { id: string; label: string; fn: FilterFunction }[];
export type FormatId = (typeof FORMATS)[number]["id"];

/** What the download writes: a format's lines, or the JSON records the filter returns (`json-*`),
 * named as `segura-siem convert --format` names them, one per line with LF as the command writes. */
export const DOWNLOADS: readonly { id: string; label: string; format: FormatId; record: boolean }[] = [
  ...FORMATS.map((f) => ({ id: f.id, label: f.label, format: f.id, record: false })),
  ...FORMATS.map((f) => ({ id: `json-${f.id}`, label: `JSON records (${f.label})`, format: f.id, record: true })),
];

/** CEF dictionary full name of each key the engine writes ("" for Segura's own keys). */
export const FULL_NAME: ReadonlyMap<string, string> = new Map(FIELDS.map((f) => [f.key, f.fullName]));

export interface Cef {
  /** Version, Device Vendor, Device Product, Device Version, Device Event Class ID, Name, Severity */
  header: string[];
  extension: [key: string, value: string][];
}

export interface Syslog {
  pri: number;
  fields: { timestamp: string; hostname: string; appname: string; procid: string; msgid: string };
  sd: { id: string; params: [name: string, value: string][] }[];
  msg: string;
}

export interface Converted {
  input: string;
  /** the record handed to the module: the input, or a received syslog line wrapped as {"message": ...} */
  record: string;
  receivedLine: boolean;
  /** the line of each format, and the JSON text the filter function returned for it */
  lines: Record<FormatId, string>;
  records: Record<FormatId, string>;
  meta: Record<string, unknown>;
  warnings: { key: string | undefined; text: string }[];
  error: { text: string; byte: number | undefined; original: string } | undefined;
  cef: Cef;
  syslog: Syslog;
}

/** Lines as the command line splits its input: at LF, one CR before it dropped, a last line without
 * LF still a line, an empty line still a record. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (text.endsWith("\n")) lines.pop();
  return lines;
}

/** A line that is one of Segura's own syslog or CEF lines rather than a JSON record. */
export function isReceivedLine(line: string): boolean {
  return /^\s*(<\d{1,3}>|CEF:\d)/.test(line);
}

/** CEF escapes: `\|` and `\\` in the header; `\\`, `\=`, `\n`, `\r` in extension values. */
function unescapeCef(s: string): string {
  return s.replace(/\\(.)/gs, (_m, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c));
}

export function parseCef(line: string): Cef {
  const header: string[] = [];
  let start = 0;
  let i = 0;
  for (; i < line.length && header.length < 7; i++) {
    if (line[i] === "\\") { i++; continue; }
    if (line[i] === "|") { header.push(unescapeCef(line.slice(start, i))); start = i + 1; }
  }
  const ext = line.slice(start);
  // every unescaped '=' ends a key, and the key is the word before it
  const eqs: number[] = [];
  for (let j = 0; j < ext.length; j++) {
    if (ext[j] === "\\") { j++; continue; }
    if (ext[j] === "=") eqs.push(j);
  }
  const extension: [string, string][] = [];
  eqs.forEach((eq, n) => {
    const keyStart = ext.lastIndexOf(" ", eq) + 1;
    const next = eqs[n + 1];
    const end = next === undefined ? ext.length : ext.lastIndexOf(" ", next);
    extension.push([ext.slice(keyStart, eq), unescapeCef(ext.slice(eq + 1, end))]);
  });
  return { header, extension };
}

/** An RFC 5424 line: header fields, SD-ELEMENTs with their PARAMs (`\"`, `\\`, `\]` resolved), MSG. */
export function parseSyslog(line: string): Syslog {
  const m = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(line);
  if (!m) return { pri: -1, fields: { timestamp: "", hostname: "", appname: "", procid: "", msgid: "" }, sd: [], msg: line };
  const [, pri, timestamp, hostname, appname, procid, msgid] = m as unknown as string[];
  let p = m[0].length;
  const sd: Syslog["sd"] = [];
  if (line[p] === "-") p++;
  else {
    while (line[p] === "[") {
      p++;
      const idEnd = line.slice(p).search(/[ \]]/);
      const element = { id: line.slice(p, p + idEnd), params: [] as [string, string][] };
      p += idEnd;
      while (line[p] === " ") {
        const eq = line.indexOf('="', p);
        const name = line.slice(p + 1, eq);
        let value = "";
        for (p = eq + 2; p < line.length && line[p] !== '"'; p++) {
          if (line[p] === "\\" && (line[p + 1] === '"' || line[p + 1] === "\\" || line[p + 1] === "]")) p++;
          value += line[p];
        }
        p++; // the closing quote
        element.params.push([name, value]);
      }
      p++; // ']'
      sd.push(element);
    }
  }
  const msg = line[p] === " " ? line.slice(p + 1) : "";
  return { pri: Number(pri), fields: { timestamp: timestamp!, hostname: hostname!, appname: appname!, procid: procid!, msgid: msgid! }, sd, msg };
}

const encoder = new TextEncoder();

/** `invalid JSON at byte N: ...` names the byte of the input where reading stopped. */
function errorOf(meta: Record<string, unknown>): Converted["error"] {
  if (typeof meta.error !== "string") return undefined;
  const m = /at byte (\d+)/.exec(meta.error);
  return { text: meta.error, byte: m ? Number(m[1]) : undefined, original: typeof meta.original === "string" ? meta.original : "" };
}

/** Warnings are `; `-separated; most start with the key they concern (`dpt: not an integer, left out`). */
function warningsOf(meta: Record<string, unknown>): Converted["warnings"] {
  if (typeof meta.warning !== "string" || meta.warning === "") return [];
  return meta.warning.split("; ").map((text) => ({ key: /^([A-Za-z][A-Za-z0-9_]*): /.exec(text)?.[1], text }));
}

export class Playground {
  constructor(private readonly host: FluentBitHost) {}

  /** Converts one input line; `sec` is the time given to a record without a timestamp. */
  convert(input: string, sec: number): Converted {
    const receivedLine = isReceivedLine(input);
    const record = receivedLine ? JSON.stringify({ message: input }) : input;
    const bytes = encoder.encode(record);
    const lines = {} as Record<FormatId, string>;
    const records = {} as Record<FormatId, string>;
    let meta: Record<string, unknown> = {};
    for (const f of FORMATS) {
      const r = this.host.call(f.fn, "segura", bytes, sec, 0);
      if (r.kind !== "record") throw new Error(`${f.fn} returned no record (${r.kind}: ${r.reason})`);
      records[f.id] = r.text;
      lines[f.id] = String(r.record.message);
      meta = r.record;
    }
    return {
      input, record, receivedLine, lines, records, meta,
      warnings: warningsOf(meta), error: errorOf(meta),
      cef: parseCef(lines.cef), syslog: parseSyslog(lines.syslog),
    };
  }
}

/** The bytes of `text` before byte `byte`, the character there, and the rest (for marking an error). */
export function splitAtByte(text: string, byte: number): [before: string, at: string, after: string] {
  const b = encoder.encode(text);
  let at = Math.min(byte, b.length);
  while (at > 0 && at < b.length && (b[at]! & 0xc0) === 0x80) at--; // to the start of its character
  const before = new TextDecoder().decode(b.subarray(0, at));
  const rest = text.slice(before.length);
  const char = rest.length ? String.fromCodePoint(rest.codePointAt(0)!) : "";
  return [before, char, rest.slice(char.length)];
}

/** The URL fragment that carries the input: base64url of its UTF-8, with the settings. */
export function encodeFragment(state: { input: string; time: string; download: string }): string {
  let bin = "";
  for (const c of encoder.encode(state.input)) bin += String.fromCharCode(c);
  const input = btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return new URLSearchParams({ t: state.time, d: state.download, in: input }).toString();
}

export function decodeFragment(fragment: string): { input: string; time: string; download: string } | undefined {
  const q = new URLSearchParams(fragment.replace(/^#/, ""));
  const input = q.get("in");
  if (input === null) return undefined;
  try {
    const bin = atob(input.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return { input: new TextDecoder().decode(bytes), time: q.get("t") ?? "", download: q.get("d") ?? "" };
  } catch {
    return undefined;
  }
}
