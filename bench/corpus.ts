// The benchmark corpus: Segura records as Fluent Bit hands them to the filter, generated from the
// event catalogue and the bundled samples with a fixed seed, so every run measures the same bytes.
//
// Shape of the mix (see buildCorpus): most records are catalogue events with the keys their layout
// lists, values of realistic sizes (names, logins, addresses, ports, free-text messages of 60-440
// bytes, request details in cs1..cs8); some are the bundled samples verbatim; a few name the event
// instead of giving its id, carry an unknown key, or are events the catalogue does not know.
// Fluent Bit writes the record JSON compactly (msgpack to JSON) with non-ASCII as \uXXXX escapes
// (json.escape_unicode, on by default), so the generated records do the same.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EVENTS, LAYOUTS, type CatalogueEvent } from "../src/_catalogue.js";

/** A small, fast, seedable generator (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(a: readonly T[]): T { return a[Math.floor(this.next() * a.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
}

const FIRST = ["Stephen", "Leia", "José", "Caleb", "Jane", "John", "Ana", "Márcia", "Wei", "Priya", "Olga", "Tomás", "Noah", "Fatima", "Grace"];
const LAST = ["Lee", "West", "da Silva", "Doe", "Souza", "Müller", "Chen", "Patel", "Ivanova", "García", "Okafor", "Smith", "Nakamura"];
const ROLES = ["Administrator", "User", "Auditor", "Operator", "Approver"];
const HOSTS = ["localhost", "win2012", "db-prod-03.corp.example.com", "fw-edge-1", "srv-app-17.example.net", "ldap01", "jump-host-2.example.org"];
const TARGET_USERS = ["root", "srv_admin", "cqss", "stleeadm", "Administrator", "postgres", "oracle", "usrmanut", "svc_backup"];
const COMMANDS = ["rm -rf /var/log/audit", "shutdown -h now", "cat /etc/shadow", "systemctl stop auditd", "iptables -F", "passwd root", "sudo su -", "Get-ADUser -Filter *"];
const ACTIONS = ["User has seen his part of the key", "Ceremony process started", "Failed recovery attempt", "Report scheduling - Creation", "Incident", "Notification sent", "Session blocked"];
const SERVICES = ["Backup", "Master Key", "Report scheduling", "PAM Core", "Domum", "Certificate Manager"];
const WORDS = [
  "password", "session", "device", "credential", "access", "request", "approved", "by", "the", "user", "on", "for", "has", "been",
  "changed", "viewed", "terminated", "started", "policy", "rotation", "automatic", "remote", "privileged", "domain", "account",
  "connectivity", "lost", "recovered", "report", "schedule", "key", "ceremony", "guardian", "firewall", "audit", "command",
  "detected", "action", "blocked", "allowed", "Windows", "Linux", "SSH", "RDP", "vault", "secret", "token", "expired", "error",
];

/** A free-text message: a sentence about an account and a device, sometimes with a quoted command,
 * a Windows path, a line break or a non-ASCII character, as Segura's own messages carry. */
