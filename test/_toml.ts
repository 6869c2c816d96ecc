// A small TOML reader, enough for vector.toml: tables, dotted keys, basic and literal strings,
// integers, floats, booleans, arrays (across lines) and inline tables. Anything else is an error
// with its line number, so an unsupported construct fails the test instead of being misread.

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable { [key: string]: TomlValue }

class Reader {
  p = 0;
  constructor(readonly s: string) {}

  line(): number {
    return this.s.slice(0, this.p).split("\n").length;
  }

  fail(why: string): never {
    throw new Error(`vector.toml line ${this.line()}: ${why}`);
  }

  /** Skips spaces and tabs; with `lines`, also newlines and comments. */
  skip(lines: boolean): void {
    for (;;) {
      const c = this.s[this.p];
      if (c === " " || c === "\t" || (lines && (c === "\n" || c === "\r"))) this.p++;
      else if (c === "#" && lines) while (this.p < this.s.length && this.s[this.p] !== "\n") this.p++;
      else return;
    }
  }

  endOfLine(): void {
    this.skip(false);
    if (this.s[this.p] === "#") while (this.p < this.s.length && this.s[this.p] !== "\n") this.p++;
    if (this.s[this.p] === "\r") this.p++;
    if (this.p < this.s.length && this.s[this.p] !== "\n") this.fail(`unexpected '${this.s[this.p]}'`);
    this.p++;
  }

  key(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skip(false);
      const c = this.s[this.p];
      if (c === '"' || c === "'") parts.push(this.string());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.s.slice(this.p));
        if (!m) this.fail("expected a key");
        parts.push(m[0]);
        this.p += m[0].length;
      }
      this.skip(false);
      if (this.s[this.p] !== ".") return parts;
      this.p++;
    }
  }

  string(): string {
    const q = this.s[this.p];
    if (this.s.startsWith(q!.repeat(3), this.p)) this.fail("multi-line strings are not supported");
    this.p++;
    let out = "";
    for (;;) {
      const c = this.s[this.p++];
      if (c === undefined || c === "\n") this.fail("unterminated string");
      if (c === q) return out;
      if (c === "\\" && q === '"') {
        const e = this.s[this.p++]!;
        const simple: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" };
        if (simple[e] !== undefined) out += simple[e];
        else if (e === "u" || e === "U") {
          const n = e === "u" ? 4 : 8;
          const hex = this.s.slice(this.p, this.p + n);
          if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== n) this.fail("bad unicode escape");
          out += String.fromCodePoint(parseInt(hex, 16));
          this.p += n;
        } else this.fail(`bad escape \\${e}`);
      } else out += c;
    }
  }

  value(): TomlValue {
    this.skip(false);
    const c = this.s[this.p];
    if (c === '"' || c === "'") return this.string();
    if (c === "[") {
      this.p++;
      const items: TomlValue[] = [];
      for (;;) {
        this.skip(true);
        if (this.s[this.p] === "]") { this.p++; return items; }
        items.push(this.value());
        this.skip(true);
        if (this.s[this.p] === ",") { this.p++; continue; }
        if (this.s[this.p] === "]") { this.p++; return items; }
        this.fail("expected ',' or ']'");
      }
    }
    if (c === "{") {
      this.p++;
      const t: TomlTable = {};
      this.skip(false);
      if (this.s[this.p] === "}") { this.p++; return t; }
      for (;;) {
        const k = this.key();
        if (this.s[this.p++] !== "=") this.fail("expected '='");
        assign(t, k, this.value(), this);
        this.skip(false);
        const d = this.s[this.p++];
        if (d === "}") return t;
        if (d !== ",") this.fail("expected ',' or '}'");
      }
    }
    const m = /^(true|false|[+-]?(?:0|[1-9](?:_?\d)*)(?:\.\d(?:_?\d)*)?(?:[eE][+-]?\d+)?)(?=[\s,\]}#]|$)/.exec(this.s.slice(this.p));
    if (!m) this.fail("unsupported value");
    this.p += m[0].length;
    if (m[0] === "true" || m[0] === "false") return m[0] === "true";
    return Number(m[0].replace(/_/g, ""));
  }
}

function isTable(v: TomlValue | undefined): v is TomlTable {
  return typeof v === "object" && !Array.isArray(v);
}

function descend(root: TomlTable, path: string[], r: Reader): TomlTable {
  let t = root;
  for (const k of path) {
    if (t[k] === undefined) t[k] = {};
    const next = t[k];
    if (!isTable(next)) r.fail(`'${k}' is not a table`);
    t = next;
  }
  return t;
}

function assign(t: TomlTable, key: string[], v: TomlValue, r: Reader): void {
  const parent = descend(t, key.slice(0, -1), r);
  const last = key[key.length - 1]!;
  if (parent[last] !== undefined) r.fail(`'${key.join(".")}' defined twice`);
  parent[last] = v;
}

export function parseToml(text: string): TomlTable {
  const r = new Reader(text);
  const root: TomlTable = {};
  let current = root;
  const headers = new Set<string>();
  for (;;) {
    r.skip(true);
    if (r.p >= text.length) return root;
    if (text[r.p] === "[") {
      if (text[r.p + 1] === "[") r.fail("arrays of tables are not supported");
      r.p++;
      const path = r.key();
      if (text[r.p++] !== "]") r.fail("expected ']'");
      if (headers.has(path.join("."))) r.fail(`table [${path.join(".")}] defined twice`);
      headers.add(path.join("."));
      current = descend(root, path, r);
    } else {
      const k = r.key();
      if (text[r.p++] !== "=") r.fail("expected '='");
      assign(current, k, r.value(), r);
    }
    r.endOfLine();
  }
}
