// The playground page in a real browser: Debian's chromium driven by playwright-core, the page served
// by `segura-siem playground`. The samples are typed into the page; every line it shows, every file
// it downloads and every table it draws must be what the command line writes for the same input.
// A screenshot is kept in test-artifacts/playground.png.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, exampleLines } from "./_helpers.js";
import { CLI, Lines, cli, requireBuild, start } from "./_proc.js";
import { parseCef, parseSyslog } from "./_parse.js";

const CHROMIUM = "/usr/bin/chromium";
const SEC = 1715000000;
const SAMPLES = exampleLines();
const ARTIFACTS = join(ROOT, "test-artifacts");
/** Each column and download of the page, as `segura-siem convert --format` names it. */
const LINE_FORMATS = ["cef", "syslog", "cef-syslog"] as const;
const DOWNLOAD_FORMATS = [...LINE_FORMATS, "json-cef", "json-syslog", "json-cef-syslog"] as const;

/** The CEF dictionary's full names, read from the vendor table itself. */
const FULL_NAMES = new Map(readFileSync(join(ROOT, "catalogue", "vendor", "cef-extension-dictionary.tsv"), "utf8")
  .split("\n").filter((l) => l && !l.startsWith("#")).slice(1).map((l) => l.split("\t") as [string, string]));

/** Segura's own keys: in the catalogue's field table, not in the CEF dictionary. */
const SEGURA_KEYS = new Set(readFileSync(join(ROOT, "catalogue", "fields.tsv"), "utf8")
  .split("\n").filter((l) => l && !l.startsWith("#")).slice(1).map((l) => l.split("\t")[0]!).filter((k) => !FULL_NAMES.has(k)));
const nameOf = (key: string): string => FULL_NAMES.get(key) ?? (SEGURA_KEYS.has(key) ? "Segura field" : "passed through");

const BROKEN = '{"event_id": 16, "suser": "admin", "dpt": 22';
const WARNED = '{"event_id": 16, "timestamp": 1715000575, "suser": "admin", "dpt": "ssh", "src": "10.0.0.300", "msg": "Session started"}';
const RECEIVED = "<13>1 2018-06-18T17:49:41-03:00 vm-andrew-dev senhasegura 1426 - Successfully authenticated.";

let server: ReturnType<typeof start>;
let url: string;
let profile: string;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];

/** What `segura-siem convert --format F --fixed-time SEC` writes for these lines. */
async function cliOutput(format: string, lines: readonly string[]): Promise<Buffer> {
  const r = await cli(["convert", "--format", format, "--fixed-time", String(SEC), "-"], { input: lines.map((l) => l + "\n").join("") });
  expect(r).toMatchObject({ code: 0, stderr: "" });
  return r.stdout;
}

/** The page's lines of one format, in card order, as the command line would write them (LF each). */
async function pageOutput(p: Page, format: string): Promise<Buffer> {
  const texts = await p.locator(`article.record pre[data-format="${format}"]`).allTextContents();
  return Buffer.from(texts.map((t) => t + "\n").join(""), "utf8");
}

/** The samples in the page (typed by the test before; set here when that test did not run). */
async function samplesShown(): Promise<void> {
  if ((await page.locator("#input").inputValue()) !== SAMPLES.map((l) => l + "\n").join("")) await setInput(page, SAMPLES);
}

async function setInput(p: Page, lines: readonly string[]): Promise<void> {
  await p.locator("#input").fill(lines.map((l) => l + "\n").join(""));
  await p.waitForFunction((n) => document.querySelectorAll("article.record").length === n, lines.length);
}

