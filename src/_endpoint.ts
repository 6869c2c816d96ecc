// tcp://HOST:PORT addresses for --send and --listen.
import { UsageError } from "./_errors.js";

export interface Endpoint {
  host: string;
  port: number;
}

/** Parses tcp://HOST:PORT (IPv6 as tcp://[::1]:PORT). Port 0 only where `allowZero` (listening). */
export function parseTcpUrl(flag: string, text: string, allowZero = false): Endpoint {
  const m = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^\s/:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) throw new UsageError(`${flag} takes tcp://HOST:PORT, not '${text}'`);
  const port = Number(m[2]);
  if (port > 65535 || (port === 0 && !allowZero)) throw new UsageError(`${flag}: port ${m[2]} is out of range`);
  const host = m[1]!.startsWith("[") ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port };
}

export function formatEndpoint(e: Endpoint): string {
  return `tcp://${e.host.includes(":") ? `[${e.host}]` : e.host}:${e.port}`;
}
