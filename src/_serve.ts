// `segura-siem serve`: a sidecar for Vector. Accepts newline-delimited Segura JSON over TCP (Vector's
// `socket` sink), converts every line, and forwards the lines to a TCP receiver (Vector's `socket`
// source, or a SIEM) or to stdout. Inbound reading pauses while the receiver is slow or away.
// A connection that sends nothing for --idle-timeout seconds is closed, so clients that stall
// cannot hold every slot; connections refused at --max-connections are logged.
import { createServer, type Server, type Socket } from "node:net";
import type { ServeOptions } from "./_args.js";
import { CliError, EXIT, describe } from "./_errors.js";
import { Converter, loadHost } from "./_convert.js";
import { formatEndpoint, type Endpoint } from "./_endpoint.js";
import { frame } from "./_framing.js";
import { LineSplitter } from "./_lines.js";
import { Upstream } from "./_upstream.js";

const REFUSAL_LOG_MS = 10_000; // refused connections are logged at once, then summed over this long

export interface ServeHandle {
  /** The address actually listened on (port 0 becomes the port the system chose). */
  address: Endpoint;
  /** Stops accepting, closes inbound connections, delivers what is queued, closes the upstream. */
  stop(): Promise<void>;
  /** Settles when the sidecar has stopped; rejects when the upstream stayed away too long. */
  done: Promise<void>;
}

function listen(server: Server, at: Endpoint): Promise<Endpoint> {
  return new Promise((resolve, reject) => {
    server.once("error", (e) => reject(new CliError(EXIT.UNAVAILABLE, `cannot listen on ${formatEndpoint(at)}: ${describe(e)}`)));
    server.listen(at.port, at.host, () => {
      const a = server.address();
      resolve(a && typeof a === "object" ? { host: a.address, port: a.port } : at);
    });
  });
}

export async function startServe(o: ServeOptions, log = (m: string): void => void process.stderr.write(`segura-siem serve: ${m}\n`)): Promise<ServeHandle> {
  const converter = new Converter(loadHost(), o.format, o.fixedTime);
  const upstream = new Upstream(o.send, o.retryFor * 1000, log);
  const inbound = new Set<Socket>();
  let paused = false;

  const pauseAll = (): void => {
    if (paused) return;
    paused = true;
    for (const s of inbound) s.pause();
  };
  upstream.on("writable", () => {
    if (!paused) return;
    paused = false;
    for (const s of inbound) s.resume();
  });

  const idleMs = o.idleTimeout * 1000;
  const server = createServer((socket) => {
    inbound.add(socket);
    if (paused) socket.pause();
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    const splitter = new LineSplitter(o.maxLineBytes);
    let lineNo = 0;
    const forward = (feed: (onLine: (line: Buffer, cut: boolean) => void) => void): void => {
      const parts: Buffer[] = [];
      let lines = 0;
      feed((line, cut) => {
        lineNo++;
        if (cut) log(`line ${lineNo} from ${peer} is longer than ${o.maxLineBytes} bytes: its first ${line.length} bytes are converted as an invalid record, the rest is skipped`);
        parts.push(...frame(converter.convert(line), o.framing));
        lines++;
      });
      if (parts.length && !upstream.write(Buffer.concat(parts), lines)) pauseAll();
    };
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      forward((onLine) => splitter.end(onLine)); // an unfinished last line is still a line
    };
    socket.on("data", (chunk: Buffer) => forward((onLine) => splitter.push(chunk, onLine)));
    socket.on("end", finish);
    socket.on("error", (e) => log(`connection from ${peer}: ${describe(e)}`));
    socket.on("close", () => {
      finish();
      inbound.delete(socket);
    });
    if (idleMs > 0) {
      // idle: nothing received for idleMs while reading. Close our side (the client may still send,
      // and what it sends is read), then drop the connection if it has not closed after as long again.
      let closingIdle = false;
      socket.setTimeout(idleMs);
      socket.on("timeout", () => {
        if (socket.isPaused()) { socket.setTimeout(idleMs); return; } // held back by the receiver, not idle
        if (closingIdle) return;
        closingIdle = true;
        if (splitter.pending > 0) log(`closing the connection from ${peer}: nothing received for ${o.idleTimeout} s, with ${splitter.pending} bytes of an unfinished line (converted as it is)`);
        socket.end();
        setTimeout(() => socket.destroy(), idleMs).unref();
      });
    }
  });
  server.maxConnections = o.maxConnections;
  let refused = 0;
  let refusalTimer: NodeJS.Timeout | undefined;
  server.on("drop", (d) => {
    const full = `${o.maxConnections} connections open (--max-connections)`;
    if (refusalTimer) { refused++; return; }
    log(`refused a connection from ${d?.remoteAddress}:${d?.remotePort}: ${full}`);
    const report = (): void => {
      if (refused === 0) { refusalTimer = undefined; return; }
      log(`refused ${refused} more connections in the last ${REFUSAL_LOG_MS / 1000} s: ${full}`);
      refused = 0;
      refusalTimer = setTimeout(report, REFUSAL_LOG_MS).unref();
    };
    refusalTimer = setTimeout(report, REFUSAL_LOG_MS).unref();
  });

  const address = await listen(server, o.listen);
  upstream.start();
  log(`listening on ${formatEndpoint(address)}, sending ${o.format} lines to ${upstream.name}`);

  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => { settle = { resolve, reject }; });
  let stopping: Promise<void> | undefined;
  const shutdown = (error?: CliError): Promise<void> => {
    stopping ??= (async () => {
      server.close();
      for (const s of inbound) s.destroy();
      clearTimeout(refusalTimer);
      const left = await upstream.close(error ? 0 : 5000);
      if (left > 0) log(`${left} converted lines were not written to ${upstream.name}`);
      if (upstream.unconfirmedLines > 0) log(`${upstream.unconfirmedLines} lines in all had been written to connections to ${upstream.name} that then failed; whether they arrived is unknown`);
      if (error) settle.reject(error);
      else settle.resolve();
    })();
    return stopping;
  };
  upstream.on("fatal", (e) => void shutdown(e));
  return { address, stop: () => shutdown(), done };
}
