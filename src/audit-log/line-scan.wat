;; The JSONL prefilter's pass over the bytes (line-sorter.ts drives it; scripts/build-wasm.mjs
;; compiles this file into line-scan-wasm.ts). One SIMD pass finds, 32 bytes at a time, the
;; three kinds of byte that matter: a newline, a backslash, and the start of "key" in any
;; case (k?y, the middle letter checked after). Most 32-byte runs hold none and cost a few
;; instructions; each one found is looked at here, in order, without a call back into
;; JavaScript. What it decides is what the JavaScript prefilter decided at 61c6127, byte for
;; byte (__tests__/audit-log/line-scan.test.ts compares the two on generated lines):
;; - a line is "plain" (cannot be a key event, shaped like one object) when no "key" in it,
;;   written key, KEY or Key, is followed by up to MAX separators and a verb in any case
;;   (each character as it is or as a \u escape), no \u escape in it stands for k, e or y in
;;   any case, it starts with "{" and ends with "}" once blanks are trimmed, and it is not a
;;   saved list response ({"object":"list"...);
;; - the spellings of "key", the separators, the most of them and the verbs are not written
;;   here: key-types.ts's, written into the tables below by line-sorter.ts when it starts.
;;
;; Memory: [0, 16) the results of a call (entries written, lines, lines skipped); [256, 512)
;; the separator table (1 for a separator byte); [512, 536) the verbs, 8 bytes each (length,
;; then the letters in lower case); [544, 553) the three spellings of "key"; [1024, 65536)
;; entries of 16 bytes (line, first, last, kind); from 65536 the bytes of the block, and 64
;; bytes after it that the vector loads may read (their finds are past the end: ignored).
(module
  (memory (export "memory") 2)
  (global $ENTRIES i32 (i32.const 1024))
  (global $CAPACITY i32 (i32.const 4032))
  (global $INPUT i32 (i32.const 65536))
  (export "input" (global $INPUT))

  ;; The most separators read between "key" and its verb (line-sorter.ts sets it).
  (global $maxSeparators (export "maxSeparators") (mut i32) (i32.const 0))

  (global $end (mut i32) (i32.const 0))
  (global $flags (mut i32) (i32.const 0))
  (global $lineStart (mut i32) (i32.const 0))
  (global $mayKey (mut i32) (i32.const 0))
  (global $escaped (mut i32) (i32.const 0))
  (global $escapeEnd (mut i32) (i32.const 0))
  (global $lines (mut i32) (i32.const 0))
  (global $skipped (mut i32) (i32.const 0))
  (global $count (mut i32) (i32.const 0))

  ;; flags: plain lines are written as entries of kind 1 instead of counted as skipped (a
  ;; window or mentions are given: JavaScript reads their effective_at, or looks for the
  ;; mentions in them).
  (global $CHECKED i32 (i32.const 1))

  (func $hex (param $at i32) (result i32)
    (local $b i32)
    (if (i32.ge_u (local.get $at) (global.get $end)) (then (return (i32.const -1))))
    (local.set $b (i32.load8_u (local.get $at)))
    (if (i32.le_u (i32.sub (local.get $b) (i32.const 0x30)) (i32.const 9))
      (then (return (i32.sub (local.get $b) (i32.const 0x30)))))
    (if (i32.le_u (i32.sub (local.get $b) (i32.const 0x61)) (i32.const 5))
      (then (return (i32.sub (local.get $b) (i32.const 0x57)))))
    (if (i32.le_u (i32.sub (local.get $b) (i32.const 0x41)) (i32.const 5))
      (then (return (i32.sub (local.get $b) (i32.const 0x37)))))
    (i32.const -1))

  ;; The character at `at` (a JSON escape read as what it stands for) and where the next
  ;; begins; -1 for none (past the end, or a \u escape that is not one).
  (func $charAt (param $at i32) (result i32 i32)
    (local $b i32) (local $code i32) (local $i i32) (local $digit i32)
    (if (i32.ge_u (local.get $at) (global.get $end))
      (then (return (i32.const -1) (local.get $at))))
    (local.set $b (i32.load8_u (local.get $at)))
    (if (i32.ne (local.get $b) (i32.const 0x5c))
      (then (return (local.get $b) (i32.add (local.get $at) (i32.const 1)))))
    (if (i32.ge_u (i32.add (local.get $at) (i32.const 1)) (global.get $end))
      (then (return (i32.const -1) (i32.add (local.get $at) (i32.const 2)))))
    (local.set $b (i32.load8_u (i32.add (local.get $at) (i32.const 1))))
    (if (i32.ne (local.get $b) (i32.const 0x75))
      (then (return (local.get $b) (i32.add (local.get $at) (i32.const 2)))))
    (local.set $i (i32.const 2))
    (loop $digits
      (local.set $digit (call $hex (i32.add (local.get $at) (local.get $i))))
      (if (i32.lt_s (local.get $digit) (i32.const 0))
        (then (return (i32.const -1) (i32.add (local.get $at) (i32.const 2)))))
      (local.set $code (i32.or (i32.shl (local.get $code) (i32.const 4)) (local.get $digit)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $digits (i32.lt_u (local.get $i) (i32.const 6))))
    (return (local.get $code) (i32.add (local.get $at) (i32.const 6))))

  (func $isSeparator (param $char i32) (result i32)
    (if (i32.gt_u (local.get $char) (i32.const 255)) (then (return (i32.const 0))))
    (i32.load8_u offset=256 (local.get $char)))

  ;; Is the "k?y" at `at` one of the three spellings of "key"?
  (func $spelled (param $at i32) (result i32)
    (local $s i32)
    (loop $spelling
      (if (i32.and
            (i32.eq (i32.load8_u (local.get $at)) (i32.load8_u offset=544 (local.get $s)))
            (i32.and
              (i32.eq (i32.load8_u (i32.add (local.get $at) (i32.const 1))) (i32.load8_u offset=545 (local.get $s)))
              (i32.eq (i32.load8_u (i32.add (local.get $at) (i32.const 2))) (i32.load8_u offset=546 (local.get $s)))))
        (then (return (i32.const 1))))
      (local.set $s (i32.add (local.get $s) (i32.const 3)))
      (br_if $spelling (i32.lt_u (local.get $s) (i32.const 9))))
    (i32.const 0))

  ;; Does a key event type start with the "key" at `at`: up to $maxSeparators separators,
  ;; then a verb in any case, each character as it is or as a JSON escape?
  (func $keyTypeAt (param $at i32) (result i32)
    (local $next i32) (local $char i32) (local $after i32) (local $n i32)
    (local $verb i32) (local $length i32) (local $index i32) (local $position i32) (local $letter i32)
    ;; Most "key"s in a log end a string ("api_key"): told at once.
    (if (i32.eq (i32.load8_u (i32.add (local.get $at) (i32.const 3))) (i32.const 0x22))
      (then (return (i32.const 0))))
    (local.set $next (i32.add (local.get $at) (i32.const 3)))
    (call $charAt (local.get $next))
    (local.set $after)
    (local.set $char)
    (block $separated
      (loop $separators
        (br_if $separated (i32.ge_u (local.get $n) (global.get $maxSeparators)))
        (br_if $separated (i32.eqz (call $isSeparator (local.get $char))))
        (local.set $next (local.get $after))
        (call $charAt (local.get $next))
        (local.set $after)
        (local.set $char)
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $separators)))
    (loop $verbs
      (local.set $length (i32.load8_u offset=512 (local.get $verb)))
      (local.set $position (local.get $next))
      (local.set $index (i32.const 0))
      (block $mismatch
        (loop $letters
          (call $charAt (local.get $position))
          (local.set $position)
          (local.set $letter)
          ;; ASCII letters only: | 0x20 folds upper case onto lower.
          (br_if $mismatch (i32.lt_s (local.get $letter) (i32.const 0x41)))
          (br_if $mismatch (i32.gt_s (local.get $letter) (i32.const 0x7a)))
          (br_if $mismatch
            (i32.ne (i32.or (local.get $letter) (i32.const 0x20))
              (i32.load8_u offset=513 (i32.add (local.get $verb) (local.get $index)))))
          (local.set $index (i32.add (local.get $index) (i32.const 1)))
          (br_if $letters (i32.lt_u (local.get $index) (local.get $length))))
        (return (i32.const 1)))
      (local.set $verb (i32.add (local.get $verb) (i32.const 8)))
      (br_if $verbs (i32.lt_u (local.get $verb) (i32.const 24))))
    (i32.const 0))

  ;; A backslash not inside an escape read before: does it escape k, e or y (k\u0065y), which
  ;; no byte search can see? Where its escape ends, the next one can start.
  (func $escape (param $at i32)
    (local $char i32) (local $next i32) (local $lower i32)
    (call $charAt (local.get $at))
    (local.set $next)
    (local.set $char)
    (global.set $escapeEnd (local.get $next))
    (if (i32.lt_u (i32.add (local.get $at) (i32.const 1)) (global.get $end))
      (then
        (if (i32.eq (i32.load8_u (i32.add (local.get $at) (i32.const 1))) (i32.const 0x75))
          (then
            (local.set $lower (i32.or (local.get $char) (i32.const 0x20)))
            (if (i32.or (i32.eq (local.get $lower) (i32.const 0x6b))
                  (i32.or (i32.eq (local.get $lower) (i32.const 0x65)) (i32.eq (local.get $lower) (i32.const 0x79))))
              (then (global.set $escaped (i32.const 1)))))))))

  (func $isBlank (param $b i32) (result i32)
    (i32.or
      (i32.or (i32.eq (local.get $b) (i32.const 0x20)) (i32.eq (local.get $b) (i32.const 0x09)))
      (i32.or (i32.eq (local.get $b) (i32.const 0x0d)) (i32.eq (local.get $b) (i32.const 0x0a)))))

  ;; {"object":"list" at `first`, in a line longer than it.
  (func $isListResponse (param $first i32) (param $last i32) (result i32)
    (if (i32.le_s (i32.sub (local.get $last) (local.get $first)) (i32.const 16)) (then (return (i32.const 0))))
    (i32.and
      (i64.eq (i64.load (local.get $first)) (i64.const 0x7463656a626f227b)) ;; {"object
      (i64.eq (i64.load offset=8 (local.get $first)) (i64.const 0x227473696c223a22)))) ;; ":"list"

  (func $entry (param $line i32) (param $first i32) (param $last i32) (param $kind i32)
    (local $at i32)
    (local.set $at (i32.add (global.get $ENTRIES) (i32.shl (global.get $count) (i32.const 4))))
    (i32.store (local.get $at) (local.get $line))
    (i32.store offset=4 (local.get $at) (local.get $first))
    (i32.store offset=8 (local.get $at) (local.get $last))
    (i32.store offset=12 (local.get $at) (local.get $kind))
    (global.set $count (i32.add (global.get $count) (i32.const 1))))

  ;; The line from $lineStart to the newline at `newline`: counted, skipped or written.
  (func $line (param $newline i32)
    (local $first i32) (local $last i32) (local $plain i32)
    (global.set $lines (i32.add (global.get $lines) (i32.const 1)))
    (local.set $first (global.get $lineStart))
    (local.set $last (local.get $newline))
    (block $done
      (br_if $done (i32.ge_u (local.get $first) (local.get $last)))
      (block $trimmed
        (loop $lead
          (br_if $trimmed (i32.ge_u (local.get $first) (local.get $last)))
          (br_if $trimmed (i32.eqz (call $isBlank (i32.load8_u (local.get $first)))))
          (local.set $first (i32.add (local.get $first) (i32.const 1)))
          (br $lead)))
      (block $trimmed
        (loop $trail
          (br_if $trimmed (i32.le_u (local.get $last) (local.get $first)))
          (br_if $trimmed (i32.eqz (call $isBlank (i32.load8_u (i32.sub (local.get $last) (i32.const 1))))))
          (local.set $last (i32.sub (local.get $last) (i32.const 1)))
          (br $trail)))
      (br_if $done (i32.ge_s (local.get $first) (local.get $last)))
      (local.set $plain
        (i32.and
          (i32.and (i32.eqz (global.get $mayKey)) (i32.eqz (global.get $escaped)))
          (i32.and
            (i32.and (i32.eq (i32.load8_u (local.get $first)) (i32.const 0x7b))
              (i32.eq (i32.load8_u (i32.sub (local.get $last) (i32.const 1))) (i32.const 0x7d)))
            (i32.eqz (call $isListResponse (local.get $first) (local.get $last))))))
      (if (i32.and (local.get $plain) (i32.eqz (i32.and (global.get $flags) (global.get $CHECKED))))
        (then (global.set $skipped (i32.add (global.get $skipped) (i32.const 1))))
        (else (call $entry (global.get $lines) (local.get $first) (local.get $last) (local.get $plain)))))
    (global.set $mayKey (i32.const 0))
    (global.set $escaped (i32.const 0))
    (global.set $escapeEnd (i32.const 0))
    (global.set $lineStart (i32.add (local.get $newline) (i32.const 1))))

  ;; The pass over [start, end). whole = 1: whole lines, `end` just after a newline; entries
  ;; are written until there is no room, and where the next line starts is returned (`end`
  ;; when all are sorted). whole = 0: a part of one line too long to keep, with no newline in
  ;; it; 1 is returned when it may hold a key event, 0 when not.
  (func $pass (param $start i32) (param $end i32) (param $flags i32) (param $whole i32) (result i32)
    (local $p i32) (local $q i32) (local $m i32) (local $b i32)
    (local $a v128) (local $c v128)
    (local $newline v128) (local $backslash v128) (local $case v128) (local $k v128) (local $y v128)
    (local.set $newline (i8x16.splat (i32.const 0x0a)))
    (local.set $backslash (i8x16.splat (i32.const 0x5c)))
    (local.set $case (i8x16.splat (i32.const 0x20)))
    (local.set $k (i8x16.splat (i32.const 0x6b)))
    (local.set $y (i8x16.splat (i32.const 0x79)))
    (global.set $end (local.get $end))
    (global.set $flags (local.get $flags))
    (global.set $lineStart (local.get $start))
    (global.set $mayKey (i32.const 0))
    (global.set $escaped (i32.const 0))
    (global.set $escapeEnd (i32.const 0))
    (global.set $lines (i32.const 0))
    (global.set $skipped (i32.const 0))
    (global.set $count (i32.const 0))
    (local.set $p (local.get $start))
    (block $finished
      (loop $run
        (br_if $finished (i32.ge_u (local.get $p) (local.get $end)))
        ;; The bytes that matter in the next 32: newlines, backslashes, k?y in any case.
        (local.set $a
          (v128.or
            (v128.or
              (i8x16.eq (v128.load offset=0 (local.get $p)) (local.get $newline))
              (i8x16.eq (v128.load offset=0 (local.get $p)) (local.get $backslash)))
            (v128.and
              (i8x16.eq (v128.or (v128.load offset=0 (local.get $p)) (local.get $case)) (local.get $k))
              (i8x16.eq (v128.or (v128.load offset=2 (local.get $p)) (local.get $case)) (local.get $y)))))
        (local.set $c
          (v128.or
            (v128.or
              (i8x16.eq (v128.load offset=16 (local.get $p)) (local.get $newline))
              (i8x16.eq (v128.load offset=16 (local.get $p)) (local.get $backslash)))
            (v128.and
              (i8x16.eq (v128.or (v128.load offset=16 (local.get $p)) (local.get $case)) (local.get $k))
              (i8x16.eq (v128.or (v128.load offset=18 (local.get $p)) (local.get $case)) (local.get $y)))))
        (if (v128.any_true (v128.or (local.get $a) (local.get $c)))
          (then
            (local.set $m (i32.or (i8x16.bitmask (local.get $a)) (i32.shl (i8x16.bitmask (local.get $c)) (i32.const 16))))
            (loop $each
              (local.set $q (i32.add (local.get $p) (i32.ctz (local.get $m))))
              (br_if $finished (i32.ge_u (local.get $q) (local.get $end)))
              (local.set $b (i32.load8_u (local.get $q)))
              (if (i32.eq (local.get $b) (i32.const 0x0a))
                (then
                  (if (local.get $whole)
                    (then
                      (call $line (local.get $q))
                      (if (i32.ge_u (global.get $count) (global.get $CAPACITY))
                        (then (br $finished))))))
                (else
                  (if (i32.eq (local.get $b) (i32.const 0x5c))
                    (then
                      (if (i32.ge_u (local.get $q) (global.get $escapeEnd)) (then (call $escape (local.get $q)))))
                    (else
                      (if (i32.eqz (global.get $mayKey))
                        (then
                          (if (call $spelled (local.get $q))
                            (then
                              (if (call $keyTypeAt (local.get $q)) (then (global.set $mayKey (i32.const 1))))))))))))
              (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
              (br_if $each (local.get $m)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $run)))
    (i32.store (i32.const 0) (global.get $count))
    (i32.store (i32.const 4) (global.get $lines))
    (i32.store (i32.const 8) (global.get $skipped))
    (if (result i32) (local.get $whole)
      (then (select (global.get $lineStart) (local.get $end) (i32.ge_u (global.get $count) (global.get $CAPACITY))))
      (else (i32.or (global.get $mayKey) (global.get $escaped)))))

  ;; Whole lines in [start, end): see $pass.
  (func (export "sort") (param $start i32) (param $end i32) (param $flags i32) (result i32)
    (call $pass (local.get $start) (local.get $end) (local.get $flags) (i32.const 1)))

  ;; Part of a line too long to keep: may it hold a key event type?
  (func (export "holds") (param $start i32) (param $end i32) (result i32)
    (call $pass (local.get $start) (local.get $end) (i32.const 0) (i32.const 0)))
)
