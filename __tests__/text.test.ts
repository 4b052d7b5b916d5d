// Text every stage writes: one line, cut, times, counts, and secrets scrubbed.
import { cut, errorMessage, isoTime, oneLine, plural, redact } from '../src/text.js'

describe('oneLine', () => {
  it('turns each run of control characters into one space', () => {
    expect(oneLine('a\r\n\tb')).toBe('a b')
    expect(oneLine('x\u001b[2J\u001b[31m@evil')).toBe('x [2J [31m@evil')
    expect(oneLine('a\u0000b\u007fc\u0085d\u009fe')).toBe('a b c d e')
    expect(oneLine('one\u2028two\u2029three')).toBe('one two three')
  })

  it('removes text-direction controls', () => {
    expect(oneLine('a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j\u200ek\u200fl')).toBe(
      'abcdefghijkl'
    )
  })

  it('keeps other text as it is', () => {
    expect(oneLine('é漢字😀 "quoted" <b>')).toBe('é漢字😀 "quoted" <b>')
    expect(oneLine('')).toBe('')
  })
})

describe('cut', () => {
  it('cuts to at most max characters, an ellipsis marking the cut', () => {
    expect(cut('abcdef', 4)).toBe('abc…')
    expect(cut('abcdef', 4)).toHaveLength(4)
    expect(cut('abcde', 5)).toBe('abcde')
    expect(cut('abcd', 5)).toBe('abcd')
    expect(cut('', 3)).toBe('')
  })
})

describe('isoTime', () => {
  it('gives ISO 8601 in UTC with milliseconds', () => {
    expect(isoTime(1_704_067_200)).toBe('2024-01-01T00:00:00.000Z')
    expect(isoTime(1_704_067_200.25)).toBe('2024-01-01T00:00:00.250Z')
  })

  it('drops zero milliseconds when short, and keeps others', () => {
    expect(isoTime(1_704_067_200, true)).toBe('2024-01-01T00:00:00Z')
    expect(isoTime(1_704_067_261, true)).toBe('2024-01-01T00:01:01Z')
    expect(isoTime(1_704_067_200.25, true)).toBe('2024-01-01T00:00:00.250Z')
  })
})

describe('plural', () => {
  it('says one noun and many nouns', () => {
    expect(plural(1, 'key')).toBe('1 key')
    expect(plural(2, 'key')).toBe('2 keys')
    expect(plural(0, 'key')).toBe('0 keys')
    expect(plural(1, 'query', 'queries')).toBe('1 query')
    expect(plural(3, 'query', 'queries')).toBe('3 queries')
  })
})

describe('redact', () => {
  it('scrubs anything shaped like an OpenAI key, keeping its kind', () => {
    expect(redact('Incorrect API key provided: sk-admin-abcdefgh1234.')).toBe(
      'Incorrect API key provided: sk-admin-***.'
    )
    expect(redact('sk-proj-ABCDEFGH_12-34 and sk-svcacct-abcdefgh')).toBe('sk-proj-*** and sk-svcacct-***')
    expect(redact('key=sk-abcdefghijkl')).toBe('key=sk-***')
    expect(redact('token_sk-admin-abcdefgh1234 and x-sk-proj-ABCDEFGH12')).toBe('token_sk-admin-*** and x-sk-proj-***')
    // Inside a longer word it is not a key prefix.
    expect(redact('desk-abcdefghijkl')).toBe('desk-abcdefghijkl')
    // Too short to be a key.
    expect(redact('sk-abc1234')).toBe('sk-abc1234')
  })

  it('scrubs every occurrence of each secret given, of 4 characters or more', () => {
    expect(redact('token ghp_secret1 then ghp_secret1 again', ['ghp_secret1'])).toBe('token *** then *** again')
    expect(redact('a key: sk-admin-theRealKey0123456789', ['sk-admin-theRealKey0123456789'])).toBe('a key: ***')
    expect(redact('abc is short', ['abc', ''])).toBe('abc is short')
  })

  it('scrubs a key whatever comes before it, and in either case', () => {
    expect(redact('Authorization: Bearer%20sk-admin-abcdefgh1234 was refused')).toBe(
      'Authorization: Bearer%20sk-admin-*** was refused'
    )
    expect(redact('tokensk-proj-ABCDEFGH12 and 9sk-svcacct-abcdefgh')).toBe('tokensk-proj-*** and 9sk-svcacct-***')
    expect(redact('INCORRECT API KEY PROVIDED: SK-ADMIN-ABCDEFGH1234.')).toBe(
      'INCORRECT API KEY PROVIDED: SK-ADMIN-***.'
    )
    // A bare sk- key run into a word: 20 letters and digits or more.
    expect(redact('Bearer%20sk-T3BlbkFJabcdefghij0123456789')).toBe('Bearer%20sk-***')
    expect(redact('desk-abcdefghijkl and task-scheduler')).toBe('desk-abcdefghijkl and task-scheduler')
  })

  it('scrubs each secret given in either case, and GitHub tokens by their shape', () => {
    const key = 'sk-admin-theRealKey0123456789'
    expect(redact(`echo: ${key.toUpperCase()} and ${key}`, [key])).toBe('echo: *** and ***')
    expect(redact('a.b.c', ['a.b.c'])).toBe('***')
    expect(redact('axbxc', ['a.b.c'])).toBe('axbxc')
    expect(redact('ghp_abcdefghijklmnop0123 gho_ABCDEFGHIJKLMNOP ghs_abcdefghijklmnopqrst')).toBe(
      'ghp_*** gho_*** ghs_***'
    )
    expect(redact('github_pat_11ABCDEFG0123456789_abcdefghij')).toBe('github_pat_***')
    expect(redact('gh_abc and ghp_short')).toBe('gh_abc and ghp_short')
  })

  it('is what errorMessage applies to an error or anything thrown', () => {
    expect(errorMessage(new Error('401: sk-proj-abcdefghij refused'))).toBe('401: sk-proj-*** refused')
    expect(errorMessage('token tok_12345 refused', ['tok_12345'])).toBe('token *** refused')
  })
})
