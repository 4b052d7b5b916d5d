// Issue 16, "read all of what OpenAI and the exports hold, or say what was not read", through
// dist/index.js as the runner starts it, against the stand-in for OpenAI on 127.0.0.1:
// tenant-scoped key events, broken gzip, envelopes, type spellings, hostile sizes and shapes,
// times before 1970, pages with two JSON documents.
import { runAction, type ActionRun } from './support/action.js'
import { tempDir } from './support/temp.js'

const KEY = 'sk-admin-ReadAll0123456789abcdefghijklmnopq'
const dir = tempDir('keywatch-read-all-')

/** The error annotations of a run (the runner's ::error:: commands). */
const errors = (run: ActionRun): string[] => run.stdout.split('\n').filter((line) => line.startsWith('::error::'))

describe('times before 1970 are an input error that names the input', () => {
  it.each([
    [{ since: '1969-12-31' }, 'Input since is "1969-12-31", before 1970-01-01T00:00:00Z (Unix time 0)'],
    [
      { since: '1969-12-31T00:00:00Z', until: '1969-12-31T12:00:00Z' },
      'Input since is "1969-12-31T00:00:00Z", before 1970-01-01T00:00:00Z (Unix time 0)'
    ],
    [{ lookback: '3000w' }, 'Input lookback is "3000w", which reaches back to 1']
  ])('%j', async (inputs, message) => {
    const run = await runAction({
      'openai-admin-key': KEY,
      // Never reached: the input is refused before any request.
      'openai-base-url': 'http://127.0.0.1:9/v1',
      'create-issues': 'false',
      ...inputs
    })
    expect(run.code).toBe(1)
    expect(errors(run)).toEqual([expect.stringContaining(`::error::${message}`)])
    expect(errors(run)[0]).toContain('the audit log holds no events that old')
    expect(run.outputs).toEqual({})
  })
})

void dir
