// `segura-siem serve`: a sidecar for Vector. Accepts newline-delimited Segura JSON over TCP (Vector's
// `socket` sink), converts every line, and forwards the lines to a TCP receiver (Vector's `socket`
// source, or a SIEM) or to stdout. Inbound reading pauses while the receiver is slow or away.
import { createServer, type Server, type Socket } from "node:net";
import type { ServeOptions } from "./_args.js";
import { CliError, EXIT, describe } from "./_errors.js";
import { Converter, loadHost } from "./_convert.js";
import { formatEndpoint, type Endpoint } from "./_endpoint.js";
import { frame } from "./_framing.js";
import { LineSplitter } from "./_lines.js";
import { Upstream } from "./_upstream.js";

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

  const server = createServer((socket) => {
    inbound.add(socket);
    if (paused) socket.pause();
    const splitter = new LineSplitter(o.maxLineBytes);
    const forward = (feed: (onLine: (line: Buffer) => void) => void): void => {
      const parts: Buffer[] = [];
      feed((line) => parts.push(...frame(converter.convert(line), o.framing)));
      if (parts.length && !upstream.write(Buffer.concat(parts))) pauseAll();
    };
    socket.on("data", (chunk: Buffer) => forward((onLine) => splitter.push(chunk, onLine)));
    socket.on("end", () => forward((onLine) => splitter.end(onLine)));
    socket.on("error", (e) => log(`connection from ${socket.remoteAddress}:${socket.remotePort}: ${describe(e)}`));
    socket.on("close", () => inbound.delete(socket));
  });
  server.maxConnections = o.maxConnections;

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
      const left = await upstream.close(error ? 0 : 5000);
      if (left > 0) log(`${left} bytes of converted lines were not delivered to ${upstream.name}`);
      if (error) settle.reject(error);
      else settle.resolve();
    })();
    return stopping;
  };
  upstream.on("fatal", (e) => void shutdown(e));
  return { address, stop: () => shutdown(), done };
}
