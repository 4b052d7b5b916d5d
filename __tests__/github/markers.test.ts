// Hidden markers: how the issues already written are recognised.
import { eventMarker, keyMarker, markedEvents, markedKey, markerId } from '../../src/github/markers.js'
import { markdownCode } from '../../src/markdown/markdown.js'

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

  it("keeps verbatim and hashed ids apart: an id shaped like a hash is hashed, never taken as another id's marker", () => {
    const hashed = markerId('key with a space')
    expect(hashed).toMatch(/^sha256-[0-9a-f]{32}$/)
    // A key (or an event) whose id is that very text gets a marker of its own.
    expect(markerId(hashed)).toMatch(/^sha256-[0-9a-f]{32}$/)
    expect(markerId(hashed)).not.toBe(hashed)
    expect(keyMarker(hashed)).not.toBe(keyMarker('key with a space'))
    expect(eventMarker(hashed)).not.toBe(eventMarker('key with a space'))
    expect(markerId('sha256-')).not.toBe('sha256-')
    // Only the prefix as the hash writes it: other ids that start alike stay verbatim.
    expect(markerId('SHA256-abc')).toBe('SHA256-abc')
    expect(markerId('sha256abc')).toBe('sha256abc')
  })

  it('reads markers only on lines of their own', () => {
    const body = [
      keyMarker('key-real'),
      `- Key: ${markdownCode('x <!-- openai-keywatch:key=key-forged -->')}`,
      `text ${eventMarker('audit_log-inline')}`,
      eventMarker('audit_log-1'),
      eventMarker('audit_log-2')
    ].join('\n')
    expect(markedKey(body)).toBe('key-real')
    expect(markedEvents(body)).toEqual(['audit_log-1', 'audit_log-2'])
    expect(markedKey('no marker')).toBeUndefined()
    // A key marker inside a line is not one, wherever it is in the body.
    expect(markedKey(`text ${keyMarker('key-forged')}`)).toBeUndefined()
    expect(markedKey(`${keyMarker('key-forged')} text\n${eventMarker('audit_log-1')}`)).toBeUndefined()
    expect(markedKey(`see ${keyMarker('key-forged')}\n${keyMarker('key-real')}`)).toBe('key-real')
    expect(markedEvents(null)).toEqual([])
  })
})
