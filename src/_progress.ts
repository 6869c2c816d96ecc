// A one-line progress bar on a terminal: share of the input bytes read, records and records/s.

export interface ProgressTarget {
  write(text: string): unknown;
  columns?: number | undefined;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(1)} ${units[u]}`;
}

const count = (n: number): string => Math.round(n).toLocaleString("en-US");
const rate = (records: number, seconds: number): string => `${count(seconds > 0 ? records / seconds : 0)} records/s`;

const TEXT_ROOM = 66; // the text after the bar, with room for millions of records and GiB

/** The bar for `bytes` of `total` read, fitted to `width` columns. */
export function progressLine(records: number, bytes: number, total: number, seconds: number, width = 80): string {
  const share = total > 0 ? Math.min(1, bytes / total) : 1;
  const text = ` ${String(Math.floor(share * 100)).padStart(3)}%  ${formatBytes(bytes)} / ${formatBytes(total)}  ${count(records)} records  ${rate(records, seconds)}`;
  const barWidth = Math.min(30, width - 3 - TEXT_ROOM); // the same on every redraw
  if (barWidth < 5) return text.trimStart().slice(0, Math.max(0, width - 1));
  const filled = Math.round(share * barWidth);
  return `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]${text}`;
}

export function summaryLine(records: number, bytes: number, seconds: number): string {
  return `segura-siem: ${count(records)} records, ${formatBytes(bytes)} in ${seconds.toFixed(2)} s (${rate(records, seconds)})`;
}

export class Progress {
  private readonly started: number;
  private shown = -Infinity;

  constructor(private readonly out: ProgressTarget, private readonly total: number, private readonly clock: () => number = () => performance.now()) {
    this.started = clock();
  }

  /** Redraws at most ten times a second. */
  update(records: number, bytes: number): void {
    const now = this.clock();
    if (now - this.shown < 100) return;
    this.shown = now;
    this.out.write(`\r${progressLine(records, bytes, this.total, (now - this.started) / 1000, this.out.columns || 80)}\x1b[K`);
  }

  /** Replaces the bar with a summary line. */
  finish(records: number, bytes: number): void {
    this.out.write(`\r\x1b[K${summaryLine(records, bytes, (this.clock() - this.started) / 1000)}\n`);
  }
}
