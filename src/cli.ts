// segura-siem: Segura JSON events to CEF / RFC 5424 syslog on the command line (see docs/cli.md).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCommandLine } from "./_args.js";
import { CliError, EXIT } from "./_errors.js";
import { runConvert } from "./_convertcmd.js";
import { startServe } from "./_serve.js";
import { packageRoot } from "./_paths.js";

const FORMATS = "cef | syslog | cef-syslog | json | json-cef | json-syslog | json-cef-syslog";

const USAGE = `usage: segura-siem convert [options] [FILE...]
       segura-siem serve --listen tcp://HOST:PORT [options]
       segura-siem --help | help convert | help serve | --version
`;

const HELP_CONVERT = `segura-siem convert [options] [FILE...]

Converts Segura JSON records, one per line, to one output line each, in order.
FILE '-' or no FILE reads stdin.

  -f, --format FORMAT      ${FORMATS} (default cef-syslog)
  -o, --out FILE           write to FILE instead of stdout
      --send tcp://H:P     deliver to a syslog receiver over TCP
      --framing F          lf (default) | octet-counting (RFC 6587 3.4.1: LEN SP MSG)
      --fixed-time SECS    time for records without a timestamp (default: now)
      --max-line-bytes N   a longer line becomes one invalid-record event (default 16777216)
      --no-progress        no progress bar (shown only for file inputs on a terminal)
`;

const HELP_SERVE = `segura-siem serve --listen tcp://HOST:PORT [options]

Sidecar for Vector: accepts newline-delimited Segura JSON over TCP (Vector's socket sink),
converts each line and forwards it to --send (Vector's socket source, a SIEM) or stdout.

      --listen tcp://H:P   address to accept connections on (port 0: any free port)
      --send tcp://H:P     where the lines go (default stdout); reconnects when it drops
  -f, --format FORMAT      ${FORMATS} (default cef-syslog)
      --framing F          lf (default) | octet-counting
      --fixed-time SECS    time for records without a timestamp (default: now)
      --retry-for SECS     give up (exit 69) when --send is unreachable this long (default 60; 0: at once)
      --max-line-bytes N   a longer line becomes one invalid-record event (default 16777216)
      --max-connections N  inbound connections at once (default 64); refusals are logged
      --idle-timeout SECS  close a connection that sends nothing this long (default 60; 0: never)
`;

const EXITS = `Exit status: 0 done, 64 bad command line, 66 input file missing or unreadable,
69 receiver unreachable, 70 internal error, 73 --out cannot be created, 74 read/write failed midway.
`;

function help(topic: "convert" | "serve" | undefined): string {
  if (topic === "convert") return HELP_CONVERT + "\n" + EXITS;
  if (topic === "serve") return HELP_SERVE + "\n" + EXITS;
  return `segura-siem: Segura (senhasegura) events to CEF and RFC 5424 syslog\n\n${USAGE}\n${HELP_CONVERT}\n${HELP_SERVE}\n${EXITS}`;
}

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}

async function serve(options: Parameters<typeof startServe>[0]): Promise<void> {
  const handle = await startServe(options);
  const stop = (): void => void handle.stop();
  process.once("SIGTERM", stop).once("SIGINT", stop);
  try {
    await handle.done;
  } finally {
    process.off("SIGTERM", stop).off("SIGINT", stop);
  }
}

/** Runs the command line and returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const command = parseCommandLine(argv);
    if (command.kind === "help") process.stdout.write(help(command.topic));
    else if (command.kind === "version") process.stdout.write(version() + "\n");
    else if (command.kind === "convert") await runConvert(command.options);
    else await serve(command.options);
    return EXIT.OK;
  } catch (e) {
    if (!(e instanceof CliError)) {
      process.stderr.write(`segura-siem: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      return EXIT.SOFTWARE;
    }
    if (e.message) process.stderr.write(`segura-siem: ${e.message}\n`);
    if (e.code === EXIT.USAGE) process.stderr.write(USAGE + "Try 'segura-siem --help'.\n");
    return e.code;
  }
}