function message(r: Rng, min: number, max: number): string {
  const want = r.int(min, max);
  const ip = `${r.int(10, 192)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  let s = r.pick([
    `Password ${r.pick(HOSTS)} (${ip}) - Domain User - ${r.pick(TARGET_USERS)} changed by user ${r.pick(FIRST).toLowerCase()}`,
    `Session started for ${r.pick(HOSTS)} (${ip}) - Privileged Domain User - ${r.pick(TARGET_USERS)} by the user ${r.pick(FIRST)} ${r.pick(LAST)}`,
    `An audited command has been detected! Action: "${r.pick(COMMANDS)}"`,
    `User '${r.pick(FIRST)} ${r.pick(LAST)}' has made a request. Request Details: View password action for ${r.pick(TARGET_USERS)} credential on ${r.pick(HOSTS)} device (${ip})`,
    `Error changing password '${r.pick(HOSTS)} (${ip}) - Domain User - ${r.pick(TARGET_USERS)}': The device has no Windows RPC connectivity`,
    `Backup sent to server '${r.pick(HOSTS)}:/srv/backup/${r.int(1000, 9999)}' via local`,
  ]);
  if (r.chance(0.08)) s += ` Path: C:\\Users\\${r.pick(TARGET_USERS)}\\AppData\\Local\\Temp`;
  if (r.chance(0.05)) s += "\nDetails follow on the next line";
  if (r.chance(0.06)) s += ` (${r.pick(["Settings ➔ Authentication", "São Paulo", "Zürich", "naïve match"])})`;
  while (s.length < want) s += " " + r.pick(WORDS);
  return s;
}

const ipv4 = (r: Rng): string => `${r.pick([10, 10, 172, 192, 127, 200])}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
const person = (r: Rng): string => `${r.pick(FIRST)} ${r.pick(LAST)}`;
const login = (r: Rng): string => (r.pick(FIRST).slice(0, 1) + r.pick(LAST).replace(/[^A-Za-z]/g, "")).toLowerCase();
const hex = (r: Rng, n: number): string => Array.from({ length: n }, () => "0123456789abcdef"[r.int(0, 15)]).join("");
const stamp = (r: Rng): string => `2024-0${r.int(1, 9)}-${String(r.int(10, 28))}T${String(r.int(10, 23))}:${String(r.int(10, 59))}:${String(r.int(10, 59))}`;

const CS_LABELS = ["GMUD", "Validity Start", "Validity End", "Approver", "Requester", "Action", "Id", "Initial Size", "Final size", "Initial Checksum", "Final Checksum", "User", "User ID", "Schedule"];

/** A value for one catalogue key, typed as Segura sends it (some numbers as JSON numbers). */
function valueFor(r: Rng, key: string): unknown {
  switch (key) {
    case "msg": return message(r, 60, r.chance(0.3) ? 440 : 200);
    case "suid": case "duid": return String(r.int(1, 2500));
    case "sname": return r.chance(0.2) ? `Asynchronous Script: ${r.int(1, 40)}` : person(r);
    case "suser": case "duser": return r.chance(0.5) ? login(r) : r.pick(TARGET_USERS);
    case "spid": return r.chance(0.3) ? r.int(100, 99999) : String(r.int(100, 99999));
    case "spriv": return r.pick(ROLES);
    case "src": case "dst": case "dvc": case "originIP": return ipv4(r);
    case "dhost": return r.pick(HOSTS);
    case "dpt": return r.chance(0.5) ? r.pick([22, 3389, 443, 1433, 5432]) : String(r.pick([22, 3389, 443, 1433, 5432]));
    case "dproc": return r.pick(["master_key_guardian", "sshd", "rdp-proxy", "pam-agent"]);
    case "act": return r.pick(ACTIONS);
    case "requestMethod": return r.pick(["GET", "POST", "PUT", "DELETE"]);
    case "sourceServiceName": return r.pick(SERVICES);
    case "country": return r.pick(["Brazil", "Portugal", "United States", "Germany"]);
    case "state": return r.pick(["Sao Paulo", "Lisboa", "California", "Bayern"]);
    case "city": return r.pick(["Taboao da Serra", "Lisboa", "San Jose", "München"]);
    case "slat": return r.chance(0.5) ? String((r.next() * 180 - 90).toFixed(4)) : Number((r.next() * 180 - 90).toFixed(4));
    case "slong": return r.chance(0.5) ? String((r.next() * 360 - 180).toFixed(4)) : Number((r.next() * 360 - 180).toFixed(4));
    case "partsNeeded": case "partsSent": return r.chance(0.5) ? r.int(1, 5) : String(r.int(1, 5));
  }
  if (/^cs\dLabel$/.test(key)) return r.pick(CS_LABELS);
  if (/^cs\d$/.test(key)) {
    return r.pick([
      () => String(r.int(1, 99999)),
      () => stamp(r).replace("T", " "),
      () => hex(r, 32),
      () => person(r),
      () => message(r, 20, 90),
    ])();
  }
  return message(r, 5, 30);
}

/** Fluent Bit's JSON for a record: compact, non-ASCII and DEL as \uXXXX (lower-case hex). */
export function fluentBitJson(record: Record<string, unknown>): string {
  return JSON.stringify(record).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

const COMMON_IDS = new Set(["1", "2", "8", "9", "10", "13", "14", "16", "17", "18", "20", "21", "31", "32", "92", "93", "102", "N.012", "1695.001"]);

function generated(r: Rng, ev: CatalogueEvent, seq: number): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  const idStyle = r.next();
  if (idStyle < 0.08) rec["event"] = ev.name;
  else if (idStyle < 0.75 && /^\d+$/.test(ev.id)) rec["event_id"] = Number(ev.id);
  else rec["event_id"] = ev.id;
  const t = r.next();
  const sec = 1714960000 + seq * 7;
  if (t < 0.8) rec["timestamp"] = `${new Date(sec * 1000).toISOString().slice(0, 19)}${r.chance(0.3) ? "." + r.int(100, 999) : ""}-03:00`;
  else if (t < 0.9) rec["timestamp"] = sec;
  else rec["timestamp"] = String(sec * 1000 + r.int(0, 999));
  rec["host"] = r.pick(["segura-01.example.com", "segura-02.example.com", "pam.corp.example.net"]);
  rec["product_version"] = r.pick(["3.27.0-4", "3.28.1-2", "4.0.0-11"]);
  const layout = LAYOUTS.find((l) => l.id === ev.layout);
  const keys = layout ? layout.keys : ["msg", "suid", "sname", "suser"];
  for (const k of keys) {
    if (k !== "msg" && r.chance(0.1)) continue; // optional keys are sometimes absent
    rec[k] = valueFor(r, k);
  }
  if (r.chance(0.04)) rec["ticket"] = `SR-${r.int(1000, 9999)}`;
  return rec;
}

export interface Corpus {
  records: Uint8Array[];
  bytes: number;
  /** Records per source: generated catalogue events, bundled samples, unknown events. */
  mix: { generated: number; samples: number; unknown: number };
}

/** count records from the seed: ~85% catalogue events, ~12% bundled samples, ~3% unknown events. */
export function buildCorpus(root: string, count = 4096, seed = 5424): Corpus {
  const r = new Rng(seed);
  const samples = readFileSync(join(root, "examples", "events.jsonl"), "utf8").split("\n").filter((l) => l.length > 0)
    .map((l) => fluentBitJson(JSON.parse(l) as Record<string, unknown>));
  const common = EVENTS.filter((e) => COMMON_IDS.has(e.id));
  const enc = new TextEncoder();
  const records: Uint8Array[] = [];
  const mix = { generated: 0, samples: 0, unknown: 0 };
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const k = r.next();
    let text: string;
    if (k < 0.12) {
      text = r.pick(samples);
      mix.samples++;
    } else if (k < 0.15) {
      const rec: Record<string, unknown> = {
        event_id: String(r.int(5000, 9000)), event: "Vendor event from a newer release", severity: r.pick(["warning", "notice", "7"]),
        timestamp: new Date((1714960000 + i * 7) * 1000).toISOString(), host: "segura-01.example.com",
        msg: message(r, 30, 200), suser: login(r), ticket: `SR-${r.int(1000, 9999)}`,
      };
      text = fluentBitJson(rec);
      mix.unknown++;
    } else {
      const ev = r.chance(0.6) ? r.pick(common) : r.pick(EVENTS);
      text = fluentBitJson(generated(r, ev, i));
      mix.generated++;
    }
    const b = enc.encode(text);
    records.push(b);
    bytes += b.length;
  }
  return { records, bytes, mix };
}
