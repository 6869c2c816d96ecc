// --send tls:// (RFC 5425) against a real receiver: Debian's syslog-ng with the syslog() source over
// TLS, certificates made by openssl. Every line must arrive byte for byte, octet-counted by default;
// a receiver whose certificate does not chain to --ca, or is not valid for the host name, is refused
// before any input is read, with exit 69 and a message that says why.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { parseCommandLine } from "../src/_args.js";
import { ROOT, exampleLines } from "./_helpers.js";
import { CLI, Lines, cli, requireBuild, start } from "./_proc.js";
import { makePki, startTlsSyslogNg, type Pki, type TlsReceiver } from "./_tls-receiver.js";

const SEC = "1715000000";
const SAMPLES_FILE = join(ROOT, "examples", "events.jsonl");
const SAMPLES = exampleLines();

let pki: Pki;
let rx: TlsReceiver;
let rxClient: TlsReceiver;

/** The lines `convert` writes to stdout for the samples: what must arrive. */
async function expected(format = "cef-syslog"): Promise<string[]> {
  const r = await cli(["convert", "--format", format, "--fixed-time", SEC, SAMPLES_FILE]);
  expect(r.code).toBe(0);
  return r.stdout.toString().replace(/\n$/, "").split("\n");
}

beforeAll(async () => {
  requireBuild();
  pki = makePki();
  rx = await startTlsSyslogNg(pki, false);
  rxClient = await startTlsSyslogNg(pki, true);
});
afterAll(async () => {
  await rx?.stop();
  await rxClient?.stop();
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

describe("the command line", () => {
  it("takes tls:// for --send, and octet counting is then the default framing (RFC 5425 §4.3)", () => {
    const c = parseCommandLine(["convert", "--send", "tls://siem.example.com:6514", "--ca", pki.ca, "x.jsonl"]);
    expect(c.kind === "convert" && c.options).toMatchObject({ framing: "octet-counting", send: { host: "siem.example.com", port: 6514, tls: { caPath: pki.ca } } });
    const lf = parseCommandLine(["serve", "--listen", "tcp://127.0.0.1:0", "--send", "tls://[::1]:6514", "--framing", "lf"]);
    expect(lf.kind === "serve" && lf.options).toMatchObject({ framing: "lf", send: { host: "::1", port: 6514, tls: {} } });
    const tcp = parseCommandLine(["convert", "--send", "tcp://siem.example.com:514"]);
    expect(tcp.kind === "convert" && tcp.options.framing).toBe("lf");
  });

  it.each([
    [["convert", "--send", "tcp://127.0.0.1:514", "--ca", "ca.pem"], 64, "--ca is for --send tls://HOST:PORT"],
    [["convert", "--ca", "ca.pem"], 64, "--ca is for --send tls://HOST:PORT"],
    [["convert", "--send", "tls://127.0.0.1:6514", "--cert", "c.pem"], 64, "--cert and --key go together"],
    [["serve", "--listen", "tls://127.0.0.1:6514"], 64, "--listen takes tcp://HOST:PORT, not 'tls://127.0.0.1:6514'"],
    [["convert", "--send", "tls://127.0.0.1:6514", "--ca", "/nonexistent/ca.pem"], 66, "cannot read --ca /nonexistent/ca.pem: no such file or directory (ENOENT)"],
  ])("%j: exit %i, %s", async (args, code, message) => {
    const r = await cli(args);
    expect(r.code).toBe(code);
    expect(r.stderr.split("\n")[0]).toBe(`segura-siem: ${message}`);
  });
});

describe(`convert --send tls:// to syslog-ng`, () => {
  it("delivers every sample, byte for byte, octet-counted", async () => {
    const before = rx.messages().length;
    const r = await cli(["convert", "--send", `tls://localhost:${rx.port}`, "--ca", pki.ca, "--fixed-time", SEC, SAMPLES_FILE]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const got = (await rx.waitFor(before + SAMPLES.length)).slice(before);
    expect(got).toEqual(await expected());
  });

  it("the framing matters: the same lines with --framing lf do not arrive as sent", async () => {
    const before = rx.messages().length;
    const r = await cli(["convert", "--framing", "lf", "--send", `tls://localhost:${rx.port}`, "--ca", pki.ca, "--fixed-time", SEC, SAMPLES_FILE]);
    expect(r.code).toBe(0);
    await new Promise((res) => setTimeout(res, 500));
    const got = rx.messages().slice(before);
    const want = await expected();
    expect(got.filter((m) => want.includes(m))).toEqual([]);
  });

  it.each(["cef", "syslog"])("delivers --format %s as well", async (format) => {
    const before = rx.messages().length;
    const r = await cli(["convert", "-f", format, "--send", `tls://localhost:${rx.port}`, "--ca", pki.ca, "--fixed-time", SEC, SAMPLES_FILE]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect((await rx.waitFor(before + SAMPLES.length)).slice(before)).toEqual(await expected(format));
  });

  it("presents --cert/--key to a receiver that requires a client certificate", async () => {
    const before = rxClient.messages().length;
    const r = await cli(["convert", "--send", `tls://localhost:${rxClient.port}`, "--ca", pki.ca, "--cert", pki.clientCert, "--key", pki.clientKey, "--fixed-time", SEC, SAMPLES_FILE]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect((await rxClient.waitFor(before + SAMPLES.length)).slice(before)).toEqual(await expected());
  });

  it("without a client certificate, that receiver gets nothing and the command says what it asked for", async () => {
    const before = rxClient.messages().length;
    const r = await cli(["convert", "--send", `tls://localhost:${rxClient.port}`, "--ca", pki.ca, "--fixed-time", SEC, SAMPLES_FILE]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^segura-siem: connection to tls:\/\/localhost:\d+ lost: (the receiver asks for a client certificate \(give --cert and --key\)|broken pipe|connection reset by peer)/);
    await new Promise((res) => setTimeout(res, 300));
    expect(rxClient.messages().length).toBe(before);
  });

  it.each([
    ["a certificate that does not chain to --ca", () => ["--send", `tls://localhost:${rx.port}`, "--ca", pki.otherCa],
      () => new RegExp(`^segura-siem: cannot connect to tls://localhost:${rx.port}: the receiver's certificate is not signed by a CA in --ca ${pki.otherCa} \\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\\)\n$`)],
    ["no --ca: Node.js's CA list does not know the test CA", () => ["--send", `tls://localhost:${rx.port}`],
      () => /the receiver's certificate is not signed by a CA in Node\.js's CA list \(give --ca FILE\)/],
    ["a certificate for another host name (localhost, not 127.0.0.1)", () => ["--send", `tls://127.0.0.1:${rx.port}`, "--ca", pki.ca],
      () => new RegExp(`^segura-siem: cannot connect to tls://127\\.0\\.0\\.1:${rx.port}: the receiver's certificate is not valid for 127\\.0\\.0\\.1 \\(it names DNS:localhost\\) \\(ERR_TLS_CERT_ALTNAME_INVALID\\)\n$`)],
  ])("refuses %s: exit 69, nothing sent", async (_what, args, message) => {
    const before = rx.messages().length;
    const r = await cli(["convert", ...args(), "--fixed-time", SEC, SAMPLES_FILE]);
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(message());
    expect(r.stdout.length).toBe(0);
    await new Promise((res) => setTimeout(res, 300));
    expect(rx.messages().length).toBe(before);
  });
});

describe("serve --send tls:// to syslog-ng", () => {
  it("forwards every line it receives", async () => {
    const before = rx.messages().length;
    const p = start(process.execPath, [CLI, "serve", "--listen", "tcp://127.0.0.1:0", "--send", `tls://localhost:${rx.port}`, "--ca", pki.ca, "--fixed-time", SEC]);
    try {
      const err = new Lines(p.child.stderr!);
      const [first] = await err.atLeast(1);
      expect(first).toMatch(new RegExp(`sending cef-syslog lines to tls://localhost:${rx.port}$`));
      const port = Number(/listening on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(first!)![1]);
      await new Promise<void>((resolve, reject) => {
        const s = connect({ host: "127.0.0.1", port }, () => s.end(SAMPLES.map((l) => l + "\n").join(""), () => resolve()));
        s.on("error", reject);
      });
      expect((await rx.waitFor(before + SAMPLES.length)).slice(before)).toEqual(await expected());
    } finally {
      p.child.kill("SIGTERM");
      expect((await p.exited).code).toBe(0);
    }
  });

  it("gives up on a receiver whose certificate does not chain to --ca: exit 69 and why", async () => {
    const p = start(process.execPath, [CLI, "serve", "--listen", "tcp://127.0.0.1:0", "--send", `tls://localhost:${rx.port}`, "--ca", pki.otherCa, "--retry-for", "0"]);
    const err = new Lines(p.child.stderr!);
    const { code } = await p.exited;
    await new Promise((r) => setTimeout(r, 50));
    expect(code).toBe(69);
    expect(err.all.join("\n")).toContain(`cannot reach tls://localhost:${rx.port} for 0 s: the receiver's certificate is not signed by a CA in --ca ${pki.otherCa}`);
  });
});