beforeAll(async () => {
  requireBuild();
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (see .ci/apt-packages)`);
  server = start(process.execPath, [CLI, "playground", "--port", "0"]);
  const out = new Lines(server.child.stdout!);
  const [first] = await out.atLeast(1, 20_000);
  url = /^playground at (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(first!)?.[1] ?? "";
  expect(url).not.toBe("");
  profile = mkdtempSync(join(tmpdir(), "segura-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  context.on("request", (r) => requests.push(r.url()));
  page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector("body[data-ready]", { timeout: 20_000 });
  expect(errors).toEqual([]);
  await page.locator("#time").fill(String(SEC));
}, 120_000);

afterAll(async () => {
  await context?.close();
  server?.child.kill("SIGTERM");
  if (server) await server.exited;
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe("segura-siem playground serves the page", () => {
  it("hands out the page with a policy that lets it connect nowhere else", async () => {
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("content-security-policy")).toContain("connect-src 'self'");
    expect(await r.text()).toContain('<script type="module" src="js/playground/app.js">');
  });

  it("serves build/segura.wasm as it is, as application/wasm", async () => {
    const r = await fetch(url + "segura.wasm");
    expect(r.headers.get("content-type")).toBe("application/wasm");
    expect(Buffer.from(await r.arrayBuffer()).equals(readFileSync(join(ROOT, "build", "segura.wasm")))).toBe(true);
  });

  it.each(["/../package.json", "/%2e%2e/package.json", "/js/../../../package.json", "/nothing.html"])("answers 404 for %s", async (path) => {
    const r = await fetch(url.replace(/\/$/, "") + path);
    expect(r.status).toBe(404);
  });

  it("shows the module's size and SHA-256 as --version prints it", async () => {
    const sum = readFileSync(join(ROOT, "build", "SHA256SUMS"), "utf8").split("\n").find((l) => l.endsWith("  segura.wasm"))!.split(" ")[0]!;
    expect(await page.locator("#module").textContent()).toContain(`SHA-256 ${sum}`);
  });
});

describe("typed input", () => {
  it("converts as it is typed: half a record is an invalid record, the whole record is the event", async () => {
    const first = SAMPLES[0]!;
    await page.locator("#input").focus();
    await page.keyboard.type(first.slice(0, 40));
    await expect.poll(() => page.locator("article.record").getAttribute("class")).toContain("invalid");
    await page.keyboard.type(first.slice(40));
    await expect.poll(() => page.locator("article.record").getAttribute("class")).toBe("record");
    expect(await pageOutput(page, "cef-syslog")).toEqual(await cliOutput("cef-syslog", [first]));
  });

  it("shows, for every typed sample, exactly the bytes the command line writes, in each format", async () => {
    for (const line of SAMPLES.slice(1)) {
      await page.keyboard.press("Enter");
      await page.keyboard.insertText(line);
    }
    await page.keyboard.press("Enter");
    expect(await page.locator("#input").inputValue()).toBe(readFileSync(join(ROOT, "examples", "events.jsonl"), "utf8"));
    expect(await page.locator("article.record").count()).toBe(SAMPLES.length);
    for (const format of LINE_FORMATS) {
      const want = await cliOutput(format, SAMPLES);
      expect((await pageOutput(page, format)).toString()).toBe(want.toString());
      expect((await pageOutput(page, format)).equals(want)).toBe(true);
    }
  });

  it("redraws only the card of the line that changed", async () => {
    await samplesShown();
    await page.evaluate(() => document.querySelectorAll("article.record").forEach((a) => { (a as HTMLElement).dataset.drawn = "before"; }));
    await page.locator("#input").press("End"); // the textarea's caret is after the last line
    await page.keyboard.type("{");
    await expect.poll(() => page.locator("article.record").count()).toBe(SAMPLES.length + 1);
    const drawn = await page.locator("article.record").evaluateAll((as) => as.map((a) => (a as HTMLElement).dataset.drawn ?? "new"));
    expect(drawn).toEqual([...SAMPLES.map(() => "before"), "new"]);
    await page.keyboard.press("Backspace");
    await expect.poll(() => page.locator("article.record").count()).toBe(SAMPLES.length);
  });

  it.each(DOWNLOAD_FORMATS)("downloads --format %s as the command line writes it", async (format) => {
    await samplesShown();
    await page.locator("#download-format").selectOption(format);
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download").click()]);
    const file = await download.path();
    expect(readFileSync(file).equals(await cliOutput(format, SAMPLES))).toBe(true);
  });

  it("tables each CEF extension key with the dictionary's full name and the value the line carries", async () => {
    await samplesShown();
    const cards = page.locator("article.record");
    const lines = (await cliOutput("cef", SAMPLES)).toString().split("\n");
    for (let i = 0; i < SAMPLES.length; i++) {
      const rows = await cards.nth(i).locator('table[data-table="cef"] tbody tr:not(.header-field)').evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
      const cef = parseCef(lines[i]!);
      expect(rows).toEqual(cef.ext.map(([k, v]) => [k, nameOf(k), v]));
      const header = await cards.nth(i).locator('table[data-table="cef"] tbody tr.header-field td.value').allTextContents();
      expect(header).toEqual(cef.header);
    }
  });

  it("tables the SD-PARAMs of the RFC 5424 line", async () => {
    await samplesShown();
    const lines = (await cliOutput("syslog", SAMPLES)).toString().split("\n");
    for (let i = 0; i < SAMPLES.length; i++) {
      const rows = await page.locator("article.record").nth(i).locator('table[data-table="sd"] tbody tr:not(.header-field)').evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
      const syslog = parseSyslog(lines[i]!);
      expect(rows).toEqual(syslog.sd.flatMap((e) => e.params));
    }
  });
});

describe("records that do not convert cleanly", () => {
  beforeAll(async () => setInput(page, [...SAMPLES.slice(0, 2), BROKEN, WARNED, RECEIVED]));

  it("shows the error of an invalid record and marks the byte where reading stopped", async () => {
    const card = page.locator('article.record[data-line="3"]');
    expect(await card.getAttribute("class")).toContain("invalid");
    const meta = JSON.parse((await cliOutput("json-cef", [BROKEN])).toString()) as { error: string };
    expect(meta.error).toMatch(/^invalid JSON at byte \d+/);
    expect(await card.locator("[data-error]").textContent()).toContain(meta.error);
    const at = Number(/at byte (\d+)/.exec(meta.error)![1]);
    const before = await card.locator("[data-error] pre.original").evaluate((pre) => pre.firstChild?.textContent ?? "");
    expect(Buffer.byteLength(before)).toBe(Math.min(at, Buffer.byteLength(BROKEN)));
    expect(await card.locator("mark.at").count()).toBe(1);
  });

  it("lists the warnings and marks the fields they concern in the CEF table", async () => {
    const card = page.locator('article.record[data-line="4"]');
    const meta = JSON.parse((await cliOutput("json-cef", [WARNED])).toString()) as { warning: string };
    expect(await card.locator("[data-warnings] li").allTextContents()).toEqual(meta.warning.split("; "));
    const marked = await card.locator('table[data-table="cef"] tr.warned td.key').allTextContents();
    // the values that do not fit are marked where the line carries them: under their companion keys
    expect(marked.sort()).toEqual(["dptInvalid", "srcInvalid"]);
  });

  it("reads one of Segura's own syslog lines as the record {\"message\": line}", async () => {
    const card = page.locator('article.record[data-line="5"]');
    expect(await card.textContent()).toContain("read as a received syslog line");
    const record = JSON.stringify({ message: RECEIVED });
    for (const format of LINE_FORMATS) {
      expect(await card.locator(`pre[data-format="${format}"]`).textContent()).toBe((await cliOutput(format, [record])).toString().replace(/\n$/, ""));
    }
  });

  it("shows every line the command line writes for this mixed input", async () => {
    const lines = [...SAMPLES.slice(0, 2), BROKEN, WARNED, JSON.stringify({ message: RECEIVED })];
    for (const format of LINE_FORMATS) expect((await pageOutput(page, format)).equals(await cliOutput(format, lines))).toBe(true);
  });

  it("keeps a screenshot (test-artifacts/playground.png)", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, "playground.png");
    rmSync(path, { force: true });
    await page.screenshot({ path, fullPage: true });
    expect(statSync(path).size).toBeGreaterThan(10_000);
  });
});

describe("a dropped file", () => {
  it("replaces the input and is converted like typed text", async () => {
    const text = readFileSync(join(ROOT, "examples", "events.jsonl"), "utf8");
    await page.locator("#clear").click();
    const files = await page.evaluateHandle((t) => {
      const d = new DataTransfer();
      d.items.add(new File([t], "events.jsonl", { type: "application/jsonl" }));
      return d;
    }, text);
    await page.dispatchEvent("#drop", "drop", { dataTransfer: files });
    await page.waitForFunction((n) => document.querySelectorAll("article.record").length === n, SAMPLES.length);
    expect(await page.locator("#input").inputValue()).toBe(text);
    expect((await pageOutput(page, "cef")).equals(await cliOutput("cef", SAMPLES))).toBe(true);
  });
});

describe("permalink", () => {
  it("carries the input and the settings in the URL fragment: a new tab shows the same records", async () => {
    await setInput(page, SAMPLES.slice(0, 5));
    await page.locator("#permalink").click();
    const link = page.url();
    expect(link.startsWith(url + "#")).toBe(true);
    const other = await context.newPage();
    try {
      await other.goto(link);
      await other.waitForSelector("body[data-ready]");
      await other.waitForFunction(() => document.querySelectorAll("article.record").length === 5);
      expect(await other.locator("#input").inputValue()).toBe(SAMPLES.slice(0, 5).map((l) => l + "\n").join(""));
      expect(await other.locator("#time").inputValue()).toBe(String(SEC));
      expect((await pageOutput(other, "cef-syslog")).equals(await cliOutput("cef-syslog", SAMPLES.slice(0, 5)))).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe("nothing is sent anywhere", () => {
  it("every request the browser made went to the playground's own address", () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => !r.startsWith(url) && !r.startsWith("blob:") && !r.startsWith("data:"))).toEqual([]);
  });
});
