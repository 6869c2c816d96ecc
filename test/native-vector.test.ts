// examples/vector-syslog.toml without Vector: its wiring is checked, and its sidecar command runs as
// written (ports substituted, `segura-siem` run as node bin/segura-siem.mjs) on the records its remap
// transform produces from Segura-style syslog lines.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { referenceConvert, type LineFormat } from "../src/_reference.js";
import { ROOT } from "./_helpers.js";
import { CLI, Lines, Receiver, requireBuild, start, waitUntil } from "./_proc.js";
import { parseToml, type TomlTable } from "./_toml.js";

const config = parseToml(readFileSync(join(ROOT, "examples", "vector-syslog.toml"), "utf8"));
const sources = config.sources as Record<string, TomlTable>;
const sinks = config.sinks as Record<string, TomlTable>;
const transforms = config.transforms as Record<string, TomlTable>;

const LINES = [
  "<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Successfully authenticated.",
  "<9>1 2024-05-09T16:20:00Z segura-01 senhasegura 77 - - CEF:0|MT4|Segura|3.27.0-4|336501|UPDATE INCIDENT|9|suid=1 sname=Orbit msg=Incident INC-2291 updated",
  "<13>1 2024-05-06T10:02:55-03:00 segura-01 senhasegura 4411 16 suser = stlee dst = 127.0.0.1 dpt = 22 duser = root msg = Session started",
  "<13>1 2024-05-06T10:05:00-03:00 segura-01 senhasegura 4412 - - CEF:0|MT4|senhasegura|3.27.0-4|1|Password Viewed|5|duser=root duid=35 Cs6=Action dposrt=22 msg=a=b",
];

describe("examples/vector-syslog.toml", () => {
  it("listens on loopback for UDP and TCP lines, whole", () => {
    expect(sources.segura_udp).toMatchObject({ type: "socket", mode: "udp", address: "127.0.0.1:5514", decoding: { codec: "bytes" } });
    expect(sources.segura_tcp).toMatchObject({ type: "socket", mode: "tcp", address: "127.0.0.1:5514", decoding: { codec: "bytes" }, framing: { method: "newline_delimited" } });
  });
  it("keeps only the line and sends it as JSON to where the sidecar listens", () => {
    expect(transforms.segura_line).toMatchObject({ type: "remap", inputs: ["segura_udp", "segura_tcp"] });
    expect(String(transforms.segura_line!.source).trim()).toBe('. = { "message": .message }');
    expect(sinks.to_sidecar).toMatchObject({ type: "socket", inputs: ["segura_line"], encoding: { codec: "json" }, framing: { method: "newline_delimited" } });
    const cmd = sources.segura_sidecar!.command as string[];
    expect(cmd[cmd.indexOf("--listen") + 1]).toBe(`tcp://${sinks.to_sidecar!.address}`);
  });
  it("its sidecar command turns the records into the lines the reference mapping gives", async () => {
    requireBuild();
    const command = sources.segura_sidecar!.command as string[];
    expect(command[0]).toBe("segura-siem");
    const siem = await Receiver.start();
    const args = command.slice(1).map((a) => (a.startsWith("tcp://127.0.0.1:") ? "tcp://127.0.0.1:0" : a.startsWith("tcp://siem.") ? siem.url() : a));
    const format = args[args.indexOf("--format") + 1] as LineFormat;
    const { child, exited } = start(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const err = new Lines(child.stderr!);
    try {
      const port = Number(/listening on tcp:\/\/127\.0\.0\.1:(\d+)/.exec((await err.atLeast(1))[0]!)?.[1]);
      // what the remap transform and the JSON-encoding socket sink produce
      const records = LINES.map((l) => JSON.stringify({ message: l }));
      const sink = connect(port, "127.0.0.1");
      await new Promise((r) => sink.once("connect", r));
      sink.end(records.join("\n") + "\n");
      await waitUntil(() => siem.lines().length >= records.length, 15_000, "the converted lines");
      expect(siem.lines()).toEqual(records.map((r) => referenceConvert(r, format, false)));
      expect(siem.lines()[1]).toContain("|336.501|UPDATE INCIDENT|9|");
      expect(siem.lines()[3]).toContain("cs6Label=Action");
      child.kill("SIGTERM");
      expect(await exited).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await siem.close();
    }
  });
});
