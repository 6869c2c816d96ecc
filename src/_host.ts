// The host ABI (src/_abi.ts) with what only Node.js has: loading the module from a file.
import { readFileSync } from "node:fs";
import { FluentBitHost as AbiHost } from "./_abi.js";

export * from "./_abi.js";

export class FluentBitHost extends AbiHost {
  static fromFile(path: string): FluentBitHost {
    return new FluentBitHost(readFileSync(path));
  }
}
