// The strict parsers of test/_parse.ts against their specifications: examples that must parse to the
// given values, and lines that must be rejected.
import { describe, it, expect } from "vitest";
import { parseCef, parseSyslog, parseCefSyslog, ParseError } from "./_parse.js";

const BOM = "\ufeff";

describe("CEF parser: accepts and unescapes", () => {
  const cases: [string, string, { header: string[]; ext: [string, string][] }][] = [
    ["specification example", "CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232",
      { header: ["Security", "threatmanager", "1.0", "100", "worm successfully stopped", "10"], ext: [["src", "10.0.0.1"], ["dst", "2.1.2.2"], ["spt", "1232"]] }],
    ["escaped pipe and backslash in the header", "CEF:0|security|threatmanager|1.0|100|detected a \\| in message|10|src=10.0.0.1",
      { header: ["security", "threatmanager", "1.0", "100", "detected a | in message", "10"], ext: [["src", "10.0.0.1"]] }],
    ["backslash in the header", "CEF:0|security|threatmanager|1.0|100|detected a \\\\ in packet|10|act=blocked a \\\\ here",
      { header: ["security", "threatmanager", "1.0", "100", "detected a \\ in packet", "10"], ext: [["act", "blocked a \\ here"]] }],
    ["escaped equal sign and a pipe in a value", "CEF:0|a|b|c|d|e|3|act=x\\=y |z",
      { header: ["a", "b", "c", "d", "e", "3"], ext: [["act", "x=y |z"]] }],
    ["multi-line value", "CEF:0|a|b|c|d|e|3|msg=line1\\nline2\\rline3",
      { header: ["a", "b", "c", "d", "e", "3"], ext: [["msg", "line1\nline2\rline3"]] }],
    ["values with spaces, keys with . _ -", "CEF:0|a|b|c|d|e|3| k.1=a b  c k_2=  k-3=x ",
      { header: ["a", "b", "c", "d", "e", "3"], ext: [["k.1", "a b  c"], ["k_2", " "], ["k-3", "x "]] }],
    ["look-alike text inside a value", "CEF:0|a|b|c|d|e|3| msg=x CEF:0|1 act\\=allow [a b\\=\"c\"]",
      { header: ["a", "b", "c", "d", "e", "3"], ext: [["msg", "x CEF:0|1 act=allow [a b=\"c\"]"]] }],
    ["no extension", "CEF:0|a|b|c|d|e|Very-High|", { header: ["a", "b", "c", "d", "e", "Very-High"], ext: [] }],
    ["one leading space before the first key", "CEF:0|a|b|c|d|e|3| rt=1", { header: ["a", "b", "c", "d", "e", "3"], ext: [["rt", "1"]] }],
    ["duplicate keys are kept", "CEF:0|a|b|c|d|e|3| k=1 k=2", { header: ["a", "b", "c", "d", "e", "3"], ext: [["k", "1"], ["k", "2"]] }],
  ];
  it.each(cases)("%s", (_name, line, want) => {
    const got = parseCef(line);
    expect(got.version).toBe("0");
    expect(got.header).toEqual(want.header);
    expect(got.ext).toEqual(want.ext);
  });
});

describe("CEF parser: rejects", () => {
  const cases: [string, string | Uint8Array][] = [
    ["no prefix", "CEF0|a|b|c|d|e|3|"],
    ["a missing header field", "CEF:0|a|b|c|d|3|"],
    ["an unterminated header", "CEF:0|a|b|c|d|e|3"],
    ["a non-numeric version", "CEF:x|a|b|c|d|e|3|"],
    ["a severity out of range", "CEF:0|a|b|c|d|e|11|"],
    ["an unknown escape in the header", "CEF:0|a|b\\n|c|d|e|3|"],
    ["an unescaped '=' in a value", "CEF:0|a|b|c|d|e|3| act=a=b"],
    ["a forged key glued to a value", "CEF:0|a|b|c|d|e|3| act=allow,dst=1"],
    ["an unknown escape in a value", "CEF:0|a|b|c|d|e|3| act=\\|"],
    ["an escaped slash in a value", "CEF:0|a|b|c|d|e|3| act=\\/"],
    ["a lone backslash at the end", "CEF:0|a|b|c|d|e|3| act=x\\"],
    ["text before the first key", "CEF:0|a|b|c|d|e|3|junk k=v"],
    ["text without any key", "CEF:0|a|b|c|d|e|3| junk"],
    ["a raw line feed", "CEF:0|a|b|c|d|e|3| msg=a\nb"],
    ["a raw carriage return", "CEF:0|a|b|c|d|e|3| msg=a\rb"],
    ["invalid UTF-8", new Uint8Array([...new TextEncoder().encode("CEF:0|a|b|c|d|e|3| msg="), 0xff])],
  ];
  it.each(cases)("%s", (_name, line) => {
    expect(() => parseCef(line)).toThrow(ParseError);
  });
});

