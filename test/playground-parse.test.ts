// The playground's tables take the module's lines apart (playground/convert.ts). They must read
// every line as the strict parsers of test/_parse.ts do, hostile values included, or the page would
// show a SIEM engineer fields the SIEM never gets.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { Playground, parseCef as pageCef, parseSyslog as pageSyslog, splitAtByte, splitLines, encodeFragment, decodeFragment } from "../playground/convert.js";
import { freshHost } from "./_helpers.js";
import { parseCef, parseSyslog } from "./_parse.js";
import { SAMPLES, receiverEvent, recordJson } from "./_events.js";
import { BROKEN } from "./_broken.js";

const playground = new Playground(freshHost());
const SEC = 1715000000;

const hostile = fc.sample(receiverEvent, { numRuns: 400, seed: 1425 }).map(recordJson);
const broken = BROKEN.map(([, c]) => new TextDecoder().decode(c.input));
const CORPORA: [string, string[]][] = [["sample", [...SAMPLES]], ["hostile event", hostile], ["broken record", broken]];

describe.each(CORPORA)("%s records", (_name, records) => {
  it("give the CEF header and extension the strict parser reads", () => {
    for (const r of records) {
      const c = playground.convert(r, SEC);
      const strict = parseCef(c.lines.cef);
      expect(c.cef.header.slice(1)).toEqual(strict.header);
      expect(c.cef.extension).toEqual(strict.ext);
    }
  });

  it("give the RFC 5424 header, SD-PARAMs and MSG the strict parser reads", () => {
    for (const r of records) {
      const c = playground.convert(r, SEC);
      const strict = parseSyslog(c.lines.syslog);
      expect(c.syslog.pri).toBe(strict.pri);
      expect(c.syslog.sd).toEqual(strict.sd);
      expect(c.syslog.msg).toBe(strict.msg ?? "");
      const cefIn = pageSyslog(c.lines["cef-syslog"]);
      expect(cefIn.sd).toEqual([]);
      expect(pageCef(cefIn.msg)).toEqual(c.cef);
    }
  });
});

describe("input handling", () => {
  it.each([
    ["", []],
    ["a", ["a"]],
    ["a\n", ["a"]],
    ["a\r\nb", ["a", "b"]],
    ["a\n\nb\n", ["a", "", "b"]],
  ] as const)("splits %j into %j, as the command line does", (text, lines) => expect(splitLines(text)).toEqual(lines));

  it.each([
    ["{\"a\":1,", 7, ["{\"a\":1,", "", ""]],
    ["{\"é\":x}", 5, ["{\"é\"", ":", "x}"]],
    ["{\"é\":x}", 3, ["{\"", "é", "\":x}"]],
    ["{\"😀\":x}", 2, ["{\"", "😀", "\":x}"]],
  ] as const)("marks byte %#: %j at %i", (text, byte, parts) => expect(splitAtByte(text, byte)).toEqual(parts));

  it("round-trips any input through the URL fragment", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), fc.constantFrom("", "1715000000"), (input, time) => {
      expect(decodeFragment("#" + encodeFragment({ input, time, download: "cef" }))).toEqual({ input, time, download: "cef" });
    }), { numRuns: 300, seed: 5425 });
  });
});
