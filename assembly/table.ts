// The catalogue's lookup tables (assembly/generated/catalogue.ts) are rows sorted by a leading u32 key.

/** Address of the row whose first u32 is `key`, by binary search over `count` rows of `size` bytes; 0 if none. */
export function findRow(table: usize, count: i32, size: usize, key: u32): usize {
  let lo = 0, hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const row = table + <usize>mid * size;
    const k = load<u32>(row);
    if (k < key) lo = mid + 1;
    else if (k > key) hi = mid - 1;
    else return row;
  }
  return 0;
}
