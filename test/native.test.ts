// Segura's own lines (its CEF and RFC 5424 key = value exports), as Fluent Bit's and Vector's syslog
// inputs hand them over, normalized into the same event as a JSON record.
import { describe, it, expect } from "vitest";
import { convertLine } from "../src/_host.js";
import { freshHost, recordText } from "./_helpers.js";

const host = freshHost();
const cef = (rec: object): string => new TextDecoder().decode(convertLine(host, "cef", JSON.stringify(rec)));
const record = (rec: object): Record<string, unknown> => JSON.parse(recordText(host, "segura_cef_syslog", JSON.stringify(rec))) as Record<string, unknown>;

/** The extension of a CEF line as key -> raw (still escaped) value; splits at ' key=' of word keys. */
function extension(line: string): Record<string, string> {
  const ext = line.split("|").slice(7).join("|");
  const out: Record<string, string> = {};
  const re = / ([A-Za-z0-9_]+)=((?:[^\\ ]|\\.| (?![A-Za-z0-9_]+=))*)/g;
  for (const m of ext.matchAll(re)) out[m[1]!] = m[2]!;
  return out;
}
const header = (line: string): string[] => line.split(/(?<!\\)\|/).slice(0, 7);

// Lines built from the examples of Segura's SIEM message tables.
const VENDOR_5424 = "<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Successfully authenticated.";
const ORBIT_CEF = "CEF:0|MT4|Segura|3.27.0-4|336501|UPDATE INCIDENT|9|suid=1 sname=Orbit suser=orbit msg=Incident INC-2291 updated";
const PASSWORD_VIEW_CEF = "CEF:0|MT4|senhasegura|3.27.0-4|1|Password Viewed|5|msg=Password localhost (127.0.0.1) - Domain User - root viewed sname=Stephen Lee duser=root duid=35 dst=127.0.0.1 dhost=localhost";
const REQUEST_CEF = "CEF:0|MT4|Segura|3.27.0-4|13|New request|5|suser=stlee dposrt=22 duser=cqss cs1Label=GMUD cs1=4411 Cs6=Action Cs7=View password msg=Request Details: View password action for cqss credential on win2012 device (192.168.10.156)";
const KV_5424 = "<13>1 2024-05-06T10:02:55-03:00 segura-01 Segura 4411 16 - suser = stlee dst = 127.0.0.1 dpt = 22 duser = root msg = Session started for localhost (127.0.0.1) - root by the user Stephen Lee (stlee)";
const QUIRK_CEF = "CEF:0|MT4|Segura|3.27.0-4|93|User has seen his part of the key|9|Method=POST act=User has seen his part of the key ServiceName=Backup msg=Action: a=b, then c\\=d";

describe.each([
  ["a whole RFC 5424 line (Fluent Bit syslog input with a catch-all parser)", (l: string) => ({ message: l })],
  ["Fluent Bit's log key", (l: string) => ({ log: l })],
])("%s", (_name, shape) => {
  it("reads the vendor's example line, which has no structured data", () => {
    const r = record(shape(VENDOR_5424));
    expect(r.hostname).toBe("vm-andrew-dev");
    expect(r.procid).toBe("1426");
    expect(r.facility).toBe(1);
    expect(r.unknown_event).toBe(true);
    expect(String(r.message)).toMatch(/^<13>1 2018-06-18T20:49:41\.000000Z vm-andrew-dev Segura 1426 - - CEF:0\|MT4\|Segura\|unknown\|unknown\|Unknown Segura event\|3\|/);
    expect(extension(String(r.message).replace(/^.* - (?=CEF:)/, "")).msg).toBe("Successfully authenticated.");
  });
  it("reads an RFC 5424 key = value body, with the event id in MSGID", () => {
    const line = cef(shape(KV_5424));
    expect(header(line).slice(3)).toEqual(["unknown", "16", "Session started", "3"]);
    expect(extension(line)).toMatchObject({ suser: "stlee", dst: "127.0.0.1", dpt: "22", duser: "root", dvchost: "segura-01", msg: "Session started for localhost (127.0.0.1) - root by the user Stephen Lee (stlee)" });
  });
});

