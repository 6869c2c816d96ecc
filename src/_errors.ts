// Exit codes (BSD sysexits.h) and the error that carries one to the command line.

export const EXIT = {
  OK: 0,
  USAGE: 64, // bad command line
  NOINPUT: 66, // an input file is missing or unreadable
  UNAVAILABLE: 69, // a receiver refused the connection, or stayed away too long
  SOFTWARE: 70, // internal error (e.g. build/segura.wasm missing or broken)
  CANTCREAT: 73, // the --out file cannot be created
  IOERR: 74, // reading or writing failed midway (closed pipe, lost connection, full disk)
} as const;

export class CliError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(EXIT.USAGE, message);
  }
}

/** A system error's code (ENOENT, ECONNREFUSED, ...), if it has one. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

const PLAIN: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by peer",
  EPIPE: "broken pipe",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed",
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available",
  ENOSPC: "no space left on device",
  // TLS alerts from a receiver (RFC 8446 §6.2), which over TLS 1.3 arrive after the handshake
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "the receiver asks for a client certificate (give --cert and --key)",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "the receiver does not accept the client certificate",
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "the receiver does not trust the CA of the client certificate",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: "the receiver does not accept the client certificate",
};

/** A short human description of a system error, e.g. "connection refused (ECONNREFUSED)". */
export function describe(e: unknown): string {
  const code = errnoOf(e);
  if (code && PLAIN[code]) return `${PLAIN[code]} (${code})`;
  return e instanceof Error ? e.message : String(e);
}
