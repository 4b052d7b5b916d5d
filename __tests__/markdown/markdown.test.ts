// The Markdown sanitiser: audit-log text made inert.
import { markdownCode, markdownText } from '../../src/markdown/markdown.js'

describe('markdown', () => {
  it('keeps a backtick from ending a code span', () => {
    // It would end the span and let the rest be read as Markdown: mentions, HTML.
    expect(markdownCode('x` @team <img src=y> `z')).toBe("`x' @team <img src=y> 'z`")
    expect(markdownCode('``')).toBe("`''`")
  })

  it('keeps a backslash before a pipe from breaking a table cell', () => {
    expect(markdownCode('a\\|b')).toBe('`a\\\u200b\\|b`')
    expect(markdownText('a\\|b')).toBe('a\\\\\\|b')
    // GH-12 links issue 12 as #12 does.
    expect(markdownText('see GH-12 and gh-3')).toBe('see GH\u200b\\-12 and gh\u200b\\-3')
  })
})

// Each expectation is the exact text markdownText() gives, backslash escapes included: GitHub links
// #12, @name and www. even after a backslash, so the zero-width space must be there too.
const ZWSP = '\u200b'

describe('markdownText', () => {
  it('escapes # and breaks the issue reference after it', () => {
    expect(markdownText('fixes #12')).toBe(`fixes \\#${ZWSP}12`)
    expect(markdownText('#1 #2')).toBe(`\\#${ZWSP}1 \\#${ZWSP}2`)
  })

  it('breaks www. autolinks, in any case', () => {
    expect(markdownText('see www.evil.example')).toBe(`see www${ZWSP}\\.evil\\.example`)
    expect(markdownText('WWW.Evil.example')).toBe(`WWW${ZWSP}\\.Evil\\.example`)
  })

  it('breaks :// so no URL autolinks', () => {
    expect(markdownText('https://evil.example/x')).toBe(`https:${ZWSP}//evil\\.example/x`)
    expect(markdownText('ftp://a and ssh://b')).toBe(`ftp:${ZWSP}//a and ssh:${ZWSP}//b`)
  })

  it('breaks every @ of mentions, team pings and email autolinks', () => {
    expect(markdownText('cc @octocat and a@b.example')).toBe(`cc @${ZWSP}octocat and a@${ZWSP}b\\.example`)
    expect(markdownText('@acme/security-team')).toBe(`@${ZWSP}acme/security\\-team`)
  })

  it('removes text-direction controls', () => {
    expect(markdownText('key\u202eevil\u2066a\u2067b\u2068c\u2069d\u200ee\u200ff\u202ag\u202bh\u202ci\u202dj')).toBe(
      'keyevilabcdefghij'
    )
  })

  it('normalises compatibility forms (NFKC) first, so full-width @ # www. :// < > are caught too', () => {
    // U+FF20 FULLWIDTH COMMERCIAL AT, U+FF03 FULLWIDTH NUMBER SIGN, U+FF11/U+FF12 FULLWIDTH DIGITS.
    expect(markdownText('\uff20octocat')).toBe(`@${ZWSP}octocat`)
    expect(markdownText('\uff03\uff11\uff12')).toBe(`\\#${ZWSP}12`)
    // Full-width letters and U+FF0E FULLWIDTH FULL STOP.
    expect(markdownText('\uff57\uff57\uff57\uff0eevil\uff0eexample')).toBe(`www${ZWSP}\\.evil\\.example`)
    // U+FF1A FULLWIDTH COLON, U+FF0F FULLWIDTH SOLIDUS.
    expect(markdownText('https\uff1a\uff0f\uff0fx')).toBe(`https:${ZWSP}//x`)
    // U+FF1C and U+FF1E, FULLWIDTH LESS-THAN and GREATER-THAN SIGN.
    expect(markdownText('\uff1cimg\uff1e')).toBe('\\<img\\>')
  })
})

describe('markdownCode', () => {
  it('removes text-direction controls and puts every line break on one line', () => {
    expect(markdownCode('key\u202e-1\n\u2066x\u2069')).toBe('`key-1 x`')
    expect(markdownCode('a\r\n\u2028b\u2029c\u200e\u200f')).toBe('`a b c`')
  })
})
