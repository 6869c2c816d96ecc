// `segura-siem playground`: serves the static page of build/playground/ on 127.0.0.1. The page
// converts in the browser; this server only hands out its files.
import { createServer, type ServerResponse } from "node:http";
import { existsSync, readFile } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { CliError, EXIT, describe } from "./_errors.js";
import { packageRoot } from "./_paths.js";

export const PLAYGROUND_DIR = join(packageRoot(), "build", "playground");
export const PLAYGROUND_HOST = "127.0.0.1";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".jsonl": "text/plain; charset=utf-8",
};

/** The same policy as the page's own meta tag: nothing but this origin, no connections elsewhere. */
const HEADERS = {
  "Content-Security-Policy": "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
};

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8" }).end(body + "\n");
}

export interface PlaygroundHandle {
  url: string;
  close(): Promise<void>;
}

export function startPlayground(port: number, dir = PLAYGROUND_DIR): Promise<PlaygroundHandle> {
  if (!existsSync(join(dir, "index.html"))) throw new CliError(EXIT.SOFTWARE, `${join(dir, "index.html")} is missing (run npm run build)`);
  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") { send(res, 405, "only GET and HEAD"); return; }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      send(res, 400, "bad path");
      return;
    }
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(dir, path));
    const type = TYPES[extname(file)];
    if (!file.startsWith(dir + sep) || path.includes("\0") || !type) { send(res, 404, "not found"); return; }
    readFile(file, (err, body) => {
      if (err) { send(res, 404, "not found"); return; }
      res.writeHead(200, { ...HEADERS, "Content-Type": type, "Content-Length": body.length });
      res.end(req.method === "HEAD" ? undefined : body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", (e) => reject(new CliError(EXIT.UNAVAILABLE, `cannot listen on ${PLAYGROUND_HOST}:${port}: ${describe(e)}`)));
    server.listen(port, PLAYGROUND_HOST, () => {
      const a = server.address();
      const url = `http://${PLAYGROUND_HOST}:${a && typeof a === "object" ? a.port : port}/`;
      resolve({ url, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    });
  });
}
