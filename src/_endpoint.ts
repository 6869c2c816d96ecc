// tcp://HOST:PORT addresses for --send and --listen, and tls://HOST:PORT for --send.
import { UsageError } from "./_errors.js";

export interface Endpoint {
  host: string;
  port: number;
  /** Set for tls:// (RFC 5425): what the connection trusts and presents (src/_tls.ts). */
  tls?: TlsSettings;
}

export interface TlsSettings {
  /** PEM certificates of the CAs the receiver's certificate must chain to (--ca); absent: Node.js's own list */
  ca?: Buffer;
  caPath?: string;
  /** client certificate and key in PEM (--cert, --key), for receivers that ask for one */
  cert?: Buffer;
  key?: Buffer;
}

/** Parses tcp://HOST:PORT (IPv6 as tcp://[::1]:PORT), or tls://HOST:PORT where `allowTls`.
 * Port 0 only where `allowZero` (listening). */
export function parseTcpUrl(flag: string, text: string, allowZero = false, allowTls = false): Endpoint {
  const m = /^(tcp|tls):\/\/(\[[0-9A-Fa-f:.]+\]|[^\s/:[\]]+):(\d{1,5})$/.exec(text);
  if (!m || (m[1] === "tls" && !allowTls)) throw new UsageError(`${flag} takes ${allowTls ? "tcp://HOST:PORT or tls://HOST:PORT" : "tcp://HOST:PORT"}, not '${text}'`);
  const port = Number(m[3]);
  if (port > 65535 || (port === 0 && !allowZero)) throw new UsageError(`${flag}: port ${m[3]} is out of range`);
  const host = m[2]!.startsWith("[") ? m[2]!.slice(1, -1) : m[2]!;
  return m[1] === "tls" ? { host, port, tls: {} } : { host, port };
}

export function formatEndpoint(e: Endpoint): string {
  return `${e.tls ? "tls" : "tcp"}://${e.host.includes(":") ? `[${e.host}]` : e.host}:${e.port}`;
}
