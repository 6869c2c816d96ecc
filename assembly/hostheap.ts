// The allocator the host uses to hand us its buffers (exported as malloc/free in fluentbit.ts).
//
// Fluent Bit allocates two buffers per record (the tag, then the record), calls the filter and
// frees both. Through the general allocator (TLSF) those four calls cost about a thousand
// instructions per record, as much as converting a hundred bytes. Here blocks come in power-of-two
// sizes, and a freed block goes on a free list of its size, from which the next request of that
// size takes it: a handful of instructions per call in the steady state.
//
// Every block carries its size class in a 16-byte header (16 keeps the caller's pointer as aligned
// as heap.alloc's). Blocks over 2^MAX_CLASS bytes go straight back to the general allocator, so a
// rare huge record does not keep its memory.

const HEADER: usize = 16;
/** Largest request served, under the general allocator's own limit of 2^30 bytes a block, header
 * included; larger ones get 0. */
const MAX_REQUEST: usize = (1 << 30) - 1024;
/** Smallest block handed out (2^MIN_CLASS): tags and small records share one size. */
const MIN_CLASS: usize = 6;
/** Largest block kept on a free list (2^MAX_CLASS bytes). */
const MAX_CLASS: usize = 20;
// u32 head of the free list of each class; a free block holds the next one in its first word
const FREE: usize = memory.data(<i32>(MAX_CLASS + 1) * 4);

/** Size class of a request: the smallest c >= MIN_CLASS with 2^c >= size. */
@inline function classOf(size: usize): usize {
  if (size <= (<usize>1 << MIN_CLASS)) return MIN_CLASS;
  return <usize>32 - <usize>clz(<u32>(size - 1));
}

/** A block of at least size bytes, or 0 when size is over MAX_REQUEST. */
export function hostAlloc(size: usize): usize {
  if (size > MAX_REQUEST) return 0;
  const c = classOf(size);
  if (c <= MAX_CLASS) {
    const head = FREE + (c << 2);
    const h = <usize>load<u32>(head);
    if (h != 0) {
      store<u32>(head, load<u32>(h, HEADER));
      return h + HEADER;
    }
    const b = heap.alloc((<usize>1 << c) + HEADER);
    store<u32>(b, <u32>c);
    return b + HEADER;
  }
  // too big for a list: exactly what was asked (class 0 marks it)
  const b = heap.alloc(size + HEADER);
  store<u32>(b, 0);
  return b + HEADER;
}

/** Returns a block from hostAlloc(). */
export function hostFree(ptr: usize): void {
  const h = ptr - HEADER;
  const c = <usize>load<u32>(h);
  if (c == 0) {
    heap.free(h);
    return;
  }
  const head = FREE + (c << 2);
  store<u32>(h, load<u32>(head), HEADER);
  store<u32>(head, <u32>h);
}
