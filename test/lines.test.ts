// The line splitter of convert and serve: where lines end, and what it holds for an over-long one.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LineSplitter, MAX_LINE_BYTES, cutLength } from "../src/_lines.js";
import { ROOT } from "./_helpers.js";

const split = (chunks: string[], max?: number): [string, boolean][] => {
  const s = new LineSplitter(max);
  const out: [string, boolean][] = [];
  const on = (l: Buffer, cut: boolean): void => void out.push([l.toString("latin1"), cut]);
  for (const c of chunks) s.push(Buffer.from(c, "latin1"), on);
  s.end(on);
  return out;
};

describe("LineSplitter", () => {
  it.each([
    ["LF and CRLF endings, a last line without LF", ["a\nb\r\nc"], [["a", false], ["b", false], ["c", false]]],
    ["lines split across chunks", ["ab", "c\nd", "e\n"], [["abc", false], ["de", false]]],
    ["empty lines are lines", ["\n\n"], [["", false], ["", false]]],
  ] as const)("%s", (_name, chunks, want) => {
    expect(split([...chunks])).toEqual(want);
  });

  it.each([
    ["at the limit: whole", ["x".repeat(1024) + "\n"], [["x".repeat(1024), false]]],
    ["at the limit with CRLF, the CR in the next chunk: whole", ["x".repeat(1024), "\r", "\n"], [["x".repeat(1024), false]]],
    ["one over: cut, the rest skipped, the next line whole", ["x".repeat(1025) + "\nok\n"], [["x".repeat(1024), true], ["ok", false]]],
    ["over the limit across chunks, no LF at the end", ["x".repeat(1000), "y".repeat(1000), "z".repeat(1000)], [["x".repeat(1000) + "y".repeat(24), true]]],
    ["a whole object padded past the limit is cut before its '}'", ['{"a": 1}' + " ".repeat(2000) + "\n"], [['{"a": 1', true]]],
  ] as const)("limit 1024, %s", (_name, chunks, want) => {
    expect(split([...chunks], 1024)).toEqual(want);
  });

  it("holds at most the limit and one chunk for a line of 64 MiB", () => {
    const s = new LineSplitter();
    const chunk = Buffer.alloc(1 << 20, 0x61);
    const out: [number, boolean][] = [];
    const on = (l: Buffer, cut: boolean): void => void out.push([l.length, cut]);
    let most = 0;
    for (let i = 0; i < 64; i++) {
      s.push(chunk, on);
      most = Math.max(most, s.pending);
    }
    s.push(Buffer.from("\nnext\n"), on);
    s.end(on);
    expect(most).toBeLessThanOrEqual(MAX_LINE_BYTES + chunk.length);
    expect(out).toEqual([[MAX_LINE_BYTES, true], [4, false]]);
  });
});

it.each([
  ["fluent-bit.conf", /^\s*Buffer_Max_Size\s+(\d+)M\s*$/m],
  ["fluent-bit.yaml", /^\s*buffer_max_size:\s*(\d+)M\s*$/m],
])("%s reads lines of MAX_LINE_BYTES whole, as convert, serve and the WASI command do", (file, setting) => {
  const m = setting.exec(readFileSync(join(ROOT, file), "utf8"));
  expect(m, `${file} sets no tail buffer size`).not.toBeNull();
  expect(Number(m![1]) * 1024 * 1024).toBe(MAX_LINE_BYTES);
});

describe("cutLength", () => {
  it.each([
    ["text", "abcdef", 4, 4],
    ["a '}' at the cut", '{"a": {"b": 1}}', 15, '{"a": {"b": 1'.length],
    ["whitespace, NUL and '}' before the cut", '{"a": "x"} \t\r\0}}  ', 19, '{"a": "x"'.length],
    ["nothing but '}'", "}}}}", 3, 0],
  ])("%s", (_name, text, max, want) => {
    expect(cutLength(Buffer.from(text, "latin1"), max)).toBe(want);
  });
});
