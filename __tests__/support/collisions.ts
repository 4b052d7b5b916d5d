// Event ids made to collide under FNV-1a over UTF-16 code units from its standard basis
// (0x811c9dc5), the unkeyed hash the seen-ids set once used: 2^n ids, all with the same
// 32-bit state. Each pair below takes the state left by "audit_log-" and the pairs before it
// to the same next state (found by a birthday search: a few seconds, so they are written
// down); an id is the prefix and one string of each pair.
export const FNV_BASIS = 0x811c9dc5

const PAIRS: [string, string][] = [
  ['0rjfaa', 'hpfhaa'],
  ['fuzlaa', '42apaa'],
  ['9rjvaa', 'apfxaa'],
  ['quj6aa', '9wf8aa'],
  ['1ujfba', 'ywfhba'],
  ['ovlvba', '7pdxba'],
  ['9rj6ba', 'apf8ba'],
  ['t41mca', 'm2xbda'],
  ['ivlfda', '1pdhda'],
  ['1uzlda', 'c2apda'],
  ['46nzda', 'zpfaea'],
  ['mvlfea', '5pdhea'],
  ['5hs3ea', 'fsaaga'],
  ['orjfga', '7pfhga'],
  ['3tzlga', 'm3apga'],
  ['8wlvga', 'pqdxga']
]

/** 2^bits distinct ids (bits at most 16) with one FNV-1a state. */
export function collidingIds(bits: number): string[] {
  const ids: string[] = []
  for (let mask = 0; mask < 2 ** bits; mask++) {
    ids.push(
      'audit_log-' +
        PAIRS.slice(0, bits)
          .map((pair, i) => pair[(mask >> i) & 1])
          .join('')
    )
  }
  return ids
}

/** FNV-1a as the seen-ids set once computed it. */
export function fnv1a(text: string, basis = FNV_BASIS): number {
  let hash = basis
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return hash | 0
}
