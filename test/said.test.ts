// What Segura said, kept: its quirks read for their meaning, repeats and defaults never silent, a
// received line's own Name and Severity, and the per-site values a record may carry.
import { describe, it, expect } from "vitest";
import { referenceConvert } from "../src/_reference.js";
import { FILTER_FUNCTIONS } from "../src/_host.js";
import { freshHost, recordText, FORMAT_OF } from "./_helpers.js";

const host = freshHost();
/** The Fluent Bit record of segura_cef for rec, checked against the reference on all three functions. */
function convert(rec: object | string): Record<string, unknown> {
  const text = typeof rec === "string" ? rec : JSON.stringify(rec);
  for (const fn of FILTER_FUNCTIONS) expect(recordText(host, fn, text, 1715000000, 0)).toBe(referenceConvert(text, FORMAT_OF[fn], true, 1715000000, 0));
  return JSON.parse(recordText(host, "segura_cef", text, 1715000000, 0)) as Record<string, unknown>;
}
const syslogOf = (rec: object | string): string =>
  String((JSON.parse(recordText(host, "segura_syslog", typeof rec === "string" ? rec : JSON.stringify(rec), 1715000000, 0)) as Record<string, unknown>).message);
/** The CEF extension as key -> value (values here hold no '=' or escapes). */
const ext = (r: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries([...String(r.message).split("|").slice(7).join("|").matchAll(/ ([A-Za-z0-9_]+)=([^=]*?)(?= [A-Za-z0-9_]+=|$)/g)].map((m) => [m[1]!, m[2]!]));

describe("Cs6/Cs7 are the Password Request table's label and value of cs6", () => {
  it("gives cs6Label and cs6, and never cs7", () => {
    const e = ext(convert({ event_id: 13, Cs6: "Action", Cs7: "View password" }));
    expect(e).toMatchObject({ cs6Label: "Action", cs6: "View password" });
    expect(e).not.toHaveProperty("cs7");
  });
  it("both spellings of cs6 at once: the last wins, and the warning says so", () => {
    const r = convert({ event_id: 13, cs6: "View password", Cs7: "Copy password" });
    expect(ext(r).cs6).toBe("Copy password");
    expect(r.warning).toBe("cs6: given more than once, the last value kept");
  });
  it("the Approved request table's own spelling is unchanged", () => {
    expect(ext(convert({ event_id: 14, cs6Label: "Action", cs6: "View password" }))).toMatchObject({ cs6Label: "Action", cs6: "View password" });
  });
  it.each(["Cs1", "CS1", "Cs7Label"])("%s is no alias (the vendor never writes it): it passes through under its own name", (k) => {
    expect(ext(convert({ event_id: 13, [k]: "v" }))[k]).toBe("v");
  });
});

describe("a key given more than once is warned about", () => {
  it.each([
    ["the same field twice (the recovery tables list act twice)", '{"event_id":102,"act":"POST","act":"Failed"}', "act: given more than once, the last value kept"],
    ["two aliases of one field", '{"event_id":16,"dpt":22,"dport":2222}', "dpt: given more than once, the last value kept"],
    ["a steering key and its alias", '{"event_id":16,"timestamp":1715000000,"time":1715000001}', "timestamp: given more than once, the last value kept"],
    ["an unknown key", '{"event_id":16,"ticket":"a","ticket":"b"}', "ticket: given more than once, the last value kept"],
    ["message and log", '{"event_id":16,"message":"a","log":"b"}', "message: given more than once, the last value kept"],
    ["a key a received line gives twice", '{"message":"CEF:0|MT4|Segura|3|16|Session started|3|act=a act=b"}', "act: given more than once, the last value kept"],
  ])("%s", (_n, rec, warning) => {
    expect(convert(rec).warning).toBe(warning);
  });
  it("each key once, in the order the repeats appear", () => {
    expect(convert('{"event_id":16,"b":1,"a":1,"b":2,"a":2,"b":3}').warning).toBe("b: given more than once, the last value kept; a: given more than once, the last value kept");
  });
  it("a line filling what the JSON left empty is no repeat", () => {
    expect(convert({ suser: "", message: "CEF:0|MT4|Segura|3|16|Session started|3|suser=a" }).warning).toBeUndefined();
  });
});

describe("a received line keeps what its sender wrote", () => {
  it.each([
    ["CEF Severity 5 where the catalogue says 3", "CEF:0|MT4|Segura|3.27.0-4|1|Password Viewed|5|suser=a", "1", "Password Viewed", 5, 5],
    ["Orbit's own Name and Severity", "CEF:0|MT4|Segura|3.27.0-4|336.501|UPDATE INCIDENT|9|suser=a", "336.501", "UPDATE INCIDENT", 9, 1],
    ["a name in another case", "CEF:0|MT4|Segura|3|16|SESSION STARTED|3|suser=a", "16", "SESSION STARTED", 3, 5],
    ["PRI severity over the catalogue's", "<10>1 2024-05-06T10:00:00Z h Segura - - - CEF:0|MT4|Segura|3|16|Session started|3|suser=a", "16", "Session started", 3, 2],
    ["a Severity out of range is left out, with a warning", "CEF:0|MT4|Segura|3|16|Session started|11|suser=a", "16", "Session started", 3, 5],
    ["an unknown event derives its syslog severity from the CEF one", "CEF:0|MT4|Segura|3|999|Something new|8|suser=a", "999", "Something new", 8, 2],
  ])("%s", (_n, line, id, name, cef, sys) => {
    const r = convert({ message: line });
    expect([r.event_id, r.event_name, r.cef_severity, r.severity]).toEqual([id, name, cef, sys]);
    expect(String(r.message)).toContain(`|${id}|${name}|${cef}|`);
  });
  it("Vector's syslog keyword is the syslog severity, the CEF header's number the CEF severity", () => {
    const r = convert({ message: "CEF:0|MT4|Segura|3|1|Password Viewed|7|suser=a", severity: "warning", hostname: "h" });
    expect([r.severity, r.cef_severity]).toEqual([4, 7]);
  });
  it("the same event twice with different severities: no kept piece of the first leaks into the second", () => {
    expect(convert({ message: "CEF:0|MT4|Segura|3|1|Password Viewed|9|x" }).cef_severity).toBe(9);
    expect(convert({ message: "CEF:0|MT4|Segura|3|1|Password Viewed|2|x" }).cef_severity).toBe(2);
    expect(convert({ event_id: 1 }).cef_severity).toBe(3);
    expect(convert({ event_id: 1 }).event_name).toBe("Password Viewed");
  });
  it("a JSON record's own severity still counts only for an unknown event", () => {
    expect(convert({ event_id: 1, severity: 9 }).cef_severity).toBe(3);
    expect(convert({ event_id: "777", severity: 9 }).cef_severity).toBe(9);
  });
});

describe("header values are not invented", () => {
  it("an event without any id has MSGID '-' (RFC 5424 NILVALUE), its CEF class id stays 'unknown'", () => {
    const r = convert({ suser: "a" });
    expect(r.msgid).toBe("-");
    expect(r.event_id).toBe("unknown");
    expect(syslogOf({ suser: "a" })).toMatch(/^<13>1 \S+ - Segura - - \[/);
  });
  it("an unknown id is its MSGID", () => {
    expect(convert({ event_id: "777" }).msgid).toBe("777");
  });
  it.each([
    ["12345", "12345"], [12345, "12345"], ["1.3.6.1.4.1", "1.3.6.1.4.1"], ["0", "0"],
  ])("enterprise_number %j gives the SD-ID segura@%s", (n, want) => {
    expect(syslogOf({ event_id: 16, enterprise_number: n })).toContain(`[segura@${want} event-id="16"`);
    expect(convert({ event_id: 16, enterprise_number: n }).warning).toBeUndefined();
  });
  it.each(["01", "1..2", ".1", "1.", "12a", "-1", "1 2", "x".repeat(3), "1".repeat(26), "1]", '1"'])("enterprise_number %j is refused: 32473 and a warning", (n) => {
    expect(syslogOf({ event_id: 16, enterprise_number: n })).toContain("[segura@32473 event-id=");
    expect(String(convert({ event_id: 16, enterprise_number: n }).warning)).toMatch(/^enterprise_number: not a private enterprise number/);
  });
  it("without enterprise_number the documentation number 32473 is used", () => {
    expect(syslogOf({ event_id: 16 })).toContain("[segura@32473 ");
  });
});

describe("the vendor's own filing", () => {
  it.each([["31"], ["32"], ["33"]])("Command detected event %s is Command Audit, as the vendor files it", (id) => {
    expect(ext(convert({ event_id: id })).cat).toBe("Command Audit");
  });
  it.each([["User", "62"], ["Uninstall", "72"]])("the notification type %s is catalogue event %s", (name, id) => {
    expect(convert({ event: name }).event_id).toBe(id);
  });
  it.each(["N.018", "N.020"])("the retired id %s is no longer a catalogue event", (id) => {
    expect(convert({ event_id: id }).unknown_event).toBe(true);
  });
});

describe("a record that is only log or message (Fluent Bit's tail without a parser, or a line its parser rejected)", () => {
  it.each([
    ["a JSON record as text is converted as the record", { log: '{"event_id":16,"suser":"bob"}' }, "16", undefined],
    ["the same under message", { message: ' {"event_id":16}' }, "16", undefined],
    ["cut JSON: the invalid-record event with the parse error", { log: '{"event_id":16,' }, "invalid-record", "invalid JSON at byte 15: expected a string key"],
    ["plain text: the invalid-record event", { log: "not json at all" }, "invalid-record", "invalid JSON at byte 0: the record is not a JSON object"],
    ["an empty line", { log: "" }, "invalid-record", "invalid JSON at byte 0: empty input"],
    ["per-site values beside it do not change that", { log: "garbage", host: "segura-02", product_version: "3.28" }, "invalid-record", "invalid JSON at byte 0: the record is not a JSON object"],
  ])("%s", (_n, rec, id, error) => {
    const r = convert(rec);
    expect(r.event_id).toBe(id);
    expect(r.error).toBe(error);
    if (error) expect(ext(r).msg).toBe(error);
  });
  it("per-site values fill what the text leaves out; the text's own keys win", () => {
    const r = convert({ log: '{"event_id":16,"host":"own"}', host: "site", product_version: "3.28.0", enterprise_number: "999", facility: "local4" });
    expect([r.hostname, r.facility]).toEqual(["own", 20]);
    expect(String(r.message)).toMatch(/^CEF:0\|MT4\|Segura\|3\.28\.0\|16\|/);
    expect(syslogOf({ log: '{"event_id":16}', enterprise_number: "999" })).toContain("[segura@999 ");
  });
  it.each([
    ["a Segura syslog line is still read as a line", { log: "<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Successfully authenticated." }, "unknown"],
    ["a key = value body is still read as a line", { log: "suser = stlee duser = root" }, "unknown"],
    ["a CEF body is still read as a line", { log: "CEF:0|MT4|Segura|3|16|Session started|3|suser=a" }, "16"],
    ["plain text beside Fluent Bit's syslog keys stays msg", { pri: "13", host: "h", message: "Successfully authenticated." }, "unknown"],
    ["plain text beside a field stays msg", { log: "garbage", suser: "a" }, "unknown"],
  ])("%s", (_n, rec, id) => {
    const r = convert(rec);
    expect(r.event_id).toBe(id);
    expect(r.error).toBeUndefined();
  });
});
