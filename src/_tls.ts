// Syslog over TLS (RFC 5425) for --send tls://HOST:PORT: the receiver's certificate must chain to
// --ca (or to Node.js's own CA list) and be valid for HOST; --cert/--key give a client certificate.
// Octet counting is the framing RFC 5425 §4.3 prescribes, so it is the default over TLS (src/_args.ts).
import { readFileSync } from "node:fs";
import { isIP, type Socket } from "node:net";
import { connect } from "node:tls";
import { CliError, EXIT, describe, errnoOf } from "./_errors.js";
import type { Endpoint, TlsSettings } from "./_endpoint.js";

/** RFC 5425 §5.1 requires TLS 1.2 at least. */
const MIN_TLS_VERSION = "TLSv1.2";

/** Reads the files named by --ca, --cert and --key; fails with 66 when one cannot be read. */
export function readTlsFiles(files: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined }): TlsSettings {
  const read = (flag: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (e) {
      throw new CliError(EXIT.NOINPUT, `cannot read ${flag} ${path}: ${describe(e)}`);
    }
  };
  const s: TlsSettings = {};
  const ca = read("--ca", files.ca);
  const cert = read("--cert", files.cert);
  const key = read("--key", files.key);
  if (ca) { s.ca = ca; s.caPath = files.ca!; }
  if (cert) s.cert = cert;
  if (key) s.key = key;
  return s;
}

/** Certificate verification failures, in words a SIEM operator can act on. */
const UNTRUSTED = new Set(["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_GET_ISSUER_CERT", "CERT_UNTRUSTED", "CERT_SIGNATURE_FAILURE"]);

function explain(e: unknown, target: Endpoint): Error {
  const code = errnoOf(e) ?? "";
  const from = target.tls?.caPath ? `--ca ${target.tls.caPath}` : "Node.js's CA list (give --ca FILE)";
  let text: string | undefined;
  if (UNTRUSTED.has(code)) text = `the receiver's certificate is not signed by a CA in ${from} (${code})`;
  else if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const names = (e as { cert?: { subjectaltname?: string } }).cert?.subjectaltname;
    text = `the receiver's certificate is not valid for ${target.host}${names ? ` (it names ${names})` : ""} (${code})`;
  }
  else if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") text = `the receiver's certificate ${code === "CERT_HAS_EXPIRED" ? "has expired" : "is not valid yet"} (${code})`;
  else if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) text = `TLS handshake failed: ${e instanceof Error ? e.message : String(e)}`;
  return text === undefined ? (e as Error) : Object.assign(new Error(text), { code: `TLS:${code}` });
}

/** Opens a TLS connection and completes the handshake, certificate and host name checked; rejects
 * with the system error or an explained verification failure. */
export function connectTls(target: Endpoint, timeoutMs = 10_000): Promise<Socket> {
  const s = target.tls ?? {};
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: target.host,
      port: target.port,
      // SNI carries a host name only (RFC 6066 §3); the certificate is checked against the host either way
      ...(isIP(target.host) ? {} : { servername: target.host }),
      ...(s.ca ? { ca: s.ca } : {}),
      ...(s.cert ? { cert: s.cert } : {}),
      ...(s.key ? { key: s.key } : {}),
      minVersion: MIN_TLS_VERSION,
      rejectUnauthorized: true,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error("connection timed out"), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    const failed = (e: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(explain(e, target));
    };
    socket.once("error", failed);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.off("error", failed);
      socket.setKeepAlive(true, 30_000);
      socket.resume(); // a syslog receiver sends nothing; whatever it sends is dropped
      resolve(socket);
    });
  });
}
