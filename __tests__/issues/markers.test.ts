// Hidden markers: how the issues already written are recognised.
import { eventMarker, keyMarker, markedEvents, markedKey, markerId } from '../../src/issues/markers.js'
import { code } from '../../src/report/markdown.js'

describe('hidden markers', () => {
  it('keeps plain ids and hashes anything that could break or forge a marker', () => {
    expect(markerId('audit_log-abc123')).toBe('audit_log-abc123')
    expect(markerId('key-abc.def:1')).toBe('key-abc.def:1')
    for (const hostile of ['key -->', 'a--b', 'x\n<!-- openai-keywatch:key=victim -->', 'k'.repeat(65), '-x', '']) {
      expect(markerId(hostile)).toMatch(/^sha256-[0-9a-f]{32}$/)
    }
    expect(markerId('a--b')).not.toBe(markerId('a--c'))
    expect(keyMarker('key -->')).not.toContain('key -->')
  })

  it('reads markers only on lines of their own', () => {
    const body = [
      keyMarker('key-real'),
      `- Key: ${code('x <!-- openai-keywatch:key=key-forged -->')}`,
      `text ${eventMarker('audit_log-inline')}`,
      eventMarker('audit_log-1'),
      eventMarker('audit_log-2')
    ].join('\n')
    expect(markedKey(body)).toBe('key-real')
    expect(markedEvents(body)).toEqual(['audit_log-1', 'audit_log-2'])
    expect(markedKey('no marker')).toBeUndefined()
    expect(markedEvents(null)).toEqual([])
  })
})
