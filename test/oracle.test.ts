// The engine against the plain reference mapping: same bytes for the samples and for generated records.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { referenceConvert } from "../src/_reference.js";
import { FILTER_FUNCTIONS, convertLine } from "../src/_host.js";
import { freshHost, exampleLines, recordText, FORMAT_OF } from "./_helpers.js";
import { recordText as recordTextArb, brokenBytes } from "./_arbitraries.js";
import { nativeRecord } from "./_native-arbitraries.js";

const SEC = 1715000000;
const NSEC = 123456789;

describe("engine = reference on the bundled samples", () => {
  const host = freshHost();
  const cases = exampleLines().flatMap((line, i) => FILTER_FUNCTIONS.map((fn) => [i + 1, fn, line] as const));
  it.each(cases)("sample %i through %s", (_i, fn, line) => {
    expect(recordText(host, fn, line, SEC, NSEC)).toBe(referenceConvert(line, FORMAT_OF[fn], true, SEC, NSEC));
  });
});

describe("engine = reference on generated records", () => {
  const host = freshHost();
  it.each(FILTER_FUNCTIONS)("%s on well-formed hostile records", (fn) => {
    fc.assert(
      fc.property(recordTextArb, fc.nat(2 ** 31), (text, sec) => {
        expect(recordText(host, fn, text, sec, NSEC)).toBe(referenceConvert(text, FORMAT_OF[fn], true, sec, NSEC));
      }),
      { numRuns: 2500, seed: 5424 },
    );
  });
  it.each(FILTER_FUNCTIONS)("%s on broken bytes", (fn) => {
    fc.assert(
      fc.property(brokenBytes, (bytes) => {
        expect(recordText(host, fn, bytes, SEC, 0)).toBe(referenceConvert(bytes, FORMAT_OF[fn], true, SEC, 0));
      }),
      { numRuns: 2500, seed: 3164 },
    );
  });
});

describe("bare lines (segura_line) = reference", () => {
  const host = freshHost();
  const formats = ["cef", "syslog", "cef-syslog"] as const;
  it.each(formats)("%s on generated records", (format) => {
    fc.assert(
      fc.property(recordTextArb, (text) => {
        expect(new TextDecoder().decode(convertLine(host, format, text, SEC, NSEC))).toBe(referenceConvert(text, format, false, SEC, NSEC));
      }),
      { numRuns: 1000, seed: 6587 },
    );
  });
});

describe("engine = reference on received Segura lines (CEF, RFC 5424 / 3164, key = value)", () => {
  const host = freshHost();
  it.each(FILTER_FUNCTIONS)("%s", (fn) => {
    fc.assert(
      fc.property(nativeRecord, (text) => {
        expect(recordText(host, fn, text, SEC, NSEC)).toBe(referenceConvert(text, FORMAT_OF[fn], true, SEC, NSEC));
      }),
      { numRuns: 3000, seed: 1024 },
    );
  });
});
