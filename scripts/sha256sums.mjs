#!/usr/bin/env node
// Writes build/SHA256SUMS: the SHA-256 of each module, in the format `sha256sum -c` reads.
// `segura-siem --version` prints the same lines for the modules it finds.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const MODULES = ["segura.wasm", "segura-wasi.wasm"];

const build = join(dirname(fileURLToPath(import.meta.url)), "..", "build");
const lines = MODULES.map((m) => `${createHash("sha256").update(readFileSync(join(build, m))).digest("hex")}  ${m}\n`);
writeFileSync(join(build, "SHA256SUMS"), lines.join(""));
