// A small filter module that traps on purpose (ours must never trap), for the WAMR host's trap test.
// Same ABI and allocator exports as the engine: malloc is a bump allocator that starts over when every
// block has been freed, free counts blocks back. `filter` returns the record itself (a NUL-terminated
// string, since the host copied the NUL in), unless the record's first byte asks for a trap:
//   U  unreachable        M  a load far outside linear memory
//   D  division by zero   R  unbounded recursion (the 8 KiB stack runs out)
import binaryen from "binaryen";

const WAT = `(module
  (memory (export "memory") 2)
  (global $top (mut i32) (i32.const 1024))
  (global $live (mut i32) (i32.const 0))
  (func (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $top))
    (global.set $top (i32.and (i32.add (i32.add (global.get $top) (local.get $size)) (i32.const 15)) (i32.const -16)))
    (if (i32.gt_u (global.get $top) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $top) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))))))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $p))
  (func (export "free") (param $p i32)
    (global.set $live (i32.sub (global.get $live) (i32.const 1)))
    (if (i32.eqz (global.get $live)) (then (global.set $top (i32.const 1024)))))
  (func $deep (param $n i32) (result i32)
    (i32.add (call $deep (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func (export "filter") (param $tag i32) (param $tagLen i32) (param $sec i32) (param $nsec i32) (param $rec i32) (param $recLen i32) (result i32)
    (local $c i32)
    (local.set $c (i32.load8_u (local.get $rec)))
    (if (i32.eq (local.get $c) (i32.const 85)) (then unreachable))
    (if (i32.eq (local.get $c) (i32.const 77)) (then (drop (i32.load (i32.const -16)))))
    (if (i32.eq (local.get $c) (i32.const 68)) (then (drop (i32.div_u (local.get $recLen) (i32.const 0)))))
    (if (i32.eq (local.get $c) (i32.const 82)) (then (drop (call $deep (i32.const 0)))))
    (local.get $rec)))`;

export function trapModule(): Uint8Array {
  const m = binaryen.parseText(WAT);
  try {
    if (!m.validate()) throw new Error("the trap module does not validate");
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/** Records and the trap each one asks for. */
export const TRAPS: readonly [string, RegExp][] = [
  ["U: unreachable", /unreachable/],
  ["M: out of bounds", /out of bounds memory access/],
  ["D: divide by zero", /integer divide by zero/],
  ["R: recursion", /stack overflow/],
];
