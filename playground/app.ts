// The playground page: input on top, one card per record below, converted as the input changes.
// Everything runs here: the module is fetched from next to this page and nothing is sent anywhere.
import { FluentBitHost } from "../src/_abi.js";
import {
  DOWNLOADS, FORMATS, FULL_NAME, Playground, decodeFragment, encodeFragment, splitAtByte, splitLines, type Converted,
} from "./convert.js";

/** Cards drawn at most; the download still carries every line. */
const MAX_CARDS = 500;
const SYSLOG_SEVERITY = ["emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"];

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const input = $<HTMLTextAreaElement>("input");
const time = $<HTMLInputElement>("time");
const download = $<HTMLSelectElement>("download-format");
const results = $<HTMLElement>("results");
const summary = $<HTMLElement>("summary");
const status = $<HTMLElement>("status");

/** `el("td", {class: "key"}, "text", child)`: an element with attributes and children (text is never HTML). */
function el(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

let playground: Playground | undefined;
let converted: Converted[] = [];
/** The time records without a timestamp get when the field is empty: fixed while the page is open,
 * so that a line converts the same way on every keystroke elsewhere. */
const OPENED = Math.floor(Date.now() / 1000);

/** Seconds for records without a timestamp: the field's value, or when the page was opened. */
function recordTime(): number {
  const t = time.value.trim();
  return /^\d{1,10}$/.test(t) ? Number(t) : OPENED;
}

function cefTable(c: Converted): HTMLElement {
  const warned = new Set(c.warnings.map((w) => /, moved to (\w+)$/.exec(w.text)?.[1] ?? w.key));
  const rows = c.cef.extension.map(([key, value]) => {
    const full = FULL_NAME.get(key);
    const name = full === undefined ? el("span", { class: "note" }, "passed through") : full === "" ? el("span", { class: "note" }, "Segura field") : full;
    return el("tr", warned.has(key) ? { class: "warned" } : {}, el("td", { class: "key" }, key), el("td", { class: "full" }, name), el("td", { class: "value" }, value));
  });
  // a field left out of the line is still shown where it would have been, with the reason
  const present = new Set(c.cef.extension.map(([k]) => k));
  // (a value moved to <key>Invalid is in the line under that key, not left out)
  const leftOut = c.warnings.filter((w) => w.key !== undefined && !present.has(w.key) && !/, moved to /.test(w.text)).map((w) =>
    el("tr", { class: "warned left-out" }, el("td", { class: "key" }, w.key!), el("td", { class: "full" }, FULL_NAME.get(w.key!) || ""), el("td", { class: "reason" }, w.text.slice(w.key!.length + 2))));
  const h = c.cef.header;
  const headerRows = ["Device Vendor", "Device Product", "Device Version", "Device Event Class ID", "Name", "Severity"].map((label, i) =>
    el("tr", { class: "header-field" }, el("td", { class: "key" }, `#${i + 1}`), el("td", { class: "full" }, label), el("td", { class: "value" }, h[i + 1] ?? "")));
  return el("table", { class: "fields", "data-table": "cef" },
    el("caption", {}, "CEF header and extension"),
    el("thead", {}, el("tr", {}, el("th", {}, "key"), el("th", {}, "CEF dictionary name"), el("th", {}, "value"))),
    el("tbody", {}, ...headerRows, ...rows, ...leftOut));
}

function sdTable(c: Converted): HTMLElement {
  const s = c.syslog;
  const warned = new Set(c.warnings.map((w) => /, moved to (\w+)$/.exec(w.text)?.[1] ?? w.key));
  const facility = s.pri >= 0 ? Math.floor(s.pri / 8) : -1;
  const head = [
    ["PRI", s.pri >= 0 ? `${s.pri} (facility ${facility}, severity ${s.pri % 8} ${SYSLOG_SEVERITY[s.pri % 8]})` : ""],
    ["TIMESTAMP", s.fields.timestamp], ["HOSTNAME", s.fields.hostname], ["APP-NAME", s.fields.appname], ["PROCID", s.fields.procid], ["MSGID", s.fields.msgid],
  ].map(([k, v]) => el("tr", { class: "header-field" }, el("td", { class: "key" }, k!), el("td", { class: "value" }, v!)));
  const params = s.sd.flatMap((e) => e.params.map(([name, value]) =>
    el("tr", warned.has(name) ? { class: "warned" } : {}, el("td", { class: "key" }, name), el("td", { class: "value" }, value))));
  const sdIds = s.sd.map((e) => e.id).join(", ");
  return el("table", { class: "fields", "data-table": "sd" },
    el("caption", {}, `RFC 5424 header and SD-PARAMs${sdIds ? ` of [${sdIds}]` : ""}`),
    el("thead", {}, el("tr", {}, el("th", {}, "name"), el("th", {}, "value"))),
    el("tbody", {}, ...head, ...params, el("tr", { class: "header-field" }, el("td", { class: "key" }, "MSG"), el("td", { class: "value" }, s.msg))));
}

function card(c: Converted, line: number): HTMLElement {
  const m = c.meta;
  const invalid = c.error !== undefined;
  const badge = el("span", { class: `badge sev${Math.min(10, Number(m.cef_severity))}` }, `CEF severity ${String(m.cef_severity)}`);
  const title = el("header", {},
    el("span", { class: "lineno" }, `line ${line}`),
    el("span", { class: "event" }, `${String(m.event_id)} · ${String(m.event_name)}`),
    badge,
    ...(m.unknown_event === true ? [el("span", { class: "badge unknown" }, "not in the catalogue")] : []),
    ...(m.truncated === true ? [el("span", { class: "badge warn" }, "cut at 1024 bytes")] : []),
    ...(c.receivedLine ? [el("span", { class: "badge received" }, "read as a received syslog line")] : []));
  const parts: HTMLElement[] = [title];
  if (c.error) {
    const e = c.error;
    const shown = e.byte === undefined ? [e.original] : (() => {
      const [before, at, after] = splitAtByte(e.original, e.byte);
      return [before, el("mark", { class: "at" }, at === "" ? "⏎" : at), after];
    })();
    parts.push(el("div", { class: "error", "data-error": "" }, el("strong", {}, "Not a Segura record: "), e.text, el("pre", { class: "original" }, ...shown)));
  }
  if (c.warnings.length) {
    parts.push(el("ul", { class: "warnings", "data-warnings": "" }, ...c.warnings.map((w) => el("li", {}, ...(w.key === undefined ? [w.text] : [el("code", {}, w.key), w.text.slice(w.key.length)])))));
  }
  if (c.receivedLine) parts.push(el("p", { class: "note" }, "Converted as the record ", el("code", {}, c.record)));
  parts.push(el("div", { class: "formats" }, ...FORMATS.map((f) =>
    el("section", { class: "format" }, el("h3", {}, f.label), el("pre", { class: "line", "data-format": f.id }, c.lines[f.id])))));
  parts.push(el("div", { class: "tables" }, cefTable(c), sdTable(c)));
  return el("article", { class: `record${invalid ? " invalid" : ""}${c.warnings.length ? " warned" : ""}`, "data-line": String(line) }, ...parts);
}

/** Makes `parent`'s children `cards`, moving only what changed (a rebuilt list would be laid out anew). */
function patch(parent: HTMLElement, cards: HTMLElement[]): void {
  const keep = new Set(cards);
  for (const child of Array.from(parent.children)) if (!keep.has(child as HTMLElement)) child.remove();
  cards.forEach((c, i) => {
    if (parent.children[i] !== c) parent.insertBefore(c, parent.children[i] ?? null);
  });
}

let fragmentTimer: number | undefined;
let cache = new Map<string, { c: Converted; cards: HTMLElement[] }>();

function render(): void {
  if (!playground) return;
  const sec = recordTime();
  // a line converted before (same text, same time) keeps its result and its card: typing redraws one card
  const next = new Map<string, { c: Converted; cards: HTMLElement[] }>();
  const used = new Map<string, number>();
  const cards: HTMLElement[] = [];
  converted = splitLines(input.value).map((l, i) => {
    const key = `${sec}\n${l}`;
    const entry = next.get(key) ?? cache.get(key) ?? { c: playground!.convert(l, sec), cards: [] };
    next.set(key, entry);
    if (i < MAX_CARDS) {
      const n = used.get(key) ?? 0;
      used.set(key, n + 1);
      const shown = entry.cards[n] ?? entry.cards[entry.cards.push(card(entry.c, i + 1)) - 1]!;
      if (shown.dataset.line !== String(i + 1)) {
        shown.dataset.line = String(i + 1);
        shown.querySelector(".lineno")!.textContent = `line ${i + 1}`;
      }
      cards.push(shown);
    }
    return entry.c;
  });
  cache = next;
  const invalid = converted.filter((c) => c.error).length;
  const warned = converted.filter((c) => c.warnings.length).length;
  summary.replaceChildren(
    `${converted.length} record${converted.length === 1 ? "" : "s"}`,
    ...(warned ? [" · ", el("span", { class: "warn-text" }, `${warned} with warnings`)] : []),
    ...(invalid ? [" · ", el("span", { class: "error-text" }, `${invalid} invalid`)] : []),
    ...(converted.length > MAX_CARDS ? [` · the first ${MAX_CARDS} shown, all downloaded`] : []));
  patch(results, cards);
  $<HTMLButtonElement>("download").disabled = converted.length === 0;
  // the address always carries the input, a little after the last change
  clearTimeout(fragmentTimer);
  fragmentTimer = window.setTimeout(() => history.replaceState(null, "", `#${encodeFragment({ input: input.value, time: time.value, download: download.value })}`), 200);
}

function downloadLines(): void {
  const d = DOWNLOADS.find((x) => x.id === download.value) ?? DOWNLOADS[0]!;
  const text = converted.map((c) => (d.record ? c.records[d.format] : c.lines[d.format]) + "\n").join("");
  const a = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/plain" })), download: `segura.${d.id}.${d.record ? "jsonl" : "log"}` }) as HTMLAnchorElement;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function copyPermalink(): Promise<void> {
  history.replaceState(null, "", `#${encodeFragment({ input: input.value, time: time.value, download: download.value })}`);
  try {
    await navigator.clipboard.writeText(location.href);
    status.textContent = "Permalink copied.";
  } catch {
    status.textContent = "The address bar holds the permalink.";
  }
}

async function loadSamples(): Promise<void> {
  input.value = await (await fetch("samples.jsonl")).text();
  render();
}

async function start(): Promise<void> {
  for (const d of DOWNLOADS) download.append(el("option", { value: d.id }, d.label));
  const from = decodeFragment(location.hash);
  if (from) {
    input.value = from.input;
    time.value = from.time;
    if (DOWNLOADS.some((d) => d.id === from.download)) download.value = from.download;
  }
  const bytes = await (await fetch("segura.wasm")).arrayBuffer();
  const { module, instance } = await WebAssembly.instantiate(bytes, {});
  playground = new Playground(new FluentBitHost(module, instance));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  $("module").textContent = `segura.wasm, ${bytes.byteLength.toLocaleString("en")} bytes, SHA-256 ${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  input.addEventListener("input", render);
  time.addEventListener("input", render);
  download.addEventListener("change", render);
  $("download").addEventListener("click", downloadLines);
  $("permalink").addEventListener("click", () => void copyPermalink());
  $("samples").addEventListener("click", () => void loadSamples());
  $("clear").addEventListener("click", () => { input.value = ""; render(); input.focus(); });
  // a dropped file replaces the input
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer?.files[0];
    if (file) void file.text().then((t) => { input.value = t; render(); });
  });
  document.body.dataset.ready = "";
  render();
}

start().catch((e: unknown) => {
  status.textContent = `The module could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
  status.classList.add("error-text");
});
