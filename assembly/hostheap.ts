// The allocator the host uses to hand us its buffers (exported as malloc/free in fluentbit.ts).
//
// Fluent Bit allocates two buffers per record (the tag, then the record), calls the filter and
// frees both. Through the general allocator (TLSF) those four calls cost about a thousand
// instructions per record, as much as converting a hundred bytes. Here a freed block is kept in a
// small cache and handed out again to the next request it fits: the steady state is a few compares
// per call. Blocks are rounded up to a power of two so that records of similar size share them.
//
// Every block carries its capacity in a 16-byte header (16 keeps the caller's pointer as aligned
// as heap.alloc's). The cache holds at most CACHE_BLOCKS blocks of at most MAX_CACHED bytes, so the
// memory it keeps is bounded; a larger block goes straight back to the general allocator.

const HEADER: usize = 16;
/** Smallest block handed out: tags and small records share one size. */
const MIN_BLOCK: usize = 64;
/** Blocks kept for reuse: two per record in flight, twice over. */
const CACHE_BLOCKS: i32 = 4;
/** Largest block kept for reuse (a bigger one is rare and would pin memory). */
const MAX_CACHED: usize = 1 << 20;

// u32 pointer (the header's address), u32 capacity
const CACHE: usize = memory.data(CACHE_BLOCKS * 8);
let cached: i32 = 0;

/** A block of at least size bytes. */
export function hostAlloc(size: usize): usize {
  // the smallest cached block that fits
  let best = -1;
  let bestCap: usize = <usize>-1;
  for (let i = 0; i < cached; i++) {
    const cap = <usize>load<u32>(CACHE + (<usize>i << 3), 4);
    if (cap >= size && cap < bestCap) {
      best = i;
      bestCap = cap;
    }
  }
  if (best >= 0) {
    const e = CACHE + (<usize>best << 3);
    const h = <usize>load<u32>(e);
    cached--;
    const last = CACHE + (<usize>cached << 3);
    store<u64>(e, load<u64>(last));
    return h + HEADER;
  }
  let cap = MIN_BLOCK;
  while (cap < size) {
    if (cap > (<usize>-1 >> 2)) { cap = size; break; }
    cap <<= 1;
  }
  const h = heap.alloc(cap + HEADER);
  store<u32>(h, <u32>cap);
  return h + HEADER;
}

/** Returns a block from hostAlloc(). */
export function hostFree(ptr: usize): void {
  const h = ptr - HEADER;
  const cap = <usize>load<u32>(h);
  if (cap <= MAX_CACHED) {
    if (cached < CACHE_BLOCKS) {
      const e = CACHE + (<usize>cached << 3);
      store<u32>(e, <u32>h);
      store<u32>(e, <u32>cap, 4);
      cached++;
      return;
    }
    // full: keep the larger of this block and the smallest cached one
    let small = 0;
    for (let i = 1; i < CACHE_BLOCKS; i++) {
      if (load<u32>(CACHE + (<usize>i << 3), 4) < load<u32>(CACHE + (<usize>small << 3), 4)) small = i;
    }
    const e = CACHE + (<usize>small << 3);
    if (<usize>load<u32>(e, 4) < cap) {
      heap.free(<usize>load<u32>(e));
      store<u32>(e, <u32>h);
      store<u32>(e, <u32>cap, 4);
      return;
    }
  }
  heap.free(h);
}
