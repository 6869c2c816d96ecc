// @ts-nocheck -- AssemblyScript, compiled by asc (bench/asconfig.json); tsc sees it only because the
// project's TypeScript build includes bench/**/*.ts.
//
// The host ceiling: a filter with the same ABI as the engine (Fluent Bit's filter_wasm, Event_Format
// json) and the same allocator exports, doing no work beyond returning a NUL-terminated copy of the
// record from a reused buffer. Whatever the host spends around a call is spent here too.

export function malloc(size: usize): usize {
  return heap.alloc(size == 0 ? 1 : size);
}

export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

let outBase: usize = 0;
let outCap: usize = 0;

export function passthrough(tagPtr: usize, tagLen: u32, sec: u32, nsec: u32, recordPtr: usize, recordLen: u32): usize {
  const need = <usize>recordLen + 1;
  if (need > outCap) {
    let cap = outCap < 4096 ? <usize>4096 : outCap;
    while (cap < need) cap <<= 1;
    if (outBase != 0) heap.free(outBase);
    outBase = heap.alloc(cap);
    outCap = cap;
  }
  memory.copy(outBase, recordPtr, <usize>recordLen);
  store<u8>(outBase + <usize>recordLen, 0);
  return outBase;
}
