// The Markdown sanitiser: audit-log text made inert.
import { code, inert } from '../../src/report/markdown.js'

describe('markdown', () => {
  it('keeps a backslash before a pipe from breaking a table cell', () => {
    expect(code('a\\|b')).toBe('`a\\\u200b\\|b`')
    expect(inert('a\\|b')).toBe('a\\\\\\|b')
    // GH-12 links issue 12 as #12 does.
    expect(inert('see GH-12 and gh-3')).toBe('see GH\u200b\\-12 and gh\u200b\\-3')
  })
})
