// fast-check generators of Segura's own lines as a shipper's syslog input keeps them.
import fc from "fast-check";
import { FIELDS, EVENTS } from "../src/_catalogue.js";
import { hostileText, recordText, typedEdge } from "./_arbitraries.js";

const extKey = fc.oneof(
  fc.constantFrom(...FIELDS.flatMap((f) => [f.key, ...f.aliases])),
  fc.constantFrom("x", "ticket", "a", "duid=35", "Cs6", "dposrt", "msg"),
);
const value = fc.oneof(
  hostileText,
  typedEdge,
  fc.constantFrom("root duid=35", "Action: a=b c", "10.0.0.1", "22", "a\\=b", "a\\|b", "x\\ny", "trailing\\", "   "),
  fc.string({ maxLength: 30 }),
);
const classId = fc.oneof(fc.constantFrom(...EVENTS.map((e) => e.id), "336501", "1695001", "9999", ""), hostileText);

/** A CEF line as Segura writes it, quirks included. */
const cefLine = fc.tuple(
  fc.constantFrom("MT4|Segura", "MT4|senhasegura", "Other|Thing"),
  fc.oneof(fc.constantFrom("3.27.0-4", ""), hostileText),
  classId,
  fc.oneof(fc.constantFrom("UPDATE INCIDENT", "Session started", ""), hostileText),
  fc.constantFrom("9", "3", "10", "x", ""),
  fc.array(fc.tuple(extKey, value), { maxLength: 10 }),
  fc.constantFrom("", " ", "  "),
  fc.nat(6),
).map(([vp, ver, id, name, sev, pairs, lead, cut]) => {
  const esc = (s: string): string => s.replace(/[\\|]/g, "\\$&");
  const head = `CEF:0|${vp}|${esc(ver)}|${esc(id)}|${esc(name)}|${sev}|`;
  const ext = pairs.map(([k, v]) => `${k}=${v}`).join(" ");
  const line = head + lead + ext;
  // sometimes cut, as a datagram limit would
  return cut === 0 ? line.slice(0, Math.max(0, line.length - 7)) : line;
});

/** A `key = value` body, or plain text, or text followed by pairs. */
const kvBody = fc.tuple(fc.option(hostileText, { nil: undefined }), fc.array(fc.tuple(extKey, value, fc.constantFrom(" = ", "=", " =", "= ")), { maxLength: 8 }))
  .map(([lead, pairs]) => [lead ?? "", ...pairs.map(([k, v, eq]) => `${k}${eq}${v}`)].join(" ").trim());

const body = fc.oneof(cefLine, kvBody, hostileText, fc.constant("Successfully authenticated."), fc.constantFrom(...EVENTS.map((e) => e.name)));

const token = fc.oneof(fc.constantFrom("-", "vm-andrew-dev", "senhasegura", "1426", "16", "336.501", "2018-06-18T17:49:41-03:00", ""), fc.stringMatching(/^[!-~]{1,12}$/));

/** A whole syslog line: RFC 5424, RFC 3164, or an almost-header. */
const syslogLine = fc.tuple(fc.constantFrom("<13>", "<134>", "<191>", "<192>", "<1234>", "<x>", ""), fc.nat(3), token, token, token, token, token,
  fc.constantFrom("-", '[a b="c"]', '[a b="c\\]d"][e f="g"]', "[unterminated"), fc.constantFrom("", "\ufeff"), body)
  .map(([pri, kind, ts, host, app, pid, msgid, sd, bom, msg]) => {
    if (kind === 0) return `${pri}1 ${ts} ${host} ${app} ${pid} ${msgid} ${sd} ${bom}${msg}`;
    if (kind === 1) return `${pri}Jun 18 17:49:41 ${host} ${app}[${pid}]: ${msg}`;
    if (kind === 2) return `${pri}1 ${ts} ${host}`;
    return `${pri}${msg}`;
  });

/** Records as Fluent Bit's syslog input (rfc5424 / rfc3164 parsers) or Vector's syslog source leave them. */
export const nativeRecord = fc.oneof(
  fc.tuple(syslogLine).map(([m]) => ({ message: m })),
  fc.tuple(body, token, token, token, fc.constantFrom("13", "134", "-", "999", 13)).map(([m, host, pid, msgid, pri]) => ({ pri, host, ident: "senhasegura", pid, msgid, extradata: "-", message: m })),
  fc.tuple(body, token, fc.constantFrom("notice", "alert", "user", "local4", "Kern", "bogus", 4), fc.constantFrom("user", "local0", "auth", "nope", 3), token).map(([m, hostname, severity, facility, msgid]) => ({ message: m, hostname, appname: "senhasegura", procid: "1426", msgid, severity, facility, timestamp: "2018-06-18T20:49:41Z" })),
  fc.tuple(syslogLine, fc.dictionary(fc.constantFrom("msg", "event_id", "suser", "host", "event", "dpt"), hostileText, { maxKeys: 2 })).map(([m, extra]) => ({ ...extra, log: m })),
  fc.tuple(fc.string({ minLength: 990, maxLength: 1100 })).map(([m]) => ({ pri: "13", host: "h", message: `CEF:0|MT4|Segura|3|16|Session started|3|msg=${m}` })),
  bareRecord(),
).map((r) => JSON.stringify(r));

/** What Fluent Bit's tail gives without a parser, or its json parser for a line it rejects: only `log`
 * (or `message`), maybe beside per-site values an operator added, holding a JSON record (whole or cut),
 * a Segura line, or any text. */
function bareRecord(): fc.Arbitrary<Record<string, unknown>> {
  const json = fc.tuple(recordText, fc.nat(), fc.boolean()).map(([t, at, cut]) => (cut ? t.slice(0, at % (t.length + 1)) : t));
  const text = fc.oneof(json, syslogLine, body, hostileText, fc.constantFrom("", "  ", " {\"event_id\":16}", "{", "[1]", "null"));
  const site = fc.dictionary(fc.constantFrom("host", "product_version", "facility", "procid", "enterprise_number", "pid"),
    fc.oneof(hostileText, fc.constantFrom("segura-02", "3.28.0", "local4", 20, "12345", "1.3.6.1", null, "")), { maxKeys: 3 });
  return fc.tuple(fc.constantFrom("log", "message"), text, site).map(([k, t, extra]) => ({ ...extra, [k]: t }));
}