describe("RFC 5424 parser: the RFC's own examples", () => {
  it("example 1 (MSG-UTF8 with a BOM)", () => {
    const m = parseSyslog(`<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${BOM}'su root' failed for lonvick on /dev/pts/8`);
    expect(m).toEqual({
      pri: 34, facility: 4, severity: 2, version: 1, timestamp: "2003-10-11T22:14:15.003Z", hostname: "mymachine.example.com",
      appname: "su", procid: null, msgid: "ID47", sd: [], msg: "'su root' failed for lonvick on /dev/pts/8", bom: true,
    });
  });
  it("example 2 (MSG-ANY, numeric offset)", () => {
    const m = parseSyslog("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
    expect(m).toMatchObject({ pri: 165, facility: 20, severity: 5, timestamp: "2003-08-24T05:14:15.000003-07:00", hostname: "192.0.2.1", appname: "myproc", procid: "8710", msgid: null, sd: [], msg: "%% It's time to make the do-nuts.", bom: false });
  });
  it("example 3 (structured data and a MSG)", () => {
    const m = parseSyslog(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ${BOM}An application event log entry...`);
    expect(m.sd).toEqual([{ id: "exampleSDID@32473", params: [["iut", "3"], ["eventSource", "Application"], ["eventID", "1011"]] }]);
    expect(m.msg).toBe("An application event log entry...");
  });
  it("example 4 (two SD elements, no MSG)", () => {
    const m = parseSyslog('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]');
    expect(m.sd.map((e) => e.id)).toEqual(["exampleSDID@32473", "examplePriority@32473"]);
    expect(m.msg).toBeNull();
  });
});

describe("RFC 5424 parser: PARAM-VALUE unescaping (6.3.3)", () => {
  const cases: [string, string][] = [
    ['a\\"b', 'a"b'],
    ["a\\\\b", "a\\b"],
    ["a\\]b", "a]b"],
    ["a\\nb", "a\\nb"],
    ["a\\rb", "a\\rb"],
    ["\\x", "\\x"],
    ["a\\\\\\]", "a\\]"],
    ["x=y [z\\] ", "x=y [z] "],
  ];
  it.each(cases)("%s", (raw, want) => {
    expect(parseSyslog(`<13>1 - - - - - [id@1 k="${raw}"]`).sd[0]!.params).toEqual([["k", want]]);
  });
});

describe("RFC 5424 parser: rejects", () => {
  const cases: [string, string][] = [
    ["no PRI", "1 - - - - - -"],
    ["PRIVAL above 191", "<192>1 - - - - - -"],
    ["a leading zero in PRIVAL", "<013>1 - - - - - -"],
    ["version 0", "<13>0 - - - - - -"],
    ["a missing field", "<13>1 - - - - -"],
    ["an empty field (two spaces)", "<13>1 -  a - - - -"],
    ["a non-ASCII HOSTNAME", "<13>1 - hé Segura - - -"],
    ["APP-NAME over 48", `<13>1 - - ${"a".repeat(49)} - - -`],
    ["PROCID over 128", `<13>1 - - - ${"a".repeat(129)} - -`],
    ["MSGID over 32", `<13>1 - - - - ${"a".repeat(33)} -`],
    ["HOSTNAME over 255", `<13>1 - ${"a".repeat(256)} - - - -`],
    ["February 30", "<13>1 2024-02-30T00:00:00Z - - - - -"],
    ["a leap second", "<13>1 2024-06-30T23:59:60Z - - - - -"],
    ["seven fraction digits", "<13>1 2024-06-30T23:59:59.1234567Z - - - - -"],
    ["a timestamp without offset", "<13>1 2024-06-30T23:59:59 - - - - -"],
    ["SD without SP before MSG", '<13>1 - - - - - [id@1 k="v"]msg'],
    ["an unescaped ']' in a value", '<13>1 - - - - - [id@1 k="a]b"]'],
    ["an unterminated value", '<13>1 - - - - - [id@1 k="ab]'],
    ["a PARAM-NAME over 32", `<13>1 - - - - - [id@1 ${"k".repeat(33)}="v"]`],
    ["an SD-ID neither registered nor name@number", '<13>1 - - - - - [segura k="v"]'],
    ["an SD-ID with a bad enterprise number", '<13>1 - - - - - [segura@x k="v"]'],
    ["a value without quotes", "<13>1 - - - - - [id@1 k=v]"],
    ["a raw line feed in MSG", "<13>1 - - - - - - a\nb"],
    ["a raw carriage return in SD", '<13>1 - - - - - [id@1 k="a\rb"]'],
    ["no STRUCTURED-DATA", "<13>1 - - - - - msg"],
  ];
  it.each(cases)("%s", (_name, line) => {
    expect(() => parseSyslog(line)).toThrow(ParseError);
  });
});

describe("CEF inside RFC 5424", () => {
  it("parses both layers", () => {
    const { syslog, cef } = parseCefSyslog("<13>1 2024-05-06T12:53:20.123456Z h Segura - 1 - CEF:0|MT4|Segura|unknown|1|Password Viewed|3| rt=1 cat=Credentials");
    expect(syslog.msgid).toBe("1");
    expect(cef.header[3]).toBe("1");
    expect(cef.ext).toEqual([["rt", "1"], ["cat", "Credentials"]]);
  });
  it("rejects structured data next to the CEF line", () => {
    expect(() => parseCefSyslog('<13>1 - - - - - [id@1 k="v"] CEF:0|a|b|c|d|e|3|')).toThrow(ParseError);
  });
});
