// `segura-siem convert`: files or stdin, one output line per input line, to stdout, a file or TCP.
import { createReadStream, statSync } from "node:fs";
import type { Readable } from "node:stream";
import type { ConvertOptions } from "./_args.js";
import { CliError, EXIT, describe, errnoOf } from "./_errors.js";
import { Converter, loadHost } from "./_convert.js";
import { frame } from "./_framing.js";
import { LineSplitter } from "./_lines.js";
import { Progress } from "./_progress.js";
import { SinkError, fileSink, stdoutSink, tcpSink, type Sink } from "./_sink.js";

const OPEN_ERRORS = new Set(["ENOENT", "EACCES", "EISDIR", "ENOTDIR", "ELOOP", "ENAMETOOLONG", "EPERM"]);

/** Checks every input before anything is written; returns the bytes of the regular files. */
function checkInputs(inputs: string[]): { total: number; allFiles: boolean } {
  let total = 0;
  let allFiles = true;
  for (const input of inputs) {
    if (input === "-") { allFiles = false; continue; }
    let st;
    try {
      st = statSync(input);
    } catch (e) {
      throw new CliError(EXIT.NOINPUT, `cannot open ${input}: ${describe(e)}`);
    }
    if (st.isDirectory()) throw new CliError(EXIT.NOINPUT, `cannot open ${input}: is a directory`);
    if (st.isFile()) total += st.size;
    else allFiles = false;
  }
  return { total, allFiles };
}

export interface ConvertIo {
  stdin: Readable;
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

export async function runConvert(o: ConvertOptions, io: ConvertIo = { stdin: process.stdin, stderr: process.stderr }): Promise<void> {
  const { total, allFiles } = checkInputs(o.inputs);
  const converter = new Converter(loadHost(), o.format, o.fixedTime);
  const sink: Sink = o.send ? await tcpSink(o.send) : o.out !== undefined ? fileSink(o.out) : stdoutSink();
  const progress = o.progress && allFiles && io.stderr.isTTY === true ? new Progress(io.stderr, total) : undefined;

  let records = 0; // converted
  let written = 0; // of those, written in full to the sink
  let bytesRead = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let batchRecords = 0;
  let name = "";
  let lineNo = 0; // lines of the current input converted
  let resume = ""; // the first input line not yet written in full
  const onLine = (line: Buffer, cut: boolean): void => {
    lineNo++;
    if (cut) {
      const note = `segura-siem: ${name} line ${lineNo} is longer than ${o.maxLineBytes} bytes: its first ${line.length} bytes are converted as an invalid record, the rest is skipped\n`;
      io.stderr.write(progress ? `\r\x1b[K${note}` : note);
    }
    for (const part of frame(converter.convert(line), o.framing)) {
      batch.push(part);
      batchBytes += part.length;
    }
    records++;
    batchRecords++;
  };
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const chunk = Buffer.concat(batch, batchBytes);
    batch = [];
    batchBytes = 0;
    await sink.write(chunk);
    written += batchRecords;
    batchRecords = 0;
    resume = `${name} line ${lineNo + 1}`;
  };

  try {
    for (const [i, input] of o.inputs.entries()) {
      name = input === "-" ? "stdin" : input;
      lineNo = 0;
      resume = `${name} line 1`;
      const stream: Readable = input === "-" ? io.stdin : createReadStream(input, { highWaterMark: 1 << 20 });
      const splitter = new LineSplitter(o.maxLineBytes);
      const chunks = stream[Symbol.asyncIterator]();
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = (await chunks.next()) as IteratorResult<Buffer>;
        } catch (e) {
          const code = OPEN_ERRORS.has(errnoOf(e) ?? "") ? EXIT.NOINPUT : EXIT.IOERR;
          throw new CliError(code, `cannot read ${name}: ${describe(e)}`);
        }
        if (next.done) break;
        const chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
        bytesRead += chunk.length;
        splitter.push(chunk, onLine);
        await flush(); // each chunk's lines leave before the next chunk is read
        progress?.update(records, bytesRead);
      }
      splitter.end(onLine);
      await flush();
      const following = o.inputs[i + 1];
      resume = following === undefined ? "" : `${following === "-" ? "stdin" : following} line 1`;
    }
    await sink.close();
  } catch (e) {
    if (!(e instanceof SinkError) || !o.send) throw e;
    // what an operator needs to send the rest: TCP confirms nothing, so "written in full" is the most known
    const rest = resume ? `resume from ${resume}` : "every input line was written";
    throw new CliError(e.code, `${e.message}\nsegura-siem: ${records} records converted, ${written} of them written in full to the connection (the receiver may not have read the last of those; TCP does not confirm delivery); ${rest}`);
  }
  progress?.finish(records, bytesRead);
}
