// A real RFC 5425 receiver for test/tls.test.ts: Debian's syslog-ng 3.38 with the syslog() source
// over TLS (test/receivers/syslog-ng-tls.conf), run like the receivers of test/_receivers.ts, and the
// certificates it needs, made with Debian's openssl command: a CA, a server certificate for
// "localhost" only (so 127.0.0.1 fails the host name check), a client certificate, and a second,
// unrelated CA.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { RECEIVER_DIR, findSyslogNg, freePort, startProcess, versionOf, waitForPort, workDir } from "./_receivers.js";

export interface Pki {
  dir: string;
  ca: string;
  otherCa: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed (${r.status}): ${r.error?.message ?? ""}${r.stderr}`);
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const DAYS = ["-days", "2"];

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), "segura-pki-"));
  chmodSync(dir, 0o755); // the receiver runs as nobody when the tests run as root
  const ca = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
  openssl(dir, ["req", "-x509", ...EC_KEY, ...DAYS, "-subj", "/CN=segura-siem test CA", ...ca, "-keyout", "ca.key", "-out", "ca.crt"]);
  openssl(dir, ["req", "-x509", ...EC_KEY, ...DAYS, "-subj", "/CN=unrelated test CA", ...ca, "-keyout", "other.key", "-out", "other.crt"]);
  const leaf = (name: string, subject: string, ext: string): void => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, ["req", ...EC_KEY, "-subj", subject, "-keyout", `${name}.key`, "-out", `${name}.csr`]);
    openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", ...DAYS, "-out", `${name}.crt`, "-extfile", `${name}.ext`]);
  };
  leaf("server", "/CN=localhost", "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
  leaf("client", "/CN=segura-siem", "extendedKeyUsage=clientAuth\n");
  for (const f of ["server.key", "server.crt", "ca.crt"]) chmodSync(join(dir, f), 0o644);
  const p = (f: string): string => join(dir, f);
  return { dir, ca: p("ca.crt"), otherCa: p("other.crt"), serverCert: p("server.crt"), serverKey: p("server.key"), clientCert: p("client.crt"), clientKey: p("client.key") };
}

export class TlsReceiver {
  constructor(readonly version: string, readonly port: number, private readonly child: ChildProcess, private readonly dir: string, private readonly out: string, readonly log: () => string) {}

  /** The messages received so far, one per line as syslog-ng wrote them. */
  messages(): string[] {
    if (!existsSync(this.out)) return [];
    const text = readFileSync(this.out, "utf8");
    return text === "" ? [] : text.replace(/\n$/, "").split("\n");
  }

  /** Waits until `n` messages have arrived, then a little longer to see that no more come. */
  async waitFor(n: number, ms = 30_000): Promise<string[]> {
    const until = Date.now() + ms;
    while (this.messages().length < n) {
      if (this.child.exitCode !== null) throw new Error(`syslog-ng exited (${this.child.exitCode}):\n${this.log()}`);
      if (Date.now() > until) throw new Error(`syslog-ng received ${this.messages().length} of ${n} messages within ${ms} ms:\n${this.log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    return this.messages();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts syslog-ng on a free 127.0.0.1 port; `clientCert`: refuse clients without a certificate of the CA. */
export async function startTlsSyslogNg(pki: Pki, clientCert: boolean): Promise<TlsReceiver> {
  const bin = findSyslogNg();
  const version = versionOf(bin, ["--version"]).split("\n")[0]!.trim();
  const conf = join(RECEIVER_DIR, "syslog-ng-tls.conf");
  const dir = workDir("syslog-ng-tls");
  const out = join(dir, "out.txt");
  const port = await freePort();
  const env = {
    SEGURA_RX_PORT: String(port), SEGURA_RX_OUT: out, SEGURA_RX_KEY: pki.serverKey, SEGURA_RX_CERT: pki.serverCert, SEGURA_RX_CA: pki.ca,
    SEGURA_RX_PEER_VERIFY: clientCert ? "required-trusted" : "optional-untrusted",
  };
  const check = spawnSync(bin, ["--syntax-only", "-f", conf], { env: { ...process.env, ...env }, encoding: "utf8" });
  if (check.status !== 0) throw new Error(`syslog-ng --syntax-only rejects ${conf}:\n${check.stdout}${check.stderr}`);
  const args = ["-F", "-f", conf, `--persist-file=${join(dir, "persist")}`, `--pidfile=${join(dir, "pid")}`, `--control=${join(dir, "ctl")}`, "--no-caps"];
  const { child, log } = startProcess(bin, args, env, dir);
  await waitForPort(port, child, log);
  return new TlsReceiver(version, port, child, dir, out, log);
}
