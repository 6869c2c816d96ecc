// How lines are delimited on the way out: LF, or RFC 6587 §3.4.1 octet counting (`LEN SP MSG`).

export const FRAMINGS = ["lf", "octet-counting"] as const;
export type Framing = (typeof FRAMINGS)[number];

const LF = Buffer.from("\n");

/** The bytes that carry one line: line + LF, or its length in decimal, a space, then the line. */
export function frame(line: Uint8Array, framing: Framing): Buffer[] {
  return framing === "lf" ? [Buffer.from(line.buffer, line.byteOffset, line.byteLength), LF] : [Buffer.from(`${line.byteLength} `), Buffer.from(line.buffer, line.byteOffset, line.byteLength)];
}

/** Splits an octet-counted stream into its messages; throws on a malformed frame or a cut-off end. */
export function parseOctetCounted(stream: Uint8Array): Buffer[] {
  const b = Buffer.from(stream.buffer, stream.byteOffset, stream.byteLength);
  const out: Buffer[] = [];
  let p = 0;
  while (p < b.length) {
    const sp = b.indexOf(0x20, p);
    const digits = sp < 0 ? "" : b.toString("latin1", p, sp);
    if (!/^[1-9][0-9]{0,9}$/.test(digits)) throw new Error(`bad octet count at byte ${p}`);
    const len = Number(digits);
    if (sp + 1 + len > b.length) throw new Error(`frame at byte ${p} is cut off: ${len} bytes announced, ${b.length - sp - 1} left`);
    out.push(b.subarray(sp + 1, sp + 1 + len));
    p = sp + 1 + len;
  }
  return out;
}
