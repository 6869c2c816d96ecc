// Strict parsers for the two formats, written from the specifications and not from our writer:
// - CEF (ArcSight Common Event Format, revision 25): "CEF:Version|Device Vendor|Device Product|
//   Device Version|Device Event Class ID|Name|Severity|Extension". Header fields are split on
//   unescaped '|' and may only escape '|' and '\'. The extension is key=value pairs: every unescaped
//   '=' ends a key of [A-Za-z0-9_.-]+ that is preceded by a space (or starts the extension); a value
//   runs to the space before the next key and may only escape '\', '=', and newlines as \n or \r.
// - RFC 5424 (The Syslog Protocol), section 6 ABNF, with SD-PARAM unescaping per 6.3.3.
// Both reject what their specification does not allow, so that a line that parses here is one that
// any parser following the specification reads the same way.

export class ParseError extends Error {
  constructor(readonly at: number, why: string) {
    super(`${why} (at ${at})`);
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function asText(line: Uint8Array | string): string {
  if (typeof line === "string") return line;
  try {
    return strictUtf8.decode(line);
  } catch {
    throw new ParseError(0, "not UTF-8");
  }
}

// ---- CEF ---------------------------------------------------------------------------------------

export interface CefEvent {
  /** The number after "CEF:". */
  version: string;
  /** Device Vendor, Device Product, Device Version, Device Event Class ID, Name, Severity (unescaped). */
  header: [string, string, string, string, string, string];
  /** Extension pairs in order, values unescaped; duplicates are kept. */
  ext: [string, string][];
}

const CEF_KEY_CHAR = /[A-Za-z0-9_.\-]/;

export function parseCef(line: Uint8Array | string): CefEvent {
  const s = asText(line);
  if (/[\r\n]/.test(s)) throw new ParseError(s.search(/[\r\n]/), "a raw line break");
  if (!s.startsWith("CEF:")) throw new ParseError(0, "no CEF: prefix");
  let p = 4;
  const fields: string[] = [];
  // "CEF:Version" is the first of the seven pipe-terminated header fields
  while (fields.length < 7) {
    let v = "";
    for (;;) {
      if (p >= s.length) throw new ParseError(p, `header field ${fields.length + 1} not terminated by '|'`);
      const c = s[p]!;
      if (c === "|") { p++; break; }
      if (c === "\\") {
        const n = s[p + 1];
        if (n !== "\\" && n !== "|") throw new ParseError(p, "a header may only escape '\\' and '|'");
        v += n;
        p += 2;
        continue;
      }
      v += c;
      p++;
    }
    fields.push(v);
  }
  const version = fields[0]!;
  if (!/^\d+$/.test(version)) throw new ParseError(4, "the CEF version is not a number");
  const severity = fields[6]!;
  // 0-10, or one of the words the specification allows
  if (!/^(\d|10|Unknown|Low|Medium|High|Very-High)$/.test(severity)) throw new ParseError(p, "severity is not 0-10 or a severity word");
  return { version, header: fields.slice(1) as CefEvent["header"], ext: parseCefExtension(s, p) };
}

function parseCefExtension(s: string, start: number): [string, string][] {
  // the unescaped '=' signs; every one ends a key
  const eqs: number[] = [];
  for (let i = start; i < s.length; i++) {
    if (s[i] === "\\") { i++; continue; }
    if (s[i] === "=") eqs.push(i);
  }
  if (eqs.length === 0) {
    if (s.slice(start).trim() !== "") throw new ParseError(start, "extension text without a key");
    return [];
  }
  const keys = eqs.map((eq) => {
    let k = eq;
    while (k > start && CEF_KEY_CHAR.test(s[k - 1]!)) k--;
    if (k === eq) throw new ParseError(eq, "an unescaped '=' in a value, or an empty key");
    if (k > start && s[k - 1] !== " ") throw new ParseError(eq, "an unescaped '=' in a value (key not preceded by a space)");
    return k;
  });
  // before the first key: nothing, or the one space that separates it from the header
  const lead = s.slice(start, keys[0]);
  if (lead !== "" && lead !== " ") throw new ParseError(start, "text before the first extension key");
  const pairs: [string, string][] = [];
  for (let j = 0; j < eqs.length; j++) {
    const key = s.slice(keys[j], eqs[j]);
    const end = j + 1 < eqs.length ? keys[j + 1]! - 1 : s.length; // the separating space is not part of the value
    pairs.push([key, unescapeCefValue(s, eqs[j]! + 1, end)]);
  }
  return pairs;
}

function unescapeCefValue(s: string, from: number, to: number): string {
  let v = "";
  for (let i = from; i < to; i++) {
    const c = s[i]!;
    if (c !== "\\") { v += c; continue; }
    const n = i + 1 < to ? s[i + 1] : undefined;
    if (n === "\\" || n === "=") v += n;
    else if (n === "n") v += "\n";
    else if (n === "r") v += "\r";
    else throw new ParseError(i, "an extension value may only escape '\\', '=', \\n and \\r");
    i++;
  }
  return v;
}

// ---- RFC 5424 ----------------------------------------------------------------------------------

export interface SdElement {
  id: string;
  params: [string, string][];
}

export interface SyslogMessage {
  pri: number;
  facility: number;
  severity: number;
  version: number;
  /** null for NILVALUE */
  timestamp: string | null;
  hostname: string | null;
  appname: string | null;
  procid: string | null;
  msgid: string | null;
  sd: SdElement[];
  /** null when the message has no MSG part */
  msg: string | null;
  /** MSG-UTF8: the MSG began with a BOM, which is not part of msg */
  bom: boolean;
}

const PRINTUSASCII = /^[\x21-\x7e]+$/;

export function parseSyslog(line: Uint8Array | string): SyslogMessage {
  const s = asText(line);
  if (/[\r\n]/.test(s)) throw new ParseError(s.search(/[\r\n]/), "a raw line break");
  let p = 0;
  const m = /^<(0|[1-9]\d{0,2})>([1-9]\d{0,2}) /.exec(s);
  if (!m) throw new ParseError(0, "no PRI and VERSION");
  const pri = Number(m[1]);
  if (pri > 191) throw new ParseError(1, "PRIVAL above 191");
  p = m[0].length;
  const token = (what: string, max: number): string | null => {
    const sp = s.indexOf(" ", p);
    if (sp < 0) throw new ParseError(p, `${what} not followed by SP`);
    const v = s.slice(p, sp);
    if (v === "") throw new ParseError(p, `empty ${what}`);
    if (!PRINTUSASCII.test(v)) throw new ParseError(p, `${what} is not PRINTUSASCII`);
    if (v.length > max) throw new ParseError(p, `${what} longer than ${max}`);
    p = sp + 1;
    return v === "-" ? null : v;
  };
  const timestamp = token("TIMESTAMP", 32);
  if (timestamp !== null) checkTimestamp(timestamp, m[0].length);
  const hostname = token("HOSTNAME", 255);
  const appname = token("APP-NAME", 48);
  const procid = token("PROCID", 128);
  const msgid = token("MSGID", 32);
  const sd: SdElement[] = [];
  if (s[p] === "-") p++;
  else if (s[p] === "[") {
    while (s[p] === "[") {
      const el = parseSdElement(s, p);
      sd.push(el.element);
      p = el.end;
    }
  } else throw new ParseError(p, "no STRUCTURED-DATA");
  let msg: string | null = null;
  let bom = false;
  if (p < s.length) {
    if (s[p] !== " ") throw new ParseError(p, "STRUCTURED-DATA not followed by SP or the end");
    msg = s.slice(p + 1);
    if (msg.startsWith("\ufeff")) {
      bom = true;
      msg = msg.slice(1);
    }
  }
  return { pri, facility: pri >> 3, severity: pri & 7, version: Number(m[2]), timestamp, hostname, appname, procid, msgid, sd, msg, bom };
}

function sdName(s: string, p: number, what: string): [string, number] {
  let q = p;
  while (q < s.length && /[\x21-\x7e]/.test(s[q]!) && !"= ]\"".includes(s[q]!)) q++;
  const name = s.slice(p, q);
  if (name === "") throw new ParseError(p, `empty ${what}`);
  if (name.length > 32) throw new ParseError(p, `${what} longer than 32`);
  return [name, q];
}

function parseSdElement(s: string, start: number): { element: SdElement; end: number } {
  let p = start + 1;
  const [id, q] = sdName(s, p, "SD-ID");
  // 6.3.2: an SD-ID with '@' is name@<private enterprise number>; one without is IANA-registered
  if (id.includes("@") ? !/^[^@]+@[1-9]\d*(\.\d+)*$/.test(id) : !["timeQuality", "origin", "meta"].includes(id)) {
    throw new ParseError(p, `SD-ID ${id} is neither name@<enterprise number> nor registered`);
  }
  p = q;
  const params: [string, string][] = [];
  for (;;) {
    if (s[p] === "]") return { element: { id, params }, end: p + 1 };
    if (s[p] !== " ") throw new ParseError(p, "expected SP or ']' in an SD-ELEMENT");
    p++;
    const [name, r] = sdName(s, p, "PARAM-NAME");
    p = r;
    if (s[p] !== "=" || s[p + 1] !== '"') throw new ParseError(p, "expected =\" after a PARAM-NAME");
    p += 2;
    let v = "";
    for (;;) {
      if (p >= s.length) throw new ParseError(p, "unterminated PARAM-VALUE");
      const c = s[p]!;
      if (c === '"') { p++; break; }
      if (c === "]") throw new ParseError(p, "an unescaped ']' in a PARAM-VALUE");
      if (c === "\\") {
        const n = s[p + 1];
        // 6.3.3: \" \\ \] are escapes; a backslash before anything else is a plain backslash
        if (n === '"' || n === "\\" || n === "]") { v += n; p += 2; continue; }
        v += "\\";
        p++;
        continue;
      }
      v += c;
      p++;
    }
    params.push([name, v]);
  }
}

function checkTimestamp(t: string, at: number): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-](\d{2}):(\d{2}))$/.exec(t);
  if (!m) throw new ParseError(at, "TIMESTAMP is not FULL-DATE \"T\" FULL-TIME");
  const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  const leap = (y! % 4 === 0 && y! % 100 !== 0) || y! % 400 === 0;
  const dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo! - 1] ?? 0;
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > dim || h! > 23 || mi! > 59 || se! > 59) throw new ParseError(at, "TIMESTAMP out of range");
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) throw new ParseError(at, "TIME-OFFSET out of range");
}

/** The CEF event inside an RFC 5424 message whose MSG is a CEF line (our cef-syslog format). */
export function parseCefSyslog(line: Uint8Array | string): { syslog: SyslogMessage; cef: CefEvent } {
  const syslog = parseSyslog(line);
  if (syslog.sd.length !== 0) throw new ParseError(0, "CEF in syslog carries no STRUCTURED-DATA");
  if (syslog.msg === null) throw new ParseError(0, "CEF in syslog without a MSG");
  return { syslog, cef: parseCef(syslog.msg) };
}