describe("CEF bodies as Fluent Bit's rfc5424 / rfc3164 parsers or Vector's syslog source leave them", () => {
  it.each([
    ["Fluent Bit rfc5424", { pri: "13", host: "segura-01", ident: "Segura", pid: "90", msgid: "-", extradata: "-", message: ORBIT_CEF }],
    ["Fluent Bit rfc3164", { pri: "13", host: "segura-01", ident: "Segura", pid: "90", message: ORBIT_CEF }],
    ["Vector syslog", { message: ORBIT_CEF, hostname: "segura-01", appname: "Segura", procid: "90", severity: "alert", facility: "user", timestamp: "2024-05-09T16:20:00Z" }],
  ])("%s: 336501 is read as 336.501; the line's own Name and Severity are kept", (_n, rec) => {
    const line = cef(rec);
    expect(header(line)).toEqual(["CEF:0", "MT4", "Segura", "3.27.0-4", "336.501", "UPDATE INCIDENT", "9"]);
    expect(extension(line)).toMatchObject({ suid: "1", sname: "Orbit", suser: "orbit", cat: "Orbit", dvchost: "segura-01", msg: "Incident INC-2291 updated" });
    const r = record(rec);
    expect(r.hostname).toBe("segura-01");
    expect(r.procid).toBe("90");
    // the sender's syslog severity: PRI 13 (notice), or Vector's "alert"; the catalogue would say alert
    expect(r.severity).toBe("severity" in rec ? 1 : 5);
    expect(r.event_name).toBe("UPDATE INCIDENT");
    expect(r.cef_severity).toBe(9);
  });

  it.each([
    ["duser=root duid=35 is two keys", PASSWORD_VIEW_CEF, { duser: "root", duid: "35", sname: "Stephen Lee", dst: "127.0.0.1" }],
    ["Cs6/Cs7 are cs6's label and value; dposrt is dpt", REQUEST_CEF, { cs6Label: "Action", cs6: "View password", dpt: "22", cs1Label: "GMUD", cs1: "4411" }],
    ["Method/ServiceName; an unescaped '=' stays in its value and is escaped on output", QUIRK_CEF, { requestMethod: "POST", sourceServiceName: "Backup", act: "User has seen his part of the key", msg: "Action: a\\=b, then c\\=d" }],
  ])("%s", (_n, body, fields) => {
    expect(extension(cef({ host: "segura-01", message: body }))).toMatchObject(fields);
  });

  it("keys the record carries itself win over the line's", () => {
    const line = cef({ message: ORBIT_CEF, suser: "from-json", event_id: undefined });
    expect(extension(line).suser).toBe("from-json");
  });

  it("a record with an event of its own keeps message as a plain field", () => {
    const line = cef({ event_id: 16, message: ORBIT_CEF });
    expect(header(line)[4]).toBe("16");
    expect(extension(line).message).toContain("CEF:0");
  });
});

describe("datagrams cut at 1024 bytes", () => {
  const long = "CEF:0|MT4|Segura|3.27.0-4|16|Session started|5|suser=stlee msg=" + "x".repeat(1100);
  it.each([
    ["a whole line of 1024 bytes", { message: ("<13>1 2024-05-06T10:02:55-03:00 segura-01 Segura 1 - - " + long).slice(0, 1024) }, true],
    ["a whole line of 1023 bytes", { message: ("<13>1 2024-05-06T10:02:55-03:00 segura-01 Segura 1 - - " + long).slice(0, 1023) }, false],
    ["a parsed body that, with its header keys, reaches 1024", { pri: "13", host: "segura-01", ident: "Segura", pid: "1", msgid: "-", message: long.slice(0, 980) }, true],
    ["a short parsed body", { pri: "13", host: "segura-01", message: long.slice(0, 200) }, false],
  ])("%s: truncated=%s", (_n, rec, cut) => {
    const r = record(rec);
    expect(r.truncated === true).toBe(cut);
    if (cut) expect(String(r.warning)).toMatch(/1024 bytes/);
    // whatever arrived is still converted
    expect(r.event_id).toBe("16");
  });
});

describe("Segura's line repaired into standards-exact output", () => {
  it("escapes what the vendor left unescaped, keeps one line", () => {
    const r = record({ message: "CEF:0|MT4|Segura|3.27.0-4|16|Session started|5|suser=a\\nb msg=pipe | and = and \\\\ here" });
    const m = String(r.message);
    expect(m).not.toMatch(/[\r\n]/);
    expect(m).toContain("suser=a\\nb");
    expect(m).toContain("msg=pipe | and \\= and \\\\ here");
    expect(r.severity).toBe(5);
    // the line's own CEF severity, where the catalogue would give 3
    expect(r.cef_severity).toBe(5);
  });
  it.each([["user", 1], ["local4", 20], ["AUTH", 4], [13, 13]])("facility %j -> %i", (facility, n) => {
    expect(record({ message: ORBIT_CEF, facility }).facility).toBe(n);
  });
  it("PRI gives the facility when none is set", () => {
    expect(record({ pri: "166", message: ORBIT_CEF }).facility).toBe(20);
  });
});
